import { effectiveStatus, type StoredRecordStatus } from '../../lib/catalogue/record-standing';
import type { RecordValues } from '../../subgraphs/records/entities/credit-record-event.entity';
import { asRead, changedValues, expiryInstant, historyOf, recordEvent, type Actor } from '../../subgraphs/records/record-history';

/**
 * The derived EXPIRED events against the status EXPIRED: whatever happened to a record around the
 * end of its disclosure period, the last status its history tells is the status it reads as.
 */
const record = { id: 'record-1', disclosureEndsAt: '2026-06-30' };
const end = expiryInstant(record.disclosureEndsAt);
const officer: Actor = { userId: 'officer', organisation: 'MARKET_REGULATION' };
const at = (offsetDays: number) => new Date(end.getTime() + offsetDays * 86_400_000);
const change = (kind: 'OBJECTED' | 'OBJECTION_REJECTED' | 'RESTORED' | 'WITHDRAWN', when: Date, before: StoredRecordStatus, after: StoredRecordStatus) =>
  recordEvent(record.id, kind, officer, when, { reason: kind, before: { status: before }, after: { status: after } });

/** The status the history ends on, as a client would rebuild it. */
function lastToldStatus(events: ReturnType<typeof historyOf>): string {
  return events.reduce((status, e) => (e.afterValues ? ((JSON.parse(e.afterValues) as RecordValues).status ?? status) : status), 'ACTIVE');
}

describe('a record’s derived expiry', () => {
  const now = at(30);
  const today = '2026-07-30';

  it.each<[string, ReturnType<typeof change>[], StoredRecordStatus, string[]]>([
    ['left ACTIVE: expires at the end', [], 'ACTIVE', ['EXPIRED@0']],
    ['objected before the end, still pending: does not expire', [change('OBJECTED', at(-5), 'ACTIVE', 'OBJECTED')], 'OBJECTED', ['OBJECTED@-5']],
    [
      'objected before the end, rejected after it: expires when it is ACTIVE again',
      [change('OBJECTED', at(-5), 'ACTIVE', 'OBJECTED'), change('OBJECTION_REJECTED', at(3), 'OBJECTED', 'ACTIVE')],
      'ACTIVE',
      ['OBJECTED@-5', 'OBJECTION_REJECTED@3', 'EXPIRED@3'],
    ],
    [
      'objected after it expired, then rejected: expires again',
      [change('OBJECTED', at(2), 'ACTIVE', 'OBJECTED'), change('OBJECTION_REJECTED', at(4), 'OBJECTED', 'ACTIVE')],
      'ACTIVE',
      ['EXPIRED@0', 'OBJECTED@2', 'OBJECTION_REJECTED@4', 'EXPIRED@4'],
    ],
    ['restored before the end: never expires', [change('RESTORED', at(-5), 'ACTIVE', 'RESTORED')], 'RESTORED', ['RESTORED@-5']],
    [
      'objected before the end, withdrawn after it: never expires',
      [change('OBJECTED', at(-5), 'ACTIVE', 'OBJECTED'), change('WITHDRAWN', at(3), 'OBJECTED', 'WITHDRAWN')],
      'WITHDRAWN',
      ['OBJECTED@-5', 'WITHDRAWN@3'],
    ],
  ])('%s, the history ending on the status it reads as', (_label, stored, storedStatus, expected) => {
    const history = historyOf(record, stored, now);
    expect(history.map((e) => `${e.kind}@${(e.occurredAt.getTime() - end.getTime()) / 86_400_000}`)).toEqual(expected);
    expect(lastToldStatus(history)).toBe(effectiveStatus({ status: storedStatus, disclosureEndsAt: record.disclosureEndsAt }, today));
    // Each derived event has an id of its own.
    const ids = history.map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('expires a record submitted after its period ended when it was created, not before it existed', () => {
    const created = recordEvent(record.id, 'CREATED', officer, at(10));
    const history = historyOf(record, [created], now);
    expect(history.map((e) => `${e.kind}@${(e.occurredAt.getTime() - end.getTime()) / 86_400_000}`)).toEqual(['CREATED@10', 'EXPIRED@10']);
  });

  it('expires under the end in force: a correction that shortens the period past expires the record then, naming the corrected end', () => {
    const longer = { id: record.id, disclosureEndsAt: '2026-06-30' };
    const created = recordEvent(longer.id, 'CREATED', officer, at(-200));
    // Corrected 10 days after the period it sets ended (it had run to 2026-12-31 before).
    const corrected = recordEvent(longer.id, 'CORRECTED', officer, at(10), { before: { severity: 'GENERAL', disclosureEndsAt: '2026-12-31' }, after: { severity: 'MINOR', disclosureEndsAt: '2026-06-30' } });
    const history = historyOf(longer, [created, corrected], now);
    expect(history.map((e) => `${e.kind}@${(e.occurredAt.getTime() - end.getTime()) / 86_400_000}`)).toEqual(['CREATED@-200', 'CORRECTED@10', 'EXPIRED@10']);
    expect(history[2].reason).toContain('2026-06-30');
    // The other way: lengthened before the old end, it does not expire at the old end.
    const lengthened = recordEvent(longer.id, 'CORRECTED', officer, at(-5), { before: { disclosureEndsAt: '2026-06-30' }, after: { disclosureEndsAt: '2026-12-31' } });
    expect(historyOf({ id: longer.id, disclosureEndsAt: '2026-12-31' }, [created, lengthened], now).map((e) => e.kind)).toEqual(['CREATED', 'CORRECTED']);
  });

  it('tells a correction that dates an expired record anew as EXPIRED → ACTIVE: the history ends on the status the record reads as', () => {
    const created = recordEvent(record.id, 'CREATED', officer, at(-200));
    // Corrected 10 days after its period ended: decided later, its new period runs to 2027-06-30.
    const content = { category: 'ADMINISTRATIVE_PENALTY', polarity: 'NEGATIVE', severity: 'GENERAL', taxCreditGrade: null, validUntil: null, summary: '罚款' } as const;
    const stored = { ...content, decisionDate: '2025-06-30', disclosureEndsAt: record.disclosureEndsAt, status: 'ACTIVE' as const };
    const corrected = { ...content, decisionDate: '2026-06-30', disclosureEndsAt: '2027-06-30', status: 'ACTIVE' as const };
    const readOn = '2026-07-10';
    const delta = changedValues(asRead(stored, readOn), asRead(corrected, readOn))!;
    expect(delta).toEqual({ before: { decisionDate: '2025-06-30', disclosureEndsAt: '2026-06-30', status: 'EXPIRED' }, after: { decisionDate: '2026-06-30', disclosureEndsAt: '2027-06-30', status: 'ACTIVE' } });
    const correction = recordEvent(record.id, 'CORRECTED', officer, at(10), delta);
    const history = historyOf({ id: record.id, disclosureEndsAt: '2027-06-30' }, [created, correction], now);
    expect(history.map((e) => `${e.kind}@${(e.occurredAt.getTime() - end.getTime()) / 86_400_000}`)).toEqual(['CREATED@-200', 'EXPIRED@0', 'CORRECTED@10']);
    expect(lastToldStatus(history)).toBe(effectiveStatus({ status: 'ACTIVE', disclosureEndsAt: '2027-06-30' }, today));
    expect(lastToldStatus(history)).toBe('ACTIVE');
  });

  it('tells, as of a request’s start, the expiry of a spell its own mutation began after it: a submission or a rejection of the record long expired', () => {
    // The request started at `now`; the record it submitted was written 40 ms later.
    const created = recordEvent(record.id, 'CREATED', officer, new Date(now.getTime() + 40));
    expect(historyOf(record, [created], now).map((e) => e.kind)).toEqual(['CREATED', 'EXPIRED']);
    const objected = change('OBJECTED', at(2), 'ACTIVE', 'OBJECTED');
    const rejected = change('OBJECTION_REJECTED', new Date(now.getTime() + 40), 'OBJECTED', 'ACTIVE');
    const history = historyOf(record, [objected, rejected], now);
    expect(history.map((e) => e.kind)).toEqual(['EXPIRED', 'OBJECTED', 'OBJECTION_REJECTED', 'EXPIRED']);
    expect(lastToldStatus(history)).toBe('EXPIRED');
  });

  it('adds nothing before the end has passed', () => {
    expect(historyOf(record, [], at(-1))).toEqual([]);
  });
});
