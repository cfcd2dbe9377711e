import type { Logger } from 'typeorm';

/** A TypeORM logger that records every SQL statement a DataSource sends, to prove batching. */
export class SqlCounter implements Logger {
  statements: string[] = [];

  logQuery(query: string): void {
    this.statements.push(query);
  }
  logQueryError(): void {}
  logQuerySlow(): void {}
  logSchemaBuild(): void {}
  logMigration(): void {}
  log(): void {}

  reset(): void {
    this.statements = [];
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
