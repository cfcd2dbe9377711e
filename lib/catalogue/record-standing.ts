import { addDays } from '../calendar';
import { addMonths, periodLastDay, type Polarity, type RecordCategoryCode } from './record-categories';

/**
 * Which records count against (or for) a subject on a day: the rule a credit check applies, and
 * the platform's generated report with it, so that a report never says other than a check. Here,
 * beside the categories, because two subgraphs apply it: records (checks, lists) and reports
 * (the report's sections, from the records subgraph's answer).
 */

/**
 * Statuses as stored. EXPIRED is never stored: it is read from an ACTIVE record whose disclosure
 * period has ended (`effectiveStatus`). WITHDRAWN: the source department accepted an objection
 * and withdrew the record (it stays, for its history). How a status may change is the table
 * `recordTransitions` in subgraphs/records/lifecycle.ts.
 */
export type StoredRecordStatus = 'ACTIVE' | 'OBJECTED' | 'RESTORED' | 'WITHDRAWN';
export type RecordStatus = StoredRecordStatus | 'EXPIRED';

/** What the rule reads of a record. */
export interface RecordStanding {
  id: string;
  decisionDate: string;
  status: RecordStatus;
  disclosureEndsAt: string | null;
  polarity: Polarity;
  validUntil: string | null;
  category: RecordCategoryCode;
}

/**
 * The status a reader sees on `today`: an ACTIVE record whose disclosure ended before today reads
 * as EXPIRED. Keep in sync with `statusCondition` in subgraphs/records/credit-record.repository.ts,
 * which applies the same rule in SQL.
 */
export function effectiveStatus(record: Pick<RecordStanding, 'status' | 'disclosureEndsAt'>, today: string): RecordStatus {
  if (record.status === 'ACTIVE' && record.disclosureEndsAt !== null && record.disclosureEndsAt < today) return 'EXPIRED';
  return record.status;
}

/**
 * A record's disclosure end once a decision on `day` (in the district) stops its disclosure: a
 * restoration (信用修复, the measures lifted at once) or a withdrawal on an objection. That day,
 * on which it counted until the decision; the end it had when that came first (a withdrawn record
 * that had already expired), and none for one never disclosed for a limited time.
 */
export function disclosureEndedBy(disclosureEndsAt: string | null, day: string): string | null {
  return disclosureEndsAt !== null && disclosureEndsAt > day ? day : disclosureEndsAt;
}

/**
 * Whether a record with this status counts against (or for) its subject today. A record under
 * objection still does, marked as disputed: the decision stands until its source department
 * decides the objection (as an administrative decision stays in force under review), or else a
 * subject could lift a listing from every check by filing an objection the day before.
 */
export function countsInCheck(status: RecordStatus): boolean {
  return status === 'ACTIVE' || status === 'OBJECTED';
}

/**
 * Whether a record counts against (or for) its subject today: its status counts (`countsInCheck`)
 * and its disclosure period has not ended. An objection to a record that had already expired
 * (which the lifecycle allows, to correct its history) does not make it count again.
 */
export function countsToday(record: Pick<RecordStanding, 'status' | 'disclosureEndsAt'>, today: string): boolean {
  return countsInCheck(effectiveStatus(record, today)) && (record.disclosureEndsAt === null || record.disclosureEndsAt >= today);
}

/**
 * How long a tax credit grade (纳税信用等级) stands without a newer one: one annual assessment
 * (纳税信用评价周期为一个纳税年度, published each April), unless the taxation bureau gave the
 * grade an end (`validUntil`). A grade of three years ago, with none since, says nothing of now.
 */
export const taxGradeTermMonths = 12;

/**
 * The first decision date of a tax grade whose term (without a `validUntil`) runs on `today`: one
 * decided on it or later is within its term, one decided before is not. The term's last day
 * (`periodLastDay`) moves with the decision date, never back, so one day splits them, and SQL
 * compares `decision_date` with it (`countsInCheckCondition` in subgraphs/records/
 * credit-record.repository.ts) instead of counting months, which SQLite and MySQL write apart.
 */
export function taxGradeTermRunsFrom(today: string): string {
  const aTermBefore = addMonths(today, -taxGradeTermMonths);
  // Clamped to its month (on 2028-02-29, 2027-02-28): that decision's term ended the day before today.
  return periodLastDay(aTermBefore, taxGradeTermMonths) >= today ? aTermBefore : addDays(aTermBefore, 1);
}

/**
 * The subject's tax grade that stands: its newest, whatever has become of it since. Each year's
 * assessment replaces the one before, so a grade that no longer counts (its term or disclosure
 * over, restored) does not bring back the one it replaced; only a grade withdrawn on an
 * objection, which never stood, replaces nothing. `records` newest decision first.
 */
export function standingTaxGrade<R extends RecordStanding>(records: readonly R[]): R | undefined {
  return records.find((r) => r.category === 'TAX_CREDIT_GRADE' && r.status !== 'WITHDRAWN');
}

/**
 * Whether one record counts in a check today: it counts today (`countsToday`), a positive record's
 * term has not ended (a lapsed honour earns no incentive), and a tax grade is the one that stands
 * (`standingTaxGrade`, its id given) and within its term. Keep in sync with
 * `countsInCheckCondition` in subgraphs/records/credit-record.repository.ts, the same rule in SQL
 * (the list filter `countsInCheck`).
 */
export function countsInCheckToday(record: RecordStanding, today: string, standingTaxGradeId: string | null | undefined): boolean {
  if (!countsToday(record, today)) return false;
  // `validUntil` is the last day in force (有效期至): an honour counts through it.
  if (record.polarity === 'POSITIVE' && record.validUntil !== null && record.validUntil < today) return false;
  if (record.category !== 'TAX_CREDIT_GRADE') return true;
  // The term's last day, counted as every period of the catalogue is (民法典 第二百零一条、第二百零二条:
  // assessed on D, a 12-month term runs through the same day a year later): counts through it.
  const termEnds = record.validUntil ?? periodLastDay(record.decisionDate, taxGradeTermMonths);
  return record.id === standingTaxGradeId && termEnds >= today;
}

/** The records that count in a check today, of a subject's records (all of them, in every status), newest decision first. */
export function recordsThatCount<R extends RecordStanding>(records: readonly R[], today: string): R[] {
  const grade = standingTaxGrade(records)?.id;
  return records.filter((r) => countsInCheckToday(r, today, grade));
}
