import fs from 'node:fs';
import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { identityHeader } from '../../lib/access/identity';

/**
 * Baseline (b) of `npm run bench`: a stock `@apollo/gateway` on the same supergraph with default
 * settings, served by Apollo's standalone server. No authentication, grants or audit: every
 * subgraph call carries one identity with every grant, signed once by the bench
 * (`BENCH_IDENTITY`), because the subgraphs accept nothing else. Reads `SUPERGRAPH_PATH`, `PORT`.
 */
async function main(): Promise<void> {
  const identity = process.env.BENCH_IDENTITY ?? '';
  const gateway = new ApolloGateway({
    supergraphSdl: fs.readFileSync(process.env.SUPERGRAPH_PATH ?? '', 'utf8'),
    buildService: ({ url }) =>
      new RemoteGraphQLDataSource({
        url,
        willSendRequest: ({ request }) => void request.http?.headers.set(identityHeader, identity),
      }),
  });
  const server = new ApolloServer({ gateway });
  const { url } = await startStandaloneServer(server, { listen: { port: Number(process.env.PORT), host: '127.0.0.1' } });
  console.log(`stock Apollo gateway at ${url}`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
