import type { ObjectLiteral, Repository } from 'typeorm';

/**
 * Inserts rows whose primary key is not there yet, in chunks, each chunk in one transaction;
 * returns how many were new. Seeds use deterministic ids, so running a seed twice adds nothing.
 */
export async function insertMissing<E extends ObjectLiteral>(repository: Repository<E>, rows: E[], chunkSize = 500): Promise<number> {
  let inserted = 0;
  for (let start = 0; start < rows.length; start += chunkSize) {
    const chunk = rows.slice(start, start + chunkSize);
    await repository.manager.transaction(async (manager) => {
      // Counting around the insert, because the drivers disagree on what an ignored row reports.
      const before = await manager.count(repository.target);
      await manager.createQueryBuilder().insert().into(repository.target).values(chunk).orIgnore().execute();
      inserted += (await manager.count(repository.target)) - before;
    });
  }
  return inserted;
}
