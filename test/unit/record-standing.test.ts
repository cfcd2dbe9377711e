import { addDays } from '../../lib/calendar';
import { periodLastDay } from '../../lib/catalogue/record-categories';
import { recordsThatCount, taxGradeTermMonths, taxGradeTermRunsFrom, type RecordStanding } from '../../lib/catalogue/record-standing';

/** Which of a subject's tax grades a check counts (纳税信用等级: one a year, each replacing the one before). */
describe('tax credit grades in a check', () => {
  const today = '2026-12-04';
  const grade = (id: string, taxGrade: 'A' | 'B' | 'D', decisionDate: string, more: Partial<RecordStanding> = {}): RecordStanding => ({
    id,
    decisionDate,
    category: 'TAX_CREDIT_GRADE',
    polarity: taxGrade === 'A' ? 'POSITIVE' : taxGrade === 'D' ? 'NEGATIVE' : 'NEUTRAL',
    status: 'ACTIVE',
    disclosureEndsAt: null,
    validUntil: null,
    ...more,
  });
  // Newest decision first, as every caller passes them.
  const counted = (...records: RecordStanding[]) => recordsThatCount(records, today).map((r) => r.id);

  it.each<[string, RecordStanding[], string[]]>([
    ['this year’s grade replaces last year’s', [grade('b-2026', 'B', '2026-04-20'), grade('a-2025', 'A', '2025-04-18')], ['b-2026']],
    ['a grade past its disclosure does not bring back the one it replaced', [grade('d-2025', 'D', '2025-04-20', { disclosureEndsAt: '2026-04-20' }), grade('a-2024', 'A', '2024-04-18')], []],
    ['a restored grade does not bring back the one it replaced', [grade('d-2026', 'D', '2026-04-20', { status: 'RESTORED', disclosureEndsAt: '2027-04-20' }), grade('a-2025', 'A', '2025-12-01')], []],
    ['a grade withdrawn on an objection never stood: the one before it does', [grade('d-2026', 'D', '2026-04-20', { status: 'WITHDRAWN' }), grade('a-2026', 'A', '2026-01-10')], ['a-2026']],
    ['a grade of more than one assessment ago, with none since, counts no more', [grade('a-2023', 'A', '2023-04-18')], []],
    ['a grade counts through the last day of its assessment year', [grade('a-2025', 'A', '2025-12-04')], ['a-2025']],
    ['a grade the bureau gave an end counts until that end', [grade('a-2025', 'A', '2025-04-18', { validUntil: '2026-12-31' })], ['a-2025']],
  ])('%s', (_label, records, expected) => {
    expect(counted(...records)).toEqual(expected);
  });

  it('counts the other records beside the grade that stands', () => {
    const penalty: RecordStanding = { id: 'penalty', decisionDate: '2026-06-01', category: 'ADMINISTRATIVE_PENALTY', polarity: 'NEGATIVE', status: 'ACTIVE', disclosureEndsAt: '2027-06-01', validUntil: null };
    expect(counted(penalty, grade('b-2026', 'B', '2026-04-20'), grade('a-2025', 'A', '2025-04-18'))).toEqual(['penalty', 'b-2026']);
  });
});

/** The decision date from which a tax grade is within its term today, as SQL compares it (`taxGradeTermRunsFrom`). */
describe('the first decision date of a tax grade within its term', () => {
  it('splits the decisions exactly as the term counted from each decision does, leap days included', () => {
    for (let today = '2023-01-01'; today <= '2029-12-31'; today = addDays(today, 1)) {
      const from = taxGradeTermRunsFrom(today);
      for (let decided = addDays(from, -3); decided <= addDays(from, 3); decided = addDays(decided, 1)) {
        expect([today, decided, decided >= from]).toEqual([today, decided, periodLastDay(decided, taxGradeTermMonths) >= today]);
      }
    }
    // Decided 2027-02-28, a grade's term ends 2028-02-28: on 2028-02-29 only one decided from 2027-03-01 is within it.
    expect(taxGradeTermRunsFrom('2028-02-29')).toBe('2027-03-01');
    expect(taxGradeTermRunsFrom('2026-12-04')).toBe('2025-12-04');
  });
});
