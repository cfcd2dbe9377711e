import { randomUUID } from 'node:crypto';
import mysql2 from 'mysql2/promise';
import { addDays, todayInDistrict } from '../../lib/calendar';
import { poolStats } from '../../lib/metrics';
import { subgraphNames, type SubgraphName } from '../../schema/subgraphs';
import { demoCallers } from '../../scripts/demo/callers';
import { demoBankOrganisation, demoWorld } from '../../scripts/demo/world';
import type { DatabaseTarget } from '../../subgraphs/shared/database';
import { testDatabases } from '../helpers/databases';
import { startPlatform, type As, type Platform } from '../helpers/platform';

/**
 * A subgraph whose database user loses its rights while the platform serves (a DBA's mistaken
 * `REVOKE ALL …; GRANT SELECT …`): its reads go on, and each change refused for want of a right is
 * told DATABASE_UNAVAILABLE with reason PERMISSION_DENIED, no retryAfterSeconds (no retry mends it
 * until the right is granted again) and, at a mutation field, whether the change was stored; the
 * operator is told once per window which user was refused which right on which table, not a stack
 * per request. Played with a user of the test's own, granted the suite's databases only; the
 * pool's sessions are ended after each change of rights, as a server keeps a session's database
 * rights as they were when it began. MySQL only: SQLite has no users (its read-only file is
 * READ_ONLY: sqlite-faults).
 */
const mysql = testDatabases.find((d) => d.label === 'mysql');
const runTag = (process.env.TEST_RUN_TAG ?? '').replace(/[^a-z0-9]/gi, '').slice(0, 8);
const world = demoWorld({ subjects: 10 });
const subject = world.subjects.find((s) => s.kind === 'ENTERPRISE')!;
const finance: As = {
  caller: { id: 'test-finance', organisation: 'FINANCE', organisationKind: 'DEPARTMENT', role: 'DEPARTMENT_OFFICER' },
  headers: { 'x-credit-matter': 'GOVERNMENT_PROCUREMENT', 'x-credit-case': 'RIGHTS-1' },
};
const windowOfficer: As = { caller: demoCallers(world).find((c) => c.label.startsWith('Credit office window officer'))!.caller };
const RUN = /* GraphQL */ `
  mutation Run($subjectId: ID!, $key: String) { runCreditCheck(input: { subjectId: $subjectId, matter: "GOVERNMENT_PROCUREMENT", caseNumber: "RIGHTS-1", idempotencyKey: $key }) { id verdict } }
`;
const GRANT = /* GraphQL */ `mutation Grant($input: GrantConsentInput!) { grantConsent(input: $input) { id } }`;
const LEDGER = /* GraphQL */ `query Ledger { creditChecks(first: 1) { totalCount } }`;
const deniedMessage = (subgraph: SubgraphName) => `the ${subgraph} subgraph could not use its database as the request needs: its database user lacks a right there, until that right is granted to it again`;

(mysql ? describe : describe.skip)('a subgraph whose database user loses its rights while it serves', () => {
  const suite = 'dbrights';
  const target = mysql?.target(suite) as Extract<DatabaseTarget, { kind: 'mysql' }>;
  const server = target && new URL(target.url);
  const user = `rights_${runTag}`.slice(0, 32);
  const password = randomUUID();
  const databaseOf = (name: SubgraphName) => `\`${target.prefix}${name}\``;
  let root: mysql2.Connection;
  let platform: Platform;
  let logged: jest.SpyInstance;

  const sessionsOfUser = async () => (await root.query('SELECT ID AS id FROM information_schema.PROCESSLIST WHERE USER = ?', [user]))[0] as { id: number }[];

  /** Gives `name`'s database these rights alone (`ALL PRIVILEGES`, `SELECT`, ...), then ends the pools' sessions, so that the next statement's begins under them. */
  async function rightsOn(name: SubgraphName, rights: string, tables: Record<string, string> = {}): Promise<void> {
    await root.query(`REVOKE ALL PRIVILEGES, GRANT OPTION FROM '${user}'@'%'`);
    for (const other of subgraphNames) await root.query(`GRANT ${other === name ? rights : 'ALL PRIVILEGES'} ON ${databaseOf(other)}.* TO '${user}'@'%'`);
    for (const [table, right] of Object.entries(tables)) await root.query(`GRANT ${right} ON ${databaseOf(name)}.\`${table}\` TO '${user}'@'%'`);
    for (const { id } of await sessionsOfUser()) await root.query(`KILL ${Number(id)}`).catch(() => undefined);
    while ((await sessionsOfUser()).length || subgraphNames.some((n) => poolStats(platform.databases[n])!.open)) await new Promise((resolve) => setTimeout(resolve, 50));
  }

  beforeAll(async () => {
    logged = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    await mysql!.cleanUp(suite);
    root = await mysql2.createConnection({ host: server.hostname, port: Number(server.port || 3306), user: decodeURIComponent(server.username) || 'root', password: decodeURIComponent(server.password) });
    await root.query(`DROP USER IF EXISTS '${user}'@'%'`);
    await root.query(`CREATE USER '${user}'@'%' IDENTIFIED BY '${password}'`);
    for (const name of subgraphNames) await root.query(`GRANT ALL PRIVILEGES ON ${databaseOf(name)}.* TO '${user}'@'%'`);
    const url = new URL(target.url);
    url.username = user;
    url.password = password;
    platform = await startPlatform({ ...target, url: url.toString().replace(/\/$/, '') }, { seedSubjects: world.subjects.length });
  });
  afterAll(async () => {
    await platform?.stop();
    await root?.query(`DROP USER IF EXISTS '${user}'@'%'`);
    await root?.end();
    await mysql!.cleanUp(suite);
    logged.mockRestore();
  });
  beforeEach(() => logged.mockClear());

  const run = (key: string) => platform.query<{ runCreditCheck: { id: string; verdict: string | null } | null }>(RUN, { subjectId: subject.id, key }, finance);
  const storedUnder = async (key: string) => (await root.query(`SELECT id, verdict FROM ${databaseOf('records')}.credit_check WHERE idempotency_key = ?`, [key]))[0] as { id: string; verdict: string | null }[];

  it('answers a check whose INSERT is refused DATABASE_UNAVAILABLE, PERMISSION_DENIED, NOT_STORED, without retryAfterSeconds, and reads on', async () => {
    await rightsOn('records', 'SELECT');
    const refused = await run('rights-insert');
    expect(refused.data).toEqual({ runCreditCheck: null });
    expect(refused.errors?.map((e) => [e.message, e.extensions?.code, e.extensions?.serviceName, e.extensions?.reason, e.extensions?.outcome, e.extensions?.retryAfterSeconds])).toEqual([
      [deniedMessage('records'), 'DATABASE_UNAVAILABLE', 'records', 'PERMISSION_DENIED', 'NOT_STORED', undefined],
    ]);
    expect(await storedUnder('rights-insert')).toEqual([]);
    // Logged at once, then not again within the window: the server's words name the user, the right and the table; no stack.
    for (let i = 0; i < 3; i += 1) expect((await run(`rights-insert-${i}`)).errors?.[0].extensions?.reason).toBe('PERMISSION_DENIED');
    const lines = logged.mock.calls.filter(([message]) => typeof message === 'string' && message.startsWith('[records]'));
    expect(lines).toEqual([[expect.stringContaining('PERMISSION_DENIED'), expect.objectContaining({ denied: expect.stringMatching(new RegExp(`INSERT command denied to user '${user}'.*credit_check`)) })]]);
    expect(JSON.stringify(lines)).not.toMatch(/\n\s+at /);
    // Reading needs no more than SELECT.
    const read = await platform.query(LEDGER, {}, finance);
    expect([read.data, read.errors]).toEqual([{ creditChecks: { totalCount: 0 } }, undefined]);
  });

  it('says of a check stored but not sealed (its UPDATE refused) that it took effect, and seals it once sent again with the right granted', async () => {
    await rightsOn('records', 'SELECT', { credit_check: 'INSERT' });
    const unsealed = await run('rights-seal');
    const [stored] = await storedUnder('rights-seal');
    expect(stored).toEqual({ id: expect.any(String), verdict: null });
    expect(unsealed.data).toEqual({ runCreditCheck: { id: stored.id, verdict: null } });
    expect(unsealed.errors?.map((e) => [e.path, e.extensions?.code, e.extensions?.reason, e.extensions?.applied, e.extensions?.retryAfterSeconds])).toEqual([
      [['runCreditCheck', 'verdict'], 'DATABASE_UNAVAILABLE', 'PERMISSION_DENIED', ['runCreditCheck'], undefined],
    ]);

    await rightsOn('records', 'ALL PRIVILEGES');
    const again = await run('rights-seal');
    expect(again.errors).toBeUndefined();
    expect(again.data?.runCreditCheck).toEqual({ id: stored.id, verdict: expect.any(String) });
  });

  it('answers a consent whose INSERT is refused DATABASE_UNAVAILABLE, PERMISSION_DENIED, NOT_STORED', async () => {
    await rightsOn('entities', 'SELECT');
    const input = { subjectId: subject.id, granteeOrganisation: demoBankOrganisation, granteeKind: 'FINANCIAL_INSTITUTION', purpose: 'FINANCIAL_SERVICES', validUntil: addDays(todayInDistrict(), 45) };
    const refused = await platform.query<{ grantConsent: { id: string } | null }>(GRANT, { input }, windowOfficer);
    expect(refused.data).toEqual({ grantConsent: null });
    expect(refused.errors?.map((e) => [e.message, e.extensions?.code, e.extensions?.serviceName, e.extensions?.reason, e.extensions?.outcome, e.extensions?.retryAfterSeconds])).toEqual([
      [deniedMessage('entities'), 'DATABASE_UNAVAILABLE', 'entities', 'PERMISSION_DENIED', 'NOT_STORED', undefined],
    ]);
  });
});
