import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import type { DataSource } from 'typeorm';
import { departments, storedDepartment } from '../../lib/catalogue/departments';
import { allSubjects, organisationSubjects } from '../../lib/catalogue/matters';
import { recordCategories } from '../../lib/catalogue/record-categories';
import { minimumSubjectsPerStatistic } from '../../lib/access/policy';
import { addDays, checkDatePeriod } from '../../lib/calendar';
import { forbidden, limitedKinds, type SubgraphContext } from '../shared/access';
import { withEntitiesOrUnavailable, type SubjectDirectory } from '../shared/subject-directory';
import type { RecordsContext } from './context';
import { intakeChunkSize } from './intake/record-intake';
import { departmentFilter } from './department-filter';

/**
 * `Query.creditRecordStatistics` (信用记录统计): how many credit records the district's departments
 * decided within a period, per source department, kind of subject, category, polarity and
 * severity, with the number of distinct subjects, small cells folded for whoever does not read
 * every record one by one (`readsEveryRecord`). An aggregate names no
 * subject, so nothing here is reported as disclosed (no `disclose`): the gateway writes no audit
 * entry for it, as for `auditStatistics`, and a refusal is audited with no subject.
 *
 * Which records count: every record decided in [from, to) except those WITHDRAWN (the source
 * department accepted an objection: the decision was wrong). Active, objected (the decision
 * stands until the objection is decided), expired and restored records count: they are decisions
 * the department made.
 *
 * The records subgraph stores no subject's kind: it learns it from the entities subgraph, as
 * `creditRecord(id)` does (`SubjectDirectory`, one HTTP request per 1,000 distinct subjects, a few
 * at once). The records themselves are read a month of the period per statement, from an index
 * that holds every column counted (migrations/1764000000190-index-record-statistics.ts).
 */

export type SubjectKindGroup = 'ORGANISATION' | 'NATURAL_PERSON';

export interface CreditRecordStatisticsArgs {
  from: string;
  to: string;
  sourceDepartment?: string | null;
  subjectKind?: SubjectKindGroup | null;
}

export interface CreditRecordStatisticsRow {
  sourceDepartment: string;
  subjectKind: SubjectKindGroup;
  category: string | null;
  polarity: string | null;
  severity: string | null;
  folded: boolean;
  suppressed: boolean;
  records: number | null;
  subjects: number | null;
}

export interface CreditRecordStatistics {
  from: string;
  to: string;
  subjectKinds: SubjectKindGroup[];
  /** Null when every cell is shown exactly (`readsEveryRecord`). */
  minimumSubjects: number | null;
  rows: CreditRecordStatisticsRow[];
}

/** One (cell, subject) of the SQL answer: the records the subject has in the cell. */
interface SubjectCell {
  sourceDepartment: string;
  category: string;
  polarity: string;
  severity: string | null;
  subjectId: string;
  records: number;
}

const groupOf = (kind: string): SubjectKindGroup => (kind === 'NATURAL_PERSON' ? 'NATURAL_PERSON' : 'ORGANISATION');

/**
 * The kinds of subject this request may count. Natural persons only for the credit office's
 * supervisors (CREDIT_OFFICE_SUPERVISOR, held only by the supervising departments), and only when
 * the request's purpose, if it names one, covers them: analysts' STATISTICAL_ANALYSIS covers
 * organisations only, and so does their every statistic, with or without the purpose header.
 */
export function countedKinds(ctx: SubgraphContext): readonly string[] {
  const scope = limitedKinds(ctx.access) ?? allSubjects;
  const role = ctx.access.identity.caller?.role;
  const byRole = role === 'CREDIT_OFFICE_SUPERVISOR' ? allSubjects : organisationSubjects;
  return byRole.filter((kind) => scope.includes(kind));
}

/** The field groups that read, one by one, every record counted here: each category's, and RESTRICTED_RECORDS for the restored and expired. */
const everyRecordCounted = [...new Set<string>([...recordCategories.map((c) => c.fieldGroup), 'RESTRICTED_RECORDS'])];

/**
 * Whether this request gets every cell exactly, as `auditStatistics` decides for its readers
 * (subgraphs/audit): small-cell suppression hides from a reader what it could not read record by
 * record. The credit office and the supervising departments under CREDIT_SUPERVISION read every
 * record counted (dishonesty lists, restored and expired ones) one by one anyway, and their
 * assessment (考核) needs each department's exact output, cells that add up. Decided by the
 * request's grants, not the role: a supervisor without that purpose reads no record, and is
 * answered as an analyst is.
 */
function readsEveryRecord(ctx: SubgraphContext): boolean {
  const { grants } = ctx.access.identity;
  return everyRecordCounted.every((group) => grants.includes(group));
}

/**
 * [from, to) cut at the first of each month: the windows `subjectCells` reads one statement each,
 * so that no statement's answer holds more than a month's records, however long the period.
 */
export function monthWindows(from: string, to: string): [string, string][] {
  const windows: [string, string][] = [];
  for (let start = from; start < to; ) {
    const [year, month] = start.split('-').map(Number);
    const nextMonth = new Date(Date.UTC(year, month, 1)).toISOString().slice(0, 10);
    const end = nextMonth < to ? nextMonth : to;
    windows.push([start, end]);
    start = end;
  }
  return windows;
}

/**
 * The (cell, subject) rows of the period: one statement for the first and last decision counted,
 * then one per month between them, so that a period of decades over a few years of records reads
 * those years' months only. Each statement reads the records' cells from the index alone and they
 * are counted here, not grouped by the database: nearly every (cell, subject) is a group of its
 * own, so a year's groups (200,000 at a million records) outgrew the server's in-memory temporary
 * table, and even a month's grouping took longer than sending its rows (at a million records, five
 * years' months 5.2 s grouped, 1.6 s sent).
 */
export async function subjectCells(db: DataSource, from: string, to: string, sourceDepartment: string | null): Promise<SubjectCell[]> {
  const q = (name: string) => db.driver.escape(name);
  const where = [`${q('decision_date')} >= ?`, `${q('decision_date')} < ?`, `${q('status')} <> ?`];
  if (sourceDepartment !== null) where.push(`${q('source_department')} = ?`);
  const params = (start: string, end: string) => [start, end, 'WITHDRAWN', ...(sourceDepartment === null ? [] : [sourceDepartment])];
  const [decided]: { first: string | null; last: string | null }[] = await db.query(
    `SELECT MIN(${q('decision_date')}) AS ${q('first')}, MAX(${q('decision_date')}) AS ${q('last')} FROM ${q('credit_record')} WHERE ${where.join(' AND ')}`,
    params(from, to),
  );
  if (!decided?.first || !decided.last) return [];
  const columns = ['source_department', 'category', 'polarity', 'severity', 'subject_id'].map(q);
  const sql = `SELECT ${columns.join(', ')} FROM ${q('credit_record')} WHERE ${where.join(' AND ')}`;
  const cells = new Map<string, SubjectCell>();
  for (const [start, end] of monthWindows(decided.first, addDays(decided.last, 1))) {
    const rows: { source_department: string; category: string; polarity: string; severity: string | null; subject_id: string }[] = await db.query(sql, params(start, end));
    for (const row of rows) {
      const key = `${row.source_department}\u0000${row.category}\u0000${row.polarity}\u0000${row.severity ?? ''}\u0000${row.subject_id}`;
      const cell = cells.get(key);
      if (cell) cell.records += 1;
      else cells.set(key, { sourceDepartment: row.source_department, category: row.category, polarity: row.polarity, severity: row.severity ?? null, subjectId: row.subject_id, records: 1 });
    }
  }
  return [...cells.values()];
}

/** Lookups of the entities subgraph in flight at once for one statistic: its two cores' worth, and a round trip's. */
const lookupsInFlight = 4;

/** Each subject's kind, from the entities subgraph; a subject it does not know is left out. */
async function kindsOf(directory: SubjectDirectory, subjectIds: readonly string[], access: SubgraphContext['access']): Promise<Map<string, string>> {
  const kinds = new Map<string, string>();
  const batches: string[][] = [];
  for (let start = 0; start < subjectIds.length; start += intakeChunkSize) batches.push(subjectIds.slice(start, start + intakeChunkSize));
  await withEntitiesOrUnavailable(async () => {
    const lookUpNext = async (): Promise<void> => {
      for (let batch = batches.shift(); batch; batch = batches.shift()) {
        // Once one lookup failed nothing is counted: the others take no further batch.
        const found = await directory.lookUp(batch, [], access.identity.requestId, access.deadline).catch((error: unknown) => {
          batches.length = 0;
          throw error;
        });
        found.kinds?.forEach((kind, id) => kinds.set(id, kind));
      }
    };
    await Promise.all(Array.from({ length: Math.min(lookupsInFlight, batches.length) }, lookUpNext));
  }, "the subjects' kinds could not be established with the entities subgraph, so nothing was counted; retry later");
  return kinds;
}

interface Cell {
  sourceDepartment: string;
  subjectKind: SubjectKindGroup;
  category: string;
  polarity: string;
  severity: string | null;
  records: number;
  subjects: Set<string>;
}

const departmentOrder = new Map(departments.map((d, i) => [d.code, i]));
const categoryOrder = new Map(recordCategories.map((c, i) => [c.code as string, i]));
const polarityOrder = new Map(['POSITIVE', 'NEUTRAL', 'NEGATIVE'].map((p, i) => [p, i]));
const severityOrder = new Map([null, 'MINOR', 'GENERAL', 'SERIOUS'].map((s, i) => [s, i]));
const kindOrder = new Map<SubjectKindGroup, number>([['ORGANISATION', 0], ['NATURAL_PERSON', 1]]);
const rank = <K>(order: Map<K, number>, key: K) => order.get(key) ?? order.size;

/**
 * Cells from the (cell, subject) rows; then, per department and kind of subject, the cells under
 * `minimumSubjects` distinct subjects are folded into one row, whose counts are hidden while it
 * too concerns fewer (a minimum of one subject, which every cell concerns, folds nothing). The
 * fold never spans departments or kinds, so the rows of a department (or a kind) are the same
 * whether or not the query is filtered to it: a filter shows no cell the unfiltered answer hides,
 * and no difference between two answers recovers one.
 */
export function foldedRows(
  cells: readonly SubjectCell[],
  kinds: ReadonlyMap<string, string>,
  counted: readonly string[],
  only: SubjectKindGroup | null,
  minimumSubjects: number,
): CreditRecordStatisticsRow[] {
  const byCell = new Map<string, Cell>();
  for (const row of cells) {
    const kind = kinds.get(row.subjectId);
    if (!kind || !counted.includes(kind)) continue;
    const subjectKind = groupOf(kind);
    if (only && subjectKind !== only) continue;
    const key = [row.sourceDepartment, subjectKind, row.category, row.polarity, row.severity ?? ''].join('\u0000');
    const cell = byCell.get(key) ?? { sourceDepartment: row.sourceDepartment, subjectKind, category: row.category, polarity: row.polarity, severity: row.severity, records: 0, subjects: new Set<string>() };
    cell.records += row.records;
    cell.subjects.add(row.subjectId);
    byCell.set(key, cell);
  }
  const rows: CreditRecordStatisticsRow[] = [];
  const folds = new Map<string, { sourceDepartment: string; subjectKind: SubjectKindGroup; records: number; subjects: Set<string> }>();
  for (const cell of byCell.values()) {
    if (cell.subjects.size >= minimumSubjects) {
      const { subjects, ...shown } = cell;
      rows.push({ ...shown, folded: false, suppressed: false, subjects: subjects.size });
      continue;
    }
    const key = `${cell.sourceDepartment}\u0000${cell.subjectKind}`;
    const fold = folds.get(key) ?? { sourceDepartment: cell.sourceDepartment, subjectKind: cell.subjectKind, records: 0, subjects: new Set<string>() };
    fold.records += cell.records;
    cell.subjects.forEach((s) => fold.subjects.add(s));
    folds.set(key, fold);
  }
  for (const fold of folds.values()) {
    const suppressed = fold.subjects.size < minimumSubjects;
    rows.push({
      sourceDepartment: fold.sourceDepartment,
      subjectKind: fold.subjectKind,
      category: null,
      polarity: null,
      severity: null,
      folded: true,
      suppressed,
      records: suppressed ? null : fold.records,
      subjects: suppressed ? null : fold.subjects.size,
    });
  }
  return rows.sort(
    (a, b) =>
      rank(departmentOrder, a.sourceDepartment) - rank(departmentOrder, b.sourceDepartment) ||
      (a.sourceDepartment < b.sourceDepartment ? -1 : a.sourceDepartment > b.sourceDepartment ? 1 : 0) ||
      rank(kindOrder, a.subjectKind) - rank(kindOrder, b.subjectKind) ||
      Number(a.folded) - Number(b.folded) ||
      rank(categoryOrder, a.category) - rank(categoryOrder, b.category) ||
      rank(polarityOrder, a.polarity) - rank(polarityOrder, b.polarity) ||
      rank(severityOrder, a.severity) - rank(severityOrder, b.severity),
  );
}

type Context = RecordsContext & SubgraphContext;

export async function creditRecordStatistics(ctx: Context, args: CreditRecordStatisticsArgs): Promise<CreditRecordStatistics> {
  checkDatePeriod(args);
  const sourceDepartment = departmentFilter(args.sourceDepartment, 'sourceDepartment');
  const counted = countedKinds(ctx);
  const groups = [...new Set(counted.map(groupOf))].sort((a, b) => rank(kindOrder, a) - rank(kindOrder, b));
  const only = args.subjectKind ?? null;
  if (only && !groups.includes(only)) {
    // No subject id: a refusal of an aggregate is audited about no subject.
    const counts = groups.length ? `${groups.join(' and ').toLowerCase().replace(/_/g, ' ')} subjects only` : 'no subjects under its purpose';
    throw forbidden('SUBJECT_KIND_NOT_COVERED', `this request counts ${counts}: natural persons are counted for the credit office's supervisors, never in analysts' statistics (STATISTICAL_ANALYSIS covers organisations)`, { group: 'STATISTICS' });
  }
  const cells = await subjectCells(ctx.db, args.from, args.to, sourceDepartment);
  const subjectIds = [...new Set(cells.map((c) => c.subjectId))];
  const kinds = await kindsOf(ctx.subjects, subjectIds, ctx.access);
  const exact = readsEveryRecord(ctx);
  return {
    from: args.from,
    to: args.to,
    subjectKinds: only ? [only] : groups,
    minimumSubjects: exact ? null : minimumSubjectsPerStatistic,
    rows: foldedRows(cells, kinds, counted, only, exact ? 1 : minimumSubjectsPerStatistic),
  };
}

export const creditRecordStatisticsResolvers: GraphQLResolverMap<Context> = {
  Query: {
    creditRecordStatistics: (_: unknown, args: CreditRecordStatisticsArgs, ctx: Context) => creditRecordStatistics(ctx, args),
  },
  CreditRecordStatisticsRow: {
    sourceDepartment: (row: CreditRecordStatisticsRow) => storedDepartment(row.sourceDepartment),
  },
};
