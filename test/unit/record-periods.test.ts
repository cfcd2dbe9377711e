import { disclosureEndsAt, periodLastDay, periodPassedFrom, restorableFrom } from '../../lib/catalogue/record-categories';
import { effectiveStatus, recordsThatCount, type RecordStanding } from '../../lib/catalogue/record-standing';

/**
 * Every period of the catalogue counted by one convention, the Civil Code's (民法典 第二百零一条:
 * the starting day is not counted; 第二百零二条: the corresponding day of the last month is the
 * period's last day, or that month's last day when it has none): a maximum's last day is the
 * day the record still counts, a minimum has passed from the day after its last day.
 */
describe('periods counted as the Civil Code counts them', () => {
  it.each([
    // decided, months, last day, passed from
    ['2026-09-05', 3, '2026-12-05', '2026-12-06'],
    ['2026-11-30', 3, '2027-02-28', '2027-03-01'],
    ['2024-11-30', 3, '2025-02-28', '2025-03-01'],
    ['2023-11-30', 3, '2024-02-29', '2024-03-01'],
    ['2025-12-31', 12, '2026-12-31', '2027-01-01'],
    ['2024-02-29', 12, '2025-02-28', '2025-03-01'],
    ['2026-01-31', 1, '2026-02-28', '2026-03-01'],
    ['2026-04-30', 36, '2029-04-30', '2029-05-01'],
  ])('decided %s, a %i-month period runs through %s and has passed from %s', (decided, months, lastDay, passedFrom) => {
    expect(periodLastDay(decided, months)).toBe(lastDay);
    expect(periodPassedFrom(decided, months)).toBe(passedFrom);
  });

  it('has no period of 0 months: it has passed on the decision day', () => {
    expect(periodPassedFrom('2026-09-05', 0)).toBe('2026-09-05');
  });

  it('ends the maximum and passes the minimum of the same length by the same count: decided 2026-09-05, both 3-month periods’ last day is 2026-12-05', () => {
    // A minor penalty: at most 3 months disclosed. It counts through its last day, and expires the day after.
    const minor = disclosureEndsAt('ADMINISTRATIVE_PENALTY', 'NEGATIVE', 'MINOR', '2026-09-05');
    expect(minor).toBe('2026-12-05');
    expect(effectiveStatus({ status: 'ACTIVE', disclosureEndsAt: minor }, '2026-12-05')).toBe('ACTIVE');
    expect(effectiveStatus({ status: 'ACTIVE', disclosureEndsAt: minor }, '2026-12-06')).toBe('EXPIRED');
    // A general penalty: at least 3 months disclosed. Its minimum has passed from the day after the same last day.
    expect(restorableFrom('ADMINISTRATIVE_PENALTY', 'GENERAL', '2026-09-05')).toBe('2026-12-06');
    expect(restorableFrom('ADMINISTRATIVE_ENFORCEMENT', 'GENERAL', '2026-09-05')).toBe('2026-12-06');
  });

  it.each<[string, Parameters<typeof restorableFrom>, string]>([
    ['a serious penalty: a year at least', ['ADMINISTRATIVE_PENALTY', 'SERIOUS', '2026-09-05'], '2027-09-06'],
    ['the serious-dishonesty list: a year at least', ['SERIOUS_DISHONESTY_LIST', null, '2025-12-31'], '2027-01-01'],
    ['a minor penalty: no minimum, restorable on its decision day', ['ADMINISTRATIVE_PENALTY', 'MINOR', '2026-09-05'], '2026-09-05'],
  ])('restores %s from the day after the minimum’s last day', (_label, args, expected) => {
    expect(restorableFrom(...args)).toBe(expected);
  });

  it('counts a tax grade through the last day of its 12-month term, and not the day after', () => {
    const grade: RecordStanding = { id: 'a-2025', decisionDate: '2025-12-04', category: 'TAX_CREDIT_GRADE', polarity: 'POSITIVE', status: 'ACTIVE', disclosureEndsAt: null, validUntil: null };
    expect(recordsThatCount([grade], '2026-12-04').map((r) => r.id)).toEqual(['a-2025']);
    expect(recordsThatCount([grade], '2026-12-05')).toEqual([]);
  });

  it('counts an honour through its validUntil, the last day in force, and not the day after', () => {
    const honour: RecordStanding = { id: 'honour', decisionDate: '2025-12-05', category: 'RED_LIST_HONOUR', polarity: 'POSITIVE', status: 'ACTIVE', disclosureEndsAt: null, validUntil: '2026-12-05' };
    expect(recordsThatCount([honour], '2026-12-05').map((r) => r.id)).toEqual(['honour']);
    expect(recordsThatCount([honour], '2026-12-06')).toEqual([]);
  });
});
