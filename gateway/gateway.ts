import { createHash } from 'node:crypto';
import type { BlockList } from 'node:net';
import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer, HeaderMap } from '@apollo/server';
import { ApolloServerValidationErrorCode } from '@apollo/server/errors';
import {
  ApolloServerPluginLandingPageDisabled,
  ApolloServerPluginSchemaReportingDisabled,
  ApolloServerPluginUsageReportingDisabled,
} from '@apollo/server/plugin/disabled';
import type { GatewayExecutor, GatewayGraphQLRequestContext, GatewayInterface } from '@apollo/server-gateway-interface';
import { GraphQLError, Kind, print, separateOperations, type GraphQLFormattedError, type OperationDefinitionNode } from 'graphql';
import type { FieldGroup } from '../lib/access/field-groups';
import { auditableSubjectId, auditedTextLimits, callerInWords, platformOrganisations, purposeHeaders, type Caller, type Purpose } from '../lib/access/identity';
import { decideGrants, refusalOfGroup, type PurposeRefusal } from '../lib/access/policy';
import { inDistrictTime } from '../lib/calendar';
import { findMatter, selfInquiry } from '../lib/catalogue/matters';
import { defaultSubgraphTimeoutMs, RequestDeadline } from '../lib/deadline';
import { ConfigError } from '../lib/env';
import type { HttpRequestInfo } from '../lib/http-server';
import { maskPersonalData } from '../lib/logger';
import { firstCharacters } from '../lib/text';
import { auditedRefusalExtension, ErrorCode, maskUnexpectedErrors, outageHttp, outageRetryAfterSeconds, sendTheSameRequestAgain, withUnavailablePeerNamed, type AuditedRefusal } from '../lib/errors';
import type { SubgraphName } from '../schema/subgraphs';
import { AuditWriter, type AuditEntryInput } from './audit-writer';
import { createTokenVerifier, RefusedClaims, type TokenSettings } from './authentication';
import { guardOperation, isAtOrBeneath, type AskedRootField, nullRemovedFields, readFieldGuards, refusalsAtWithheldFields, withFieldGroupsDescribed, withheldBeneath, type Refusal, type RemovedField } from './field-guards';
import { RefusedSubjectCodes } from './refused-subject-codes';
import { InternalCallRefused, InternalClient, internalCallTimeoutMs } from '../lib/internal-client';
import { answeringIntrospectionAlone, plannableIntrospection } from './introspection';
import type { GatewayObserver } from './observer';
import { defaultOperationLimits, operationLimitsForApollo, readListSizes, typeLimitErrors, type OperationLimits } from './operation-limits';
import { perOperationText } from './per-operation-text';
import { createGatewayContext, MalformedPurpose, openGatewayContext, type GatewayContext, type PurposeLapse } from './request-access';
import { RateLimits, rateLimitPlugin, type RateLimitSettings } from './rate-limits';
import { operationResolution, wellFormedVariables, withPlatformScalars } from './request-checks';
import { readFieldNames, shadowingAliasesRule } from './shadowing-aliases';
import { rememberQueryPlan, SubgraphDataSource } from './subgraph-data-source';

export interface GatewayOptions {
  supergraphSdl: string;
  subgraphUrls?: Partial<Record<SubgraphName, string>>;
  /** Verifies callers' bearer tokens; needed unless access control is off. */
  tokens: TokenSettings | null;
  /** Signs the identity the gateway hands each subgraph; the subgraphs verify it. */
  signingKey: Uint8Array;
  /** Whether the schema may be introspected (the explorer needs it); default true. */
  introspection?: boolean;
  /** Told of subgraph calls, audit writes and masked faults (metrics, logs). */
  observer?: GatewayObserver;
  /** What one operation may ask; each unset limit has its default. */
  limits?: Partial<OperationLimits>;
  /**
   * False: no authentication, field guards or audit, for developing against a supergraph that
   * has no `@grant` fields (any federation-2 composition). Refused for a supergraph with grants.
   */
  accessControl?: boolean;
  /** Request budgets per caller and organisation; without them, no rate limiting. */
  rateLimits?: RateLimitSettings;
  /** The proxies whose X-Forwarded-For names the client (client-address.ts); none: every client is its connection's peer. */
  trustedProxies?: BlockList;
  /** How long one call to a subgraph may take (default defaultSubgraphTimeoutMs). */
  subgraphTimeoutMs?: number;
  /** How long a request's calls to subgraphs may take together, from when its body was read (default defaultSubgraphTimeoutMs). */
  requestTimeoutMs?: number;
}

export interface Gateway {
  server: ApolloServer<GatewayContext>;
  /**
   * Builds a request's context from its HTTP request (authentication, purpose, grants), as
   * lib/http-server.ts hands it over: with when its body was read, from which its time counts, the
   * latest that time may end during a stop, and the signal of its client going away.
   */
  context: (request: Pick<HttpRequestInfo, 'req' | 'bodyReadAt' | 'latestDeadline' | 'callerGone'>) => Promise<GatewayContext>;
  /** Null when access control is off. */
  audit: AuditWriter | null;
  limits: OperationLimits;
  /** The budgets requests count against; undefined when rate limits are off. */
  rateLimits?: RateLimits;
}

/**
 * Apollo refuses introspection telling the client to "pass introspection: true to ApolloServer";
 * the switch an operator has is INTROSPECTION=on (README, Configuration).
 */
function withIntrospectionSwitchNamed(formatted: GraphQLFormattedError): GraphQLFormattedError {
  if (formatted.extensions?.validationErrorCode !== ApolloServerValidationErrorCode.INTROSPECTION_DISABLED) return formatted;
  return { ...formatted, message: 'GraphQL introspection is off on this gateway, but the query contained __schema or __type: its operator can switch it on with INTROSPECTION=on' };
}

/** The routing URL of each subgraph as composition wrote it into the supergraph. */
export function routingUrls(supergraphSdl: string): Record<string, string> {
  const urls: Record<string, string> = {};
  for (const match of supergraphSdl.matchAll(/@join__graph\(name: "([^"]+)", url: "([^"]+)"\)/g)) urls[match[1]] = match[2];
  return urls;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * Around the gateway's executor: a document of several operations is planned as the operation run
 * with the fragments it spreads (graphql's `separateOperations`, once per operation text). The
 * planner (@apollo/federation-internals' `operationFromDocument`) checks every fragment of the
 * document against the operation's variables, while GraphQL asks a fragment's variables only of the
 * operations that spread it: a valid document, sent whole with its `operationName` as an editor
 * sends it, whose other operation's fragment takes a variable this one does not declare was
 * answered 500 INTERNAL_SERVER_ERROR. A document of one operation is passed on as it is.
 */
function planningTheOperationAlone(executor: GatewayExecutor): GatewayExecutor {
  return async (requestContext) => {
    const { schema, document, operation } = requestContext;
    if (document.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION).length < 2) return executor(requestContext);
    return executor({ ...requestContext, document: operationAlone(schema, document, operation) });
  };
}

const operationAlone = perOperationText((_schema, document, operation) => separateOperations(document)[operation.name?.value ?? '']);

/**
 * What a request's answer may take once its subgraph calls are done, which `REQUEST_TIMEOUT_MS`
 * does not count: the lookup of a refused subject's code (`SUBGRAPH_TIMEOUT_MS`), the consent's
 * re-check (the registers asked together, one internal call's time) and the audit append (behind
 * a write already under way, then its own). During a stop, a request whose upload ends late has
 * its time cut so that this much is left of the grace period (lib/http-server.ts latestDeadline).
 */
export function answerAfterCallsMs(subgraphTimeoutMs = defaultSubgraphTimeoutMs): number {
  return subgraphTimeoutMs + 3 * internalCallTimeoutMs;
}

/**
 * The longest a request may take from its body's arrival to its answer: its subgraph calls within
 * `REQUEST_TIMEOUT_MS`, then what follows them (answerAfterCallsMs). The gateway's stop waits this
 * long for the requests in flight (serve.ts), so that a request allowed to run is allowed to
 * finish; a proxy in front waits longer (README, Behind a reverse proxy: Time). An audit log so
 * slow that the writes queue up delays answers past it, and those are cut.
 */
export function longestAnswerMs(requestTimeoutMs = defaultSubgraphTimeoutMs, subgraphTimeoutMs = defaultSubgraphTimeoutMs): number {
  return requestTimeoutMs + answerAfterCallsMs(subgraphTimeoutMs);
}

/**
 * The federation gateway over a static supergraph (no introspection at start-up, so what is
 * served is exactly the committed, checked composition), with access control and audit wrapped
 * around the executor, and the operation limits checked before anything is planned. No
 * listening and no env reads here.
 */
export async function createGateway(options: GatewayOptions): Promise<Gateway> {
  const urls: Record<string, string | undefined> = { ...routingUrls(options.supergraphSdl), ...options.subgraphUrls };
  const urlOf = (name: SubgraphName): string => {
    const url = urls[name];
    if (!url) throw new ConfigError(`the supergraph names no URL for the ${name} subgraph (a supergraph without this platform's subgraphs is served with ACCESS_CONTROL=off, in development)`);
    return url;
  };
  const guards = readFieldGuards(options.supergraphSdl);
  const accessControl = options.accessControl ?? true;
  if (!accessControl && guards.size) {
    throw new ConfigError(`ACCESS_CONTROL=off is only for a supergraph without @grant fields; this one has ${guards.size} (${[...guards.keys()][0]}, …)`);
  }
  const limits = { ...defaultOperationLimits, ...options.limits };
  const introspection = options.introspection ?? true;
  const enforcement = operationLimitsForApollo(limits, readListSizes(options.supergraphSdl));
  // The audit writer tells of its own writes (auditBatch, auditUnavailable).
  const audit = accessControl ? new AuditWriter(new InternalClient(options.signingKey), urlOf('audit'), undefined, options.observer) : null;
  /**
   * The gateway's own calls to a register (a consent, a subject's code, a provider's standing),
   * counted and their outages logged once per window as its planned fetches are: their failure
   * reaches the client as SUBGRAPH_UNAVAILABLE alone, and the operator needs the cause and address.
   */
  const registerClient = (subgraph: SubgraphName, timeoutMs?: number) => {
    const observer = options.observer;
    return new InternalClient(options.signingKey, timeoutMs, subgraph, observer && ((outcome, seconds, cause) => observer.subgraphFetch(subgraph, seconds, outcome, cause)));
  };
  const entities = registerClient('entities');
  const providers = registerClient('providers');
  // Its answer holds the refused request's: no longer than any other subgraph call may take.
  const refusedSubjects = accessControl ? new RefusedSubjectCodes(registerClient('entities', options.subgraphTimeoutMs ?? defaultSubgraphTimeoutMs), urlOf('entities')) : null;
  const rateLimits = options.rateLimits ? await RateLimits.create(options.rateLimits, options.observer) : undefined;

  const gateway = new ApolloGateway({
    supergraphSdl: options.supergraphSdl,
    buildService: ({ name, url }) => new SubgraphDataSource(name, urls[name] ?? url ?? '', options.subgraphTimeoutMs, options.observer),
    // A failed fetch's errors name the fields of later fetches the plan then skips (subgraph-data-source.ts).
    experimental_didResolveQueryPlan: rememberQueryPlan,
  });
  const guarded: GatewayInterface = {
    async load(loadOptions) {
      const { schema, executor: planned } = await gateway.load(loadOptions);
      const executor = answeringIntrospectionAlone(planningTheOperationAlone(planned));
      return { schema: withFieldGroupsDescribed(withPlatformScalars(schema), guards), executor: audit && refusedSubjects ? guardExecutor(executor, guards, audit, refusedSubjects, options.observer) : executor };
    },
    onSchemaLoadOrUpdate: (callback) => gateway.onSchemaLoadOrUpdate(callback),
    stop: () => gateway.stop(),
  };

  const typeErrors = typeLimitErrors(limits, { suggestions: introspection });
  const mask = maskUnexpectedErrors((message, error, requestId) => (options.observer ? options.observer.fault(message, error, requestId) : console.error(`[gateway] ${message}`, error)));
  const server = new ApolloServer<GatewayContext>({
    gateway: guarded,
    includeStacktraceInErrorResponses: false,
    introspection,
    // One operation per request: a batch would multiply every limit by its length.
    allowBatchedHttpRequests: false,
    // Replaced by crossSiteRequestRoute, which does not break spec-following GET clients.
    csrfPrevention: false,
    // Automatic persisted queries keep one cache for every caller, looked up before a token is
    // read: a hash alone, from anyone, told whether someone had sent that exact text (a lookup
    // naming a person's ID number). Clients send the text; Apollo Client's link falls back to it
    // on PERSISTED_QUERY_NOT_SUPPORTED.
    persistedQueries: false,
    parseOptions: enforcement.parseOptions,
    validationRules: [...enforcement.validationRules, shadowingAliasesRule(readFieldNames(options.supergraphSdl))],
    // Shutdown belongs to the process's boot (lib/shutdown.ts), which also closes what Apollo does not know.
    stopOnTerminationSignals: false,
    formatError: (formatted, error) => mask(typeErrors(withIntrospectionSwitchNamed(withUnavailablePeerNamed(formatted, error)), error), error),
    plugins: [
      operationResolution,
      // The operation's limits before what its variables hold, as when its shape was checked at validation.
      ...enforcement.plugins,
      wellFormedVariables,
      plannableIntrospection,
      // Apollo's default landing page loads Sandbox from a CDN; the self-hosted explorer replaces it.
      ApolloServerPluginLandingPageDisabled(),
      ApolloServerPluginUsageReportingDisabled(),
      ApolloServerPluginSchemaReportingDisabled(),
      ...(rateLimits ? [rateLimitPlugin<GatewayContext>(rateLimits, (context) => context.rateLimit)] : []),
    ],
  });
  const requestTimeoutMs = options.requestTimeoutMs ?? defaultSubgraphTimeoutMs;
  /**
   * The request's time for its subgraph calls: REQUEST_TIMEOUT_MS from when its body had been
   * read, ending no later than its `latestDeadline` when the upload ended during a stop, so that
   * it is answered, in its time or with its typed timeout, before the stop cuts it. A time so cut
   * says so in that timeout: the client would otherwise read it as the subgraphs' slowness.
   */
  const deadlineOf = ({ bodyReadAt, latestDeadline, callerGone }: Pick<HttpRequestInfo, 'bodyReadAt' | 'latestDeadline' | 'callerGone'>) => {
    const stopLeavesMs = (latestDeadline ?? Infinity) - bodyReadAt;
    return stopLeavesMs < requestTimeoutMs
      ? new RequestDeadline(stopLeavesMs, 'gateway', bodyReadAt, callerGone, 'the gateway is stopping')
      : new RequestDeadline(requestTimeoutMs, 'gateway', bodyReadAt, callerGone);
  };
  if (!audit) return { server, context: async (request) => openGatewayContext(request.req, options.signingKey, deadlineOf(request)), audit, limits };
  if (!options.tokens) throw new ConfigError("access control needs a way to verify callers' tokens (AUTH_JWT_SECRET, AUTH_PUBLIC_KEY_FILE or AUTH_JWKS_URL)");
  const verify = createTokenVerifier(options.tokens, options.observer);
  /**
   * A denied attempt refused before planning, written to the audit log. When it cannot be, the
   * client's answer stays its refusal (a refused token's 401: the attempt was refused either way),
   * and the operator is told as of any entry the log could not take (auditUnavailable, once per window).
   */
  const auditDenied = (entry: AuditEntryInput): Promise<void> =>
    audit.write([entry]).catch((error: unknown) => {
      if (options.observer) options.observer.auditUnavailable(error, entry.requestId);
      else console.error('[gateway] the audit log could not be written: a denied attempt is not in it', error);
    });
  const context: Gateway['context'] = async (request) => {
    const { req } = request;
    try {
      return await createGatewayContext(req, { verify, signingKey: options.signingKey, entities: { client: entities, url: urlOf('entities') }, providers: { client: providers, url: urlOf('providers') }, rateLimits, trustedProxies: options.trustedProxies }, deadlineOf(request));
    } catch (error) {
      // A proved caller's malformed purpose header is its denied attempt, under what of the purpose could be read.
      if (error instanceof MalformedPurpose) {
        const { caller, readable } = error;
        const by = { actor: caller.id, organisation: caller.organisation, organisationKind: caller.organisationKind, role: caller.role, ...readable };
        await auditDenied({ ...deniedAttempt(error.refusal.message, error.requestId), ...by });
        throw error.refusal;
      }
      // A refused token is a denied attempt: it is audited too, without the claims it failed to
      // prove; a token refused for what it claims, under the user its signature proved; one
      // refused for its dates or revoked, under the caller it names.
      const requestId = String(req.headers['x-request-id'] ?? '');
      if (error instanceof RefusedClaims) {
        const named = error.caller ? { organisation: error.caller.organisation, organisationKind: error.caller.organisationKind, role: error.caller.role } : {};
        await auditDenied({ ...deniedAttempt(error.refusal.message, requestId), actor: error.user, ...named });
        throw error.refusal;
      }
      if (error instanceof GraphQLError && error.extensions.code === ErrorCode.UNAUTHENTICATED) {
        await auditDenied(deniedAttempt(error.message, requestId));
      }
      throw error;
    }
  };
  return { server, context, audit, limits, rateLimits };
}

/** A request refused before it was planned, by a caller its token did not prove (the caller's own fields are set over these when it did). */
function deniedAttempt(reason: string, requestId: string): AuditEntryInput {
  return {
    actor: platformOrganisations.unverified,
    organisation: platformOrganisations.unverified,
    organisationKind: 'UNIDENTIFIED',
    role: 'UNIDENTIFIED',
    matter: null,
    caseNumber: null,
    consentId: null,
    subjectId: null,
    fieldGroups: [],
    operationName: firstCharacters(`refused: ${reason}`, auditedTextLimits.operationName),
    requestId: requestId || 'none',
    occurredAt: new Date().toISOString(),
    outcome: 'DENIED',
  };
}

/**
 * Around the gateway's executor: cut what the grants do not cover out of the operation (keyed
 * in the query-plan cache by the rewritten text), execute, put nulls and errors where the cut
 * fields were, write the request's audit batch, and only then release the answer. If the audit
 * log cannot be written, the answer is withheld (fail closed). A request whose client went away
 * first has had its subgraph calls stopped (SubgraphDataSource), and its answer, released to
 * no one, is audited for its refusals alone.
 */
function guardExecutor(execute: GatewayExecutor, guards: Map<string, string>, audit: AuditWriter, refusedSubjects: RefusedSubjectCodes, observer?: GatewayObserver): GatewayExecutor {
  return async (requestContext) => {
    const context = requestContext.context as unknown as GatewayContext;
    const { document, removed, subjectKey, refusalAt, rootFieldsIn } = guardOperation(
      requestContext.document,
      requestContext.operationName,
      requestContext.schema,
      guards,
      new Set(context.identity.grants),
      requestContext.request.variables ?? {},
    );
    let effective: GatewayGraphQLRequestContext = requestContext;
    if (removed.length) {
      const source = print(document);
      effective = {
        ...requestContext,
        document,
        source,
        operation: document.definitions[0] as OperationDefinitionNode,
        queryHash: sha256(source),
      };
    }
    const result = await execute(effective);
    const reached = nullRemovedFields(result.data as Record<string, unknown> | null | undefined, removed, subjectKey);
    const subgraphRefusalPaths = (result.errors ?? []).filter((error) => isAuditedRefusal(error) && error.path?.length).map((error) => error.path!.filter((key): key is string => typeof key === 'string'));
    const refusals: Refusal[] = [
      ...removed.flatMap((field) => {
        const refusal = refusalAt(field.path);
        const subjects = reached.filter((at) => at.removed === field).map((at) => at.subjectId ?? refusal.subjectId);
        if (subjects.length) return subjects.map((subjectId) => ({ ...refusal, subjectId }));
        // Under an object a subgraph refused, the field is that refusal's, audited with it (about
        // the subject the subgraph names, with the groups of all asked beneath it), not again
        // about no subject. Under one the answer lacks otherwise, it was refused all the same:
        // audited once, against the subject the operation names.
        if (subgraphRefusalPaths.some((path) => isAtOrBeneath(field.path, path))) return [];
        return [{ ...refusal }];
      }),
      // Refusals by a subgraph (a purpose's kinds of subject, a consent's subject, a decision made already) withhold what
      // was asked at their path, about the subject the subgraph names, if it names one: all of
      // it, or, of an object the answer holds all the same, the fields it answers null.
      ...(result.errors ?? [])
        .filter(isAuditedRefusal)
        .map((error) => {
          const refusal = refusalAt(error.path ?? []);
          const withheld = withheldBeneath(result.data as Record<string, unknown> | null | undefined, error.path ?? []);
          const asked = withheld?.length ? withheld.map((path) => refusalAt(path)) : [refusal];
          const told = error.extensions[auditedRefusalExtension] as AuditedRefusal | undefined;
          return {
            subjectId: auditableSubjectId(told?.subjectId) ?? refusal.subjectId,
            groups: [...new Set([...asked.flatMap((at) => at.groups), ...(told?.groups ?? [])])],
            providerGroups: [...new Set(asked.flatMap((at) => at.providerGroups ?? []))],
          };
        }),
    ];
    await refusedSubjects.resolve(refusals, context.requestId);
    // Audited above at the paths the subgraphs gave; told to the client at the fields withheld.
    const errors = refusalsAtWithheldFields(
      result.data as Record<string, unknown> | null | undefined,
      [...(result.errors ?? []).map(withoutAuditedRefusal), ...reached.map(({ path, removed: field }) => deniedField(field, path, context))],
      atField,
    );
    // The instant of disclosure is taken before the consent (and a provider's standing) is asked
    // about again: a consent that still holds then held at that instant, so no entry under it is
    // later than its revocation, nor a provider's than its suspension.
    const occurredAt = new Date();
    const lapse = context.purposeRecheck && context.disclosures.size + context.consentDisclosures.size ? await context.purposeRecheck() : null;
    // No subgraph reports a statistic as a disclosure (it names no subject): each one the answer gives is audited from the operation.
    const data = result.data as Record<string, unknown> | null | undefined;
    const statistics = rootFieldsIn(statisticsGroups).filter(({ key }) => data?.[key] !== null && data?.[key] !== undefined);
    // Revoked (or expired, or the provider suspended) while the request was under way, or not known
    // to hold: nothing it read is released, and its entries say which (DENIED, or FAILED when a register was down).
    const read = [...context.disclosures, ...[...context.consentDisclosures.values()].map(({ subjectId, groups }) => [subjectId, groups] as const)];
    const withheld = lapse ? read.map(([subjectId, groups]) => ({ subjectId: subjectId ?? undefined, groups: [...groups], outcome: lapse.outcome })) : [];
    if (lapse) {
      context.disclosures.clear();
      context.consentDisclosures.clear();
    }
    try {
      // Its client gone first, the answer will not be released: nothing of it is audited as disclosed (AuditWriter).
      await audit.write(auditEntries(context, requestContext.operationName ?? null, [...refusals, ...withheld], statistics, occurredAt), context.deadline.callerGone);
    } catch (error) {
      if (observer) observer.auditUnavailable(error, context.requestId);
      else console.error('[gateway] audit write failed; answer withheld', error);
      return { errors: [auditUnavailable(requestContext.operation, result.data, error)] };
    }
    if (lapse) return withheldUnderLapse(requestContext, guards, lapse, result.data as Record<string, unknown> | null | undefined, errors);
    const told = withAppliedMutationsTold(requestContext.operation, result.data as Record<string, unknown> | null | undefined, errors);
    return { ...result, errors: told.length ? told : undefined };
  };
}

/**
 * A mutation that took effect, whose answer then lacks fields read after it (a later fetch of the
 * plan met an outage: a check's `reportRequirement` without the reports subgraph). The outage's own words
 * say "retry later", which a client would take for the mutation: each such error under a mutation
 * field that answered says that it took effect (`applied`, by response key, as AUDIT_UNAVAILABLE's),
 * so that the client reads the result back instead of sending the change again.
 */
function withAppliedMutationsTold(operation: OperationDefinitionNode | undefined, data: Record<string, unknown> | null | undefined, errors: GraphQLError[]): GraphQLError[] {
  if (operation?.operation !== 'mutation' || !data) return errors;
  return errors.map((error) => {
    const field = error.path?.[0];
    const outage = error.extensions?.code === ErrorCode.SUBGRAPH_UNAVAILABLE || error.extensions?.code === ErrorCode.DATABASE_UNAVAILABLE;
    if (!outage || typeof field !== 'string' || data[field] === null || data[field] === undefined) return error;
    return new GraphQLError(`${error.message}; ${field} itself took effect (only fields read after it are missing): read the result back rather than sending it again`, {
      nodes: error.nodes,
      source: error.source,
      positions: error.positions,
      path: error.path,
      originalError: error.originalError,
      extensions: { ...error.extensions, applied: [field] },
    });
  });
}

/**
 * The answer of a request whose purpose lapsed while it was under way: each field the consent
 * opened answers null with the lapse's error (FORBIDDEN with the consent's `problem` and `header`,
 * or the provider's PROVIDER_MAY_NOT_COLLECT, or SUBGRAPH_UNAVAILABLE when a register could not be
 * asked again), as the fields of a request arriving after the revocation do, and the rest of the answer stands. `data` is there, so the
 * answer is a 200 (GraphQL over HTTP), not the 400 of a request that was malformed. The fields are
 * those the grants left to a refused consent do not cover, found as before execution, on the
 * client's own operation. A field null with an error of its own keeps that one.
 */
function withheldUnderLapse(
  requestContext: GatewayGraphQLRequestContext,
  guards: Map<string, string>,
  lapse: PurposeLapse,
  data: Record<string, unknown> | null | undefined,
  errors: GraphQLError[],
): { data: Record<string, unknown> | null; errors: GraphQLError[] } {
  const { removed, subjectKey } = guardOperation(requestContext.document, requestContext.operationName, requestContext.schema, guards, new Set(lapse.grants), requestContext.request.variables ?? {});
  const withheld = nullRemovedFields(data, removed, subjectKey);
  const beneath = (path: readonly (string | number)[] | undefined, field: (string | number)[]) => !!path && path.length > field.length && isAtOrBeneath(path, field);
  const same = (path: readonly (string | number)[] | undefined, field: (string | number)[]) => !!path && path.length === field.length && isAtOrBeneath(path, field);
  const kept = errors.filter((error) => !withheld.some(({ path }) => beneath(error.path, path)));
  // A refusal names the field withheld and its group, as at a field refused before execution (deniedField); an outage does not.
  const told = withheld
    .filter(({ path }) => !kept.some((error) => same(error.path, path)))
    .map(({ path, removed: field }) => atField(lapse.error, path, lapse.outcome === 'DENIED' ? { group: field.group, field: field.coordinate } : {}));
  // Read, and yet at no field the consent opened (an answer null as a whole): the error is the answer's own.
  return { data: data ?? null, errors: [...kept, ...(told.length ? told : [lapse.error])] };
}

/**
 * The answer withheld for want of its audit entries. A mutation's changes were stored before
 * (each mutation commits on its own), so the client is told which of its mutation fields took
 * effect (`applied`, by response key), or that none did. Sending the same request again is what
 * gets it the withheld answer (a batch's rejected rows, never stored, are read back nowhere else),
 * and stores nothing twice (sendTheSameRequestAgain).
 */
function auditUnavailable(operation: OperationDefinitionNode, data: Record<string, unknown> | null | undefined, cause: unknown): GraphQLError {
  // 503: the platform failed, not the request; a monitor sees an outage. A client may send a read
  // again later, but not when the audit subgraph refused the entries for a catalogue it lacks (a
  // gateway restarted alone on a new release's): only restarting the subgraphs mends that.
  const mismatch = catalogueMismatch(cause);
  const outage = mismatch ? { reason: mismatch, http: { status: 503 as const, headers: new HeaderMap() } } : { retryAfterSeconds: outageRetryAfterSeconds, http: outageHttp() };
  const why = mismatch ? ": the audit log runs another release's catalogue than the gateway, which no retry mends until the subgraphs are restarted on the gateway's release" : '';
  if (operation.operation !== 'mutation') {
    return new GraphQLError(`the audit log could not be written, so nothing is disclosed${why || ': retry later'}`, { extensions: { code: ErrorCode.AUDIT_UNAVAILABLE, ...outage } });
  }
  const applied = Object.entries(data ?? {})
    .filter(([key, value]) => value !== null && key !== '__typename')
    .map(([key]) => key);
  const effect = applied.length ? `${applied.join(', ')} took effect all the same: ${sendTheSameRequestAgain}` : 'none of its changes took effect: it may be sent again';
  return new GraphQLError(`the audit log could not be written, so the answer is withheld${why}; ${effect}`, { extensions: { code: ErrorCode.AUDIT_UNAVAILABLE, applied, ...outage } });
}

/** `CATALOGUE_MISMATCH` when the audit subgraph refused the entries for a department (or other code) its catalogue lacks. */
function catalogueMismatch(cause: unknown): 'CATALOGUE_MISMATCH' | undefined {
  return cause instanceof InternalCallRefused && cause.errors.some((e) => e.extensions?.reason === 'CATALOGUE_MISMATCH') ? 'CATALOGUE_MISMATCH' : undefined;
}

/**
 * A subgraph's error the gateway audits DENIED: a refusal (FORBIDDEN), or another error the
 * subgraph marked for the audit (`auditedRefusal`: a decision refused as made already).
 */
function isAuditedRefusal(error: GraphQLError): boolean {
  return error.extensions?.code === ErrorCode.FORBIDDEN || auditedRefusalExtension in (error.extensions ?? {});
}

/** A subgraph's error as the client gets it: without what it told the audit entry. */
function withoutAuditedRefusal(error: GraphQLError): GraphQLError {
  if (!(auditedRefusalExtension in (error.extensions ?? {}))) return error;
  const { [auditedRefusalExtension]: _, ...extensions } = error.extensions;
  return new GraphQLError(error.message, { nodes: error.nodes, source: error.source, positions: error.positions, path: error.path, originalError: error.originalError, extensions });
}

/** A refusal moved to a field it withheld: the same message and extensions, at the field's path (the parent's locations would point elsewhere). */
function atField(error: GraphQLError, path: (string | number)[], extensions: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(error.message, { path, originalError: error.originalError, extensions: { ...error.extensions, ...extensions } });
}

function deniedField(field: RemovedField, path: (string | number)[], context: GatewayContext): GraphQLError {
  const { caller } = context;
  const unscoped = caller && context.purpose && context.decision.purposeRefused ? readWithoutPurpose(caller, field, path, context.purpose, context.decision.purposeRefused) : undefined;
  if (unscoped) return unscoped;
  // A front end tells the refusals apart by `problem`, and points at the header to correct: the message is for people.
  const { advice, details } = refusalOfGroup(caller, field.group, context.decision.purposeRefused, context.purpose !== null, context.decision.scope.subjectId);
  return new GraphQLError(`${field.coordinate} needs the field group ${field.group}${advice}`, {
    path,
    extensions: { code: caller === null ? ErrorCode.UNAUTHENTICATED : ErrorCode.FORBIDDEN, group: field.group, field: field.coordinate, ...details },
  });
}

/**
 * A group the caller holds with no purpose at all (a grantee's CONSENTS_RECEIVED), asked under a
 * purpose the registers refused (a consent revoked, expired or not its own; a token's subject not
 * its own; a provider that may not collect): such a purpose leaves the public registry only, and
 * would have been scoped to one subject, where the subgraph refuses the group as
 * OUTSIDE_SUBJECT_SCOPE. The same `problem` then, and what opens it: the request without its
 * purpose headers; the purpose's own refusal is told beside it, as it is no remedy here (a
 * consent that held would not open the group either). Undefined for a group the caller holds
 * only under some purpose.
 */
function readWithoutPurpose(caller: Caller, field: RemovedField, path: (string | number)[], purpose: Purpose, refused: PurposeRefusal): GraphQLError | undefined {
  if (!(decideGrants(caller, null).groups as readonly string[]).includes(field.group)) return undefined;
  const headers = (['matter', 'caseNumber', 'consentId'] as const).filter((part) => purpose[part]).map((part) => purposeHeaders[part]);
  const named = headers.length > 1 ? `${headers.slice(0, -1).join(', ')} and ${headers[headers.length - 1]}` : headers[0];
  return new GraphQLError(`${field.coordinate} needs the field group ${field.group}, which ${callerInWords(caller)} reads with no purpose: send it without ${named} (the request's purpose was refused besides: ${refused.message})`, {
    path,
    extensions: { code: ErrorCode.FORBIDDEN, group: field.group, field: field.coordinate, problem: 'OUTSIDE_SUBJECT_SCOPE' },
  });
}

/**
 * The field groups whose fields count and name no subject (统计): the analysts' statistics and
 * the credit office's assessment. Each such field answered is audited on its own entry, with no
 * subject (`statisticAsked` says what was asked), so that the credit office sees every window an
 * analyst counted (overlapping ones, subtracted, isolate a small cell: auditStatistics' accepted
 * risk), and no subject's trail holds it.
 */
const statisticsGroups: ReadonlySet<FieldGroup> = new Set<FieldGroup>(['STATISTICS', 'SUPERVISION_STATISTICS']);

/**
 * What a statistic's entry records as its operation, the one column that can say what was asked:
 * the field with its arguments as execution read them, then the operation's name,
 * `auditStatistics(from: "2026-12-01T00:00:00+08:00", to: "2026-12-04T00:00:00+08:00") in Windows`.
 * Instants as the district's clock reads them, as the statistics' dates are: in UTC a window of
 * whole district days reads as starting the day before. The field first, as the column is cut to
 * its length: an operation named at length (a GraphQL name may run to the 200 characters) would
 * otherwise push the window out of the entry. An operation's name holds no space, so an entry's
 * own name is never read as one of these. Personal data masked as in the logs (a filter may be
 * typed as anything) before the text is cut, as the audit writer masks every entry
 * (audit-writer.ts asAudited) only after: a number cut in two there would no longer read as one.
 */
function statisticAsked(operationName: string | null, field: AskedRootField): string {
  // `this[key]` is the value before its toJSON, which has made a Date its UTC string.
  const written = (value: unknown) => JSON.stringify(value, function (this: Record<string, unknown>, key, json: unknown) {
    return this[key] instanceof Date ? inDistrictTime(this[key], true) : json;
  });
  const values = Object.entries(field.arguments).map(([name, value]) => `${name}: ${written(value)}`);
  const asked = `${field.name}${values.length ? `(${values.join(', ')})` : ''}${operationName ? ` in ${operationName}` : ''}`;
  return firstCharacters(maskPersonalData(asked), auditedTextLimits.operationName);
}

/** One entry per subject disclosed, one per statistic answered, and one per subject (or none known) refused something. */
function auditEntries(context: GatewayContext, operationName: string | null, refusals: (Refusal & { outcome?: 'DENIED' | 'FAILED' })[], statistics: AskedRootField[], occurredAt: Date): AuditEntryInput[] {
  const { caller, purpose, requestId } = context;
  const base = {
    actor: caller?.id ?? platformOrganisations.anonymous,
    organisation: caller?.organisation ?? platformOrganisations.anonymous,
    organisationKind: caller?.organisationKind ?? 'UNIDENTIFIED',
    role: caller?.role ?? 'UNIDENTIFIED',
    matter: purpose?.matter ?? null,
    caseNumber: purpose?.caseNumber ?? null,
    // Only a consent the request was read under: a consent header beside a matter that needs none,
    // or under a purpose refused, was no basis, and would put another subject's consent in this
    // trail. One cited that is the caller's own (refused, or cited under a purpose refused before
    // it) is named on its DENIED entries (`consentRefused`).
    consentId: purpose?.consentId && !context.decision.purposeRefused && findMatter(purpose.matter)?.consentRequired ? purpose.consentId : null,
    operationName,
    requestId,
    occurredAt: occurredAt.toISOString(),
  };
  // What a request with a refused purpose still read, it read under its standing grants alone (the
  // window's consents, the public registry): its entries name no purpose, as none was its basis. The
  // refused purpose stays on its DENIED entries, the attempt the credit office looks for.
  const disclosedUnder = context.decision.purposeRefused ? { ...base, matter: null, caseNumber: null } : base;
  // A public lookup answers anyone: no matter, case or consent opened it, so none is named; but a
  // subject looking itself up (verifying its own report) made a self-inquiry, which its own list
  // of who read it leaves out unless asked, as for any of its own reads.
  const toAnyone = { ...base, matter: null, caseNumber: null, consentId: null };
  const toItself = { ...toAnyone, matter: selfInquiry };
  const entries: AuditEntryInput[] = [
    ...[...context.disclosures].map(([subjectId, groups]) => ({ ...disclosedUnder, subjectId, fieldGroups: [...groups].sort(), outcome: 'DISCLOSED' as const })),
    ...[...context.publicDisclosures].map(([subjectId, groups]) => ({ ...(subjectId === caller?.subjectId ? toItself : toAnyone), subjectId, fieldGroups: [...groups].sort(), outcome: 'DISCLOSED' as const })),
    // A read about one consent (a grantee listing the consents given to it) names that consent,
    // whatever its status now: the subject finds it by the consent it gave, not as a read under none.
    ...[...context.consentDisclosures].map(([consentId, { subjectId, groups }]) => ({ ...disclosedUnder, consentId, subjectId, fieldGroups: [...groups].sort(), outcome: 'DISCLOSED' as const })),
    ...statistics.map((field) => ({ ...disclosedUnder, subjectId: null, fieldGroups: [field.group], operationName: statisticAsked(operationName, field), outcome: 'DISCLOSED' as const })),
  ];
  // One entry per subject and outcome: what was refused (DENIED), or read and then withheld for want of a check (FAILED).
  const withheld = new Map<string, { subjectId: string | null; outcome: 'DENIED' | 'FAILED'; groups: Set<string> }>();
  const withhold = (subjectId: string | null, outcome: 'DENIED' | 'FAILED', groups: readonly string[]) => {
    const key = `${outcome} ${subjectId}`;
    const known = withheld.get(key) ?? { subjectId, outcome, groups: new Set<string>() };
    for (const group of groups) known.groups.add(group);
    withheld.set(key, known);
  };
  for (const { subjectId = null, groups, providerGroups = [], outcome = 'DENIED' } of refusals) {
    withhold(subjectId, outcome, groups);
    // A provider's file reached through a subject (a report's issuer) is the provider's, not the
    // subject's: about no subject, as when the provider is asked for directly (field-guards.ts).
    if (providerGroups.length) withhold(null, outcome, providerGroups);
  }
  const deniedUnder = { ...base, ...(context.caseNamedAlone ? { caseNumber: context.caseNamedAlone } : {}), ...(context.decision.consentRefused ? { consentId: context.decision.consentRefused } : {}) };
  for (const { subjectId, outcome, groups } of withheld.values()) entries.push({ ...deniedUnder, subjectId, fieldGroups: [...groups].sort(), outcome });
  return entries;
}
