import { In, IsNull, LessThanOrEqual, type DataSource, type Repository } from 'typeorm';
import { todayInDistrict } from '../../lib/calendar';
import { isGoodReportGrade, reportRequired } from '../../lib/catalogue/measures';
import { CheckReportRequirement } from './entities/check-report-requirement.entity';
import { CreditReport, creditGrades } from './entities/credit-report.entity';
import type { PeerClient } from './peers';
import { genuineSnapshot } from './platform-report';
import { recordsChanged, snapshotRecordIds, type CurrentRecordsAsker } from './record-states';
import { clockToleranceSeconds, type RequestIdentity } from '../../lib/access/identity';
import { isUniqueViolation } from '../shared/database';
import { writeAlone } from '../shared/write-queue';
import type { RequestDeadline } from '../../lib/deadline';

/** A report as a check judged it, copied so the decision can be explained after the report changes. */
export interface ConsideredReportSnapshot {
  reportId: string;
  reportNumber: string;
  source: string;
  issuerName: string;
  grade: string | null;
  issuedOn: string;
  validUntil: string;
  accepted: boolean;
  reasons: string[];
}

export interface ReportRequirementSnapshot {
  /** Whether the matter makes a valid report a condition (docs/measures.md). */
  required: boolean;
  /** Whether an accepted report was found (whatever `required` says). */
  satisfied: boolean;
  goodGrade: boolean;
  /** The report relied on: accepted, best grade, latest (`relianceOrder`). */
  reliedOn: string | null;
  considered: ConsideredReportSnapshot[];
}

export interface CheckRef {
  id: string;
  subjectId: string;
  matter: string;
  checkedAt: string | Date;
}

/** Lower is better; a report without a grade (or one off the scale) comes after every graded one. */
function gradeRank(grade: string | null): number {
  const rank = grade === null ? -1 : creditGrades.indexOf(grade);
  return rank === -1 ? creditGrades.length : rank;
}

/**
 * Which accepted report a check relies on first: the best grade, then the latest issued. Two
 * standing reports alike in both are told apart by what identifies them, their issuer and report
 * number (unique among standing registrations, UQ_credit_report_issuer_number_in_force): the
 * higher number first, an issuer's numbers mostly running in sequence. Not by id, drawn at random
 * when a report is registered: the same registrations, made on SQLite and on MariaDB, were relied
 * on differently.
 */
function relianceOrder(a: ConsideredReportSnapshot, b: ConsideredReportSnapshot): number {
  return gradeRank(a.grade) - gradeRank(b.grade) || descending(a.issuedOn, b.issuedOn) || descending(a.reportNumber, b.reportNumber) || descending(a.issuerName, b.issuerName);
}

/** Code-unit order, the same in every process whatever the database's collation. */
const descending = (a: string, b: string) => (a < b ? 1 : a > b ? -1 : 0);

/**
 * The latest registration a check counts as made before it. `checkedAt` is stamped on the records
 * subgraph's clock, a report's `registeredAt` (and its issue date) on this subgraph's, and the two
 * may disagree by up to the tolerance every process accepts: with this one 28 s ahead, a report
 * generated seconds before a check read as registered after it, and the sealed check kept "no valid
 * report". So a registration up to the tolerance after the check's instant counts, but none after
 * this subgraph's now (when the requirement is first judged, in the check's own request): what is
 * sealed is what was registered when it was judged. A check judged long after its instant (first
 * read later, or judged again when its seal failed) takes the tolerance and no more, never reports
 * registered minutes or days later.
 */
function registeredByCheck(checkedAt: Date, now = Date.now()): Date {
  return new Date(Math.max(checkedAt.getTime(), Math.min(now, checkedAt.getTime() + clockToleranceSeconds * 1000)));
}

/**
 * Decides each check's report requirement as of its instant (give or take the clocks' difference,
 * `registeredByCheck`): the subject's reports registered by
 * then, within their validity that day, genuine, and for third-party reports issued by a provider
 * in good standing on the issue date and not suspended, revoked or in class D by the check's day
 * (asked of the providers subgraph, one request for all issuers); a platform report only while every
 * record it holds still stands as it holds it (record-states.ts: still counted by a check, its
 * disclosure not over, not withdrawn or restored, its content not corrected), by `currentRecords`
 * (the records subgraph, one request for all of them, as they stand when the requirement is
 * judged), the same rule as the report's `acceptance` and its printable page. A
 * registration withdrawn by then is not considered at all; like a finding of NOT_GENUINE, a
 * withdrawal counts from when the requirement is judged, not from the check's instant.
 *
 * All the checks a request reads for the first time are judged together, in as many statements
 * and peer calls as one: the reports of all their subjects in one query, their snapshots in one,
 * one call to each peer. A peer that cannot answer fails only the checks that needed it (an Error
 * in their place): a check of a subject without third-party reports is judged while the providers
 * subgraph is down, as it was when each check was judged alone.
 */
export async function judgeReports(
  checks: readonly CheckRef[],
  reports: Repository<CreditReport>,
  snapshots: (ids: readonly string[]) => Promise<(string | null)[]>,
  peers: PeerClient,
  identity: RequestIdentity,
  currentRecords: CurrentRecordsAsker,
): Promise<(ReportRequirementSnapshot | Error)[]> {
  const now = Date.now();
  const judging = checks.map((check) => {
    const checkedAt = new Date(check.checkedAt);
    const registeredBy = registeredByCheck(checkedAt, now);
    return { check, day: todayInDistrict(checkedAt), registeredBy, issuedBy: todayInDistrict(registeredBy) };
  });
  if (!judging.length) return [];
  // A registration withdrawn by the time the requirement is judged is left out, not listed as
  // refused: it was a mistake (another subject's report, a mistyped grade), which the check's
  // findings, read by its department, must not go on stating about this subject.
  const latest = new Date(Math.max(...judging.map((j) => j.registeredBy.getTime())));
  const registered = await reports.find({ where: { subjectId: In([...new Set(checks.map((c) => c.subjectId))]), registeredAt: LessThanOrEqual(latest), withdrawnAt: IsNull() }, order: { issuedOn: 'DESC', id: 'DESC' } });
  // Each check's own by its instant, in the query's order (which every subject's share keeps).
  const candidatesOf = judging.map(({ check, registeredBy, issuedBy }) => registered.filter((r) => r.subjectId === check.subjectId && r.registeredAt.getTime() <= registeredBy.getTime() && r.issuedOn <= issuedBy));
  const platform = [...new Map(candidatesOf.flat().filter((r) => r.source === 'DISTRICT_PLATFORM').map((r) => [r.id, r])).values()];
  const platformContents = platform.length ? await snapshots(platform.map((r) => r.id)) : [];
  const genuinePlatform = new Map(platform.map((r, i) => [r.id, genuineSnapshot(r, platformContents[i] ?? null)]));

  const thirdParty = judging.flatMap(({ day }, i) => candidatesOf[i].filter((r) => r.issuerProviderId).map((report) => ({ report, day })));
  const standings = await settled(issuerStandings(thirdParty, peers, identity));
  const heldOf = candidatesOf.map((candidates) => [...new Set(candidates.flatMap((r) => genuinePlatform.get(r.id) ?? []).flatMap(snapshotRecordIds))]);
  const held = [...new Set(heldOf.flat())];
  const current = held.length ? await settled(currentRecords(held)) : [];
  const currentOf = current instanceof Error ? current : new Map(held.map((id, i) => [id, current[i]]));
  // Asked of a failed answer only for checks its failure is returned to (below), never judged on.
  const standingOf = (r: CreditReport, day: string) => (standings instanceof Error ? undefined : standings.get(standingKey(r, day)));
  const currentRecordOf = (id: string) => (currentOf instanceof Error ? undefined : currentOf.get(id));
  const today = todayInDistrict();

  return judging.map(({ check, day }, i): ReportRequirementSnapshot | Error => {
    const candidates = candidatesOf[i];
    if (standings instanceof Error && candidates.some((r) => r.issuerProviderId)) return standings;
    if (currentOf instanceof Error && heldOf[i].length) return currentOf;
    const considered: ConsideredReportSnapshot[] = candidates.map((r) => {
      const reasons: string[] = [];
      if (r.validUntil < day) reasons.push('EXPIRED');
      const snapshot = r.source === 'DISTRICT_PLATFORM' ? (genuinePlatform.get(r.id) ?? null) : null;
      const genuine = r.source === 'DISTRICT_PLATFORM' ? snapshot !== null : r.verificationOutcome !== 'NOT_GENUINE';
      if (!genuine) reasons.push('NOT_GENUINE');
      if (snapshot && recordsChanged(snapshot, currentRecordOf, today)) reasons.push('RECORDS_CHANGED');
      if (r.issuerProviderId) reasons.push(...issuerRefusals(standingOf(r, day)));
      return { reportId: r.id, reportNumber: r.reportNumber, source: r.source, issuerName: r.issuerName, grade: r.grade, issuedOn: r.issuedOn, validUntil: r.validUntil, accepted: reasons.length === 0, reasons };
    });
    const accepted = considered.filter((c) => c.accepted).sort(relianceOrder);
    return {
      required: reportRequired(check.matter),
      satisfied: accepted.length > 0,
      goodGrade: accepted.some((c) => isGoodReportGrade(c.grade)),
      reliedOn: accepted[0]?.reportId ?? null,
      considered,
    };
  });
}

/** A peer's answer, or its failure as a value, for the checks that needed it alone. */
const settled = <T>(answer: Promise<T>): Promise<T | Error> => answer.catch((error: unknown) => (error instanceof Error ? error : new Error(String(error))));

/** Why a third-party report's issuer keeps it from being accepted, as a check and a report's `acceptance` both say it. */
export type IssuerRefusal = 'ISSUER_STANDING_UNKNOWN' | 'ISSUER_NOT_IN_GOOD_STANDING_ON_ISSUE_DATE' | 'ISSUER_SUSPENDED' | 'ISSUER_REVOKED' | 'ISSUER_CLASS_D';

/** How the issuer stood: on the report's issue date, and on the day the report is judged. */
export interface IssuerFacts {
  acceptedOnIssueDate: boolean;
  suspended: boolean;
  revoked: boolean;
  classD: boolean;
}

/**
 * Every reason that holds, not the first: a report issued while its provider was not in good
 * standing is refused for that, and while the provider is suspended or in class D, or once
 * revoked, for that too (class D withdraws earlier reports while it lasts, as a suspension does:
 * supervisionClassRules, D's earlierReportsAccepted). An issuer the providers subgraph does not
 * know is a reason of its own.
 */
export function issuerRefusals(facts: IssuerFacts | null | undefined): IssuerRefusal[] {
  if (!facts) return ['ISSUER_STANDING_UNKNOWN'];
  const reasons: IssuerRefusal[] = [];
  if (!facts.acceptedOnIssueDate) reasons.push('ISSUER_NOT_IN_GOOD_STANDING_ON_ISSUE_DATE');
  if (facts.suspended) reasons.push('ISSUER_SUSPENDED');
  if (facts.revoked) reasons.push('ISSUER_REVOKED');
  if (facts.classD) reasons.push('ISSUER_CLASS_D');
  return reasons;
}

/**
 * How each third-party report's issuer stands for a reading of `day` (a report's `acceptance`:
 * today), as a check of that day judges it; null for an issuer the registry does not know. One
 * question for all of them.
 */
export async function issuerFactsOn(reports: readonly CreditReport[], day: string, peers: PeerClient, identity: RequestIdentity): Promise<(IssuerFacts | null)[]> {
  const standings = await issuerStandings(reports.map((report) => ({ report, day })), peers, identity);
  return reports.map((report) => standings.get(standingKey(report, day)) ?? null);
}

/** A third-party report's issuer as a check of `day` asks after it: checks of one day share the answer. */
const standingKey = (report: CreditReport, day: string) => `${report.issuerProviderId}|${report.issuedOn}|${day}`;

/** How each report's issuer stood for a check of `day`, by `standingKey`: one question for all of them. */
async function issuerStandings(wanted: { report: CreditReport; day: string }[], peers: PeerClient, identity: RequestIdentity): Promise<Map<string, IssuerFacts>> {
  const standings = new Map<string, IssuerFacts>();
  const asked = [...new Map(wanted.map((w) => [standingKey(w.report, w.day), w])).entries()];
  if (!asked.length) return standings;
  const days = [...new Set(asked.map(([, w]) => w.day))];
  const declarations = days.map((_, j) => `$day${j}: Date!`);
  const variables: Record<string, unknown> = Object.fromEntries(days.map((day, j) => [`day${j}`, day]));
  const fields = asked.map(([, { report, day }], i) => {
    declarations.push(`$p${i}: ID!`, `$d${i}: Date!`);
    variables[`p${i}`] = report.issuerProviderId;
    variables[`d${i}`] = report.issuedOn;
    return `r${i}: creditServiceProvider(id: $p${i}) { onIssue: standingOn(date: $d${i}) { reportsAccepted } onCheck: standingOn(date: $day${days.indexOf(day)}) { filingStatus supervisionClass } }`;
  });
  const data = await peers.query<Record<string, { onIssue: { reportsAccepted: boolean }; onCheck: { filingStatus: string | null; supervisionClass: string | null } } | null>>(
    'providers',
    `query CheckIssuerStandings(${declarations.join(', ')}) { ${fields.join(' ')} }`,
    variables,
    identity,
  );
  asked.forEach(([key], i) => {
    const provider = data[`r${i}`];
    if (provider) {
      // At the end of the check's day, as the check's findings are sealed for that day.
      const { filingStatus, supervisionClass } = provider.onCheck;
      standings.set(key, { acceptedOnIssueDate: provider.onIssue.reportsAccepted, suspended: filingStatus === 'SUSPENDED', revoked: filingStatus === 'REVOKED', classD: supervisionClass === 'D' });
    }
  });
  return standings;
}

/** Sealed requirements: stored once per check, read back as they were. */
export class CheckRequirementRepository {
  readonly requirements: Repository<CheckReportRequirement>;

  /** `deadline`: the request's, which sealing keeps within (lib/deadline.ts). */
  constructor(
    db: DataSource,
    private readonly deadline?: RequestDeadline,
  ) {
    this.requirements = db.getRepository(CheckReportRequirement);
  }

  /**
   * The sealed requirements of these checks by id (a check not sealed yet is missing). One that
   * cannot be read is an Error for its check alone, which the loader fails (context.ts) and the
   * server logs, answering INTERNAL_SERVER_ERROR for that check's fields: the checks read with it
   * keep theirs. Not the client's fault, nor one a retry mends, and not judged again: a sealed
   * requirement is what the check found, and only someone who knows why it is unreadable may
   * replace it.
   */
  async sealed(checkIds: readonly string[]): Promise<Map<string, ReportRequirementSnapshot | Error>> {
    // Raw rows, parsed one by one: TypeORM parses a JSON column while it maps the rows of a find,
    // and on SQLite one row it cannot parse fails the whole find.
    const rows: SealedRow[] = await this.requirements
      .createQueryBuilder('sealed')
      .select('sealed.checkId', 'checkId')
      .addSelect('sealed.requirement', 'requirement')
      .where({ checkId: In([...checkIds]) })
      .getRawMany();
    return new Map(rows.map((row) => [row.checkId, readSealed(row)]));
  }

  /**
   * Stores the first judgement; a concurrent second one loses to it and reads it back. Not once
   * too little of the request's time is left: the reader is refused in time (SUBGRAPH_UNAVAILABLE),
   * and the next reader judges it again, as of the check's instant as ever.
   */
  async seal(check: CheckRef, requirement: ReportRequirementSnapshot): Promise<ReportRequirementSnapshot> {
    const [stored] = await this.sealAll([{ check, requirement }]);
    if (stored instanceof Error) throw stored;
    return stored;
  }

  /**
   * `seal` for the checks a request judged together: one INSERT of them all and one read back,
   * each check's the judgement stored first, by this request or a concurrent one. An INSERT of
   * several that fails stores none of them (a statement is stored whole or not at all), and is
   * made again row by row, so that what failed fails its own check alone, as when each was sealed
   * by itself: a check another request sealed meanwhile (the clash let pass), a requirement its
   * column cannot hold. An INSERT MariaDB ends as a deadlock is sent again (writeAlone), and then
   * clashes with the seal that won. The rows go in the order of their key, so that two requests
   * sealing some of the same checks take their locks alike, the second waiting for the first:
   * in opposite orders each could hold a row the other waits for, and one be rolled back for it,
   * to answer alike only after InnoDB found the deadlock and the INSERT was sent again.
   */
  async sealAll(judged: readonly { check: CheckRef; requirement: ReportRequirementSnapshot }[]): Promise<(ReportRequirementSnapshot | Error)[]> {
    if (!judged.length) return [];
    const rows = judged
      .map(({ check, requirement }) => ({ checkId: check.id, subjectId: check.subjectId, matter: check.matter, judgedAsOf: new Date(check.checkedAt), requirement, sealedAt: new Date() }))
      .sort((a, b) => (a.checkId < b.checkId ? -1 : a.checkId > b.checkId ? 1 : 0));
    const failed = new Map<string, Error>();
    const insert = (some: typeof rows) => writeAlone(this.requirements.manager.connection, () => this.requirements.insert(some), this.deadline);
    try {
      await insert(rows);
    } catch (error) {
      if (rows.length === 1) failed.set(rows[0].checkId, error as Error);
      else for (const row of rows) await insert([row]).catch((rowError: Error) => void failed.set(row.checkId, rowError));
    }
    // Only the check's key is let pass. Not INSERT IGNORE: MySQL makes every error of such an
    // insert a warning, and stored a requirement longer than its column cut short.
    for (const [checkId, error] of failed) if (isUniqueViolation(error)) failed.delete(checkId);
    const sealing = judged.map(({ check }) => check.id).filter((id) => !failed.has(id));
    const stored = sealing.length ? await this.sealed(sealing) : new Map<string, ReportRequirementSnapshot | Error>();
    return judged.map(({ check, requirement }) => failed.get(check.id) ?? stored.get(check.id) ?? requirement);
  }
}

interface SealedRow {
  checkId: string;
  /**
   * mysql2 gives a JSON column parsed (MySQL's native one, and MariaDB's LONGTEXT, which it marks
   * as JSON); SQLite gives its text, as both did the TEXT column of before 1764000000260.
   */
  requirement: unknown;
}

function readSealed(row: SealedRow): ReportRequirementSnapshot | Error {
  if (typeof row.requirement !== 'string') return row.requirement as ReportRequirementSnapshot;
  try {
    return JSON.parse(row.requirement) as ReportRequirementSnapshot;
  } catch {
    // Not the parser's message: it may quote the text, which names the subject's reports.
    return new Error(`the sealed report requirement of check ${row.checkId} cannot be read: its ${row.requirement.length} characters are not JSON`);
  }
}
