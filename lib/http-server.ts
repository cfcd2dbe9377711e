import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import Negotiator from 'negotiator';
import { HeaderMap, type ApolloServer, type BaseContext, type ContextFunction } from '@apollo/server';
import { shortestTimeoutMs } from './deadline';
import { ErrorCode, outageRetryAfterSeconds } from './errors';
import type { Logger } from './logger';
import { defaultStopGracePeriodMs } from './shutdown';
import { addressOf, dnsNotAnswering, StartFailure } from './start-failure';
import type { ServiceMetrics } from './metrics';
import { attachRecord, clientRequestIdFrom, markError, newRequestId, recordErrors, recordOperations, recordRequester, requestIdFrom, type CallerSummary, type RequestRecord } from './request-record';

export interface HttpRequestInfo {
  req: http.IncomingMessage;
  /** The parsed JSON body of a POST (undefined for GET). */
  body: unknown;
  /**
   * When the request's line and headers had arrived (ms since the epoch), before its body was
   * read: a subgraph's deadline counts from here, as the gateway's clock for the call started
   * when it sent it (lib/deadline.ts).
   */
  receivedAt: number;
  /**
   * When its body, if it has one, had been read to its end (ms since the epoch): the
   * gateway's REQUEST_TIMEOUT_MS counts from here, so that a client's slow upload, bounded apart
   * (`requestArrivalLimitMillis`), takes nothing of the time its request has to run.
   */
  bodyReadAt: number;
  /**
   * Set when the body was read while the server stops (an upload that ended during the stop's
   * grace period): the latest the request's time may end (ms since the epoch), so that it is
   * answered before the grace period ends and its connection is cut, `answerAfterDeadlineMillis`
   * later. A request read before the stop began has its whole time: the grace period holds it.
   */
  latestDeadline?: number;
  /** Aborted when the client closes the connection before it is answered: it stopped waiting. */
  callerGone: AbortSignal;
}

/**
 * A route other than GraphQL. `callerGone`: the request's (HttpRequestInfo), which the server
 * passes: a route that calls another service, or writes the audit log, stops or leaves out what a
 * client gone away will never read.
 */
export type ExtraRoute = (req: http.IncomingMessage, res: http.ServerResponse, callerGone?: AbortSignal) => Promise<boolean> | boolean;

export interface ServeOptions<TContext extends BaseContext> {
  port: number;
  host?: string;
  /** The variable that gives `port`, named when another process holds it: PORT for a subgraph. */
  portSetting?: string;
  context: ContextFunction<[HttpRequestInfo], TContext>;
  /** Tried in order before GraphQL; a route returns true when it answered. */
  routes?: ExtraRoute[];
  /**
   * Tried first, even while stopping: the CORS headers (and preflight answers) of front ends on
   * other origins, without which a browser shows them the 503 of a stop as a network error.
   */
  crossOrigin?: ExtraRoute;
  /** Bulk intake sends a few thousand rows in one request; anything larger is an import file. */
  maxBodyBytes?: number;
  /**
   * How long a request's headers and body may take to arrive (default 60 s: 10 MiB, the largest
   * body, at 175 KB/s). Node's own bound is 5 minutes, for which a client sending its body a byte
   * at a time holds a connection and the body read so far.
   */
  requestArrivalLimitMillis?: number;
  /** One line per request (GraphQL at info, other routes at debug but for their refusals) and unexpected faults. */
  logger?: Logger;
  /** Counted per request; its `/metrics` route is added. */
  metrics?: ServiceMetrics;
  /**
   * True at the platform's edge (the gateway): every request gets an id made here, never the
   * client's `x-request-id`, as an edge proxy does (Envoy trusts no external x-request-id at the
   * edge). The id is stored in the audit log, and the credit office's statistics count a request
   * by its id and instant: a client's id, reused, made two requests one, or its entries pass for
   * another request's. The client's id, when acceptable, is logged beside it (`clientRequestId`).
   * False (default): a service the gateway calls keeps the gateway's id.
   */
  ownRequestIds?: boolean;
  /** Who asked, for the request's log line (organisation and role only). */
  describeCaller?: (context: TContext) => CallerSummary | null;
  /** Whether the request is the platform's own call (a subgraph's: its signed identity says so), which /metrics counts by its name (lib/metrics.ts). */
  isPlatformCall?: (context: TContext) => boolean;
  /**
   * Compress GraphQL answers for a client that accepts gzip (the gateway, whose answers cross the
   * district's network to browsers). Not a subgraph: its caller, the gateway, reads bodies as sent.
   */
  compressAnswers?: boolean;
  /**
   * How long stopping waits for the requests in flight to be answered before it closes their
   * connections (default defaultStopGracePeriodMs). At least the longest a request may take: the
   * gateway's follows its time limits (gateway/gateway.ts longestAnswerMs).
   */
  stopGracePeriodMillis?: number;
  /**
   * How long a request may take to be answered once its own time is spent (default 0; the
   * gateway's: what follows its subgraph calls, gateway/gateway.ts answerAfterCallsMs). While the
   * server stops, a body read late in the grace period gets a time that ends this long before the
   * grace period does (HttpRequestInfo.latestDeadline), and one read too late for one of at least
   * shortestTimeoutMs is refused unrun, 503 SHUTTING_DOWN.
   */
  answerAfterDeadlineMillis?: number;
}

export interface RunningHttpServer {
  url: string;
  port: number;
  /** True from the moment stop() is called: readiness answers 503 from then on. */
  readonly stopping: boolean;
  /**
   * Graceful (see serveGraphQL): stops accepting connections, refuses what arrives on the
   * connections it has (503 SHUTTING_DOWN), and resolves once every request it took before is
   * answered, or the grace period is over. Idempotent.
   */
  stop(): Promise<void>;
}

/**
 * The request's target as a URL, or null when it is none. Node's HTTP parser takes targets the URL
 * parser refuses (`http://[/`, `http://%/`), and one such request line, sent by anyone, stopped the
 * process that read it with `new URL`. A target in the absolute form (`GET http://host/graphql`),
 * which HTTP/1.1 servers must take, is rewritten to the origin form (`/graphql`) that every route
 * reads.
 */
function requestTarget(req: http.IncomingMessage): URL | null {
  let url: URL;
  try {
    url = new URL(req.url ?? '/', 'http://localhost');
  } catch {
    return null;
  }
  if (!req.url?.startsWith('/')) req.url = `${url.pathname}${url.search}`;
  return url;
}

/** A request's path without its query: a probe may add one (`/health?from=lb`) and still mean the route. */
export function pathOf(req: http.IncomingMessage): string {
  const url = req.url ?? '/';
  const query = url.indexOf('?');
  return query < 0 ? url : url.slice(0, query);
}

/** Liveness: the process is up and its event loop turns. */
export const healthRoute: ExtraRoute = (req, res) => {
  if (pathOf(req) !== '/health') return false;
  sendJson(res, 200, { status: 'ok' });
  return true;
};

export function sendJson(res: http.ServerResponse, status: number, body: unknown, mediaType = 'application/json'): void {
  res.statusCode = status;
  res.setHeader('content-type', `${mediaType}; charset=utf-8`);
  res.end(JSON.stringify(body));
}

/** An error of the server's own, before or beside GraphQL: a message and its extensions (`code` first). */
export interface RefusalError {
  message: string;
  extensions: Record<string, unknown>;
}

const graphqlMediaTypes = ['application/json', 'application/graphql-response+json'];

/**
 * A GraphQL error answer of the server's own (a body over the limit, a route that does not exist,
 * a stop, a fault), in the media type Apollo Server would answer the same request in: a client
 * that accepts `application/graphql-response+json` (Apollo Client 4 and other GraphQL-over-HTTP
 * clients, by default) reads a 4xx or 5xx in it as a GraphQL answer, its errors typed, where
 * `application/json` is to it a server's page that may not be GraphQL at all. The same order of
 * preference as Apollo's, so that one client is answered alike whichever refused it.
 */
export function sendErrors(req: http.IncomingMessage, res: http.ServerResponse, status: number, errors: RefusalError[]): void {
  // As every answer GraphQL gives (Apollo's cache-control plugin): a 404 is cacheable by default.
  res.setHeader('cache-control', 'no-store');
  const accepted = req.headers.accept ? new Negotiator(req).mediaType(graphqlMediaTypes) : undefined;
  sendJson(res, status, { errors }, accepted ?? 'application/json');
}

class RequestError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly extensions: Record<string, unknown> = { code: ErrorCode.BAD_REQUEST },
  ) {
    super(message);
  }
}

/** Refused before a byte more is read: the same typed refusal as the gateway's operation limits. */
const bodyTooLarge = (limit: number) => new RequestError(413, `Request body limit of ${limit} bytes exceeded.`, { code: ErrorCode.OPERATION_LIMIT_EXCEEDED, limit: 'bodyBytes', max: limit });

/**
 * A body's text, read as UTF-8 (RFC 8259: JSON exchanged between systems is UTF-8), a byte-order
 * mark before it left out. Bytes of another encoding are refused, never read as U+FFFD: a name
 * sent in GBK would be stored garbled, and a search for it would find nothing, silently.
 */
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The refusal of a body the server does not read as sent, before a byte of it is read. */
function unreadableBody(req: http.IncomingMessage): RequestError | undefined {
  const coding = (req.headers['content-encoding'] ?? '').trim().toLowerCase();
  if (coding && coding !== 'identity') {
    return new RequestError(415, `request bodies are read as sent, never decompressed: send the body without Content-Encoding (got ${JSON.stringify(coding.slice(0, 40))})`);
  }
  const charset = /;\s*charset\s*=\s*"?([^";\s]*)/i.exec(req.headers['content-type'] ?? '')?.[1]?.toLowerCase();
  if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
    return new RequestError(415, `request bodies are UTF-8: send the body in UTF-8, with charset=utf-8 or none (got charset=${JSON.stringify(charset.slice(0, 40))})`);
  }
  return undefined;
}

/**
 * Whether a query string's percent-encoded text is UTF-8, as a GET's `query` and `variables`
 * must be: URLSearchParams reads other bytes as U+FFFD, so a name sent in GBK would search for
 * other characters and find nothing, silently.
 */
function isUtf8Query(search: string): boolean {
  try {
    decodeURIComponent(search.replace(/\+/g, ' '));
    return true;
  } catch {
    return false;
  }
}

async function readJsonBody(req: http.IncomingMessage, limit: number): Promise<unknown> {
  if (req.method !== 'POST') return undefined;
  if (Number(req.headers['content-length']) > limit) throw bodyTooLarge(limit);
  const unreadable = unreadableBody(req);
  if (unreadable) throw unreadable;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw bodyTooLarge(limit);
    chunks.push(chunk as Buffer);
  }
  let text: string;
  try {
    text = utf8.decode(Buffer.concat(chunks));
  } catch {
    throw new RequestError(400, 'request body is not UTF-8: send it in UTF-8 (a GBK or other encoding would be read as other characters)');
  }
  if (text.length === 0) return undefined;
  // A media type is case-insensitive (RFC 9110): application/JSON is JSON too.
  const mediaType = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  if (mediaType !== 'application/json' && mediaType !== 'application/graphql-response+json') {
    // Apollo rejects non-JSON POSTs itself (CSRF prevention); hand it the raw text.
    return text;
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new RequestError(400, 'request body is not valid JSON');
  }
}

/** The refusal of a request whose headers and body did not all arrive within the bound (requestArrivalLimitMillis). */
/** Nothing of it was run: a client on a slow line may send it again, as `problem` says for a front end to offer. */
const arrivedTooSlowly = (limitMs: number) =>
  new RequestError(408, `the request took too long to arrive, and nothing of it was run: its headers and body must arrive within ${limitMs / 1000} s; send it again`, { code: ErrorCode.BAD_REQUEST, problem: 'ARRIVED_TOO_SLOWLY' });

/**
 * The refusal of a request Node's parser stopped reading for how it arrived, if `error` is one:
 * too slowly (arrivedTooSlowly), or cut short, its client's side of the connection closing (its
 * FIN: a mobile link dropping the upload) before all of its body had arrived, or, when it never
 * reached its handler (`headersArrived` false), all of its headers. Nothing of either ran, and a
 * front end may offer to send it again, as `problem` says: BODY_INCOMPLETE for headers too, the
 * code front ends switch on (README, Errors); the message says which was cut.
 */
function arrivalRefusal(error: NodeJS.ErrnoException, arrivalLimitMs: number, headersArrived: boolean): RequestError | undefined {
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') return arrivedTooSlowly(arrivalLimitMs);
  if (error.code === 'HPE_INVALID_EOF_STATE') {
    const part = headersArrived ? 'body' : 'headers';
    return new RequestError(400, `the request was cut short: the connection was closed on the client's side before all of its ${part} had arrived, and nothing of it was run; send it again`, { code: ErrorCode.BAD_REQUEST, problem: 'BODY_INCOMPLETE' });
  }
  return undefined;
}

/**
 * A request node:http cannot parse (a URL or headers over its 16 KiB limit, a malformed request
 * line), or whose headers did not arrive in time or were cut short, never reaches the handler;
 * Node's own answer is a bare status line with no body. This one is JSON with a typed code, like
 * every other answer, so that a client can read why. The connection is then closed on both sides: ending only this side
 * left it open, and a client that keeps sending holds it as long as it likes.
 */
function answerUnparsableRequest(error: NodeJS.ErrnoException, socket: Duplex, arrivalLimitMs: number): void {
  if (error.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const refusal =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? new RequestError(431, 'the request line and headers exceed 16 KiB: send the operation in a POST body')
      : (arrivalRefusal(error, arrivalLimitMs, false) ?? new RequestError(400, 'the HTTP request could not be parsed'));
  const body = JSON.stringify({ errors: [{ message: refusal.message, extensions: refusal.extensions }] });
  socket.end(`HTTP/1.1 ${refusal.status} ${http.STATUS_CODES[refusal.status]}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`, () => socket.destroy());
}

/**
 * Whether an `Accept-Encoding` takes gzip: named, or left to `*`, with a weight above 0
 * (RFC 9110 §12.5.3: `gzip;q=0` refuses it; no header asks for the body as it is).
 */
export function acceptsGzip(acceptEncoding: string | undefined): boolean {
  const weights = new Map<string, number>();
  for (const part of (acceptEncoding ?? '').split(',')) {
    const [coding, ...parameters] = part.split(';').map((piece) => piece.trim().toLowerCase());
    const q = parameters.find((parameter) => parameter.startsWith('q='));
    if (coding) weights.set(coding === 'x-gzip' ? 'gzip' : coding, q === undefined ? 1 : Number(q.slice(2)));
  }
  const weight = weights.get('gzip') ?? weights.get('*') ?? 0;
  return weight > 0;
}

/**
 * Answers shorter than this go as they are: a few hundred bytes gain little from gzip. A page of
 * twenty subjects with their records is tens of kilobytes of JSON, a fifth or less of it gzipped.
 */
const compressFromBytes = 1024;

const gzipped = promisify(gzip);

/** Routes answered without a log line at info level: probes and scrapes would drown the requests. */
const quietRoutes = new Set(['/health', '/ready', '/metrics']);

/**
 * While stopping, how long no request must have started or ended before the idle kept-alive
 * connections are closed. A client under load sends its next request on a connection the moment
 * it has one free: closed at that moment, the request meets the close on the way (a socket error,
 * and no telling whether it ran); left open while the requests in flight drain, and a little
 * after, the connection is used and the request refused with a 503 the client can read. A client
 * whose event loop lags sees a close late, and one whose connection closed after its answer
 * (`Connection: close`) turns to another it kept, at once: closing the idle connections the
 * moment the last request in flight was answered, or a quarter of a second after each was last
 * used, left a few requests in 200 meeting the close (SIGTERM to the gateway under 32 clients
 * each a tenth of a second behind); a second of quiet left none. Closing an idle connection always
 * risks meeting a request on the way: HTTP/1.1 has no way around that short of waiting out the
 * keep-alive timeout.
 */
const stoppingIdleCloseMs = 1_000;

/**
 * The refusal of a request that arrives while the server stops (on a connection it kept alive), or
 * whose body is still arriving when the stop's grace period ends: nothing of it ran, and the client
 * may send it again, to another instance or after `retryAfterSeconds`.
 */
const shuttingDown = () =>
  new RequestError(503, 'the server is shutting down: nothing of this request ran, send it again', { code: ErrorCode.SHUTTING_DOWN, retryAfterSeconds: outageRetryAfterSeconds });

/** Answers a refusal of the server's own, with a `Retry-After` when it says when to send the request again. */
function sendRefusal(req: http.IncomingMessage, res: http.ServerResponse, refusal: RequestError): void {
  const retryAfterSeconds = refusal.extensions.retryAfterSeconds;
  if (typeof retryAfterSeconds === 'number') res.setHeader('retry-after', String(retryAfterSeconds));
  sendErrors(req, res, refusal.status, [{ message: refusal.message, extensions: refusal.extensions }]);
}

/** Reads a request's body to its end, unparsed (at most `limit` bytes), so that the answer is not lost to a reset connection. */
function discardBody(req: http.IncomingMessage, limit: number): Promise<void> {
  if (req.readableEnded || Number(req.headers['content-length']) > limit) return Promise.resolve();
  return new Promise((resolve) => {
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) resolve();
    });
    req.once('end', resolve);
    req.once('close', resolve);
    req.once('error', resolve);
  });
}

function routeLabel(pathname: string): string {
  if (pathname === '/graphql' || pathname === '/') return '/graphql';
  if (quietRoutes.has(pathname)) return pathname;
  if (pathname === '/explorer' || pathname.startsWith('/explorer/')) return '/explorer';
  return 'other';
}

/**
 * Serves an Apollo Server over plain node:http: GraphQL at `/graphql` (and `/`), plus the extra
 * routes (health, readiness, metrics, the explorer). Modelled on @apollo/server's standalone
 * server, which offers no way to add routes.
 *
 * Stopping (SIGTERM) drains: from the moment stop() is called, no new connection is accepted;
 * every request already taken runs to its answer, sent with `Connection: close`; a request that
 * arrives on a connection kept alive is refused, not run: 503 `SHUTTING_DOWN` with `Retry-After`
 * and `Connection: close` (`/health`, `/ready` and `/metrics` are still answered, `/ready` with
 * 503); the idle connections are closed once no request has started or ended for
 * `stoppingIdleCloseMs`. A request whose body was still arriving when the stop began runs once it
 * has arrived, its time ending soon enough for it to be answered within the grace period
 * (`answerAfterDeadlineMillis`); arrived too late for that, it is refused unrun (503
 * `SHUTTING_DOWN`). stop() resolves when every request taken has been handled to its end
 * (its resolvers done, even when its client went away) and every connection is closed, or when
 * the grace period is over: the connections still open are then cut.
 *
 * Apollo's drain plugin, used before, did less: it closed the idle connections at once, and the
 * busy ones right after an answer that invited the client to send more on them; it went on taking
 * what arrived on them, running requests it could no longer answer (a client under load saw a
 * socket error for a credit check stored, reads audited as disclosed); and it resolved once the
 * connections were closed, with requests whose client had gone still running.
 *
 * Every request gets a request id (its `x-request-id` when acceptable, else a new one; at the
 * gateway always a new one, `ownRequestIds`), written back into the request's headers, so that
 * the gateway's access code reads the same id, and
 * answered in `x-request-id`; the request (for the routes: `recordRefusal`), Apollo's context and the errors met are tied to its record (request-record.ts).
 */
export async function serveGraphQL<TContext extends BaseContext>(
  server: ApolloServer<TContext>,
  options: ServeOptions<TContext>,
): Promise<RunningHttpServer> {
  const routes = [healthRoute, ...(options.metrics ? [options.metrics.route] : []), ...(options.routes ?? [])];
  const limit = options.maxBodyBytes ?? 10 * 1024 * 1024;
  const arrivalLimitMs = options.requestArrivalLimitMillis ?? 60_000;
  const answerAfterDeadlineMs = options.answerAfterDeadlineMillis ?? 0;
  const { logger, metrics } = options;
  server.addPlugin(recordOperations(options.describeCaller ?? (() => null), options.isPlatformCall ?? (() => false)));
  const drain = new Drain(options.stopGracePeriodMillis ?? defaultStopGracePeriodMs, logger);
  /** Each request's refusal while its body is still arriving (refuseUnrun), by its connection: Node tells of a slow or cut-short one by its connection only (arrivalRefusal). */
  const bodyNotArriving = new WeakMap<Duplex, (refusal: RequestError) => boolean>();
  // Node checks the connections for slow requests every connectionsCheckingInterval (30 s by
  // default): a tenth of the bound keeps a slow request's connection at most 10% past it.
  const httpServer = http.createServer({ requestTimeout: arrivalLimitMs, connectionsCheckingInterval: Math.ceil(arrivalLimitMs / 10) }, (req, res) => {
    const started = process.hrtime.bigint();
    const receivedAt = Date.now();
    const callerGone = new AbortController();
    // The client's end of the connection closed (its FIN read) before it was answered: it stopped
    // waiting. Heard at once, not when the socket closes a few turns later (a write sent meanwhile
    // would not know); with HTTP/1.1 no client closes its end while it still waits.
    const gone = () => res.writableFinished || callerGone.abort();
    // Held: once a body over the limit is refused mid-read, the request is destroyed and its
    // `socket` is null by the time the response closes.
    const socket = req.socket;
    if (socket.readableEnded) gone();
    else socket.once('end', gone);
    res.once('close', () => socket.off('end', gone));
    const sent = req.headers['x-request-id'];
    const clientRequestId = options.ownRequestIds ? clientRequestIdFrom(sent) : undefined;
    const record: RequestRecord = { requestId: options.ownRequestIds ? newRequestId() : requestIdFrom(sent), ...(clientRequestId ? { clientRequestId } : {}), errorCodes: [] };
    req.headers['x-request-id'] = record.requestId;
    res.setHeader('x-request-id', record.requestId);
    attachRecord(req, record);
    const target = requestTarget(req);
    const pathname = target ? target.pathname : '(not a URL)';
    /**
     * Refuses the request, whose body is still arriving, unrun: a body too slow or cut short
     * (arrivalRefusal), or the stop's grace period over (Drain). Answered through the response,
     * which closes the connection once sent (Connection: close), so that the request's log line and
     * metrics see the refusal, not a client that went away. False, and nothing sent, when it cannot
     * be told so: its body had all arrived (what was cut short is the next request's on the
     * connection, and this one may have run), or its answer is already being sent.
     */
    const refuseUnrun = (refusal: RequestError): boolean => {
      if (req.complete || res.headersSent) return false;
      recordErrors(record, [refusal]);
      res.setHeader('connection', 'close');
      sendRefusal(req, res, refusal);
      return true;
    };
    const handled = drain.requestStarted(req, res, { requestId: record.requestId, path: pathname, refuseUnrun });
    bodyNotArriving.set(socket, refuseUnrun);
    // Only its own: a client pipelining may have sent the next request on the connection already.
    res.once('close', () => bodyNotArriving.get(socket) === refuseUnrun && bodyNotArriving.delete(socket));
    res.once('close', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const route = routeLabel(pathname);
      if (!res.writableFinished) callerGone.abort();
      const status = res.writableFinished ? res.statusCode : 499; // 499: the client went away first
      metrics?.observeHttp(route, req.method ?? 'GET', status);
      if (route === '/graphql' && (record.executed || record.errorCodes.length)) metrics?.observeGraphQL(record, seconds);
      if (!logger) return;
      const line = {
        requestId: record.requestId,
        ...(record.clientRequestId ? { clientRequestId: record.clientRequestId } : {}),
        method: req.method,
        path: pathname,
        status,
        durationMs: Math.round(seconds * 10_000) / 10,
        ...(record.operationName !== undefined ? { operationName: record.operationName, operationType: record.operationType } : {}),
        ...(record.errorCodes.length ? { errorCodes: [...new Set(record.errorCodes)] } : {}),
        ...(record.problems?.length ? { problems: [...new Set(record.problems)] } : {}),
        ...(record.caller ? { caller: record.caller } : {}),
        ...(record.address ? { address: record.address } : {}),
      };
      // Another route's refusal (a printable view over its address's budget) is told as GraphQL's are: codes guessed page by page show at info.
      if (route !== '/graphql' && !record.errorCodes.length) logger.debug(line, 'request');
      else if (status >= 500) logger.warn(line, 'request');
      else logger.info(line, 'request');
    });
    void (async () => {
      try {
        if (!target) throw new RequestError(400, 'the request target is not a URL: send the path, /graphql, as the request target');
        if (options.crossOrigin && (await options.crossOrigin(req, res))) return;
        if (drain.draining && !quietRoutes.has(pathname)) {
          const refusal = shuttingDown();
          recordErrors(record, [refusal]);
          await discardBody(req, limit);
          sendRefusal(req, res, refusal);
          return;
        }
        for (const route of routes) if (await route(req, res, callerGone.signal)) return;
        const url = target;
        if (url.pathname !== '/graphql' && url.pathname !== '/') {
          sendErrors(req, res, 404, [{ message: `no route for ${url.pathname}`, extensions: { code: ErrorCode.ROUTE_NOT_FOUND } }]);
          return;
        }
        const headers = new HeaderMap();
        for (const [key, value] of Object.entries(req.headers)) {
          if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
        }
        if (!isUtf8Query(url.search)) throw new RequestError(400, 'request query string is not UTF-8: percent-encode its text as UTF-8 (encodeURIComponent; a GBK or other encoding would be read as other characters)');
        const body = await readJsonBody(req, limit);
        // Refused meanwhile, at the end of the stop's grace period (Drain): it must not run.
        if (res.writableEnded) return;
        const bodyReadAt = Date.now();
        // Its upload ended during the stop: its time must end where the grace period leaves room to
        // answer it, or it would run on past the grace period's end and be cut, unanswered, having
        // perhaps stored a change. Less left than the least time the gateway's settings give a
        // request (shortestTimeoutMs): it must not run, and its client may be told so. Run with a few
        // milliseconds, its calls would be sent with a time no subgraph answers in, or not sent at
        // all, and it would be told TIMEOUT (a mutation perhaps that whether its change was stored is
        // not known) where 503 SHUTTING_DOWN says plainly that nothing ran, to be sent again at once.
        const latestDeadline = drain.graceEndsAt === undefined ? undefined : drain.graceEndsAt - answerAfterDeadlineMs;
        if (latestDeadline !== undefined && latestDeadline - bodyReadAt < shortestTimeoutMs) throw shuttingDown();
        const response = await server.executeHTTPGraphQLRequest({
          httpGraphQLRequest: { method: (req.method ?? 'GET').toUpperCase(), headers, search: url.search, body },
          context: async () => {
            try {
              const context = await options.context({ req, body, receivedAt, bodyReadAt, latestDeadline, callerGone: callerGone.signal });
              attachRecord(context, record);
              return context;
            } catch (error) {
              markError(error, record);
              recordRequester(record, error);
              throw error;
            }
          },
        });
        for (const [key, value] of response.headers) res.setHeader(key, value);
        res.statusCode = response.status ?? 200;
        if (response.body.kind === 'complete') {
          // Refused before Apollo's pipeline (a bad token while building the context): the codes are only in the body.
          if (!record.executed) recordErrors(record, errorsOf(response.body.string));
          if (!options.compressAnswers) {
            res.end(response.body.string);
            return;
          }
          res.appendHeader('vary', 'accept-encoding');
          const body = Buffer.from(response.body.string);
          if (body.length < compressFromBytes || !acceptsGzip(req.headers['accept-encoding'])) {
            res.end(body);
            return;
          }
          res.setHeader('content-encoding', 'gzip');
          res.end(await gzipped(body));
          return;
        }
        for await (const chunk of response.body.asyncIterator) res.write(chunk);
        res.end();
      } catch (error) {
        if (res.headersSent) {
          res.destroy();
          return;
        }
        // A body not read to its end leaves the connection where no next request can be read from it.
        if (!req.complete) res.setHeader('connection', 'close');
        if (error instanceof RequestError) {
          recordErrors(record, [error]);
          sendRefusal(req, res, error);
          return;
        }
        if (req.readableAborted) {
          // The client closed the connection before its body arrived: its own doing, counted as a 499, no fault of this server's.
          logger?.debug({ requestId: record.requestId }, 'client closed the connection before its request body arrived');
          res.destroy();
          return;
        }
        if (logger) logger.error({ err: error, requestId: record.requestId }, 'unexpected fault serving a request');
        else console.error(error);
        record.errorCodes.push(ErrorCode.INTERNAL_SERVER_ERROR);
        sendErrors(req, res, 500, [{ message: 'Internal server error', extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR, requestId: record.requestId } }]);
      }
    })().finally(handled);
  });
  httpServer.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    const refuseUnrun = bodyNotArriving.get(socket);
    const refusal = refuseUnrun && arrivalRefusal(error, arrivalLimitMs, true);
    if (!refusal) answerUnparsableRequest(error, socket, arrivalLimitMs);
    // A request whose body had all arrived is being answered on this connection, and the next one's
    // bytes were cut short (or its own answer is under way): no answer reaches that one in turn,
    // and nothing is claimed of either.
    else if (!refuseUnrun(refusal)) socket.destroy();
  });
  drain.watch(httpServer);
  // Apollo's stop() drains first, however it is called: stop() below, or the server's own.
  server.addPlugin({ serverWillStart: async () => ({ drainServer: () => drain.start() }) });
  await server.start();
  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', (error) => reject(listenFailure(error, options.host ?? '127.0.0.1', options.port, options.portSetting ?? 'PORT')));
    httpServer.listen(options.port, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = httpServer.address() as AddressInfo;
  let stopped: Promise<void> | undefined;
  return {
    // Where it listens, as the serving line says: 0.0.0.0 (every interface) is told as such, not as 127.0.0.1.
    url: `http://${addressOf(options.host ?? '127.0.0.1', port)}/graphql`,
    port,
    get stopping() {
      return drain.draining;
    },
    // Draining starts at once (no connection accepted from here on); ApolloServer.stop() waits for it. Idempotent.
    stop: () => (stopped ??= (void drain.start(), server.stop())),
  };
}

/** Why nothing could listen where the settings say (the port, and HOST), in the operator's words. */
function listenFailure(error: NodeJS.ErrnoException, host: string, port: number, portSetting: string): Error {
  const address = addressOf(host, port);
  switch (error.code) {
    case 'EADDRINUSE':
      return new StartFailure(`another process listens at ${address} (EADDRINUSE): stop it, or give this process another port (${portSetting})`);
    case 'EACCES':
      return new StartFailure(`this user may not listen at ${address} (EACCES): a port below 1024 needs a privilege, so give this process a higher one (${portSetting})`);
    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND':
      return new StartFailure(`HOST "${host}" is no address of this machine's (${error.code})`);
    case 'EAI_AGAIN':
      return dnsNotAnswering('HOST', host);
    default:
      return error;
  }
}

/** What stopping tells of a request it cuts at the end of its grace period, and how it refuses one whose body is still arriving. */
interface UnfinishedRequest {
  requestId: string;
  path: string;
  /** The request's refuseUnrun (serveGraphQL): false when it may have run, or its answer is under way. */
  refuseUnrun: (refusal: RequestError) => boolean;
}

/**
 * The HTTP server's side of stopping (serveGraphQL): which requests are being handled, on which
 * connections, and closing those once they are done.
 */
class Drain {
  /** Each open connection, with how many of its responses are not yet finished. */
  private readonly connections = new Map<net.Socket, number>();
  /** Responses not yet finished, with their requests: told `Connection: close` when stopping starts, named when cut. */
  private readonly open = new Map<http.ServerResponse, { req: http.IncomingMessage } & UnfinishedRequest>();
  /** Requests whose handling has not ended, answered or not. */
  private handling = 0;
  /** When a request last started or ended. */
  private lastActivity = Date.now();
  private quietTimer?: NodeJS.Timeout;
  private server?: http.Server;
  private stopping = false;
  /** When the grace period ends (ms since the epoch), once stopping has started. */
  private graceEnds?: number;
  private started?: Promise<void>;
  private done: () => void = () => {};

  constructor(
    private readonly gracePeriodMs: number,
    private readonly logger?: Logger,
  ) {}

  get draining(): boolean {
    return this.stopping;
  }

  /** When the grace period ends, and the requests still unanswered are cut (ms since the epoch); undefined until stopping starts. */
  get graceEndsAt(): number | undefined {
    return this.graceEnds;
  }

  watch(server: http.Server): void {
    this.server = server;
    server.on('connection', (socket: net.Socket) => {
      this.connections.set(socket, 0);
      socket.once('close', () => {
        this.connections.delete(socket);
        this.check();
      });
    });
  }

  /** A request taken: returns what to call when its handling has ended. */
  requestStarted(req: http.IncomingMessage, res: http.ServerResponse, unfinished: UnfinishedRequest): () => void {
    const socket = req.socket;
    if (this.connections.has(socket)) this.connections.set(socket, this.connections.get(socket)! + 1);
    this.handling++;
    this.lastActivity = Date.now();
    clearTimeout(this.quietTimer);
    this.open.set(res, { req, ...unfinished });
    if (this.draining) res.setHeader('connection', 'close');
    res.once('close', () => {
      this.open.delete(res);
      if (this.connections.has(socket)) this.connections.set(socket, this.connections.get(socket)! - 1);
    });
    return () => {
      this.handling--;
      this.lastActivity = Date.now();
      if (this.draining && this.handling === 0) this.closeIdleWhenQuiet();
      this.check();
    };
  }

  /** Starts stopping (idempotent); resolves once every request taken is handled and every connection closed, or at the end of the grace period. */
  start(): Promise<void> {
    if (!this.started) {
      this.stopping = true;
      this.graceEnds = Date.now() + this.gracePeriodMs;
      this.started = this.run();
    }
    return this.started;
  }

  private async run(): Promise<void> {
    const server = this.server;
    if (!server) return;
    const finished = new Promise<void>((resolve) => (this.done = resolve));
    // No new connections. net's close, not http's: that one also closes the idle kept-alive
    // connections at once, which is what must not happen (stoppingIdleCloseMs).
    const closed = new Promise<void>((resolve) => net.Server.prototype.close.call(server, () => resolve()));
    for (const res of this.open.keys()) if (!res.headersSent) res.setHeader('connection', 'close');
    if (this.handling === 0) this.closeIdleWhenQuiet();
    let timer: NodeJS.Timeout | undefined;
    const graceOver = new Promise<'grace over'>((resolve) => (timer = setTimeout(() => resolve('grace over'), this.gracePeriodMs)));
    this.check();
    const outcome = await Promise.race([Promise.all([finished, closed]), graceOver]);
    clearTimeout(timer);
    clearTimeout(this.quietTimer);
    if (outcome === 'grace over') {
      this.logger?.warn({ gracePeriodMs: this.gracePeriodMs, requestsUnfinished: this.handling, connectionsOpen: this.connections.size }, 'stop grace period over: closing the connections still open');
      // Their request lines are written as their responses close: waited for, or the process exits first.
      const closing: Promise<unknown>[] = [];
      const refused = new Set<net.Socket>();
      for (const [res, request] of this.open) {
        closing.push(new Promise((resolve) => res.once('close', resolve)));
        const line = { gracePeriodMs: this.gracePeriodMs, requestId: request.requestId, method: request.req.method, path: request.path };
        // Its body still arriving: nothing of it ran, which a 503 can tell its client, who may send it again.
        if (request.refuseUnrun(shuttingDown())) {
          refused.add(request.req.socket);
          this.logger?.warn({ ...line, outcome: 'refused unrun: 503 SHUTTING_DOWN' }, 'stop grace period over: request refused');
        } else {
          this.logger?.warn({ ...line, outcome: res.headersSent ? 'cut while its answer was sent' : 'cut unanswered: it may have run' }, 'stop grace period over: request cut');
        }
      }
      for (const socket of this.connections.keys()) if (!refused.has(socket)) socket.destroy();
      // A refused request's connection closes once its answer is sent (Connection: close); cut within a bound.
      let bound: NodeJS.Timeout | undefined;
      await Promise.race([Promise.all(closing), new Promise((resolve) => (bound = setTimeout(resolve, stoppingIdleCloseMs)))]);
      clearTimeout(bound);
      for (const socket of this.connections.keys()) socket.destroy();
    }
    // http's close: its timers for slow requests; every connection is closed or cut by now.
    server.close();
  }

  /**
   * While stopping, with no request being handled: once none has started or ended for
   * stoppingIdleCloseMs, closes the idle connections (a busy one closes after its answer).
   */
  private closeIdleWhenQuiet(): void {
    clearTimeout(this.quietTimer);
    const wait = Math.max(0, Math.min(this.lastActivity + stoppingIdleCloseMs - Date.now(), this.gracePeriodMs));
    this.quietTimer = setTimeout(() => {
      // After one more turn of the event loop: a request that has reached a socket by now is read, and taken (then refused).
      setImmediate(() => {
        if (this.handling > 0) return;
        for (const [socket, unfinished] of this.connections) {
          // Once the close is sent, nothing more is read: what a client sends now is not taken.
          if (unfinished === 0 && !socket.destroyed) socket.end(() => socket.destroy());
        }
      });
    }, wait);
  }

  private check(): void {
    if (this.draining && this.handling === 0 && this.connections.size === 0) this.done();
  }
}

function errorsOf(body: string): { extensions?: Record<string, unknown> }[] {
  try {
    return (JSON.parse(body) as { errors?: { extensions?: Record<string, unknown> }[] }).errors ?? [];
  } catch {
    return [];
  }
}
