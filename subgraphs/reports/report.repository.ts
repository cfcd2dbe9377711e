import { In, IsNull, type DataSource, type EntityManager, type Repository } from 'typeorm';
import { userInWords } from '../../lib/access/identity';
import { inDistrictTime } from '../../lib/calendar';
import { badInput, clientError, ErrorCode } from '../../lib/errors';
import { timeOrderedId } from '../../lib/time-ordered-id';
import { forbiddenAbout } from '../shared/access';
import type { CursorPosition } from '../shared/cursors';
import { isUniqueViolation } from '../shared/database';
import { groupedByKey, PageLoaders } from '../shared/loaders';
import type { Page } from '../shared/pagination';
import { lockFor, writeAlone, writeTransaction } from '../shared/write-queue';
import type { RequestDeadline } from '../../lib/deadline';
import { CreditReportSnapshotPart, snapshotPartLength } from './entities/credit-report-snapshot-part.entity';
import { CreditReport, type VerificationOutcome } from './entities/credit-report.entity';
import { ReportVerification } from './entities/report-verification.entity';

/** Who acts, from the caller's token. */
export interface Actor {
  userId: string;
  organisation: string;
}

/**
 * The queries of credit reports, their snapshots and their verifications; the requirements
 * sealed with credit checks have their own (check-requirement.ts CheckRequirementRepository).
 * Created per request (context.ts), so the page loaders it holds batch the fields of one request
 * and are never shared between requests.
 */
export class ReportRepository {
  readonly reports: Repository<CreditReport>;
  private readonly parts: Repository<CreditReportSnapshotPart>;
  private readonly pages = new PageLoaders();

  /** `deadline`: the request's, which its writes keep within (lib/deadline.ts). */
  constructor(
    private readonly db: DataSource,
    private readonly deadline?: RequestDeadline,
  ) {
    this.reports = db.getRepository(CreditReport);
    this.parts = db.getRepository(CreditReportSnapshotPart);
  }

  /**
   * One page of a subject's reports, newest first; the pages of all subjects in a request load in
   * one statement. `withdrawn`: which withdrawn registrations are listed (`WithdrawnListed`).
   */
  reportsAboutSubject(subjectId: string, first: number, after: CursorPosition | null | undefined, count: boolean, withdrawn: WithdrawnListed): Promise<Page<CreditReport> | undefined> {
    return this.pages.load(this.reports, { parent: 'subjectId', orderBy: 'issuedOn', direction: 'DESC', first, after, count, where: withdrawnCondition(withdrawn) }, subjectId);
  }

  /**
   * One page of a provider's reports, newest first, batched like `reportsAboutSubject`. A withdrawn
   * registration is none of them: it may have named the wrong provider, and the corrected one is
   * listed.
   */
  reportsIssuedBy(providerId: string, first: number, after?: CursorPosition | null, count = false): Promise<Page<CreditReport> | undefined> {
    return this.pages.load(this.reports, { parent: 'issuerProviderId', orderBy: 'issuedOn', direction: 'DESC', first, after, count, where: withdrawnCondition('NONE') }, providerId);
  }

  /** The stored snapshots of many platform reports in one statement, parts joined in order; null where none is stored. */
  async snapshots(reportIds: readonly string[]): Promise<(string | null)[]> {
    const rows = await this.parts.find({ where: { reportId: In([...reportIds]) }, order: { reportId: 'ASC', partIndex: 'ASC' } });
    return groupedByKey(reportIds, rows, (row) => row.reportId).map((parts) => (parts.length ? parts.map((part) => part.content).join('') : null));
  }

  /**
   * A platform report by its number, or null: under whatever name the platform had when it issued
   * the report, which the report keeps (a district that renames its platform still verifies and
   * prints every report issued before). The number alone is the platform's: registration refuses
   * one in its numbering (registration.ts), and each carries its issue day and eight random
   * characters (newReportNumber). Found through IDX_credit_report_report_number.
   */
  findPlatformReport(reportNumber: string): Promise<CreditReport | null> {
    return this.reports.findOneBy({ source: 'DISTRICT_PLATFORM', reportNumber });
  }

  /**
   * Stores a registered report; a second standing report with the same issuer and number is
   * refused, the issuer's name compared as read (`issuerNameKey`: HEBEI CREDIT SITE is Hebei
   * Credit Site) and the number exactly, and a provider's also by the provider: on the day of its
   * change of name, its report may bear either name. A withdrawn one is not: the corrected report
   * takes the number its mistake held. The same registration sent again by the same user (a
   * retried request whose answer was lost) is answered the report it stored (`standingAgain`).
   * `disclosed` is told the subject of a standing registration the refusal names by its id.
   */
  async insertRegistered(report: CreditReport, disclosed?: (subjectId: string) => void): Promise<CreditReport> {
    const standing = await this.standingRegistration(report);
    if (standing) return standingAgain(report, standing, disclosed);
    try {
      await writeAlone(this.db, () => this.reports.insert(report), this.deadline);
    } catch (error) {
      // Two registrations racing past the check above: the unique index decides.
      if (isUniqueViolation(error)) {
        const raced = await this.standingRegistration(report);
        if (raced) return standingAgain(report, raced, disclosed);
        throw duplicate(report);
      }
      throw error;
    }
    return report;
  }

  /** The standing registration `report` would repeat (its issuer's and number's), if any. */
  private standingRegistration(report: CreditReport): Promise<CreditReport | null> {
    const number = { reportNumber: report.reportNumber, withdrawnAt: IsNull() };
    const issuers = [{ issuerNameKey: report.issuerNameKey, ...number }, ...(report.issuerProviderId ? [{ issuerProviderId: report.issuerProviderId, ...number }] : [])];
    return this.reports.findOne({ where: issuers });
  }

  /**
   * Stores a generated report and its snapshot together: both or neither. Generated under an
   * idempotency key, it may find the report that key's first attempt stored meanwhile (the same
   * request sent twice at once, each past the look-up before either stored; the unique index makes
   * the later insert wait for the first and fail, and the transaction run again finds it): that
   * report is answered instead, nothing of this one stored; the caller tells them apart by their ids.
   */
  async insertGenerated(report: CreditReport, snapshot: string): Promise<CreditReport> {
    const parts = splitText(snapshot, snapshotPartLength).map((content, partIndex) => Object.assign(new CreditReportSnapshotPart(), { reportId: report.id, partIndex, content }));
    const { idempotencyKey: key, registeredBy: userId, registeredByOrganisation: organisation } = report;
    return await this.write(async (manager) => {
      const first = key && userId && organisation ? await manager.findOneBy(CreditReport, generatedUnderKey(key, { userId, organisation })) : null;
      if (first) return first;
      await manager.insert(CreditReport, report);
      await manager.insert(CreditReportSnapshotPart, parts);
      return report;
    });
  }

  /** The platform report `actor` generated under the idempotency key `key`, or null. */
  generatedUnder(key: string, actor: Actor): Promise<CreditReport | null> {
    return this.reports.findOneBy(generatedUnderKey(key, actor));
  }

  /**
   * Records what an officer found when checking a registered report with its issuer: the latest
   * finding decides (on the report's row), and every finding is kept (ReportVerification), both
   * in one transaction. Only the department that registered the report, or the credit office,
   * may: a finding of NOT_GENUINE makes the report unaccepted in every department's checks.
   */
  async recordVerification(id: string, outcome: VerificationOutcome, note: string, actor: Actor, now?: Date): Promise<CreditReport> {
    // The report is read, and the finding's instant taken, once this write holds the report: two
    // findings sent at once then follow one another, and the report states the later one.
    return await this.write(async (manager) => {
      const report = await registrationToAmend(manager, id, actor, {
        refusal: "a report's finding is recorded by the department that registered the report or by the credit office",
        platform: 'it is verified from its stored snapshot, not by an officer',
      });
      // A retried request whose answer was lost (or the same request sent twice at once, the
      // second held until the first committed): answered the finding stored, whatever became of
      // the report since, and no second finding is kept.
      if (await isLatestFinding(manager, report, outcome, note, actor)) return report;
      if (report.withdrawnAt) {
        throw notAllowedNow(`report ${report.reportNumber}'s registration was withdrawn at ${inDistrictTime(report.withdrawnAt)}: no check relies on it, so no finding is recorded on it`);
      }
      // Strictly after the finding it replaces, so that findings sort by time even within a millisecond.
      const instant = now ?? new Date();
      const at = report.verifiedAt && report.verifiedAt.getTime() >= instant.getTime() ? new Date(report.verifiedAt.getTime() + 1) : instant;
      const changes = { verificationOutcome: outcome, verificationNote: note, verifiedBy: actor.userId, verifiedAt: at };
      await manager.update(CreditReport, { id }, changes);
      await manager.insert(
        ReportVerification,
        Object.assign(new ReportVerification(), {
          id: timeOrderedId(at.getTime()),
          reportId: id,
          subjectId: report.subjectId,
          outcome,
          note,
          verifiedBy: actor.userId,
          verifiedByOrganisation: actor.organisation,
          verifiedAt: at,
        }),
      );
      return Object.assign(report, changes);
    });
  }

  /**
   * Withdraws a registration made by mistake (撤销登记), as `recordVerification` records a finding:
   * the same department or the credit office, on the report read and locked inside the write. The
   * row is kept with who withdrew it, when and why; it no longer stands (`inForce`), so no check
   * considers it and its issuer and number are free for the corrected registration. Final: the
   * same department sending the same reason again (a retry) is answered the withdrawn report,
   * unchanged; any other withdrawal of it is refused, so that the reason on file stays the one
   * given when it was withdrawn.
   */
  async withdrawRegistration(id: string, reason: string, actor: Actor, now?: Date): Promise<CreditReport> {
    return await this.write(async (manager) => {
      const report = await registrationToAmend(manager, id, actor, {
        refusal: "a report's registration is withdrawn by the department that registered the report or by the credit office",
        platform: 'it was generated, not registered: a platform report holding a record since withdrawn, restored, past its disclosure period, corrected, objected to, or whose objection was decided or withdrawn is no longer accepted by itself (RECORDS_CHANGED), nor one past its validity (EXPIRED)',
      });
      if (report.withdrawnAt) {
        if (report.withdrawnByOrganisation === actor.organisation && report.withdrawalReason === reason) return report;
        throw notAllowedNow(`report ${report.reportNumber}'s registration was already withdrawn at ${inDistrictTime(report.withdrawnAt)} by ${report.withdrawnByOrganisation ?? 'an unknown department'}; a withdrawal is final`);
      }
      const changes = { inForce: null, withdrawnAt: now ?? new Date(), withdrawnBy: actor.userId, withdrawnByOrganisation: actor.organisation, withdrawalReason: reason };
      await manager.update(CreditReport, { id }, changes);
      return Object.assign(report, changes);
    });
  }

  /** Every finding on each of these reports, newest first, in one statement. */
  async verificationsOf(reportIds: readonly string[]): Promise<ReportVerification[][]> {
    const rows = await this.db.getRepository(ReportVerification).find({ where: { reportId: In([...reportIds]) }, order: { verifiedAt: 'DESC', id: 'DESC' } });
    return groupedByKey(reportIds, rows, (row) => row.reportId);
  }

  /** Each write of several rows in a transaction of its own, not committed once too little of the request's time is left. */
  private write<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return writeTransaction(this.db, work, undefined, this.deadline);
  }
}

/** The platform report `actor` generated under `key`, as a condition (the unique index's columns). */
function generatedUnderKey(key: string, actor: Actor) {
  return { source: 'DISTRICT_PLATFORM' as const, registeredByOrganisation: actor.organisation, registeredBy: actor.userId, idempotencyKey: key };
}

/** Cuts text into pieces of at most `length` UTF-16 units, never between the halves of a surrogate pair. */
export function splitText(text: string, length: number): string[] {
  const pieces: string[] = [];
  let start = 0;
  while (start < text.length) {
    let end = Math.min(start + length, text.length);
    const code = text.charCodeAt(end - 1);
    if (end < text.length && code >= 0xd800 && code <= 0xdbff) end -= 1;
    pieces.push(text.slice(start, end));
    start = end;
  }
  return pieces.length ? pieces : [''];
}

/**
 * Which withdrawn registrations a list shows: all of them to a reader of every listed report's
 * case file; to anyone else only those its own organisation registered (the case file it keeps);
 * or none. A withdrawn registration may name the wrong subject or grade: shown to every reader of
 * the subject, it would go on saying so.
 */
export type WithdrawnListed = 'ALL' | { registeredBy: string } | 'NONE';

function withdrawnCondition(listed: WithdrawnListed): { sql: string; params: unknown[] } | undefined {
  if (listed === 'ALL') return undefined;
  if (listed === 'NONE') return { sql: 't.withdrawn_at IS NULL', params: [] };
  return { sql: 't.withdrawn_at IS NULL OR t.registered_by_organisation = ?', params: [listed.registeredBy] };
}

/**
 * The registered report a department amends (a finding, a withdrawal), read and locked inside
 * the write: only the department that registered it, or the credit office, may, as either
 * changes whether every department's checks accept it; the platform's own reports are never
 * amended by an officer. `refusal` is the FORBIDDEN message, `platform` why a platform report is
 * refused.
 */
async function registrationToAmend(manager: EntityManager, id: string, actor: Actor, why: { refusal: string; platform: string }): Promise<CreditReport> {
  const report = await manager.findOne(CreditReport, { where: { id }, lock: lockFor(manager) });
  if (!report) throw clientError(ErrorCode.NOT_FOUND, `no credit report has the id ${JSON.stringify(id)}`, { field: 'id' });
  if (actor.organisation !== report.registeredByOrganisation && actor.organisation !== 'CREDIT_OFFICE') {
    // Said without the report's number or department: the caller may not read the report.
    throw forbiddenAbout(report.subjectId, 'NOT_ENTITLED', why.refusal);
  }
  if (report.source === 'DISTRICT_PLATFORM') throw badInput('id', `report ${report.reportNumber} was issued by this platform: ${why.platform}`);
  return report;
}

/**
 * Whether this finding is the report's latest, recorded by the same user for the same
 * organisation: the same result and note (as stored: trimmed), by the officer who recorded it and
 * the department it was recorded for (the latest finding's row keeps it), as a withdrawal sent
 * again is judged (`withdrawRegistration`). A finding some other one has replaced since is
 * recorded again: it changes what the report states.
 */
async function isLatestFinding(manager: EntityManager, report: CreditReport, outcome: VerificationOutcome, note: string, actor: Actor): Promise<boolean> {
  if (report.verificationOutcome !== outcome || report.verificationNote !== note || report.verifiedBy !== actor.userId) return false;
  const latest = await manager.findOne(ReportVerification, { where: { reportId: report.id }, order: { verifiedAt: 'DESC', id: 'DESC' } });
  return latest !== null && latest.outcome === outcome && latest.note === note && latest.verifiedBy === actor.userId && latest.verifiedByOrganisation === actor.organisation;
}

/** Refused for the report's state (README, Errors): `problem` tells a front end to read it again rather than fix its input. */
function notAllowedNow(message: string) {
  return badInput('id', message, { problem: 'TRANSITION_NOT_ALLOWED' });
}

/** The fields a registration stores from its input and its caller: the same in both, it is the same registration. */
const registeredFields = ['subjectId', 'source', 'issuerName', 'issuerProviderId', 'reportNumber', 'grade', 'issuedOn', 'validUntil', 'verificationCode', 'documentSha256', 'documentReference', 'registeredBy', 'registeredByOrganisation'] as const;

/**
 * A registration that repeats a standing one. The same registration by the same user, every field
 * as stored (a retried request whose answer was lost), is answered the standing report, and
 * nothing is stored, as a resubmitted consent is (`grantConsent`). Any other is DUPLICATE_REPORT,
 * saying whose the standing one is: the caller's own department's (its case file) is named, who
 * registered it and when, and, when it is about the same subject, which the request may read, its
 * id in `reportId`, to go on with it or withdraw it if it was a mistake (disclosed then, in the
 * subject's trail, as the registration's answer is); of another department's, whose case file the
 * caller does not read, only that another department registered it.
 */
function standingAgain(report: CreditReport, standing: CreditReport, disclosed?: (subjectId: string) => void): CreditReport {
  if (registeredFields.every((field) => (standing[field] ?? null) === (report[field] ?? null))) return standing;
  const own = standing.registeredByOrganisation === report.registeredByOrganisation;
  if (own && standing.subjectId === report.subjectId) disclosed?.(standing.subjectId);
  throw duplicate(report, standing, own);
}

/**
 * `standing`: the registration it repeats, when known (a race lost to the unique index tells
 * none): the issuer's name as it spells it, and, when `own` (registered by the caller's
 * department), who registered it (masked as every message names a user: userInWords) and when,
 * and its id in `reportId` when it is about the same subject.
 */
function duplicate(report: CreditReport, standing?: CreditReport, own = false) {
  const registeredAs = standing?.issuerName ?? report.issuerName;
  const spelled = registeredAs === report.issuerName ? '' : ` (its issuer named ${registeredAs})`;
  const named = standing && own && standing.subjectId === report.subjectId;
  // A report from before its user was kept (seed) names none.
  const registeredBy = standing?.registeredBy ? userInWords(standing.registeredBy) : 'an unknown user';
  const by = !standing
    ? ''
    : !own
      ? ': another department registered it'
      : named
        ? `: your department registered it (${standing.id}, by ${registeredBy} at ${inDistrictTime(standing.registeredAt)}); withdraw it if it was registered by mistake`
        : `: your department registered it for another subject (by ${registeredBy} at ${inDistrictTime(standing.registeredAt)}); withdraw that registration if it was a mistake`;
  return badInput('reportNumber', `a report numbered ${report.reportNumber} from ${report.issuerName} is already registered${spelled}${by}`, { problem: 'DUPLICATE_REPORT', ...(named ? { reportId: standing.id } : {}) });
}

