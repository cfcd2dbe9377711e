import 'reflect-metadata';
import fs from 'node:fs';
import path from 'node:path';
import mysql from 'mysql2/promise';
import { DataSource, QueryFailedError, type DataSourceOptions, type Logger, type QueryRunner } from 'typeorm';
import { withoutUserInfo } from '../../lib/env';

export type DatabaseTarget =
  /** The embedded default: one SQLite file per subgraph in `directory` (or in memory, for tests). */
  | { kind: 'sqlite'; directory: string | ':memory:' }
  /** Production: one MySQL database per subgraph, named `${prefix}${subgraph}`, created if missing. */
  | { kind: 'mysql'; url: string; prefix: string };

export interface DataModel {
  // TypeORM's own option type for these is a loose MixedList; classes are all we use.
  entities: Function[];
  migrations: Function[];
}

export function describeTarget(target: DatabaseTarget): string {
  return target.kind === 'sqlite' ? `SQLite (${target.directory})` : `MySQL (${new URL(target.url).host}, databases ${target.prefix}*)`;
}

/**
 * Parses `DATABASE_URL`: unset means the embedded SQLite default under `data/`. Checked whole
 * here, with the configuration, so that a URL the driver could not read stops the process with a
 * configuration error, not a stack trace later; no message repeats the URL's user or password.
 */
export function databaseTarget(env: Record<string, string | undefined>, dataDirectory: string): DatabaseTarget {
  const url = env.DATABASE_URL;
  if (!url) return { kind: 'sqlite', directory: env.SQLITE_DIRECTORY || dataDirectory };
  const shown = `"${withoutUserInfo(url)}"`;
  const expected = 'a mysql:// or mariadb:// URL naming the host, such as mysql://user:password@db-host:3306 (a user or password holding / # ? @ % or : written percent-encoded, %2F for /)';
  if (!/^(mysql|mariadb):\/\//.test(url)) throw new Error(`DATABASE_URL must be ${expected}, got ${shown}`);
  try {
    if (!mysqlConnection(url).host) throw new Error('no host');
  } catch {
    throw new Error(`DATABASE_URL must be ${expected}; it could not be read as one (${shown})`);
  }
  return { kind: 'mysql', url, prefix: env.DATABASE_PREFIX ?? 'credit_' };
}

function mysqlConnection(url: string) {
  const parsed = new URL(url);
  return {
    host: parsed.hostname,
    port: parsed.port ? Number(parsed.port) : 3306,
    user: decodeURIComponent(parsed.username) || 'root',
    password: decodeURIComponent(parsed.password),
  };
}

export async function ensureMysqlDatabase(url: string, database: string): Promise<void> {
  const connection = await mysql.createConnection(mysqlConnection(url));
  try {
    await connection.query(`CREATE DATABASE IF NOT EXISTS \`${database}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  } finally {
    await connection.end();
  }
}

export async function dropMysqlDatabase(url: string, database: string): Promise<void> {
  const connection = await mysql.createConnection(mysqlConnection(url));
  try {
    await connection.query(`DROP DATABASE IF EXISTS \`${database}\``);
  } finally {
    await connection.end();
  }
}

/**
 * How long one SQLite statement waits for the write lock another process holds (the import
 * command and the subgraph on one file). better-sqlite3 waits synchronously, holding up every
 * request of the process meanwhile, so this wait is short: `writeTransaction` and `writeAlone`
 * go on trying, between asynchronous pauses, for as long as an import chunk may take.
 */
export const sqliteBusyTimeoutMs = 50;

export function dataSourceOptions(subgraph: string, target: DatabaseTarget, model: DataModel, logger?: Logger): DataSourceOptions {
  // Both drivers get their schema from the committed migrations, never from `synchronize`,
  // so the embedded default runs exactly the schema production runs.
  const common = {
    entities: model.entities,
    migrations: model.migrations,
    migrationsRun: true,
    migrationsTransactionMode: 'each' as const,
    synchronize: false,
    logger,
    logging: logger ? ['query' as const, 'error' as const] : ['error' as const],
  };
  if (target.kind === 'sqlite') {
    const database = target.directory === ':memory:' ? ':memory:' : path.join(target.directory, `${subgraph}.sqlite`);
    return { ...common, type: 'better-sqlite3', database, enableWAL: database !== ':memory:', timeout: sqliteBusyTimeoutMs };
  }
  const connection = mysqlConnection(target.url);
  return {
    ...common,
    // TypeORM reads MariaDB's catalogue differently (column defaults, nullability); it must be told.
    type: new URL(target.url).protocol === 'mariadb:' ? 'mariadb' : 'mysql',
    host: connection.host,
    port: connection.port,
    username: connection.user,
    password: connection.password,
    database: `${target.prefix}${subgraph}`,
    charset: 'utf8mb4_unicode_ci',
    timezone: 'Z',
    // Calendar dates come back as the 'YYYY-MM-DD' they are, never as a Date shifted by the
    // server's time zone (a decision of 2026-03-01 is that day everywhere).
    dateStrings: ['DATE'],
    extra: { connectionLimit: 10 },
  };
}

/** Socket-level codes of a connection to MySQL that failed or broke (mysql2 marks its own such errors `fatal`). */
const connectionLossCodes = new Set(['PROTOCOL_CONNECTION_LOST', 'ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'PROTOCOL_SEQUENCE_TIMEOUT', 'ER_SERVER_SHUTDOWN', 'ER_CON_COUNT_ERROR']);

/**
 * Whether an error means the database itself is gone (restarting, unreachable, refusing
 * connections), looking through GraphQL's `originalError`, TypeORM's `driverError` and `cause`.
 * The pool drops such a connection and opens a new one for the next query, so a request after
 * the database is back succeeds without restarting the subgraph.
 */
export function isDatabaseConnectionLoss(error: unknown): boolean {
  const seen = new Set<unknown>();
  const pending = [error];
  while (pending.length) {
    const e = pending.pop() as { fatal?: unknown; code?: unknown; originalError?: unknown; driverError?: unknown; cause?: unknown } | undefined;
    if (!e || typeof e !== 'object' || seen.has(e)) continue;
    seen.add(e);
    if (e.fatal === true || (typeof e.code === 'string' && connectionLossCodes.has(e.code))) return true;
    pending.push(e.originalError, e.driverError, e.cause);
  }
  return false;
}

/** The driver's code of a failed query (mysql2's `ER_…`, better-sqlite3's `SQLITE_…`), if it has one. */
function driverErrorCode(error: unknown): unknown {
  if (!(error instanceof QueryFailedError)) return undefined;
  const driverError: unknown = error.driverError;
  // Not `instanceof Object`: better-sqlite3, a native module, is loaded once per process, and its
  // errors come from the realm that loaded it first (under Jest, another test file's).
  return typeof driverError === 'object' && driverError !== null && 'code' in driverError ? driverError.code : undefined;
}

/** A query refused by a unique key or the primary key: a row with that key is already stored. */
export function isUniqueViolation(error: unknown): boolean {
  const code = driverErrorCode(error);
  return code === 'ER_DUP_ENTRY' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

/** A transaction MySQL rolled back to break a deadlock: running it again may succeed. */
export function isDeadlock(error: unknown): boolean {
  return driverErrorCode(error) === 'ER_LOCK_DEADLOCK';
}

/**
 * A transaction SQLite refused because another connection (another process: the import command
 * and the subgraph on one file) holds the write lock, or committed since this one read. A
 * transaction that read before it writes cannot wait for the lock as a single statement does
 * (SQLite would deadlock the two), so it fails at once, with SQLITE_BUSY or SQLITE_BUSY_SNAPSHOT;
 * running it again may succeed.
 */
export function isSqliteBusy(error: unknown): boolean {
  const code = driverErrorCode(error);
  return typeof code === 'string' && code.startsWith('SQLITE_BUSY');
}

/**
 * For a migration: gives text columns of `table` a collation on MySQL, keeping each one's type and
 * nullability (MODIFY restates them). SQLite compares text as bytes already, so there it does
 * nothing: the binary collation (utf8mb4_bin) makes MySQL compare as SQLite does.
 */
export async function collateColumns(
  queryRunner: QueryRunner,
  table: string,
  columns: readonly (readonly [name: string, type: string, nullability: 'NULL' | 'NOT NULL'])[],
  collation: 'utf8mb4_bin' | 'utf8mb4_unicode_ci',
): Promise<void> {
  if (queryRunner.connection.driver.options.type === 'better-sqlite3') return;
  const changes = columns.map(([name, type, nullability]) => `MODIFY ${name} ${type} CHARACTER SET utf8mb4 COLLATE ${collation} ${nullability}`);
  await queryRunner.query(`ALTER TABLE ${table} ${changes.join(', ')}`);
}

/** Opens (creating if needed) a subgraph's database and brings its schema up to date. */
export async function openDatabase(subgraph: string, target: DatabaseTarget, model: DataModel, logger?: Logger): Promise<DataSource> {
  if (target.kind === 'sqlite' && target.directory !== ':memory:') fs.mkdirSync(target.directory, { recursive: true });
  if (target.kind === 'mysql') await ensureMysqlDatabase(target.url, `${target.prefix}${subgraph}`);
  const dataSource = new DataSource(dataSourceOptions(subgraph, target, model, logger));
  return await dataSource.initialize();
}
