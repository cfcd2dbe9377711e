import { findDepartment, namesDepartment, type DepartmentCode } from '../catalogue/departments';
import { findMatter, matters, responsibleFor, selfInquiry, supervisingDepartments, type Matter, type SubjectKind } from '../catalogue/matters';
import type { FieldGroup } from './field-groups';
import { callerInWords, organisationKinds, purposeHeaders, type Caller, type OrganisationKind, type Purpose, type Role } from './identity';

/**
 * The policy catalogue: what each kind of caller may read, for which purpose. Data, not code
 * branches: `decideGrants` only reads these tables, and docs/access.md's access table is
 * generated from them (`npm run docs`).
 */

/** Groups a purpose grants when its users invoke it (on top of the standing grants below). */
export const purposeGrants: Record<string, readonly FieldGroup[]> = {
  CONSTRUCTION_BIDDING: ['SUBJECT_BASICS', 'PUBLIC_RECORDS', 'DISHONESTY_LISTS', 'REPORTS', 'CREDIT_CHECK'],
  GOVERNMENT_PROCUREMENT: ['SUBJECT_BASICS', 'PUBLIC_RECORDS', 'DISHONESTY_LISTS', 'REPORTS', 'CREDIT_CHECK'],
  DRUG_PROCUREMENT: ['SUBJECT_BASICS', 'PUBLIC_RECORDS', 'DISHONESTY_LISTS', 'REPORTS', 'CREDIT_CHECK'],
  STATE_ASSET_TRANSFER: ['SUBJECT_BASICS', 'PUBLIC_RECORDS', 'DISHONESTY_LISTS', 'REPORTS', 'CREDIT_CHECK'],
  FISCAL_SUPPORT: ['SUBJECT_BASICS', 'PUBLIC_RECORDS', 'DISHONESTY_LISTS', 'REPORTS', 'CREDIT_CHECK'],
  TAX_INCENTIVES: ['SUBJECT_BASICS', 'PUBLIC_RECORDS', 'DISHONESTY_LISTS', 'REPORTS', 'CREDIT_CHECK'],
  AWARDS_AND_RATINGS: ['SUBJECT_BASICS', 'PUBLIC_RECORDS', 'DISHONESTY_LISTS', 'REPORTS', 'CREDIT_CHECK'],
  // Reviewing a person's qualification or a candidate's record identifies the person.
  QUALIFICATION_REVIEW: ['SUBJECT_BASICS', 'PERSONAL_IDENTIFIERS', 'PUBLIC_RECORDS', 'DISHONESTY_LISTS', 'REPORTS', 'CREDIT_CHECK'],
  // 三(二)9: "个人信用记录和相关信用信息报告", records and reports alike.
  PERSONNEL_REVIEW: ['SUBJECT_BASICS', 'PERSONAL_IDENTIFIERS', 'PUBLIC_RECORDS', 'DISHONESTY_LISTS', 'REPORTS', 'CREDIT_CHECK'],
  KEY_FIELD_SUPERVISION: ['SUBJECT_BASICS', 'PUBLIC_RECORDS', 'DISHONESTY_LISTS', 'REPORTS', 'CREDIT_CHECK'],
  OTHER_STATUTORY: ['SUBJECT_BASICS', 'PUBLIC_RECORDS', 'DISHONESTY_LISTS', 'REPORTS', 'CREDIT_CHECK'],
  FINANCIAL_SERVICES: ['SUBJECT_BASICS', 'PUBLIC_RECORDS', 'DISHONESTY_LISTS', 'REPORTS'],
  COMMERCIAL_DUE_DILIGENCE: ['SUBJECT_BASICS', 'PUBLIC_RECORDS', 'DISHONESTY_LISTS'],
  PROVIDER_DATA_COLLECTION: ['SUBJECT_BASICS', 'PUBLIC_RECORDS', 'DISHONESTY_LISTS'],
  // Checking the lawful basis of a read: the consent an audit entry cites (CONSENTS reads, never
  // grants or revokes: that is CONSENT_REGISTRATION, the subject's and the window's). The
  // assessment's statistics count what checks found (a punishment: a dishonesty list), so they are
  // read where the findings are, in the supervision, never on the role's standing alone.
  // The objections it counts there (a department's overdue ones, 逾期未处理) it also lists, to
  // follow them up: every supervising department's supervisor, as each counts every department's
  // (五(一)). To read only: the records subgraph lets no supervisor file, withdraw or decide one
  // (record-roles.ts; the credit office decides those to its own records, as a source department).
  CREDIT_SUPERVISION: ['SUBJECT_BASICS', 'PUBLIC_RECORDS', 'DISHONESTY_LISTS', 'RESTRICTED_RECORDS', 'REPORTS', 'DISCLOSURE_LOG', 'CONSENTS', 'SUPERVISION_STATISTICS', 'RECORD_OBJECTIONS'],
  STATISTICAL_ANALYSIS: ['SUBJECT_BASICS', 'PUBLIC_RECORDS'],
  // The subject's own objections and restoration applications, and its records' history (issue 5).
  // Its own public credit report, to provide where a department asks for one (三(一)1): scoped to
  // its own subject like everything here, masked as every report is (subgraphs/reports/generation.ts).
  SELF_INQUIRY: ['SUBJECT_BASICS', 'PERSONAL_IDENTIFIERS', 'PUBLIC_RECORDS', 'DISHONESTY_LISTS', 'RESTRICTED_RECORDS', 'REPORTS', 'REPORT_GENERATION', 'DISCLOSURE_LOG', 'CONSENTS', 'CONSENT_REGISTRATION', 'RECORD_OBJECTIONS', 'RECORD_RESTORATION', 'RECORD_HISTORY'],
};

/**
 * Statistical disclosure control (小单元格抑制): a statistic an analyst reads concerns at least this
 * many distinct subjects, and smaller ones are folded together (`auditStatistics`,
 * `creditRecordStatistics`), so that no count singles out a subject.
 */
export const minimumSubjectsPerStatistic = 5;

export interface StandingGrant {
  who: string;
  organisationKinds?: readonly OrganisationKind[];
  roles?: readonly Role[];
  departments?: readonly DepartmentCode[];
  /** True: also for requests without a token. */
  anonymous?: boolean;
  groups: readonly FieldGroup[];
}

/**
 * Who may hold each role: every grant and every check downstream reads the role as meaning its
 * holder, so a token naming a role its organisation cannot hold (a bank's "analyst", a tax
 * bureau's "credit office supervisor") is refused here rather than trusted there.
 */
export const roleHolders: Record<Role, { kinds: readonly OrganisationKind[]; departments?: readonly DepartmentCode[]; who: string }> = {
  DEPARTMENT_OFFICER: { kinds: ['DEPARTMENT'], who: 'officers of district departments' },
  CREDIT_OFFICE_SUPERVISOR: { kinds: ['DEPARTMENT'], departments: supervisingDepartments, who: `the supervising departments ${supervisingDepartments.join(', ')}` },
  REGISTRY_ADMIN: { kinds: ['DEPARTMENT'], departments: ['CREDIT_OFFICE'], who: 'the credit office, which keeps the provider registry' },
  ANALYST: { kinds: ['DEPARTMENT'], who: "district departments' analysts" },
  EXTERNAL_USER: { kinds: organisationKinds.filter((k) => k !== 'DEPARTMENT'), who: 'users outside the administration (banks, providers, enterprises, persons)' },
};

/**
 * Why a role cannot be held by this organisation (`role … is held only by …`), or undefined when it
 * can. `organisation` as the platform reads it (trimmed, a code upper-cased); `shown`, as the
 * refusal may name it (a person's number masked).
 */
export function roleRefusal(role: Role, organisationKind: OrganisationKind, organisation: string, shown = organisation): string | undefined {
  const holders = roleHolders[role];
  if (holders.kinds.includes(organisationKind) && (!holders.departments || namesDepartment(holders.departments, organisation))) return undefined;
  return `role ${role} is held only by ${holders.who}, not by ${shown} (${organisationKind})`;
}

/** Grants that need no purpose: public data, and each role's own administrative work. */
export const standingGrants: readonly StandingGrant[] = [
  { who: 'anyone, with or without a token', anonymous: true, groups: ['PROVIDER_REGISTRY'] },
  // The district files and classifies providers (四(三)): a token naming the role for a provider or a bank is refused at the door (roleRefusal).
  { who: 'provider registry admins of the credit office', organisationKinds: ['DEPARTMENT'], roles: ['REGISTRY_ADMIN'], departments: ['CREDIT_OFFICE'], groups: ['PROVIDER_ADMINISTRATION', 'PROVIDER_SUPERVISION_FILE'] },
  // The role alone is not enough: a token naming it for a bank or another department reads no audit log.
  { who: 'the credit office and the supervising departments', organisationKinds: ['DEPARTMENT'], roles: ['CREDIT_OFFICE_SUPERVISOR'], departments: supervisingDepartments, groups: ['AUDIT', 'STATISTICS'] },
  // The platform's window records a consent a subject gave on paper (授权书), on the subject's
  // behalf. Not every department: an officer deciding a case could otherwise consent for the
  // subject to any reader, revoke a consent the subject gave its bank, or read whom it consented to.
  { who: 'the credit office’s window officers', organisationKinds: ['DEPARTMENT'], roles: ['DEPARTMENT_OFFICER'], departments: ['CREDIT_OFFICE'], groups: ['CONSENTS', 'CONSENT_REGISTRATION'] },
  // A grantee learns a consent's id, to name in x-credit-consent, from its own list of the consents
  // given to it, and sees there when one is revoked or expires: read before any consent is named,
  // so with no purpose. The entities subgraph lists those naming the caller's own organisation only.
  {
    who: 'banks, credit service providers, enterprises and persons, for the consents given to them',
    organisationKinds: ['FINANCIAL_INSTITUTION', 'CREDIT_SERVICE_PROVIDER', 'ENTERPRISE', 'INDIVIDUAL'],
    roles: ['EXTERNAL_USER'],
    groups: ['CONSENTS_RECEIVED'],
  },
  // The district's analysts (五(一)): a token naming the role for a bank or an enterprise reads no statistics of who used the platform.
  { who: 'analysts of district departments', organisationKinds: ['DEPARTMENT'], roles: ['ANALYST'], groups: ['STATISTICS'] },
  // A provider applies for filing only in its own name, and reads what the registry recorded
  // against it (a sanction is answered only if its provider knows of it): the providers subgraph
  // compares the code with the token.
  { who: 'credit service providers, for their own filing and supervision file', organisationKinds: ['CREDIT_SERVICE_PROVIDER'], roles: ['EXTERNAL_USER'], groups: ['PROVIDER_APPLICATION', 'PROVIDER_SUPERVISION_FILE'] },
  // Officers file reports with their case papers, under the case's purpose (REPORTS; the reports
  // subgraph checks it); generating one also needs a purpose that grants the subject's records.
  { who: 'department officers, registering and generating credit reports', organisationKinds: ['DEPARTMENT'], roles: ['DEPARTMENT_OFFICER'], groups: ['REPORT_REGISTRATION', 'REPORT_GENERATION'] },
  // In its supervision (CREDIT_SUPERVISION grants REPORTS) the credit office also records what checking a report found.
  { who: 'the credit office, generating public credit reports and checking reports', organisationKinds: ['DEPARTMENT'], roles: ['CREDIT_OFFICE_SUPERVISOR'], departments: ['CREDIT_OFFICE'], groups: ['REPORT_GENERATION', 'REPORT_REGISTRATION'] },
  // A department submits only in its own name, files objections and applications for subjects at
  // its windows, and decides those about the records it supplied (the records subgraph checks which).
  {
    who: 'department officers, for their own department’s records',
    organisationKinds: ['DEPARTMENT'],
    roles: ['DEPARTMENT_OFFICER'],
    groups: ['RECORD_SUBMISSION', 'RECORD_OBJECTIONS', 'RECORD_RESTORATION', 'RECORD_HISTORY'],
  },
  { who: 'the credit office, deciding restorations and supervising every record’s lifecycle', organisationKinds: ['DEPARTMENT'], roles: ['CREDIT_OFFICE_SUPERVISOR'], departments: ['CREDIT_OFFICE'], groups: ['RECORD_OBJECTIONS', 'RECORD_RESTORATION', 'RECORD_HISTORY'] },
  // The review ledger: a department reads its own checks (the records subgraph filters), the credit office all.
  { who: 'department officers, reading their own review ledger', organisationKinds: ['DEPARTMENT'], roles: ['DEPARTMENT_OFFICER'], groups: ['CREDIT_CHECK_LEDGER'] },
  { who: 'the credit office and the supervising departments, reading every department’s ledger', organisationKinds: ['DEPARTMENT'], roles: ['CREDIT_OFFICE_SUPERVISOR'], departments: supervisingDepartments, groups: ['CREDIT_CHECK_LEDGER'] },
  {
    who: 'officers registering market subjects',
    organisationKinds: ['DEPARTMENT'],
    roles: ['DEPARTMENT_OFFICER'],
    departments: ['ADMINISTRATIVE_APPROVAL', 'MARKET_REGULATION'],
    groups: ['SUBJECT_REGISTRATION'],
  },
];

export interface GrantDecision {
  groups: FieldGroup[];
  /** Which subjects the purpose allows: a consented or own subject, and/or kinds of subject. */
  scope: { subjectId?: string; subjectKinds?: readonly SubjectKind[] };
  /** Why the named purpose grants nothing, for the FORBIDDEN errors and the audit entry. */
  purposeRefused?: PurposeRefusal;
  /**
   * The consent the request cited, given to this caller but refused (revoked, expired, not yet
   * valid, another matter's), or cited under a purpose refused before it (a matter the caller may
   * not name): named on the request's DENIED entries, so that the credit office finds every
   * attempt made under it.
   */
  consentRefused?: string;
}

function matches(caller: Caller | null, grant: StandingGrant): boolean {
  if (!caller) return grant.anonymous === true;
  if (grant.anonymous) return true;
  return (
    (!grant.organisationKinds || grant.organisationKinds.includes(caller.organisationKind)) &&
    (!grant.roles || grant.roles.includes(caller.role)) &&
    (!grant.departments || namesDepartment(grant.departments, caller.organisation))
  );
}

/**
 * Why a named purpose is refused, as a front end tells the cases apart (`extensions.problem` of
 * the errors at the fields it would have opened; README, Errors, whose list this is: keep the two
 * in sync). Decided here from the catalogue, or by the gateway from the registers it asks
 * (gateway/request-access.ts: the consent, the token's own subject, the provider's standing).
 */
export const purposeProblems = [
  'UNKNOWN_MATTER',
  'AUTHENTICATION_REQUIRED',
  'MATTER_NOT_OPEN_TO_CALLER',
  'DEPARTMENT_NOT_RESPONSIBLE',
  'CASE_NUMBER_REQUIRED',
  'CONSENT_REQUIRED',
  'TOKEN_SUBJECT_REQUIRED',
  'TOKEN_SUBJECT_NOT_OWN',
  'PROVIDER_MAY_NOT_COLLECT',
  'CONSENT_NOT_GIVEN_TO_CALLER',
  'CONSENT_NOT_FOR_MATTER',
  'CONSENT_REVOKED',
  'CONSENT_EXPIRED',
  'CONSENT_NOT_YET_VALID',
] as const;

export type PurposeProblem = (typeof purposeProblems)[number];

export interface PurposeRefusal {
  problem: PurposeProblem;
  /** The part of the purpose whose value was refused (its header is at fault); none when the caller's token or standing is. */
  part?: keyof Purpose;
  /** For a person: what was refused and why, never naming a subject the caller has no right to. */
  message: string;
}

/** A refused purpose as a FORBIDDEN error's extensions carry it: its `problem`, and the purpose `header` at fault, if one is. */
export function refusalDetails({ problem, part }: PurposeRefusal): { problem: PurposeProblem; header?: string } {
  return { problem, ...(part ? { header: purposeHeaders[part] } : {}) };
}

/**
 * Why a subgraph refuses what the request's purpose let through (a FORBIDDEN's `problem`, beside
 * the purpose problems): a front end switches on it; the message, for people, says the rest.
 */
export const refusalProblems = [
  /** The request was not granted the field group the error's `group` names. */
  'GROUP_NOT_GRANTED',
  /** The purpose covers other kinds of subject (procurement: organisations; personnel review: persons). */
  'SUBJECT_KIND_NOT_COVERED',
  /** The purpose covers some kinds of subject only, and this subject's kind could not be established. */
  'SUBJECT_KIND_UNKNOWN',
  /** A request scoped to one subject (a consent, a subject's own inquiry) reached another, or an unknown id. */
  'OUTSIDE_SUBJECT_SCOPE',
  /** Done or read under another purpose only: a check's own matter and case, or the credit office's supervision. */
  'PURPOSE_MISMATCH',
  /** Not this caller's to do or read: another department's, another provider's, the source department's. */
  'NOT_ENTITLED',
] as const;

/** A FORBIDDEN error's `problem`: a refused purpose's, or a subgraph's refusal's. */
export type AccessProblem = PurposeProblem | (typeof refusalProblems)[number];

/** Why this caller may not read under this matter, or undefined when it may. */
export function refusalOfPurpose(caller: Caller | null, purpose: Purpose, matter: Matter | undefined): PurposeRefusal | undefined {
  if (!matter) return { problem: 'UNKNOWN_MATTER', part: 'matter', message: `"${purpose.matter}" is not a matter or purpose in the catalogue` };
  if (!caller) return { problem: 'AUTHENTICATION_REQUIRED', message: `${matter.code} needs an authenticated caller` };
  const notOpen = (message: string): PurposeRefusal => ({ problem: 'MATTER_NOT_OPEN_TO_CALLER', part: 'matter', message });
  const { users } = matter;
  if (!users.organisationKinds.includes(caller.organisationKind)) return notOpen(`${matter.code} is not open to ${caller.organisationKind} callers`);
  if (!users.roles.includes(caller.role)) return notOpen(`${matter.code} is not open to the role ${caller.role}`);
  if (caller.organisationKind === 'DEPARTMENT' && users.departments) {
    const responsible = findDepartment(caller.organisation) !== undefined && responsibleFor(users, caller.organisation);
    if (!responsible) return { problem: 'DEPARTMENT_NOT_RESPONSIBLE', part: 'matter', message: `${caller.organisation} is not a department responsible for ${matter.code} (${matter.nameZh})` };
  }
  if (matter.caseNumberRequired && !purpose.caseNumber?.trim()) return { problem: 'CASE_NUMBER_REQUIRED', part: 'caseNumber', message: `${matter.code} is read case by case: name the case number` };
  if (matter.consentRequired && !purpose.consentId?.trim()) return { problem: 'CONSENT_REQUIRED', part: 'consentId', message: `${matter.code} needs the subject's consent: name the consent id` };
  if (matter.code === 'SELF_INQUIRY' && !caller.subjectId) return { problem: 'TOKEN_SUBJECT_REQUIRED', message: "SELF_INQUIRY needs a token that names the caller's own subject" };
  return undefined;
}

/**
 * The matters this caller may name whose purpose grants `group`, in catalogue order: what to tell a
 * caller refused it without a purpose. `subjectId`: the one subject the request may read (its
 * consent's), when known; the caller's own inquiry opens nothing of another subject.
 */
export function mattersGranting(caller: Caller, group: string, subjectId?: string): string[] {
  // The token's own subject as if named too: the question is which matter, not what else it needs.
  const withSubject: Caller = { ...caller, subjectId: caller.subjectId ?? 'named' };
  const another = subjectId !== undefined && subjectId !== caller.subjectId;
  return matters
    .filter((m) => (purposeGrants[m.code] as readonly string[] | undefined)?.includes(group) && !refusalOfPurpose(withSubject, namedInFull(m.code), m) && !(another && m.code === selfInquiry))
    .map((m) => m.code);
}

/**
 * A request naming the matter `code` with everything else it needs (a case, a consent), so that
 * the policy answers only whether the caller may name it; whether that case or consent holds is
 * each request's own question.
 */
export function namedInFull(code: string): Purpose {
  return { matter: code, caseNumber: 'named', consentId: 'named' };
}

/**
 * The refused purpose a FORBIDDEN for a missing `group` names (its `problem`, and the `header` at
 * fault), or undefined when it should name none and say GROUP_NOT_GRANTED instead: the purpose
 * is to blame only where some purpose this caller may name would grant the group. A group no
 * matter grants this caller (AUDIT, a standing grant only; a field of a matter its department may
 * not name) stays refused whatever purpose is sent, and a front end pointed at x-credit-matter
 * would ask for a correction that cannot open it.
 */
export function purposeRefusalFor(caller: Caller | null, group: string, refused: PurposeRefusal | undefined): PurposeRefusal | undefined {
  return refused && (!caller || mattersGranting(caller, group).length) ? refused : undefined;
}

/**
 * What a caller refused `group` with no refused purpose to mend can do, as the refusal's message
 * ends: name a matter that grants it, if one is open to it, saying what else each needs (the
 * case, the subject's consent, or the caller's own subject); the same whether it named one, as
 * groupNotGranted's `header` is. One wording for the fields the gateway cuts and the subgraphs'
 * own refusals.
 */
export function mattersToName(caller: Caller, group: string, purposeNamed: boolean, subjectId?: string): string {
  const open = mattersGranting(caller, group, subjectId);
  if (open.length === 0) {
    const ownOnly = mattersGranting(caller, group).includes(selfInquiry);
    return `, which no matter grants to ${caller.role} callers of ${callerInWords(caller)}${ownOnly ? ` for a subject other than their own (${selfInquiry} grants it for their own subject only)` : ''}`;
  }
  // What each opens is not any subject: a field of another's subject is not the caller's to read under its own inquiry.
  const named = open.map((code) => (code === selfInquiry ? `${code}, for its own subject only` : findMatter(code)?.consentRequired ? `${code}, with the subject's consent` : code));
  const withCase = open.every((code) => findMatter(code)?.caseNumberRequired);
  return `: name ${purposeNamed ? 'a matter that grants it' : 'the matter'} in the ${purposeHeaders.matter} header (${named.join('; ')})${withCase ? `, and the case in ${purposeHeaders.caseNumber}` : ''}`;
}

/**
 * A FORBIDDEN's `problem` and `header` for a missing `group` no refused purpose is to blame for
 * (purposeRefusalFor): none was named, or the one named holds and grants other groups.
 * GROUP_NOT_GRANTED, pointing at x-credit-matter where a matter this caller may name would grant
 * the group (`viewer.matters` says which, and what else each needs), and at no header where none
 * would: a front end tells "name a matter" from "never readable" by the extensions, not the message.
 */
export function groupNotGranted(caller: Caller | null, group: string, subjectId?: string): { problem: 'GROUP_NOT_GRANTED'; header?: string } {
  return { problem: 'GROUP_NOT_GRANTED', ...(caller && mattersGranting(caller, group, subjectId).length ? { header: purposeHeaders.matter } : {}) };
}

/**
 * Why a request lacks `group`, as every refusal of a missing group tells it, the gateway's of a
 * field it cut (gateway/gateway.ts deniedField, from its grant decision) and a subgraph's own
 * (subgraphs/shared/access.ts groupRefusal, from the identity signed) alike: `advice` ends the
 * message, `details` are its `problem` and the `header` to correct. The purpose refused
 * (`purposeRefused`), where a purpose this caller may name would grant the group
 * (purposeRefusalFor), without a caller too (a token would let it name one); otherwise, without a
 * caller, a token; otherwise what would grant it (GROUP_NOT_GRANTED, mattersToName). `subjectId`:
 * the one subject the request may read (its scope), when known: a group only the caller's own
 * inquiry would grant is then no matter's to name for another subject, and no header is pointed at.
 */
export function refusalOfGroup(
  caller: Caller | null,
  group: string,
  purposeRefused: PurposeRefusal | undefined,
  purposeNamed: boolean,
  subjectId?: string,
): { advice: string; details: { problem: AccessProblem; header?: string } } {
  const refused = purposeRefusalFor(caller, group, purposeRefused);
  if (refused) return { advice: `; the request's purpose was refused: ${refused.message}`, details: refusalDetails(refused) };
  if (!caller) return { advice: ': present a bearer token', details: { problem: 'AUTHENTICATION_REQUIRED' } };
  return { advice: mattersToName(caller, group, purposeNamed, subjectId), details: groupNotGranted(caller, group, subjectId) };
}

/**
 * The field groups a request may read. A consent is checked later (it lives in the entities
 * subgraph): here a consent-based purpose is provisionally scoped, and the gateway narrows the
 * scope to the consent's subject once it has looked the consent up.
 */
export function decideGrants(caller: Caller | null, purpose: Purpose | null): GrantDecision {
  const groups = new Set<FieldGroup>();
  for (const grant of standingGrants) if (matches(caller, grant)) grant.groups.forEach((g) => groups.add(g));
  if (!purpose) return { groups: [...groups], scope: {} };
  const matter = findMatter(purpose.matter);
  const refusal = refusalOfPurpose(caller, purpose, matter);
  if (refusal || !matter) return { groups: [...groups], scope: {}, purposeRefused: refusal };
  purposeGrants[matter.code]?.forEach((g) => groups.add(g));
  const scope = matter.code === 'SELF_INQUIRY' ? { subjectId: caller?.subjectId, subjectKinds: matter.subjectKinds } : { subjectKinds: matter.subjectKinds };
  return { groups: [...groups], scope };
}
