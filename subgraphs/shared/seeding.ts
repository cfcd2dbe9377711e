import { In, type FindOptionsWhere, type ObjectLiteral, type Repository } from 'typeorm';
import { writeTransaction } from './write-queue';

/**
 * Inserts rows whose primary key is not there yet, in chunks, each chunk in one transaction;
 * returns how many were new. Seeds use deterministic ids, so running a seed twice adds nothing.
 * The rows' entity must have a single-column primary key.
 */
export async function insertMissing<E extends ObjectLiteral>(repository: Repository<E>, rows: E[], chunkSize = 500): Promise<number> {
  const [key, ...more] = repository.metadata.primaryColumns;
  if (!key || more.length) throw new Error(`insertMissing needs a single-column primary key, ${repository.metadata.name} has ${repository.metadata.primaryColumns.length}`);
  let inserted = 0;
  for (let start = 0; start < rows.length; start += chunkSize) {
    const chunk = rows.slice(start, start + chunkSize);
    // The chunk's own keys are counted around the insert (the drivers disagree on what an
    // ignored row reports): a count of the whole table would read all of it, twice a chunk.
    const stored = { [key.propertyName]: In(chunk.map((row) => key.getEntityValue(row))) } as FindOptionsWhere<E>;
    // writeTransaction: `npm run seed` may write beside a running subgraph, on one SQLite file.
    inserted += await writeTransaction(repository.manager.connection, async (manager) => {
      const before = await manager.countBy(repository.target, stored);
      // A stored key only is skipped (a no-op update of the key): INSERT IGNORE would also store a
      // value too long for its column cut short, on MySQL, without a word.
      await manager.createQueryBuilder().insert().into(repository.target).values(chunk).orUpdate([key.databaseName], [key.databaseName]).execute();
      return (await manager.countBy(repository.target, stored)) - before;
    });
  }
  return inserted;
}
