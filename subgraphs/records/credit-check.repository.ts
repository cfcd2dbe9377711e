import { timeOrderedId } from '../../lib/time-ordered-id';
import { checkDistrictDays, checkInstantRange, inDistrictTime, todayInDistrict } from '../../lib/calendar';
import type { GraphQLError } from 'graphql';
import type { DataSource, Repository } from 'typeorm';
import { userInWords } from '../../lib/access/identity';
import { findMatter } from '../../lib/catalogue/matters';
import { recordsThatCount } from '../../lib/catalogue/record-standing';
import { applicableMeasures, measureKinds, verdict, reportRequired, type AppliedMeasure, type CountingRecord, type MeasureKind, type Verdict } from '../../lib/catalogue/measures';
import { badInput, quotedInput } from '../../lib/errors';
import { assertLegible, optionalProse, refusedText, textProblem } from '../../lib/text-input';
import type { CursorPosition } from '../shared/cursors';
import { forbidden, forbiddenAbout } from '../shared/access';
import { loadPages, type Page } from '../shared/pagination';
import { PageLoaders } from '../shared/loaders';
import { writeAlone } from '../shared/write-queue';
import type { RequestDeadline } from '../../lib/deadline';
import { isUniqueViolation } from '../shared/database';
import { CreditCheck, measureKindsOf } from './entities/credit-check.entity';
import { CreditRecord } from './entities/credit-record.entity';
import { shownDocumentNumber } from './credit-record.repository';
import { foldedNumber } from '../../lib/text';
import { departmentFilter } from './department-filter';

/** A record as a check saw it: what explains the decision later, whatever happens to the record. */
export interface CheckedRecordSnapshot extends CountingRecord {
  sourceDepartment: string;
  documentNumber: string;
  decisionDate: string;
  summary: string;
  /** Disputed by its subject when the check ran (absent in checks from before this was kept: false). */
  underObjection?: boolean;
}


/** What a department asks to check, and its key for the attempt (`RunCreditCheckInput`). */
export interface CheckRequest {
  subjectId: string;
  matter: string;
  caseNumber: string;
  idempotencyKey?: string | null;
}

export type MeasurePolarity = (typeof measureKinds)[MeasureKind]['polarity'];

export interface LedgerFilter {
  department?: string | null;
  matter?: string | null;
  caseNumber?: string | null;
  from?: Date | null;
  to?: Date | null;
  withoutFeedback?: boolean | null;
  verdict?: Verdict | null;
  measuresNotApplied?: boolean | null;
  notAppliedPolarity?: MeasurePolarity | null;
}

/** Whether the filter selects checks by what they found (verdict, measures, feedback), not by the ledger's line alone. */
export function filtersByFindings(filter: LedgerFilter): boolean {
  return (filter.verdict ?? null) !== null || (filter.measuresNotApplied ?? null) !== null;
}

/** How one polarity of measures fared in a group of checks (`MeasureApplication`). */
export interface MeasureApplication {
  polarity: MeasurePolarity;
  calledFor: number;
  applied: number;
  shareApplied: number | null;
  checksNotApplied: number;
}

export interface CheckStatistic {
  department: string;
  matter: string;
  /**
   * Distinct subjects the row's checks concern (not in the API): a row about fewer than
   * `minimumSubjectsPerStatistic` tells of each what its checks found, and is audited so.
   */
  subjects: number;
  checks: number;
  withFeedback: number;
  measuresCalledFor: number;
  measuresApplied: number;
  shareApplied: number | null;
  punishment: MeasureApplication;
  incentive: MeasureApplication;
}

const polarities: MeasurePolarity[] = ['PUNISHMENT', 'INCENTIVE'];

/** The catalogue's kinds of one polarity (all of them for null), as `measureKinds` classifies them. */
function kindsOfPolarity(polarity: MeasurePolarity | null): MeasureKind[] {
  return (Object.keys(measureKinds) as MeasureKind[]).filter((kind) => polarity === null || measureKinds[kind].polarity === polarity);
}

/**
 * SQL over a credit_check row (aliased `alias`) for the kinds it called for and those its feedback
 * applied, written the same on SQLite and MySQL (INSTR, no JSON functions). The columns are
 * written by this repository alone: `measure_kinds` as `,EXCLUSION,REFERENCE_NOTED,`
 * (`measureKindsOf`), `feedback_applied` with JSON.stringify as `["EXCLUSION",...]` (a varchar,
 * which MySQL keeps as written, unlike the JSON column `measures`). A kind is a catalogue constant
 * of capitals and `_`, between commas or quotes on both sides, so no kind's text is found inside
 * another's; it is written as a literal, never from input.
 */
function findingsSql(alias: string) {
  const literal = (text: string) => `'${text}'`;
  const kindName = (kind: MeasureKind) => {
    if (!/^[A-Z_]+$/.test(kind)) throw new Error(`not a measure kind: ${kind}`);
    return kind;
  };
  const calledFor = (kind: MeasureKind) => `INSTR(${alias}.measure_kinds, ${literal(`,${kindName(kind)},`)}) > 0`;
  const applied = (kind: MeasureKind) => `INSTR(COALESCE(${alias}.feedback_applied, ''), ${literal(`"${kindName(kind)}"`)}) > 0`;
  const count = (kinds: MeasureKind[], condition: (kind: MeasureKind) => string) => (kinds.length ? kinds.map((k) => `CASE WHEN ${condition(k)} THEN 1 ELSE 0 END`).join(' + ') : '0');
  return {
    calledFor,
    /** How many kinds of the polarity the check calls for, each once however many situations call for it. */
    calledForCount: (polarity: MeasurePolarity | null) => count(kindsOfPolarity(polarity), calledFor),
    /** How many kinds of the polarity its feedback reports applied (none without feedback). */
    appliedCount: (polarity: MeasurePolarity | null) => count(kindsOfPolarity(polarity), applied),
    /** Feedback reported, and a kind of the polarity the check called for is not among those applied. */
    notApplied: (polarity: MeasurePolarity | null) => `(${alias}.feedback_at IS NOT NULL AND (${kindsOfPolarity(polarity).map((k) => `(${calledFor(k)} AND NOT ${applied(k)})`).join(' OR ') || '1 = 0'}))`,
  };
}

/** The measures as a check stores them: with the kinds they call for, which the ledger's SQL reads (`findingsSql`). */
function storedMeasures(measures: AppliedMeasure[]): Pick<CreditCheck, 'measures' | 'measureKinds'> {
  return { measures, measureKinds: measureKindsOf(measures) };
}

/**
 * Another department asked for this check: it is told nothing of it, not even which department
 * ran it, and the refusal is audited in the trail of the subject it reached.
 */
export function anotherDepartmentsCheck(check: CreditCheck): GraphQLError {
  return forbiddenAbout(check.subjectId, 'NOT_ENTITLED', 'this check was run by another department: only that department reads it or reports its feedback');
}

/**
 * Feedback is reported once: what the check is now refuses a second report, not the form's input,
 * so it is TRANSITION_NOT_ALLOWED as every refusal of something already done (README, Errors),
 * with when it was reported (`reportedAt`, as `CreditCheck.feedback` shows it), as a decided
 * objection's refusal names its `status`, and by whom (the department's own user, as
 * `CreditCheck.feedback` shows it to the department, masked as every message names a user: userInWords).
 */
function feedbackAlreadyReported(check: Pick<CreditCheck, 'feedbackAt' | 'feedbackBy'>): GraphQLError {
  const when = check.feedbackAt;
  const by = check.feedbackBy ? ` by ${userInWords(check.feedbackBy)}` : '';
  return badInput('checkId', `feedback for this check was already reported${by}${when ? ` at ${inDistrictTime(when)}` : ''}`, { problem: 'TRANSITION_NOT_ALLOWED', ...(when ? { reportedAt: when.toISOString() } : {}) });
}

/**
 * Whether the feedback on file is this report, by the same user: a client that lost the answer
 * sends it again, and is answered the check as reported rather than refused as if the report had
 * failed. The measures as a set (each kind once, in any order), the note as stored (trimmed, or none).
 */
function isSameFeedback(check: Pick<CreditCheck, 'feedbackAt' | 'feedbackBy' | 'feedbackApplied' | 'feedbackNote'>, applied: readonly MeasureKind[], note: string | null, userId: string): boolean {
  if (!check.feedbackAt || check.feedbackBy !== userId || check.feedbackNote !== (note?.trim() || null)) return false;
  const reported = new Set(JSON.parse(check.feedbackApplied ?? '[]') as string[]);
  const sent = new Set<string>(applied);
  return reported.size === sent.size && [...sent].every((kind) => reported.has(kind));
}

/** Every query of the review ledger, in one place. */
export class CreditCheckRepository {
  readonly checks: Repository<CreditCheck>;
  private readonly records: Repository<CreditRecord>;
  private readonly pages = new PageLoaders();

  /** `deadline`: the request's, which its writes keep within (lib/deadline.ts). */
  constructor(
    private readonly db: DataSource,
    private readonly deadline?: RequestDeadline,
  ) {
    this.checks = db.getRepository(CreditCheck);
    this.records = db.getRepository(CreditRecord);
  }

  /** Records the check, stamped `now`: the records that count on that day, and the measures they call for. */
  async run(input: CheckRequest, actor: { userId: string; department: string }, now: Date): Promise<CreditCheck> {
    const key = input.idempotencyKey ?? null;
    const earlier = key ? await this.runUnder(key, actor, input) : null;
    if (earlier) return earlier;
    const rows = await this.records.find({ where: { subjectId: input.subjectId }, order: { decisionDate: 'DESC', id: 'DESC' } });
    // Judged on the day of the instant the check is stamped with, not the day its request started:
    // the reports subgraph judges the report requirement as of `checkedAt`, so a check sent just
    // before the district's midnight would otherwise count records as of one day and reports as of
    // the next. `checkedAt` stays the instant the check ran, which is what it claims.
    const counting: CheckedRecordSnapshot[] = recordsThatCount(rows, todayInDistrict(now)).map((r) => ({
        id: r.id,
        category: r.category,
        polarity: r.polarity,
        severity: r.severity,
        taxCreditGrade: r.taxCreditGrade,
        sourceDepartment: r.sourceDepartment,
        documentNumber: shownDocumentNumber(r),
        decisionDate: r.decisionDate,
        summary: r.summary,
        underObjection: r.status === 'OBJECTED',
      }));
    const check = this.checks.create({
      // Time-ordered, like the audit log's: the ledger only grows, at the end of its primary key.
      id: timeOrderedId(),
      subjectId: input.subjectId,
      matter: input.matter,
      caseNumber: input.caseNumber,
      department: actor.department,
      checkedBy: actor.userId,
      checkedAt: now,
      idempotencyKey: key,
      recordsSnapshot: counting,
      ...storedMeasures(applicableMeasures(input.matter, counting, false)),
      reportSatisfied: null,
      goodReportGrade: null,
      verdict: null,
      sealedAt: null,
      feedbackApplied: null,
      feedbackNote: null,
      feedbackBy: null,
      feedbackAt: null,
    });
    try {
      await writeAlone(this.db, () => this.checks.insert(check), this.deadline);
    } catch (error) {
      // The same key's first attempt, still running when this one looked, stored its check first.
      const first = key && isUniqueViolation(error) ? await this.runUnder(key, actor, input) : null;
      if (first) return first;
      throw error;
    }
    return check;
  }

  /** The officer's check run under `key`, or null; refused when it was of another subject, matter or case. */
  private async runUnder(key: string, actor: { userId: string; department: string }, input: CheckRequest): Promise<CreditCheck | null> {
    const earlier = await this.checks.findOneBy({ department: actor.department, checkedBy: actor.userId, idempotencyKey: key });
    if (earlier && (earlier.subjectId !== input.subjectId || earlier.matter !== input.matter || earlier.caseNumber !== input.caseNumber)) {
      throw badInput('idempotencyKey', `${userInWords(actor.userId)} of ${actor.department} already ran a check of another subject, matter or case under the key ${key}: make a new key for each check, and send it again only to retry that check`, {
        problem: 'IDEMPOTENCY_KEY_REUSED',
      });
    }
    return earlier;
  }

  /**
   * Seals the verdict once the report requirement is known: the measures are completed with a
   * good grade's incentives and, like the verdict, never change again. Only the first seal
   * writes (`verdict IS NULL`), so two concurrent readers cannot seal differently.
   */
  async seal(check: CreditCheck, report: { satisfied: boolean; goodGrade: boolean }): Promise<CreditCheck> {
    if (check.verdict) return check;
    const measures = applicableMeasures(check.matter, check.recordsSnapshot, report.goodGrade);
    const sealed = {
      ...storedMeasures(measures),
      reportSatisfied: report.satisfied,
      goodReportGrade: report.goodGrade,
      verdict: verdict(measures, { required: reportRequired(check.matter), satisfied: report.satisfied }),
      sealedAt: new Date(),
    };
    const written = await writeAlone(this.db, () => this.checks.createQueryBuilder().update().set(sealed).where('id = :id AND verdict IS NULL', { id: check.id }).execute(), this.deadline);
    // Sealed by this call: the check is what it wrote, with nothing to read back (a read per
    // check was an N+1 on a list's first reading). Sealed by another reader first (no row
    // written, or a driver that does not say): as that reader sealed it.
    if (written.affected === 1) return { ...check, ...sealed };
    return (await this.checks.findOneByOrFail({ id: check.id })) as CreditCheck;
  }

  /** The department's report of what it applied; once, by the department that ran the check. */
  async recordFeedback(check: CreditCheck, applied: MeasureKind[], note: string | null, actor: { userId: string; department: string }): Promise<CreditCheck> {
    if (check.department !== actor.department) throw anotherDepartmentsCheck(check);
    if (check.feedbackAt) {
      if (isSameFeedback(check, applied, note, actor.userId)) return check;
      throw feedbackAlreadyReported(check);
    }
    const calledFor = new Set(check.measures.map((m) => m.kind));
    const unknown = applied.filter((kind) => !calledFor.has(kind));
    if (unknown.length) throw badInput('appliedMeasures', `the check did not call for ${unknown.join(', ')}; it called for ${[...calledFor].join(', ') || 'no measure'}`);
    const trimmed = note?.trim() || null;
    if (new Set(applied).size < calledFor.size && !trimmed) throw badInput('note', 'say why the other measures the check called for were not applied');
    optionalProse(trimmed, 'note', 1000);
    const update = { feedbackApplied: JSON.stringify([...new Set(applied)]), feedbackNote: trimmed, feedbackBy: actor.userId, feedbackAt: new Date() };
    const result = await writeAlone(this.db, () => this.checks.createQueryBuilder().update().set(update).where('id = :id AND feedback_at IS NULL', { id: check.id }).execute(), this.deadline);
    // Reported by this call: the check is what it wrote, as a seal is. A read after the write
    // could fail (a connection lost) and tell the officer NOT_STORED of a report that was stored.
    if (result.affected === 1) return { ...check, ...update };
    const reported = (await this.checks.findOneByOrFail({ id: check.id })) as CreditCheck;
    // Another request reported it between the read above and this write: refused as if it had
    // come first, unless it was this very report (the same request sent twice at once).
    if (result.affected === 0 && !isSameFeedback(reported, applied, note, actor.userId)) throw feedbackAlreadyReported(reported);
    return reported;
  }

  /** A subject's checks, newest first, batched across subjects; a department sees its own only. */
  subjectChecks(subjectId: string, department: string | null, first: number, after?: CursorPosition | null): Promise<Page<CreditCheck> | undefined> {
    const where = department ? { sql: 't.department = ?', params: [department] } : undefined;
    return this.pages.load(this.checks, { parent: 'subjectId', where, orderBy: 'checkedAt', direction: 'DESC', first, after }, subjectId);
  }

  /**
   * The ledger as `scope` reads it (a department its own checks, null the credit office all),
   * newest first. An unknown department or matter code is BAD_USER_INPUT, as in `creditRecords`:
   * matching nothing, a typo would read as "no checks". It is refused before the scope is applied,
   * since it is the caller's mistake, not a request for another department's checks. The codes
   * are compared as given: the resolver reads them as every code typed is (`normaliseIdentifier`).
   */
  async ledger(filter: LedgerFilter, scope: string | null, first: number, after?: CursorPosition | null): Promise<Page<CreditCheck> | undefined> {
    departmentFilter(filter.department, 'department');
    if (filter.matter !== null && filter.matter !== undefined && !findMatter(filter.matter)) {
      throw badInput('matter', `matter must be a matter code from the catalogue (docs/access.md), got ${quotedInput(filter.matter)}`);
    }
    if (scope && filter.department && filter.department !== scope) throw forbidden('NOT_ENTITLED', `a department reads its own checks only; ${filter.department} is not ${scope}`);
    if (filter.from && filter.to) checkInstantRange(filter.from, filter.to);
    const caseNumber = caseNumberOf(filter.caseNumber);
    if ((filter.notAppliedPolarity ?? null) !== null && filter.measuresNotApplied !== true) {
      throw badInput('notAppliedPolarity', 'notAppliedPolarity narrows measuresNotApplied: true to measures of one polarity; send it with measuresNotApplied: true, or leave it out');
    }
    const department = scope ?? filter.department;
    const conditions: string[] = [];
    const params: unknown[] = [];
    const driver = this.db.driver;
    const add = (sql: string, value: unknown) => {
      conditions.push(sql);
      params.push(value);
    };
    if (department) add('t.department = ?', department);
    if (filter.matter) add('t.matter = ?', filter.matter);
    if (caseNumber !== null) add('t.case_number = ?', caseNumber);
    const checkedAt = this.checks.metadata.findColumnWithPropertyName('checkedAt')!;
    if (filter.from) add('t.checked_at >= ?', driver.preparePersistentValue(filter.from, checkedAt));
    if (filter.to) add('t.checked_at < ?', driver.preparePersistentValue(filter.to, checkedAt));
    if (filter.withoutFeedback === true) conditions.push('t.feedback_at IS NULL');
    if (filter.withoutFeedback === false) conditions.push('t.feedback_at IS NOT NULL');
    const findings = findingsSql('t');
    if (filter.verdict) {
      // The verdict is stored when it is sealed (when the check runs, or at its first read if the
      // reports subgraph was down then). Exclusion decides it whatever the report requirement
      // finds, so an unsealed check calling for EXCLUSION is EXCLUDED already; any other verdict
      // needs the report's findings, and an unsealed check matches it once sealed.
      if (filter.verdict === 'EXCLUDED') add(`(t.verdict = ? OR (t.verdict IS NULL AND ${findings.calledFor('EXCLUSION')}))`, filter.verdict);
      else add('t.verdict = ?', filter.verdict);
    }
    if (filter.measuresNotApplied === true) conditions.push(findings.notApplied(filter.notAppliedPolarity ?? null));
    if (filter.measuresNotApplied === false) conditions.push(`(t.feedback_at IS NOT NULL AND NOT ${findings.notApplied(null)})`);
    const where = conditions.length ? { sql: conditions.join(' AND '), params } : undefined;
    return (await loadPages(this.checks, { where, orderBy: 'checkedAt', direction: 'DESC', first, after })).get('');
  }

  /**
   * Per department and matter over [from, to): checks, feedback, measures called for and applied,
   * in all and by polarity (the catalogue's: PUNISHMENT 失信联合惩戒, INCENTIVE 守信联合激励), and the
   * distinct subjects concerned. A kind of measure counts once per check, however many situations
   * call for it: the assessment (考核) asks in how many checks a measure applied, and feedback
   * reports kinds, not situations. One SQL statement, counted in the database: each check's
   * counts in a derived table, summed per plain column of it (ONLY_FULL_GROUP_BY, as MySQL 8
   * enforces it). The period is whole district days (`checkDistrictDays`, the analysts' audit
   * statistics' rule), so that no window is cut around one check by the millisecond.
   */
  async statistics(from: Date, to: Date): Promise<CheckStatistic[]> {
    checkDistrictDays({ from, to }, 'the credit check statistics are');
    checkInstantRange(from, to);
    const { sql, params } = checkStatisticsStatement(this.db, from, to);
    const rows: Record<string, unknown>[] = await this.db.query(sql, params);
    const share = (applied: number, calledFor: number) => (calledFor ? applied / calledFor : null);
    return rows
      .map((row) => {
        const n = (column: string) => Number(row[column] ?? 0);
        const byPolarity = (polarity: MeasurePolarity, prefix: string): MeasureApplication => ({
          polarity,
          calledFor: n(`${prefix}_called_for`),
          applied: n(`${prefix}_applied`),
          shareApplied: share(n(`${prefix}_applied`), n(`${prefix}_called_for`)),
          checksNotApplied: n(`${prefix}_checks_not_applied`),
        });
        const punishment = byPolarity('PUNISHMENT', 'punishment');
        const incentive = byPolarity('INCENTIVE', 'incentive');
        const measuresCalledFor = punishment.calledFor + incentive.calledFor;
        const measuresApplied = punishment.applied + incentive.applied;
        return {
          department: String(row.department),
          matter: String(row.matter),
          subjects: n('subjects'),
          checks: n('checks'),
          withFeedback: n('with_feedback'),
          measuresCalledFor,
          measuresApplied,
          shareApplied: share(measuresApplied, measuresCalledFor),
          punishment,
          incentive,
        };
      })
      .sort((a, b) => (a.department === b.department ? (a.matter < b.matter ? -1 : 1) : a.department < b.department ? -1 : 1));
  }

  /**
   * The checks of [from, to) behind the given statistics rows (department, matter), in one
   * statement (none for no rows): those a row about few subjects tells of, to be audited as reads
   * of their findings. A check stored in such a row after `statistics` counted it is among them
   * too: audited once more than read, never once less.
   */
  async checksOfRows(from: Date, to: Date, rows: readonly { department: string; matter: string }[]): Promise<CreditCheck[]> {
    if (!rows.length) return [];
    const checkedAt = this.checks.metadata.findColumnWithPropertyName('checkedAt')!;
    const driver = this.db.driver;
    const params: Record<string, unknown> = { from: driver.preparePersistentValue(from, checkedAt), to: driver.preparePersistentValue(to, checkedAt) };
    const cells = rows.map((row, i) => {
      params[`department${i}`] = row.department;
      params[`matter${i}`] = row.matter;
      return `(t.department = :department${i} AND t.matter = :matter${i})`;
    });
    return await this.checks
      .createQueryBuilder('t')
      .where('t.checked_at >= :from AND t.checked_at < :to')
      .andWhere(`(${cells.join(' OR ')})`, params)
      .orderBy('t.id')
      .getMany();
  }
}

/**
 * The one statement behind `statistics`: per check (derived table `c`) its department, matter,
 * subject, whether it has feedback and, per polarity, the kinds called for, the kinds applied and whether
 * one called for was left out; then summed per department and matter (subjects counted
 * distinct), grouped by plain columns of the derived table. Exported so that a test can run it under MySQL 8's ONLY_FULL_GROUP_BY.
 */
export function checkStatisticsStatement(db: DataSource, from: Date, to: Date): { sql: string; params: unknown[] } {
  const q = (name: string) => db.driver.escape(name);
  const checkedAt = db.getMetadata(CreditCheck).findColumnWithPropertyName('checkedAt')!;
  const findings = findingsSql('t');
  const perCheck = [
    `t.department AS ${q('department')}`,
    `t.matter AS ${q('matter')}`,
    `t.subject_id AS ${q('subject_id')}`,
    `CASE WHEN t.feedback_at IS NOT NULL THEN 1 ELSE 0 END AS ${q('has_feedback')}`,
    ...polarities.flatMap((polarity) => {
      const prefix = polarity.toLowerCase();
      return [
        `${findings.calledForCount(polarity)} AS ${q(`${prefix}_called_for`)}`,
        `${findings.appliedCount(polarity)} AS ${q(`${prefix}_applied`)}`,
        `CASE WHEN ${findings.notApplied(polarity)} THEN 1 ELSE 0 END AS ${q(`${prefix}_not_applied`)}`,
      ];
    }),
  ];
  const sums = polarities.flatMap((polarity) => {
    const prefix = polarity.toLowerCase();
    return [
      `SUM(c.${q(`${prefix}_called_for`)}) AS ${q(`${prefix}_called_for`)}`,
      `SUM(c.${q(`${prefix}_applied`)}) AS ${q(`${prefix}_applied`)}`,
      `SUM(c.${q(`${prefix}_not_applied`)}) AS ${q(`${prefix}_checks_not_applied`)}`,
    ];
  });
  const sql =
    `SELECT c.${q('department')} AS ${q('department')}, c.${q('matter')} AS ${q('matter')}, COUNT(*) AS ${q('checks')}, COUNT(DISTINCT c.${q('subject_id')}) AS ${q('subjects')}, SUM(c.${q('has_feedback')}) AS ${q('with_feedback')}, ${sums.join(', ')}` +
    ` FROM (SELECT ${perCheck.join(', ')} FROM ${q('credit_check')} t WHERE t.checked_at >= ? AND t.checked_at < ?) c` +
    ` GROUP BY c.${q('department')}, c.${q('matter')}`;
  return { sql, params: [db.driver.preparePersistentValue(from, checkedAt), db.driver.preparePersistentValue(to, checkedAt)] };
}

/**
 * A check's case number as sent (a check's own, or the ledger's `caseNumber` filter): trimmed and
 * its full-width forms folded (lib/text.ts `foldedNumber`), as the check's was stored and as the
 * gateway takes x-credit-case, and matched exactly. Blank, longer than a case number can be, or
 * holding a character the gateway refuses in x-credit-case (a zero-width space or a direction
 * override pasted with it, no letter or digit): BAD_USER_INPUT, as no case could be named so; a
 * filter by it could match no check, and an empty list would read as "never checked", as an
 * unknown matter code would.
 */
export function caseNumberOf(caseNumber: string | null | undefined): string | null {
  if (caseNumber === null || caseNumber === undefined) return null;
  const trimmed = foldedNumber(caseNumber);
  const problem = textProblem(trimmed, 100, 'caseNumber', caseNumber);
  if (problem) throw refusedText('caseNumber', problem);
  assertLegible(trimmed, 'caseNumber');
  return trimmed;
}
