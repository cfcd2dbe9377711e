import { randomUUID } from 'node:crypto';
import type { Logger } from '../../lib/logger';
import type { Caller } from '../../lib/access/identity';
import { purposeProblems, type PurposeProblem } from '../../lib/access/policy';
import { maskCitizenIdNumber } from '../../lib/identifiers';
import { demoConsents } from '../../scripts/demo/consents';
import { Consent } from '../../subgraphs/entities/entities/consent.entity';
import { demoBankOrganisation, demoWorld } from '../../scripts/demo/world';
import { testDatabases } from '../helpers/databases';
import { usePlatform, type As, type Platform } from '../helpers/platform';
import { requestIdOf } from '../helpers/graphql';

/**
 * What a front end is told when a request's purpose is refused: at the field the purpose would
 * have opened, `problem` says which refusal it is and `header` which purpose header to correct,
 * beside the message for people. And when a register the gateway must ask to decide the purpose
 * is down, the request is an outage to retry (SUBGRAPH_UNAVAILABLE), never a refusal.
 */
const world = demoWorld({ subjects: 8 });
const enterprise = world.subjects.find((s) => s.kind === 'ENTERPRISE')!;
const person = world.subjects.find((s) => s.kind === 'NATURAL_PERSON')!;

const officer = (organisation: string): Caller => ({ id: `officer-${organisation.toLowerCase()}`, organisation, organisationKind: 'DEPARTMENT', role: 'DEPARTMENT_OFFICER' });
const finance = officer('FINANCE');
const analyst: Caller = { id: 'analyst', organisation: 'DEVELOPMENT_REFORM', organisationKind: 'DEPARTMENT', role: 'ANALYST' };
const creditOfficeAnalyst: Caller = { ...analyst, id: 'analyst-credit-office', organisation: 'CREDIT_OFFICE' };
const windowOfficer = officer('CREDIT_OFFICE');
const bank: Caller = { id: 'banker', organisation: demoBankOrganisation, organisationKind: 'FINANCIAL_INSTITUTION', role: 'EXTERNAL_USER' };
const provider = (index: number): Caller => ({ id: 'collector', organisation: world.providers[index].unifiedSocialCreditCode, organisationKind: 'CREDIT_SERVICE_PROVIDER', role: 'EXTERNAL_USER' });
const enterpriseUser: Caller = { id: 'self', organisation: enterprise.identifier, organisationKind: 'ENTERPRISE', role: 'EXTERNAL_USER' };
const ownEnterprise: Caller = { ...enterpriseUser, subjectId: enterprise.id };
const personUser: Caller = { id: 'person', organisation: person.identifier, organisationKind: 'INDIVIDUAL', role: 'EXTERNAL_USER' };

const procurement = { 'x-credit-matter': 'GOVERNMENT_PROCUREMENT', 'x-credit-case': 'CG-2026-1' };
const financialServices = (consentId: string) => ({ 'x-credit-matter': 'FINANCIAL_SERVICES', 'x-credit-consent': consentId });
const dueDiligence = (consentId: string) => ({ 'x-credit-matter': 'COMMERCIAL_DUE_DILIGENCE', 'x-credit-consent': consentId });

const READ = /* GraphQL */ `query Read($id: ID!) { subject(id: $id) { name } }`;

/**
 * Each kind of reader has one consent-based matter today, and grantConsent gives a consent only for
 * a matter its grantee's kind may name, so a consent for another matter is one stored otherwise (a
 * migration, a matter since withdrawn): given to the bank for due diligence, stored directly below.
 */
const otherMatterConsent = '5c0e0000-0000-4000-8000-00000000f1a7';

interface RefusalCase {
  label: string;
  problem: PurposeProblem;
  as: As;
  header?: string;
  /** FORBIDDEN unless the caller sent no token. */
  code?: string;
}

const refusals: RefusalCase[] = [
  { label: 'a matter not in the catalogue', problem: 'UNKNOWN_MATTER', as: { caller: finance, headers: { 'x-credit-matter': 'LUNCH' } }, header: 'x-credit-matter' },
  { label: 'a matter named without a token', problem: 'AUTHENTICATION_REQUIRED', as: { headers: procurement }, code: 'UNAUTHENTICATED' },
  { label: 'a matter not open to the caller’s kind of organisation', problem: 'MATTER_NOT_OPEN_TO_CALLER', as: { caller: bank, headers: procurement }, header: 'x-credit-matter' },
  { label: 'a matter not open to the caller’s role', problem: 'MATTER_NOT_OPEN_TO_CALLER', as: { caller: analyst, headers: procurement }, header: 'x-credit-matter' },
  { label: 'a matter the department is not responsible for', problem: 'DEPARTMENT_NOT_RESPONSIBLE', as: { caller: finance, headers: { ...procurement, 'x-credit-matter': 'PERSONNEL_REVIEW' } }, header: 'x-credit-matter' },
  { label: 'an administrative matter without its case number', problem: 'CASE_NUMBER_REQUIRED', as: { caller: finance, headers: { 'x-credit-matter': 'GOVERNMENT_PROCUREMENT' } }, header: 'x-credit-case' },
  { label: 'a consent-based purpose without a consent', problem: 'CONSENT_REQUIRED', as: { caller: bank, headers: { 'x-credit-matter': 'FINANCIAL_SERVICES' } }, header: 'x-credit-consent' },
  { label: 'a self-inquiry by a token naming no subject', problem: 'TOKEN_SUBJECT_REQUIRED', as: { caller: enterpriseUser, headers: { 'x-credit-matter': 'SELF_INQUIRY' } } },
  { label: 'a self-inquiry by a token naming another’s subject', problem: 'TOKEN_SUBJECT_NOT_OWN', as: { caller: { ...ownEnterprise, subjectId: person.id }, headers: { 'x-credit-matter': 'SELF_INQUIRY' } } },
  {
    label: 'collection by a provider whose filing does not allow it',
    problem: 'PROVIDER_MAY_NOT_COLLECT',
    as: { caller: provider(11), headers: { 'x-credit-matter': 'PROVIDER_DATA_COLLECTION', 'x-credit-consent': demoConsents.providerCollection } },
  },
  { label: 'a consent given to another reader', problem: 'CONSENT_NOT_GIVEN_TO_CALLER', as: { caller: bank, headers: financialServices(demoConsents.dueDiligence) }, header: 'x-credit-consent' },
  { label: 'a consent nobody was given', problem: 'CONSENT_NOT_GIVEN_TO_CALLER', as: { caller: bank, headers: financialServices('00000000-0000-4000-8000-000000000000') }, header: 'x-credit-consent' },
  // The provider's code is an enterprise's too, but a consent is given to a kind of reader as well:
  // its consent for collection, cited by the company as an enterprise, is not the enterprise's.
  {
    label: 'a consent given to the caller’s code as another kind of organisation',
    problem: 'CONSENT_NOT_GIVEN_TO_CALLER',
    as: { caller: { ...provider(0), organisationKind: 'ENTERPRISE' }, headers: { 'x-credit-matter': 'COMMERCIAL_DUE_DILIGENCE', 'x-credit-consent': demoConsents.providerCollection } },
    header: 'x-credit-consent',
  },
  { label: 'the caller’s consent for another matter', problem: 'CONSENT_NOT_FOR_MATTER', as: { caller: bank, headers: financialServices(otherMatterConsent) }, header: 'x-credit-consent' },
  { label: 'the caller’s revoked consent', problem: 'CONSENT_REVOKED', as: { caller: bank, headers: financialServices(demoConsents.revoked) }, header: 'x-credit-consent' },
  { label: 'the caller’s expired consent', problem: 'CONSENT_EXPIRED', as: { caller: bank, headers: financialServices(demoConsents.expired) }, header: 'x-credit-consent' },
  { label: 'the caller’s consent not yet valid', problem: 'CONSENT_NOT_YET_VALID', as: { caller: bank, headers: financialServices(demoConsents.notYetValid) }, header: 'x-credit-consent' },
];

async function auditedOutcomes(platform: Platform, requestId: string): Promise<string[]> {
  const rows: { outcome: string }[] = await platform.databases.audit.query('SELECT outcome FROM audit_entry WHERE request_id = ? ORDER BY sequence', [requestId]);
  return rows.map((row) => row.outcome);
}

describe.each(testDatabases)('a refused purpose as a front end reads it, on $label', (database) => {
  const platform = usePlatform(database, 'purposecodes', { seedSubjects: world.subjects.length });
  beforeAll(async () => {
    await platform.databases.entities.getRepository(Consent).insert({
      id: otherMatterConsent, subjectId: enterprise.id, granteeOrganisation: demoBankOrganisation, granteeKind: 'FINANCIAL_INSTITUTION', purpose: 'COMMERCIAL_DUE_DILIGENCE',
      validFrom: '2026-01-01', validUntil: '2099-12-31', grantedBy: 'window-sun', grantedByOrganisation: 'CREDIT_OFFICE', grantedAt: new Date(), revokedAt: null, revokedBy: null, revokedByOrganisation: null, revocationReason: null,
    });
  });

  it('has a request below for every problem a refused purpose can have', () => {
    expect([...new Set(refusals.map((r) => r.problem))].sort()).toEqual([...purposeProblems].sort());
  });

  it.each(refusals)('names $problem for $label, with the purpose header at fault', async ({ problem, as, header, code = 'FORBIDDEN' }) => {
    const result = await platform.query<{ subject: { name: string } | null }>(READ, { id: enterprise.id }, as);
    const requestId = requestIdOf(result);
    expect(result.status).toBe(200);
    expect(result.data).toEqual({ subject: null });
    expect(result.errors?.map((e) => ({ path: e.path, extensions: e.extensions }))).toEqual([
      { path: ['subject'], extensions: { code, group: 'SUBJECT_BASICS', field: 'Query.subject', problem, ...(header ? { header } : {}) } },
    ]);
    // The reason for people is still the message's end.
    expect(result.errors?.[0].message).toMatch(/^Query\.subject needs the field group SUBJECT_BASICS; the request's purpose was refused: ./);
    // Still a denied attempt in the subject's trail, as before the reason had a code.
    expect(await auditedOutcomes(platform, requestId)).toEqual(['DENIED']);
  });

  // A subgraph that checks the purpose itself (a report generated for the request's case) told the
  // group it lacked, and the reason in prose only.
  it('names the same problem and header when a subgraph refuses what the refused purpose would have granted', async () => {
    const result = await platform.query(`mutation ($id: ID!) { generateCreditReport(subjectId: $id) { id } }`, { id: enterprise.id }, { caller: finance, headers: { 'x-credit-matter': 'GOVERNMENT_PROCUREMENT' } });
    expect(result.data).toEqual({ generateCreditReport: null });
    expect(result.errors?.map((e) => e.extensions)).toEqual([{ code: 'FORBIDDEN', group: expect.any(String), problem: 'CASE_NUMBER_REQUIRED', header: 'x-credit-case', serviceName: 'reports' }]);
  });

  // A group no purpose could grant this caller is refused as such whatever purpose was sent: a front
  // end pointed at the header would ask for a correction that cannot open the field.
  it.each([
    // SUBJECT_BASICS, which STATISTICAL_ANALYSIS would grant this analyst, still points at the header.
    { label: 'an analyst naming a matter not open to its role', as: { caller: analyst, headers: procurement }, subject: { problem: 'MATTER_NOT_OPEN_TO_CALLER', header: 'x-credit-matter' } },
    // No matter grants the credit office's analyst SUBJECT_BASICS either.
    { label: 'the credit office’s analyst, whose department is not responsible for STATISTICAL_ANALYSIS', as: { caller: creditOfficeAnalyst, headers: { 'x-credit-matter': 'STATISTICAL_ANALYSIS' } }, subject: { problem: 'GROUP_NOT_GRANTED' } },
  ])('names GROUP_NOT_GRANTED, no header, for a group no matter grants the caller: $label', async ({ as, subject }) => {
    const result = await platform.query<{ subject: unknown; verifyAuditChain: unknown }>(`query ($id: ID!) { subject(id: $id) { name } verifyAuditChain { intact } }`, { id: enterprise.id }, as);
    expect(result.data).toEqual({ subject: null, verifyAuditChain: null });
    const at = (field: string) => result.errors?.find((e) => e.path?.[0] === field);
    const { caller } = as;
    expect(at('verifyAuditChain')?.extensions).toEqual({ code: 'FORBIDDEN', group: 'AUDIT', field: 'Query.verifyAuditChain', problem: 'GROUP_NOT_GRANTED' });
    expect(at('verifyAuditChain')?.message).toBe(`Query.verifyAuditChain needs the field group AUDIT, which no matter grants to ANALYST callers of ${caller.organisation}`);
    expect(at('subject')?.extensions).toEqual({ code: 'FORBIDDEN', group: 'SUBJECT_BASICS', field: 'Query.subject', ...subject });
  });

  it('names GROUP_NOT_GRANTED, no header, for a refused consent when no purpose grants the caller the group', async () => {
    const result = await platform.query(`{ auditStatistics(from: "2026-01-01T00:00:00+08:00", to: "2026-01-02T00:00:00+08:00") { subjects } }`, {}, { caller: bank, headers: financialServices(demoConsents.revoked) });
    expect(result.errors?.map((e) => e.extensions)).toEqual([{ code: 'FORBIDDEN', group: 'STATISTICS', field: 'Query.auditStatistics', problem: 'GROUP_NOT_GRANTED' }]);
  });

  it('names GROUP_NOT_GRANTED, no header, when a subgraph refuses a group no matter grants the caller under a refused purpose', async () => {
    // The credit office's window may name no administrative matter: a report needs what none grants it.
    const result = await platform.query(`mutation ($id: ID!) { generateCreditReport(subjectId: $id) { id } }`, { id: enterprise.id }, { caller: windowOfficer, headers: { 'x-credit-matter': 'AWARDS_AND_RATINGS', 'x-credit-case': 'PY-2026-1' } });
    expect(result.data).toEqual({ generateCreditReport: null });
    expect(result.errors?.map((e) => e.extensions)).toEqual([{ code: 'FORBIDDEN', group: 'SUBJECT_BASICS', problem: 'GROUP_NOT_GRANTED', serviceName: 'reports' }]);
    expect(result.errors?.[0].message).toMatch(/, which no matter grants to DEPARTMENT_OFFICER callers of CREDIT_OFFICE$/);
  });

  // What a front end switches on to ask for a matter, not the message: before, a group a matter
  // would open and one none would were refused with the same extensions.
  it('names GROUP_NOT_GRANTED with the x-credit-matter header where a matter open to the caller would grant the group, and no header where none would', async () => {
    const result = await platform.query(`query ($id: ID!) { subject(id: $id) { name } verifyAuditChain { intact } }`, { id: enterprise.id }, { caller: finance });
    const at = (field: string) => result.errors?.find((e) => e.path?.[0] === field);
    expect(at('subject')?.extensions).toEqual({ code: 'FORBIDDEN', group: 'SUBJECT_BASICS', field: 'Query.subject', problem: 'GROUP_NOT_GRANTED', header: 'x-credit-matter' });
    expect(at('subject')?.message).toMatch(/^Query\.subject needs the field group SUBJECT_BASICS: name the matter in the x-credit-matter header \(.*GOVERNMENT_PROCUREMENT.*\), and the case in x-credit-case$/);
    expect(at('verifyAuditChain')?.extensions).toEqual({ code: 'FORBIDDEN', group: 'AUDIT', field: 'Query.verifyAuditChain', problem: 'GROUP_NOT_GRANTED' });
  });

  it.each([
    ['expired', demoConsents.expired, 'is expired: it was valid from 2025-07-01 through 2026-06-30'],
    ['not yet valid', demoConsents.notYetValid, 'is not yet valid: it is valid from 2027-01-01 through 2027-12-31'],
    ['revoked', demoConsents.revoked, 'is revoked: revoked at 2026-06-20T'],
  ])('tells the bank the days of its own consent refused as %s', async (_label, consentId, told) => {
    const result = await platform.query(READ, { id: world.subjects[0].id }, { caller: bank, headers: financialServices(consentId) });
    expect(result.errors?.[0].message).toContain(`consent ${consentId} ${told}`);
  });

  it('points a caller under a consent at no header for a group only its own inquiry would grant, of its own subject', async () => {
    // The counterparty reads the consent's subject under due diligence, which grants no reports;
    // its own inquiry would, of its own subject only: no header opens them for the consent's
    // subject, and a front end switching on `header` must not ask for one (probe finding).
    const counterparty = world.subjects[2];
    const caller: Caller = { id: 'counterparty', organisation: counterparty.identifier, organisationKind: 'ENTERPRISE', role: 'EXTERNAL_USER' };
    const headers = { 'x-credit-matter': 'COMMERCIAL_DUE_DILIGENCE', 'x-credit-consent': demoConsents.dueDiligence };
    const result = await platform.query(`query ($id: ID!) { subject(id: $id) { name creditReports { totalCount } disclosures { totalCount } } }`, { id: world.subjects[0].id }, { caller, headers });
    expect(result.data).toEqual({ subject: { name: world.subjects[0].name, creditReports: null, disclosures: null } });
    const onlyOwn = (field: string, group: string) => ({
      message: `Subject.${field} needs the field group ${group}, which no matter grants to EXTERNAL_USER callers of ${counterparty.identifier} for a subject other than their own (SELF_INQUIRY grants it for their own subject only)`,
      extensions: { code: 'FORBIDDEN', group, field: `Subject.${field}`, problem: 'GROUP_NOT_GRANTED' },
    });
    expect(result.errors?.map((e) => ({ message: e.message, extensions: e.extensions }))).toEqual([onlyOwn('creditReports', 'REPORTS'), onlyOwn('disclosures', 'DISCLOSURE_LOG')]);
  });

  it('names the x-credit-matter header when a subgraph refuses a group a matter open to the caller would grant, none named', async () => {
    const result = await platform.query(`mutation ($id: ID!) { generateCreditReport(subjectId: $id) { id } }`, { id: enterprise.id }, { caller: finance });
    expect(result.data).toEqual({ generateCreditReport: null });
    expect(result.errors?.map((e) => e.extensions)).toEqual([{ code: 'FORBIDDEN', group: 'SUBJECT_BASICS', problem: 'GROUP_NOT_GRANTED', header: 'x-credit-matter', serviceName: 'reports' }]);
  });

  // A person's token names it by its citizen ID number, which the audit log shows every other reader
  // masked: a message is passed on to error trackers and screenshots, so it names the person so too.
  it.each([
    { label: 'a field group no matter grants a person', query: `{ verifyAuditChain { intact } }`, as: { caller: personUser } },
    { label: 'a consent not given to the person', query: READ, as: { caller: personUser, headers: dueDiligence(demoConsents.dueDiligence) } },
    { label: 'a self-inquiry by a person’s token naming another’s subject', query: READ, as: { caller: { ...personUser, subjectId: enterprise.id }, headers: { 'x-credit-matter': 'SELF_INQUIRY' } } },
    { label: 'the consents given to the person, asked under a consent not given to it', query: `{ consentsGivenToCaller { totalCount } }`, as: { caller: personUser, headers: dueDiligence(demoConsents.dueDiligence) } },
  ])('names a person caller by its masked citizen ID number in what it is told: $label', async ({ query, as }) => {
    const result = await platform.query(query, { id: enterprise.id }, as);
    const messages = (result.errors ?? []).map((e) => e.message);
    expect(messages).toEqual([expect.stringContaining(maskCitizenIdNumber(person.identifier))]);
    expect(JSON.stringify(result)).not.toContain(person.identifier);
  });

  it('tells an unknown consent and another reader’s apart by nothing but the id the caller sent', async () => {
    const read = (consentId: string) => platform.query(READ, { id: enterprise.id }, { caller: bank, headers: financialServices(consentId) });
    const unknown = '00000000-0000-4000-8000-000000000000';
    const [another, nobodys] = await Promise.all([read(demoConsents.dueDiligence), read(unknown)]);
    expect(another.errors?.[0].extensions).toEqual(nobodys.errors?.[0].extensions);
    expect(another.errors?.[0].message.replace(demoConsents.dueDiligence, '<id>')).toBe(nobodys.errors?.[0].message.replace(unknown, '<id>'));
  });
});

/** No port listens there: connections are refused, as to a stopped subgraph. */
const unreachable = 'http://127.0.0.1:1/graphql';

describe.each(testDatabases)('a register the gateway asks to decide a purpose, down, on $label', (database) => {
  /** The answer to a request whose purpose needs the down register: nothing read, nothing audited. */
  async function expectOutage(platform: Platform, as: As, serviceName: string, register: string) {
    const result = await platform.query(READ, { id: enterprise.id }, as);
    const requestId = requestIdOf(result);
    expect(result.status).toBe(503);
    expect(result.data).toBeUndefined();
    expect(result.errors).toEqual([{ message: expect.stringMatching(new RegExp(`^the ${serviceName} subgraph \\(${register}\\) gave no usable answer, .*: retry later$`)), extensions: { code: 'SUBGRAPH_UNAVAILABLE', serviceName, retryAfterSeconds: 5 } }]);
    expect(JSON.stringify(result)).not.toContain('127.0.0.1');
    expect(await auditedOutcomes(platform, requestId)).toEqual([]);
  }

  /** The gateway's logger, with the lines it logs (its metrics' lines among them, as in production). */
  function observed() {
    const lines: { level: string; fields: Record<string, unknown>; message: string }[] = [];
    const line = (level: string) => (fields: Record<string, unknown>, message: string) => void lines.push({ level, fields, message });
    return { logger: { debug: line('debug'), info: line('info'), warn: line('warn'), error: line('error') } as unknown as Logger, lines };
  }

  /**
   * The operator's side of it: the client is told only SUBGRAPH_UNAVAILABLE (rightly), and the
   * gateway's own call to the register left nothing else (from the observability probe: no line,
   * no count, the cause dropped). One line naming the cause and the address, not one a request.
   */
  async function expectOutageLogged(platform: Platform, observer: ReturnType<typeof observed>, as: As, serviceName: string, register: string) {
    for (let i = 0; i < 3; i++) await expectOutage(platform, as, serviceName, register);
    const logged = observer.lines.filter((l) => l.fields.subgraph === serviceName);
    expect(logged).toEqual([
      {
        level: 'warn',
        fields: { subgraph: serviceName, outcome: 'unreachable', cause: expect.stringMatching(/^http:\/\/127\.0\.0\.1:1\/graphql: connect ECONNREFUSED 127\.0\.0\.1:1$/), callsSinceLastLine: 1 },
        message: `calls to the ${serviceName} subgraph fail to reach it: its fields answer SUBGRAPH_UNAVAILABLE`,
      },
    ]);
    expect(await platform.metrics.registry.metrics()).toMatch(new RegExp(`credit_gateway_subgraph_fetches_total\\{subgraph="${serviceName}",outcome="unreachable",service="gateway"\\} 3\\n`));
  }

  describe('the entities subgraph (consents, subjects)', () => {
    const observer = observed();
    const platform = usePlatform(database, 'purposeentitiesdown', { gateway: { subgraphUrls: { entities: unreachable }, logger: observer.logger } });

    // First: a line logged in the window before it would leave this one none to show.
    it('tells the operator once, naming the cause and the address, that the consent register cannot be reached', async () => {
      await expectOutageLogged(platform, observer, { caller: bank, headers: financialServices(demoConsents.bankFinancialServices) }, 'entities', 'the consent register');
    });

    it('answers a consent-based read SUBGRAPH_UNAVAILABLE naming the entities subgraph, not FORBIDDEN', async () => {
      await expectOutage(platform, { caller: bank, headers: financialServices(demoConsents.bankFinancialServices) }, 'entities', 'the consent register');
    });

    it('answers a self-inquiry whose subject is not yet known SUBGRAPH_UNAVAILABLE naming the entities subgraph', async () => {
      // A subject id never asked about in this process: the gateway remembers the answers it had.
      await expectOutage(platform, { caller: { ...ownEnterprise, subjectId: randomUUID() }, headers: { 'x-credit-matter': 'SELF_INQUIRY' } }, 'entities', 'the subject register');
    });
  });

  describe('the providers subgraph (the provider registry)', () => {
    const observer = observed();
    const platform = usePlatform(database, 'purposeprovidersdown', { gateway: { subgraphUrls: { providers: unreachable }, logger: observer.logger } });

    it("answers a provider's collection SUBGRAPH_UNAVAILABLE naming the providers subgraph, not FORBIDDEN, and tells the operator once why", async () => {
      await expectOutageLogged(platform, observer, { caller: provider(0), headers: { 'x-credit-matter': 'PROVIDER_DATA_COLLECTION', 'x-credit-consent': demoConsents.providerCollection } }, 'providers', 'the provider registry');
    });
  });
});
