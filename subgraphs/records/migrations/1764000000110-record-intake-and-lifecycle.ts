import { Table, TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';

// Record intake and lifecycle (issue 5): a record's validity end, its history of changes,
// objections (异议) and restoration applications (信用修复). The WITHDRAWN status needs no change:
// statuses are varchar codes, checked by the application. Table API, so that one migration serves
// SQLite and MySQL alike. Keep in sync with entities/credit-record.entity.ts,
// credit-record-event.entity.ts, credit-record-objection.entity.ts, restoration-application.entity.ts.
export class RecordIntakeAndLifecycle1764000000110 implements MigrationInterface {
  name = 'RecordIntakeAndLifecycle1764000000110';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumn('credit_record', new TableColumn({ name: 'valid_until', type: 'date', isNullable: true }));
    await queryRunner.createTable(
      new Table({
        name: 'credit_record_event',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'record_id', type: 'varchar', length: '36' },
          { name: 'kind', type: 'varchar', length: '32' },
          { name: 'actor', type: 'varchar', length: '100' },
          { name: 'organisation', type: 'varchar', length: '64' },
          { name: 'occurred_at', type: 'datetime', precision: 3 },
          { name: 'reason', type: 'varchar', length: '500', isNullable: true },
          { name: 'before_values', type: 'text', isNullable: true },
          { name: 'after_values', type: 'text', isNullable: true },
          { name: 'related_id', type: 'varchar', length: '36', isNullable: true },
          { name: 'request_id', type: 'varchar', length: '64', isNullable: true },
        ],
        indices: [{ name: 'IDX_credit_record_event_record', columnNames: ['record_id', 'occurred_at'] }],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'credit_record_objection',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'record_id', type: 'varchar', length: '36' },
          { name: 'subject_id', type: 'varchar', length: '36' },
          { name: 'source_department', type: 'varchar', length: '32' },
          { name: 'status', type: 'varchar', length: '16' },
          { name: 'reason', type: 'varchar', length: '500' },
          { name: 'submitted_by', type: 'varchar', length: '100' },
          { name: 'submitted_by_organisation', type: 'varchar', length: '64' },
          { name: 'submitted_at', type: 'datetime', precision: 3 },
          { name: 'resolution', type: 'varchar', length: '16', isNullable: true },
          { name: 'decided_by', type: 'varchar', length: '100', isNullable: true },
          { name: 'decided_by_organisation', type: 'varchar', length: '64', isNullable: true },
          { name: 'decided_at', type: 'datetime', precision: 3, isNullable: true },
          { name: 'decision_reason', type: 'varchar', length: '500', isNullable: true },
        ],
        indices: [
          { name: 'IDX_credit_record_objection_record', columnNames: ['record_id'] },
          { name: 'IDX_credit_record_objection_subject', columnNames: ['subject_id'] },
          { name: 'IDX_credit_record_objection_department', columnNames: ['source_department', 'status'] },
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'restoration_application',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'record_id', type: 'varchar', length: '36' },
          { name: 'subject_id', type: 'varchar', length: '36' },
          { name: 'source_department', type: 'varchar', length: '32' },
          { name: 'status', type: 'varchar', length: '16' },
          { name: 'correction', type: 'varchar', length: '1000' },
          { name: 'evidence', type: 'text' },
          { name: 'commitment', type: 'varchar', length: '1000' },
          { name: 'submitted_by', type: 'varchar', length: '100' },
          { name: 'submitted_by_organisation', type: 'varchar', length: '64' },
          { name: 'submitted_at', type: 'datetime', precision: 3 },
          { name: 'decided_by', type: 'varchar', length: '100', isNullable: true },
          { name: 'decided_by_organisation', type: 'varchar', length: '64', isNullable: true },
          { name: 'decided_at', type: 'datetime', precision: 3, isNullable: true },
          { name: 'decision_reason', type: 'varchar', length: '500', isNullable: true },
        ],
        indices: [
          { name: 'IDX_restoration_application_record', columnNames: ['record_id'] },
          { name: 'IDX_restoration_application_subject', columnNames: ['subject_id'] },
          { name: 'IDX_restoration_application_department', columnNames: ['source_department', 'status'] },
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('restoration_application');
    await queryRunner.dropTable('credit_record_objection');
    await queryRunner.dropTable('credit_record_event');
    await queryRunner.dropColumn('credit_record', 'valid_until');
  }
}
