import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { HeaderMap, type ApolloServer, type BaseContext, type ContextFunction } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';

export interface HttpRequestInfo {
  req: http.IncomingMessage;
  /** The parsed JSON body of a POST (undefined for GET). */
  body: unknown;
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
}

export interface RunningHttpServer {
  url: string;
  port: number;
  stop(): Promise<void>;
}

/** Liveness: the process is up and its event loop turns. */
export const healthRoute: ExtraRoute = (req, res) => {
  if (req.url !== '/health') return false;
  sendJson(res, 200, { status: 'ok' });
  return true;
};

export function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  res.statusCode = status;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.end(JSON.stringify(body));
}

class RequestError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

async function readJsonBody(req: http.IncomingMessage, limit: number): Promise<unknown> {
  if (req.method !== 'POST') return undefined;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new RequestError(413, `request body exceeds ${limit} bytes`);
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.length === 0) return undefined;
  const contentType = req.headers['content-type'] ?? '';
  if (!contentType.startsWith('application/json') && !contentType.startsWith('application/graphql-response+json')) {
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
 * Serves an Apollo Server over plain node:http: GraphQL at `/graphql` (and `/`), plus the extra
 * routes (health, readiness). Modelled on @apollo/server's standalone server, which offers no
 * way to add routes; stopping drains in-flight requests before the server closes.
 */
export async function serveGraphQL<TContext extends BaseContext>(
  server: ApolloServer<TContext>,
  options: ServeOptions<TContext>,
): Promise<RunningHttpServer> {
  const routes = [healthRoute, ...(options.routes ?? [])];
  const limit = options.maxBodyBytes ?? 10 * 1024 * 1024;
  const httpServer = http.createServer((req, res) => {
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
          context: () => options.context({ req, body }),
        });
        for (const [key, value] of response.headers) res.setHeader(key, value);
        res.statusCode = response.status ?? 200;
        if (response.body.kind === 'complete') {
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
        const status = error instanceof RequestError ? error.status : 500;
        const message = error instanceof RequestError ? error.message : 'Internal server error';
        if (!(error instanceof RequestError)) console.error(error);
        sendJson(res, status, { errors: [{ message, extensions: { code: status === 500 ? 'INTERNAL_SERVER_ERROR' : 'BAD_REQUEST' } }] });
      }
    })();
  });
  server.addPlugin(ApolloServerPluginDrainHttpServer({ httpServer }));
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
    // ApolloServer.stop() runs the drain plugin, which closes the HTTP server. Idempotent.
    stop: () => (stopped ??= server.stop()),
  };
}
