import { GatewayMetrics } from '../../gateway/metrics';
import { sample } from '../ops/ops-platform';

describe('credit_gateway_subgraph_fetch_duration_seconds', () => {
  // Its top bucket was 5 s with SUBGRAPH_TIMEOUT_MS 10 s by default: every timeout, and every call slower than 5 s, fell in +Inf alone.
  it('tells calls up to the default subgraph timeout, and timeouts at it, apart from slower ones', async () => {
    const metrics = new GatewayMetrics();
    try {
      metrics.subgraphFetch('records', 7, 'ok');
      metrics.subgraphFetch('records', 10.004, 'timeout');
      metrics.subgraphFetch('records', 70, 'ok');
      const text = await metrics.registry.metrics();
      const upTo = (le: string) => sample(text, 'credit_gateway_subgraph_fetch_duration_seconds_bucket', { subgraph: 'records', le });
      expect([upTo('5'), upTo('7.5'), upTo('10'), upTo('15'), upTo('60'), upTo('+Inf')]).toEqual([0, 1, 1, 2, 2, 3]);
    } finally {
      metrics.close();
    }
  });
});
