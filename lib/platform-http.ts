import { STATUS_CODES } from 'node:http';
import type { Fetcher, FetcherHeaders, FetcherRequestInit, FetcherResponse } from '@apollo/utils.fetcher';
import { Agent, request, type Dispatcher } from 'undici';
import { PeerTimeout, RequestDeadline, timeoutHeader } from './deadline';
import { ErrorCode } from './errors';

/**
 * HTTP between the platform's own processes (gateway → subgraph, subgraph → subgraph): undici's
 * request API over one keep-alive pool per origin. It skips the WHATWG Request, Response and
 * stream objects that Node's fetch builds for every call, and the cache and proxy layers of
 * Apollo's default fetcher (make-fetch-happen); bench/results.md has what that bought. The
 * signal bounds the whole call, reading the body included.
 */
const pool = new Agent({ keepAliveTimeout: 30_000, connections: 256 });

export interface PlatformResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

export interface SendOptions extends FetcherRequestInit {
  /** The longest the call may take, answer included. */
  timeoutMs: number;
  /** The deadline of the request this call is made for (lib/deadline.ts): the call takes no more than it leaves. */
  deadline?: RequestDeadline;
  /**
   * Stops the call when the client it is made for has gone, for a call made with no deadline (the
   * gateway's printable-report route); with one, its own `callerGone` does.
   */
  callerGone?: AbortSignal;
  /** The subgraph called, as errors and the deadline name it (default: the URL's host). */
  service?: string;
  /**
   * The call's attempts, shared with a caller that may itself send it again (the gateway's data
   * source, a read whose connection was lost under way): so counted, every attempt made for it,
   * send's own included, stays within `CallAttempts.most`.
   */
  attempts?: CallAttempts;
}

/**
 * The attempts made for one call, by every layer that may send it again: never more than `most`
 * in all, however those layers nest, so that a call is not sent three or four times (send's
 * attempt again inside the data source's).
 */
export class CallAttempts {
  static readonly most = 2;
  made = 0;
  /** How the last attempt made failed: the call's failure when no time is left for another (`attempt`). */
  failed: unknown;

  get spent(): boolean {
    return this.made >= CallAttempts.most;
  }
}

/**
 * One call. The callee is told how long it has (`x-request-timeout-ms`, lib/deadline.ts), which is
 * `timeoutMs`, or less when the request it is made for has less left; with too little left it is
 * not made. Running out of time throws PeerTimeout (named `TimeoutError`, as the signal's own error).
 *
 * A call that provably ran nothing (its connection refused, or a peer that is stopping refused it
 * unread: `connectionFailure`, 'unsent') is sent once more, a mutation's included: in a rolling
 * restart that reaches a replica still serving (through a balancer), so that no caller fails for a
 * replica being replaced. Once only, within what the request's deadline leaves (none left, the call
 * fails as the first attempt did); never a call whose connection was lost once it was sent, nor one
 * that timed out: the peer may have run it (an audit append stored twice), or be slow rather than
 * gone, and a second wait would double its caller's.
 */
export async function send(url: string, init: SendOptions): Promise<PlatformResponse> {
  const started = Date.now();
  const attempts = init.attempts ?? new CallAttempts();
  try {
    for (;;) {
      try {
        return await attempt(url, init, attempts);
      } catch (error) {
        if (attempts.spent || connectionFailure(error) !== 'unsent') throw error;
      }
    }
  } finally {
    init.deadline?.peerAnswered(serviceOf(url, init), Date.now() - started);
  }
}

// Named only when it is told (an error, a deadline's account): the gateway's every fetch passes here.
const serviceOf = (url: string, init: SendOptions) => init.service ?? new URL(url).host;

/**
 * One attempt at a call. Any after the first goes on a connection of its own, opened for it and
 * closed after it, not on one the pool kept: it must not land on another kept-alive connection to
 * the instance that is stopping (behind a balancer, each connection is tied to one replica), but on
 * a new one, which reaches one still serving.
 */
async function attempt(url: string, init: SendOptions, attempts: CallAttempts): Promise<PlatformResponse> {
  const service = () => serviceOf(url, init);
  const timeoutMs = init.deadline ? init.deadline.peerTimeout(init.timeoutMs) : init.timeoutMs;
  const callerGone = init.deadline?.callerGone ?? init.callerGone;
  const again = attempts.made > 0;
  attempts.made++;
  if (timeoutMs <= 0) {
    // Another attempt that the last one left no time for is not made, and the call fails as that
    // one did (the peer stopping, unreachable, its connection lost): its caller and the log are
    // told the cause met, not a timeout of a call never sent, nor an unknown outcome for a
    // mutation that provably ran nothing. A caller gone meanwhile is told as one.
    if (again && !callerGone?.aborted) throw attempts.failed;
    throw new PeerTimeout(service(), 0, false, true, callerGone?.aborted, init.deadline?.cutShortBecause);
  }
  const { signal, done } = callSignal(timeoutMs, callerGone);
  const dispatcher = again ? new Agent({ connections: 1 }) : pool;
  try {
    const response = await request(url, {
      method: (init.method ?? 'GET') as Dispatcher.HttpMethod,
      headers: { ...init.headers, [timeoutHeader]: String(timeoutMs) },
      body: init.body,
      signal,
      dispatcher,
    });
    const text = await response.body.text();
    if (response.statusCode === 503 && refusedWhileStopping(text)) throw new PeerShuttingDown(service());
    return { status: response.statusCode, headers: response.headers, text };
  } catch (error) {
    attempts.failed = signal.aborted ? new PeerTimeout(service(), timeoutMs, true, timeoutMs < init.timeoutMs, callerGone?.aborted, init.deadline?.cutShortBecause) : error;
    throw attempts.failed;
  } finally {
    done();
    // The answer is read (or the call failed): nothing more goes on its own connection.
    if (dispatcher !== pool) void dispatcher.destroy();
  }
}

/**
 * The signal that stops one call: when `timeoutMs` is up, or when the request's caller goes (its
 * connection to the callee is then closed, and the callee, seeing its own caller gone, stores
 * nothing it had not committed: lib/deadline.ts). `done` ends it with the call. Not
 * `AbortSignal.timeout`, whose timer outlives the call: it fired for every call made, seconds
 * after its answer, building an error and dispatching an abort nobody waited for (1.3 % of the
 * gateway's CPU under load, bench/results.md).
 */
export function callSignal(timeoutMs: number, callerGone?: AbortSignal): { signal: AbortSignal; done: () => void } {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new DOMException(`The call took more than ${timeoutMs} ms`, 'TimeoutError')), timeoutMs);
  const gone = () => controller.abort(callerGone?.reason);
  if (callerGone?.aborted) gone();
  else callerGone?.addEventListener('abort', gone, { once: true });
  return {
    signal: controller.signal,
    done: () => {
      clearTimeout(timer);
      callerGone?.removeEventListener('abort', gone);
    },
  };
}

/**
 * The callee is stopping (SIGTERM) and refused the call on a connection it had kept alive, before
 * running any of it (503 SHUTTING_DOWN, lib/http-server.ts): for the caller, as if the connection
 * had been refused, which is what the next call meets. Its `code` is matched as a connection
 * error's is (the gateway's data source, SubgraphFault.UNREACHABLE).
 */
export class PeerShuttingDown extends Error {
  readonly code = 'PEER_SHUTTING_DOWN';

  constructor(readonly service: string) {
    super(`${service} is shutting down and ran nothing of this call`);
    this.name = 'PeerShuttingDown';
  }
}

/**
 * Connection errors carry the socket's code, on the error itself or on its `cause`. Those of a
 * call that reached no subgraph: no connection was made (refused, no route, no such host or a
 * name server not answering for now, none in time), or a subgraph that is stopping refused it
 * unrun (PeerShuttingDown): nothing of it ran, a mutation's included.
 */
const unsentCodes = /PEER_SHUTTING_DOWN|ECONNREFUSED|EHOSTUNREACH|ENETUNREACH|ENOTFOUND|EAI_AGAIN|UND_ERR_CONNECT_TIMEOUT/;

/**
 * Those of a connection lost with the call under way (reset, closed by the other side, a broken
 * pipe, a socket timing out): the subgraph may have read the call and run it. ETIMEDOUT and
 * UND_ERR_CLOSED are here as well, as either can come after the call was written.
 */
const lostUnderWayCodes = /ECONNRESET|EPIPE|ETIMEDOUT|UND_ERR_SOCKET|UND_ERR_CLOSED/;

/** How a call's connection failed, if it did: before anything of it reached the subgraph, or with it under way. */
export function connectionFailure(error: unknown): 'unsent' | 'lostUnderWay' | undefined {
  for (let e = error as { code?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 4; e = e.cause as typeof e, depth++) {
    if (typeof e.code !== 'string') continue;
    if (unsentCodes.test(e.code)) return 'unsent';
    if (lostUnderWayCodes.test(e.code)) return 'lostUnderWay';
  }
  return undefined;
}

/**
 * The statuses a platform subgraph answers a call with a GraphQL response at all: 2xx; 400 and
 * 413 (a request refused unrun: no JSON, a query that does not parse or validate, a body too
 * large); 401 (the signed identity refused); 500 (a fault it met, typed INTERNAL_SERVER_ERROR);
 * 503 (stopping). Keep in sync with lib/http-server.ts and subgraphs/shared/access.ts.
 */
const graphQLAnswerStatuses = new Set([400, 401, 413, 500, 503]);

/**
 * Whether a peer's answer with `status` is a GraphQL server's, so that typed errors in its body
 * are the peer's answer to the call. Any other, the 404 of an address that names no endpoint
 * (SUBGRAPH_ENTITIES_URL mistyped /graphq, whose HTTP layer says so in JSON, code ROUTE_NOT_FOUND) or a
 * proxy's 502, is none, whatever its body holds: BAD_RESPONSE (SubgraphFault), never a NOT_FOUND
 * passed on to a client as if the peer had looked for what it asked.
 */
export function answeredAsGraphQL(status: number): boolean {
  return (status >= 200 && status < 300) || graphQLAnswerStatuses.has(status);
}

function refusedWhileStopping(text: string): boolean {
  try {
    const errors = (JSON.parse(text) as { errors?: { extensions?: { code?: unknown } }[] }).errors;
    return Array.isArray(errors) && errors.some((e) => e?.extensions?.code === ErrorCode.SHUTTING_DOWN);
  } catch {
    return false;
  }
}

/**
 * `send` shaped as the Fetcher @apollo/gateway's RemoteGraphQLDataSource calls, to `service`. A
 * call whose headers already say how long its request has left (the gateway's data source sets
 * them from the request's deadline) takes at most that, less what the gateway needs to answer;
 * with the request's `callerGone` (its client gone: gateway/subgraph-data-source.ts), it stops
 * then, and its timeout says why the request's time was cut short, when it was (`cutShortBecause`);
 * with `attempts`, its attempts count with those of the caller that may send it again (CallAttempts).
 */
export function platformFetcher(timeoutMs: number, service: string, request?: Pick<RequestDeadline, 'callerGone' | 'cutShortBecause'>, attempts?: CallAttempts): Fetcher {
  return async (url, init = {}) =>
    new BufferedResponse(url, await send(url, { ...init, timeoutMs, service, attempts, deadline: RequestDeadline.fromHeaders(init.headers ?? {}, 'gateway', Date.now(), request?.callerGone, request?.cutShortBecause) }));
}

class ReadOnlyHeaders implements FetcherHeaders {
  private readonly entriesList: [string, string][];

  constructor(raw: PlatformResponse['headers']) {
    this.entriesList = Object.entries(raw).flatMap(([name, value]) => (value === undefined ? [] : [[name, Array.isArray(value) ? value.join(', ') : value] as [string, string]]));
  }

  get(name: string): string | null {
    const wanted = name.toLowerCase();
    return this.entriesList.find(([key]) => key === wanted)?.[1] ?? null;
  }
  has(name: string): boolean {
    return this.get(name) !== null;
  }
  append(): void {
    throw new TypeError('the headers of a received response are read-only');
  }
  delete(): void {
    throw new TypeError('the headers of a received response are read-only');
  }
  set(): void {
    throw new TypeError('the headers of a received response are read-only');
  }
  entries(): Iterator<[string, string]> {
    return this.entriesList[Symbol.iterator]();
  }
  keys(): Iterator<string> {
    return this.entriesList.map(([key]) => key)[Symbol.iterator]();
  }
  values(): Iterator<string> {
    return this.entriesList.map(([, value]) => value)[Symbol.iterator]();
  }
  [Symbol.iterator](): Iterator<[string, string]> {
    return this.entries();
  }
}

/** A response whose body has already been read (subgraph answers are small JSON documents). */
class BufferedResponse implements FetcherResponse {
  readonly headers: FetcherHeaders;
  readonly redirected = false;
  bodyUsed = false;

  constructor(
    readonly url: string,
    private readonly response: PlatformResponse,
  ) {
    this.headers = new ReadOnlyHeaders(response.headers);
  }

  get status(): number {
    return this.response.status;
  }
  get ok(): boolean {
    return this.response.status >= 200 && this.response.status < 300;
  }
  get statusText(): string {
    return STATUS_CODES[this.response.status] ?? '';
  }
  async text(): Promise<string> {
    this.bodyUsed = true;
    return this.response.text;
  }
  async json(): Promise<unknown> {
    return JSON.parse(await this.text());
  }
  async arrayBuffer(): Promise<ArrayBuffer> {
    const bytes = Buffer.from(await this.text(), 'utf8');
    return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  }
  clone(): FetcherResponse {
    return new BufferedResponse(this.url, this.response);
  }
}
