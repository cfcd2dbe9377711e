import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Before grantConsent compared a subject's id exactly, MySQL's collation let the window record a
 * consent under a subject's id in another letter case (`C437…` for `c437…`): a consent in none of
 * its subject's lists nor its grantee's (they match ids exactly), which no read under it could use.
 * Each is given its subject's id as the register has it. SQLite compared exactly all along, so
 * there is nothing to mend there. Irreversible: `down` cannot tell which ones were mended.
 */
export class ConsentSubjectIdsExact1764000000080 implements MigrationInterface {
  name = 'ConsentSubjectIdsExact1764000000080';

  async up(queryRunner: QueryRunner): Promise<void> {
    if (queryRunner.connection.driver.options.type === 'better-sqlite3') return;
    await queryRunner.query('UPDATE consent c JOIN subject s ON s.id = c.subject_id SET c.subject_id = s.id WHERE CAST(c.subject_id AS BINARY) <> CAST(s.id AS BINARY)');
  }

  async down(): Promise<void> {}
}
