import { GraphQLError } from 'graphql';
import { QueryFailedError } from 'typeorm';
import { storageFault } from '../../subgraphs/shared/database';

/**
 * A fault of the database's disk or file is told to the client as DATABASE_UNAVAILABLE in words
 * saying which (subgraph.ts `databaseFault`), by the driver's code (better-sqlite3's, extended
 * codes counting as their primary; mysql2's, with the server's message where one code means
 * several things), through the wrappers a resolver's error reaches formatError in.
 */
describe("a database error's fault of its disk or file", () => {
  const failed = (code: string, sqlMessage?: string) =>
    new GraphQLError('failed', { originalError: new QueryFailedError('INSERT …', [], Object.assign(new Error(sqlMessage ?? code), { code, ...(sqlMessage ? { sqlMessage } : {}) })) });

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
  ])('is named from SQLite’s %s', (code, fault) => {
    expect(storageFault(failed(code))).toBe(fault);
  });

  // MariaDB 10.11's own words, as a probe with its disk full and with --read-only met them.
  it.each([
    ['ER_RECORD_FILE_FULL', "The table 'credit_check' is full", 'full'],
    ['ER_DISK_FULL', "Disk got full writing 'information_schema.(temporary)' (Errcode: 28 \"No space left on device\")", 'full'],
    ['EE_WRITE', "Error writing file './credit_records/credit_check.ibd' (Errcode: 28 \"No space left on device\")", 'full'],
    ['ER_GET_ERRNO', 'Got error 28 "No space left on device" from storage engine InnoDB', 'full'],
    ['ER_OPTION_PREVENTS_STATEMENT', 'The MariaDB server is running with the --read-only option so it cannot execute this statement', 'serverReadOnly'],
    ['ER_OPTION_PREVENTS_STATEMENT', 'The MySQL server is running with the --super-read-only option so it cannot execute this statement', 'serverReadOnly'],
    ['ER_CANT_EXECUTE_IN_READ_ONLY_TRANSACTION', 'Cannot execute statement in a READ ONLY transaction', 'serverReadOnly'],
  ])('is named from MySQL/MariaDB’s %s ("%s")', (code, message, fault) => {
    expect(storageFault(failed(code, message))).toBe(fault);
  });

  it.each([
    ['SQLITE_CONSTRAINT_UNIQUE', undefined],
    ['SQLITE_ERROR', undefined],
    ['ER_DUP_ENTRY', "Duplicate entry '1' for key 'PRIMARY'"],
    // Another option's refusal, or another OS error of a write: not the disk full, nor the server read-only.
    ['ER_OPTION_PREVENTS_STATEMENT', 'The MariaDB server is running with the --secure-file-priv option so it cannot execute this statement'],
    ['EE_WRITE', "Error writing file './x' (Errcode: 5 \"Input/output error\")"],
  ])('is none for %s, a fault of the request, a bug or another fault', (code, message) => {
    expect(storageFault(failed(code, message))).toBeUndefined();
  });
});
