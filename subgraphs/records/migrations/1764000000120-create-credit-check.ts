import { Table, type MigrationInterface, type QueryRunner } from 'typeorm';

export class CreateCreditCheck1764000000120 implements MigrationInterface {
  name = 'CreateCreditCheck1764000000120';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'credit_check',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'subject_id', type: 'varchar', length: '36' },
          { name: 'matter', type: 'varchar', length: '64' },
          { name: 'case_number', type: 'varchar', length: '100' },
          { name: 'department', type: 'varchar', length: '64' },
          { name: 'checked_by', type: 'varchar', length: '100' },
          { name: 'checked_at', type: 'datetime', precision: 3 },
          { name: 'records_snapshot', type: 'text' },
          { name: 'measures', type: 'text' },
          { name: 'report_satisfied', type: 'boolean', isNullable: true },
          { name: 'good_report_grade', type: 'boolean', isNullable: true },
          { name: 'verdict', type: 'varchar', length: '32', isNullable: true },
          { name: 'sealed_at', type: 'datetime', precision: 3, isNullable: true },
          { name: 'feedback_applied', type: 'varchar', length: '500', isNullable: true },
          { name: 'feedback_note', type: 'varchar', length: '1000', isNullable: true },
          { name: 'feedback_by', type: 'varchar', length: '100', isNullable: true },
          { name: 'feedback_at', type: 'datetime', precision: 3, isNullable: true },
        ],
        indices: [
          { name: 'IDX_credit_check_subject_checked', columnNames: ['subject_id', 'checked_at'] },
          { name: 'IDX_credit_check_department_checked', columnNames: ['department', 'checked_at'] },
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('credit_check');
  }
}
