import type { DataSource, EntityManager } from 'typeorm';
import type { IsolationLevel } from 'typeorm/driver/types/IsolationLevel';
import { setTimeout as sleep } from 'node:timers/promises';
import type { RequestDeadline } from '../../lib/deadline';
import { isDeadlock, isSqliteBusy, isUniqueViolation } from './database';
import { assertSqliteFileInPlace } from './sqlite-connection';

// SQLite: every transaction of a DataSource shares its one connection, and TypeORM opens a second
// one begun meanwhile as a savepoint of the first: two transactions interleaved in one process
// would mix their statements, and one's rollback would undo the other's. A write that must not
// interleave waits its turn here; on MySQL each transaction has its own connection and its locks.
const queues = new WeakMap<DataSource, Promise<unknown>>();

/**
 * Runs `task` once the previous task given for this DataSource has settled; on SQLite, only while
 * its file is where it was opened (sqlite-connection.ts), every write of the process taking its turn here.
 */
export function inTurn<T>(db: DataSource, task: () => Promise<T>): Promise<T> {
  const run = (queues.get(db) ?? Promise.resolve()).then(() => {
    assertSqliteFileInPlace(db);
    return task();
  });
  queues.set(
    db,
    run.catch(() => undefined),
  );
  return run;
}

/**
 * A write of one statement, outside any transaction. On SQLite it takes its turn like the
 * transactions do: run while one of them is open on the shared connection, it would become part
 * of that transaction and be undone by its rollback (a credit check stored while an objection's
 * decision failed would be lost). On MySQL it runs at once on a connection of its own, and is
 * sent again when MySQL ended it to break a deadlock (`whileRaceLost`): one statement waiting on
 * a row whose INSERT fails may deadlock with another waiting on it (two requests sealing a check
 * that a third's INSERT of several held), and its rollback stored nothing. Its unique-key clash
 * stands: that is its caller's to read (a seal another request stored first).
 */
export function writeAlone<T>(db: DataSource, write: () => Promise<T>, deadline?: RequestDeadline): Promise<T> {
  // One statement has no commit to refuse: it is not sent once too little of the request's time is left.
  const guarded = deadline ? async () => (await deadline.assertCallerWaits(), await write()) : write;
  const attempts = () => whileRaceLost(guarded, isDeadlock);
  return isSqlite(db) ? inTurn(db, () => whileSqliteBusy(attempts)) : attempts();
}

/**
 * How long a write keeps trying while another process (the import command beside the subgraph,
 * on one SQLite file) holds the write lock or wrote since it read: far longer than a chunk's commit.
 */
const sqliteBusyPatienceMs = 10_000;
/** The pause between two tries: random, so that two processes that met once do not meet again. */
const sqliteBusyPauseMs = { min: 5, max: 50 };

/**
 * Runs `write` again while SQLite refuses it as busy. The driver's own wait (`sqliteBusyTimeoutMs`)
 * is short and blocks the process; and a transaction that read before it writes is refused at
 * once, without waiting (SQLite would otherwise deadlock two such transactions).
 */
async function whileSqliteBusy<T>(write: () => Promise<T>): Promise<T> {
  const patientUntil = Date.now() + sqliteBusyPatienceMs;
  for (;;) {
    try {
      return await write();
    } catch (error) {
      if (!isSqliteBusy(error) || Date.now() >= patientUntil) throw error;
      await sleep(sqliteBusyPauseMs.min + Math.random() * (sqliteBusyPauseMs.max - sqliteBusyPauseMs.min));
    }
  }
}

export function isSqlite(db: DataSource): boolean {
  return db.options.type === 'better-sqlite3';
}

export function isMysql(manager: EntityManager): boolean {
  const type = manager.connection.options.type;
  return type === 'mysql' || type === 'mariadb';
}

/**
 * Attempts at a write that lost a race (a deadlock, or for a transaction a unique-key clash) before
 * its error stands: a deadlock then reaches the client as DATABASE_UNAVAILABLE, reason BUSY
 * (subgraph.ts databaseFault), as a SQLite file still busy once `whileSqliteBusy` gave up does.
 */
export const writeAttempts = 4;

/**
 * Runs `write` again while it fails as a race `lost` (each attempt rolled back whole by the
 * database), up to `writeAttempts` in all, as MySQL advises for deadlocks; the last error stands.
 */
async function whileRaceLost<T>(write: () => Promise<T>, lost: (error: unknown) => boolean): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await write();
    } catch (error) {
      if (attempt >= writeAttempts || !lost(error)) throw error;
    }
  }
}

/**
 * Runs `work` in a transaction of its own, after the previous one on SQLite (on MySQL, row locks
 * order them, and two departments' imports, or four chunks of one, run at once). A deadlock or a
 * unique-key clash (an import and an objection, or two imports, racing on MySQL) is retried on a
 * fresh transaction, up to `writeAttempts` in all, as MySQL advises for deadlocks: `work` must
 * read what it decides on inside it. On SQLite the queue orders this process's transactions only;
 * one refused because another process holds the file is retried too (`whileSqliteBusy`).
 * `isolation` applies on MySQL (on SQLite the queue already serialises every write). With the
 * request's `deadline`, it does not commit once too little time is left to answer in time.
 */
export async function writeTransaction<T>(db: DataSource, work: (manager: EntityManager) => Promise<T>, isolation?: IsolationLevel, deadline?: RequestDeadline): Promise<T> {
  // The request's deadline (lib/deadline.ts): checked before the transaction begins, and after its
  // work, before it commits; too little time left, it is rolled back and the client told so.
  const guarded = deadline
    ? async (manager: EntityManager) => {
        const result = await work(manager);
        await deadline.assertCallerWaits();
        return result;
      }
    : work;
  const transaction = () => {
    deadline?.assertTimeToCommit();
    return isolation && isMysql(db.manager) ? db.transaction(isolation, guarded) : db.transaction(guarded);
  };
  const attempts = () => whileRaceLost(transaction, (error) => isDeadlock(error) || isUniqueViolation(error));
  return isSqlite(db) ? await inTurn(db, () => whileSqliteBusy(attempts)) : await attempts();
}

/** Rows read for a decision inside a transaction are locked on MySQL (SQLite's queue is the lock). */
export function lockFor(manager: EntityManager): { mode: 'pessimistic_write' } | undefined {
  return isMysql(manager) ? { mode: 'pessimistic_write' } : undefined;
}
