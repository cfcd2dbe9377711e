import { checkCompletedDays, checkDistrictDays, checkInstantRange, dayCompletedAfterMs, inDistrictTime, todayInDistrict } from '../../lib/calendar';
import { appendedInstantsWithin } from '../../subgraphs/audit/resolvers';

describe('an instant in a message, as the district reads a clock (UTC+8)', () => {
  it.each([
    ['after 16:00 UTC: the next day in the district', '2026-12-05T16:17:39.261Z', '2026-12-06T00:17:39+08:00'],
    ['before 16:00 UTC: the same day', '2026-12-05T15:59:59.999Z', '2026-12-05T23:59:59+08:00'],
    ['across the year', '2026-12-31T16:00:00.000Z', '2027-01-01T00:00:00+08:00'],
  ])('%s', (_label, utc, expected) => {
    const instant = new Date(utc);
    expect(inDistrictTime(instant)).toBe(expected);
    // The same instant, to the second, and on the district's calendar day.
    expect(Date.parse(expected)).toBe(Math.floor(instant.getTime() / 1000) * 1000);
    expect(expected.slice(0, 10)).toBe(todayInDistrict(instant));
  });
});

// A statistics bound refused for not being a completed district day: told as the district reads
// it (2026-12-07T00:00:00+08:00), then as the UTC instant, which alone reads as the day before, so
// that a front end that sent either form finds what it sent (from the front end's contract probe).
describe('a refused statistics bound, as its message echoes it', () => {
  it('is told in district time, to the millisecond where one keeps it from midnight', () => {
    expect(inDistrictTime(new Date('2026-12-06T16:00:00.000Z'), true)).toBe('2026-12-07T00:00:00+08:00');
    expect(inDistrictTime(new Date('2026-12-06T16:00:00.001Z'), true)).toBe('2026-12-07T00:00:00.001+08:00');
    const refusal = (to: Date) => {
      try {
        checkCompletedDays(to, 'usage', new Date('2026-12-06T02:00:00Z'));
      } catch (error) {
        return (error as Error).message;
      }
      return 'accepted';
    };
    expect(refusal(new Date('2026-12-07T00:00:00+08:00'))).toBe("usage counted in completed district days only: to must be today's midnight, 2026-12-06T00:00:00+08:00, or earlier, got 2026-12-07T00:00:00+08:00 (2026-12-06T16:00:00.000Z)");
    expect(refusal(new Date('2026-12-06T00:00:00+08:00'))).toBe('accepted');
  });

  it('takes a day as completed only once entries stamped in it can no longer be written, minutes after its midnight', () => {
    const midnight = new Date('2026-12-07T00:00:00+08:00');
    const at = (now: string) => {
      try {
        checkCompletedDays(midnight, 'usage', new Date(now));
      } catch (error) {
        return (error as Error).message;
      }
      return 'accepted';
    };
    // The audit log still takes an entry stamped at 23:59:59 (a gateway's clock behind, its write queued) for minutes.
    expect(dayCompletedAfterMs).toBeGreaterThan(appendedInstantsWithin.pastMs);
    expect(at('2026-12-07T00:05:00+08:00')).toBe(
      "usage counted in completed district days only: a day is completed 13 minutes after its midnight (the audit log takes entries stamped in it until then), so to must be 2026-12-06T00:00:00+08:00 or earlier until 2026-12-07T00:13:00+08:00, got 2026-12-07T00:00:00+08:00 (2026-12-06T16:00:00.000Z)",
    );
    expect(at('2026-12-07T00:12:59+08:00')).not.toBe('accepted');
    expect(at('2026-12-07T00:13:00+08:00')).toBe('accepted');
  });

  it('is told as sent in UTC too, beside the district time that shows why it is not a midnight', () => {
    expect(() => checkDistrictDays({ from: new Date('2026-01-01T00:00:00Z'), to: new Date('2026-02-01T00:00:00+08:00') }, 'usage is')).toThrow(
      'got 2026-01-01T08:00:00+08:00 (2026-01-01T00:00:00.000Z); the nearest is 2026-01-01T00:00:00+08:00',
    );
  });

  it('is told in district time for a reversed or empty period, both ends echoed, whichever statistic refused it', () => {
    const from = new Date('2026-12-01T00:00:00+08:00');
    expect(() => checkInstantRange(from, new Date('2026-11-01T00:00:00+08:00'))).toThrow('the range is [from, to): to must be later than from, got from 2026-12-01T00:00:00+08:00 (2026-11-30T16:00:00.000Z) and to 2026-11-01T00:00:00+08:00 (2026-10-31T16:00:00.000Z)');
    expect(() => checkInstantRange(from, from, 'filter.to')).toThrow(expect.objectContaining({ extensions: { code: 'BAD_USER_INPUT', field: 'filter.to' } }));
    expect(() => checkInstantRange(from, new Date(from.getTime() + 1))).not.toThrow();
  });
});
