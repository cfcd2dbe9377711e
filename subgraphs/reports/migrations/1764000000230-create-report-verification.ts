import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

// Every finding on a registered report, not only the latest. The latest finding already stored on
// a report becomes its first row (the department it was recorded for was not kept: null).
export class CreateReportVerification1764000000230 implements MigrationInterface {
  name = 'CreateReportVerification1764000000230';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'credit_report_verification',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'report_id', type: 'varchar', length: '36' },
          { name: 'subject_id', type: 'varchar', length: '36' },
          { name: 'outcome', type: 'varchar', length: '16' },
          { name: 'note', type: 'text' },
          { name: 'verified_by', type: 'varchar', length: '100' },
          { name: 'verified_by_organisation', type: 'varchar', length: '100', isNullable: true },
          { name: 'verified_at', type: 'datetime', precision: 3 },
        ],
      }),
    );
    await queryRunner.createIndex('credit_report_verification', new TableIndex({ name: 'IDX_credit_report_verification_report_id_verified_at', columnNames: ['report_id', 'verified_at'] }));
    // The report's id serves as the id of its one earlier finding: unique, and no other row has it.
    // A finding copied already is not copied again: on MySQL a start killed after the copy, before
    // the migration was recorded, runs this migration once more.
    await queryRunner.query(
      `INSERT INTO credit_report_verification (id, report_id, subject_id, outcome, note, verified_by, verified_by_organisation, verified_at)
       SELECT id, id, subject_id, verification_outcome, COALESCE(verification_note, ''), COALESCE(verified_by, ''), NULL, verified_at
       FROM credit_report WHERE verification_outcome IS NOT NULL AND verified_at IS NOT NULL
       AND NOT EXISTS (SELECT 1 FROM credit_report_verification copied WHERE copied.id = credit_report.id)`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('credit_report_verification');
  }
}
