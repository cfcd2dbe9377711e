import { GraphQLError } from 'graphql';
import { identityHeader, signerFor } from './access/identity';
import { PeerTimeout, type RequestDeadline } from './deadline';
import { withoutCredentials } from './env';
import { answeredAsGraphQL, send } from './platform-http';
import { callNotUnderstoodCodes, ErrorCode, outageRetryAfterSeconds, serviceUnavailable, SubgraphFault } from './errors';
import { newRequestId } from './request-record';

/**
 * How one call to a subgraph ended, as the gateway counts its calls (gateway/observer.ts,
 * SubgraphFetchOutcome): `ok`; `graphql_errors` (it answered with typed errors: a refusal, or an
 * outage of its own it logs itself); `unreachable`, `timeout`, `bad_response`, `identity_refused`
 * (see SubgraphFault); `schema_mismatch` (it could not parse or validate the call: another
 * release); `caller_gone` (stopped because the request's client went away: no outage);
 * `request_out_of_time` (not made, too little of the request's own time being left: its budget
 * spent, no outage of the subgraph's, whose calls that took the time are counted as they ended).
 */
export type CallOutcome = 'ok' | 'graphql_errors' | 'unreachable' | 'timeout' | 'bad_response' | 'identity_refused' | 'schema_mismatch' | 'caller_gone' | 'request_out_of_time';

/**
 * Told of each call an InternalClient makes, when it ends: how (`outcome`), how long it took, and
 * for a failed one what went wrong, with the address called (without credentials), for the
 * operator's log.
 */
export type CallReport = (outcome: CallOutcome, seconds: number, cause?: string) => void;

/** How long a platform-internal call may take unless its maker says otherwise: an audit append, a consent's re-check. */
export const internalCallTimeoutMs = 5_000;

/**
 * Platform-internal calls to a subgraph, signed with the gateway key as no caller and as the
 * platform's own (RequestIdentity `platform`, which the callee's /metrics count by name), with only the
 * grants the call needs: the gateway writing the audit log or checking a consent (grants the
 * catalogue never gives a caller), the records subgraph checking that subjects exist.
 */
export class InternalClient {
  /**
   * `service` names the subgraph called, in errors and in a request deadline's account of its
   * time; `report`, when given, is told how each call ended (the gateway's register calls: its
   * observer counts them and logs an outage once per window, as for its planned fetches).
   */
  constructor(
    private readonly signingKey: Uint8Array,
    private readonly timeoutMs = internalCallTimeoutMs,
    private readonly service?: string,
    private readonly report?: CallReport,
  ) {}

  /**
   * `deadline`: the request this call is made for, whose time left bounds the call's (lib/deadline.ts).
   * A call that provably ran nothing is sent once more, as every platform call is (lib/platform-http.ts
   * `send`): an audit append or a consent check does not fail for a replica being replaced.
   */
  async call<T>(url: string, query: string, variables: Record<string, unknown>, grants: string[], requestId: string = newRequestId(), deadline?: RequestDeadline): Promise<T> {
    if (!this.report) return this.callOnce<T>(url, query, variables, grants, requestId, deadline);
    const started = performance.now();
    const took = () => (performance.now() - started) / 1000;
    try {
      const data = await this.callOnce<T>(url, query, variables, grants, requestId, deadline);
      this.report('ok', took());
      return data;
    } catch (error) {
      const outcome = callOutcome(error);
      // The callee's own errors are its answer, logged (an outage of its own) where it met them.
      this.report(outcome, took(), outcome === 'graphql_errors' || outcome === 'caller_gone' ? undefined : failedCallCause(url, error));
      throw error;
    }
  }

  private async callOnce<T>(url: string, query: string, variables: Record<string, unknown>, grants: string[], requestId: string, deadline?: RequestDeadline): Promise<T> {
    const response = await send(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [identityHeader]: await signerFor(this.signingKey).sign({ caller: null, purpose: null, grants, scope: {}, platform: true }), 'x-request-id': requestId },
      body: JSON.stringify({ query, variables }),
      timeoutMs: this.timeoutMs,
      deadline,
      service: this.service,
    });
    // Named without the credentials an address may carry (a proxy's user and password, a query's
    // token): the message is logged.
    const shown = withoutCredentials(url);
    let body: { data?: T; errors?: PeerError[] } | null = null;
    try {
      // Read only from a status a GraphQL server answers with: the JSON of a 404 (an address that
      // names no endpoint) is no refusal of the call, and its ROUTE_NOT_FOUND none of the callee's.
      if (answeredAsGraphQL(response.status)) body = JSON.parse(response.text);
    } catch {
      // Not JSON: no GraphQL response either.
    }
    if (!body) throw new InternalCallFailed(`${shown} answered ${response.status} with no GraphQL response: ${response.text.slice(0, 200)}`, response.status);
    if (response.status !== 200 || body.errors?.length || !body.data) {
      const message = `${shown} answered ${response.status}: ${body.errors?.length ? eachMessageOnce(body.errors) : 'no data'}`;
      const codes = body.errors?.map((e) => e.extensions?.code).filter((code): code is string => typeof code === 'string') ?? [];
      // A call the peer could not parse or validate (two versions out of step) is the platform's
      // fault, no refusal of what was sent: failed, as a response that is no GraphQL one.
      const understood = codes.some((code) => !callNotUnderstoodCodes.has(code));
      throw understood ? new InternalCallRefused(message, codes, response.status, body.errors) : new InternalCallFailed(message, response.status, codes.length > 0);
    }
    return body.data;
  }
}

/**
 * A peer's error messages, each distinct one once, with how many errors said it when more than
 * one did: one outage under a lookup of 1,000 subjects answers 1,000 errors alike, which the
 * message (logged, and an import's stop told on its terminal) said 1,000 times, some 70 KB.
 */
function eachMessageOnce(errors: readonly PeerError[]): string {
  const counts = new Map<string, number>();
  for (const { message } of errors) counts.set(message, (counts.get(message) ?? 0) + 1);
  return [...counts].map(([message, count]) => (count > 1 ? `${message} (${count} errors said so)` : message)).join('; ');
}

/** A subgraph reached that answered, but not with data: `status` its HTTP status. */
export class InternalCallFailed extends Error {
  constructor(
    message: string,
    readonly status: number,
    /** It answered that it could not parse or validate the call (callNotUnderstoodCodes): of another release. */
    readonly notUnderstood = false,
  ) {
    super(message);
  }
}

/**
 * A subgraph reached that answered the call with typed errors: it refused what was sent, or met an
 * outage of its own (`passedOnOutage`); it is not down. `errors`: its errors, as it answered them.
 */
export class InternalCallRefused extends InternalCallFailed {
  constructor(
    message: string,
    readonly codes: string[],
    status: number,
    readonly errors: readonly PeerError[] = [],
  ) {
    super(message, status);
  }
}

/** One error of a peer's GraphQL answer. */
export interface PeerError {
  message: string;
  extensions?: { code?: unknown; serviceName?: unknown; retryAfterSeconds?: unknown; [detail: string]: unknown };
}

/**
 * A peer's own outage (its database gone or too slow; a subgraph it asked in turn that could not
 * answer): what needed the peer's answer was not done, and a later retry may succeed.
 */
const outageCodes = new Set<unknown>([ErrorCode.DATABASE_UNAVAILABLE, ErrorCode.SUBGRAPH_UNAVAILABLE]);

/**
 * The first of a peer's errors that is an outage of its own, passed on as the peer said it (its
 * message, code, reason and details), naming the subgraph that failed (`serviceName`: the peer, or
 * the one the peer named), so that the client waits on the right one and nobody looks for a fault
 * in the subgraph that asked. Undefined when none is. The gateway keeps that name (lib/errors.ts,
 * withUnavailablePeerNamed).
 */
export function passedOnOutage(peer: string, errors: readonly PeerError[]): GraphQLError | undefined {
  const outage = errors.find((e) => outageCodes.has(e.extensions?.code));
  if (!outage) return undefined;
  const { code, serviceName, retryAfterSeconds, ...details } = outage.extensions ?? {};
  return new GraphQLError(outage.message, {
    extensions: { code, ...details, serviceName: typeof serviceName === 'string' ? serviceName : peer, retryAfterSeconds: typeof retryAfterSeconds === 'number' ? retryAfterSeconds : outageRetryAfterSeconds },
  });
}

/** Why an internal call failed, as `SubgraphFault` names it for the gateway's own calls to a subgraph. */
function faultOf(error: unknown): SubgraphFault {
  if (error instanceof PeerTimeout) return SubgraphFault.TIMEOUT;
  // A 401 is the platform's signed identity refused (keys or clocks apart), whatever the body says.
  if (error instanceof InternalCallFailed && error.status === 401) return SubgraphFault.IDENTITY_REFUSED;
  if (error instanceof InternalCallFailed) return SubgraphFault.BAD_RESPONSE;
  // Connection refused or lost, the peer stopping, or no address to call it at.
  return SubgraphFault.UNREACHABLE;
}

/** How a call that threw `error` ended, as the gateway counts it (CallOutcome). */
export function callOutcome(error: unknown): CallOutcome {
  if (PeerTimeout.forGoneCaller(error)) return 'caller_gone';
  if (PeerTimeout.notMade(error)) return 'request_out_of_time';
  if (error instanceof InternalCallRefused && error.status !== 401) return 'graphql_errors';
  if (error instanceof InternalCallFailed && error.notUnderstood && error.status !== 401) return 'schema_mismatch';
  return faultOutcomes[faultOf(error)];
}

const faultOutcomes: Record<SubgraphFault, CallOutcome> = {
  [SubgraphFault.UNREACHABLE]: 'unreachable',
  [SubgraphFault.TIMEOUT]: 'timeout',
  [SubgraphFault.BAD_RESPONSE]: 'bad_response',
  [SubgraphFault.IDENTITY_REFUSED]: 'identity_refused',
};

/**
 * What the operator is told of a call to `url` that failed with `error`: the address (without the
 * credentials it may carry) and what went wrong, with the system's code where its message lacks it
 * (ECONNREFUSED, ENOTFOUND, UND_ERR_SOCKET). A failed answer's message names the address already.
 */
export function failedCallCause(url: string, error: unknown): string {
  const message = (error as Error | undefined)?.message || String(error);
  if (error instanceof InternalCallFailed) return message;
  const code = (error as { code?: unknown } | undefined)?.code;
  return `${withoutCredentials(url)}: ${message}${typeof code === 'string' && !message.includes(code) ? ` (${code})` : ''}`;
}

/**
 * What the client is told of an internal call to `peer`, made for its request, that failed with
 * `error` (`InternalClient.call`'s, or any other the call met): the peer's own outage as the peer
 * said it (`passedOnOutage`); a peer's other typed errors (its unexpected fault, a refusal of a
 * call it should never have been sent) as they are, this platform's fault, logged and masked as
 * INTERNAL_SERVER_ERROR; otherwise SUBGRAPH_UNAVAILABLE naming the peer, with the `reason` the
 * gateway gives for a subgraph of its own, always, and `message`, which says what that meant for
 * the request, after how long the peer was waited for when it was too slow. `cause`: what the
 * operator's log line is to show (the call's address and what went wrong; default `error`).
 */
export function peerCallFailure(peer: string, error: unknown, message: string, cause: unknown = error): Error {
  if (error instanceof InternalCallRefused && error.status !== 401) return passedOnOutage(peer, error.errors) ?? error;
  return peerUnavailable(peer, faultOf(error), error instanceof PeerTimeout ? `${error.message}; ${message}` : message, cause);
}

/** SUBGRAPH_UNAVAILABLE naming `peer`, `reason` saying why, as the gateway says it of a subgraph it could not ask; `cause` for the log. */
export function peerUnavailable(peer: string, reason: SubgraphFault, message: string, cause: unknown): GraphQLError {
  return serviceUnavailable(peer, message, { cause, reason });
}
