import 'reflect-metadata';
import { DataSource, EntitySchema } from 'typeorm';
import { inTurn, writeAlone, writeTransaction } from '../../subgraphs/shared/write-queue';

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

describe('writeAlone on SQLite', () => {
  const Row = new EntitySchema<{ id: string }>({ name: 'row', columns: { id: { type: 'varchar', primary: true } } });
  let db: DataSource;
  beforeAll(async () => {
    db = await new DataSource({ type: 'better-sqlite3', database: ':memory:', entities: [Row], synchronize: true }).initialize();
  });
  afterAll(() => db?.destroy());

  it('keeps a write made while another write’s transaction is open, when that transaction rolls back', async () => {
    const failing = writeTransaction(db, async (manager) => {
      await manager.insert(Row, { id: 'in-the-failed-transaction' });
      await new Promise((resolve) => setTimeout(resolve, 30));
      throw new Error('the decision failed');
    });
    await new Promise((resolve) => setTimeout(resolve, 5));
    const alone = writeAlone(db, () => db.getRepository(Row).insert({ id: 'alone' }));
    await expect(failing).rejects.toThrow('the decision failed');
    await alone;
    expect((await db.getRepository(Row).find()).map((r) => r.id)).toEqual(['alone']);
  });
});
