import { demoWorld } from '../../scripts/demo/world';
import type { DatabaseTarget } from '../../subgraphs/shared/database';
import { testDatabases } from '../helpers/databases';
import { type GraphQLResponse, requestIdOf } from '../helpers/graphql';
import { startPlatform, supervisor, type As, type Platform } from '../helpers/platform';
import { StandInSubgraph } from '../helpers/stand-in-subgraph';
import { TcpProxy } from '../helpers/tcp-proxy';

/**
 * The audit log out of reach, fail closed: while the audit subgraph is down or its database is
 * gone, no answer that discloses data is released; what was acknowledged before stays in the
 * log, and the chain verifies once it is back. The gateway reaches the audit subgraph through a
 * stand-in (to stop it), on both databases; on MySQL the audit subgraph reaches its database
 * through a TCP proxy too (to restart it: an in-memory SQLite database has no server to restart).
 */
const world = demoWorld({ subjects: 12 });
const enterprises = world.subjects.filter((s) => s.kind !== 'NATURAL_PERSON');
const SUBJECT = /* GraphQL */ `query Subject($id: ID!) { subject(id: $id) { name creditRecords { totalCount } } }`;
const finance: As = {
  caller: { id: 'officer-outage', organisation: 'FINANCE', organisationKind: 'DEPARTMENT', role: 'DEPARTMENT_OFFICER' },
  headers: { 'x-credit-matter': 'GOVERNMENT_PROCUREMENT', 'x-credit-case': 'BDH-CG-2026-0900' },
};

describe.each(testDatabases)('the gateway while the audit log cannot be written, on $label', (database) => {
  const suite = 'auditout';
  /** Between the audit subgraph and its database: MySQL only. */
  let proxy: TcpProxy | undefined;
  let audit: StandInSubgraph;
  let platform: Platform;
  let logged: jest.SpyInstance;

  beforeAll(async () => {
    // The faults played here are logged as they should be; the test output need not show them.
    logged = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    await database.cleanUp(suite);
    const target = database.target(suite);
    const databaseTargets: { audit?: DatabaseTarget } = {};
    if (target.kind === 'mysql') {
      proxy = await TcpProxy.inFrontOf(target.url);
      databaseTargets.audit = { ...target, url: proxy.url(target.url) };
    }
    audit = await StandInSubgraph.start();
    platform = await startPlatform(target, { seedSubjects: world.subjects.length, databaseTargets, gateway: { subgraphUrls: { audit: audit.url } } });
    audit.upstream = platform.subgraphs.audit.url;
  });
  afterAll(async () => {
    await platform?.stop();
    await audit?.stop();
    await proxy?.stop();
    await database.cleanUp(suite);
    logged.mockRestore();
  });
  afterEach(() => proxy?.recover());

  /** `count` reads of subjects' data at once, each with the request id the gateway gave it. */
  async function readSubjects(count: number): Promise<{ requestId: string; name: string; result: GraphQLResponse<{ subject: { name: string } | null }> }[]> {
    return await Promise.all(
      Array.from({ length: count }, async (_, i) => {
        const { id, name } = enterprises[i % enterprises.length];
        const result = await platform.query<{ subject: { name: string } | null }>(SUBJECT, { id }, finance);
        return { requestId: requestIdOf(result), name, result };
      }),
    );
  }

  function expectWithheld(reads: Awaited<ReturnType<typeof readSubjects>>) {
    for (const { name, result } of reads) {
      expect(result.data ?? null).toBeNull();
      expect(result.errors?.map((e) => e.extensions)).toEqual([{ code: 'AUDIT_UNAVAILABLE', retryAfterSeconds: 5 }]);
      // The platform failed, not the request; clients are told when to try again, so they do not all retry at once.
      expect(result.status).toBe(503);
      expect(result.headers?.get('retry-after')).toBe('5');
      expect(JSON.stringify(result)).not.toContain(name);
    }
  }

  /** Every answered request has exactly its entry in the log, and the whole chain verifies. */
  async function expectLogged(answered: Awaited<ReturnType<typeof readSubjects>>) {
    for (const { result } of answered) expect(result.errors).toBeUndefined();
    const ids = answered.map((a) => a.requestId);
    const rows: { request_id: string; outcome: string }[] = await platform.databases.audit.query(`SELECT request_id, outcome FROM audit_entry WHERE request_id IN (${ids.map(() => '?').join(', ')})`, ids);
    expect(rows.map((r) => `${r.request_id} ${r.outcome}`).sort()).toEqual(ids.map((id) => `${id} DISCLOSED`).sort());
    const chain = await platform.query<{ verifyAuditChain: { intact: boolean; firstBrokenSequence: number | null } }>('{ verifyAuditChain { intact firstBrokenSequence } }', {}, supervisor);
    expect(chain.data?.verifyAuditChain).toEqual({ intact: true, firstBrokenSequence: null });
  }

  it('discloses nothing while the audit subgraph is down, keeps what was acknowledged, and answers again once it is back', async () => {
    const before = await readSubjects(12);
    await audit.down();
    let during: Awaited<ReturnType<typeof readSubjects>>;
    try {
      during = await readSubjects(6);
    } finally {
      await audit.up();
    }
    expectWithheld(during);
    const after = await readSubjects(6);
    await expectLogged([...before, ...after]);
  });

  // What a stopping audit replica answers an append that reaches it on a kept-alive connection (lib/http-server.ts): nothing of it ran.
  const shuttingDown = { kind: 'answer' as const, status: 503, contentType: 'application/json', body: JSON.stringify({ errors: [{ message: 'the server is shutting down: nothing of this request ran, send it again', extensions: { code: 'SHUTTING_DOWN', retryAfterSeconds: 5 } }] }) };

  // A rolling restart of the audit subgraph's replicas: the one stopping refuses the append unrun,
  // and a new connection (through a balancer, to the one still serving) stores it.
  it('sends an append a stopping audit subgraph refused unrun once more, on a new connection, and releases the answer', async () => {
    const before = audit.received.length;
    audit.misbehaveNext(1, shuttingDown);
    const reads = await readSubjects(1);
    await expectLogged(reads);
    const appends = audit.received.slice(before).filter((c) => c.query.includes('AppendAuditEntries'));
    expect(appends).toHaveLength(2);
    expect(appends[1].variables).toEqual(appends[0].variables);
    expect(appends[1].remotePort).not.toBe(appends[0].remotePort);
  });

  it('does not send again an append whose connection was lost after it was sent: the answer is withheld', async () => {
    const before = audit.received.length;
    audit.dropConnections(1);
    const reads = await readSubjects(1);
    expectWithheld(reads);
    expect(audit.received.slice(before).filter((c) => c.query.includes('AppendAuditEntries'))).toHaveLength(1);
  });

  // What an audit subgraph on an older release's catalogue answers a department it lacks (a
  // gateway restarted alone after the department was added: subgraphs/audit/audit-chain.ts).
  const catalogueMismatch = { kind: 'answer' as const, status: 200, contentType: 'application/json', body: JSON.stringify({ data: null, errors: [{ message: 'the department "FINANCE" is not in this audit subgraph\'s department catalogue', extensions: { code: 'BAD_USER_INPUT', field: 'entries[0].organisation', reason: 'CATALOGUE_MISMATCH', department: 'FINANCE' } }] }) };

  it('withholds the answer when the audit subgraph refuses the entries for a catalogue it lacks, and offers no retry, which cannot mend it', async () => {
    audit.misbehaveNext(1, catalogueMismatch);
    const [read] = await readSubjects(1);
    expect(read.result.data ?? null).toBeNull();
    expect(read.result.errors?.map((e) => e.extensions)).toEqual([{ code: 'AUDIT_UNAVAILABLE', reason: 'CATALOGUE_MISMATCH' }]);
    expect(read.result.errors?.[0].message).toMatch(/another release's catalogue .*no retry mends/);
    expect(read.result.status).toBe(503);
    expect(read.result.headers?.get('retry-after')).toBeNull();
    expect(JSON.stringify(read.result)).not.toContain(read.name);
  });

  it("withholds a mutation's answer while the audit subgraph is down, saying which of its changes took effect", async () => {
    const check = `mutation Check($input: RunCreditCheckInput!) { done: runCreditCheck(input: $input) { id } }`;
    const input = (subjectId: string) => ({ subjectId, matter: 'GOVERNMENT_PROCUREMENT', caseNumber: 'BDH-CG-2026-0900' });
    const checks = () => platform.databases.records.query('SELECT COUNT(*) AS n FROM credit_check WHERE subject_id = ?', [enterprises[0].id]).then((rows: { n: number | string }[]) => Number(rows[0].n));
    const before = await checks();
    await audit.down();
    let applied: GraphQLResponse, refused: GraphQLResponse;
    try {
      applied = await platform.query(check, { input: input(enterprises[0].id) }, finance);
      // Refused (procurement reads organisations only): its refusal is audited too, and nothing was stored.
      refused = await platform.query(check, { input: input(world.subjects.find((s) => s.kind === 'NATURAL_PERSON')!.id) }, finance);
    } finally {
      await audit.up();
    }
    expect(applied.data ?? null).toBeNull();
    expect(applied.errors?.map((e) => e.extensions)).toEqual([{ code: 'AUDIT_UNAVAILABLE', applied: ['done'], retryAfterSeconds: 5 }]);
    expect([applied.status, refused.status]).toEqual([503, 503]);
    expect([applied.headers?.get('retry-after'), refused.headers?.get('retry-after')]).toEqual(['5', '5']);
    expect(applied.errors?.[0].message).toContain('done took effect');
    expect(await checks()).toBe(before + 1);
    expect(refused.errors?.map((e) => e.extensions)).toEqual([{ code: 'AUDIT_UNAVAILABLE', applied: [], retryAfterSeconds: 5 }]);
    expect(refused.errors?.[0].message).toContain('none of its changes took effect');
  });

  // From a partial-failure probe: a batch stored while the audit log was down was answered "read
  // the result back", but a department cannot read back which rows were rejected, or why (they
  // were never stored); the same batch sent again is answered so, its stored rows UNCHANGED.
  it('tells a department whose batch was stored while the audit subgraph was down to send the same batch again, which answers its rejections', async () => {
    const market: As = { caller: { id: 'officer-outage-batch', organisation: 'MARKET_REGULATION', organisationKind: 'DEPARTMENT', role: 'DEPARTMENT_OFFICER' } };
    const penalty = (documentNumber: string, decisionDate: string) => ({ subjectCode: enterprises[1].identifier, category: 'ADMINISTRATIVE_PENALTY', severity: 'GENERAL', documentNumber, decisionDate, summary: '未按规定明码标价，罚款1000元' });
    const rows = [penalty('北戴河市监罚〔2026〕880号', '2026-03-02'), penalty('北戴河市监罚〔2026〕881号', '2026-02-30')];
    const submit = () => platform.query<{ submitCreditRecords: unknown }>(`mutation Batch($rows: [SubmitCreditRecordInput!]!) { submitCreditRecords(rows: $rows) { created unchanged rejected rejections { row field } } }`, { rows }, market);
    await audit.down();
    let stored: GraphQLResponse<{ submitCreditRecords: unknown }>;
    try {
      stored = await submit();
    } finally {
      await audit.up();
    }
    expect(stored.errors?.map((e) => e.extensions)).toEqual([{ code: 'AUDIT_UNAVAILABLE', applied: ['submitCreditRecords'], retryAfterSeconds: 5 }]);
    expect(stored.errors?.[0].message).toBe(
      "the audit log could not be written, so the answer is withheld; submitCreditRecords took effect all the same: send the same request again, which answers with what was stored if it was (a subject's registration by DUPLICATE_SUBJECT naming it; a check or a report generation only when sent with an idempotencyKey), rather than another",
    );
    const again = await submit();
    expect(again.errors).toBeUndefined();
    expect(again.data?.submitCreditRecords).toEqual({ created: 0, unchanged: 1, rejected: 1, rejections: [{ row: 2, field: 'decisionDate' }] });
  });

  (database.label === 'mysql' ? it : it.skip)('discloses nothing while the audit database restarts, keeps what was acknowledged, and answers again once it is back', async () => {
    if (!proxy) throw new Error('no proxy in front of the audit database');
    const before = await readSubjects(12);
    proxy.pause();
    const inFlight = readSubjects(6);
    await proxy.somethingHeld();
    proxy.restart();
    expectWithheld(await inFlight);
    // As production's gateway tells it: through its metrics' outage log (no logger here: console.error).
    expect(logged).toHaveBeenCalledWith(expect.stringMatching(/^\[gateway\] the audit log could not be written: answers that disclose \(AUDIT_UNAVAILABLE\)/), expect.anything());
    expectWithheld(await readSubjects(3));
    proxy.recover();
    const after = await readSubjects(6);
    await expectLogged([...before, ...after]);
  });
});
