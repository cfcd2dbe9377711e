import { todayInDistrict } from '../../lib/calendar';
import { unifiedSocialCreditCode } from '../../lib/identifiers';
import { demoWorld } from '../../scripts/demo/world';
import { testDatabases } from '../helpers/databases';
import { usePlatformBehindProxy, supervisor, type As } from '../helpers/platform';

/**
 * A subgraph's MySQL server restarting under it, played on a TCP proxy between the entities
 * subgraph and the shared MariaDB (which other runs use and which is never restarted). MySQL
 * only: an embedded SQLite database has no connection to lose.
 */
const mysql = testDatabases.find((d) => d.label === 'mysql');
const world = demoWorld({ subjects: 10 });
const subject = world.subjects.find((s) => s.kind === 'ENTERPRISE')!;
const SUBJECT = /* GraphQL */ `query Subject($id: ID!) { subject(id: $id) { name } }`;
const REGISTER = /* GraphQL */ `
  mutation Register($code: String!, $date: Date!) { registerSubject(input: { kind: ENTERPRISE, name: "重启测试有限公司", code: $code, registrationDate: $date }) { id } }
`;
const registrar: As = { caller: { id: 'test-registrar', organisation: 'MARKET_REGULATION', organisationKind: 'DEPARTMENT', role: 'DEPARTMENT_OFFICER' } };

(mysql ? describe : describe.skip)('a subgraph whose database restarts', () => {
  const fault = usePlatformBehindProxy(mysql!, 'dbrestart', 'entities', world.subjects.length);
  afterEach(() => fault.proxy.recover());

  const readSubject = () => fault.platform.query<{ subject: { name: string } | null }>(SUBJECT, { id: subject.id }, supervisor);

  it('fails the requests in flight with DATABASE_UNAVAILABLE and answers later ones without a restart of the subgraph', async () => {
    expect((await readSubject()).data).toEqual({ subject: { name: subject.name } });
    const entities = fault.platform.subgraphs.entities;

    fault.proxy.pause();
    const inFlight = readSubject();
    await fault.proxy.somethingHeld();
    fault.proxy.restart();
    const failed = await inFlight;
    expect(failed.status).toBe(200);
    expect(failed.data).toEqual({ subject: null });
    expect(failed.errors?.map((e) => e.extensions)).toEqual([{ code: 'DATABASE_UNAVAILABLE', reason: 'CONNECTION_LOST', serviceName: 'entities', retryAfterSeconds: 5, requestId: expect.any(String) }]);
    expect(failed.errors?.[0].message).toBe('the entities subgraph lost its database connection: retry later');
    // The client is told no more than that; the operator's log has the driver's error.
    expect(fault.logged).toHaveBeenCalledWith('[entities] the entities subgraph lost its database connection: retry later', { failure: expect.objectContaining({ code: 'PROTOCOL_CONNECTION_LOST', message: expect.stringMatching(/Connection lost/) }), requestId: failed.errors?.[0].extensions?.requestId });

    // While the server is down, every request is told so, and the subgraph is not ready.
    const whileDown = await readSubject();
    expect(whileDown.errors?.map((e) => e.extensions?.code)).toEqual(['DATABASE_UNAVAILABLE']);
    expect((await fetch(new URL('/ready', entities.url))).status).toBe(503);

    fault.proxy.recover();
    const later = await readSubject();
    expect(later.errors).toBeUndefined();
    expect(later.data).toEqual({ subject: { name: subject.name } });
    expect((await fetch(new URL('/ready', entities.url))).status).toBe(200);
  });

  it('says that it could not connect while the server refuses connections, not that it lost one', async () => {
    expect((await readSubject()).errors).toBeUndefined();
    await fault.proxy.down();
    const refused = await readSubject();
    expect(refused.errors?.map((e) => [e.message, e.extensions?.code, e.extensions?.retryAfterSeconds])).toEqual([['the entities subgraph could not connect to its database: retry later', 'DATABASE_UNAVAILABLE', 5]]);
    // The operator's log has the driver's refusal.
    expect(fault.logged).toHaveBeenCalledWith('[entities] the entities subgraph could not connect to its database: retry later', expect.objectContaining({ message: expect.stringContaining('ECONNREFUSED') }));

    await fault.proxy.recover();
    expect((await readSubject()).data).toEqual({ subject: { name: subject.name } });
  });

  it('stores nothing of a mutation in flight when the database goes, and takes it again once it is back', async () => {
    const code = unifiedSocialCreditCode({ authority: '9', orgType: '1', division: '130304', organisationBody: 'MA0REB00' });
    const register = () => fault.platform.query<{ registerSubject: { id: string } | null }>(REGISTER, { code, date: todayInDistrict() }, registrar);
    const stored = async () => Number(((await fault.platform.databases.entities.query('SELECT COUNT(*) AS n FROM subject WHERE identifier = ?', [code])) as { n: unknown }[])[0].n);

    fault.proxy.pause();
    const inFlight = register();
    await fault.proxy.somethingHeld();
    fault.proxy.restart();
    const failed = await inFlight;
    expect(failed.data).toEqual({ registerSubject: null });
    expect(failed.errors?.map((e) => e.extensions)).toEqual([{ code: 'DATABASE_UNAVAILABLE', reason: 'CONNECTION_LOST', serviceName: 'entities', retryAfterSeconds: 5, outcome: 'NOT_STORED', requestId: expect.any(String) }]);

    fault.proxy.recover();
    expect(await stored()).toBe(0);
    const again = await register();
    expect(again.errors).toBeUndefined();
    expect(again.data?.registerSubject?.id).toEqual(expect.any(String));
    expect(await stored()).toBe(1);
  });
});
