import { randomUUID } from 'node:crypto';
import type { RequestIdentity } from '../../../lib/access/identity';
import { demoWorld } from '../../../scripts/demo/world';
import { demoProviderHistory, demoRevocationDate, demoSuspensionDate } from '../../../subgraphs/providers/demo-history';
import { nameKey } from '../../../lib/text';
import { addDays, todayInDistrict } from '../../../lib/calendar';
import { maxQuotedCharacters } from '../../../lib/errors';
import { unifiedSocialCreditCode } from '../../../lib/identifiers';
import { ProviderFilingEvent } from '../../../subgraphs/providers/entities/provider-filing-event.entity';
import { SupervisionClassChange } from '../../../subgraphs/providers/entities/supervision-class-change.entity';
import { CreditServiceProvider } from '../../../subgraphs/providers/entities/credit-service-provider.entity';
import { CreditReport } from '../../../subgraphs/reports/entities/credit-report.entity';
import { isUniqueViolation } from '../../../subgraphs/shared/database';
import { testDatabases } from '../../helpers/databases';
import { StandInSubgraph } from '../../helpers/stand-in-subgraph';
import { useReportsWithPeers } from './registry-peers';
import { analyst, creditOffice, financeOfficer, identityOf, providerUser, registryAdmin } from '../providers/callers';

const world = demoWorld({ subjects: 20 });
const subject = world.subjects[2];
// Registering needs a purpose that reads reports: procurement, in its case.
const officer = identityOf(financeOfficer, { matter: 'GOVERNMENT_PROCUREMENT', caseNumber: 'BDH-CG-2026-0117' });
const sha = 'ab'.repeat(32);

const register = /* GraphQL */ `
  mutation ($input: RegisterCreditReportInput!) {
    registerCreditReport(input: $input) {
      id subject { id } source issuerName issuer { id } reportNumber issuedOn validUntil verificationCode
      documentSha256 documentReference registeredByOrganisation verificationStatus
    }
  }
`;
const acceptanceOf = /* GraphQL */ `
  query ($representations: [_Any!]!) { _entities(representations: $representations) { ... on CreditReport { id acceptance { accepted reasons } verificationStatus } } }
`;
interface Registered {
  id: string;
  source: string;
  issuerName: string;
  issuer: { id: string } | null;
  reportNumber: string;
  registeredByOrganisation: string | null;
  verificationStatus: string;
}

// Each subgraph gets a suite of its own: a suite's set-up drops every database of its name.
describe.each(testDatabases)('report registration on $label', (database) => {
  const { reports, providers, urls } = useReportsWithPeers(database, 'reg', world);
  let sequence = 0;

  function input(overrides: Record<string, unknown> = {}) {
    sequence += 1;
    return {
      subjectId: subject.id,
      source: 'CREDIT_CHINA',
      reportNumber: `XYZG-2026-T${String(sequence).padStart(6, '0')}`,
      issuedOn: '2026-10-30',
      validUntil: '2027-01-27',
      verificationCode: 'K7Q2M9TA',
      documentSha256: sha,
      ...overrides,
    };
  }

  async function registerAs(identity: RequestIdentity, values: Record<string, unknown>) {
    return await reports.queryAs<{ registerCreditReport: Registered | null }>(identity, register, { input: values });
  }

  async function stored(): Promise<number> {
    const [{ n }] = (await reports.db().query('SELECT COUNT(*) AS n FROM credit_report')) as { n: number | string }[];
    return Number(n);
  }

  /** Refused with BAD_USER_INPUT on `field` (and `problem`), storing nothing. */
  async function refused(values: Record<string, unknown>, field: string, problem?: string, details: Record<string, unknown> = {}) {
    const before = await stored();
    const result = await registerAs(officer, values);
    expect(result.data?.registerCreditReport).toBeNull();
    expect(result.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field, ...(problem ? { problem } : {}), ...details });
    expect(await stored()).toBe(before);
    return result.errors![0].message;
  }

  /** A report's `acceptance`, asked of the reports subgraph alone: it asks the providers subgraph how the issuer stands itself. */
  async function acceptance(id: string) {
    const result = await reports.query<{ _entities: { id: string; acceptance: { accepted: boolean; reasons: string[] }; verificationStatus: string }[] }>(acceptanceOf, {
      representations: [{ __typename: 'CreditReport', id }],
    });
    expect(result.errors).toBeUndefined();
    return result.data!._entities[0];
  }

  it('registers a Credit China report in the officer\'s department\'s name, the issuer named by its source', async () => {
    const values = input({ grade: 'aa+', documentReference: 'file://case-papers/CG-2026-0117/xyzg.pdf' });
    const result = await registerAs(officer, values);
    expect(result.errors).toBeUndefined();
    expect(result.data?.registerCreditReport).toMatchObject({
      subject: { id: subject.id },
      source: 'CREDIT_CHINA',
      issuerName: '信用中国网站',
      issuer: null,
      reportNumber: values.reportNumber,
      documentSha256: sha,
      documentReference: 'file://case-papers/CG-2026-0117/xyzg.pdf',
      registeredByOrganisation: 'FINANCE',
      verificationStatus: 'UNCHECKED',
    });
    // The grade needs REPORTS to be read back (a purpose); the officer who registered needs AUDIT.
    const [row] = (await reports.db().query('SELECT grade, registered_by FROM credit_report WHERE id = ?', [result.data!.registerCreditReport!.id])) as { grade: string; registered_by: string }[];
    expect(row).toEqual({ grade: 'AA+', registered_by: 'officer-test' });
    expect(result.extensions).toEqual({ disclosures: [{ subjectId: subject.id, groups: ['REPORT_REGISTRATION'] }] });
  });

  it('registers a third-party report of a provider filed and in good standing on its issue date, under the provider\'s registered name', async () => {
    const result = await registerAs(officer, input({ source: 'THIRD_PARTY_PROVIDER', issuerProviderId: world.providers[0].id, issuedOn: '2026-06-15', validUntil: '2027-06-14', grade: 'AAA' }));
    expect(result.errors).toBeUndefined();
    expect(result.data?.registerCreditReport).toMatchObject({ source: 'THIRD_PARTY_PROVIDER', issuerName: world.providers[0].name, issuer: { id: world.providers[0].id } });
  });

  it('rejects a third-party report from a provider suspended before its issue date', async () => {
    const message = await refused(input({ source: 'THIRD_PARTY_PROVIDER', issuerProviderId: world.providers[10].id, issuedOn: '2026-10-01', validUntil: '2027-09-30' }), 'issuerProviderId', 'ISSUER_NOT_IN_GOOD_STANDING');
    expect(message).toContain('its filing was SUSPENDED');
  });

  it('registers a report from a provider revoked after its issue date, and shows it as no longer accepted', async () => {
    const values = input({ source: 'THIRD_PARTY_PROVIDER', issuerProviderId: world.providers[11].id, issuedOn: '2026-05-01', validUntil: '2027-04-30' });
    const result = await registerAs(officer, values);
    expect(result.errors).toBeUndefined();
    const id = result.data!.registerCreditReport!.id;
    // Downgraded to class D when revoked: every reason that holds.
    expect(await acceptance(id)).toEqual({ id, acceptance: { accepted: false, reasons: ['ISSUER_REVOKED', 'ISSUER_CLASS_D'] }, verificationStatus: 'UNCHECKED' });
    expect(demoRevocationDate > '2026-05-01').toBe(true);
  });

  it('shows a report issued before its provider\'s suspension as not accepted while the suspension lasts', async () => {
    const result = await registerAs(officer, input({ source: 'THIRD_PARTY_PROVIDER', issuerProviderId: world.providers[10].id, issuedOn: '2026-04-08', validUntil: '2027-04-07' }));
    expect(result.errors).toBeUndefined();
    expect(demoSuspensionDate > '2026-04-08').toBe(true);
    const { acceptance: verdict } = await acceptance(result.data!.registerCreditReport!.id);
    expect(verdict).toEqual({ accepted: false, reasons: ['ISSUER_SUSPENDED'] });
  });

  describe('a report dated the day its provider’s standing changed, whose hour the registry does not know', () => {
    const admin = identityOf(registryAdmin);
    const today = todayInDistrict();
    let providerSequence = 0;

    /** A provider filed on 2026-01-10 through the registry's own mutations, then dated back. */
    async function filedProvider(): Promise<string> {
      providerSequence += 1;
      const code = unifiedSocialCreditCode({ authority: '9', orgType: '1', division: '130304', organisationBody: `TD${String(providerSequence).padStart(6, '0')}` });
      const application = { unifiedSocialCreditCode: code, name: `当日测试信用服务有限公司${providerSequence}`, registeredAddress: '河北省秦皇岛市北戴河区当日路1号', legalRepresentative: '测试人', businessScope: '企业征信业务' };
      const applied = await providers.queryAs<{ applyForProviderFiling: { id: string } }>(identityOf(providerUser(code)), 'mutation ($input: ProviderApplicationInput!) { applyForProviderFiling(input: $input) { id } }', { input: application });
      expect(applied.errors).toBeUndefined();
      const id = applied.data!.applyForProviderFiling.id;
      await decide(id, 'FILE');
      const events = providers.db().getRepository(ProviderFilingEvent);
      await events.update({ providerId: id, action: 'APPLY' }, { occurredAt: new Date('2026-01-10T01:00:00.000Z') });
      await events.update({ providerId: id, action: 'FILE' }, { occurredAt: new Date('2026-01-10T02:00:00.000Z') });
      await providers.db().query('UPDATE credit_service_provider SET filed_on = ? WHERE id = ?', ['2026-01-10', id]);
      return id;
    }

    async function decide(id: string, decision: string) {
      const result = await providers.queryAs(admin, 'mutation ($id: ID!, $decision: FilingDecision!) { decideProviderFiling(id: $id, decision: $decision, reason: "测试：当日决定") { id } }', { id, decision });
      expect(result.errors).toBeUndefined();
    }

    /** A report of the provider issued today, registered while it is filed. */
    async function reportOfToday(providerId: string) {
      const result = await registerAs(officer, input({ source: 'THIRD_PARTY_PROVIDER', issuerProviderId: providerId, issuedOn: today, validUntil: '2027-12-01' }));
      expect(result.errors).toBeUndefined();
      return { id: result.data!.registerCreditReport!.id };
    }

    it('accepts a report of the day of its provider’s suspension once reinstated, refusing it only while the suspension lasts', async () => {
      const providerId = await filedProvider();
      const report = await reportOfToday(providerId);
      expect((await acceptance(report.id)).acceptance).toEqual({ accepted: true, reasons: [] });
      await decide(providerId, 'SUSPEND');
      expect((await acceptance(report.id)).acceptance).toEqual({ accepted: false, reasons: ['ISSUER_SUSPENDED'] });
      // Registered after the suspension, a report of that day is still the provider's in good standing.
      const registeredLater = await registerAs(officer, input({ source: 'THIRD_PARTY_PROVIDER', issuerProviderId: providerId, issuedOn: today, validUntil: '2027-12-01' }));
      expect(registeredLater.errors).toBeUndefined();
      await decide(providerId, 'REINSTATE');
      expect((await acceptance(report.id)).acceptance).toEqual({ accepted: true, reasons: [] });
      expect((await acceptance(registeredLater.data!.registerCreditReport!.id)).acceptance).toEqual({ accepted: true, reasons: [] });
    });

    it('accepts a report of the day of its provider’s de-registration, as it does those issued while filed', async () => {
      const providerId = await filedProvider();
      const report = await reportOfToday(providerId);
      await decide(providerId, 'DEREGISTER');
      expect((await acceptance(report.id)).acceptance).toEqual({ accepted: true, reasons: [] });
    });

    async function classify(providerId: string, supervisionClass: string) {
      const result = await providers.queryAs(admin, 'mutation ($id: ID!, $class: SupervisionClass!) { setProviderSupervisionClass(id: $id, supervisionClass: $class, reason: "测试：分类监管") { id } }', { id: providerId, class: supervisionClass });
      expect(result.errors).toBeUndefined();
    }

    /** The report requirement of a new check of the subject, judged (and sealed) now, or read again by `checkId`. */
    async function judged(checkId: string = randomUUID()) {
      const check = { __typename: 'CreditCheck', id: checkId, subjectId: subject.id, matter: 'GOVERNMENT_PROCUREMENT', caseNumber: 'BDH-CG-2026-0117', checkedAt: new Date().toISOString() };
      const result = await reports.queryAs<{ _entities: { reportRequirement: { reliedOn: { id: string } | null; considered: { report: { id: string } | null; accepted: boolean; reasons: string[] }[] } }[] }>(
        officer,
        'query ($r: [_Any!]!) { _entities(representations: $r) { ... on CreditCheck { reportRequirement { reliedOn { id } considered { report { id } accepted reasons } } } } }',
        { r: [check] },
      );
      expect(result.errors).toBeUndefined();
      return { checkId, ...result.data!._entities[0].reportRequirement };
    }

    it('refuses a report issued while its provider was class A once it is downgraded to class D, until it is upgraded; a check sealed before stays as it was', async () => {
      const providerId = await filedProvider();
      await classify(providerId, 'A');
      await providers.db().getRepository(SupervisionClassChange).update({ providerId }, { occurredAt: new Date('2026-01-10T03:00:00.000Z') });
      const issuedOn = addDays(today, -30);
      const registered = await registerAs(officer, input({ source: 'THIRD_PARTY_PROVIDER', issuerProviderId: providerId, issuedOn, validUntil: addDays(today, 300), grade: 'AAA' }));
      expect(registered.errors).toBeUndefined();
      const report = { id: registered.data!.registerCreditReport!.id };
      expect((await acceptance(report.id)).acceptance).toEqual({ accepted: true, reasons: [] });
      const before = await judged();
      expect(before.reliedOn).toEqual({ id: report.id });

      await classify(providerId, 'D');
      expect((await acceptance(report.id)).acceptance).toEqual({ accepted: false, reasons: ['ISSUER_CLASS_D'] });
      const during = await judged();
      expect(during.reliedOn?.id).not.toBe(report.id);
      expect(during.considered.find((c) => c.report?.id === report.id)).toEqual({ report: { id: report.id }, accepted: false, reasons: ['ISSUER_CLASS_D'] });
      // Sealed when first judged: the downgrade does not rewrite what that check found.
      expect((await judged(before.checkId)).reliedOn).toEqual({ id: report.id });

      await classify(providerId, 'B');
      expect((await acceptance(report.id)).acceptance).toEqual({ accepted: true, reasons: [] });
      expect((await judged()).reliedOn).toEqual({ id: report.id });
    });

    it('names the false information, not the class D, as why a report of the day of a downgrade to class D is refused once false information of that day is found', async () => {
      const providerId = await filedProvider();
      await classify(providerId, 'D');
      // The day of the downgrade counts as in good standing: a report of it registers.
      await reportOfToday(providerId);
      const violation = await providers.queryAs(admin, 'mutation ($input: ProviderViolationInput!) { recordProviderViolation(input: $input) { id } }', {
        input: { providerId, kind: 'FALSE_INFORMATION', description: '报告引用的处罚信息系编造', evidence: ['核查笔录'], occurredOn: today },
      });
      expect(violation.errors).toBeUndefined();
      const message = await refused(input({ source: 'THIRD_PARTY_PROVIDER', issuerProviderId: providerId, issuedOn: today, validUntil: '2027-12-01' }), 'issuerProviderId', 'ISSUER_NOT_IN_GOOD_STANDING');
      expect(message).toContain('gave false information (提供虚假信息)');
      expect(message).toContain(`issued on ${today} are not accepted although it was in good standing at some time that day`);
      expect(message).not.toContain('was not filed and in good standing');
    });

    it('names every reason that holds: false information on the issue date, and the suspension that followed it', async () => {
      const providerId = await filedProvider();
      const report = await reportOfToday(providerId);
      const violation = await providers.queryAs<{ recordProviderViolation: { id: string } }>(admin, 'mutation ($input: ProviderViolationInput!) { recordProviderViolation(input: $input) { id } }', {
        input: { providerId, kind: 'FALSE_INFORMATION', description: '报告引用的处罚信息系编造', evidence: ['核查笔录'], occurredOn: today },
      });
      expect(violation.errors).toBeUndefined();
      const sanction = await providers.queryAs(admin, 'mutation ($input: ProviderSanctionInput!) { sanctionProvider(input: $input) { id } }', {
        input: { violationId: violation.data!.recordProviderViolation.id, kind: 'SUSPENSION', reason: '调查期间暂停备案' },
      });
      expect(sanction.errors).toBeUndefined();
      expect((await acceptance(report.id)).acceptance).toEqual({ accepted: false, reasons: ['ISSUER_NOT_IN_GOOD_STANDING_ON_ISSUE_DATE', 'ISSUER_SUSPENDED'] });
      // A credit check judging the report names both as well.
      const check = { __typename: 'CreditCheck', id: randomUUID(), subjectId: subject.id, matter: 'GOVERNMENT_PROCUREMENT', caseNumber: 'BDH-CG-2026-0117', checkedAt: new Date().toISOString() };
      const judged = await reports.queryAs<{ _entities: { reportRequirement: { considered: { report: { id: string } | null; accepted: boolean; reasons: string[] }[] } }[] }>(
        officer,
        'query ($r: [_Any!]!) { _entities(representations: $r) { ... on CreditCheck { reportRequirement { considered { report { id } accepted reasons } } } } }',
        { r: [check] },
      );
      expect(judged.errors).toBeUndefined();
      expect(judged.data!._entities[0].reportRequirement.considered.find((c) => c.report?.id === report.id)).toEqual({ report: { id: report.id }, accepted: false, reasons: ['ISSUER_NOT_IN_GOOD_STANDING_ON_ISSUE_DATE', 'ISSUER_SUSPENDED'] });
    });
  });

  it('accepts a valid report of a provider in good standing, and rejects reports from a class D or not yet filed provider', async () => {
    const good = await registerAs(officer, input({ source: 'THIRD_PARTY_PROVIDER', issuerProviderId: world.providers[1].id, issuedOn: '2026-09-01', validUntil: '2027-08-31' }));
    expect((await acceptance(good.data!.registerCreditReport!.id)).acceptance).toEqual({ accepted: true, reasons: [] });
    const classD = await refused(input({ source: 'THIRD_PARTY_PROVIDER', issuerProviderId: world.providers[8].id, issuedOn: '2026-11-01', validUntil: '2027-10-31' }), 'issuerProviderId', 'ISSUER_NOT_IN_GOOD_STANDING');
    // What failed, said as it was: not "not filed" of a provider that was.
    expect(classD).toContain('its class was D on the issue date 2026-11-01');
    expect(classD).not.toContain('was not filed');
    await refused(input({ source: 'THIRD_PARTY_PROVIDER', issuerProviderId: world.providers[9].id }), 'issuerProviderId', 'UNKNOWN_PROVIDER');
    await refused(input({ source: 'THIRD_PARTY_PROVIDER', issuerProviderId: 'no-such-provider' }), 'issuerProviderId', 'UNKNOWN_PROVIDER');
  });

  it('names the false information as the reason for a report issued after it, while the provider still stood filed in class B', async () => {
    const provider = world.providers[8];
    const violation = demoProviderHistory(world).violations.find((v) => v.providerId === provider.id && v.kind === 'FALSE_INFORMATION')!;
    // The registry downgraded it to D ten days after the false information: the day after, it still stood filed in class B.
    const issuedOn = new Date(Date.parse(`${violation.occurredOn}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
    const message = await refused(input({ source: 'THIRD_PARTY_PROVIDER', issuerProviderId: provider.id, issuedOn, validUntil: '2027-10-31' }), 'issuerProviderId', 'ISSUER_NOT_IN_GOOD_STANDING');
    expect(message).toContain(`issued on ${issuedOn} are not accepted although its filing was FILED and its class B that day`);
    expect(message).toContain('gave false information (提供虚假信息)');
    expect(message).not.toContain('was not filed and in good standing');
  });

  it('refuses the same report number from the same issuer twice, but not from another issuer', async () => {
    const first = input({ source: 'LOCAL_CREDIT_WEBSITE', issuerName: '信用河北网站' });
    expect((await registerAs(officer, first)).errors).toBeUndefined();
    await refused({ ...first, issuedOn: '2026-10-29' }, 'reportNumber', 'DUPLICATE_REPORT');
    const other = await registerAs(officer, { ...first, issuerName: '信用秦皇岛网站' });
    expect(other.errors).toBeUndefined();
  });

  it("refuses a provider's report registered under another source, whatever the provider's filing, and says to register it as THIRD_PARTY_PROVIDER", async () => {
    const revoked = world.providers[11];
    // Revoked in July: as THIRD_PARTY_PROVIDER, its report of November is refused.
    await refused(input({ source: 'THIRD_PARTY_PROVIDER', issuerProviderId: revoked.id, issuedOn: '2026-11-01', validUntil: '2027-10-31' }), 'issuerProviderId', 'ISSUER_NOT_IN_GOOD_STANDING');
    const message = await refused(input({ source: 'PUBLIC_CREDIT_SERVICE_INSTITUTION', issuerName: revoked.name, issuedOn: '2026-11-01', validUntil: '2027-10-31' }), 'issuerName', 'ISSUER_IS_REGISTERED_PROVIDER');
    expect(message).toContain('register it as THIRD_PARTY_PROVIDER');
    expect(message).toContain(revoked.id);
    // Filed and in good standing, or suspended, under each source that takes an issuer's name, padded or not.
    for (const [provider, source] of [[world.providers[0], 'LOCAL_CREDIT_WEBSITE'], [world.providers[10], 'CREDIT_CHINA'], [world.providers[0], 'PUBLIC_CREDIT_SERVICE_INSTITUTION']] as const) {
      await refused(input({ source, issuerName: ` ${provider.name} ` }), 'issuerName', 'ISSUER_IS_REGISTERED_PROVIDER');
    }
    // As it reads: a full stop, spaces inside, full-width letters, letter case, and invisible fillers (refused as such).
    for (const variant of [`${revoked.name}.`, `${revoked.name.slice(0, 4)} ${revoked.name.slice(4)}`, `${revoked.name.slice(0, 4)}\u00a0${revoked.name.slice(4)}`, `${revoked.name}（）`]) {
      await refused(input({ source: 'PUBLIC_CREDIT_SERVICE_INSTITUTION', issuerName: variant, issuedOn: '2026-11-01', validUntil: '2027-10-31' }), 'issuerName', 'ISSUER_IS_REGISTERED_PROVIDER');
    }
    await refused(input({ source: 'PUBLIC_CREDIT_SERVICE_INSTITUTION', issuerName: `${revoked.name}\u3164`, issuedOn: '2026-11-01', validUntil: '2027-10-31' }), 'issuerName');
  });

  /** An application the registry holds in this status, not filed: listed to its admins only. */
  function application(status: 'APPLIED' | 'RETURNED' | 'REJECTED', name: string, code: string): CreditServiceProvider {
    return Object.assign(new CreditServiceProvider(), {
      id: randomUUID(), unifiedSocialCreditCode: code, name, registeredAddress: '北戴河区', legalRepresentative: '张三',
      businessScope: '信用评估', contact: null, filingStatus: status, supervisionClass: null, filedOn: null, createdAt: new Date(), nameKey: nameKey(name),
    });
  }

  // The probe's firm: applied, returned, resubmitted and rejected, its AAA report then registered
  // as a public credit service institution's and relied on by every check of its subject.
  it.each(['APPLIED', 'RETURNED', 'REJECTED'] as const)("refuses under another source the report of an applicant %s and never filed, saying only that the registry has not filed it", async (status) => {
    const name = '北戴河明信征信有限公司';
    const applicant = application(status, name, `911303045B8C4D1E${status.slice(0, 2)}`);
    const rows = providers.db().getRepository(CreditServiceProvider);
    await rows.insert(applicant);
    try {
      for (const [source, issuerName] of [['PUBLIC_CREDIT_SERVICE_INSTITUTION', name], ['LOCAL_CREDIT_WEBSITE', '北戴河明信 征信有限公司'], ['PUBLIC_CREDIT_SERVICE_INSTITUTION', ` 北戴河明信征信有限公司。`]] as const) {
        const message = await refused(input({ source, issuerName, grade: 'AAA' }), 'issuerName', 'ISSUER_NOT_FILED');
        expect(message).toContain('is not a credit service provider the district registry has filed (未备案)');
        // Nothing more of the applicant: neither its status, nor its id, nor its code, nor that it applied.
        for (const detail of [status, applicant.id, applicant.unifiedSocialCreditCode, 'RETURN', 'REJECT', '不予备案', 'applied']) expect(message).not.toContain(detail);
      }
    } finally {
      await rows.delete({ id: applicant.id });
    }
  });

  it('names the filed provider when an applicant bears the same name, as the report may be either\'s', async () => {
    const revoked = world.providers[11];
    const rows = providers.db().getRepository(CreditServiceProvider);
    const applicant = application('REJECTED', revoked.name, '911303045B8C4D1E99');
    await rows.insert(applicant);
    try {
      const message = await refused(input({ source: 'PUBLIC_CREDIT_SERVICE_INSTITUTION', issuerName: revoked.name, issuedOn: '2026-11-01', validUntil: '2027-10-31' }), 'issuerName', 'ISSUER_IS_REGISTERED_PROVIDER');
      expect(message).toContain(revoked.id);
      expect(message).not.toContain(applicant.id);
    } finally {
      await rows.delete({ id: applicant.id });
    }
  });

  it.each(['APPLIED', 'RETURNED', 'REJECTED'] as const)("registers Credit China's report though an application %s took the site's name, and refuses a local website's its applicant bears", async (status) => {
    const rows = providers.db().getRepository(CreditServiceProvider);
    const squatters = [application(status, '信用中国网站', `TESTSQUAT${status.slice(0, 3)}CRE`.padEnd(18, '0')), application(status, '信用秦皇岛网站', `TESTSQUAT${status.slice(0, 3)}LOC`.padEnd(18, '0'))];
    await rows.insert(squatters);
    try {
      // The registry files no provider under a public source's name (NAME_OF_A_PUBLIC_SOURCE), which is looked up in it for no report.
      const registered = await registerAs(officer, input({ reportNumber: `SQUAT-${status}-CREDIT_CHINA` }));
      expect(registered.errors).toBeUndefined();
      expect(registered.data?.registerCreditReport).toMatchObject({ source: 'CREDIT_CHINA', issuerName: '信用中国网站', issuer: null });
      // Any other name an applicant bears is its: a website's genuine report waits for the registry to clear the name.
      await refused(input({ source: 'LOCAL_CREDIT_WEBSITE', issuerName: '信用秦皇岛网站', reportNumber: `SQUAT-${status}-LOCAL` }), 'issuerName', 'ISSUER_NOT_FILED');
    } finally {
      await rows.delete(squatters.map((p) => p.id));
    }
  });

  // The registry files no provider under a public source's name (NAME_OF_A_PUBLIC_SOURCE); one
  // filed under it before is the registry's error, which must not keep every department from
  // registering that source's reports, nor pass its own reports for the source's.
  it("registers a Credit China report though a provider was filed under the site's name before the registry refused it", async () => {
    const filed = (id: string, name: string) =>
      Object.assign(new CreditServiceProvider(), {
        id, unifiedSocialCreditCode: `TESTCHINA${id.slice(0, 9).replace(/-/g, '0').toUpperCase()}`, name, registeredAddress: '北戴河区', legalRepresentative: '张三',
        businessScope: '信用评估', contact: null, filingStatus: 'FILED' as const, supervisionClass: 'B' as const, filedOn: '2024-01-01', createdAt: new Date(), nameKey: nameKey(name),
      });
    const repository = providers.db().getRepository(CreditServiceProvider);
    const squatters = [filed(randomUUID(), '信用中国网站'), filed(randomUUID(), '信用中国')];
    await repository.insert(squatters);
    try {
      for (const issuerName of [undefined, '信用中国', '信用中国网站']) {
        const registered = await registerAs(officer, input({ ...(issuerName ? { issuerName } : {}), reportNumber: `CHINA-SQUATTED-${issuerName ?? 'DEFAULT'}` }));
        expect(registered.errors).toBeUndefined();
        expect(registered.data?.registerCreditReport).toMatchObject({ source: 'CREDIT_CHINA', issuerName: '信用中国网站', issuer: null });
      }
    } finally {
      await repository.delete(squatters.map((p) => p.id));
    }
  });

  it.each([
    ['北戴河区公共信用信息共享平台', 'DISTRICT_PLATFORM'],
    ['信用中国网站', 'CREDIT_CHINA'],
  ])("refuses a third-party report of a provider filed under %j before the registry refused it, as the source's own would be", async (publicName, said) => {
    const provider = world.providers[0];
    const rows = providers.db().getRepository(CreditServiceProvider);
    await rows.update({ id: provider.id }, { name: publicName, nameKey: nameKey(publicName) });
    try {
      const message = await refused(input({ source: 'THIRD_PARTY_PROVIDER', issuerProviderId: provider.id, issuedOn: '2026-06-15', validUntil: '2027-06-14' }), 'issuerProviderId', 'NAME_OF_A_PUBLIC_SOURCE', { source: said });
      expect(message).toContain(said);
      await refused(input({ source: 'THIRD_PARTY_PROVIDER', issuerProviderId: provider.id, issuerName: publicName, issuedOn: '2026-06-15', validUntil: '2027-06-14' }), 'issuerName', 'NAME_OF_A_PUBLIC_SOURCE', { source: said });
    } finally {
      await rows.update({ id: provider.id }, { name: provider.name, nameKey: nameKey(provider.name) });
    }
  });

  it("refuses a public source's issuer name under another source with the problem a front end switches on, and the source it names", async () => {
    for (const [issuerName, source] of [['信用中国网站', 'CREDIT_CHINA'], ['北戴河区公共信用信息共享平台', 'DISTRICT_PLATFORM']] as const) {
      await refused(input({ source: 'LOCAL_CREDIT_WEBSITE', issuerName, reportNumber: `ELSEWHERE-${source}` }), 'issuerName', 'NAME_OF_A_PUBLIC_SOURCE', { source });
    }
  });

  it('takes a number typed with a combining accent as the same printed number', async () => {
    const values = input({ source: 'LOCAL_CREDIT_WEBSITE', issuerName: '信用河北网站', reportNumber: 'XYHB-caf\u00e9-1' });
    expect((await registerAs(officer, values)).errors).toBeUndefined();
    // Another code: the same registration by the same officer is a retry, answered the report it stored (registration-retry.test.ts).
    const decomposed = await registerAs(officer, { ...values, reportNumber: 'XYHB-cafe\u0301-1', verificationCode: 'K7Q2M9TB' });
    expect(decomposed.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'reportNumber', problem: 'DUPLICATE_REPORT' });
  });

  it('finds a provider of that name beyond the first page of the providers whose names contain it', async () => {
    // 120 providers whose names hold the revoked one's and sort before it: it moves to the second page of the search.
    const revokedName = world.providers[11].name;
    await providers.db().getRepository(CreditServiceProvider).insert(
      Array.from({ length: 120 }, (_, i) => {
        const name = `A-${String(i).padStart(3, '0')} ${revokedName}分公司`;
        return {
          id: randomUUID(), unifiedSocialCreditCode: `TEST${String(i).padStart(14, '0')}`, name, nameKey: nameKey(name), registeredAddress: '北戴河区', legalRepresentative: '张三',
          businessScope: '信用评估', contact: null, filingStatus: 'FILED' as const, supervisionClass: 'B' as const, filedOn: '2024-01-01', createdAt: new Date(),
        };
      }),
    );
    await refused(input({ source: 'PUBLIC_CREDIT_SERVICE_INSTITUTION', issuerName: world.providers[11].name }), 'issuerName', 'ISSUER_IS_REGISTERED_PROVIDER');
    expect((await registerAs(officer, input({ source: 'PUBLIC_CREDIT_SERVICE_INSTITUTION', issuerName: '河北省公共信用信息中心' }))).errors).toBeUndefined();
  });

  // Issuer names that read alike are one issuer: issuer-names.test.ts.
  it('keeps report numbers that differ in letter case or full-width letters apart on either database', async () => {
    const values = input({ source: 'LOCAL_CREDIT_WEBSITE', issuerName: '信用河北网站', reportNumber: 'XYHB-DUP-abc' });
    const numbers = ['XYHB-DUP-abc', 'XYHB-DUP-ABC', 'XYHB-DUP-ＡＢＣ'];
    const registered: (string | undefined)[] = [];
    for (const reportNumber of numbers) registered.push((await registerAs(officer, { ...values, reportNumber })).data?.registerCreditReport?.reportNumber);
    expect(registered).toEqual(numbers);
    expect((await registerAs(officer, { ...values, issuerName: 'Credit Hebei' })).errors).toBeUndefined();
    // The same number from the same issuer is still one report, to the registration and to the unique index.
    await refused({ ...values, verificationCode: 'K7Q2M9TB' }, 'reportNumber', 'DUPLICATE_REPORT');
    const [row] = await reports.db().getRepository(CreditReport).findBy({ issuerName: '信用河北网站', reportNumber: 'XYHB-DUP-abc' });
    const again = await reports.db().getRepository(CreditReport).insert(Object.assign(new CreditReport(), row, { id: randomUUID() })).then(() => null, (error: unknown) => error);
    expect(isUniqueViolation(again)).toBe(true);
    expect(await reports.db().getRepository(CreditReport).countBy({ issuerName: '信用河北网站', reportNumber: 'XYHB-DUP-ABC' })).toBe(1);
  });

  it('takes a report issued on the earliest day, and a validity of exactly three years (a leap day ending on the 28th)', async () => {
    for (const [issuedOn, validUntil] of [['2013-01-01', '2016-01-01'], ['2024-02-29', '2027-02-28']]) {
      const result = await registerAs(officer, input({ issuedOn, validUntil }));
      expect(result.errors).toBeUndefined();
      expect(result.data?.registerCreditReport).toMatchObject({ issuedOn, validUntil });
    }
  });

  it.each([
    ['an invisible character', 'abc\u200b', '"abc\\u200b"'],
    ['a NUL', 'XYHB\u0000NUL', '"XYHB\\u0000NUL"'],
    ['a line break and a right-to-left override', 'line\nbreak\u202e', '"line\\nbreak\\u202e"'],
    // Drawn as nothing, though Unicode calls the fillers letters: Default_Ignorable_Code_Point.
    ['a Hangul filler', 'abc\u3164', '"abc\\u3164"'],
    ['Hangul fillers only', '\u3164\u3164', '"\\u3164\\u3164"'],
    ['a variation selector', 'abc\ufe0f', '"abc\\ufe0f"'],
    ['a combining grapheme joiner', 'abc\u034f', '"abc\\u034f"'],
  ])('refuses a report number holding %s, quoting it visibly', async (_label, reportNumber, quoted) => {
    const message = await refused(input({ reportNumber }), 'reportNumber');
    expect(message).toContain(quoted);
  });

  it.each([
    ['an issue date after today', { issuedOn: '2099-01-01', validUntil: '2099-03-01' }, 'issuedOn'],
    ['an issue date in the year 1', { issuedOn: '0001-01-01', validUntil: '0001-12-31' }, 'issuedOn'],
    ['an issue date the day before 2013', { issuedOn: '2012-12-31', validUntil: '2013-12-30' }, 'issuedOn'],
    ['a validity to the end of time', { validUntil: '9999-12-31' }, 'validUntil'],
    ['a validity a day longer than three years', { issuedOn: '2026-10-30', validUntil: '2029-10-31' }, 'validUntil'],
    ['a report number of emoji only', { reportNumber: '😀😀' }, 'reportNumber'],
    ['a report number of hyphens only', { reportNumber: '---' }, 'reportNumber'],
    ['an issuer name with an invisible character', { source: 'LOCAL_CREDIT_WEBSITE', issuerName: '信用河北\u200b网站' }, 'issuerName'],
    ['an issuer name reversed by a right-to-left override', { source: 'LOCAL_CREDIT_WEBSITE', issuerName: '\u202e站网北河用信' }, 'issuerName'],
    ['an issuer name without a letter or digit', { source: 'LOCAL_CREDIT_WEBSITE', issuerName: '——' }, 'issuerName'],
    ['a validity ending before the issue date', { issuedOn: '2026-10-30', validUntil: '2026-10-29' }, 'validUntil'],
    ['the platform\'s own source', { source: 'DISTRICT_PLATFORM' }, 'source'],
    ['no document at all', { documentSha256: null }, 'documentReference'],
    ['a malformed hash', { documentSha256: 'xyz' }, 'documentSha256'],
    ['a malformed grade', { grade: 'AAAA' }, 'grade'],
    // Only AA to B are graded finer: AAA+ (which a check would take for a good grade) and CC- are no grades.
    ['a grade above AAA', { grade: 'AAA+' }, 'grade'],
    ['a grade CC-', { grade: 'CC-' }, 'grade'],
    ['a document reference holding a NUL', { documentReference: 'archive\u0000/r1.pdf' }, 'documentReference'],
    ['a document reference reversed by a right-to-left override', { documentReference: '\u202efdp.1r/evihcra' }, 'documentReference'],
    // One source, one issuer: under another name the same report would be a second one.
    ['a Credit China report under another issuer', { issuerName: '信用中国（河北）' }, 'issuerName'],
    ["a report under the platform's own name", { source: 'LOCAL_CREDIT_WEBSITE', issuerName: '北戴河区 公共信用信息共享平台' }, 'issuerName'],
    ["a local website's report under Credit China's name", { source: 'LOCAL_CREDIT_WEBSITE', issuerName: '信用中国' }, 'issuerName'],
    ["a local website's report under Credit China's name in traditional characters", { source: 'LOCAL_CREDIT_WEBSITE', issuerName: '信用中國網站' }, 'issuerName'],
    ["a public institution's report under the platform's name without its 区", { source: 'PUBLIC_CREDIT_SERVICE_INSTITUTION', issuerName: '北戴河公共信用信息共享平台' }, 'issuerName'],
    // The platform's numbering is its own: its reports are generated, and verified by their snapshot.
    ["a report numbered in the platform's numbering", { source: 'LOCAL_CREDIT_WEBSITE', issuerName: '信用河北网站', reportNumber: 'BDHXY-20261207-7KQ2M9TA' }, 'reportNumber'],
    ["a report numbered in the platform's numbering, typed in lower case", { source: 'PUBLIC_CREDIT_SERVICE_INSTITUTION', issuerName: '秦皇岛市信用服务中心', reportNumber: 'bdhxy 20261207 7kq2m9ta' }, 'reportNumber'],
    ['an empty report number', { reportNumber: '  ' }, 'reportNumber'],
    ['a local website report without its issuer', { source: 'LOCAL_CREDIT_WEBSITE' }, 'issuerName'],
    ['a third-party report without its provider', { source: 'THIRD_PARTY_PROVIDER' }, 'issuerProviderId'],
    ['a provider on a report of another source', { issuerProviderId: 'x' }, 'issuerProviderId'],
  ])('refuses %s with BAD_USER_INPUT and stores nothing', async (_label, overrides, field) => {
    await refused(input(overrides), field);
  });

  // README, Errors: an optional text left blank is none (null), a required one left blank is named.
  it('takes optional text left blank as left out, stored as null, and names a required one left blank', async () => {
    const result = await registerAs(officer, input({ grade: ' ', documentReference: '', issuerName: '\u3000', issuerProviderId: '  ' }));
    expect(result.errors).toBeUndefined();
    const [row] = (await reports.db().query('SELECT grade, document_reference, issuer_name, issuer_provider_id FROM credit_report WHERE id = ?', [result.data!.registerCreditReport!.id])) as Record<string, unknown>[];
    expect(row).toEqual({ grade: null, document_reference: null, issuer_name: '信用中国网站', issuer_provider_id: null });
    await refused(input({ verificationCode: ' ' }), 'verificationCode');
    await refused(input({ subjectId: '' }), 'subjectId');
  });

  it("takes a Credit China report under the site's short name as the same issuer, so that it is one report", async () => {
    const first = await registerAs(officer, input({ reportNumber: 'CHINA-SHORT-NAME-1' }));
    expect(first.errors).toBeUndefined();
    expect(first.data?.registerCreditReport).toMatchObject({ issuerName: '信用中国网站' });
    const again = await registerAs(officer, input({ reportNumber: 'CHINA-SHORT-NAME-1', issuerName: '信用中国', verificationCode: 'K7Q2M9TB' }));
    expect(again.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', problem: 'DUPLICATE_REPORT' });
  });

  it('takes the grades AA to B with + or -', async () => {
    for (const grade of ['AA+', 'A-', 'BBB+', 'B-', 'AAA', 'CCC']) {
      const result = await registerAs(officer, input({ grade }));
      expect({ grade, errors: result.errors }).toEqual({ grade, errors: undefined });
    }
  });

  it('reads a grade typed in any letter case and width, trimmed, as every code typed is, and keeps the grade', async () => {
    for (const [grade, kept, reportNumber] of [['ＡＡ＋', 'AA+', 'GRADE-WIDTH-1'], ['\u3000ｂｂｂ－ ', 'BBB-', 'GRADE-WIDTH-2'], [' ccc', 'CCC', 'GRADE-WIDTH-3']]) {
      const result = await registerAs(officer, input({ grade, reportNumber }));
      expect({ grade, errors: result.errors }).toEqual({ grade, errors: undefined });
      const [row] = (await reports.db().query('SELECT grade FROM credit_report WHERE id = ?', [result.data!.registerCreditReport!.id])) as { grade: string }[];
      expect({ grade, kept: row.grade }).toEqual({ grade, kept });
    }
  });

  it('quotes a long value refused by its first characters and its length', async () => {
    const message = await refused(input({ grade: 'A'.repeat(5_000) }), 'grade');
    expect(message).toBe(`grade must be AAA, AA, A, BBB, BB, B, CCC, CC or C, with + or - after AA to B only, got "${'A'.repeat(maxQuotedCharacters)}"… (5000 characters in all)`);
  });

  it('refuses an impossible date in the Date scalar, before any resolver runs', async () => {
    const before = await stored();
    const result = await registerAs(officer, input({ issuedOn: '2026-02-30' }));
    expect(result.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(await stored()).toBe(before);
  });

  it('answers NOT_FOUND for an unknown subject, and stores nothing', async () => {
    const before = await stored();
    const result = await registerAs(officer, input({ subjectId: 'no-such-subject' }));
    expect(result.errors?.[0].extensions).toMatchObject({ code: 'NOT_FOUND', field: 'subjectId' });
    expect(await stored()).toBe(before);
  });

  it('is refused to callers without REPORT_REGISTRATION', async () => {
    for (const identity of [identityOf(analyst), identityOf(null)]) {
      const result = await registerAs(identity, input());
      expect(result.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', group: 'REPORT_REGISTRATION' });
    }
  });

  it("is refused to an officer without a purpose that reads reports, as a registered report counts in other departments' checks, and stores nothing", async () => {
    const before = await stored();
    for (const identity of [identityOf(financeOfficer), identityOf({ ...financeOfficer, organisation: 'HEALTH' })]) {
      const result = await registerAs(identity, input());
      expect(result.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', group: 'REPORTS', auditedRefusal: { subjectId: subject.id } });
      expect(result.errors?.[0].message).toMatch(/must grant REPORTS: name the matter in the x-credit-matter header \(.*(GOVERNMENT_PROCUREMENT|KEY_FIELD_SUPERVISION).*\), and the case in x-credit-case$/);
      expect(result.errors?.[0].message).toContain('and the case in x-credit-case');
    }
    expect(await stored()).toBe(before);
  });

  it('names what is wrong with the purpose an officer did name: a missing case, or a matter that does not read reports', async () => {
    const before = await stored();
    const withoutCase = await registerAs(identityOf(financeOfficer, { matter: 'GOVERNMENT_PROCUREMENT' }), input());
    expect(withoutCase.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', group: 'REPORTS' });
    expect(withoutCase.errors?.[0].message).toContain("the request's purpose was refused: GOVERNMENT_PROCUREMENT is read case by case: name the case number");
    const notForFinance = await registerAs(identityOf(financeOfficer, { matter: 'PERSONNEL_REVIEW', caseNumber: 'BDH-ZZ-2026-031' }), input());
    expect(notForFinance.errors?.[0].message).toContain("the request's purpose was refused: FINANCE is not a department responsible for PERSONNEL_REVIEW");
    expect(await stored()).toBe(before);
  });

  it('is refused for a subject of a kind the purpose does not cover before anything is stored', async () => {
    const before = await stored();
    const person = world.subjects.find((s) => s.kind === 'NATURAL_PERSON')!;
    const result = await registerAs(officer, input({ subjectId: person.id }));
    expect(result.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', problem: 'SUBJECT_KIND_NOT_COVERED', auditedRefusal: { subjectId: person.id }, serviceName: 'entities' });
    // The entities subgraph's words, as this subgraph's answer: the peer is named in serviceName, not in the message.
    expect(result.errors?.[0].message).toBe('the purpose of this request does not cover subjects of kind NATURAL_PERSON');
    expect(await stored()).toBe(before);
  });

  it("takes a finding from the registering department only under a purpose that reads reports, and from the credit office in its supervision, never from its window without one", async () => {
    const id = (await registerAs(officer, input())).data!.registerCreditReport!.id;
    const verify = (identity: RequestIdentity) =>
      reports.queryAs<{ recordReportVerification: { verificationStatus: string } | null }>(identity, 'mutation ($id: ID!) { recordReportVerification(id: $id, genuine: false, note: "核验") { verificationStatus } }', { id });
    const withoutPurpose = await verify(identityOf(financeOfficer));
    expect(withoutPurpose.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', group: 'REPORTS', auditedRefusal: { subjectId: subject.id } });
    expect((await acceptance(id)).verificationStatus).toBe('UNCHECKED');
    const window = await verify(identityOf({ ...financeOfficer, id: 'window-1', organisation: 'CREDIT_OFFICE' }));
    expect(window.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', group: 'REPORTS' });
    expect((await verify(identityOf(creditOffice, { matter: 'CREDIT_SUPERVISION' }))).data?.recordReportVerification).toEqual({ verificationStatus: 'NOT_GENUINE' });
  });

  it('stores nothing and says SUBGRAPH_UNAVAILABLE when a check cannot be made', async () => {
    const saved = urls.entities;
    urls.entities = 'http://127.0.0.1:9/graphql';
    try {
      const before = await stored();
      const result = await registerAs(officer, input());
      expect(result.errors?.[0].extensions).toMatchObject({ code: 'SUBGRAPH_UNAVAILABLE', serviceName: 'entities' });
      expect(await stored()).toBe(before);
    } finally {
      urls.entities = saved;
    }
  });

  it('records an officer\'s check with the issuer; a report found not genuine is not accepted', async () => {
    const registered = await registerAs(officer, input());
    const id = registered.data!.registerCreditReport!.id;
    const checked = await reports.queryAs<{ recordReportVerification: { verificationStatus: string; verificationNote: string; verifiedAt: string } }>(
      officer,
      'mutation ($id: ID!) { recordReportVerification(id: $id, genuine: false, note: "信用中国网站核验：验证码不符") { verificationStatus verificationNote verifiedAt } }',
      { id },
    );
    expect(checked.data?.recordReportVerification).toMatchObject({ verificationStatus: 'NOT_GENUINE', verificationNote: '信用中国网站核验：验证码不符' });
    expect((await acceptance(id)).acceptance).toEqual({ accepted: false, reasons: ['NOT_GENUINE'] });
    // A note that reads reversed is refused, as every text a person types; one over two lines is taken.
    const reversed = await reports.queryAs(officer, 'mutation ($id: ID!, $note: String!) { recordReportVerification(id: $id, genuine: true, note: $note) { id } }', { id, note: '核验\u202e符不码证验' });
    expect(reversed.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'note' });
    const twoLines = await reports.queryAs(officer, 'mutation ($id: ID!, $note: String!) { recordReportVerification(id: $id, genuine: true, note: $note) { id } }', { id, note: '信用中国网站核验：\n验证码相符' });
    expect(twoLines.errors).toBeUndefined();
  });

  it('takes a finding only from the department that registered the report or the credit office, and changes nothing otherwise', async () => {
    const id = (await registerAs(officer, input())).data!.registerCreditReport!.id;
    const verify = (identity: RequestIdentity, genuine: boolean) =>
      reports.queryAs<{ recordReportVerification: { verificationStatus: string } }>(identity, 'mutation ($id: ID!, $genuine: Boolean!) { recordReportVerification(id: $id, genuine: $genuine, note: "核验") { verificationStatus } }', { id, genuine });
    const departmentOfficer = (organisation: string, matter?: string) =>
      identityOf({ id: `officer-${organisation.toLowerCase()}`, organisation, organisationKind: 'DEPARTMENT', role: 'DEPARTMENT_OFFICER' }, matter ? { matter, caseNumber: 'C-1' } : null);
    expect((await verify(officer, true)).data?.recordReportVerification).toEqual({ verificationStatus: 'GENUINE' });
    const other = await verify(departmentOfficer('TAXATION', 'TAX_INCENTIVES'), false);
    expect(other.errors?.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
    expect(other.errors?.[0].message).toBe("a report's finding is recorded by the department that registered the report or by the credit office");
    expect((await acceptance(id)).verificationStatus).toBe('GENUINE');
    expect((await verify(identityOf(creditOffice, { matter: 'CREDIT_SUPERVISION' }), false)).data?.recordReportVerification).toEqual({ verificationStatus: 'NOT_GENUINE' });
  });

  it("names the report's subject when it refuses another department's finding, for the audit", async () => {
    const id = (await registerAs(officer, input())).data!.registerCreditReport!.id;
    const taxation = identityOf({ ...financeOfficer, id: 'officer-tax', organisation: 'TAXATION' }, { matter: 'TAX_INCENTIVES', caseNumber: 'C-1' });
    const refused = await reports.queryAs(taxation, 'mutation ($id: ID!) { recordReportVerification(id: $id, genuine: false, note: "核验") { id } }', { id });
    expect(refused.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', auditedRefusal: { subjectId: subject.id } });
  });

  it('refuses a finding on a report about a subject of a kind the purpose does not cover, as reading it is refused, storing nothing', async () => {
    const person = world.subjects.find((s) => s.kind === 'NATURAL_PERSON')!;
    const qualification = identityOf({ ...financeOfficer, organisation: 'MARKET_REGULATION' }, { matter: 'QUALIFICATION_REVIEW', caseNumber: 'BDH-ZZ-2026-001' });
    const id = (await registerAs(qualification, input({ subjectId: person.id }))).data!.registerCreditReport!.id;
    const procurement = officer;
    const read = await reports.queryAs(procurement, 'query ($id: ID!) { creditReport(id: $id) { id } }', { id });
    const verified = await reports.queryAs<{ recordReportVerification: unknown }>(
      procurement,
      'mutation ($id: ID!) { recordReportVerification(id: $id, genuine: false, note: "核验") { reportNumber issuerName issuedOn validUntil grade verificationStatus } }',
      { id },
    );
    expect(verified.data?.recordReportVerification).toBeNull();
    expect(verified.errors?.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
    expect(verified.errors?.[0].message).toBe(read.errors?.[0].message);
    expect(verified.errors?.[0].message).toContain('does not cover subjects of kind NATURAL_PERSON');
    expect(verified.errors?.[0].extensions).toMatchObject({ auditedRefusal: { subjectId: person.id } });
    const [row] = (await reports.db().query('SELECT verification_outcome AS outcome FROM credit_report WHERE id = ?', [id])) as { outcome: string | null }[];
    expect(row.outcome).toBeNull();
    expect((await reports.db().query('SELECT id FROM credit_report_verification WHERE report_id = ?', [id])) as unknown[]).toEqual([]);
  });

  it('keeps every finding, newest first, with the department that recorded it; the officer is shown to the audit group only', async () => {
    const id = (await registerAs(officer, input())).data!.registerCreditReport!.id;
    const supervisorOffice = identityOf(creditOffice, { matter: 'CREDIT_SUPERVISION' });
    const creditOfficeOfficer = identityOf({ ...creditOffice, id: 'officer-credit-office' }, { matter: 'CREDIT_SUPERVISION' });
    const find = (identity: RequestIdentity, genuine: boolean, note: string) =>
      reports.queryAs(identity, 'mutation ($id: ID!, $genuine: Boolean!, $note: String!) { recordReportVerification(id: $id, genuine: $genuine, note: $note) { id } }', { id, genuine, note });
    expect((await find(officer, true, '信用中国网站核验：一致')).errors).toBeUndefined();
    expect((await find(creditOfficeOfficer, false, '出具机构回函：未出具该报告')).errors).toBeUndefined();
    // Refused: no finding is kept.
    expect((await find(identityOf({ ...financeOfficer, id: 'officer-tax', organisation: 'TAXATION' }, { matter: 'TAX_INCENTIVES', caseNumber: 'C-1' }), true, '核验')).errors?.[0].extensions?.code).toBe('FORBIDDEN');
    expect((await find(officer, true, '重新核验：出具机构更正回函')).errors).toBeUndefined();

    const history = 'query ($r: [_Any!]!) { _entities(representations: $r) { ... on CreditReport { verificationStatus verificationNote verifications { genuine note verifiedAt organisation verifiedBy } } } }';
    const read = await reports.queryAs<{ _entities: { verificationStatus: string; verificationNote: string; verifications: { genuine: boolean; note: string; verifiedAt: string; organisation: string; verifiedBy: string }[] }[] }>(
      supervisorOffice,
      history,
      { r: [{ __typename: 'CreditReport', id }] },
    );
    expect(read.errors).toBeUndefined();
    const report = read.data!._entities[0];
    expect(report.verifications.map(({ genuine, note, organisation, verifiedBy }) => ({ genuine, note, organisation, verifiedBy }))).toEqual([
      { genuine: true, note: '重新核验：出具机构更正回函', organisation: 'FINANCE', verifiedBy: officer.caller!.id },
      { genuine: false, note: '出具机构回函：未出具该报告', organisation: 'CREDIT_OFFICE', verifiedBy: 'officer-credit-office' },
      { genuine: true, note: '信用中国网站核验：一致', organisation: 'FINANCE', verifiedBy: officer.caller!.id },
    ]);
    // The latest finding is the one that decides.
    expect(report).toMatchObject({ verificationStatus: 'GENUINE', verificationNote: '重新核验：出具机构更正回函' });
    const times = report.verifications.map((v) => Date.parse(v.verifiedAt));
    expect([...times].sort((a, b) => b - a)).toEqual(times);

    // The registering officer sees the findings, not who in the credit office recorded them.
    const asOfficer = await reports.queryAs<{ _entities: { verifications: { organisation: string; verifiedBy: string | null }[] }[] }>(officer, history, { r: [{ __typename: 'CreditReport', id }] });
    expect(asOfficer.data?._entities[0].verifications.map((v) => v.organisation)).toEqual(['FINANCE', 'CREDIT_OFFICE', 'FINANCE']);
    expect(asOfficer.data?._entities[0].verifications.every((v) => v.verifiedBy === null)).toBe(true);
    expect(asOfficer.errors?.every((e) => e.extensions?.code === 'FORBIDDEN' && e.extensions?.group === 'AUDIT')).toBe(true);
  });

  it('takes findings recorded at once in turn: the report says what the newest finding says, and no two findings share an instant', async () => {
    const id = (await registerAs(officer, input())).data!.registerCreditReport!.id;
    const findings = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        reports.queryAs(officer, 'mutation ($id: ID!, $genuine: Boolean!, $note: String!) { recordReportVerification(id: $id, genuine: $genuine, note: $note) { id } }', { id, genuine: i % 2 === 0, note: `核验 ${i}` }),
      ),
    );
    expect(findings.flatMap((f) => f.errors ?? [])).toEqual([]);
    const read = await reports.queryAs<{ _entities: { verificationStatus: string; verificationNote: string; verifications: { genuine: boolean; note: string; verifiedAt: string }[] }[] }>(
      identityOf(creditOffice, { matter: 'CREDIT_SUPERVISION' }),
      'query ($r: [_Any!]!) { _entities(representations: $r) { ... on CreditReport { verificationStatus verificationNote verifications { genuine note verifiedAt } } } }',
      { r: [{ __typename: 'CreditReport', id }] },
    );
    const report = read.data!._entities[0];
    expect(report.verifications).toHaveLength(12);
    const newest = report.verifications[0];
    expect({ status: report.verificationStatus, note: report.verificationNote }).toEqual({ status: newest.genuine ? 'GENUINE' : 'NOT_GENUINE', note: newest.note });
    expect(new Set(report.verifications.map((v) => v.verifiedAt)).size).toBe(12);
  });

  it("reads the findings of many reports in one statement", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i += 1) {
      const id = (await registerAs(officer, input())).data!.registerCreditReport!.id;
      await reports.queryAs(officer, 'mutation ($id: ID!) { recordReportVerification(id: $id, genuine: true, note: "核验一致") { id } }', { id });
      ids.push(id);
    }
    const query = 'query ($r: [_Any!]!) { _entities(representations: $r) { ... on CreditReport { verifications { note } } } }';
    const one = await reports.sql.selectsDuring(() => reports.queryAs(officer, query, { r: ids.slice(0, 1).map((id) => ({ __typename: 'CreditReport', id })) }));
    let result: Awaited<ReturnType<typeof reports.queryAs>> | undefined;
    const five = await reports.sql.selectsDuring(async () => (result = await reports.queryAs(officer, query, { r: ids.map((id) => ({ __typename: 'CreditReport', id })) })));
    expect(result?.errors).toBeUndefined();
    expect((result?.data as { _entities: { verifications: unknown[] }[] })._entities.map((e) => e.verifications.length)).toEqual([1, 1, 1, 1, 1]);
    expect(five).toBe(one);
  });

  describe("a list of reports' acceptance, the providers subgraph reached through a stand-in", () => {
    const listed = world.subjects.find((s, i) => i > 2 && s.kind === 'ENTERPRISE')!;
    let standIn: StandInSubgraph;
    const reportsOfListed = /* GraphQL */ `
      query ($r: [_Any!]!) { _entities(representations: $r) { ... on Subject { creditReports(first: 50) { edges { node { issuer { id } acceptance { accepted reasons } } } } } } }
    `;
    const read = () =>
      reports.queryAs<{ _entities: { creditReports: { edges: { node: { issuer: { id: string } | null; acceptance: { accepted: boolean; reasons: string[] } | null } }[] } }[] }>(officer, reportsOfListed, {
        r: [{ __typename: 'Subject', id: listed.id, kind: listed.kind }],
      });

    beforeAll(async () => {
      // Reports of three issuers: one in good standing, one revoked since, one suspended since.
      for (const [provider, issuedOn] of [[world.providers[0], '2026-06-15'], [world.providers[11], '2026-05-01'], [world.providers[10], '2026-04-08']] as const) {
        const result = await registerAs(officer, input({ subjectId: listed.id, source: 'THIRD_PARTY_PROVIDER', issuerProviderId: provider.id, issuedOn, validUntil: '2027-12-31' }));
        expect(result.errors).toBeUndefined();
      }
      standIn = await StandInSubgraph.start();
      standIn.upstream = providers.url();
      urls.providers = standIn.url;
    });
    afterAll(async () => {
      urls.providers = providers.url();
      await standIn?.stop();
    });

    it('asks the providers subgraph once for the whole list, however many issuers it names', async () => {
      const before = standIn.received.length;
      const result = await read();
      expect(result.errors).toBeUndefined();
      const nodes = result.data!._entities[0].creditReports.edges.map((e) => e.node);
      expect(new Set(nodes.map((n) => n.issuer?.id)).size).toBe(3);
      expect(Object.fromEntries(nodes.map((n) => [n.issuer!.id, n.acceptance]))).toEqual({
        [world.providers[0].id]: { accepted: true, reasons: [] },
        [world.providers[11].id]: { accepted: false, reasons: ['ISSUER_REVOKED', 'ISSUER_CLASS_D'] },
        [world.providers[10].id]: { accepted: false, reasons: ['ISSUER_SUSPENDED'] },
      });
      expect(standIn.received.length - before).toBe(1);
    });

    it('answers each acceptance SUBGRAPH_UNAVAILABLE naming the providers subgraph when it cannot be reached, the rest of the list standing', async () => {
      await standIn.down();
      try {
        const result = await read();
        const nodes = result.data!._entities[0].creditReports.edges.map((e) => e.node);
        expect(nodes).toHaveLength(3);
        expect(nodes.every((n) => n.issuer !== null && n.acceptance === null)).toBe(true);
        expect(result.errors?.map((e) => e.extensions)).toEqual(nodes.map(() => ({ code: 'SUBGRAPH_UNAVAILABLE', serviceName: 'providers', reason: 'UNREACHABLE', retryAfterSeconds: 5 })));
        expect(result.errors?.[0].message).toBe('the providers subgraph gave no usable answer, so how the issuer of a third-party report stands could not be checked: retry later');
      } finally {
        await standIn.up();
      }
    });
  });
});
