import { demoWorld } from '../../scripts/demo/world';
import { testDatabases } from '../helpers/databases';
import type { GraphQLResponse } from '../helpers/graphql';
import { usePlatform, type As, type PlatformOptions } from '../helpers/platform';
import { StandInSubgraph, type StandInBehaviour } from '../helpers/stand-in-subgraph';

/**
 * The reports subgraph answering, with errors, the fields the gateway asked of it only for a
 * check's `verdict` and `measures` (`reportSatisfied`, `goodReportGrade`: @requires, hidden from
 * clients), as when its own peer cannot answer: each field of the client's that needed them is
 * null with the error at its own path, code and extensions kept, as when the reports subgraph is
 * down (subgraph-faults.test.ts); no error names a field the client did not ask for. The reports
 * subgraph reaches the records subgraph through a stand-in (its peer's outage), and the gateway
 * reaches the reports subgraph through another (a crafted answer).
 */
const world = demoWorld({ subjects: 12 });
const subject = world.subjects.find((s) => s.kind === 'ENTERPRISE')!;
const caseNumber = 'BDH-CG-2026-0702';
const officer: As = {
  caller: { id: 'officer-required-errors', organisation: 'FINANCE', organisationKind: 'DEPARTMENT', role: 'DEPARTMENT_OFFICER' },
  headers: { 'x-credit-matter': 'GOVERNMENT_PROCUREMENT', 'x-credit-case': caseNumber },
};

const GENERATE = /* GraphQL */ `mutation Generate($id: ID!) { generateCreditReport(subjectId: $id) { id } }`;
const RUN_CHECK = /* GraphQL */ `
  mutation Run($input: RunCreditCheckInput!) { runCreditCheck(input: $input) { id verdict measures { kind } reportRequirement { satisfied } } }
`;
type RanCheck = { runCreditCheck: { id: string; verdict: string | null; measures: unknown[] | null; reportRequirement: unknown } | null };
const READ_CHECK = /* GraphQL */ `query Read($id: ID!) { creditCheck(id: $id) { caseNumber verdict measures { kind } } }`;
type ReadCheck = { creditCheck: { caseNumber: string; verdict: string | null; measures: unknown[] | null } | null };

/** A JSON answer of the stand-in. */
const answer = (body: unknown): StandInBehaviour => ({ kind: 'answer', status: 200, contentType: 'application/json', body: JSON.stringify(body) });

/** What a subgraph whose database is gone answers (subgraphs/shared/subgraph.ts, maskUnexpectedErrors): the reports subgraph's peer. */
const recordsDatabaseGone = answer({
  errors: [{ message: 'the records subgraph lost its database connection: retry later', path: ['_entities'], extensions: { code: 'DATABASE_UNAVAILABLE', retryAfterSeconds: 5 } }],
  data: { _entities: null },
});

/** The errors by path (sorted), each checked to have a path and the extensions given. */
function errorsByPath(errors: GraphQLResponse['errors'], extensions: Record<string, unknown>): string[] {
  expect(errors?.filter((e) => !e.path)).toEqual([]);
  for (const error of errors ?? []) expect(error.extensions).toEqual(extensions);
  return (errors ?? []).map((e) => e.path!.join('.')).sort();
}

describe.each(testDatabases)('fields a verdict requires, answered with errors by the reports subgraph, on $label', (database) => {
  const options: PlatformOptions = { seedSubjects: world.subjects.length, peerUrls: {}, gateway: {} };
  let records: StandInSubgraph;
  let reports: StandInSubgraph;
  beforeAll(async () => {
    records = await StandInSubgraph.start();
    reports = await StandInSubgraph.start();
    options.peerUrls!.records = records.url;
    options.gateway!.subgraphUrls = { reports: reports.url };
  });
  const platform = usePlatform(database, 'reqerr', options);
  let sealedCheck = '';
  beforeAll(async () => {
    records.upstream = platform.subgraphs.records.url;
    reports.upstream = platform.subgraphs.reports.url;
    // A platform report the reports subgraph judges a check's requirement by asks the records subgraph about its records.
    const generated = await platform.query(GENERATE, { id: subject.id }, officer);
    expect(generated.errors).toBeUndefined();
    const healthy = await platform.query<RanCheck>(RUN_CHECK, { input: { subjectId: subject.id, matter: 'GOVERNMENT_PROCUREMENT', caseNumber } }, officer);
    expect(healthy.errors).toBeUndefined();
    expect(healthy.data?.runCreditCheck).toEqual({ id: expect.any(String), verdict: expect.any(String), measures: expect.any(Array), reportRequirement: { satisfied: expect.any(Boolean) } });
    sealedCheck = healthy.data!.runCreditCheck!.id;
  });
  afterAll(async () => {
    await records?.stop();
    await reports?.stop();
  });
  afterEach(() => {
    records.behaviour = { kind: 'proxy' };
    reports.behaviour = { kind: 'proxy' };
  });

  it("puts the reports subgraph's error on the verdict and measures of a check it cannot judge, not on the fields they require", async () => {
    records.behaviour = recordsDatabaseGone;
    const outage = { code: 'DATABASE_UNAVAILABLE', serviceName: 'records', retryAfterSeconds: 5 };
    const ran = await platform.query<RanCheck>(RUN_CHECK, { input: { subjectId: subject.id, matter: 'GOVERNMENT_PROCUREMENT', caseNumber } }, officer);
    expect(ran.data?.runCreditCheck).toEqual({ id: expect.any(String), verdict: null, measures: null, reportRequirement: null });
    // The check itself was stored: each error says so (gateway.ts, withAppliedMutationsTold).
    expect(errorsByPath(ran.errors, { ...outage, applied: ['runCreditCheck'] })).toEqual(['runCreditCheck.measures', 'runCreditCheck.reportRequirement', 'runCreditCheck.verdict']);
    const checkId = ran.data!.runCreditCheck!.id;

    // Read later, the check's report requirement still cannot be judged: the verdict asked alone says why it is missing.
    const read = await platform.query<ReadCheck>(`query Read($id: ID!) { creditCheck(id: $id) { caseNumber verdict } }`, { id: checkId }, officer);
    expect(read.data?.creditCheck).toEqual({ caseNumber, verdict: null });
    expect(errorsByPath(read.errors, outage)).toEqual(['creditCheck.verdict']);

    // In a list, at the check it concerns; the check judged before keeps its verdict.
    const listed = await platform.query<{ creditChecks: { edges: { node: { id: string; verdict: string | null } }[] } }>(
      `query Ledger($case: String!) { creditChecks(caseNumber: $case, first: 10) { edges { node { id verdict } } } }`,
      { case: caseNumber },
      officer,
    );
    const nodes = listed.data!.creditChecks.edges.map((e) => e.node);
    const unjudged = nodes.findIndex((n) => n.id === checkId);
    const judged = nodes.findIndex((n) => n.id === sealedCheck);
    expect(unjudged).toBeGreaterThanOrEqual(0);
    expect(nodes[unjudged].verdict).toBeNull();
    expect(nodes[judged].verdict).toEqual(expect.any(String));
    expect(errorsByPath(listed.errors, outage)).toEqual([`creditChecks.edges.${unjudged}.node.verdict`]);

    // Once the records subgraph answers the reports subgraph again, the check reads whole.
    records.behaviour = { kind: 'proxy' };
    const later = await platform.query<ReadCheck>(READ_CHECK, { id: checkId }, officer);
    expect(later.errors).toBeUndefined();
    expect(later.data?.creditCheck).toEqual({ caseNumber, verdict: expect.any(String), measures: expect.any(Array) });
  });

  it("keeps the code and extensions of the reports subgraph's SUBGRAPH_UNAVAILABLE, passed on from its peer, on the fields that needed what it could not give", async () => {
    const passedOn = { code: 'SUBGRAPH_UNAVAILABLE', reason: 'TIMEOUT', serviceName: 'records', retryAfterSeconds: 5 };
    const message = 'the records subgraph did not answer within 1500 ms';
    reports.behaviour = answer({
      errors: [
        { message, path: ['_entities', 0, 'reportSatisfied'], extensions: passedOn },
        { message, path: ['_entities', 0, 'goodReportGrade'], extensions: passedOn },
      ],
      data: { _entities: [{ __typename: 'CreditCheck', reportSatisfied: null, goodReportGrade: null }] },
    });
    const result = await platform.query<ReadCheck>(READ_CHECK, { id: sealedCheck }, officer);
    // As with the reports subgraph down, the records subgraph is not asked for what needs the missing findings, sealed or not.
    expect(result.data?.creditCheck).toEqual({ caseNumber, verdict: null, measures: null });
    expect(errorsByPath(result.errors, passedOn)).toEqual(['creditCheck.measures', 'creditCheck.verdict']);
    expect(result.errors?.map((e) => e.message)).toEqual([message, message]);
  });

  it('puts an error the reports subgraph gives the whole list of entities on the fields that needed them, and reports no fault of the gateway', async () => {
    const logged = jest.spyOn(console, 'error');
    try {
      reports.behaviour = answer({
        errors: [{ message: 'the reports subgraph lost its database connection: retry later', path: ['_entities'], extensions: { code: 'DATABASE_UNAVAILABLE', retryAfterSeconds: 5 } }],
        data: null,
      });
      const result = await platform.query<ReadCheck>(READ_CHECK, { id: sealedCheck }, officer);
      expect(result.data?.creditCheck).toEqual({ caseNumber, verdict: null, measures: null });
      expect(errorsByPath(result.errors, { code: 'DATABASE_UNAVAILABLE', serviceName: 'reports', retryAfterSeconds: 5 })).toEqual(['creditCheck.measures', 'creditCheck.verdict']);
      expect(logged.mock.calls.filter(([line]) => typeof line === 'string' && line.startsWith('[gateway]'))).toEqual([]);
    } finally {
      logged.mockRestore();
    }
  });
});
