import { QueryFailedError, type DataSource, type EntityManager } from 'typeorm';

// SQLite: every transaction of a DataSource shares its one connection, so two transactions
// interleaved in one process would mix their statements. Writes queue per DataSource there; on
// MySQL each transaction has its own connection and row locks order them.
const queues = new WeakMap<DataSource, Promise<unknown>>();

function isSqlite(db: DataSource): boolean {
  return db.options.type === 'better-sqlite3';
}

export function isMysql(manager: EntityManager): boolean {
  const type = manager.connection.options.type;
  return type === 'mysql' || type === 'mariadb';
}

/**
 * Runs `work` in a transaction of its own, after the previous one on SQLite. A unique-key clash or
 * a deadlock (two departments' imports, or an import and an objection, racing on MySQL) is
 * retried once on a fresh transaction: `work` must read what it decides on inside it.
 */
export async function writeTransaction<T>(db: DataSource, work: (manager: EntityManager) => Promise<T>): Promise<T> {
  const attempt = async (): Promise<T> => {
    try {
      return await db.transaction(work);
    } catch (error) {
      if (!isRetryable(error)) throw error;
      return await db.transaction(work);
    }
  };
  if (!isSqlite(db)) return await attempt();
  const run = (queues.get(db) ?? Promise.resolve()).then(attempt);
  queues.set(
    db,
    run.catch(() => undefined),
  );
  return await run;
}

/** Rows read for a decision inside a transaction are locked on MySQL (SQLite's queue is the lock). */
export function lockFor(manager: EntityManager): 'pessimistic_write' | undefined {
  return isMysql(manager) ? 'pessimistic_write' : undefined;
}

function isRetryable(error: unknown): boolean {
  if (!(error instanceof QueryFailedError)) return false;
  const driverError: unknown = error.driverError;
  const code = driverError instanceof Object && 'code' in driverError ? driverError.code : undefined;
  return code === 'ER_DUP_ENTRY' || code === 'ER_LOCK_DEADLOCK' || code === 'SQLITE_CONSTRAINT_UNIQUE';
}
