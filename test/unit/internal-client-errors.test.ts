import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { InternalCallRefused, InternalClient } from '../../lib/internal-client';
import { testSigningKey } from '../helpers/identity';

/**
 * A peer's answer with an error per subject met by one outage (the entities subgraph's database
 * gone under a lookup of 1,000 subjects) was told with each error's message joined: the import's
 * stop message said "could not connect to its database: retry later" 100 times, 7 KB, for a
 * chunk's lookup. Each distinct message is said once, with how many errors said it.
 */
describe("an internal call's refusal", () => {
  let server: http.Server;
  let url: string;
  const outage = 'the entities subgraph could not connect to its database: retry later';
  const errors = [
    ...Array.from({ length: 100 }, (_, i) => ({ message: outage, path: ['subjects', i], extensions: { code: 'DATABASE_UNAVAILABLE' } })),
    { message: 'the subject was merged', path: ['subjects', 100], extensions: { code: 'BAD_USER_INPUT' } },
  ];

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ data: null, errors }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('says each distinct message of the peer once, with how many errors said it, and keeps every error', async () => {
    const refused = await new InternalClient(testSigningKey).call(url, '{ subjects { id } }', {}, []).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(InternalCallRefused);
    expect((refused as InternalCallRefused).message).toBe(`${url} answered 200: ${outage} (100 errors said so); the subject was merged`);
    expect((refused as InternalCallRefused).errors).toHaveLength(101);
  });
});
