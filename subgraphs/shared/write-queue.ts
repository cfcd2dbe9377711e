import type { DataSource, EntityManager } from 'typeorm';

// SQLite: every transaction of a DataSource shares its one connection, and TypeORM opens a second
// one begun meanwhile as a savepoint of the first: two transactions interleaved in one process
// would mix their statements, and one's rollback would undo the other's. A write that must not
// interleave waits its turn here; on MySQL each transaction has its own connection and its locks.
const queues = new WeakMap<DataSource, Promise<unknown>>();

/** Runs `task` once the previous task given for this DataSource has settled. */
export function inTurn<T>(db: DataSource, task: () => Promise<T>): Promise<T> {
  const run = (queues.get(db) ?? Promise.resolve()).then(task);
  queues.set(
    db,
    run.catch(() => undefined),
  );
  return run;
}

export function isSqlite(db: DataSource): boolean {
  return db.options.type === 'better-sqlite3';
}

export function isMysql(manager: EntityManager): boolean {
  const type = manager.connection.options.type;
  return type === 'mysql' || type === 'mariadb';
}
