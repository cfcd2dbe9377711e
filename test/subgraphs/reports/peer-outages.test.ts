import { randomUUID } from 'node:crypto';
import { demoWorld } from '../../../scripts/demo/world';
import { seedEntities } from '../../../subgraphs/entities/seed';
import { entitiesSubgraph } from '../../../subgraphs/entities/subgraph';
import { seedRecords } from '../../../subgraphs/records/seed';
import { createRecordsSubgraph } from '../../../subgraphs/records/subgraph';
import type { Peer } from '../../../subgraphs/reports/peers';
import { createReportsSubgraph } from '../../../subgraphs/reports/subgraph';
import { EntitiesSubjectDirectory } from '../../../subgraphs/shared/subject-directory';
import { testDatabases } from '../../helpers/databases';
import { testSigningKey } from '../../helpers/identity';
import { StandInSubgraph } from '../../helpers/stand-in-subgraph';
import { useSubgraph } from '../../helpers/subgraph';
import { creditOffice, financeOfficer, identityOf } from '../providers/callers';

/**
 * The reports subgraph when a peer it asks (entities for a subject's basics, records for the records
 * that count or that a report holds) cannot answer: its database gone, the peer down, too slow, or
 * answering something that is not GraphQL. The client is told which peer and why, as the gateway
 * tells it of a subgraph of its own (SUBGRAPH_UNAVAILABLE with `reason`, or the peer's
 * DATABASE_UNAVAILABLE), never INTERNAL_SERVER_ERROR; nothing is stored, and what a peer disclosed
 * for a report that was not generated is not reported as disclosed (the gateway would audit it).
 */
const world = demoWorld({ subjects: 12 });
const subject = world.subjects.find((s) => s.kind === 'ENTERPRISE')!;
const procurement = identityOf(financeOfficer, { matter: 'GOVERNMENT_PROCUREMENT', caseNumber: 'BDH-CG-2026-0117' });
const supervision = identityOf(creditOffice, { matter: 'CREDIT_SUPERVISION' });
const peerTimeoutMs = 1_500;

const generate = /* GraphQL */ `mutation ($subjectId: ID!) { generateCreditReport(subjectId: $subjectId) { id reportNumber } }`;

/** What a subgraph whose database is gone answers (subgraphs/shared/subgraph.ts, maskUnexpectedErrors). */
function databaseGone(peer: Peer, field: string) {
  return {
    kind: 'answer' as const,
    status: 200,
    contentType: 'application/json',
    body: JSON.stringify({
      errors: [{ message: `the ${peer} subgraph lost its database connection: retry later`, path: [field], extensions: { code: 'DATABASE_UNAVAILABLE', retryAfterSeconds: 5 } }],
      data: { [field]: null },
    }),
  };
}

describe.each(testDatabases)('the reports subgraph when a peer cannot answer, on $label', (database) => {
  const urls: Partial<Record<Peer, string>> = {};
  const reports = useSubgraph(createReportsSubgraph({ url: (peer) => urls[peer] ?? 'http://127.0.0.1:9/graphql', timeoutMs: peerTimeoutMs }), database, 'outage_reports');
  const records = useSubgraph(createRecordsSubgraph({ subjects: new EntitiesSubjectDirectory(() => ({ url: entities.url(), signingKey: testSigningKey })) }), database, 'outage_records');
  const entities = useSubgraph(entitiesSubgraph, database, 'outage_entities');
  let recordsStandIn: StandInSubgraph;
  let entitiesStandIn: StandInSubgraph;
  let logged: jest.SpyInstance;

  beforeAll(async () => {
    recordsStandIn = await StandInSubgraph.start();
    entitiesStandIn = await StandInSubgraph.start();
    recordsStandIn.upstream = records.url();
    entitiesStandIn.upstream = entities.url();
    urls.records = recordsStandIn.url;
    urls.entities = entitiesStandIn.url;
    await seedEntities(entities.db(), world);
    await seedRecords(records.db(), world);
  });
  afterAll(async () => {
    await recordsStandIn?.stop();
    await entitiesStandIn?.stop();
  });
  beforeEach(() => {
    logged = jest.spyOn(console, 'error');
  });
  afterEach(() => {
    recordsStandIn.behaviour = { kind: 'proxy' };
    entitiesStandIn.behaviour = { kind: 'proxy' };
    logged.mockRestore();
  });

  const platformReports = async () => Number(((await reports.db().query("SELECT COUNT(*) AS n FROM credit_report WHERE source = 'DISTRICT_PLATFORM'")) as { n: unknown }[])[0].n);

  /** A generation that failed for `peer`: null, the one error given, nothing stored, nothing reported as disclosed, nothing logged as a fault. */
  async function expectGenerationFailed(extensions: Record<string, unknown>, message: string | RegExp) {
    const before = await platformReports();
    const result = await reports.queryAs<{ generateCreditReport: unknown }>(procurement, generate, { subjectId: subject.id });
    expect(result.data).toEqual({ generateCreditReport: null });
    expect(result.errors).toHaveLength(1);
    // Each peer is asked before the report is stored: NOT_STORED, whatever the peer's fault.
    expect(result.errors?.[0].extensions).toEqual({ ...extensions, outcome: 'NOT_STORED' });
    if (typeof message === 'string') expect(result.errors?.[0].message).toBe(message);
    else expect(result.errors?.[0].message).toMatch(message);
    // The subject's basics were read from the entities subgraph before the records failed: not released, so not disclosed.
    expect(result.extensions?.disclosures).toBeUndefined();
    expect(await platformReports()).toBe(before);
    // An outage of a peer is no fault of this subgraph's: nothing at error level (the request's own log line says how it went).
    expect(logged).not.toHaveBeenCalled();
    return result;
  }

  it("passes on a peer's DATABASE_UNAVAILABLE naming the peer, for the records and for the subject's basics alike", async () => {
    recordsStandIn.behaviour = databaseGone('records', '_entities');
    await expectGenerationFailed({ code: 'DATABASE_UNAVAILABLE', serviceName: 'records', retryAfterSeconds: 5 }, 'the records subgraph lost its database connection: retry later');
    recordsStandIn.behaviour = { kind: 'proxy' };
    entitiesStandIn.behaviour = databaseGone('entities', 'subject');
    await expectGenerationFailed({ code: 'DATABASE_UNAVAILABLE', serviceName: 'entities', retryAfterSeconds: 5 }, 'the entities subgraph lost its database connection: retry later');
  });

  it("passes on a peer's SUBGRAPH_UNAVAILABLE naming the subgraph the peer could not ask, with its reason", async () => {
    recordsStandIn.behaviour = {
      kind: 'answer',
      status: 200,
      contentType: 'application/json',
      body: JSON.stringify({
        errors: [{ message: 'the entities subgraph did not answer within 900 ms; retry later', path: ['_entities'], extensions: { code: 'SUBGRAPH_UNAVAILABLE', serviceName: 'entities', reason: 'TIMEOUT', retryAfterSeconds: 5 } }],
        data: { _entities: null },
      }),
    };
    await expectGenerationFailed({ code: 'SUBGRAPH_UNAVAILABLE', serviceName: 'entities', reason: 'TIMEOUT', retryAfterSeconds: 5 }, 'the entities subgraph did not answer within 900 ms; retry later');
  });

  it("answers SUBGRAPH_UNAVAILABLE naming the peer, reason IDENTITY_REFUSED, when the peer refuses the platform's signed identity, not the caller's UNAUTHENTICATED", async () => {
    recordsStandIn.behaviour = {
      kind: 'answer',
      status: 401,
      contentType: 'application/json',
      body: JSON.stringify({ errors: [{ message: 'the gateway identity on this request is invalid or expired', extensions: { code: 'UNAUTHENTICATED' } }] }),
    };
    await expectGenerationFailed({ code: 'SUBGRAPH_UNAVAILABLE', serviceName: 'records', reason: 'IDENTITY_REFUSED' }, /^the records subgraph refused the platform's own credentials for this call/);
  });

  it('answers SUBGRAPH_UNAVAILABLE naming the peer, reason UNREACHABLE, when the peer is down', async () => {
    await recordsStandIn.down();
    try {
      await expectGenerationFailed({ code: 'SUBGRAPH_UNAVAILABLE', serviceName: 'records', reason: 'UNREACHABLE', retryAfterSeconds: 5 }, /^the records subgraph could not be reached/);
    } finally {
      await recordsStandIn.up();
    }
  });

  // A rolling restart of the records subgraph: the replica stopping refuses unrun what reaches it on
  // a kept-alive connection (lib/http-server.ts), and a new connection (through a balancer, to the
  // replica still serving) takes the call.
  it('sends a peer call a stopping peer refused unrun once more, on a new connection, and the report is generated', async () => {
    const before = recordsStandIn.received.length;
    recordsStandIn.misbehaveNext(1, {
      kind: 'answer',
      status: 503,
      contentType: 'application/json',
      body: JSON.stringify({ errors: [{ message: 'the server is shutting down: nothing of this request ran, send it again', extensions: { code: 'SHUTTING_DOWN', retryAfterSeconds: 5 } }] }),
    });
    const stored = await platformReports();
    const result = await reports.queryAs<{ generateCreditReport: { id: string } | null }>(procurement, generate, { subjectId: subject.id });
    expect(result.errors).toBeUndefined();
    expect(result.data?.generateCreditReport?.id).toBeTruthy();
    expect(await platformReports()).toBe(stored + 1);
    const [refused, sentAgain] = recordsStandIn.received.slice(before);
    expect(sentAgain?.query).toBe(refused.query);
    expect(sentAgain.remotePort).not.toBe(refused.remotePort);
  });

  it('answers SUBGRAPH_UNAVAILABLE naming the peer, reason TIMEOUT, when the peer does not answer in time', async () => {
    recordsStandIn.behaviour = { kind: 'hang' };
    await expectGenerationFailed({ code: 'SUBGRAPH_UNAVAILABLE', serviceName: 'records', reason: 'TIMEOUT', retryAfterSeconds: 5 }, new RegExp(`^the records subgraph did not answer within ${peerTimeoutMs} ms`));
  });

  it('answers SUBGRAPH_UNAVAILABLE naming the peer, reason BAD_RESPONSE, when the peer answers something that is not GraphQL', async () => {
    recordsStandIn.behaviour = { kind: 'answer', status: 502, contentType: 'text/html', body: '<html><body><h1>502 Bad Gateway</h1></body></html>' };
    await expectGenerationFailed({ code: 'SUBGRAPH_UNAVAILABLE', serviceName: 'records', reason: 'BAD_RESPONSE', retryAfterSeconds: 5 }, /^the records subgraph answered 502 /);
  });

  it('reports what the peers disclosed once the report is generated', async () => {
    const result = await reports.queryAs<{ generateCreditReport: { id: string } }>(procurement, generate, { subjectId: subject.id });
    expect(result.errors).toBeUndefined();
    const disclosed = (result.extensions?.disclosures as { subjectId: string; groups: string[] }[]).find((d) => d.subjectId === subject.id);
    expect(disclosed?.groups).toEqual(expect.arrayContaining(['REPORT_GENERATION', 'SUBJECT_BASICS', 'PUBLIC_RECORDS']));
  });

  it("answers a platform report's findings and a check's report requirement with the peer's outage when the records subgraph cannot say whether the report stands", async () => {
    const generated = await reports.queryAs<{ generateCreditReport: { id: string } }>(procurement, generate, { subjectId: subject.id });
    expect(generated.errors).toBeUndefined();
    const id = generated.data!.generateCreditReport.id;
    recordsStandIn.behaviour = databaseGone('records', '_entities');
    const outage = { code: 'DATABASE_UNAVAILABLE', serviceName: 'records', retryAfterSeconds: 5 };

    const read = await reports.queryAs<{ creditReport: { acceptance: unknown; sections: unknown } | null }>(supervision, 'query ($id: ID!) { creditReport(id: $id) { id acceptance { accepted reasons } sections { code } } }', { id });
    expect(read.data?.creditReport).toEqual({ id, acceptance: null, sections: null });
    expect(read.errors?.map((e) => [e.path, e.extensions])).toEqual(expect.arrayContaining([[['creditReport', 'acceptance'], outage], [['creditReport', 'sections'], outage]]));
    expect(read.errors).toHaveLength(2);

    // A check of the subject not judged yet: judging it asks whether the platform report still stands.
    const check = { __typename: 'CreditCheck', id: randomUUID(), subjectId: subject.id, matter: 'GOVERNMENT_PROCUREMENT', caseNumber: 'BDH-CG-2026-0117', checkedAt: new Date().toISOString() };
    const judged = await reports.queryAs<{ _entities: unknown[] }>(
      supervision,
      'query ($r: [_Any!]!) { _entities(representations: $r) { ... on CreditCheck { reportRequirement { satisfied } reportSatisfied goodReportGrade } } }',
      { r: [check] },
    );
    expect(judged.errors?.length).toBeGreaterThan(0);
    expect(judged.errors?.map((e) => e.extensions)).toEqual(judged.errors?.map(() => outage));
    expect(logged).not.toHaveBeenCalled();

    // Once the records subgraph answers again, the same reads answer.
    recordsStandIn.behaviour = { kind: 'proxy' };
    const again = await reports.queryAs(supervision, 'query ($r: [_Any!]!) { _entities(representations: $r) { ... on CreditCheck { reportRequirement { satisfied } goodReportGrade } } }', { r: [check] });
    expect(again.errors).toBeUndefined();
  });

  it("answers a platform report's findings SUBGRAPH_UNAVAILABLE naming the records subgraph with the reason it could not be asked", async () => {
    const generated = await reports.queryAs<{ generateCreditReport: { id: string } }>(procurement, generate, { subjectId: subject.id });
    expect(generated.errors).toBeUndefined();
    const id = generated.data!.generateCreditReport.id;
    await recordsStandIn.down();
    try {
      const read = await reports.queryAs<{ creditReport: { acceptance: unknown } | null }>(supervision, 'query ($id: ID!) { creditReport(id: $id) { id acceptance { accepted } } }', { id });
      expect(read.data?.creditReport).toEqual({ id, acceptance: null });
      expect(read.errors?.map((e) => e.extensions)).toEqual([{ code: 'SUBGRAPH_UNAVAILABLE', serviceName: 'records', reason: 'UNREACHABLE', retryAfterSeconds: 5 }]);
      expect(read.errors?.[0].message).toBe('the records subgraph gave no usable answer, so whether the records behind a platform report still stand could not be checked: retry later');
    } finally {
      await recordsStandIn.up();
    }
  });
});
