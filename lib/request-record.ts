import { randomUUID } from 'node:crypto';
import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
// maskPersonalData is called, never read as the module loads: lib/logger.ts's imports lead back here (errors.ts).
import { maskPersonalData } from './logger';
import { digitRun } from './text';

/** Who asked, as far as logs may say: organisation and role, never the user, a token or a name. */
export interface CallerSummary {
  organisation: string;
  organisationKind: string;
  role: string;
}

/**
 * What one HTTP request did, filled in as it goes (the HTTP layer, then Apollo's plugin) and
 * written as one log line and into the metrics when the response ends.
 */
export interface RequestRecord {
  requestId: string;
  /** At the gateway: the `x-request-id` the client sent, when acceptable, logged beside the gateway's own `requestId`. */
  clientRequestId?: string;
  /** The GraphQL operation's name; null for an anonymous operation, undefined when none was resolved. */
  operationName?: string | null;
  operationType?: string;
  /** `extensions.code` of every error in the response, in order (duplicates kept). */
  errorCodes: string[];
  /**
   * `extensions.problem` of the errors that give one, in order: why a refusal was made, which the
   * code alone does not say (UNAUTHENTICATED for an expired token and for a replica with another
   * AUTH_JWT_SECRET alike). Always a name from the code, never the client's text.
   */
  problems?: string[];
  caller?: CallerSummary | null;
  /** At a subgraph: the platform's own call, which has no caller (lib/access/identity.ts RequestIdentity `platform`). */
  platformCall?: boolean;
  /** The client address a request without a token was refused for (its budget used up: gateway/client-address.ts), to find a flood by. */
  address?: string;
  /** Set once Apollo's request pipeline has seen the request (the context was built). */
  executed?: boolean;
}

// The record travels with the request explicitly, not in an AsyncLocalStorage: on Node 20 one
// store switches on V8's promise hooks for every promise the process makes, which cost the
// gateway ~15 % of its CPU per request (bench/results.md). Apollo hands plugins the request's
// context, so the record rides on that, under a symbol: Apollo copies the context for each
// operation (Object.assign, which copies symbol-keyed properties too), so an identity-keyed map
// would miss it. `formatError` gets only the error, so the errors a request met are marked with
// their record before Apollo formats them. The request itself carries it too, for the routes that
// answer it without Apollo (`recordRefusal`).
const recordKey = Symbol('requestRecord');
const recordsByError = new WeakMap<object, RequestRecord>();

/** Ties a request, or its Apollo context once built, to its record (lib/http-server.ts). */
export function attachRecord(requestOrContext: object, record: RequestRecord): void {
  Object.defineProperty(requestOrContext, recordKey, { value: record, enumerable: true });
}

function recordOf(requestOrContext: object): RequestRecord | undefined {
  return (requestOrContext as { [recordKey]?: RequestRecord })[recordKey];
}

/**
 * Who was refused, for a refusal made while the request's context was built (a rate limit): the
 * caller its token proved, or, without one, the client address counted. Apollo's pipeline, which
 * names the caller in the record, never sees such a request, and the refusal's answer must not
 * name it.
 */
export type RefusedRequester = { caller: CallerSummary } | { address: string };

const refusedRequesters = new WeakMap<object, RefusedRequester>();

/** Tells the request's record, once `refusal` ends its context (lib/http-server.ts), whom it refused. */
export function refusedRequester(refusal: object, requester: RefusedRequester): void {
  refusedRequesters.set(refusal, requester);
}

/** Names in the request's record whom `refusal` was made for (`refusedRequester`), if it was told, unless the record names someone already. */
export function recordRequester(record: RequestRecord, refusal: unknown): void {
  const refused: Partial<{ caller: CallerSummary; address: string }> = (typeof refusal === 'object' && refusal !== null && refusedRequesters.get(refusal)) || {};
  record.caller ??= refused.caller;
  record.address ??= refused.address;
}

/**
 * Notes a refusal a route answered itself (a printable view over its address's budget) in the
 * record of `req`, as a GraphQL request's is noted: its code, and whom it refused. Nothing outside
 * lib/http-server.ts, which gives each request its record.
 */
export function recordRefusal(req: object, refusal: { extensions?: Record<string, unknown> }): void {
  const record = recordOf(req);
  if (!record) return;
  recordErrors(record, [refusal]);
  recordRequester(record, refusal);
}

/** Marks an error as met while serving the request of `record`. */
export function markError(error: unknown, record: RequestRecord): void {
  if (typeof error === 'object' && error !== null) recordsByError.set(error, record);
}

/**
 * The id of the request an error was met in, for `formatError`: the error itself or the error it
 * wraps (Apollo wraps a context function's failure) was marked by `markError`.
 */
export function requestIdOfError(error: unknown): string | undefined {
  return recordOfError(error)?.requestId;
}

/** The type of the operation an error was met in (`query`, `mutation`), as `requestIdOfError` finds its request; undefined before one was resolved. */
export function operationTypeOfError(error: unknown): string | undefined {
  return recordOfError(error)?.operationType;
}

function recordOfError(error: unknown): RequestRecord | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const cause = (error as { originalError?: unknown }).originalError;
  return recordsByError.get(error) ?? (typeof cause === 'object' && cause !== null ? recordsByError.get(cause) : undefined);
}

// An incoming x-request-id is acceptable when it is printable ASCII of at most 64 characters:
// it is logged, and where it is trusted (a subgraph, called by the gateway) sent on to peers and
// stored in the audit log (request_id varchar(64)), so nothing longer, and no control or
// non-ASCII character. Nor one holding a citizen ID number or a mobile number, or a run of 15
// digits or more, which may be an ID number with more beside it (a client naming its request
// after the person it looks up), however written in groups (130304-19730413-0019,
// tel/138/1234/5678: lib/text.ts `numberSeparator`): the logs would mask it, so that support
// would look for an id no line holds, and the audit log and every subgraph would keep it whole.
const acceptableRequestId = /^[\x21-\x7e](?:[\x20-\x7e]{0,62}[\x21-\x7e])?$/;
const longDigitRun = digitRun(15);

/**
 * An incoming `x-request-id` when acceptable (see above), else undefined. At the gateway it is
 * the client's, logged beside the gateway's own id (`clientRequestId`), so that a front end's
 * support finds the request by the id it sent.
 */
export function clientRequestIdFrom(header: string | string[] | undefined): string | undefined {
  const value = (Array.isArray(header) ? header[0] : header)?.trim();
  return value && acceptableRequestId.test(value) && !longDigitRun.test(value) && maskPersonalData(value) === value ? value : undefined;
}

/**
 * A new request id: a UUID the logs write as it is, and that every service it is sent to takes as
 * it is (clientRequestIdFrom). About one in 180 holds a run of digits the logs take for a citizen
 * ID or mobile number (70fd0597-2769-4225-…, logged 70fd0597*******5925c-…), and about one in 256
 * more a run of 15 digits across its hyphens that the logs leave but a subgraph refuses
 * (38935519-3111-4012-…): either way its request's lines would carry another id than the one
 * answered and audited (the subgraphs drew their own), so another is drawn instead. `draw`: where
 * UUIDs come from (a test's own).
 */
export function newRequestId(draw: () => string = randomUUID): string {
  for (;;) {
    const id = draw();
    if (clientRequestIdFrom(id) === id) return id;
  }
}

/**
 * The request id of an incoming request to a service the gateway calls: the gateway's
 * `x-request-id`, or a new one. The gateway itself trusts no client's (`ServeOptions.ownRequestIds`).
 */
export function requestIdFrom(header: string | string[] | undefined): string {
  return clientRequestIdFrom(header) ?? newRequestId();
}

/** Notes the errors answered in the request's record: each one's code, and its problem when it gives one. */
export function recordErrors(record: RequestRecord, errors: readonly { extensions?: Record<string, unknown> }[]): void {
  for (const { extensions } of errors) {
    record.errorCodes.push(typeof extensions?.code === 'string' ? extensions.code : 'UNKNOWN');
    if (typeof extensions?.problem === 'string') (record.problems ??= []).push(extensions.problem);
  }
}

/**
 * Fills the request's record from Apollo's pipeline: the operation's name and type once
 * resolved, the caller (as `describeCaller` tells it from the context) or that it is the
 * platform's own call (`isPlatformCall`), and the codes of the errors sent, after formatting, so
 * masked internal errors count as INTERNAL_SERVER_ERROR. The errors the pipeline met are marked
 * with the record before `formatError` sees them.
 */
export function recordOperations<TContext extends BaseContext>(describeCaller: (context: TContext) => CallerSummary | null, isPlatformCall: (context: TContext) => boolean): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart({ contextValue }) {
      const record = recordOf(contextValue);
      if (!record) return;
      record.executed = true;
      record.caller = describeCaller(contextValue);
      if (isPlatformCall(contextValue)) record.platformCall = true;
      return {
        async didResolveOperation({ operationName, operation }) {
          record.operationName = operationName ?? null;
          record.operationType = operation?.operation;
        },
        async didEncounterErrors({ errors }) {
          for (const error of errors) markError(error, record);
        },
        async willSendResponse({ response }) {
          recordErrors(record, (response.body.kind === 'single' ? response.body.singleResult.errors : response.body.initialResult.errors) ?? []);
        },
      };
    },
  };
}
