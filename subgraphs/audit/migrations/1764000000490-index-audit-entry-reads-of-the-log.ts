import { TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

// The credit office leaves the reads of the log out of its lists (`auditReads: false`, its usual
// way: they are most of the log) or keeps them alone (`auditReads: true`). That condition,
// disclosed with `AUDIT` as the only field group, was on two columns that no index holds, so each
// such list's count read every entry: 2 s for a 290,000-entry log on MariaDB, and with an
// officer named too, whose index the server then left unused.
//
// `audit_read` is the condition as a column the database computes. It always agrees with
// `outcome` and `field_groups`, for entries appended before this migration and after, whatever
// wrote them (a replica of the version before, during a deploy). The hash chain is unchanged: it
// hashes the entry's own fields, which this column is computed from. Virtual rather than stored:
// MySQL and MariaDB add it without rewriting the table (stored, they would copy the log while
// blocking appends), the indexes below hold its values, and SQLite can add only a virtual one.
//
// Three indexes, as each costs every append, each followed by the lists' order (occurred_at,
// sequence; migration 1764000000470), each where the reads make most of the entries an index
// leads to, so that without it the few other entries are found among all the reads:
// - audit_read first: the whole log, the reads left out or kept alone (a period of it too);
// - after the actor: one officer's entries, a supervisor's above all, whose entries are reads;
// - after the organisation and its kind (`kind_read`: MySQL names are at most 64 characters):
//   the credit office's own entries, as its row of auditStatistics counted without the reads
//   drills down to them (auditEntriesByOrganisation).
// The other filters' indexes lead as before, the reads' column read from each entry they select:
// a case's, a subject's trail, a refused attempt (never a read), the statistics' periods. Where
// reads are most of a matter's or an outcome's entries too (CREDIT_SUPERVISION, DISCLOSED), the
// server may still read the whole log to count the others: no index for those.
const table = 'audit_entry';
const column = 'audit_read';
// The same SQL on MySQL, MariaDB and SQLite. 1764000000500 widened it to reads of the disclosure log.
export const auditAloneExpression = "outcome = 'DISCLOSED' AND field_groups = 'AUDIT'";
const added = [
  { name: 'IDX_audit_entry_audit_read_occurred_at_sequence', columnNames: ['audit_read', 'occurred_at', 'sequence'] },
  { name: 'IDX_audit_entry_actor_audit_read_occurred_at_sequence', columnNames: ['actor', 'audit_read', 'occurred_at', 'sequence'] },
  { name: 'IDX_audit_entry_organisation_kind_read_occurred_at_sequence', columnNames: ['organisation', 'organisation_kind', 'audit_read', 'occurred_at', 'sequence'] },
];

export class IndexAuditEntryReadsOfTheLog1764000000490 implements MigrationInterface {
  name = 'IndexAuditEntryReadsOfTheLog1764000000490';

  async up(queryRunner: QueryRunner): Promise<void> {
    await addReadsOfTheLog(queryRunner, auditAloneExpression);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await dropReadsOfTheLog(queryRunner);
  }
}

/** Adds `audit_read`, computed by `expression`, and its three indexes; on MySQL each step skipped when done. */
export async function addReadsOfTheLog(queryRunner: QueryRunner, expression: string): Promise<void> {
  // Written out rather than with TypeORM's addColumn, which adds NULL or NOT NULL: MariaDB
  // refuses either on a generated column, and TypeORM knows the server is MariaDB only from a
  // mariadb:// URL. Guarded, as on MySQL each DDL statement commits by itself (rerunnable-migrations.ts).
  if (!(await queryRunner.hasColumn(table, column))) {
    await queryRunner.query(`ALTER TABLE ${table} ADD COLUMN ${column} boolean GENERATED ALWAYS AS (${expression}) VIRTUAL`);
  }
  await recordExpression(queryRunner, expression);
  for (const index of added) await queryRunner.createIndex(table, new TableIndex(index));
}

/** Drops `audit_read` and its indexes first (SQLite drops no column an index holds); on MySQL each step skipped when done. */
export async function dropReadsOfTheLog(queryRunner: QueryRunner): Promise<void> {
  for (const index of added) await queryRunner.dropIndex(table, index.name);
  await recordExpression(queryRunner, null);
  if (await queryRunner.hasColumn(table, column)) await queryRunner.query(`ALTER TABLE ${table} DROP COLUMN ${column}`);
}

/**
 * Writes (or, with null, removes) the row of TypeORM's own metadata table that names the column's
 * expression, as its addColumn would: TypeORM reads a generated column's expression from there,
 * not from the catalogue, to compare it with the entity's. Deleted first, so that a run after a
 * start killed between the two statements still leaves one row. The table exists where the
 * entities have a generated column (TypeORM makes it before the migrations run).
 */
async function recordExpression(queryRunner: QueryRunner, value: string | null): Promise<void> {
  const { connection } = queryRunner;
  if (!(await queryRunner.hasTable(connection.metadataTableName))) return;
  const q = (name: string) => connection.driver.escape(name);
  const metadata = q(connection.metadataTableName);
  const kind = 'GENERATED_COLUMN';
  await queryRunner.query(`DELETE FROM ${metadata} WHERE ${q('type')} = ? AND ${q('table')} = ? AND ${q('name')} = ?`, [kind, table, column]);
  if (value === null) return;
  // MySQL's rows name their database as `schema`; SQLite's name none.
  const schema = connection.driver.options.type === 'better-sqlite3' ? null : String(connection.driver.database);
  await queryRunner.query(`INSERT INTO ${metadata} (${q('type')}, ${q('schema')}, ${q('table')}, ${q('name')}, ${q('value')}) VALUES (?, ?, ?, ?, ?)`, [kind, schema, table, column, value]);
}
