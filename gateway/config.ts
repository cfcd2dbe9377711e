import path from 'node:path';
import { ConfigError, readFlag, readPort, readUrl } from '../lib/env';
import { subgraphNames, supergraphPath, type SubgraphName } from '../schema/subgraphs';

export interface GatewayConfig {
  port: number;
  host: string;
  /** The composed supergraph the gateway serves (default: the committed `schema/supergraph.graphql`). */
  supergraphPath: string;
  /** Per-subgraph routing URLs that replace the ones written in the supergraph. */
  subgraphUrls: Partial<Record<SubgraphName, string>>;
}

/**
 * The gateway's only reader of `process.env` and argv. Flags win over variables:
 * `--port`/`GATEWAY_PORT`, `--supergraph`/`SUPERGRAPH_PATH`, and `SUBGRAPH_<NAME>_URL`
 * (e.g. `SUBGRAPH_RECORDS_URL`) for a subgraph that runs elsewhere.
 */
export function readGatewayConfig(env: NodeJS.ProcessEnv, argv: string[]): GatewayConfig {
  const portFlag = readFlag(argv, 'port');
  const supergraph = readFlag(argv, 'supergraph') ?? env.SUPERGRAPH_PATH;
  const subgraphUrls: GatewayConfig['subgraphUrls'] = {};
  for (const name of subgraphNames) {
    const url = readUrl(env, `SUBGRAPH_${name.toUpperCase()}_URL`, ['http:', 'https:']);
    if (url) subgraphUrls[name] = url;
  }
  if (supergraph === '') throw new ConfigError('SUPERGRAPH_PATH must name a file');
  return {
    port: portFlag === undefined ? readPort(env, 'GATEWAY_PORT', 4000) : readPort({ port: portFlag }, 'port', 4000),
    host: env.HOST || '127.0.0.1',
    supergraphPath: supergraph ? path.resolve(supergraph) : supergraphPath,
    subgraphUrls,
  };
}
