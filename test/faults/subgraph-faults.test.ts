import http from 'node:http';
import { todayInDistrict } from '../../lib/calendar';
import { unifiedSocialCreditCode } from '../../lib/identifiers';
import { demoWorld } from '../../scripts/demo/world';
import { startPlatform, supervisor, type As, type Platform } from '../helpers/platform';
import { StandInSubgraph } from '../helpers/stand-in-subgraph';
import type { GraphQLResponse } from '../helpers/graphql';

/**
 * The gateway facing a subgraph that is down, slow or answers garbage. The reports and entities
 * subgraphs are reached through stand-ins that misbehave on cue and proxy to the real ones again
 * to show recovery. SQLite only: what is under test is the gateway's HTTP side, the same on
 * either database (the database's own faults are in database-restart.test.ts).
 */
const world = demoWorld({ subjects: 20 });
const subject = world.subjects.find((s) => s.kind === 'ENTERPRISE')!;
/**
 * Long enough for a healthy fetch through a stand-in to answer within it when this process pauses
 * (a collection of the jest heap of some GB that CI's one process has late in its run): at 1.5 s,
 * the healthy fetches that tests start from and recover with timed out under such pauses, failing
 * up to the whole suite (its first read, in beforeAll). Every other time here is told from it.
 */
const timeoutMs = 3_750;
/** Room for a fetch's whole timeout after a quick one, and not for a slow one's and the next's together. */
const requestTimeoutMs = 2 * timeoutMs;

const SUBJECT_WITH_REPORTS = /* GraphQL */ `
  query SubjectWithReports($id: ID!) { subject(id: $id) { name creditRecords { totalCount } creditReports { totalCount } } }
`;
type SubjectWithReports = { subject: { name: string; creditRecords: { totalCount: number }; creditReports: { totalCount: number } | null } | null };

const registrar: As = { caller: { id: 'test-registrar', organisation: 'MARKET_REGULATION', organisationKind: 'DEPARTMENT', role: 'DEPARTMENT_OFFICER' } };

describe('the gateway when a subgraph is down, slow or answers garbage', () => {
  let platform: Platform;
  let reports: StandInSubgraph;
  let entities: StandInSubgraph;
  let providers: StandInSubgraph;
  let complete: SubjectWithReports;

  beforeAll(async () => {
    reports = await StandInSubgraph.start();
    entities = await StandInSubgraph.start();
    providers = await StandInSubgraph.start();
    platform = await startPlatform(
      { kind: 'sqlite', directory: ':memory:' },
      // The subgraphs reach their peers through the same stand-ins: the records subgraph seals a check's
      // verdict with the reports subgraph's findings, and the reports subgraph asks the providers for a
      // report's acceptance.
      { seedSubjects: world.subjects.length, peerUrls: { reports: reports.url, providers: providers.url }, gateway: { subgraphUrls: { reports: reports.url, entities: entities.url, providers: providers.url }, subgraphTimeoutMs: timeoutMs, requestTimeoutMs } },
    );
    reports.upstream = platform.subgraphs.reports.url;
    entities.upstream = platform.subgraphs.entities.url;
    providers.upstream = platform.subgraphs.providers.url;
    const result = await platform.query<SubjectWithReports>(SUBJECT_WITH_REPORTS, { id: subject.id }, supervisor);
    expect(result.errors).toBeUndefined();
    complete = result.data!;
    // Run once before it is timed: the first check compiles its path through three subgraphs in this
    // process, which a loaded machine (CI) took longer than the 1.5 s timeout for, failing the healthy
    // check a test starts from. Its answer is not this suite's concern.
    await platform.query(RUN_CHECK, { subjectId: subject.id, key: 'fault-warm-up' }, finance);
  });
  afterAll(async () => {
    await platform?.stop();
    await reports?.stop();
    await entities?.stop();
    await providers?.stop();
  });
  afterEach(() => {
    reports.behaviour = { kind: 'proxy' };
    entities.behaviour = { kind: 'proxy' };
    providers.behaviour = { kind: 'proxy' };
    entities.dropConnections(0);
  });

  /** The answer with the reports subgraph's part missing, and the one error that says why. */
  async function expectReportsMissing(reason: string) {
    const result = await platform.query<SubjectWithReports>(SUBJECT_WITH_REPORTS, { id: subject.id }, supervisor);
    expect(result.status).toBe(200);
    expect(result.data).toEqual({ subject: { ...complete.subject, creditReports: null } });
    expect(result.errors).toHaveLength(1);
    // A refused identity holds until an operator makes the keys agree: no retry mends it, so none is advised.
    expect(result.errors?.[0].extensions).toEqual({ code: 'SUBGRAPH_UNAVAILABLE', reason, ...(reason === 'IDENTITY_REFUSED' ? {} : { retryAfterSeconds: 5 }), serviceName: 'reports' });
    expect(result.errors?.[0].message).toMatch(/^the reports subgraph /);
    // On the very field that is missing, as GraphQL places a field's error.
    expect(result.errors?.[0].path).toEqual(['subject', 'creditReports']);
    return result;
  }

  async function expectRecovered() {
    const result = await platform.query<SubjectWithReports>(SUBJECT_WITH_REPORTS, { id: subject.id }, supervisor);
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual(complete);
  }

  it('answers the rest when a subgraph is down, and all of it once the subgraph is back', async () => {
    expect(complete.subject?.creditReports?.totalCount).toBeGreaterThan(0);
    await reports.down();
    try {
      const result = await expectReportsMissing('UNREACHABLE');
      expect(result.errors?.[0].message).toBe('the reports subgraph could not be reached');
    } finally {
      await reports.up();
    }
    await expectRecovered();
  });

  it("keeps the rest of the answer when a subgraph holding a root field is down, with an error on each field it lacks", async () => {
    const query = /* GraphQL */ `
      query Mixed($id: ID!) { subject(id: $id) { name } scheme: providerSupervisionScheme { filingStatuses { status } } departments { code } verifyCreditReport(reportNumber: "BDHXY-20260101-AAAAAAAA", verificationCode: "AAAAAAAAAAAAAAAA") { genuine } }
    `;
    await reports.down();
    try {
      const result = await platform.query<{ subject: { name: string } | null; scheme: unknown; departments: unknown[] | null; verifyCreditReport: unknown }>(query, { id: subject.id }, supervisor);
      expect(result.status).toBe(200);
      expect(result.data?.subject).toEqual({ name: subject.name });
      expect(result.data?.scheme).not.toBeNull();
      expect(result.data?.departments?.length).toBeGreaterThan(0);
      expect(result.data?.verifyCreditReport).toBeNull();
      expect(result.errors?.map((e) => [e.path, e.extensions?.code, e.extensions?.serviceName])).toEqual([[['verifyCreditReport'], 'SUBGRAPH_UNAVAILABLE', 'reports']]);
    } finally {
      await reports.up();
    }
  });

  it('names each entity field a down subgraph leaves missing, in a list', async () => {
    const list = /* GraphQL */ `query List { searchSubjects(name: "有限公司", first: 3) { edges { node { name creditReports { totalCount } } } } }`;
    await reports.down();
    try {
      const result = await platform.query<{ searchSubjects: { edges: { node: { name: string; creditReports: unknown } }[] } }>(list, {}, supervisor);
      const nodes = result.data!.searchSubjects.edges.map((e) => e.node);
      expect(nodes.length).toBeGreaterThan(1);
      expect(nodes.every((n) => n.name && n.creditReports === null)).toBe(true);
      expect(result.errors?.map((e) => e.path)).toEqual(nodes.map((_, i) => ['searchSubjects', 'edges', i, 'node', 'creditReports']));
    } finally {
      await reports.up();
    }
  });

  /**
   * The errors of an answer a subgraph's outage left incomplete, by path (sorted), each with the
   * extensions the outage gives; an error without a path would be one a client cannot place.
   */
  /** `applied`: under a mutation field that answered, each error says that it took effect. */
  function outageErrorsByPath(errors: GraphQLResponse['errors'], serviceName: string, reason: string, applied?: string[]) {
    expect(errors?.filter((e) => !e.path)).toEqual([]);
    for (const error of errors ?? []) expect(error.extensions).toEqual({ code: 'SUBGRAPH_UNAVAILABLE', reason, retryAfterSeconds: 5, serviceName, ...(applied ? { applied } : {}) });
    if (applied) for (const error of errors ?? []) expect(error.message).toMatch(/; runCreditCheck itself took effect \(only fields read after it are missing\): read the result back rather than sending it again$/);
    return (errors ?? []).map((e) => e.path!.join('.')).sort();
  }

  const finance: As = { caller: { id: 'test-finance', organisation: 'FINANCE', organisationKind: 'DEPARTMENT', role: 'DEPARTMENT_OFFICER' }, headers: { 'x-credit-matter': 'GOVERNMENT_PROCUREMENT', 'x-credit-case': 'FAULT-1' } };
  const RUN_CHECK = /* GraphQL */ `
    mutation Run($subjectId: ID!, $key: String!) {
      runCreditCheck(input: { subjectId: $subjectId, matter: "GOVERNMENT_PROCUREMENT", caseNumber: "FAULT-1", idempotencyKey: $key }) { id verdict measures { kind } reportRequirement { satisfied } }
    }
  `;
  type RanCheck = { runCreditCheck: { id: string; verdict: string | null; measures: unknown[] | null; reportRequirement: { satisfied: boolean } | null } | null };

  it.each([
    ['down', 'UNREACHABLE', () => reports.down(), () => reports.up(), ['runCreditCheck.measures', 'runCreditCheck.reportRequirement', 'runCreditCheck.verdict']],
    // Only the records subgraph's call, made while the check is run, hangs: the gateway's later
    // fetch of the report requirement is answered (two timeouts in a row would outlast the request's).
    ['slower than the timeout', 'TIMEOUT', async () => reports.misbehaveNext(1, { kind: 'hang' }), async () => void (reports.behaviour = { kind: 'proxy' }), ['runCreditCheck.measures', 'runCreditCheck.verdict']],
  ])('puts an error on each finding of a check it runs while the reports subgraph is %s, the verdict and measures it seals with that subgraph\'s findings too', async (_label, reason, fail, recover, missing) => {
    const healthy = await platform.query<RanCheck>(RUN_CHECK, { subjectId: subject.id, key: `fault-healthy-${reason}` }, finance);
    expect(healthy.errors).toBeUndefined();
    expect(healthy.data?.runCreditCheck).toEqual({ id: expect.any(String), verdict: expect.any(String), measures: expect.any(Array), reportRequirement: { satisfied: expect.any(Boolean) } });
    await fail();
    try {
      const result = await platform.query<RanCheck>(RUN_CHECK, { subjectId: subject.id, key: `fault-outage-${reason}` }, finance);
      expect(result.data?.runCreditCheck).toEqual({ id: expect.any(String), verdict: null, measures: null, reportRequirement: missing.includes('runCreditCheck.reportRequirement') ? null : { satisfied: expect.any(Boolean) } });
      expect(outageErrorsByPath(result.errors, 'reports', reason, ['runCreditCheck'])).toEqual(missing);
    } finally {
      await recover();
    }
  });

  it("reads a sealed check's verdict while the reports subgraph is down, and puts an error on the verdict of one it could not seal, though the client never asked the reports subgraph's part", async () => {
    const VERDICT = `query Verdict($id: ID!) { creditCheck(id: $id) { caseNumber verdict } }`;
    type Verdict = { creditCheck: { caseNumber: string; verdict: string | null } };
    const ran = await platform.query<RanCheck>(RUN_CHECK, { subjectId: subject.id, key: 'fault-read-verdict' }, finance);
    expect(ran.errors).toBeUndefined();
    await reports.down();
    try {
      // Sealed when it was run: stored by the records subgraph, which answers it alone.
      const sealed = await platform.query<Verdict>(VERDICT, { id: ran.data!.runCreditCheck!.id }, finance);
      expect(sealed.errors).toBeUndefined();
      expect(sealed.data?.creditCheck).toEqual({ caseNumber: 'FAULT-1', verdict: ran.data!.runCreditCheck!.verdict });
      // Run while the reports subgraph was down: not sealed, and still not while it is.
      const unsealed = await platform.query<RanCheck>(RUN_CHECK, { subjectId: subject.id, key: 'fault-read-unsealed-verdict' }, finance);
      const result = await platform.query<Verdict>(VERDICT, { id: unsealed.data!.runCreditCheck!.id }, finance);
      expect(result.data?.creditCheck).toEqual({ caseNumber: 'FAULT-1', verdict: null });
      expect(outageErrorsByPath(result.errors, 'reports', 'UNREACHABLE')).toEqual(['creditCheck.verdict']);
    } finally {
      await reports.up();
    }
  });

  it("puts an error on a subject's credit records when the entities subgraph, which gives the subject's kind they need (@requires), is down", async () => {
    const RECORD = /* GraphQL */ `query Record($id: ID!) { creditRecord(id: $id) { id subject { id name creditRecords { totalCount } } } }`;
    const listed = await platform.query<{ subject: { creditRecords: { edges: { node: { id: string } }[] } } }>(`query Records($id: ID!) { subject(id: $id) { creditRecords { edges { node { id } } } } }`, { id: subject.id }, supervisor);
    const recordId = listed.data!.subject.creditRecords.edges[0].node.id;
    type Record = { creditRecord: { id: string; subject: { id: string; name: string | null; creditRecords: { totalCount: number } | null } } };
    const healthy = await platform.query<Record>(RECORD, { id: recordId }, supervisor);
    expect(healthy.errors).toBeUndefined();
    expect(healthy.data?.creditRecord.subject).toEqual({ id: subject.id, name: subject.name, creditRecords: { totalCount: expect.any(Number) } });
    await entities.down();
    try {
      const result = await platform.query<Record>(RECORD, { id: recordId }, supervisor);
      expect(result.data?.creditRecord).toEqual({ id: recordId, subject: { id: subject.id, name: null, creditRecords: null } });
      expect(outageErrorsByPath(result.errors, 'entities', 'UNREACHABLE')).toEqual(['creditRecord.subject.creditRecords', 'creditRecord.subject.name']);
    } finally {
      await entities.up();
    }
  });

  it("puts an error on each report's acceptance when the providers subgraph, which the reports subgraph asks how each issuer stands, is down", async () => {
    const REPORTS = /* GraphQL */ `query Reports($id: ID!) { subject(id: $id) { creditReports { edges { node { reportNumber acceptance { accepted } } } } } }`;
    type Reports = { subject: { creditReports: { edges: { node: { reportNumber: string; acceptance: { accepted: boolean } | null } }[] } } };
    const healthy = await platform.query<Reports>(REPORTS, { id: subject.id }, supervisor);
    expect(healthy.errors).toBeUndefined();
    const nodes = healthy.data!.subject.creditReports.edges.map((e) => e.node);
    expect(nodes.length).toBeGreaterThan(0);
    expect(nodes.every((n) => n.acceptance !== null)).toBe(true);
    await providers.down();
    try {
      const result = await platform.query<Reports>(REPORTS, { id: subject.id }, supervisor);
      expect(result.data?.subject.creditReports.edges.map((e) => e.node)).toEqual(nodes.map((n) => ({ ...n, acceptance: null })));
      expect(outageErrorsByPath(result.errors, 'providers', 'UNREACHABLE')).toEqual(nodes.map((_, i) => `subject.creditReports.edges.${i}.node.acceptance`).sort());
    } finally {
      await providers.up();
    }
  });

  it('gives up on a subgraph that does not answer within the timeout, without retrying it, and recovers', async () => {
    reports.behaviour = { kind: 'hang' };
    const before = reports.received.length;
    const result = await expectReportsMissing('TIMEOUT');
    expect(result.errors?.[0].message).toBe(`the reports subgraph did not answer within ${timeoutMs} ms`);
    expect(reports.received.length - before).toBe(1);
    reports.behaviour = { kind: 'proxy' };
    await expectRecovered();
  });

  it("gives a fetch after a slow one only the request's time left, not its own whole timeout", async () => {
    // Each fetch within its own timeout, but the two in sequence beyond the request's.
    const entitiesSlowForMs = timeoutMs - 200;
    entities.behaviour = { kind: 'hold' };
    const released = setTimeout(() => entities.release(), entitiesSlowForMs);
    reports.behaviour = { kind: 'hang' };
    let result: GraphQLResponse<SubjectWithReports>;
    try {
      result = await platform.query<SubjectWithReports>(SUBJECT_WITH_REPORTS, { id: subject.id }, supervisor);
    } finally {
      clearTimeout(released);
      entities.release();
    }
    expect(result.data).toEqual({ subject: { ...complete.subject, creditReports: null } });
    expect(result.errors?.map((e) => ({ ...e.extensions, path: e.path }))).toEqual([{ code: 'SUBGRAPH_UNAVAILABLE', reason: 'TIMEOUT', retryAfterSeconds: 5, serviceName: 'reports', path: ['subject', 'creditReports'] }]);
    const [, given] = /^the reports subgraph did not answer within (\d+) ms, the time the request had left$/.exec(result.errors![0].message) ?? [];
    expect(Number(given)).toBeGreaterThan(0);
    expect(Number(given)).toBeLessThanOrEqual(requestTimeoutMs - entitiesSlowForMs);
    // What the gateway told the subgraph it had is what it waited.
    expect(Number(reports.received.at(-1)?.headers['x-request-timeout-ms'])).toBe(Number(given));
  });

  it("counts the request's time from when its body had been read: a body slower to come than the request's whole time leaves its fetches all of theirs", async () => {
    reports.behaviour = { kind: 'hang' };
    const uploadMs = requestTimeoutMs + 500;
    const body = JSON.stringify({ query: SUBJECT_WITH_REPORTS, variables: { id: subject.id } });
    const headers = { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), authorization: `Bearer ${await platform.token(supervisor.caller!)}`, ...supervisor.headers };
    // Half the body, a pause, the rest: a stalled uplink, whose time is bounded apart (the 60 s a request may take to arrive).
    const answer = await new Promise<string>((resolve, reject) => {
      const request = http.request(platform.gatewayUrl, { method: 'POST', headers, timeout: 30_000 }, (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () => resolve(text));
      });
      request.on('error', reject);
      request.on('timeout', () => request.destroy(new Error('no answer within 30 s')));
      request.write(body.slice(0, 20));
      setTimeout(() => request.end(body.slice(20)), uploadMs);
    });
    const result = JSON.parse(answer) as GraphQLResponse<SubjectWithReports>;
    expect(result.data).toEqual({ subject: { ...complete.subject, creditReports: null } });
    // The subgraph's own timeout, not what the upload would have left of the request's (nothing: "too little … was left to ask").
    expect(result.errors?.map((e) => e.message)).toEqual([`the reports subgraph did not answer within ${timeoutMs} ms`]);
  });

  it("answers a subgraph's refusal of the gateway's identity as an outage of that subgraph, not as the caller's UNAUTHENTICATED", async () => {
    // What a subgraph answers an identity it cannot verify (subgraphs/shared/access.ts): its clock or key is not the gateway's.
    const refusal = { errors: [{ message: 'the gateway identity on this request is invalid or expired', extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } } }] };
    reports.behaviour = { kind: 'answer', status: 401, contentType: 'application/json', body: JSON.stringify(refusal) };
    const result = await expectReportsMissing('IDENTITY_REFUSED');
    expect(result.errors?.[0].message).toBe("the reports subgraph refused the platform's own credentials for this call (a fault of the platform's configuration, not of your token)");
    reports.behaviour = { kind: 'proxy' };
    await expectRecovered();
  });

  it.each([
    ['an HTML error page from a proxy', 502, 'text/html', '<html><body><h1>502 Bad Gateway</h1><p>nginx/1.24.0</p></body></html>'],
    ['an HTML page with status 200', 200, 'text/html; charset=utf-8', '<!doctype html><title>maintenance</title>'],
    ['truncated JSON', 200, 'application/json', '{"data":{"_entities":[{"__typename":"Subject","creditRe'],
    ['JSON that is not a GraphQL response', 200, 'application/json', '{"status":"ok","uptime":12}'],
    ['data that is not an object', 200, 'application/json', '{"data":[1,2,3]}'],
    ['errors that are not a list', 200, 'application/json', '{"data":null,"errors":"boom"}'],
    ['disclosures of the wrong shape', 200, 'application/json', '{"data":{"_entities":[]},"extensions":{"disclosures":"everything"}}'],
    ['an empty 500', 500, 'text/plain', ''],
    // SUBGRAPH_REPORTS_URL with a mistyped path (/graphq): the subgraph's HTTP layer has no route there, and says so in JSON.
    ['the 404 of a path it has no route for, JSON with a ROUTE_NOT_FOUND error', 404, 'application/json', '{"errors":[{"message":"no route for /graphq","extensions":{"code":"ROUTE_NOT_FOUND"}}]}'],
  ])('answers the rest when a subgraph answers %s, showing none of it, and recovers', async (_label, status, contentType, body) => {
    reports.behaviour = { kind: 'answer', status, contentType, body };
    const result = await expectReportsMissing('BAD_RESPONSE');
    expect(result.errors?.[0].message).toBe('the reports subgraph did not answer with a GraphQL response');
    if (body) expect(JSON.stringify(result)).not.toContain(body.slice(0, 12));
    expect(JSON.stringify(result)).not.toMatch(/nginx|SyntaxError|Unexpected|stack/i);
    reports.behaviour = { kind: 'proxy' };
    await expectRecovered();
  });

  it('retries a read once when its connection is lost, and the client sees nothing of it', async () => {
    const before = entities.received.length;
    entities.dropConnections(1);
    const result = await platform.query<SubjectWithReports>(SUBJECT_WITH_REPORTS, { id: subject.id }, supervisor);
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual(complete);
    const calls = entities.received.slice(before);
    expect(calls).toHaveLength(2);
    expect(calls[1].query).toBe(calls[0].query);
  });

  it('retries a read only once: a second lost connection is SUBGRAPH_UNAVAILABLE', async () => {
    const before = entities.received.length;
    entities.dropConnections(2);
    const result = await platform.query<SubjectWithReports>(SUBJECT_WITH_REPORTS, { id: subject.id }, supervisor);
    expect(result.data).toEqual({ subject: null });
    expect(result.errors?.map((e) => e.extensions)).toEqual([{ code: 'SUBGRAPH_UNAVAILABLE', reason: 'UNREACHABLE', retryAfterSeconds: 5, serviceName: 'entities' }]);
    expect(result.errors?.[0].path).toEqual(['subject']);
    expect(entities.received.length - before).toBe(2);
  });

  /** What the client is told of a mutation whose change may have been stored: the timeout's words, after its own cause. */
  const outcomeNotKnown = 'whether the change was stored is not known for certain: send the same request again, which answers with what was stored if it was (a subject\'s registration by DUPLICATE_SUBJECT naming it; a check or a report generation only when sent with an idempotencyKey), rather than another';
  const REGISTER = /* GraphQL */ `mutation Register($code: String!, $date: Date!) { registerSubject(input: { kind: ENTERPRISE, name: "断线测试有限公司", code: $code, registrationDate: $date }) { id } }`;

  it.each<[string, string, () => unknown, () => Promise<void>, number, string, string]>([
    // The subgraph read the request and its connection broke before an answer (a process killed
    // mid-batch): the gateway cannot tell whether the change was stored, so it is not sent again.
    ['lost after the request was sent', 'MA0FAULT', () => entities.dropConnections(1), async () => undefined, 1, `the connection to the entities subgraph was lost after the request was sent; ${outcomeNotKnown}`, 'UNKNOWN'],
    // No connection was made, twice (tried once more: nothing reached the subgraph), so nothing was stored.
    ['refused', 'MA0REFUD', () => entities.down(), () => entities.up(), 0, 'the entities subgraph could not be reached, so nothing was stored: retry later', 'NOT_STORED'],
  ])('answers a mutation whose connection is %s as UNREACHABLE, saying whether its change may have been stored', async (_label, organisationBody, fail, recover, sent, message, outcome) => {
    const code = unifiedSocialCreditCode({ authority: '9', orgType: '1', division: '130304', organisationBody });
    const before = entities.received.length;
    await fail();
    let result: GraphQLResponse<{ registerSubject: { id: string } | null }>;
    try {
      result = await platform.query<{ registerSubject: { id: string } | null }>(REGISTER, { code, date: todayInDistrict() }, registrar);
    } finally {
      await recover();
    }
    expect(result.data).toEqual({ registerSubject: null });
    // The same reason either way; whether the change may have been stored is `outcome` (README, Errors), for a front end to switch on.
    expect(result.errors?.map((e) => e.extensions)).toEqual([{ code: 'SUBGRAPH_UNAVAILABLE', reason: 'UNREACHABLE', retryAfterSeconds: 5, serviceName: 'entities', outcome }]);
    expect(result.errors?.[0].message).toBe(message);
    const calls = entities.received.slice(before);
    expect(calls.map((c) => c.query.split(/[\s({]/)[0])).toEqual(Array(sent).fill('mutation'));
    // Neither reached the subgraph (the stand-in kept the one it read): nothing was stored, and nothing is on a retry.
    const [row] = await platform.databases.entities.query('SELECT COUNT(*) AS n FROM subject WHERE identifier = ?', [code]);
    expect(Number((row as { n: unknown }).n)).toBe(0);
  });

  it('tells a client whose mutation was answered with no GraphQL response (a proxy’s 502) to send the same request again, as the change may have been stored', async () => {
    const code = unifiedSocialCreditCode({ authority: '9', orgType: '1', division: '130304', organisationBody: 'MA0PRX02' });
    entities.behaviour = { kind: 'answer', status: 502, contentType: 'text/html', body: '<html><body><h1>502 Bad Gateway</h1></body></html>' };
    try {
      const result = await platform.query<{ registerSubject: { id: string } | null }>(REGISTER, { code, date: todayInDistrict() }, registrar);
      expect(result.data).toEqual({ registerSubject: null });
      expect(result.errors?.map((e) => e.extensions)).toEqual([{ code: 'SUBGRAPH_UNAVAILABLE', reason: 'BAD_RESPONSE', retryAfterSeconds: 5, serviceName: 'entities', outcome: 'UNKNOWN' }]);
      expect(result.errors?.[0].message).toBe(`the entities subgraph did not answer with a GraphQL response; ${outcomeNotKnown}`);
    } finally {
      entities.behaviour = { kind: 'proxy' };
    }
  });

  it('tells a client whose mutation the gateway stopped waiting for to send the same request again, as its outcome is not known for certain', async () => {
    const code = unifiedSocialCreditCode({ authority: '9', orgType: '1', division: '130304', organisationBody: 'MA0HANG2' });
    const register = () =>
      platform.query<{ registerSubject: { id: string } | null }>(
        /* GraphQL */ `mutation Register($code: String!, $date: Date!) { registerSubject(input: { kind: ENTERPRISE, name: "超时测试有限公司", code: $code, registrationDate: $date }) { id } }`,
        { code, date: todayInDistrict() },
        registrar,
      );
    entities.behaviour = { kind: 'hang' };
    try {
      const result = await register();
      expect(result.data).toEqual({ registerSubject: null });
      expect(result.errors?.map((e) => [e.extensions?.code, e.extensions?.reason, e.extensions?.outcome, e.path])).toEqual([['SUBGRAPH_UNAVAILABLE', 'TIMEOUT', 'UNKNOWN', ['registerSubject']]]);
      expect(result.errors?.[0].message).toBe(
        `the entities subgraph did not answer within ${timeoutMs} ms; ${outcomeNotKnown}`,
      );
    } finally {
      entities.behaviour = { kind: 'proxy' };
    }
    // Sent again as it was: stored now (the stand-in never passed the first on), or named as stored.
    const again = await register();
    expect(again.errors).toBeUndefined();
    expect(again.data?.registerSubject?.id).toBeTruthy();
  });

  // What a stopping subgraph answers a request that reaches it on a kept-alive connection (lib/http-server.ts): nothing of it ran.
  const shuttingDown = { kind: 'answer' as const, status: 503, contentType: 'application/json', body: JSON.stringify({ errors: [{ message: 'the server is shutting down: nothing of this request ran, send it again', extensions: { code: 'SHUTTING_DOWN', retryAfterSeconds: 5 } }] }) };

  const registerAs = (name: string, organisationBody: string) => {
    const code = unifiedSocialCreditCode({ authority: '9', orgType: '1', division: '130304', organisationBody });
    return platform.query<{ registerSubject: { id: string } | null }>(
      /* GraphQL */ `mutation Register($code: String!, $date: Date!) { registerSubject(input: { kind: ENTERPRISE, name: "${name}", code: $code, registrationDate: $date }) { id } }`,
      { code, date: todayInDistrict() },
      registrar,
    );
  };

  // A rolling restart: the replica stopping refuses what reaches it on a kept-alive connection,
  // and a new connection (through a balancer, to the replica still serving) takes the call.
  it('sends a mutation a stopping subgraph refused unrun once more, on a new connection, and the client sees nothing of it', async () => {
    const before = entities.received.length;
    entities.misbehaveNext(1, shuttingDown);
    const result = await registerAs('停机重试有限公司', 'MA0C1RTY');
    expect(result.errors).toBeUndefined();
    expect(result.data?.registerSubject?.id).toBeTruthy();
    const calls = entities.received.slice(before);
    expect(calls.map((c) => c.query.split(/[\s({]/)[0])).toEqual(['mutation', 'mutation']);
    expect(calls[1].query).toBe(calls[0].query);
    expect(calls[1].remotePort).not.toBe(calls[0].remotePort);
  });

  it('sends a mutation a stopping subgraph refused only once more: refused again, it is UNREACHABLE, nothing stored', async () => {
    const before = entities.received.length;
    entities.behaviour = shuttingDown;
    const result = await registerAs('停机测试有限公司', 'MA0C1DWN');
    expect(result.data).toEqual({ registerSubject: null });
    expect(result.errors?.map((e) => [e.extensions, e.path])).toEqual([[{ code: 'SUBGRAPH_UNAVAILABLE', reason: 'UNREACHABLE', retryAfterSeconds: 5, serviceName: 'entities', outcome: 'NOT_STORED' }, ['registerSubject']]]);
    expect(result.errors?.[0].message).toBe('the entities subgraph could not be reached, so nothing was stored: retry later');
    expect(entities.received.slice(before).map((c) => c.query.split(/[\s({]/)[0])).toEqual(['mutation', 'mutation']);
  });

  it('sends a read a stopping subgraph refused once more, as one whose connection was lost, and answers UNREACHABLE on the fields it owns', async () => {
    const before = reports.received.length;
    reports.behaviour = shuttingDown;
    await expectReportsMissing('UNREACHABLE');
    expect(reports.received.length - before).toBe(2);
    reports.behaviour = { kind: 'proxy' };
    await expectRecovered();
  });
});
