import type { Logger } from 'typeorm';

/** A TypeORM logger that records every SQL statement a DataSource sends, to prove batching. */
export class SqlCounter implements Logger {
  statements: string[] = [];
  /** What each statement that failed failed with, in order. */
  failures: (string | Error)[] = [];

  logQuery(query: string): void {
    this.statements.push(query);
  }
  logQueryError(error: string | Error): void {
    this.failures.push(error);
  }
  logQuerySlow(): void {}
  logSchemaBuild(): void {}
  logMigration(): void {}
  log(): void {}

  reset(): void {
    this.statements = [];
    this.failures = [];
  }

  /** Reads only: seeding and migrations write, a query must not. */
  get selects(): string[] {
    return this.statements.filter((s) => /^\s*(SELECT|WITH)\b/i.test(s));
  }

  /** How many reads `action` sent, counted from nothing. */
  async selectsDuring(action: () => Promise<unknown>): Promise<number> {
    this.reset();
    await action();
    return this.selects.length;
  }
}
