import http from 'node:http';
import { identityHeader } from '../../lib/access/identity';

// Loaded without its type declarations: they redefine the global fetch and Headers types for the
// whole program, which would change how the gateway's own code typechecks.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { createGatewayRuntime } = require('@graphql-hive/gateway') as { createGatewayRuntime(options: Record<string, unknown>): http.RequestListener };

/**
 * Baseline (c) of `npm run bench`: Hive Gateway's runtime on the same supergraph, defaults but
 * for in-flight request deduplication, which is off so that every request reaches the subgraphs
 * as it does through the other gateways. Every subgraph call carries one identity with every
 * grant, signed once by the bench (`BENCH_IDENTITY`). Reads `SUPERGRAPH_PATH`, `PORT`.
 */
function main(): void {
  const gateway = createGatewayRuntime({
    supergraph: process.env.SUPERGRAPH_PATH ?? '',
    logging: 'error',
    transportEntries: {
      '*.http': { options: { deduplicateInflightRequests: false, headers: { [identityHeader]: process.env.BENCH_IDENTITY ?? '' } } },
    },
  });
  const server = http.createServer(gateway).listen(Number(process.env.PORT), '127.0.0.1', () => console.log(`Hive Gateway at http://127.0.0.1:${process.env.PORT}/graphql`));
  // Hive's runtime answers SIGTERM by disposing of itself, which leaves this server listening:
  // the process did not exit, and the bench killed it after its grace, 30 s at the end of a run.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      server.close(() => process.exit(0));
      server.closeAllConnections();
    });
  }
}

main();
