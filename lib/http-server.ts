import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { HeaderMap, type ApolloServer, type BaseContext, type ContextFunction } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ErrorCode } from './errors';
import type { Logger } from './logger';
import type { ServiceMetrics } from './metrics';
import { attachRecord, markError, recordOperations, requestIdFrom, type CallerSummary, type RequestRecord } from './request-record';

export interface HttpRequestInfo {
  req: http.IncomingMessage;
  /** The parsed JSON body of a POST (undefined for GET). */
  body: unknown;
  /** When the request arrived (ms since the epoch), before its body was read. */
  receivedAt: number;
  /** Aborted when the client closes the connection before it is answered: it stopped waiting. */
  callerGone: AbortSignal;
}

export type ExtraRoute = (req: http.IncomingMessage, res: http.ServerResponse) => Promise<boolean> | boolean;

export interface ServeOptions<TContext extends BaseContext> {
  port: number;
  host?: string;
  context: ContextFunction<[HttpRequestInfo], TContext>;
  /** Tried in order before GraphQL; a route returns true when it answered. */
  routes?: ExtraRoute[];
  /** Bulk intake sends a few thousand rows in one request; anything larger is an import file. */
  maxBodyBytes?: number;
  /** One line per request (GraphQL at info, other routes at debug) and unexpected faults. */
  logger?: Logger;
  /** Counted per request; its `/metrics` route is added. */
  metrics?: ServiceMetrics;
  /** Who asked, for the request's log line (organisation and role only). */
  describeCaller?: (context: TContext) => CallerSummary | null;
  /**
   * How long stopping waits for in-flight requests before it closes their connections
   * (Apollo's drain plugin; default 10 s).
   */
  stopGracePeriodMillis?: number;
}

export interface RunningHttpServer {
  url: string;
  port: number;
  /** True from the moment stop() is called: readiness answers 503 from then on. */
  readonly stopping: boolean;
  /**
   * Graceful: stops accepting connections, lets in-flight requests finish (up to the grace
   * period), then closes the rest. Idempotent.
   */
  stop(): Promise<void>;
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

export function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  res.statusCode = status;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.end(JSON.stringify(body));
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

async function readJsonBody(req: http.IncomingMessage, limit: number): Promise<unknown> {
  if (req.method !== 'POST') return undefined;
  if (Number(req.headers['content-length']) > limit) throw bodyTooLarge(limit);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw bodyTooLarge(limit);
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
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

/**
 * A request node:http cannot parse (a URL or headers over its 16 KiB limit, a malformed request
 * line) never reaches the handler; Node's own answer is a bare status line with no body. This one
 * is JSON with a typed code, like every other answer, so that a client can read why.
 */
function answerUnparsableRequest(error: NodeJS.ErrnoException, socket: Duplex): void {
  if (error.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const status = error.code === 'HPE_HEADER_OVERFLOW' ? 431 : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
  const message = status === 431 ? 'the request line and headers exceed 16 KiB: send the operation in a POST body' : status === 408 ? 'the request took too long to arrive' : 'the HTTP request could not be parsed';
  const body = JSON.stringify({ errors: [{ message, extensions: { code: ErrorCode.BAD_REQUEST } }] });
  socket.end(`HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}

/** Routes answered without a log line at info level: probes and scrapes would drown the requests. */
const quietRoutes = new Set(['/health', '/ready', '/metrics']);

function routeLabel(pathname: string): string {
  if (pathname === '/graphql' || pathname === '/') return '/graphql';
  if (quietRoutes.has(pathname)) return pathname;
  if (pathname === '/explorer' || pathname.startsWith('/explorer/')) return '/explorer';
  return 'other';
}

/**
 * Serves an Apollo Server over plain node:http: GraphQL at `/graphql` (and `/`), plus the extra
 * routes (health, readiness, metrics, the explorer). Modelled on @apollo/server's standalone
 * server, which offers no way to add routes; stopping drains in-flight requests before the
 * server closes.
 *
 * Every request gets a request id (its `x-request-id` when acceptable, else a new one), written
 * back into the request's headers, so that the gateway's access code reads the same id, and
 * answered in `x-request-id`; Apollo's context and the errors met are tied to its record (request-record.ts).
 */
export async function serveGraphQL<TContext extends BaseContext>(
  server: ApolloServer<TContext>,
  options: ServeOptions<TContext>,
): Promise<RunningHttpServer> {
  const routes = [healthRoute, ...(options.metrics ? [options.metrics.route] : []), ...(options.routes ?? [])];
  const limit = options.maxBodyBytes ?? 10 * 1024 * 1024;
  const { logger, metrics } = options;
  server.addPlugin(recordOperations(options.describeCaller ?? (() => null)));
  const httpServer = http.createServer((req, res) => {
    const started = process.hrtime.bigint();
    const receivedAt = Date.now();
    const callerGone = new AbortController();
    const record: RequestRecord = { requestId: requestIdFrom(req.headers['x-request-id']), errorCodes: [] };
    req.headers['x-request-id'] = record.requestId;
    res.setHeader('x-request-id', record.requestId);
    const pathname = new URL(req.url ?? '/', 'http://localhost').pathname;
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
        method: req.method,
        path: pathname,
        status,
        durationMs: Math.round(seconds * 10_000) / 10,
        ...(record.operationName !== undefined ? { operationName: record.operationName, operationType: record.operationType } : {}),
        ...(record.errorCodes.length ? { errorCodes: [...new Set(record.errorCodes)] } : {}),
        ...(record.caller ? { caller: record.caller } : {}),
      };
      if (route !== '/graphql') logger.debug(line, 'request');
      else if (status >= 500) logger.warn(line, 'request');
      else logger.info(line, 'request');
    });
    void (async () => {
      try {
        for (const route of routes) if (await route(req, res)) return;
        const url = new URL(req.url ?? '/', 'http://localhost');
        if (url.pathname !== '/graphql' && url.pathname !== '/') {
          sendJson(res, 404, { errors: [{ message: `no route for ${url.pathname}`, extensions: { code: 'NOT_FOUND' } }] });
          return;
        }
        const headers = new HeaderMap();
        for (const [key, value] of Object.entries(req.headers)) {
          if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
        }
        const body = await readJsonBody(req, limit);
        const response = await server.executeHTTPGraphQLRequest({
          httpGraphQLRequest: { method: (req.method ?? 'GET').toUpperCase(), headers, search: url.search, body },
          context: async () => {
            try {
              const context = await options.context({ req, body, receivedAt, callerGone: callerGone.signal });
              attachRecord(context, record);
              return context;
            } catch (error) {
              markError(error, record);
              throw error;
            }
          },
        });
        for (const [key, value] of response.headers) res.setHeader(key, value);
        res.statusCode = response.status ?? 200;
        if (response.body.kind === 'complete') {
          // Refused before Apollo's pipeline (a bad token while building the context): the codes are only in the body.
          if (!record.executed) record.errorCodes.push(...errorCodesOf(response.body.string));
          res.end(response.body.string);
          return;
        }
        for await (const chunk of response.body.asyncIterator) res.write(chunk);
        res.end();
      } catch (error) {
        if (res.headersSent) {
          res.destroy();
          return;
        }
        if (error instanceof RequestError) {
          record.errorCodes.push(String(error.extensions.code));
          sendJson(res, error.status, { errors: [{ message: error.message, extensions: error.extensions }] });
          return;
        }
        if (logger) logger.error({ err: error, requestId: record.requestId }, 'unexpected fault serving a request');
        else console.error(error);
        record.errorCodes.push(ErrorCode.INTERNAL_SERVER_ERROR);
        sendJson(res, 500, { errors: [{ message: 'Internal server error', extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR, requestId: record.requestId } }] });
      }
    })();
  });
  httpServer.on('clientError', answerUnparsableRequest);
  server.addPlugin(ApolloServerPluginDrainHttpServer({ httpServer, stopGracePeriodMillis: options.stopGracePeriodMillis }));
  await server.start();
  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(options.port, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = httpServer.address() as AddressInfo;
  const host = options.host && options.host !== '0.0.0.0' && options.host !== '::' ? options.host : '127.0.0.1';
  let stopped: Promise<void> | undefined;
  return {
    url: `http://${host}:${port}/graphql`,
    port,
    get stopping() {
      return stopped !== undefined;
    },
    // ApolloServer.stop() runs the drain plugin, which closes the HTTP server. Idempotent.
    stop: () => (stopped ??= server.stop()),
  };
}

function errorCodesOf(body: string): string[] {
  try {
    const parsed = JSON.parse(body) as { errors?: { extensions?: { code?: unknown } }[] };
    return (parsed.errors ?? []).map((e) => (typeof e.extensions?.code === 'string' ? e.extensions.code : 'UNKNOWN'));
  } catch {
    return [];
  }
}
