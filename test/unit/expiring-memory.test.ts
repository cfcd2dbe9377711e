import { ExpiringMemory } from '../../lib/expiring-memory';

describe('ExpiringMemory.remember', () => {
  it('works a value out once until its instant, then again', () => {
    const memory = new ExpiringMemory<number>(10);
    let made = 0;
    const make = () => ++made;
    expect(memory.remember('k', make, 1_000, 0)).toBe(1);
    expect(memory.remember('k', make, 1_000, 999)).toBe(1);
    expect(memory.remember('k', make, 2_000, 1_000)).toBe(2);
  });

  it('forgets a promise that fails, so that the next ask tries again, and keeps one that holds', async () => {
    const memory = new ExpiringMemory<Promise<string>>(10);
    const failed = memory.remember('k', () => Promise.reject(new Error('register down')), Date.now() + 60_000);
    await expect(failed).rejects.toThrow('register down');
    const held = memory.remember('k', () => Promise.resolve('found'), Date.now() + 60_000);
    await expect(held).resolves.toBe('found');
    expect(memory.remember('k', () => Promise.resolve('asked again'), Date.now() + 60_000)).toBe(held);
  });
});
