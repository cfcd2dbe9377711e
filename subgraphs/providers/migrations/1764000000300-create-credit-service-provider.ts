import { Table, type MigrationInterface, type QueryRunner } from 'typeorm';

// Written with TypeORM's Table API so that one migration serves SQLite and MySQL alike.
export class CreateCreditServiceProvider1764000000300 implements MigrationInterface {
  name = 'CreateCreditServiceProvider1764000000300';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'credit_service_provider',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'unified_social_credit_code', type: 'varchar', length: '18' },
          { name: 'name', type: 'varchar', length: '200' },
          { name: 'registered_address', type: 'varchar', length: '300' },
          { name: 'legal_representative', type: 'varchar', length: '100' },
          { name: 'business_scope', type: 'text' },
          { name: 'contact', type: 'varchar', length: '40', isNullable: true },
          { name: 'filing_status', type: 'varchar', length: '16' },
          { name: 'supervision_class', type: 'varchar', length: '1', isNullable: true },
          { name: 'filed_on', type: 'date', isNullable: true },
          { name: 'created_at', type: 'datetime', precision: 3 },
        ],
        indices: [
          { name: 'UQ_credit_service_provider_code', columnNames: ['unified_social_credit_code'], isUnique: true },
          { name: 'IDX_credit_service_provider_name', columnNames: ['name'] },
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('credit_service_provider');
  }
}
