import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { startOpsPlatform } from './ops-platform';

// A collection on demand, without starting jest with --expose-gc.
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

/** Each prom-client default metric file names its series (requiring one starts nothing). */
const defaultMetricFiles = ['processCpuTotal', 'processStartTime', 'osMemoryHeap', 'processOpenFileDescriptors', 'processMaxFileDescriptors', 'eventLoopLag', 'processResources', 'processHandles', 'processRequests', 'heapSizeAndUsed', 'heapSpacesSizeAndUsed', 'version', 'gc'];
const defaultMetricNames = defaultMetricFiles.flatMap((file) => (require(`prom-client/lib/metrics/${file}`) as { metricNames: string[] }).metricNames);

const gcSeries = 'credit_nodejs_gc_duration_seconds';

/**
 * Starts the platform, reads its metrics, stops it, and returns weak references to every
 * service's GC histogram: nothing of the platform is held once this returns.
 */
async function startAndStop(): Promise<{ families: string[]; histograms: WeakRef<object>[] }> {
  const platform = await startOpsPlatform({ kind: 'sqlite', directory: ':memory:' });
  try {
    const text = await (await fetch(`${platform.origin}/metrics`, { signal: AbortSignal.timeout(10_000) })).text();
    const families = [...text.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]);
    const registries = [platform.gateway.metrics.registry, ...Object.values(platform.subgraphs).map((s) => s.metrics.registry)];
    const histograms = registries.map((registry) => new WeakRef(registry.getSingleMetric(gcSeries) as object));
    return { families, histograms };
  } finally {
    await platform.stop();
  }
}

describe('process metrics of a service', () => {
  it('are prom-client’s default series, and go with the service once it stops', async () => {
    const { families, histograms } = await startAndStop();
    expect(families).toEqual(expect.arrayContaining(defaultMetricNames.map((name) => `credit_${name}`)));
    expect(histograms).toHaveLength(6);

    // WeakRefs hold their target until the job that made them ends; then collect.
    for (let i = 0; i < 3; i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      collectGarbage();
    }
    // Left observing, a GC observer would keep its histogram (and, in jest, this file's modules) for good.
    expect(histograms.filter((histogram) => histogram.deref() !== undefined)).toHaveLength(0);
  });
});
