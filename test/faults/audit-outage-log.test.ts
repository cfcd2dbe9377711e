import { demoWorld } from '../../scripts/demo/world';
import { financeOfficer, startOpsPlatform, type OpsPlatform } from '../ops/ops-platform';

/**
 * While the audit subgraph was down, the gateway logged an error line with a full stack for every
 * answer it withheld (~137 MB an hour at 50 requests/s, and an alert per request). It now logs
 * the outage as it logs a subgraph's: at once, then at most once per ten seconds, counting the
 * answers withheld meanwhile; each request's own line keeps its id and its 503.
 */
describe("the gateway's log while the audit log cannot be written", () => {
  let platform: OpsPlatform;
  const enterprise = demoWorld({ subjects: 8 }).subjects.find((s) => s.kind === 'ENTERPRISE')!;
  beforeAll(async () => {
    platform = await startOpsPlatform({ kind: 'sqlite', directory: ':memory:' }, { seedSubjects: 8 });
    await platform.stopSubgraph('audit');
  });
  afterAll(async () => {
    jest.useRealTimers();
    await platform?.stop();
  });

  it('says so once per ten seconds with the answers withheld since, and each withheld request in its own line', async () => {
    // Only Date is faked, and stands still: the window does not pass however slow the machine.
    jest.useFakeTimers({
      now: Date.now(),
      doNotFake: ['hrtime', 'nextTick', 'performance', 'queueMicrotask', 'setImmediate', 'clearImmediate', 'setInterval', 'clearInterval', 'setTimeout', 'clearTimeout', 'requestAnimationFrame', 'cancelAnimationFrame', 'requestIdleCallback', 'cancelIdleCallback'],
    });
    const token = await platform.token(financeOfficer.caller);
    const lookup = async () => {
      const result = await platform.query(
        /* GraphQL */ `query WithheldLookup($code: String!) { subjectByCode(code: $code) { name } }`,
        { code: enterprise.identifier },
        { headers: { ...financeOfficer.headers, authorization: `Bearer ${token}` } },
      );
      expect(result.errors?.map((e) => e.extensions?.code)).toEqual(['AUDIT_UNAVAILABLE']);
      return result.headers!.get('x-request-id')!;
    };
    // Beside the request lines (a 503's at warn), one of each request.
    const outageLines = () => platform.logs.gateway.lines.filter((l) => (l.level === 'error' || l.level === 'warn') && l.msg !== 'request');

    const withheld: string[] = [];
    for (let i = 0; i < 30; i++) withheld.push(await lookup());
    expect(outageLines()).toHaveLength(1);
    expect(outageLines()[0]).toMatchObject({ level: 'error', callsSinceLastLine: 1, requestId: withheld[0] });
    expect(String(outageLines()[0].msg)).toContain('AUDIT_UNAVAILABLE');
    for (const requestId of withheld) {
      expect(await platform.logs.gateway.requestLine(requestId)).toMatchObject({ status: 503, errorCodes: ['AUDIT_UNAVAILABLE'] });
    }

    jest.setSystemTime(Date.now() + 10_000);
    await lookup();
    expect(outageLines()).toHaveLength(2);
    expect(outageLines()[1]).toMatchObject({ level: 'error', callsSinceLastLine: 30 });
  });

  /**
   * A refused token, and a proved caller's malformed purpose header, are DENIED attempts written
   * to the audit log; while it could not be written they were lost without a word (from the
   * observability probe). The client's answer stays its refusal (a 401 stays a 401); the operator
   * is told as for any other entry the audit log could not take, within the same window.
   */
  it('tells of the denied attempts it could not audit (a refused token, a malformed purpose header) the same way, each still answered its refusal', async () => {
    jest.useFakeTimers({
      now: Date.now() + 20_000,
      doNotFake: ['hrtime', 'nextTick', 'performance', 'queueMicrotask', 'setImmediate', 'clearImmediate', 'setInterval', 'clearInterval', 'setTimeout', 'clearTimeout', 'requestAnimationFrame', 'cancelAnimationFrame', 'requestIdleCallback', 'cancelIdleCallback'],
    });
    const outageLines = () => platform.logs.gateway.lines.filter((l) => (l.level === 'error' || l.level === 'warn') && l.msg !== 'request');
    const before = outageLines().length;
    const forged = await platform.query(/* GraphQL */ `query Forged { __typename }`, {}, { headers: { authorization: 'Bearer not-a-token' } });
    expect(forged.status).toBe(401);
    expect(forged.errors?.map((e) => e.extensions?.code)).toEqual(['UNAUTHENTICATED']);
    const refusedAt = forged.headers!.get('x-request-id')!;
    expect(outageLines().slice(before)).toEqual([expect.objectContaining({ level: 'error', callsSinceLastLine: 1, requestId: refusedAt })]);
    const token = await platform.token(financeOfficer.caller);
    const malformed = await platform.query(/* GraphQL */ `query Malformed { __typename }`, {}, { headers: { ...financeOfficer.headers, 'x-credit-case': 'C'.repeat(101), authorization: `Bearer ${token}` } });
    expect(malformed.status).toBe(400);
    expect(malformed.errors?.map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT']);
    // Counted in the window, not a line each.
    expect(outageLines().slice(before)).toHaveLength(1);
    jest.setSystemTime(Date.now() + 10_000);
    await platform.query(/* GraphQL */ `query Forged { __typename }`, {}, { headers: { authorization: 'Bearer not-a-token' } });
    expect(outageLines().slice(before)).toEqual([expect.anything(), expect.objectContaining({ level: 'error', callsSinceLastLine: 2 })]);
  });
});
