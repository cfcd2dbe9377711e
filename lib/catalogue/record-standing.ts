import type { Polarity, RecordCategoryCode } from './record-categories';

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
 * The records that count in a check today, of a subject's records newest decision first: those
 * that count today (`countsToday`), but not a positive record whose term has ended (a lapsed
 * honour earns no incentive), and of tax credit grades only the latest (each year's assessment
 * replaces the one before).
 */
export function recordsThatCount<R extends RecordStanding>(records: readonly R[], today: string): R[] {
  let latestGradeSeen = false;
  return records.filter((r) => {
    if (!countsToday(r, today)) return false;
    if (r.polarity === 'POSITIVE' && r.validUntil !== null && r.validUntil < today) return false;
    if (r.category !== 'TAX_CREDIT_GRADE') return true;
    if (latestGradeSeen) return false;
    latestGradeSeen = true;
    return true;
  });
}
