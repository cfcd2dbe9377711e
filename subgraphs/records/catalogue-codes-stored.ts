import type { DataSource } from 'typeorm';
import { findDepartment } from '../../lib/catalogue/departments';
import { StartFailure } from '../../lib/start-failure';

/**
 * Where the records subgraph stores a department code it reads back through the catalogue
 * (`storedDepartment`, which throws on a code the catalogue lacks), each column the first of an
 * index, so that its distinct values are read off the index. A credit check's records snapshot
 * names the departments of records, which stay stored (a record is withdrawn, never deleted), so
 * credit_record covers them.
 */
const storedDepartmentCodes = [
  { table: 'credit_record', column: 'source_department', rows: 'credit records' },
  { table: 'credit_record_objection', column: 'source_department', rows: 'objections' },
  { table: 'restoration_application', column: 'source_department', rows: 'restoration applications' },
  { table: 'credit_check', column: 'department', rows: 'credit checks' },
] as const;

/** A stored department code this release's catalogue lacks, and how many rows of each table hold it. */
export interface CodeMissingFromCatalogue {
  code: string;
  rows: { rows: string; count: number }[];
}

/** The stored department codes lib/catalogue/departments.ts lacks, each with the rows that hold it; none when all are there. */
export async function departmentCodesMissingFromCatalogue(db: DataSource): Promise<CodeMissingFromCatalogue[]> {
  const missing = new Map<string, CodeMissingFromCatalogue>();
  for (const { table, column, rows } of storedDepartmentCodes) {
    const codes = ((await db.query(`SELECT DISTINCT ${column} AS code FROM ${table}`)) as { code: string }[]).map((row) => row.code).filter((code) => !findDepartment(code));
    for (const code of codes.sort()) {
      const [{ n }] = (await db.query(`SELECT COUNT(*) AS n FROM ${table} WHERE ${column} = ?`, [code])) as { n: number | string }[];
      const entry = missing.get(code) ?? { code, rows: [] };
      entry.rows.push({ rows, count: Number(n) });
      missing.set(code, entry);
    }
  }
  return [...missing.values()].sort((a, b) => (a.code < b.code ? -1 : 1));
}

/**
 * Refuses to start on stored data this release cannot show: a department code the catalogue no
 * longer has (a district's own, dropped by an upgrade that replaced lib/catalogue/) made every
 * record, objection, application and check naming it answer INTERNAL_SERVER_ERROR, and a
 * subject's whole creditRecords list null, from the first request on. Started anyway, the
 * subgraph would serve those errors until the catalogue has the codes again; refused, the
 * operator is told which codes and how many rows (README, Upgrading).
 */
export async function refuseCodesMissingFromCatalogue(db: DataSource): Promise<void> {
  const missing = await departmentCodesMissingFromCatalogue(db);
  if (!missing.length) return;
  const named = missing.map(({ code, rows }) => `${code} (${rows.map((r) => `${r.count} ${r.rows}`).join(', ')})`).join('; ');
  throw new StartFailure(
    `the records database holds department codes that lib/catalogue/departments.ts does not define: ${named}. ` +
      'This release cannot show those rows: add the codes back to the catalogue (a district keeps its own departments across upgrades: README, Upgrading), or start the release that defines them',
  );
}
