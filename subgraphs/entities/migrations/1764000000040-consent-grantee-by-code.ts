import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Consents stored before grantees were named as their tokens name them (d3ac81c) could name an
 * enterprise, a provider or a person by its subject id, as the docs and the demo seed then said;
 * the gateway compares a consent's grantee with the reader's token, which carries a code or an ID
 * number, so such a consent could never be used. Each is renamed to its subject's code or ID
 * number. Irreversible: `down` cannot tell these from consents granted by code, and leaves them.
 */
export class ConsentGranteeByCode1764000000040 implements MigrationInterface {
  name = 'ConsentGranteeByCode1764000000040';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `UPDATE consent SET grantee_organisation = (SELECT identifier FROM subject WHERE subject.id = consent.grantee_organisation)
       WHERE grantee_kind IN ('ENTERPRISE', 'CREDIT_SERVICE_PROVIDER', 'INDIVIDUAL') AND grantee_organisation IN (SELECT id FROM subject)`,
    );
  }

  async down(): Promise<void> {}
}
