import type { MigrationInterface, QueryRunner } from 'typeorm';

// A document number is the department's exact text, as SQLite compares it. Under MySQL's
// utf8mb4_unicode_ci, "MR-abc-1" and "MR-ABC-1" were one key to the unique index but two to the
// intake, which matches numbers exactly: re-sending a number in other letter case failed the
// whole submission. Binary collation makes MySQL compare as SQLite and the intake do.
export class ExactDocumentNumbers1764000000130 implements MigrationInterface {
  name = 'ExactDocumentNumbers1764000000130';

  async up(queryRunner: QueryRunner): Promise<void> {
    if (queryRunner.connection.driver.options.type === 'better-sqlite3') return;
    await queryRunner.query('ALTER TABLE credit_record MODIFY document_number varchar(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    if (queryRunner.connection.driver.options.type === 'better-sqlite3') return;
    await queryRunner.query('ALTER TABLE credit_record MODIFY document_number varchar(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci NOT NULL');
  }
}
