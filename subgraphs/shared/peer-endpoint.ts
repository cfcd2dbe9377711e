import { readSecret } from '../../lib/env';
import { readSubgraphUrl, type SubgraphName } from '../../schema/subgraphs';

/**
 * How a subgraph process (or the import) calls a peer subgraph itself, besides the gateway: the
 * peer's GraphQL endpoint and the gateway's signing key, which every subgraph already holds to
 * verify identities and signs its own calls with (lib/internal-client.ts).
 */
export interface PeerEndpoint {
  url: string;
  signingKey: Uint8Array;
}

/**
 * A peer's endpoint, or a function read at the first call: in tests a peer's URL is known only
 * once it listens.
 */
export type PeerEndpointSource = PeerEndpoint | (() => PeerEndpoint);

export function peerEndpointOf(source: PeerEndpointSource): PeerEndpoint {
  return typeof source === 'function' ? source() : source;
}

/**
 * `SUBGRAPH_<NAME>_URL` (default the peer's default address) and `GATEWAY_SIGNING_KEY`, the
 * variables the gateway reads for the same purposes: the import's entities subgraph. A subgraph
 * process reads the key once, with its settings (readSubgraphConfig), and its peers' addresses
 * beside it (subgraphs/records/config.ts).
 */
export function readPeerEndpoint(env: Record<string, string | undefined>, peer: SubgraphName): PeerEndpoint {
  return { url: readSubgraphUrl(env, peer), signingKey: readSecret(env, 'GATEWAY_SIGNING_KEY') };
}
