import type { DataSource } from 'typeorm';
import { inTurn } from '../../subgraphs/shared/write-queue';

describe('inTurn', () => {
  const tick = () => new Promise((resolve) => setImmediate(resolve));

  it('runs the tasks of one DataSource one at a time, in order, a failure not stopping the next', async () => {
    const db = {} as DataSource;
    const other = {} as DataSource;
    let running = 0;
    let most = 0;
    const order: string[] = [];
    const task = (name: string, fails = false) => async () => {
      running += 1;
      most = Math.max(most, running);
      await tick();
      await tick();
      order.push(name);
      running -= 1;
      if (fails) throw new Error(`${name} failed`);
      return name;
    };
    const results = await Promise.allSettled([inTurn(db, task('a')), inTurn(db, task('b', true)), inTurn(db, task('c'))]);
    expect(most).toBe(1);
    expect(order).toEqual(['a', 'b', 'c']);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);

    // Another DataSource has its own turn: its task runs beside this one's.
    running = 0;
    most = 0;
    await Promise.all([inTurn(db, task('d')), inTurn(other, task('e'))]);
    expect(most).toBe(2);
  });
});
