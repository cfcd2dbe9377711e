import path from 'node:path';
import Database from 'better-sqlite3';
import { StartFailure } from '../../lib/start-failure';
import { makeSqliteDirectory, sqliteFile, startFailureOf, type DatabaseTarget } from './database';

/** What a process holds while it serves (or seeds) subgraphs' SQLite files: let go when it stops, or by the system when it dies. */
export interface SqliteLock {
  release(): void;
}

/** Who holds a file's lock, as the process refused tells it. */
interface Holder {
  pid: number;
  holder: string;
  since: string;
}

/**
 * Takes, for this process, the lock of each named subgraph's SQLite file under `target`, or
 * refuses with a one-line StartFailure naming the file, its directory and the process holding it,
 * before any database is opened. Nothing to take for MySQL, which its replicas share by design,
 * nor in memory. `holder` is how a process refused names this one: "the audit subgraph".
 *
 * Two platforms started on one directory (another `npm start` on other ports) once served the
 * same files side by side without a word, each subgraph's write queue ordering its own process's
 * writes only: their writes met as SQLite's busy errors, answered AUDIT_UNAVAILABLE by the audit
 * log's. A subgraph process takes its file's lock, so that a second one on the file stops at
 * start; the demo seed (`npm start`'s) takes all five before it opens any. The import command
 * takes none: it writes records' file beside the running subgraph by design (writeTransaction
 * retries the two).
 *
 * The lock is the operating system's, not a file's presence: a lock file `<database>.lock` beside
 * each database, a SQLite database whose write lock (RESERVED, which readers pass) this process
 * holds open until it stops. The system lets go of it when the process dies, a kill -9 included,
 * so no stale lock outlives its holder, and no process id, which a reboot may give another
 * program, is taken for one. The holder's process id is written in it only to be named.
 */
export function lockSqliteDatabases(target: DatabaseTarget, subgraphs: readonly string[], holder: string): SqliteLock {
  const held: Database.Database[] = [];
  const release = () => {
    for (const lock of held.splice(0)) lock.close();
  };
  if (target.kind !== 'sqlite' || target.directory === ':memory:') return { release };
  const directory = target.directory;
  try {
    for (const subgraph of subgraphs) {
      try {
        makeSqliteDirectory(directory);
        held.push(takeLock(directory, sqliteFile(directory, subgraph), holder));
      } catch (error) {
        throw startFailureOf(error, target, subgraph) ?? error;
      }
    }
  } catch (error) {
    release();
    throw error;
  }
  return { release };
}

/** How long a holder's commit and a refused process's read of the holder wait for each other: moments. */
const holderReadMs = 2_000;

function takeLock(directory: string, database: string, holder: string): Database.Database {
  const file = `${database}.lock`;
  // A busy timeout of 0: a held lock is never let go of while its holder runs, so waiting is pointless.
  const lock = new Database(file, { timeout: 0 });
  try {
    // The holder is recorded in a transaction of its own, committed (readers see only what is),
    // and the lock taken again: another process that takes it in between is then the holder named.
    holdOrRefuse(lock, directory, database);
    lock.pragma(`busy_timeout = ${holderReadMs}`);
    lock.exec('CREATE TABLE IF NOT EXISTS holder (pid INTEGER NOT NULL, holder TEXT NOT NULL, since TEXT NOT NULL)');
    lock.exec('DELETE FROM holder');
    lock.prepare('INSERT INTO holder (pid, holder, since) VALUES (?, ?, ?)').run(process.pid, holder, new Date().toISOString().replace(/\.\d+Z$/, 'Z'));
    lock.exec('COMMIT');
    lock.pragma('busy_timeout = 0');
    holdOrRefuse(lock, directory, database);
    return lock;
  } catch (error) {
    lock.close();
    throw error;
  }
}

/** Begins the write transaction that is the lock, or refuses naming the process that holds it. */
function holdOrRefuse(lock: Database.Database, directory: string, database: string): void {
  try {
    lock.exec('BEGIN IMMEDIATE');
  } catch (error) {
    if ((error as { code?: unknown }).code !== 'SQLITE_BUSY') throw error;
    const name = path.basename(database);
    throw new StartFailure(
      `the SQLite directory ${directory} is in use: ${name} is held by ${describeHolder(readHolder(lock))} (its lock, ${name}.lock); ` +
        'a directory serves one platform at a time: stop that one (another npm start in this directory?), or give this one a directory of its own (SQLITE_DIRECTORY)',
    );
  }
}

function readHolder(lock: Database.Database): Holder | undefined {
  lock.pragma(`busy_timeout = ${holderReadMs}`);
  try {
    return lock.prepare('SELECT pid, holder, since FROM holder').get() as Holder | undefined;
  } catch {
    // Its holder has not recorded itself yet (the file is new), or the read met its commit.
    return undefined;
  }
}

function describeHolder(holder: Holder | undefined): string {
  return holder ? `${holder.holder}, process ${holder.pid}, since ${holder.since}` : 'another process';
}
