import type { Caller, RequestIdentity } from '../../../lib/access/identity';
import { decideGrants } from '../../../lib/access/policy';
import { demoWorld } from '../../../scripts/demo/world';
import { seedEntities } from '../../../subgraphs/entities/seed';
import { entitiesSubgraph } from '../../../subgraphs/entities/subgraph';
import { ReportsSubgraphFindings } from '../../../subgraphs/records/report-findings';
import { createRecordsSubgraph } from '../../../subgraphs/records/subgraph';
import { EntitiesSubjectDirectory } from '../../../subgraphs/shared/subject-directory';
import { testDatabases } from '../../helpers/databases';
import { testSigningKey } from '../../helpers/identity';
import { StandInSubgraph, type StandInBehaviour } from '../../helpers/stand-in-subgraph';
import { useSubgraph } from '../../helpers/subgraph';
import { officerOf } from './records-harness';

/**
 * The records subgraph when a peer it asks (the entities subgraph whether a subject exists and of
 * what kind, the reports subgraph what it finds of a check's reports) answers with an outage of
 * its own: its database gone or too slow, or a subgraph it asked in turn that could not answer.
 * The client is told that outage as the peer said it (its code, message and reason), naming the
 * subgraph that failed, as the reports subgraph passes on its peers' (README, Errors:
 * DATABASE_UNAVAILABLE "also where another met the fault asking it"); a peer that could not be
 * asked at all is SUBGRAPH_UNAVAILABLE with a `reason`, always. Nothing is stored either way.
 */
const world = demoWorld({ subjects: 8 });
const enterprise = world.subjects.find((s) => s.kind === 'ENTERPRISE')!;
const finance: Caller = { id: 'officer-finance', organisation: 'FINANCE', organisationKind: 'DEPARTMENT', role: 'DEPARTMENT_OFFICER' };

function inCase(caseNumber: string): RequestIdentity {
  const purpose = { matter: 'GOVERNMENT_PROCUREMENT', caseNumber };
  const decision = decideGrants(finance, purpose);
  return { caller: finance, purpose, grants: decision.groups, scope: decision.scope, requestId: `peer-outage-${caseNumber}` };
}

const RUN = /* GraphQL */ `mutation($input: RunCreditCheckInput!) { runCreditCheck(input: $input) { id verdict } }`;
const FEEDBACK = /* GraphQL */ `mutation($input: CheckFeedbackInput!) { recordCheckFeedback(input: $input) { id } }`;
const SUBMIT = /* GraphQL */ `mutation ($input: SubmitCreditRecordInput!) { submitCreditRecord(input: $input) { outcome } }`;

/** A peer's answer holding one typed error at `field` (as a subgraph's formatError writes it). */
function answering(field: string, message: string, extensions: Record<string, unknown>): StandInBehaviour {
  return { kind: 'answer', status: 200, contentType: 'application/json', body: JSON.stringify({ errors: [{ message, path: [field], extensions }], data: { [field]: null } }) };
}

const entitiesLockWait = answering('subjects', "the entities subgraph's database was too slow (a lock another change holds was waited for too long): retry later", {
  code: 'DATABASE_UNAVAILABLE',
  retryAfterSeconds: 5,
  requestId: 'entities-side',
});

describe.each(testDatabases)("the records subgraph when a peer answers with its own outage, on $label", (database) => {
  let entitiesStandIn: StandInSubgraph;
  let reportsStandIn: StandInSubgraph;
  const entities = useSubgraph(entitiesSubgraph, database, 'recpeerout_entities');
  const records = useSubgraph(
    createRecordsSubgraph({
      subjects: new EntitiesSubjectDirectory(() => ({ url: entitiesStandIn.url, signingKey: testSigningKey }), 2_000),
      reports: new ReportsSubgraphFindings(() => ({ url: reportsStandIn.url, signingKey: testSigningKey })),
    }),
    database,
    'recpeerout',
  );
  let logged: jest.SpyInstance;

  beforeAll(async () => {
    entitiesStandIn = await StandInSubgraph.start();
    entitiesStandIn.upstream = entities.url();
    reportsStandIn = await StandInSubgraph.start();
    // No reports subgraph behind it: its findings are told by each test.
    reportsStandIn.behaviour = answering('_entities', 'the reports subgraph lost its database connection: retry later', { code: 'DATABASE_UNAVAILABLE', retryAfterSeconds: 5 });
    await seedEntities(entities.db(), world);
  });
  afterAll(async () => {
    await entitiesStandIn?.stop();
    await reportsStandIn?.stop();
  });
  beforeEach(() => {
    logged = jest.spyOn(console, 'error').mockImplementation(() => undefined);
  });
  afterEach(() => {
    entitiesStandIn.behaviour = { kind: 'proxy' };
    logged.mockRestore();
  });

  const stored = async (table: string) => Number(((await records.db().query(`SELECT COUNT(*) AS n FROM ${table}`)) as { n: unknown }[])[0].n);
  const run = (caseNumber: string) => records.queryAs<{ runCreditCheck: { id: string; verdict: string | null } | null }>(inCase(caseNumber), RUN, { input: { subjectId: enterprise.id, matter: 'GOVERNMENT_PROCUREMENT', caseNumber } });

  it("answers a credit check with the entities subgraph's DATABASE_UNAVAILABLE, in its words and naming it, and stores no check", async () => {
    const before = await stored('credit_check');
    entitiesStandIn.behaviour = entitiesLockWait;
    const result = await run('PEER-LOCK-1');
    expect(result.data).toEqual({ runCreditCheck: null });
    expect(result.errors?.map((e) => [e.message, e.extensions])).toEqual([
      ["the entities subgraph's database was too slow (a lock another change holds was waited for too long): retry later", { code: 'DATABASE_UNAVAILABLE', serviceName: 'entities', retryAfterSeconds: 5, requestId: 'entities-side', outcome: 'NOT_STORED' }],
    ]);
    expect(await stored('credit_check')).toBe(before);
    // The peer's outage is no fault of this subgraph's: nothing logged as one.
    expect(logged).not.toHaveBeenCalled();
  });

  it("answers a record's submission with the entities subgraph's DATABASE_UNAVAILABLE, and stores no record", async () => {
    const before = await stored('credit_record');
    entitiesStandIn.behaviour = entitiesLockWait;
    const result = await records.queryAs(officerOf('MARKET_REGULATION'), SUBMIT, {
      input: { subjectCode: enterprise.identifier, category: 'ADMINISTRATIVE_PENALTY', severity: 'GENERAL', documentNumber: '北戴河市监罚〔2026〕801号', decisionDate: '2026-11-01', summary: '罚款1000元' },
    });
    expect(result.errors?.map((e) => [e.message, e.extensions?.code, e.extensions?.serviceName])).toEqual([
      ["the entities subgraph's database was too slow (a lock another change holds was waited for too long): retry later", 'DATABASE_UNAVAILABLE', 'entities'],
    ]);
    expect(await stored('credit_record')).toBe(before);
  });

  it('passes on a SUBGRAPH_UNAVAILABLE the entities subgraph answered, with its reason', async () => {
    entitiesStandIn.behaviour = answering('subjects', 'the entities subgraph used 1900 ms of the 2000 ms the request had, too little to store the change in time, so nothing was stored: retry later', {
      code: 'SUBGRAPH_UNAVAILABLE',
      serviceName: 'entities',
      reason: 'TIMEOUT',
      retryAfterSeconds: 5,
    });
    const result = await run('PEER-TIMEOUT-1');
    expect(result.errors?.map((e) => e.extensions)).toEqual([{ code: 'SUBGRAPH_UNAVAILABLE', serviceName: 'entities', reason: 'TIMEOUT', retryAfterSeconds: 5, outcome: 'NOT_STORED' }]);
    expect(result.errors?.[0].message).toMatch(/^the entities subgraph used 1900 ms of the 2000 ms/);
  });

  it("answers the entities subgraph's unexpected fault as one (INTERNAL_SERVER_ERROR with the request id), logged here too, not as an outage to wait out", async () => {
    entitiesStandIn.behaviour = answering('subjects', 'Internal server error', { code: 'INTERNAL_SERVER_ERROR', requestId: 'entities-side' });
    const result = await run('PEER-FAULT-1');
    expect(result.errors?.map((e) => [e.message, e.extensions])).toEqual([['Internal server error', { code: 'INTERNAL_SERVER_ERROR', requestId: expect.any(String) }]]);
    expect(logged).toHaveBeenCalledWith('[records] unexpected error', expect.objectContaining({ message: expect.stringContaining('Internal server error') }));
  });

  describe("a check's feedback, which needs the reports subgraph's findings when the check was run without them", () => {
    let checkId: string;
    beforeAll(async () => {
      // Run while the reports subgraph could not answer: stored unsealed, its verdict missing with the reports subgraph's outage.
      const result = await run('PEER-FEEDBACK-1');
      expect(result.errors?.map((e) => [e.path, e.message, e.extensions])).toEqual([
        [['runCreditCheck', 'verdict'], 'the reports subgraph lost its database connection: retry later', { code: 'DATABASE_UNAVAILABLE', serviceName: 'reports', retryAfterSeconds: 5 }],
      ]);
      expect(result.data?.runCreditCheck?.verdict).toBeNull();
      checkId = result.data!.runCreditCheck!.id;
    });
    const feedback = () => records.queryAs<{ recordCheckFeedback: unknown }>(inCase('PEER-FEEDBACK-1'), FEEDBACK, { input: { checkId, appliedMeasures: [] } });
    const feedbackStored = async () => Number(((await records.db().query('SELECT COUNT(*) AS n FROM credit_check WHERE id = ? AND feedback_at IS NOT NULL', [checkId])) as { n: unknown }[])[0].n);

    it("is answered with the reports subgraph's DATABASE_UNAVAILABLE naming it, and stores nothing", async () => {
      const result = await feedback();
      expect(result.data).toEqual({ recordCheckFeedback: null });
      expect(result.errors?.map((e) => [e.message, e.extensions])).toEqual([['the reports subgraph lost its database connection: retry later', { code: 'DATABASE_UNAVAILABLE', serviceName: 'reports', retryAfterSeconds: 5, outcome: 'NOT_STORED' }]]);
      expect(await feedbackStored()).toBe(0);
    });

    it('is answered SUBGRAPH_UNAVAILABLE naming the reports subgraph with a reason when it cannot be reached', async () => {
      const answering = reportsStandIn.behaviour;
      await reportsStandIn.down();
      try {
        const result = await feedback();
        expect(result.errors?.map((e) => e.extensions)).toEqual([{ code: 'SUBGRAPH_UNAVAILABLE', serviceName: 'reports', reason: 'UNREACHABLE', retryAfterSeconds: 5, outcome: 'NOT_STORED' }]);
        expect(result.errors?.[0].message).toMatch(/send the feedback again later$/);
        expect(await feedbackStored()).toBe(0);
      } finally {
        await reportsStandIn.up();
        reportsStandIn.behaviour = answering;
      }
    });
  });
});
