import type { CallOutcome } from '../lib/internal-client';
import type { RateLimitBudget } from './rate-limits';
import type { RevocationsRead } from './revocations';

/**
 * What the gateway reports about its own work to whoever watches it (metrics, logs): its calls
 * to subgraphs, its audit writes and the faults it masks. Optional everywhere, so that a gateway
 * built without one (tests) behaves the same.
 */
export interface GatewayObserver {
  /**
   * One call to a subgraph within a query plan (a read's retry included), for a printable
   * report's page (the reports subgraph's: `ok`, `unreachable` or `timeout`), or to a register
   * the gateway asks itself (the consent and subject registers, the provider registry, a refused
   * subject's code: lib/internal-client.ts, `cause` then naming the address for each failure but
   * `graphql_errors`, `bad_response` included, as nothing else logs it). `outcome`: `ok`;
   * `graphql_errors` (it answered, with errors in the body); and the five ways the fields it owns
   * become SUBGRAPH_UNAVAILABLE: `unreachable` (connection refused or lost), `timeout` (no answer
   * within SUBGRAPH_TIMEOUT_MS), `bad_response` (an answer that is not GraphQL), `identity_refused`
   * (401: it holds another GATEWAY_SIGNING_KEY, or its clock is far from the gateway's),
   * `schema_mismatch` (it refused the gateway's planned call as GraphQL it cannot parse or
   * validate: its schema is not the supergraph's, a subgraph of another release; `cause` what it
   * said; the client is told BAD_RESPONSE); and
   * `caller_gone`, a call stopped (or not made) because the client went away first, no outage;
   * `request_out_of_time`, a call not made because too little of the request's REQUEST_TIMEOUT_MS
   * was left (spent by the calls before it, each counted as it ended), no outage of this subgraph's.
   */
  subgraphFetch(subgraph: string, seconds: number, outcome: SubgraphFetchOutcome, cause?: string): void;
  /** One write of the audit writer's group commit: how many entries, how long, whether stored. */
  auditBatch(entries: number, seconds: number, stored: boolean): void;
  /** A request refused because the named budget is used up (RATE_LIMITED). */
  rateLimited(budget: RateLimitBudget): void;
  /**
   * Where rate-limit counters live from now on: `shared` in Redis, or `local` in this replica's
   * memory because Redis cannot be reached (`error` says why); budgets are then per replica.
   */
  rateLimitCounters(where: 'shared' | 'local', error?: unknown): void;
  /**
   * The identity provider's key set at `keySet` (AUTH_JWKS_URL) could not be read, for `cause`:
   * requests with a token are answered AUTHENTICATION_UNAVAILABLE, which tells the client neither.
   */
  keySetUnavailable(keySet: string, cause: unknown): void;
  /**
   * The revocation file (AUTH_REVOCATIONS_FILE) changed but could not be read or did not parse, for
   * `cause`: the list last read well stays in force until it is mended.
   */
  revocationsUnreadable(file: string, cause: unknown): void;
  /**
   * The audit log could not be written for the request `requestId`, for `cause`: its answer (or
   * printable report) is withheld, and so is every disclosing one until the audit subgraph stores again.
   */
  auditUnavailable(cause: unknown, requestId: string): void;
  /** An unexpected fault, masked as INTERNAL_SERVER_ERROR (or a withheld answer) for the client, met serving the request `requestId`. */
  fault(message: string, error: unknown, requestId?: string): void;
  /**
   * The revocation file (AUTH_REVOCATIONS_FILE) read well, at start and each time it changed:
   * its entries counted and its version (SHA-256), for a responder to confirm every replica took
   * a revocation in.
   */
  revocationsRead(file: string, read: RevocationsRead): void;
  /**
   * The revocation file looked at (at start, then at most every few seconds while requests come):
   * whether it is the list held (`readable`), or could not be read or did not parse since.
   */
  revocationsChecked(file: string, readable: boolean): void;
}

/** The outcomes of the gateway's own calls to a register (lib/internal-client.ts) are the same. */
export type SubgraphFetchOutcome = CallOutcome;
