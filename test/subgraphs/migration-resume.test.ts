import mysql2 from 'mysql2/promise';
import { MysqlQueryRunner } from 'typeorm/driver/mysql/MysqlQueryRunner';
import { subgraphNames, type SubgraphName } from '../../schema/subgraphs';
import { subgraphDefinitions } from '../../subgraphs/registry';
import { ReportVerification } from '../../subgraphs/reports/entities/report-verification.entity';
import { CreateReportVerification1764000000230 } from '../../subgraphs/reports/migrations/1764000000230-create-report-verification';
import { openDatabase, type DatabaseTarget, type DataModel } from '../../subgraphs/shared/database';
import { migrationLockName } from '../../subgraphs/shared/rerunnable-migrations';
import { testDatabases } from '../helpers/databases';

// On MySQL/MariaDB every DDL statement commits on its own: a subgraph killed during its start-up
// migrations leaves a migration half done and unrecorded, and its next start runs it again from
// the first statement. SQLite rolls each migration back whole, so the suite is MySQL's only.
const mysql = testDatabases.find((d) => d.label === 'mysql');

/** Statements that change the database (not a read of the catalogue, nor a transaction's bounds). */
const changes = (sql: string) => !/^\s*(SELECT|SHOW|START TRANSACTION|COMMIT|ROLLBACK|SET|SAVEPOINT|RELEASE)\b/i.test(sql);

class SimulatedCrash extends Error {}

/** Per database, the changing statements run so far and after which one its process is killed. */
const plans = new Map<string, { run: string[]; crashAfter: (sql: string, index: number) => boolean }>();
let spy: jest.SpyInstance | undefined;

/** Every query of TypeORM's MySQL driver, through `plans`; installed once, for databases run concurrently. */
function spyOnQueries(): void {
  if (spy) return;
  const query = MysqlQueryRunner.prototype.query;
  spy = jest.spyOn(MysqlQueryRunner.prototype, 'query').mockImplementation(async function (this: MysqlQueryRunner, ...args: Parameters<typeof query>) {
    const result = await query.apply(this, args);
    const plan = plans.get(String(this.connection.options.database));
    if (plan && changes(args[0])) {
      plan.run.push(args[0]);
      if (plan.crashAfter(args[0], plan.run.length)) throw new SimulatedCrash(`killed after statement ${plan.run.length}: ${args[0].slice(0, 120)}`);
    }
    return result;
  } as typeof query);
}

/**
 * Runs `open` on `database` as a process would that is killed right after a statement that
 * `crashAfter` picks (the statement done, committed if the server commits it on its own, nothing
 * after it): what it did stays, the transaction it was in is rolled back. Answers the changing
 * statements run.
 */
async function crashing(database: string, crashAfter: (sql: string, index: number) => boolean, open: () => Promise<unknown>): Promise<string[]> {
  spyOnQueries();
  const run: string[] = [];
  plans.set(database, { run, crashAfter });
  try {
    await open();
  } finally {
    plans.delete(database);
  }
  return run;
}

(mysql ? describe : describe.skip)('migrations on MySQL interrupted or run by several processes at once', () => {
  // A suite (databases of their own) per kind of test: the crashes run concurrently, a subgraph each.
  const suites = { killed: 'migkilled', data: 'migdata', together: 'migtogether' } as const;
  const targets = Object.fromEntries(Object.entries(suites).map(([kind, suite]) => [kind, mysql?.target(suite)])) as Record<keyof typeof suites, Extract<DatabaseTarget, { kind: 'mysql' }>>;
  const connection = () => mysql2.createConnection({ uri: targets.killed.url.replace(/^mariadb:/, 'mysql:') });
  let logged: jest.SpyInstance;

  beforeAll(() => {
    // TypeORM logs each failed migration; the failures here are meant.
    logged = jest.spyOn(console, 'log').mockImplementation(() => undefined);
  });
  afterAll(async () => {
    spy?.mockRestore();
    logged.mockRestore();
    for (const suite of Object.values(suites)) await mysql!.cleanUp(suite);
  });

  /** A database's schema as the catalogue describes it, and the migrations recorded in it. */
  async function schemaOf(database: string) {
    const c = await connection();
    try {
      const [columns] = await c.query(
        `SELECT TABLE_NAME, COLUMN_NAME, ORDINAL_POSITION, COLUMN_TYPE, IS_NULLABLE, COLUMN_DEFAULT, CHARACTER_SET_NAME, COLLATION_NAME
         FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME, ORDINAL_POSITION`,
        [database],
      );
      const [indices] = await c.query(
        'SELECT TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX, COLUMN_NAME, NON_UNIQUE FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX',
        [database],
      );
      const [checks] = await c.query('SELECT CONSTRAINT_NAME, CHECK_CLAUSE FROM information_schema.CHECK_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = ? ORDER BY CONSTRAINT_NAME', [database]);
      const [migrations] = await c.query(`SELECT name FROM \`${database}\`.migrations ORDER BY name`);
      return { columns, indices, checks, migrations: (migrations as { name: string }[]).map((m) => m.name) };
    } finally {
      await c.end();
    }
  }

  const dropDatabase = async (database: string) => {
    const c = await connection();
    await c.query(`DROP DATABASE IF EXISTS \`${database}\``).finally(() => c.end());
  };

  /** What a subgraph's start does with its database: opens it, running the migrations. */
  const start = async (target: DatabaseTarget, name: SubgraphName, model: DataModel = subgraphDefinitions[name]) => {
    const db = await openDatabase(name, target, model);
    await db.destroy();
  };

  it.concurrent.each([...subgraphNames])('%s: a start killed after any statement of its migrations completes them at the next start', async (name) => {
    const target = targets.killed;
    const database = `${target.prefix}${name}`;
    await dropDatabase(database);
    const statements = await crashing(database, () => false, () => start(target, name));
    const complete = await schemaOf(database);
    expect(complete.migrations).toHaveLength(subgraphDefinitions[name].migrations.length);
    expect(statements.length).toBeGreaterThan(2 * subgraphDefinitions[name].migrations.length);
    const failures: string[] = [];
    for (let n = 1; n <= statements.length; n++) {
      // Killed once a migration is recorded, the next start is an ordinary one: the others are where it matters.
      if (/^\s*(INSERT INTO|CREATE TABLE) \S*`migrations`/i.test(statements[n - 1])) continue;
      await dropDatabase(database);
      await expect(crashing(database, (_, index) => index === n, () => start(target, name))).rejects.toBeInstanceOf(SimulatedCrash);
      try {
        await start(target, name);
        expect(await schemaOf(database)).toEqual(complete);
      } catch (error) {
        failures.push(`killed after ${statements[n - 1].slice(0, 100)}: ${String(error).slice(0, 300)}`);
      }
    }
    expect(failures).toEqual([]);
  }, 600_000);

  it('copies a report’s finding once when its migration is run again after a start killed once the copy was made', async () => {
    const target = targets.data;
    const database = `${target.prefix}reports`;
    await dropDatabase(database);
    const reports = subgraphDefinitions.reports;
    const earlier = reports.migrations.slice(0, reports.migrations.indexOf(CreateReportVerification1764000000230));
    await start(target, 'reports', { entities: [], migrations: earlier });
    const c = await connection();
    try {
      await c.query(
        `INSERT INTO \`${database}\`.credit_report (id, subject_id, source, issuer_name, report_number, issued_on, valid_until, verification_code, registered_at, verification_outcome, verification_note, verified_by, verified_at)
         VALUES ('checked', 'subject-1', 'CREDIT_CHINA', '信用中国', 'XYZG-1', '2026-10-30', '2027-01-27', 'K7Q2M9TA', '2026-11-01 00:00:00', 'NOT_GENUINE', '出具机构否认', 'officer-1', '2026-11-02 03:04:05.678')`,
      );
    } finally {
      await c.end();
    }
    // Killed right after the copy, before the migration is recorded.
    await expect(crashing(database, (sql) => /^\s*INSERT INTO credit_report_verification/i.test(sql), () => start(target, 'reports'))).rejects.toBeInstanceOf(SimulatedCrash);
    const again = await openDatabase('reports', target, reports);
    try {
      expect(await again.getRepository(ReportVerification).find()).toEqual([expect.objectContaining({ id: 'checked', reportId: 'checked', outcome: 'NOT_GENUINE', note: '出具机构否认' })]);
    } finally {
      await again.destroy();
    }
  });

  it.each([...subgraphNames])('%s: replicas starting together on an empty database all start, the migrations run once', async (name) => {
    const target = targets.together;
    const database = `${target.prefix}${name}`;
    await dropDatabase(database);
    await start(target, name);
    const complete = await schemaOf(database);
    await dropDatabase(database);
    const started = await Promise.allSettled(Array.from({ length: 4 }, () => start(target, name)));
    expect(started.map((s) => (s.status === 'rejected' ? String(s.reason) : s.status))).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'fulfilled']);
    expect(await schemaOf(database)).toEqual(complete);
  }, 120_000);

  it('waits for the lock of the database while another process holds it, and runs the migrations once it is let go', async () => {
    const target = targets.together;
    const database = `${target.prefix}audit`;
    await dropDatabase(database);
    const holder = await connection();
    try {
      expect((await holder.query('SELECT GET_LOCK(?, 0) AS acquired', [migrationLockName(database)]))[0]).toEqual([{ acquired: 1 }]);
      let done = false;
      const starting = start(target, 'audit').then(() => (done = true));
      await new Promise((resolve) => setTimeout(resolve, 1500));
      expect(done).toBe(false);
      await holder.query('SELECT RELEASE_LOCK(?)', [migrationLockName(database)]);
      await starting;
      expect((await schemaOf(database)).migrations).toHaveLength(subgraphDefinitions.audit.migrations.length);
    } finally {
      await holder.end();
    }
  });

  it('names a lock of at most 64 characters per database', () => {
    expect(migrationLockName('credit_records')).toBe('migrations:credit_records');
    const long = migrationLockName(`${'x'.repeat(60)}_records`);
    expect(long.length).toBeLessThanOrEqual(64);
    expect(long).not.toBe(migrationLockName(`${'x'.repeat(60)}_reports`));
  });
});
