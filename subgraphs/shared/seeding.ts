import type { DataSource, EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';
import { isMysql, writeTransaction } from './write-queue';

/**
 * What seeding a subgraph's database did: how many demo rows it wrote into the database, which
 * held none, or null when the database already held data and was left as it was.
 */
export type Seeded = number | null;

/**
 * Writes a subgraph's demo data (`write`) into its database only while none of the subgraph's
 * tables holds a row, and all of it in one transaction.
 *
 * Never into a database that holds data: the demo's ids come from seeded random streams, so a
 * seed that skipped rows by id added an older release's world twice over (a provider's filing
 * history FILE, REVOKE, then APPLY again) and appended backdated demo entries to an audit log
 * whose chain still verified. Whether that data is an older demo or real use, it is left as it is.
 *
 * The unit is the subgraph's database, in one transaction, because its demo rows are one whole:
 * a record's events and objections, a provider's history, the audit log's one chain. A seed
 * interrupted midway (Ctrl-C, a lost connection, a killed process) is rolled back, so the
 * database is empty again and the next seed writes it whole. Committed table by table, the half
 * written would hold data and stay half done for good; a marker written last would need a table
 * in every subgraph, and without it a later seed could not tell a half-written demo from real data.
 * The check reads every table under a lock on MySQL (FOR UPDATE, which an empty table's end takes
 * too), so that a write beside the seed, the gateway's first audit entry say, comes either before
 * the check, which then finds it, or after the seed's commit; on SQLite the transaction's write
 * lock orders them, and writeTransaction retries a seed that met another process's write.
 */
export async function seedEmptyDatabase(db: DataSource, write: (manager: EntityManager) => Promise<number>): Promise<Seeded> {
  return await writeTransaction(db, async (manager) => {
    const lock = isMysql(manager) ? ' FOR UPDATE' : '';
    for (const { tablePath } of db.entityMetadatas) {
      const held = (await manager.query(`SELECT 1 AS held FROM ${db.driver.escape(tablePath)} LIMIT 1${lock}`)) as unknown[];
      if (held.length > 0) return null;
    }
    return await write(manager);
  });
}

/**
 * Inserts seed rows through TypeORM's insert (a property left undefined takes its column's
 * default), `chunkSize` a statement; returns how many. For `seedEmptyDatabase`'s transaction.
 */
export async function insertRows<E extends ObjectLiteral>(manager: EntityManager, target: EntityTarget<E>, rows: E[], chunkSize = 500): Promise<number> {
  for (let start = 0; start < rows.length; start += chunkSize) {
    await manager.createQueryBuilder().insert().into(target).values(rows.slice(start, start + chunkSize)).execute();
  }
  return rows.length;
}
