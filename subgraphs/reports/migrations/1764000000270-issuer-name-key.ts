import { TableColumn, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';
import { nameKey, nameKeyMaxLength } from '../../../lib/text';

const uniqueIndex = 'UQ_credit_report_issuer_number_in_force';

/** At most this many reports are named in the refusal: enough to start on, and the message stays readable. */
const namedInRefusal = 20;

/**
 * One standing registration per issuer and number compared the issuer's name exactly: the same
 * local website's report under 信用河北网站 and 信用河北 网站, or Hebei Credit Site and HEBEI CREDIT
 * SITE, was stored twice and counted twice. The name is compared as read (`nameAsRead`:
 * compatibility forms, letter case, spaces, punctuation and invisible characters left out),
 * which SQL cannot compute, so each report gets its key here (one UPDATE per issuer's name:
 * there are far fewer names than reports) and the unique index holds the key in the name's
 * place. Key and name compare as bytes on MySQL as on SQLite.
 *
 * A report already registered twice so is refused before anything changes: which registration
 * was the mistake is for the registering department or the credit office to say
 * (withdrawCreditReportRegistration), not for a migration, and the index cannot be made while
 * both stand. The refusal names them; once they are withdrawn, the migration runs.
 */
export class IssuerNameKey1764000000270 implements MigrationInterface {
  name = 'IssuerNameKey1764000000270';

  async up(queryRunner: QueryRunner): Promise<void> {
    await refuseReportsRegisteredTwice(queryRunner);
    const bytes = queryRunner.connection.driver.options.type === 'better-sqlite3' ? {} : { charset: 'utf8mb4', collation: 'utf8mb4_bin' };
    await queryRunner.addColumn('credit_report', new TableColumn({ name: 'issuer_name_key', type: 'varchar', length: String(nameKeyMaxLength), isNullable: true, ...bytes }));
    const names: { issuer_name: string }[] = await queryRunner.query('SELECT DISTINCT issuer_name FROM credit_report');
    for (const { issuer_name: name } of names) {
      await queryRunner.query('UPDATE credit_report SET issuer_name_key = ? WHERE issuer_name = ?', [nameKey(name), name]);
    }
    await queryRunner.dropIndex('credit_report', uniqueIndex);
    await queryRunner.createIndex('credit_report', new TableIndex({ name: uniqueIndex, columnNames: ['issuer_name_key', 'report_number', 'in_force'], isUnique: true }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    // Every registration standing now stands apart under its exact name too, so the old index holds them.
    await queryRunner.dropIndex('credit_report', uniqueIndex);
    await queryRunner.createIndex('credit_report', new TableIndex({ name: uniqueIndex, columnNames: ['issuer_name', 'report_number', 'in_force'], isUnique: true }));
    await queryRunner.dropColumn('credit_report', 'issuer_name_key');
  }
}

/** Throws, naming them, when a report stands registered more than once under issuer names that read alike. */
async function refuseReportsRegisteredTwice(queryRunner: QueryRunner): Promise<void> {
  // Only a number standing more than once can be such a report: few rows, keyed here.
  const standing: { id: string; issuer_name: string; report_number: string }[] = await queryRunner.query(
    `SELECT id, issuer_name, report_number FROM credit_report
     WHERE in_force = 1 AND report_number IN (SELECT report_number FROM credit_report WHERE in_force = 1 GROUP BY report_number HAVING COUNT(*) > 1)
     ORDER BY report_number, registered_at, id`,
  );
  const reports = new Map<string, typeof standing>();
  for (const row of standing) {
    const key = JSON.stringify([nameKey(row.issuer_name), row.report_number]);
    reports.set(key, [...(reports.get(key) ?? []), row]);
  }
  const twice = [...reports.values()].filter((rows) => rows.length > 1);
  if (!twice.length) return;
  const named = twice.slice(0, namedInRefusal).map((rows) => `${rows[0].report_number} from ${rows.map((r) => `${JSON.stringify(r.issuer_name)} (${r.id})`).join(' and ')}`);
  const more = twice.length > namedInRefusal ? `, and ${twice.length - namedInRefusal} more` : '';
  throw new Error(
    `Reports stand registered more than once under issuer names that read alike, which are now one issuer (${twice.length}): ${named.join('; ')}${more}. ` +
      'Withdraw the mistaken registration of each where the previous release still runs (withdrawCreditReportRegistration, by the department that registered it or the credit office), then upgrade again.',
  );
}
