import { Table, type MigrationInterface, type QueryRunner } from 'typeorm';

// Written with TypeORM's Table API so that one migration serves SQLite and MySQL alike.
// Keep in sync with entities/consent.entity.ts.
export class CreateConsent1764000000010 implements MigrationInterface {
  name = 'CreateConsent1764000000010';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'consent',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'subject_id', type: 'varchar', length: '36' },
          { name: 'grantee_organisation', type: 'varchar', length: '64' },
          { name: 'grantee_kind', type: 'varchar', length: '32' },
          { name: 'purpose', type: 'varchar', length: '64' },
          { name: 'valid_from', type: 'date' },
          { name: 'valid_until', type: 'date' },
          { name: 'granted_by', type: 'varchar', length: '100' },
          { name: 'granted_by_organisation', type: 'varchar', length: '64' },
          { name: 'granted_at', type: 'datetime', precision: 3 },
          { name: 'revoked_at', type: 'datetime', precision: 3, isNullable: true },
          { name: 'revoked_by', type: 'varchar', length: '100', isNullable: true },
          { name: 'revocation_reason', type: 'varchar', length: '500', isNullable: true },
        ],
        indices: [
          { name: 'IDX_consent_subject_id', columnNames: ['subject_id'] },
          { name: 'IDX_consent_grantee_organisation', columnNames: ['grantee_organisation'] },
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('consent');
  }
}
