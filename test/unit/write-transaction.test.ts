import { QueryFailedError, type DataSource, type EntityManager } from 'typeorm';
import { writeAttempts, writeTransaction } from '../../subgraphs/shared/write-queue';

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
