import { randomUUID } from 'node:crypto';
import type { Caller, RequestIdentity } from '../../../lib/access/identity';
import { todayInDistrict } from '../../../lib/calendar';
import { demoWorld } from '../../../scripts/demo/world';
import { CreditReport } from '../../../subgraphs/reports/entities/credit-report.entity';
import { WithdrawReportRegistration1764000000250 } from '../../../subgraphs/reports/migrations/1764000000250-withdraw-report-registration';
import { subgraphDefinitions } from '../../../subgraphs/registry';
import { isUniqueViolation, openDatabase } from '../../../subgraphs/shared/database';
import { testDatabases } from '../../helpers/databases';
import { useReportsWithPeers } from './registry-peers';
import { supervisor, usePlatform, type As } from '../../helpers/platform';
import { SqlCounter } from '../../helpers/sql-counter';
import { analyst, creditOffice, financeOfficer, identityOf } from '../providers/callers';
import { requestIdOf } from '../../helpers/graphql';

/**
 * Withdrawing a registration made by mistake (撤销登记): by the department that registered the
 * report or the credit office, with a legible reason; the report is kept with who withdrew it,
 * when and why (its case file), no check considers it, and its issuer and number are free for the
 * correct registration.
 */
const world = demoWorld({ subjects: 20 });
const organisations = world.subjects.filter((s) => s.kind !== 'NATURAL_PERSON');
const subject = organisations[0];
const purpose = { matter: 'GOVERNMENT_PROCUREMENT', caseNumber: 'BDH-CG-2026-0117' };
const officer = identityOf(financeOfficer, purpose);
const office = identityOf(creditOffice, { matter: 'CREDIT_SUPERVISION' });
const taxation = identityOf({ ...financeOfficer, id: 'officer-tax', organisation: 'TAXATION' }, { matter: 'TAX_INCENTIVES', caseNumber: 'SW-2026-9' });
const sha = 'cd'.repeat(32);

const addDays = (isoDate: string, days: number) => new Date(Date.parse(`${isoDate}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
const today = todayInDistrict();

const register = 'mutation ($input: RegisterCreditReportInput!) { registerCreditReport(input: $input) { id reportNumber } }';
const withdraw = /* GraphQL */ `
  mutation ($id: ID!, $reason: String!) {
    withdrawCreditReportRegistration(id: $id, reason: $reason) { id reportNumber withdrawal { withdrawnAt reason organisation } }
  }
`;
const read = /* GraphQL */ `
  query ($r: [_Any!]!) {
    _entities(representations: $r) { ... on CreditReport { id acceptance { accepted reasons } verificationStatus withdrawal { withdrawnAt reason organisation } } }
  }
`;

interface Withdrawn {
  id: string;
  reportNumber: string;
  withdrawal: { withdrawnAt: string; reason: string | null; organisation: string | null } | null;
}

interface Row {
  in_force: number | boolean | null;
  withdrawn_at: unknown;
  withdrawn_by: string | null;
  withdrawn_by_organisation: string | null;
  withdrawal_reason: string | null;
}

describe.each(testDatabases)('withdrawing a report registration on $label', (database) => {
  const { reports } = useReportsWithPeers(database, 'wd', world);
  let sequence = 0;

  function input(overrides: Record<string, unknown> = {}) {
    sequence += 1;
    return {
      subjectId: subject.id,
      source: 'LOCAL_CREDIT_WEBSITE',
      issuerName: '信用河北网站',
      reportNumber: `XYHB-WD-${String(sequence).padStart(6, '0')}`,
      issuedOn: addDays(today, -30),
      validUntil: addDays(today, 300),
      verificationCode: 'K7Q2M9TA',
      documentSha256: sha,
      ...overrides,
    };
  }

  async function registered(overrides: Record<string, unknown> = {}, as: RequestIdentity = officer): Promise<{ id: string; reportNumber: string }> {
    const result = await reports.queryAs<{ registerCreditReport: { id: string; reportNumber: string } }>(as, register, { input: input(overrides) });
    expect(result.errors).toBeUndefined();
    return result.data!.registerCreditReport;
  }

  const withdrawAs = (identity: RequestIdentity, id: string, reason: string) => reports.queryAs<{ withdrawCreditReportRegistration: Withdrawn | null }>(identity, withdraw, { id, reason });

  async function row(id: string): Promise<Row> {
    const [found] = (await reports.db().query('SELECT in_force, withdrawn_at, withdrawn_by, withdrawn_by_organisation, withdrawal_reason FROM credit_report WHERE id = ?', [id])) as Row[];
    return found;
  }

  /** Refused with this code (and field, problem), the report's row exactly as it was. */
  async function refused(identity: RequestIdentity, id: string, reason: string, extensions: Record<string, unknown>) {
    const before = await row(id);
    const result = await withdrawAs(identity, id, reason);
    expect(result.data?.withdrawCreditReportRegistration).toBeNull();
    expect(result.errors?.[0].extensions).toMatchObject(extensions);
    expect(await row(id)).toEqual(before);
    return result.errors![0].message;
  }

  async function readAs(identity: RequestIdentity, id: string) {
    const result = await reports.queryAs<{ _entities: { id: string; acceptance: { accepted: boolean; reasons: string[] }; verificationStatus: string; withdrawal: Withdrawn['withdrawal'] }[] }>(identity, read, {
      r: [{ __typename: 'CreditReport', id }],
    });
    expect(result.errors).toBeUndefined();
    return { ...result.data!._entities[0], disclosures: result.extensions?.disclosures };
  }

  it("withdraws the department's own registration with its reason, keeping the report with who withdrew it, when and why", async () => {
    const report = await registered();
    const before = Date.now();
    const result = await withdrawAs(officer, report.id, '主体录入错误：应为另一企业的报告');
    expect(result.errors).toBeUndefined();
    const answer = result.data!.withdrawCreditReportRegistration!;
    expect(answer).toMatchObject({ id: report.id, reportNumber: report.reportNumber, withdrawal: { reason: '主体录入错误：应为另一企业的报告', organisation: 'FINANCE' } });
    expect(Date.parse(answer.withdrawal!.withdrawnAt)).toBeGreaterThanOrEqual(before - 1);
    // Audited as the registration is: the mutation's answer discloses the report under its group.
    expect(result.extensions).toEqual({ disclosures: [{ subjectId: subject.id, groups: ['REPORT_REGISTRATION'] }] });
    expect(await row(report.id)).toMatchObject({ in_force: null, withdrawn_by: 'officer-test', withdrawn_by_organisation: 'FINANCE', withdrawal_reason: '主体录入错误：应为另一企业的报告' });
    expect(await reports.db().getRepository(CreditReport).countBy({ id: report.id })).toBe(1);
    expect(await readAs(office, report.id)).toMatchObject({ acceptance: { accepted: false, reasons: ['WITHDRAWN'] }, withdrawal: { withdrawnAt: answer.withdrawal!.withdrawnAt } });
  });

  it('frees the issuer and number for the correct registration, and only the withdrawn one: two standing registrations of one number stay refused', async () => {
    const mistaken = await registered({ grade: 'C' });
    const again = await reports.queryAs(officer, register, { input: { ...input(), reportNumber: mistaken.reportNumber, grade: 'AA' } });
    expect(again.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'reportNumber', problem: 'DUPLICATE_REPORT' });
    expect((await withdrawAs(officer, mistaken.id, '等级录入错误：报告等级为AA，误录为C')).errors).toBeUndefined();

    const corrected = await reports.queryAs<{ registerCreditReport: { id: string } }>(officer, register, { input: { ...input(), reportNumber: mistaken.reportNumber, grade: 'AA' } });
    expect(corrected.errors).toBeUndefined();
    const third = await reports.queryAs(officer, register, { input: { ...input(), reportNumber: mistaken.reportNumber } });
    expect(third.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', problem: 'DUPLICATE_REPORT' });
    // The index, past the check in code: a second standing copy is refused, a second withdrawn one is kept.
    const repository = reports.db().getRepository(CreditReport);
    const [standingRow] = await repository.findBy({ id: corrected.data!.registerCreditReport.id });
    const copy = await repository.insert(Object.assign(new CreditReport(), standingRow, { id: randomUUID() })).then(() => null, (error: unknown) => error);
    expect(isUniqueViolation(copy)).toBe(true);
    const [withdrawnRow] = await repository.findBy({ id: mistaken.id });
    expect(withdrawnRow.inForce).toBeNull();
    await repository.insert({ ...withdrawnRow, id: randomUUID() });
    expect(await repository.countBy({ issuerName: '信用河北网站', reportNumber: mistaken.reportNumber })).toBe(3);
  });

  it('answers a retry (the same department, the same reason) with the withdrawal as it stands, and refuses any other withdrawal of it, changing nothing', async () => {
    const report = await registered();
    const first = await withdrawAs(officer, report.id, '报告编号录入错误');
    expect(first.errors).toBeUndefined();
    const stored = await row(report.id);
    const retry = await withdrawAs(officer, report.id, '  报告编号录入错误 ');
    expect(retry.errors).toBeUndefined();
    expect(retry.data?.withdrawCreditReportRegistration).toEqual(first.data?.withdrawCreditReportRegistration);
    expect(await row(report.id)).toEqual(stored);
    const message = await refused(officer, report.id, '另一个理由', { code: 'BAD_USER_INPUT', field: 'id', problem: 'TRANSITION_NOT_ALLOWED' });
    expect(message).toContain('already withdrawn');
    expect(message).toContain('by FINANCE');
    await refused(office, report.id, '报告编号录入错误', { code: 'BAD_USER_INPUT', field: 'id', problem: 'TRANSITION_NOT_ALLOWED' });
  });

  it('takes one of many withdrawals sent at once, and refuses the others', async () => {
    const report = await registered();
    const results = await Promise.all(Array.from({ length: 6 }, (_, i) => withdrawAs(officer, report.id, `撤销理由 ${i}`)));
    const taken = results.filter((r) => !r.errors);
    expect(taken).toHaveLength(1);
    expect(results.filter((r) => r.errors).map((r) => r.errors![0].extensions?.problem)).toEqual(Array(5).fill('TRANSITION_NOT_ALLOWED'));
    expect((await row(report.id)).withdrawal_reason).toBe(taken[0].data!.withdrawCreditReportRegistration!.withdrawal!.reason);
  });

  it('is withdrawn by the credit office in its supervision, and by no other department, nor the registering one without a purpose that reads reports', async () => {
    const report = await registered();
    const other = await refused(taxation, report.id, '核对有误', { code: 'FORBIDDEN', auditedRefusal: { subjectId: subject.id } });
    expect(other).toBe("a report's registration is withdrawn by the department that registered the report or by the credit office");
    await refused(identityOf(financeOfficer), report.id, '核对有误', { code: 'FORBIDDEN', group: 'REPORTS', auditedRefusal: { subjectId: subject.id } });
    // The credit office's window, without its supervision: no purpose that reads reports.
    await refused(identityOf({ ...financeOfficer, id: 'window-1', organisation: 'CREDIT_OFFICE' }), report.id, '核对有误', { code: 'FORBIDDEN', group: 'REPORTS' });
    for (const identity of [identityOf(analyst), identityOf(null)]) {
      await refused(identity, report.id, '核对有误', { code: 'FORBIDDEN', group: 'REPORT_REGISTRATION' });
    }
    const byOffice = await withdrawAs(identityOf({ ...creditOffice, id: 'officer-credit-office' }, { matter: 'CREDIT_SUPERVISION' }), report.id, '信用办监督检查：登记主体有误');
    expect(byOffice.errors).toBeUndefined();
    expect(byOffice.data?.withdrawCreditReportRegistration?.withdrawal).toMatchObject({ organisation: 'CREDIT_OFFICE', reason: '信用办监督检查：登记主体有误' });
    expect(await row(report.id)).toMatchObject({ withdrawn_by: 'officer-credit-office', withdrawn_by_organisation: 'CREDIT_OFFICE' });
  });

  it('refuses a report about a subject of a kind the purpose does not cover, as reading it is refused', async () => {
    const person = world.subjects.find((s) => s.kind === 'NATURAL_PERSON')!;
    const qualification = identityOf({ ...financeOfficer, organisation: 'MARKET_REGULATION' }, { matter: 'QUALIFICATION_REVIEW', caseNumber: 'BDH-ZZ-2026-001' });
    const report = await registered({ subjectId: person.id }, qualification);
    // The same department in a drug procurement case, which covers enterprises only.
    const procurement = identityOf({ ...financeOfficer, organisation: 'MARKET_REGULATION' }, { matter: 'DRUG_PROCUREMENT', caseNumber: 'C-1' });
    const message = await refused(procurement, report.id, '核对有误', { code: 'FORBIDDEN', auditedRefusal: { subjectId: person.id } });
    expect(message).toContain('does not cover subjects of kind NATURAL_PERSON');
  });

  it('answers NOT_FOUND for an unknown report, and refuses a platform report, which is generated, not registered', async () => {
    const unknown = await withdrawAs(officer, 'no-such-report', '核对有误');
    expect(unknown.errors?.[0].extensions).toMatchObject({ code: 'NOT_FOUND', field: 'id' });
    const platformReport = Object.assign(new CreditReport(), {
      id: randomUUID(), subjectId: subject.id, source: 'DISTRICT_PLATFORM', issuerName: '北戴河区公共信用信息共享平台', issuerProviderId: null, reportNumber: `BDHXY-WD-${randomUUID().slice(0, 8)}`,
      grade: null, issuedOn: today, validUntil: addDays(today, 89), verificationCode: 'PLATFORM1', documentSha256: sha, documentReference: null,
      registeredBy: 'officer-test', registeredByOrganisation: 'FINANCE', verificationOutcome: null, verificationNote: null, verifiedBy: null, verifiedAt: null, registeredAt: new Date(),
    });
    await reports.db().getRepository(CreditReport).insert(platformReport);
    try {
      const message = await refused(officer, platformReport.id, '核对有误', { code: 'BAD_USER_INPUT', field: 'id' });
      expect(message).toContain('generated, not registered');
    } finally {
      await reports.db().getRepository(CreditReport).delete(platformReport.id);
    }
  });

  it.each([
    ['an empty reason', ''],
    ['a reason of spaces', '   \n  '],
    ['a reason over 2000 characters', '错'.repeat(2001)],
    ['a reason reversed by a right-to-left override', '录入\u202e误错'],
    ['a reason with a zero-width space', '录入\u200b错误'],
    ['a reason with a NUL', '录入\u0000错误'],
    ['a reason without a letter or digit', '——'],
  ])('refuses %s with BAD_USER_INPUT on the reason, changing nothing', async (_label, reason) => {
    const report = await registered();
    await refused(officer, report.id, reason, { code: 'BAD_USER_INPUT', field: 'reason' });
  });

  it('takes a reason over several lines, with tabs, of 2000 characters at most', async () => {
    const over = await withdrawAs(officer, (await registered()).id, '主体录入错误：\n\t应为另一企业');
    expect(over.errors).toBeUndefined();
    const longest = await withdrawAs(officer, (await registered()).id, '错'.repeat(2000));
    expect(longest.errors).toBeUndefined();
  });

  it('takes no finding on a withdrawn registration', async () => {
    const report = await registered();
    expect((await withdrawAs(officer, report.id, '核对有误')).errors).toBeUndefined();
    const verified = await reports.queryAs(officer, 'mutation ($id: ID!) { recordReportVerification(id: $id, genuine: true, note: "核验一致") { id } }', { id: report.id });
    expect(verified.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'id', problem: 'TRANSITION_NOT_ALLOWED' });
    expect(await reports.db().query('SELECT id FROM credit_report_verification WHERE report_id = ?', [report.id])).toEqual([]);
    expect((await readAs(office, report.id)).verificationStatus).toBe('UNCHECKED');
  });

  it('shows who withdrew it and why only to the registering department, the subject and the credit office; when, to every reader', async () => {
    const report = await registered();
    const answer = (await withdrawAs(officer, report.id, '主体录入错误')).data!.withdrawCreditReportRegistration!;
    const caseFile = { withdrawnAt: answer.withdrawal!.withdrawnAt, reason: '主体录入错误', organisation: 'FINANCE' };
    expect(await readAs(officer, report.id)).toMatchObject({ withdrawal: caseFile });
    // The credit office reads it in its supervision, disclosed as the subject's disclosure log.
    const asOffice = await readAs(office, report.id);
    expect(asOffice).toMatchObject({ withdrawal: caseFile });
    expect(asOffice.disclosures).toEqual(expect.arrayContaining([{ subjectId: subject.id, groups: expect.arrayContaining(['DISCLOSURE_LOG']) }]));
    const itself = identityOf({ id: 'self', organisation: subject.identifier, organisationKind: 'ENTERPRISE', role: 'EXTERNAL_USER', subjectId: subject.id }, { matter: 'SELF_INQUIRY' });
    expect(await readAs(itself, report.id)).toMatchObject({ withdrawal: caseFile });
    expect(await readAs(taxation, report.id)).toMatchObject({ acceptance: { accepted: false, reasons: ['WITHDRAWN'] }, withdrawal: { withdrawnAt: caseFile.withdrawnAt, reason: null, organisation: null } });
    // The officer who withdrew it: the audit group's.
    const officerOf = 'query ($r: [_Any!]!) { _entities(representations: $r) { ... on CreditReport { withdrawal { withdrawnBy } } } }';
    const asAudit = await reports.queryAs<{ _entities: { withdrawal: { withdrawnBy: string | null } }[] }>(office, officerOf, { r: [{ __typename: 'CreditReport', id: report.id }] });
    expect(asAudit.data?._entities[0].withdrawal).toEqual({ withdrawnBy: 'officer-test' });
    const asOfficer = await reports.queryAs<{ _entities: { withdrawal: { withdrawnBy: string | null } | null }[] }>(officer, officerOf, { r: [{ __typename: 'CreditReport', id: report.id }] });
    expect(asOfficer.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', group: 'AUDIT' });
  });

  it("lists a withdrawn registration among the subject's reports only to the readers of its case file, and never among its provider's", async () => {
    const other = organisations[1];
    const standingReport = await registered({ subjectId: other.id });
    const mistaken = await registered({ subjectId: other.id, source: 'THIRD_PARTY_PROVIDER', issuerName: undefined, issuerProviderId: world.providers[0].id });
    expect((await withdrawAs(officer, mistaken.id, '误登记在此主体名下')).errors).toBeUndefined();
    const listed = async (identity: RequestIdentity) => {
      const result = await reports.queryAs<{ _entities: { creditReports: { totalCount: number; edges: { node: { id: string } }[] } }[] }>(
        identity,
        'query ($r: [_Any!]!) { _entities(representations: $r) { ... on Subject { creditReports(first: 50) { totalCount edges { node { id } } } } } }',
        { r: [{ __typename: 'Subject', id: other.id, kind: other.kind }] },
      );
      expect(result.errors).toBeUndefined();
      const page = result.data!._entities[0].creditReports;
      expect(page.totalCount).toBe(page.edges.length);
      return page.edges.map((e) => e.node.id).sort();
    };
    const both = [standingReport.id, mistaken.id].sort();
    expect(await listed(officer)).toEqual(both);
    expect(await listed(office)).toEqual(both);
    expect(await listed(identityOf({ id: 'self', organisation: other.identifier, organisationKind: 'ENTERPRISE', role: 'EXTERNAL_USER', subjectId: other.id }, { matter: 'SELF_INQUIRY' }))).toEqual(both);
    expect(await listed(taxation)).toEqual([standingReport.id]);
    // Nor read by an id kept from before: where it is not listed, it is no report.
    const byId = async (identity: RequestIdentity, id: string) => {
      const result = await reports.queryAs<{ creditReport: { id: string } | null }>(identity, 'query ($id: ID!) { creditReport(id: $id) { id } }', { id });
      expect(result.errors).toBeUndefined();
      return result.data!.creditReport?.id ?? null;
    };
    expect(await byId(taxation, mistaken.id)).toBeNull();
    expect(await byId(taxation, standingReport.id)).toBe(standingReport.id);
    expect(await byId(officer, mistaken.id)).toBe(mistaken.id);
    expect(await byId(office, mistaken.id)).toBe(mistaken.id);

    const issued = await reports.queryAs<{ _entities: { issuedReports: { edges: { node: { id: string } }[] } }[] }>(
      identityOf({ id: 'registrar-test', organisation: 'CREDIT_OFFICE', organisationKind: 'DEPARTMENT', role: 'REGISTRY_ADMIN' }),
      'query ($r: [_Any!]!) { _entities(representations: $r) { ... on CreditServiceProvider { issuedReports(first: 100) { edges { node { id } } } } } }',
      { r: [{ __typename: 'CreditServiceProvider', id: world.providers[0].id }] },
    );
    expect(issued.errors).toBeUndefined();
    expect(issued.data!._entities[0].issuedReports.edges.map((e) => e.node.id)).not.toContain(mistaken.id);
  });

  describe('in credit checks', () => {
    const requirementOf = async (check: { id: string; subjectId: string; checkedAt: string }) => {
      const result = await reports.queryAs<{ _entities: { reportRequirement: { satisfied: boolean; reliedOn: { id: string } | null; considered: { report: { id: string }; accepted: boolean; reasons: string[] }[] } }[] }>(
        officer,
        'query ($r: [_Any!]!) { _entities(representations: $r) { ... on CreditCheck { reportRequirement { satisfied reliedOn { id } considered { report { id } accepted reasons } } } } }',
        { r: [{ __typename: 'CreditCheck', ...check, ...purpose }] },
      );
      expect(result.errors).toBeUndefined();
      return result.data!._entities[0].reportRequirement;
    };

    it('considers a withdrawn registration in no check judged after the withdrawal, more strictly than one found not genuine, and leaves sealed checks as they were', async () => {
      const checked = organisations[2];
      const notGenuine = await registered({ subjectId: checked.id, grade: 'BBB' });
      const found = await reports.queryAs(officer, 'mutation ($id: ID!) { recordReportVerification(id: $id, genuine: false, note: "出具机构否认") { id } }', { id: notGenuine.id });
      expect(found.errors).toBeUndefined();
      const mistaken = await registered({ subjectId: checked.id, grade: 'AAA' });
      await new Promise((resolve) => setTimeout(resolve, 5));
      const beforeWithdrawal = new Date().toISOString();
      const sealedCheck = { id: randomUUID(), subjectId: checked.id, checkedAt: beforeWithdrawal };
      const sealed = await requirementOf(sealedCheck);
      expect(sealed.reliedOn).toEqual({ id: mistaken.id });

      expect((await withdrawAs(officer, mistaken.id, '主体录入错误')).errors).toBeUndefined();
      // Run before the withdrawal, but judged after it: the withdrawal counts from when it is judged, as a finding does.
      const judgedLater = await requirementOf({ id: randomUUID(), subjectId: checked.id, checkedAt: beforeWithdrawal });
      expect(judgedLater).toEqual({ satisfied: false, reliedOn: null, considered: [{ report: { id: notGenuine.id }, accepted: false, reasons: ['NOT_GENUINE'] }] });
      // The check sealed before it keeps what it found.
      expect(await requirementOf(sealedCheck)).toEqual(sealed);
    });
  });
});

describe.each(testDatabases)('the withdrawal migration on $label', (database) => {
  const suite = 'wd_migration';
  afterAll(() => database.cleanUp(suite));

  it('keeps every report stored before it standing, one per issuer and number', async () => {
    await database.cleanUp(suite);
    const definition = subgraphDefinitions.reports;
    // The migrations before it only: a later one may need what it made (1764000000270, `in_force`).
    const earlier = definition.migrations.slice(0, definition.migrations.indexOf(WithdrawReportRegistration1764000000250));
    const db = await openDatabase('reports', database.target(suite), { entities: definition.entities, migrations: earlier }, new SqlCounter());
    try {
      const columns = 'id, subject_id, source, issuer_name, report_number, issued_on, valid_until, verification_code, registered_at';
      for (const id of ['r1', 'r2']) {
        await db.query(`INSERT INTO credit_report (${columns}) VALUES (?, 'subject-1', 'CREDIT_CHINA', '信用中国网站', ?, '2026-10-30', '2027-01-27', 'K7Q2M9TA', '2026-11-01 00:00:00.000')`, [id, `XYZG-${id}`]);
      }
      const runner = db.createQueryRunner();
      try {
        await new WithdrawReportRegistration1764000000250().up(runner);
      } finally {
        await runner.release();
      }
      const rows = (await db.query('SELECT id, in_force, withdrawn_at FROM credit_report ORDER BY id')) as { id: string; in_force: unknown; withdrawn_at: unknown }[];
      expect(rows.map((r) => ({ id: r.id, inForce: Number(r.in_force), withdrawnAt: r.withdrawn_at }))).toEqual([
        { id: 'r1', inForce: 1, withdrawnAt: null },
        { id: 'r2', inForce: 1, withdrawnAt: null },
      ]);
      const again = await db.query(`INSERT INTO credit_report (${columns}) VALUES ('r3', 'subject-1', 'CREDIT_CHINA', '信用中国网站', 'XYZG-r1', '2026-10-30', '2027-01-27', 'K7Q2M9TA', '2026-11-01 00:00:00.000')`).then(() => null, (error: unknown) => error);
      expect(isUniqueViolation(again)).toBe(true);
    } finally {
      await db.destroy();
    }
  });
});

/** Through the gateway: the withdrawal is audited under the request's matter and case, and a check run after it does not see the report. */
describe.each(testDatabases)('withdrawing a registration through the gateway on $label', (database) => {
  const platform = usePlatform(database, 'wd_gateway', { seedSubjects: world.subjects.length });
  const financeCaller: Caller = { id: 'officer-withdraw', organisation: 'FINANCE', organisationKind: 'DEPARTMENT', role: 'DEPARTMENT_OFFICER' };
  const procurement: As = { caller: financeCaller, headers: { 'x-credit-matter': 'GOVERNMENT_PROCUREMENT', 'x-credit-case': 'BDH-CG-2026-0301' } };

  it('audits the withdrawal, lets the correct report be registered under the same number, and no check relies on the mistaken one', async () => {
    const checked = organisations[3];
    const values = { subjectId: checked.id, source: 'LOCAL_CREDIT_WEBSITE', issuerName: '信用秦皇岛网站', reportNumber: 'XYQHD-2026-WD-1', issuedOn: addDays(today, -10), validUntil: addDays(today, 350), verificationCode: 'QHD2026WD', documentSha256: sha };
    const mistaken = await platform.query<{ registerCreditReport: { id: string } }>('mutation ($input: RegisterCreditReportInput!) { registerCreditReport(input: $input) { id } }', { input: { ...values, grade: 'AAA' } }, procurement);
    expect(mistaken.errors).toBeUndefined();
    const id = mistaken.data!.registerCreditReport.id;

    const withdrawn = await platform.query<{ withdrawCreditReportRegistration: { withdrawal: { reason: string } } }>(
      'mutation ($id: ID!) { withdrawCreditReportRegistration(id: $id, reason: "等级录入错误：报告等级为BBB") { withdrawal { reason } acceptance { accepted reasons } } }',
      { id },
      procurement,
    );
    expect(withdrawn.errors).toBeUndefined();
    const requestId = requestIdOf(withdrawn);
    expect(withdrawn.data?.withdrawCreditReportRegistration).toEqual({ withdrawal: { reason: '等级录入错误：报告等级为BBB' }, acceptance: { accepted: false, reasons: ['WITHDRAWN'] } });
    const audit = (await platform.databases.audit.query('SELECT subject_id, field_groups, matter, case_number, outcome FROM audit_entry WHERE request_id = ?', [requestId])) as { subject_id: string; field_groups: string; matter: string; case_number: string; outcome: string }[];
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ subject_id: checked.id, matter: 'GOVERNMENT_PROCUREMENT', case_number: 'BDH-CG-2026-0301', outcome: 'DISCLOSED' });
    expect(audit[0].field_groups.split(',')).toContain('REPORT_REGISTRATION');

    const corrected = await platform.query<{ registerCreditReport: { id: string } }>('mutation ($input: RegisterCreditReportInput!) { registerCreditReport(input: $input) { id } }', { input: { ...values, grade: 'BBB' } }, procurement);
    expect(corrected.errors).toBeUndefined();

    const check = await platform.query<{ runCreditCheck: { reportRequirement: { reliedOn: { id: string; grade: string } | null; considered: { report: { id: string } }[] } } }>(
      'mutation ($input: RunCreditCheckInput!) { runCreditCheck(input: $input) { reportRequirement { reliedOn { id grade } considered { report { id } } } } }',
      { input: { subjectId: checked.id, matter: 'GOVERNMENT_PROCUREMENT', caseNumber: 'BDH-CG-2026-0301' } },
      procurement,
    );
    expect(check.errors).toBeUndefined();
    const requirement = check.data!.runCreditCheck.reportRequirement;
    expect(requirement.considered.map((c) => c.report.id)).not.toContain(id);
    expect(requirement.considered.map((c) => c.report.id)).toContain(corrected.data!.registerCreditReport.id);

    // The credit office still finds the mistake among the subject's reports, with its reason.
    const asOffice = await platform.query<{ creditReport: { withdrawal: { reason: string; organisation: string } } }>('query ($id: ID!) { creditReport(id: $id) { withdrawal { reason organisation } } }', { id }, supervisor);
    expect(asOffice.data?.creditReport.withdrawal).toEqual({ reason: '等级录入错误：报告等级为BBB', organisation: 'FINANCE' });
  });
});
