import { TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

// departmentHandlingStatistics (department-statistics.ts) counts a period of each table: without
// an index on the instants, each of its statements read every record, event, objection and
// application ever stored. Each index is the one its statement reads, its columns in the order
// its WHERE narrows them (an equality, then the period), and the columns it counts after them,
// so that the records and the corrections are counted from the index alone (InnoDB keys a
// secondary index by its columns, then the primary key):
// - records entered: the period of `recorded_at`, counted per `source_department`;
// - corrections: `kind` CORRECTED in the period of `occurred_at`, counted per `record_id`;
// - objections pending in the period: not decided before it began (`decided_at` null or since),
//   then filed before it ended (`submitted_at`);
// - applications filed: the period of `submitted_at`.
// Keep in sync with the entities' @Index declarations.
const indices = [
  { table: 'credit_record', name: 'IDX_credit_record_recorded_at_department', columnNames: ['recorded_at', 'source_department'] },
  { table: 'credit_record_event', name: 'IDX_credit_record_event_kind_occurred_at', columnNames: ['kind', 'occurred_at', 'record_id'] },
  { table: 'credit_record_objection', name: 'IDX_credit_record_objection_decided_submitted', columnNames: ['decided_at', 'submitted_at'] },
  { table: 'restoration_application', name: 'IDX_restoration_application_submitted_at', columnNames: ['submitted_at'] },
];

export class IndexHandlingPeriods1764000000170 implements MigrationInterface {
  name = 'IndexHandlingPeriods1764000000170';

  async up(queryRunner: QueryRunner): Promise<void> {
    for (const { table, name, columnNames } of indices) await queryRunner.createIndex(table, new TableIndex({ name, columnNames }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const { table, name } of [...indices].reverse()) await queryRunner.dropIndex(table, name);
  }
}
