import { Table, type MigrationInterface, type QueryRunner } from 'typeorm';

const actor = [
  { name: 'actor', type: 'varchar', length: '100' },
  { name: 'actor_organisation', type: 'varchar', length: '100' },
];

// The registry's history: filing events, class changes, violations and sanctions, all append-only.
// Written with TypeORM's Table API so that one migration serves SQLite and MySQL alike.
export class CreateProviderSupervision1764000000310 implements MigrationInterface {
  name = 'CreateProviderSupervision1764000000310';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'provider_filing_event',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'provider_id', type: 'varchar', length: '36' },
          { name: 'action', type: 'varchar', length: '24' },
          { name: 'from_status', type: 'varchar', length: '16', isNullable: true },
          { name: 'to_status', type: 'varchar', length: '16' },
          { name: 'reason', type: 'text' },
          ...actor,
          { name: 'sanction_id', type: 'varchar', length: '36', isNullable: true },
          { name: 'occurred_at', type: 'datetime', precision: 3 },
        ],
        indices: [{ name: 'IDX_provider_filing_event_provider_occurred', columnNames: ['provider_id', 'occurred_at'] }],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'supervision_class_change',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'provider_id', type: 'varchar', length: '36' },
          { name: 'from_class', type: 'varchar', length: '1', isNullable: true },
          { name: 'to_class', type: 'varchar', length: '1' },
          { name: 'reason', type: 'text' },
          ...actor,
          { name: 'sanction_id', type: 'varchar', length: '36', isNullable: true },
          { name: 'occurred_at', type: 'datetime', precision: 3 },
        ],
        indices: [{ name: 'IDX_supervision_class_change_provider_occurred', columnNames: ['provider_id', 'occurred_at'] }],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'provider_violation',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'provider_id', type: 'varchar', length: '36' },
          { name: 'kind', type: 'varchar', length: '24' },
          { name: 'description', type: 'text' },
          { name: 'evidence', type: 'text' },
          { name: 'occurred_on', type: 'date' },
          { name: 'recorded_by', type: 'varchar', length: '100' },
          { name: 'recorded_by_organisation', type: 'varchar', length: '100' },
          { name: 'recorded_at', type: 'datetime', precision: 3 },
        ],
        indices: [{ name: 'IDX_provider_violation_provider_recorded', columnNames: ['provider_id', 'recorded_at'] }],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'provider_sanction',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'provider_id', type: 'varchar', length: '36' },
          { name: 'violation_id', type: 'varchar', length: '36' },
          { name: 'kind', type: 'varchar', length: '24' },
          { name: 'reason', type: 'text' },
          { name: 'downgraded_to', type: 'varchar', length: '1', isNullable: true },
          { name: 'imposed_by', type: 'varchar', length: '100' },
          { name: 'imposed_by_organisation', type: 'varchar', length: '100' },
          { name: 'imposed_at', type: 'datetime', precision: 3 },
        ],
        indices: [
          { name: 'IDX_provider_sanction_violation', columnNames: ['violation_id'] },
          { name: 'IDX_provider_sanction_provider_imposed', columnNames: ['provider_id', 'imposed_at'] },
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['provider_sanction', 'provider_violation', 'supervision_class_change', 'provider_filing_event']) await queryRunner.dropTable(table);
  }
}
