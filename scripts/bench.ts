import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { signIdentity, identityHeader } from '../lib/access/identity';
import { fieldGroupNames } from '../lib/access/field-groups';
import { readFlag, readSecret } from '../lib/env';
import { projectRoot } from '../lib/project-root';
import { subgraphNames, supergraphPath, type SubgraphName } from '../schema/subgraphs';
import { databaseTarget, describeTarget } from '../subgraphs/shared/database';
import { demoCallers, mintToken } from './demo/callers';
import { demoWorld } from './demo/world';
import { refusedInProduction } from './production-refusal';
import { benchEnvironment, datasetSize, describeServer, ensureDataset } from './bench/dataset';
import { measure, verify, warmUp, type LoadTarget, type Measurement } from './bench/load';
import { canPin, exitWithin, interrupted, pin, spawnNode, startService, stopChildrenOnSignal, waitAnswering, type Service } from './bench/processes';
import { bySubgraph, renderResults, writeResults, type BenchResults, type ImportFigures, type TargetName } from './bench/report';
import { benchScenarios } from './bench/scenarios';
import { exitWithSeedFailure } from './seed';

/**
 * `npm run bench [-- --subjects 100000 --seconds 5 --repeats 3 --connections 1,8,32 ...]`: seeds
 * (or reuses) the data set in MySQL, starts the five subgraphs and, in front of them, (a) this
 * gateway as it ships, (b) a stock @apollo/gateway and (c) Hive Gateway; for the one-subgraph
 * lookup, (d) is the subgraph itself. autocannon drives each scenario at each number of
 * connections against each target in turn, a warm-up then a timed run, in as many rounds as
 * repeats; the report shows each measurement's median run and the range of all. Then the bulk import benchmark. Writes bench/results.md (another run than the full one: data/bench/results.md) and prints it.
 */
const flags = {
  subjects: { default: '100000', help: 'subjects in the data set; records and reports scale with it (×10, ×1)' },
  seconds: { default: '5', help: 'seconds per measured run' },
  warmup: { default: '2', help: 'seconds of warm-up before each measurement' },
  prewarm: { default: '10', help: 'seconds of load on each scenario through each target, at the most connections, before the first measurement' },
  repeats: { default: '3', help: 'runs per measurement: the median is shown, with the range of all' },
  connections: { default: '1,8,32', help: 'connection counts, comma-separated' },
  targets: { default: 'ours,apollo,hive,direct', help: 'which of ours, apollo, hive, direct to measure' },
  scenarios: { default: 'credit-check,subject-list,lookup', help: 'which scenarios' },
  'import-rows': { default: '200000', help: 'rows of the bulk import file; 0 skips the import benchmark' },
  'port-base': { default: '4400', help: "this gateway's port; the subgraphs take the next five, the stock Apollo and Hive gateways the two after them" },
  'cpu-prof': { default: '', help: 'a directory: run this gateway and the five subgraphs with node --cpu-prof into it' },
  results: { default: 'bench/results.md', help: 'where the markdown results go (without it, a run with any other flag than --port-base off its default writes data/bench/results.md)' },
} as const;

type Flag = keyof typeof flags;

/** The flags whose values shape the figures; --port-base and --results do not. */
const measuringFlags: Flag[] = ['subjects', 'seconds', 'warmup', 'prewarm', 'repeats', 'connections', 'targets', 'scenarios', 'import-rows', 'cpu-prof'];

/**
 * Where the results go: `--results`, or else bench/results.md for the full benchmark (every
 * measuring flag at its default) and data/bench/results.md, untracked, for any other run.
 * bench/results.md is committed with the full benchmark's figures, and a quick run (a smaller
 * data set, shorter runs) wrote its own over them. `changed` names the flags that made it another run.
 */
export function resultsFileFor(argv: string[]): { file: string; changed: Flag[] } {
  const changed = measuringFlags.filter((name) => {
    const value = readFlag(argv, name);
    return value !== undefined && value !== flags[name].default;
  });
  const file = readFlag(argv, 'results') ?? (changed.length > 0 ? path.join('data', 'bench', 'results.md') : flags.results.default);
  return { file: path.resolve(projectRoot, file), changed };
}

const plural = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;

function usage(): string {
  return `npm run bench -- [flags]\n${Object.entries(flags).map(([name, f]) => `  --${name.padEnd(12)} ${f.help} (default ${f.default || 'none'})`).join('\n')}`;
}

function positive(argv: string[], name: Flag): number {
  const value = Number(readFlag(argv, name) ?? flags[name].default);
  if (!Number.isFinite(value) || value < 0) throw new Error(`--${name} must be a non-negative number, got "${readFlag(argv, name)}"\n${usage()}`);
  return value;
}

/** The supergraph with its routing URLs pointed at the bench's subgraphs, for the stock gateways. */
function benchSupergraph(urls: Record<SubgraphName, string>, file: string): string {
  let sdl = fs.readFileSync(supergraphPath, 'utf8');
  for (const name of subgraphNames) sdl = sdl.replace(new RegExp(`(@join__graph\\(name: "${name}", url: ")[^"]+`), `$1${urls[name]}`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, sdl);
  return file;
}

async function runImportBench(rows: number, subjects: number, env: NodeJS.ProcessEnv): Promise<ImportFigures | string> {
  const args = [path.join(projectRoot, 'dist', 'scripts', 'bench-import.js'), '--rows', String(rows), '--subjects', String(Math.min(subjects, 20_000))];
  // On every CPU, as an import runs in production: spawned plainly it would inherit this
  // process's pinning to CPU 0, importer and entities subgraph on one core beside MariaDB.
  const child = spawnNode(args, `0-${os.cpus().length - 1}`, { env, stdio: 'inherit' });
  // Seeding its subjects and two imports take a few minutes at 200,000 rows; a hung one is stopped
  // (after its own limit for each import, scripts/bench-import.ts runImport, and five minutes for the rest).
  const limitMs = 15 * 60_000 + rows * 2;
  let code: number | null;
  try {
    code = await exitWithin(child, limitMs, 'the import benchmark');
  } catch (error) {
    return `${(error as Error).message}; see its output.`;
  }
  if (code !== 0) return `The import benchmark failed (exit code ${code}); see its output.`;
  // scripts/bench-import.ts leaves each run's summary (scripts/import.ts --summary-json) in its work directory.
  const read = (file: string) => JSON.parse(fs.readFileSync(path.join(projectRoot, 'data', 'bench-import', file), 'utf8')) as ImportFigures['first'];
  try {
    return { rows, first: read('first.json'), second: read('second.json') };
  } catch {
    return 'The import benchmark ran but left no summaries in data/bench-import; see its output above.';
  }
}

async function main(argv: string[]): Promise<void> {
  if (argv.includes('--help')) return console.log(usage());
  const refused = refusedInProduction(
    process.env,
    'bench',
    'npm run bench is a benchmark (it writes made-up subjects, records and reports into the databases DATABASE_URL names, credit_bench_* unless DATABASE_PREFIX is set, and makes development secrets)',
    'it runs its own services with NODE_ENV=production; run it without, against a database server that holds no production data',
  );
  if (refused) process.exit(2);
  stopChildrenOnSignal();
  const started = new Date();
  const subjects = positive(argv, 'subjects');
  const seconds = positive(argv, 'seconds');
  const warmupSeconds = positive(argv, 'warmup');
  const prewarmSeconds = positive(argv, 'prewarm');
  const repeats = Math.max(1, positive(argv, 'repeats'));
  const importRows = positive(argv, 'import-rows');
  const portBase = positive(argv, 'port-base');
  const connections = (readFlag(argv, 'connections') ?? flags.connections.default).split(',').map(Number);
  const prewarmConnections = Math.max(...connections);
  const targets = (readFlag(argv, 'targets') ?? flags.targets.default).split(',') as TargetName[];
  const wanted = (readFlag(argv, 'scenarios') ?? flags.scenarios.default).split(',');
  const cpuProfile = readFlag(argv, 'cpu-prof');
  const { file: resultsFile, changed } = resultsFileFor(argv);

  const dataDirectory = path.join(projectRoot, 'data');
  const env = benchEnvironment(process.env, dataDirectory);
  const target = databaseTarget(env, dataDirectory);
  const world = demoWorld({ subjects });
  const scenarios = benchScenarios(world).filter((s) => wanted.includes(s.name));
  const gateways = targets.filter((t) => t !== 'direct');
  const loads = scenarios.length * gateways.length * connections.length + (targets.includes('direct') ? scenarios.filter((s) => s.subgraph).length * connections.length : 0);
  const prewarms = scenarios.length * gateways.length + (targets.includes('direct') ? scenarios.filter((s) => s.subgraph).length : 0);
  const expectedMinutes = (prewarms * prewarmSeconds + loads * repeats * (warmupSeconds + seconds + 1.5) + gateways.length * 10 + 30) / 60;
  console.log(`bench: ${prewarms} warm-ups of ${prewarmSeconds} s, then ${loads} measurements of ${warmupSeconds} s warm-up + ${repeats} × ${seconds} s: about ${expectedMinutes.toFixed(0)} minutes of load, plus seeding on a first run (about a minute at 100,000 subjects)${importRows > 0 ? ` and the import benchmark (${importRows} rows, a few minutes)` : ''}`);

  console.log(`data set on ${describeTarget(target)}: ${JSON.stringify(datasetSize(subjects))}`);
  const outcomes = await ensureDataset(target, world, console.log);
  console.log(outcomes.every((o) => o.reused) ? '  reused (the marker matches)' : '  written');
  const server = await describeServer(target);

  // Two cores at least: CPU 1 for the gateway under test, CPU 0 for the subgraphs and this process (autocannon).
  const cpus = os.cpus().length;
  const gatewayCpu = cpus > 1 ? '1' : '0';
  const restCpus = '0';
  pin(process.pid, restCpus);
  const pinning = canPin
    ? `taskset: the gateways on CPU ${gatewayCpu}, all running, each idle but for its turn (for (d), the subgraph is moved there for its turn); the five subgraphs and the harness with autocannon on CPU ${restCpus}; MariaDB is a system service and was not pinned (${cpus} CPUs); the import benchmark runs on every CPU`
    : 'none (no taskset on this machine)';

  const urls = Object.fromEntries(subgraphNames.map((n, i) => [n, `http://127.0.0.1:${portBase + 1 + i}/graphql`])) as Record<SubgraphName, string>;
  // The subgraphs take the five ports after the base; the peers the two after them.
  const gatewayPorts: Record<Exclude<TargetName, 'direct'>, number> = { ours: portBase, apollo: portBase + 6, hive: portBase + 7 };
  const gatewayUrl = (name: Exclude<TargetName, 'direct'>) => `http://127.0.0.1:${gatewayPorts[name]}/graphql`;
  // Every process as the Docker image runs it: graphql-js, for one, skips its development checks.
  const subgraphEnv: NodeJS.ProcessEnv = { ...env, NODE_ENV: 'production', APOLLO_TELEMETRY_DISABLED: 'true', ...Object.fromEntries(subgraphNames.map((n) => [`SUBGRAPH_${n.toUpperCase()}_URL`, urls[n]])) };
  const supergraphFile = benchSupergraph(urls, path.join(dataDirectory, 'bench', 'supergraph.graphql'));
  const signingKey = readSecret(env, 'GATEWAY_SIGNING_KEY');
  // The stock gateways' one identity: the platform's, with every field group, for the length of the run.
  const platformIdentity = await signIdentity({ caller: null, purpose: null, grants: [...fieldGroupNames], scope: {} }, signingKey, '12h');
  const officer = demoCallers(world)[0];
  const officerHeaders = { authorization: `Bearer ${await mintToken(officer.caller, readSecret(env, 'AUTH_JWT_SECRET'))}`, ...officer.headers };

  // Every run of each measurement (scenario, target, connections); the report shows the median run and the range of all.
  const runs = new Map<string, { scenario: string; name: TargetName; c: number; all: Measurement[] }>();
  const prewarmErrors: BenchResults['prewarmErrors'] = new Map();
  const record = (scenario: string, name: TargetName, c: number, m: Measurement) => {
    const key = `${scenario} ${name} ${c}`;
    if (!runs.has(key)) runs.set(key, { scenario, name, c, all: [] });
    runs.get(key)!.all.push(m);
    console.log(`  ${scenario.padEnd(13)} ${name.padEnd(7)} ${String(c).padStart(3)} conn.: ${m.requestsPerSecond.toFixed(0)} req/s, p50 ${m.p50} ms, p99 ${m.p99} ms, ${m.errors} errors (${m.warmupErrors} in its warm-up), CPU ${m.cpuPercent.toFixed(0)}% (${m.cpuMsPerRequest.toFixed(2)} ms/req, subgraphs ${m.subgraphCpuMsPerRequest.toFixed(2)}: ${bySubgraph(m)}), peak ${m.peakMemoryMiB.toFixed(0)} MiB, ${m.statementsPerRequest.toFixed(1)} SQL/req`);
  };
  const metricsUrls = subgraphNames.map((n) => urls[n].replace(/\/graphql$/, '/metrics'));
  const loadOptions = (c: number) => ({ connections: c, seconds, warmupSeconds, metricsUrls, subgraphs });

  const profiling = cpuProfile ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(cpuProfile)}`] : [];
  const subgraphs: Service[] = [];
  const running: Service[] = [];
  try {
    for (const [i, name] of subgraphNames.entries()) subgraphs.push(startService(name, `subgraphs/${name}/index.js`, { ...subgraphEnv, PORT: String(portBase + 1 + i), LOG_LEVEL: 'warn' }, restCpus, profiling));
    await Promise.all(subgraphs.map((s) => waitAnswering(s, urls[s.name as SubgraphName].replace(/\/graphql$/, '/ready'))));

    const launch: Record<Exclude<TargetName, 'direct'>, () => Service> = {
      // Rate limits stay on (their cost is part of the gateway as it ships), with budgets no run reaches.
      ours: () => startService('ours', 'gateway/index.js', { ...subgraphEnv, GATEWAY_PORT: String(gatewayPorts.ours), EXPLORER_DEMO_TOKENS: 'false', RATE_LIMIT_CALLER_PER_MINUTE: '100000000', RATE_LIMIT_ORGANISATION_PER_MINUTE: '100000000' }, gatewayCpu, profiling),
      apollo: () => startService('apollo', 'scripts/bench/apollo-gateway.js', { ...subgraphEnv, PORT: String(gatewayPorts.apollo), SUPERGRAPH_PATH: supergraphFile, BENCH_IDENTITY: platformIdentity }, gatewayCpu),
      hive: () => startService('hive', 'scripts/bench/hive-gateway.js', { ...subgraphEnv, PORT: String(gatewayPorts.hive), SUPERGRAPH_PATH: supergraphFile, BENCH_IDENTITY: platformIdentity }, gatewayCpu),
    };
    // Every gateway runs from the start, idle but for its turn, and the runs of one measurement
    // are taken in rounds, the targets one after another within each: a slow spell of a shared
    // host falls on every target alike instead of on whichever was being measured.
    const loadTargets = new Map<TargetName, LoadTarget>();
    for (const name of gateways) {
      const gateway = launch[name]();
      running.push(gateway);
      await waitAnswering(gateway, gatewayUrl(name), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ __typename }"}' });
      loadTargets.set(name, { url: gatewayUrl(name), headers: name === 'ours' ? officerHeaders : {}, pid: gateway.pid });
      for (const scenario of scenarios) await verify(loadTargets.get(name)!, scenario.bodies, `${scenario.name} through ${name}`);
    }
    // (d): the subgraph of a one-subgraph scenario, straight, with the stock gateways' identity.
    const directTargets = new Map<string, LoadTarget>();
    for (const scenario of scenarios.filter((s) => s.subgraph && targets.includes('direct'))) {
      const subgraph = subgraphs.find((s) => s.name === scenario.subgraph)!;
      directTargets.set(scenario.name, { url: urls[scenario.subgraph!], headers: { [identityHeader]: platformIdentity }, pid: subgraph.pid });
      await verify(directTargets.get(scenario.name)!, scenario.bodies, `${scenario.name} directly`);
    }
    if (prewarmSeconds > 0) {
      console.log(`\nwarming up: ${prewarmSeconds} s of each scenario through each target at ${plural(prewarmConnections, 'connection')}`);
      for (const scenario of scenarios) {
        const errors = new Map<TargetName, number>();
        prewarmErrors.set(scenario.name, errors);
        for (const name of gateways) errors.set(name, await warmUp(loadTargets.get(name)!, scenario.bodies, prewarmConnections, prewarmSeconds));
        const direct = directTargets.get(scenario.name);
        if (direct) errors.set('direct', await warmUp(direct, scenario.bodies, prewarmConnections, prewarmSeconds));
        const failed = [...errors].filter(([, n]) => n > 0);
        if (failed.length > 0) console.log(`  ${scenario.name}: errors ${failed.map(([name, n]) => `${name} ${n}`).join(', ')}`);
      }
    }
    for (let round = 1; round <= repeats; round++) {
      console.log(`\nround ${round} of ${repeats}`);
      for (const scenario of scenarios) {
        for (const c of connections) {
          for (const name of gateways) record(scenario.name, name, c, await measure(loadTargets.get(name)!, scenario.bodies, loadOptions(c)));
          const direct = directTargets.get(scenario.name);
          if (!direct) continue;
          // The subgraph is moved to the gateway's CPU for its turn, so that the limit is measured on the same core.
          pin(direct.pid, gatewayCpu);
          try {
            record(scenario.name, 'direct', c, await measure(direct, scenario.bodies, loadOptions(c)));
          } finally {
            pin(direct.pid, restCpus);
          }
        }
      }
    }
  } finally {
    await Promise.all(running.map((s) => s.stop()));
    await Promise.all(subgraphs.map((s) => s.stop()));
  }
  // Interrupted, the load stopped at once and the run under way ended early: nothing is written,
  // and the signal's handler exits once the services have stopped.
  if (interrupted()) return;

  const importFigures = importRows > 0 ? await runImportBench(importRows, subjects, env) : undefined;
  const measurements: BenchResults['measurements'] = new Map(scenarios.map((s) => [s.name, new Map()]));
  for (const { scenario, name, c, all } of runs.values()) {
    const byTarget = measurements.get(scenario)!;
    if (!byTarget.has(name)) byTarget.set(name, new Map());
    byTarget.get(name)!.set(c, all);
  }
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  const results: BenchResults = {
    machine: `${cpu}, ${cpus} CPUs, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ${os.type()} ${os.release()}, Node ${process.version}; shared with other work while it ran unless said otherwise`,
    settings: `autocannon${prewarmSeconds > 0 ? `, first ${prewarmSeconds} s of unmeasured load on each scenario through each target at ${plural(prewarmConnections, 'connection')}` : ''}; ${repeats} runs of ${seconds} s, each after ${warmupSeconds} s of warm-up, taken in ${repeats} rounds with every target's run of a measurement back to back in each: a row shows the median run (by req/s, its latencies and CPU with it) and the range of req/s of all, and a target is met or missed only where every run says so; errors are counted over every run of a measurement and the warm-up before each; every process with NODE_ENV=production, as the Docker image runs it; (a) as it ships (LOG_LEVEL info), as the finance bureau's demo officer under GOVERNMENT_PROCUREMENT; (b) and (c) default settings, sending one identity with every field group signed once at start (the subgraphs accept only gateway-signed identities); (d) the same header, straight to the subgraph; subgraphs at LOG_LEVEL warn; SQL / req counts every statement of the five subgraphs (credit_db_queries_total), audit writes included; CPU ms / req is the target process's (the gateway's, or for (d) the subgraph's), subgraphs CPU ms / req the five subgraphs' together over the same run (from /proc; MariaDB's is in neither)`,
    pinning,
    dataset: `${describeTarget(target)} (${server}), ${subjects} subjects, ${subjects * 10} credit records, ${subjects} credit reports (scripts/bench/dataset.ts)`,
    scenarios,
    connections,
    measurements,
    prewarmErrors,
    importFigures,
    startedAt: started,
    minutes: (Date.now() - started.getTime()) / 60_000,
  };
  const markdown = renderResults(results);
  fs.mkdirSync(path.dirname(resultsFile), { recursive: true });
  writeResults(resultsFile, markdown);
  const aside = changed.length > 0 && readFlag(argv, 'results') === undefined ? ` (not ${flags.results.default}, which holds the full benchmark's figures: this run set ${changed.map((f) => `--${f}`).join(', ')}; --results ${flags.results.default} writes there)` : '';
  console.log(`\n${markdown}\n\nwritten to ${path.relative(projectRoot, resultsFile)}${aside}`);
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((error) => {
    // Interrupted: the signal's handler exits once the services have stopped.
    if (interrupted()) return;
    exitWithSeedFailure('bench')(error);
  });
}
