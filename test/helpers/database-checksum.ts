import { createHash } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { SubgraphName } from '../../schema/subgraphs';

/** table (as `subgraph.table`) → row count and a hash of its rows, independent of row order. */
export type DatabaseChecksum = Record<string, { rows: number; hash: string }>;

/**
 * What every table of every subgraph database holds, to show that a request changed nothing.
 * Tables named in `except` are left out: the audit log legitimately grows with every request
 * (its hash chain is checked instead).
 */
export async function databaseChecksum(databases: Record<SubgraphName, DataSource>, except: readonly string[] = []): Promise<DatabaseChecksum> {
  const checksum: DatabaseChecksum = {};
  for (const [name, db] of Object.entries(databases)) {
    for (const { tablePath } of db.entityMetadatas) {
      if (except.includes(tablePath)) continue;
      const rows: Record<string, unknown>[] = await db.query(`SELECT * FROM ${db.driver.escape(tablePath)}`);
      const lines = rows.map((row) => JSON.stringify(Object.entries(row).sort(([a], [b]) => (a < b ? -1 : 1)))).sort();
      checksum[`${name}.${tablePath}`] = { rows: rows.length, hash: createHash('sha256').update(lines.join('\n')).digest('hex') };
    }
  }
  return checksum;
}

/** The tables whose content differs between two checksums. */
export function changedTables(before: DatabaseChecksum, after: DatabaseChecksum): string[] {
  const tables = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...tables].filter((t) => before[t]?.hash !== after[t]?.hash).sort();
}
