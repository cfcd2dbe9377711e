import { addMonths, disclosureEndsAt } from '../../lib/catalogue/record-categories';

/** The same arithmetic through Date, for years JavaScript's Date reads as they are (from 100 on). */
function throughDate(isoDate: string, months: number): string {
  const [y, m, d] = isoDate.split('-').map(Number);
  const target = new Date(Date.UTC(y, m - 1 + months, 1));
  const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(d, lastDay));
  return target.toISOString().slice(0, 10);
}

describe('addMonths (disclosure periods, restoration dates)', () => {
  it.each([
    ['2026-03-01', 12, '2027-03-01'],
    ['2024-02-29', 12, '2025-02-28'],
    ['2024-02-29', 48, '2028-02-29'],
    ['2026-01-31', 1, '2026-02-28'],
    ['2026-08-31', 3, '2026-11-30'],
    ['2026-11-15', 3, '2027-02-15'],
    ['1900-01-31', 1, '1900-02-28'],
    ['2000-01-31', 1, '2000-02-29'],
    // Years below 100: Date.UTC would read 0050 as 1950.
    ['0050-03-01', 36, '0053-03-01'],
    ['0001-01-01', 12, '0002-01-01'],
    ['0099-12-31', 2, '0100-02-28'],
  ])('%s + %i months = %s', (date, months, expected) => {
    expect(addMonths(date, months)).toBe(expected);
  });

  it('agrees with Date on every day of 1999-2030 for the periods the catalogue uses', () => {
    for (let time = Date.UTC(1999, 0, 1); time < Date.UTC(2031, 0, 1); time += 86_400_000) {
      const date = new Date(time).toISOString().slice(0, 10);
      for (const months of [1, 3, 12, 24, 36]) expect(addMonths(date, months)).toBe(throughDate(date, months));
    }
  });

  it('ends a serious penalty decided in the year 50 three years later, not in 1953', () => {
    expect(disclosureEndsAt('ADMINISTRATIVE_PENALTY', 'NEGATIVE', 'SERIOUS', '0050-03-01')).toBe('0053-03-01');
  });
});
