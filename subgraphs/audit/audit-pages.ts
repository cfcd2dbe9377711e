import DataLoader from 'dataloader';
import type { Repository } from 'typeorm';
import type { CursorPosition } from '../shared/cursors';
import { hydrate, type Page } from '../shared/pagination';
import type { AuditEntry } from './entities/audit-entry.entity';

/**
 * What selects one audit list: the parent column's values (a batch of subjects) or none (one
 * list), a condition on the table aliased `t` with `?` placeholders, and the page.
 */
export interface AuditPageQuery {
  parent?: 'subjectId';
  parentIds?: readonly string[];
  where?: { sql: string; params: unknown[] };
  first: number;
  after?: CursorPosition | null;
}

/**
 * Pages of audit entries, newest first: by instant, then by chain sequence, then by id
 * (occurred_at DESC, sequence DESC, id DESC). The gateway gives all of a request's entries one
 * instant, so within a request it is the sequence, the order they were appended, that orders
 * them; ordered by id, as shared/pagination.ts breaks ties, they came in the order of their ids'
 * random part (241, 240, 243, 242). An entry outside the chain (no sequence, written around the
 * platform) comes after the chained ones of its instant, as both databases sort NULL last
 * descending, and the id orders those among themselves.
 *
 * The cursor is the same [instant, id] that `toConnection` seals, so that cursors issued before
 * this order was introduced still open: the cursor entry's sequence is read in the statement
 * itself, by id (entries are never changed, so it is the one it had when the cursor was issued).
 *
 * Otherwise what `loadPages` does: one list is one ORDER BY ... LIMIT that the (parent, instant,
 * sequence) indexes answer without sorting, counted only when asked; a batch of subjects is one
 * statement, windows numbering and counting the rows of each.
 */
export async function loadAuditPages(repository: Repository<AuditEntry>, query: AuditPageQuery): Promise<Map<string, Page<AuditEntry>>> {
  const { metadata, manager } = repository;
  const driver = manager.connection.driver;
  const q = (name: string) => driver.escape(name);
  const table = q(metadata.tablePath);
  const [id, sequence, occurredAt] = [q('id'), q('sequence'), q('occurred_at')];
  const instantColumn = metadata.findColumnWithPropertyName('occurredAt');
  if (!instantColumn) throw new Error('AuditEntry has no occurredAt column');
  const parent = query.parent ? q('subject_id') : undefined;

  const conditions: string[] = [];
  const params: unknown[] = [];
  if (parent) {
    if (!query.parentIds?.length) return new Map();
    conditions.push(`t.${parent} IN (${query.parentIds.map(() => '?').join(', ')})`);
    params.push(...query.parentIds);
  }
  if (query.where) {
    conditions.push(`(${query.where.sql})`);
    params.push(...query.where.params);
  }
  const where = (extra: string[]) => (extra.length ? ` WHERE ${extra.join(' AND ')}` : '');

  /**
   * Rows after the cursor's entry c, in (instant, sequence, id) descending with a missing sequence
   * lowest: an earlier instant; or the same instant and, when c is chained, an entry outside the
   * chain or one with a lower sequence; or the same sequence (both missing) and a lower id.
   */
  const after = (alias: string) => {
    if (!query.after) return null;
    const [instant, lastId] = query.after;
    const at = driver.preparePersistentValue(new Date(instant), instantColumn);
    const cursorSequence = `(SELECT ${q('c')}.${sequence} FROM ${table} ${q('c')} WHERE ${q('c')}.${id} = ?)`;
    const r = (column: string) => `${alias}.${column}`;
    return {
      sql:
        `(${r(occurredAt)} < ? OR (${r(occurredAt)} = ? AND (` +
        `(${r(sequence)} IS NULL AND (${cursorSequence} IS NOT NULL OR ${r(id)} < ?))` +
        ` OR ${r(sequence)} < ${cursorSequence}` +
        ` OR (${r(sequence)} = ${cursorSequence} AND ${r(id)} < ?))))`,
      params: [at, at, lastId, lastId, lastId, lastId, lastId],
    };
  };

  if (!parent || query.parentIds?.length === 1) {
    const position = after('t');
    const rowsSql = `SELECT t.* FROM ${table} t${where(position ? [...conditions, position.sql] : conditions)} ORDER BY t.${occurredAt} DESC, t.${sequence} DESC, t.${id} DESC LIMIT ?`;
    const raw: Record<string, unknown>[] = await manager.query(rowsSql, [...params, ...(position?.params ?? []), query.first + 1]);
    let counted: Promise<number> | undefined;
    const totalCount = () =>
      (counted ??= manager.query(`SELECT COUNT(*) AS total FROM ${table} t${where(conditions)}`, params).then((r: { total: unknown }[]) => Number(r[0].total)));
    return new Map([[parent ? query.parentIds![0] : '', { rows: raw.slice(0, query.first).map((row) => hydrate(repository, row)), totalCount, hasNextPage: raw.length > query.first }]]);
  }

  const partition = `PARTITION BY f.${parent}`;
  // Ranked on (parent, instant, sequence, id) alone, and the page's rows then read by id, as
  // `loadPages` does, so that no whole row is copied into the windows' temporary tables.
  const filtered = `SELECT t.${id}, t.${parent}, t.${occurredAt}, t.${sequence}, COUNT(*) OVER (PARTITION BY t.${parent}) AS page_total FROM ${table} t${where(conditions)}`;
  const position = after('f');
  const ranked =
    `SELECT f.${id}, f.page_total, ROW_NUMBER() OVER (${partition} ORDER BY f.${occurredAt} DESC, f.${sequence} DESC, f.${id} DESC) AS page_rank` +
    ` FROM (${filtered}) f${position ? ` WHERE ${position.sql}` : ''}`;
  const sql = `SELECT t.*, p.page_total, p.page_rank FROM (${ranked}) p JOIN ${table} t ON t.${id} = p.${id} WHERE p.page_rank <= ? ORDER BY p.page_rank`;
  const raw: Record<string, unknown>[] = await manager.query(sql, [...params, ...(position?.params ?? []), query.first + 1]);
  const pages = new Map<string, Page<AuditEntry>>();
  for (const row of raw) {
    const key = String(row.subject_id);
    let page = pages.get(key);
    if (!page) {
      page = { rows: [], totalCount: Number(row.page_total), hasNextPage: false };
      pages.set(key, page);
    }
    if (Number(row.page_rank) > query.first) page.hasNextPage = true;
    else page.rows.push(hydrate(repository, row));
  }
  return pages;
}

/**
 * Per-request loaders for a page of each subject's entries, as `PageLoaders` does for
 * `loadPages`: lists asked for with the same arguments share one statement.
 */
export class AuditPageLoaders {
  private readonly loaders = new Map<string, DataLoader<string, Page<AuditEntry> | undefined>>();

  constructor(private readonly repository: Repository<AuditEntry>) {}

  load(query: Omit<AuditPageQuery, 'parentIds' | 'parent'>, subjectId: string): Promise<Page<AuditEntry> | undefined> {
    const key = JSON.stringify(query);
    let loader = this.loaders.get(key);
    if (!loader) {
      loader = new DataLoader(async (subjectIds) => {
        const pages = await loadAuditPages(this.repository, { ...query, parent: 'subjectId', parentIds: subjectIds });
        return subjectIds.map((id) => pages.get(id));
      });
      this.loaders.set(key, loader);
    }
    return loader.load(subjectId);
  }
}
