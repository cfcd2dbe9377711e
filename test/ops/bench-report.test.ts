import type { Measurement } from '../../scripts/bench/load';
import { renderResults, type BenchResults, type TargetName } from '../../scripts/bench/report';
import type { Scenario } from '../../scripts/bench/scenarios';

/** One run of a measurement: `requestsPerSecond` and what else a test names, the rest plain. */
function run(requestsPerSecond: number, more: Partial<Measurement> = {}): Measurement {
  return { requestsPerSecond, p50: 10, p99: 20, errors: 0, requests: requestsPerSecond * 5, cpuPercent: 50, cpuMsPerRequest: 2, subgraphCpuMsPerRequest: 3, peakMemoryMiB: 200, statementsPerRequest: 4, ...more };
}

const creditCheck: Scenario = { name: 'credit-check', title: 'a credit check', bodies: [] };

function results(cells: Partial<Record<TargetName, Measurement>>, more: Partial<BenchResults> = {}): BenchResults {
  return {
    machine: 'a test',
    settings: 'none',
    pinning: 'none',
    dataset: 'none',
    scenarios: [creditCheck],
    connections: [8],
    measurements: new Map([['credit-check', new Map(Object.entries(cells).map(([target, m]) => [target as TargetName, new Map([[8, m!]])]))]]),
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
    const markdown = renderResults(results({ ours: run(200, { cpuMsPerRequest: 2.07, subgraphCpuMsPerRequest: 4.5 }) }));
    const columns = header(markdown);
    const cells = row(markdown, '(a)');
    expect(cells[columns.indexOf('CPU ms / req')]).toBe('2.07');
    expect(cells[columns.indexOf('subgraphs CPU ms / req')]).toBe('4.50');
  });
});
