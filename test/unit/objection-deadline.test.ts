import { addWorkingDays, startOfDistrictDay } from '../../lib/calendar';
import { objectionDueBy, overdueBefore } from '../../subgraphs/records/lifecycle';

describe('an objection’s time limit (处理时限)', () => {
  it.each([
    ['Monday + 1', '2026-11-30', 1, '2026-12-01'],
    ['Friday + 1: the Monday after', '2026-12-04', 1, '2026-12-07'],
    ['Saturday + 1: Monday', '2026-12-05', 1, '2026-12-07'],
    ['Monday + 10: Monday two weeks later', '2026-11-30', 10, '2026-12-14'],
    ['Wednesday + 10, over two weekends', '2026-12-02', 10, '2026-12-16'],
    ['across a year', '2026-12-28', 5, '2027-01-04'],
  ])('counts working days: %s', (_label, from, days, expected) => {
    expect(addWorkingDays(from, days)).toBe(expected);
  });

  it('counts from the day the objection was filed in the district (UTC+8), not in UTC', () => {
    // 2026-12-04 23:30 in the district is still Friday there (15:30 UTC); 00:30 on Saturday is Saturday.
    expect(objectionDueBy(new Date('2026-12-04T15:30:00Z'))).toBe('2026-12-18');
    expect(objectionDueBy(new Date('2026-12-04T16:30:00Z'))).toBe(addWorkingDays('2026-12-05', 10));
  });

  it('marks as overdue, for any day, exactly the pending objections filed before overdueBefore', () => {
    for (let t = Date.parse('2026-11-01T00:00:00Z'); t < Date.parse('2027-02-01T00:00:00Z'); t += 86_400_000) {
      const today = new Date(t).toISOString().slice(0, 10);
      const boundary = overdueBefore(today);
      for (let back = 0; back < 30; back++) {
        const filedOn = new Date(t - back * 86_400_000).toISOString().slice(0, 10);
        const filedAt = new Date(startOfDistrictDay(filedOn).getTime() + 12 * 3_600_000);
        expect({ today, filedOn, overdue: filedAt < boundary }).toEqual({ today, filedOn, overdue: objectionDueBy(filedAt) < today });
      }
    }
    // On Friday 18 December, one filed on Thursday 3 December (due the 17th) is overdue; one filed on the 4th (due the 18th) is not.
    expect(overdueBefore('2026-12-18')).toEqual(startOfDistrictDay('2026-12-04'));
  });
});
