import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { composeServices } from '@apollo/composition';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';
import { createGateway, type GatewayOptions } from '../../gateway/gateway';
import { serveGateway } from '../../gateway/serve';
import { ConfigError } from '../../lib/env';
import { supergraphPath } from '../../schema/subgraphs';
import { postGraphQL } from '../helpers/graphql';

const books = parse(/* GraphQL */ `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])
  type Query { books: [Book!]! }
  type Book @key(fields: "id") { id: ID! title: String! }
`);

const keys: Pick<GatewayOptions, 'tokens' | 'signingKey'> = {
  tokens: { keys: { kind: 'secret', secret: new Uint8Array(randomBytes(32)) }, issuer: 'beidaihe-credit-platform', audience: 'beidaihe-credit-api' },
  signingKey: new Uint8Array(randomBytes(32)),
};

/** A federation-2 supergraph that has nothing to do with this platform: one subgraph, no grants. */
describe('a foreign supergraph', () => {
  let subgraph: ApolloServer;
  let supergraphSdl: string;
  beforeAll(async () => {
    subgraph = new ApolloServer({ schema: buildSubgraphSchema({ typeDefs: books, resolvers: { Query: { books: () => [{ id: '1', title: '北戴河志' }] } } }) });
    const { url } = await startStandaloneServer(subgraph, { listen: { port: 0, host: '127.0.0.1' } });
    const composed = composeServices([{ name: 'books', url, typeDefs: books }]);
    if (!composed.supergraphSdl) throw new Error(`composition failed: ${composed.errors?.map((e) => e.message).join('; ')}`);
    supergraphSdl = composed.supergraphSdl;
  });
  afterAll(() => subgraph?.stop());

  it('is served with access control off: no token, guard or audit, the operation limits still apply', async () => {
    const gateway = await serveGateway({ supergraphSdl, tokens: null, signingKey: keys.signingKey, accessControl: false, limits: { rootFields: 1 }, port: 0 });
    try {
      const result = await postGraphQL(gateway.url, { query: '{ books { title } }' });
      expect(result.errors).toBeUndefined();
      expect(result.data).toEqual({ books: [{ title: '北戴河志' }] });
      expect(gateway.gateway.audit).toBeNull();
      const twice = await postGraphQL(gateway.url, { query: '{ books { title } again: books { id } }' });
      expect(twice.errors?.map((e) => e.extensions)).toEqual([{ code: 'OPERATION_LIMIT_EXCEEDED', limit: 'rootFields', max: 1 }]);
      // A foreign subgraph has no /ready: it is asked { __typename } instead.
      const ready = await fetch(gateway.url.replace(/\/graphql$/, '/ready'), { signal: AbortSignal.timeout(10_000) });
      expect(ready.status).toBe(200);
      expect(await ready.json()).toMatchObject({ checks: { books: { ok: true } } });
    } finally {
      await gateway.stop();
    }
  });

  it('is refused with access control on: the platform needs its own subgraphs to audit and decide grants', async () => {
    await expect(createGateway({ supergraphSdl, ...keys })).rejects.toThrow(ConfigError);
    await expect(createGateway({ supergraphSdl, ...keys })).rejects.toThrow(/ACCESS_CONTROL=off/);
  });

  it('turning access control off is refused for a supergraph with grants', async () => {
    await expect(createGateway({ supergraphSdl: fs.readFileSync(supergraphPath, 'utf8'), ...keys, accessControl: false })).rejects.toThrow(
      /^ACCESS_CONTROL=off is only for a supergraph without @grant fields; this one has \d+ /,
    );
  });
});
