import { createHash } from 'node:crypto';
import { QueryFailedError, type DataSource, type Logger, type MigrationInterface, type QueryRunner, type Table, type TableColumn, type TableIndex } from 'typeorm';
import { failedStatement } from '../../lib/database-logger';
import { StartFailure } from '../../lib/start-failure';

/*
 * Migrations and domain code. A migration runs the code it imports as that code is on the day a
 * database is migrated, not as it was when the migration was written: a migration that calls
 * `nameKey` means whatever `nameKey` means now, and a database migrated after a change to it is
 * migrated differently from one migrated before (nameKey changed so before migration
 * 1764000000090). So a migration calls domain code (lib/, a subgraph's entities and helpers) only
 * where running it with today's code is what we want: it fills a stored form the live code
 * derives the same way when it writes (a name key, a search index, a folded number, a check's
 * measure kinds, a disclosure end), which must agree with what the code reads by. A change to
 * such code then needs a migration of its own that derives the stored values again (as 090 did
 * for nameKey); without it, rows written before keep the old form and the code's lookups miss
 * them. Anything else a migration states itself, in SQL or in values of its own, never by
 * importing the code that writes it today. Which migrations call which functions, with why:
 * `allowed` in test/unit/migration-imports.test.ts, which fails on a call not listed there.
 */

/**
 * Migrations on MySQL/MariaDB are not transactions: each DDL statement commits on its own and
 * cannot be rolled back, so a subgraph stopped during a migration (SIGKILL, out of memory, a deploy
 * timeout) leaves what the migration had done so far, without its row in `migrations`. Its next
 * start runs the migration again from its first statement, which then met what it had already
 * made (`Duplicate column name`, `Duplicate key name`) and failed, at every start.
 *
 * Every migration therefore runs re-runnably there: the schema steps of TypeORM's QueryRunner a
 * migration takes (tables, columns, indices, a primary key) are each skipped when the catalogue
 * shows it already done, so a migration run again carries on where the interrupted run stopped and
 * completes. Each CREATE TABLE is one statement (its indices inline), so a table that exists is
 * whole. What a migration writes itself must be re-runnable in its own right: a MODIFY restates a
 * column and may run twice, an UPDATE must set what it sets again alike, an INSERT must skip rows it
 * made already, an ALTER TABLE … ADD must be guarded (test/subgraphs/migration-resume.test.ts runs
 * every migration interrupted after each of its statements, and then again). Not covered by
 * the steps: changeColumn and renameColumn (a changeColumn to what the column already is only
 * restates it), and an index given no name (every migration names its own).
 *
 * SQLite needs none of this: there each migration is one transaction, rolled back whole.
 */
export function rerunnable(migration: Function): Function {
  const Migration = migration as new () => MigrationInterface;
  const Rerunnable = class extends Migration {
    override async up(queryRunner: QueryRunner): Promise<void> {
      // At info as it starts and ends: one rewriting a large table runs long (41 s on 289,000
      // audit entries), and the start said nothing meanwhile.
      const told = `migration ${this.name ?? Migration.name} of ${String(queryRunner.connection.options.database)}`;
      const logger = queryRunner.connection.logger;
      logger.log('info', `${told} started`);
      const started = performance.now();
      try {
        await super.up(onMysql(queryRunner) ? rerunnableSteps(queryRunner) : queryRunner);
      } catch (error) {
        throw failedMigration(told, error);
      }
      logger.log('info', `${told} done in ${duration(performance.now() - started)}`);
    }
  };
  // TypeORM names a migration by its `name` property, failing that by its class's.
  Object.defineProperty(Rerunnable, 'name', { value: Migration.name });
  return Rerunnable;
}

/**
 * The rights on its database a user needs to run the migrations (README: Running in production):
 * its tables, columns, indexes and foreign keys made, changed and dropped, and rows moved. Serving
 * needs the first four alone.
 */
export const migrationGrants = 'SELECT, INSERT, UPDATE, DELETE, CREATE, ALTER, INDEX, DROP and REFERENCES';

/**
 * The servers' refusals of a statement for want of a right of DATABASE_URL's user: on the
 * database, a table, a column, a routine, or a global one. A migration refused so (below), and a
 * statement refused while serving (database.ts refusedRight).
 */
export const rightRefusalCodes: ReadonlySet<unknown> = new Set(['ER_DBACCESS_DENIED_ERROR', 'ER_TABLEACCESS_DENIED_ERROR', 'ER_COLUMNACCESS_DENIED_ERROR', 'ER_SPECIFIC_ACCESS_DENIED_ERROR', 'ER_PROCACCESS_DENIED_ERROR']);

/**
 * A statement of a migration that the database refused stops the start in one line (StartFailure):
 * which migration, of which database, and the database's message, without the values it quotes
 * (failedStatement). Not recorded as run, the migration runs again at the next start; refused for
 * want of a right (a user granted its rows alone, as a DBA gives one that serves), it would be
 * refused again, so the line says how to run it. Any other error is a fault of the migration's
 * code, and keeps its stack for a bug report.
 */
function failedMigration(told: string, error: unknown): unknown {
  if (!(error instanceof QueryFailedError)) return error;
  const refused = failedStatement(error);
  const rerun = rightRefusalCodes.has(refused.code)
    ? "it runs again at the next start, which DATABASE_URL's user may not run: run the migrations as a user that may change the schema " +
      `(${migrationGrants} on the database), with npm run migrate or one start of the subgraph, then start again`
    : 'it runs again at the next start';
  return new StartFailure(`${told} failed: ${refused.message}; ${rerun}`, { cause: error });
}

/** A duration as a log line tells it: milliseconds below a second, else seconds to a tenth. */
function duration(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

function onMysql(queryRunner: QueryRunner): boolean {
  const type = queryRunner.connection.driver.options.type;
  return type === 'mysql' || type === 'mariadb';
}

const tableName = (table: Table | string) => (typeof table === 'string' ? table : table.name);
const columnName = (column: TableColumn | string) => (typeof column === 'string' ? column : column.name);

/** The columns of an index, in order, and whether it is unique; undefined when the table has no index by that name. */
async function storedIndex(queryRunner: QueryRunner, table: Table | string, index: string): Promise<{ columnNames: string[]; isUnique: boolean } | undefined> {
  const rows: { column_name: string; non_unique: number | string }[] = await queryRunner.query(
    `SELECT COLUMN_NAME AS column_name, NON_UNIQUE AS non_unique FROM information_schema.STATISTICS
     WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? AND INDEX_NAME = ? ORDER BY SEQ_IN_INDEX`,
    [tableName(table), index],
  );
  return rows.length ? { columnNames: rows.map((r) => r.column_name), isUnique: Number(rows[0].non_unique) === 0 } : undefined;
}

/**
 * The QueryRunner a migration is given on MySQL: TypeORM's own, whose schema steps are each
 * skipped when already done. An index already there under the name is kept only when it has the
 * columns and uniqueness asked for; another is left for createIndex to refuse.
 */
export function rerunnableSteps(queryRunner: QueryRunner): QueryRunner {
  const steps: Partial<Record<keyof QueryRunner, unknown>> = {
    async createTable(table: Table, ...rest: unknown[]) {
      if (await queryRunner.hasTable(table)) return;
      await (queryRunner.createTable as (...args: unknown[]) => Promise<void>)(table, ...rest);
    },
    async dropTable(table: Table | string, ...rest: unknown[]) {
      if (!(await queryRunner.hasTable(table))) return;
      await (queryRunner.dropTable as (...args: unknown[]) => Promise<void>)(table, ...rest);
    },
    async addColumn(table: Table | string, column: TableColumn) {
      if (await queryRunner.hasColumn(tableName(table), column.name)) return;
      await queryRunner.addColumn(table, column);
    },
    async addColumns(table: Table | string, columns: TableColumn[]) {
      for (const column of columns) {
        if (!(await queryRunner.hasColumn(tableName(table), column.name))) await queryRunner.addColumn(table, column);
      }
    },
    async dropColumn(table: Table | string, column: TableColumn | string) {
      if (!(await queryRunner.hasColumn(tableName(table), columnName(column)))) return;
      await queryRunner.dropColumn(table, column);
    },
    async dropColumns(table: Table | string, columns: (TableColumn | string)[]) {
      for (const column of columns) {
        if (await queryRunner.hasColumn(tableName(table), columnName(column))) await queryRunner.dropColumn(table, column);
      }
    },
    async createIndex(table: Table | string, index: TableIndex) {
      const stored = index.name ? await storedIndex(queryRunner, table, index.name) : undefined;
      if (stored && stored.isUnique === !!index.isUnique && stored.columnNames.join() === index.columnNames.join()) return;
      await queryRunner.createIndex(table, index);
    },
    async createIndices(table: Table | string, indices: TableIndex[]) {
      for (const index of indices) await (steps.createIndex as (t: Table | string, i: TableIndex) => Promise<void>)(table, index);
    },
    async dropIndex(table: Table | string, index: TableIndex | string) {
      const name = typeof index === 'string' ? index : index.name;
      if (name && !(await storedIndex(queryRunner, table, name))) return;
      await queryRunner.dropIndex(table, index);
    },
    async dropIndices(table: Table | string, indices: TableIndex[]) {
      for (const index of indices) await (steps.dropIndex as (t: Table | string, i: TableIndex) => Promise<void>)(table, index);
    },
    async createPrimaryKey(table: Table | string, columnNames: string[], ...rest: unknown[]) {
      const stored = await storedIndex(queryRunner, table, 'PRIMARY');
      if (stored && stored.columnNames.join() === columnNames.join()) return;
      await (queryRunner.createPrimaryKey as (...args: unknown[]) => Promise<void>)(table, columnNames, ...rest);
    },
  };
  return new Proxy(queryRunner, {
    get(target, property, receiver) {
      if (typeof property === 'string' && Object.hasOwn(steps, property)) return steps[property as keyof QueryRunner];
      const value: unknown = Reflect.get(target, property, receiver);
      // TypeORM's own methods run on the runner itself, so that the steps they take in turn are its own.
      return typeof value === 'function' ? (value as Function).bind(target) : value;
    },
  });
}

/** Seconds one GET_LOCK call waits before the wait is logged and the lock asked for again. */
const lockWaitSeconds = 10;

/** The name of the lock a MySQL database's migrations are run under: lock names are server-wide and at most 64 characters. */
export function migrationLockName(database: string): string {
  const name = `migrations:${database}`;
  return name.length <= 64 ? name : `migrations:${createHash('sha256').update(database).digest('hex').slice(0, 52)}`;
}

/**
 * Takes the lock on the session's own connection, waiting up to `seconds` for it; whether it was
 * taken. Past TypeORM's query: a wait for the lock is the intended wait for another replica's
 * migrations, which TypeORM would log as a slow query (lib/database-logger.ts) and so as a fault.
 */
async function getLock(session: QueryRunner, lock: string, seconds: number): Promise<boolean> {
  const connection = (await session.connect()) as { query(sql: string, values: unknown[], callback: (error: Error | null, rows: { acquired: number | string | null }[]) => void): void };
  const [{ acquired }] = await new Promise<{ acquired: number | string | null }[]>((resolve, reject) =>
    connection.query('SELECT GET_LOCK(?, ?) AS acquired', [lock, seconds], (error, rows) => (error ? reject(error) : resolve(rows))),
  );
  if (acquired === null) throw new Error(`the migrations lock ${lock} could not be taken`);
  return Number(acquired) === 1;
}

/**
 * Runs a DataSource's pending migrations, each in a transaction of its own (the whole of it on
 * SQLite; on MySQL up to its first DDL statement). On MySQL they run under a named lock of the
 * database (GET_LOCK, held by a session of its own), so that replicas of a subgraph starting
 * together run them one after another, not all at once: the first runs them, each next one finds
 * them done, and tells at info that it waits. The server lets go of the lock when the session
 * holding it ends, a process killed during its migrations included, and the next start completes
 * them (`rerunnable`).
 */
export async function runMigrationsOnce(dataSource: DataSource, logger?: Logger): Promise<void> {
  const type = dataSource.options.type;
  if (type !== 'mysql' && type !== 'mariadb') {
    await dataSource.runMigrations({ transaction: 'each' });
    await warnOfUnknownMigrations(dataSource, logger);
    return;
  }
  const database = String(dataSource.options.database);
  const lock = migrationLockName(database);
  const session = dataSource.createQueryRunner();
  try {
    if (!(await getLock(session, lock, 0))) {
      logger?.log('info', `waiting for another replica's migrations of ${database} (it holds their lock, ${lock})`);
      const waiting = performance.now();
      while (!(await getLock(session, lock, lockWaitSeconds))) {
        logger?.log('info', `still waiting for another replica's migrations of ${database}, ${duration(performance.now() - waiting)} so far`);
      }
      logger?.log('info', `another replica's migrations of ${database} ended after ${duration(performance.now() - waiting)} of waiting`);
    }
    try {
      await dataSource.runMigrations({ transaction: 'each' });
      await warnOfUnknownMigrations(dataSource, logger);
    } finally {
      // A connection lost meanwhile has let go of the lock already: its release fails, and is of no matter.
      await session.query('SELECT RELEASE_LOCK(?)', [lock]).catch(() => undefined);
    }
  } finally {
    await session.release();
  }
}

/**
 * A database migrated by a later version than this one (a deploy rolled back, or an old replica
 * left running beside new ones): it starts, as the schema only grew, but says so, naming the
 * migrations it does not know, for this version may misread what the later one writes there.
 */
async function warnOfUnknownMigrations(dataSource: DataSource, logger?: Logger): Promise<void> {
  const known = new Set(dataSource.migrations.map((m) => m.name ?? m.constructor.name));
  const table = dataSource.driver.escape(dataSource.options.migrationsTableName ?? 'migrations');
  const executed = (await dataSource.query(`SELECT ${dataSource.driver.escape('name')} AS name FROM ${table}`)) as { name: string }[];
  const unknown = executed.map((row) => row.name).filter((name) => !known.has(name));
  if (unknown.length) {
    logger?.log('warn', `the database ${String(dataSource.options.database ?? '')} was migrated by a later version of this subgraph (migrations ${unknown.join(', ')} are not this version's): this version may misread what that one writes; run the later version`);
  }
}
