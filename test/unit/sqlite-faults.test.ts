import { GraphQLError } from 'graphql';
import { QueryFailedError } from 'typeorm';
import { sqliteFault } from '../../subgraphs/shared/database';

/**
 * A fault of the embedded SQLite's file or disk is told to the client as DATABASE_UNAVAILABLE in
 * words saying which (subgraph.ts `databaseFault`), by better-sqlite3's code, extended codes counting
 * as their primary, through the wrappers a resolver's error reaches formatError in.
 */
describe("a SQLite error's fault of its file or disk", () => {
  const failed = (code: string) => new GraphQLError('failed', { originalError: new QueryFailedError('INSERT …', [], Object.assign(new Error(code), { code })) });

  it.each([
    ['SQLITE_FULL', 'full'],
    ['SQLITE_READONLY', 'readOnly'],
    ['SQLITE_READONLY_DIRECTORY', 'readOnly'],
    ['SQLITE_READONLY_DBMOVED', 'moved'],
    ['SQLITE_IOERR', 'io'],
    ['SQLITE_IOERR_WRITE', 'io'],
    ['SQLITE_IOERR_FSYNC', 'io'],
    ['SQLITE_CANTOPEN', 'cannotOpen'],
    ['SQLITE_BUSY', 'busy'],
    ['SQLITE_BUSY_SNAPSHOT', 'busy'],
  ])('is named from %s', (code, fault) => {
    expect(sqliteFault(failed(code))).toBe(fault);
  });

  it.each(['SQLITE_CONSTRAINT_UNIQUE', 'SQLITE_ERROR', 'ER_DUP_ENTRY'])('is none for %s, a fault of the request or a bug', (code) => {
    expect(sqliteFault(failed(code))).toBeUndefined();
  });
});
