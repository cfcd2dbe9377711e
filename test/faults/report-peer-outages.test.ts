import { demoWorld } from '../../scripts/demo/world';
import { testDatabases } from '../helpers/databases';
import { usePlatformBehindProxy, usePlatform, type As, type Platform, type PlatformOptions } from '../helpers/platform';
import { StandInSubgraph } from '../helpers/stand-in-subgraph';
import { requestIdOf } from '../helpers/graphql';

/**
 * A report generated, or a check's report requirement judged, through the gateway while a peer
 * the reports subgraph asks cannot answer: the client is told which peer and why (the peer's
 * DATABASE_UNAVAILABLE, or SUBGRAPH_UNAVAILABLE with `reason`), never INTERNAL_SERVER_ERROR; the
 * reports subgraph logs no fault of its own; and what a peer read for a report that was not
 * generated (the subject's basics) is not audited as DISCLOSED: nothing of it reached the caller.
 * The reports subgraph reaches the records subgraph through a stand-in; the gateway reaches it
 * directly.
 */
const world = demoWorld({ subjects: 12 });
const enterprises = world.subjects.filter((s) => s.kind === 'ENTERPRISE');
const officer: As = {
  caller: { id: 'officer-peer-outage', organisation: 'FINANCE', organisationKind: 'DEPARTMENT', role: 'DEPARTMENT_OFFICER' },
  headers: { 'x-credit-matter': 'GOVERNMENT_PROCUREMENT', 'x-credit-case': 'BDH-CG-2026-0701' },
};
const GENERATE = /* GraphQL */ `mutation Generate($id: ID!) { generateCreditReport(subjectId: $id) { id reportNumber } }`;
const CHECK = /* GraphQL */ `
  mutation Check($input: RunCreditCheckInput!) { runCreditCheck(input: $input) { id verdict reportRequirement { satisfied } } }
`;

/** What a subgraph whose database is gone answers (subgraphs/shared/subgraph.ts, maskUnexpectedErrors). */
const recordsDatabaseGone = {
  kind: 'answer' as const,
  status: 200,
  contentType: 'application/json',
  body: JSON.stringify({
    errors: [{ message: 'the records subgraph lost its database connection: retry later', path: ['_entities'], extensions: { code: 'DATABASE_UNAVAILABLE', retryAfterSeconds: 5 } }],
    data: { _entities: null },
  }),
};


async function auditOf(platform: Platform, requestId: string): Promise<{ subject_id: string | null; outcome: string; field_groups: string }[]> {
  return (await platform.databases.audit.query('SELECT subject_id, outcome, field_groups FROM audit_entry WHERE request_id = ? ORDER BY id', [requestId])) as { subject_id: string | null; outcome: string; field_groups: string }[];
}

/** The reports subgraph's own fault lines (createSubgraphServer logs to the console without a logger). */
const reportsFaults = (logged: jest.SpyInstance) => logged.mock.calls.filter(([line]) => typeof line === 'string' && line.startsWith('[reports]'));

describe.each(testDatabases)('generating reports while a peer of the reports subgraph cannot answer, on $label', (database) => {
  const options: PlatformOptions = { seedSubjects: world.subjects.length, peerUrls: {} };
  let records: StandInSubgraph;
  let logged: jest.SpyInstance;
  beforeAll(async () => {
    records = await StandInSubgraph.start();
    options.peerUrls!.records = records.url;
  });
  const platform = usePlatform(database, 'peerout', options);
  beforeAll(() => {
    records.upstream = platform.subgraphs.records.url;
  });
  afterAll(async () => {
    await records?.stop();
  });
  beforeEach(() => {
    logged = jest.spyOn(console, 'error');
  });
  afterEach(() => {
    records.behaviour = { kind: 'proxy' };
    logged.mockRestore();
  });

  async function generateWhileDown(subjectId: string) {
    const result = await platform.query<{ generateCreditReport: unknown }>(GENERATE, { id: subjectId }, officer);
    const requestId = requestIdOf(result);
    return { result, audit: await auditOf(platform, requestId) };
  }

  it("answers the records subgraph's DATABASE_UNAVAILABLE naming it, and audits nothing as disclosed", async () => {
    records.behaviour = recordsDatabaseGone;
    const { result, audit } = await generateWhileDown(enterprises[0].id);
    expect(result.status).toBe(200);
    expect(result.data).toEqual({ generateCreditReport: null });
    expect(result.errors?.map((e) => [e.path, e.message, e.extensions])).toEqual([
      [['generateCreditReport'], 'the records subgraph lost its database connection: retry later', { code: 'DATABASE_UNAVAILABLE', serviceName: 'records', retryAfterSeconds: 5, outcome: 'NOT_STORED' }],
    ]);
    // The subject's basics were read from the entities subgraph for the report, which was never made.
    expect(audit.filter((e) => e.outcome === 'DISCLOSED')).toEqual([]);
    expect(reportsFaults(logged)).toEqual([]);
  });

  it('answers SUBGRAPH_UNAVAILABLE naming the records subgraph, reason UNREACHABLE, while it is down, and audits nothing as disclosed', async () => {
    await records.down();
    try {
      const { result, audit } = await generateWhileDown(enterprises[1].id);
      expect(result.data).toEqual({ generateCreditReport: null });
      expect(result.errors?.map((e) => e.extensions)).toEqual([{ code: 'SUBGRAPH_UNAVAILABLE', serviceName: 'records', reason: 'UNREACHABLE', retryAfterSeconds: 5, outcome: 'NOT_STORED' }]);
      expect(result.errors?.[0].message).toMatch(/^the records subgraph could not be reached/);
      expect(audit.filter((e) => e.outcome === 'DISCLOSED')).toEqual([]);
      expect(reportsFaults(logged)).toEqual([]);
    } finally {
      await records.up();
    }
  });

  it('audits what a report disclosed once it is generated', async () => {
    const result = await platform.query<{ generateCreditReport: { id: string } }>(GENERATE, { id: enterprises[2].id }, officer);
    const requestId = requestIdOf(result);
    expect(result.errors).toBeUndefined();
    const audit = await auditOf(platform, requestId);
    expect(audit.map((e) => [e.subject_id, e.outcome])).toEqual([[enterprises[2].id, 'DISCLOSED']]);
    expect(audit[0].field_groups.split(',')).toEqual(expect.arrayContaining(['REPORT_GENERATION', 'SUBJECT_BASICS', 'PUBLIC_RECORDS']));
  });

  it("answers a check's report requirement and verdict with the records subgraph's outage when its platform report cannot be judged", async () => {
    const subject = enterprises[3];
    const generated = await platform.query<{ generateCreditReport: { id: string } }>(GENERATE, { id: subject.id }, officer);
    expect(generated.errors).toBeUndefined();
    records.behaviour = recordsDatabaseGone;
    const result = await platform.query<{ runCreditCheck: { id: string; verdict: unknown; reportRequirement: unknown } | null }>(
      CHECK,
      { input: { subjectId: subject.id, matter: 'GOVERNMENT_PROCUREMENT', caseNumber: 'BDH-CG-2026-0701' } },
      officer,
    );
    // The check is run and stored by the records subgraph (the gateway reaches it); what the reports subgraph judges of it is missing, and says why.
    expect(result.data?.runCreditCheck?.id).toEqual(expect.any(String));
    expect(result.data?.runCreditCheck?.reportRequirement).toBeNull();
    expect(result.data?.runCreditCheck?.verdict).toBeNull();
    // Each of the reports subgraph's fields the answer needed (the requirement, and what the verdict @requires) says why it is missing.
    expect(result.errors?.length).toBeGreaterThan(0);
    // (The gateway may add to a mutation's errors that the mutation itself took effect: the check was stored.)
    for (const error of result.errors ?? []) {
      expect(error.message).toMatch(/^the records subgraph lost its database connection: retry later/);
      expect(error.extensions).toMatchObject({ code: 'DATABASE_UNAVAILABLE', serviceName: 'records', retryAfterSeconds: 5 });
    }
    expect(result.errors?.map((e) => e.path?.join('.'))).toContain('runCreditCheck.reportRequirement');
    expect(reportsFaults(logged)).toEqual([]);

    // Once the records subgraph answers the reports subgraph again, the check reads whole.
    records.behaviour = { kind: 'proxy' };
    const later = await platform.query<{ creditCheck: { verdict: string; reportRequirement: { satisfied: boolean } } }>(
      'query ($id: ID!) { creditCheck(id: $id) { verdict reportRequirement { satisfied } } }',
      { id: result.data!.runCreditCheck!.id },
      officer,
    );
    expect(later.errors).toBeUndefined();
    expect(later.data?.creditCheck.verdict).toEqual(expect.any(String));
  });
});

/** The records subgraph's own MariaDB gone (a TCP proxy dropping its connections), as an operator meets it. MySQL only. */
const mysql = testDatabases.find((d) => d.label === 'mysql');

(mysql ? describe : describe.skip)("generating a report while the records subgraph's database is gone", () => {
  const fault = usePlatformBehindProxy(mysql!, 'peeroutdb', 'records', world.subjects.length);

  it('answers DATABASE_UNAVAILABLE naming the records subgraph, audits nothing as disclosed, and logs no fault of the reports subgraph', async () => {
    fault.proxy.restart();
    try {
      const result = await fault.platform.query<{ generateCreditReport: unknown }>(GENERATE, { id: enterprises[0].id }, officer);
      const requestId = requestIdOf(result);
      expect(result.data).toEqual({ generateCreditReport: null });
      expect(result.errors?.map((e) => [e.message, e.extensions])).toEqual([
        // Lost, or, once the pool has seen its connections cut, not made again.
        [expect.stringMatching(/^the records subgraph (lost its database connection|could not connect to its database): retry later$/), { code: 'DATABASE_UNAVAILABLE', reason: expect.stringMatching(/^(CONNECTION_LOST|UNREACHABLE)$/), serviceName: 'records', retryAfterSeconds: 5, requestId, outcome: 'NOT_STORED' }],
      ]);
      expect((await auditOf(fault.platform, requestId)).filter((e) => e.outcome === 'DISCLOSED')).toEqual([]);
      expect(reportsFaults(fault.logged)).toEqual([]);
    } finally {
      fault.proxy.recover();
    }
    // And once it is back, the report is generated.
    const again = await fault.platform.query<{ generateCreditReport: { id: string } }>(GENERATE, { id: enterprises[0].id }, officer);
    expect(again.errors).toBeUndefined();
  });
});
