import { In, type DataSource, type Repository } from 'typeorm';
import { disclosureEndsAt, findRecordCategory, recordCategories, type Polarity, type RecordCategoryCode } from '../../lib/catalogue/record-categories';
import { badInput, refusedInput } from '../../lib/errors';
import type { CursorPosition } from '../shared/cursors';
import type { PageQuery } from '../shared/pagination';
import { CreditRecord, type RecordStatus } from './entities/credit-record.entity';
import { validateCreditRecord, type CreditRecordDraft } from './credit-record.validation';
import { countsToday, standingTaxGrade, taxGradeTermRunsFrom } from '../../lib/catalogue/record-standing';
import { groupedByKey } from '../shared/loaders';
import { foldedDocumentNumber, writtenDocumentNumber } from '../../lib/text';
import { departmentFilter } from './department-filter';

/** `CreditRecordFilter` of the schema. */
export interface CreditRecordFilter {
  categories?: RecordCategoryCode[] | null;
  polarity?: Polarity | null;
  statuses?: RecordStatus[] | null;
  sourceDepartment?: string | null;
  decidedFrom?: string | null;
  decidedTo?: string | null;
  /** Only the records a credit check counts today (true), or only those it does not (false). */
  countsInCheck?: boolean | null;
  /** Not in the schema: set by `visibleFilter`, only records whose disclosure period has not ended. */
  withinDisclosure?: boolean;
}


/**
 * Validates a draft and turns it into the row to store, computing the disclosure end from the
 * catalogue. Throws BAD_USER_INPUT naming the first problem, with all of them in `problems`.
 */
export function buildCreditRecord(draft: CreditRecordDraft, write: { id: string; recordedAt: Date; today: string }): CreditRecord {
  const problems = validateCreditRecord({ ...draft, recordedAt: write.recordedAt }, write.today);
  if (problems.length > 0) throw refusedInput(problems.map(({ field, message, details }) => ({ field, reason: message, ...details })));
  return recordFromDraft(draft, write);
}

/** The row for a draft already validated (`validateCreditRecord`), with its disclosure end from the catalogue. */
export function recordFromDraft(draft: CreditRecordDraft, write: { id: string; recordedAt: Date }): CreditRecord {
  const severity = draft.severity ?? null;
  // One decision however typed: 〔２０２６〕１０号, [2026]10号 and 〔2026〕 10号 are 〔2026〕10号 (lib/text.ts
  // `foldedDocumentNumber`), shown as the department wrote it.
  const documentNumber = foldedDocumentNumber(draft.documentNumber);
  const written = writtenDocumentNumber(draft.documentNumber);
  return Object.assign(new CreditRecord(), {
    id: write.id,
    subjectId: draft.subjectId,
    category: draft.category,
    polarity: draft.polarity,
    severity,
    taxCreditGrade: draft.taxCreditGrade ?? null,
    sourceDepartment: draft.sourceDepartment,
    documentNumber,
    writtenNumber: written === documentNumber ? null : written,
    decisionDate: draft.decisionDate,
    disclosureEndsAt: disclosureEndsAt(draft.category, draft.polarity, severity, draft.decisionDate),
    validUntil: draft.validUntil ?? null,
    status: draft.status ?? 'ACTIVE',
    summary: draft.summary.trim(),
    recordedAt: write.recordedAt,
  });
}

/** A record's document number as the platform shows it (`CreditRecord.documentNumber` of the schema, a check's copy, intake's words): as its department wrote it. */
export function shownDocumentNumber(record: Pick<CreditRecord, 'documentNumber' | 'writtenNumber'>): string {
  return record.writtenNumber ?? record.documentNumber;
}

/**
 * The field groups a reader needs to see a record: its category's group, and
 * RESTRICTED_RECORDS once it no longer counts (restored, expired, withdrawn). A record under
 * objection still counts, so whoever reads its category reads it, marked OBJECTED.
 */
export function groupsToSee(record: Pick<CreditRecord, 'category' | 'status' | 'disclosureEndsAt'>, today: string): string[] {
  const category = categoryGroup(record.category);
  return countsToday(record, today) ? [category] : [category, 'RESTRICTED_RECORDS'];
}

/** The field group a record of this category is read under (PUBLIC_RECORDS for a category no longer in the catalogue). */
export function categoryGroup(category: string): string {
  return findRecordCategory(category)?.fieldGroup ?? 'PUBLIC_RECORDS';
}


/** The statuses of records that count today, the default of every reader without RESTRICTED_RECORDS. */
const countingStatuses: readonly RecordStatus[] = ['ACTIVE', 'OBJECTED'];

/** Narrows a filter to the records the grants may see, as `groupsToSee` decides them one by one. */
export function visibleFilter(filter: CreditRecordFilter, grants: readonly string[]): CreditRecordFilter {
  const narrowed = { ...filter };
  if (!grants.includes('DISHONESTY_LISTS')) {
    const visible = recordCategories.filter((c) => c.fieldGroup !== 'DISHONESTY_LISTS').map((c) => c.code);
    narrowed.categories = (filter.categories ?? visible).filter((c) => visible.includes(c));
  }
  if (!grants.includes('RESTRICTED_RECORDS')) {
    narrowed.statuses = (filter.statuses ?? countingStatuses).filter((s) => countingStatuses.includes(s));
    narrowed.withinDisclosure = true;
  }
  return narrowed;
}

/** Every query about credit records themselves, in one place. `today` is the district's date for the request. */
export class CreditRecordRepository {
  readonly records: Repository<CreditRecord>;

  constructor(
    private readonly db: DataSource,
    readonly today: string,
  ) {
    this.records = db.getRepository(CreditRecord);
  }

  /**
   * The page query behind `Subject.creditRecords`: newest decision first, the id breaking ties,
   * narrowed to what the request's grants may see.
   */
  subjectRecordsQuery(
    filter: CreditRecordFilter | null | undefined,
    first: number,
    after: CursorPosition | null | undefined,
    grants: readonly string[],
  ): Omit<PageQuery<CreditRecord>, 'parentIds'> {
    return { parent: 'subjectId', where: this.filterCondition(visibleFilter(filter ?? {}, grants)), orderBy: 'decisionDate', direction: 'DESC', first, after };
  }

  /** SQL for a filter on the table aliased `t`; throws BAD_USER_INPUT for an inconsistent filter. */
  filterCondition(filter: CreditRecordFilter): { sql: string; params: unknown[] } | undefined {
    const column = (name: string) => `t.${this.db.driver.escape(name)}`;
    const conditions: string[] = [];
    const params: unknown[] = [];
    const oneOf = (name: string, listed: readonly string[]) => {
      // Each value once: a list of enum values repeated 20,000 times is the same filter, not 20,000 parameters.
      const values = [...new Set(listed)];
      // An empty list matches nothing, as the schema documents; `IN ()` is not valid SQL.
      conditions.push(values.length ? `${column(name)} IN (${values.map(() => '?').join(', ')})` : '1 = 0');
      params.push(...values);
    };
    if (filter.categories) oneOf('category', filter.categories);
    if (filter.polarity) {
      conditions.push(`${column('polarity')} = ?`);
      params.push(filter.polarity);
    }
    if (filter.sourceDepartment !== null && filter.sourceDepartment !== undefined) {
      const department = departmentFilter(filter.sourceDepartment, 'filter.sourceDepartment');
      conditions.push(`${column('source_department')} = ?`);
      params.push(department);
    }
    if (filter.decidedFrom && filter.decidedTo && filter.decidedFrom > filter.decidedTo) {
      throw badInput('filter.decidedTo', `decidedTo must not be before decidedFrom, got ${filter.decidedFrom} to ${filter.decidedTo}`);
    }
    if (filter.decidedFrom) {
      conditions.push(`${column('decision_date')} >= ?`);
      params.push(filter.decidedFrom);
    }
    if (filter.decidedTo) {
      conditions.push(`${column('decision_date')} <= ?`);
      params.push(filter.decidedTo);
    }
    if (filter.withinDisclosure) {
      conditions.push(`(${column('disclosure_ends_at')} IS NULL OR ${column('disclosure_ends_at')} >= ?)`);
      params.push(this.today);
    }
    if (filter.countsInCheck !== null && filter.countsInCheck !== undefined) {
      const counts = this.countsInCheckCondition(params);
      conditions.push(filter.countsInCheck ? `(${counts})` : `NOT (${counts})`);
    }
    if (filter.statuses) {
      const alternatives = [...new Set(filter.statuses)].map((status) => this.statusCondition(status, params));
      conditions.push(alternatives.length ? `(${alternatives.join(' OR ')})` : '1 = 0');
    }
    return conditions.length ? { sql: conditions.join(' AND '), params } : undefined;
  }

  /** Per subject, the id of its tax grade that stands (`standingTaxGrade`), or null: one statement for all of them. */
  async standingTaxGrades(subjectIds: readonly string[]): Promise<(string | null)[]> {
    const grades = await this.records.find({
      select: { id: true, subjectId: true, category: true, status: true },
      where: { subjectId: In([...subjectIds]), category: 'TAX_CREDIT_GRADE' },
      order: { decisionDate: 'DESC', id: 'DESC' },
    });
    return groupedByKey(subjectIds, grades, (g) => g.subjectId).map((own) => standingTaxGrade(own)?.id ?? null);
  }

  /**
   * `countsInCheckToday` in SQL, on the table aliased `t`; pushes its parameters onto `params`.
   * Never NULL, so that NOT of it is the records a check does not count. The tax grade that stands
   * is the one no newer grade of its subject replaces (a withdrawn one replaces none), newer in the
   * order a check reads them (decision date, then id): asked of the subject's grades by the index
   * on (subject, decision date), within the page's own statement, so a page of many subjects stays
   * one statement and its count counts what it lists.
   */
  private countsInCheckCondition(params: unknown[]): string {
    const q = (name: string) => this.db.driver.escape(name);
    const [status, endsAt, polarity, validUntil, category, decided] = ['status', 'disclosure_ends_at', 'polarity', 'valid_until', 'category', 'decision_date'].map((name) => `t.${q(name)}`);
    const newer = q('newer_grade');
    const replacedBy =
      `SELECT 1 FROM ${q(this.records.metadata.tablePath)} ${newer} WHERE ${newer}.${q('subject_id')} = t.${q('subject_id')} AND ${newer}.${q('category')} = ? AND ${newer}.${q('status')} <> ?` +
      ` AND (${newer}.${q('decision_date')} > ${decided} OR (${newer}.${q('decision_date')} = ${decided} AND ${newer}.${q('id')} > t.${q('id')}))`;
    params.push(...countingStatuses, this.today, 'POSITIVE', this.today, 'TAX_CREDIT_GRADE', this.today, taxGradeTermRunsFrom(this.today), 'TAX_CREDIT_GRADE', 'WITHDRAWN');
    return [
      // `countsToday`: a counting status, within the disclosure period.
      `${status} IN (${countingStatuses.map(() => '?').join(', ')})`,
      `(${endsAt} IS NULL OR ${endsAt} >= ?)`,
      // A positive record within its term (an honour counts through its `validUntil`).
      `(${polarity} <> ? OR ${validUntil} IS NULL OR ${validUntil} >= ?)`,
      // A tax grade within its term (its `validUntil`, or one annual assessment) and not replaced.
      `(${category} <> ? OR (((${validUntil} IS NOT NULL AND ${validUntil} >= ?) OR (${validUntil} IS NULL AND ${decided} >= ?)) AND NOT EXISTS (${replacedBy})))`,
    ].join(' AND ');
  }

  /** `effectiveStatus` in SQL; pushes its parameters onto `params`. */
  private statusCondition(status: RecordStatus, params: unknown[]): string {
    const stored = `t.${this.db.driver.escape('status')}`;
    const endsAt = `t.${this.db.driver.escape('disclosure_ends_at')}`;
    switch (status) {
      case 'ACTIVE':
        params.push('ACTIVE', this.today);
        return `(${stored} = ? AND (${endsAt} IS NULL OR ${endsAt} >= ?))`;
      case 'EXPIRED':
        params.push('ACTIVE', this.today);
        return `(${stored} = ? AND ${endsAt} < ?)`;
      case 'OBJECTED':
      case 'RESTORED':
      case 'WITHDRAWN':
        params.push(status);
        return `${stored} = ?`;
    }
  }
}
