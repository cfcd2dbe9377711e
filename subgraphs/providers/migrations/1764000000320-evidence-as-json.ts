import type { MigrationInterface, QueryRunner } from 'typeorm';
import { changeColumnType } from '../../shared/migration-rows';

// A violation's evidence is up to 50 items of 500 characters (ProviderViolationInput): as a JSON
// array that is up to some 100 KB in utf8mb4, more than the 64 KB of the MySQL TEXT column it was
// in, so MariaDB refused what SQLite stored. A JSON column is LONGTEXT on MariaDB (with a
// json_valid check), native JSON on MySQL and text on SQLite: the one type the entity can declare
// for both drivers (SQLite knows no MEDIUMTEXT).
export class EvidenceAsJson1764000000320 implements MigrationInterface {
  name = 'EvidenceAsJson1764000000320';

  async up(queryRunner: QueryRunner): Promise<void> {
    await changeColumnType(queryRunner, 'provider_violation', 'evidence', 'json');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await changeColumnType(queryRunner, 'provider_violation', 'evidence', 'text');
  }
}
