import fs from 'node:fs';
import path from 'node:path';
import { ConfigError, readFlag, readPort, readSecret, readUrl } from '../lib/env';
import { subgraphNames, supergraphPath, type SubgraphName } from '../schema/subgraphs';
import type { TokenKeys, TokenSettings } from './authentication';

export interface GatewayConfig {
  port: number;
  host: string;
  /** The composed supergraph the gateway serves (default: the committed `schema/supergraph.graphql`). */
  supergraphPath: string;
  /** Per-subgraph routing URLs that replace the ones written in the supergraph. */
  subgraphUrls: Partial<Record<SubgraphName, string>>;
  tokens: TokenSettings;
  signingKey: Uint8Array;
}

/**
 * Exactly one way to verify callers' tokens: `AUTH_JWT_SECRET` (HS256, the embedded default),
 * `AUTH_PUBLIC_KEY_FILE` (a PEM public key, `AUTH_JWT_ALGORITHM` default RS256) or
 * `AUTH_JWKS_URL` (the identity provider's key set).
 */
function readTokenKeys(env: NodeJS.ProcessEnv): TokenKeys {
  const configured = ['AUTH_JWT_SECRET', 'AUTH_PUBLIC_KEY_FILE', 'AUTH_JWKS_URL'].filter((name) => env[name]);
  if (configured.length !== 1) {
    throw new ConfigError(`set exactly one of AUTH_JWT_SECRET, AUTH_PUBLIC_KEY_FILE, AUTH_JWKS_URL to verify callers' tokens, got ${configured.length ? configured.join(' and ') : 'none'}`);
  }
  if (env.AUTH_JWT_SECRET) return { kind: 'secret', secret: readSecret(env, 'AUTH_JWT_SECRET') };
  if (env.AUTH_PUBLIC_KEY_FILE) {
    let pem: string;
    try {
      pem = fs.readFileSync(env.AUTH_PUBLIC_KEY_FILE, 'utf8');
    } catch {
      throw new ConfigError(`AUTH_PUBLIC_KEY_FILE names a file that cannot be read: ${env.AUTH_PUBLIC_KEY_FILE}`);
    }
    const algorithm = env.AUTH_JWT_ALGORITHM || 'RS256';
    if (!/^(RS|PS|ES)(256|384|512)$|^EdDSA$/.test(algorithm)) throw new ConfigError(`AUTH_JWT_ALGORITHM must be an asymmetric JWS algorithm such as RS256 or ES256, got "${algorithm}"`);
    return { kind: 'public-key', pem, algorithm };
  }
  return { kind: 'jwks', url: readUrl(env, 'AUTH_JWKS_URL', ['https:', 'http:']) as string };
}

export const defaultIssuer = 'beidaihe-credit-platform';
export const defaultAudience = 'beidaihe-credit-api';

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
    tokens: { keys: readTokenKeys(env), issuer: env.AUTH_ISSUER || defaultIssuer, audience: env.AUTH_AUDIENCE || defaultAudience },
    signingKey: readSecret(env, 'GATEWAY_SIGNING_KEY'),
  };
}
