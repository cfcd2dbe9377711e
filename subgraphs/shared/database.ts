import 'reflect-metadata';
import fs from 'node:fs';
import path from 'node:path';
import mysql2, { type Pool, type PoolConnection, type PoolOptions } from 'mysql2';
import mysql from 'mysql2/promise';
import { DataSource, QueryFailedError, type DataSourceOptions, type Logger, type QueryRunner } from 'typeorm';
import { isUniqueViolationCode } from '../../lib/database-logger';
import { ConfigError, ConfigProblems, hostOfUrl, isProduction, withoutCredentials } from '../../lib/env';
import { addressOf, StartFailure } from '../../lib/start-failure';
import { subgraphNames } from '../../schema/subgraphs';
import { LogWindow, type Stoppable } from '../../lib/outage-log';
import { rerunnable, rightRefusalCodes, runMigrationsOnce } from './rerunnable-migrations';
import { openSqlite } from './sqlite-connection';

export type DatabaseTarget =
  /** The embedded default: one SQLite file per subgraph in `directory` (or in memory, for tests). */
  | { kind: 'sqlite'; directory: string | ':memory:' }
  /**
   * Production: one MySQL database per subgraph, named `${prefix}${subgraph}`. One missing is
   * created, or, `ifMissing: 'refuse'` (NODE_ENV=production), refused: there a database that does
   * not exist is far likelier a mistyped DATABASE_PREFIX than a first install, which has its
   * databases made with their users (docker/mysql-init, README: Running in production), and one
   * created would be served empty, its data seemingly gone, a new audit chain begun.
   */
  | { kind: 'mysql'; url: string; prefix: string; ifMissing?: 'create' | 'refuse' };

type MysqlTarget = Extract<DatabaseTarget, { kind: 'mysql' }>;

export interface DataModel {
  // TypeORM's own option type for these is a loose MixedList; classes are all we use.
  entities: Function[];
  migrations: Function[];
}

/** The database as start lines name it: the server by the URL's scheme (mysql:// or mariadb://, in any letter case), never its user or password. */
export function describeTarget(target: DatabaseTarget): string {
  if (target.kind === 'sqlite') return `SQLite (${target.directory})`;
  // The user as well (never its password): the one a URL naming none connects as, root, is said so.
  const { user } = mysqlConnection(target.url);
  const defaulted = new URL(target.url).username ? '' : `, the user ${user} as DATABASE_URL names none`;
  return `${/^mariadb:/i.test(target.url) ? 'MariaDB' : 'MySQL'} (${user}@${new URL(target.url).host}${defaulted}, databases ${target.prefix}*)`;
}

/**
 * Parses `DATABASE_URL` and `DATABASE_PREFIX`: an unset URL means the embedded SQLite default
 * under `data/`, which NODE_ENV=production refuses (the data and the audit log would sit in files
 * on one machine's disk, a container's, and go with it). Checked whole here, with the
 * configuration, so that a URL the driver could not read stops the process with a configuration
 * error, not a stack trace later; no message repeats the URL's user or password.
 */
export function databaseTarget(env: Record<string, string | undefined>, dataDirectory: string): DatabaseTarget {
  const url = env.DATABASE_URL;
  if (!url && isProduction(env)) {
    throw new ConfigError(
      'DATABASE_URL is required with NODE_ENV=production: a mysql:// or mariadb:// URL such as mysql://user:password@db-host:3306 ' +
        '(the SQLite default, SQLITE_DIRECTORY included, is for development and trials: it would keep the data and the audit log in files on this machine\'s disk)',
    );
  }
  if (!url) return { kind: 'sqlite', directory: env.SQLITE_DIRECTORY || dataDirectory };
  const problems = new ConfigProblems();
  problems.read(() => {
    checkMysqlUrl(url);
    // Outside production a URL naming no user connects as root, as the mysql client does; in
    // production each subgraph has a user of its own, with rights on its own database alone, and
    // root by default would be that left out without a word.
    if (isProduction(env) && !new URL(url).username) {
      throw new ConfigError(
        "DATABASE_URL must name its database user (mysql://user:password@db-host:3306, the subgraph's own, whose rights cover its own database alone): with NODE_ENV=production one naming none is refused, as it would connect as root",
      );
    }
  });
  const prefix = problems.read(() => databasePrefix(env.DATABASE_PREFIX));
  problems.check();
  return { kind: 'mysql', url, prefix: prefix as string, ifMissing: isProduction(env) ? 'refuse' : 'create' };
}

/**
 * `DATABASE_URL` as an error may show it: never a user or password, nor a query or fragment (a
 * password may stand there, `?password=`). After the last @ (withoutCredentials, as a password may
 * hold / # or @), or, without one, its scheme alone: a host and port read from such a URL may be a
 * user and a password (mysql://root:12345).
 */
function shownDatabaseUrl(url: string): string {
  if (url.includes('@')) return `"${withoutCredentials(url)}"`;
  return `one beginning "${/^[^:/]*:?/.exec(url)?.[0] ?? ''}" (the rest not repeated, as it may hold a password)`;
}

function checkMysqlUrl(url: string): void {
  const shown = shownDatabaseUrl(url);
  const expected = 'a mysql:// or mariadb:// URL naming the host, such as mysql://user:password@db-host:3306 (a user or password holding / # ? @ % or : written percent-encoded, %2F for /)';
  // A scheme's letter case is no part of it (RFC 3986): MARIADB:// is mariadb://.
  if (!/^(mysql|mariadb):\/\//i.test(url)) throw new ConfigError(`DATABASE_URL must be ${expected}, got ${shown}`);
  let parsed: URL;
  try {
    parsed = new URL(url);
    if (!mysqlConnection(url).host) throw new Error('no host');
  } catch {
    throw new ConfigError(`DATABASE_URL must be ${expected}; it could not be read as one (${shown})`);
  }
  // Nothing would read a database, a query or a fragment: an unencoded / # or ? in a password
  // starts one, and what stood before it was taken for the host (a lookup of the user's name).
  if ((parsed.pathname && parsed.pathname !== '/') || parsed.search || parsed.hash) {
    throw new ConfigError(
      `DATABASE_URL must be ${expected}, with nothing after the host and port; it has a path, query or fragment (${shown}): ` +
        'each subgraph\'s database is named by DATABASE_PREFIX and the subgraph (credit_audit, …), never by the URL, and a / # or ? in a password not percent-encoded starts one',
    );
  }
}

/** The longest subgraph name, which a database name adds to DATABASE_PREFIX. */
const longestSubgraphName = Math.max(...subgraphNames.map((name) => name.length));

/** MySQL's longest database name. */
const mysqlDatabaseNameLength = 64;

/**
 * `DATABASE_PREFIX`, `credit_` when unset (as docker/mysql-init reads it). Letters, digits and
 * `_` only, which MySQL takes unquoted: the name goes into statements between backticks, into
 * grants (where `%` would match any name) and through shells and compose files (which expand `$`).
 */
function databasePrefix(raw: string | undefined): string {
  if (raw === undefined || raw === '') return 'credit_';
  const longest = mysqlDatabaseNameLength - longestSubgraphName;
  if (!/^[A-Za-z0-9_]+$/.test(raw) || raw.length > longest) {
    throw new ConfigError(
      `DATABASE_PREFIX must hold letters, digits and _ only, at most ${longest} characters (a database is named by it and its subgraph, ` +
        `such as credit_audit, and MySQL's names are at most ${mysqlDatabaseNameLength}), got "${raw}"`,
    );
  }
  return raw;
}

function mysqlConnection(url: string) {
  const parsed = new URL(url);
  return {
    host: hostOfUrl(parsed),
    port: parsed.port ? Number(parsed.port) : 3306,
    // Root when it names none: outside production alone (databaseTarget), and named in the start line (describeTarget).
    user: decodeURIComponent(parsed.username) || 'root',
    password: decodeURIComponent(parsed.password),
  };
}

/**
 * The collation the platform's MySQL databases are made with, and so every table in them: names
 * compare folded (case, width, accents; entities/subject-names.ts), and a statement may compare a
 * column of one table with another's only when both have it (else "Illegal mix of collations").
 * Columns that compare as bytes are given utf8mb4_bin by their migration (collateColumns).
 */
export const platformCollation = 'utf8mb4_unicode_ci';

/** The collations a text column of the platform's may have: the platform's, or bytes (collateColumns). */
const platformColumnCollations = [platformCollation, 'utf8mb4_bin'];

/**
 * Creates the subgraph's database if missing (or refuses to, `ifMissing`; a user that may not
 * create it is told it is missing), and puts it, before any
 * migration runs, in the platform's collation (platformCollation). A database restored by hand
 * (`CREATE DATABASE x; mysql x < dump.sql`) has the server's default collation (MariaDB
 * utf8mb4_general_ci, MySQL 8 utf8mb4_0900_ai_ci) while its restored tables keep the platform's,
 * as the dump states it for each: the tables the next migrations made took the database's, and
 * name searches, and some migrations, failed on the mix. The database's default is set to the
 * platform's (a warning), or, when DATABASE_URL's user may not, the start fails saying what to
 * run; a table a migration made under another default (an earlier start's) is converted (a
 * warning).
 */
async function prepareMysqlDatabase(target: MysqlTarget, database: string, logger?: Logger): Promise<void> {
  const connection = await mysql.createConnection(mysqlConnection(target.url));
  try {
    const create = `CREATE DATABASE \`${database}\` CHARACTER SET utf8mb4 COLLATE ${platformCollation}`;
    // Looked up before it is made: CREATE DATABASE IF NOT EXISTS needs the CREATE right even when
    // the database exists, which a user granted its rows alone (SELECT, INSERT, UPDATE, DELETE) lacks.
    const exists = (await rows(connection, 'SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?', [database])).length > 0;
    let notMade = 'with NODE_ENV=production a subgraph creates no database';
    if (!exists && target.ifMissing !== 'refuse') {
      try {
        // IF NOT EXISTS: a replica starting beside this one may make it first.
        await connection.query(create.replace('CREATE DATABASE', 'CREATE DATABASE IF NOT EXISTS'));
      } catch (error) {
        const { code, sqlMessage } = error as { code?: unknown; sqlMessage?: unknown };
        if (code !== 'ER_DBACCESS_DENIED_ERROR') throw error;
        notMade = `DATABASE_URL's user may not create it (${sqlMessage})`;
      }
    }
    try {
      await connection.query(`USE \`${database}\``);
    } catch (error) {
      if ((error as { code?: unknown }).code !== 'ER_BAD_DB_ERROR') throw error;
      const { host, port } = mysqlConnection(target.url);
      throw new StartFailure(`the database ${database} does not exist at ${addressOf(host, port)}: create it (${create}), or check DATABASE_PREFIX ("${target.prefix}"): ${notMade}`);
    }
    await collateDatabase(connection, database, logger);
    for (const table of await tablesNotInPlatformCollation(connection)) await collateTable(connection, database, table, logger);
  } finally {
    await connection.end();
  }
}

async function rows<T>(connection: mysql.Connection, statement: string, values: unknown[] = []): Promise<T[]> {
  return (await connection.query(statement, values))[0] as T[];
}

async function collateDatabase(connection: mysql.Connection, database: string, logger?: Logger): Promise<void> {
  const [{ collation }] = await rows<{ collation: string }>(connection, 'SELECT @@collation_database AS collation');
  if (collation === platformCollation) return;
  const alter = `ALTER DATABASE \`${database}\` CHARACTER SET utf8mb4 COLLATE ${platformCollation}`;
  try {
    await connection.query(alter);
  } catch (error) {
    const { code, sqlMessage } = error as { code?: unknown; sqlMessage?: unknown };
    if (code !== 'ER_DBACCESS_DENIED_ERROR') throw error;
    throw new StartFailure(
      `the database ${database} has the default collation ${collation}, not the platform's ${platformCollation} (as a database restored by hand into one made with the server's default has), ` +
        `and DATABASE_URL's user may not change it (${sqlMessage}): run ${alter} as a user who may, then start again`,
    );
  }
  logger?.log('warn', `the database ${database} had the default collation ${collation}, not the platform's (as a database restored by hand into one made with the server's default has): set to ${platformCollation}, so that the tables its migrations make compare text as its others do`);
}

/** The tables whose default collation is not the platform's: made while the database's default was another. */
async function tablesNotInPlatformCollation(connection: mysql.Connection): Promise<{ name: string; collation: string }[]> {
  return await rows(
    connection,
    "SELECT TABLE_NAME AS name, TABLE_COLLATION AS collation FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE = 'BASE TABLE' AND TABLE_COLLATION <> ? ORDER BY TABLE_NAME",
    [platformCollation],
  );
}

/**
 * Puts a table made under another default collation in the platform's: its default, and each text
 * column that has another collation than the platform's two, keeping all else of the column (its
 * definition as SHOW CREATE TABLE states it, the collation changed). Not CONVERT TO, which would
 * make the columns a migration gave utf8mb4_bin fold as well.
 */
async function collateTable(connection: mysql.Connection, database: string, table: { name: string; collation: string }, logger?: Logger): Promise<void> {
  const columns = await rows<{ name: string; type: string }>(
    connection,
    'SELECT COLUMN_NAME AS name, COLUMN_TYPE AS type FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? AND COLLATION_NAME IS NOT NULL AND COLLATION_NAME NOT IN (?) ORDER BY ORDINAL_POSITION',
    [table.name, platformColumnCollations],
  );
  const [created] = await rows<{ 'Create Table': string }>(connection, `SHOW CREATE TABLE \`${table.name}\``);
  const definitions = created['Create Table'].split('\n').map((line) => line.trim().replace(/,$/, ''));
  const changes = columns.map(({ name, type }) => {
    const start = `\`${name}\` ${type}`;
    const definition = definitions.find((line) => line.startsWith(start));
    if (!definition) throw new Error(`the column ${name} of ${database}.${table.name} could not be read from SHOW CREATE TABLE to change its collation`);
    const rest = definition.slice(start.length).replace(/^ CHARACTER SET \w+/, '').replace(/^ COLLATE \w+/, '');
    return `MODIFY ${start} CHARACTER SET utf8mb4 COLLATE ${platformCollation}${rest}`;
  });
  await connection.query(`ALTER TABLE \`${table.name}\` ${[`DEFAULT CHARACTER SET utf8mb4 COLLATE ${platformCollation}`, ...changes].join(', ')}`);
  logger?.log('warn', `the table ${table.name} of ${database} had the collation ${table.collation} (made by a migration while the database's default was not the platform's): converted to ${platformCollation}`);
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

/**
 * How long a subgraph waits on its MySQL/MariaDB database before it gives up with a typed error
 * (DATABASE_UNAVAILABLE). Without them a statement may run, a row lock be waited for (InnoDB: 50 s)
 * and a free connection be queued for without end, long after the gateway stopped waiting
 * (SUBGRAPH_TIMEOUT_MS), holding connections that the requests behind it, and the client's retry,
 * then queue for. Each default is a little below the gateway's 10 s, so that the subgraph answers,
 * and lets go of its connection, first.
 */
export interface DatabaseWaits {
  /** One statement's run (MariaDB: every statement; MySQL: SELECTs only, writes are bounded by the lock waits). */
  statementMs: number;
  /** A row lock (InnoDB) or a table's metadata lock (an ALTER, a LOCK TABLES) another session holds; both servers count whole seconds. */
  lockSeconds: number;
  /** A free connection of the pool, while every one of its `mysqlPoolSize` is in use. */
  poolMs: number;
}

export const defaultDatabaseWaits: DatabaseWaits = { statementMs: 8_000, lockSeconds: 5, poolMs: 5_000 };

/** Connections of a subgraph's MySQL pool. */
export const mysqlPoolSize = 10;

/** How a pool lets go of connections it no longer uses (mysql2's `maxIdle`, `idleTimeout`). */
export interface PoolIdle {
  /** Idle connections a pool keeps at most: those beyond are closed within a second of their release. */
  connections: number;
  /** How long a connection may stay idle before it is closed, however few are open. */
  ms: number;
}

/**
 * What a pool keeps after a burst: without it (mysql2's defaults) a pool held its peak
 * connections for good, every subgraph process up to mysqlPoolSize, and with max_connections
 * tight a DBA was locked out of the server long after the burst. A pool under load reuses its most
 * recently released connection first, so the ones closed are the ones no request needed.
 */
export const poolIdle: PoolIdle = { connections: 2, ms: 60_000 };

/** What a bounded DataSource is told about its server: the variables that bound a session differ between MariaDB and MySQL. */
interface BoundedSessions {
  waits: DatabaseWaits;
  mariadb: boolean;
}

/**
 * The statement that bounds a session: server-side limits, which stop the statement on the
 * server (a client-side timeout, TypeORM's `enableQueryTimeout`, would drop the connection and
 * leave the statement running). `lock_wait_timeout` too: a metadata lock, which InnoDB's own wait
 * does not cover, otherwise waits a day (MariaDB) or a year (MySQL).
 */
function sessionLimits({ waits, mariadb }: BoundedSessions): string {
  const locks = `innodb_lock_wait_timeout = ${waits.lockSeconds}, lock_wait_timeout = ${waits.lockSeconds}`;
  return mariadb ? `SET SESSION max_statement_time = ${waits.statementMs / 1000}, ${locks}` : `SET SESSION max_execution_time = ${waits.statementMs}, ${locks}`;
}

/** What a pooled connection's wait ended with when none came free in time (`DatabaseWaits.poolMs`). */
export const poolWaitExceededCode = 'POOL_WAIT_EXCEEDED';

/**
 * mysql2 as TypeORM is to load it (its `driver` option), but with pools that bound each session
 * they open and the wait for a connection. The session is bounded on the pool's `connection`
 * event, before the connection is handed out: statements on one connection run in order, so its
 * first one already runs bounded, and so does every connection the pool opens again after losing
 * one. mysql2 (3.x) has no bound on the wait for a connection (TypeORM's `acquireTimeout` is
 * mysqljs/mysql's option, which mysql2 ignores with a warning; `queueLimit` bounds how many wait,
 * not for how long), hence the timer: a connection that comes free for a waiter gone goes straight back.
 */
function boundedMysql2(sessions: BoundedSessions, logger?: Logger) {
  const limits = sessionLimits(sessions);
  const createPool = (config: PoolOptions): Pool => {
    const pool = mysql2.createPool(config);
    pool.on('connection', (connection: PoolConnection) => {
      connection.query(limits, (error) => {
        if (!error) return;
        logger?.log('warn', `a database connection could not be bounded and was dropped: ${error.message}`);
        // Never an unbounded session: the statement it was opened for fails as on a lost connection.
        connection.destroy();
      });
    });
    const getConnection = pool.getConnection.bind(pool);
    pool.getConnection = (callback) => {
      let waiting = true;
      const timer = setTimeout(() => {
        waiting = false;
        const exceeded = Object.assign(new Error(`no database connection came free within ${sessions.waits.poolMs} ms`), { code: poolWaitExceededCode });
        (callback as (error: Error) => void)(exceeded);
      }, sessions.waits.poolMs);
      getConnection((error, connection) => {
        if (!waiting) return connection?.release();
        waiting = false;
        clearTimeout(timer);
        callback(error, connection);
      });
    };
    return pool;
  };
  return { ...mysql2, createPool };
}

/**
 * A statement that runs this long is logged as a `slow query` (lib/database-logger.ts), with its
 * SQL: long before DATABASE_STATEMENT_TIMEOUT_MS stops it, an operator sees which statement grows
 * with the data (a filter no index serves) while it still answers.
 */
export const slowStatementMs = 1_000;

/** A subgraph's SQLite file in `directory`. */
export function sqliteFile(directory: string, subgraph: string): string {
  return path.join(directory, `${subgraph}.sqlite`);
}

export function dataSourceOptions(subgraph: string, target: DatabaseTarget, model: DataModel, logger?: Logger, bounded?: BoundedSessions, idle: PoolIdle = poolIdle): DataSourceOptions {
  // Both drivers get their schema from the committed migrations, never from `synchronize`,
  // so the embedded default runs exactly the schema production runs. openDatabase runs them
  // (runMigrationsOnce: on MySQL under a lock, and each re-runnable).
  const common = {
    entities: model.entities,
    migrations: model.migrations.map(rerunnable),
    migrationsRun: false,
    migrationsTransactionMode: 'each' as const,
    synchronize: false,
    logger,
    logging: logger ? ['query' as const, 'error' as const] : ['error' as const],
    maxQueryExecutionTime: slowStatementMs,
  };
  if (target.kind === 'sqlite') {
    const database = target.directory === ':memory:' ? ':memory:' : sqliteFile(target.directory, subgraph);
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
    charset: platformCollation,
    timezone: 'Z',
    // Calendar dates come back as the 'YYYY-MM-DD' they are, never as a Date shifted by the
    // server's time zone (a decision of 2026-03-01 is that day everywhere).
    dateStrings: ['DATE'],
    // `trace: false`: mysql2 otherwise captures a stack trace for every statement, in case it
    // fails, 2.6-2.9 % of a subgraph's CPU under the benchmark's lookups (the audit append and the
    // entities lookup alike); a failed statement is told by its code and message, which it keeps.
    extra: { connectionLimit: mysqlPoolSize, maxIdle: idle.connections, idleTimeout: idle.ms, trace: false },
    // A bounded DataSource opens once the unbounded one has migrated (openDatabase).
    ...(bounded ? { driver: boundedMysql2(bounded, logger) } : {}),
  };
}

/**
 * The server's refusals of a new connection for a limit of its connections, by whose limit: the
 * server's (max_connections, error 1040), or the user's (CREATE USER … WITH MAX_USER_CONNECTIONS:
 * MariaDB's and MySQL's 1226; the server's max_user_connections for every user, 1203).
 */
const tooManyConnectionsCodes = new Map<unknown, 'server' | 'user'>([
  ['ER_CON_COUNT_ERROR', 'server'],
  ['ER_USER_LIMIT_REACHED', 'user'],
  ['ER_TOO_MANY_USER_CONNECTIONS', 'user'],
]);

/** Socket-level codes of a connection to MySQL that failed or broke (mysql2 marks its own such errors `fatal`). */
const connectionLossCodes = new Set(['PROTOCOL_CONNECTION_LOST', 'ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'PROTOCOL_SEQUENCE_TIMEOUT', 'ER_SERVER_SHUTDOWN', ...tooManyConnectionsCodes.keys()]);

/**
 * An error and what it wraps: GraphQL's `originalError`, and its `thrownValue` when what was thrown
 * was no Error of its realm (under Jest, a socket's error made by Node's own realm), TypeORM's
 * `driverError`, `cause`.
 */
function* causes(error: unknown): Generator<{ fatal?: unknown; code?: unknown; errno?: unknown; sqlMessage?: unknown; query?: unknown }> {
  const seen = new Set<unknown>();
  const pending = [error];
  while (pending.length) {
    const e = pending.pop() as { fatal?: unknown; code?: unknown; errno?: unknown; sqlMessage?: unknown; query?: unknown; originalError?: unknown; thrownValue?: unknown; driverError?: unknown; cause?: unknown } | undefined;
    if (!e || typeof e !== 'object' || seen.has(e)) continue;
    seen.add(e);
    yield e;
    pending.push(e.originalError, e.thrownValue, e.driverError, e.cause);
  }
}

/**
 * Whether an error means the database itself is gone (restarting, unreachable, refusing
 * connections), looking through GraphQL's `originalError`, TypeORM's `driverError` and `cause`.
 * The pool drops such a connection and opens a new one for the next query, so a request after
 * the database is back succeeds without restarting the subgraph.
 */
export function isDatabaseConnectionLoss(error: unknown): boolean {
  for (const e of causes(error)) {
    if (e.fatal === true || (typeof e.code === 'string' && connectionLossCodes.has(e.code))) return true;
  }
  return false;
}

/**
 * Statements whose effect may outlive a connection lost before their answer came: the server may
 * have committed a write run outside a transaction (autocommit), or a COMMIT, and then lost the
 * connection. A write inside a transaction is among them, as an error does not tell the two apart
 * (the server rolls that one back with its connection).
 */
const storingStatement = /^\s*(INSERT|UPDATE|DELETE|REPLACE|COMMIT)\b/i;

/**
 * The statement whose connection failed, as TypeORM's QueryFailedError names it; undefined when
 * none was sent: the pool could not open the connection (refused, lost in its handshake), and
 * TypeORM asks for one before it sends anything.
 */
function sentStatement(error: unknown): string | undefined {
  for (const e of causes(error)) if (typeof e.query === 'string') return e.query;
  return undefined;
}

/** Whether the connection was lost with a storing statement sent on it: what it stored is not known. */
export function isConnectionLostWithWriteSent(error: unknown): boolean {
  const statement = isDatabaseConnectionLoss(error) ? sentStatement(error) : undefined;
  return statement !== undefined && storingStatement.test(statement);
}

/** Whether no connection could be made for a statement (the server down, refusing them): none was lost, and nothing was sent. */
export function isConnectionNotMade(error: unknown): boolean {
  return isDatabaseConnectionLoss(error) && sentStatement(error) === undefined;
}

/**
 * Whose limit of connections, if any, the database server refused a new connection for: its own
 * (max_connections) or DATABASE_URL's user's (max_user_connections), looking through the same
 * wrappers as isDatabaseConnectionLoss, which counts it too: the server is up, and answers again
 * once connections come free.
 */
export function tooManyDatabaseConnections(error: unknown): 'server' | 'user' | undefined {
  for (const e of causes(error)) {
    const whose = tooManyConnectionsCodes.get(e.code);
    if (whose) return whose;
  }
  return undefined;
}

/** MariaDB's ER_STATEMENT_TIMEOUT, which mysql2 (naming MySQL's errors only) gives no `code`. */
const mariadbStatementTimeout = 1969;

/**
 * Which of the waits a bounded session sets (DatabaseWaits) an error says ran out, looking through
 * the same wrappers as isDatabaseConnectionLoss: a statement over its time (MariaDB's
 * max_statement_time, MySQL's max_execution_time), a lock waited for too long (row or metadata,
 * the same error on both servers), no free connection in time. The server rolls back only the
 * statement; the transaction around it is rolled back whole by TypeORM, as for any failed statement.
 */
export function exceededDatabaseWait(error: unknown): 'statement' | 'lock' | 'pool' | undefined {
  for (const e of causes(error)) {
    if (e.errno === mariadbStatementTimeout || e.code === 'ER_QUERY_TIMEOUT') return 'statement';
    if (e.code === 'ER_LOCK_WAIT_TIMEOUT') return 'lock';
    if (e.code === poolWaitExceededCode) return 'pool';
  }
  return undefined;
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
  return isUniqueViolationCode(driverErrorCode(error));
}

/**
 * A transaction MySQL rolled back to break a deadlock, looking through the same wrappers as
 * isDatabaseConnectionLoss (a resolver's error reaches formatError in a GraphQLError): running it
 * again may succeed, and nothing of it was stored.
 */
export function isDeadlock(error: unknown): boolean {
  for (const { code } of causes(error)) if (code === 'ER_LOCK_DEADLOCK') return true;
  return false;
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
 * What the database said of the disk under it, or of its refusing every write: a fault of the host,
 * not of the request. Both databases name a full disk (`full`) and a database that may not be
 * written (`readOnly`: SQLite's file or directory; `serverReadOnly`: a MySQL/MariaDB server run
 * read-only, which an operator mends elsewhere); the rest are of SQLite's file alone.
 */
export type StorageFault = 'full' | 'readOnly' | 'serverReadOnly' | 'moved' | 'io' | 'cannotOpen' | 'busy';

/**
 * Which fault of its disk or file an error of the database names, looking through the same
 * wrappers as isDatabaseConnectionLoss: SQLite's by better-sqlite3's code (an extended one,
 * SQLITE_IOERR_WRITE, counts as its primary, SQLITE_IOERR), MySQL/MariaDB's by mysql2's
 * (mysqlStorageFault). SQLITE_READONLY_DBMOVED is SQLite's word for its file deleted or renamed
 * while open (sqlite-connection.ts refuses a write to such a file with it). A busy file counts once
 * the writes' retries (write-queue.ts `whileSqliteBusy`) have given up.
 */
export function storageFault(error: unknown): StorageFault | undefined {
  for (const cause of causes(error)) {
    const { code } = cause;
    if (typeof code !== 'string') continue;
    if (code === 'SQLITE_FULL') return 'full';
    if (code === 'SQLITE_READONLY_DBMOVED') return 'moved';
    if (code.startsWith('SQLITE_READONLY')) return 'readOnly';
    if (code.startsWith('SQLITE_IOERR')) return 'io';
    if (code.startsWith('SQLITE_CANTOPEN')) return 'cannotOpen';
    if (code.startsWith('SQLITE_BUSY')) return 'busy';
    const server = mysqlStorageFault(code, cause.sqlMessage);
    if (server) return server;
  }
  return undefined;
}

/** A file write of the server's that failed, its message quoting the OS's error: "Error writing file './…' (Errcode: 28 …)", "Got error 28 … from storage engine". */
const writeFailureCodes = new Set(['EE_WRITE', 'ER_ERROR_ON_WRITE', 'ER_GET_ERRNO']);

/** ENOSPC (no space left on device) as such a message quotes it. */
const noSpaceQuoted = /\b(Errcode: |error )28\b/;

/**
 * A MySQL/MariaDB server's disk full: a table it could not grow (ER_RECORD_FILE_FULL, 1114, "The
 * table … is full"), a file it could not write (ER_DISK_FULL, 1021, a read's temporary table too;
 * a write failure quoting ENOSPC); or the server refusing every write: run `read_only`
 * (ER_OPTION_PREVENTS_STATEMENT, 1290, which other options raise too, so only when its message
 * names read-only), a transaction begun read-only under it (1792), InnoDB's `innodb_read_only` (1836).
 */
function mysqlStorageFault(code: string, sqlMessage: unknown): StorageFault | undefined {
  const message = typeof sqlMessage === 'string' ? sqlMessage : '';
  if (code === 'ER_RECORD_FILE_FULL' || code === 'ER_DISK_FULL') return 'full';
  if (writeFailureCodes.has(code) && noSpaceQuoted.test(message)) return 'full';
  if (code === 'ER_OPTION_PREVENTS_STATEMENT' && /read[-_]only/i.test(message)) return 'serverReadOnly';
  if (code === 'ER_CANT_EXECUTE_IN_READ_ONLY_TRANSACTION' || code === 'ER_READ_ONLY_MODE') return 'serverReadOnly';
  return undefined;
}

/**
 * The server's words refusing a statement for want of a right ("INSERT command denied to user
 * 'credit'@'10.0.0.5' for table `credit_records`.`credit_check`": the user, the right, the table),
 * looking through the same wrappers as isDatabaseConnectionLoss; undefined for any other error.
 * The refused statement ran in no part. A REVOKE on a table bites at a session's next statement,
 * but one on the database (REVOKE ALL ON db.*) only in sessions begun after it, as a session keeps
 * its database's rights as they were when it chose it: only part of the writes fail at first,
 * more as the pool's sessions are renewed.
 */
export function refusedRight(error: unknown): string | undefined {
  for (const { code, sqlMessage } of causes(error)) {
    if (rightRefusalCodes.has(code)) return typeof sqlMessage === 'string' ? sqlMessage : String(code);
  }
  return undefined;
}

/**
 * Tells the operator of each right DATABASE_URL's user is refused while serving (the server's
 * words: user, right, table) at once, then at most once per window, with how many statements met
 * it since, as outages are logged (lib/outage-log.ts): every request needing the right meets it
 * alike until it is granted again, and a line with a stack for each (~680 in one incident) said
 * nothing more. The function made answers whether `error` was such a refusal, which it has then
 * told `log` of, or counted.
 */
export function refusedRightsLog(log: (fields: Record<string, unknown>, message: string) => void): ((error: unknown, requestId: string | undefined) => boolean) & Stoppable {
  const window = new LogWindow();
  const tell = (error: unknown, requestId: string | undefined) => {
    const denied = refusedRight(error);
    if (denied === undefined) return false;
    window.tell(denied, (refused, windowEnd) =>
      log(
        { denied, requestId, refusedSinceLastLine: refused, ...windowEnd },
        "the database refused DATABASE_URL's user a right it needs (serving needs SELECT, INSERT, UPDATE and DELETE on its database): what needs it answers DATABASE_UNAVAILABLE, reason PERMISSION_DENIED, until it is granted again",
      ),
    );
    return true;
  };
  return Object.assign(tell, { stop: () => window.stop() });
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

/**
 * A start that failed for a reason the operator fixes in a setting or on the database's host:
 * told as a StartFailure naming the setting, from the code of the error or of one it wraps
 * (TypeORM's `driverError`, `cause`), whichever step of the start met it. Never the URL's user or
 * password; MySQL's own message names the user, which the operator chose.
 */
export function startFailureOf(error: unknown, target: DatabaseTarget, database: string): StartFailure | undefined {
  if (error instanceof StartFailure) return error;
  for (const cause of causes(error)) {
    const failure = startFailureFor(cause, target, database);
    if (failure) return failure;
  }
  return undefined;
}

function startFailureFor({ code, sqlMessage }: { code?: unknown; sqlMessage?: unknown }, target: DatabaseTarget, database: string): StartFailure | undefined {
  if (target.kind === 'sqlite') {
    const disk = sqliteDiskFailure(code, target.directory, database);
    if (disk) return disk;
    if (code !== 'EACCES' && code !== 'EROFS' && code !== 'ENOTDIR' && code !== 'EEXIST') return undefined;
    return new StartFailure(`the SQLite directory ${target.directory} (SQLITE_DIRECTORY) could not be made or written (${code})`);
  }
  const { host, port } = mysqlConnection(target.url);
  const address = addressOf(host, port);
  // A start holds one connection, then its migrations' few, then its pool (mysqlPoolSize).
  const connections = `each subgraph process holds up to ${mysqlPoolSize} connections, and a few more while it starts`;
  // The migrations write, and read the catalogue through temporary tables: a full disk or a read-only server stops them first.
  const storage = typeof code === 'string' ? mysqlStorageFault(code, sqlMessage) : undefined;
  if (storage === 'full') return new StartFailure(`the disk of the database server at ${address} is full (${sqlMessage}): make room on it (its data and temporary directories); the same start then succeeds`);
  if (storage === 'serverReadOnly') {
    return new StartFailure(`the database server at ${address} is read-only (${sqlMessage}): the ${database} database's migrations cannot run; point DATABASE_URL at a writable server (the primary), or have its read_only turned off`);
  }
  switch (code) {
    case 'ECONNREFUSED':
      return new StartFailure(`nothing accepts connections at ${address}, DATABASE_URL's host and port (ECONNREFUSED): is MySQL or MariaDB running there, on that port?`);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new StartFailure(`DATABASE_URL's host "${host}" could not be looked up (${code})`);
    case 'ETIMEDOUT':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return new StartFailure(`${address}, DATABASE_URL's host and port, could not be reached (${code}): a host that is down, or a firewall between`);
    case 'ER_ACCESS_DENIED_ERROR':
    // MariaDB's answer to a user it has no account for, as often as not.
    case 'ER_ACCESS_DENIED_NO_PASSWORD_ERROR':
      return new StartFailure(`the database at ${address} refused DATABASE_URL's user and password (${sqlMessage})`);
    case 'ER_DBACCESS_DENIED_ERROR':
      return new StartFailure(
        `DATABASE_URL's user may not create or use the database ${database} at ${address} (${sqlMessage}): grant it the databases named by DATABASE_PREFIX ` +
          '(docker/mysql-init does, for the prefix it is given), or set DATABASE_PREFIX to the prefix it was granted',
      );
    case 'ER_CON_COUNT_ERROR':
      return new StartFailure(
        `the database at ${address} has no connection left to give (${sqlMessage}): all of its max_connections are in use; raise max_connections there, or have fewer processes connect to it (${connections})`,
      );
    // The user's own limit (CREATE USER … WITH MAX_USER_CONNECTIONS), and the server's for every user.
    case 'ER_USER_LIMIT_REACHED':
    case 'ER_TOO_MANY_USER_CONNECTIONS':
      return new StartFailure(`DATABASE_URL's user may open no more connections (${sqlMessage}): ${connections}; raise the user's max_user_connections, or run fewer processes as it`);
    default:
      return undefined;
  }
}


/**
 * A subgraph's SQLite file that could not be written at start for want of space, told naming the
 * file and what is left on its disk: SQLite's own words, "database or disk is full" (SQLITE_FULL)
 * or, for its shared-memory file on a full tmpfs, "disk I/O error", named neither. Once there is
 * room the same start succeeds.
 */
function sqliteDiskFailure(code: unknown, directory: string, subgraph: string): StartFailure | undefined {
  const ioError = typeof code === 'string' && code.startsWith('SQLITE_IOERR');
  if ((code !== 'SQLITE_FULL' && code !== 'ENOSPC' && !ioError) || directory === ':memory:') return undefined;
  const file = sqliteFile(directory, subgraph);
  const free = freeBytes(directory);
  const left = free === undefined ? 'an amount that could not be read' : bytesShown(free);
  if (!ioError || (free !== undefined && free < nearlyFullBytes)) {
    return new StartFailure(
      `the disk holding the SQLite directory ${directory} is full (${left} free): the ${subgraph} database, ${file}, could not be written (${code}); ` +
        'make room on it, or set SQLITE_DIRECTORY to a directory on another disk',
    );
  }
  return new StartFailure(`the ${subgraph} database, ${file}, could not be read or written (${code}, a disk I/O error; the disk holding ${directory} has ${left} free)`);
}

/** Less than this left on a disk, an I/O error writing to it is taken for want of space. */
const nearlyFullBytes = 1024 * 1024;

/** What is left of the disk holding `directory` for this process's user, or undefined when it cannot be read. */
function freeBytes(directory: string): number | undefined {
  try {
    const { bavail, bsize } = fs.statfsSync(directory);
    return bavail * bsize;
  } catch {
    return undefined;
  }
}

function bytesShown(bytes: number): string {
  const units = ['bytes', 'KB', 'MB', 'GB', 'TB'];
  let unit = 0;
  while (bytes >= 1024 && unit < units.length - 1) (bytes /= 1024), (unit += 1);
  return `${unit === 0 ? bytes : bytes.toFixed(1)} ${units[unit]}`;
}

/**
 * Opens (creating if missing, unless the target refuses) a subgraph's database and brings its
 * schema up to date. With `waits` (a subgraph serving requests) every session of its MySQL pool is
 * bounded by them; without (the import command, the seed, benchmarks' loaders) the server's own
 * limits apply, as writes that legitimately run long must not be cut short. Migrations are never
 * bounded either: an ALTER may rewrite a large table, or wait for requests of the replicas still
 * running the old version. They run first, on a pool of their own; the server's kind is read
 * there. On MySQL they run under a lock of the database, so that replicas starting together wait
 * for one another, and each re-runnably, so that a start killed during them completes them the
 * next time (rerunnable-migrations.ts). A failure the operator acts on (a setting, a limit of the
 * server's, a migration's statement the database refused) is thrown as a StartFailure, told in one
 * line. Its pools let go of idle connections as `idle` says (poolIdle; a test passes a shorter time).
 */
export async function openDatabase(subgraph: string, target: DatabaseTarget, model: DataModel, logger?: Logger, waits?: DatabaseWaits, idle?: PoolIdle): Promise<DataSource> {
  try {
    return await openMigrated(subgraph, target, model, logger, waits, idle);
  } catch (error) {
    throw startFailureOf(error, target, `${target.kind === 'mysql' ? target.prefix : ''}${subgraph}`) ?? error;
  }
}

/**
 * The SQLite directory, made for its owner alone if it is missing: the databases and their locks
 * (sqlite-lock.ts) are made in it, and they hold the registers whole (names, citizen ID numbers,
 * the audit log), which were made readable by every user of the host. The directory is made 0700,
 * with the parents it lacks. A directory that exists is left as it is, and so are the files in it:
 * SQLITE_DIRECTORY may name one shared on purpose (with a backup's group), or one holding more than
 * the databases, which no subgraph should close; one that other users may enter is warned of at
 * every start. Within a directory only its owner enters, a database file of an earlier version
 * (0644) is read by no one else either. As data/dev-secrets.json's directory
 * (scripts/dev-secrets.ts), which is this one by default.
 */
export function makeSqliteDirectory(directory: string, logger?: Logger): void {
  const existed = fs.mkdirSync(directory, { recursive: true, mode: 0o700 }) === undefined;
  const mode = fs.statSync(directory).mode & 0o777;
  if (existed && mode & 0o077 && process.platform !== 'win32') {
    logger?.log('warn', `the SQLite directory ${directory} (SQLITE_DIRECTORY) may be read by other users of this host (mode ${mode.toString(8)}): its databases hold personal data; chmod 700 it unless they must`);
  }
}

/** A subgraph's database file, made 0600 before SQLite opens it (SQLite gives its WAL and shared-memory files the database's mode), in its directory (`makeSqliteDirectory`). */
function prepareSqliteFile(directory: string, subgraph: string, logger?: Logger): void {
  makeSqliteDirectory(directory, logger);
  // Appending makes a missing file and leaves one there as it is; the mode applies to one made now.
  fs.closeSync(fs.openSync(sqliteFile(directory, subgraph), 'a', 0o600));
}

async function openMigrated(subgraph: string, target: DatabaseTarget, model: DataModel, logger?: Logger, waits?: DatabaseWaits, idle?: PoolIdle): Promise<DataSource> {
  if (target.kind === 'sqlite' && target.directory !== ':memory:') prepareSqliteFile(target.directory, subgraph, logger);
  if (target.kind === 'mysql') await prepareMysqlDatabase(target, `${target.prefix}${subgraph}`, logger);
  const options = dataSourceOptions(subgraph, target, model, logger, undefined, idle);
  const migrated = target.kind === 'sqlite' ? await openSqlite(options) : await new DataSource(options).initialize();
  try {
    await runMigrationsOnce(migrated, logger);
  } catch (error) {
    await migrated.destroy();
    throw error;
  }
  if (target.kind !== 'mysql' || !waits) return migrated;
  let version: string;
  try {
    version = String(((await migrated.query('SELECT VERSION() AS version')) as { version: unknown }[])[0].version);
  } finally {
    await migrated.destroy();
  }
  // Which server answers, not which scheme the URL names: mysql:// reaches a MariaDB as well.
  const bounded = { waits, mariadb: /mariadb/i.test(version) };
  return await new DataSource(dataSourceOptions(subgraph, target, model, logger, bounded, idle)).initialize();
}
