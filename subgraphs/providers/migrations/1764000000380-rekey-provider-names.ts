import type { MigrationInterface, QueryRunner } from 'typeorm';
import { nameKey } from '../../../lib/text';
import type { ParticularChange } from '../entities/provider-filing-change.entity';

/** Keys set per UPDATE: three parameters each. */
const keysPerStatement = 500;

/**
 * Names are compared as read (`nameKey`), and what a reader does not see now includes private-use
 * characters, noncharacters, the blank-drawn U+2800 and combining marks with nothing to sit on
 * (lib/text.ts): a name stored before with one of them kept it in its key, so that the same name
 * typed plainly would not have met it (a second provider filed under a name that reads as the
 * first's). Every stored key is computed again, the names' own, their former names' and those of
 * the names changes ask for; only the keys that differ are written. The registry and its changes
 * are a district's, read whole.
 */
export class RekeyProviderNames1764000000380 implements MigrationInterface {
  name = 'RekeyProviderNames1764000000380';

  async up(queryRunner: QueryRunner): Promise<void> {
    const rows = async (table: string, name: (row: Record<string, unknown>) => string) => {
      const stored: Record<string, unknown>[] = await queryRunner.query(`SELECT * FROM ${table}`);
      return stored.map((row) => ({ id: String(row.id), key: name(row), stored: String(row.name_key) })).filter((row) => row.key !== row.stored);
    };
    const askedName = (row: Record<string, unknown>) => {
      // mysql2 gives a JSON column parsed, better-sqlite3 as text.
      const changes = (typeof row.changes === 'string' ? JSON.parse(row.changes) : row.changes) as ParticularChange[];
      const renamed = changes.find((change) => change.particular === 'NAME');
      return renamed?.after ? nameKey(renamed.after) : '';
    };
    const stale = [
      { table: 'credit_service_provider', rows: await rows('credit_service_provider', (row) => nameKey(String(row.name))) },
      { table: 'provider_former_name', rows: await rows('provider_former_name', (row) => nameKey(String(row.name))) },
      { table: 'provider_filing_change', rows: await rows('provider_filing_change', askedName) },
    ];
    for (const { table, rows: keyed } of stale) {
      for (let start = 0; start < keyed.length; start += keysPerStatement) {
        const batch = keyed.slice(start, start + keysPerStatement);
        await queryRunner.query(
          `UPDATE ${table} SET name_key = CASE id ${batch.map(() => 'WHEN ? THEN ?').join(' ')} END WHERE id IN (${batch.map(() => '?').join(', ')})`,
          [...batch.flatMap((row) => [row.id, row.key]), ...batch.map((row) => row.id)],
        );
      }
    }
  }

  async down(): Promise<void> {
    // Nothing to undo: the schema is unchanged, and the keys as computed before are not kept.
  }
}
