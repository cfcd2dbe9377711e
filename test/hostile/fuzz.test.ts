import fc from 'fast-check';
import { explorerExamples } from '../../gateway/explorer/examples';
import type { Caller } from '../../lib/access/identity';
import { demoCallers } from '../../scripts/demo/callers';
import { demoWorld } from '../../scripts/demo/world';
import { AuditEntry } from '../../subgraphs/audit/entities/audit-entry.entity';
import { changedTables, databaseChecksum, type DatabaseChecksum } from '../helpers/database-checksum';
import { testDatabases } from '../helpers/databases';
import { postGraphQL } from '../helpers/graphql';
import { supervisor, usePlatform } from '../helpers/platform';
import { describeRequest, hostileRequests, type HostileRequest } from './hostile-requests';
import { prototypePollution, wellFormednessProblems } from './response-check';
import { rootOperations, servedSchema } from './schema-operations';

/**
 * Random and mutated requests to the real platform (five subgraphs and the gateway, in this
 * process): whatever arrives, the gateway answers with a well-formed GraphQL response carrying
 * typed error codes, leaks nothing internal, stays up, leaves Object.prototype alone, and no
 * rejected request changes any database.
 *
 * CI runs FUZZ_RUNS (default 300) cases on SQLite with the fixed seed FUZZ_SEED; `npm run fuzz --
 * --runs 5000 [--seed n] [--database mysql]` runs more (scripts/fuzz.ts). SQLite only in CI: the
 * properties are about the gateway and the resolvers, and injection.test.ts covers the SQL of
 * both databases argument by argument.
 */
const runs = Number(process.env.FUZZ_RUNS ?? 300);
const seed = Number(process.env.FUZZ_SEED ?? 20260117);
const path = process.env.FUZZ_PATH || undefined;
const shrink = process.env.FUZZ_SHRINK === '1';
const maxStringLength = Number(process.env.FUZZ_MAX_STRING ?? 100_000);
const database = testDatabases.find((d) => d.label === (process.env.FUZZ_DATABASE ?? 'sqlite'));
if (!database) throw new Error(`FUZZ_DATABASE=${process.env.FUZZ_DATABASE} is not one of the test databases (${testDatabases.map((d) => d.label).join(', ')})`);

const world = demoWorld({ subjects: 12 });
const registrar: Caller = { id: 'fuzz-registrar', organisation: 'MARKET_REGULATION', organisationKind: 'DEPARTMENT', role: 'DEPARTMENT_OFFICER' };

/** A GET's query string as the server reads it, for telling echoed input from a leak. */
function decodedQuery(search: string | undefined): string {
  return [...new URLSearchParams(search ?? '').values()].join('\n');
}

describe(`hostile input to the gateway on ${database.label}`, () => {
  const platform = usePlatform(database, 'fuzz', { seedSubjects: world.subjects.length });
  /** Authorization and purpose headers per caller: the demo callers, a registrar, nobody, a forged token. */
  let callers: Record<string, string>[];
  let arbitrary: fc.Arbitrary<HostileRequest>;
  let internalNames: string[];
  let mutationFields: Set<string>;
  const auditTables: string[] = [];

  beforeAll(async () => {
    const known = [...demoCallers(world).map((c) => ({ caller: c.caller, headers: c.headers })), { caller: registrar, headers: {} }];
    callers = [
      ...(await Promise.all(known.map(async ({ caller, headers }) => ({ authorization: `Bearer ${await platform.token(caller)}`, ...headers })))),
      {},
      { authorization: 'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4Iiwicm9sZSI6IkNSRURJVF9PRkZJQ0VfU1VQRVJWSVNPUiJ9.' },
    ];
    const schema = await servedSchema(platform.gatewayUrl);
    const operations = rootOperations(schema);
    mutationFields = new Set(operations.filter((o) => o.root === 'mutation').map((o) => o.field));
    const examples = explorerExamples({ subjectCode: world.subjects[0].identifier, subjectId: world.subjects[0].id });
    arbitrary = hostileRequests({ operations, examples, callers: callers.length, maxStringLength });
    auditTables.push(platform.databases.audit.getMetadata(AuditEntry).tablePath);
    const tables = Object.values(platform.databases).flatMap((db) => db.entityMetadatas.map((m) => m.tablePath));
    internalNames = [...Object.values(platform.subgraphs).map((s) => new URL(s.url).host), ...tables.filter((t) => t.includes('_'))];
  });

  async function send(request: HostileRequest): Promise<{ status: number; contentType: string; text: string }> {
    const url = `${platform.gatewayUrl}${request.search ?? ''}`;
    const response = await fetch(url, {
      method: request.method,
      headers: { ...(request.contentType ? { 'content-type': request.contentType } : {}), ...callers[request.caller], ...request.headers },
      body: request.method === 'POST' ? request.body : undefined,
      signal: AbortSignal.timeout(30_000),
    });
    return { status: response.status, contentType: response.headers.get('content-type') ?? '', text: await response.text() };
  }

  /** Did this answer carry out a mutation (some mutation field answered with data)? Only then may a database change. */
  function carriedOutMutation(text: string): boolean {
    try {
      const data = (JSON.parse(text) as { data?: Record<string, unknown> | null }).data;
      return Object.entries(data ?? {}).some(([field, value]) => mutationFields.has(field) && value !== null);
    } catch {
      return false;
    }
  }

  it(`answers ${runs} hostile requests (seed ${seed}) well-formed, typed, without leaks, and changes no database on a rejection`, async () => {
    let current: DatabaseChecksum = await databaseChecksum(platform.databases, auditTables);
    const property = fc.asyncProperty(arbitrary, async (request) => {
      const sent = [request.body ? Buffer.from(request.body).toString('utf8') : '', request.search ?? '', decodedQuery(request.search)].join('\n');
      const answer = await send(request);
      const problems = wellFormednessProblems(answer, sent, internalNames);
      problems.push(...prototypePollution().map((key) => `Object.prototype polluted with ${key}`));
      const health = await postGraphQL<{ __typename: string }>(platform.gatewayUrl, { query: '{ __typename }' });
      if (health.data?.__typename !== 'Query') problems.push(`the gateway no longer answers { __typename }: ${JSON.stringify(health)}`);
      const after = await databaseChecksum(platform.databases, auditTables);
      const changed = changedTables(current, after);
      current = after;
      if (changed.length && !carriedOutMutation(answer.text)) problems.push(`a rejected request changed ${changed.join(', ')}`);
      if (problems.length) throw new Error(`${problems.join('; ')}\nanswer ${answer.status}: ${answer.text.slice(0, 600)}`);
    });
    const details = await fc.check(property, { numRuns: runs, seed, path, endOnFailure: !shrink });
    if (details.failed) {
      const request = details.counterexample?.[0];
      throw new Error(
        `fuzz case failed after ${details.numRuns} runs; replay with FUZZ_SEED=${details.seed} FUZZ_PATH=${details.counterexamplePath}\n` +
          `${request ? describeRequest(request) : '(no counterexample)'}\n${(details.errorInstance as Error | undefined)?.message ?? String(details.errorInstance)}`,
      );
    }
  }, Math.max(600_000, runs * 1_000));

  it('keeps the audit chain intact after them', async () => {
    const result = await platform.query<{ verifyAuditChain: { intact: boolean; entries: number } }>('{ verifyAuditChain { intact entries } }', {}, supervisor);
    expect(result.errors).toBeUndefined();
    expect(result.data?.verifyAuditChain.intact).toBe(true);
    expect(result.data?.verifyAuditChain.entries).toBeGreaterThan(0);
  });
});
