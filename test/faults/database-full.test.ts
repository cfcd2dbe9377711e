import { randomUUID } from 'node:crypto';
import mysql2 from 'mysql2/promise';
import { QueryFailedError, type DataSource } from 'typeorm';
import { MysqlQueryRunner } from 'typeorm/driver/mysql/MysqlQueryRunner';
import { poolStats } from '../../lib/metrics';
import { citizenIdNumber } from '../../lib/identifiers/citizen-id-number';
import { demoWorld } from '../../scripts/demo/world';
import { entitiesSubgraph } from '../../subgraphs/entities/subgraph';
import { openDatabase, type DatabaseTarget } from '../../subgraphs/shared/database';
import { startSubgraph, type StartedSubgraph } from '../../subgraphs/shared/subgraph';
import { testDatabases } from '../helpers/databases';
import { postGraphQL } from '../helpers/graphql';
import { signedBy, testSigningKey } from '../helpers/identity';
import { startPlatform, type As, type Platform } from '../helpers/platform';
import { TcpProxy } from '../helpers/tcp-proxy';
import { quietDatabaseLogger } from '../../lib/database-logger';

/**
 * A subgraph whose MySQL/MariaDB server refuses it a connection because it has too many already
 * (max_connections, error 1040), played on a TCP proxy in front of the shared MariaDB (whose own
 * limit other runs share and which is never lowered). The client is told DATABASE_UNAVAILABLE with
 * a message naming that cause, not a lost connection: an operator looks at the server's
 * connections, not at its uptime. MySQL only: SQLite has no connections.
 */
const mysql = testDatabases.find((d) => d.label === 'mysql');

/** Lets two test runs share one server without sharing users (test/helpers/databases.ts). */
const runTag = (process.env.TEST_RUN_TAG ?? '').replace(/[^a-z0-9]/gi, '').slice(0, 8);

const SUBJECT = /* GraphQL */ `query Subject($id: ID!) { subject(id: $id) { name } }`;

/** The driver's errors are expected here; the subgraph's answers say what the test checks. */
const quiet = quietDatabaseLogger();

(mysql ? describe : describe.skip)('a subgraph whose database server has too many connections', () => {
  const suite = 'dbfull';
  let proxy: TcpProxy;
  let db: DataSource;
  let subgraph: StartedSubgraph;
  let logged: jest.SpyInstance;

  beforeAll(async () => {
    logged = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    await mysql!.cleanUp(suite);
    const target = mysql!.target(suite) as Extract<DatabaseTarget, { kind: 'mysql' }>;
    proxy = await TcpProxy.inFrontOf(target.url);
    db = await openDatabase('entities', { ...target, url: proxy.url(target.url) }, entitiesSubgraph, quiet);
    subgraph = await startSubgraph(entitiesSubgraph, db, { port: 0, signingKey: testSigningKey });
  });
  afterAll(async () => {
    proxy?.recover();
    await subgraph?.stop();
    await db?.destroy();
    await proxy?.stop();
    await mysql!.cleanUp(suite);
    logged.mockRestore();
  });

  const read = async () => postGraphQL<{ subject: { name: string } | null }>(subgraph.url, { query: SUBJECT, variables: { id: randomUUID() } }, await signedBy());

  it('answers DATABASE_UNAVAILABLE saying the database server has too many connections, and answers again once it takes one', async () => {
    expect((await read()).errors).toBeUndefined();

    proxy.full();
    // The pool has seen its connections close: the next query asks the server for a new one.
    await new Promise((resolve) => setTimeout(resolve, 100));
    const refused = await read();
    expect(refused.data).toEqual({ subject: null });
    expect(refused.errors?.map((e) => [e.message, e.extensions?.code, e.extensions?.retryAfterSeconds])).toEqual([
      ['the entities subgraph could not connect to its database: the database server has too many connections (its max_connections): retry later', 'DATABASE_UNAVAILABLE', 5],
    ]);
    // The operator's log has the server's own words.
    expect(logged).toHaveBeenCalledWith(expect.stringContaining('too many connections'), expect.objectContaining({ message: 'Too many connections', originalError: expect.objectContaining({ code: 'ER_CON_COUNT_ERROR', errno: 1040 }) }));

    proxy.recover();
    const later = await read();
    expect(later.errors).toBeUndefined();
    expect(later.data).toEqual({ subject: null });
  });
});

/**
 * A subgraph whose database user may open no more connections (CREATE USER … WITH
 * MAX_USER_CONNECTIONS, error 1226; the server's max_user_connections for every user, 1203) while
 * it serves: the client is told DATABASE_UNAVAILABLE naming the user's limit, as for the server's,
 * not INTERNAL_SERVER_ERROR. Played with a user of the test's own, on the suite's databases only,
 * whose connections the test takes up after killing the pool's (so that the pool must open one).
 */
(mysql ? describe : describe.skip)('a subgraph whose database user may open no more connections', () => {
  const suite = 'dbuserfull';
  const target = mysql?.target(suite) as Extract<DatabaseTarget, { kind: 'mysql' }>;
  const server = target && new URL(target.url);
  const user = `credit_test_${runTag}userfull`.slice(0, 32);
  const password = randomUUID();
  const limit = 2;
  let root: mysql2.Connection;
  let db: DataSource;
  let subgraph: StartedSubgraph;
  let logged: jest.SpyInstance;
  const held: mysql2.Connection[] = [];

  const connectAs = (name: string, secret: string) => mysql2.createConnection({ host: server.hostname, port: Number(server.port || 3306), user: name, password: secret });

  beforeAll(async () => {
    logged = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    await mysql!.cleanUp(suite);
    root = await connectAs(decodeURIComponent(server.username) || 'root', decodeURIComponent(server.password));
    await root.query(`DROP USER IF EXISTS '${user}'@'%'`);
    await root.query(`CREATE USER '${user}'@'%' IDENTIFIED BY '${password}' WITH MAX_USER_CONNECTIONS ${limit}`);
    await root.query(`GRANT ALL PRIVILEGES ON \`${target.prefix.replace(/_/g, '\\_')}%\`.* TO '${user}'@'%'`);
    const url = new URL(target.url);
    url.username = user;
    url.password = password;
    db = await openDatabase('entities', { ...target, url: url.toString().replace(/\/$/, '') }, entitiesSubgraph, quiet);
    subgraph = await startSubgraph(entitiesSubgraph, db, { port: 0, signingKey: testSigningKey });
  });
  afterAll(async () => {
    for (const connection of held) await connection.end();
    await subgraph?.stop();
    await db?.destroy();
    await root?.query(`DROP USER IF EXISTS '${user}'@'%'`);
    await root?.end();
    await mysql!.cleanUp(suite);
    logged.mockRestore();
  });

  const read = async () => postGraphQL<{ subject: { name: string } | null }>(subgraph.url, { query: SUBJECT, variables: { id: randomUUID() } }, await signedBy());
  const sessionsOfUser = async () => (await root.query('SELECT ID AS id FROM information_schema.PROCESSLIST WHERE USER = ?', [user]))[0] as { id: number }[];

  it("answers DATABASE_UNAVAILABLE naming the user's max_user_connections, and answers again once one comes free", async () => {
    expect((await read()).errors).toBeUndefined();
    // The pool's connections are ended, so that the next query must open one; the test's own take up the user's.
    for (const { id } of await sessionsOfUser()) await root.query(`KILL ${Number(id)}`);
    while ((await sessionsOfUser()).length || poolStats(db)!.open) await new Promise((resolve) => setTimeout(resolve, 50));
    for (let i = 0; i < limit; i += 1) held.push(await connectAs(user, password));

    const refused = await read();
    expect(refused.data).toEqual({ subject: null });
    expect(refused.errors?.map((e) => [e.message, e.extensions?.code, e.extensions?.retryAfterSeconds])).toEqual([
      ["the entities subgraph could not connect to its database: its database user may open no more connections (its max_user_connections): retry later", 'DATABASE_UNAVAILABLE', 5],
    ]);

    await held.pop()!.end();
    const later = await read();
    expect(later.errors).toBeUndefined();
  });
});

/**
 * A subgraph whose MySQL/MariaDB server's disk is full, or which is run read-only (a replica
 * promoted, a failover, --read-only set while space is made): every write is refused, and the
 * client is told DATABASE_UNAVAILABLE with the reason SQLite's same faults carry (DISK_FULL,
 * READ_ONLY, no retryAfterSeconds), nothing stored; the log has one line in the client's words
 * with the server's code, as for the other database faults, not an unexpected error's stack. The
 * server's refusal is played at the driver (TypeORM's QueryFailedError carrying mysql2's error, as
 * MariaDB 10.11 gave it to a probe with its disk full and with --read-only): neither the shared
 * server's disk nor its read_only is the test's to change.
 */
(mysql ? describe : describe.skip)('a subgraph whose database server refuses writes, its disk full or itself read-only', () => {
  const suite = 'dbrefuses';
  let db: DataSource;
  let subgraph: StartedSubgraph;
  let logged: jest.SpyInstance;

  beforeAll(async () => {
    logged = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    await mysql!.cleanUp(suite);
    db = await openDatabase('entities', mysql!.target(suite), entitiesSubgraph, quiet);
    subgraph = await startSubgraph(entitiesSubgraph, db, { port: 0, signingKey: testSigningKey });
  });
  afterAll(async () => {
    await subgraph?.stop();
    await db?.destroy();
    await mysql!.cleanUp(suite);
    logged.mockRestore();
  });

  const REGISTER = /* GraphQL */ `
    mutation Register($code: String!) { registerSubject(input: { kind: NATURAL_PERSON, name: "李娜", code: $code }) { id } }
  `;
  let sequence = 100;
  const register = async () => {
    const code = citizenIdNumber({ division: '130304', birthDate: '19800115', sequence: String(sequence++) });
    return postGraphQL<{ registerSubject: { id: string } | null }>(subgraph.url, { query: REGISTER, variables: { code } }, await signedBy());
  };
  const refusedErrors = async () => {
    const text = await (await fetch(`${new URL(subgraph.url).origin}/metrics`)).text();
    return [...text.matchAll(/^credit_graphql_errors_total\{[^}]*code="DATABASE_UNAVAILABLE"[^}]*\} (\d+)/gm)].reduce((sum, [, n]) => sum + Number(n), 0);
  };

  it.each([
    ['ER_RECORD_FILE_FULL', 1114, "The table 'subject' is full", 'the entities subgraph could not write its database: the disk holding it is full, until space is freed on it', 'DISK_FULL'],
    ['ER_DISK_FULL', 1021, "Disk got full writing 'information_schema.(temporary)' (Errcode: 28 \"No space left on device\")", 'the entities subgraph could not write its database: the disk holding it is full, until space is freed on it', 'DISK_FULL'],
    [
      'ER_OPTION_PREVENTS_STATEMENT',
      1290,
      'The MariaDB server is running with the --read-only option so it cannot execute this statement',
      'the entities subgraph could not write its database: the database server is read-only (its read_only), until an operator makes it writable',
      'READ_ONLY',
    ],
  ])('answers %s (%d) as DATABASE_UNAVAILABLE naming the fault, NOT_STORED, logged in one line, and stores again once mended', async (code, errno, sqlMessage, told, reason) => {
    const query = MysqlQueryRunner.prototype.query;
    const refusing = jest.spyOn(MysqlQueryRunner.prototype, 'query').mockImplementation(async function (this: MysqlQueryRunner, sql: string, ...rest: unknown[]) {
      if (/^\s*INSERT/i.test(sql)) throw new QueryFailedError(sql, [], Object.assign(new Error(sqlMessage), { code, errno, sqlState: 'HY000', sqlMessage }));
      return await query.call(this, sql, ...(rest as []));
    } as typeof query);
    const before = await refusedErrors();
    logged.mockClear();
    try {
      const answer = await register();
      expect(answer.data).toEqual({ registerSubject: null });
      expect(answer.errors?.map((e) => [e.message, e.extensions?.code, e.extensions?.reason, e.extensions?.retryAfterSeconds, e.extensions?.outcome])).toEqual([[told, 'DATABASE_UNAVAILABLE', reason, undefined, 'NOT_STORED']]);
      // As the other database faults are (maskedFaultLog): by what the client was told, with the driver's code, never as an unexpected error.
      expect(logged.mock.calls.map(([message]) => message)).toEqual([`[entities] ${told}`]);
      expect(logged).toHaveBeenCalledWith(`[entities] ${told}`, expect.objectContaining({ failure: expect.objectContaining({ code, errno }) }));
      // README, Operations: the alert on DATABASE_UNAVAILABLE sees it.
      expect((await refusedErrors()) - before).toBe(1);
    } finally {
      refusing.mockRestore();
    }
    const later = await register();
    expect(later.errors).toBeUndefined();
    expect(later.data?.registerSubject?.id).toEqual(expect.any(String));
  });
});

/**
 * Through the gateway: a credit check stored, whose seal (its verdict's UPDATE) the server then
 * refuses read-only, came back with verdict null and INTERNAL_SERVER_ERROR, nothing saying it took
 * effect, where a typed outage carries `applied` (gateway.ts withAppliedMutationsTold). Played as
 * above, at the driver.
 */
(mysql ? describe : describe.skip)('a credit check stored whose seal a read-only database server refuses', () => {
  const suite = 'dbrefusesseal';
  const world = demoWorld({ subjects: 10 });
  const subject = world.subjects.find((s) => s.kind === 'ENTERPRISE')!;
  const finance: As = {
    caller: { id: 'test-finance', organisation: 'FINANCE', organisationKind: 'DEPARTMENT', role: 'DEPARTMENT_OFFICER' },
    headers: { 'x-credit-matter': 'GOVERNMENT_PROCUREMENT', 'x-credit-case': 'READONLY-1' },
  };
  const RUN = /* GraphQL */ `
    mutation Run($subjectId: ID!, $key: String) { runCreditCheck(input: { subjectId: $subjectId, matter: "GOVERNMENT_PROCUREMENT", caseNumber: "READONLY-1", idempotencyKey: $key }) { id verdict } }
  `;
  let platform: Platform;
  let logged: jest.SpyInstance;

  beforeAll(async () => {
    logged = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    await mysql!.cleanUp(suite);
    platform = await startPlatform(mysql!.target(suite), { seedSubjects: world.subjects.length });
  });
  afterAll(async () => {
    await platform?.stop();
    await mysql!.cleanUp(suite);
    logged.mockRestore();
  });

  it('says that the check took effect (`applied`), DATABASE_UNAVAILABLE, READ_ONLY, and seals it once sent again with the server writable', async () => {
    const run = () => platform.query<{ runCreditCheck: { id: string; verdict: string | null } | null }>(RUN, { subjectId: subject.id, key: 'read-only-seal' }, finance);
    const sqlMessage = 'The MariaDB server is running with the --read-only option so it cannot execute this statement';
    const query = MysqlQueryRunner.prototype.query;
    const refusing = jest.spyOn(MysqlQueryRunner.prototype, 'query').mockImplementation(async function (this: MysqlQueryRunner, sql: string, ...rest: unknown[]) {
      if (/^\s*UPDATE `credit_check`/i.test(sql)) throw new QueryFailedError(sql, [], Object.assign(new Error(sqlMessage), { code: 'ER_OPTION_PREVENTS_STATEMENT', errno: 1290, sqlState: 'HY000', sqlMessage }));
      return await query.call(this, sql, ...(rest as []));
    } as typeof query);
    let unsealed;
    try {
      unsealed = await run();
    } finally {
      refusing.mockRestore();
    }
    expect(unsealed.data).toEqual({ runCreditCheck: { id: expect.any(String), verdict: null } });
    expect(unsealed.errors?.map((e) => [e.path, e.extensions?.code, e.extensions?.reason, e.extensions?.applied, e.extensions?.retryAfterSeconds])).toEqual([
      [['runCreditCheck', 'verdict'], 'DATABASE_UNAVAILABLE', 'READ_ONLY', ['runCreditCheck'], undefined],
    ]);

    const again = await run();
    expect(again.errors).toBeUndefined();
    expect(again.data?.runCreditCheck).toEqual({ id: unsealed.data?.runCreditCheck?.id, verdict: expect.any(String) });
  });
});
