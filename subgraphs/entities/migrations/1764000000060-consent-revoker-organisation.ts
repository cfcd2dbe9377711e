import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The organisation a consent's revoker acted for, as a consent already keeps its grantor's: a
 * subject reading its consents is told which of its own users revoked one, never which officer of
 * the window did. Consents revoked before this column stay without one, and their revoker is
 * shown to the administration only.
 */
export class ConsentRevokerOrganisation1764000000060 implements MigrationInterface {
  name = 'ConsentRevokerOrganisation1764000000060';

  async up(queryRunner: QueryRunner): Promise<void> {
    // Once made, not again: on MySQL a start killed right after it runs this migration once more.
    if (await queryRunner.hasColumn('consent', 'revoked_by_organisation')) return;
    await queryRunner.query('ALTER TABLE consent ADD COLUMN revoked_by_organisation varchar(64)');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE consent DROP COLUMN revoked_by_organisation');
  }
}
