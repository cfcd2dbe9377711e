import mysql2 from 'mysql2/promise';
import type { DataSource, MigrationInterface, QueryRunner } from 'typeorm';
import { todayInDistrict } from '../../lib/calendar';
import { unifiedSocialCreditCode } from '../../lib/identifiers';
import { poolStats } from '../../lib/metrics';
import { entitiesSubgraph } from '../../subgraphs/entities/subgraph';
import { mysqlPoolSize, openDatabase, poolIdle, type DatabaseTarget, type DatabaseWaits } from '../../subgraphs/shared/database';
import { writeAttempts } from '../../subgraphs/shared/write-queue';
import { startSubgraph, type StartedSubgraph } from '../../subgraphs/shared/subgraph';
import { testDatabases } from '../helpers/databases';
import { postGraphQL } from '../helpers/graphql';
import { signedBy, testSigningKey } from '../helpers/identity';
import { quietDatabaseLogger } from '../../lib/database-logger';

/**
 * A subgraph whose MySQL/MariaDB database is slow or holds a lock it needs: it gives up after its
 * own waits (DatabaseWaits), or after a write's last attempt deadlocked (write-queue.ts
 * writeAttempts), with DATABASE_UNAVAILABLE, and a write it gives up stores nothing. Another
 * session of the test holds the locks. MySQL only: SQLite has no such waits, nor deadlocks.
 */
const mysql = testDatabases.find((d) => d.label === 'mysql');

const SUBJECT = /* GraphQL */ `query Subject($id: ID!) { subject(id: $id) { name } }`;
const REGISTER = /* GraphQL */ `
  mutation Register($code: String!, $date: Date!) { registerSubject(input: { kind: ENTERPRISE, name: "等待测试有限公司", code: $code, registrationDate: $date }) { id } }
`;
const codeOf = (body: string) => unifiedSocialCreditCode({ authority: '9', orgType: '1', division: '130304', organisationBody: body });

/** The statements cut off are expected here; the subgraph's answers say what the tests check. */
const quiet = quietDatabaseLogger();

/** Every statement of the test's own sessions has a bound too: a hang fails the test, never stalls it. */
const adminStatementMs = 10_000;

interface Served {
  db: DataSource;
  subgraph: StartedSubgraph;
  close(): Promise<void>;
}

/** A session of the test's own beside the subgraph's, as another process's would be. */
async function session(target: Extract<DatabaseTarget, { kind: 'mysql' }>, database: string) {
  const url = new URL(target.url);
  const connection = await mysql2.createConnection({ host: url.hostname, port: Number(url.port || 3306), user: decodeURIComponent(url.username) || 'root', password: decodeURIComponent(url.password), database, connectTimeout: adminStatementMs });
  return {
    query: async <T = Record<string, unknown>>(sql: string, values: unknown[] = []) => (await connection.query({ sql, values, timeout: adminStatementMs }))[0] as T[],
    end: () => connection.end(),
  };
}

class SlowMigration1764999999000 implements MigrationInterface {
  name = 'SlowMigration1764999999000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // MariaDB stops a statement over max_statement_time with an error; MySQL ends a SLEEP early, answering 1.
    const [{ slept }] = (await queryRunner.query('SELECT SLEEP(1.5) AS slept')) as { slept: unknown }[];
    if (Number(slept) !== 0) throw new Error('the migration was cut short');
    await queryRunner.query('CREATE TABLE made_slowly (id INT PRIMARY KEY)');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE made_slowly');
  }
}

(mysql ? describe : describe.skip)('a subgraph waiting on its database', () => {
  const suite = 'dbwaits';
  const target = mysql?.target(suite) as Extract<DatabaseTarget, { kind: 'mysql' }>;
  const database = `${target?.prefix}entities`;
  /** As the import and the seed open theirs: no waits of the subgraph's. */
  let plain: DataSource;
  let other: Awaited<ReturnType<typeof session>>;
  let mariadb: boolean;
  let logged: jest.SpyInstance;

  beforeAll(async () => {
    logged = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    await mysql!.cleanUp(suite);
    plain = await openDatabase('entities', target, entitiesSubgraph, quiet);
    other = await session(target, database);
    mariadb = /mariadb/i.test(String((await other.query<{ version: string }>('SELECT VERSION() AS version'))[0].version));
  });
  afterAll(async () => {
    await other?.end();
    await plain?.destroy();
    await mysql!.cleanUp(suite);
    logged.mockRestore();
  });

  const serve = async (waits: DatabaseWaits): Promise<Served> => {
    const db = await openDatabase('entities', target, entitiesSubgraph, quiet, waits);
    try {
      const started = await startSubgraph(entitiesSubgraph, db, { port: 0, signingKey: testSigningKey });
      return { db, subgraph: started, close: async () => { await started.stop(); await db.destroy(); } };
    } catch (error) {
      await db.destroy();
      throw error;
    }
  };
  const ask = async <T>(served: Served, query: string, variables: Record<string, unknown>) => {
    const started = performance.now();
    const answer = await postGraphQL<T>(served.subgraph.url, { query, variables }, await signedBy());
    return { ...answer, ms: performance.now() - started };
  };
  const register = (served: Served, code: string) => ask<{ registerSubject: { id: string } | null }>(served, REGISTER, { code, date: todayInDistrict() });
  const stored = async (code: string) => Number((await plain.query('SELECT COUNT(*) AS n FROM subject WHERE identifier = ?', [code]))[0].n);
  const sessionLimits = async (db: DataSource) => {
    const statement = mariadb ? '@@max_statement_time * 1000' : '@@max_execution_time';
    const [row] = (await db.query(`SELECT ${statement} AS statementMs, @@innodb_lock_wait_timeout AS rowLockSeconds, @@lock_wait_timeout AS tableLockSeconds`)) as Record<string, unknown>[];
    return Object.fromEntries(Object.entries(row).map(([k, v]) => [k, Number(v)]));
  };

  it("bounds every session of a subgraph's pool with the variables of the server it is on, and leaves the import's alone", async () => {
    const served = await serve({ statementMs: 1500, lockSeconds: 2, poolMs: 1000 });
    try {
      expect(await sessionLimits(served.db)).toEqual({ statementMs: 1500, rowLockSeconds: 2, tableLockSeconds: 2 });
      // A session opened later (the pool replacing one it lost, say) is bounded too.
      const runners = Array.from({ length: mysqlPoolSize }, () => served.db.createQueryRunner());
      try {
        const limits = await Promise.all(runners.map(async (runner) => (await runner.query(mariadb ? 'SELECT @@max_statement_time * 1000 AS ms' : 'SELECT @@max_execution_time AS ms'))[0].ms));
        expect(limits.map(Number)).toEqual(runners.map(() => 1500));
      } finally {
        await Promise.all(runners.map((runner) => runner.release()));
      }
    } finally {
      await served.close();
    }
    // The import command opens its DataSource without waits: the server's own limits, whatever they are.
    const statement = mariadb ? 'max_statement_time * 1000' : 'max_execution_time';
    const [global] = (await plain.query(`SELECT @@global.${statement} AS statementMs, @@global.innodb_lock_wait_timeout AS rowLockSeconds, @@global.lock_wait_timeout AS tableLockSeconds`)) as Record<string, unknown>[];
    expect(await sessionLimits(plain)).toEqual(Object.fromEntries(Object.entries(global).map(([k, v]) => [k, Number(v)])));
  });

  it('captures no stack trace per statement (mysql2 does by default, 2.6-2.9 % of a subgraph\'s CPU in the benchmark), bounded or not', async () => {
    const traced = (db: DataSource) => (db.driver as unknown as { pool: { config: { connectionConfig: { trace: boolean } } } }).pool.config.connectionConfig.trace;
    const served = await serve({ statementMs: 1500, lockSeconds: 2, poolMs: 1000 });
    try {
      expect([traced(served.db), traced(plain)]).toEqual([false, false]);
    } finally {
      await served.close();
    }
  });

  it('runs the migrations at start without the limits, and only then bounds the sessions', async () => {
    // The suite's audit database, which cleanUp drops with the others.
    const db = await openDatabase('audit', target, { entities: [], migrations: [SlowMigration1764999999000] }, quiet, { statementMs: 300, lockSeconds: 1, poolMs: 1000 });
    try {
      expect(await db.query('SELECT COUNT(*) AS n FROM made_slowly')).toEqual([{ n: expect.anything() }]);
      expect((await sessionLimits(db)).statementMs).toBe(300);
    } finally {
      await db.destroy();
    }
  });

  it('answers a read slower than its statement limit with DATABASE_UNAVAILABLE within the limit, and reads again once the database is quick', async () => {
    const served = await serve({ statementMs: 500, lockSeconds: 5, poolMs: 5000 });
    try {
      const registered = await register(served, codeOf('10000001'));
      const id = registered.data?.registerSubject?.id;
      expect(id).toEqual(expect.any(String));

      // The table held by another session: the subgraph's SELECT waits for it until stopped.
      await other.query('LOCK TABLES subject WRITE');
      let slow;
      try {
        slow = await ask<{ subject: { name: string } | null }>(served, SUBJECT, { id });
      } finally {
        await other.query('UNLOCK TABLES');
      }
      expect(slow.data).toEqual({ subject: null });
      expect(slow.errors?.map((e) => [e.extensions?.code, e.message])).toEqual([['DATABASE_UNAVAILABLE', "the entities subgraph's database was too slow (a statement ran over its time limit): retry later"]]);
      expect(slow.ms).toBeGreaterThanOrEqual(450);
      expect(slow.ms).toBeLessThan(3000);

      const quick = await ask<{ subject: { name: string } | null }>(served, SUBJECT, { id });
      expect(quick.errors).toBeUndefined();
      expect(quick.data).toEqual({ subject: { name: '等待测试有限公司' } });
    } finally {
      await served.close();
    }
  });

  it('rolls a write caught by the lock limit back whole: the part already written is not stored', async () => {
    const served = await serve({ statementMs: 5000, lockSeconds: 1, poolMs: 5000 });
    const code = codeOf('10000002');
    const peek = await session(target, database);
    try {
      await peek.query('SET SESSION TRANSACTION ISOLATION LEVEL READ UNCOMMITTED');
      // Every row and gap of the name index locked: the subject is inserted, its names then wait.
      await other.query('SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ');
      await other.query('BEGIN');
      let caught;
      try {
        await other.query('SELECT gram FROM subject_name_gram FOR UPDATE');
        const writing = register(served, code);
        // Seen uncommitted while the registration waits: its first statement was applied.
        const deadline = Date.now() + 5000;
        let seen = 0;
        while (seen === 0 && Date.now() < deadline) {
          seen = Number((await peek.query<{ n: unknown }>('SELECT COUNT(*) AS n FROM subject WHERE identifier = ?', [code]))[0].n);
          if (seen === 0) await new Promise((resolve) => setTimeout(resolve, 20));
        }
        expect(seen).toBe(1);
        caught = await writing;
      } finally {
        await other.query('ROLLBACK');
      }
      expect(caught.data).toEqual({ registerSubject: null });
      expect(caught.errors?.map((e) => [e.extensions?.code, e.message])).toEqual([['DATABASE_UNAVAILABLE', "the entities subgraph's database was too slow (a lock another change holds was waited for too long): retry later"]]);
      expect(caught.ms).toBeLessThan(4000);
      expect(await stored(code)).toBe(0);
      expect(Number((await peek.query<{ n: unknown }>('SELECT COUNT(*) AS n FROM subject WHERE identifier = ?', [code]))[0].n)).toBe(0);

      const again = await register(served, code);
      expect(again.errors).toBeUndefined();
      expect(await stored(code)).toBe(1);
    } finally {
      await peek.end();
      await served.close();
    }
  });

  it('answers a registration that deadlocks with another change on each of its attempts DATABASE_UNAVAILABLE, reason BUSY, retry later, storing nothing, logged as a database fault', async () => {
    const served = await serve({ statementMs: 5000, lockSeconds: 5, poolMs: 5000 });
    const code = codeOf('10000004');
    const peek = await session(target, database);
    const told = 'the entities subgraph could not write its database: its change deadlocked with others made at the same time, each time it was tried: retry later';
    // Rows `other` writes first: the heavier of two deadlocked transactions, it is the one the server keeps.
    await other.query('CREATE TABLE IF NOT EXISTS deadlock_ballast (n INT PRIMARY KEY)');
    const ballast = Array.from({ length: 200 }, (_, n) => `(${n})`).join(', ');
    /**
     * Before each of the registration's transactions, `other` takes every row and gap of the name
     * index; once the registration has inserted its subject (seen uncommitted) and so waits for its
     * names, `other` asks for that subject's row: each waits on the other, and the server rolls the
     * registration back. Answers when `other` is done (its own transaction rolled back).
     */
    const deadlockNextAttempt = async (): Promise<{ done: Promise<void> }> => {
      await other.query('BEGIN');
      await other.query(`INSERT INTO deadlock_ballast (n) VALUES ${ballast}`);
      await other.query('SELECT gram FROM subject_name_gram FOR UPDATE');
      const done = (async () => {
        try {
          const deadline = Date.now() + 5000;
          while (Number((await peek.query<{ n: unknown }>('SELECT COUNT(*) AS n FROM subject WHERE identifier = ?', [code]))[0].n) === 0) {
            if (Date.now() > deadline) throw new Error("the registration's subject was not inserted within 5 s");
            await new Promise((resolve) => setTimeout(resolve, 20));
          }
          await other.query('SELECT id FROM subject WHERE identifier = ? FOR UPDATE', [code]);
        } finally {
          await other.query('ROLLBACK');
        }
      })();
      return { done };
    };
    const transaction = served.db.transaction;
    let attempts = 0;
    let previous: Promise<void> = Promise.resolve();
    const deadlocking = jest.spyOn(served.db, 'transaction').mockImplementation(async function (this: DataSource, ...args: Parameters<typeof transaction>) {
      attempts += 1;
      await previous;
      previous = (await deadlockNextAttempt()).done;
      return await transaction.apply(this, args);
    } as typeof transaction);
    try {
      await peek.query('SET SESSION TRANSACTION ISOLATION LEVEL READ UNCOMMITTED');
      await other.query('SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ');
      logged.mockClear();
      const caught = await register(served, code);
      await previous;
      expect(attempts).toBe(writeAttempts);
      expect(caught.data).toEqual({ registerSubject: null });
      // Contention, as SQLite's file held by another process is: a retry once the others are done may succeed (README, Errors).
      expect(caught.errors?.map((e) => [e.message, e.extensions?.code, e.extensions?.reason, e.extensions?.retryAfterSeconds, e.extensions?.outcome])).toEqual([[told, 'DATABASE_UNAVAILABLE', 'BUSY', 5, 'NOT_STORED']]);
      expect(await stored(code)).toBe(0);
      // As the other database faults are (maskedFaultLog): by what the client was told, with the driver's code, never as an unexpected error.
      expect(logged.mock.calls.map(([message]) => message)).toEqual([`[entities] ${told}`]);
      expect(logged).toHaveBeenCalledWith(`[entities] ${told}`, expect.objectContaining({ failure: expect.objectContaining({ code: 'ER_LOCK_DEADLOCK', errno: 1213 }) }));

      deadlocking.mockRestore();
      const again = await register(served, code);
      expect(again.errors).toBeUndefined();
      expect(await stored(code)).toBe(1);
    } finally {
      deadlocking.mockRestore();
      await previous.catch(() => undefined);
      await peek.end();
      await served.close();
    }
  });

  it('answers DATABASE_UNAVAILABLE when no pooled connection comes free in time, and serves again once they do', async () => {
    const served = await serve({ statementMs: 5000, lockSeconds: 5, poolMs: 300 });
    try {
      const registered = await register(served, codeOf('10000003'));
      const id = registered.data?.registerSubject?.id;
      const runners = Array.from({ length: mysqlPoolSize }, () => served.db.createQueryRunner());
      let starved;
      try {
        await Promise.all(runners.map((runner) => runner.connect()));
        starved = await ask<{ subject: { name: string } | null }>(served, SUBJECT, { id });
      } finally {
        await Promise.all(runners.map((runner) => runner.release()));
      }
      expect(starved.errors?.map((e) => [e.extensions?.code, e.message])).toEqual([['DATABASE_UNAVAILABLE', "the entities subgraph's database was too slow (no database connection came free in time): retry later"]]);
      expect(starved.ms).toBeGreaterThanOrEqual(250);
      expect(starved.ms).toBeLessThan(2500);

      // The connection that came free for the request gone went back to the pool: none is lost.
      const later = await ask<{ subject: { name: string } | null }>(served, SUBJECT, { id });
      expect(later.errors).toBeUndefined();
      expect(later.data?.subject?.name).toBe('等待测试有限公司');
      expect(poolStats(served.db)).toMatchObject({ queued: 0, limit: mysqlPoolSize });
      expect(poolStats(served.db)?.idle).toBe(poolStats(served.db)?.open);
    } finally {
      await served.close();
    }
  });

  /** Resolves once `condition` holds (fails after `ms`): what is waited for here happens on a timer of the pool's. */
  const until = async (condition: () => boolean, what: string, ms = 20_000) => {
    const deadline = Date.now() + ms;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error(`${what} did not happen within ${ms} ms`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };

  it('closes the connections a burst opened once they are idle: those beyond poolIdle.connections at once, the rest after poolIdle.ms', async () => {
    const waits = { statementMs: 5000, lockSeconds: 2, poolMs: 5000 };
    const burst = (db: DataSource) => Promise.all(Array.from({ length: mysqlPoolSize }, () => db.query('SELECT SLEEP(0.2)')));
    const open = (db: DataSource) => poolStats(db)!.open;
    const served = await openDatabase('entities', target, entitiesSubgraph, quiet, waits);
    try {
      await burst(served);
      expect(open(served)).toBe(mysqlPoolSize);
      await until(() => open(served) <= poolIdle.connections, `the pool's shrinking to ${poolIdle.connections} connections`);
      // The rest wait poolIdle.ms (a minute), far longer than this test.
      expect(open(served)).toBe(poolIdle.connections);
    } finally {
      await served.destroy();
    }
    const brief = await openDatabase('entities', target, entitiesSubgraph, quiet, waits, { ...poolIdle, ms: 1_000 });
    try {
      await burst(brief);
      await until(() => open(brief) === 0, 'the idle connections\' closing');
      // The next query opens one again.
      expect(await brief.query('SELECT 1 AS one')).toEqual([{ one: 1 }]);
      expect(open(brief)).toBe(1);
    } finally {
      await brief.destroy();
    }
  });
});
