import type { MigrationInterface, QueryRunner } from 'typeorm';
import { collateColumns } from '../../shared/database';

// A case number (案号) is the department's exact text, as SQLite compares it and as the audit log
// keeps it. Under MySQL's utf8mb4_unicode_ci, creditChecks(caseNumber: "bdh-cg-2026-0117") listed
// the checks of case BDH-CG-2026-0117 (and of its full-width twin): another case's checks, for a
// supervisor tracing an auditCases row to its checks.
const caseNumber = [['case_number', 'varchar(100)', 'NOT NULL']] as const;

export class ExactCaseNumbers1764000000150 implements MigrationInterface {
  name = 'ExactCaseNumbers1764000000150';

  async up(queryRunner: QueryRunner): Promise<void> {
    await collateColumns(queryRunner, 'credit_check', caseNumber, 'utf8mb4_bin');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await collateColumns(queryRunner, 'credit_check', caseNumber, 'utf8mb4_unicode_ci');
  }
}
