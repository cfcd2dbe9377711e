import { TableColumn, type QueryRunner } from 'typeorm';

/**
 * What the data migrations share: rows written many at once, and values read back as either
 * driver hands them over. Migrations read and write columns by name, never through entities,
 * which change after them.
 */

/** Rows read at a time, and set by one UPDATE (three parameters a row for one column, five for two: far under SQLite's 32,766). */
export const rowsPerBatch = 1000;

/** One UPDATE for many rows (a CASE on the id), the same SQL on both drivers. */
export async function setEach(queryRunner: QueryRunner, table: string, column: string, rows: readonly { id: string; value: string }[]): Promise<void> {
  await setEachColumns(queryRunner, table, [column], rows.map((r) => ({ id: r.id, values: [r.value] })));
}

/** `setEach` for several columns at once, in one statement: each row's `values` in the order of `columns`. */
export async function setEachColumns(queryRunner: QueryRunner, table: string, columns: readonly string[], rows: readonly { id: string; values: readonly (string | null)[] }[]): Promise<void> {
  if (!rows.length) return;
  const cases = columns.map((column) => `${column} = CASE id ${rows.map(() => 'WHEN ? THEN ?').join(' ')} END`);
  await queryRunner.query(`UPDATE ${table} SET ${cases.join(', ')} WHERE id IN (${rows.map(() => '?').join(', ')})`, [
    ...columns.flatMap((_, c) => rows.flatMap((r) => [r.id, r.values[c]])),
    ...rows.map((r) => r.id),
  ]);
}

/** A DATETIME column as the driver hands it back, a Date (mysql2, in UTC) or SQLite's 'YYYY-MM-DD HH:MM:SS.SSS' text in UTC, as the instant. */
export function storedInstant(value: unknown): Date {
  return value instanceof Date ? value : new Date(`${String(value).replace(' ', 'T')}Z`);
}

/**
 * A NOT NULL column's type changed with its values kept: MODIFY on MySQL, where TypeORM's
 * changeColumn drops and re-adds a column whose type changes, losing its values; on SQLite
 * changeColumn, which copies the table, values included.
 */
export async function changeColumnType(queryRunner: QueryRunner, table: string, column: string, type: 'json' | 'text'): Promise<void> {
  if (queryRunner.connection.driver.options.type === 'better-sqlite3') {
    await queryRunner.changeColumn(table, column, new TableColumn({ name: column, type }));
  } else {
    await queryRunner.query(`ALTER TABLE ${table} MODIFY ${column} ${type.toUpperCase()} NOT NULL`);
  }
}
