import { Table, type MigrationInterface, type QueryRunner } from 'typeorm';

// Written with TypeORM's Table API so that one migration serves SQLite and MySQL alike.
export class CreateSubject1764000000000 implements MigrationInterface {
  name = 'CreateSubject1764000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'subject',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'kind', type: 'varchar', length: '24' },
          { name: 'name', type: 'varchar', length: '200' },
          { name: 'identifier', type: 'varchar', length: '18' },
          { name: 'identifier_kind', type: 'varchar', length: '32' },
          { name: 'registered_address', type: 'varchar', length: '300', isNullable: true },
          { name: 'legal_representative', type: 'varchar', length: '100', isNullable: true },
          { name: 'status', type: 'varchar', length: '16' },
          { name: 'registration_date', type: 'date', isNullable: true },
          { name: 'created_at', type: 'datetime', precision: 3 },
        ],
        indices: [
          { name: 'IDX_subject_name', columnNames: ['name'] },
          { name: 'UQ_subject_identifier', columnNames: ['identifier'], isUnique: true },
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('subject');
  }
}
