import fs from 'node:fs';
import type { Measurement } from './load';
import type { Scenario } from './scenarios';

export type TargetName = 'ours' | 'apollo' | 'hive' | 'direct';

export const targetTitles: Record<TargetName, string> = {
  ours: '(a) this gateway (authentication, grants, audit)',
  apollo: '(b) stock @apollo/gateway',
  hive: '(c) Hive Gateway, dedup off',
  direct: '(d) the subgraph directly',
};

export interface ImportFigures {
  rows: number;
  first: { rowsPerSecond: number; seconds: number; peakRssMiB: number };
  second: { rowsPerSecond: number; seconds: number; peakRssMiB: number };
}

export interface BenchResults {
  machine: string;
  settings: string;
  pinning: string;
  dataset: string;
  scenarios: Scenario[];
  connections: number[];
  /** scenario → target → connections → measurement */
  measurements: Map<string, Map<TargetName, Map<number, Measurement>>>;
  importFigures?: ImportFigures | string;
  startedAt: Date;
  minutes: number;
}

const fixed = (n: number, digits = 0) => (Number.isFinite(n) ? n.toFixed(digits) : '–');
const ratio = (a?: Measurement, b?: Measurement) => (a && b && b.requestsPerSecond > 0 ? `${(a.requestsPerSecond / b.requestsPerSecond).toFixed(2)}×` : '–');

function scenarioTable(scenario: Scenario, byTarget: Map<TargetName, Map<number, Measurement>>, connections: number[]): string {
  const lines = [
    `### ${scenario.name}: ${scenario.title}`,
    '',
    '| target | conn. | req/s | p50 ms | p99 ms | errors | target CPU % | CPU ms / req | subgraphs CPU ms / req | peak RSS MiB | SQL / req | (a)/(b) | (a)/(c) | ÷ (d) |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const [target, byConnections] of byTarget) {
    for (const c of connections) {
      const m = byConnections.get(c);
      if (!m) continue;
      const ours = byTarget.get('ours')?.get(c);
      const direct = byTarget.get('direct')?.get(c);
      lines.push(
        `| ${targetTitles[target]} | ${c} | ${fixed(m.requestsPerSecond)} | ${fixed(m.p50, 1)} | ${fixed(m.p99, 1)} | ${m.errors} | ${fixed(m.cpuPercent)} | ${fixed(m.cpuMsPerRequest, 2)} | ${fixed(m.subgraphCpuMsPerRequest, 2)} | ${fixed(m.peakMemoryMiB)} | ${fixed(m.statementsPerRequest, 1)} | ${target === 'ours' ? ratio(ours, byTarget.get('apollo')?.get(c)) : ''} | ${target === 'ours' ? ratio(ours, byTarget.get('hive')?.get(c)) : ''} | ${target !== 'direct' && direct ? ratio(m, direct) : ''} |`,
      );
    }
  }
  return lines.join('\n');
}

/** The targets of the issue, each read off this run's own ratios. */
function targetChecks(results: BenchResults): string[] {
  const out: string[] = [];
  const get = (scenario: string, target: TargetName, c: number) => results.measurements.get(scenario)?.get(target)?.get(c);
  const top = Math.max(...results.connections);
  for (const scenario of results.scenarios.filter((s) => !s.subgraph)) {
    for (const c of results.connections) {
      const ours = get(scenario.name, 'ours', c);
      const apollo = get(scenario.name, 'apollo', c);
      const hive = get(scenario.name, 'hive', c);
      if (ours && apollo) out.push(`- ${scenario.name}, ${c} conn.: (a)/(b) = ${ratio(ours, apollo)} (target ≥ 1.5×) ${ours.requestsPerSecond >= 1.5 * apollo.requestsPerSecond ? 'met' : '**missed**'}`);
      if (ours && hive) out.push(`- ${scenario.name}, ${c} conn.: (a)/(c) = ${ratio(ours, hive)} (target ≥ 2×) ${ours.requestsPerSecond >= 2 * hive.requestsPerSecond ? 'met' : '**missed**'}`);
    }
  }
  for (const scenario of results.scenarios.filter((s) => s.subgraph)) {
    for (const c of results.connections) {
      const direct = get(scenario.name, 'direct', c);
      const ours = get(scenario.name, 'ours', c);
      const apollo = get(scenario.name, 'apollo', c);
      if (ours && direct) out.push(`- ${scenario.name}, ${c} conn.: (a) reaches ${fixed((100 * ours.requestsPerSecond) / direct.requestsPerSecond)}% of (d) (target ≥ 50%) ${ours.requestsPerSecond >= 0.5 * direct.requestsPerSecond ? 'met' : '**missed**'}${apollo ? `; (b) reaches ${fixed((100 * apollo.requestsPerSecond) / direct.requestsPerSecond)}%` : ''}`);
    }
  }
  const single = get('credit-check', 'ours', top);
  const list = get('subject-list', 'ours', top);
  if (single && list) out.push(`- SQL statements per request: ${fixed(single.statementsPerRequest, 1)} for one subject, ${fixed(list.statementsPerRequest, 1)} for a page of 20 (through (a), audit writes included): ${list.statementsPerRequest <= 2 * single.statementsPerRequest ? 'does not grow with the subjects in the answer' : '**grows with the subjects in the answer**'}`);
  for (const scenario of results.scenarios) {
    const m = get(scenario.name, 'ours', top);
    if (m) out.push(`- ${scenario.name}, ${top} conn.: p99 ${fixed(m.p99, 1)} ms = ${fixed(m.p99 / m.p50, 1)}× p50 (target ≤ 3×) ${m.p99 <= 3 * m.p50 ? 'met' : '**missed**'}`);
  }
  return out;
}

function importSection(figures: BenchResults['importFigures']): string {
  if (!figures) return 'Not run (`--import-rows 0`).';
  if (typeof figures === 'string') return figures;
  return [
    `\`npm run bench:import -- --rows ${figures.rows}\` against the same MySQL databases, run by the harness after the load tests:`,
    '',
    '| run | rows/s | seconds | importer peak RSS MiB |',
    '| --- | ---: | ---: | ---: |',
    `| first (every row new) | ${fixed(figures.first.rowsPerSecond)} | ${fixed(figures.first.seconds, 1)} | ${fixed(figures.first.peakRssMiB)} |`,
    `| second (every row unchanged) | ${fixed(figures.second.rowsPerSecond)} | ${fixed(figures.second.seconds, 1)} | ${fixed(figures.second.peakRssMiB)} |`,
  ].join('\n');
}

export function renderResults(results: BenchResults): string {
  return [
    `Run of ${results.startedAt.toISOString()}, ${fixed(results.minutes, 1)} minutes.`,
    '',
    `- machine: ${results.machine}`,
    `- data set: ${results.dataset}`,
    `- settings: ${results.settings}`,
    `- pinning: ${results.pinning}`,
    '',
    ...results.scenarios.flatMap((s) => {
      const byTarget = results.measurements.get(s.name);
      return byTarget ? [scenarioTable(s, byTarget, results.connections), ''] : [];
    }),
    '### Targets',
    '',
    ...targetChecks(results),
    '',
    '### Bulk import',
    '',
    importSection(results.importFigures),
  ].join('\n');
}

const begin = '<!-- bench:begin (written by npm run bench; edit outside these markers) -->';
const end = '<!-- bench:end -->';

/** Replaces the generated part of results.md, keeping what is written around it (the log of changes). */
export function writeResults(file: string, generated: string): void {
  let text = '';
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    text = `# Benchmark results\n\n${begin}\n${end}\n`;
  }
  const from = text.indexOf(begin);
  const to = text.indexOf(end);
  const block = `${begin}\n${generated}\n${end}`;
  text = from >= 0 && to > from ? text.slice(0, from) + block + text.slice(to + end.length) : `${text.trimEnd()}\n\n${block}\n`;
  fs.writeFileSync(file, text);
}
