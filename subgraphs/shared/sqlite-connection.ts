import fs from 'node:fs';
import { DataSource, type DataSourceOptions } from 'typeorm';
import type { BetterSqlite3Driver } from 'typeorm/driver/better-sqlite3/BetterSqlite3Driver';
import { BetterSqlite3QueryRunner } from 'typeorm/driver/better-sqlite3/BetterSqlite3QueryRunner';
import type { IsolationLevel } from 'typeorm/driver/types/IsolationLevel';

/**
 * The one connection of a SQLite DataSource, through which all its transactions pass (migrations,
 * seeds, `writeTransaction`, the audit log's chain lock), its idea of an open transaction kept to
 * SQLite's own. SQLite rolls a transaction back by itself when a statement fails for want of disk
 * (SQLITE_FULL) or memory (SQLITE_NOMEM), on an I/O error (SQLITE_IOERR), at times when busy.
 * TypeORM's runner then failed its ROLLBACK ("no transaction is active"), which hid why the
 * transaction failed, and went on believing it open: the next transaction was begun as a savepoint
 * of none, and the first of those to fail was rolled back to its savepoint, which leaves a real
 * transaction open that nothing commits. Every write after it was answered as stored, held the
 * file's write lock, and was lost when the process stopped.
 */
class SqliteConnection extends BetterSqlite3QueryRunner {
  override async startTransaction(isolationLevel?: IsolationLevel): Promise<void> {
    // Begun while SQLite has none open, a transaction must begin one, never a savepoint of none.
    this.forgetEndedTransaction();
    await super.startTransaction(isolationLevel);
  }

  override async rollbackTransaction(): Promise<void> {
    // SQLite has rolled it back already: nothing is left to undo.
    if (this.forgetEndedTransaction()) return;
    try {
      await super.rollbackTransaction();
    } finally {
      // A ROLLBACK TO a savepoint of a transaction SQLite ended meanwhile fails: the transaction is over all the same.
      this.forgetEndedTransaction();
    }
  }

  /**
   * Whether TypeORM believed a transaction open that SQLite has ended; it no longer does. Coupled
   * to TypeORM's AbstractSqliteQueryRunner, whose transaction state is these two fields.
   */
  private forgetEndedTransaction(): boolean {
    if (!this.isTransactionActive || this.driver.databaseConnection.inTransaction) return false;
    this.isTransactionActive = false;
    this.transactionDepth = 0;
    return true;
  }
}

/** The file a SQLite DataSource opened, as the file system knew it then. */
interface OpenedFile {
  path: string;
  dev: number;
  ino: number;
}

const openedFiles = new WeakMap<DataSource, OpenedFile>();

/** Opens a SQLite DataSource (`better-sqlite3` options) on a SqliteConnection, and notes which file it opened. */
export async function openSqlite(options: DataSourceOptions): Promise<DataSource> {
  const db = new DataSource(options);
  const driver = db.driver as BetterSqlite3Driver;
  // The driver makes its one runner when first asked for it, and keeps one it was given.
  driver.queryRunner = new SqliteConnection(driver);
  await db.initialize();
  const file = String(options.database);
  if (file !== ':memory:') {
    const { dev, ino } = fs.statSync(file);
    openedFiles.set(db, { path: file, dev, ino });
  }
  return db;
}

/**
 * Why the file a SQLite DataSource opened is no longer at its path, if it is not (deleted, its
 * directory with it, or replaced by another: a copy moved over it), in words for the operator.
 * SQLite goes on reading and writing the file it holds open, which no later start will find:
 * every write to it would be lost, and the next start would make a new database and seed a new
 * world. Undefined while it is in place, and for a database in memory or on MySQL.
 */
export function sqliteFileGone(db: DataSource): string | undefined {
  const opened = openedFiles.get(db);
  if (!opened) return undefined;
  const gone = (what: string) => `the SQLite database file ${opened.path} ${what}: nothing more is written to it; restore the file and restart the subgraph`;
  let now: fs.Stats | undefined;
  try {
    now = fs.statSync(opened.path, { throwIfNoEntry: false });
  } catch (error) {
    return gone(`could not be looked at (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  if (!now) return gone('was deleted while the subgraph had it open');
  if (now.dev !== opened.dev || now.ino !== opened.ino) return gone('was replaced by another file while the subgraph had it open');
  return undefined;
}

/**
 * Refuses a write to a SQLite file no longer at its path (sqliteFileGone) with SQLite's own code
 * for it, SQLITE_READONLY_DBMOVED, which the client is told as DATABASE_UNAVAILABLE: a write
 * answered as stored would be lost. SQLite refuses so itself in its rollback-journal mode only.
 */
export function assertSqliteFileInPlace(db: DataSource): void {
  const gone = sqliteFileGone(db);
  if (gone) throw Object.assign(new Error(gone), { code: 'SQLITE_READONLY_DBMOVED' });
}
