import { timeOrderedId } from '../../lib/time-ordered-id';

describe('time-ordered ids', () => {
  it('are UUIDs of version 7 and variant 10 that carry the millisecond they were made', () => {
    const at = Date.parse('2026-11-25T08:00:00.123Z');
    const id = timeOrderedId(at);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(parseInt(id.slice(0, 8) + id.slice(9, 13), 16)).toBe(at);
  });

  it('sort by the time they were made, and differ within one millisecond', () => {
    const times = [0, 1, 255, 256, 65_535, 1_764_057_600_000, 1_764_057_600_001, 2 ** 47];
    const ids = times.map((t) => timeOrderedId(t));
    expect([...ids].sort()).toEqual(ids);
    const same = new Set(Array.from({ length: 1000 }, () => timeOrderedId(1_764_057_600_000)));
    expect(same.size).toBe(1000);
  });
});
