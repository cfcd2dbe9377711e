import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { DataSource } from 'typeorm';
import { AuditRepository, type AuditEntryInput } from '../../subgraphs/audit/audit.repository';
import { auditSubgraph } from '../../subgraphs/audit/subgraph';
import { openDatabase } from '../../subgraphs/shared/database';
import { writeAlone, writeTransaction } from '../../subgraphs/shared/write-queue';
import { verifiedChain } from '../subgraphs/audit/verified-chain';
import { quietDatabaseLogger } from '../../lib/database-logger';

/**
 * SQLite rolls a transaction back by itself when one of its statements fails for want of disk
 * (SQLITE_FULL), or on an I/O error or out of memory. TypeORM, whose transactions of one SQLite
 * DataSource all share its one connection, then failed its own ROLLBACK ("no transaction is
 * active") and went on believing the transaction open: the next transaction that failed (a
 * refused input) was rolled back to a savepoint, leaving a real transaction open, and every write
 * after it went into that transaction, answered as stored and never committed, lost at the stop.
 * The disk fills here at SQLite's own page limit (max_page_count), which fails as a full disk does;
 * a second connection, as another process would, sees what is on disk.
 */
describe('SQLite after it rolled a transaction back by itself', () => {
  const quiet = quietDatabaseLogger();
  let directory: string;
  let db: DataSource | undefined;

  beforeEach(() => {
    directory = fs.mkdtempSync(path.join(os.tmpdir(), 'sqlite-auto-rollback-'));
  });
  afterEach(async () => {
    await db?.destroy();
    db = undefined;
    fs.rmSync(directory, { recursive: true, force: true });
  });

  /** Lets the file grow by a few pages at most, runs `filling`, then lets it grow again. */
  async function withDiskFull<T>(opened: DataSource, filling: () => Promise<T>): Promise<T> {
    const [{ page_count: pages }] = (await opened.query('PRAGMA page_count')) as { page_count: number }[];
    await opened.query(`PRAGMA max_page_count = ${pages + 2}`);
    try {
      return await filling();
    } finally {
      await opened.query('PRAGMA max_page_count = 1073741823');
    }
  }

  /** What another process reading the file sees, and whether it could write there (no transaction is left open). */
  function onDisk<T>(subgraph: string, read: (other: Database.Database) => T): { read: T; writable: boolean } {
    const other = new Database(path.join(directory, `${subgraph}.sqlite`), { timeout: 0 });
    try {
      let writable = true;
      try {
        other.exec('BEGIN IMMEDIATE; ROLLBACK');
      } catch {
        writable = false;
      }
      return { read: read(other), writable };
    } finally {
      other.close();
    }
  }

  it('stores every later write, and leaves no transaction open', async () => {
    const opened = (db = await openDatabase('records', { kind: 'sqlite', directory }, { entities: [], migrations: [] }, quiet));
    await opened.query('CREATE TABLE tally (writer TEXT NOT NULL)');
    const insert = (manager: { query: DataSource['query'] }, writer: string) => manager.query('INSERT INTO tally (writer) VALUES (?)', [writer]);

    const full = withDiskFull(opened, () =>
      writeTransaction(opened, async (manager) => {
        for (let i = 0; i < 50; i++) await insert(manager, 'x'.repeat(4000));
      }),
    );
    await expect(full).rejects.toMatchObject({ driverError: expect.objectContaining({ code: 'SQLITE_FULL' }) });
    // A transaction refused after it wrote, as one refusing a client's input is.
    const refused = writeTransaction(opened, async (manager) => {
      await insert(manager, 'refused');
      throw new Error('refused input');
    });
    await expect(refused).rejects.toThrow('refused input');
    await writeTransaction(opened, (manager) => insert(manager, 'in a transaction'));
    await writeAlone(opened, () => insert(opened, 'alone'));

    expect(onDisk('records', (other) => other.prepare('SELECT writer FROM tally ORDER BY rowid').all())).toEqual({ read: [{ writer: 'in a transaction' }, { writer: 'alone' }], writable: true });
  });

  it("stores the audit log's later appends, and tells the append that met the full disk why it failed", async () => {
    const opened = (db = await openDatabase('audit', { kind: 'sqlite', directory }, auditSubgraph, quiet));
    const log = new AuditRepository(opened);
    let next = 0;
    const entry = (overrides: Partial<AuditEntryInput> = {}): AuditEntryInput => ({
      actor: `officer-${next++}`.padEnd(100, '.'),
      organisation: 'MARKET_REGULATION',
      organisationKind: 'DEPARTMENT',
      role: 'DEPARTMENT_OFFICER',
      fieldGroups: [],
      operationName: 'o'.repeat(200),
      requestId: `request-${next}`,
      occurredAt: new Date(),
      outcome: 'DISCLOSED',
      ...overrides,
    });

    await log.append([entry()]);
    const [{ page_count: pages }] = (await opened.query('PRAGMA page_count')) as { page_count: number }[];
    await opened.query(`PRAGMA max_page_count = ${pages}`);
    // The file may not grow: one of the next appends, a single INSERT outside a transaction, fails.
    let filled = false;
    for (let tries = 0; tries < 100 && !filled; tries++) filled = await log.append([entry()]).then(() => false, () => true);
    expect(filled).toBe(true);
    // After a failure the next append goes through the chain lock's transaction, which SQLite rolls back whole.
    await expect(log.append([entry()])).rejects.toMatchObject({ driverError: expect.objectContaining({ code: 'SQLITE_FULL' }) });
    await opened.query('PRAGMA max_page_count = 1073741823');
    const [stored] = await log.append([entry({ id: 'entry-named-twice' })]);
    // Refused inside the chain lock's transaction: audit entries are never replaced.
    await expect(log.append([entry({ id: 'entry-named-twice' })])).rejects.toThrow('already exist');
    const later = await log.append([entry(), entry()]);

    const onFile = onDisk('audit', (other) => (other.prepare('SELECT id FROM audit_entry ORDER BY sequence').all() as { id: string }[]).map((row) => row.id));
    expect(onFile.read.slice(-3)).toEqual([stored.id, ...later.map((e) => e.id)]);
    expect(onFile.writable).toBe(true);
    expect(await verifiedChain(log)).toMatchObject({ intact: true, firstBrokenSequence: null });
  });
});
