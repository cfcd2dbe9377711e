import { Table, TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Changes of a filed provider's particulars (变更备案) and the names it was filed under before
 * (曾用名). Every filing step recorded so far names no change (NULL), and no provider has a former
 * name. Table API, so that one migration serves SQLite and MySQL; names and their keys compare as
 * bytes on MySQL, as the providers' own do (migration 1764000000340).
 */
export class ProviderFilingChange1764000000370 implements MigrationInterface {
  name = 'ProviderFilingChange1764000000370';

  async up(queryRunner: QueryRunner): Promise<void> {
    const bytes = queryRunner.connection.driver.options.type === 'better-sqlite3' ? {} : { charset: 'utf8mb4', collation: 'utf8mb4_bin' };
    await queryRunner.createTable(
      new Table({
        name: 'provider_filing_change',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'provider_id', type: 'varchar', length: '36' },
          { name: 'status', type: 'varchar', length: '16' },
          { name: 'changes', type: 'json' },
          { name: 'name_key', type: 'varchar', length: '600', default: "''", ...bytes },
          { name: 'reason', type: 'text' },
          { name: 'supporting_material', type: 'text' },
          { name: 'applied_at', type: 'datetime', precision: 3 },
        ],
        indices: [
          { name: 'IDX_provider_filing_change_provider_status', columnNames: ['provider_id', 'status'] },
          { name: 'IDX_provider_filing_change_name_key', columnNames: ['name_key'] },
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'provider_former_name',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'provider_id', type: 'varchar', length: '36' },
          { name: 'name', type: 'varchar', length: '200', ...bytes },
          { name: 'name_key', type: 'varchar', length: '600', ...bytes },
          { name: 'held_until', type: 'datetime', precision: 3 },
          { name: 'filing_change_id', type: 'varchar', length: '36' },
        ],
        indices: [
          { name: 'IDX_provider_former_name_provider_until', columnNames: ['provider_id', 'held_until'] },
          { name: 'IDX_provider_former_name_name_key', columnNames: ['name_key'] },
        ],
      }),
    );
    await queryRunner.addColumn('provider_filing_event', new TableColumn({ name: 'filing_change_id', type: 'varchar', length: '36', isNullable: true }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('provider_filing_event', 'filing_change_id');
    await queryRunner.dropTable('provider_former_name');
    await queryRunner.dropTable('provider_filing_change');
  }
}
