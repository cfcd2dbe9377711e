import { randomUUID } from 'node:crypto';
import { printingGrants } from '../../../gateway/printable-reports';
import { todayInDistrict } from '../../../lib/calendar';
import { addMonths } from '../../../lib/catalogue/record-categories';
import { demoWorld } from '../../../scripts/demo/world';
import { seedEntities } from '../../../subgraphs/entities/seed';
import { entitiesSubgraph } from '../../../subgraphs/entities/subgraph';
import { CreditRecord } from '../../../subgraphs/records/entities/credit-record.entity';
import { seedRecords } from '../../../subgraphs/records/seed';
import { createRecordsSubgraph } from '../../../subgraphs/records/subgraph';
import type { Peer } from '../../../subgraphs/reports/peers';
import { canonicalJson, sha256Hex } from '../../../lib/canonical-json';
import { timeoutHeader } from '../../../lib/deadline';
import type { Snapshot } from '../../../subgraphs/reports/platform-report';
import { CreditReport } from '../../../subgraphs/reports/entities/credit-report.entity';
import { snapshotPartLength } from '../../../subgraphs/reports/entities/credit-report-snapshot-part.entity';
import { nameKey } from '../../../lib/text';
import { createReportsSubgraph } from '../../../subgraphs/reports/subgraph';
import { EntitiesSubjectDirectory } from '../../../subgraphs/shared/subject-directory';
import type { RequestIdentity } from '../../../lib/access/identity';
import { testDatabases } from '../../helpers/databases';
import { plansOf } from '../../helpers/query-plans';
import { postGraphQL } from '../../helpers/graphql';
import { signedBy, testSigningKey } from '../../helpers/identity';
import { StandInSubgraph } from '../../helpers/stand-in-subgraph';
import { useSubgraph } from '../../helpers/subgraph';
import { analyst, creditOffice, financeOfficer, identityOf } from '../providers/callers';

const world = demoWorld({ subjects: 20 });
const subject = world.subjects[0];
const person = world.subjects[1];
// As the gateway signs it: REPORT_PRINTING, and the groups the records subgraph needs to say whether a record the report holds still stands.
const theGatewayPrinting: RequestIdentity = { caller: null, purpose: null, grants: [...printingGrants], scope: {}, requestId: 'printable-view' };
const procurement = identityOf(financeOfficer, { matter: 'GOVERNMENT_PROCUREMENT', caseNumber: 'BDH-CG-2026-0117' });

const generate = /* GraphQL */ `
  mutation ($subjectId: ID!) {
    generateCreditReport(subjectId: $subjectId) {
      id subject { id } source issuerName reportNumber issuedOn validUntil verificationCode documentSha256
      isWithinValidity verificationStatus printableUrl registeredByOrganisation
      acceptance { accepted reasons }
      sections { code titleZh entryCount underObjectionCount }
    }
  }
`;
const check = /* GraphQL */ `
  mutation ($input: RunCreditCheckInput!) { runCreditCheck(input: $input) { recordsConsidered { recordId underObjection } } }
`;
const verify = /* GraphQL */ `
  query ($number: String!, $code: String!) { verifyCreditReport(reportNumber: $number, verificationCode: $code) { genuine subjectName issuedOn validUntil isWithinValidity } }
`;

interface Generated {
  id: string;
  source: string;
  issuerName: string;
  reportNumber: string;
  issuedOn: string;
  validUntil: string;
  verificationCode: string;
  documentSha256: string;
  verificationStatus: string;
  printableUrl: string;
  registeredByOrganisation: string;
  acceptance: { accepted: boolean; reasons: string[] };
  sections: { code: string; titleZh: string; entryCount: number; underObjectionCount: number }[];
}

describe.each(testDatabases)('platform public credit reports on $label', (database) => {
  const urls: Partial<Record<Peer, string>> = {};
  const reports = useSubgraph(createReportsSubgraph({ url: (peer) => urls[peer] ?? 'http://127.0.0.1:9/graphql' }), database, 'gen_reports');
  // Checks look their subject up in the entities subgraph beside it.
  const records = useSubgraph(createRecordsSubgraph({ subjects: new EntitiesSubjectDirectory(() => ({ url: entities.url(), signingKey: testSigningKey })) }), database, 'gen_records');
  const entities = useSubgraph(entitiesSubgraph, database, 'gen_entities');

  beforeAll(async () => {
    urls.records = records.url();
    urls.entities = entities.url();
    await seedEntities(entities.db(), world);
    await seedRecords(records.db(), world);
  });

  async function generated(subjectId = subject.id, identity = procurement): Promise<Generated> {
    const result = await reports.queryAs<{ generateCreditReport: Generated }>(identity, generate, { subjectId });
    expect(result.errors).toBeUndefined();
    return result.data!.generateCreditReport;
  }

  async function verified(number: string, code: string) {
    const result = await reports.queryAs<{ verifyCreditReport: unknown }>(identityOf(null), verify, { number, code });
    expect(result.errors).toBeUndefined();
    return result.data!.verifyCreditReport;
  }

  /** The page as the gateway fetches it: signed with the gateway's own REPORT_PRINTING identity. */
  async function printable(path: string): Promise<{ status: number; text: string; type: string | null; headers: Headers }> {
    const response = await fetch(new URL(path, reports.url()), { headers: await signedBy(theGatewayPrinting), signal: AbortSignal.timeout(10_000) });
    return { status: response.status, text: await response.text(), type: response.headers.get('content-type'), headers: response.headers };
  }

  /** The records a credit check of the subject counts now, as the records subgraph itself decides them. */
  async function consideredByCheck(subjectId: string): Promise<{ recordId: string; underObjection: boolean }[]> {
    const result = await records.queryAs<{ runCreditCheck: { recordsConsidered: { recordId: string; underObjection: boolean }[] } }>(procurement, check, {
      input: { subjectId, matter: 'GOVERNMENT_PROCUREMENT', caseNumber: 'BDH-CG-2026-0117' },
    });
    expect(result.errors).toBeUndefined();
    return result.data!.runCreditCheck.recordsConsidered;
  }

  async function snapshotOf(reportId: string): Promise<Snapshot> {
    const parts = (await reports.db().query('SELECT content FROM credit_report_snapshot_part WHERE report_id = ? ORDER BY part_index', [reportId])) as { content: string }[];
    return JSON.parse(parts.map((p) => p.content).join('')) as Snapshot;
  }

  const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

  it('generates a report from the subject\'s basics and the records that count, sealed with a number, validity and code', async () => {
    const result = await reports.queryAs<{ generateCreditReport: Generated }>(procurement, generate, { subjectId: subject.id });
    expect(result.errors).toBeUndefined();
    const report = result.data!.generateCreditReport;
    const today = todayInDistrict();
    expect(report).toMatchObject({
      source: 'DISTRICT_PLATFORM',
      issuerName: '北戴河区公共信用信息共享平台',
      issuedOn: today,
      verificationStatus: 'GENUINE',
      registeredByOrganisation: 'FINANCE',
      acceptance: { accepted: true, reasons: [] },
    });
    expect(report.reportNumber).toMatch(new RegExp(`^BDHXY-${today.replaceAll('-', '')}-[2-9A-Z]{8}$`));
    expect(report.verificationCode).toMatch(/^[2-9A-Z]{16}$/);
    expect(Date.parse(report.validUntil) - Date.parse(report.issuedOn)).toBe(89 * 86_400_000);
    expect(report.printableUrl).toBe(`/reports/${report.reportNumber}.html?code=${report.verificationCode}`);
    expect(report.sections.map((s) => s.code)).toEqual(['BASICS', 'ADMINISTRATIVE_MANAGEMENT', 'TRUSTWORTHINESS', 'SERIOUS_DISHONESTY', 'CREDIT_COMMITMENTS', 'JUDGMENTS', 'OTHER']);
    const entries = report.sections.reduce((sum, s) => sum + s.entryCount, 0);
    expect(entries).toBeGreaterThan(0);
    // Of its two tax grades only the latest counts, in the check and in the report alike.
    expect(entries).toBe((await consideredByCheck(subject.id)).length);
    // The stored snapshot is canonical JSON whose SHA-256 is the report's digest.
    const parts = (await reports.db().query('SELECT content FROM credit_report_snapshot_part WHERE report_id = ? ORDER BY part_index', [report.id])) as { content: string }[];
    const content = parts.map((p) => p.content).join('');
    expect(sha256Hex(content)).toBe(report.documentSha256);
    expect(canonicalJson(JSON.parse(content))).toBe(content);
    expect(JSON.parse(content)).toMatchObject({ reportNumber: report.reportNumber, subject: { id: subject.id, name: subject.name }, purpose: { matter: 'GOVERNMENT_PROCUREMENT', caseNumber: 'BDH-CG-2026-0117', requestedBy: 'FINANCE' } });
    // Audited as disclosed: the generation itself and what the peers disclosed for it.
    const disclosed = (result.extensions?.disclosures as { subjectId: string; groups: string[] }[]).find((d) => d.subjectId === subject.id);
    expect(disclosed?.groups).toEqual(expect.arrayContaining(['REPORT_GENERATION', 'SUBJECT_BASICS', 'PUBLIC_RECORDS']));
  });

  it('holds exactly the records a credit check counts: a listing under objection, marked so, but no lapsed honour or superseded tax grade', async () => {
    const listed = world.subjects[3];
    const repository = records.db().getRepository(CreditRecord);
    const [listing] = await repository.findBy({ subjectId: listed.id, category: 'SERIOUS_DISHONESTY_LIST' });
    // Objected to: the listing stands until the department decides, so the check still excludes the subject.
    await repository.update({ id: listing.id }, { status: 'OBJECTED' });
    const added = async (fields: Partial<CreditRecord>) => {
      const id = randomUUID();
      await repository.insert(
        repository.create({
          id, subjectId: listed.id, severity: null, taxCreditGrade: null, sourceDepartment: 'TAXATION', documentNumber: `北戴河税信〔${fields.decisionDate!.slice(0, 4)}〕${id.slice(0, 8)}号`,
          disclosureEndsAt: null, validUntil: null, status: 'ACTIVE', summary: '测试记录', recordedAt: new Date('2026-06-02T00:00:00Z'), ...fields,
        }),
      );
      return (await repository.findOneByOrFail({ id })).documentNumber;
    };
    const lapsedHonour = await added({ category: 'RED_LIST_HONOUR', polarity: 'POSITIVE', sourceDepartment: 'HUMAN_RESOURCES', decisionDate: '2019-03-01', validUntil: '2020-03-01' });
    const supersededGrade = await added({ category: 'TAX_CREDIT_GRADE', polarity: 'POSITIVE', taxCreditGrade: 'A', decisionDate: addMonths(todayInDistrict(), -14) });
    const latestGrade = await added({ category: 'TAX_CREDIT_GRADE', polarity: 'NEUTRAL', taxCreditGrade: 'B', decisionDate: addMonths(todayInDistrict(), -2) });

    const considered = await consideredByCheck(listed.id);
    expect(considered).toContainEqual({ recordId: listing.id, underObjection: true });
    const report = await generated(listed.id);
    expect(report.sections.find((s) => s.code === 'SERIOUS_DISHONESTY')).toMatchObject({ entryCount: 1, underObjectionCount: 1 });
    const printed = (await snapshotOf(report.id)).sections.flatMap((s) => s.records);
    expect(printed.map((r) => ({ id: r.id, underObjection: r.underObjection })).sort(byId)).toEqual(considered.map((r) => ({ id: r.recordId, underObjection: r.underObjection })).sort(byId));
    const numbers = printed.map((r) => r.documentNumber);
    expect(numbers).toContain(latestGrade);
    expect(numbers).not.toContain(supersededGrade);
    expect(numbers).not.toContain(lapsedHonour);

    const page = (await printable(report.printableUrl)).text;
    const marked = page.split('</tr>').filter((row) => row.includes('<span class="objected">异议处理中</span>'));
    expect(marked).toHaveLength(1);
    expect(marked[0]).toContain(listing.documentNumber);
    expect(page).toContain('含异议处理中的信息');
    expect(page).not.toContain('不含异议处理中');
    expect(page).not.toContain(supersededGrade);
    expect(page).not.toContain(lapsedHonour);
  });

  it('prints no tax grade that a newer one replaced, even once the newer one stopped counting (restored, its term over)', async () => {
    const repository = records.db().getRepository(CreditRecord);
    const grade = async (subjectId: string, fields: Partial<CreditRecord>) => {
      const id = randomUUID();
      await repository.insert(
        repository.create({
          id, subjectId, category: 'TAX_CREDIT_GRADE', severity: null, sourceDepartment: 'TAXATION', documentNumber: `北戴河税信〔测试〕${id.slice(0, 8)}号`,
          disclosureEndsAt: null, validUntil: null, status: 'ACTIVE', summary: '测试纳税信用等级', recordedAt: new Date(), ...(fields as object),
        } as CreditRecord),
      );
      return id;
    };
    const enterprises = world.subjects.filter((s) => s.kind === 'ENTERPRISE').slice(-2);
    for (const [index, newer] of [
      [0, { polarity: 'NEGATIVE', taxCreditGrade: 'D', decisionDate: addMonths(todayInDistrict(), -2), disclosureEndsAt: addMonths(todayInDistrict(), 10), status: 'RESTORED' }],
      [1, { polarity: 'NEUTRAL', taxCreditGrade: 'B', decisionDate: addMonths(todayInDistrict(), -3), validUntil: addMonths(todayInDistrict(), -1) }],
    ] as const) {
      const subjectId = enterprises[index].id;
      const replaced = await grade(subjectId, { polarity: 'POSITIVE', taxCreditGrade: 'A', decisionDate: addMonths(todayInDistrict(), -8) });
      await grade(subjectId, newer as Partial<CreditRecord>);
      const considered = (await consideredByCheck(subjectId)).map((r) => r.recordId);
      const printed = (await snapshotOf((await generated(subjectId)).id)).sections.flatMap((s) => s.records).map((r) => r.id);
      expect(considered).not.toContain(replaced);
      expect(printed.sort()).toEqual([...considered].sort());
    }
  });

  it('verifies with the right code, without login, disclosing only genuineness, name, issue date and validity', async () => {
    const report = await generated();
    expect(await verified(report.reportNumber, report.verificationCode)).toEqual({ genuine: true, subjectName: subject.name, issuedOn: report.issuedOn, validUntil: report.validUntil, isWithinValidity: true });
    expect(await verified(` ${report.reportNumber} `, report.verificationCode.toLowerCase())).toMatchObject({ genuine: true });
  });

  it('fails verification with a wrong code or an unknown number, alike', async () => {
    const report = await generated();
    const nothing = { genuine: false, subjectName: null, issuedOn: null, validUntil: null, isWithinValidity: null };
    const wrong = report.verificationCode.slice(0, 15) + (report.verificationCode.endsWith('A') ? 'B' : 'A');
    expect(await verified(report.reportNumber, wrong)).toEqual(nothing);
    expect(await verified('BDHXY-20260101-AAAAAAAA', report.verificationCode)).toEqual(nothing);
    expect((await printable(`/reports/${report.reportNumber}.html?code=${wrong}`)).status).toBe(404);
  });

  it('reads a report number and code typed in any letter case and width, trimmed, as the report\'s, on either database', async () => {
    const report = await generated();
    const genuine = { genuine: true, subjectName: subject.name, issuedOn: report.issuedOn, validUntil: report.validUntil, isWithinValidity: true };
    const fullWidth = (text: string) => text.replace(/[0-9A-Z-]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));
    const typed = [
      [report.reportNumber.toLowerCase(), report.verificationCode],
      [`\u3000${fullWidth(report.reportNumber)} `, report.verificationCode],
      [fullWidth(report.reportNumber).toLowerCase(), fullWidth(report.verificationCode).toLowerCase()],
      // Spaces typed for the hyphens, as read off the paper.
      [report.reportNumber.replaceAll('-', ' ').toLowerCase(), report.verificationCode],
    ];
    for (const [number, code] of typed) expect({ number, code, answer: await verified(number, code) }).toEqual({ number, code, answer: genuine });
    // Still no other number: one character changed is another, forged, number, whatever its case.
    const other = report.reportNumber.slice(0, -1) + (report.reportNumber.endsWith('A') ? 'B' : 'A');
    expect(await verified(other.toLowerCase(), report.verificationCode)).toEqual({ genuine: false, subjectName: null, issuedOn: null, validUntil: null, isWithinValidity: null });
    // The printable page is found by the number as verification reads it: typed into the address bar in lower case, it is the page.
    const typedPage = await printable(`/reports/${report.reportNumber.toLowerCase()}.html?code=${report.verificationCode}`);
    expect(typedPage.status).toBe(200);
    // For the gateway's audit entry: the number as issued.
    expect(typedPage.headers.get('x-credit-disclosed-report')).toBe(report.reportNumber);
    expect((await printable(`/reports/${other.toLowerCase()}.html?code=${report.verificationCode}`)).status).toBe(404);
    expect((await printable(report.printableUrl)).status).toBe(200);
  });

  it('refuses a blank report number or code, or one holding an invisible character, as bad input, not as a verdict on a report', async () => {
    const report = await generated();
    // A zero-width space alone, or pasted with the code, is no code either.
    for (const [number, code, field] of [['', report.verificationCode, 'reportNumber'], [report.reportNumber, ' \u3000', 'verificationCode'], ['\u200b', report.verificationCode, 'reportNumber'], [report.reportNumber, `${report.verificationCode}\u200b`, 'verificationCode']]) {
      const result = await reports.queryAs<{ verifyCreditReport: unknown }>(identityOf(null), verify, { number, code });
      expect({ field, answer: result.data?.verifyCreditReport ?? null, errors: result.errors?.map((e) => e.extensions) }).toEqual({ field, answer: null, errors: [expect.objectContaining({ code: 'BAD_USER_INPUT', field })] });
    }
  });

  it('fails verification once the stored snapshot is altered in the database, and shows the report as not genuine', async () => {
    const report = await generated();
    await reports.db().query('UPDATE credit_report_snapshot_part SET content = REPLACE(content, ?, ?) WHERE report_id = ?', [subject.name, '篡改后的名称', report.id]);
    expect(await verified(report.reportNumber, report.verificationCode)).toMatchObject({ genuine: false, subjectName: null });
    const read = await reports.query<{ creditReport: { verificationStatus: string; acceptance: { accepted: boolean; reasons: string[] }; sections: unknown } }>(
      'query ($id: ID!) { creditReport(id: $id) { verificationStatus acceptance { accepted reasons } sections { code } } }',
      { id: report.id },
    );
    expect(read.data?.creditReport).toEqual({ verificationStatus: 'NOT_GENUINE', acceptance: { accepted: false, reasons: ['NOT_GENUINE'] }, sections: null });
    const page = await printable(report.printableUrl);
    expect(page.status).toBe(409);
    expect(page.text).toContain('报告验证失败');
    expect(page.text).not.toContain('篡改后的名称');
  });

  it('fails verification when the report\'s row is altered instead: its validity, or its digest', async () => {
    const extended = await generated();
    await reports.db().query('UPDATE credit_report SET valid_until = ? WHERE id = ?', ['2099-12-31', extended.id]);
    expect(await verified(extended.reportNumber, extended.verificationCode)).toMatchObject({ genuine: false });
    const redigested = await generated();
    await reports.db().query('UPDATE credit_report SET document_sha256 = ? WHERE id = ?', ['0'.repeat(64), redigested.id]);
    expect(await verified(redigested.reportNumber, redigested.verificationCode)).toMatchObject({ genuine: false });
  });

  it('verifies and prints a report issued under an earlier name of the platform, with the name, office and title sealed into it', async () => {
    // A district that renamed its platform (README, "Adopting the platform") keeps every report it
    // issued before: the report is its row and snapshot as generated under the earlier name.
    const report = await generated();
    const earlier = { issuer: '旧名公共信用信息共享平台', office: '旧名社会信用体系建设领导小组办公室', title: '旧名公共信用信息报告' };
    const sealed = canonicalJson({ ...(await snapshotOf(report.id)), ...earlier });
    await reports.db().query('DELETE FROM credit_report_snapshot_part WHERE report_id = ?', [report.id]);
    for (let part = 0; part * snapshotPartLength < sealed.length; part++) {
      await reports.db().query('INSERT INTO credit_report_snapshot_part (report_id, part_index, content) VALUES (?, ?, ?)', [report.id, part, sealed.slice(part * snapshotPartLength, (part + 1) * snapshotPartLength)]);
    }
    await reports.db().query('UPDATE credit_report SET issuer_name = ?, issuer_name_key = ?, document_sha256 = ? WHERE id = ?', [earlier.issuer, nameKey(earlier.issuer), sha256Hex(sealed), report.id]);

    expect(await verified(report.reportNumber, report.verificationCode)).toEqual({ genuine: true, subjectName: subject.name, issuedOn: report.issuedOn, validUntil: report.validUntil, isWithinValidity: true });
    const page = await printable(report.printableUrl);
    expect(page.status).toBe(200);
    for (const printed of Object.values(earlier)) expect(page.text).toContain(printed);
    const read = await reports.query<{ creditReport: { issuerName: string; verificationStatus: string } }>('query ($id: ID!) { creditReport(id: $id) { issuerName verificationStatus } }', { id: report.id });
    expect(read.data?.creditReport).toEqual({ issuerName: earlier.issuer, verificationStatus: 'GENUINE' });
  });

  it('finds a platform report by its number through an index, whatever name the platform has', async () => {
    const report = await generated();
    // The statement findPlatformReport sends (report.repository.ts), as TypeORM writes it.
    const [sql, params] = reports.db().getRepository(CreditReport).createQueryBuilder('CreditReport').where({ source: 'DISTRICT_PLATFORM', reportNumber: report.reportNumber }).getQueryAndParameters();
    const plans = await plansOf(reports.db(), database, sql, params, 'CreditReport');
    expect(plans).toEqual([expect.objectContaining({ index: 'IDX_credit_report_report_number', wholeTable: false })]);
  });

  // The gateway tells the page's call its time (x-request-timeout-ms, 1d68693), as it tells every
  // GraphQL fetch; the records subgraph, asked whether the report's records still stand, was asked
  // for 10 s and told so whatever the caller said, for the page and for a report's acceptance alike.
  it("asks the records subgraph whether a report's records still stand within the time its caller gives, for the printable page and for acceptance", async () => {
    const report = await generated();
    const standIn = await StandInSubgraph.start();
    standIn.upstream = records.url();
    urls.records = standIn.url;
    try {
      const told = { [timeoutHeader]: '2000' };
      const page = await fetch(new URL(report.printableUrl, reports.url()), { headers: { ...(await signedBy(theGatewayPrinting)), ...told }, signal: AbortSignal.timeout(10_000) });
      expect(page.status).toBe(200);
      const read = await postGraphQL<{ creditReport: { acceptance: { accepted: boolean } } }>(reports.url(), { query: 'query ($id: ID!) { creditReport(id: $id) { acceptance { accepted } } }', variables: { id: report.id } }, { ...(await signedBy(procurement)), ...told });
      expect([read.errors, read.data?.creditReport.acceptance.accepted]).toEqual([undefined, true]);
      const asked = standIn.received.map((call) => Number(call.headers[timeoutHeader]));
      expect(asked).toHaveLength(2);
      for (const ms of asked) expect(ms > 0 && ms <= 2000 ? 'within the caller’s time' : ms).toBe('within the caller’s time');
    } finally {
      urls.records = records.url();
      await standIn.stop();
    }
  });

  it('renders a printable page with the district\'s header, the subject, every section and the verification data', async () => {
    const report = await generated();
    const page = await printable(report.printableUrl);
    expect(page.status).toBe(200);
    expect(page.type).toBe('text/html; charset=utf-8');
    // No other site may frame the page (frame-ancestors does not fall back to default-src), nor a base or form send it elsewhere.
    expect(page.headers.get('content-security-policy')).toBe("default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'");
    const text = page.text;
    for (const expected of [
      '秦皇岛市北戴河区社会信用体系建设领导小组办公室',
      '北戴河区公共信用信息报告',
      subject.name,
      subject.identifier,
      '一、基本信息',
      '二、行政管理信息',
      '三、守信激励信息',
      '四、严重失信主体名单信息',
      '五、信用承诺信息',
      '六、司法判决信息',
      '七、其他信息',
      '报告验证信息',
      report.reportNumber,
      report.verificationCode,
      report.documentSha256,
      report.issuedOn,
      report.validUntil,
    ]) {
      expect(text).toContain(expected);
    }
    // Not for which matter and case, nor by whom, it was generated: the subject's disclosure log, not the page's.
    for (const withheld of ['查询用途', '查询单位', '政府集中采购', 'GOVERNMENT_PROCUREMENT', 'BDH-CG-2026-0117']) expect(text).not.toContain(withheld);
    expect(text).toContain('@media print');
    expect(text).not.toMatch(/<script|<link|src=|https?:\/\//i);
    // Every record of the snapshot is printed, by its document number.
    const [{ content }] = (await reports.db().query('SELECT content FROM credit_report_snapshot_part WHERE report_id = ? AND part_index = 0', [report.id])) as { content: string }[];
    const numbers = (JSON.parse(content) as { sections: { records: { documentNumber: string }[] }[] }).sections.flatMap((s) => s.records.map((r) => r.documentNumber));
    expect(numbers.length).toBeGreaterThan(0);
    for (const number of numbers) expect(text).toContain(number.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;'));
  });

  it('generates several reports at once, each with its own number and code', async () => {
    const many = await Promise.all([generated(), generated(), generated()]);
    expect(new Set(many.map((r) => r.reportNumber)).size).toBe(3);
    expect(new Set(many.map((r) => r.verificationCode)).size).toBe(3);
    expect(many.every((r) => r.verificationStatus === 'GENUINE')).toBe(true);
  });

  it('lets the credit office generate under supervision', async () => {
    const report = await generated(subject.id, identityOf(creditOffice, { matter: 'CREDIT_SUPERVISION' }));
    expect(report).toMatchObject({ registeredByOrganisation: 'CREDIT_OFFICE', verificationStatus: 'GENUINE' });
  });

  it('needs a purpose that grants the subject\'s records, and one that covers the subject\'s kind', async () => {
    const before = await reports.db().query("SELECT COUNT(*) AS n FROM credit_report WHERE source = 'DISTRICT_PLATFORM'");
    const withoutPurpose = await reports.queryAs(identityOf(financeOfficer), generate, { subjectId: subject.id });
    expect(withoutPurpose.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', group: 'SUBJECT_BASICS' });
    const analystTry = await reports.queryAs(identityOf(analyst, { matter: 'STATISTICAL_ANALYSIS' }), generate, { subjectId: subject.id });
    expect(analystTry.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', group: 'REPORT_GENERATION' });
    // Government procurement covers organisations, not natural persons: the entities subgraph refuses.
    const personTry = await reports.queryAs(procurement, generate, { subjectId: person.id });
    expect(person.kind).toBe('NATURAL_PERSON');
    expect(personTry.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', serviceName: 'entities' });
    expect(await reports.db().query("SELECT COUNT(*) AS n FROM credit_report WHERE source = 'DISTRICT_PLATFORM'")).toEqual(before);
  });

  it('answers NOT_FOUND for an unknown subject', async () => {
    const result = await reports.queryAs(procurement, generate, { subjectId: 'no-such-subject' });
    expect(result.errors?.[0].extensions).toMatchObject({ code: 'NOT_FOUND', field: 'subjectId' });
  });
});
