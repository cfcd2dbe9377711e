import type { MigrationInterface, QueryRunner } from 'typeorm';
import { changeColumnType, rowsPerBatch, setEach } from '../../shared/migration-rows';

/**
 * A restoration application's evidence, the JSON list of its proof documents, was text in a TEXT
 * column that every reader parsed and every writer stringified by hand, where a provider
 * violation's evidence (providers 1764000000320) and a check's findings (1764000000160) are JSON
 * columns the entity maps as what they hold: it becomes one too (LONGTEXT with a json_valid check
 * on MariaDB, native JSON on MySQL, text on SQLite), each stored value kept (the lists are valid
 * JSON, written by JSON.stringify). `down` puts back the text JSON.stringify writes, which MySQL's
 * JSON column re-serialises (`["a", "b"]`), so that the code before, which compared it with that
 * text, still finds a retried application the same.
 */
export class RestorationEvidenceAsJson1764000000220 implements MigrationInterface {
  name = 'RestorationEvidenceAsJson1764000000220';

  async up(queryRunner: QueryRunner): Promise<void> {
    await changeColumnType(queryRunner, 'restoration_application', 'evidence', 'json');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await changeColumnType(queryRunner, 'restoration_application', 'evidence', 'text');
    let last = '';
    for (;;) {
      const rows: { id: string; evidence: string }[] = await queryRunner.query('SELECT id, evidence FROM restoration_application WHERE id > ? ORDER BY id LIMIT ?', [last, rowsPerBatch]);
      if (!rows.length) return;
      await setEach(queryRunner, 'restoration_application', 'evidence', rows.map((row) => ({ id: row.id, value: JSON.stringify(JSON.parse(row.evidence)) })));
      last = rows[rows.length - 1].id;
    }
  }
}
