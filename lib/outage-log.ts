import type { Logger } from './logger';

/** How often, at most, one outage is logged again (OutageLog). */
export const outageLogWindowMs = 10_000;

/**
 * The log lines of outages: each one's at once, then at most once per window for its key, with
 * how many calls met it since its last line. One line per failed call is thousands a minute in an
 * outage (a stack each); the fields of the line's first call stand for the rest, which most likely
 * met the same. The gateway's (a subgraph, the key set, the audit log) and a subgraph's (its
 * database) alike.
 */
export class OutageLog {
  /** Per outage: when it was last logged, and the calls that met it since. */
  private readonly seen = new Map<string, { loggedAt: number; calls: number }>();

  constructor(
    private readonly service: string,
    private readonly logger: Logger | undefined,
  ) {}

  /** `message` with `fields` at once, then at most once per window for `key`, counting the calls since its last line. */
  tell(key: string, fields: Record<string, unknown>, message: string, level: 'warn' | 'error', now: number = Date.now()): void {
    const seen = this.seen.get(key);
    if (seen && now - seen.loggedAt < outageLogWindowMs) {
      seen.calls++;
      return;
    }
    const calls = (seen?.calls ?? 0) + 1;
    if (this.logger) this.logger[level]({ ...fields, callsSinceLastLine: calls }, message);
    else console[level](`[${this.service}] ${message} (${calls} calls)`, fields);
    this.seen.set(key, { loggedAt: now, calls: 0 });
  }
}
