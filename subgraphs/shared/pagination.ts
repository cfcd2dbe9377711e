import type { ObjectLiteral, Repository } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';
import { getDirectiveValues, GraphQLIncludeDirective, GraphQLSkipDirective, Kind, type GraphQLResolveInfo, type SelectionNode } from 'graphql';
import { badInput } from '../../lib/errors';
import { isBlank } from '../../lib/text-input';
import type { SubgraphContext } from './access';
import { invalidCursor, listIdentity, type CursorPosition, type CursorSeal } from './cursors';

export const defaultPageSize = 20;
export const maxPageSize = 100;

export interface PageArgs {
  first?: number | null;
  after?: string | null;
}

/** A field graphql's default resolver computes when it is asked for. */
type OnRequest<T> = () => T;

export interface Connection<T> {
  edges: { cursor: OnRequest<string>; node: T }[];
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: OnRequest<string | null>; endCursor: OnRequest<string | null> };
  /** A count, or how to count: graphql's default resolver calls it only when `totalCount` is asked. */
  totalCount: TotalCount;
}

export type TotalCount = number | (() => Promise<number>);

/** Lists are bounded: a client pages through with `after`, it never asks for everything. */
export function pageSize(first: number | null | undefined): number {
  if (first === null || first === undefined) return defaultPageSize;
  if (!Number.isInteger(first) || first < 1 || first > maxPageSize) {
    throw badInput('first', `first must be between 1 and ${maxPageSize}, got ${first}`);
  }
  return first;
}

/**
 * What one connection field was asked for: how many rows, from which position (the `after` cursor,
 * opened and checked against the list), and the list its own cursors are sealed for.
 */
export class PageRequest {
  readonly first: number;
  readonly after: CursorPosition | null;
  private listName?: string;

  /**
   * `list` names the list; worked out only when a cursor is opened or sealed. `counts`: the
   * client asked for `totalCount`, so it is read with the page (PageQuery.count).
   */
  constructor(
    private readonly seal: CursorSeal,
    private readonly list: () => string,
    args: PageArgs,
    readonly counts = false,
    private readonly listsRows = true,
  ) {
    this.first = pageSize(args.first);
    // A blank `after` is none, the first page, as every optional input left blank is (README,
    // Errors): a front end whose `$after` starts as "" was refused its first page. A cursor is
    // never blank, so this opens nothing a sealed one would not.
    this.after = isBlank(args.after) ? null : seal.open(this.listOf(), args.after);
  }

  /**
   * Whom reading one of the page's rows is about, for the audit (`disclose`): the row's subject
   * when the client lists the rows (their edges, or the page's cursors, which point at them); none
   * when it asks for the count alone, which names no subject. A department that counted a search's
   * matches under a case had read, by the audit log, every subject of the page it never saw: a
   * hundred in one case, the pattern the credit office looks for.
   */
  readAbout(subjectId: string): string | null {
    return this.listsRows ? subjectId : null;
  }

  cursor(position: CursorPosition): string {
    return this.seal.seal(this.listOf(), position);
  }

  private listOf(): string {
    return (this.listName ??= this.list());
  }
}

/**
 * The page request of a connection field, for its resolver: `parentId` is the id of the object
 * the list hangs off (null for a root field), so that a cursor of one subject's list cannot page
 * another's.
 */
export function pageRequest(ctx: SubgraphContext, info: GraphQLResolveInfo, parentId: string | null, args: PageArgs & object): PageRequest {
  const asked = selectedFields(info);
  return new PageRequest(ctx.cursors, () => listIdentity(info, parentId, args as Record<string, unknown>), args, asked.has('totalCount'), asked.has('edges') || asked.has('pageInfo'));
}

/**
 * The names of the fields the field being resolved selects (directly, in inline fragments or in
 * named ones), as execution will: a selection `@skip`ped or not `@include`d is not asked.
 */
function selectedFields(info: GraphQLResolveInfo): Set<string> {
  const names = new Set<string>();
  const asked = (s: SelectionNode) =>
    getDirectiveValues(GraphQLSkipDirective, s, info.variableValues)?.if !== true && getDirectiveValues(GraphQLIncludeDirective, s, info.variableValues)?.if !== false;
  const collect = (selections: readonly SelectionNode[]): void => {
    for (const s of selections) {
      if (!asked(s)) continue;
      if (s.kind === Kind.FIELD) names.add(s.name.value);
      else collect(s.kind === Kind.INLINE_FRAGMENT ? s.selectionSet.selections : (info.fragments[s.name.value]?.selectionSet.selections ?? []));
    }
  };
  for (const node of info.fieldNodes) if (node.selectionSet) collect(node.selectionSet.selections);
  return names;
}

export interface PageQuery<E extends ObjectLiteral> {
  /** Property holding the parent's id; omit for a top-level list (one page overall). */
  parent?: keyof E & string;
  parentIds?: readonly string[];
  /** Extra SQL condition on the table aliased `t`, with `?` placeholders. */
  where?: { sql: string; params: unknown[] };
  /**
   * Reach a top-level list's rows through an index table (aliased `g`): its rows matching
   * `where`, in the order of its columns `sort` and `id` (copies of the list's sort value and id),
   * each joined to the list's row of that id. A search index kept in the list's order reads a
   * page's rows and little else, where a condition no index answers tests every row (subject-names.ts).
   * `countsEveryRow`: the count tests the list's own rows instead, cheaper when the index holds
   * many postings (each one a random read of its row).
   */
  through?: { table: string; where: { sql: string; params: unknown[] }; sort: string; id: string; countsEveryRow?: boolean };
  /** Sort property; the id breaks ties, so the order is total and cursors are stable. */
  orderBy: keyof E & string;
  direction: 'ASC' | 'DESC';
  /**
   * A nullable property that orders the rows of one sort value before the id does, in the same
   * direction: ORDER BY sort, thenBy, id. DESC only (refused with ASC), with NULL after every
   * value, as both databases sort NULL lowest and so last descending; the id orders rows whose
   * `thenBy` is equal or NULL in both (the audit's chain sequence: audit.repository.ts). Its
   * cursors hold the row's value of it (`toConnection`'s `thenBy`): [sort value, id, value]; one
   * without (a release before's, README Upgrading) is INVALID_CURSOR. Not with `through`.
   */
  thenBy?: keyof E & string;
  first: number;
  after?: CursorPosition | null;
  /**
   * The client asked for `totalCount`: a single list (no parent, or one) counts its matches in
   * the statement that reads the page. Otherwise it is counted by a statement of its own if
   * anything asks. A batch of many parents always counts (window functions).
   */
  count?: boolean;
}

export interface Page<E> {
  rows: E[];
  totalCount: TotalCount;
  hasNextPage: boolean;
}

/**
 * One page of children for many parents in a single SQL statement: window functions number the
 * rows within each parent and count them, so a DataLoader batch of 50 subjects costs one query,
 * not 50. Works unchanged on MySQL 8 / MariaDB 10.2+ and SQLite 3.25+.
 *
 * One list (a top-level list, or the batch of a single parent) is read with ORDER BY ... LIMIT,
 * which an index on the sort column answers by reading the page's rows alone, and it is counted
 * only when the client asks for `totalCount`. A window over the whole table would rank and count
 * every matching row (every subject whose name contains a common word, the whole audit log) to
 * return twenty; and for one parent, MariaDB materialises each window level into a temporary
 * table (on disk, Aria, for rows with TEXT columns): 0.82 ms for one subject's reports against
 * 0.10 ms plain (bench/results.md).
 */
export async function loadPages<E extends ObjectLiteral>(repository: Repository<E>, query: PageQuery<E>): Promise<Map<string, Page<E>>> {
  const { metadata, manager } = repository;
  const driver = manager.connection.driver;
  const q = (name: string) => driver.escape(name);
  const column = (property: string): ColumnMetadata => {
    const found = metadata.findColumnWithPropertyName(property);
    if (!found) throw new Error(`${metadata.name} has no column ${property}`);
    return found;
  };
  const idColumn = metadata.primaryColumns[0];
  const sortColumn = column(query.orderBy);
  const parentColumn = query.parent ? column(query.parent) : undefined;
  const id = q(idColumn.databaseName);
  const sort = q(sortColumn.databaseName);
  const tieBreak = query.thenBy ? q(column(query.thenBy).databaseName) : undefined;
  if (tieBreak && query.direction !== 'DESC') throw new Error(`${metadata.name} lists ordered by ${query.thenBy} after ${query.orderBy} run DESC only (NULLs last), not ${query.direction}`);
  if (tieBreak && query.through) throw new Error(`a list reached through an index table is ordered by the table's own sort and id columns: thenBy (${query.thenBy}) is not supported with through`);
  /** The ORDER BY list: the sort, the tie-break (if any), then the id, all in the list's direction. */
  const ordered = (sorted: string, brokenBy: string | undefined, identified: string) =>
    [sorted, brokenBy, identified].flatMap((expression) => (expression === undefined ? [] : [`${expression} ${query.direction}`])).join(', ');

  const conditions: string[] = [];
  const params: unknown[] = [];
  const via = query.through;
  if (via && parentColumn) throw new Error('a list reached through an index table has no parent');
  if (parentColumn) {
    if (!query.parentIds?.length) return new Map();
    conditions.push(`t.${q(parentColumn.databaseName)} IN (${query.parentIds.map(() => '?').join(', ')})`);
    params.push(...query.parentIds);
  }
  if (query.where) {
    conditions.push(`(${query.where.sql})`);
    params.push(...query.where.params);
  }
  const where = (extra: string[]) => (extra.length ? ` WHERE ${extra.join(' AND ')}` : '');
  const table = q(metadata.tablePath);
  /**
   * Rows after the cursor's row c. With a tie-break b (DESC, NULL lowest), of c's sort value: when
   * c's b is NULL, the rows whose b is NULL too and whose id is lower; otherwise a row whose b is
   * NULL, or lower than c's, or the same and its id lower.
   */
  const after = (sorted: string, identified: string, brokenBy?: string) => {
    if (!query.after) return null;
    const [sortValue, lastId, cursorTie] = query.after;
    const comparison = query.direction === 'ASC' ? '>' : '<';
    const persisted = driver.preparePersistentValue(sortColumn.type === 'datetime' ? new Date(sortValue) : sortValue, sortColumn);
    if (!brokenBy) return { sql: `(${sorted} ${comparison} ? OR (${sorted} = ? AND ${identified} ${comparison} ?))`, params: [persisted, persisted, lastId] };
    if (cursorTie === undefined) throw invalidCursor();
    if (cursorTie === null) return { sql: `(${sorted} ${comparison} ? OR (${sorted} = ? AND ${brokenBy} IS NULL AND ${identified} ${comparison} ?))`, params: [persisted, persisted, lastId] };
    return {
      sql: `(${sorted} ${comparison} ? OR (${sorted} = ? AND (${brokenBy} IS NULL OR ${brokenBy} ${comparison} ? OR (${brokenBy} = ? AND ${identified} ${comparison} ?))))`,
      params: [persisted, persisted, cursorTie, cursorTie, lastId],
    };
  };

  // One list (no parent, or a batch of one parent: a credit check of one subject) is one page.
  if (!parentColumn || query.parentIds?.length === 1) {
    const own = { from: `${table} t`, conditions, params };
    const walked = via ? { from: `${q(via.table)} g JOIN ${table} t ON t.${id} = g.${q(via.id)}`, conditions: [`(${via.where.sql})`, ...conditions], params: [...via.where.params, ...params] } : own;
    const [sorted, identified] = via ? [`g.${q(via.sort)}`, `g.${q(via.id)}`] : [`t.${sort}`, `t.${id}`];
    const brokenBy = tieBreak && `t.${tieBreak}`;
    const counting = via?.countsEveryRow ? own : walked;
    const position = after(sorted, identified, brokenBy);
    const matching = `FROM ${counting.from}${where(counting.conditions)}`;
    // Uncorrelated (its `t` is its own): the database computes it once for the statement.
    const total = query.count ? `, (SELECT COUNT(*) ${matching}) AS page_total` : '';
    const rowsSql = `SELECT t.*${total} FROM ${walked.from}${where(position ? [...walked.conditions, position.sql] : walked.conditions)} ORDER BY ${ordered(sorted, brokenBy, identified)} LIMIT ?`;
    const raw: Record<string, unknown>[] = await manager.query(rowsSql, [...(query.count ? counting.params : []), ...walked.params, ...(position?.params ?? []), query.first + 1]);
    let counted: Promise<number> | undefined;
    const countAlone = () => (counted ??= manager.query(`SELECT COUNT(*) AS total ${matching}`, counting.params).then((r: { total: unknown }[]) => Number(r[0].total)));
    // Counted with the page, the count rides on its rows; a page past the end has none to carry it.
    let totalCount: TotalCount = countAlone;
    if (query.count && raw.length) totalCount = Number(raw[0].page_total);
    else if (query.count && !position) totalCount = 0;
    return new Map([[parentColumn ? query.parentIds![0] : '', { rows: raw.slice(0, query.first).map((row) => hydrate(repository, row)), totalCount, hasNextPage: raw.length > query.first }]]);
  }

  const parent = q(parentColumn.databaseName);
  const partition = `PARTITION BY ${parent}`;
  // The windows rank only (parent, sort, tie-break, id), which the parent's index holds, and the
  // page's rows are then read by id: ranking whole rows made MariaDB copy every child (TEXT
  // columns and all) into two temporary tables to return a few of them (bench/results.md).
  const ranking = [...new Set([id, parent, sort, ...(tieBreak ? [tieBreak] : [])])].map((name) => `t.${name}`).join(', ');
  const filtered = `SELECT ${ranking}, COUNT(*) OVER (${partition}) AS page_total FROM ${table} t${where(conditions)}`;
  const position = after(`f.${sort}`, `f.${id}`, tieBreak && `f.${tieBreak}`);
  const cursorCondition = position ? ` WHERE ${position.sql}` : '';
  params.push(...(position?.params ?? []));
  const ranked = `SELECT f.${id}, f.page_total, ROW_NUMBER() OVER (${partition} ORDER BY ${ordered(`f.${sort}`, tieBreak && `f.${tieBreak}`, `f.${id}`)}) AS page_rank FROM (${filtered}) f${cursorCondition}`;
  // One extra row per parent tells whether a next page exists.
  const sql = `SELECT t.*, p.page_total, p.page_rank FROM (${ranked}) p JOIN ${table} t ON t.${id} = p.${id} WHERE p.page_rank <= ? ORDER BY p.page_rank`;
  params.push(query.first + 1);

  const raw: Record<string, unknown>[] = await manager.query(sql, params);
  const pages = new Map<string, Page<E>>();
  for (const row of raw) {
    const key = String(row[parentColumn.databaseName]);
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

/** Turns a raw row into an entity with each value converted as TypeORM would on a find(). */
export function hydrate<E extends ObjectLiteral>(repository: Repository<E>, row: Record<string, unknown>): E {
  const driver = repository.manager.connection.driver;
  const entity = repository.create();
  for (const column of repository.metadata.columns) {
    if (column.databaseName in row) {
      (entity as Record<string, unknown>)[column.propertyName] = driver.prepareHydratedValue(row[column.databaseName], column);
    }
  }
  return entity;
}

/**
 * A page as a Relay connection. Cursors are sealed (an HMAC each) only when the client asks for
 * them: graphql's default resolver calls a function-valued field, and most reads (a credit
 * check, a list of subjects) never page on, so most pages never pay for them. `thenBy`: the
 * list's tie-break (PageQuery.thenBy), whose value each cursor holds after the id.
 */
export function toConnection<E extends ObjectLiteral>(page: Page<E> | undefined, request: PageRequest, orderBy: keyof E & string, idOf: (row: E) => string, thenBy?: keyof E & string): Connection<E> {
  const rows = page?.rows ?? [];
  const cursorOf = (row: E) => () => {
    const value: unknown = row[orderBy];
    const sortValue = value instanceof Date ? value.toISOString() : (value as string | number);
    return request.cursor(thenBy ? [sortValue, idOf(row), (row[thenBy] as number | null) ?? null] : [sortValue, idOf(row)]);
  };
  const edges = rows.map((node) => ({ cursor: cursorOf(node), node }));
  return {
    edges,
    pageInfo: {
      hasNextPage: page?.hasNextPage ?? false,
      // Pages run forward only: a page asked for after a cursor follows at least that cursor's row.
      hasPreviousPage: request.after !== null,
      startCursor: edges.length ? edges[0].cursor : () => null,
      endCursor: edges.length ? edges[edges.length - 1].cursor : () => null,
    },
    totalCount: page?.totalCount ?? 0,
  };
}
