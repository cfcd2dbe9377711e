import type { MigrationInterface, QueryRunner } from 'typeorm';
import { collateColumns } from '../../shared/database';

// A report number and its issuer's name are the exact text printed on the report, as SQLite
// compares them. Under MySQL's utf8mb4_unicode_ci, XYHB-DUP-abc, XYHB-DUP-ABC and XYHB-DUP-ＡＢＣ
// were one number of one issuer to the unique index (DUPLICATE_REPORT) but three on SQLite, and
// verifyCreditReport and the printable page took a platform report's number in other letter case
// or in full-width letters for the number itself. Binary collation makes MySQL compare as SQLite;
// the unique index over (issuer_name, report_number) stays and compares the bytes too.
const columns = [
  ['issuer_name', 'varchar(200)', 'NOT NULL'],
  ['report_number', 'varchar(64)', 'NOT NULL'],
] as const;

export class ExactReportNumbers1764000000240 implements MigrationInterface {
  name = 'ExactReportNumbers1764000000240';

  async up(queryRunner: QueryRunner): Promise<void> {
    await collateColumns(queryRunner, 'credit_report', columns, 'utf8mb4_bin');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await collateColumns(queryRunner, 'credit_report', columns, 'utf8mb4_unicode_ci');
  }
}
