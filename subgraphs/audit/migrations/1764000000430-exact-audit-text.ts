import type { MigrationInterface, QueryRunner } from 'typeorm';
import { collateColumns } from '../../shared/database';

// An organisation, a matter and a case number are the exact text a request named, as SQLite
// compares it. Under MySQL's utf8mb4_unicode_ci, the cases BDH-CG-1, bdh-cg-1 and ＢＤＨ-ＣＧ-1 were one
// case in auditCases and in the caseNumber filter, and two banks' organisation ids differing in
// letter case one organisation in the statistics. Binary collation makes MySQL compare as SQLite.
const columns = [
  ['organisation', 'varchar(64)', 'NOT NULL'],
  ['matter', 'varchar(64)', 'NULL'],
  ['case_number', 'varchar(100)', 'NULL'],
] as const;

export class ExactAuditText1764000000430 implements MigrationInterface {
  name = 'ExactAuditText1764000000430';

  async up(queryRunner: QueryRunner): Promise<void> {
    await collateColumns(queryRunner, 'audit_entry', columns, 'utf8mb4_bin');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await collateColumns(queryRunner, 'audit_entry', columns, 'utf8mb4_unicode_ci');
  }
}
