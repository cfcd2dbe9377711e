import { TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';
import type { AppliedMeasure } from '../../../lib/catalogue/measures';
import { measureKindsOf } from '../entities/credit-check.entity';

/** Checks read, and held, at a time: each one's measures name every record that triggered them. */
const checksPerBatch = 500;

/**
 * A check's records snapshot and measures grow with the subject's counting records: some 36 with
 * 500-character summaries overflowed the 64 KB of the MySQL TEXT column the snapshot was in, and
 * runCreditCheck failed on MariaDB where SQLite stored it. Both become JSON columns (LONGTEXT with
 * a json_valid check on MariaDB, native JSON on MySQL, text on SQLite), as the providers'
 * evidence did (1764000000320). MySQL re-serialises what a JSON column holds (`{"kind": "X"}`,
 * keys reordered), so the ledger's SQL no longer searches `measures`' text: each check gets the
 * kinds its measures call for in `measure_kinds` (entity `measureKindsOf`), filled here before
 * the columns change, while `measures` is still the text this repository wrote.
 */
export class CreditCheckFindingsAsJson1764000000160 implements MigrationInterface {
  name = 'CreditCheckFindingsAsJson1764000000160';

  async up(queryRunner: QueryRunner): Promise<void> {
    // The default only fills the checks already there until they get their kinds just below; it
    // then goes, so that a check written without its kinds is refused, not missed by every filter.
    await queryRunner.addColumn('credit_check', new TableColumn({ name: 'measure_kinds', type: 'varchar', length: '255', default: "''" }));
    // Its measures are already JSON when this runs again on MySQL, after a start killed past the MODIFY below.
    await rewriteEachCheck(queryRunner, 'measure_kinds', (measures) => measureKindsOf(parsed(measures) as AppliedMeasure[]));
    if (onSqlite(queryRunner)) {
      await changeOnSqlite(queryRunner, [
        new TableColumn({ name: 'records_snapshot', type: 'json' }),
        new TableColumn({ name: 'measures', type: 'json' }),
        new TableColumn({ name: 'measure_kinds', type: 'varchar', length: '255' }),
      ]);
    } else {
      // TypeORM's changeColumn drops and re-adds a column whose type changes, losing its values;
      // MODIFY keeps them (and, without DEFAULT, drops the default of measure_kinds).
      await queryRunner.query('ALTER TABLE credit_check MODIFY records_snapshot JSON NOT NULL, MODIFY measures JSON NOT NULL, MODIFY measure_kinds varchar(255) NOT NULL');
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('credit_check', 'measure_kinds');
    // A check whose snapshot or measures outgrew 64 KB cannot go back: MySQL refuses the MODIFY.
    if (onSqlite(queryRunner)) {
      await changeOnSqlite(queryRunner, [new TableColumn({ name: 'records_snapshot', type: 'text' }), new TableColumn({ name: 'measures', type: 'text' })]);
    } else {
      await queryRunner.query('ALTER TABLE credit_check MODIFY records_snapshot TEXT NOT NULL, MODIFY measures TEXT NOT NULL');
    }
    // The earlier ledger searched `measures` for `"kind":"X"` as JSON.stringify writes it; MySQL's
    // JSON column gave it back as `"kind": "X"`.
    await rewriteEachCheck(queryRunner, 'measures', (measures) => JSON.stringify(parsed(measures)));
  }
}

/** Measures as stored: text, or a JSON column's value, which mysql2 gives parsed. */
function parsed(measures: unknown): unknown {
  return typeof measures === 'string' ? JSON.parse(measures) : measures;
}

function onSqlite(queryRunner: QueryRunner): boolean {
  return queryRunner.connection.driver.options.type === 'better-sqlite3';
}

/** SQLite copies the table, values included, for a change of column: once for all of them. */
async function changeOnSqlite(queryRunner: QueryRunner, columns: TableColumn[]): Promise<void> {
  const table = (await queryRunner.getTable('credit_check'))!;
  await queryRunner.changeColumns(
    table,
    columns.map((newColumn) => ({ oldColumn: table.findColumnByName(newColumn.name)!, newColumn })),
  );
}

/**
 * Sets `column` of every check to what `valueOf` makes of its measures' text, `checksPerBatch` at
 * a time in id order: one UPDATE per batch (a CASE on the id), the same SQL on both drivers.
 */
async function rewriteEachCheck(queryRunner: QueryRunner, column: 'measure_kinds' | 'measures', valueOf: (measures: unknown) => string): Promise<void> {
  let last = '';
  for (;;) {
    const checks: { id: string; measures: unknown }[] = await queryRunner.query('SELECT id, measures FROM credit_check WHERE id > ? ORDER BY id LIMIT ?', [last, checksPerBatch]);
    if (!checks.length) return;
    await queryRunner.query(
      `UPDATE credit_check SET ${column} = CASE id ${checks.map(() => 'WHEN ? THEN ?').join(' ')} END WHERE id IN (${checks.map(() => '?').join(', ')})`,
      [...checks.flatMap((check) => [check.id, valueOf(check.measures)]), ...checks.map((check) => check.id)],
    );
    last = checks[checks.length - 1].id;
  }
}
