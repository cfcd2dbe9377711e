import { TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';
import { collateColumns } from '../../shared/database';
import { nameKey } from '../../../lib/text';

/** Keys set per UPDATE: three parameters each. */
const keysPerStatement = 500;

/**
 * The registry is searched by name as a reader compares names (`nameAsRead`: compatibility forms,
 * letter case, spaces, punctuation and invisible characters left out), which SQL cannot compute:
 * each provider gets its key here, and keys and names compare as bytes on MySQL as on SQLite, so
 * that a search finds, and the registry lists in, the same order on both (MySQL's
 * utf8mb4_unicode_ci put c before CC, SQLite after).
 */
export class ProviderNameSearch1764000000340 implements MigrationInterface {
  name = 'ProviderNameSearch1764000000340';

  async up(queryRunner: QueryRunner): Promise<void> {
    const bytes = queryRunner.connection.driver.options.type === 'better-sqlite3' ? {} : { charset: 'utf8mb4', collation: 'utf8mb4_bin' };
    await queryRunner.addColumn('credit_service_provider', new TableColumn({ name: 'name_key', type: 'varchar', length: '600', default: "''", ...bytes }));
    await collateColumns(queryRunner, 'credit_service_provider', [['name', 'varchar(200)', 'NOT NULL']], 'utf8mb4_bin');
    // A district's registry: read whole, keyed a statement per 500 providers.
    const providers: { id: string; name: string }[] = await queryRunner.query('SELECT id, name FROM credit_service_provider');
    for (let start = 0; start < providers.length; start += keysPerStatement) {
      const batch = providers.slice(start, start + keysPerStatement);
      await queryRunner.query(
        `UPDATE credit_service_provider SET name_key = CASE id ${batch.map(() => 'WHEN ? THEN ?').join(' ')} END WHERE id IN (${batch.map(() => '?').join(', ')})`,
        [...batch.flatMap((p) => [p.id, nameKey(p.name)]), ...batch.map((p) => p.id)],
      );
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await collateColumns(queryRunner, 'credit_service_provider', [['name', 'varchar(200)', 'NOT NULL']], 'utf8mb4_unicode_ci');
    await queryRunner.dropColumn('credit_service_provider', 'name_key');
  }
}
