import type { DataSource, EntityTarget, ObjectLiteral } from 'typeorm';
import { departments, storedDepartment, type Department } from '../../lib/catalogue/departments';
import { checkDatePeriod, startOfDistrictDay } from '../../lib/calendar';
import { forbidden, purposeMismatch, underSupervision, type SubgraphContext } from '../shared/access';
import { isSqlite } from '../shared/write-queue';
import type { RecordsContext } from './context';
import { CreditRecord } from './entities/credit-record.entity';
import { CreditRecordEvent } from './entities/credit-record-event.entity';
import { CreditRecordObjection } from './entities/credit-record-objection.entity';
import { RestorationApplication } from './entities/restoration-application.entity';
import { objectionDueBy } from './lifecycle';
import { endedCondition } from './restoration-closure';

/**
 * `Query.departmentHandlingStatistics` (部门信用信息归集和处理统计): what the credit office needs to
 * supervise and assess (指导、监管和考核, policy 五(一)) how each department supplies credit records
 * (信息归集) and handles the objections (异议处理) and restoration applications (信用修复) about them.
 *
 * Counts about departments, never about subjects: no subject id is read out of the database, and
 * nothing is reported as disclosed. Read by the credit office's supervisors under
 * CREDIT_SUPERVISION, as `creditCheckStatistics` is.
 *
 * The period is whole district days, [from, to) of district calendar dates. Records count by the
 * instant they entered the platform (`recordedAt`) and corrections by their CORRECTED events.
 * Objections and applications count by the instant they were filed, each as it stands today: a
 * period's cases split exactly into their outcomes so far (filed = accepted + rejected + withdrawn
 * + pending), and a past period's counts move only as its pending cases are decided or withdrawn.
 * A case its subject withdrew (撤回) is no decision of the department's: counted apart, never late
 * nor overdue; it awaited the department until withdrawn (its `decided_at`, where a withdrawal is
 * stored). Beside them, the objections' backlog at the period's first and last instants (filed
 * before, not decided or withdrawn by then),
 * which counting by the day filed leaves out: a case filed before the period and decided in it, or
 * still pending, is in no period's `filed` but this one's work.
 *
 * Four statements whatever the number of departments or cases, each grouped per department in
 * the database; objections per day filed and day decided too, since their time limit is counted
 * in working days from the day filed (`objectionDueBy`), which is not done in SQL, and since the
 * period's bounds are district midnights, those days tell filed in the period from backlog.
 * Each statement reads its period from an index (migrations/1764000000170-index-handling-periods.ts).
 */

export interface DepartmentHandlingPeriod {
  from: string;
  to: string;
}

export interface DepartmentRecordIntake {
  created: number;
  corrected: number;
}

export interface DepartmentObjectionHandling {
  filed: number;
  accepted: number;
  rejected: number;
  decidedLate: number;
  withdrawn: number;
  pending: number;
  overdue: number;
}

export interface DepartmentObjectionBacklog {
  atStart: number;
  atEnd: number;
  overdueAtEnd: number;
}

export interface DepartmentRestorationHandling {
  filed: number;
  approved: number;
  rejected: number;
  closed: number;
  withdrawn: number;
  pending: number;
}

export interface DepartmentHandlingStatistic {
  department: Department;
  intake: DepartmentRecordIntake;
  objections: DepartmentObjectionHandling;
  objectionBacklog: DepartmentObjectionBacklog;
  restorations: DepartmentRestorationHandling;
}

type Context = RecordsContext & SubgraphContext;
type Counts = Omit<DepartmentHandlingStatistic, 'department'>;

const emptyCounts = (): Counts => ({
  intake: { created: 0, corrected: 0 },
  objections: { filed: 0, accepted: 0, rejected: 0, decidedLate: 0, withdrawn: 0, pending: 0, overdue: 0 },
  objectionBacklog: { atStart: 0, atEnd: 0, overdueAtEnd: 0 },
  restorations: { filed: 0, approved: 0, rejected: 0, closed: 0, withdrawn: 0, pending: 0 },
});

/**
 * The district calendar day (YYYY-MM-DD) of a stored instant, in SQL; null for null. Both drivers
 * store instants in UTC (TypeORM's UTC strings on SQLite, `timezone: 'Z'` on MySQL); the district
 * is UTC+8 without daylight saving, as `todayInDistrict` counts it: keep the two in sync.
 */
function districtDay(db: DataSource, column: string): string {
  return isSqlite(db) ? `date(${column}, '+8 hours')` : `DATE_FORMAT(${column} + INTERVAL 8 HOUR, '%Y-%m-%d')`;
}

/** An instant as the column `property` of `entity` stores it. */
function stored(db: DataSource, entity: EntityTarget<ObjectLiteral>, property: string, instant: Date): unknown {
  return db.driver.preparePersistentValue(instant, db.getMetadata(entity).findColumnWithPropertyName(property)!);
}

/** The period's bounds as the column `property` of `entity` stores instants. */
function storedBounds(db: DataSource, entity: EntityTarget<ObjectLiteral>, property: string, period: { from: Date; to: Date }): unknown[] {
  return [stored(db, entity, property, period.from), stored(db, entity, property, period.to)];
}

type Row = Record<string, unknown>;

/**
 * The period's statements, each per department: records entered, records corrected, objections
 * pending at any time of the period or at its start (filed before its end and not decided before
 * its start: those filed in it and the backlog; per stored status, day filed and day decided) and
 * applications filed (per status as it stands today). Derived tables grouped by their plain
 * columns, as MySQL 8's ONLY_FULL_GROUP_BY asks.
 */
async function countedRows(db: DataSource, period: { from: Date; to: Date }, today: string) {
  const q = (name: string) => db.driver.escape(name);
  const created: Row[] = await db.query(
    `SELECT t.${q('source_department')} AS ${q('department')}, COUNT(*) AS ${q('records')} FROM ${q('credit_record')} t` +
      ` WHERE t.${q('recorded_at')} >= ? AND t.${q('recorded_at')} < ? GROUP BY t.${q('source_department')}`,
    storedBounds(db, CreditRecord, 'recordedAt', period),
  );
  // A record corrected twice in the period is one record corrected.
  const corrected: Row[] = await db.query(
    `SELECT r.${q('source_department')} AS ${q('department')}, COUNT(DISTINCT e.${q('record_id')}) AS ${q('records')}` +
      ` FROM ${q('credit_record_event')} e JOIN ${q('credit_record')} r ON r.${q('id')} = e.${q('record_id')}` +
      ` WHERE e.${q('kind')} = ? AND e.${q('occurred_at')} >= ? AND e.${q('occurred_at')} < ? GROUP BY r.${q('source_department')}`,
    ['CORRECTED', ...storedBounds(db, CreditRecordEvent, 'occurredAt', period)],
  );
  // Those still pending, and those decided since the period began: two reads of the index on
  // (decided_at, submitted_at), where one with `decided_at IS NULL OR decided_at >= ?` would have
  // SQLite, which keeps no statistics, read the whole table in department order instead.
  const objectionsFiledBefore = (decided: string) =>
    `SELECT t.${q('source_department')} AS ${q('department')}, t.${q('status')} AS ${q('status')},` +
    ` ${districtDay(db, `t.${q('submitted_at')}`)} AS ${q('filed_on')}, ${districtDay(db, `t.${q('decided_at')}`)} AS ${q('decided_on')}` +
    ` FROM ${q('credit_record_objection')} t WHERE t.${q('decided_at')} ${decided} AND t.${q('submitted_at')} < ?`;
  const periodEnd = stored(db, CreditRecordObjection, 'submittedAt', period.to);
  const objections: Row[] = await db.query(
    `SELECT c.${q('department')}, c.${q('status')}, c.${q('filed_on')}, c.${q('decided_on')}, COUNT(*) AS ${q('cases')} FROM (` +
      `${objectionsFiledBefore('IS NULL')} UNION ALL ${objectionsFiledBefore('>= ?')}) c` +
      ` GROUP BY c.${q('department')}, c.${q('status')}, c.${q('filed_on')}, c.${q('decided_on')}`,
    [periodEnd, stored(db, CreditRecordObjection, 'decidedAt', period.from), periodEnd],
  );
  // As `RestorationApplication.status` reads: one pending when its record's disclosure ended is CLOSED.
  const params: unknown[] = ['SUBMITTED'];
  const ended = endedCondition(db, today, params);
  params.push('CLOSED', ...storedBounds(db, RestorationApplication, 'submittedAt', period));
  const applications: Row[] = await db.query(
    `SELECT c.${q('department')}, c.${q('status')}, COUNT(*) AS ${q('cases')} FROM (` +
      `SELECT t.${q('source_department')} AS ${q('department')}, CASE WHEN t.${q('status')} = ? AND ${ended} THEN ? ELSE t.${q('status')} END AS ${q('status')}` +
      ` FROM ${q('restoration_application')} t WHERE t.${q('submitted_at')} >= ? AND t.${q('submitted_at')} < ?) c` +
      ` GROUP BY c.${q('department')}, c.${q('status')}`,
    params,
  );
  return { created, corrected, objections, applications };
}

const departmentOrder = new Map(departments.map((d, i) => [d.code, i]));

export async function departmentHandlingStatistics(ctx: Context, args: DepartmentHandlingPeriod): Promise<DepartmentHandlingStatistic[]> {
  const { identity } = ctx.access;
  // Besides the field's group (SUPERVISION_STATISTICS, which CREDIT_SUPERVISION alone grants):
  // should the policy ever grant it elsewhere, the assessment stays the supervision's.
  if (identity.caller?.role !== 'CREDIT_OFFICE_SUPERVISOR') {
    throw forbidden('NOT_ENTITLED', 'department handling statistics are the credit office’s assessment of departments (考核): read by the credit office and the supervising departments');
  }
  if (!underSupervision(identity)) {
    throw purposeMismatch(identity, 'department handling statistics are read in the credit office’s supervision: under x-credit-matter CREDIT_SUPERVISION, as the credit check statistics are');
  }
  checkDatePeriod(args);
  const rows = await countedRows(ctx.db, { from: startOfDistrictDay(args.from), to: startOfDistrictDay(args.to) }, ctx.today);
  const byDepartment = new Map<string, Counts>();
  const of = (row: Row) => {
    const code = String(row.department);
    let counts = byDepartment.get(code);
    if (!counts) byDepartment.set(code, (counts = emptyCounts()));
    return counts;
  };
  for (const row of rows.created) of(row).intake.created = Number(row.records);
  for (const row of rows.corrected) of(row).intake.corrected = Number(row.records);
  for (const row of rows.objections) {
    const department = of(row);
    const counts = department.objections;
    const cases = Number(row.cases);
    const filedOn = String(row.filed_on);
    const pending = row.status === 'SUBMITTED';
    // The time limit `CreditRecordObjection.decisionDueBy` and `overdue` read, from the day filed.
    const dueBy = objectionDueBy(startOfDistrictDay(filedOn));
    // Not decided (or withdrawn) by the period's end; filed before it, as every case read is. Past
    // its time limit then: its last day over before the period's end, or, in a period not yet
    // over, before today (as `creditRecordObjections(overdue: true)` reads it).
    if (pending || String(row.decided_on) >= args.to) {
      department.objectionBacklog.atEnd += cases;
      if (dueBy < (args.to < ctx.today ? args.to : ctx.today)) department.objectionBacklog.overdueAtEnd += cases;
    }
    // Filed before the period and, as every case read is, not decided before it began.
    if (filedOn < args.from) {
      department.objectionBacklog.atStart += cases;
      continue;
    }
    counts.filed += cases;
    if (pending) {
      counts.pending += cases;
      if (dueBy < ctx.today) counts.overdue += cases;
      continue;
    }
    // Withdrawn by its subject: no decision of the department's, so never decided late.
    if (row.status === 'WITHDRAWN') {
      counts.withdrawn += cases;
      continue;
    }
    if (row.status === 'ACCEPTED') counts.accepted += cases;
    else counts.rejected += cases;
    if (String(row.decided_on) > dueBy) counts.decidedLate += cases;
  }
  for (const row of rows.applications) {
    const counts = of(row).restorations;
    const cases = Number(row.cases);
    counts.filed += cases;
    if (row.status === 'SUBMITTED') counts.pending += cases;
    else if (row.status === 'APPROVED') counts.approved += cases;
    else if (row.status === 'REJECTED') counts.rejected += cases;
    else if (row.status === 'WITHDRAWN') counts.withdrawn += cases;
    else counts.closed += cases;
  }
  // Codes were checked against the catalogue on write: `storedDepartment` throws on a miss, a bug.
  return [...byDepartment]
    .map(([code, counts]) => ({ department: storedDepartment(code), ...counts }))
    .sort((a, b) => departmentOrder.get(a.department.code)! - departmentOrder.get(b.department.code)!);
}
