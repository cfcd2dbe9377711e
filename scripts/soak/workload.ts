import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { DemoCaller } from '../demo/callers';
import { demoWorld } from '../demo/world';

type DemoToken = DemoCaller & { token: string };

/**
 * The soak's workload and its audit check, apart from the script that starts a platform for them
 * (scripts/soak.ts), so that a test can run a short soak against a platform of its own.
 */

export interface Operation {
  name: string;
  /** The demo caller (by label prefix) whose token and purpose headers the request carries. */
  who: string;
  /** How many of each round of the mix are this operation. */
  weight: number;
  request(i: number, headers: Record<string, string>): { query: string; variables?: Record<string, unknown> };
  /** Whether an answer's data discloses a subject's credit data, so that the audit log must hold it. */
  discloses(data: Record<string, unknown>): boolean;
}

export interface Outcome {
  operation: string;
  /**
   * The id the gateway answered in `x-request-id`, which its audit entries carry (it makes its own
   * for every request, never taking the client's); undefined when no answer came.
   */
  requestId?: string;
  latencyMs: number;
  /** Why it failed (`HTTP 429 RATE_LIMITED`, `FORBIDDEN`, `timeout`…), or undefined. */
  error?: string;
  disclosed: boolean;
}

export function operations(subjects: number): Operation[] {
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

export type Headers = Record<string, string>;

/** Sends `rate × seconds` requests at their due times, cycling through the weighted mix. */
export async function drive(url: string, mix: { operation: Operation; headers: Headers }[], rate: number, seconds: number, runId: string): Promise<{ outcomes: Outcome[]; seconds: number }> {
  const total = Math.floor(rate * seconds);
  const outcomes: Outcome[] = [];
  const inFlight = new Set<Promise<void>>();
  const began = performance.now();
  for (let i = 0; i < total; i++) {
    const due = began + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await sleep(wait);
    const { operation, headers } = mix[i % mix.length];
    // Sent for the gateway's request line (its clientRequestId), to find a request in its log by.
    const clientRequestId = `${runId}-${i}`;
    const sent = send(url, operation, headers, i, clientRequestId).then((result) => {
      outcomes.push({ operation: operation.name, latencyMs: performance.now() - due, ...result });
    });
    inFlight.add(sent);
    void sent.finally(() => inFlight.delete(sent));
  }
  await Promise.all(inFlight);
  return { outcomes, seconds: (performance.now() - began) / 1000 };
}

async function send(url: string, operation: Operation, headers: Headers, i: number, clientRequestId: string): Promise<{ requestId?: string; error?: string; disclosed: boolean }> {
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': clientRequestId, ...headers },
      body: JSON.stringify(operation.request(i, headers)),
      signal: AbortSignal.timeout(30_000),
    });
    const body = (await response.json()) as { data?: Record<string, unknown> | null; errors?: { extensions?: { code?: string } }[] };
    const codes = (body.errors ?? []).map((e) => e.extensions?.code ?? 'UNKNOWN');
    const error = !response.ok ? `HTTP ${response.status} ${codes.join(' ')}`.trim() : codes.length ? [...new Set(codes)].join(' ') : undefined;
    return { requestId: response.headers.get('x-request-id') ?? undefined, error, disclosed: body.data ? operation.discloses(body.data) : false };
  } catch (error) {
    return { error: (error as Error).name === 'TimeoutError' ? 'timeout (30 s)' : `no answer (${(error as Error).message})`, disclosed: false };
  }
}

export function percentile(sorted: number[], p: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : NaN;
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
export async function readAudit(url: string, supervisor: Headers, organisations: string[], from: Date, to: Date) {
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

/**
 * The soak's mix: one round of the operations, interleaved (each operation once, then those
 * weighing more again…), so that every second carries every kind of request rather than runs of
 * one, each with its demo caller's token and purpose; and the organisations whose audit to read.
 */
export function soakMix(ops: Operation[], tokens: DemoToken[]) {
  const demoOf = (who: string) => {
    const demo = tokens.find((t) => t.label.startsWith(who));
    if (!demo) throw new Error(`no demo caller ${who}`);
    return demo;
  };
  const headersOf = (who: string): Headers => {
    const demo = demoOf(who);
    return { authorization: `Bearer ${demo.token}`, ...demo.headers };
  };
  const mix: { operation: Operation; headers: Headers }[] = [];
  for (let round = 0; round < Math.max(...ops.map((o) => o.weight)); round++) {
    for (const operation of ops) if (operation.weight > round) mix.push({ operation, headers: headersOf(operation.who) });
  }
  const organisations = [...new Set(ops.map((o) => demoOf(o.who).caller.organisation))];
  return { mix, organisations, headersOf };
}

/**
 * The audit check: the entries of the run's requests (by the ids the gateway answered, so a
 * warm-up's are not among them) and which disclosing answers have no DISCLOSED entry.
 */
export function auditCheck(outcomes: Outcome[], entries: { requestId: string; outcome: string }[]) {
  const sent = new Set(outcomes.map((o) => o.requestId));
  const ours = entries.filter((e) => sent.has(e.requestId));
  const audited = new Set(ours.filter((e) => e.outcome === 'DISCLOSED').map((e) => e.requestId));
  const disclosing = outcomes.filter((o) => o.disclosed);
  const missing = disclosing.filter((o) => o.requestId === undefined || !audited.has(o.requestId));
  const otherOutcomes = ours.filter((e) => e.outcome !== 'DISCLOSED').length;
  return { ours, disclosing, missing, otherOutcomes };
}
