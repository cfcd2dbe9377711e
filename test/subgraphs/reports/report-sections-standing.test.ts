import { addDays, todayInDistrict } from '../../../lib/calendar';
import { demoWorld } from '../../../scripts/demo/world';
import { daysAgo } from '../../helpers/clock';
import { testDatabases } from '../../helpers/databases';
import { consentedBank as bank, supervisor, usePlatform, type As } from '../../helpers/platform';
import { requestIdOf } from '../../helpers/graphql';

/**
 * What a report goes on telling its readers once it no longer stands, and what reaching it tells
 * them: a platform report's sections are shown exactly while its printable page is (none of its
 * records withdrawn since, within its validity); a registration withdrawn since is shown, through
 * a check that considered it, only to the readers of its case file; and the public verification
 * of a report is no read of its subject, so it is audited under no request's purpose or consent.
 */
const world = demoWorld({ subjects: 40 });
const organisations = world.subjects.filter((s) => s.kind !== 'NATURAL_PERSON');

const department = (organisation: string, matter: string, caseNumber: string): As => ({
  caller: { id: `officer-${organisation.toLowerCase()}`, organisation, organisationKind: 'DEPARTMENT', role: 'DEPARTMENT_OFFICER' },
  headers: { 'x-credit-matter': matter, 'x-credit-case': caseNumber },
});
const finance = department('FINANCE', 'GOVERNMENT_PROCUREMENT', 'CG-2026-0412');
const housing = department('HOUSING_CONSTRUCTION', 'CONSTRUCTION_BIDDING', 'JS-2026-0088');
const personnel = department('ORGANISATION', 'PERSONNEL_REVIEW', 'RS-2026-0031');

interface Section {
  code: string;
  entryCount: number;
  underObjectionCount: number;
}

interface Generated {
  id: string;
  reportNumber: string;
  verificationCode: string;
  sections: Section[] | null;
}

describe.each(testDatabases)('what a report no longer standing still tells, on $label', (database) => {
  const platform = usePlatform(database, 'rep_standing', { seedSubjects: world.subjects.length });

  async function ok<T>(query: string, variables: Record<string, unknown>, as: As): Promise<T> {
    const result = await platform.query<T>(query, variables, as);
    expect(result.errors).toBeUndefined();
    return result.data!;
  }

  const generate = async (subjectId: string, as: As = finance) =>
    (await ok<{ generateCreditReport: Generated }>('mutation ($id: ID!) { generateCreditReport(subjectId: $id) { id reportNumber verificationCode sections { code entryCount underObjectionCount } } }', { id: subjectId }, as))
      .generateCreditReport;

  /** The report as `as` reads it: by id, and among its subject's reports. */
  async function readAs(as: As, report: { id: string }, subjectId: string) {
    const query = /* GraphQL */ `
      query ($id: ID!, $subject: ID!) {
        creditReport(id: $id) { sections { code entryCount underObjectionCount } acceptance { accepted reasons } }
        subject(id: $subject) { creditReports(first: 50) { edges { node { id sections { code entryCount } } } } }
      }
    `;
    const data = await ok<{ creditReport: { sections: Section[] | null; acceptance: { accepted: boolean; reasons: string[] } }; subject: { creditReports: { edges: { node: { id: string; sections: Section[] | null } }[] } } }>(
      query,
      { id: report.id, subject: subjectId },
      as,
    );
    return { ...data.creditReport, listed: data.subject.creditReports.edges.find((e) => e.node.id === report.id)?.node.sections };
  }

  const taken = new Set<string>();
  /** An organisation no other test here took, with a serious-dishonesty listing a check counts. */
  async function listedOrganisation(): Promise<{ subjectId: string; identifier: string; listing: { id: string; sourceDepartment: { code: string } } }> {
    for (const subject of organisations) {
      if (taken.has(subject.id)) continue;
      const data = await ok<{ subject: { creditRecords: { edges: { node: { id: string; status: string; countsInCheck: boolean; sourceDepartment: { code: string } } }[] } } }>(
        'query ($id: ID!) { subject(id: $id) { creditRecords(first: 100, filter: { categories: [SERIOUS_DISHONESTY_LIST] }) { edges { node { id status countsInCheck sourceDepartment { code } } } } } }',
        { id: subject.id },
        supervisor,
      );
      const listing = data.subject.creditRecords.edges.map((e) => e.node).find((r) => r.status === 'ACTIVE' && r.countsInCheck);
      if (listing) {
        taken.add(subject.id);
        return { subjectId: subject.id, identifier: subject.identifier, listing };
      }
    }
    throw new Error('no other organisation in the demo world has a serious-dishonesty listing that counts');
  }

  const anotherOrganisation = () => {
    const subject = organisations.find((s) => !taken.has(s.id))!;
    taken.add(subject.id);
    return subject;
  };

  it('shows no sections of a platform report holding a listing since withdrawn on an accepted objection, to any reader, as its page is not shown', async () => {
    const { subjectId, identifier, listing } = await listedOrganisation();
    const itself: As = {
      caller: { id: 'self-listed', organisation: identifier, organisationKind: 'ENTERPRISE', role: 'EXTERNAL_USER', subjectId },
      headers: { 'x-credit-matter': 'SELF_INQUIRY' },
    };
    const objection = await ok<{ objectToCreditRecord: { id: string } }>('mutation ($id: ID!) { objectToCreditRecord(input: { recordId: $id, reason: "欠薪已于列入名单前结清，申请核实" }) { id } }', { id: listing.id }, itself);

    // Under objection it still counts: the report lists it, marked.
    const report = await generate(subjectId);
    expect(report.sections?.find((s) => s.code === 'SERIOUS_DISHONESTY')).toMatchObject({ underObjectionCount: 1 });
    const before = await readAs(housing, report, subjectId);
    expect(before.acceptance).toEqual({ accepted: true, reasons: [] });
    expect(before.sections).toEqual(report.sections);
    expect(before.listed?.find((s) => s.code === 'SERIOUS_DISHONESTY')?.entryCount).toBeGreaterThan(0);

    const source = { caller: { id: 'officer-source', organisation: listing.sourceDepartment.code, organisationKind: 'DEPARTMENT' as const, role: 'DEPARTMENT_OFFICER' as const } };
    await ok('mutation ($id: ID!) { decideObjection(input: { id: $id, decision: ACCEPT, resolution: WITHDRAWN, reason: "经核查，欠薪已结清，撤销列入" }) { id } }', { id: objection.objectToCreditRecord.id }, source);

    for (const reader of [housing, finance, supervisor]) {
      expect(await readAs(reader, report, subjectId)).toEqual({ sections: null, acceptance: { accepted: false, reasons: ['RECORDS_CHANGED'] }, listed: null });
    }
  });

  it('shows no sections of a platform report past its validity, and keeps showing those of a report that stands', async () => {
    const subject = anotherOrganisation();
    const standing = await generate(subject.id);
    expect((await readAs(housing, standing, subject.id)).sections).toEqual(standing.sections);

    // Generated 90 days ago (Date only: the whole platform runs in this process), so valid until yesterday.
    const expired = await daysAgo(90, () => generate(subject.id));
    const read = await readAs(housing, expired, subject.id);
    expect(read.acceptance.reasons).toContain('EXPIRED');
    expect(read.sections).toBeNull();
    expect(read.listed).toBeNull();
  });

  it('shows a registration withdrawn since a check considered it only to the readers of its case file, through the check as by id', async () => {
    const subject = anotherOrganisation();
    const registered = await ok<{ registerCreditReport: { id: string; reportNumber: string } }>(
      'mutation ($input: RegisterCreditReportInput!) { registerCreditReport(input: $input) { id reportNumber } }',
      {
        input: {
          subjectId: subject.id, source: 'LOCAL_CREDIT_WEBSITE', issuerName: '信用河北网站', reportNumber: 'XYHB-2026-STAND-1', grade: 'AAA',
          issuedOn: todayInDistrict(), validUntil: addDays(todayInDistrict(), 300), verificationCode: 'K7Q2M9TA', documentSha256: 'ab'.repeat(32),
        },
      },
      finance,
    );
    const { id, reportNumber } = registered.registerCreditReport;
    const check = await ok<{ runCreditCheck: { id: string; reportRequirement: { reliedOn: { id: string } | null } } }>(
      'mutation ($input: RunCreditCheckInput!) { runCreditCheck(input: $input) { id reportRequirement { reliedOn { id } } } }',
      { input: { subjectId: subject.id, matter: 'CONSTRUCTION_BIDDING', caseNumber: 'JS-2026-0088' } },
      housing,
    );
    expect(check.runCreditCheck.reportRequirement.reliedOn).toEqual({ id });

    await ok('mutation ($id: ID!) { withdrawCreditReportRegistration(id: $id, reason: "主体录入错误：应为另一企业的报告") { id } }', { id }, finance);

    const requirementAs = async (as: As) => {
      const data = await ok<{ creditCheck: { reportRequirement: { satisfied: boolean; reliedOn: { id: string } | null; considered: { reportNumber: string; grade: string | null; report: { id: string; grade: string | null } | null }[] } } }>(
        'query ($id: ID!) { creditCheck(id: $id) { reportRequirement { satisfied reliedOn { id } considered { reportNumber grade report { id grade } } } } }',
        { id: check.runCreditCheck.id },
        as,
      );
      const { satisfied, reliedOn, considered } = data.creditCheck.reportRequirement;
      return { satisfied, reliedOn, mistaken: considered.find((c) => c.reportNumber === reportNumber) };
    };
    // The check keeps what it found (its copy); the report itself is the case file's now.
    expect(await requirementAs(housing)).toEqual({ satisfied: true, reliedOn: null, mistaken: { reportNumber, grade: 'AAA', report: null } });
    expect((await ok<{ creditReport: unknown }>('query ($id: ID!) { creditReport(id: $id) { id } }', { id }, housing)).creditReport).toBeNull();
    // The credit office reads the case file: the withdrawn report, as by id.
    expect(await requirementAs(supervisor)).toEqual({ satisfied: true, reliedOn: { id }, mistaken: { reportNumber, grade: 'AAA', report: { id, grade: 'AAA' } } });
  });

  // It was audited under the request's purpose: a bank's consent for another subject, a case that covers persons only.
  it("audits a public verification in the report subject's trail as a public lookup, under no matter, case or consent", async () => {
    const subject = anotherOrganisation();
    const report = await generate(subject.id);
    // A bank under a consent for another subject, an officer whose case covers persons only, no token at all.
    const askers: [As, string][] = [
      [bank, bank.caller!.id],
      [personnel, personnel.caller!.id],
      [{}, 'anonymous'],
    ];
    for (const [as, actor] of askers) {
      const verified = await platform.query<{ verifyCreditReport: unknown }>(
        'query ($n: String!, $c: String!) { verifyCreditReport(reportNumber: $n, verificationCode: $c) { genuine subjectName } }',
        { n: report.reportNumber, c: report.verificationCode },
        as,
      );
      expect(verified.errors).toBeUndefined();
      expect(verified.data?.verifyCreditReport).toEqual({ genuine: true, subjectName: subject.name });
      expect(await platform.databases.audit.query('SELECT actor, subject_id, matter, case_number, consent_id, field_groups, outcome FROM audit_entry WHERE request_id = ?', [requestIdOf(verified)])).toEqual([
        { actor, subject_id: subject.id, matter: null, case_number: null, consent_id: null, field_groups: 'SUBJECT_BASICS', outcome: 'DISCLOSED' },
      ]);
    }
  });

  it('audits a subject verifying its own report as a self-inquiry, which its list of who read it leaves out unless asked', async () => {
    const subject = anotherOrganisation();
    const report = await generate(subject.id);
    const itself: As = {
      caller: { id: 'self-user', organisation: subject.identifier, organisationKind: 'ENTERPRISE', role: 'EXTERNAL_USER', subjectId: subject.id },
      headers: { 'x-credit-matter': 'SELF_INQUIRY' },
    };
    const verified = await platform.query<{ verifyCreditReport: unknown }>(
      'query ($n: String!, $c: String!) { verifyCreditReport(reportNumber: $n, verificationCode: $c) { genuine } }',
      { n: report.reportNumber, c: report.verificationCode },
      itself,
    );
    expect(verified.data?.verifyCreditReport).toEqual({ genuine: true });
    expect(await platform.databases.audit.query('SELECT actor, matter, outcome FROM audit_entry WHERE request_id = ?', [requestIdOf(verified)])).toEqual([{ actor: 'self-user', matter: 'SELF_INQUIRY', outcome: 'DISCLOSED' }]);
    const trail = (includeSelfInquiries: boolean) =>
      ok<{ subject: { disclosures: { edges: { node: { actor: string } }[] } } }>(
        'query ($id: ID!, $own: Boolean) { subject(id: $id) { disclosures(first: 100, includeSelfInquiries: $own) { edges { node { actor } } } } }',
        { id: subject.id, own: includeSelfInquiries },
        itself,
      ).then((data) => data.subject.disclosures.edges.map((e) => e.node.actor));
    expect(await trail(false)).not.toContain('self-user');
    expect(await trail(true)).toContain('self-user');
  });
});
