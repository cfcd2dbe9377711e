import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { readFlag } from '../lib/env';
import { projectRoot } from '../lib/project-root';
import { databaseTarget, describeTarget } from '../subgraphs/shared/database';
import { demoWorld } from './demo/world';
import { launchPlatform } from './launch';
import { seedAll } from './seed';
import { withDevSecrets } from './dev-secrets';
import { demoTokens } from './tokens';

/**
 * `npm run bench [-- --subjects 20000 --seconds 10 --concurrency 16]`: seeds a world of the
 * given size into databases of its own (SQLite under data/bench-N, or MySQL databases
 * credit_bench_*), starts the real processes, and drives typical operations through the
 * gateway, printing throughput and latency percentiles with the machine they ran on.
 */
interface Workload {
  name: string;
  /** The demo caller (by label prefix) whose token and purpose the requests carry. */
  who: string;
  request(i: number): { query: string; variables?: Record<string, unknown> };
}

function percentile(sorted: number[], p: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : NaN;
}

async function drive(url: string, workload: Workload, headers: Record<string, string>, seconds: number, concurrency: number) {
  const latencies: number[] = [];
  let errors = 0;
  let i = 0;
  const deadline = performance.now() + seconds * 1000;
  const worker = async () => {
    while (performance.now() < deadline) {
      const started = performance.now();
      const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(workload.request(i++)) });
      const body = (await response.json()) as { errors?: unknown[] };
      latencies.push(performance.now() - started);
      if (!response.ok || body.errors) errors++;
    }
  };
  const began = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsed = (performance.now() - began) / 1000;
  latencies.sort((a, b) => a - b);
  return { requests: latencies.length, perSecond: latencies.length / elapsed, p50: percentile(latencies, 50), p95: percentile(latencies, 95), p99: percentile(latencies, 99), errors };
}

async function main(argv: string[]): Promise<void> {
  const subjects = Number(readFlag(argv, 'subjects') ?? 20000);
  const seconds = Number(readFlag(argv, 'seconds') ?? 10);
  const concurrency = Number(readFlag(argv, 'concurrency') ?? 16);
  // One caller sends thousands of requests a minute here: measured is the platform, not its rate limits.
  const env = withDevSecrets({ ...process.env, SQLITE_DIRECTORY: path.join(projectRoot, 'data', `bench-${subjects}`), DATABASE_PREFIX: 'credit_bench_', RATE_LIMIT: 'off' }, path.join(projectRoot, 'data'));
  const target = databaseTarget(env, path.join(projectRoot, 'data'));
  const seedStarted = performance.now();
  await seedAll(target, { subjects });
  console.log(`seeded ${subjects} subjects on ${describeTarget(target)} in ${((performance.now() - seedStarted) / 1000).toFixed(1)} s (only missing rows are written)`);

  const world = demoWorld({ subjects });
  // Procurement covers organisations only: the officer asks about those.
  const organisations = world.subjects.filter((s) => s.kind !== 'NATURAL_PERSON');
  const tokens = await demoTokens(env);
  const headersOf = (who: string) => {
    const demo = tokens.find((t) => t.label.startsWith(who));
    if (!demo) throw new Error(`no demo caller ${who}`);
    return { authorization: `Bearer ${demo.token}`, ...demo.headers };
  };
  const workloads: Workload[] = [
    {
      name: 'subject by code, with records and reports',
      who: 'Finance bureau officer',
      request: (i) => ({
        query: `query($code: String!) { subjectByCode(code: $code) { name status creditRecords(first: 20) { totalCount edges { node { category severity status sourceDepartment { nameZh } } } } creditReports { edges { node { grade validUntil issuer { name filingStatus } } } } } }`,
        variables: { code: organisations[(i * 7919) % organisations.length].identifier },
      }),
    },
    {
      name: 'name search, 50 subjects with record counts',
      who: 'Analyst',
      request: (i) => ({
        query: `query($name: String!) { searchSubjects(name: $name, first: 50) { totalCount edges { node { name kind creditRecords(filter: { polarity: NEGATIVE }, first: 1) { totalCount } } } } }`,
        variables: { name: ['海滨', '金沙', '联峰', '戴河', '刘庄'][i % 5] },
      }),
    },
    {
      name: 'provider registry, with issued report counts',
      who: 'Provider registry admin',
      request: () => ({ query: `{ creditServiceProviders(first: 20) { totalCount edges { node { name filingStatus supervisionClass issuedReports(first: 1) { totalCount } } } } }` }),
    },
  ];

  const platform = await launchPlatform(env, { gatewayPort: Number(process.env.GATEWAY_PORT || 4000), quiet: true });
  try {
    console.log(`\nmachine: ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${os.platform()} ${os.release()}`);
    console.log(`database: ${describeTarget(target)}; ${subjects} subjects; ${concurrency} concurrent clients; ${seconds} s per workload\n`);
    console.log('| workload | who | requests/s | p50 ms | p95 ms | p99 ms | errors |');
    console.log('| --- | --- | ---: | ---: | ---: | ---: | ---: |');
    for (const workload of workloads) {
      const headers = headersOf(workload.who);
      await drive(platform.gatewayUrl, workload, headers, 1, concurrency); // warm-up: query plans, statement caches
      const r = await drive(platform.gatewayUrl, workload, headers, seconds, concurrency);
      console.log(`| ${workload.name} | ${workload.who} | ${r.perSecond.toFixed(0)} | ${r.p50.toFixed(1)} | ${r.p95.toFixed(1)} | ${r.p99.toFixed(1)} | ${r.errors} |`);
    }
  } finally {
    await platform.stop();
  }
}

main(process.argv.slice(2)).catch((error) => {
  console.error(error);
  process.exit(1);
});
