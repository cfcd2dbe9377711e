import { randomUUID } from 'node:crypto';
import { nameAsRead } from '../../../lib/text';
import { demoWorld } from '../../../scripts/demo/world';
import { CreditReport } from '../../../subgraphs/reports/entities/credit-report.entity';
import { IssuerNameKey1764000000270 } from '../../../subgraphs/reports/migrations/1764000000270-issuer-name-key';
import { subgraphDefinitions } from '../../../subgraphs/registry';
import { insertMany } from '../../../subgraphs/shared/bulk-insert';
import { isUniqueViolation, openDatabase } from '../../../subgraphs/shared/database';
import { testDatabases } from '../../helpers/databases';
import { financeOfficer, identityOf } from '../providers/callers';
import { useReportsWithPeers } from './registry-peers';

/**
 * One report is registered once per issuer, the issuer's name compared as a reader compares names
 * (`nameAsRead`): the same local website's report under "Hebei Credit Site" and "HEBEI CREDIT
 * SITE", or under 信用河北网站 and 信用河北 网站, is one report, which would otherwise count twice.
 */
const world = demoWorld({ subjects: 20 });
const subject = world.subjects[2];
const officer = identityOf(financeOfficer, { matter: 'GOVERNMENT_PROCUREMENT', caseNumber: 'BDH-CG-2026-0117' });

const register = /* GraphQL */ `mutation ($input: RegisterCreditReportInput!) { registerCreditReport(input: $input) { id issuerName reportNumber } }`;
const withdraw = /* GraphQL */ `mutation ($id: ID!, $reason: String!) { withdrawCreditReportRegistration(id: $id, reason: $reason) { id } }`;

function localReport(issuerName: string, reportNumber: string) {
  return { subjectId: subject.id, source: 'LOCAL_CREDIT_WEBSITE', issuerName, reportNumber, issuedOn: '2026-10-30', validUntil: '2027-01-27', verificationCode: 'K7Q2M9TA', documentSha256: 'ef'.repeat(32) };
}

describe.each(testDatabases)('issuer names in the duplicate rule on $label', (database) => {
  const { reports } = useReportsWithPeers(database, 'issuernames', world);

  async function registerAs(issuerName: string, reportNumber: string) {
    return await reports.queryAs<{ registerCreditReport: { id: string; issuerName: string } | null }>(officer, register, { input: localReport(issuerName, reportNumber) });
  }

  async function stored(reportNumber: string): Promise<string[]> {
    const rows: { issuer_name: string }[] = await reports.db().query('SELECT issuer_name FROM credit_report WHERE report_number = ? ORDER BY registered_at', [reportNumber]);
    return rows.map((r) => r.issuer_name);
  }

  it.each([
    ['Hebei Credit Site', ['HEBEI CREDIT SITE', 'Ｈｅｂｅｉ Ｃｒｅｄｉｔ Ｓｉｔｅ', ' hebei  credit-site ', 'Hebei Credit Site.']],
    ['信用河北网站', ['信用河北 网站', '信用河北网站。', '信用河北・网站']],
  ])('refuses a report of %s registered again under a name that reads alike, naming the spelling on file', async (issuer, variants) => {
    const reportNumber = `HB-${randomUUID().slice(0, 8)}`;
    const first = await registerAs(issuer, reportNumber);
    expect(first.errors).toBeUndefined();
    for (const variant of variants) {
      const again = await registerAs(variant, reportNumber);
      // The department's own registration: named by its id (registration-retry.test.ts).
      const reportId = first.data!.registerCreditReport!.id;
      expect([variant, again.data?.registerCreditReport, again.errors?.map((e) => e.extensions)]).toEqual([variant, null, [{ code: 'BAD_USER_INPUT', field: 'reportNumber', problem: 'DUPLICATE_REPORT', reportId }]]);
      expect(again.errors?.[0].message).toContain(`its issuer named ${issuer}`);
    }
    expect(await stored(reportNumber)).toEqual([issuer]);
  });

  it('registers the number of another issuer, whose name reads otherwise, as another report', async () => {
    const reportNumber = `HB-${randomUUID().slice(0, 8)}`;
    for (const issuer of ['Hebei Credit Site', 'Hebei Credit', '信用河北网站', '信用河北']) expect((await registerAs(issuer, reportNumber)).errors).toBeUndefined();
    expect(await stored(reportNumber)).toHaveLength(4);
  });

  it('takes the report under another spelling once the first registration is withdrawn as a mistake', async () => {
    const reportNumber = `HB-${randomUUID().slice(0, 8)}`;
    const first = await registerAs('Hebei Credit Site', reportNumber);
    expect((await reports.queryAs(officer, withdraw, { id: first.data!.registerCreditReport!.id, reason: '出具机构名称录入有误' })).errors).toBeUndefined();
    expect((await registerAs('HEBEI CREDIT SITE', reportNumber)).errors).toBeUndefined();
    expect(await stored(reportNumber)).toEqual(['Hebei Credit Site', 'HEBEI CREDIT SITE']);
  });

  it('holds the rule in the unique index, for a registration racing past the check, and keys a report whatever writes it', async () => {
    const reportNumber = `HB-${randomUUID().slice(0, 8)}`;
    const first = await registerAs('Hebei Credit Site', reportNumber);
    const repository = reports.db().getRepository(CreditReport);
    const row = await repository.findOneByOrFail({ id: first.data!.registerCreditReport!.id });
    const racing = await repository.insert(Object.assign(new CreditReport(), row, { id: randomUUID(), issuerName: 'HEBEI CREDIT SITE' })).then(() => null, (error: unknown) => error);
    expect(isUniqueViolation(racing)).toBe(true);
    // A bulk load (the benchmark's) writes the entity's columns as they are: the key with them.
    const loaded = Object.assign(new CreditReport(), row, { id: randomUUID(), issuerName: 'Ｈｅｂｅｉ Ｃｒｅｄｉｔ', reportNumber: `${reportNumber}-B` });
    await insertMany(reports.db().manager, CreditReport, [loaded]);
    const keys: { issuer_name_key: string }[] = await reports.db().query('SELECT issuer_name_key FROM credit_report WHERE report_number IN (?, ?) ORDER BY report_number', [reportNumber, `${reportNumber}-B`]);
    expect(keys.map((k) => k.issuer_name_key)).toEqual(['hebeicreditsite', 'hebeicredit']);
  });
});

describe.each(testDatabases)('the issuer name key migration on $label', (database) => {
  const suite = 'issuernamekey';
  afterAll(() => database.cleanUp(suite));

  /** A reports database as it stood before the migration, holding these registrations (issuer, number, standing). */
  async function before(rows: [issuer: string, reportNumber: string, inForce: boolean][]) {
    await database.cleanUp(suite);
    const definition = subgraphDefinitions.reports;
    const db = await openDatabase('reports', database.target(suite), { entities: definition.entities, migrations: definition.migrations.filter((m) => m !== IssuerNameKey1764000000270) });
    for (const [index, [issuer, reportNumber, inForce]] of rows.entries()) {
      await db.query(
        `INSERT INTO credit_report (id, subject_id, source, issuer_name, report_number, issued_on, valid_until, verification_code, registered_at, in_force)
         VALUES (?, 'subject-1', 'LOCAL_CREDIT_WEBSITE', ?, ?, '2026-10-30', '2027-01-27', 'K7Q2M9TA', ?, ?)`,
        [`report-${index}`, issuer, reportNumber, `2026-11-0${index + 1} 00:00:00.000`, inForce ? 1 : null],
      );
    }
    return db;
  }

  async function migrate(db: Awaited<ReturnType<typeof before>>) {
    const runner = db.createQueryRunner();
    try {
      await new IssuerNameKey1764000000270().up(runner);
    } finally {
      await runner.release();
    }
  }

  it('keys every report by its issuer’s name as read, and holds one standing registration per issuer so read and number', async () => {
    const db = await before([
      ['Hebei Credit Site', 'HB-1', true],
      ['HEBEI CREDIT SITE', 'HB-1', false],
      ['信用河北 网站', 'HB-2', true],
    ]);
    try {
      await migrate(db);
      const rows: { id: string; issuer_name: string; issuer_name_key: string }[] = await db.query('SELECT id, issuer_name, issuer_name_key FROM credit_report ORDER BY id');
      expect(rows.map((r) => [r.id, r.issuer_name_key])).toEqual([
        ['report-0', 'hebeicreditsite'],
        ['report-1', 'hebeicreditsite'],
        ['report-2', nameAsRead('信用河北网站')],
      ]);
      const variant = db.query(
        `INSERT INTO credit_report (id, subject_id, source, issuer_name, issuer_name_key, report_number, issued_on, valid_until, verification_code, registered_at, in_force)
         VALUES ('report-3', 'subject-1', 'LOCAL_CREDIT_WEBSITE', 'Hebei credit site', 'hebeicreditsite', 'HB-1', '2026-10-30', '2027-01-27', 'K7Q2M9TA', '2026-11-09 00:00:00.000', 1)`,
      );
      expect(isUniqueViolation(await variant.then(() => null, (error: unknown) => error))).toBe(true);
    } finally {
      await db.destroy();
    }
  });

  it('refuses, changing nothing, while a report stands registered under two names that read alike, naming both', async () => {
    const db = await before([
      ['Hebei Credit Site', 'HB-1', true],
      ['HEBEI CREDIT SITE', 'HB-1', true],
      ['Hebei Credit', 'HB-1', true],
    ]);
    try {
      await expect(migrate(db)).rejects.toThrow(/registered more than once under issuer names that read alike, which are now one issuer \(1\): HB-1 from "Hebei Credit Site" \(report-0\) and "HEBEI CREDIT SITE" \(report-1\)\. Withdraw/);
      const runner = db.createQueryRunner();
      try {
        expect(await runner.hasColumn('credit_report', 'issuer_name_key')).toBe(false);
      } finally {
        await runner.release();
      }
    } finally {
      await db.destroy();
    }
  });
});
