import type { MigrationInterface, QueryRunner } from 'typeorm';
import { collateColumns } from '../../shared/database';

// A document number is the department's exact text, as SQLite compares it. Under MySQL's
// utf8mb4_unicode_ci, "MR-abc-1" and "MR-ABC-1" were one key to the unique index but two to the
// intake, which matches numbers exactly: re-sending a number in other letter case failed the
// whole submission. Binary collation makes MySQL compare as SQLite and the intake do.
const documentNumber = [['document_number', 'varchar(64)', 'NOT NULL']] as const;

export class ExactDocumentNumbers1764000000130 implements MigrationInterface {
  name = 'ExactDocumentNumbers1764000000130';

  async up(queryRunner: QueryRunner): Promise<void> {
    await collateColumns(queryRunner, 'credit_record', documentNumber, 'utf8mb4_bin');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await collateColumns(queryRunner, 'credit_record', documentNumber, 'utf8mb4_unicode_ci');
  }
}
