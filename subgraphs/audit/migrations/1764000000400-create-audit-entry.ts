import { Table, type MigrationInterface, type QueryRunner } from 'typeorm';

// Written with TypeORM's Table API so that one migration serves SQLite and MySQL alike.
// Keep in sync with entities/audit-entry.entity.ts.
export class CreateAuditEntry1764000000400 implements MigrationInterface {
  name = 'CreateAuditEntry1764000000400';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'audit_entry',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          // 'integer', not the entity's 'int': SQLite's driver normalises 'int' to 'integer' and would
          // otherwise see a difference; MySQL stores both as INT.
          { name: 'sequence', type: 'integer', isNullable: true },
          { name: 'previous_hash', type: 'varchar', length: '64', isNullable: true },
          { name: 'hash', type: 'varchar', length: '64', isNullable: true },
          { name: 'actor', type: 'varchar', length: '100' },
          { name: 'organisation', type: 'varchar', length: '64' },
          { name: 'organisation_kind', type: 'varchar', length: '32' },
          { name: 'role', type: 'varchar', length: '64' },
          { name: 'matter', type: 'varchar', length: '64', isNullable: true },
          { name: 'case_number', type: 'varchar', length: '100', isNullable: true },
          { name: 'consent_id', type: 'varchar', length: '64', isNullable: true },
          { name: 'subject_id', type: 'varchar', length: '36', isNullable: true },
          { name: 'field_groups', type: 'varchar', length: '500' },
          { name: 'operation_name', type: 'varchar', length: '200', isNullable: true },
          { name: 'request_id', type: 'varchar', length: '64' },
          { name: 'occurred_at', type: 'datetime', precision: 3 },
          { name: 'outcome', type: 'varchar', length: '16' },
        ],
        indices: [
          { name: 'IDX_audit_entry_subject_id_occurred_at', columnNames: ['subject_id', 'occurred_at'] },
          { name: 'IDX_audit_entry_organisation_occurred_at', columnNames: ['organisation', 'occurred_at'] },
          { name: 'UQ_audit_entry_sequence', columnNames: ['sequence'], isUnique: true },
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('audit_entry');
  }
}
