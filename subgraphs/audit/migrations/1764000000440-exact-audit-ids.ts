import type { MigrationInterface, QueryRunner } from 'typeorm';
import { collateColumns } from '../../shared/database';

// A subject id and a request id are the exact text the gateway recorded, as SQLite compares it.
// 1764000000430 made the organisation, matter and case number exact but left these two under
// MySQL's utf8mb4_unicode_ci: there auditEntriesBySubject for an upper-cased id (a request can
// leave entries under one) served the lower-case subject's whole trail as well, and
// auditStatistics and auditCases took ids differing in letter case for one subject, and request
// ids differing in letter case for one request. Binary collation makes MySQL compare as SQLite.
// Type and nullability as 1764000000400-create-audit-entry.ts made them.
const columns = [
  ['subject_id', 'varchar(36)', 'NULL'],
  ['request_id', 'varchar(64)', 'NOT NULL'],
] as const;

export class ExactAuditIds1764000000440 implements MigrationInterface {
  name = 'ExactAuditIds1764000000440';

  async up(queryRunner: QueryRunner): Promise<void> {
    await collateColumns(queryRunner, 'audit_entry', columns, 'utf8mb4_bin');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await collateColumns(queryRunner, 'audit_entry', columns, 'utf8mb4_unicode_ci');
  }
}
