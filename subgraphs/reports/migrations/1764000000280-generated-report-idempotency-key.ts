import { TableColumn, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

const uniqueIndex = 'UQ_credit_report_generator_idempotency_key';

// A retried generateCreditReport (a timed-out request, a double-clicked button) generated and
// stored a second report, with a number, code and audit entry of its own; the front end's key for
// the attempt makes the retry answer the first. Unique per caller (the organisation and the user
// that generated the report, as a check's key is per officer): another user's report is a report
// of its own, in its case file. NULLs, the reports generated without a key and every registered
// report, never collide on either database. Compared as bytes, as SQLite compares: under
// unicode_ci, MySQL would take key "ab" for "AB". Schema steps of the QueryRunner only, each
// skipped on MySQL when already done (shared/rerunnable-migrations.ts).
export class GeneratedReportIdempotencyKey1764000000280 implements MigrationInterface {
  name = 'GeneratedReportIdempotencyKey1764000000280';

  async up(queryRunner: QueryRunner): Promise<void> {
    const bytes = queryRunner.connection.driver.options.type === 'better-sqlite3' ? {} : { charset: 'utf8mb4', collation: 'utf8mb4_bin' };
    await queryRunner.addColumn('credit_report', new TableColumn({ name: 'idempotency_key', type: 'varchar', length: '64', isNullable: true, ...bytes }));
    await queryRunner.createIndex('credit_report', new TableIndex({ name: uniqueIndex, columnNames: ['registered_by_organisation', 'registered_by', 'idempotency_key'], isUnique: true }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex('credit_report', uniqueIndex);
    await queryRunner.dropColumn('credit_report', 'idempotency_key');
  }
}
