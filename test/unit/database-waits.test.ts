import { GraphQLError } from 'graphql';
import { QueryFailedError } from 'typeorm';
import { defaultDatabaseWaits, exceededDatabaseWait, isDatabaseConnectionLoss, poolWaitExceededCode } from '../../subgraphs/shared/database';
import { settingsReadBy } from '../../lib/settings';
import { readSubgraphConfig } from '../../subgraphs/shared/subgraph';
import { configRefusal } from '../helpers/config';

const secret = 'a-test-signing-key-of-at-least-32-bytes!';
const configError = (env: Record<string, string>): string => configRefusal(() => readSubgraphConfig('records', { GATEWAY_SIGNING_KEY: secret, ...env }, []));

describe("a subgraph's database waits", () => {
  it('are a little below the gateway\'s 10 s subgraph timeout unless set, and read like the other settings', () => {
    expect(defaultDatabaseWaits).toEqual({ statementMs: 8_000, lockSeconds: 5, poolMs: 5_000 });
    expect(readSubgraphConfig('records', { GATEWAY_SIGNING_KEY: secret }, []).databaseWaits).toEqual(defaultDatabaseWaits);
    const set = readSubgraphConfig('records', { GATEWAY_SIGNING_KEY: secret, DATABASE_STATEMENT_TIMEOUT_MS: '3000', DATABASE_LOCK_TIMEOUT_SECONDS: '2', DATABASE_POOL_TIMEOUT_MS: '1500' }, []);
    expect(set.databaseWaits).toEqual({ statementMs: 3000, lockSeconds: 2, poolMs: 1500 });
    expect(settingsReadBy('subgraphs')).toEqual(expect.arrayContaining(['DATABASE_STATEMENT_TIMEOUT_MS', 'DATABASE_LOCK_TIMEOUT_SECONDS', 'DATABASE_POOL_TIMEOUT_MS']));
  });

  it('cannot be switched off or made unbounded, and every bad one is reported at once', () => {
    expect(configError({ DATABASE_STATEMENT_TIMEOUT_MS: '0', DATABASE_LOCK_TIMEOUT_SECONDS: '1.5', DATABASE_POOL_TIMEOUT_MS: '5s' }).split('\n')).toEqual([
      '3 configuration problems:',
      '  - DATABASE_STATEMENT_TIMEOUT_MS must be a whole number of milliseconds between 100 and 600000, got "0"',
      '  - DATABASE_LOCK_TIMEOUT_SECONDS must be a whole number of seconds between 1 and 600, got "1.5"',
      '  - DATABASE_POOL_TIMEOUT_MS must be a whole number of milliseconds between 100 and 600000, got "5s"',
    ]);
    expect(configError({ DATABASE_LOCK_TIMEOUT_SECONDS: '601' })).toBe('DATABASE_LOCK_TIMEOUT_SECONDS must be a whole number of seconds between 1 and 600, got "601"');
  });

  it('in milliseconds are at least 100, a smaller one asked whether seconds were meant', () => {
    expect(configError({ DATABASE_STATEMENT_TIMEOUT_MS: '8', DATABASE_POOL_TIMEOUT_MS: '5' }).split('\n')).toEqual([
      '2 configuration problems:',
      '  - DATABASE_STATEMENT_TIMEOUT_MS must be a whole number of milliseconds between 100 and 600000, got "8": milliseconds, did you mean 8000?',
      '  - DATABASE_POOL_TIMEOUT_MS must be a whole number of milliseconds between 100 and 600000, got "5": milliseconds, did you mean 5000?',
    ]);
    expect(readSubgraphConfig('records', { GATEWAY_SIGNING_KEY: secret, DATABASE_STATEMENT_TIMEOUT_MS: '100', DATABASE_POOL_TIMEOUT_MS: '100' }, []).databaseWaits).toMatchObject({ statementMs: 100, poolMs: 100 });
  });
});

describe('exceededDatabaseWait', () => {
  // As mysql2 reports them: `code` from MySQL's list of names, which lacks MariaDB's own 1969.
  const driverError = (fields: Record<string, unknown>) => Object.assign(new Error('driver'), fields);
  const failed = (driver: Error) => new QueryFailedError('SELECT 1', [], driver);
  const asGraphQL = (error: Error) => new GraphQLError('wrapped', { originalError: error });

  it('names the wait that ran out, through the errors wrapping the driver\'s', () => {
    expect(exceededDatabaseWait(asGraphQL(failed(driverError({ errno: 1969, sqlState: '70100' }))))).toBe('statement');
    expect(exceededDatabaseWait(asGraphQL(failed(driverError({ errno: 3024, code: 'ER_QUERY_TIMEOUT' }))))).toBe('statement');
    expect(exceededDatabaseWait(asGraphQL(failed(driverError({ errno: 1205, code: 'ER_LOCK_WAIT_TIMEOUT' }))))).toBe('lock');
    expect(exceededDatabaseWait(asGraphQL(driverError({ code: poolWaitExceededCode })))).toBe('pool');
  });

  it('leaves every other failure alone: a deadlock is retried, a lost connection is told as such, a bug stays masked', () => {
    expect(exceededDatabaseWait(failed(driverError({ errno: 1213, code: 'ER_LOCK_DEADLOCK' })))).toBeUndefined();
    expect(exceededDatabaseWait(failed(driverError({ errno: 1317, code: 'ER_QUERY_INTERRUPTED' })))).toBeUndefined();
    expect(exceededDatabaseWait(asGraphQL(new TypeError('x is undefined')))).toBeUndefined();
    const lost = driverError({ code: 'PROTOCOL_CONNECTION_LOST', fatal: true });
    expect(exceededDatabaseWait(lost)).toBeUndefined();
    expect(isDatabaseConnectionLoss(lost)).toBe(true);
    expect(isDatabaseConnectionLoss(failed(driverError({ errno: 1205, code: 'ER_LOCK_WAIT_TIMEOUT' })))).toBe(false);
  });
});
