import { TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * A filing decision locks every provider of the applicant's name key, in id order, before it reads
 * them (provider.repository.ts, `lockNamesakes`): without an index MySQL scans the whole registry
 * under that lock, and every other filing waits on it.
 */
export class ProviderNameKeyIndex1764000000350 implements MigrationInterface {
  name = 'ProviderNameKeyIndex1764000000350';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createIndex('credit_service_provider', new TableIndex({ name: 'IDX_credit_service_provider_name_key', columnNames: ['name_key'] }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex('credit_service_provider', 'IDX_credit_service_provider_name_key');
  }
}
