import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DataSource, QueryFailedError, type EntityManager } from 'typeorm';
import { quietDatabaseLogger } from '../../lib/database-logger';
import { dataSourceOptions } from '../../subgraphs/shared/database';
import { setTimeout as sleep } from 'node:timers/promises';
import { writeAlone, writeAttempts, writeTransaction } from '../../subgraphs/shared/write-queue';

/** A MySQL DataSource whose transactions fail with the given driver error codes, in turn, then succeed. */
function racingDatabase(failures: string[]) {
  const isolations: (string | undefined)[] = [];
  const options = { type: 'mysql' as const };
  const db = {
    options,
    manager: { connection: { options } },
    transaction: async (...args: unknown[]) => {
      const work = args.at(-1) as (manager: EntityManager) => Promise<unknown>;
      isolations.push(args.length > 1 ? (args[0] as string) : undefined);
      const code = failures.shift();
      if (code) throw new QueryFailedError('INSERT …', [], Object.assign(new Error(code), { code }));
      return await work({} as EntityManager);
    },
  };
  return { db: db as unknown as DataSource, isolations };
}

describe('writeTransaction on MySQL', () => {
  it(`retries a transaction that lost a race, up to ${writeAttempts} attempts in all, at the isolation asked`, async () => {
    const { db, isolations } = racingDatabase(['ER_LOCK_DEADLOCK', 'ER_LOCK_DEADLOCK', 'ER_DUP_ENTRY']);
    await expect(writeTransaction(db, async () => 'stored', 'READ COMMITTED')).resolves.toBe('stored');
    expect(isolations).toEqual(['READ COMMITTED', 'READ COMMITTED', 'READ COMMITTED', 'READ COMMITTED']);
  });

  it('gives up after the last attempt with the error it got', async () => {
    const { db, isolations } = racingDatabase(Array.from({ length: writeAttempts }, () => 'ER_LOCK_DEADLOCK'));
    await expect(writeTransaction(db, async () => 'stored')).rejects.toThrow('ER_LOCK_DEADLOCK');
    expect(isolations).toHaveLength(writeAttempts);
  });

  it('does not retry any other failure', async () => {
    const { db, isolations } = racingDatabase(['ER_DATA_TOO_LONG']);
    await expect(writeTransaction(db, async () => 'stored')).rejects.toThrow('ER_DATA_TOO_LONG');
    expect(isolations).toEqual([undefined]);
  });
});

describe('writeAlone on MySQL', () => {
  const { db } = racingDatabase([]);
  /** A statement that fails with the given driver error codes, in turn, then succeeds; and how often it was sent. */
  const racingStatement = (failures: string[]) => {
    const sent = { count: 0 };
    const write = async () => {
      sent.count += 1;
      const code = failures.shift();
      if (code) throw new QueryFailedError('INSERT …', [], Object.assign(new Error(code), { code }));
      return 'stored';
    };
    return { write, sent };
  };

  it(`sends a statement MySQL ended as a deadlock again, up to ${writeAttempts} times in all`, async () => {
    const { write, sent } = racingStatement(['ER_LOCK_DEADLOCK', 'ER_LOCK_DEADLOCK']);
    await expect(writeAlone(db, write)).resolves.toBe('stored');
    expect(sent.count).toBe(3);

    const deadlocked = racingStatement(Array.from({ length: writeAttempts }, () => 'ER_LOCK_DEADLOCK'));
    await expect(writeAlone(db, deadlocked.write)).rejects.toThrow('ER_LOCK_DEADLOCK');
    expect(deadlocked.sent.count).toBe(writeAttempts);
  });

  it('leaves a unique-key clash to its caller, sent once', async () => {
    const { write, sent } = racingStatement(['ER_DUP_ENTRY']);
    await expect(writeAlone(db, write)).rejects.toThrow('ER_DUP_ENTRY');
    expect(sent.count).toBe(1);
  });
});

describe('writeTransaction on one SQLite file written by two processes', () => {
  // Two DataSources are two connections, as the import command and the records subgraph are:
  // each queues only its own transactions, and SQLite's locks are all that orders the two.
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'write-transaction-'));
  const open = () => new DataSource(dataSourceOptions('records', { kind: 'sqlite', directory }, { entities: [], migrations: [] }, quietDatabaseLogger())).initialize();
  let subgraph: DataSource;
  let importer: DataSource;

  beforeAll(async () => {
    subgraph = await open();
    importer = await open();
    await subgraph.query('CREATE TABLE tally (turn INTEGER NOT NULL, writer TEXT NOT NULL)');
  });
  afterAll(async () => {
    await subgraph.destroy();
    await importer.destroy();
    fs.rmSync(directory, { recursive: true, force: true });
  });

  it('retries a transaction that read, then found the file locked or changed by the other, until each is stored once', async () => {
    // Each reads the count, then writes what it read: a deferred transaction that must upgrade to
    // the write lock while the other holds it, or after the other committed, gets SQLITE_BUSY(_SNAPSHOT).
    const writeTurn = (db: DataSource, writer: string) =>
      writeTransaction(db, async (manager) => {
        const [{ count }] = (await manager.query('SELECT COUNT(*) AS count FROM tally')) as { count: number }[];
        await manager.query('INSERT INTO tally (turn, writer) VALUES (?, ?)', [count, writer]);
      });
    const writes = Array.from({ length: 20 }, () => [writeTurn(subgraph, 'subgraph'), writeTurn(importer, 'importer')]).flat();
    await expect(Promise.all(writes)).resolves.toHaveLength(40);
    const turns = (await subgraph.query('SELECT turn FROM tally ORDER BY turn')) as { turn: number }[];
    // Every transaction saw every one committed before it: no two read the same count.
    expect(turns.map((t) => t.turn)).toEqual(Array.from({ length: 40 }, (_, i) => i));
  });

  it('lets a single statement (writeAlone) wait while the other holds the write lock, without holding up its own process', async () => {
    const held = writeTransaction(importer, async (manager) => {
      await manager.query('INSERT INTO tally (turn, writer) VALUES (?, ?)', [-1, 'importer']);
      await sleep(300);
    });
    await sleep(50);
    await writeAlone(subgraph, () => subgraph.query('INSERT INTO tally (turn, writer) VALUES (?, ?)', [-2, 'subgraph']));
    await held;
    expect(await subgraph.query('SELECT turn FROM tally WHERE turn < 0 ORDER BY turn')).toEqual([{ turn: -2 }, { turn: -1 }]);
  });
});
