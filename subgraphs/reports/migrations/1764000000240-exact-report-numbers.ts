import type { MigrationInterface, QueryRunner } from 'typeorm';

// A report number and its issuer's name are the exact text printed on the report, as SQLite
// compares them. Under MySQL's utf8mb4_unicode_ci, XYHB-DUP-abc, XYHB-DUP-ABC and XYHB-DUP-ＡＢＣ
// were one number of one issuer to the unique index (DUPLICATE_REPORT) but three on SQLite, and
// verifyCreditReport and the printable page took a platform report's number in other letter case
// or in full-width letters for the number itself. Binary collation makes MySQL compare as SQLite;
// the unique index over (issuer_name, report_number) stays and compares the bytes too.
const columns = [
  ['issuer_name', 'varchar(200)'],
  ['report_number', 'varchar(64)'],
] as const;

export class ExactReportNumbers1764000000240 implements MigrationInterface {
  name = 'ExactReportNumbers1764000000240';

  async up(queryRunner: QueryRunner): Promise<void> {
    await this.collate(queryRunner, 'utf8mb4_bin');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await this.collate(queryRunner, 'utf8mb4_unicode_ci');
  }

  private async collate(queryRunner: QueryRunner, collation: string): Promise<void> {
    if (queryRunner.connection.driver.options.type === 'better-sqlite3') return;
    const changes = columns.map(([name, type]) => `MODIFY ${name} ${type} CHARACTER SET utf8mb4 COLLATE ${collation} NOT NULL`);
    await queryRunner.query(`ALTER TABLE credit_report ${changes.join(', ')}`);
  }
}
