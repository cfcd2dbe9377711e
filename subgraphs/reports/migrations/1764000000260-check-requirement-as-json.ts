import { TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * A sealed report requirement lists every report its check considered, so it grows with the
 * subject's reports: some 260, or 80 with 200-character issuer names, overflowed the 64 KB of the
 * MySQL TEXT column it was in, and the INSERT IGNORE that sealed it made MariaDB cut it short
 * instead of failing (check-requirement.ts now inserts without IGNORE). It becomes a JSON column
 * (LONGTEXT with a json_valid check on MariaDB, native JSON on MySQL, text on SQLite), as the
 * credit checks' findings did in the records subgraph (1764000000160).
 *
 * A requirement already cut short is deleted: the JSON column could not hold it, and nobody ever
 * read it (sealing reads back what it stored, and failed). The check's next read judges its
 * requirement again as of the check's instant, as for a check never read; only what changed since
 * (a registration withdrawn, a report found not genuine) counts from then, as the SDL says.
 */
export class CheckRequirementAsJson1764000000260 implements MigrationInterface {
  name = 'CheckRequirementAsJson1764000000260';

  async up(queryRunner: QueryRunner): Promise<void> {
    // json_valid is built into SQLite (3.38) as into MySQL and MariaDB: one statement for both.
    await queryRunner.query('DELETE FROM check_report_requirement WHERE json_valid(requirement) = 0');
    await changeRequirement(queryRunner, 'json');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    // A requirement that outgrew 64 KB cannot go back: MySQL refuses the MODIFY rather than cut it.
    await changeRequirement(queryRunner, 'text');
  }
}

async function changeRequirement(queryRunner: QueryRunner, type: 'json' | 'text'): Promise<void> {
  // On MySQL, TypeORM's changeColumn drops and re-adds a column whose type changes, losing its
  // values; MODIFY keeps them. On SQLite it copies the table, values included.
  if (queryRunner.connection.driver.options.type === 'better-sqlite3') {
    await queryRunner.changeColumn('check_report_requirement', 'requirement', new TableColumn({ name: 'requirement', type }));
  } else {
    await queryRunner.query(`ALTER TABLE check_report_requirement MODIFY requirement ${type.toUpperCase()} NOT NULL`);
  }
}
