import { withTimeout, type DependencyState, type ReadinessCheck } from '../lib/readiness';

/** How long the gateway waits for a subgraph's `/ready` before it counts it as not ready. */
const subgraphProbeMs = 2_000;

/**
 * How a subgraph is asked whether it is ready: this platform's subgraphs answer `/ready` at the
 * origin of their routing URL (up, and their database answers); any other GraphQL server (a
 * foreign supergraph, served with access control off) is asked `{ __typename }`.
 */
export type SubgraphProbe = 'ready-route' | 'typename';

function probe(kind: SubgraphProbe, url: string): Promise<Response> {
  const signal = AbortSignal.timeout(subgraphProbeMs);
  if (kind === 'ready-route') return fetch(new URL('/ready', url), { signal });
  return fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ __typename }"}', signal });
}

/**
 * The gateway is ready when its supergraph is loaded and every subgraph it routes to says it is
 * ready. One subgraph down makes the gateway not ready, although it still serves the other
 * subgraphs' fields (SUBGRAPH_UNAVAILABLE for the missing ones): readiness is for the
 * orchestrator, which should not send traffic to a degraded platform.
 */
export function gatewayReadiness(subgraphUrls: Record<string, string>, supergraphLoaded: () => boolean, kind: SubgraphProbe = 'ready-route'): ReadinessCheck {
  return async () => {
    const checks: Record<string, DependencyState> = { supergraph: supergraphLoaded() ? { ok: true } : { ok: false, detail: 'not loaded yet' } };
    await Promise.all(
      Object.entries(subgraphUrls).map(async ([name, url]) => {
        try {
          const response = await withTimeout(`the ${name} subgraph`, subgraphProbeMs, probe(kind, url));
          await response.body?.cancel();
          checks[name] = response.ok ? { ok: true } : { ok: false, detail: `${kind === 'ready-route' ? '/ready' : '{ __typename }'} answered ${response.status}` };
        } catch (error) {
          checks[name] = { ok: false, detail: `unreachable: ${(error as Error).message}` };
        }
      }),
    );
    return checks;
  };
}
