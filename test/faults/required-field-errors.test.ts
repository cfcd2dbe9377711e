import { demoWorld } from '../../scripts/demo/world';
import { testDatabases } from '../helpers/databases';
import type { GraphQLResponse } from '../helpers/graphql';
import { usePlatform, type As, type PlatformOptions } from '../helpers/platform';
import { StandInSubgraph, type StandInBehaviour } from '../helpers/stand-in-subgraph';

/**
 * The reports subgraph unable to give the findings (`reportSatisfied`, `goodReportGrade`, hidden
 * from clients) that a check's `verdict` and `measures` are sealed with, as when its own peer
 * cannot answer: the records subgraph, which asks for them when the check is run and seals the
 * verdict, answers each of those fields of a check it could not seal null with the reports
 * subgraph's error at its own path, code and extensions kept, as when the reports subgraph is
 * down (subgraph-faults.test.ts); a sealed check is read from the records subgraph alone. The
 * reports subgraph reaches the records subgraph through a stand-in (its peer's outage), and the
 * gateway and the records subgraph reach the reports subgraph through another (a crafted answer,
 * and the calls it received).
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

describe.each(testDatabases)("a check's verdict and measures, sealed with the reports subgraph's findings, on $label", (database) => {
  const options: PlatformOptions = { seedSubjects: world.subjects.length, peerUrls: {}, gateway: {} };
  let records: StandInSubgraph;
  let reports: StandInSubgraph;
  beforeAll(async () => {
    records = await StandInSubgraph.start();
    reports = await StandInSubgraph.start();
    options.peerUrls!.records = records.url;
    options.peerUrls!.reports = reports.url;
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

  it("puts the reports subgraph's error on the verdict and measures of a check it cannot judge, not on the findings they are sealed with", async () => {
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

  it("reads a sealed check's verdict and measures from the records subgraph alone: the reports subgraph is not asked, and its outage changes nothing", async () => {
    reports.behaviour = answer({
      errors: [{ message: 'the reports subgraph lost its database connection: retry later', path: ['_entities'], extensions: { code: 'DATABASE_UNAVAILABLE', retryAfterSeconds: 5 } }],
      data: null,
    });
    const asked = reports.received.length;
    const result = await platform.query<ReadCheck>(READ_CHECK, { id: sealedCheck }, officer);
    expect(result.errors).toBeUndefined();
    expect(result.data?.creditCheck).toEqual({ caseNumber, verdict: expect.any(String), measures: expect.any(Array) });
    expect(reports.received.length).toBe(asked);
  });

  it('seals the checks of a ledger page that could not be sealed when run with one call to the reports subgraph, however many they are', async () => {
    const ledgerCase = 'BDH-CG-2026-0703';
    const inLedgerCase: As = { ...officer, headers: { ...officer.headers, 'x-credit-case': ledgerCase } };
    // Run while the reports subgraph cannot judge them (its peer's database gone): stored unsealed.
    records.behaviour = recordsDatabaseGone;
    for (let i = 0; i < 3; i++) {
      const ran = await platform.query<RanCheck>(RUN_CHECK, { input: { subjectId: subject.id, matter: 'GOVERNMENT_PROCUREMENT', caseNumber: ledgerCase } }, inLedgerCase);
      expect(ran.data?.runCreditCheck?.verdict).toBeNull();
    }
    records.behaviour = { kind: 'proxy' };
    const asked = reports.received.length;
    const listed = await platform.query<{ creditChecks: { edges: { node: { verdict: string | null; measures: unknown[] | null } }[] } }>(
      `query Ledger($case: String!) { creditChecks(caseNumber: $case, first: 10) { edges { node { verdict measures { kind } } } } }`,
      { case: ledgerCase },
      inLedgerCase,
    );
    expect(listed.errors).toBeUndefined();
    expect(listed.data!.creditChecks.edges.map((e) => e.node)).toEqual([1, 2, 3].map(() => ({ verdict: expect.any(String), measures: expect.any(Array) })));
    const calls = reports.received.slice(asked);
    expect(calls.map((c) => (c.variables as { representations?: unknown[] } | undefined)?.representations?.length)).toEqual([3]);
  });
});
