import { Table, type MigrationInterface, type QueryRunner } from 'typeorm';

// Written with TypeORM's Table API so that one migration serves SQLite and MySQL alike.
// Keep in sync with entities/credit-record.entity.ts.
export class CreateCreditRecord1764000000100 implements MigrationInterface {
  name = 'CreateCreditRecord1764000000100';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'credit_record',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'subject_id', type: 'varchar', length: '36' },
          { name: 'category', type: 'varchar', length: '32' },
          { name: 'polarity', type: 'varchar', length: '16' },
          { name: 'severity', type: 'varchar', length: '16', isNullable: true },
          { name: 'tax_credit_grade', type: 'varchar', length: '1', isNullable: true },
          { name: 'source_department', type: 'varchar', length: '32' },
          { name: 'document_number', type: 'varchar', length: '64' },
          { name: 'decision_date', type: 'date' },
          { name: 'disclosure_ends_at', type: 'date', isNullable: true },
          { name: 'status', type: 'varchar', length: '16' },
          { name: 'summary', type: 'varchar', length: '500' },
          { name: 'recorded_at', type: 'datetime', precision: 3 },
        ],
        indices: [
          { name: 'IDX_credit_record_subject_decision', columnNames: ['subject_id', 'decision_date'] },
          { name: 'UQ_credit_record_source_document', columnNames: ['source_department', 'document_number'], isUnique: true },
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('credit_record');
  }
}
