import { Table, type MigrationInterface, type QueryRunner } from 'typeorm';

// Written with TypeORM's Table API so that one migration serves SQLite and MySQL alike.
export class CreateCreditReport1764000000200 implements MigrationInterface {
  name = 'CreateCreditReport1764000000200';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'credit_report',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'subject_id', type: 'varchar', length: '36' },
          { name: 'source', type: 'varchar', length: '40' },
          { name: 'issuer_name', type: 'varchar', length: '200' },
          { name: 'issuer_provider_id', type: 'varchar', length: '36', isNullable: true },
          { name: 'report_number', type: 'varchar', length: '64' },
          { name: 'grade', type: 'varchar', length: '4', isNullable: true },
          { name: 'issued_on', type: 'date' },
          { name: 'valid_until', type: 'date' },
          { name: 'verification_code', type: 'varchar', length: '32' },
          { name: 'document_sha256', type: 'varchar', length: '64', isNullable: true },
          { name: 'registered_at', type: 'datetime', precision: 3 },
        ],
        indices: [
          { name: 'IDX_credit_report_subject_id_issued_on', columnNames: ['subject_id', 'issued_on'] },
          { name: 'IDX_credit_report_issuer_provider_id_issued_on', columnNames: ['issuer_provider_id', 'issued_on'] },
          { name: 'UQ_credit_report_issuer_number', columnNames: ['issuer_name', 'report_number'], isUnique: true },
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('credit_report');
  }
}
