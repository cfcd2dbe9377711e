import { GraphQLError } from 'graphql';
import { QueryFailedError } from 'typeorm';
import { outageLogWindowMs } from '../../lib/outage-log';
import { refusedRight, refusedRightsLog } from '../../subgraphs/shared/database';

/**
 * A statement the database refused its user a right for (subgraph.ts `databaseFault`: PERMISSION_DENIED)
 * is recognised by mysql2's code through the wrappers a resolver's error reaches formatError in,
 * and logged once per window and refusal, counting the statements refused in between.
 */
describe("a statement refused for want of its database user's right", () => {
  const refused = (code: string, sqlMessage = `${code} for user 'credit'@'10.0.0.5'`) =>
    new GraphQLError('failed', { originalError: new QueryFailedError('INSERT …', [], Object.assign(new Error(sqlMessage), { code, sqlMessage })) });
  const insertDenied = "INSERT command denied to user 'credit'@'10.0.0.5' for table `credit_records`.`credit_check`";

  it.each(['ER_TABLEACCESS_DENIED_ERROR', 'ER_DBACCESS_DENIED_ERROR', 'ER_COLUMNACCESS_DENIED_ERROR', 'ER_SPECIFIC_ACCESS_DENIED_ERROR', 'ER_PROCACCESS_DENIED_ERROR'])('is recognised from %s, in the server\'s words', (code) => {
    expect(refusedRight(refused(code))).toBe(`${code} for user 'credit'@'10.0.0.5'`);
  });

  it.each(['ER_DUP_ENTRY', 'ER_LOCK_WAIT_TIMEOUT', 'SQLITE_READONLY'])('is none for %s', (code) => {
    expect(refusedRight(refused(code))).toBeUndefined();
  });

  afterEach(() => jest.useRealTimers());

  it('is logged at once, then once a window for each refusal, with the statements refused since', () => {
    jest.useFakeTimers({ now: 0 });
    const lines: Record<string, unknown>[] = [];
    const tell = refusedRightsLog((fields) => lines.push(fields));
    expect(tell(new Error('a bug'), 'r0')).toBe(false);
    expect(tell(refused('ER_TABLEACCESS_DENIED_ERROR', insertDenied), 'r1')).toBe(true);
    for (let i = 2; i <= 4; i += 1) expect(tell(refused('ER_TABLEACCESS_DENIED_ERROR', insertDenied), `r${i}`)).toBe(true);
    // Another right, or another table, is another line.
    tell(refused('ER_TABLEACCESS_DENIED_ERROR', insertDenied.replace('INSERT', 'UPDATE')), 'r5');
    jest.setSystemTime(outageLogWindowMs);
    tell(refused('ER_TABLEACCESS_DENIED_ERROR', insertDenied), 'r6');
    expect(lines).toEqual([
      { denied: insertDenied, requestId: 'r1', refusedSinceLastLine: 1 },
      { denied: insertDenied.replace('INSERT', 'UPDATE'), requestId: 'r5', refusedSinceLastLine: 1 },
      { denied: insertDenied, requestId: 'r6', refusedSinceLastLine: 4 },
    ]);
  });

  it('tells the statements refused since its line once its window has ended without another, the right granted again', () => {
    jest.useFakeTimers({ now: 0 });
    const lines: Record<string, unknown>[] = [];
    const tell = refusedRightsLog((fields) => lines.push(fields));
    for (let i = 1; i <= 300; i += 1) tell(refused('ER_TABLEACCESS_DENIED_ERROR', insertDenied), `r${i}`);
    jest.advanceTimersByTime(10 * outageLogWindowMs);
    expect(lines).toEqual([
      { denied: insertDenied, requestId: 'r1', refusedSinceLastLine: 1 },
      { denied: insertDenied, requestId: 'r1', refusedSinceLastLine: 299, windowEnded: true },
    ]);
    expect(jest.getTimerCount()).toBe(0);
    // Its subgraph stopped (createSubgraphServer's serverWillStop): nothing more is told.
    tell(refused('ER_TABLEACCESS_DENIED_ERROR', insertDenied), 'r301');
    tell(refused('ER_TABLEACCESS_DENIED_ERROR', insertDenied), 'r302');
    tell.stop();
    expect(jest.getTimerCount()).toBe(0);
    jest.advanceTimersByTime(10 * outageLogWindowMs);
    expect(lines).toHaveLength(3);
  });
});
