import net from 'node:net';
import { ApolloServer } from '@apollo/server';
import { serveGraphQL, type RunningHttpServer } from '../../lib/http-server';

/** How long the test waits for the server to give up on a slow request: a hang, not a measurement. */
const patienceMs = 15_000;

/**
 * Sends the start of a request, then the rest of it a byte at a time, on a connection that stays
 * open on the client's side (half-open) as a hostile client's would. Resolves with what the server
 * wrote and whether it closed the connection within `patienceMs`.
 */
function trickle(server: RunningHttpServer, start: string): Promise<{ answer: string; closed: boolean }> {
  return new Promise((resolve) => {
    const socket = net.connect({ port: server.port, host: '127.0.0.1', allowHalfOpen: true });
    let answer = '';
    const drip = setInterval(() => socket.writable && socket.write('{'), 50);
    const done = (closed: boolean) => {
      clearInterval(drip);
      clearTimeout(patience);
      socket.destroy();
      resolve({ answer, closed });
    };
    const patience = setTimeout(() => done(false), patienceMs);
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString('utf8')));
    socket.on('error', () => {});
    socket.on('close', () => done(true));
    socket.write(start);
  });
}

describe('a request that arrives slowly', () => {
  let server: RunningHttpServer;
  beforeAll(async () => {
    const apollo = new ApolloServer({ typeDefs: 'type Query { a: Int }', resolvers: { Query: { a: () => 1 } } });
    server = await serveGraphQL(apollo, { port: 0, context: async () => ({}), requestArrivalLimitMillis: 500 });
  });
  afterAll(() => server.stop());

  it('is answered 408 BAD_REQUEST and its connection closed once its body takes longer than the bound', async () => {
    const { answer, closed } = await trickle(server, 'POST /graphql HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 1000000\r\n\r\n');
    expect(closed).toBe(true);
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    // The request's own answer (its id), so that its log line and metrics count a 408, not a client gone.
    expect(answer.toLowerCase()).toMatch(/x-request-id: [0-9a-f-]{36}/);
    expect(answer.toLowerCase()).toContain('connection: close');
    const body = JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)) as { errors: { message: string; extensions: { code: string } }[] };
    // Nothing was run: a front end may offer to send it again (problem), which BAD_REQUEST alone would not say.
    expect(body.errors).toEqual([{ message: expect.stringContaining('took too long to arrive, and nothing of it was run'), extensions: expect.objectContaining({ code: 'BAD_REQUEST', problem: 'ARRIVED_TOO_SLOWLY' }) }]);
  });

  it('is answered 408 and closed when its headers take longer than the bound', async () => {
    const { answer, closed } = await trickle(server, 'POST /graphql HTTP/1.1\r\nHost: localhost\r\nX-Slow: ');
    expect(closed).toBe(true);
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
  });

  /** What the server answers a client that sends `bytes`, then half-closes (its FIN) and waits for the answer. */
  const answerToHalfClosed = (bytes: string) =>
    new Promise<string>((resolve) => {
      const socket = net.connect({ port: server.port, host: '127.0.0.1', allowHalfOpen: true });
      let received = '';
      socket.on('data', (chunk: Buffer) => (received += chunk.toString('utf8')));
      socket.on('error', () => {});
      socket.on('close', () => resolve(received));
      socket.end(bytes);
    });

  it('is answered 400 BODY_INCOMPLETE, nothing of it run, when its client half-closes in the middle of its body', async () => {
    // A mobile link dropping the upload: the client's side ends (its FIN) with half the body sent, and it waits for the answer.
    const answer = await answerToHalfClosed('POST /graphql HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 40\r\n\r\n{"query": "{ a');
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    const body = JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)) as { errors: { message: string; extensions: { code: string } }[] };
    expect(body.errors).toEqual([{ message: expect.stringContaining('before all of its body had arrived'), extensions: { code: 'BAD_REQUEST', problem: 'BODY_INCOMPLETE' } }]);
  });

  // Its message spoke of the body. The problem stays BODY_INCOMPLETE, which front ends switch on:
  // nothing of it ran either way, and it may be sent again.
  it('is answered 400 BODY_INCOMPLETE saying its headers were cut short, when its client half-closes in the middle of them', async () => {
    const answer = await answerToHalfClosed('POST /graphql HTTP/1.1\r\nHost: localhost\r\nContent-Le');
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    const body = JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)) as { errors: { message: string; extensions: { code: string } }[] };
    expect(body.errors).toEqual([
      {
        message: "the request was cut short: the connection was closed on the client's side before all of its headers had arrived, and nothing of it was run; send it again",
        extensions: { code: 'BAD_REQUEST', problem: 'BODY_INCOMPLETE' },
      },
    ]);
  });

  // From the review of cc4c274: the refusal stayed registered while a request whose body had all
  // arrived ran, so a next request's first bytes and the client's FIN told the one that ran
  // "nothing of it was run; send it again", a resend applying it twice.
  it('never tells a request whose body had all arrived that nothing of it ran, when the next one on its connection is cut short', async () => {
    let ran = 0;
    let release = () => {};
    const released = new Promise<void>((resolve) => (release = resolve));
    let entered = () => {};
    const inResolver = new Promise<void>((resolve) => (entered = resolve));
    const storing = await serveGraphQL(
      new ApolloServer({ typeDefs: 'type Query { a: Int } type Mutation { store: Int }', resolvers: { Mutation: { store: async () => (entered(), await released, (ran += 1)) } } }),
      { port: 0, context: async () => ({}) },
    );
    try {
      const body = JSON.stringify({ query: 'mutation { store }' });
      const socket = net.connect({ port: storing.port, host: '127.0.0.1', allowHalfOpen: true });
      let received = '';
      socket.on('data', (chunk: Buffer) => (received += chunk.toString('utf8')));
      socket.on('error', () => {});
      const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
      await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
      socket.write(`POST /graphql HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
      await inResolver;
      socket.end('POST /graphql HTTP/1.1\r\nHost: localhost\r\nContent-Le');
      await new Promise((resolve) => setTimeout(resolve, 300));
      release();
      await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, patienceMs))]);
      expect(ran).toBe(1);
      expect(received).not.toMatch(/BODY_INCOMPLETE|nothing of it was run/);
    } finally {
      release();
      await storing.stop();
    }
  });

  it('leaves a request that arrives within the bound answered as usual', async () => {
    const response = await fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ a }' }) });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ data: { a: 1 } });
  });
});
