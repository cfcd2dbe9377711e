import { TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';
import { collateColumns } from '../../shared/database';

// A grantee lists the consents given to it (`consentsGivenToCaller`), which name it as its tokens
// name their organisation and as the gateway compares the two: character for character, so a
// bank's `bank_x` is another reader than `BANK_X`. Under MySQL's utf8mb4_unicode_ci the list of
// one would hold the other's consents; binary collation makes MySQL compare as SQLite and the
// gateway do. The list runs newest first: the index holds each grantee's consents in that order
// (the id too, which SQLite's indexes do not append), so a page is read without sorting them all.
// Replaced rather than added to: the grantee's column alone served nothing this does not.
const granteeOrganisation = [['grantee_organisation', 'varchar(64)', 'NOT NULL']] as const;
const byGrantee = new TableIndex({ name: 'IDX_consent_grantee', columnNames: ['grantee_organisation', 'grantee_kind', 'granted_at', 'id'] });

export class ConsentsByGrantee1764000000070 implements MigrationInterface {
  name = 'ConsentsByGrantee1764000000070';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex('consent', 'IDX_consent_grantee_organisation');
    await collateColumns(queryRunner, 'consent', granteeOrganisation, 'utf8mb4_bin');
    await queryRunner.createIndex('consent', byGrantee);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex('consent', byGrantee);
    await collateColumns(queryRunner, 'consent', granteeOrganisation, 'utf8mb4_unicode_ci');
    await queryRunner.createIndex('consent', new TableIndex({ name: 'IDX_consent_grantee_organisation', columnNames: ['grantee_organisation'] }));
  }
}
