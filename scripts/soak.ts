import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { readFlag } from '../lib/env';
import { projectRoot } from '../lib/project-root';
import { subgraphNames, type SubgraphName } from '../schema/subgraphs';
import { databaseTarget, describeTarget, dropMysqlDatabase } from '../subgraphs/shared/database';
import { demoConsents } from './demo/consents';
import { withDevSecrets } from './dev-secrets';
import { refusedInProduction } from './production-refusal';
import { launchPlatform } from './launch';
import { seedAll } from './seed';
import { demoTokens } from './tokens';
import { exitWithFailure } from '../lib/start-failure';
import { describeSoakDatabases, soakEnvironment } from './soak/environment';
import { LogLevelCounts, sampleMemory, type MemorySample, type SoakedProcess } from './soak/processes';
import { auditCheck, drive, operations, percentile, readAudit, soakMix } from './soak/workload';

/**
 * `npm run soak [-- --rate 50 --minutes 10 --subjects 2000 --port 4600]`: a bounded soak on
 * loopback. Seeds a fresh world into databases of its own (SQLite under data/soak, or MySQL
 * databases credit_soak_* unless DATABASE_PREFIX is set), starts the real processes on ports of
 * their own (the gateway on `--port`, the subgraphs on the five after it), and sends a mixed
 * workload of the demo callers through the gateway at a fixed rate, access control, audit and
 * rate limits on. Open loop: request n is due at start + n/rate whether or not earlier ones have
 * been answered, and its latency counts from when it was due, so a slow gateway shows as latency,
 * not as a lower rate.
 *
 * Reports throughput, latency percentiles and errors (expected: none), every process's memory at
 * the start and end (expected: flat) and its warning and error lines (expected: none), and the
 * audit check: every request whose answer disclosed a subject's data has its DISCLOSED entry in
 * the audit log (found by the request id the gateway answered), and the hash chain verifies.
 */

function readNumber(argv: string[], name: string, fallback: number, min: number): number {
  const raw = readFlag(argv, name);
  const value = raw === undefined ? fallback : Number(raw);
  if (!Number.isFinite(value) || value < min) {
    console.error(`--${name} must be a number of at least ${min}, got "${raw}"`);
    process.exit(2);
  }
  return value;
}

async function main(argv: string[]): Promise<void> {
  const refused = refusedInProduction(
    process.env,
    'soak',
    'npm run soak is a load test (it drops and seeds databases of made-up data, credit_soak_* unless DATABASE_PREFIX is set, on the server DATABASE_URL names, and makes development secrets)',
    'run it against a database server that holds no production data',
  );
  if (refused) process.exit(2);
  const rate = readNumber(argv, 'rate', 50, 1);
  const minutes = readNumber(argv, 'minutes', 10, 0.1);
  const subjects = Math.floor(readNumber(argv, 'subjects', 2000, 10));
  const port = Math.floor(readNumber(argv, 'port', 4600, 1024));
  const warmupSeconds = 15;
  const subgraphPorts = Object.fromEntries(subgraphNames.map((n, i) => [n, port + 1 + i])) as Record<SubgraphName, number>;
  // Rate limits stay on, as in production, with budgets the soak cannot reach: every request
  // must be answered (one caller sends at most the whole rate).
  const budget = Math.ceil(rate * 60 * 2);
  const dataDirectory = path.join(projectRoot, 'data');
  const env = withDevSecrets(soakEnvironment(process.env, dataDirectory, budget), dataDirectory);
  const target = databaseTarget(env, dataDirectory);
  console.log(describeSoakDatabases(target));
  // A fresh world each run: the audit log and the ledger start empty, so runs compare.
  if (target.kind === 'sqlite') fs.rmSync(target.directory, { recursive: true, force: true });
  else for (const name of subgraphNames) await dropMysqlDatabase(target.url, `${target.prefix}${name}`);
  const seedStarted = performance.now();
  await seedAll(target, { subjects });
  console.log(`seeded ${subjects} subjects on ${describeTarget(target)} in ${((performance.now() - seedStarted) / 1000).toFixed(1)} s`);

  const tokens = await demoTokens(env, demoConsents.bankFinancialServices);
  const ops = operations(subjects);
  const { mix, organisations, headersOf } = soakMix(ops, tokens);

  const logged = new LogLevelCounts();
  const platform = await launchPlatform(env, { gatewayPort: port, subgraphPorts, logLines: (name, line) => logged.line(name, line) });
  const processes: SoakedProcess[] = [
    { name: 'gateway', pid: platform.pids.gateway, url: platform.gatewayUrl },
    ...subgraphNames.map((name) => ({ name, pid: platform.pids[name], url: `http://127.0.0.1:${subgraphPorts[name]}/graphql` })),
  ];
  let died: string | undefined;
  void platform.died.then((name) => (died = name));
  try {
    const runId = `soak-${Date.now().toString(36)}`;
    console.log(`warming up for ${warmupSeconds} s at ${rate} requests/s…`);
    await drive(platform.gatewayUrl, mix, rate, warmupSeconds, `${runId}-warm`);
    // Every process at the start, every tenth of the run and the end: a leak shows as troughs that keep rising, not as one high sample.
    const memory: Record<string, MemorySample>[] = [await sampleMemory(processes)];
    const sampler = setInterval(() => void sampleMemory(processes).then((sample) => memory.push(sample)), (minutes * 60 * 1000) / 10);
    console.log(`soaking for ${minutes} min at ${rate} requests/s (open loop)…`);
    const from = new Date();
    const run = await drive(platform.gatewayUrl, mix, rate, minutes * 60, runId).finally(() => clearInterval(sampler));
    const to = new Date(Date.now() + 1000);
    if (died) throw new Error(`${died} during the soak`);
    memory.push(await sampleMemory(processes));
    const samples = memory.map((sample) => sample.gateway);
    const [{ rss: rssStart, heap: heapStart }, { rss: rssEnd, heap: heapEnd }] = [samples[0], samples[samples.length - 1]];
    const rssPeak = Math.max(...samples.map((m) => m.rss ?? 0));

    const audit = await readAudit(platform.gatewayUrl, headersOf('Credit office supervisor'), organisations, from, to);
    const { ours, disclosing, missing, otherOutcomes } = auditCheck(run.outcomes, audit.entries);
    const latencies = run.outcomes.map((o) => o.latencyMs).sort((a, b) => a - b);
    const failed = run.outcomes.filter((o) => o.error);
    const errorKinds = [...new Set(failed.map((o) => o.error))].map((e) => `${e} ×${failed.filter((o) => o.error === e).length}`).join(', ');
    const mib = (value: number | undefined) => (value === undefined ? 'n/a' : `${value.toFixed(1)} MiB`);

    console.log(`\nmachine: ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${os.platform()} ${os.release()}`);
    console.log(`database: ${describeTarget(target)}; ${subjects} subjects; rate limits on (${budget}/min per caller and organisation); audit on\n`);
    console.log('| measure | value |');
    console.log('| --- | ---: |');
    console.log(`| duration, rate | ${run.seconds.toFixed(0)} s at ${rate} requests/s, open loop, after ${warmupSeconds} s warm-up |`);
    console.log(`| requests answered | ${run.outcomes.length} |`);
    console.log(`| throughput | ${(run.outcomes.length / run.seconds).toFixed(1)} requests/s |`);
    console.log(`| latency p50 / p95 / p99 / max | ${[50, 95, 99].map((p) => percentile(latencies, p).toFixed(1)).join(' / ')} / ${latencies[latencies.length - 1]?.toFixed(1)} ms |`);
    console.log(`| errors | ${failed.length}${errorKinds ? ` (${errorKinds})` : ''} |`);
    console.log(`| gateway RSS start / peak / end | ${mib(rssStart)} / ${mib(rssPeak)} / ${mib(rssEnd)} |`);
    console.log(`| gateway heap used start / end | ${mib(heapStart)} / ${mib(heapEnd)} |`);
    console.log(`| gateway RSS, heap (MiB) every tenth of the run | ${samples.map((m) => `${m.rss?.toFixed(0) ?? '?'}, ${m.heap?.toFixed(0) ?? '?'}`).join(' · ')} |`);
    console.log(`| disclosing answers / with their audit entry / missing | ${disclosing.length} / ${disclosing.length - missing.length} / ${missing.length} |`);
    console.log(`| audit entries of the soak (DISCLOSED / other) | ${ours.length - otherOutcomes} / ${otherOutcomes} |`);
    console.log(`| audit chain | ${audit.chain.intact ? 'intact' : `BROKEN (first broken sequence ${audit.chain.firstBrokenSequence ?? 'none'}, ${audit.chain.unchainedEntries} entries outside the chain)`}, ${audit.chain.entries} entries |`);
    console.log('\n| process | RSS start / peak / end (MiB) | heap used start / end (MiB) | warn / error lines logged (warm-up included) |');
    console.log('| --- | ---: | ---: | ---: |');
    const whole = (value: number | undefined) => value?.toFixed(0) ?? 'n/a';
    for (const { name } of processes) {
      const mine = memory.map((sample) => sample[name] ?? {});
      const [first, last] = [mine[0], mine[mine.length - 1]];
      const lines = logged.counts[name] ?? { warn: 0, error: 0 };
      console.log(`| ${name} | ${whole(first.rss)} / ${whole(Math.max(...mine.map((m) => m.rss ?? 0)))} / ${whole(last.rss)} | ${whole(first.heap)} / ${whole(last.heap)} | ${lines.warn} / ${lines.error} |`);
    }
    console.log('\n| operation | who | requests | p50 ms | p99 ms | errors |');
    console.log('| --- | --- | ---: | ---: | ---: | ---: |');
    for (const operation of ops) {
      const mine = run.outcomes.filter((o) => o.operation === operation.name);
      const sorted = mine.map((o) => o.latencyMs).sort((a, b) => a - b);
      console.log(`| ${operation.name} | ${operation.who} | ${mine.length} | ${percentile(sorted, 50).toFixed(1)} | ${percentile(sorted, 99).toFixed(1)} | ${mine.filter((o) => o.error).length} |`);
    }
    if (failed.length || missing.length || !audit.chain.intact) process.exitCode = 1;
  } finally {
    await platform.stop();
  }
}

main(process.argv.slice(2)).catch(exitWithFailure('soak'));
