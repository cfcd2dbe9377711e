import { addDays, startOfDistrictDay } from '../../lib/calendar';
import { auditedTextLimits, platformOrganisations } from '../../lib/access/identity';
import { firstCharacters } from '../../lib/text';
import { timeOrderedId } from '../../lib/time-ordered-id';
import { effectiveStatus } from '../../lib/catalogue/record-standing';
import type { CreditRecord, RecordStatus } from './entities/credit-record.entity';
import { CreditRecordEvent, type RecordEventKind, type RecordValues } from './entities/credit-record-event.entity';

/** Who makes a change: the caller's user and organisation, and the request it came in. */
export interface Actor {
  userId: string;
  organisation: string;
  requestId?: string | null;
}

/** The platform itself, for what happens by the passing of time. */
export const platformActor: Actor = { userId: 'platform', organisation: platformOrganisations.platform };

/**
 * The fields a department submits, which a correction may change; derived ones follow them. Not
 * the subject: a record is about one subject for good (intake refuses a number re-sent for another).
 */
export const contentFields = ['category', 'polarity', 'severity', 'taxCreditGrade', 'decisionDate', 'validUntil', 'summary'] as const;

export type ContentField = (typeof contentFields)[number];

/** The content fields whose text may run over several lines. */
const multiLineFields: ReadonlySet<ContentField> = new Set(['summary']);

/** Text with every line end, CRLF or a lone CR (Excel for Mac), as LF: how intake stores a summary. */
export function withLfLineEnds(text: string): string {
  return text.replace(/\r\n?/g, '\n');
}

/**
 * Whether two values of a content field say the same. Line ends in a multi-line field are line
 * breaks, whatever bytes end them: intake stores LF (since 2026-12-05), and a record stored with
 * CRLF before, re-sent with LF (or the other way round), is the same record, not a correction.
 * Stored text is compared as it is, never rewritten.
 */
export function sameValue(field: ContentField, a: string | null | undefined, b: string | null | undefined): boolean {
  const [x, y] = [a ?? null, b ?? null];
  if (x === y) return true;
  return multiLineFields.has(field) && x !== null && y !== null && withLfLineEnds(x) === withLfLineEnds(y);
}

/** Whether two versions of a record say the same: a re-submission or correction that changes none of it changes nothing. */
export function sameContent(a: Partial<Pick<CreditRecord, ContentField>>, b: Partial<Pick<CreditRecord, ContentField>>): boolean {
  return contentFields.every((field) => sameValue(field, a[field], b[field]));
}
/** What history shows of a change: the content, the derived disclosure end and the status. */
const trackedFields = [...contentFields, 'disclosureEndsAt', 'status'] as const;

type Tracked = Pick<CreditRecord, (typeof trackedFields)[number]>;

/**
 * A version of a record with its status as a reader sees it on `today` (EXPIRED derived), for
 * `changedValues`: an event's `before` and `after` tell the status the record read as just before
 * and just after the change, so that the last status a history tells is the record's status. A
 * correction that moves an expired record's decision date later says EXPIRED → ACTIVE (it counts
 * again: the corrected fact is that its period has not ended); one that moves an active record's
 * disclosure end into the past says ACTIVE → EXPIRED; a decision that keeps an objected record
 * whose period ended meanwhile says OBJECTED → EXPIRED. Histories written before this rule (a
 * stored status ACTIVE past the end) get their EXPIRED event derived (`expiryEvents`).
 */
export function asRead<T extends Pick<CreditRecord, 'status' | 'disclosureEndsAt'>>(record: T, today: string): Omit<T, 'status'> & { status: RecordStatus } {
  return { ...record, status: effectiveStatus(record, today) };
}

/** The tracked fields that differ between two versions of a record, before and after; null when none do. */
export function changedValues(before: Omit<Tracked, 'status'> & { status: RecordStatus }, after: Omit<Tracked, 'status'> & { status: RecordStatus }): { before: RecordValues; after: RecordValues } | null {
  const was: RecordValues = {};
  const is: RecordValues = {};
  for (const field of trackedFields) {
    if ((before[field] ?? null) !== (after[field] ?? null)) {
      was[field] = before[field] ?? null;
      is[field] = after[field] ?? null;
    }
  }
  return Object.keys(is).length ? { before: was, after: is } : null;
}

export function recordEvent(
  recordId: string,
  kind: RecordEventKind,
  actor: Actor,
  at: Date,
  details: { reason?: string | null; before?: RecordValues | null; after?: RecordValues | null; relatedId?: string | null; id?: string } = {},
): CreditRecordEvent {
  return Object.assign(new CreditRecordEvent(), {
    id: details.id ?? timeOrderedId(),
    recordId,
    kind,
    // Counted in characters, as the columns hold them: a UTF-16 cut would split a character beyond the BMP (𠮷).
    actor: firstCharacters(actor.userId, auditedTextLimits.callerId),
    organisation: firstCharacters(actor.organisation, auditedTextLimits.organisation),
    occurredAt: at,
    reason: details.reason ?? null,
    beforeValues: details.before ? JSON.stringify(details.before) : null,
    afterValues: details.after ? JSON.stringify(details.after) : null,
    relatedId: details.relatedId ?? null,
    requestId: actor.requestId ? firstCharacters(actor.requestId, 64) : null,
  });
}

/** The first instant after the disclosure end: midnight in the district (UTC+8) of the next day. */
export function expiryInstant(disclosureEndsAt: string): Date {
  return startOfDistrictDay(addDays(disclosureEndsAt, 1));
}

/**
 * The EXPIRED events of a record whose disclosure period is over, derived rather than stored:
 * expiry is the passing of a date, not anyone's act. They follow the rule of the status EXPIRED
 * (`effectiveStatus`: a stored ACTIVE past its disclosure end), so that the last status the
 * history tells is the record's status: the record expires at the end of its disclosure period
 * if it is ACTIVE then, or else when it next becomes ACTIVE (an objection pending at the end and
 * rejected later, in histories written before events told statuses as read), once per such spell;
 * never once restored or withdrawn. The end is the one in force at the time (a correction may
 * move it), and nothing expires before the record was created or before the correction that set
 * its end: a record submitted, or corrected, after its period ended expires then.
 *
 * `now` is the instant the history is read as of (a request's start, whose district day its
 * `status` is read on): an ACTIVE spell expires when its end is over by `now`, at the instant it
 * did, which is later than `now` when the spell began with an event written after it (the
 * submission or decision of the very request that reads it), so that a mutation's answer tells
 * the same history as a later read.
 */
export function expiryEvents(record: Pick<CreditRecord, 'id' | 'disclosureEndsAt'>, stored: readonly CreditRecordEvent[], now: Date): CreditRecordEvent[] {
  const events = [...stored].sort((a, b) => a.occurredAt.getTime() - b.occurredAt.getTime());
  const valuesOf = (json: string | null) => (json ? (JSON.parse(json) as RecordValues) : {});
  // The end the record had before its first change of end, else the one it has.
  const firstMove = events.find((e) => 'disclosureEndsAt' in valuesOf(e.afterValues));
  let disclosureEndsAt = firstMove ? (valuesOf(firstMove.beforeValues).disclosureEndsAt ?? null) : record.disclosureEndsAt;
  let endSetAt = Number.NEGATIVE_INFINITY;
  const expiries: CreditRecordEvent[] = [];
  /** When an ACTIVE spell begun at `activeSince` expires under the end in force, or null when it does not before `until`. */
  const expiryBefore = (activeSince: number, until: number): number | null => {
    if (!disclosureEndsAt) return null;
    const at = Math.max(expiryInstant(disclosureEndsAt).getTime(), activeSince, endSetAt);
    return at < until ? at : null;
  };
  const expire = (at: number) =>
    expiries.push(
      recordEvent(record.id, 'EXPIRED', platformActor, new Date(at), {
        id: expiries.length ? `${record.id}:expired:${expiries.length + 1}` : `${record.id}:expired`,
        reason: `disclosure period ended on ${disclosureEndsAt} (公示期满)`,
        before: { status: 'ACTIVE' },
        after: { status: 'EXPIRED' },
      }),
    );
  // A record is created ACTIVE (a history without its creation, as older seeds wrote, is taken as
  // ACTIVE from the start); `activeSince` is null while it is not ACTIVE or has expired.
  let activeSince: number | null = events.some((e) => e.kind === 'CREATED') ? null : Number.NEGATIVE_INFINITY;
  for (const event of events) {
    const at = event.occurredAt.getTime();
    const expired = activeSince === null ? null : expiryBefore(activeSince, at);
    if (expired !== null) {
      expire(expired);
      activeSince = null;
    }
    const after = valuesOf(event.afterValues);
    if ('disclosureEndsAt' in after) {
      disclosureEndsAt = after.disclosureEndsAt ?? null;
      endSetAt = at;
    }
    const status = event.kind === 'CREATED' ? 'ACTIVE' : after.status;
    if (status === 'ACTIVE' && activeSince === null) activeSince = at;
    else if (status && status !== 'ACTIVE') activeSince = null;
  }
  // The last spell, if its end is over by `now` (the status rule), whenever the spell began.
  const expired = activeSince === null || !disclosureEndsAt || expiryInstant(disclosureEndsAt).getTime() > now.getTime() ? null : expiryBefore(activeSince, Number.POSITIVE_INFINITY);
  if (expired !== null) expire(expired);
  return expiries;
}

/** A record's history, oldest first: the stored events and the derived expiries, in time order. */
export function historyOf(record: Pick<CreditRecord, 'id' | 'disclosureEndsAt'>, stored: readonly CreditRecordEvent[], now: Date): CreditRecordEvent[] {
  const events = [...stored, ...expiryEvents(record, stored, now)];
  return events.sort((a, b) => a.occurredAt.getTime() - b.occurredAt.getTime() || (a.kind === 'CREATED' ? -1 : b.kind === 'CREATED' ? 1 : 0));
}
