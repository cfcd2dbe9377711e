import { TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

const index = 'IDX_credit_report_report_number';

// verifyCreditReport and the printable page find a platform report by its number alone, whatever
// name the platform had when it issued it (a district that renames its platform keeps its earlier
// reports): the unique index leads with the issuer's name key, so without this each lookup read
// the whole table. Not unique: another issuer's number may repeat under another name, and a
// withdrawn registration keeps its number. Schema steps of the QueryRunner only, each skipped on
// MySQL when already done (shared/rerunnable-migrations.ts).
export class ReportNumberIndex1764000000290 implements MigrationInterface {
  name = 'ReportNumberIndex1764000000290';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createIndex('credit_report', new TableIndex({ name: index, columnNames: ['report_number'] }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex('credit_report', index);
  }
}
