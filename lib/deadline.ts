import type { GraphQLError } from 'graphql';
import { readWholeNumber, type WholeNumberRange } from './env';
import { serviceUnavailable, SubgraphFault } from './errors';

/**
 * A request's deadline, as gRPC propagates one: every call between the platform's processes says
 * how long its caller waits for it (this header, whole milliseconds from when the call was sent;
 * relative, so that no two clocks need agree), and the callee keeps within it. The gateway gives
 * each subgraph call its `SUBGRAPH_TIMEOUT_MS`, or what is left of the request's own
 * `REQUEST_TIMEOUT_MS` when that is less; a subgraph's own calls to peers take at most the
 * time it has left, less what it needs afterwards; and a subgraph stores nothing once too little
 * is left to answer before its caller gives up, or once its caller has gone (the connection
 * closed before the answer: the caller gave up). The budget is counted from the request's arrival
 * (at the gateway, from when its body had been read: a client's slow upload is bounded apart,
 * lib/http-server.ts, and spends none of it; at a subgraph, from its headers, as its caller's
 * clock for the call started when it sent it), which a stalled process (a pause of the
 * collector, a stopped process, a queue of large bodies) meets late: the caller's giving up is
 * what tells it that, as the caller closes the connection when it stops waiting. So a mutation the gateway answered as failed (timed out) is not stored
 * afterwards: by then the subgraph has given up on its peer, or refused to commit. One that was
 * committing at that very moment (its COMMIT sent, the caller's time running out meanwhile) is
 * the one case left: it is stored, and the caller was told it timed out.
 *
 * Carried explicitly (the request's access, the repositories), not in an AsyncLocalStorage,
 * for the reason lib/request-record.ts gives.
 */
export const timeoutHeader = 'x-request-timeout-ms';

/** The longest budget a header may name: the gateway's longest `SUBGRAPH_TIMEOUT_MS`. */
const longestBudgetMs = 600_000;

/**
 * The least time the gateway's settings give a request's calls (`REQUEST_TIMEOUT_MS`,
 * `SUBGRAPH_TIMEOUT_MS`: readTimeout), and so the least a request is run with when a stop
 * leaves it less (lib/http-server.ts).
 */
export const shortestTimeoutMs = 100;

/** How long one call to a subgraph may take, answer body included, unless configured (`SUBGRAPH_TIMEOUT_MS`); and all of a request's calls together (`REQUEST_TIMEOUT_MS`). */
export const defaultSubgraphTimeoutMs = 10_000;

/**
 * `SUBGRAPH_TIMEOUT_MS`, `REQUEST_TIMEOUT_MS`: whole milliseconds, at least 100 and at most 10
 * minutes; 10 s each unless set, as Apollo Router's subgraph and router timeouts default alike.
 * The floor is no subgraph's answer time but a unit's mistake: SUBGRAPH_TIMEOUT_MS=10 (seconds
 * meant) failed every call, the gateway ready all the while. Read by the gateway, and
 * SUBGRAPH_TIMEOUT_MS by the subgraphs too, whose stop waits as long as a call to them may take
 * (lib/shutdown.ts subgraphStopGracePeriodMs).
 */
const timeoutRange: WholeNumberRange = { unit: 'milliseconds', min: shortestTimeoutMs, max: longestBudgetMs };

export function readTimeout(env: NodeJS.ProcessEnv, name: 'SUBGRAPH_TIMEOUT_MS' | 'REQUEST_TIMEOUT_MS'): number {
  return readWholeNumber(env, name, defaultSubgraphTimeoutMs, timeoutRange);
}

export class RequestDeadline {
  /** When the caller stops waiting, in this process's clock (ms since the epoch). */
  readonly at: number;
  /** The peer call that took longest, to name when the time ran out after it. */
  private slowest: { service: string; ms: number } | null = null;

  /**
   * `service` is this process (the subgraph the caller waits on), named when its own work ran out
   * of time. `callerGone`: aborted when the caller closed the connection before it was answered;
   * the calls to peers made for the request stop with it (lib/platform-http.ts `send`), so that a
   * peer still working on one sees its own caller gone too, and stores nothing it had not committed.
   */
  constructor(
    readonly budgetMs: number,
    readonly service: string,
    startedAt: number = Date.now(),
    readonly callerGone?: AbortSignal,
    /**
     * Why the budget is less than the caller's own time for the request, when something else cut
     * it short (the gateway's stop, whose grace period leaves a late upload less than its
     * REQUEST_TIMEOUT_MS): told with each timeout it bounds (PeerTimeout), which would otherwise
     * read as any request out of time.
     */
    readonly cutShortBecause?: string,
  ) {
    this.at = startedAt + budgetMs;
  }

  /**
   * The deadline a request's header gives, measured from `receivedAt` (when its headers had
   * arrived, before its body: lib/http-server.ts); none without a well-formed header (tests, direct calls).
   */
  static fromHeaders(headers: Record<string, string | string[] | undefined>, service: string, receivedAt: number = Date.now(), callerGone?: AbortSignal, cutShortBecause?: string): RequestDeadline | undefined {
    const raw = headers[timeoutHeader];
    if (typeof raw !== 'string' || !/^\d{1,7}$/.test(raw)) return undefined;
    const budgetMs = Number(raw);
    return budgetMs >= 1 && budgetMs <= longestBudgetMs ? new RequestDeadline(budgetMs, service, receivedAt, callerGone, cutShortBecause) : undefined;
  }

  /** Whether the caller has stopped waiting: it closed the connection before it was answered. */
  get callerHasGone(): boolean {
    return this.callerGone?.aborted === true;
  }

  left(now: number = Date.now()): number {
    return this.at - now;
  }

  /**
   * What must still be left when the last change commits: the answer's way back to the caller (the
   * response written and read, the hop's latency, a pause of the collector). A tenth of the budget,
   * at most 250 ms.
   */
  get answerAllowanceMs(): number {
    return Math.min(250, this.budgetMs / 10);
  }

  /** What a peer call leaves after it: the commit of what it decided, then the answer. */
  get afterPeerAllowanceMs(): number {
    return 2 * this.answerAllowanceMs;
  }

  /** The time a call to a peer may take: `timeoutMs` at most, and no more than leaves `afterPeerAllowanceMs`; 0 or less: none left. */
  peerTimeout(timeoutMs: number, now: number = Date.now()): number {
    if (this.callerHasGone) return 0;
    return Math.min(timeoutMs, Math.floor(this.left(now) - this.afterPeerAllowanceMs));
  }

  /** Notes how long a call to `service` took. */
  peerAnswered(service: string, ms: number): void {
    if (!this.slowest || ms > this.slowest.ms) this.slowest = { service, ms: Math.round(ms) };
  }

  /**
   * Before a change commits: SUBGRAPH_UNAVAILABLE (reason TIMEOUT) when too little time is left to
   * answer, naming the peer that took longest, or this subgraph when none took half the budget.
   */
  assertTimeToCommit(now: number = Date.now()): void {
    const left = this.left(now);
    if (left >= this.answerAllowanceMs && !this.callerHasGone) return;
    throw this.ranOut(left);
  }

  /**
   * assertTimeToCommit, once the event loop has read what its connections hold: a caller that
   * gave up while this process was stalled (stopped, paused) has its closing already waiting when
   * the process takes up the request, and it is read in the loop's next round, after the one that
   * read the request; a write sent before (a single INSERT right after the request was parsed)
   * would not have heard it. Two turns of the loop: the rest of this one, and the next.
   */
  async assertCallerWaits(): Promise<void> {
    for (let turn = 0; turn < 2; turn++) await new Promise<void>((resolve) => setImmediate(resolve));
    this.assertTimeToCommit();
  }

  private ranOut(left: number): GraphQLError {
    const peer = this.slowest && this.slowest.ms >= this.budgetMs / 2 ? this.slowest : null;
    // Gone early: this process met the request late (it was stalled), and its caller's time ran out meanwhile.
    const why = peer
      ? `the ${peer.service} subgraph took ${peer.ms} ms of the ${this.budgetMs} ms the request had`
      : left >= this.answerAllowanceMs
        ? `the caller stopped waiting for the ${this.service} subgraph (its ${this.budgetMs} ms ran out before the subgraph could take up the request)`
        : `the ${this.service} subgraph used ${Math.round(this.budgetMs - left)} ms of the ${this.budgetMs} ms the request had`;
    const error = serviceUnavailable(peer?.service ?? this.service, `${why}, too little to store the change in time, so nothing was stored: retry later`);
    error.extensions.reason = SubgraphFault.TIMEOUT;
    return error;
  }
}

/**
 * A call to a peer that got no answer within its time: the time the request had left, or the
 * call's own timeout. `made` is false when too little was left to make it at all. A call stopped,
 * or not made, because the request's caller went away is one too (`callerGone`): its time ran out
 * as the deadline counts it (assertTimeToCommit), though not by the clock.
 */
export class PeerTimeout extends Error {
  /** The PeerTimeout `error` is, or was caused by, if any. */
  static in(error: unknown): PeerTimeout | undefined {
    for (let at = error; at instanceof Error; at = at.cause) if (at instanceof PeerTimeout) return at;
    return undefined;
  }

  /** Whether `error`, or an error it was caused by, is a call stopped (or not made) because the request's caller went away. */
  static forGoneCaller(error: unknown): boolean {
    return PeerTimeout.in(error)?.callerGone === true;
  }

  /** Whether `error`, or an error it was caused by, is a call never made: too little of the request's own time was left to make it. */
  static notMade(error: unknown): boolean {
    return PeerTimeout.in(error)?.made === false;
  }


  /** As the abort signal's own error is named: callers that tell a timeout by its name (the gateway's) keep doing so. */
  override name = 'TimeoutError';

  constructor(
    readonly service: string,
    readonly timeoutMs: number,
    readonly made: boolean,
    byDeadline: boolean,
    /** The call was stopped because the request's own caller went away (RequestDeadline.callerGone), not for want of time. */
    readonly callerGone = false,
    /** Why the request's time was cut short (RequestDeadline.cutShortBecause), said where that time bounded the call. */
    cutShortBecause?: string,
  ) {
    const cutShort = cutShortBecause ? `, cut short because ${cutShortBecause}` : '';
    super(
      callerGone
        ? `the caller stopped waiting before the ${service} subgraph answered`
        : made
          ? `the ${service} subgraph did not answer within ${timeoutMs} ms${byDeadline ? `, the time the request had left${cutShort}` : ''}`
          : `too little of the request's time${cutShort ? `${cutShort},` : ''} was left to ask the ${service} subgraph`,
    );
  }
}
