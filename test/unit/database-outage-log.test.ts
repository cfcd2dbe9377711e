import { GraphQLError } from 'graphql';
import { DatabaseFault, ErrorCode, maskUnexpectedErrors, type KnownFault } from '../../lib/errors';
import type { Logger } from '../../lib/logger';
import { maskedFaultLog } from '../../subgraphs/shared/subgraph';

/**
 * While a subgraph's database was down, every failed field of every request logged an error line
 * with its stack (5 aliases, 5 lines, 2.7 KB a request): at once, then once per window, counted.
 */
describe("a subgraph's log of its database down", () => {
  afterEach(() => jest.useRealTimers());

  it('says so at once, then at most once per ten seconds, counting the fields since; an unexpected fault each time', () => {
    const lines: { fields: Record<string, unknown>; message: string }[] = [];
    const logger = { error: (fields: Record<string, unknown>, message: string) => lines.push({ fields, message }) } as unknown as Logger;
    const mask = maskUnexpectedErrors(maskedFaultLog('records', logger), (error): KnownFault | undefined => ((error as Error).message === 'connect ECONNREFUSED' ? { code: ErrorCode.DATABASE_UNAVAILABLE, reason: DatabaseFault.UNREACHABLE, message: 'the records subgraph could not connect to its database: retry later' } : undefined));
    const fail = (message: string) => mask({ message, extensions: { code: 'INTERNAL_SERVER_ERROR' } }, new GraphQLError(message));
    jest.useFakeTimers({ now: Date.parse('2026-12-07T10:00:00Z') });
    for (let i = 0; i < 5; i++) fail('connect ECONNREFUSED');
    fail('boom');
    fail('boom');
    expect(lines.map((l) => [l.message, l.fields.callsSinceLastLine])).toEqual([
      ['the records subgraph could not connect to its database: retry later', 1],
      ['unexpected error', undefined],
      ['unexpected error', undefined],
    ]);
    jest.advanceTimersByTime(10_000);
    fail('connect ECONNREFUSED');
    expect(lines.at(-1)).toMatchObject({ message: 'the records subgraph could not connect to its database: retry later', fields: { callsSinceLastLine: 5 } });
    expect(lines).toHaveLength(4);
  });

  /**
   * The calls counted in a window were told only by the next line, which a fault ending within the
   * window never brought: 5,000 failed fields in 5 s left one line, `callsSinceLastLine: 1` (from
   * the code-review probe).
   */
  it('tells the calls counted since its line once a window has ended with no later line, in a closing line; no timer while none is counted', () => {
    const lines: { fields: Record<string, unknown>; message: string }[] = [];
    const logger = { error: (fields: Record<string, unknown>, message: string) => lines.push({ fields, message }) } as unknown as Logger;
    const mask = maskUnexpectedErrors(maskedFaultLog('records', logger), (error): KnownFault | undefined => ((error as Error).message === 'connect ECONNREFUSED' ? { code: ErrorCode.DATABASE_UNAVAILABLE, reason: DatabaseFault.UNREACHABLE, message: 'the records subgraph could not connect to its database: retry later' } : undefined));
    const fail = () => mask({ message: 'connect ECONNREFUSED', extensions: { code: 'INTERNAL_SERVER_ERROR' } }, new GraphQLError('connect ECONNREFUSED'));
    jest.useFakeTimers({ now: Date.parse('2026-12-07T10:00:00Z') });
    fail();
    expect(jest.getTimerCount()).toBe(0);
    for (let i = 1; i < 5_000; i++) {
      jest.advanceTimersByTime(1);
      fail();
    }
    // The database is back: no call fails any more.
    jest.advanceTimersByTime(60_000);
    const message = 'the records subgraph could not connect to its database: retry later';
    expect(lines).toEqual([
      { message, fields: expect.objectContaining({ callsSinceLastLine: 1 }) },
      { message, fields: expect.objectContaining({ callsSinceLastLine: 4_999, windowEnded: true }) },
    ]);
    expect(lines[1].fields).toEqual({ ...lines[0].fields, callsSinceLastLine: 4_999, windowEnded: true });
    expect(jest.getTimerCount()).toBe(0);
    // Told: the next call is a new outage's first line.
    fail();
    expect(lines.at(-1)?.fields).toMatchObject({ callsSinceLastLine: 1 });
    expect(lines.at(-1)?.fields).not.toHaveProperty('windowEnded');
  });
});
