import fs from 'node:fs';
import { medianRun, type Measurement } from './load';
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
  /** scenario → target → connections → every run of that measurement (the report keeps the median run's figures and the range of all) */
  measurements: Map<string, Map<TargetName, Map<number, Measurement[]>>>;
  /** scenario → target → failed requests in the unmeasured load before the first measurement */
  prewarmErrors: Map<string, Map<TargetName, number>>;
  importFigures?: ImportFigures | string;
  startedAt: Date;
  minutes: number;
}

const fixed = (n: number, digits = 0) => (Number.isFinite(n) ? n.toFixed(digits) : '–');
const ratio = (a?: Measurement, b?: Measurement) => (a && b && b.requestsPerSecond > 0 ? `${(a.requestsPerSecond / b.requestsPerSecond).toFixed(2)}×` : '–');
const rates = (runs: readonly Measurement[]) => runs.map((m) => m.requestsPerSecond);

/** The runs' req/s, lowest to highest: what a verdict must hold for, as one run of a shared host can be far off another. */
function spread(runs: readonly Measurement[]): string {
  const [low, high] = [Math.min(...rates(runs)), Math.max(...rates(runs))];
  return low === high ? fixed(low) : `${fixed(low)}–${fixed(high)}`;
}

/**
 * Whether `a` reaches `target` times `b`, told by every pairing of their runs: met when even
 * the slowest run of `a` against the fastest of `b` does, missed when not even the fastest
 * against the slowest does, and otherwise not told apart (the runs' ranges overlap, and which
 * side of the target the medians fall on is the host's minute). `scale` shows the ratio (×, %).
 */
function ratioVerdict(a: readonly Measurement[], b: readonly Measurement[], target: number, scale: (r: number) => string): string {
  const low = Math.min(...rates(a)) / Math.max(...rates(b));
  const high = Math.max(...rates(a)) / Math.min(...rates(b));
  const between = scale(low) === scale(high) ? '' : `, ${scale(low)}–${scale(high)} between runs`;
  const verdict = low >= target ? 'met' : high < target ? '**missed**' : "not told apart (the runs' ranges overlap)";
  return `${scale(medianRun(a).requestsPerSecond / medianRun(b).requestsPerSecond)} of the medians${between} (target ≥ ${scale(target)}) ${verdict}`;
}

const times = (r: number) => `${r.toFixed(2)}×`;
const percent = (r: number) => `${fixed(100 * r)}%`;

/** Each subgraph's CPU per request in one run, those that did any work: `entities 0.61 · audit 0.52`. */
export function bySubgraph(m: Measurement): string {
  const busy = Object.entries(m.subgraphCpuMsPerRequestByName).filter(([, ms]) => ms >= 0.005);
  return busy.length ? busy.map(([name, ms]) => `${name} ${ms.toFixed(2)}`).join(' · ') : 'none';
}

/** Every failed request of a measurement: in each of its runs and the warm-up before each, not the median run's alone. */
const failures = (runs: readonly Measurement[]) => runs.reduce((sum, m) => sum + m.errors + m.warmupErrors, 0);

function scenarioTable(scenario: Scenario, byTarget: Map<TargetName, Map<number, Measurement[]>>, connections: number[], prewarmErrors?: Map<TargetName, number>): string {
  const lines = [
    `### ${scenario.name}: ${scenario.title}`,
    '',
    '| target | conn. | req/s | runs: req/s | p50 ms | p99 ms | errors (all runs) | target CPU % | CPU ms / req | subgraphs CPU ms / req | peak RSS MiB | SQL / req | (a)/(b) | (a)/(c) | ÷ (d) |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  const median = (target: TargetName, c: number) => {
    const runs = byTarget.get(target)?.get(c);
    return runs?.length ? medianRun(runs) : undefined;
  };
  for (const [target, byConnections] of byTarget) {
    for (const c of connections) {
      const runs = byConnections.get(c);
      if (!runs?.length) continue;
      const m = medianRun(runs);
      const ours = median('ours', c);
      const direct = median('direct', c);
      lines.push(
        `| ${targetTitles[target]} | ${c} | ${fixed(m.requestsPerSecond)} | ${spread(runs)} | ${fixed(m.p50, 1)} | ${fixed(m.p99, 1)} | ${failures(runs)} | ${fixed(m.cpuPercent)} | ${fixed(m.cpuMsPerRequest, 2)} | ${fixed(m.subgraphCpuMsPerRequest, 2)} | ${fixed(m.peakMemoryMiB)} | ${fixed(m.statementsPerRequest, 1)} | ${target === 'ours' ? ratio(ours, median('apollo', c)) : ''} | ${target === 'ours' ? ratio(ours, median('hive', c)) : ''} | ${target !== 'direct' && direct ? ratio(m, direct) : ''} |`,
      );
    }
  }
  lines.push('', "Subgraphs' CPU ms / req, each its own, in the median run:");
  for (const [target, byConnections] of byTarget) {
    const medians = connections.flatMap((c) => (byConnections.get(c)?.length ? [[c, medianRun(byConnections.get(c)!)] as const] : []));
    if (medians.length) lines.push(`- ${targetTitles[target].slice(0, 3)} ${medians.map(([c, m]) => `${c} conn.: ${bySubgraph(m)}`).join('; ')}`);
  }
  const failedFirst = [...(prewarmErrors ?? [])].filter(([, errors]) => errors > 0);
  if (failedFirst.length > 0) lines.push('', `Errors in the unmeasured load before the first measurement: ${failedFirst.map(([target, errors]) => `${targetTitles[target].slice(0, 3)} ${errors}`).join(', ')}.`);
  return lines.join('\n');
}

/** The targets of the issue, each read off this run's own runs: a verdict only where every run agrees on it. */
function targetChecks(results: BenchResults): string[] {
  const out: string[] = [];
  const runsOf = (scenario: string, target: TargetName, c: number) => {
    const runs = results.measurements.get(scenario)?.get(target)?.get(c);
    return runs?.length ? runs : undefined;
  };
  const get = (scenario: string, target: TargetName, c: number) => {
    const runs = runsOf(scenario, target, c);
    return runs && medianRun(runs);
  };
  const top = Math.max(...results.connections);
  for (const scenario of results.scenarios.filter((s) => !s.subgraph)) {
    for (const c of results.connections) {
      const ours = runsOf(scenario.name, 'ours', c);
      const apollo = runsOf(scenario.name, 'apollo', c);
      const hive = runsOf(scenario.name, 'hive', c);
      if (ours && apollo) out.push(`- ${scenario.name}, ${c} conn.: (a)/(b) = ${ratioVerdict(ours, apollo, 1.5, times)}`);
      if (ours && hive) out.push(`- ${scenario.name}, ${c} conn.: (a)/(c) = ${ratioVerdict(ours, hive, 2, times)}`);
    }
  }
  for (const scenario of results.scenarios.filter((s) => s.subgraph)) {
    for (const c of results.connections) {
      const direct = runsOf(scenario.name, 'direct', c);
      const ours = runsOf(scenario.name, 'ours', c);
      const apollo = get(scenario.name, 'apollo', c);
      if (ours && direct) out.push(`- ${scenario.name}, ${c} conn.: (a)/(d) = ${ratioVerdict(ours, direct, 0.5, percent)}${apollo ? `; (b)/(d) = ${percent(apollo.requestsPerSecond / medianRun(direct).requestsPerSecond)} of the medians` : ''}`);
    }
  }
  const single = get('credit-check', 'ours', top);
  const list = get('subject-list', 'ours', top);
  if (single && list) out.push(`- SQL statements per request: ${fixed(single.statementsPerRequest, 1)} for one subject, ${fixed(list.statementsPerRequest, 1)} for a page of 20 (through (a), audit writes included): ${list.statementsPerRequest <= 2 * single.statementsPerRequest ? 'does not grow with the subjects in the answer' : '**grows with the subjects in the answer**'}`);
  for (const scenario of results.scenarios) {
    const runs = runsOf(scenario.name, 'ours', top);
    if (!runs) continue;
    const m = medianRun(runs);
    const tails = runs.map((r) => r.p99 / r.p50);
    const within = tails.filter((t) => t <= 3).length;
    const verdict = within === runs.length ? 'met' : within === 0 ? '**missed**' : `not told apart (met in ${within} of ${runs.length} runs)`;
    const [least, most] = [fixed(Math.min(...tails), 1), fixed(Math.max(...tails), 1)];
    const between = least === most ? '' : `, ${least}–${most}× between runs`;
    out.push(`- ${scenario.name}, ${top} conn.: p99 ${fixed(m.p99, 1)} ms = ${fixed(m.p99 / m.p50, 1)}× p50 in the median run${between} (target ≤ 3×) ${verdict}`);
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
      return byTarget ? [scenarioTable(s, byTarget, results.connections, results.prewarmErrors.get(s.name)), ''] : [];
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
