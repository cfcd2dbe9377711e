import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { readFlag } from '../lib/env';
import { projectRoot } from '../lib/project-root';
import { subgraphNames, type SubgraphName } from '../schema/subgraphs';
import { databaseTarget, describeTarget, dropMysqlDatabase } from '../subgraphs/shared/database';
import { demoConsents } from './demo/consents';
import { statusMiB } from './bench/processes';
import { demoWorld } from './demo/world';
import { withDevSecrets } from './dev-secrets';
import { refusedInProduction } from './production-refusal';
import { launchPlatform } from './launch';
import { seedAll } from './seed';
import { demoTokens } from './tokens';
import { exitWithFailure } from '../lib/start-failure';

/**
 * `npm run soak [-- --rate 50 --minutes 10 --subjects 2000 --port 4600]`: a bounded soak on
 * loopback. Seeds a fresh world into databases of its own (SQLite under data/soak, or MySQL
 * databases credit_soak_*), starts the real processes on ports of their own (the gateway on
 * `--port`, the subgraphs on the five after it), and sends a mixed workload of the demo callers
 * through the gateway at a fixed rate, access control, audit and rate limits on. Open loop:
 * request n is due at start + n/rate whether or not earlier ones have been answered, and its
 * latency counts from when it was due, so a slow gateway shows as latency, not as a lower rate.
 *
 * Reports throughput, latency percentiles and errors (expected: none), the gateway's memory at
 * the start and end (expected: flat) and the audit check: every request whose answer disclosed a
 * subject's data has its DISCLOSED entry in the audit log (found by request id), and the hash
 * chain verifies.
 */

interface Operation {
  name: string;
  /** The demo caller (by label prefix) whose token and purpose headers the request carries. */
  who: string;
  /** How many of each round of the mix are this operation. */
  weight: number;
  request(i: number, headers: Record<string, string>): { query: string; variables?: Record<string, unknown> };
  /** Whether an answer's data discloses a subject's credit data, so that the audit log must hold it. */
  discloses(data: Record<string, unknown>): boolean;
}

interface Outcome {
  operation: string;
  requestId: string;
  latencyMs: number;
  /** Why it failed (`HTTP 429 RATE_LIMITED`, `FORBIDDEN`, `timeout`…), or undefined. */
  error?: string;
  disclosed: boolean;
}

function operations(subjects: number): Operation[] {
  const w = demoWorld({ subjects });
  // Procurement and credit checks cover organisations, personnel review natural persons.
  const organisations = w.subjects.filter((s) => s.kind !== 'NATURAL_PERSON');
  const persons = w.subjects.filter((s) => s.kind === 'NATURAL_PERSON');
  const pick = <T>(list: T[], i: number) => list[(i * 7919) % list.length];
  const subject = (data: Record<string, unknown>, field: string) => data[field] !== null && data[field] !== undefined;
  return [
    {
      name: 'subject lookup by code, with records and reports',
      who: 'Finance bureau officer',
      weight: 4,
      request: (i) => ({
        query: /* GraphQL */ `query SoakLookup($code: String!) { subjectByCode(code: $code) { name status creditRecords(first: 20) { totalCount edges { node { category severity status sourceDepartment { nameZh } } } } creditReports { edges { node { grade validUntil issuer { name filingStatus } } } } } }`,
        variables: { code: pick(organisations, i).identifier },
      }),
      discloses: (data) => subject(data, 'subjectByCode'),
    },
    {
      name: 'credit check (runCreditCheck)',
      who: 'Finance bureau officer',
      weight: 1,
      request: (i, headers) => ({
        query: /* GraphQL */ `mutation SoakCheck($input: RunCreditCheckInput!) { runCreditCheck(input: $input) { id verdict measures { kind } } }`,
        variables: { input: { subjectId: pick(organisations, i).id, matter: headers['x-credit-matter'], caseNumber: headers['x-credit-case'] } },
      }),
      discloses: (data) => subject(data, 'runCreditCheck'),
    },
    {
      name: 'personnel review of a person',
      who: 'Organisation department officer',
      weight: 1,
      request: (i) => ({
        query: /* GraphQL */ `query SoakPersonnel($id: ID!) { subject(id: $id) { name kind creditRecords(first: 5) { totalCount edges { node { category severity status } } } } }`,
        variables: { id: pick(persons, i).id },
      }),
      discloses: (data) => subject(data, 'subject'),
    },
    {
      name: 'name search, 10 subjects with record counts',
      who: 'Analyst',
      weight: 2,
      request: (i) => ({
        query: /* GraphQL */ `query SoakSearch($name: String!) { searchSubjects(name: $name, first: 10) { totalCount edges { node { name kind creditRecords(filter: { polarity: NEGATIVE }, first: 1) { totalCount } } } } }`,
        variables: { name: ['海滨', '金沙', '联峰', '戴河', '刘庄'][i % 5] },
      }),
      discloses: (data) => ((data.searchSubjects as { edges?: unknown[] } | null)?.edges?.length ?? 0) > 0,
    },
    {
      name: 'provider registry, with issued report counts',
      who: 'Provider registry admin',
      weight: 1,
      request: () => ({ query: /* GraphQL */ `query SoakRegistry { creditServiceProviders(first: 20) { totalCount edges { node { name filingStatus supervisionClass issuedReports(first: 1) { totalCount } } } } }` }),
      discloses: () => false,
    },
    {
      name: 'bank reading its consented subject',
      who: 'Bank',
      weight: 1,
      request: () => ({ query: /* GraphQL */ `query SoakConsented($id: ID!) { subject(id: $id) { name creditRecords(first: 5) { totalCount } creditReports { totalCount } } }`, variables: { id: w.subjects[0].id } }),
      discloses: (data) => subject(data, 'subject'),
    },
    {
      name: 'enterprise self-inquiry',
      who: 'Enterprise',
      weight: 1,
      request: () => ({ query: /* GraphQL */ `query SoakSelf($id: ID!) { subject(id: $id) { name creditRecords { totalCount edges { node { category status } } } } }`, variables: { id: w.subjects[0].id } }),
      discloses: (data) => subject(data, 'subject'),
    },
  ];
}

type Headers = Record<string, string>;

/** Sends `rate × seconds` requests at their due times, cycling through the weighted mix. */
async function drive(url: string, mix: { operation: Operation; headers: Headers }[], rate: number, seconds: number, runId: string): Promise<{ outcomes: Outcome[]; seconds: number }> {
  const total = Math.floor(rate * seconds);
  const outcomes: Outcome[] = [];
  const inFlight = new Set<Promise<void>>();
  const began = performance.now();
  for (let i = 0; i < total; i++) {
    const due = began + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await sleep(wait);
    const { operation, headers } = mix[i % mix.length];
    const requestId = `${runId}-${i}`;
    const sent = send(url, operation, headers, i, requestId).then((result) => {
      outcomes.push({ operation: operation.name, requestId, latencyMs: performance.now() - due, ...result });
    });
    inFlight.add(sent);
    void sent.finally(() => inFlight.delete(sent));
  }
  await Promise.all(inFlight);
  return { outcomes, seconds: (performance.now() - began) / 1000 };
}

async function send(url: string, operation: Operation, headers: Headers, i: number, requestId: string): Promise<{ error?: string; disclosed: boolean }> {
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': requestId, ...headers },
      body: JSON.stringify(operation.request(i, headers)),
      signal: AbortSignal.timeout(30_000),
    });
    const body = (await response.json()) as { data?: Record<string, unknown> | null; errors?: { extensions?: { code?: string } }[] };
    const codes = (body.errors ?? []).map((e) => e.extensions?.code ?? 'UNKNOWN');
    const error = !response.ok ? `HTTP ${response.status} ${codes.join(' ')}`.trim() : codes.length ? [...new Set(codes)].join(' ') : undefined;
    return { error, disclosed: body.data ? operation.discloses(body.data) : false };
  } catch (error) {
    return { error: (error as Error).name === 'TimeoutError' ? 'timeout (30 s)' : `no answer (${(error as Error).message})`, disclosed: false };
  }
}

function percentile(sorted: number[], p: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : NaN;
}

/** The gateway's V8 heap in use, from its /metrics, in MiB. */
async function heapUsedMiB(gatewayUrl: string): Promise<number | undefined> {
  const text = await (await fetch(gatewayUrl.replace(/\/graphql$/, '/metrics'), { signal: AbortSignal.timeout(10_000) })).text();
  const value = /^credit_nodejs_heap_size_used_bytes(?:\{[^}]*\})? (\S+)$/m.exec(text)?.[1];
  return value ? Number(value) / 2 ** 20 : undefined;
}

const AUDIT_PAGE = /* GraphQL */ `
  query SoakAuditPage($organisation: String!, $from: DateTime!, $to: DateTime!, $after: String) {
    auditEntriesByOrganisation(organisation: $organisation, from: $from, to: $to, first: 100, after: $after) {
      pageInfo { hasNextPage endCursor }
      edges { node { requestId outcome } }
    }
  }
`;

/**
 * The audit log as the credit office reads it, through the gateway: every entry of the soak's
 * organisations within [from, to), by request id; and the chain's verification.
 */
async function readAudit(url: string, supervisor: Headers, organisations: string[], from: Date, to: Date) {
  const ask = async <T>(query: string, variables: Record<string, unknown>): Promise<T> => {
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...supervisor }, body: JSON.stringify({ query, variables }), signal: AbortSignal.timeout(120_000) });
    const body = (await response.json()) as { data?: T; errors?: { message: string }[] };
    if (!body.data || body.errors) throw new Error(`the audit could not be read: ${JSON.stringify(body.errors)}`);
    return body.data;
  };
  const entries: { requestId: string; outcome: string }[] = [];
  for (const organisation of organisations) {
    let after: string | null = null;
    do {
      type Page = { auditEntriesByOrganisation: { pageInfo: { hasNextPage: boolean; endCursor: string | null }; edges: { node: { requestId: string; outcome: string } }[] } };
      const page: Page = await ask<Page>(AUDIT_PAGE, { organisation, from: from.toISOString(), to: to.toISOString(), after });
      entries.push(...page.auditEntriesByOrganisation.edges.map((e) => e.node));
      after = page.auditEntriesByOrganisation.pageInfo.hasNextPage ? page.auditEntriesByOrganisation.pageInfo.endCursor : null;
    } while (after);
  }
  type Verification = { intact: boolean | null; complete: boolean; resumeFrom: string | null; entries: number; firstBrokenSequence: number | null; unchainedEntries: number };
  let chain: Verification;
  let resumeFrom: Verification['resumeFrom'] = null;
  // A long log is verified over several calls, each resumed where the last stopped.
  do {
    ({ verifyAuditChain: chain } = await ask<{ verifyAuditChain: Verification }>(
      `query SoakChain($resumeFrom: String) { verifyAuditChain(resumeFrom: $resumeFrom) { intact complete resumeFrom entries firstBrokenSequence unchainedEntries } }`,
      { resumeFrom },
    ));
    resumeFrom = chain.resumeFrom;
  } while (!chain.complete);
  return { entries, chain };
}

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
    'npm run soak is a load test (it drops and seeds databases of made-up data, credit_soak_*, on the server DATABASE_URL names, and makes development secrets)',
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
  const budget = String(Math.ceil(rate * 60 * 2));
  const dataDirectory = path.join(projectRoot, 'data');
  const env = withDevSecrets(
    {
      ...process.env,
      SQLITE_DIRECTORY: path.join(dataDirectory, 'soak'),
      DATABASE_PREFIX: 'credit_soak_',
      RATE_LIMIT: 'on',
      RATE_LIMIT_CALLER_PER_MINUTE: budget,
      RATE_LIMIT_ORGANISATION_PER_MINUTE: budget,
      LOG_LEVEL: 'warn',
    },
    dataDirectory,
  );
  const target = databaseTarget(env, dataDirectory);
  // A fresh world each run: the audit log and the ledger start empty, so runs compare.
  if (target.kind === 'sqlite') fs.rmSync(target.directory, { recursive: true, force: true });
  else for (const name of subgraphNames) await dropMysqlDatabase(target.url, `${target.prefix}${name}`);
  const seedStarted = performance.now();
  await seedAll(target, { subjects });
  console.log(`seeded ${subjects} subjects on ${describeTarget(target)} in ${((performance.now() - seedStarted) / 1000).toFixed(1)} s`);

  const tokens = await demoTokens(env, demoConsents.bankFinancialServices);
  const headersOf = (who: string): Headers => {
    const demo = tokens.find((t) => t.label.startsWith(who));
    if (!demo) throw new Error(`no demo caller ${who}`);
    return { authorization: `Bearer ${demo.token}`, ...demo.headers };
  };
  const ops = operations(subjects);
  // One round of the mix, interleaved (each operation once, then those weighing more again…), so
  // that every second carries every kind of request rather than runs of one.
  const mix: { operation: Operation; headers: Headers }[] = [];
  for (let round = 0; round < Math.max(...ops.map((o) => o.weight)); round++) {
    for (const operation of ops) if (operation.weight > round) mix.push({ operation, headers: headersOf(operation.who) });
  }
  const organisations = [...new Set(ops.map((o) => tokens.find((t) => t.label.startsWith(o.who))!.caller.organisation))];

  const platform = await launchPlatform(env, { gatewayPort: port, subgraphPorts, quiet: true });
  const gatewayPid = platform.pids.gateway;
  let died: string | undefined;
  void platform.died.then((name) => (died = name));
  try {
    const runId = `soak-${Date.now().toString(36)}`;
    console.log(`warming up for ${warmupSeconds} s at ${rate} requests/s…`);
    await drive(platform.gatewayUrl, mix, rate, warmupSeconds, `${runId}-warm`);
    const rssStart = statusMiB(gatewayPid, 'VmRSS');
    const heapStart = await heapUsedMiB(platform.gatewayUrl);
    // Every tenth of the run: a leak shows as troughs that keep rising, not as one high sample.
    const samples: { rss?: number; heap?: number }[] = [{ rss: rssStart, heap: heapStart }];
    const sampler = setInterval(() => void heapUsedMiB(platform.gatewayUrl).then((heap) => samples.push({ rss: statusMiB(gatewayPid, 'VmRSS'), heap }), () => undefined), (minutes * 60 * 1000) / 10);
    console.log(`soaking for ${minutes} min at ${rate} requests/s (open loop)…`);
    const from = new Date();
    const run = await drive(platform.gatewayUrl, mix, rate, minutes * 60, runId).finally(() => clearInterval(sampler));
    const to = new Date(Date.now() + 1000);
    if (died) throw new Error(`${died} during the soak`);
    const rssEnd = statusMiB(gatewayPid, 'VmRSS');
    const heapEnd = await heapUsedMiB(platform.gatewayUrl);
    samples.push({ rss: rssEnd, heap: heapEnd });
    const rssPeak = Math.max(...samples.map((m) => m.rss ?? 0));

    const audit = await readAudit(platform.gatewayUrl, headersOf('Credit office supervisor'), organisations, from, to);
    const ours = audit.entries.filter((e) => e.requestId.startsWith(`${runId}-`) && !e.requestId.startsWith(`${runId}-warm`));
    const audited = new Set(ours.filter((e) => e.outcome === 'DISCLOSED').map((e) => e.requestId));
    const disclosing = run.outcomes.filter((o) => o.disclosed);
    const missing = disclosing.filter((o) => !audited.has(o.requestId));
    const otherOutcomes = ours.filter((e) => e.outcome !== 'DISCLOSED').length;

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
