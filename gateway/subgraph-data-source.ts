import { RemoteGraphQLDataSource, type Experimental_DidResolveQueryPlanCallback, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { GatewayGraphQLRequestContext, GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import { Kind, parse, type DocumentNode, type FieldNode, type FragmentDefinitionNode, type NamedTypeNode, type OperationDefinitionNode, type SelectionSetNode } from 'graphql';
import { identityHeader } from '../lib/access/identity';
import { callNotUnderstoodCodes, ErrorCode, MutationOutcome, outageRetryAfterSeconds, outcomeNotKnown, retryMends, SubgraphFault } from '../lib/errors';
import { defaultSubgraphTimeoutMs, PeerTimeout, timeoutHeader, type RequestDeadline } from '../lib/deadline';
import { withoutCredentials } from '../lib/env';
import { answeredAsGraphQL, CallAttempts, connectionFailure, platformFetcher } from '../lib/platform-http';
import type { GatewayObserver, SubgraphFetchOutcome } from './observer';
import type { GatewayContext } from './request-access';

/**
 * How the gateway calls one subgraph: with the request's identity signed by the gateway and its
 * request id; what the subgraph reports having disclosed is collected for the audit log.
 *
 * A subgraph that gives no usable answer (down, slower than `timeoutMs`, answering something
 * that is not GraphQL, or unable to read the call the gateway planned, being of another release)
 * becomes a typed error on the fields it owns, SUBGRAPH_UNAVAILABLE with a `reason` (the gateway
 * adds `serviceName`), not a failure of the whole operation. A call that provably ran nothing
 * (connection refused, a stopping subgraph's refusal) is sent once more on a new connection, a
 * mutation's too, as every platform call is (lib/platform-http.ts `send`); a read whose connection
 * was lost under way as well, here; never a mutation that may have run, nor a call that timed out,
 * nor any call a third time (sentAgainAfter).
 */
export class SubgraphDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  constructor(
    readonly name: string,
    url: string,
    private readonly timeoutMs: number = defaultSubgraphTimeoutMs,
    private readonly observer?: GatewayObserver,
  ) {
    super({ url, fetcher: platformFetcher(timeoutMs, name) });
  }

  override async willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<void> {
    // The gateway's own health checks and schema loads carry no request context.
    if (!context?.signedIdentity) return;
    request.http?.headers.set(identityHeader, await context.signedIdentity());
    request.http?.headers.set('x-request-id', context.requestId);
    // The time the request has left, for the fetcher to bound this call by (platformFetcher):
    // the fetcher is all Apollo's data source hands a call to, and it sees only the headers.
    request.http?.headers.set(timeoutHeader, String(Math.max(1, Math.floor(context.deadline.left()))));
  }

  override async didReceiveResponse({ response, context }: Required<Pick<GatewayGraphQLRequestContext<GatewayContext>, 'request' | 'response' | 'context'>>): Promise<GatewayGraphQLResponse> {
    // Checked before anything is read from it: the gateway must never act on a malformed answer.
    if (!isGraphQLResponse(response)) throw new NotGraphQLResponse(describe(response));
    const reported = response.extensions?.disclosures as { subjectId: string | null; groups: string[]; toAnyone?: boolean; consentId?: string }[] | undefined;
    if (reported && context?.disclosures) {
      for (const { subjectId, groups, toAnyone, consentId } of reported) {
        if (consentId !== undefined && subjectId !== null) {
          const known = context.consentDisclosures.get(consentId) ?? { subjectId, groups: new Set<string>() };
          groups.forEach((g) => known.groups.add(g));
          context.consentDisclosures.set(consentId, known);
          continue;
        }
        const disclosures = toAnyone === true ? context.publicDisclosures : context.disclosures;
        const known = disclosures.get(subjectId) ?? new Set<string>();
        groups.forEach((g) => known.add(g));
        disclosures.set(subjectId, known);
      }
    }
    if (response.extensions) delete response.extensions.disclosures;
    return response;
  }

  override async process(options: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<GatewayGraphQLResponse> {
    const started = performance.now();
    let outcome: SubgraphFetchOutcome = 'bad_response';
    let cause: string | undefined;
    try {
      const response = await this.processWithRetry(options);
      outcome = response.errors?.length ? 'graphql_errors' : 'ok';
      return withErrorsAtAskedFields(options, response);
    } catch (error) {
      // A subgraph answers input it rejects (a bad scalar value, say) with HTTP 400 and typed
      // GraphQL errors; those are the client's to read, not a gateway fault.
      const reason = faultOf(error);
      // Its refusal of the gateway's own identity (401) is not: see SubgraphFault.IDENTITY_REFUSED.
      // Nor is the JSON of a status no GraphQL server answers with (a 404 at a mistyped path), nor
      // a refusal of the call itself as GraphQL it cannot read: the gateway wrote that call.
      const { body, status } = (error as { extensions?: { response?: { body?: { errors?: unknown }; status?: number } } }).extensions?.response ?? {};
      const unread = unreadCallOf(error);
      if (body && Array.isArray(body.errors) && reason !== SubgraphFault.IDENTITY_REFUSED && status !== undefined && answeredAsGraphQL(status) && unread === undefined) {
        outcome = 'graphql_errors';
        return { errors: body.errors } as GatewayGraphQLResponse;
      }
      // A call stopped because the client went away, or not made for want of the request's own
      // time (its budget spent before the call), says nothing of the subgraph: not an outage.
      outcome = options.context?.deadline?.callerHasGone ? 'caller_gone' : PeerTimeout.notMade(error) ? 'request_out_of_time' : unread === undefined ? fetchOutcomes[reason] : 'schema_mismatch';
      // What exactly came back is for the operator; the client learns only which subgraph and why.
      // A refused identity, a call of the wrong release, or an answer that is not GraphQL, is
      // logged as an outage is, by its outcome (gateway/metrics.ts): every call meets it alike,
      // and its error says no more than the outcome and the cause beside it (an answer that is not
      // GraphQL: the address called and what it answered, which Apollo's error leaves out; one not
      // reached or too slow: the address and why, as a register call's line has them).
      cause = unread ?? (reason === SubgraphFault.IDENTITY_REFUSED ? undefined : badResponseCause(this.url, error));
      const mutation = isMutation(options.request.query);
      const told = this.toldOf(reason, error, mutation);
      const unavailable = { message: told.message, extensions: { code: ErrorCode.SUBGRAPH_UNAVAILABLE, reason, ...(retryMends(reason) ? { retryAfterSeconds: outageRetryAfterSeconds } : {}), ...(mutation ? { outcome: told.outcome } : {}) } };
      const paths = askedPaths(options);
      // An empty path stands for the error without one: GraphQL leaves `path` out where no field is named.
      return { errors: paths.length ? paths.map((path) => (path.length ? { ...unavailable, path } : unavailable)) : [unavailable] } as GatewayGraphQLResponse;
    } finally {
      this.observer?.subgraphFetch(this.name, (performance.now() - started) / 1000, outcome, cause);
    }
  }

  private async processWithRetry(options: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<GatewayGraphQLResponse> {
    // One count for this call's attempts, send's own included: the second attempt, whoever makes it, is the last.
    const attempts = new CallAttempts();
    const call = this.forCall(options.context?.deadline, attempts);
    try {
      return await super.process.call(call, options);
    } catch (error) {
      if (!sentAgainAfter(error, isMutation(options.request.query), attempts)) throw error;
      // On a new connection (send's, for any attempt after the first): the pool's others may be kept to the same replica.
      return await super.process.call(call, options);
    }
  }

  /**
   * This data source as one call makes it: with a fetcher that also stops when the request's client
   * goes away (its deadline's `callerGone`), closing the connection, so that a subgraph that has not
   * committed stores nothing (lib/deadline.ts), whose timeout says why the request's time was cut
   * short when it was (the gateway stopping), and that counts the call's `attempts`, its own and
   * this data source's (lib/platform-http.ts, CallAttempts). Apollo hands a fetcher the method,
   * headers and body alone, never the request; every other property and hook is this data source's
   * own (the view's prototype).
   */
  private forCall(deadline: RequestDeadline | undefined, attempts: CallAttempts): this {
    return Object.create(this, { fetcher: { value: platformFetcher(this.timeoutMs, this.name, deadline, attempts) } }) as this;
  }

  /**
   * What the client is told of the fault: in words, and whether a mutation's change was stored
   * (`outcome`, MutationOutcome, told for a mutation only), which its words say too, for a front
   * end to switch on.
   */
  private toldOf(reason: SubgraphFault, error: unknown, mutation: boolean): { message: string; outcome: MutationOutcome } {
    const notStored = (message: string) => ({ message, outcome: MutationOutcome.NOT_STORED });
    const unknown = (message: string) => ({ message, outcome: MutationOutcome.UNKNOWN });
    switch (reason) {
      case SubgraphFault.UNREACHABLE:
        if (!mutation) return notStored(`the ${this.name} subgraph could not be reached`);
        // A connection lost once the request was sent leaves the outcome as unknown as a timeout
        // does: the subgraph may have read it and stored the change before it went (killed mid-batch).
        return connectionFailure(error) === 'lostUnderWay'
          ? unknown(`the connection to the ${this.name} subgraph was lost after the request was sent; ${outcomeNotKnown}`)
          : notStored(`the ${this.name} subgraph could not be reached, so nothing was stored: retry later`);
      case SubgraphFault.TIMEOUT:
        // The fetcher's PeerTimeout (lib/platform-http.ts): the time the call had, and whether that
        // was what the request had left. A subgraph the gateway stopped waiting for stores nothing
        // once it sees its caller gone, but a commit already under way completes (README, Errors):
        // the client cannot tell which. A call never made, too little time being left to, ran nothing.
        if (PeerTimeout.notMade(error)) return notStored(mutation ? `${(error as PeerTimeout).message}, so nothing was stored: retry later` : (error as PeerTimeout).message);
        return unknown(mutation ? `${(error as PeerTimeout).message}; ${outcomeNotKnown}` : (error as PeerTimeout).message);
      case SubgraphFault.BAD_RESPONSE:
        // A call refused unread ran nothing, so a mutation stored nothing; the client's operation
        // passed the gateway's validation against the supergraph, so it is not the client's to mend.
        if (unreadCallOf(error) !== undefined) {
          return notStored(`the ${this.name} subgraph could not read the gateway's call for this request: its schema differs from the supergraph the gateway plans with (the two are of different releases, an upgrade under way), a fault of the platform's, not of your query${mutation ? '; nothing was stored, retry later' : ''}`);
        }
        // A proxy's 502 may come after the subgraph stored the change it passed on.
        return unknown(`the ${this.name} subgraph did not answer with a GraphQL response${mutation ? `; ${outcomeNotKnown}` : ''}`);
      case SubgraphFault.IDENTITY_REFUSED:
        // Refused before anything of the call ran (subgraphs/shared/access.ts).
        return notStored(`the ${this.name} subgraph refused the platform's own credentials for this call (a fault of the platform's configuration, not of your token)`);
    }
  }
}

type QueryPlan = Parameters<Experimental_DidResolveQueryPlanCallback>[0]['queryPlan'];
type PlanNode = NonNullable<QueryPlan['node']>;
type FetchNode = Extract<PlanNode, { kind: 'Fetch' }>;
type RequiredSelection = NonNullable<FetchNode['requires']>[number];

/** Each request's query plan, by the request context the gateway executes it with (and hands each fetch). */
const queryPlans = new WeakMap<object, QueryPlan>();

/** For the gateway (`experimental_didResolveQueryPlan`): keeps the plan a failed fetch is placed in. */
export const rememberQueryPlan: Experimental_DidResolveQueryPlanCallback = ({ queryPlan, requestContext }) => {
  queryPlans.set(requestContext, queryPlan);
};

/**
 * Where each field of the client's answer that this fetch leaves missing sits in the subgraph's
 * answer: a root field's response key, or `_entities`, the representation's index and the field,
 * which the gateway maps to where that entity is in the client's answer. An error on each tells a
 * client exactly which fields of its answer are missing, as GraphQL gives every field error its
 * path. Missing are the fields the fetch asked for, and the fields of later fetches for the same
 * entities that `@requires` one of those: the gateway skips such a fetch for an entity lacking
 * what it requires, silently, so their nulls would otherwise carry no error at all (a subject's
 * records needing its kind). A field
 * the planner asked for its own needs (a key, a field another subgraph requires, one hidden from
 * clients) is not the client's: no error names it. Only when the plan is not known does one error
 * without a path say that fields depending on the subgraph's data are missing too.
 */
function askedPaths(options: GraphQLDataSourceProcessOptions<GatewayContext>): (string | number)[][] {
  const sent = fetchOperationOf(options);
  if (!sent) return [];
  const { document, operation } = sent;
  if (!entitiesField(operation)) return fieldsOf(operation.selectionSet, fragmentsOf(document)).filter((f) => f.name.value !== '__typename').map((f) => [responseKey(f)]);
  const fetch = entityFetchOf(options, document, operation);
  if (!fetch) return [];
  let plannerOwn = false;
  const paths = fetch.representations.flatMap((representation, index) =>
    fetch.missing(representation?.__typename).flatMap((key) => {
      if (fetch.clientAsked.has(key)) return [['_entities', index, key]];
      plannerOwn = true;
      return [];
    }),
  );
  return plannerOwn && !fetch.plan ? [...paths, []] : paths;
}

/** What a fetch sent: the planner's document, when it exposes one; else the fetch's text, parsed (on failure paths only). */
function fetchOperationOf(options: GraphQLDataSourceProcessOptions<GatewayContext>): { document: DocumentNode; operation: OperationDefinitionNode } | undefined {
  const document = ('document' in options ? options.document : undefined) ?? (options.request.query ? parse(options.request.query) : undefined);
  const operation = document && operationOf(document);
  return document && operation ? { document, operation } : undefined;
}

function operationOf(document: DocumentNode): OperationDefinitionNode | undefined {
  return document.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
}

/** An entity fetch as its failures are placed: what it was sent, what the client asked where it lands, and what else goes missing with a field of it. */
interface EntityFetch {
  representations: ({ __typename?: unknown } | null | undefined)[];
  /** The response keys the client's own operation asks of these entities. */
  clientAsked: Set<string>;
  /** The request's plan; undefined when it is not known (the later fetches are not known then either). */
  plan: QueryPlan | undefined;
  /**
   * The response keys an entity of `typename` is left without when it lacks `failed` (all this
   * fetch asks of it, unless given): those, and the fields of later fetches that need them.
   */
  missing(typename: unknown, failed?: string[]): string[];
}

function entityFetchOf(options: GraphQLDataSourceProcessOptions<GatewayContext>, document: DocumentNode, operation: OperationDefinitionNode): EntityFetch | undefined {
  const entities = entitiesField(operation);
  const representations = options.request.variables?.representations;
  const clientAsked = clientKeysAt(options);
  if (!entities || !Array.isArray(representations) || !clientAsked) return undefined;
  const fragments = fragmentsOf(document);
  const incoming = 'incomingRequestContext' in options ? options : undefined;
  const plan = incoming && queryPlans.get(incoming.incomingRequestContext);
  const later = plan ? fetchesAt(plan, incoming.pathInIncomingRequest ?? []).filter((fetch) => fetch.operation !== options.request.query) : [];
  const whole = new Map<unknown, string[]>();
  return {
    representations,
    clientAsked,
    plan,
    missing(typename, failed) {
      if (failed) return missingWith(failed, later, typename);
      if (!whole.has(typename)) whole.set(typename, missingWith(entityKeys(entities, fragments, typename), later, typename));
      return whole.get(typename)!;
    },
  };
}

type SubgraphError = NonNullable<GatewayGraphQLResponse['errors']>[number];

/**
 * A subgraph that answers an entity fetch with errors on fields the client did not ask for,
 * fetched only for a later fetch's `@requires` (the entities subgraph unable to give a subject's
 * `kind`, which its `creditRecords` needs): the error moves to each field of the client's that needed one of
 * them, at its path, with its message and extensions, as when the subgraph gives no answer at all
 * (askedPaths). Such a field is left out of what the gateway merges, so a later fetch needing it
 * is skipped for that entity, as on an outage, and what it gives answers null with the error
 * rather than a value made without it (a subject's records read without its kind). A field the client asked for that answered null with its error keeps
 * that error, and the fields needing it get it too; an error beneath a field the client asked for
 * that answered is left as it is. An error naming the whole list, the subgraph answering no
 * entities, stands for each of them, as a failed fetch does. Without the plan, which alone tells
 * which later fetches need what, the errors are left as the subgraph gave them.
 */
function withErrorsAtAskedFields(options: GraphQLDataSourceProcessOptions<GatewayContext>, response: GatewayGraphQLResponse): GatewayGraphQLResponse {
  if (!response.errors?.some((error) => error.path?.[0] === '_entities')) return response;
  const sent = fetchOperationOf(options);
  const fetch = sent && entityFetchOf(options, sent.document, sent.operation);
  if (!fetch?.plan) return response;
  const received = (response.data as { _entities?: unknown } | null | undefined)?._entities;
  const entities = Array.isArray(received) ? (received as unknown[]) : undefined;
  const unanswered = response.errors.some((error) => error.path?.[0] === '_entities' && typeof error.path[1] !== 'number') && !entities;
  // Where each error goes: its own path when the client asked for that field, else those of the fields needing it.
  const moved = response.errors.map(isMoved);
  const targets = response.errors.map((error, i): (string | number)[][] | null => {
    if (!moved[i]) return null;
    const [, index, key] = error.path!;
    // The list named, none answered: each entity's fields missing, as when the fetch fails.
    if (typeof index !== 'number') return askedPaths(options);
    const asked = fetch.missing(fetch.representations[index]?.__typename, [key as string]).filter((k) => fetch.clientAsked.has(k));
    return asked.map((k) => (k === key ? (error.path as (string | number)[]) : ['_entities', index, k]));
  });
  // Left out of what the gateway merges: a later fetch needing such a field is skipped for that entity, as on an outage.
  for (const error of response.errors.filter((_, i) => moved[i])) {
    const [, index, key] = error.path!;
    if (typeof index === 'number') delete (entities![index] as Record<string, unknown>)[key as string];
  }
  // One error at each path: a field that has its own keeps it alone.
  const placed = new Set(response.errors.flatMap((error, i) => (targets[i] === null || targets[i]!.some((path) => path === error.path) ? [JSON.stringify(error.path ?? null)] : [])));
  const errors = response.errors.flatMap((error, i): SubgraphError[] => {
    const paths = targets[i];
    if (paths === null) return [error];
    // Nothing the client asked is missing: told without a path, as a failed fetch is (SubgraphDataSource.process).
    if (!paths.length) return [(({ path: _path, ...pathless }) => pathless)(error)];
    return paths.flatMap((path) => {
      if (path === error.path) return [error];
      const key = JSON.stringify(path);
      if (placed.has(key)) return [];
      placed.add(key);
      return [{ ...error, path }];
    });
  });
  return { ...response, ...(unanswered ? { data: null } : {}), errors };

  /** An error this placement moves: on the list of an answer without entities, or on a field of an answered entity the client did not ask for or that answered null. */
  function isMoved(error: SubgraphError): boolean {
    const [root, index, key] = error.path ?? [];
    if (root !== '_entities') return false;
    if (typeof index !== 'number') return !entities;
    const entity = entities?.[index];
    if (typeof key !== 'string' || entity === null || typeof entity !== 'object' || !(key in entity)) return false;
    return !fetch!.clientAsked.has(key) || (entity as Record<string, unknown>)[key] === null;
  }
}

/**
 * The response keys missing from an entity of `typename` when a fetch giving `keys` fails: those,
 * and what each later fetch for the same entities gives whose `@requires` names a missing key, as
 * the gateway does not send it for that entity (and so on, a skipped fetch's keys missing in turn).
 */
function missingWith(keys: string[], later: FetchNode[], typename: unknown): string[] {
  const missing = new Set(keys);
  const pending = [...later];
  for (let skipped = pending.findIndex(needsAnyOf); skipped >= 0; skipped = pending.findIndex(needsAnyOf)) {
    const [fetch] = pending.splice(skipped, 1);
    const document = fetch.operationDocumentNode ?? parse(fetch.operation);
    const operation = operationOf(document);
    const entities = operation && entitiesField(operation);
    if (entities) entityKeys(entities, fragmentsOf(document), typename).forEach((key) => missing.add(key));
  }
  return [...missing];

  function needsAnyOf(fetch: FetchNode): boolean {
    return requiredKeys(fetch.requires ?? [], typename).some((key) => missing.has(key));
  }
}

/** The top-level response keys a fetch's `requires` names for an entity of `typename`. */
function requiredKeys(selections: readonly RequiredSelection[], typename: unknown): string[] {
  return selections.flatMap((selection) =>
    selection.kind === 'Field' ? [selection.alias ?? selection.name] : !selection.typeCondition || selection.typeCondition === typename ? requiredKeys(selection.selections, typename) : [],
  );
}

/** The entity fetches of a plan that fill the entities at `path` of the answer (`@` for each element of a list). */
function fetchesAt(plan: QueryPlan, path: readonly (string | number)[]): FetchNode[] {
  const found: FetchNode[] = [];
  const visit = (node: PlanNode | undefined, at: readonly (string | number)[]): void => {
    if (!node) return;
    switch (node.kind) {
      case 'Sequence':
      case 'Parallel':
        return node.nodes.forEach((child) => visit(child, at));
      case 'Flatten':
        return visit(node.node, [...at, ...node.path]);
      case 'Condition':
        visit(node.ifClause, at);
        return visit(node.elseClause, at);
      case 'Fetch':
        if (node.requires && at.length === path.length && at.every((key, i) => key === path[i])) found.push(node);
        return;
    }
  };
  visit(plan.node, []);
  return found;
}

function entitiesField(operation: OperationDefinitionNode): FieldNode | undefined {
  return operation.selectionSet.selections.find((s): s is FieldNode => s.kind === Kind.FIELD && s.name.value === '_entities' && !!s.selectionSet);
}

/** What an entity fetch asks of an entity of `typename`, by response key. */
function entityKeys(entities: FieldNode, fragments: Map<string, FragmentDefinitionNode>, typename: unknown): string[] {
  return fieldsOf(entities.selectionSet!, fragments, typename)
    .filter((f) => f.name.value !== '__typename')
    .map(responseKey);
}

/** The response keys the client's own operation asks at the place in its answer this fetch fills; null when it cannot be told. */
function clientKeysAt(options: GraphQLDataSourceProcessOptions<GatewayContext>): Set<string> | null {
  if (!('incomingRequestContext' in options) || !options.pathInIncomingRequest) return null;
  const { operation, document } = options.incomingRequestContext;
  if (!operation) return null;
  const fragments = document ? fragmentsOf(document) : new Map<string, FragmentDefinitionNode>();
  let sets: SelectionSetNode[] = [operation.selectionSet];
  for (const key of options.pathInIncomingRequest) {
    if (typeof key === 'number' || key === '@') continue;
    sets = sets.flatMap((set) => fieldsOf(set, fragments).flatMap((field) => (responseKey(field) === key && field.selectionSet ? [field.selectionSet] : [])));
  }
  return new Set(sets.flatMap((set) => fieldsOf(set, fragments).map(responseKey)));
}

function fragmentsOf(document: DocumentNode): Map<string, FragmentDefinitionNode> {
  return new Map(document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((f) => [f.name.value, f]));
}

const responseKey = (field: FieldNode) => field.alias?.value ?? field.name.value;

/**
 * A selection's fields, through its fragments: of `typename`'s fragments only when it is given
 * (an entity fetch asks each type for its own fields), of any type otherwise (keys are only compared).
 */
function fieldsOf(selectionSet: SelectionSetNode, fragments: Map<string, FragmentDefinitionNode>, typename?: unknown): FieldNode[] {
  const applies = (condition: NamedTypeNode | undefined) => !condition || typename === undefined || condition.name.value === typename;
  return selectionSet.selections.flatMap((selection) => {
    if (selection.kind === Kind.FIELD) return [selection];
    if (selection.kind === Kind.INLINE_FRAGMENT) return applies(selection.typeCondition) ? fieldsOf(selection.selectionSet, fragments, typename) : [];
    const fragment = fragments.get(selection.name.value);
    return fragment && applies(fragment.typeCondition) ? fieldsOf(fragment.selectionSet, fragments, typename) : [];
  });
}

class NotGraphQLResponse extends Error {
  override name = 'NotGraphQLResponse';
}

function isMutation(query: string | undefined): boolean {
  // The query planner writes each fetch's operation with its keyword first.
  return /^\s*mutation\b/.test(query ?? '');
}

const isPlainObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The shape of a GraphQL response (GraphQL over HTTP): data an object or null, errors a list, at least one of them. */
function isGraphQLResponse(response: GatewayGraphQLResponse): boolean {
  const { data, errors, extensions } = response as Record<string, unknown>;
  if (data === undefined && errors === undefined) return false;
  if (data !== undefined && data !== null && !isPlainObject(data)) return false;
  if (errors !== undefined && !(Array.isArray(errors) && errors.every((e) => isPlainObject(e) && typeof e.message === 'string'))) return false;
  if (extensions !== undefined && !isPlainObject(extensions)) return false;
  const disclosures = isPlainObject(extensions) ? extensions.disclosures : undefined;
  return disclosures === undefined || (Array.isArray(disclosures) && disclosures.every((d) => isPlainObject(d) && (typeof d.subjectId === 'string' || d.subjectId === null) && Array.isArray(d.groups) && (d.consentId === undefined || typeof d.consentId === 'string')));
}

/** What a subgraph's address answered that is not GraphQL: the address (no user, password or query) and the status, or why it was no GraphQL response. */
function badResponseCause(url: string | undefined, error: unknown): string {
  const address = withoutCredentials(url ?? '');
  const { status } = (error as { extensions?: { response?: { status?: unknown } } }).extensions?.response ?? {};
  // Apollo's error of a status says it and its text alone ("404: Not Found").
  return status !== undefined ? `${address} answered ${(error as Error).message}` : `${address}: ${(error as Error)?.message ?? String(error)}`;
}

function describe(response: GatewayGraphQLResponse): string {
  const { http: _http, ...body } = response;
  return `expected { data, errors }, got ${JSON.stringify(body).slice(0, 200)}`;
}

/**
 * Whether a call that failed with `error` is sent once more by the data source: a read whose
 * connection was lost under way (a kept-alive connection the subgraph closed, a restart), unless it
 * has had its two `attempts` already (its first ran nothing and `send` sent it again, on a
 * connection then lost). One that provably ran nothing `send` has sent again already, a
 * mutation's included. Never a
 * mutation that may have run (its connection lost once sent, an answer not GraphQL), nor a call
 * that timed out: the subgraph is slow, not gone, and a second wait would double the client's.
 */
function sentAgainAfter(error: unknown, mutation: boolean, attempts: CallAttempts): boolean {
  return !mutation && !attempts.spent && faultOf(error) === SubgraphFault.UNREACHABLE && connectionFailure(error) === 'lostUnderWay';
}

const fetchOutcomes: Record<SubgraphFault, SubgraphFetchOutcome> = {
  [SubgraphFault.UNREACHABLE]: 'unreachable',
  [SubgraphFault.TIMEOUT]: 'timeout',
  [SubgraphFault.BAD_RESPONSE]: 'bad_response',
  [SubgraphFault.IDENTITY_REFUSED]: 'identity_refused',
};

/**
 * What a subgraph said refusing the call the gateway planned as GraphQL it cannot read (HTTP 400,
 * every error GRAPHQL_PARSE_FAILED or GRAPHQL_VALIDATION_FAILED, as Apollo Server answers them),
 * or undefined. The gateway validated the client's operation against the supergraph before
 * planning it, so such a refusal means the subgraph's schema is not the one the supergraph was
 * composed from: a subgraph of another release (a rolling upgrade with the gateway first). Its
 * other 400s (a value the client sent, refused by a scalar) stay the client's to read.
 */
function unreadCallOf(error: unknown): string | undefined {
  const response = (error as { extensions?: { response?: { body?: { errors?: unknown }; status?: unknown } } }).extensions?.response;
  const errors = response?.status === 400 ? response.body?.errors : undefined;
  if (!Array.isArray(errors) || !errors.length) return undefined;
  const unread = errors.every((e) => isPlainObject(e) && isPlainObject(e.extensions) && typeof e.extensions.code === 'string' && callNotUnderstoodCodes.has(e.extensions.code));
  return unread ? errors.map((e) => String((e as { message?: unknown }).message)).join('; ').slice(0, 500) : undefined;
}

function faultOf(error: unknown): SubgraphFault {
  if ((error as Error)?.name === 'TimeoutError') return SubgraphFault.TIMEOUT;
  // Only a subgraph's refusal of the identity is a 401 (subgraphs/shared/access.ts, accessFromRequest).
  if ((error as { extensions?: { response?: { status?: unknown } } }).extensions?.response?.status === 401) return SubgraphFault.IDENTITY_REFUSED;
  return connectionFailure(error) ? SubgraphFault.UNREACHABLE : SubgraphFault.BAD_RESPONSE;
}
