import type { Measurement } from '../../scripts/bench/load';
import { renderResults, type BenchResults, type TargetName } from '../../scripts/bench/report';
import type { Scenario } from '../../scripts/bench/scenarios';

/** One run of a measurement: `requestsPerSecond` and what else a test names, the rest plain. */
function run(requestsPerSecond: number, more: Partial<Measurement> = {}): Measurement {
  return { requestsPerSecond, p50: 10, p99: 20, errors: 0, warmupErrors: 0, requests: requestsPerSecond * 5, cpuPercent: 50, cpuMsPerRequest: 2, subgraphCpuMsPerRequest: 3, subgraphCpuMsPerRequestByName: { entities: 3 }, peakMemoryMiB: 200, statementsPerRequest: 4, ...more };
}

const creditCheck: Scenario = { name: 'credit-check', title: 'a credit check', bodies: [] };

function results(cells: Partial<Record<TargetName, Measurement[]>>, more: Partial<BenchResults> = {}): BenchResults {
  return {
    machine: 'a test',
    settings: 'none',
    pinning: 'none',
    dataset: 'none',
    scenarios: [creditCheck],
    connections: [8],
    prewarmErrors: new Map(),
    measurements: new Map([['credit-check', new Map(Object.entries(cells).map(([target, runs]) => [target as TargetName, new Map([[8, runs!]])]))]]),
    startedAt: new Date('2026-12-07T00:00:00Z'),
    minutes: 1,
    ...more,
  };
}

/** The table row of `title`'s target, as cells. */
function row(markdown: string, title: string): string[] {
  const line = markdown.split('\n').find((l) => l.startsWith(`| ${title}`));
  if (!line) throw new Error(`no row of ${title} in\n${markdown}`);
  return line.split('|').slice(1, -1).map((cell) => cell.trim());
}

function header(markdown: string): string[] {
  return row(markdown, 'target');
}

describe('the benchmark report', () => {
  it("shows the subgraphs' CPU per request beside the gateway's: this gateway's audit write runs in the audit subgraph", () => {
    const markdown = renderResults(results({ ours: [run(200, { cpuMsPerRequest: 2.07, subgraphCpuMsPerRequest: 4.5 })] }));
    const columns = header(markdown);
    const cells = row(markdown, '(a)');
    expect(cells[columns.indexOf('CPU ms / req')]).toBe('2.07');
    expect(cells[columns.indexOf('subgraphs CPU ms / req')]).toBe('4.50');
  });

  it("says which subgraphs spent that CPU, each its own, leaving out those that did nothing", () => {
    const markdown = renderResults(results({ ours: [run(200, { subgraphCpuMsPerRequestByName: { entities: 1.234, records: 0, audit: 0.91 } })], apollo: [run(300)] }));
    const lines = markdown.split('\n');
    expect(lines).toContain('- (a) 8 conn.: entities 1.23 · audit 0.91');
    expect(lines).toContain('- (b) 8 conn.: entities 3.00');
  });

  it("shows each cell's median run and the range of its runs' req/s", () => {
    const markdown = renderResults(results({ ours: [run(221, { p50: 9 }), run(190, { p50: 12 }), run(207, { p50: 10 })] }));
    const columns = header(markdown);
    const cells = row(markdown, '(a)');
    expect(cells[columns.indexOf('req/s')]).toBe('207');
    expect(cells[columns.indexOf('runs: req/s')]).toBe('190–221');
    // The median run's own figures, which belong together.
    expect(cells[columns.indexOf('p50 ms')]).toBe('10.0');
  });

  describe('a ratio target', () => {
    const verdict = (ours: number[], apollo: number[]) => {
      const line = renderResults(results({ ours: ours.map((r) => run(r)), apollo: apollo.map((r) => run(r)) }))
        .split('\n')
        .find((l) => l.includes('(a)/(b) ='));
      if (!line) throw new Error('no (a)/(b) target line');
      return line;
    };

    it('is met only when every run of (a) is 1.5× every run of (b)', () => {
      expect(verdict([400, 420, 430], [200, 210, 220])).toMatch(/1\.82×–2\.15× between runs.* met$/);
    });

    it('is missed when every run of (a) is below 1.5× every run of (b)', () => {
      expect(verdict([200, 210, 220], [190, 200, 210])).toMatch(/\*\*missed\*\*$/);
    });

    it('is not told apart, met or missed, when the runs overlap, though the medians alone would say met', () => {
      const line = verdict([300, 310, 320], [190, 200, 210]);
      expect(line).toMatch(/\(a\)\/\(b\) = 1\.55× of the medians/);
      expect(line).toMatch(/not told apart/);
      expect(line).not.toMatch(/ met|missed/);
    });
  });

  it('is not told apart on the direct limit either: (a) against half of (d)', () => {
    const lookup: Scenario = { name: 'lookup', title: 'a lookup', subgraph: 'entities', bodies: [] };
    const markdown = renderResults(
      results({}, { scenarios: [lookup], measurements: new Map([['lookup', new Map<TargetName, Map<number, Measurement[]>>([['ours', new Map([[8, [run(480), run(520)]]])], ['direct', new Map([[8, [run(900), run(1100)]]])]])]]) }),
    );
    expect(markdown.split('\n').find((l) => l.includes('(a)/(d) ='))).toMatch(/\(a\)\/\(d\) = 47% of the medians, 44%–58% between runs \(target ≥ 50%\) not told apart/);
  });

  it('counts the errors of every run and its warm-up, not the median run alone, and those of the first warm-up apart', () => {
    const markdown = renderResults(
      results({ hive: [run(180, { errors: 0, warmupErrors: 2 }), run(190, { errors: 0 }), run(200, { errors: 3 })] }, { prewarmErrors: new Map([['credit-check', new Map<TargetName, number>([['hive', 12], ['ours', 0]])]]) }),
    );
    expect(row(markdown, '(c)')[header(markdown).indexOf('errors (all runs)')]).toBe('5');
    expect(markdown).toContain('Errors in the unmeasured load before the first measurement: (c) 12.');
  });
});
