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
 * The gateway is ready when its supergraph is loaded and every subgraph it routes to has said it
 * is ready since the gateway started: until then it would answer every field of one missing. A
 * subgraph that is down later leaves it ready, `degraded`, the subgraph named in `checks`: the
 * gateway still serves the other subgraphs' fields (SUBGRAPH_UNAVAILABLE for the missing ones),
 * and every replica of it shares the subgraph, so that an orchestrator taking the replicas out of
 * service for it would turn the outage of a part (the records subgraph's database) into one of
 * the whole (the provider registry, the catalogues, whatever else answers), as Apollo Router's
 * readiness does not depend on its subgraphs either.
 */
export function gatewayReadiness(subgraphUrls: Record<string, string>, supergraphLoaded: () => boolean, kind: SubgraphProbe = 'ready-route'): ReadinessCheck {
  const seenReady = new Set<string>();
  return async () => {
    const checks: Record<string, DependencyState> = { supergraph: supergraphLoaded() ? { ok: true } : { ok: false, detail: 'not loaded yet' } };
    await Promise.all(
      Object.entries(subgraphUrls).map(async ([name, url]) => {
        try {
          const response = await withTimeout(`the ${name} subgraph`, subgraphProbeMs, probe(kind, url));
          await response.body?.cancel();
          if (response.ok) seenReady.add(name);
          checks[name] = response.ok ? { ok: true } : notReady(name, `${kind === 'ready-route' ? '/ready' : '{ __typename }'} answered ${response.status}`);
        } catch (error) {
          checks[name] = notReady(name, `unreachable: ${(error as Error).message}`);
        }
      }),
    );
    return checks;
  };

  function notReady(name: string, detail: string): DependencyState {
    return seenReady.has(name) ? { ok: false, degraded: true, detail } : { ok: false, detail };
  }
}
