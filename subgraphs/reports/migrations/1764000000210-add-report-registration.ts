import { Table, TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';

// Who registered a report, its document reference, an officer's verification, and the stored
// snapshots of the platform's own reports. Table API, so that one migration serves SQLite and MySQL.
export class AddReportRegistration1764000000210 implements MigrationInterface {
  name = 'AddReportRegistration1764000000210';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumns('credit_report', [
      new TableColumn({ name: 'document_reference', type: 'varchar', length: '500', isNullable: true }),
      new TableColumn({ name: 'registered_by', type: 'varchar', length: '100', isNullable: true }),
      new TableColumn({ name: 'registered_by_organisation', type: 'varchar', length: '100', isNullable: true }),
      new TableColumn({ name: 'verification_outcome', type: 'varchar', length: '16', isNullable: true }),
      new TableColumn({ name: 'verification_note', type: 'text', isNullable: true }),
      new TableColumn({ name: 'verified_by', type: 'varchar', length: '100', isNullable: true }),
      new TableColumn({ name: 'verified_at', type: 'datetime', precision: 3, isNullable: true }),
    ]);
    await queryRunner.createTable(
      new Table({
        name: 'credit_report_snapshot_part',
        columns: [
          { name: 'report_id', type: 'varchar', length: '36', isPrimary: true },
          // 'integer', not the entity's 'int': SQLite's driver normalises 'int' to 'integer' (as in audit's migration).
          { name: 'part_index', type: 'integer', isPrimary: true },
          { name: 'content', type: 'text' },
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('credit_report_snapshot_part');
    for (const column of ['verified_at', 'verified_by', 'verification_note', 'verification_outcome', 'registered_by_organisation', 'registered_by', 'document_reference']) {
      await queryRunner.dropColumn('credit_report', column);
    }
  }
}
