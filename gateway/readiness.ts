import { withTimeout, type DependencyState, type ReadinessCheck } from '../lib/readiness';

/** How long the gateway waits for a subgraph's `/ready` before it counts it as not ready. */
const subgraphProbeMs = 2_000;

/**
 * The gateway is ready when its supergraph is loaded and every subgraph it routes to says it is
 * ready (its `/ready` at the origin of its routing URL answers 200: the subgraph is up and its
 * database answers). One subgraph down makes the gateway not ready, although it still serves
 * the other subgraphs' fields (SUBGRAPH_UNAVAILABLE for the missing ones): readiness is for
 * the orchestrator, which should not send traffic to a degraded platform.
 */
export function gatewayReadiness(subgraphUrls: Record<string, string>, supergraphLoaded: () => boolean): ReadinessCheck {
  return async () => {
    const checks: Record<string, DependencyState> = { supergraph: supergraphLoaded() ? { ok: true } : { ok: false, detail: 'not loaded yet' } };
    await Promise.all(
      Object.entries(subgraphUrls).map(async ([name, url]) => {
        try {
          const response = await withTimeout(`the ${name} subgraph`, subgraphProbeMs, fetch(new URL('/ready', url), { signal: AbortSignal.timeout(subgraphProbeMs) }));
          await response.body?.cancel();
          checks[name] = response.ok ? { ok: true } : { ok: false, detail: `/ready answered ${response.status}` };
        } catch (error) {
          checks[name] = { ok: false, detail: `unreachable: ${(error as Error).message}` };
        }
      }),
    );
    return checks;
  };
}
