import type { DataSource, EntityManager } from 'typeorm';
import type { IsolationLevel } from 'typeorm/driver/types/IsolationLevel';
import { isDeadlock, isUniqueViolation } from '../shared/database';
import { inTurn, isMysql, isSqlite } from '../shared/write-queue';

/** Attempts at a transaction that lost a race (a deadlock or a unique-key clash) before its error stands. */
export const writeAttempts = 4;

/**
 * Runs `work` in a transaction of its own, after the previous one on SQLite (on MySQL, row locks
 * order them, and two departments' imports, or four chunks of one, run at once). A deadlock or a
 * unique-key clash (an import and an objection, or two imports, racing on MySQL) is retried on a
 * fresh transaction, up to `writeAttempts` in all, as MySQL advises for deadlocks: `work` must
 * read what it decides on inside it. `isolation` applies on MySQL (on SQLite the queue already
 * serialises every write).
 */
export async function writeTransaction<T>(db: DataSource, work: (manager: EntityManager) => Promise<T>, isolation?: IsolationLevel): Promise<T> {
  const transaction = () => (isolation && isMysql(db.manager) ? db.transaction(isolation, work) : db.transaction(work));
  const attempts = async (): Promise<T> => {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await transaction();
      } catch (error) {
        if (attempt >= writeAttempts || !(isDeadlock(error) || isUniqueViolation(error))) throw error;
      }
    }
  };
  return isSqlite(db) ? await inTurn(db, attempts) : await attempts();
}

/** Rows read for a decision inside a transaction are locked on MySQL (SQLite's queue is the lock). */
export function lockFor(manager: EntityManager): 'pessimistic_write' | undefined {
  return isMysql(manager) ? 'pessimistic_write' : undefined;
}
