import type { EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';
import { isSqlite } from './write-queue';

/**
 * Rows per INSERT statement: 1,000 rows of a table of up to 32 columns stay under SQLite's 32,766
 * bound parameters (credit_report, the widest written here, takes 26 × 1,000), and far under
 * MySQL's 65,535 and its 16 MiB packet. A wider table written here needs fewer rows a statement.
 */
export const insertRowsPerStatement = 1000;

/**
 * Inserts entities with multi-row INSERT statements whose text is built once from the entity's
 * metadata, each value converted by the driver as TypeORM's own insert converts it (dates,
 * booleans, a column's transformer). TypeORM's `insert()` of an array does the same but names every value as a
 * parameter and looks each name up among all the others: its cost grows with the square of the
 * rows, and it took most of a bulk import's time (bench/import.md). Every column is written but
 * one the database computes (`insert: false`, AuditEntry.auditRead); an undefined value is stored
 * as NULL, so entities written this way set every other property.
 * `skipExisting`: a row whose key is already stored is left out instead of failing the statement.
 */
export async function insertMany<E extends ObjectLiteral>(manager: EntityManager, target: EntityTarget<E>, rows: readonly E[], { skipExisting = false } = {}): Promise<void> {
  if (rows.length === 0) return;
  const { driver } = manager.connection;
  const metadata = manager.connection.getMetadata(target);
  const columns = metadata.columns.filter((column) => column.isInsert);
  const values = rows.map((row) => columns.map((column) => driver.preparePersistentValue(column.getEntityValue(row, true), column) ?? null));
  await insertValues(manager, metadata.tableName, columns.map((c) => c.databaseName), values, { skipExisting });
}

/**
 * Inserts rows of values, already in the database's form, into the named columns of `table`,
 * `insertRowsPerStatement` rows a statement. For a migration, which must name the columns of the
 * table as it stood then rather than write through an entity a later migration changes.
 */
export async function insertValues(manager: EntityManager, table: string, columns: readonly string[], rows: readonly (readonly unknown[])[], { skipExisting = false } = {}): Promise<void> {
  const { driver } = manager.connection;
  const head = `INSERT INTO ${driver.escape(table)} (${columns.map((c) => driver.escape(c)).join(', ')}) VALUES `;
  const tuple = `(${columns.map(() => '?').join(', ')})`;
  // Only a stored key is skipped: MySQL's INSERT IGNORE (and SQLite's OR IGNORE) would also turn
  // a value too long for its column into a truncated one, and a missing value into a default.
  const first = driver.escape(columns[0]);
  const tail = !skipExisting ? '' : isSqlite(manager.connection) ? ' ON CONFLICT DO NOTHING' : ` ON DUPLICATE KEY UPDATE ${first} = ${first}`;
  for (let start = 0; start < rows.length; start += insertRowsPerStatement) {
    const slice = rows.slice(start, start + insertRowsPerStatement);
    await manager.query(`${head}${Array.from(slice, () => tuple).join(', ')}${tail}`, slice.flat());
  }
}
