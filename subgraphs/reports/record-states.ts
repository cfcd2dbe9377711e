import type { RequestIdentity } from '../../lib/access/identity';
import { countsToday, type RecordStatus } from '../../lib/catalogue/record-standing';
import type { RequestDeadline } from '../../lib/deadline';
import { foldedDocumentNumber } from '../../lib/text';
import { accessOf } from '../shared/access';
import { PeerClient, type ReportsPeers } from './peers';
import { activeRecordsSnapshotFormat, printedSummary, type Snapshot, type SnapshotRecord } from './platform-report';

/**
 * A platform report is a snapshot of the records that counted at generation. It goes on saying
 * against (or for) the subject what it holds, so it stands only while every record it holds still
 * stands as it holds it: it still counts today, its content is still what the report prints, and
 * it is under objection exactly when the report marks it so (异议处理中).
 * A record that has since stopped counting, for any reason (withdrawn on an accepted objection,
 * 撤销; restored, 信用修复; its disclosure period over, 公示期满, which happens by the calendar
 * alone; a lapsed honour, a tax grade replaced by a newer one), that its source department has
 * corrected (更正: a re-submission with changed content, an objection accepted with a correction),
 * or whose objection standing has changed (an objection filed since, which the report does not
 * mark; or one decided or withdrawn since, which it does: a printout handed to an officer would
 * present a penalty as undisputed while disputed, or as disputed once the dispute was rejected),
 * makes the report `RECORDS_CHANGED`: not accepted, relied on by no check, its printable page not
 * shown. The records' current state is asked of the records subgraph, all of a request's reports'
 * records in one `_entities` call (one batched statement there, and one for the subjects' tax
 * grades).
 *
 * A correction is found by comparing content, not by asking when the record last changed: the
 * records subgraph answers each record's content exactly as it answered it for the snapshot (the
 * same fields, the same scalars), and a report stands exactly while what it prints is what the
 * platform holds. No clock of another process is compared with the report's, and a correction
 * that was later undone leaves nothing to regret. What a snapshot does not print (a positive
 * record's term, `validUntil`) matters only through counting, which `countsInCheck` answers.
 *
 * The records subgraph is asked in the platform's own name (caller null), with the groups that
 * let it answer any record whatever the reader may read: only the outcome (does the report still
 * stand) reaches the reader, never a record, so it is no disclosure to the reader and the records
 * subgraph's disclosures are not added to its audit.
 */

/** The grants the records subgraph needs to answer any record (RESTRICTED_RECORDS for those no longer counting). */
export const recordLookupGroups: readonly string[] = ['PUBLIC_RECORDS', 'DISHONESTY_LISTS', 'RESTRICTED_RECORDS'];

function recordLookupIdentity(requestId: string): RequestIdentity {
  return { caller: null, purpose: null, grants: [...recordLookupGroups], scope: {}, requestId, platform: true };
}

/**
 * A record as the records subgraph answers it now: its standing (status as of the district's
 * today there, EXPIRED derived from its disclosure end; whether a check run now counts it) and the
 * content a snapshot holds of it.
 */
export type CurrentRecord = Omit<SnapshotRecord, 'sourceDepartment' | 'underObjection'> & {
  status: RecordStatus;
  countsInCheck: boolean;
  sourceDepartment: { code: string };
};

/**
 * The content fields a snapshot prints of a record and compares with the record now. The source
 * department by its code only: its name is the catalogue's (a renamed department corrects no record).
 */
const printedFields = ['category', 'polarity', 'severity', 'taxCreditGrade', 'documentNumber', 'decisionDate', 'disclosureEndsAt', 'summary'] as const;

/**
 * A field as the report prints it: a summary masked (`printedSummary`), so that a report sealed with
 * a summary as typed stands on the masked one the records subgraph answers, and a correction of
 * a masked digit alone changes nothing it prints.
 */
function printed(record: Pick<SnapshotRecord, (typeof printedFields)[number]>, field: (typeof printedFields)[number]): string | null {
  const value = record[field] ?? null;
  return field === 'summary' && value !== null ? printedSummary(value) : value;
}

export const recordStatesQuery = `query ReportRecordStates($r: [_Any!]!) { _entities(representations: $r) { ... on CreditRecord { id status countsInCheck ${printedFields.join(' ')} sourceDepartment { code } } } }`;

interface StatesAnswer {
  _entities: (CurrentRecord | null)[];
}

/**
 * Asks the records subgraph for records as they stand now, in the platform's own name, signed with
 * the key every subgraph shares; the answer's disclosures go to a throwaway access, not the
 * reader's. For the resolvers (batched per request) and the printable route alike. `deadline`: the
 * request's (its caller's `x-request-timeout-ms`, lib/deadline.ts), within which the call is made
 * and which it passes on, so that the records subgraph is not asked for longer than the gateway
 * waits, nor told to take longer.
 */
export function currentRecordsAsker(peers: ReportsPeers, signingKey: Uint8Array, requestId: string, deadline: RequestDeadline | undefined): CurrentRecordsAsker {
  const identity = recordLookupIdentity(requestId);
  const client = new PeerClient(peers, signingKey, { ...accessOf(identity), deadline });
  return async (ids) => {
    if (!ids.length) return [];
    const answer = await client.query<StatesAnswer>('records', recordStatesQuery, { r: ids.map((id) => ({ __typename: 'CreditRecord', id })) }, identity);
    // By position, and only where the answer is the record asked for.
    return ids.map((id, i) => {
      const record = answer._entities?.[i];
      return record && record.id === id ? record : null;
    });
  };
}

/** Every record id a snapshot holds, in print order. */
export function snapshotRecordIds(snapshot: Snapshot): string[] {
  return snapshot.sections.flatMap((s) => s.records.map((r) => r.id));
}

/**
 * Whether a record a snapshot holds still stands as held: the records subgraph still knows it, a
 * check run now still counts it, it still says what the snapshot prints, and it is under
 * objection exactly when the snapshot marks it so. A report of the older layout
 * (`activeRecordsSnapshotFormat`), which printed lapsed honours and superseded tax grades as
 * active records, is held to what it said it contained: records counting within their disclosure
 * period (`today`, the district's date), none under objection. The current layout holds what a
 * check counted, so it stands while a check counts it (`countsInCheck`, decided by the records
 * subgraph as of its today).
 *
 * The objection standing is compared with the mark every snapshot already holds, so the reports
 * generated before it was compared need nothing stored anew: a /2 snapshot has held
 * `underObjection` for each record since that layout began, and a /1 snapshot held active records
 * only, none marked (absent: not under objection, as its page says it left those out). Such a
 * report turns `RECORDS_CHANGED` exactly when it now misstates a record's objection, not all at
 * once on upgrade. A report generated before an objection that was then rejected or withdrawn
 * stands again, as after a correction undone: it prints what the platform holds.
 */
export function stillStands(held: SnapshotRecord, current: CurrentRecord | null | undefined, format: string, today: string): boolean {
  if (!current) return false;
  const counts = format === activeRecordsSnapshotFormat ? countsToday(current, today) : current.countsInCheck;
  if (!counts) return false;
  if ((held.underObjection ?? false) !== (current.status === 'OBJECTED')) return false;
  return printedFields.every((field) => samePrinted(field, printed(held, field), printed(current, field))) && held.sourceDepartment.code === current.sourceDepartment?.code;
}

/** Whether a field a snapshot prints says what the record says now: a document number is one number however its year's brackets and spaces are typed (`foldedDocumentNumber`), as the records subgraph compares it. */
function samePrinted(field: (typeof printedFields)[number], held: string | null | undefined, now: string | null | undefined): boolean {
  if (field === 'documentNumber' && typeof held === 'string' && typeof now === 'string') return foldedDocumentNumber(held) === foldedDocumentNumber(now);
  return (held ?? null) === (now ?? null);
}

/** Whether a record a snapshot holds no longer stands as held (`stillStands`), each record's current state found by `currentOf`. */
export function recordsChanged(snapshot: Snapshot, currentOf: (id: string) => CurrentRecord | null | undefined, today: string): boolean {
  return snapshot.sections.some((section) => section.records.some((held) => !stillStands(held, currentOf(held.id), snapshot.format, today)));
}

/** Asks for records as they stand now, by position (`currentRecordsAsker`, or a request's loader over it). */
export type CurrentRecordsAsker = (ids: readonly string[]) => Promise<(CurrentRecord | null)[]>;

/** `recordsChanged`, the snapshot's records asked of `currentRecords` in one call. */
export async function recordsChangedNow(snapshot: Snapshot, currentRecords: CurrentRecordsAsker, today: string): Promise<boolean> {
  const ids = snapshotRecordIds(snapshot);
  const current = await currentRecords(ids);
  const byId = new Map(ids.map((id, i) => [id, current[i]]));
  return recordsChanged(snapshot, (id) => byId.get(id), today);
}

export type Standing = 'CURRENT' | 'EXPIRED' | 'RECORDS_CHANGED';

/**
 * Whether a genuine platform report still stands: within its validity (`today`, the district's
 * date), and then every record it holds still standing as held (not asked once it has expired).
 * The one rule for what the report shows (`sections`), what `verifyCreditReport` says of it and
 * whether its printable page is shown.
 */
export async function standingOf(snapshot: Snapshot, currentRecords: CurrentRecordsAsker, today: string): Promise<Standing> {
  if (snapshot.validUntil < today) return 'EXPIRED';
  return (await recordsChangedNow(snapshot, currentRecords, today)) ? 'RECORDS_CHANGED' : 'CURRENT';
}

