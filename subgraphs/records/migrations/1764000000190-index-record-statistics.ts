import { TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

// creditRecordStatistics (credit-record-statistics.ts) counts the records decided in a period per
// cell and subject. Without an index on `decision_date` each of its statements read every record
// ever stored, TEXT and all: at a million records a month took 3 s and a year 13 s, over the
// 8 s statement limit, so an analyst's yearly statistics could never be answered. The index holds
// the period first, then every column the statement filters on or groups by, so that it is
// counted from the index alone. Keep in sync with the entity's @Index declaration.
const index = new TableIndex({
  name: 'IDX_credit_record_decision_cells',
  columnNames: ['decision_date', 'source_department', 'category', 'polarity', 'severity', 'status', 'subject_id'],
});

export class IndexRecordStatistics1764000000190 implements MigrationInterface {
  name = 'IndexRecordStatistics1764000000190';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createIndex('credit_record', index);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex('credit_record', index);
  }
}
