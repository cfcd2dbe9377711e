import { randomUUID } from 'node:crypto';
import type { Caller } from '../../lib/access/identity';
import { citizenIdNumber, unifiedSocialCreditCode } from '../../lib/identifiers';
import { matters, RELEVANT_DEPARTMENTS } from '../../lib/catalogue/matters';
import { addMonths, findRecordCategory } from '../../lib/catalogue/record-categories';
import { addDays, todayInDistrict } from '../../lib/calendar';
import { demoWorld } from '../../scripts/demo/world';
import { demoProviderHistory } from '../../subgraphs/providers/demo-history';
import { Subject } from '../../subgraphs/entities/entities/subject.entity';
import { CreditCheck } from '../../subgraphs/records/entities/credit-check.entity';
import { CreditRecord } from '../../subgraphs/records/entities/credit-record.entity';
import { CreditReport } from '../../subgraphs/reports/entities/credit-report.entity';
import { testDatabases } from '../helpers/databases';
import { usePlatform, supervisor, type As } from '../helpers/platform';
import { requestIdOf } from '../helpers/graphql';

const world = demoWorld({ subjects: 20 });
const filedProvider = world.providers[0];
const revokedProvider = world.providers[11];
// Filed, downgraded from B to D for false information: a report it issued well before that was issued in good standing.
const classDProvider = world.providers[8];
const classDReportIssuedOn = addDays(demoProviderHistory(world).violations.find((v) => v.providerId === classDProvider.id && v.kind === 'FALSE_INFORMATION')!.occurredOn, -20);

const administrative = matters.filter((m) => m.kind === 'ADMINISTRATIVE');
// Written from the policy, not from the catalogue's code: a regression there shows up here.
const excluding = ['CONSTRUCTION_BIDDING', 'GOVERNMENT_PROCUREMENT', 'DRUG_PROCUREMENT', 'STATE_ASSET_TRANSFER', 'FISCAL_SUPPORT', 'TAX_INCENTIVES', 'AWARDS_AND_RATINGS'];
const reportRequired = ['CONSTRUCTION_BIDDING', 'DRUG_PROCUREMENT'];

type Situation =
  | 'noRecords' | 'redList' | 'generalPenalty' | 'seriousPenalty' | 'severeList' | 'disputedList' | 'restoredRecord' | 'expiredRecord'
  | 'lapsedHonour' | 'supersededTaxGrade' | 'onlyExpiredReport' | 'revokedProviderReport' | 'classDProviderReport';
const situations: Situation[] = [
  'noRecords', 'redList', 'generalPenalty', 'seriousPenalty', 'severeList', 'disputedList', 'restoredRecord', 'expiredRecord',
  'lapsedHonour', 'supersededTaxGrade', 'onlyExpiredReport', 'revokedProviderReport', 'classDProviderReport',
];

function expectedVerdict(situation: Situation, matter: string): string {
  switch (situation) {
    case 'redList':
      return 'ELIGIBLE_WITH_INCENTIVES';
    case 'seriousPenalty':
      return 'NEEDS_STRICT_REVIEW';
    case 'severeList':
    // An objection pending does not lift the listing (the decision stands until it is decided).
    case 'disputedList':
      return excluding.includes(matter) ? 'EXCLUDED' : 'NEEDS_STRICT_REVIEW';
    case 'onlyExpiredReport':
    case 'revokedProviderReport':
    case 'classDProviderReport':
      return reportRequired.includes(matter) ? 'CANNOT_DECIDE_REPORT_MISSING' : 'ELIGIBLE';
    default:
      return 'ELIGIBLE';
  }
}

/** A department the policy makes responsible for the matter. */
function officerFor(matter: (typeof administrative)[number]): Caller {
  const departments = matter.users.departments;
  const organisation = departments === RELEVANT_DEPARTMENTS || !departments ? 'MARKET_REGULATION' : departments[0];
  return { id: `officer-${organisation.toLowerCase()}`, organisation, organisationKind: 'DEPARTMENT', role: 'DEPARTMENT_OFFICER' };
}

const purpose = (matter: string, caseNumber: string) => ({ 'x-credit-matter': matter, 'x-credit-case': caseNumber });

const RUN = /* GraphQL */ `
  mutation Run($input: RunCreditCheckInput!) {
    runCreditCheck(input: $input) {
      id matter verdict
      recordsConsidered { recordId category underObjection }
      measures { kind polarity situation triggeredBy { recordId } }
      reportRequirement { required satisfied considered { reportNumber accepted reasons } }
    }
  }
`;

interface CheckResult {
  id: string;
  verdict: string;
  recordsConsidered: { recordId: string; category: string; underObjection: boolean }[];
  measures: { kind: string; polarity: string; situation: string; triggeredBy: { recordId: string }[] }[];
  reportRequirement: { required: boolean; satisfied: boolean; considered: { reportNumber: string; accepted: boolean; reasons: string[] }[] };
}

describe.each(testDatabases)('credit checks through the gateway on $label', (database) => {
  const platform = usePlatform(database, 'checks', { seedSubjects: world.subjects.length });
  let cases = 0;
  /** Fixture subjects: for each situation an enterprise and a natural person, and the record that puts them in it. */
  const fixtures = new Map<string, { subjectId: string; recordId?: string }>();

  async function addSubject(kind: 'ENTERPRISE' | 'NATURAL_PERSON', index: number): Promise<string> {
    const id = randomUUID();
    const identifier =
      kind === 'ENTERPRISE'
        ? unifiedSocialCreditCode({ authority: '9', orgType: '1', division: '130304', organisationBody: `CK${String(index).padStart(6, '0')}` })
        : citizenIdNumber({ division: '130304', birthDate: '19800101', sequence: String(index).padStart(3, '0') });
    await platform.databases.entities.getRepository(Subject).insert({
      id, kind, name: `核查样例${index}`, identifier, identifierKind: kind === 'ENTERPRISE' ? 'UNIFIED_SOCIAL_CREDIT_CODE' : 'CITIZEN_ID_NUMBER',
      registeredAddress: '河北省秦皇岛市北戴河区保二路1号', legalRepresentative: kind === 'ENTERPRISE' ? '王伟' : null, status: 'ACTIVE',
      registrationDate: kind === 'ENTERPRISE' ? '2015-01-01' : null, createdAt: new Date(),
    });
    return id;
  }

  async function addRecord(subjectId: string, fields: Partial<CreditRecord>): Promise<string> {
    const id = randomUUID();
    const record = platform.databases.records.getRepository(CreditRecord).create({
      id, subjectId, category: 'ADMINISTRATIVE_PENALTY', polarity: 'NEGATIVE', severity: 'GENERAL', taxCreditGrade: null, sourceDepartment: 'MARKET_REGULATION',
      documentNumber: `北戴河市监罚〔2026〕${id.slice(0, 8)}号`, decisionDate: '2026-06-01', disclosureEndsAt: '2027-06-01', validUntil: null, status: 'ACTIVE',
      summary: '测试记录', recordedAt: new Date('2026-06-02T00:00:00Z'), ...fields,
    });
    await platform.databases.records.getRepository(CreditRecord).insert(record);
    return id;
  }

  async function addReport(subjectId: string, fields: Partial<CreditReport>): Promise<void> {
    const reports = platform.databases.reports.getRepository(CreditReport);
    await reports.insert(
      reports.create({
        id: randomUUID(), subjectId, source: 'THIRD_PARTY_PROVIDER', issuerName: filedProvider.name, issuerProviderId: filedProvider.id,
        reportNumber: `CK-${randomUUID().slice(0, 12)}`, grade: 'BBB', issuedOn: '2026-10-01', validUntil: '2027-09-30', verificationCode: 'CHECK2026',
        documentSha256: null, documentReference: null, registeredBy: 'test', registeredByOrganisation: 'FINANCE', verificationOutcome: null, verificationNote: null,
        verifiedBy: null, verifiedAt: null, registeredAt: new Date('2026-10-02T00:00:00Z'), ...fields,
      }),
    );
  }

  async function addSituation(situation: Situation, kind: 'ENTERPRISE' | 'NATURAL_PERSON', index: number): Promise<void> {
    const subjectId = await addSubject(kind, index);
    let recordId: string | undefined;
    switch (situation) {
      case 'redList':
        recordId = await addRecord(subjectId, { category: 'RED_LIST_HONOUR', polarity: 'POSITIVE', severity: null, disclosureEndsAt: null, sourceDepartment: 'HUMAN_RESOURCES' });
        break;
      case 'generalPenalty':
        recordId = await addRecord(subjectId, {});
        break;
      case 'seriousPenalty':
        recordId = await addRecord(subjectId, { severity: 'SERIOUS', disclosureEndsAt: '2029-06-01' });
        break;
      case 'severeList':
        recordId = await addRecord(subjectId, { category: 'SERIOUS_DISHONESTY_LIST', severity: null, disclosureEndsAt: '2029-06-01' });
        break;
      case 'disputedList':
        recordId = await addRecord(subjectId, { category: 'SERIOUS_DISHONESTY_LIST', severity: null, disclosureEndsAt: '2029-06-01', status: 'OBJECTED' });
        break;
      case 'restoredRecord':
        recordId = await addRecord(subjectId, { severity: 'SERIOUS', status: 'RESTORED', decisionDate: '2024-01-10', disclosureEndsAt: '2027-01-10' });
        break;
      case 'lapsedHonour':
        recordId = await addRecord(subjectId, { category: 'RED_LIST_HONOUR', polarity: 'POSITIVE', severity: null, disclosureEndsAt: null, sourceDepartment: 'HUMAN_RESOURCES', decisionDate: '2019-03-01', validUntil: '2020-03-01' });
        break;
      case 'supersededTaxGrade':
        // Grade A of last year earned incentives until this year's grade B replaced it.
        await addRecord(subjectId, { category: 'TAX_CREDIT_GRADE', polarity: 'POSITIVE', severity: null, taxCreditGrade: 'A', disclosureEndsAt: null, sourceDepartment: 'TAXATION', decisionDate: addMonths(todayInDistrict(), -14) });
        recordId = await addRecord(subjectId, { category: 'TAX_CREDIT_GRADE', polarity: 'NEUTRAL', severity: null, taxCreditGrade: 'B', disclosureEndsAt: null, sourceDepartment: 'TAXATION', decisionDate: addMonths(todayInDistrict(), -2) });
        break;
      case 'expiredRecord':
        recordId = await addRecord(subjectId, { severity: 'SERIOUS', decisionDate: '2021-01-10', disclosureEndsAt: '2024-01-10' });
        break;
      default:
        break;
    }
    // Everyone but the two report cases holds a valid, accepted report (graded BBB: no incentive).
    const personal: Partial<CreditReport> = kind === 'NATURAL_PERSON' ? { source: 'LOCAL_CREDIT_WEBSITE', issuerName: '信用河北', issuerProviderId: null, grade: null } : {};
    if (situation === 'onlyExpiredReport') await addReport(subjectId, { ...personal, issuedOn: '2025-01-01', validUntil: '2025-12-31', registeredAt: new Date('2025-01-02T00:00:00Z') });
    else if (situation === 'revokedProviderReport') await addReport(subjectId, { issuerName: revokedProvider.name, issuerProviderId: revokedProvider.id, issuedOn: '2024-12-01', validUntil: '2027-11-30' });
    else if (situation === 'classDProviderReport') await addReport(subjectId, { issuerName: classDProvider.name, issuerProviderId: classDProvider.id, issuedOn: classDReportIssuedOn, validUntil: addDays(classDReportIssuedOn, 1094) });
    else await addReport(subjectId, personal);
    fixtures.set(`${situation}:${kind}`, { subjectId, recordId });
  }

  async function run(as: As, input: { subjectId: string; matter: string; caseNumber: string; idempotencyKey?: string }) {
    return await platform.query<{ runCreditCheck: CheckResult | null }>(RUN, { input }, as);
  }

  beforeAll(async () => {
    let index = 0;
    for (const situation of situations) for (const kind of ['ENTERPRISE', 'NATURAL_PERSON'] as const) await addSituation(situation, kind, ++index);
  });

  describe.each(administrative.map((m) => [m.code, m] as const))('for %s', (code, matter) => {
    // Personnel review covers natural persons, drug procurement enterprises: each matter checks the subjects it covers.
    const kind = matter.subjectKinds.includes('ENTERPRISE') ? 'ENTERPRISE' : 'NATURAL_PERSON';

    it.each(situations)('decides a subject with %s', async (situation) => {
      const fixture = fixtures.get(`${situation}:${kind}`)!;
      const caseNumber = `${code}-${++cases}`;
      const result = await run({ caller: officerFor(matter), headers: purpose(code, caseNumber) }, { subjectId: fixture.subjectId, matter: code, caseNumber });
      expect(result.errors).toBeUndefined();
      const check = result.data!.runCreditCheck!;
      expect(check.verdict).toBe(expectedVerdict(situation, code));
      const kinds = check.measures.map((m) => m.kind);
      const triggered = (kind: string) => check.measures.filter((m) => m.kind === kind).flatMap((m) => m.triggeredBy.map((r) => r.recordId));
      switch (situation) {
        case 'redList':
          expect(kinds.length).toBeGreaterThan(0);
          expect(check.measures.every((m) => m.polarity === 'INCENTIVE')).toBe(true);
          break;
        case 'generalPenalty':
          expect(kinds).toEqual(['REFERENCE_NOTED']);
          expect(triggered('REFERENCE_NOTED')).toEqual([fixture.recordId]);
          break;
        case 'seriousPenalty':
          expect(kinds.some((k) => k === 'STRICT_REVIEW' || k === 'INTENSIFIED_SUPERVISION')).toBe(true);
          expect(check.measures.every((m) => m.polarity === 'PUNISHMENT' && m.triggeredBy.some((r) => r.recordId === fixture.recordId))).toBe(true);
          break;
        case 'severeList':
        case 'disputedList':
          expect(kinds.includes('EXCLUSION')).toBe(excluding.includes(code));
          expect(check.measures.every((m) => m.triggeredBy.some((r) => r.recordId === fixture.recordId))).toBe(true);
          expect(check.recordsConsidered).toEqual([{ recordId: fixture.recordId, category: 'SERIOUS_DISHONESTY_LIST', underObjection: situation === 'disputedList' }]);
          break;
        case 'supersededTaxGrade':
          expect(kinds).toEqual([]);
          expect(check.recordsConsidered.map((r) => r.recordId)).toEqual([fixture.recordId]);
          break;
        default:
          // Restored and expired records, and missing reports, call for no measure.
          expect(kinds).toEqual([]);
          expect(check.recordsConsidered).toEqual([]);
      }
      if (situation === 'onlyExpiredReport') expect(check.reportRequirement.considered.map((c) => c.reasons)).toEqual([['EXPIRED']]);
      // The revoked provider was downgraded to class D as well: every reason that holds.
      if (situation === 'revokedProviderReport') expect(check.reportRequirement.considered.map((c) => c.reasons)).toEqual([['ISSUER_REVOKED', 'ISSUER_CLASS_D']]);
      // Class D withdraws the reports it issued before the downgrade, as a suspension does.
      if (situation === 'classDProviderReport') expect(check.reportRequirement.considered.map((c) => c.reasons)).toEqual([['ISSUER_CLASS_D']]);
      expect(check.reportRequirement.required).toBe(reportRequired.includes(code));
    });
  });

  it('refuses a check by a department the policy does not make responsible, and audits the attempt', async () => {
    const fixture = fixtures.get('noRecords:ENTERPRISE')!;
    const taxation: Caller = { id: 'officer-tax', organisation: 'TAXATION', organisationKind: 'DEPARTMENT', role: 'DEPARTMENT_OFFICER' };
    const result = await run({ caller: taxation, headers: purpose('GOVERNMENT_PROCUREMENT', 'X-1') }, { subjectId: fixture.subjectId, matter: 'GOVERNMENT_PROCUREMENT', caseNumber: 'X-1' });
    const requestId = requestIdOf(result);
    expect(result.data?.runCreditCheck).toBeNull();
    expect(result.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const [{ n }] = await platform.databases.records.query('SELECT COUNT(*) AS n FROM credit_check WHERE case_number = ?', ['X-1']);
    expect(Number(n)).toBe(0);
    const audit = await platform.databases.audit.query('SELECT outcome FROM audit_entry WHERE request_id = ?', [requestId]);
    expect(audit.map((r: { outcome: string }) => r.outcome)).toEqual(['DENIED']);
  });

  it('records the verdict in the ledger when the check is run, whatever the client selects', async () => {
    const fixture = fixtures.get('severeList:ENTERPRISE')!;
    const as = { caller: officerFor(administrative[1]), headers: purpose('GOVERNMENT_PROCUREMENT', 'EAGER-1') };
    const result = await platform.query<{ runCreditCheck: { id: string } }>(`mutation($input: RunCreditCheckInput!) { runCreditCheck(input: $input) { id } }`, { input: { subjectId: fixture.subjectId, matter: 'GOVERNMENT_PROCUREMENT', caseNumber: 'EAGER-1' } }, as);
    const [row] = await platform.databases.records.query('SELECT verdict, report_satisfied FROM credit_check WHERE id = ?', [result.data!.runCreditCheck.id]);
    expect(row.verdict).toBe('EXCLUDED');
    expect(Boolean(row.report_satisfied)).toBe(true);
    const [sealed] = await platform.databases.reports.query('SELECT COUNT(*) AS n FROM check_report_requirement WHERE check_id = ?', [result.data!.runCreditCheck.id]);
    expect(Number(sealed.n)).toBe(1);
  });

  it('audits a verdict or measures read alone with the groups of the records the check considered, as it audits the records themselves', async () => {
    const fixture = fixtures.get('severeList:ENTERPRISE')!;
    const as = { caller: officerFor(administrative[1]), headers: purpose('GOVERNMENT_PROCUREMENT', 'VERDICT-ONLY-1') };
    const audited = async (requestId: string) =>
      ((await platform.databases.audit.query('SELECT outcome, subject_id, field_groups FROM audit_entry WHERE request_id = ?', [requestId])) as { outcome: string; subject_id: string; field_groups: string }[]).map((r) => [
        r.outcome,
        r.subject_id,
        r.field_groups,
      ]);
    const ran = await platform.query<{ runCreditCheck: { id: string; verdict: string } }>(
      `mutation($input: RunCreditCheckInput!) { runCreditCheck(input: $input) { id verdict } }`,
      { input: { subjectId: fixture.subjectId, matter: 'GOVERNMENT_PROCUREMENT', caseNumber: 'VERDICT-ONLY-1' } },
      as,
    );
    expect(ran.data?.runCreditCheck.verdict).toBe('EXCLUDED');
    expect(await audited(requestIdOf(ran))).toEqual([['DISCLOSED', fixture.subjectId, 'CREDIT_CHECK,CREDIT_CHECK_LEDGER,DISHONESTY_LISTS']]);
    const read = await platform.query<{ creditCheck: { measures: { situation: string }[] } }>(`query($id: ID!) { creditCheck(id: $id) { measures { situation } } }`, { id: ran.data!.runCreditCheck.id }, as);
    expect(read.data?.creditCheck.measures.map((m) => m.situation)).toContain('SEVERE_DISHONESTY_LIST');
    expect(await audited(requestIdOf(read))).toEqual([['DISCLOSED', fixture.subjectId, 'CREDIT_CHECK_LEDGER,DISHONESTY_LISTS']]);
  });

  // From the subject's probe: a check's measures told a department that its subject holds a report
  // graded A or better (EVALUATION_PREFERENCE, GOOD_REPORT_GRADE), and its verdict, in a matter
  // that requires a report, whether a valid one is on file; the subject's disclosures named no REPORTS.
  it("audits a verdict or measures that tell of the subject's reports with REPORTS: a good grade's incentive, a required report found or missing", async () => {
    const audited = async (requestId: string) => (await platform.databases.audit.query('SELECT field_groups FROM audit_entry WHERE request_id = ?', [requestId])).map((r: { field_groups: string }) => r.field_groups);
    const readAlone = async (field: 'verdict' | 'measures { situation }' | 'recordsConsidered { recordId }', check: { id: string; matter: string; caseNumber: string }) => {
      const matter = administrative.find((m) => m.code === check.matter)!;
      const read = await platform.query(`query($id: ID!) { creditCheck(id: $id) { ${field} } }`, { id: check.id }, { caller: officerFor(matter), headers: purpose(check.matter, check.caseNumber) });
      expect(read.errors).toBeUndefined();
      return await audited(requestIdOf(read));
    };
    const graded = await addSubject('ENTERPRISE', 9001);
    await addReport(graded, { grade: 'AA' });
    const procurement = administrative.find((m) => m.code === 'GOVERNMENT_PROCUREMENT')!;
    const good = { matter: 'GOVERNMENT_PROCUREMENT', caseNumber: 'GRADE-TOLD-1' };
    const ran = await run({ caller: officerFor(procurement), headers: purpose(good.matter, good.caseNumber) }, { subjectId: graded, ...good });
    expect(ran.data!.runCreditCheck!.measures.map((m) => m.situation)).toContain('GOOD_REPORT_GRADE');
    const goodCheck = { id: ran.data!.runCreditCheck!.id, ...good };
    expect(await readAlone('measures { situation }', goodCheck)).toEqual(['CREDIT_CHECK_LEDGER,REPORTS']);
    expect(await readAlone('verdict', goodCheck)).toEqual(['CREDIT_CHECK_LEDGER,REPORTS']);
    // What counted against it tells nothing of its reports.
    expect(await readAlone('recordsConsidered { recordId }', goodCheck)).toEqual(['CREDIT_CHECK_LEDGER']);
    // Construction bidding requires a valid report: its verdict says whether one is on file.
    const bidding = administrative.find((m) => m.code === 'CONSTRUCTION_BIDDING')!;
    const required = { matter: 'CONSTRUCTION_BIDDING', caseNumber: 'REPORT-TOLD-1' };
    const missing = await run({ caller: officerFor(bidding), headers: purpose(required.matter, required.caseNumber) }, { subjectId: fixtures.get('onlyExpiredReport:ENTERPRISE')!.subjectId, ...required });
    expect(missing.data!.runCreditCheck!.verdict).toBe('CANNOT_DECIDE_REPORT_MISSING');
    expect(await readAlone('verdict', { id: missing.data!.runCreditCheck!.id, ...required })).toEqual(['CREDIT_CHECK_LEDGER,REPORTS']);
  });

  it('answers a retried check sent with its idempotency key with the check it first ran, at once or concurrently, and refuses the key for another check', async () => {
    const fixture = fixtures.get('seriousPenalty:ENTERPRISE')!;
    const as = { caller: officerFor(administrative[1]), headers: purpose('GOVERNMENT_PROCUREMENT', 'RETRY-1') };
    const input = { subjectId: fixture.subjectId, matter: 'GOVERNMENT_PROCUREMENT', caseNumber: 'RETRY-1' };
    const stored = async () => Number((await platform.databases.records.query('SELECT COUNT(*) AS n FROM credit_check WHERE case_number = ?', ['RETRY-1']))[0].n);
    const first = await run(as, { ...input, idempotencyKey: 'e0a4c1f2-retry-1' });
    const again = await run(as, { ...input, idempotencyKey: 'e0a4c1f2-retry-1' });
    expect([first.errors, again.errors]).toEqual([undefined, undefined]);
    expect(again.data?.runCreditCheck).toEqual(first.data?.runCreditCheck);
    expect(await stored()).toBe(1);
    // Five at once under one key (a double-click that outruns the first answer): one check.
    const burst = await Promise.all(Array.from({ length: 5 }, () => run(as, { ...input, idempotencyKey: 'e0a4c1f2-retry-2' })));
    expect(burst.map((r) => r.errors)).toEqual(Array(5).fill(undefined));
    expect(new Set(burst.map((r) => r.data?.runCreditCheck?.id)).size).toBe(1);
    expect(await stored()).toBe(2);
    // Keys differing in letter case are two keys, on either database; without a key, each call is a check.
    expect((await run(as, { ...input, idempotencyKey: 'E0A4C1F2-RETRY-1' })).data?.runCreditCheck?.id).not.toBe(first.data?.runCreditCheck?.id);
    await run(as, input);
    expect(await stored()).toBe(4);
    const reused = await run({ ...as, headers: purpose('GOVERNMENT_PROCUREMENT', 'RETRY-2') }, { ...input, caseNumber: 'RETRY-2', idempotencyKey: 'e0a4c1f2-retry-1' });
    expect(reused.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'idempotencyKey', problem: 'IDEMPOTENCY_KEY_REUSED' });
    // Another officer of the department sending the same key runs a check of their own, in their name.
    const colleague = await run({ ...as, caller: { ...as.caller, id: 'officer-colleague' } }, { ...input, idempotencyKey: 'e0a4c1f2-retry-1' });
    expect(colleague.errors).toBeUndefined();
    expect(colleague.data?.runCreditCheck?.id).not.toBe(first.data?.runCreditCheck?.id);
    expect(await stored()).toBe(5);
    const malformed = await run(as, { ...input, idempotencyKey: '重试 1' });
    expect(malformed.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'idempotencyKey', problem: 'IDEMPOTENCY_KEY_MALFORMED' });
    expect(await stored()).toBe(5);
  });

  it('audits a ledger read as a disclosure about every check it lists, with the groups of the records each considered', async () => {
    const answer = await platform.query<{ creditChecks: { edges: { node: { subject: { id: string }; recordsConsidered: { category: string }[] } }[] } }>(
      `{ creditChecks(first: 30) { edges { node { subject { id } recordsConsidered { category } } } } }`,
      {},
      supervisor,
    );
    const requestId = requestIdOf(answer);
    const { creditChecks } = answer.data!;
    expect(creditChecks.edges.length).toBeGreaterThan(1);
    const rows = (await platform.databases.audit.query('SELECT subject_id, field_groups FROM audit_entry WHERE request_id = ? AND outcome = ?', [requestId, 'DISCLOSED'])) as { subject_id: string; field_groups: string }[];
    const audited = new Map(rows.map((r) => [r.subject_id, r.field_groups.split(',')]));
    const expected = new Map<string, Set<string>>();
    for (const { node } of creditChecks.edges) {
      const groups = expected.get(node.subject.id) ?? new Set(['CREDIT_CHECK_LEDGER']);
      for (const record of node.recordsConsidered) groups.add(findRecordCategory(record.category)!.fieldGroup);
      expected.set(node.subject.id, groups);
    }
    expect(new Set(audited.keys())).toEqual(new Set(expected.keys()));
    for (const [subjectId, groups] of expected) expect({ subjectId, groups: audited.get(subjectId) }).toEqual({ subjectId, groups: expect.arrayContaining([...groups]) });
  });

  it('audits the records a check found wherever they are read (the measures they triggered), and the reports it considered', async () => {
    type Node = { subject: { id: string }; measures: { triggeredBy: { category: string }[] }[] | null; reportRequirement: { considered: { grade: string | null }[] } | null };
    const answer = await platform.query<{ creditChecks: { edges: { node: Node }[] } }>(
      `{ creditChecks(first: 10) { edges { node { subject { id } measures { triggeredBy { category } } reportRequirement { considered { grade } } } } } }`,
      {},
      supervisor,
    );
    const requestId = requestIdOf(answer);
    expect(answer.errors).toBeUndefined();
    const { creditChecks } = answer.data!;
    const rows = (await platform.databases.audit.query('SELECT subject_id, field_groups FROM audit_entry WHERE request_id = ? AND outcome = ?', [requestId, 'DISCLOSED'])) as { subject_id: string; field_groups: string }[];
    const audited = new Map(rows.map((r) => [r.subject_id, r.field_groups.split(',')]));
    const expected = new Map<string, Set<string>>();
    for (const { node } of creditChecks.edges) {
      const groups = expected.get(node.subject.id) ?? new Set(['CREDIT_CHECK_LEDGER']);
      for (const record of (node.measures ?? []).flatMap((m) => m.triggeredBy)) groups.add(findRecordCategory(record.category)!.fieldGroup);
      // None considered is read from the subject's reports too: that it has none to offer.
      if (node.reportRequirement) groups.add('REPORTS');
      expected.set(node.subject.id, groups);
    }
    // The ledger's checks trigger measures by records of more than one group, and consider reports.
    expect(new Set([...expected.values()].flatMap((g) => [...g]))).toEqual(new Set(['CREDIT_CHECK_LEDGER', 'PUBLIC_RECORDS', 'DISHONESTY_LISTS', 'REPORTS']));
    for (const [subjectId, groups] of expected) expect({ subjectId, groups: audited.get(subjectId) }).toEqual({ subjectId, groups: expect.arrayContaining([...groups]) });
  });

  it("audits a check's report finding as a read of the subject's reports when it found none: that it has none to offer", async () => {
    const subjectId = await addSubject('ENTERPRISE', 990);
    const as = { caller: officerFor(administrative.find((m) => m.code === 'GOVERNMENT_PROCUREMENT')!), headers: purpose('GOVERNMENT_PROCUREMENT', 'NO-REPORT-1') };
    const check = (await run(as, { subjectId, matter: 'GOVERNMENT_PROCUREMENT', caseNumber: 'NO-REPORT-1' })).data!.runCreditCheck!;
    const read = await platform.query<{ creditCheck: { reportRequirement: { satisfied: boolean; considered: unknown[] } } }>(
      `query($id: ID!) { creditCheck(id: $id) { reportRequirement { satisfied considered { reportNumber } } } }`,
      { id: check.id },
      as,
    );
    const requestId = requestIdOf(read);
    expect(read.data?.creditCheck.reportRequirement).toEqual({ satisfied: false, considered: [] });
    const rows = await platform.databases.audit.query('SELECT subject_id, field_groups, outcome FROM audit_entry WHERE request_id = ?', [requestId]);
    expect(rows).toEqual([{ subject_id: subjectId, field_groups: expect.stringContaining('REPORTS'), outcome: 'DISCLOSED' }]);
  });

  it("tells an officer who typed a subject's code where its id goes that it is a code, and where the id is found", async () => {
    const as = { caller: officerFor(administrative.find((m) => m.code === 'GOVERNMENT_PROCUREMENT')!), headers: purpose('GOVERNMENT_PROCUREMENT', 'CODE-AS-ID-1') };
    const code = unifiedSocialCreditCode({ authority: '9', orgType: '1', division: '130304', organisationBody: 'CK000991' });
    for (const [subjectId, hint] of [[code, 'that is a unified social credit code (统一社会信用代码), not an id'], [randomUUID(), null]] as const) {
      const result = await run(as, { subjectId, matter: 'GOVERNMENT_PROCUREMENT', caseNumber: 'CODE-AS-ID-1' });
      expect(result.errors?.map((e) => e.extensions)).toEqual([expect.objectContaining({ code: 'NOT_FOUND', field: 'subjectId' })]);
      if (hint) expect(result.errors?.[0].message).toContain(hint);
      else expect(result.errors?.[0].message).toBe(`no market subject has the id "${subjectId}"`);
    }
  });

  it("audits a read of a check's findings refused outside its case once, about the check's subject: never again about no subject for a field beneath it", async () => {
    const fixture = fixtures.get('seriousPenalty:ENTERPRISE')!;
    const as = { caller: officerFor(administrative.find((m) => m.code === 'GOVERNMENT_PROCUREMENT')!), headers: purpose('GOVERNMENT_PROCUREMENT', 'FINDINGS-OUTSIDE-1') };
    const check = (await run(as, { subjectId: fixture.subjectId, matter: 'GOVERNMENT_PROCUREMENT', caseNumber: 'FINDINGS-OUTSIDE-1' })).data!.runCreditCheck!;
    // No purpose: the records subgraph refuses the finding (PURPOSE_MISMATCH), and the gateway cuts `grade` (REPORTS) beneath it.
    const read = await platform.query(`query($id: ID!) { creditCheck(id: $id) { id reportRequirement { satisfied reliedOn { grade } } } }`, { id: check.id }, { caller: as.caller });
    const requestId = requestIdOf(read);
    expect(read.errors?.map((e) => [e.path?.join('.'), e.extensions?.code])).toEqual([['creditCheck.reportRequirement', 'FORBIDDEN']]);
    const rows = (await platform.databases.audit.query('SELECT subject_id, field_groups, outcome FROM audit_entry WHERE request_id = ? ORDER BY sequence', [requestId])) as { subject_id: string | null; field_groups: string; outcome: string }[];
    expect(rows.filter((r) => r.outcome === 'DENIED')).toEqual([{ subject_id: fixture.subjectId, field_groups: expect.stringContaining('REPORTS'), outcome: 'DENIED' }]);
  });

  // README, Errors: an optional text left blank is none, as if left out.
  it('takes an idempotency key left blank as none: each such call runs a check of its own', async () => {
    const fixture = fixtures.get('seriousPenalty:ENTERPRISE')!;
    const as = { caller: officerFor(administrative[1]), headers: purpose('GOVERNMENT_PROCUREMENT', 'BLANK-KEY-1') };
    const input = { subjectId: fixture.subjectId, matter: 'GOVERNMENT_PROCUREMENT', caseNumber: 'BLANK-KEY-1' };
    const runs = [await run(as, { ...input, idempotencyKey: '' }), await run(as, { ...input, idempotencyKey: '' }), await run(as, { ...input, idempotencyKey: '   ' })];
    expect(runs.map((r) => r.errors)).toEqual([undefined, undefined, undefined]);
    expect(new Set(runs.map((r) => r.data?.runCreditCheck?.id)).size).toBe(3);
    const rows = await platform.databases.records.query('SELECT idempotency_key AS k FROM credit_check WHERE case_number = ?', ['BLANK-KEY-1']);
    expect(rows.map((r: { k: string | null }) => r.k)).toEqual([null, null, null]);
  });

  // As other typed text: a key sent with surrounding spaces (pasted, say) is the key without them.
  it('trims an idempotency key: sent with spaces around it, it answers the check its trimmed key ran', async () => {
    const fixture = fixtures.get('seriousPenalty:ENTERPRISE')!;
    const as = { caller: officerFor(administrative[1]), headers: purpose('GOVERNMENT_PROCUREMENT', 'SPACED-KEY-1') };
    const input = { subjectId: fixture.subjectId, matter: 'GOVERNMENT_PROCUREMENT', caseNumber: 'SPACED-KEY-1' };
    const runs = [await run(as, { ...input, idempotencyKey: '  7d1c-spaced-key ' }), await run(as, { ...input, idempotencyKey: '7d1c-spaced-key' }), await run(as, { ...input, idempotencyKey: '\t7d1c-spaced-key\n' })];
    expect(runs.map((r) => r.errors)).toEqual([undefined, undefined, undefined]);
    expect(new Set(runs.map((r) => r.data?.runCreditCheck?.id)).size).toBe(1);
    const rows = await platform.databases.records.query('SELECT idempotency_key AS k FROM credit_check WHERE case_number = ?', ['SPACED-KEY-1']);
    expect(rows.map((r: { k: string | null }) => r.k)).toEqual(['7d1c-spaced-key']);
    // A space inside a key is still refused.
    expect((await run(as, { ...input, idempotencyKey: '7d1c spaced' })).errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'idempotencyKey' });
  });

  it('refuses a check of a subject that does not exist, and records nothing', async () => {
    const result = await run({ caller: officerFor(administrative[1]), headers: purpose('GOVERNMENT_PROCUREMENT', 'Z-1') }, { subjectId: randomUUID(), matter: 'GOVERNMENT_PROCUREMENT', caseNumber: 'Z-1' });
    expect(result.errors?.[0].extensions).toMatchObject({ code: 'NOT_FOUND', field: 'subjectId' });
    const [{ n }] = await platform.databases.records.query('SELECT COUNT(*) AS n FROM credit_check WHERE case_number = ?', ['Z-1']);
    expect(Number(n)).toBe(0);
  });

  it('refuses a check whose matter or case is not the purpose the request names, naming the input field as a form holds it and the purpose header, and records nothing', async () => {
    const fixture = fixtures.get('noRecords:ENTERPRISE')!;
    const as = { caller: officerFor(administrative[1]), headers: purpose('GOVERNMENT_PROCUREMENT', 'Y-1') };
    // No `group`: the request was granted CREDIT_CHECK; what disagrees is the input and the purpose headers.
    const otherMatter = await run(as, { subjectId: fixture.subjectId, matter: 'FISCAL_SUPPORT', caseNumber: 'Y-1' });
    expect(otherMatter.errors?.map((e) => e.extensions)).toEqual([{ code: 'FORBIDDEN', problem: 'PURPOSE_MISMATCH', field: 'matter', header: 'x-credit-matter', serviceName: 'records' }]);
    const otherCase = await run(as, { subjectId: fixture.subjectId, matter: 'GOVERNMENT_PROCUREMENT', caseNumber: 'Y-2' });
    expect(otherCase.errors?.map((e) => e.extensions)).toEqual([{ code: 'FORBIDDEN', problem: 'PURPOSE_MISMATCH', field: 'caseNumber', header: 'x-credit-case', serviceName: 'records' }]);
    const [{ n }] = await platform.databases.records.query('SELECT COUNT(*) AS n FROM credit_check WHERE case_number IN (?, ?)', ['Y-1', 'Y-2']);
    expect(Number(n)).toBe(0);
  });

  it('lists to a procurement officer, with countsInCheck: true, exactly the records a check considers: a listing under objection, not a replaced tax grade or a lapsed honour', async () => {
    const finance = officerFor(administrative.find((m) => m.code === 'GOVERNMENT_PROCUREMENT')!);
    const LIST = `query($id: ID!, $filter: CreditRecordFilter) { subject(id: $id) { creditRecords(filter: $filter) { totalCount edges { node { id status countsInCheck } } } } }`;
    type Listed = { subject: { creditRecords: { totalCount: number; edges: { node: { id: string; status: string; countsInCheck: boolean } }[] } } };
    const shown = new Map<Situation, string[][]>();
    for (const situation of ['disputedList', 'supersededTaxGrade', 'lapsedHonour', 'redList', 'generalPenalty', 'expiredRecord', 'restoredRecord'] as const) {
      const { subjectId } = fixtures.get(`${situation}:ENTERPRISE`)!;
      const as = { caller: finance, headers: purpose('GOVERNMENT_PROCUREMENT', `COUNTS-${situation}`) };
      const check = (await run(as, { subjectId, matter: 'GOVERNMENT_PROCUREMENT', caseNumber: `COUNTS-${situation}` })).data!.runCreditCheck!;
      const [all, counting] = await Promise.all([null, { countsInCheck: true }].map((filter) => platform.query<Listed>(LIST, { id: subjectId, filter }, as)));
      expect([situation, all.errors, counting.errors]).toEqual([situation, undefined, undefined]);
      const records = counting.data!.subject.creditRecords;
      expect([situation, records.edges.map((e) => e.node.id), records.totalCount]).toEqual([situation, check.recordsConsidered.map((r) => r.recordId), check.recordsConsidered.length]);
      expect(records.edges.every((e) => e.node.countsInCheck)).toBe(true);
      shown.set(situation, all.data!.subject.creditRecords.edges.map((e) => [e.node.status, String(e.node.countsInCheck)]));
    }
    // Unfiltered, the officer sees the records still disclosed, and which of them count.
    expect(shown.get('disputedList')).toEqual([['OBJECTED', 'true']]);
    expect(shown.get('supersededTaxGrade')).toEqual([['ACTIVE', 'true'], ['ACTIVE', 'false']]);
    expect(shown.get('lapsedHonour')).toEqual([['ACTIVE', 'false']]);
    expect(shown.get('expiredRecord')).toEqual([]);
  });

  it('keeps a check as it was when the records change afterwards', async () => {
    const fixture = fixtures.get('seriousPenalty:ENTERPRISE')!;
    const finance = officerFor(administrative.find((m) => m.code === 'GOVERNMENT_PROCUREMENT')!);
    const as = { caller: finance, headers: purpose('GOVERNMENT_PROCUREMENT', 'SNAP-1') };
    const first = (await run(as, { subjectId: fixture.subjectId, matter: 'GOVERNMENT_PROCUREMENT', caseNumber: 'SNAP-1' })).data!.runCreditCheck!;
    expect(first.verdict).toBe('NEEDS_STRICT_REVIEW');
    const listed = await addRecord(fixture.subjectId, { category: 'SERIOUS_DISHONESTY_LIST', severity: null, disclosureEndsAt: '2029-06-01' });
    await platform.databases.records.query('UPDATE credit_record SET summary = ? WHERE id = ?', ['改写后的摘要', fixture.recordId]);
    const again = await platform.query<{ creditCheck: CheckResult & { recordsConsidered: { recordId: string; category: string }[] } }>(
      `query($id: ID!) { creditCheck(id: $id) { id matter verdict recordsConsidered { recordId category underObjection } measures { kind polarity situation triggeredBy { recordId } } reportRequirement { required satisfied considered { reportNumber accepted reasons } } } }`,
      { id: first.id },
      as,
    );
    expect(again.data?.creditCheck).toEqual(first);
    const later = (await run({ ...as, headers: purpose('GOVERNMENT_PROCUREMENT', 'SNAP-2') }, { subjectId: fixture.subjectId, matter: 'GOVERNMENT_PROCUREMENT', caseNumber: 'SNAP-2' })).data!.runCreditCheck!;
    expect(later.verdict).toBe('EXCLUDED');
    expect(later.recordsConsidered.map((r) => r.recordId)).toContain(listed);
  });

  describe('feedback', () => {
    const FEEDBACK = `mutation($input: CheckFeedbackInput!) { recordCheckFeedback(input: $input) { id feedback { appliedMeasures note reportedBy } } }`;
    const procurement = () => administrative.find((m) => m.code === 'GOVERNMENT_PROCUREMENT')!;
    let checkId: string;
    const as = () => ({ caller: officerFor(procurement()), headers: purpose('GOVERNMENT_PROCUREMENT', 'FB-1') });
    const stored = async () => (await platform.databases.records.query('SELECT feedback_at FROM credit_check WHERE id = ?', [checkId]))[0].feedback_at;

    beforeAll(async () => {
      const fixture = fixtures.get('generalPenalty:ENTERPRISE')!;
      checkId = (await run(as(), { subjectId: fixture.subjectId, matter: 'GOVERNMENT_PROCUREMENT', caseNumber: 'FB-1' })).data!.runCreditCheck!.id;
    });

    it.each([
      ['for a check that does not exist', () => ({ checkId: randomUUID(), appliedMeasures: [] as string[], note: 'n/a' }), 'NOT_FOUND', 'checkId'],
      ['whose note, needed, is left blank (as none)', () => ({ checkId, appliedMeasures: [] as string[], note: ' \u3000 ' }), 'BAD_USER_INPUT', 'note'],
      ['with a measure the check did not call for', () => ({ checkId, appliedMeasures: ['EXCLUSION'], note: null }), 'BAD_USER_INPUT', 'appliedMeasures'],
      ['that applies less than called for without saying why', () => ({ checkId, appliedMeasures: [] as string[], note: null }), 'BAD_USER_INPUT', 'note'],
      ['whose note reads reversed (U+202E)', () => ({ checkId, appliedMeasures: [] as string[], note: '未适用\u202e因原' }), 'BAD_USER_INPUT', 'note'],
    ])('refuses feedback %s and stores nothing', async (_label, input, code, field) => {
      const result = await platform.query(FEEDBACK, { input: input() }, as());
      expect(result.errors?.[0].extensions).toMatchObject({ code, ...(field ? { field } : {}) });
      expect(await stored()).toBeNull();
    });

    it.each([
      ['another matter', () => purpose('FISCAL_SUPPORT', 'FB-1')],
      ['another case of the same matter', () => purpose('GOVERNMENT_PROCUREMENT', 'UNRELATED-CASE-999')],
    ])('refuses the department’s feedback under %s, audits the refusal against the check’s subject, and stores nothing', async (_label, headers) => {
      const result = await platform.query(FEEDBACK, { input: { checkId, appliedMeasures: ['REFERENCE_NOTED'] } }, { caller: as().caller, headers: headers() });
      const requestId = requestIdOf(result);
      expect(result.errors?.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
      expect(result.errors?.[0].message).toContain('x-credit-matter GOVERNMENT_PROCUREMENT and x-credit-case FB-1');
      expect(await stored()).toBeNull();
      const audit = (await platform.databases.audit.query('SELECT outcome, subject_id FROM audit_entry WHERE request_id = ?', [requestId])) as { outcome: string; subject_id: string | null }[];
      expect(audit).toEqual([{ outcome: 'DENIED', subject_id: fixtures.get('generalPenalty:ENTERPRISE')!.subjectId }]);
    });

    it('refuses feedback by another department, telling it nothing of the check, and stores nothing', async () => {
      const other: Caller = { id: 'officer-other', organisation: 'TAXATION', organisationKind: 'DEPARTMENT', role: 'DEPARTMENT_OFFICER' };
      const result = await platform.query(FEEDBACK, { input: { checkId, appliedMeasures: ['REFERENCE_NOTED'] } }, { caller: other, headers: purpose('TAX_INCENTIVES', 'T-1') });
      expect(result.errors?.[0].extensions?.code).toBe('FORBIDDEN');
      expect(result.errors?.[0].message).not.toContain('FB-1');
      expect(result.errors?.[0].message).not.toContain('GOVERNMENT_PROCUREMENT');
      expect(await stored()).toBeNull();
    });

    it('shows what the check found to its department in the check’s own case only, and to the credit office', async () => {
      const CASE_FILE = `query($id: ID!) { creditCheck(id: $id) { id matter caseNumber recordsConsidered { category } measures { kind } verdict reportRequirement { required satisfied } } }`;
      type CaseFile = {
        creditCheck: {
          id: string;
          matter: string;
          caseNumber: string;
          recordsConsidered: unknown[] | null;
          measures: unknown[] | null;
          verdict: string | null;
          reportRequirement: { required: boolean; satisfied: boolean } | null;
        };
      };
      const subjectId = fixtures.get('generalPenalty:ENTERPRISE')!.subjectId;
      const read = async (headers: Record<string, string>, caller: Caller = as().caller) => {
        const result = await platform.query<CaseFile>(CASE_FILE, { id: checkId }, { caller, headers });
        const requestId = requestIdOf(result);
        const audit = (await platform.databases.audit.query('SELECT outcome, subject_id, field_groups FROM audit_entry WHERE request_id = ? ORDER BY sequence', [requestId])) as { outcome: string; subject_id: string; field_groups: string }[];
        return { result, audit: audit.map((r) => [r.outcome, r.subject_id, r.field_groups]) };
      };
      // Without a purpose, or under another case or matter: the ledger's line, not what it found.
      for (const headers of [{}, purpose('GOVERNMENT_PROCUREMENT', 'OTHER-CASE'), purpose('FISCAL_SUPPORT', 'FB-1')]) {
        const { result, audit } = await read(headers);
        expect(result.data?.creditCheck).toEqual({
          id: checkId,
          matter: 'GOVERNMENT_PROCUREMENT',
          caseNumber: 'FB-1',
          recordsConsidered: null,
          measures: null,
          verdict: null,
          reportRequirement: null,
        });
        const refused = new Set(result.errors?.map((e) => `${e.path?.join('.')} ${e.extensions?.code}`));
        expect([...refused].sort()).toEqual(
          ['measures', 'recordsConsidered', 'reportRequirement', 'verdict'].map((field) => `creditCheck.${field} FORBIDDEN`),
        );
        expect(result.errors?.[0].message).toContain('x-credit-matter GOVERNMENT_PROCUREMENT and x-credit-case FB-1');
        // The ledger's line names the subject; what the check found is refused.
        expect(audit).toEqual([
          ['DISCLOSED', subjectId, 'CREDIT_CHECK_LEDGER'],
          ['DENIED', subjectId, 'CREDIT_CHECK_LEDGER,PUBLIC_RECORDS,REPORTS'],
        ]);
      }
      const own = await read(purpose('GOVERNMENT_PROCUREMENT', 'FB-1'));
      expect(own.result.errors).toBeUndefined();
      expect(own.result.data?.creditCheck.recordsConsidered?.length).toBeGreaterThan(0);
      expect(own.result.data?.creditCheck.verdict).toBeTruthy();
      expect(own.result.data?.creditCheck.reportRequirement).toMatchObject({ required: false });
      expect(own.audit).toEqual([['DISCLOSED', subjectId, expect.stringMatching(/CREDIT_CHECK_LEDGER,PUBLIC_RECORDS/)]]);
      const office = await read(supervisor.headers ?? {}, supervisor.caller);
      expect(office.result.errors).toBeUndefined();
      expect(office.result.data?.creditCheck.recordsConsidered).toEqual(own.result.data?.creditCheck.recordsConsidered);
      expect(office.audit).toEqual([['DISCLOSED', subjectId, expect.stringMatching(/CREDIT_CHECK_LEDGER,PUBLIC_RECORDS/)]]);
      // The credit office without its supervision purpose: the ledger's line only, as a department would.
      const unstated = await read({}, supervisor.caller);
      expect(unstated.result.data?.creditCheck).toMatchObject({ id: checkId, recordsConsidered: null, verdict: null });
      expect(unstated.result.errors?.[0].message).toContain('x-credit-matter CREDIT_SUPERVISION');
    });

    it('stores the department’s feedback once, and the credit office sees it in the statistics', async () => {
      const result = await platform.query<{ recordCheckFeedback: { feedback: { appliedMeasures: string[] } } }>(FEEDBACK, { input: { checkId, appliedMeasures: ['REFERENCE_NOTED'] } }, as());
      expect(result.data?.recordCheckFeedback.feedback.appliedMeasures).toEqual(['REFERENCE_NOTED']);
      // The same feedback sent again (a retry whose answer was lost) is answered what was stored; other feedback is refused.
      const twice = await platform.query<{ recordCheckFeedback: { feedback: { appliedMeasures: string[] } } }>(FEEDBACK, { input: { checkId, appliedMeasures: ['REFERENCE_NOTED'] } }, as());
      expect(twice.errors).toBeUndefined();
      expect(twice.data?.recordCheckFeedback.feedback.appliedMeasures).toEqual(['REFERENCE_NOTED']);
      const other = await platform.query(FEEDBACK, { input: { checkId, appliedMeasures: [] } }, as());
      expect(other.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' }, message: expect.stringContaining('already reported by') });

      const stats = await platform.query<{ creditCheckStatistics: { department: { code: string }; matter: string; checks: number; withFeedback: number; measuresApplied: number }[] }>(
        `query($from: DateTime!, $to: DateTime!) { creditCheckStatistics(from: $from, to: $to) { department { code } matter checks withFeedback measuresCalledFor measuresApplied shareApplied } }`,
        { from: '2000-01-01T00:00:00+08:00', to: '2100-01-01T00:00:00+08:00' },
        supervisor,
      );
      const finance = stats.data!.creditCheckStatistics.find((s) => s.department.code === 'FINANCE' && s.matter === 'GOVERNMENT_PROCUREMENT')!;
      const [{ n }] = await platform.databases.records.query("SELECT COUNT(*) AS n FROM credit_check WHERE department = 'FINANCE' AND matter = 'GOVERNMENT_PROCUREMENT'");
      expect(finance.checks).toBe(Number(n));
      expect(finance.withFeedback).toBe(1);
      expect(finance.measuresApplied).toBe(1);

      const pending = await platform.query<{ creditChecks: { totalCount: number; edges: { node: { id: string } }[] } }>(
        `{ creditChecks(department: "FINANCE", matter: "GOVERNMENT_PROCUREMENT", withoutFeedback: true, first: 100) { totalCount edges { node { id } } } }`,
        {},
        supervisor,
      );
      expect(pending.data!.creditChecks.totalCount).toBe(Number(n) - 1);
      expect(pending.data!.creditChecks.edges.map((e) => e.node.id)).not.toContain(checkId);
    });
    it('shows the feedback, as what the check found, in the check’s own case and to the credit office only, audited with the records’ groups', async () => {
      // After the test above has stored REFERENCE_NOTED with a note-free feedback.
      const subjectId = fixtures.get('generalPenalty:ENTERPRISE')!.subjectId;
      const read = async (headers: Record<string, string>, caller: Caller = as().caller) => {
        const result = await platform.query<{ creditCheck: { id: string; feedback: { appliedMeasures: string[] } | null } }>(
          `query($id: ID!) { creditCheck(id: $id) { id feedback { appliedMeasures } } }`,
          { id: checkId },
          { caller, headers },
        );
        const requestId = requestIdOf(result);
        const audit = (await platform.databases.audit.query('SELECT outcome, subject_id, field_groups FROM audit_entry WHERE request_id = ? ORDER BY sequence', [requestId])) as { outcome: string; subject_id: string; field_groups: string }[];
        return { result, audit: audit.map((r) => [r.outcome, r.subject_id, r.field_groups]) };
      };
      for (const [headers, caller] of [[{}, as().caller], [purpose('GOVERNMENT_PROCUREMENT', 'OTHER-CASE'), as().caller], [{}, supervisor.caller]] as const) {
        const { result, audit } = await read(headers, caller);
        expect(result.data?.creditCheck).toEqual({ id: checkId, feedback: null });
        expect(result.errors?.map((e) => `${e.path?.join('.')} ${e.extensions?.code}`)).toEqual(['creditCheck.feedback FORBIDDEN']);
        expect(audit).toEqual([
          ['DISCLOSED', subjectId, 'CREDIT_CHECK_LEDGER'],
          ['DENIED', subjectId, 'CREDIT_CHECK_LEDGER,PUBLIC_RECORDS'],
        ]);
      }
      for (const [headers, caller] of [[purpose('GOVERNMENT_PROCUREMENT', 'FB-1'), as().caller], [supervisor.headers!, supervisor.caller]] as const) {
        const { result, audit } = await read(headers, caller);
        expect(result.errors).toBeUndefined();
        expect(result.data?.creditCheck.feedback?.appliedMeasures).toEqual(['REFERENCE_NOTED']);
        expect(audit).toEqual([['DISCLOSED', subjectId, 'CREDIT_CHECK_LEDGER,PUBLIC_RECORDS']]);
      }
    });
  });

  describe('the review ledger', () => {
    const finance: Caller = { id: 'officer-finance', organisation: 'FINANCE', organisationKind: 'DEPARTMENT', role: 'DEPARTMENT_OFFICER' };

    it.each([
      ['the credit office', { matter: 'GOVERMENT_PROCUREMENT' }, 'BAD_USER_INPUT', 'matter', supervisor],
      ['the credit office', { department: 'FINACE' }, 'BAD_USER_INPUT', 'department', supervisor],
      ['the credit office', { matter: '' }, 'BAD_USER_INPUT', 'matter', supervisor],
      // Its own code mistyped is a mistake to correct, not a request for another department's checks.
      ['a department', { department: 'FINACE', matter: 'FISCAL_SUPPORT' }, 'BAD_USER_INPUT', 'department', { caller: finance }],
      ['a department', { matter: 'FISCAL_SUPORT' }, 'BAD_USER_INPUT', 'matter', { caller: finance }],
      ['a department', { department: 'TAXATION' }, 'FORBIDDEN', undefined, { caller: finance }],
    ])('answers %s filtering by %j with %s, not an empty list', async (_label, filter, code, field, as) => {
      const result = await platform.query(`query($department: ID, $matter: String) { creditChecks(department: $department, matter: $matter) { totalCount } }`, filter, as);
      expect(result.data?.creditChecks).toBeNull();
      expect(result.errors?.map((e) => e.extensions)).toEqual([expect.objectContaining({ code, ...(field ? { field } : {}) })]);
      if (field) expect(result.errors?.[0].message).toContain(JSON.stringify(filter[field as keyof typeof filter]));
    });

    it('finds an excluded subject admitted (feedback without EXCLUSION) by verdict and punishments not applied, counts it apart from incentives, and audits the list as a read of findings', async () => {
      const fixture = fixtures.get('severeList:ENTERPRISE')!;
      const as = { caller: finance, headers: purpose('STATE_ASSET_TRANSFER', 'ADMIT-1') };
      const check = (await run(as, { subjectId: fixture.subjectId, matter: 'STATE_ASSET_TRANSFER', caseNumber: 'ADMIT-1' })).data!.runCreditCheck!;
      expect(check.verdict).toBe('EXCLUDED');
      const reported = await platform.query(`mutation($input: CheckFeedbackInput!) { recordCheckFeedback(input: $input) { id } }`, { input: { checkId: check.id, appliedMeasures: [], note: '领导特批，未限制参与' } }, as);
      expect(reported.errors).toBeUndefined();

      const FILTERED = `query($department: ID, $caseNumber: String) { creditChecks(department: $department, caseNumber: $caseNumber, verdict: EXCLUDED, measuresNotApplied: true, notAppliedPolarity: PUNISHMENT, first: 100) { totalCount edges { node { id caseNumber feedback { appliedMeasures note } } } } }`;
      type Filtered = { creditChecks: { totalCount: number; edges: { node: { id: string; caseNumber: string; feedback: { appliedMeasures: string[]; note: string } } }[] } | null };
      const found = await platform.query<Filtered>(FILTERED, { department: 'FINANCE' }, supervisor);
      const requestId = requestIdOf(found);
      expect(found.errors).toBeUndefined();
      expect(found.data!.creditChecks!.edges.map((e) => e.node)).toEqual([{ id: check.id, caseNumber: 'ADMIT-1', feedback: { appliedMeasures: [], note: '领导特批，未限制参与' } }]);
      expect(found.data!.creditChecks!.totalCount).toBe(1);
      const audit = (await platform.databases.audit.query('SELECT outcome, subject_id, field_groups FROM audit_entry WHERE request_id = ?', [requestId])) as { outcome: string; subject_id: string; field_groups: string }[];
      expect(audit.map((r) => [r.outcome, r.subject_id, r.field_groups])).toEqual([['DISCLOSED', fixture.subjectId, 'CREDIT_CHECK_LEDGER,DISHONESTY_LISTS']]);

      // The statistics count it among punishments left out, apart from incentives, the totals as before.
      type Uptake = { polarity: string; calledFor: number; applied: number; shareApplied: number | null; checksNotApplied: number };
      type Row = { department: { code: string }; matter: string; measuresCalledFor: number; measuresApplied: number; punishment: Uptake; incentive: Uptake };
      const stats = await platform.query<{ creditCheckStatistics: Row[] }>(
        `query($from: DateTime!, $to: DateTime!) { creditCheckStatistics(from: $from, to: $to) { department { code } matter measuresCalledFor measuresApplied punishment { polarity calledFor applied shareApplied checksNotApplied } incentive { polarity calledFor applied shareApplied checksNotApplied } } }`,
        { from: '2000-01-01T00:00:00+08:00', to: '2100-01-01T00:00:00+08:00' },
        supervisor,
      );
      expect(stats.errors).toBeUndefined();
      const transfer = stats.data!.creditCheckStatistics.find((r) => r.department.code === 'FINANCE' && r.matter === 'STATE_ASSET_TRANSFER')!;
      expect(transfer.punishment).toMatchObject({ polarity: 'PUNISHMENT', checksNotApplied: 1, applied: 0 });
      expect(transfer.incentive).toMatchObject({ polarity: 'INCENTIVE', checksNotApplied: 0 });
      expect(transfer.punishment.calledFor + transfer.incentive.calledFor).toBe(transfer.measuresCalledFor);
      expect(transfer.punishment.applied + transfer.incentive.applied).toBe(transfer.measuresApplied);

      // The department itself: in the check's own case, its check; without a purpose, refused; another department, nothing of it.
      const own = await platform.query<Filtered>(FILTERED, {}, as);
      expect(own.data!.creditChecks!.edges.map((e) => e.node.id)).toEqual([check.id]);
      const bare = await platform.query<Filtered>(FILTERED, {}, { caller: finance });
      expect(bare.data?.creditChecks).toBeNull();
      expect(bare.errors?.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
      const taxation: Caller = { id: 'officer-tax', organisation: 'TAXATION', organisationKind: 'DEPARTMENT', role: 'DEPARTMENT_OFFICER' };
      const other = await platform.query<Filtered>(FILTERED, { caseNumber: 'ADMIT-1' }, { caller: taxation, headers: purpose('TAX_INCENTIVES', 'ADMIT-1') });
      expect(JSON.stringify(other)).not.toContain(check.id);
      expect(other.data?.creditChecks?.totalCount ?? 0).toBe(0);
      const byCase = await platform.query<Filtered>(`{ creditChecks(caseNumber: "ADMIT-1") { totalCount edges { node { id } } } }`, {}, { caller: taxation });
      expect(byCase.data!.creditChecks!.totalCount).toBe(0);
    });

    it('lists a measure once per situation in the check and counts it once per check in the statistics, as the schema documents', async () => {
      // Red-listed with tax grade A: in fiscal support both situations call for KEY_SUPPORT and PRIORITY_HANDLING.
      const subjectId = await addSubject('ENTERPRISE', 100);
      const honour = await addRecord(subjectId, { category: 'RED_LIST_HONOUR', polarity: 'POSITIVE', severity: null, disclosureEndsAt: null, sourceDepartment: 'HUMAN_RESOURCES' });
      const grade = await addRecord(subjectId, { category: 'TAX_CREDIT_GRADE', polarity: 'POSITIVE', severity: null, taxCreditGrade: 'A', disclosureEndsAt: null, sourceDepartment: 'TAXATION', decisionDate: '2026-04-01' });
      await addReport(subjectId, {});
      const as = { caller: finance, headers: purpose('FISCAL_SUPPORT', 'TWICE-1') };
      const check = (await run(as, { subjectId, matter: 'FISCAL_SUPPORT', caseNumber: 'TWICE-1' })).data!.runCreditCheck!;
      expect(check.measures.map((m) => `${m.kind} ${m.situation} ${m.triggeredBy.map((r) => r.recordId)}`).sort()).toEqual(
        [`KEY_SUPPORT RED_LIST ${honour}`, `KEY_SUPPORT TAX_GRADE_A ${grade}`, `PRIORITY_HANDLING RED_LIST ${honour}`, `PRIORITY_HANDLING TAX_GRADE_A ${grade}`].sort(),
      );
      const feedback = await platform.query(
        `mutation($input: CheckFeedbackInput!) { recordCheckFeedback(input: $input) { id } }`,
        { input: { checkId: check.id, appliedMeasures: ['KEY_SUPPORT', 'KEY_SUPPORT'], note: '本批次不设优先办理' } },
        as,
      );
      expect(feedback.errors).toBeUndefined();

      const { creditChecks } = (
        await platform.query<{ creditChecks: { totalCount: number; edges: { node: { id: string; measures: { kind: string }[]; feedback: { appliedMeasures: string[] } | null } }[] } }>(
          `{ creditChecks(department: "FINANCE", matter: "FISCAL_SUPPORT", first: 100) { totalCount edges { node { id measures { kind } feedback { appliedMeasures } } } } }`,
          {},
          supervisor,
        )
      ).data!;
      expect(creditChecks.edges).toHaveLength(creditChecks.totalCount);
      const stats = await platform.query<{ creditCheckStatistics: { department: { code: string }; matter: string; checks: number; withFeedback: number; measuresCalledFor: number; measuresApplied: number }[] }>(
        `query($from: DateTime!, $to: DateTime!) { creditCheckStatistics(from: $from, to: $to) { department { code } matter checks withFeedback measuresCalledFor measuresApplied } }`,
        { from: '2000-01-01T00:00:00+08:00', to: '2100-01-01T00:00:00+08:00' },
        supervisor,
      );
      const fiscal = stats.data!.creditCheckStatistics.find((s) => s.department.code === 'FINANCE' && s.matter === 'FISCAL_SUPPORT')!;
      const sum = (counts: number[]) => counts.reduce((a, b) => a + b, 0);
      const nodes = creditChecks.edges.map((e) => e.node);
      expect(fiscal).toMatchObject({
        checks: nodes.length,
        withFeedback: nodes.filter((n) => n.feedback).length,
        measuresCalledFor: sum(nodes.map((n) => new Set(n.measures.map((m) => m.kind)).size)),
        measuresApplied: sum(nodes.map((n) => n.feedback?.appliedMeasures.length ?? 0)),
      });
      expect(nodes.find((n) => n.id === check.id)?.feedback?.appliedMeasures).toEqual(['KEY_SUPPORT']);

      const described = async (type: string, field: string) => {
        const result = await platform.query<{ __type: { fields: { name: string; description: string }[] } }>(`query($type: String!) { __type(name: $type) { fields { name description } } }`, { type }, supervisor);
        return result.data!.__type.fields.find((f) => f.name === field)!.description;
      };
      expect(await described('CreditCheck', 'measures')).toContain('one entry per kind of measure and credit situation');
      expect(await described('CreditCheckStatistic', 'measuresCalledFor')).toContain('each kind once per check');
    });

    it('answers the statistics to the credit office under supervision only, in whole district days, and audits a row about few subjects as a read of its checks’ findings', async () => {
      const STATS = `query($from: DateTime!, $to: DateTime!) { creditCheckStatistics(from: $from, to: $to) { department { code } matter checks punishment { calledFor } incentive { calledFor } } }`;
      type Stats = { creditCheckStatistics: { department: { code: string }; matter: string; checks: number; punishment: { calledFor: number }; incentive: { calledFor: number } }[] | null };
      const ask = async (variables: Record<string, string>, as: As) => {
        const result = await platform.query<Stats>(STATS, variables, as);
        const requestId = requestIdOf(result);
        const rows = (await platform.databases.audit.query('SELECT outcome, subject_id, field_groups, matter FROM audit_entry WHERE request_id = ? AND subject_id IS NOT NULL ORDER BY sequence', [requestId])) as { outcome: string; subject_id: string; field_groups: string; matter: string }[];
        return { result, audit: rows.map((r) => [r.outcome, r.subject_id, r.field_groups, r.matter]) };
      };
      // A day of its own (long past) with one check, of a subject on a dishonesty list; another with five subjects' checks.
      const finance: Caller = { id: 'officer-finance', organisation: 'FINANCE', organisationKind: 'DEPARTMENT', role: 'DEPARTMENT_OFFICER' };
      const checks = platform.databases.records.getRepository(CreditCheck);
      const at = async (subjectId: string, caseNumber: string, checkedAt: string) => {
        const as = { caller: finance, headers: purpose('GOVERNMENT_PROCUREMENT', caseNumber) };
        const check = (await run(as, { subjectId, matter: 'GOVERNMENT_PROCUREMENT', caseNumber })).data!.runCreditCheck!;
        await checks.update({ id: check.id }, { checkedAt: new Date(checkedAt) });
        return check;
      };
      const listedSubject = fixtures.get('severeList:ENTERPRISE')!.subjectId;
      const alone = await at(listedSubject, 'DAY-ALONE-1', '2001-03-04T10:00:00.123+08:00');
      expect(alone.verdict).toBe('EXCLUDED');
      for (const [i, situation] of (['noRecords', 'redList', 'generalPenalty', 'seriousPenalty', 'severeList'] as const).entries()) {
        await at(fixtures.get(`${situation}:ENTERPRISE`)!.subjectId, `DAY-MANY-${i}`, `2001-03-06T1${i}:00:00+08:00`);
      }

      // The probe: the check's instant from the ledger's line (no purpose needed), and a window of one millisecond around it.
      const line = await platform.query<{ creditChecks: { edges: { node: { checkedAt: string } }[] } }>(`{ creditChecks(caseNumber: "DAY-ALONE-1") { edges { node { checkedAt } } } }`, {}, { caller: supervisor.caller });
      const checkedAt = line.data!.creditChecks.edges[0].node.checkedAt;
      const cut = { from: checkedAt, to: new Date(new Date(checkedAt).getTime() + 1).toISOString() };
      const unstated = await ask(cut, { caller: supervisor.caller });
      expect(unstated.result.data?.creditCheckStatistics ?? null).toBeNull();
      expect(unstated.result.errors?.map((e) => e.extensions)).toEqual([expect.objectContaining({ code: 'FORBIDDEN', group: 'SUPERVISION_STATISTICS', problem: 'GROUP_NOT_GRANTED' })]);
      expect(unstated.result.errors?.[0].message).toContain('name the matter in the x-credit-matter header (CREDIT_SUPERVISION)');
      expect(unstated.audit).toEqual([]);
      const narrowed = await ask(cut, supervisor);
      expect(narrowed.result.data?.creditCheckStatistics ?? null).toBeNull();
      expect(narrowed.result.errors?.map((e) => e.extensions)).toEqual([expect.objectContaining({ code: 'BAD_USER_INPUT', field: 'from' })]);
      expect(narrowed.result.errors?.[0].message).toContain('the nearest is 2001-03-04T00:00:00+08:00');
      expect(narrowed.audit).toEqual([]);

      // The whole day: answered, and audited in the subject's trail as a read of the check's findings, under supervision.
      const day = await ask({ from: '2001-03-04T00:00:00+08:00', to: '2001-03-05T00:00:00+08:00' }, supervisor);
      expect(day.result.errors).toBeUndefined();
      expect(day.result.data!.creditCheckStatistics).toEqual([{ department: { code: 'FINANCE' }, matter: 'GOVERNMENT_PROCUREMENT', checks: 1, punishment: { calledFor: 1 }, incentive: { calledFor: 0 } }]);
      expect(day.audit).toEqual([['DISCLOSED', listedSubject, 'CREDIT_CHECK_LEDGER,DISHONESTY_LISTS', 'CREDIT_SUPERVISION']]);

      // Five subjects' checks in one row: an aggregate, audited about no subject.
      const many = await ask({ from: '2001-03-06T00:00:00+08:00', to: '2001-03-07T00:00:00+08:00' }, supervisor);
      expect(many.result.errors).toBeUndefined();
      expect(many.result.data!.creditCheckStatistics?.map((r) => [r.department.code, r.matter, r.checks])).toEqual([['FINANCE', 'GOVERNMENT_PROCUREMENT', 5]]);
      expect(many.audit).toEqual([]);
    });
  });
});
