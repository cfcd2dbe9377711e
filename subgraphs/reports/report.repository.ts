import { In, type DataSource, type Repository } from 'typeorm';
import { badInput, clientError, ErrorCode } from '../../lib/errors';
import { timeOrderedId } from '../../lib/time-ordered-id';
import { forbiddenAbout } from '../shared/access';
import type { CursorPosition } from '../shared/cursors';
import { isUniqueViolation } from '../shared/database';
import { groupedByKey, PageLoaders } from '../shared/loaders';
import type { Page } from '../shared/pagination';
import { lockFor, writeAlone, writeTransaction } from '../shared/write-queue';
import { CreditReportSnapshotPart, snapshotPartLength } from './entities/credit-report-snapshot-part.entity';
import { CreditReport, type VerificationOutcome } from './entities/credit-report.entity';
import { ReportVerification } from './entities/report-verification.entity';
import { platformIssuer } from './platform-report';

/** Who acts, from the caller's token. */
export interface Actor {
  userId: string;
  organisation: string;
}

/**
 * Every query the reports subgraph makes, in one place. Created per request (context.ts), so the
 * page loaders it holds batch the fields of one request and are never shared between requests.
 */
export class ReportRepository {
  readonly reports: Repository<CreditReport>;
  private readonly parts: Repository<CreditReportSnapshotPart>;
  private readonly pages = new PageLoaders();

  constructor(private readonly db: DataSource) {
    this.reports = db.getRepository(CreditReport);
    this.parts = db.getRepository(CreditReportSnapshotPart);
  }

  /** One page of a subject's reports, newest first; the pages of all subjects in a request load in one statement. */
  reportsAboutSubject(subjectId: string, first: number, after?: CursorPosition | null, count = false): Promise<Page<CreditReport> | undefined> {
    return this.pages.load(this.reports, { parent: 'subjectId', orderBy: 'issuedOn', direction: 'DESC', first, after, count }, subjectId);
  }

  /** One page of a provider's reports, newest first, batched like `reportsAboutSubject`. */
  reportsIssuedBy(providerId: string, first: number, after?: CursorPosition | null, count = false): Promise<Page<CreditReport> | undefined> {
    return this.pages.load(this.reports, { parent: 'issuerProviderId', orderBy: 'issuedOn', direction: 'DESC', first, after, count }, providerId);
  }

  /** The stored snapshots of many platform reports in one statement, parts joined in order; null where none is stored. */
  async snapshots(reportIds: readonly string[]): Promise<(string | null)[]> {
    const rows = await this.parts.find({ where: { reportId: In([...reportIds]) }, order: { reportId: 'ASC', partIndex: 'ASC' } });
    return groupedByKey(reportIds, rows, (row) => row.reportId).map((parts) => (parts.length ? parts.map((part) => part.content).join('') : null));
  }

  /** A platform report by its number, or null. */
  findPlatformReport(reportNumber: string): Promise<CreditReport | null> {
    return this.reports.findOneBy({ source: 'DISTRICT_PLATFORM', issuerName: platformIssuer.name, reportNumber });
  }

  /** Stores a registered report; a second report with the same issuer and number is refused. */
  async insertRegistered(report: CreditReport): Promise<CreditReport> {
    if (await this.reports.existsBy({ issuerName: report.issuerName, reportNumber: report.reportNumber })) throw duplicate(report);
    try {
      await writeAlone(this.db, () => this.reports.insert(report));
    } catch (error) {
      // Two registrations racing past the check above: the unique index decides.
      if (isUniqueViolation(error)) throw duplicate(report);
      throw error;
    }
    return report;
  }

  /** Stores a generated report and its snapshot together: both or neither. */
  async insertGenerated(report: CreditReport, snapshot: string): Promise<CreditReport> {
    const parts = splitText(snapshot, snapshotPartLength).map((content, partIndex) => Object.assign(new CreditReportSnapshotPart(), { reportId: report.id, partIndex, content }));
    await writeTransaction(this.db, async (manager) => {
      await manager.insert(CreditReport, report);
      await manager.insert(CreditReportSnapshotPart, parts);
    });
    return report;
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
    return await writeTransaction(this.db, async (manager) => {
      const report = await manager.findOne(CreditReport, { where: { id }, lock: lockFor(manager) });
      if (!report) throw clientError(ErrorCode.NOT_FOUND, `no credit report has the id ${JSON.stringify(id)}`, { field: 'id' });
      if (actor.organisation !== report.registeredByOrganisation && actor.organisation !== 'CREDIT_OFFICE') {
        // Said without the report's number or department: the caller may not read the report.
        throw forbiddenAbout(report.subjectId, "a report's finding is recorded by the department that registered the report or by the credit office");
      }
      if (report.source === 'DISTRICT_PLATFORM') {
        throw badInput('id', `report ${report.reportNumber} was issued by this platform: it is verified from its stored snapshot, not by an officer`);
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

  /** Every finding on each of these reports, newest first, in one statement. */
  async verificationsOf(reportIds: readonly string[]): Promise<ReportVerification[][]> {
    const rows = await this.db.getRepository(ReportVerification).find({ where: { reportId: In([...reportIds]) }, order: { verifiedAt: 'DESC', id: 'DESC' } });
    return groupedByKey(reportIds, rows, (row) => row.reportId);
  }
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

function duplicate(report: CreditReport) {
  return badInput('input.reportNumber', `a report numbered ${report.reportNumber} from ${report.issuerName} is already registered`, { problem: 'DUPLICATE_REPORT' });
}

