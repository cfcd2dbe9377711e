import { timeOrderedId } from '../../lib/time-ordered-id';
import type { CreditRecord } from './entities/credit-record.entity';
import { CreditRecordEvent, type RecordEventKind, type RecordValues } from './entities/credit-record-event.entity';

/** Who makes a change: the caller's user and organisation, and the request it came in. */
export interface Actor {
  userId: string;
  organisation: string;
  requestId?: string | null;
}

/** The platform itself, for what happens by the passing of time. */
export const platformActor: Actor = { userId: 'platform', organisation: 'PLATFORM' };

/**
 * The fields a department submits, which a correction may change; derived ones follow them. Not
 * the subject: a record is about one subject for good (intake refuses a number re-sent for another).
 */
export const contentFields = ['category', 'polarity', 'severity', 'taxCreditGrade', 'decisionDate', 'validUntil', 'summary'] as const;

/** Whether two versions of a record say the same: a re-submission or correction that changes none of it changes nothing. */
export function sameContent(a: Partial<Pick<CreditRecord, (typeof contentFields)[number]>>, b: Partial<Pick<CreditRecord, (typeof contentFields)[number]>>): boolean {
  return contentFields.every((field) => (a[field] ?? null) === (b[field] ?? null));
}
/** What history shows of a change: the content, the derived disclosure end and the status. */
const trackedFields = [...contentFields, 'disclosureEndsAt', 'status'] as const;

type Tracked = Pick<CreditRecord, (typeof trackedFields)[number]>;

/** The tracked fields that differ between two versions of a record, before and after; null when none do. */
export function changedValues(before: Tracked, after: Tracked): { before: RecordValues; after: RecordValues } | null {
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
    actor: actor.userId.slice(0, 100),
    organisation: actor.organisation.slice(0, 64),
    occurredAt: at,
    reason: details.reason ?? null,
    beforeValues: details.before ? JSON.stringify(details.before) : null,
    afterValues: details.after ? JSON.stringify(details.after) : null,
    relatedId: details.relatedId ?? null,
    requestId: actor.requestId?.slice(0, 64) ?? null,
  });
}

/** The first instant after the disclosure end: midnight in the district (UTC+8) of the next day. */
export function expiryInstant(disclosureEndsAt: string): Date {
  return new Date(Date.parse(`${disclosureEndsAt}T00:00:00+08:00`) + 86_400_000);
}

/**
 * The EXPIRED event of a record whose disclosure period is over, derived rather than stored:
 * expiry is the passing of a date, not anyone's act, and the status EXPIRED is derived the same
 * way (`effectiveStatus`), so the two can never disagree and no scheduled job is needed. None when
 * the record had already stopped counting by restoration or withdrawal before that instant.
 */
export function expiryEvent(record: Pick<CreditRecord, 'id' | 'disclosureEndsAt'>, stored: readonly CreditRecordEvent[], now: Date): CreditRecordEvent | null {
  if (!record.disclosureEndsAt) return null;
  const at = expiryInstant(record.disclosureEndsAt);
  if (at.getTime() > now.getTime()) return null;
  const earlier = stored.filter((e) => e.occurredAt.getTime() <= at.getTime());
  if (earlier.some((e) => e.kind === 'RESTORED' || e.kind === 'WITHDRAWN')) return null;
  // The status just before: the last status an earlier event set (a record is created ACTIVE).
  let status = 'ACTIVE';
  for (const event of [...earlier].sort((a, b) => a.occurredAt.getTime() - b.occurredAt.getTime())) {
    const after = event.afterValues ? (JSON.parse(event.afterValues) as RecordValues) : {};
    if (after.status) status = after.status;
  }
  return recordEvent(record.id, 'EXPIRED', platformActor, at, {
    id: `${record.id}:expired`,
    reason: `disclosure period ended on ${record.disclosureEndsAt} (公示期满)`,
    before: { status },
    after: { status: 'EXPIRED' },
  });
}

/** A record's history, oldest first: the stored events and the derived expiry, in time order. */
export function historyOf(record: Pick<CreditRecord, 'id' | 'disclosureEndsAt'>, stored: readonly CreditRecordEvent[], now: Date): CreditRecordEvent[] {
  const expiry = expiryEvent(record, stored, now);
  const events = expiry ? [...stored, expiry] : [...stored];
  return events.sort((a, b) => a.occurredAt.getTime() - b.occurredAt.getTime() || (a.kind === 'CREATED' ? -1 : b.kind === 'CREATED' ? 1 : 0));
}
