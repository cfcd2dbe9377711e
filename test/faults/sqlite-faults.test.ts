import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import type { DataSource } from 'typeorm';
import type { AbstractSqliteDriver } from 'typeorm/driver/sqlite-abstract/AbstractSqliteDriver';
import { catalogueFingerprint } from '../../lib/catalogue/fingerprint';
import { citizenIdNumber } from '../../lib/identifiers/citizen-id-number';
import { entitiesSubgraph } from '../../subgraphs/entities/subgraph';
import { openDatabase } from '../../subgraphs/shared/database';
import { startSubgraph, type StartedSubgraph } from '../../subgraphs/shared/subgraph';
import { postGraphQL } from '../helpers/graphql';
import { signedBy, testSigningKey } from '../helpers/identity';
import { quietDatabaseLogger } from '../../lib/database-logger';

/**
 * The embedded SQLite default meeting a fault of its disk or file, played on the file itself: a
 * disk full at SQLite's own page limit (max_page_count, which fails as a full disk does), a file it
 * may not write (query_only, which fails as a read-only directory does), a file deleted or replaced
 * while open. The client is told DATABASE_UNAVAILABLE in words saying which, as for MySQL's
 * outages: nothing was stored, and the same request succeeds once the fault is mended; the
 * operator's log has SQLite's own code.
 */
const REGISTER = /* GraphQL */ `
  mutation Register($code: String!) { registerSubject(input: { kind: NATURAL_PERSON, name: "李娜", code: $code }) { id } }
`;

/** The driver's errors are expected here; the subgraph's answers say what the test checks. */
const quiet = quietDatabaseLogger();

describe("a subgraph whose SQLite database's disk or file fails", () => {
  let directory: string;
  let db: DataSource;
  let subgraph: StartedSubgraph;
  let logged: jest.SpyInstance;

  beforeEach(async () => {
    logged = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    directory = fs.mkdtempSync(path.join(os.tmpdir(), 'sqlite-faults-'));
    db = await openDatabase('entities', { kind: 'sqlite', directory }, entitiesSubgraph, quiet);
    subgraph = await startSubgraph(entitiesSubgraph, db, { port: 0, signingKey: testSigningKey });
  });
  afterEach(async () => {
    await subgraph?.stop();
    await db?.destroy();
    fs.rmSync(directory, { recursive: true, force: true });
    logged.mockRestore();
  });

  let sequence = 100;
  const register = async () => {
    const code = citizenIdNumber({ division: '130304', birthDate: '19800115', sequence: String(sequence++) });
    return postGraphQL<{ registerSubject: { id: string } | null }>(subgraph.url, { query: REGISTER, variables: { code } }, await signedBy());
  };
  // README, Errors: `reason` says which fault; no `retryAfterSeconds` where no retry mends it (an operator must act).
  const refusal = (answer: Awaited<ReturnType<typeof register>>) => answer.errors?.map((e) => [e.message, e.extensions?.code, e.extensions?.reason, e.extensions?.retryAfterSeconds]);

  it('answers DATABASE_UNAVAILABLE saying the disk is full, and stores again once there is room', async () => {
    const [{ page_count: pages }] = (await db.query('PRAGMA page_count')) as { page_count: number }[];
    await db.query(`PRAGMA max_page_count = ${pages}`);
    // The file may not grow: one of the next registrations finds no room in its pages.
    let answer = await register();
    for (let tries = 0; tries < 200 && !answer.errors; tries++) answer = await register();
    expect(refusal(answer)).toEqual([['the entities subgraph could not write its database: the disk holding it is full, until space is freed on it', 'DATABASE_UNAVAILABLE', 'DISK_FULL', undefined]]);
    expect(logged).toHaveBeenCalledWith('[entities] the entities subgraph could not write its database: the disk holding it is full, until space is freed on it', expect.objectContaining({ failure: expect.objectContaining({ code: 'SQLITE_FULL' }) }));

    await db.query('PRAGMA max_page_count = 1073741823');
    const later = await register();
    expect(later.errors).toBeUndefined();
    expect(later.data?.registerSubject?.id).toEqual(expect.any(String));
  });

  it('answers DATABASE_UNAVAILABLE saying the database may not be written', async () => {
    await db.query('PRAGMA query_only = ON');
    const answer = await register();
    expect(refusal(answer)).toEqual([['the entities subgraph could not write its database: its file or directory is read-only, until it is made writable', 'DATABASE_UNAVAILABLE', 'READ_ONLY', undefined]]);
    expect(logged).toHaveBeenCalledWith(expect.stringContaining('read-only'), expect.objectContaining({ failure: expect.objectContaining({ code: 'SQLITE_READONLY' }) }));
    await db.query('PRAGMA query_only = OFF');
    expect((await register()).errors).toBeUndefined();
  });

  // No retry mends these either: an I/O error is the disk or its file system failing (SQLite retried
  // the interrupted calls itself), and the file opened at start leaves what it cannot open now a file
  // beside it, in a directory it may not write or with no file descriptor left. Played on the driver,
  // as a disk cannot be made to fail here.
  it.each([
    ['SQLITE_IOERR_WRITE', 'disk I/O error', 'the entities subgraph could not read or write its database: the disk or file system under it failed (an I/O error), until an operator mends it', 'IO_ERROR'],
    ['SQLITE_CANTOPEN', 'unable to open database file', 'the entities subgraph could not open a file of its database (a journal or temporary file), until an operator makes its directory writable or lets the subgraph open more files', 'CANNOT_OPEN'],
  ])('answers %s as DATABASE_UNAVAILABLE without retryAfterSeconds, saying what mends it, and stores again once mended', async (code, text, told, reason) => {
    const connection: BetterSqlite3.Database = (db.driver as AbstractSqliteDriver).databaseConnection;
    const prepare = connection.prepare.bind(connection);
    const failing = jest.spyOn(connection, 'prepare').mockImplementation((sql: string) => {
      if (sql.startsWith('INSERT')) throw new BetterSqlite3.SqliteError(text, code);
      return prepare(sql);
    });
    const answer = await register();
    expect(refusal(answer)).toEqual([[told, 'DATABASE_UNAVAILABLE', reason, undefined]]);
    expect(logged).toHaveBeenCalledWith(`[entities] ${told}`, expect.anything());

    failing.mockRestore();
    expect((await register()).errors).toBeUndefined();
  });

  const ready = async () => {
    const response = await fetch(`${new URL(subgraph.url).origin}/ready`);
    return { status: response.status, body: (await response.json()) as unknown };
  };
  const file = () => path.join(directory, 'entities.sqlite');
  const gone = 'the entities subgraph could not write its database: its file was deleted or replaced while the subgraph had it open, until the file is restored and the subgraph restarted';

  it('is not ready, and refuses writes, once its file is deleted (its directory with it): what it wrote would be lost at its next start', async () => {
    expect((await register()).errors).toBeUndefined();
    fs.rmSync(directory, { recursive: true });

    expect(await ready()).toEqual({ status: 503, body: { status: 'not ready', catalogueFingerprint, checks: { database: { ok: false, detail: 'the database file was deleted or replaced while the subgraph had it open: restart it once the file is restored' } } } });
    expect(logged).toHaveBeenCalledWith(`[entities] the SQLite database file ${file()} was deleted while the subgraph had it open: nothing more is written to it; restore the file and restart the subgraph`);
    const refused = await register();
    expect(refusal(refused)).toEqual([[gone, 'DATABASE_UNAVAILABLE', 'FILE_REPLACED', undefined]]);
    expect(logged).toHaveBeenCalledWith(`[entities] ${gone}`, expect.objectContaining({ originalError: expect.objectContaining({ code: 'SQLITE_READONLY_DBMOVED', message: expect.stringContaining(file()) }) }));
  });

  it('is not ready, and refuses writes, once another file stands at its path', async () => {
    fs.copyFileSync(file(), `${file()}.copy`);
    fs.renameSync(`${file()}.copy`, file());

    expect((await ready()).status).toBe(503);
    expect(logged).toHaveBeenCalledWith(expect.stringContaining('was replaced by another file while the subgraph had it open'));
    expect(refusal(await register())).toEqual([[gone, 'DATABASE_UNAVAILABLE', 'FILE_REPLACED', undefined]]);
  });

  it('is ready, and writes, while its file stays where it was opened', async () => {
    expect(await ready()).toEqual({ status: 200, body: { status: 'ready', catalogueFingerprint, checks: { database: { ok: true } } } });
    expect((await register()).errors).toBeUndefined();
  });
});
