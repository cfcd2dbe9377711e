import type { MigrationInterface, QueryRunner } from 'typeorm';
import { collateColumns } from '../../shared/database';

// An actor is the exact user id the caller's token named, as SQLite compares it. 1764000000430
// and 1764000000440 made the organisation, matter, case number and ids exact but left the actor
// under MySQL's utf8mb4_unicode_ci: there the log's `actor` filter, which says "exactly", served
// officer-zhang, OFFICER-ZHANG and officer-zhäng (three users, of two departments) as one officer.
// Type and nullability as 1764000000400-create-audit-entry.ts made them.
const columns = [['actor', 'varchar(100)', 'NOT NULL']] as const;

export class ExactAuditActors1764000000480 implements MigrationInterface {
  name = 'ExactAuditActors1764000000480';

  async up(queryRunner: QueryRunner): Promise<void> {
    await collateColumns(queryRunner, 'audit_entry', columns, 'utf8mb4_bin');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await collateColumns(queryRunner, 'audit_entry', columns, 'utf8mb4_unicode_ci');
  }
}
