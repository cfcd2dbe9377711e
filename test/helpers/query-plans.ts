import type { DataSource } from 'typeorm';
import type { TestDatabase } from './databases';

/** How a database would read one table of a statement. */
export interface TablePlan {
  index: string | null;
  /** Read from the index alone, never the rows. */
  covering: boolean;
  wholeTable: boolean;
}

/**
 * How `database` would run `sql`: each step reading the table aliased `alias` (one per branch of
 * a UNION), as MariaDB's EXPLAIN and SQLite's EXPLAIN QUERY PLAN tell it. A statement with no
 * alias names its table: pass the table's name.
 */
export async function plansOf(db: DataSource, database: TestDatabase, sql: string, params: unknown[], alias: string): Promise<TablePlan[]> {
  if (database.label === 'mysql') {
    const steps: { table: string; type: string; key: string | null; Extra: string | null }[] = await db.query(`EXPLAIN ${sql}`, params);
    return steps
      .filter((s) => s.table === alias)
      .map((s) => ({ index: s.key, covering: /Using index(?! condition)/.test(s.Extra ?? ''), wholeTable: s.type === 'ALL' || s.type === 'index' }));
  }
  const steps: { detail: string }[] = await db.query(`EXPLAIN QUERY PLAN ${sql}`, params);
  return steps
    .map((s) => s.detail)
    .filter((detail) => new RegExp(`^(SCAN|SEARCH) ${alias}\\b`).test(detail))
    .map((detail) => ({ index: detail.match(/USING (?:COVERING )?INDEX (\w+)/)?.[1] ?? null, covering: detail.includes('USING COVERING INDEX'), wholeTable: detail.startsWith('SCAN') }));
}

/**
 * Runs `action`, returning with its result every statement (and its parameters) it sent through
 * `db.query`: a DataSource's, or an EntityManager's, which repositories' pages send through.
 */
export async function statementsDuring<T>(db: Pick<DataSource, 'query'>, action: () => Promise<T>): Promise<{ result: T; sent: [string, unknown[]][] }> {
  const sent: [string, unknown[]][] = [];
  const send = db.query.bind(db);
  const spy = jest.spyOn(db, 'query').mockImplementation((sql: string, params?: unknown) => {
    sent.push([sql, (params as unknown[] | undefined) ?? []]);
    return send(sql, params as unknown[] | undefined);
  });
  try {
    return { result: await action(), sent };
  } finally {
    spy.mockRestore();
  }
}
