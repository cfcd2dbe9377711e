import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { serveGateway } from '../../gateway/serve';
import { supergraphPath } from '../../schema/subgraphs';
import { mintToken } from '../../scripts/demo/callers';
import { postGraphQL } from '../helpers/graphql';
import { supervisor } from '../helpers/platform';
import { LogCapture, startOpsPlatform, type OpsPlatform } from '../ops/ops-platform';

/** What must never reach a client, whatever failed. */
function expectNothingInternal(body: string): void {
  expect(body).not.toMatch(/no such table|SQLITE|SELECT|SQLSTATE|stacktrace|\bat \S+ \(|\.ts:\d+|\.js:\d+|127\.0\.0\.1|localhost|db-internal/i);
}

describe('an unexpected fault in a subgraph, through the gateway', () => {
  let platform: OpsPlatform;
  beforeAll(async () => {
    platform = await startOpsPlatform({ kind: 'sqlite', directory: ':memory:' });
    // A fault no code path expects: the records subgraph's main table is gone.
    await platform.databases.records.query('DROP TABLE credit_record');
  });
  afterAll(() => platform?.stop());

  it('answers INTERNAL_SERVER_ERROR with the request id, and logs the real error under that id', async () => {
    const token = await platform.token(supervisor.caller!);
    const response = await fetch(platform.gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'x-request-id': 'masking-test-0001', ...supervisor.headers },
      body: JSON.stringify({ query: '{ creditRecord(id: "00000000-0000-0000-0000-000000000001") { summary } }' }),
      signal: AbortSignal.timeout(10_000),
    });
    // The gateway's own id, not the client's: it is what the answer, the logs and the audit log name.
    const requestId = response.headers.get('x-request-id')!;
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    const body = await response.text();
    const { errors } = JSON.parse(body) as { errors: { message: string; extensions: Record<string, unknown> }[] };
    expect(errors).toHaveLength(1);
    expect(errors[0].message).toBe('Internal server error');
    expect(errors[0].extensions).toMatchObject({ code: 'INTERNAL_SERVER_ERROR', requestId });
    expectNothingInternal(body);

    // The operator looks the request id up: the subgraph's line carries the SQL error itself (a
    // failed statement's kind and message, never its values).
    const logged = platform.logs.records.withRequestId(requestId).filter((l) => l.msg === 'unexpected error');
    expect(logged).toHaveLength(1);
    expect(JSON.stringify(logged[0].failure)).toMatch(/no such table: credit_record/);
  });
});

describe('a request Apollo refuses without a code', () => {
  let platform: OpsPlatform;
  beforeAll(async () => {
    platform = await startOpsPlatform({ kind: 'sqlite', directory: ':memory:' });
  });
  afterAll(() => platform?.stop());

  // A hash with a mismatched text was masked as INTERNAL_SERVER_ERROR (the fuzz test, seed 4242).
  // A shared cache of persisted queries also told anyone, without a token, whether someone had
  // sent a given text (a lookup naming a person's ID number): the gateway keeps none.
  it('answers any persisted query, hash alone or with its text, as not supported, typed, and runs nothing', async () => {
    const query = '{ departments { code } }';
    const sha256Hash = createHash('sha256').update(query).digest('hex');
    const send = (body: unknown) =>
      fetch(platform.gatewayUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal: AbortSignal.timeout(10_000) });
    for (const body of [
      { query, extensions: { persistedQuery: { version: 1, sha256Hash } } },
      { extensions: { persistedQuery: { version: 1, sha256Hash } } },
      { query: '{ __typename }', extensions: { persistedQuery: { version: 1, sha256Hash: '00' } } },
    ]) {
      const response = await send(body);
      const answer = (await response.json()) as { data?: unknown; errors: { extensions: { code: string } }[] };
      expect(answer.data).toBeUndefined();
      expect(answer.errors.map((e) => e.extensions.code)).toEqual(['PERSISTED_QUERY_NOT_SUPPORTED']);
    }
  });
});

describe('a subgraph answering with an internal page, through the gateway', () => {
  it('answers SUBGRAPH_UNAVAILABLE: no host name, stack or SQL from the page reaches the client; the log names the address and its status once', async () => {
    const leaky = http.createServer((_req, res) => {
      res.writeHead(500, { 'content-type': 'text/html' });
      res.end('<pre>SQLSTATE[42S02]: SELECT * FROM provider at db-internal.bdh.example:3306\n    at Object.query (/srv/providers/index.js:12:7)</pre>');
    });
    await new Promise<void>((resolve) => leaky.listen(0, '127.0.0.1', resolve));
    const logs = new LogCapture();
    const secret = new Uint8Array(randomBytes(32));
    const gateway = await serveGateway({
      supergraphSdl: fs.readFileSync(supergraphPath, 'utf8'),
      subgraphUrls: { providers: `http://127.0.0.1:${(leaky.address() as AddressInfo).port}/graphql` },
      tokens: { keys: { kind: 'secret', secret }, issuer: 'beidaihe-credit-platform', audience: 'beidaihe-credit-api' },
      signingKey: new Uint8Array(randomBytes(32)),
      port: 0,
      logger: logs.logger('gateway'),
    });
    try {
      const ask = async (n: number) =>
        postGraphQL(gateway.url, { query: '{ creditServiceProviders(first: 1) { totalCount } }' }, {
          authorization: `Bearer ${await mintToken(supervisor.caller!, secret)}`,
          'x-request-id': `masking-test-000${n}`,
          ...supervisor.headers,
        });
      const result = await ask(2);
      // The client learns which subgraph failed and that its answer was not GraphQL, nothing more.
      expect(result.errors?.map((e) => e.extensions)).toEqual([{ code: 'SUBGRAPH_UNAVAILABLE', reason: 'BAD_RESPONSE', retryAfterSeconds: 5, serviceName: 'providers' }]);
      expectNothingInternal(JSON.stringify(result));
      await ask(3);
      // The operator reads it as an outage: one error line per window (not a stack per request),
      // naming the address called and what it answered, whatever the URL's mistake is.
      const logged = logs.lines.filter((l) => typeof l.msg === 'string' && l.msg.startsWith('the providers subgraph answers something that is not a GraphQL response'));
      expect(logged).toEqual([expect.objectContaining({ level: 'error', subgraph: 'providers', outcome: 'bad_response', cause: `http://127.0.0.1:${(leaky.address() as AddressInfo).port}/graphql answered 500: Internal Server Error`, callsSinceLastLine: 1 })]);
      expect(logs.lines.filter((l) => l.err !== undefined)).toEqual([]);
    } finally {
      await gateway.stop();
      await new Promise((resolve) => leaky.close(resolve));
    }
  });
});
