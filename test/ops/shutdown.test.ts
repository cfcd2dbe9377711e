import { ApolloServer } from '@apollo/server';
import { serveGraphQL } from '../../lib/http-server';
import { readinessRoute } from '../../lib/readiness';

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
      expect(await response.json()).toEqual({ status: 'not ready', checks: { server: { ok: false, detail: 'shutting down' } } });
    } finally {
      await http.stop();
    }
  });
});
