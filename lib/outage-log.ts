import type { Logger } from './logger';

/** How often, at most, one outage is logged again (OutageLog). */
export const outageLogWindowMs = 10_000;

/**
 * A throttled line: written with the occurrences it counts, and `windowEnd`, which a closing line
 * holds (`{ windowEnded: true }`) to be spread among its fields.
 */
export type CountedLine = (count: number, windowEnd: { windowEnded?: true }) => void;

/** A throttled log whose closing lines waiting are forgotten when its service stops (LogWindow.stop). */
export interface Stoppable {
  stop(): void;
}

/**
 * When a line about a recurring fault is due: at once, then at most once per window for its key,
 * counting the occurrences between lines. What every throttled fault line is built on (OutageLog;
 * a subgraph's refused database rights, subgraphs/shared/database.ts refusedRightsLog).
 *
 * The next occurrence after a window tells the count in its line; when none comes, the fault most
 * likely over (a database back within the window: 5,000 failed calls in 5 s left one line that
 * counted 1), a closing line tells it: the window's line again, with the count and `windowEnded`,
 * once a further window has passed without a line, so that an outage still going on keeps its one
 * line per window. Its timer is set only while a count waits for it, and never keeps the process alive.
 */
export class LogWindow implements Stoppable {
  /** Per key: when it was last logged, its line, the occurrences since, and the timer of its closing line while they wait. */
  private readonly seen = new Map<string, { loggedAt: number; line: CountedLine; since: number; closing?: NodeJS.Timeout }>();

  /** `line` at once, then at most once per window for `key`, counting the occurrences since its last line. */
  tell(key: string, line: CountedLine): void {
    const now = Date.now();
    const seen = this.seen.get(key);
    if (seen && now - seen.loggedAt < outageLogWindowMs) {
      seen.since++;
      seen.closing ??= setTimeout(() => this.close(key), seen.loggedAt + 2 * outageLogWindowMs - now).unref();
      return;
    }
    clearTimeout(seen?.closing);
    this.seen.set(key, { loggedAt: now, line, since: 0 });
    line((seen?.since ?? 0) + 1, {});
  }

  /** Forgets the counts waiting for a closing line, and their timers (a service stopping). */
  stop(): void {
    for (const { closing } of this.seen.values()) clearTimeout(closing);
    this.seen.clear();
  }

  private close(key: string): void {
    const seen = this.seen.get(key)!;
    // Told: the next occurrence is a line at once, counting itself.
    this.seen.delete(key);
    seen.line(seen.since, { windowEnded: true });
  }
}

/**
 * The log lines of outages: each one's at once, then at most once per window for its key, with
 * how many calls met it since its last line. One line per failed call is thousands a minute in an
 * outage (a stack each); the fields of the line's first call stand for the rest, which most likely
 * met the same. The gateway's (a subgraph, the key set, the audit log) and a subgraph's (its
 * database) alike.
 */
export class OutageLog implements Stoppable {
  private readonly window = new LogWindow();

  constructor(
    private readonly service: string,
    private readonly logger: Logger | undefined,
  ) {}

  /** `message` with `fields` at once, then at most once per window for `key`, counting the calls since its last line. */
  tell(key: string, fields: Record<string, unknown>, message: string, level: 'warn' | 'error'): void {
    this.window.tell(key, (calls, windowEnd) => {
      if (this.logger) this.logger[level]({ ...fields, callsSinceLastLine: calls, ...windowEnd }, message);
      else console[level](`[${this.service}] ${message} (${calls} calls)`, { ...fields, ...windowEnd });
    });
  }

  /** Forgets the calls waiting for a closing line (LogWindow.stop). */
  stop(): void {
    this.window.stop();
  }
}
