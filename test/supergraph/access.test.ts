import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SignJWT, UnsecuredJWT } from 'jose';
import { defaultAudience as tokenAudience, defaultIssuer as tokenIssuer } from '../../gateway/config';
import { readRevocationsFile } from '../../gateway/revocations';
import type { Caller } from '../../lib/access/identity';
import { citizenIdNumber } from '../../lib/identifiers';
import { demoBankOrganisation, demoWorld } from '../../scripts/demo/world';
import { demoConsents } from '../../scripts/demo/consents';
import { testDatabases } from '../helpers/databases';
import { type GraphQLResponse, postGraphQL, requestIdOf } from '../helpers/graphql';
import { signedBy, fullAccess } from '../helpers/identity';
import { usePlatform, supervisor, type As, type Platform } from '../helpers/platform';

const world = demoWorld({ subjects: 40 });
const enterprise = world.subjects.find((s) => s.kind === 'ENTERPRISE')!;
const person = world.subjects.find((s) => s.kind === 'NATURAL_PERSON')!;
const consented = world.subjects[0];
const other = world.subjects.find((s) => s.id !== consented.id && s.kind !== 'NATURAL_PERSON')!;

const officer = (organisation: string): Caller => ({ id: `officer-${organisation.toLowerCase()}`, organisation, organisationKind: 'DEPARTMENT', role: 'DEPARTMENT_OFFICER' });
const finance = officer('FINANCE');
const organisationDepartment = officer('ORGANISATION');
const registryAdmin: Caller = { id: 'registrar', organisation: 'CREDIT_OFFICE', organisationKind: 'DEPARTMENT', role: 'REGISTRY_ADMIN' };
const analyst: Caller = { id: 'analyst', organisation: 'DEVELOPMENT_REFORM', organisationKind: 'DEPARTMENT', role: 'ANALYST' };
const provider = (index: number): Caller => ({ id: 'collector', organisation: world.providers[index].unifiedSocialCreditCode, organisationKind: 'CREDIT_SERVICE_PROVIDER', role: 'EXTERNAL_USER' });
const bank: Caller = { id: 'banker', organisation: demoBankOrganisation, organisationKind: 'FINANCIAL_INSTITUTION', role: 'EXTERNAL_USER' };

const matter = (code: string, caseNumber = 'CASE-1') => ({ 'x-credit-matter': code, 'x-credit-case': caseNumber });

/** One subject read through every field group the platform guards. */
const MATRIX = /* GraphQL */ `
  query Matrix($id: ID!) {
    subject(id: $id) {
      name
      citizenIdNumber
      creditRecords { totalCount }
      creditReports { totalCount }
      disclosures { totalCount }
    }
    creditServiceProviders(first: 1) { totalCount }
    auditEntriesBySubject(subjectId: $id) { totalCount }
  }
`;

type Field = 'subject' | 'name' | 'creditRecords' | 'creditReports' | 'disclosures' | 'providers' | 'audit';
const paths: Record<Field, (string | number)[]> = {
  subject: ['subject'],
  name: ['subject', 'name'],
  creditRecords: ['subject', 'creditRecords'],
  creditReports: ['subject', 'creditReports'],
  disclosures: ['subject', 'disclosures'],
  providers: ['creditServiceProviders'],
  audit: ['auditEntriesBySubject'],
};

function at(data: unknown, path: (string | number)[]): unknown {
  return path.reduce<unknown>((value, key) => (value === null || value === undefined ? value : (value as Record<string, unknown>)[key]), data);
}

interface Case {
  label: string;
  as: As;
  subject: { id: string };
  /** Fields that answer with data. */
  granted: Field[];
  /** Fields that answer null with an error of this code at exactly their path. */
  refused: Partial<Record<Field, string>>;
}

// Written from the policy's matters table, not from the catalogue's code: a regression in the
// catalogue or in either enforcement point shows up as a difference here.
const cases: Case[] = [
  {
    label: 'the finance bureau reading an enterprise for government procurement',
    as: { caller: finance, headers: matter('GOVERNMENT_PROCUREMENT') },
    subject: enterprise,
    granted: ['name', 'creditRecords', 'creditReports', 'providers'],
    refused: { disclosures: 'FORBIDDEN', audit: 'FORBIDDEN' },
  },
  {
    label: 'the finance bureau reading a natural person for government procurement',
    as: { caller: finance, headers: matter('GOVERNMENT_PROCUREMENT') },
    subject: person,
    granted: ['providers'],
    refused: { subject: 'FORBIDDEN', audit: 'FORBIDDEN' },
  },
  {
    label: 'the finance bureau naming personnel review, a matter it is not responsible for',
    as: { caller: finance, headers: matter('PERSONNEL_REVIEW') },
    subject: person,
    granted: ['providers'],
    refused: { subject: 'FORBIDDEN', audit: 'FORBIDDEN' },
  },
  {
    label: 'the organisation department reading a person for personnel review',
    as: { caller: organisationDepartment, headers: matter('PERSONNEL_REVIEW') },
    subject: person,
    // 三(二)9: the person's records and related credit reports.
    granted: ['name', 'creditRecords', 'creditReports', 'providers'],
    refused: { disclosures: 'FORBIDDEN', audit: 'FORBIDDEN' },
  },
  {
    label: 'the organisation department reading an enterprise for personnel review',
    as: { caller: organisationDepartment, headers: matter('PERSONNEL_REVIEW') },
    subject: enterprise,
    granted: ['providers'],
    refused: { subject: 'FORBIDDEN', audit: 'FORBIDDEN' },
  },
  {
    label: 'an officer without a case number',
    as: { caller: finance, headers: { 'x-credit-matter': 'GOVERNMENT_PROCUREMENT' } },
    subject: enterprise,
    granted: ['providers'],
    refused: { subject: 'FORBIDDEN', audit: 'FORBIDDEN' },
  },
  {
    label: 'the credit office supervising',
    as: supervisor,
    subject: person,
    granted: ['name', 'creditRecords', 'creditReports', 'disclosures', 'providers', 'audit'],
    refused: {},
  },
  {
    label: 'a registry admin',
    as: { caller: registryAdmin },
    subject: enterprise,
    granted: ['providers'],
    refused: { subject: 'FORBIDDEN', audit: 'FORBIDDEN' },
  },
  {
    label: 'an analyst',
    as: { caller: analyst, headers: { 'x-credit-matter': 'STATISTICAL_ANALYSIS' } },
    subject: enterprise,
    granted: ['name', 'creditRecords', 'providers'],
    refused: { creditReports: 'FORBIDDEN', disclosures: 'FORBIDDEN', audit: 'FORBIDDEN' },
  },
  {
    label: 'a bank with the subject’s consent',
    as: { caller: bank, headers: { 'x-credit-matter': 'FINANCIAL_SERVICES', 'x-credit-consent': demoConsents.bankFinancialServices } },
    subject: consented,
    granted: ['name', 'creditRecords', 'creditReports', 'providers'],
    refused: { disclosures: 'FORBIDDEN', audit: 'FORBIDDEN' },
  },
  {
    label: 'a bank with a consent for another subject',
    as: { caller: bank, headers: { 'x-credit-matter': 'FINANCIAL_SERVICES', 'x-credit-consent': demoConsents.bankFinancialServices } },
    subject: other,
    granted: ['providers'],
    refused: { subject: 'FORBIDDEN', audit: 'FORBIDDEN' },
  },
  {
    label: 'a bank without a consent',
    as: { caller: bank, headers: { 'x-credit-matter': 'FINANCIAL_SERVICES' } },
    subject: consented,
    granted: ['providers'],
    refused: { subject: 'FORBIDDEN', audit: 'FORBIDDEN' },
  },
  {
    label: 'a bank with an expired consent',
    as: { caller: bank, headers: { 'x-credit-matter': 'FINANCIAL_SERVICES', 'x-credit-consent': demoConsents.expired } },
    subject: consented,
    granted: ['providers'],
    refused: { subject: 'FORBIDDEN', audit: 'FORBIDDEN' },
  },
  {
    label: 'a bank with a revoked consent',
    as: { caller: bank, headers: { 'x-credit-matter': 'FINANCIAL_SERVICES', 'x-credit-consent': demoConsents.revoked } },
    subject: consented,
    granted: ['providers'],
    refused: { subject: 'FORBIDDEN', audit: 'FORBIDDEN' },
  },
  {
    label: 'a filed provider in good standing collecting with the subject’s consent',
    as: { caller: provider(0), headers: { 'x-credit-matter': 'PROVIDER_DATA_COLLECTION', 'x-credit-consent': demoConsents.providerCollection } },
    subject: world.subjects[3],
    granted: ['name', 'creditRecords', 'providers'],
    refused: { creditReports: 'FORBIDDEN', disclosures: 'FORBIDDEN', audit: 'FORBIDDEN' },
  },
  {
    label: 'a revoked provider collecting',
    as: { caller: provider(11), headers: { 'x-credit-matter': 'PROVIDER_DATA_COLLECTION', 'x-credit-consent': demoConsents.providerCollection } },
    subject: world.subjects[3],
    granted: ['providers'],
    refused: { subject: 'FORBIDDEN', audit: 'FORBIDDEN' },
  },
  {
    label: 'a caller without a token',
    as: {},
    subject: enterprise,
    granted: ['providers'],
    refused: { subject: 'UNAUTHENTICATED', audit: 'UNAUTHENTICATED' },
  },
];

async function auditRows(platform: Platform, requestId: string): Promise<{ outcome: string; subject_id: string | null; field_groups: string }[]> {
  return await platform.databases.audit.query('SELECT outcome, subject_id, field_groups FROM audit_entry WHERE request_id = ? ORDER BY sequence', [requestId]);
}

/** The entry of an attempt refused for a malformed purpose header: who made it and what of its purpose could be read, never the header's text. */
async function attemptAudited(platform: Platform, requestId: string) {
  return await platform.databases.audit.query(
    'SELECT outcome, actor, organisation, matter, case_number, consent_id, subject_id, field_groups, operation_name FROM audit_entry WHERE request_id = ? ORDER BY sequence',
    [requestId],
  );
}

/** A finance-bureau officer whose access the gateway's revocation file withdrew. */
const revokedOfficer: Caller = { ...finance, id: 'officer-who-left' };
const revocationsDirectory = fs.mkdtempSync(path.join(os.tmpdir(), 'access-revocations-'));
const revocationsFile = path.join(revocationsDirectory, 'revocations.json');
fs.writeFileSync(revocationsFile, JSON.stringify({ subjects: [revokedOfficer.id] }));
afterAll(() => fs.rmSync(revocationsDirectory, { recursive: true, force: true }));

describe.each(testDatabases)('access to fields through the gateway on $label', (database) => {
  const platform = usePlatform(database, 'access', { seedSubjects: world.subjects.length, revocations: { file: revocationsFile, list: readRevocationsFile(revocationsFile) } });
  /** The answer, and the id the gateway gave the request, by which its audit entries are found. */
  const query = (as: As, q: string, variables: Record<string, unknown>) => platform.query(q, variables, as).then((result) => ({ result, requestId: requestIdOf(result) }));

  it.each(cases)('answers $label with exactly the granted fields', async ({ as, subject, granted, refused }) => {
    const { result, requestId } = await query(as, MATRIX, { id: subject.id });
    for (const field of granted) expect([field, at(result.data, paths[field])]).not.toEqual([field, null]);
    for (const [field, code] of Object.entries(refused) as [Field, string][]) {
      expect([field, at(result.data, paths[field])]).toEqual([field, null]);
      const error = result.errors?.find((e) => JSON.stringify(e.path) === JSON.stringify(paths[field]));
      expect([field, error?.extensions?.code]).toEqual([field, code]);
    }
    // No error anywhere else, and nothing of the subject where the subject itself was refused.
    const refusedPaths = Object.keys(refused).map((f) => JSON.stringify(paths[f as Field]));
    expect((result.errors ?? []).map((e) => JSON.stringify(e.path)).filter((p) => !refusedPaths.includes(p))).toEqual([]);
    expect(JSON.stringify(result)).not.toContain('disclosures":[');

    const rows = await auditRows(platform, requestId);
    const disclosed = rows.filter((r) => r.outcome === 'DISCLOSED');
    if (granted.includes('name')) expect(disclosed.map((r) => r.subject_id)).toContain(subject.id);
    else expect(disclosed).toEqual([]);
    if (Object.keys(refused).length) expect(rows.some((r) => r.outcome === 'DENIED')).toBe(true);
  });

  it('refuses data collection by a provider whose filing no longer allows it, whatever its consents', async () => {
    const { result } = await query({ caller: provider(11), headers: { 'x-credit-matter': 'PROVIDER_DATA_COLLECTION', 'x-credit-consent': demoConsents.providerCollection } }, MATRIX, { id: world.subjects[3].id });
    expect(result.errors?.find((e) => JSON.stringify(e.path) === '["subject"]')?.message).toContain('is not a filed provider allowed to collect public credit data');
  });

  it('refuses a provider token whose organisation is no credit code as a token, before the registry is asked, not as an outage', async () => {
    const noCode: As = { caller: { ...provider(0), organisation: 'NOT-A-CREDIT-CODE' }, headers: { 'x-credit-matter': 'PROVIDER_DATA_COLLECTION', 'x-credit-consent': demoConsents.providerCollection } };
    const { result, requestId } = await query(noCode, MATRIX, { id: world.subjects[3].id });
    expect(result.status).toBe(401);
    expect(result.errors?.map((e) => [e.extensions?.code, e.extensions?.problem])).toEqual([['UNAUTHENTICATED', 'TOKEN_CLAIMS_INVALID']]);
    expect(result.errors?.[0].message).toContain("the token's org must be the organisation's unified social credit code when org_kind is CREDIT_SERVICE_PROVIDER, got NOT-A-CREDIT-CODE");
    expect(await attemptAudited(platform, requestId)).toEqual([expect.objectContaining({ outcome: 'DENIED', actor: 'collector', organisation: 'unverified', subject_id: null })]);
  });

  it('tells a caller refused without a purpose which matters open to it would grant the field, or that none would', async () => {
    const id = world.subjects.find((s) => s.kind === 'ENTERPRISE')!.id;
    const read = (await query({ caller: analyst }, `query ($id: ID!) { subject(id: $id) { name } }`, { id })).result;
    expect(read.errors?.[0].message).toBe('Query.subject needs the field group SUBJECT_BASICS: name the matter in the x-credit-matter header (STATISTICAL_ANALYSIS)');
    const officerRead = (await query({ caller: finance }, `query ($id: ID!) { subject(id: $id) { name } }`, { id })).result;
    expect(officerRead.errors?.[0].message).toMatch(/: name the matter in the x-credit-matter header \(.*GOVERNMENT_PROCUREMENT.*\), and the case in x-credit-case$/);
    expect(officerRead.errors?.[0].message).not.toContain('CREDIT_SUPERVISION');
    // A matter that opens one subject only says which: a subject's own inquiry, a consent's subject.
    const own: Caller = { id: 'self', organisation: enterprise.identifier, organisationKind: 'ENTERPRISE', role: 'EXTERNAL_USER', subjectId: enterprise.id };
    const ownRead = (await query({ caller: own }, `query ($id: ID!) { subject(id: $id) { name } }`, { id })).result;
    expect(ownRead.errors?.[0].message).toBe(
      "Query.subject needs the field group SUBJECT_BASICS: name the matter in the x-credit-matter header (COMMERCIAL_DUE_DILIGENCE, with the subject's consent; SELF_INQUIRY, for its own subject only)",
    );
    const bankRead = (await query({ caller: bank }, `query ($id: ID!) { subject(id: $id) { name } }`, { id })).result;
    expect(bankRead.errors?.[0].message).toContain("FINANCIAL_SERVICES, with the subject's consent");
    // No matter grants the audit log or record submission to these callers: naming one would not help.
    const chain = (await query({ caller: finance }, '{ verifyAuditChain { intact } }', {})).result;
    expect(chain.errors?.[0].message).toBe('Query.verifyAuditChain needs the field group AUDIT, which no matter grants to DEPARTMENT_OFFICER callers of FINANCE');
    const submit = (await query({ caller: analyst }, 'mutation { submitCreditRecord(input: { subjectCode: "x", category: "x", documentNumber: "x", decisionDate: "2026-01-01", summary: "x" }) { outcome } }', {})).result;
    expect(submit.errors?.[0].message).toBe('Mutation.submitCreditRecord needs the field group RECORD_SUBMISSION, which no matter grants to ANALYST callers of DEVELOPMENT_REFORM');
  });

  it('names on its refusal the case number of an attempt that sent one without a matter, and on nothing else', async () => {
    const id = world.subjects.find((s) => s.kind === 'ENTERPRISE')!.id;
    const { result, requestId } = await query({ caller: finance, headers: { 'x-credit-case': 'CG-2026-77' } }, `query ($id: ID!) { subject(id: $id) { name } }`, { id });
    expect(result.errors?.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
    expect((await attemptAudited(platform, requestId)).map((r: { outcome: string; matter: string | null; case_number: string | null; subject_id: string | null }) => [r.outcome, r.matter, r.case_number, r.subject_id])).toEqual([
      ['DENIED', null, 'CG-2026-77', id],
    ]);
  });

  it('masks a citizen ID number unless the purpose grants personal identifiers, and audits the number read whole as PERSONAL_IDENTIFIERS in the person\'s trail', async () => {
    const PERSON = `query($id: ID!) { subject(id: $id) { citizenIdNumber registeredAddress } }`;
    const masked = await query({ caller: finance, headers: matter('STATE_ASSET_TRANSFER') }, PERSON, { id: person.id });
    expect(masked.result.data).toEqual({ subject: { citizenIdNumber: `${person.identifier.slice(0, 4)}**********${person.identifier.slice(14)}`, registeredAddress: expect.stringMatching(/区\*\*\*\*$/) } });
    const clear = await query({ caller: organisationDepartment, headers: matter('PERSONNEL_REVIEW') }, PERSON, { id: person.id });
    expect(clear.result.data).toEqual({ subject: { citizenIdNumber: person.identifier, registeredAddress: person.registeredAddress } });
    const groupsDisclosed = async (requestId: string) => (await auditRows(platform, requestId)).map((r) => [r.outcome, r.subject_id, r.field_groups.split(',').sort()]);
    expect(await groupsDisclosed(masked.requestId)).toEqual([['DISCLOSED', person.id, ['SUBJECT_BASICS']]]);
    expect(await groupsDisclosed(clear.requestId)).toEqual([['DISCLOSED', person.id, ['PERSONAL_IDENTIFIERS', 'SUBJECT_BASICS']]]);
  });

  it('answers a selection whose every field is refused with exactly the fields asked for, at the root, in an object and in a list', async () => {
    const analystAs = { caller: analyst, headers: { 'x-credit-matter': 'STATISTICAL_ANALYSIS' } };
    const inObject = (await query(analystAs, `query($id: ID!) { subject(id: $id) { creditReports { totalCount } disclosures { totalCount } } }`, { id: enterprise.id })).result;
    expect(inObject.data).toEqual({ subject: { creditReports: null, disclosures: null } });
    expect(inObject.errors?.map((e) => [e.path, e.extensions?.code])).toEqual([
      [['subject', 'creditReports'], 'FORBIDDEN'],
      [['subject', 'disclosures'], 'FORBIDDEN'],
    ]);

    const PROVIDERS = `{ creditServiceProviders(first: 2) { edges { node { sanctions { kind } violations { id } } } } }`;
    const inList = (await query({ caller: finance, headers: matter('GOVERNMENT_PROCUREMENT') }, PROVIDERS, {})).result;
    const node = { sanctions: null, violations: null };
    expect(inList.data).toEqual({ creditServiceProviders: { edges: [{ node }, { node }] } });
    expect(inList.errors?.map((e) => [e.path, e.extensions?.code])).toEqual([
      [['creditServiceProviders', 'edges', 0, 'node', 'sanctions'], 'FORBIDDEN'],
      [['creditServiceProviders', 'edges', 1, 'node', 'sanctions'], 'FORBIDDEN'],
      [['creditServiceProviders', 'edges', 0, 'node', 'violations'], 'FORBIDDEN'],
      [['creditServiceProviders', 'edges', 1, 'node', 'violations'], 'FORBIDDEN'],
    ]);

    const atRoot = (await query({ caller: finance, headers: matter('GOVERNMENT_PROCUREMENT') }, `query($id: ID!) { auditEntriesBySubject(subjectId: $id) { totalCount } }`, { id: enterprise.id })).result;
    expect(atRoot.data).toEqual({ auditEntriesBySubject: null });

    // A type name the client asked for itself is part of its answer.
    const asked = (await query(analystAs, `query($id: ID!) { subject(id: $id) { __typename creditReports { totalCount } } }`, { id: enterprise.id })).result;
    expect(asked.data).toEqual({ subject: { __typename: 'Subject', creditReports: null } });
  });

  // From a probe: an officer handed a report its issuer must vouch for (verifyCreditReport:
  // NOT_ISSUED_HERE) found no number to call but the one printed on it, a forger's if it is forged.
  it("answers a filed provider's contact telephone to anyone, as the registry's other particulars", async () => {
    const filed = world.providers.find((p) => p.filingStatus === 'FILED')!;
    const CONTACT = `query($code: String!) { creditServiceProviderByCode(code: $code) { name contact } }`;
    for (const as of [{}, { caller: finance, headers: matter('GOVERNMENT_PROCUREMENT') }, { caller: finance }]) {
      const { result } = await query(as, CONTACT, { code: filed.unifiedSocialCreditCode });
      expect(result.errors).toBeUndefined();
      expect(result.data).toEqual({ creditServiceProviderByCode: { name: filed.name, contact: filed.contact } });
    }
  });

  it('refuses nothing the client left out with @skip or @include, and guards what they keep', async () => {
    const analystAs = { caller: analyst, headers: { 'x-credit-matter': 'STATISTICAL_ANALYSIS' } };
    const READ = `query($id: ID!, $withReports: Boolean!) {
      subject(id: $id) { name creditReports @include(if: $withReports) { totalCount } ...Log @skip(if: true) }
    }
    fragment Log on Subject { disclosures { totalCount } }`;
    const left = (await query(analystAs, READ, { id: enterprise.id, withReports: false })).result;
    expect(left).toEqual({ status: 200, data: { subject: { name: enterprise.name } } });
    const kept = (await query(analystAs, READ, { id: enterprise.id, withReports: true })).result;
    expect(kept.data).toEqual({ subject: { name: enterprise.name, creditReports: null } });
    expect(kept.errors?.map((e) => [e.path, e.extensions?.code])).toEqual([[['subject', 'creditReports'], 'FORBIDDEN']]);
  });

  it('tells a purpose without natural persons nothing of whether a citizen ID number is registered', async () => {
    const analystAs = { caller: analyst, headers: { 'x-credit-matter': 'STATISTICAL_ANALYSIS' } };
    const ask = async (code: string) => (await query(analystAs, `query($code: String!) { subjectByCode(code: $code) { name } }`, { code })).result;
    const registered = await ask(person.identifier);
    const unregistered = await ask(citizenIdNumber({ division: '130304', birthDate: '19800115', sequence: '997' }));
    expect(registered.data).toEqual({ subjectByCode: null });
    expect(registered.errors?.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
    expect(unregistered.data).toEqual(registered.data);
    expect(unregistered.errors?.map((e) => [e.message, e.extensions?.code])).toEqual(registered.errors?.map((e) => [e.message, e.extensions?.code]));
    // An enterprise's code is looked up as before.
    expect((await ask(enterprise.identifier)).data).toEqual({ subjectByCode: { name: enterprise.name } });
  });

  it('tells a consent-scoped caller nothing about a subject that does not exist', async () => {
    const bankAs = { caller: bank, headers: { 'x-credit-matter': 'FINANCIAL_SERVICES', 'x-credit-consent': demoConsents.bankFinancialServices } };
    const missing = (await query(bankAs, `query { subjectByCode(code: "914403001922038216") { name } }`, {})).result;
    const existing = (await query(bankAs, `query($code: String!) { subjectByCode(code: $code) { name } }`, { code: other.identifier })).result;
    expect(missing.data).toEqual({ subjectByCode: null });
    expect(existing.data).toEqual({ subjectByCode: null });
    expect(missing.errors?.map((e) => [e.message, e.extensions?.code])).toEqual(existing.errors?.map((e) => [e.message, e.extensions?.code]));

    // Nor about another subject's records: an active one, a restricted one and none at all are refused alike.
    const recordsOf = async (status: string) =>
      ((await platform.databases.records.query('SELECT id FROM credit_record WHERE subject_id <> ? AND status = ? LIMIT 1', [consented.id, status])) as { id: string }[])[0].id;
    const refusals = [];
    for (const id of [await recordsOf('ACTIVE'), await recordsOf('RESTORED'), 'no-such-record']) {
      const { result } = await query(bankAs, `query($id: ID!) { creditRecord(id: $id) { id summary } }`, { id });
      expect(result.data).toEqual({ creditRecord: null });
      refusals.push(result.errors?.map((e) => [e.message, e.extensions?.code]));
    }
    expect(refusals[1]).toEqual(refusals[0]);
    expect(refusals[2]).toEqual(refusals[0]);
  });

  /** A token signed with the platform's secret (or none), shaped by the case: the claims and dates `mintToken` would not write. */
  const shaped = async (p: Platform, claims: Record<string, unknown>, shape: (jwt: SignJWT) => SignJWT = (jwt) => jwt.setExpirationTime('1h')) =>
    await shape(new SignJWT({ org: 'FINANCE', org_kind: 'DEPARTMENT', role: 'DEPARTMENT_OFFICER', ...claims }).setProtectedHeader({ alg: 'HS256' }).setSubject('officer-1').setIssuer(tokenIssuer).setAudience(tokenAudience).setIssuedAt()).sign(p.secrets.tokens);

  it.each([
    ['a forged signature', 'TOKEN_INVALID', async (p: Platform) => (await p.token(finance)).replace(/.{6}$/, 'AAAAAA')],
    ['an unsigned token (alg: none)', 'TOKEN_INVALID', async () => new UnsecuredJWT({ org: 'FINANCE', org_kind: 'DEPARTMENT', role: 'DEPARTMENT_OFFICER' }).setSubject('officer-1').setIssuer(tokenIssuer).setAudience(tokenAudience).setExpirationTime('1h').encode()],
    ['no JWT at all', 'TOKEN_INVALID', async () => 'not.a.token'],
    ['a token without an expiry', 'TOKEN_INVALID', async (p: Platform) => shaped(p, {}, (jwt) => jwt)],
    ['an expired token', 'TOKEN_EXPIRED', async (p: Platform) => p.token(finance, { expiresIn: Math.floor(Date.now() / 1000) - 60 })],
    ['a token valid for ten years', 'TOKEN_LIFETIME_TOO_LONG', async (p: Platform) => p.token(finance, { expiresIn: '3650d' })],
    ['a token of a revoked user', 'TOKEN_REVOKED', async (p: Platform) => p.token(revokedOfficer)],
    ['a token not valid for an hour yet', 'TOKEN_NOT_YET_VALID', async (p: Platform) => shaped(p, {}, (jwt) => jwt.setNotBefore('1h').setExpirationTime('2h'))],
    ['a token for another audience', 'TOKEN_AUDIENCE_MISMATCH', async (p: Platform) => p.token(finance, { audience: 'someone-else' })],
    ['a token from another issuer', 'TOKEN_ISSUER_MISMATCH', async (p: Platform) => p.token(finance, { issuer: 'someone-else' })],
    ['a token with a role no caller holds', 'TOKEN_CLAIMS_INVALID', async (p: Platform) => shaped(p, { role: 'ROOT' })],
    ["a bank's token naming a department as its organisation", 'TOKEN_CLAIMS_INVALID', async (p: Platform) => shaped(p, { org_kind: 'FINANCIAL_INSTITUTION', role: 'EXTERNAL_USER' })],
    ['a malformed header', 'AUTHORIZATION_MALFORMED', async () => 'not a token at all'],
  ])('refuses %s with 401 UNAUTHENTICATED, problem %s, no data, and audits the attempt', async (_label, problem, makeToken) => {
    const result = await postGraphQL(platform.gatewayUrl, { query: MATRIX, variables: { id: enterprise.id } }, { authorization: `Bearer ${await makeToken(platform)}`, ...matter('GOVERNMENT_PROCUREMENT') });
    const requestId = requestIdOf(result);
    expect(result.status).toBe(401);
    // RFC 6750: a client library knows from the challenge to fetch a new token, and from its description that the token expired.
    const challenges: Record<string, string> = {
      AUTHORIZATION_MALFORMED: 'error="invalid_request"',
      TOKEN_EXPIRED: 'error="invalid_token", error_description="the access token expired"',
      TOKEN_LIFETIME_TOO_LONG: 'error="invalid_token", error_description="the access token is valid for longer than this platform accepts"',
      TOKEN_REVOKED: 'error="invalid_token", error_description="the access token was revoked"',
    };
    expect(result.headers?.get('www-authenticate')).toBe(`Bearer realm="credit-platform", ${challenges[problem] ?? 'error="invalid_token"'}`);
    expect(result.data ?? null).toBeNull();
    // A front end switches on the problem (refreshing an expired token), never on the message.
    expect(result.errors?.map((e) => [e.extensions?.code, e.extensions?.problem])).toEqual([['UNAUTHENTICATED', problem]]);
    expect((await auditRows(platform, requestId)).map((r) => r.outcome)).toEqual(['DENIED']);
  });

  it('audits a token refused for its dates, or revoked, under the user and organisation its signature proved', async () => {
    const refusals = [
      { as: finance, token: await platform.token(finance, { expiresIn: Math.floor(Date.now() / 1000) - 60 }) },
      { as: finance, token: await platform.token(finance, { expiresIn: '3650d' }) },
      { as: revokedOfficer, token: await platform.token(revokedOfficer) },
    ];
    for (const { as, token } of refusals) {
      const result = await postGraphQL(platform.gatewayUrl, { query: '{ __typename }' }, { authorization: `Bearer ${token}` });
      const requestId = requestIdOf(result);
      expect(result.status).toBe(401);
      expect(await attemptAudited(platform, requestId)).toEqual([expect.objectContaining({ outcome: 'DENIED', actor: as.id, organisation: as.organisation, operation_name: `refused: ${result.errors?.[0].message}` })]);
    }
  });

  it('answers an Authorization header that is no bearer token with 401 and the invalid_request challenge', async () => {
    const result = await postGraphQL(platform.gatewayUrl, { query: '{ __typename }' }, { authorization: 'Basic dXNlcjpwYXNz' });
    expect(result.status).toBe(401);
    expect(result.headers?.get('www-authenticate')).toBe('Bearer realm="credit-platform", error="invalid_request"');
    expect(result.errors?.map((e) => [e.extensions?.code, e.extensions?.problem])).toEqual([['UNAUTHENTICATED', 'AUTHORIZATION_MALFORMED']]);
  });

  describe('a subgraph called directly', () => {
    it.each([
      ['without the gateway signature', async () => ({})],
      ['with a forged signature', async () => Object.fromEntries(Object.entries(await signedBy(fullAccess)).map(([k, v]) => [k, `${v.slice(0, -6)}AAAAAA`]))],
    ])('refuses a request %s with 401 and discloses nothing', async (_label, headers) => {
      const result: GraphQLResponse = await postGraphQL(platform.subgraphs.entities.url, { query: `query($id: ID!) { subject(id: $id) { name } }`, variables: { id: enterprise.id } }, await headers());
      expect(result.status).toBe(401);
      expect(result.data ?? null).toBeNull();
      expect(result.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    });

    it('still answers the federation SDL query composition tools need', async () => {
      const result = await postGraphQL<{ _service: { sdl: string } }>(platform.subgraphs.records.url, { query: '{ _service { sdl } }' });
      expect(result.data?._service.sdl).toContain('type CreditRecord');
    });
  });

  it("keeps a purpose to its kinds of subject on every path: procurement reads an enterprise's records through a record, never a person's", async () => {
    const recordOf = async (subjectId: string) => ((await platform.databases.records.query('SELECT id FROM credit_record WHERE subject_id = ? AND status = ? LIMIT 1', [subjectId, 'ACTIVE'])) as { id: string }[])[0].id;
    const THROUGH_RECORD = `query($id: ID!) { creditRecord(id: $id) { id subject { id creditRecords { totalCount } } } }`;
    const enterpriseRecord = await recordOf(enterprise.id);
    const fine = await query({ caller: finance, headers: matter('GOVERNMENT_PROCUREMENT') }, THROUGH_RECORD, { id: enterpriseRecord });
    expect(fine.result.errors).toBeUndefined();
    expect(fine.result.data).toMatchObject({ creditRecord: { id: enterpriseRecord, subject: { id: enterprise.id, creditRecords: { totalCount: expect.any(Number) } } } });

    const personRecord = await recordOf(person.id);
    const refused = await query({ caller: finance, headers: matter('GOVERNMENT_PROCUREMENT') }, THROUGH_RECORD, { id: personRecord });
    expect(refused.result.data).toEqual({ creditRecord: null });
    expect(refused.result.errors?.map((e) => [e.extensions?.code, e.message])).toEqual([['FORBIDDEN', expect.stringContaining('does not cover subjects of kind NATURAL_PERSON')]]);
    expect(JSON.stringify(refused.result)).not.toContain(person.id);
    // Audited as the refusal it was, against the person, and not as a disclosure of the record.
    expect((await auditRows(platform, refused.requestId)).map((r) => [r.outcome, r.subject_id])).toEqual([['DENIED', person.id]]);
    // The same record for personnel review, which reads natural persons.
    const personnel = await query({ caller: organisationDepartment, headers: matter('PERSONNEL_REVIEW') }, THROUGH_RECORD, { id: personRecord });
    expect(personnel.result.errors).toBeUndefined();
    expect(personnel.result.data).toMatchObject({ creditRecord: { id: personRecord, subject: { id: person.id } } });
  });

  it('keeps a purpose to its kinds of subject when a report is looked up by id, and audits the refusal against its subject', async () => {
    const reportOf = async (kind: string) => {
      const ids = world.subjects.filter((s) => (kind === 'NATURAL_PERSON') === (s.kind === 'NATURAL_PERSON')).map((s) => s.id);
      const rows: { id: string; subject_id: string }[] = await platform.databases.reports.query(`SELECT id, subject_id FROM credit_report WHERE subject_id IN (${ids.map(() => '?').join(', ')}) ORDER BY id LIMIT 1`, ids);
      return rows[0];
    };
    const BY_ID = `query($id: ID!) { creditReport(id: $id) { id grade validUntil } }`;
    const personReport = await reportOf('NATURAL_PERSON');
    const organisationReport = await reportOf('ENTERPRISE');
    expect(personReport && organisationReport).toBeTruthy();
    for (const [as, report, subjectKind] of [
      [{ caller: finance, headers: matter('GOVERNMENT_PROCUREMENT') }, personReport, 'NATURAL_PERSON'],
      [{ caller: organisationDepartment, headers: matter('PERSONNEL_REVIEW') }, organisationReport, undefined],
    ] as const) {
      const refused = await query(as, BY_ID, { id: report.id });
      expect(refused.result.data).toEqual({ creditReport: null });
      expect(refused.result.errors?.map((e) => [e.extensions?.code, e.message])).toEqual([['FORBIDDEN', expect.stringContaining(`does not cover subjects of kind ${subjectKind ?? ''}`)]]);
      expect(JSON.stringify(refused.result)).not.toContain(report.subject_id);
      expect((await auditRows(platform, refused.requestId)).map((r) => [r.outcome, r.subject_id])).toEqual([['DENIED', report.subject_id]]);
    }
    // Each report to the purpose that covers its subject.
    for (const [as, report] of [
      [{ caller: finance, headers: matter('GOVERNMENT_PROCUREMENT') }, organisationReport],
      [{ caller: organisationDepartment, headers: matter('PERSONNEL_REVIEW') }, personReport],
    ] as const) {
      const read = await query(as, BY_ID, { id: report.id });
      expect(read.result.errors).toBeUndefined();
      expect(read.result.data).toMatchObject({ creditReport: { id: report.id } });
      expect((await auditRows(platform, read.requestId)).map((r) => [r.outcome, r.subject_id])).toEqual([['DISCLOSED', report.subject_id]]);
    }
  });

  it('refuses text longer than the audit log stores, naming it, while the requests sharing its group commit are answered and audited', async () => {
    const ids = world.subjects.filter((s) => s.kind !== 'NATURAL_PERSON').slice(0, 8).map((s) => s.id);
    const read = `query Read($id: ID!) { subject(id: $id) { name } }`;
    const named = (name: string) => `query ${name}($id: ID!) { subject(id: $id) { name } }`;
    const oversized: { label: string; as: As; query: string; code: string; field?: string }[] = [
      { label: 'matter', as: { caller: finance, headers: { 'x-credit-matter': 'M'.repeat(65) } }, query: read, code: 'BAD_USER_INPUT', field: 'x-credit-matter' },
      { label: 'case number', as: { caller: finance, headers: matter('GOVERNMENT_PROCUREMENT', 'C'.repeat(101)) }, query: read, code: 'BAD_USER_INPUT', field: 'x-credit-case' },
      { label: 'consent', as: { caller: bank, headers: { 'x-credit-matter': 'FINANCIAL_SERVICES', 'x-credit-consent': 'c'.repeat(65) } }, query: read, code: 'BAD_USER_INPUT', field: 'x-credit-consent' },
      { label: 'operation name', as: { caller: finance, headers: matter('GOVERNMENT_PROCUREMENT') }, query: named('Op'.repeat(101)), code: 'GRAPHQL_VALIDATION_FAILED' },
      { label: 'anonymous, operation name', as: {}, query: named('Op'.repeat(101)), code: 'GRAPHQL_VALIDATION_FAILED' },
      { label: "token's sub", as: { caller: { ...finance, id: 'u'.repeat(101) }, headers: matter('GOVERNMENT_PROCUREMENT') }, query: read, code: 'UNAUTHENTICATED' },
      { label: "token's org", as: { caller: { ...bank, organisation: 'o'.repeat(65) }, headers: { 'x-credit-matter': 'FINANCIAL_SERVICES' } }, query: read, code: 'UNAUTHENTICATED' },
    ];
    // Every request at once, so that the refused ones would share a group commit with the others.
    const [refused, answered] = await Promise.all([
      Promise.all(oversized.map((o) => query(o.as, o.query, { id: ids[0] }))),
      Promise.all(ids.map((id) => query({ caller: finance, headers: matter('GOVERNMENT_PROCUREMENT', 'CASE-'.padEnd(100, '9')) }, named('R'.repeat(200)), { id }))),
    ]);
    for (const [i, { result, requestId }] of refused.entries()) {
      const { label, code, field } = oversized[i];
      expect({ label, status: result.status, data: result.data ?? null, errors: result.errors?.map((e) => [e.extensions?.code, e.extensions?.field]) }).toEqual({
        label,
        status: code === 'UNAUTHENTICATED' ? 401 : 400,
        data: null,
        errors: [[code, field]],
      });
      // A refused token is a denied attempt, audited without its claims, and so is a proved caller's
      // oversized purpose header, under the rest of the purpose; an operation name asked nothing.
      expect({ label, audited: (await auditRows(platform, requestId)).map((r) => r.outcome) }).toEqual({ label, audited: code === 'GRAPHQL_VALIDATION_FAILED' ? [] : ['DENIED'] });
    }
    const [matterAttempt, caseAttempt, consentAttempt] = await Promise.all(refused.slice(0, 3).map(({ requestId }) => attemptAudited(platform, requestId)));
    const attempt = (caller: Caller, matter: string | null, caseNumber: string | null, header: string) => ({
      outcome: 'DENIED', actor: caller.id, organisation: caller.organisation, matter, case_number: caseNumber, consent_id: null, subject_id: null, field_groups: '',
      operation_name: expect.stringMatching(new RegExp(`^refused: the ${header} header must be at most \\d+ characters, got \\d+$`)),
    });
    expect(matterAttempt).toEqual([attempt(finance, null, null, 'x-credit-matter')]);
    expect(caseAttempt).toEqual([attempt(finance, 'GOVERNMENT_PROCUREMENT', null, 'x-credit-case')]);
    expect(consentAttempt).toEqual([attempt(bank, 'FINANCIAL_SERVICES', null, 'x-credit-consent')]);
    // Text at the limits is answered and stored whole.
    for (const [i, { result, requestId }] of answered.entries()) {
      expect(result.errors).toBeUndefined();
      expect((result.data as { subject: { name: string } }).subject.name).toBeTruthy();
      const [row] = await platform.databases.audit.query('SELECT outcome, subject_id, operation_name, case_number FROM audit_entry WHERE request_id = ?', [requestId]);
      expect(row).toEqual({ outcome: 'DISCLOSED', subject_id: ids[i], operation_name: 'R'.repeat(200), case_number: 'CASE-'.padEnd(100, '9') });
    }
  });

  it('audits a refused token whose reason runs past the 200 characters the log keeps, cut between characters, never inside one', async () => {
    // The reason quotes the org: 63 emoji after one letter put the 200th UTF-16 unit between the halves of one.
    const organisation = `x${'\u{1F600}'.repeat(63)}`;
    const { result, requestId } = await query({ caller: { id: 'mislabelled', organisation, organisationKind: 'ENTERPRISE', role: 'REGISTRY_ADMIN' } }, '{ __typename }', {});
    expect(result.errors?.map((e) => e.extensions?.code)).toEqual(['UNAUTHENTICATED']);
    const [entry] = await attemptAudited(platform, requestId);
    expect(entry).toMatchObject({ outcome: 'DENIED', actor: 'mislabelled', organisation: 'unverified', subject_id: null });
    const reason = `refused: ${result.errors?.[0].message}`;
    expect([...entry.operation_name]).toEqual([...reason].slice(0, 200));
  });

  it('audits a token refused for what it claims under the user its signature proved, never under the organisation it claimed', async () => {
    const posing = [
      { id: 'bank-clerk-7', organisation: 'ＦＩＮＡＮＣＥ', organisationKind: 'FINANCIAL_INSTITUTION', role: 'EXTERNAL_USER' },
      { id: ' bank-clerk-8 ', organisation: 'CREDIT_OFFICE', organisationKind: 'FINANCIAL_INSTITUTION', role: 'REGISTRY_ADMIN' },
      // A bank's id is no enterprise's or provider's credit code (from a probe: both were audited, the bank under three kinds).
      { id: 'bank-clerk-9', organisation: 'BANK_HEBEI_BEIDAIHE', organisationKind: 'ENTERPRISE', role: 'EXTERNAL_USER' },
      { id: 'bank-clerk-10', organisation: 'BANK_HEBEI_BEIDAIHE', organisationKind: 'CREDIT_SERVICE_PROVIDER', role: 'EXTERNAL_USER' },
    ] as const;
    for (const caller of posing) {
      const { result, requestId } = await query({ caller, headers: matter('GOVERNMENT_PROCUREMENT') }, '{ __typename }', {});
      expect(result.status).toBe(401);
      expect(result.errors?.map((e) => e.extensions?.problem)).toEqual(['TOKEN_CLAIMS_INVALID']);
      expect(await attemptAudited(platform, requestId)).toEqual([expect.objectContaining({ outcome: 'DENIED', actor: caller.id.trim(), organisation: 'unverified', matter: null, subject_id: null })]);
    }
    // A user id the log cannot record as it reads is no proven user: the attempt is recorded as unverified.
    const hidden = await query({ caller: { id: 'clerk\u200b', organisation: 'FINANCE', organisationKind: 'FINANCIAL_INSTITUTION', role: 'EXTERNAL_USER' } }, '{ __typename }', {});
    expect(await attemptAudited(platform, hidden.requestId)).toEqual([expect.objectContaining({ outcome: 'DENIED', actor: 'unverified', organisation: 'unverified' })]);
  });

  it('audits a Chinese case number as sent, in UTF-8 or percent-encoded as a browser must send it, and refuses header text that is not UTF-8', async () => {
    const id = world.subjects.find((s) => s.kind !== 'NATURAL_PERSON')!.id;
    const read = `query Read($id: ID!) { subject(id: $id) { name } }`;
    // fetch writes each character of a header value as one byte: these are the UTF-8 bytes on the wire.
    const utf8Bytes = (text: string) => Buffer.from(text, 'utf8').toString('latin1');
    const caseNumber = '北财采〔2026〕17号';
    const long = '北戴河区财政局政府采购项目'.repeat(8).slice(0, 100);
    // 100 characters as the column counts them, 102 UTF-16 units: the limit is characters.
    const astral = `${'案'.repeat(98)}😀𠀀`;
    for (const [sent, stored] of [
      [utf8Bytes(caseNumber), caseNumber],
      [`UTF-8''${encodeURIComponent(caseNumber)}`, caseNumber],
      [`utf-8''${encodeURIComponent(` ${caseNumber} `)}`, caseNumber],
      [utf8Bytes(long), long],
      [`UTF-8''${encodeURIComponent(astral)}`, astral],
      // RFC 8187 lets a language tag stand between the quotes: it says nothing of the text (from a probe: it was stored as sent).
      [`UTF-8'zh'${encodeURIComponent(caseNumber)}`, caseNumber],
      [`utf-8'zh-Hans-CN'${encodeURIComponent(caseNumber)}`, caseNumber],
    ]) {
      const { result, requestId } = await query({ caller: finance, headers: matter('GOVERNMENT_PROCUREMENT', sent) }, read, { id });
      expect({ stored, errors: result.errors }).toEqual({ stored, errors: undefined });
      const rows: { case_number: string }[] = await platform.databases.audit.query('SELECT case_number FROM audit_entry WHERE request_id = ?', [requestId]);
      expect(rows.map((r) => r.case_number)).toEqual([stored]);
    }
    // The matter header is read the same way, so the request is read under the matter it named.
    const tagged = await query({ caller: finance, headers: matter(`UTF-8'en'GOVERNMENT_PROCUREMENT`, `UTF-8'zh'${encodeURIComponent(caseNumber)}`) }, read, { id });
    expect(tagged.result.errors).toBeUndefined();
    const taggedRows: { matter: string; case_number: string }[] = await platform.databases.audit.query('SELECT matter, case_number FROM audit_entry WHERE request_id = ?', [tagged.requestId]);
    expect(taggedRows).toEqual([{ matter: 'GOVERNMENT_PROCUREMENT', case_number: caseNumber }]);
    // Not UTF-8: a Latin-1 é, a sequence cut short, a percent-encoding cut short (with a language tag too); too long once decoded; control characters once decoded; a tag that is no language tag.
    for (const sent of ['caf\u00e9', utf8Bytes(caseNumber).slice(0, -1), `UTF-8''%E5%8C`, `UTF-8'zh'%E5%8C`, utf8Bytes(`${long}号`), `UTF-8''CG-1%0A2`, `UTF-8''CG-1%00`, 'CG-1\u0085', `UTF-8'z h'${encodeURIComponent(caseNumber)}`, `UTF-8''%0Aforged`, `UTF-8''%09forged%09`, `UTF-8''forged%0D%0A`, `UTF-8''%E2%80%A8x`]) {
      const { result, requestId } = await query({ caller: finance, headers: matter('GOVERNMENT_PROCUREMENT', sent) }, read, { id });
      expect({ sent, status: result.status, errors: result.errors?.map((e) => [e.extensions?.code, e.extensions?.field]) }).toEqual({ sent, status: 400, errors: [['BAD_USER_INPUT', 'x-credit-case']] });
      expect((await attemptAudited(platform, requestId)).map((r: { outcome: string; actor: string; matter: string; case_number: string | null }) => [r.outcome, r.actor, r.matter, r.case_number])).toEqual([['DENIED', finance.id, 'GOVERNMENT_PROCUREMENT', null]]);
    }
  });

  it('refuses a case number that is invisible, reversed or split once decoded, and percent-encoding mixed with raw bytes', async () => {
    const id = enterprise.id;
    const read = `query Read($id: ID!) { subject(id: $id) { name } }`;
    const utf8Bytes = (text: string) => Buffer.from(text, 'utf8').toString('latin1');
    // U+3164, the Hangul filler: a letter to Unicode, drawn as nothing.
    for (const sent of [utf8Bytes('\u200b'), `UTF-8''%E2%80%8B`, `UTF-8''%E2%80%AE1-GC-HDB`, utf8Bytes('CG\u20281'), `UTF-8''Caf${utf8Bytes('é')}`, '---', `UTF-8''%E3%85%A4`, `UTF-8''CG-1%EF%B8%8F`]) {
      const { result, requestId } = await query({ caller: finance, headers: matter('GOVERNMENT_PROCUREMENT', sent) }, read, { id });
      expect({ sent, status: result.status, errors: result.errors?.map((e) => [e.extensions?.code, e.extensions?.field]) }).toEqual({ sent, status: 400, errors: [['BAD_USER_INPUT', 'x-credit-case']] });
      // The officer's attempt is in the trail the credit office reads, its case as unreadable as it was.
      const audited = await attemptAudited(platform, requestId);
      expect(audited).toEqual([
        { outcome: 'DENIED', actor: finance.id, organisation: 'FINANCE', matter: 'GOVERNMENT_PROCUREMENT', case_number: null, consent_id: null, subject_id: null, field_groups: '', operation_name: expect.stringMatching(/^refused: the x-credit-case header must be UTF-8 text/) },
      ]);
      expect(audited[0].operation_name.length).toBeLessThanOrEqual(200);
    }
  });

  it('refuses a purpose header sent twice, which Node would join into a case never named', async () => {
    const { request } = await import('node:http');
    const body = JSON.stringify({ query: `{ subject(id: "${enterprise.id}") { name } }` });
    const token = await platform.token(finance);
    const status = await new Promise<{ status: number; body: string; requestId: string }>((resolve, reject) => {
      const req = request(platform.gatewayUrl, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'x-credit-matter': 'GOVERNMENT_PROCUREMENT', 'x-credit-case': ['A1', 'B2'] }, timeout: 10_000 }, (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text, requestId: requestIdOf(res) }));
      });
      req.on('error', reject);
      req.on('timeout', () => req.destroy(new Error('timed out')));
      req.end(body);
    });
    expect(status.status).toBe(400);
    expect(JSON.parse(status.body).errors.map((e: { extensions: { code: string; field: string } }) => [e.extensions.code, e.extensions.field])).toEqual([['BAD_USER_INPUT', 'x-credit-case']]);
    // Audited as the officer's denied attempt, naming neither of the two cases.
    expect(await attemptAudited(platform, status.requestId)).toEqual([
      { outcome: 'DENIED', actor: finance.id, organisation: 'FINANCE', matter: 'GOVERNMENT_PROCUREMENT', case_number: null, consent_id: null, subject_id: null, field_groups: '', operation_name: 'refused: the x-credit-case header must be sent once' },
    ]);
  });

  it("takes a token's subject_id as the caller's own subject only when that subject's code is its org", async () => {
    const own: Caller = { id: 'self', organisation: enterprise.identifier, organisationKind: 'ENTERPRISE', role: 'EXTERNAL_USER', subjectId: enterprise.id };
    const PERSON = `query($id: ID!) { subject(id: $id) { name citizenIdNumber } }`;
    const ownRead = (await query({ caller: own, headers: { 'x-credit-matter': 'SELF_INQUIRY' } }, `query($id: ID!) { subject(id: $id) { name } }`, { id: enterprise.id })).result;
    expect(ownRead.errors).toBeUndefined();
    // Its id as an identity provider may write it (a .NET Guid): its own all the same, shown whole.
    // It was taken as its own and then shown nothing, without an error, on MySQL.
    const upperCased = (await query({ caller: { ...own, subjectId: enterprise.id.toUpperCase() }, headers: { 'x-credit-matter': 'SELF_INQUIRY' } }, `{ viewer { subject { id name } } }`, {})).result;
    expect(upperCased).toEqual({ status: 200, data: { viewer: { subject: { id: enterprise.id, name: enterprise.name } } } });
    // The enterprise's token naming a person's subject id: refused, nothing of the person read.
    const { result, requestId } = await query({ caller: { ...own, subjectId: person.id }, headers: { 'x-credit-matter': 'SELF_INQUIRY' } }, PERSON, { id: person.id });
    expect(result.data).toEqual({ subject: null });
    expect(result.errors?.[0].message).toContain("the token's subject_id does not name the subject");
    expect(JSON.stringify(result)).not.toContain(person.identifier);
    expect((await auditRows(platform, requestId)).map((r) => r.outcome)).toEqual(['DENIED']);
  });

  it('reads a matter code typed in lower case or full width as the code, and audits the code', async () => {
    const utf8Bytes = (text: string) => Buffer.from(text, 'utf8').toString('latin1');
    for (const sent of ['government_procurement', utf8Bytes('ＧＯＶＥＲＮＭＥＮＴ＿ＰＲＯＣＵＲＥＭＥＮＴ')]) {
      const { result, requestId } = await query({ caller: finance, headers: matter(sent) }, `query($id: ID!) { subject(id: $id) { name } }`, { id: enterprise.id });
      expect({ sent, errors: result.errors, data: result.data }).toEqual({ sent, errors: undefined, data: { subject: { name: enterprise.name } } });
      const rows: { outcome: string; matter: string }[] = await platform.databases.audit.query('SELECT outcome, matter FROM audit_entry WHERE request_id = ?', [requestId]);
      expect(rows).toEqual([{ outcome: 'DISCLOSED', matter: 'GOVERNMENT_PROCUREMENT' }]);
    }
  });

  it("audits a consent only where the request was read under it: a consent header beside a matter that needs none is not cited", async () => {
    const { result, requestId } = await query({ caller: finance, headers: { ...matter('GOVERNMENT_PROCUREMENT'), 'x-credit-consent': demoConsents.bankFinancialServices } }, `query($id: ID!) { subject(id: $id) { name } }`, { id: enterprise.id });
    expect(result.errors).toBeUndefined();
    const rows: { consent_id: string | null }[] = await platform.databases.audit.query('SELECT consent_id FROM audit_entry WHERE request_id = ?', [requestId]);
    expect(rows).toEqual([{ consent_id: null }]);
  });

  it('writes exactly one entry per subject and request under concurrent load, in few batches, and the chain verifies', async () => {
    const ids = world.subjects.filter((s) => s.kind !== 'NATURAL_PERSON').slice(0, 10).map((s) => s.id);
    const before = { ...platform.gateway.audit!.written };
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) => query({ caller: finance, headers: matter('GOVERNMENT_PROCUREMENT', `LOAD-${i}`) }, `query($id: ID!) { subject(id: $id) { name creditRecords { totalCount } } }`, { id: ids[i % ids.length] })),
    );
    for (const [i, { result, requestId }] of results.entries()) {
      expect(result.errors).toBeUndefined();
      const rows = await auditRows(platform, requestId);
      expect(rows.map((r) => [r.outcome, r.subject_id])).toEqual([['DISCLOSED', ids[i % ids.length]]]);
      // A count covers every row the grants let it count, dishonesty lists included.
      expect(rows[0].field_groups.split(',')).toEqual(expect.arrayContaining(['PUBLIC_RECORDS', 'SUBJECT_BASICS']));
      expect(['DISHONESTY_LISTS', 'PUBLIC_RECORDS', 'SUBJECT_BASICS']).toEqual(expect.arrayContaining(rows[0].field_groups.split(',')));
    }
    const { written } = platform.gateway.audit!;
    expect(written.entries - before.entries).toBe(40);
    expect(written.batches - before.batches).toBeLessThan(40);
    const chain = await platform.query<{ verifyAuditChain: { intact: boolean } }>('{ verifyAuditChain { intact entries firstBrokenSequence } }', {}, supervisor);
    expect(chain.data?.verifyAuditChain.intact).toBe(true);
  });

  it('withholds every answer that would disclose data while the audit log cannot be written', async () => {
    await platform.subgraphs.audit.stop();
    const { result } = await query({ caller: finance, headers: matter('GOVERNMENT_PROCUREMENT') }, `query($id: ID!) { subject(id: $id) { name } }`, { id: enterprise.id });
    expect(result.data ?? null).toBeNull();
    expect(result.errors?.map((e) => e.extensions?.code)).toEqual(['AUDIT_UNAVAILABLE']);
    expect(JSON.stringify(result)).not.toContain(enterprise.name);
  });
});
