import { timeOrderedId } from '../../lib/time-ordered-id';
import { todayInDistrict } from '../../lib/calendar';
import type { GraphQLError } from 'graphql';
import type { DataSource, Repository } from 'typeorm';
import { findDepartment } from '../../lib/catalogue/departments';
import { findMatter } from '../../lib/catalogue/matters';
import { recordsThatCount } from '../../lib/catalogue/record-standing';
import { applicableMeasures, verdict, reportRequired, type AppliedMeasure, type CountingRecord, type MeasureKind } from '../../lib/catalogue/measures';
import { assertLegible, badInput } from '../../lib/errors';
import type { CursorPosition } from '../shared/cursors';
import { forbidden, forbiddenAbout } from '../shared/access';
import { loadPages, type Page } from '../shared/pagination';
import { PageLoaders } from '../shared/loaders';
import { writeAlone } from '../shared/write-queue';
import { isUniqueViolation } from '../shared/database';
import { CreditCheck } from './entities/credit-check.entity';
import { CreditRecord } from './entities/credit-record.entity';
import { characterCount } from '../../lib/text';

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

export interface LedgerFilter {
  department?: string | null;
  matter?: string | null;
  from?: Date | null;
  to?: Date | null;
  withoutFeedback?: boolean | null;
}

export function snapshotOf(check: CreditCheck): CheckedRecordSnapshot[] {
  return JSON.parse(check.recordsSnapshot) as CheckedRecordSnapshot[];
}

export function measuresOf(check: CreditCheck): AppliedMeasure[] {
  return JSON.parse(check.measures) as AppliedMeasure[];
}

/**
 * Another department asked for this check: it is told nothing of it, not even which department
 * ran it, and the refusal is audited in the trail of the subject it reached.
 */
export function anotherDepartmentsCheck(check: CreditCheck): GraphQLError {
  return forbiddenAbout(check.subjectId, 'this check was run by another department: only that department reads it or reports its feedback');
}

/** Every query of the review ledger, in one place. */
export class CreditCheckRepository {
  readonly checks: Repository<CreditCheck>;
  private readonly records: Repository<CreditRecord>;
  private readonly pages = new PageLoaders();

  constructor(private readonly db: DataSource) {
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
        documentNumber: r.documentNumber,
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
      recordsSnapshot: JSON.stringify(counting),
      measures: JSON.stringify(applicableMeasures(input.matter, counting, false)),
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
      await writeAlone(this.db, () => this.checks.insert(check));
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
      throw badInput('idempotencyKey', `${actor.userId} of ${actor.department} already ran a check of another subject, matter or case under the key ${key}: make a new key for each check, and send it again only to retry that check`, {
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
    const measures = applicableMeasures(check.matter, snapshotOf(check), report.goodGrade);
    const sealed = {
      measures: JSON.stringify(measures),
      reportSatisfied: report.satisfied,
      goodReportGrade: report.goodGrade,
      verdict: verdict(measures, { required: reportRequired(check.matter), satisfied: report.satisfied }),
      sealedAt: new Date(),
    };
    await writeAlone(this.db, () => this.checks.createQueryBuilder().update().set(sealed).where('id = :id AND verdict IS NULL', { id: check.id }).execute());
    return (await this.checks.findOneByOrFail({ id: check.id })) as CreditCheck;
  }

  /** The department's report of what it applied; once, by the department that ran the check. */
  async recordFeedback(check: CreditCheck, applied: MeasureKind[], note: string | null, actor: { userId: string; department: string }): Promise<CreditCheck> {
    if (check.department !== actor.department) throw anotherDepartmentsCheck(check);
    if (check.feedbackAt) throw badInput('checkId', `feedback for this check was already reported on ${check.feedbackAt.toISOString()}`);
    const calledFor = new Set(measuresOf(check).map((m) => m.kind));
    const unknown = applied.filter((kind) => !calledFor.has(kind));
    if (unknown.length) throw badInput('appliedMeasures', `the check did not call for ${unknown.join(', ')}; it called for ${[...calledFor].join(', ') || 'no measure'}`);
    const trimmed = note?.trim() || null;
    if (new Set(applied).size < calledFor.size && !trimmed) throw badInput('note', 'say why the other measures the check called for were not applied');
    if (trimmed && characterCount(trimmed) > 1000) throw badInput('note', `note must be at most 1000 characters, got ${characterCount(trimmed)}`);
    if (trimmed) assertLegible(trimmed, 'note', 'note', 'prose');
    const update = { feedbackApplied: JSON.stringify([...new Set(applied)]), feedbackNote: trimmed, feedbackBy: actor.userId, feedbackAt: new Date() };
    const result = await writeAlone(this.db, () => this.checks.createQueryBuilder().update().set(update).where('id = :id AND feedback_at IS NULL', { id: check.id }).execute());
    if (result.affected === 0) throw badInput('checkId', 'feedback for this check was already reported');
    return (await this.checks.findOneByOrFail({ id: check.id })) as CreditCheck;
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
   * since it is the caller's mistake, not a request for another department's checks.
   */
  async ledger(filter: LedgerFilter, scope: string | null, first: number, after?: CursorPosition | null): Promise<Page<CreditCheck> | undefined> {
    if (filter.department !== null && filter.department !== undefined && !findDepartment(filter.department)) {
      throw badInput('department', `department must be a department code from Query.departments, got ${JSON.stringify(filter.department)}`);
    }
    if (filter.matter !== null && filter.matter !== undefined && !findMatter(filter.matter)) {
      throw badInput('matter', `matter must be a matter code from the catalogue (docs/access.md), got ${JSON.stringify(filter.matter)}`);
    }
    if (scope && filter.department && filter.department !== scope) throw forbidden(`a department reads its own checks only; ${filter.department} is not ${scope}`);
    if (filter.from && filter.to && filter.to <= filter.from) throw badInput('to', 'to must be after from');
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
    const checkedAt = this.checks.metadata.findColumnWithPropertyName('checkedAt')!;
    if (filter.from) add('t.checked_at >= ?', driver.preparePersistentValue(filter.from, checkedAt));
    if (filter.to) add('t.checked_at < ?', driver.preparePersistentValue(filter.to, checkedAt));
    if (filter.withoutFeedback === true) conditions.push('t.feedback_at IS NULL');
    if (filter.withoutFeedback === false) conditions.push('t.feedback_at IS NOT NULL');
    const where = conditions.length ? { sql: conditions.join(' AND '), params } : undefined;
    return (await loadPages(this.checks, { where, orderBy: 'checkedAt', direction: 'DESC', first, after })).get('');
  }

  /**
   * Per department and matter over [from, to): checks, feedback, measures called for and applied.
   * A kind of measure counts once per check, however many situations call for it: the assessment
   * (考核) asks in how many checks a measure applied, and feedback reports kinds, not situations.
   */
  async statistics(from: Date, to: Date) {
    if (to <= from) throw badInput('to', 'to must be after from');
    const rows = await this.checks.createQueryBuilder('c').where('c.checkedAt >= :from AND c.checkedAt < :to', { from, to }).getMany();
    const groups = new Map<string, { department: string; matter: string; checks: number; withFeedback: number; measuresCalledFor: number; measuresApplied: number }>();
    for (const check of rows) {
      const key = `${check.department}\u0000${check.matter}`;
      const group = groups.get(key) ?? { department: check.department, matter: check.matter, checks: 0, withFeedback: 0, measuresCalledFor: 0, measuresApplied: 0 };
      group.checks += 1;
      group.measuresCalledFor += new Set(measuresOf(check).map((m) => m.kind)).size;
      if (check.feedbackApplied !== null) {
        group.withFeedback += 1;
        group.measuresApplied += (JSON.parse(check.feedbackApplied) as string[]).length;
      }
      groups.set(key, group);
    }
    return [...groups.values()]
      .sort((a, b) => (a.department === b.department ? (a.matter < b.matter ? -1 : 1) : a.department < b.department ? -1 : 1))
      .map((g) => ({ ...g, shareApplied: g.measuresCalledFor ? g.measuresApplied / g.measuresCalledFor : null }));
  }
}
