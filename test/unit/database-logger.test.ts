import mysql from 'mysql2/promise';
import { GraphQLError } from 'graphql';
import { QueryFailedError } from 'typeorm';
import { databaseLogger, failedStatement, failedStatementOf } from '../../lib/database-logger';
import { createLogger } from '../../lib/logger';

const mysqlUrl = process.env.TEST_DATABASE_URL ?? 'mariadb://root@127.0.0.1:3306';
const name = '欧阳测试人';
const address = '北戴河区测试路99号隐私楼';

/** The lines a logger wrote. */
function capturingLogger() {
  const lines: string[] = [];
  const logger = createLogger('entities', { destination: { write: (line: string) => void lines.push(line) } });
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
    const line = JSON.parse(lines[0]) as { failure: { code: string; message: string }; sql: string };
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
