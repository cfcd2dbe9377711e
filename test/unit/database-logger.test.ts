import mysql from 'mysql2/promise';
import { GraphQLError } from 'graphql';
import { QueryFailedError } from 'typeorm';
import { databaseLogger, failedStatement, failedStatementOf, quietDatabaseLogger } from '../../lib/database-logger';
import { createLogger } from '../../lib/logger';
import { CheckRequirementRepository } from '../../subgraphs/reports/check-requirement';
import { auditSubgraph } from '../../subgraphs/audit/subgraph';
import { reportsSubgraph } from '../../subgraphs/reports/subgraph';
import { openDatabase, slowStatementMs } from '../../subgraphs/shared/database';
import { migrationLockName } from '../../subgraphs/shared/rerunnable-migrations';
import { testDatabases } from '../helpers/databases';

const mysqlUrl = process.env.TEST_DATABASE_URL ?? 'mariadb://root@127.0.0.1:3306';
const name = '欧阳测试人';
const address = '北戴河区测试路99号隐私楼';

/** The lines a logger wrote (debug and above). */
function capturingLogger() {
  const lines: string[] = [];
  const logger = createLogger('entities', { level: 'debug', destination: { write: (line: string) => void lines.push(line) } });
  return { logger, lines };
}

/**
 * A failed statement's error holds its values: TypeORM's its `parameters`, mysql2's the statement
 * with every value written in (`sql`) and the refused value in its message. Logged whole, a
 * duplicate registration put a person's name and address in the log. Only the kind of failure,
 * the key it hit and the statement with its placeholders are logged.
 */
(mysqlUrl === 'off' ? describe.skip : describe)('a failed statement in the log, on MySQL', () => {
  let failure: QueryFailedError;
  const statement = 'INSERT INTO `subject_probe` (`identifier`, `name`, `address`) VALUES (?, ?, ?)';

  beforeAll(async () => {
    const url = new URL(mysqlUrl);
    const connection = await mysql.createConnection({ host: url.hostname, port: Number(url.port || 3306), user: decodeURIComponent(url.username) || 'root', password: decodeURIComponent(url.password) });
    try {
      await connection.query('CREATE TEMPORARY TABLE test.subject_probe (identifier varchar(18) PRIMARY KEY, name varchar(200), address varchar(300))');
      const values = ['130304199001011234', name, address];
      await connection.query(statement.replace('`subject_probe`', 'test.`subject_probe`'), values);
      try {
        await connection.query(statement.replace('`subject_probe`', 'test.`subject_probe`'), values);
        throw new Error('the duplicate was stored');
      } catch (error) {
        failure = new QueryFailedError(statement, values, error as Error);
      }
    } finally {
      await connection.end();
    }
  });

  it('is a real duplicate whose driver error spells out the values', () => {
    const driver = failure.driverError as unknown as { code: string; sql: string };
    expect(driver.code).toBe('ER_DUP_ENTRY');
    expect(driver.sql).toContain(address);
  });

  it('is logged by the database logger with its kind, key and placeholders, and none of its values', () => {
    const { logger, lines } = capturingLogger();
    databaseLogger(logger).logQueryError(failure, statement, failure.parameters);
    expect(lines).toHaveLength(1);
    const line = JSON.parse(lines[0]) as { level: string; failure: { code: string; message: string }; sql: string };
    // A unique key's refusal is for its caller to judge (lib/database-logger.ts): debug, not error.
    expect(line.level).toBe('debug');
    expect(line.failure).toMatchObject({ code: 'ER_DUP_ENTRY', message: expect.stringMatching(/^Duplicate entry '…' for key 'PRIMARY'$/) });
    expect(line.sql).toBe(statement);
    for (const value of [name, address, '130304199001011234', '1303']) expect(lines[0]).not.toContain(value);
  });

  it('is logged without its values when a resolver lets it through as an unexpected error', () => {
    const through = new GraphQLError('Duplicate entry', { originalError: failure });
    expect(failedStatementOf(through)).toBe(failure);
    expect(JSON.stringify(failedStatement(failedStatementOf(through)))).not.toContain(address);
    expect(failedStatementOf(new GraphQLError('other'))).toBeUndefined();
  });
});

/**
 * A report requirement sealed by two readers at once: the second insert hits the check's key, and
 * the seal reads the first back, on purpose (check-requirement.ts). The database logger must not
 * log that race at error level, which pages the operators; a statement that fails otherwise it
 * still logs at error, with its kind and placeholders.
 */
describe.each(testDatabases)('the database logger of a subgraph on $label', (database) => {
  const suite = 'dblog';
  const { logger, lines } = capturingLogger();
  let db: Awaited<ReturnType<typeof openDatabase>>;
  const logged = () => lines.map((line) => JSON.parse(line) as { level: string; msg: string; failure?: { code?: string } });

  beforeAll(async () => {
    db = await openDatabase('reports', database.target(suite), reportsSubgraph, databaseLogger(logger));
  });
  afterAll(async () => {
    await db?.destroy();
    await database.cleanUp(suite);
  });

  it('logs a unique key refusing the second of two seals of a check at debug, and no error', async () => {
    lines.length = 0;
    const requirements = new CheckRequirementRepository(db);
    const check = { id: 'check-raced-log', subjectId: 'subject-1', matter: 'GOVERNMENT_PROCUREMENT', checkedAt: new Date().toISOString() };
    const first = { required: false, satisfied: true, goodGrade: false, reliedOn: null, considered: [] };
    expect(await requirements.seal(check, first)).toEqual(first);
    expect(await requirements.seal(check, { ...first, satisfied: false })).toEqual(first);
    expect(logged().filter((line) => line.level === 'error')).toEqual([]);
    expect(logged().filter((line) => line.failure).map((line) => [line.level, line.msg])).toEqual([['debug', 'query refused by a unique key']]);
    expect(logged().find((line) => line.failure)!.failure!.code).toMatch(/^(ER_DUP_ENTRY|SQLITE_CONSTRAINT_PRIMARYKEY|SQLITE_CONSTRAINT_UNIQUE)$/);
  });

  it('logs a statement that ran longer than a second as a slow query, with its SQL and none of its values', async () => {
    lines.length = 0;
    const seconds = (slowStatementMs + 200) / 1000;
    if (database.label === 'sqlite') {
      // SQLite has no SLEEP: one for this connection, which holds the statement as long.
      const connection = (db.driver as unknown as { databaseConnection: { function: (name: string, fn: (s: number) => number) => void } }).databaseConnection;
      connection.function('sleep', (s: number) => (Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, s * 1000), 0));
    }
    await db.query('SELECT SLEEP(?) AS slept, ? AS name', [seconds, name]);
    const slow = logged().filter((line) => line.msg === 'slow query') as unknown as { level: string; durationMs: number; sql: string }[];
    expect(slow.map((line) => line.level)).toEqual(['warn']);
    expect(slow[0].durationMs).toBeGreaterThanOrEqual(slowStatementMs);
    expect(slow[0].sql).toContain('SELECT SLEEP(?)');
    expect(lines.join('\n')).not.toContain(name);
  });

  it('logs any other failed statement at error', async () => {
    lines.length = 0;
    await expect(db.query('SELECT * FROM no_such_table WHERE id = ?', ['130304199001011234'])).rejects.toThrow();
    expect(logged().map((line) => [line.level, line.msg])).toEqual([['error', 'query failed']]);
    expect(lines[0]).not.toContain('130304199001011234');
  });
});

/**
 * Migrations ran silently: 41 s on a large audit log with nothing at info level but `slow query`
 * warnings, and replicas waiting for another's migrations logged the wait for their lock as a slow
 * `SELECT GET_LOCK` (1.8-2.7 s), which reads as a fault. Each migration is logged at info as it
 * starts and ends, and the wait for the lock as what it is.
 */
describe.each(testDatabases)('the log of a subgraph’s migrations on $label', (database) => {
  const suite = 'miglog';
  afterAll(() => database.cleanUp(suite));
  const parsed = (lines: string[]) => lines.map((line) => JSON.parse(line) as { level: string; msg: string; sql?: string });

  it('tells at info each migration as it starts and as it ends, with its duration', async () => {
    await database.cleanUp(suite);
    const { logger, lines } = capturingLogger();
    const target = database.target(suite);
    await (await openDatabase('reports', target, reportsSubgraph, databaseLogger(logger))).destroy();
    const where = target.kind === 'mysql' ? `${target.prefix}reports` : ':memory:';
    const told = parsed(lines).filter((line) => line.level === 'info' && line.msg.startsWith('migration '));
    expect(told.map((line) => line.msg)).toEqual(
      reportsSubgraph.migrations.flatMap((m) => [`migration ${m.name} of ${where} started`, expect.stringMatching(new RegExp(`^migration ${m.name} of ${where} done in \\d+(\\.\\d)? (ms|s)$`))]),
    );
  });

  (database.label === 'mysql' ? it : it.skip)('tells at info that it waits for another replica’s migrations, and never reports the wait as a slow query', async () => {
    await database.cleanUp(suite);
    const target = database.target(suite) as Extract<ReturnType<typeof database.target>, { kind: 'mysql' }>;
    const name = `${target.prefix}audit`;
    const url = new URL(mysqlUrl);
    const holder = await mysql.createConnection({ host: url.hostname, port: Number(url.port || 3306), user: decodeURIComponent(url.username) || 'root', password: decodeURIComponent(url.password) });
    const { logger, lines } = capturingLogger();
    try {
      expect((await holder.query('SELECT GET_LOCK(?, 0) AS acquired', [migrationLockName(name)]))[0]).toEqual([{ acquired: 1 }]);
      const starting = openDatabase('audit', target, auditSubgraph, databaseLogger(logger));
      await new Promise((resolve) => setTimeout(resolve, slowStatementMs + 500));
      await holder.query('SELECT RELEASE_LOCK(?)', [migrationLockName(name)]);
      await (await starting).destroy();
    } finally {
      await holder.end();
    }
    const logged = parsed(lines);
    expect(logged.filter((line) => line.msg === 'slow query')).toEqual([]);
    expect(logged.filter((line) => line.level === 'info' && /another replica/.test(line.msg)).map((line) => line.msg)).toEqual([
      `waiting for another replica's migrations of ${name} (it holds their lock, ${migrationLockName(name)})`,
      expect.stringMatching(new RegExp(`^another replica's migrations of ${name} ended after \\d+(\\.\\d)? (ms|s) of waiting$`)),
    ]);
  });
});

/**
 * The quiet logger of a command or test that reports a failure itself (seed, import, migrate, a
 * test reading a refusal): TypeORM's own would print a failed statement with every value it held.
 */
describe('the quiet database logger', () => {
  it('logs no statement, failed or slow, nor a schema or migration detail, and hands TypeORM\'s messages to its caller', () => {
    const told: [string, unknown][] = [];
    const quiet = quietDatabaseLogger((level, message) => void told.push([level, message]));
    const printed = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    const warned = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      quiet.logQuery(`INSERT INTO subject (name) VALUES ('${name}')`);
      quiet.logQueryError('Duplicate entry', `INSERT INTO subject (name) VALUES ('${name}')`, [address]);
      quiet.logQuerySlow(1_500, 'SELECT 1', [address]);
      quiet.logSchemaBuild('schema');
      quiet.logMigration(`Migration failed: '${name}'`);
      quiet.log('info', 'migration AddColumn of entities started');
      quiet.log('warn', 'a warning');
      quietDatabaseLogger().log('warn', 'said to no one');
      expect([printed.mock.calls, warned.mock.calls]).toEqual([[], []]);
    } finally {
      printed.mockRestore();
      warned.mockRestore();
    }
    expect(told).toEqual([
      ['info', 'migration AddColumn of entities started'],
      ['warn', 'a warning'],
    ]);
  });
});
