import { TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';

// A violation's evidence is up to 50 items of 500 characters (ProviderViolationInput): as a JSON
// array that is up to some 100 KB in utf8mb4, more than the 64 KB of the MySQL TEXT column it was
// in, so MariaDB refused what SQLite stored. A JSON column is LONGTEXT on MariaDB (with a
// json_valid check), native JSON on MySQL and text on SQLite: the one type the entity can declare
// for both drivers (SQLite knows no MEDIUMTEXT).
export class EvidenceAsJson1764000000320 implements MigrationInterface {
  name = 'EvidenceAsJson1764000000320';

  async up(queryRunner: QueryRunner): Promise<void> {
    await changeEvidence(queryRunner, 'json');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await changeEvidence(queryRunner, 'text');
  }
}

async function changeEvidence(queryRunner: QueryRunner, type: 'json' | 'text'): Promise<void> {
  // On MySQL, TypeORM's changeColumn drops and re-adds a column whose type changes, losing its
  // values; MODIFY keeps them. On SQLite it copies the table, values included.
  if (queryRunner.connection.driver.options.type === 'better-sqlite3') {
    await queryRunner.changeColumn('provider_violation', 'evidence', new TableColumn({ name: 'evidence', type }));
  } else {
    await queryRunner.query(`ALTER TABLE provider_violation MODIFY evidence ${type.toUpperCase()} NOT NULL`);
  }
}
