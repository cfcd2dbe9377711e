import { Table, type MigrationInterface, type QueryRunner } from 'typeorm';

export class CreateCheckReportRequirement1764000000220 implements MigrationInterface {
  name = 'CreateCheckReportRequirement1764000000220';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'check_report_requirement',
        columns: [
          { name: 'check_id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'subject_id', type: 'varchar', length: '36' },
          { name: 'matter', type: 'varchar', length: '64' },
          { name: 'judged_as_of', type: 'datetime', precision: 3 },
          { name: 'requirement', type: 'text' },
          { name: 'sealed_at', type: 'datetime', precision: 3 },
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('check_report_requirement');
  }
}
