import { DataSource } from 'typeorm';
import { setTimeout as sleep } from 'node:timers/promises';
import { quietDatabaseLogger } from '../../lib/database-logger';
import { RequestDeadline, timeoutHeader } from '../../lib/deadline';
import { dataSourceOptions } from '../../subgraphs/shared/database';
import { writeAlone, writeTransaction } from '../../subgraphs/shared/write-queue';

describe('a request deadline', () => {
  it('is read from a well-formed header only: no header, no deadline', () => {
    expect(RequestDeadline.fromHeaders({}, 'records')).toBeUndefined();
    for (const raw of ['', '0', '-5', '1.5', '10s', '600001', '99999999']) expect(RequestDeadline.fromHeaders({ [timeoutHeader]: raw }, 'records')).toBeUndefined();
    expect(RequestDeadline.fromHeaders({ [timeoutHeader]: '1500' }, 'records', 1_000)?.at).toBe(2_500);
  });

  it("gives a peer call the time left less what the answer and a commit need, and never more than the call's own timeout", () => {
    const deadline = new RequestDeadline(10_000, 'records', 0);
    expect(deadline.peerTimeout(30_000, 1_000)).toBe(9_000 - 500);
    expect(deadline.peerTimeout(5_000, 1_000)).toBe(5_000);
    expect(deadline.peerTimeout(5_000, 9_600)).toBeLessThanOrEqual(0);
  });
});

describe('writes under a request deadline', () => {
  let db: DataSource;
  beforeAll(async () => {
    db = await new DataSource(dataSourceOptions('records', { kind: 'sqlite', directory: ':memory:' }, { entities: [], migrations: [] }, quietDatabaseLogger())).initialize();
    await db.query('CREATE TABLE tally (turn INTEGER NOT NULL)');
  });
  afterAll(() => db.destroy());
  const stored = async () => ((await db.query('SELECT COUNT(*) AS n FROM tally')) as { n: number }[])[0].n;

  it('rolls a transaction back when its work leaves too little time to answer, with a typed error naming the slow peer', async () => {
    const deadline = new RequestDeadline(1_000, 'records');
    deadline.peerAnswered('entities', 600);
    const before = await stored();
    const refused = writeTransaction(
      db,
      async (manager) => {
        await manager.query('INSERT INTO tally (turn) VALUES (1)');
        await sleep(deadline.left() - deadline.answerAllowanceMs + 20);
      },
      undefined,
      deadline,
    );
    await expect(refused).rejects.toMatchObject({
      message: 'the entities subgraph took 600 ms of the 1000 ms the request had, too little to store the change in time, so nothing was stored: retry later',
      extensions: { code: 'SUBGRAPH_UNAVAILABLE', serviceName: 'entities', reason: 'TIMEOUT', retryAfterSeconds: 5 },
    });
    expect(await stored()).toBe(before);
  });

  it('names its own subgraph when no peer took the time, and sends no single statement once too little is left', async () => {
    const deadline = new RequestDeadline(1_000, 'records', Date.now() - 950);
    await expect(writeAlone(db, () => db.query('INSERT INTO tally (turn) VALUES (2)'), deadline)).rejects.toMatchObject({ extensions: { code: 'SUBGRAPH_UNAVAILABLE', serviceName: 'records', reason: 'TIMEOUT' } });
    await expect(writeTransaction(db, (manager) => manager.query('INSERT INTO tally (turn) VALUES (3)'), undefined, deadline)).rejects.toMatchObject({ extensions: { serviceName: 'records' } });
    expect(await stored()).toBe(0);
  });

  it('commits as before with time left, or without a deadline', async () => {
    await writeTransaction(db, (manager) => manager.query('INSERT INTO tally (turn) VALUES (4)'), undefined, new RequestDeadline(1_000, 'records'));
    await writeAlone(db, () => db.query('INSERT INTO tally (turn) VALUES (5)'));
    expect(await stored()).toBe(2);
  });
});
