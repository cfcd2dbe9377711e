import { randomUUID } from 'node:crypto';
import { In, IsNull, MoreThanOrEqual, type DataSource, type Repository } from 'typeorm';
import { inDistrictTime, todayInDistrict } from '../../lib/calendar';
import { findDepartment } from '../../lib/catalogue/departments';
import { findMatter, matters } from '../../lib/catalogue/matters';
import { departmentsReadAs, platformOrganisationReadAs } from '../../lib/access/organisation-names';
import { badInput, chosen, clientError, ErrorCode, InputProblems, notAChoice, quotedInput } from '../../lib/errors';
import { requiredLine, requiredProse, requiredText } from '../../lib/text-input';
import { holdsCitizenIdNumber, normaliseIdentifier, readsAsCitizenIdNumber, validateCitizenIdNumber, validateUnifiedSocialCreditCode, type IdentifierValidation } from '../../lib/identifiers';
import { groupedByKey } from '../shared/loaders';
import { loadPages, type Page, type PageRequest } from '../shared/pagination';
import { isIsoDate } from '../shared/scalars';
import { lockFor, writeAlone, writeTransaction } from '../shared/write-queue';
import type { RequestDeadline } from '../../lib/deadline';
import { Consent, consentStatusCondition, granteeKinds, type ConsentStatus, type GranteeKind } from './entities/consent.entity';
import { Subject, type IdentifierKind } from './entities/subject.entity';
import { unknownSubjectId } from '../shared/subject-directory';

export interface GrantConsentInput {
  /** The subject by id; the resolver turns a `subjectCode` into it. */
  subjectId?: string | null;
  subjectCode?: string | null;
  granteeOrganisation: string;
  granteeKind: GranteeKind;
  purpose: string;
  /** Defaults to today in the district. */
  validFrom?: string | null;
  validUntil: string;
}

/** Who records a grant or a revocation, from the caller's token. */
export interface ConsentActor {
  userId: string;
  organisation: string;
}

/** The purposes a consent can name: the catalogue's matters with `consentRequired`. */
export const consentPurposes: readonly string[] = matters.filter((m) => m.consentRequired).map((m) => m.code);

/** The policy's time limit (期限): a consent runs for at most a year from its first day. */
const maxValidityYears = 1;

/**
 * Every query about consents (授权), in one place. Kept apart from SubjectRepository because a
 * consent has a lifecycle of its own (grant, revoke, derived status); both are built per request.
 */
export class ConsentRepository {
  readonly consents: Repository<Consent>;

  /** `deadline`: the request's, which its writes keep within (lib/deadline.ts). */
  constructor(
    db: DataSource,
    private readonly deadline?: RequestDeadline,
  ) {
    this.consents = db.getRepository(Consent);
  }

  /**
   * The consents of many subjects in one statement, each list newest first (grantedAt DESC, id
   * DESC), in key order as a DataLoader needs them; a subject without consents gets [].
   */
  async bySubjects(subjectIds: readonly string[]): Promise<Consent[][]> {
    const rows = await this.consents.find({ where: { subjectId: In([...subjectIds]) }, order: { grantedAt: 'DESC', id: 'DESC' } });
    return groupedByKey(subjectIds, rows, (row) => row.subjectId);
  }

  /**
   * One page of the consents given to a grantee: naming its organisation exactly (binary
   * collation on MySQL, as SQLite and the gateway compare) and its kind, newest first as a
   * subject's own list runs, in any of `statuses` as of `today` (all when null; none when empty).
   * One statement, its count in it when asked for.
   */
  async givenTo(grantee: { organisation: string; kind: GranteeKind }, statuses: readonly ConsentStatus[] | null | undefined, request: PageRequest, today: string): Promise<Page<Consent>> {
    const params: unknown[] = [grantee.organisation, grantee.kind];
    const conditions = ['t.grantee_organisation = ?', 't.grantee_kind = ?'];
    if (statuses) {
      const alternatives = [...new Set(statuses)].map((status) => consentStatusCondition(status, today, params));
      conditions.push(alternatives.length ? `(${alternatives.join(' OR ')})` : '1 = 0');
    }
    const pages = await loadPages(this.consents, {
      where: { sql: conditions.join(' AND '), params },
      orderBy: 'grantedAt',
      direction: 'DESC',
      first: request.first,
      after: request.after,
      count: request.counts,
    });
    return pages.get('')!;
  }

  /**
   * Records a consent after checking the whole input; throws the first problem as a typed error
   * (BAD_USER_INPUT naming the field, NOT_FOUND for an unknown subject) and then stores nothing.
   */
  async grant(input: GrantConsentInput, grantor: ConsentActor, now: Date = new Date()): Promise<Consent> {
    const granted = consentTerms(input, todayInDistrict(now));
    const subjectId = requiredText(input.subjectId, 'subjectId', 36);
    const terms = { subjectId, ...granted };
    return await writeTransaction(
      this.consents.manager.connection,
      async (manager) => {
        // The subject's row, locked on MySQL, orders two grants for one subject: the second sees the first.
        const subject = await manager.findOne(Subject, { where: { id: subjectId }, select: { id: true, identifier: true, identifierKind: true }, lock: lockFor(manager) });
        // Exactly, as SQLite finds it: MySQL's collation finds `C437…` for `c437…`, and a consent
        // stored under that id would be in no list of its subject's consents nor of its grantee's.
        if (subject?.id !== subjectId) throw unknownSubjectId(subjectId, 'subjectCode');
        // A subject reads its own credit under SELF_INQUIRY: a consent to itself would only have
        // its own reads recorded as another reader's. Itself is its identifier under its own kind
        // of identifier (an all-digit credit code may be a person's ID number too: another subject).
        if (granted.granteeOrganisation === subject.identifier && granteeIdentifierKind(granted.granteeKind) === subject.identifierKind) {
          throw badInput('granteeOrganisation', 'a subject needs no consent to read its own credit: it reads it under SELF_INQUIRY (x-credit-matter), with a token naming its own subject_id', { problem: 'CONSENT_TO_ITSELF' });
        }
        // The same grant sent again (a resubmitted form, a retried request) is the consent already
        // given, not a second one that a revocation of the first would leave in force.
        // Exactly, on MySQL too: the grantee's column is compared as bytes (migration 070), so a
        // bank's `bank_x` is not taken for `BANK_X`; the other terms are checked codes and dates.
        const given = await manager.findOneBy(Consent, { ...terms, revokedAt: IsNull() });
        if (given) return given;
        const consent = manager.create(Consent, {
          id: randomUUID(),
          ...terms,
          grantedBy: grantor.userId,
          grantedByOrganisation: grantor.organisation,
          // Taken after the consents were read: a grant made because a revocation had committed is stamped after it.
          grantedAt: new Date(Math.max(now.getTime(), Date.now())),
          revokedAt: null,
          revokedBy: null,
          revokedByOrganisation: null,
          revocationReason: null,
        });
        await manager.insert(Consent, consent);
        return consent;
      },
      undefined,
      this.deadline,
    );
  }

  /**
   * Revokes a consent from now on. Only a consent not yet revoked changes: the condition is in
   * the UPDATE itself, so two revocations racing cannot both succeed.
   */
  async revoke(id: string, reason: string, revoker: ConsentActor, now: Date = new Date()): Promise<Consent> {
    const revocationReason = requiredProse(reason, 'reason', 500);
    const today = todayInDistrict(now);
    // A consent that has ended is left as it ended: revoked afterwards, it would read as in force
    // until its revocation, months after nothing could rely on it.
    const result = await writeAlone(
      this.consents.manager.connection,
      () => this.consents.update({ id, revokedAt: IsNull(), validUntil: MoreThanOrEqual(today) }, { revokedAt: now, revokedBy: revoker.userId, revokedByOrganisation: revoker.organisation, revocationReason }),
      this.deadline,
    );
    const consent = await this.consents.findOneBy({ id });
    if (!consent) throw clientError(ErrorCode.NOT_FOUND, `no consent has the id ${quotedInput(id)}`, { field: 'id' });
    if (result.affected === 0 && !consent.revokedAt) {
      throw badInput('id', `consent ${id} ended on ${consent.validUntil} (EXPIRED): nothing relies on it any more, so there is nothing to revoke`, { problem: 'TRANSITION_NOT_ALLOWED', status: 'EXPIRED' });
    }
    if (result.affected === 0) {
      // The same revocation sent again (a retried request: the same organisation, the same
      // reason) answers the consent as it revoked it, as a retried withdrawal does.
      if (consent.revokedByOrganisation === revoker.organisation && consent.revocationReason === revocationReason) return consent;
      // Its status refuses it, not the input (README, Errors): `problem` tells a front end to read it again.
      throw badInput('id', `consent ${id} was already revoked at ${consent.revokedAt ? inDistrictTime(consent.revokedAt) : 'an unknown time'}; a revocation is final`, { problem: 'TRANSITION_NOT_ALLOWED', status: 'REVOKED' });
    }
    return consent;
  }
}

interface GranteeIdentifier {
  name: string;
  nameZh: string;
  validate(canonical: string): IdentifierValidation;
  /** The error every path that validates this identifier answers with. */
  code: typeof ErrorCode.INVALID_CREDIT_CODE | typeof ErrorCode.INVALID_ID_NUMBER;
}

const creditCode: GranteeIdentifier = { name: 'unified social credit code', nameZh: '统一社会信用代码', validate: validateUnifiedSocialCreditCode, code: ErrorCode.INVALID_CREDIT_CODE };
const idNumber: GranteeIdentifier = { name: 'citizen ID number', nameZh: '公民身份号码', validate: validateCitizenIdNumber, code: ErrorCode.INVALID_ID_NUMBER };

/**
 * What a grantee of each kind is named by: what its users' tokens carry as their organisation
 * (`org`), which the gateway compares with the consent's grantee exactly. Enterprises (other
 * organisations and individual businesses too) and credit service providers carry their unified
 * social credit code (the provider registry looks a provider's standing up by it), persons their
 * citizen ID number. A financial institution carries whatever organisation id the identity
 * provider gives it, which the platform cannot check: null.
 */
/** The kind of identifier a grantee of this kind would have as a subject: a person its ID number, an organisation its credit code. */
function granteeIdentifierKind(kind: GranteeKind): IdentifierKind {
  return kind === 'INDIVIDUAL' ? 'CITIZEN_ID_NUMBER' : 'UNIFIED_SOCIAL_CREDIT_CODE';
}

const granteeIdentifiers: Record<GranteeKind, GranteeIdentifier | null> = {
  FINANCIAL_INSTITUTION: null,
  CREDIT_SERVICE_PROVIDER: creditCode,
  ENTERPRISE: creditCode,
  INDIVIDUAL: idNumber,
};

const uuidShape = /^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/;

/**
 * The grantee as a consent stores it: a code or ID number trimmed and upper-cased, as tokens
 * carry it, so that a consent the API accepts can match its reader's token. INVALID_CREDIT_CODE
 * or INVALID_ID_NUMBER, as wherever else such a code is refused (field `granteeOrganisation`,
 * `problem` from lib/identifiers), for one that no token of its
 * kind could carry: a subject's id, a mistyped check character, another kind's identifier.
 * A financial institution's id, which cannot be validated, is still refused (BAD_USER_INPUT)
 * when it is a subject's id, or reads as a citizen ID number, a district department's code or a
 * name the platform records for itself: the gateway refuses a bank's token carrying any of these.
 */
export function granteeOrganisationOf(organisation: string, kind: GranteeKind): string {
  const identifier = granteeIdentifiers[kind];
  const canonical = normaliseIdentifier(organisation);
  if (!identifier) {
    // Nothing else can be checked of an id the identity provider gives, but these are known
    // mistakes: a subject's id is what readers are known by elsewhere in the API, and a
    // department's code would let a department read with a consent, not under its matter's
    // legal basis. An id that reads as a department's code or as a name the platform records
    // (`Finance.`, `FINАNCE`, `PLATFORM`) is one the gateway refuses in a bank's token, as it
    // reads them (lib/access/organisation-names.ts): a consent to it would read ACTIVE and let no
    // one read.
    const departmentsRead = departmentsReadAs(organisation);
    const platformName = platformOrganisationReadAs(organisation);
    const mistake = uuidShape.test(canonical)
      ? subjectIdHint('organisation id')
      : findDepartment(canonical)
        ? departmentHint(canonical)
        : departmentsRead.length > 0
          ? ` (that reads as ${departmentsRead.map((d) => `${d.code}, the code of ${d.name}, ${d.nameZh}`).join(' or as ')}, however it is cased, spaced, punctuated or lettered: no token can carry it, since a department's code names that department only and the gateway refuses a token of any other kind whose organisation reads as one)`
          : readsAsCitizenIdNumber(canonical)
            ? ' (that reads as a citizen ID number: a person reads as a grantee of kind INDIVIDUAL, and no token of this kind can carry one)'
            : holdsCitizenIdNumber(canonical)
              ? " (that holds a citizen ID number, which names a person: the gateway refuses a bank's token whose organisation holds one, so no token of this kind can carry one)"
              : platformName
              ? ` (that reads as ${platformName}, a name the platform records where no token names an organisation: no token can carry it, since the gateway refuses a token whose organisation reads so)`
              : '';
    if (mistake) throw badInput('granteeOrganisation', `a grantee of kind ${kind} is named by its organisation id, as its users' tokens carry it, got ${quotedInput(organisation)}${mistake}`);
    return organisation.trim();
  }
  const result = identifier.validate(canonical);
  if (result.valid) return canonical;
  // The likely mistakes get a hint: a subject's id, a department's code, or the identifier of
  // the other kind of grantee.
  const hint = uuidShape.test(canonical)
    ? subjectIdHint(identifier.name)
    : findDepartment(canonical)
      ? departmentHint(canonical)
      : kind !== 'INDIVIDUAL' && validateCitizenIdNumber(canonical).valid
        ? ' (that is a citizen ID number: a person reads as a grantee of kind INDIVIDUAL)'
        : kind === 'INDIVIDUAL' && validateUnifiedSocialCreditCode(canonical).valid
          ? ' (that is a unified social credit code: an organisation reads as a grantee of kind ENTERPRISE)'
          : '';
  throw clientError(
    identifier.code,
    `a grantee of kind ${kind} is named by its ${identifier.name} (${identifier.nameZh}), as its users' tokens carry it, got ${quotedInput(organisation)}${hint}: ${result.message}`,
    { field: 'granteeOrganisation', problem: result.problem },
  );
}

function subjectIdHint(carried: string): string {
  return ` (an id such as a subject's id names no reader: its tokens carry its ${carried})`;
}

function departmentHint(code: string): string {
  const department = findDepartment(code)!;
  return ` (that is the code of ${department.name}, ${department.nameZh}: departments read under their matter's legal basis, not with a consent)`;
}

/** The purpose as a catalogue matter code that needs a consent and is open to the grantee's kind (when that is known). */
function assertPurpose(code: string, granteeKind: GranteeKind | undefined): string {
  const matter = findMatter(code);
  if (!matter || !matter.consentRequired) {
    throw notAChoice('purpose', consentPurposes, code, { why: matter ? `${matter.nameZh} is read under its legal basis, without a consent` : 'it is not a matter in the catalogue' });
  }
  if (granteeKind !== undefined && !matter.users.organisationKinds.includes(granteeKind)) {
    throw badInput('purpose', `${code} (${matter.nameZh}) is open to ${matter.users.organisationKinds.join(', ')}, not to a grantee of kind ${granteeKind}`);
  }
  return code;
}

/**
 * The same day `years` later; 29 February becomes 28 February in a common year. Dates have four
 * digits of year, so a day past 9999-12-31 is that day.
 */
export function addYears(date: string, years: number): string {
  const [y, m, d] = date.split('-').map(Number);
  const year = y + years;
  if (year > 9999) return '9999-12-31';
  // setUTCFullYear, not Date.UTC, which reads the years 0-99 as 1900-1999.
  const lastDay = new Date(0);
  lastDay.setUTCFullYear(year, m, 0);
  return `${String(year).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(Math.min(d, lastDay.getUTCDate())).padStart(2, '0')}`;
}


/**
 * What a grant gives, every field but its subject checked, every problem thrown at once
 * (README, Errors: `extensions.problems`) as BAD_USER_INPUT naming its field: checked before the
 * subject is looked up, so that a grant that could never be stored tells nothing of whether its
 * subject is registered.
 */
export function consentTerms(input: Omit<GrantConsentInput, 'subjectId' | 'subjectCode'>, today: string): Omit<Consent, 'id' | 'subjectId' | 'grantedBy' | 'grantedByOrganisation' | 'grantedAt' | 'revokedAt' | 'revokedBy' | 'revokedByOrganisation' | 'revocationReason'> {
  const problems = new InputProblems();
  // Held to the legibility rule: compared with a token's organisation exactly, "BANK\u200bX" would be a consent no reader can use.
  const named = problems.read(() => requiredLine(input.granteeOrganisation, 'granteeOrganisation', 64));
  const granteeKind = problems.read(() => chosen(input.granteeKind, granteeKinds, 'granteeKind', { why: 'departments read under their matter, not with a consent' }));
  // A catalogue code, read as every code typed is: financial_services or ＦＩＮＡＮＣＩＡＬ＿ＳＥＲＶＩＣＥＳ is FINANCIAL_SERVICES.
  const purpose = problems.read(() => assertPurpose(normaliseIdentifier(requiredText(input.purpose, 'purpose', 64)), granteeKind));
  // How a grantee is named depends on its kind: judged once the kind is known.
  const granteeOrganisation = problems.read(() => (named !== undefined && granteeKind !== undefined ? granteeOrganisationOf(named, granteeKind) : undefined));
  const validFrom = problems.read(() => {
    const day = input.validFrom ?? today;
    if (!isIsoDate(day)) throw badInput('validFrom', `validFrom must be a calendar date as YYYY-MM-DD, got ${quotedInput(day)}`);
    return day;
  });
  const validUntil = problems.read(() => {
    const day = input.validUntil;
    if (!isIsoDate(day)) throw badInput('validUntil', `validUntil must be a calendar date as YYYY-MM-DD, got ${quotedInput(day)}`);
    if (validFrom !== undefined) {
      // Both days are included: validUntil equal to validFrom is a consent for that one day.
      if (day < validFrom) throw badInput('validUntil', `validUntil must be validFrom (${validFrom}) or a later day, got ${day}`);
      const latest = addYears(validFrom, maxValidityYears);
      if (day > latest) throw badInput('validUntil', `a consent is valid for at most ${maxValidityYears} year: from ${validFrom}, validUntil may be ${latest} at the latest, got ${day}`);
    }
    if (day < today) throw badInput('validUntil', `a consent that ended before today (${today}) could never be used, got validUntil ${day}`);
    return day;
  });
  return problems.checked({ granteeOrganisation, granteeKind, purpose, validFrom, validUntil });
}
