import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { composeServices } from '@apollo/composition';
import { ApolloServer } from '@apollo/server';
import { parse } from 'graphql';
import { Agent, request } from 'undici';
import { crossSiteRequestRoute } from '../../gateway/cross-site-requests';
import { serveGateway } from '../../gateway/serve';
import { serveGraphQL, type ExtraRoute } from '../../lib/http-server';
import { internalCallTimeoutMs } from '../../lib/internal-client';
import { connectionFailure, send } from '../../lib/platform-http';
import { catalogueFingerprint } from '../../lib/catalogue/fingerprint';
import { shortestTimeoutMs, timeoutHeader } from '../../lib/deadline';
import { createLogger } from '../../lib/logger';
import { readinessRoute } from '../../lib/readiness';
import { forceAfterGraceMs } from '../../lib/shutdown';
import { eventually } from '../helpers/processes';

describe('stopping a server (graceful shutdown)', () => {
  it('refuses new connections at once and lets the request in flight finish', async () => {
    let entered: () => void = () => {};
    const inResolver = new Promise<void>((resolve) => (entered = resolve));
    let release: () => void = () => {};
    const released = new Promise<void>((resolve) => (release = resolve));
    const server = new ApolloServer({
      typeDefs: 'type Query { slow: String }',
      resolvers: { Query: { slow: async () => (entered(), await released, 'finished') } },
    });
    let stopping = false;
    const http = await serveGraphQL(server, {
      port: 0,
      context: async () => ({}),
      routes: [readinessRoute(async () => ({}), () => stopping)],
      stopGracePeriodMillis: 10_000,
    });
    const origin = new URL(http.url).origin;
    try {
      const inFlight = fetch(http.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ slow }' }), signal: AbortSignal.timeout(15_000) });
      await inResolver;
      expect((await fetch(`${origin}/ready`, { headers: { connection: 'close' } })).status).toBe(200);

      const stopped = http.stop();
      stopping = http.stopping;
      expect(stopping).toBe(true);
      // Closed for new connections at once, while the request in flight is still running.
      await expect(fetch(`${origin}/health`, { headers: { connection: 'close' }, signal: AbortSignal.timeout(5_000) })).rejects.toThrow();

      release();
      const response = await inFlight;
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ data: { slow: 'finished' } });
      await stopped;
    } finally {
      release();
      await http.stop();
    }
  });

  it('reports not ready from the moment it stops', async () => {
    const route = readinessRoute(async () => ({ database: { ok: true } }), () => true);
    const server = new ApolloServer({ typeDefs: 'type Query { a: Int }' });
    const http = await serveGraphQL(server, { port: 0, context: async () => ({}), routes: [route] });
    try {
      const response = await fetch(`${new URL(http.url).origin}/ready`);
      expect(response.status).toBe(503);
      expect(await response.json()).toEqual({ status: 'not ready', catalogueFingerprint, checks: { server: { ok: false, detail: 'shutting down' } } });
    } finally {
      await http.stop();
    }
  });
});

/** One request over `agent` (its connections kept alive): status, headers, body, and whether it went over a connection already used. */
function post(agent: http.Agent, url: string, query: string, headers: http.OutgoingHttpHeaders = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string; reusedSocket: boolean }> {
  return new Promise((resolve, reject) => {
    const body = JSON.stringify({ query });
    const req = http.request(url, { method: 'POST', agent, headers: { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text, reusedSocket: req.reusedSocket }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

// A probe: SIGTERM to the gateway under keep-alive load. Clients kept sending on the connections
// they held; the server ran those requests (a credit check stored, reads audited DISCLOSED) but
// could no longer answer them (logged 499, the client saw a socket error), and stop() resolved,
// and the process exited, while a request whose connection was gone still ran.
describe('stopping a server with connections kept alive', () => {
  let release: () => void = () => {};
  let released: Promise<void>;
  let entered: () => void = () => {};
  let inResolver: Promise<void>;
  let bumps: number;
  let slowDone: boolean;
  beforeEach(() => {
    released = new Promise<void>((resolve) => (release = resolve));
    inResolver = new Promise<void>((resolve) => (entered = resolve));
    bumps = 0;
    slowDone = false;
  });
  const start = (stopGracePeriodMillis = 10_000, crossOrigin?: ExtraRoute) =>
    serveGraphQL(
      new ApolloServer({
        typeDefs: 'type Query { slow: String } type Mutation { bump(ms: Int): Int }',
        resolvers: {
          Query: { slow: async () => (entered(), await released, (slowDone = true), 'finished') },
          Mutation: { bump: async (_: unknown, { ms }: { ms?: number }) => (ms && (await new Promise((resolve) => setTimeout(resolve, ms))), ++bumps) },
        },
      }),
      { port: 0, context: async () => ({}), stopGracePeriodMillis, crossOrigin },
    );

  it('refuses a request sent on a kept-alive connection after stop() began (503 SHUTTING_DOWN, Connection: close) without running it', async () => {
    const served = await start();
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const first = await post(agent, served.url, 'mutation { bump }');
      expect([first.status, first.headers.connection]).toEqual([200, 'keep-alive']);
      const inFlight = fetch(served.url, { method: 'POST', headers: { 'content-type': 'application/json', connection: 'close' }, body: JSON.stringify({ query: '{ slow }' }), signal: AbortSignal.timeout(15_000) });
      await inResolver;

      const stopped = served.stop();
      await new Promise((resolve) => setTimeout(resolve, 20));
      const refused = await post(agent, served.url, 'mutation { bump }');
      expect(refused.reusedSocket).toBe(true);
      expect(refused.status).toBe(503);
      expect(refused.headers.connection).toBe('close');
      expect(refused.headers['retry-after']).toBe('5');
      expect(JSON.parse(refused.body)).toEqual({ errors: [{ message: expect.stringMatching(/shutting down/), extensions: { code: 'SHUTTING_DOWN', retryAfterSeconds: 5 } }] });
      expect(bumps).toBe(1);

      release();
      const answered = await inFlight;
      expect(answered.status).toBe(200);
      expect(await answered.json()).toEqual({ data: { slow: 'finished' } });
      await stopped;
    } finally {
      release();
      agent.destroy();
      await served.stop();
    }
  });

  /** The gateway's CORS headers were set among its routes, after the stop's refusal: a browser saw a network error. */
  it('lets a front end on a CORS origin read the 503 SHUTTING_DOWN', async () => {
    const frontEnd = 'http://localhost:5173';
    const served = await start(10_000, crossSiteRequestRoute([frontEnd]));
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const first = await post(agent, served.url, 'mutation { bump }', { origin: frontEnd });
      expect(first.headers['access-control-allow-origin']).toBe(frontEnd);
      const inFlight = fetch(served.url, { method: 'POST', headers: { 'content-type': 'application/json', connection: 'close' }, body: JSON.stringify({ query: '{ slow }' }), signal: AbortSignal.timeout(15_000) });
      await inResolver;
      const stopped = served.stop();
      await new Promise((resolve) => setTimeout(resolve, 20));
      const refused = await post(agent, served.url, 'mutation { bump }', { origin: frontEnd });
      expect([refused.reusedSocket, refused.status, JSON.parse(refused.body).errors[0].extensions.code]).toEqual([true, 503, 'SHUTTING_DOWN']);
      expect(refused.headers['access-control-allow-origin']).toBe(frontEnd);
      expect(refused.headers['access-control-expose-headers']).toContain('retry-after');
      expect(bumps).toBe(1);
      release();
      expect((await inFlight).status).toBe(200);
      await stopped;
    } finally {
      release();
      agent.destroy();
      await served.stop();
    }
  });

  it('answers a request in flight on a kept-alive connection with Connection: close', async () => {
    const served = await start();
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      await post(agent, served.url, 'mutation { bump }');
      const inFlight = post(agent, served.url, '{ slow }');
      await inResolver;
      const stopped = served.stop();
      release();
      const answered = await inFlight;
      expect([answered.status, answered.headers.connection, JSON.parse(answered.body)]).toEqual([200, 'close', { data: { slow: 'finished' } }]);
      await stopped;
    } finally {
      release();
      agent.destroy();
      await served.stop();
    }
  });

  it("sends a platform call the stopping server refused unrun once more, on a new connection, and fails it as one that ran nothing when that is refused too, not as the server's answer", async () => {
    const served = await start();
    try {
      const call = () => send(served.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: 'mutation { bump }' }), timeoutMs: 5_000, service: 'records' });
      expect((await call()).status).toBe(200);
      const inFlight = fetch(served.url, { method: 'POST', headers: { 'content-type': 'application/json', connection: 'close' }, body: JSON.stringify({ query: '{ slow }' }) });
      await inResolver;
      const stopped = served.stop();
      // On the connection the platform's pool kept alive: refused unrun (PeerShuttingDown); on a
      // new one, refused, as the server listens no more.
      const refused = await call().catch((error: unknown) => error);
      expect(connectionFailure(refused)).toBe('unsent');
      expect(refused).toMatchObject({ code: 'ECONNREFUSED' });
      expect(bumps).toBe(1);
      release();
      expect((await inFlight).status).toBe(200);
      await stopped;
    } finally {
      release();
      await served.stop();
    }
  });

  it('resolves stop() only once a request in flight is done, even when its caller went away', async () => {
    const served = await start();
    try {
      const client = http.request(served.url, { method: 'POST', headers: { 'content-type': 'application/json' } });
      client.on('error', () => {});
      client.end(JSON.stringify({ query: '{ slow }' }));
      await inResolver;
      client.destroy();
      await new Promise((resolve) => setTimeout(resolve, 50));

      const order: string[] = [];
      const stopped = served.stop().then(() => order.push('stopped'));
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(order).toEqual([]);
      release();
      await released;
      order.push('released');
      await stopped;
      expect(order).toEqual(['released', 'stopped']);
      expect(slowDone).toBe(true);
    } finally {
      release();
      await served.stop();
    }
  });

  it('cuts the connections of the requests still running when the grace period is over', async () => {
    const served = await start(300);
    try {
      const inFlight = fetch(served.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ slow }' }) }).then(
        (response) => response.status,
        (error: Error) => (error.cause as { code?: string } | undefined)?.code ?? error.message,
      );
      await inResolver;
      const started = Date.now();
      await served.stop();
      expect(Date.now() - started).toBeGreaterThanOrEqual(290);
      expect(await inFlight).toBe('UND_ERR_SOCKET');
    } finally {
      release();
      await served.stop();
    }
  });

  // A probe on a poor mobile line: at the end of the grace period a request still uploading its
  // body was cut with a bare FIN though nothing of it ran, and the request cut while running left
  // no line in the log saying so.
  it('at the end of the grace period refuses unrun a request whose body is still arriving (503 SHUTTING_DOWN), and logs each request it cuts', async () => {
    const lines: Record<string, unknown>[] = [];
    const logger = createLogger('test', { destination: { write: (line: string) => void lines.push(JSON.parse(line)) } });
    const served = await serveGraphQL(
      new ApolloServer({ typeDefs: 'type Query { slow: String }', resolvers: { Query: { slow: async () => (entered(), await released, 'finished') } } }),
      { port: 0, context: async () => ({}), stopGracePeriodMillis: 300, logger },
    );
    try {
      const running = fetch(served.url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-request-id': 'running-when-cut' }, body: JSON.stringify({ query: '{ slow }' }) }).catch(() => 'cut');
      await inResolver;
      // Its headers and half its body sent; the rest never comes in time.
      const body = JSON.stringify({ query: '{ slow }' });
      const uploading = http.request(served.url, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'x-request-id': 'still-uploading' } });
      const answer = new Promise<{ status: number; body: string }>((resolve, reject) => {
        uploading.on('response', (res) => {
          let text = '';
          res.on('data', (chunk: Buffer) => (text += chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
        });
        uploading.on('error', reject);
      });
      uploading.write(body.slice(0, 5));
      await new Promise((resolve) => setTimeout(resolve, 100));
      await served.stop();
      const refused = await answer;
      expect(refused.status).toBe(503);
      expect(JSON.parse(refused.body)).toEqual({ errors: [{ message: expect.stringMatching(/nothing of this request ran/), extensions: { code: 'SHUTTING_DOWN', retryAfterSeconds: 5 } }] });
      expect(await running).toBe('cut');
      const cut = lines.filter((line) => line.gracePeriodMs === 300 && line.requestId);
      expect(cut).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ level: 'warn', requestId: 'running-when-cut', method: 'POST', path: '/graphql', outcome: 'cut unanswered: it may have run' }),
          expect.objectContaining({ level: 'warn', requestId: 'still-uploading', method: 'POST', path: '/graphql', outcome: 'refused unrun: 503 SHUTTING_DOWN' }),
        ]),
      );
      // And their request lines, written before stop() resolves (the process exits then).
      expect(lines.filter((line) => line.msg === 'request').map((line) => [line.requestId, line.status])).toEqual(expect.arrayContaining([['running-when-cut', 499], ['still-uploading', 503]]));
    } finally {
      release();
      await served.stop();
    }
  });

  it('under load from 32 kept-alive clients, answers every request it ran and refuses the rest cleanly', async () => {
    const served = await start();
    // One connection per client, opened while warming up: the load then runs on connections kept alive, as the probe's did.
    const dispatcher = new Agent({ keepAliveTimeout: 30_000, connections: 32 });
    const answered: number[] = [];
    const answeredBy = new Set<number>();
    const outcomes: Record<string, number> = {};
    const count = (outcome: string) => (outcomes[outcome] = (outcomes[outcome] ?? 0) + 1);
    let stopping = false;
    const client = async (i: number) => {
      for (;;) {
        try {
          const response = await request(served.url, { method: 'POST', dispatcher, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: `mutation { bump(ms: ${1 + Math.floor(Math.random() * 20)}) }` }) });
          const body = (await response.body.json()) as { data?: { bump: number }; errors?: { extensions: { code: string } }[] };
          if (response.statusCode === 200 && body.data) {
            answered.push(body.data.bump);
            answeredBy.add(i);
          } else count(`${response.statusCode} ${body.errors?.[0]?.extensions.code}`);
        } catch (error) {
          count((error as { code?: string }).code ?? String(error));
          // A connection refused, or anything else once stopping: this client is done.
          if (stopping) return;
        }
      }
    };
    try {
      const clients = Array.from({ length: 32 }, (_, i) => client(i));
      const warm = Date.now() + 20_000;
      while ((answeredBy.size < 32 || answered.length < 200) && Date.now() < warm) await new Promise((resolve) => setTimeout(resolve, 10));
      expect(answeredBy.size).toBe(32);
      stopping = true;
      await served.stop();
      await Promise.all(clients);
      // Every request the server ran was answered: none ran for a client that saw an error.
      expect(answered.length).toBe(bumps);
      // Everything else: refused before it ran, a 503 on a connection it had, or a new connection refused.
      expect(Object.keys(outcomes).filter((outcome) => outcome !== '503 SHUTTING_DOWN' && outcome !== 'ECONNREFUSED')).toEqual([]);
      expect(outcomes.ECONNREFUSED).toBe(32);
    } finally {
      await dispatcher.close();
      await served.stop();
    }
  });
});

// A probe: REQUEST_TIMEOUT_MS=SUBGRAPH_TIMEOUT_MS=30000, and a credit check in flight at SIGTERM
// was cut after the fixed 10 s of grace, stored and never answered.
describe('stopping the gateway', () => {
  const books = parse(/* GraphQL */ `
    extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])
    type Query { books: [String!]! }
  `);
  const supergraphAt = (url: string) => composeServices([{ name: 'books', url, typeDefs: books }]).supergraphSdl!;
  const supergraphSdl = supergraphAt('http://127.0.0.1:9/graphql');

  it.each([
    [10_000, 10_000],
    [30_000, 30_000],
    [600_000, 100],
  ])('waits for its requests in flight as long as REQUEST_TIMEOUT_MS=%i and SUBGRAPH_TIMEOUT_MS=%i let one take, and gives up on its stop only after that', async (requestTimeoutMs, subgraphTimeoutMs) => {
    const served = await serveGateway({ supergraphSdl, tokens: null, signingKey: new Uint8Array(32).fill(7), accessControl: false, requestTimeoutMs, subgraphTimeoutMs, port: 0 });
    try {
      // Its calls, then the refused subject's lookup (one subgraph call), the consent's re-check and the audit append (behind one write under way).
      const longestAnswer = requestTimeoutMs + subgraphTimeoutMs + 3 * internalCallTimeoutMs;
      expect(served.stopGracePeriodMillis).toBe(longestAnswer);
      expect(forceAfterGraceMs(served.stopGracePeriodMillis)).toBeGreaterThan(longestAnswer);
    } finally {
      await served.stop();
    }
  });

  /**
   * The books subgraph as the gateway calls it: each call's query and the time the gateway gave it
   * (its timeout header). An operation named Long is answered after 1.5 s; any other is held until
   * the gateway gives up on it.
   */
  async function booksSubgraph() {
    const calls: { query: string; timeoutMs: number }[] = [];
    const server = http.createServer((req, res) => {
      let text = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => (text += chunk));
      req.on('end', () => {
        const { query } = JSON.parse(text) as { query: string };
        calls.push({ query, timeoutMs: Number(req.headers[timeoutHeader]) });
        if (!/query Long__/.test(query)) return;
        setTimeout(() => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ data: { books: ['finished'] } })), 1_500);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return {
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`,
      calls,
      close: () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
    };
  }

  /** A POST whose headers and first half of its body are sent now (`started` once written), the rest by `finish`: an upload on a slow line. */
  function upload(url: string, query: string): { started: Promise<void>; finish: () => void; answer: Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string } | string> } {
    const body = JSON.stringify({ query });
    const req = http.request(url, { method: 'POST', agent: false, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } });
    const answer = new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string } | string>((resolve) => {
      req.on('response', (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
      });
      // Cut without an answer: told as what the client saw.
      req.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    });
    const started = new Promise<void>((resolve) => req.write(body.slice(0, body.length >> 1), () => resolve()));
    return { started, finish: () => req.end(body.slice(body.length >> 1)), answer };
  }

  // From the review of fa2077b and b033e4f: a request's time counts from when its body has
  // arrived, and the grace from the stop, so an upload that ended late in the grace period got its
  // whole REQUEST_TIMEOUT_MS and was cut at the grace period's end, unanswered, having perhaps run.
  it('answers within its grace period a request in flight and every request whose upload ends during the stop, or refuses it unrun', async () => {
    const requestTimeoutMs = 3_000;
    const subgraphTimeoutMs = 3_000;
    const subgraph = await booksSubgraph();
    const lines: Record<string, unknown>[] = [];
    const logger = createLogger('test', { destination: { write: (line: string) => void lines.push(JSON.parse(line)) } });
    const served = await serveGateway({ supergraphSdl: supergraphAt(subgraph.url), tokens: null, signingKey: new Uint8Array(32).fill(7), accessControl: false, requestTimeoutMs, subgraphTimeoutMs, port: 0, logger });
    const since = (at: number) => Date.now() - at;
    try {
      // 21 s: the time a request's calls may take, and what may follow them (18 s).
      const graceMs = served.stopGracePeriodMillis;
      expect(graceMs).toBe(requestTimeoutMs + subgraphTimeoutMs + 3 * internalCallTimeoutMs);
      const inFlight = fetch(served.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: 'query Long { books }' }) });
      const uploadedEarly = upload(served.url, 'query Early { books }');
      const uploadedLate = upload(served.url, 'query Late { books }');
      await eventually('the request in flight calling the subgraph', () => subgraph.calls.length === 1);
      // Their headers and half their bodies taken.
      await Promise.all([uploadedEarly.started, uploadedLate.started]);
      await new Promise((resolve) => setTimeout(resolve, 200));
      const stoppedAt = Date.now();
      const stopped = served.stop().then(() => since(stoppedAt));

      // Its upload ends a second into the stop: its calls get what is left of the time a request
      // taken at the stop has, so that what follows them still fits in the grace period.
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      uploadedEarly.finish();
      await eventually('the early upload calling the subgraph', () => subgraph.calls.length === 2);
      expect(subgraph.calls[1].query).toMatch(/query Early__/);
      expect(subgraph.calls[1].timeoutMs).toBeGreaterThan(0);
      expect(subgraph.calls[1].timeoutMs).toBeLessThanOrEqual(requestTimeoutMs - 1_000);
      const early = await uploadedEarly.answer;
      expect(early).toMatchObject({ status: 200, headers: { connection: 'close' } });
      expect(JSON.parse((early as { body: string }).body)).toEqual({
        data: null,
        // The code and reason of any request out of time; the message says why it had so little.
        errors: [{ message: expect.stringMatching(/^the books subgraph did not answer within \d+ ms, the time the request had left, cut short because the gateway is stopping$/), path: ['books'], extensions: { code: 'SUBGRAPH_UNAVAILABLE', reason: 'TIMEOUT', serviceName: 'books', retryAfterSeconds: 5 } }],
      });

      // The request in flight at the stop is answered after it (a 1.5 s call).
      const answered = await inFlight;
      expect([answered.status, answered.headers.get('connection'), await answered.json()]).toEqual([200, 'close', { data: { books: ['finished'] } }]);

      // Its upload ends in the grace period's last SUBGRAPH_TIMEOUT_MS, too late for a time of its
      // own to end in time for its answer: refused unrun, not run to be cut (a call of its whole
      // time, held, would outlast the grace period).
      await new Promise((resolve) => setTimeout(resolve, graceMs - subgraphTimeoutMs + 1_000 - since(stoppedAt)));
      uploadedLate.finish();
      const late = await uploadedLate.answer;
      expect(late).toMatchObject({ status: 503, headers: { connection: 'close', 'retry-after': '5' } });
      expect(JSON.parse((late as { body: string }).body)).toEqual({ errors: [{ message: expect.stringMatching(/nothing of this request ran/), extensions: { code: 'SHUTTING_DOWN', retryAfterSeconds: 5 } }] });
      expect(subgraph.calls).toHaveLength(2);

      expect(await stopped).toBeLessThan(graceMs);
      expect(lines.filter((line) => /stop grace period over/.test(String(line.msg)))).toEqual([]);
      expect(lines.filter((line) => line.msg === 'request').map((line) => [line.operationName ?? null, line.status, line.errorCodes])).toEqual(
        expect.arrayContaining([
          ['Long', 200, undefined],
          ['Early', 200, ['SUBGRAPH_UNAVAILABLE']],
          [null, 503, ['SHUTTING_DOWN']],
        ]),
      );
    } finally {
      await served.stop();
      await subgraph.close();
    }
  }, 60_000);

  // From the last review: an upload ending just before the point past which none is run was run
  // with what was left, a few milliseconds, and told TIMEOUT (a mutation perhaps that whether it was
  // stored is not known) where nothing had to run at all.
  it('refuses unrun an upload that ends with less than the least time a request is given left before its answer must begin', async () => {
    let ran = 0;
    const answerAfterDeadlineMillis = 1_000;
    const stopGracePeriodMillis = 2_000;
    const served = await serveGraphQL(new ApolloServer({ typeDefs: 'type Query { books: [String!]! }', resolvers: { Query: { books: () => (ran++, ['ran']) } } }), {
      port: 0,
      context: async () => ({}),
      stopGracePeriodMillis,
      answerAfterDeadlineMillis,
    });
    try {
      const uploaded = upload(served.url, '{ books }');
      await uploaded.started;
      await new Promise((resolve) => setTimeout(resolve, 100));
      const stoppedAt = Date.now();
      const stopped = served.stop();
      // Past grace period - answerAfterDeadlineMillis into the stop nothing is run; it ends half the
      // least time before that (a late timer ends it later, which is refused the more).
      const endsAt = stopGracePeriodMillis - answerAfterDeadlineMillis - shortestTimeoutMs / 2;
      await new Promise((resolve) => setTimeout(resolve, endsAt - (Date.now() - stoppedAt)));
      uploaded.finish();
      const answer = await uploaded.answer;
      expect(answer).toMatchObject({ status: 503, headers: { connection: 'close', 'retry-after': '5' } });
      expect(JSON.parse((answer as { body: string }).body)).toEqual({ errors: [{ message: expect.stringMatching(/nothing of this request ran/), extensions: { code: 'SHUTTING_DOWN', retryAfterSeconds: 5 } }] });
      expect(ran).toBe(0);
      await stopped;
    } finally {
      await served.stop();
    }
  });
});
