import net from 'node:net';
import { ApolloServer } from '@apollo/server';
import { healthRoute, serveGraphQL, type RunningHttpServer } from '../../lib/http-server';

/** Sends `request` as written on a connection of its own; resolves with what came back once the server closes it or 5 s pass. */
function raw(server: RunningHttpServer, request: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect({ port: server.port, host: '127.0.0.1' });
    let answer = '';
    const done = () => {
      clearTimeout(patience);
      socket.destroy();
      resolve(answer);
    };
    const patience = setTimeout(done, 5_000);
    socket.on('data', (chunk: Buffer) => {
      answer += chunk.toString('utf8');
      // One answer is all a test sends for: its body is complete once its length has arrived.
      const length = /content-length: (\d+)/i.exec(answer);
      const bodyAt = answer.indexOf('\r\n\r\n');
      if (length && bodyAt >= 0 && Buffer.byteLength(answer.slice(bodyAt + 4)) >= Number(length[1])) done();
    });
    socket.on('error', done);
    socket.on('close', done);
    socket.write(request);
  });
}

const bodyOf = (answer: string) => JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)) as { errors?: { message: string; extensions: { code: string } }[]; data?: unknown };

/**
 * Node's HTTP parser takes request targets that the WHATWG URL parser refuses (`http://[/`,
 * `http://%/`, `http://:99999/`): every process of the platform serves through serveGraphQL, and
 * one such request line, sent without a token, must not stop it.
 */
describe('a request whose target is not a URL', () => {
  let server: RunningHttpServer;
  beforeAll(async () => {
    const apollo = new ApolloServer({ typeDefs: 'type Query { a: Int }', resolvers: { Query: { a: () => 1 } } });
    server = await serveGraphQL(apollo, { port: 0, context: async () => ({}), routes: [healthRoute] });
  });
  afterAll(() => server.stop());

  it.each(['http://[/health', 'http://%/graphql', 'http://:99999/graphql'])('(%s) is answered 400 BAD_REQUEST, and the server goes on serving', async (target) => {
    const answer = await raw(server, `GET ${target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`);
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    expect(bodyOf(answer).errors).toEqual([{ message: expect.stringContaining('request target'), extensions: expect.objectContaining({ code: 'BAD_REQUEST' }) }]);
    const response = await fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ a }' }) });
    expect(await response.json()).toEqual({ data: { a: 1 } });
  });

  it('in the absolute form HTTP/1.1 servers must take (`GET http://host/path`), is served as its path', async () => {
    const health = await raw(server, 'GET http://localhost/health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n');
    expect(health).toMatch(/^HTTP\/1\.1 200 /);
    const query = await raw(server, `GET http://localhost/graphql?query=${encodeURIComponent('{ a }')} HTTP/1.1\r\nHost: localhost\r\nApollo-Require-Preflight: true\r\nConnection: close\r\n\r\n`);
    expect(query).toMatch(/^HTTP\/1\.1 200 /);
    expect(bodyOf(query)).toEqual({ data: { a: 1 } });
  });
});

/**
 * A path no route serves (a mistyped address) is the address's fault, not an object's: its own
 * code, ROUTE_NOT_FOUND, where NOT_FOUND is an object an argument names (README, Errors).
 */
describe('a request for a path the server has no route for', () => {
  let server: RunningHttpServer;
  beforeAll(async () => {
    const apollo = new ApolloServer({ typeDefs: 'type Query { a: Int }', resolvers: { Query: { a: () => 1 } } });
    server = await serveGraphQL(apollo, { port: 0, context: async () => ({}), routes: [healthRoute] });
  });
  afterAll(() => server.stop());

  it('is answered 404 ROUTE_NOT_FOUND naming the path', async () => {
    const answer = await raw(server, 'GET /nothing HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n');
    expect(answer).toMatch(/^HTTP\/1\.1 404 /);
    expect(bodyOf(answer).errors).toEqual([{ message: 'no route for /nothing', extensions: { code: 'ROUTE_NOT_FOUND' } }]);
  });
});
