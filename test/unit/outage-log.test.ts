import { GatewayMetrics } from '../../gateway/metrics';
import type { Logger } from '../../lib/logger';

describe("the gateway's log of a subgraph it cannot reach", () => {
  afterEach(() => jest.useRealTimers());

  it('says so at once, then at most once per ten seconds a subgraph and kind, counting the calls since the last line', () => {
    const lines: { fields: Record<string, unknown>; message: string }[] = [];
    const logger = { warn: (fields: Record<string, unknown>, message: string) => lines.push({ fields, message }) } as unknown as Logger;
    const metrics = new GatewayMetrics(logger);
    try {
      jest.useFakeTimers({ now: Date.parse('2026-12-05T10:00:00Z') });
      for (let i = 0; i < 500; i++) metrics.subgraphFetch('records', 0.001, 'unreachable');
      metrics.subgraphFetch('records', 10, 'timeout');
      metrics.subgraphFetch('reports', 0.01, 'ok');
      expect(lines).toEqual([
        { fields: { subgraph: 'records', outcome: 'unreachable', callsSinceLastLine: 1 }, message: 'calls to the records subgraph fail to reach it: its fields answer SUBGRAPH_UNAVAILABLE' },
        { fields: { subgraph: 'records', outcome: 'timeout', callsSinceLastLine: 1 }, message: 'calls to the records subgraph time out: its fields answer SUBGRAPH_UNAVAILABLE' },
      ]);
      jest.advanceTimersByTime(10_000);
      metrics.subgraphFetch('records', 0.001, 'unreachable');
      expect(lines.at(-1)?.fields).toEqual({ subgraph: 'records', outcome: 'unreachable', callsSinceLastLine: 500 });
      expect(lines).toHaveLength(3);
    } finally {
      metrics.close();
    }
  });
});
