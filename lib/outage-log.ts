import type { Logger } from './logger';

/** How often, at most, one outage is logged again (OutageLog). */
export const outageLogWindowMs = 10_000;

/**
 * When a line about a recurring fault is due: at once, then at most once per window for its key,
 * counting the occurrences between lines. What every throttled fault line is built on (OutageLog;
 * a subgraph's refused database rights, subgraphs/shared/database.ts refusedRightsLog).
 */
export class LogWindow {
  /** Per key: when it was last logged, and the occurrences since. */
  private readonly seen = new Map<string, { loggedAt: number; since: number }>();

  /** The occurrences since `key`'s last line, this one included, when a line is due now; undefined while its window lasts (counted). */
  due(key: string, now: number = Date.now()): number | undefined {
    const seen = this.seen.get(key);
    if (seen && now - seen.loggedAt < outageLogWindowMs) {
      seen.since++;
      return undefined;
    }
    this.seen.set(key, { loggedAt: now, since: 0 });
    return (seen?.since ?? 0) + 1;
  }
}

/**
 * The log lines of outages: each one's at once, then at most once per window for its key, with
 * how many calls met it since its last line. One line per failed call is thousands a minute in an
 * outage (a stack each); the fields of the line's first call stand for the rest, which most likely
 * met the same. The gateway's (a subgraph, the key set, the audit log) and a subgraph's (its
 * database) alike.
 */
export class OutageLog {
  private readonly window = new LogWindow();

  constructor(
    private readonly service: string,
    private readonly logger: Logger | undefined,
  ) {}

  /** `message` with `fields` at once, then at most once per window for `key`, counting the calls since its last line. */
  tell(key: string, fields: Record<string, unknown>, message: string, level: 'warn' | 'error', now: number = Date.now()): void {
    const calls = this.window.due(key, now);
    if (calls === undefined) return;
    if (this.logger) this.logger[level]({ ...fields, callsSinceLastLine: calls }, message);
    else console[level](`[${this.service}] ${message} (${calls} calls)`, fields);
  }
}
