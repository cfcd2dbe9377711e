import type { DataSource, Repository } from 'typeorm';
import { auditedTextLimits, type Caller } from '../../lib/access/identity';
import { minimumSubjectsPerStatistic } from '../../lib/access/policy';
import { checkCompletedDays, checkDistrictDays, checkInstantRange } from '../../lib/calendar';
import { badInput } from '../../lib/errors';
import { requiredText } from '../../lib/text-input';
import type { CursorPosition } from '../shared/cursors';
import type { Page, TotalCount } from '../shared/pagination';
import { isMysql } from '../shared/write-queue';
import { auditReadsCondition, catalogueMatterList, kindNamed, occurredAtValues, recordedId, refusePersonNumber, unlistedMatterInStatistics, type UsageFilter } from './audit-filters';
import { AuditEntry, type OrganisationKind } from './entities/audit-entry.entity';

/*
 * The audit log's usage statistics (考核) and cases: requests and subjects counted per reading
 * organisation and matter, exactly for the audit's readers and under statistical disclosure
 * control for everyone else (`StatisticsDisclosure`), in SQL on both drivers.
 */

/** Use of credit data by one organisation under one matter within a period (考核). */
export interface AuditStatistic {
  organisation: string;
  matter: string | null;
  /** Requests that disclosed a subject's data, however many subjects each disclosed. */
  disclosed: number;
  /** Requests refused something; one that disclosed some data and was refused other data counts in both. */
  denied: number;
  /** Distinct subjects the counted (disclosed or denied) entries concern. */
  subjects: number;
  /**
   * For the audit's readers: one of the row's entries (the least id), whose organisation is the
   * row's exactly as recorded, so that `byOrganisation({ organisationOf })` lists the row's
   * entries, a person's too, whose number the row shows masked. Null on an analyst's rows: an
   * entry's id points at one request, and a time-ordered one tells its millisecond.
   */
  entryId: string | null;
  /**
   * Who the row counts: for the audit's readers, the one reader's organisation kind as recorded;
   * for an analyst, that kind for a department, bank or provider, `subjectReadersInStatistics`
   * for every person or every enterprise together, `otherOrganisationsInStatistics` for the
   * small rows folded. Rows are grouped by it too, so that an organisation whose id reads like
   * one of those labels (a bank's `ENTERPRISES`) is never counted with them.
   */
  readerKind: ReaderKind;
  /** The analyst's row of small rows folded together (readerKind `otherOrganisationsInStatistics`). */
  folded: boolean;
  /** The fewest subjects a row had to concern to be shown on its own: `minimumSubjectsPerStatistic` for an analyst, null for the audit's readers. */
  minimumSubjects: number | null;
}

/** What a statistic's row counts: one organisation kind, or an analyst's readers together or folded (`AuditStatistic.readerKind`). */
export type ReaderKind = OrganisationKind | (typeof subjectReadersInStatistics)[keyof typeof subjectReadersInStatistics] | typeof otherOrganisationsInStatistics;

/** A row of `usage` before it is told whose it is: the audit's readers' or an analyst's. */
type Usage = Omit<AuditStatistic, 'folded' | 'minimumSubjects'>;

/** Use of credit data in one case (案件) of one organisation under one matter: a row of the audit's readers with its case and its span. */
export interface AuditCase extends Omit<Usage, 'entryId'> {
  entryId: string;
  caseNumber: string;
  firstOccurredAt: Date;
  lastOccurredAt: Date;
  /** Where the case stands in the order `cases` lists them, as its cursor seals it: `CasePlace` as JSON, the entryId beside it. */
  place: string;
}

/** The terms of `cases`' order before its entryId: subjects and requests (descending), organisation, matter, case number. */
type CasePlace = [subjects: number, requests: number, organisation: string, matter: string | null, caseNumber: string];

/**
 * What an analyst's statistics (`controlled`) call the market subjects that read together: every
 * person acting for themselves (organisation kind INDIVIDUAL, named by a citizen ID number) and
 * every enterprise (kind ENTERPRISE, named by its code; reading itself, its name is a subject's).
 * Departments, banks and providers, the platform's supervised users, are named. The audit's
 * readers (`exact`) read every entry anyway, and the drill-down from a row to its entries needs
 * the row to be one reader: they get each enterprise by its code (public, as the subject's
 * unified social credit code is) and each person apart, by the masked number the platform shows
 * everywhere (`maskedReaderSql`).
 */
export const subjectReadersInStatistics = { INDIVIDUAL: 'INDIVIDUALS', ENTERPRISE: 'ENTERPRISES' } as const;

/**
 * Who reads a statistic: `exact` for the audit's readers (AUDIT), `controlled` for everyone else.
 * Statistical disclosure control (统计披露控制) for the statistics' readers who do not read the
 * audit log itself (STATISTICS without AUDIT: the district's analysts). The credit office and the
 * supervising departments read the trail entry by entry anyway, and get every row exactly: one
 * per reading organisation (a person's number masked) and matter, with an entry to drill down by.
 *
 * - Windows are whole district days (`checkDistrictDays`), and completed ones
 *   (`checkCompletedDays`): no narrowing to the millisecond around one request, nor polling
 *   today's counts to see each request as it is made.
 * - The reader's own rows are shown on their own, however small, and never folded (below).
 * - Subjects are those of disclosed requests only: a refused request names whatever subject its
 *   caller chose (a made-up id, a person looked up by number under a matter not its own), and
 *   counted, it would pad a row over the threshold or tell whether that subject is already among
 *   a folded row's.
 * - A row (organisation, matter) concerning fewer than `minimumSubjectsPerStatistic` distinct
 *   subjects is not shown on its own. All such rows of an answer are folded into one row,
 *   `otherOrganisationsInStatistics` with a null matter, listed last: its `disclosed` and `denied`
 *   are the sums of the folded rows' requests, its `subjects` the distinct subjects across them.
 *   That row is itself left out when it concerns fewer than the threshold.
 * - A filter by organisation answers only that organisation's rows that are shown on their own,
 *   never a folded row: each such answer is then a subset of the unfiltered answer's rows, so
 *   asking organisation by organisation and subtracting from the folded row learns nothing new.
 *
 * What remains possible, and is accepted: differencing overlapping day windows. Requests add up
 * across disjoint windows, so a row shown in [d1, d3) and in [d1, d2) gives its request counts
 * in [d2, d3) by subtraction even where that row would be folded (and the folded row likewise):
 * one district day is the finest resolution, and an analyst can learn that, say, a bank made N
 * requests on one day, never about which subjects (no statistic names one). Distinct subjects do
 * not add up, so subtraction gives only bounds on them. Closing that would take fixed reporting
 * periods or noise, which the credit office's assessment (考核) does not want.
 */
export type StatisticsDisclosure = 'exact' | 'controlled';

/** The caller a statistic is read for, whose own rows are never folded; null for none. */
export type Reader = Pick<Caller, 'organisation' | 'organisationKind'> | null;

/** The organisation of the row that folds an analyst's small rows together (see `minimumSubjectsPerStatistic`). */
export const otherOrganisationsInStatistics = 'OTHER';

/** The usage statistics and cases of the audit log, as the audit's readers and the analysts read them. */
export class AuditStatistics {
  private readonly entries: Repository<AuditEntry>;
  private readonly instants: ReturnType<typeof occurredAtValues>;

  constructor(private readonly db: DataSource) {
    this.entries = db.getRepository(AuditEntry);
    this.instants = occurredAtValues(db);
  }

  /**
   * A statistics filter naming its organisation as recorded (`recordedId`), so that a department
   * code typed in lower case or full width finds the department for either reader. The audit's
   * readers, who see ids exactly, are refused a person's number (`refusePersonNumber`); an
   * analyst's filter is compared with what its rows show, where no person or enterprise is named,
   * so that one finds nothing.
   */
  private async asRecorded(filter: UsageFilter, disclosure: StatisticsDisclosure): Promise<UsageFilter> {
    const { organisation } = filter;
    if (organisation === null || organisation === undefined) return filter;
    const named = requiredText(organisation, 'organisation', auditedTextLimits.organisation);
    if (disclosure === 'exact') refusePersonNumber(named, 'organisation');
    return { ...filter, organisation: await recordedId(this.db, named) };
  }

  /**
   * Counts the requests that disclosed and that were denied, per (organisation, matter) within
   * [from, to), optionally for one organisation, in one GROUP BY statement: a request has one
   * entry per subject, so it is counted by its distinct request id and instant (the gateway gives
   * all of a request's entries one instant; entries stored before it made its own request ids may
   * carry an id a client sent twice).
   * FAILED entries are not counted, nor the statistics read (DISCLOSED with no subject:
   * `usageTerms`). Ordered by organisation then matter, in character-code order
   * (a null matter first) on every driver. Matters outside the catalogue count together as
   * `unlistedMatterInStatistics`.
   * `exact`: a row per reader (a person by its masked number, two alike ordered by their entry)
   * with the entry to drill down by; a filter names the organisation as recorded.
   * `controlled`: persons and enterprises count together as `subjectReadersInStatistics` says,
   * and a filter by one person's number or one enterprise's code finds nothing, so that an
   * analyst's statistics never name a subject; whole district days only, and small rows folded
   * (`minimumSubjectsPerStatistic`), still in one statement.
   */
  async statistics(range: { from: Date; to: Date }, organisation: UsageFilter, disclosure: StatisticsDisclosure, reader: Reader): Promise<AuditStatistic[]> {
    if (disclosure === 'exact') {
      const rows = await this.usage(range, await this.asRecorded(organisation, disclosure), { groupBy: [], orderBy: ['organisation', 'matter', 'entryId'] });
      return rows.map((row) => ({ ...usageOf(row), folded: false, minimumSubjects: null }));
    }
    // Each answer folds its own small rows: one with the log's reads left out, subtracted from one
    // without, would give back a row that concerned fewer subjects than the threshold.
    if (organisation.auditReads !== null && organisation.auditReads !== undefined) {
      throw badInput('auditReads', "an analyst's statistics count every entry: auditReads is for the audit's readers, as an answer narrowed by it, subtracted from one without, would tell what a row folded away counts");
    }
    checkDistrictDays(range, "an analyst's statistics are");
    checkCompletedDays(range.to, "an analyst's statistics are");
    return (await this.foldedUsage(range, await this.asRecorded(organisation, disclosure), reader)).map((row) => ({
      ...usageOf(row),
      entryId: null,
      folded: Number(row.folded) === 1,
      minimumSubjects: minimumSubjectsPerStatistic,
    }));
  }

  /**
   * One page of the cases (case numbers) of [from, to), counted as `statistics` counts for the
   * audit's readers (`exact`: they alone read cases), per (organisation, matter, case number):
   * the case that concerned the most subjects first, then the most requests, then organisation,
   * matter and case number in character-code order, then the entry to drill down by (the least
   * id of the case's entries, so one case's alone: it tells apart two persons whose masked
   * numbers are alike, and makes the order total). Entries that named no case number are left
   * out. A page is one statement, its count (`count`) in it: a window over the grouped cases.
   *
   * Paged by keyset, `after` being the last case's place and entryId: each page starts after
   * that place however the cases before it have grown meanwhile, where an offset would skip or
   * repeat cases once entries are appended to the period. A case whose counts grow while a
   * client pages moves in the order, and may then be listed twice or not at all, as any list
   * ordered by a value that changes.
   */
  async cases(range: { from: Date; to: Date }, organisation: UsageFilter, page: { first: number; after: CursorPosition | null; count: boolean }): Promise<Page<AuditCase>> {
    const q = (name: string) => this.db.driver.escape(name);
    const shape = {
      groupBy: [q('case_number')],
      columns: [`${q('case_number')} AS ${q('caseNumber')}`, `MIN(${q('occurred_at')}) AS ${q('firstOccurredAt')}`, `MAX(${q('occurred_at')}) AS ${q('lastOccurredAt')}`],
      where: [`${q('case_number')} IS NOT NULL`],
      orderBy: ['subjects DESC', 'requests DESC', 'organisation', 'matter', 'caseNumber', 'entryId'],
    };
    organisation = await this.asRecorded(organisation, 'exact');
    const rows = await this.usage(range, organisation, { ...shape, after: page.after ? caseAfter(page.after) : undefined, limit: page.first + 1, count: page.count });
    const cases = rows.slice(0, page.first).map((row): AuditCase => {
      const usage = usageOf(row);
      const caseNumber = String(row.caseNumber);
      const place: CasePlace = [usage.subjects, Number(row.requests), usage.organisation, usage.matter, caseNumber];
      return {
        ...usage,
        entryId: String(row.entryId),
        caseNumber,
        firstOccurredAt: this.instants.hydrated(row.firstOccurredAt),
        lastOccurredAt: this.instants.hydrated(row.lastOccurredAt),
        place: JSON.stringify(place),
      };
    });
    // Counted with the page, the count rides on its rows; a page past the end has none to carry it.
    const countAlone = async () => Number((await this.usage(range, organisation, { ...shape, limit: 1, count: true }))[0]?.total ?? 0);
    const hasNextPage = rows.length > page.first;
    const totalCount: TotalCount = page.count && rows.length ? Number(rows[0].total) : !page.after && !hasNextPage ? rows.length : countAlone;
    return { rows: cases, totalCount, hasNextPage };
  }

  /**
   * What `usage` and `foldedUsage` share: the shown organisation, its kind and the matter
   * (inlined, not parameters: they appear in SELECT, WHERE and GROUP BY, which must be one
   * expression each), a request's key, the conditions of [from, to) with their parameters, the
   * ORDER BY terms, and the condition for the rows after a given one in that order.
   * `exact` shows each reader apart (a person masked) and filters by the organisation as
   * recorded; `controlled` folds persons and enterprises (`subjectReadersInStatistics`) and
   * filters by what it shows, so that a person's number or an enterprise's code finds nothing.
   * The kind is grouped by beside the organisation: a bank whose id is `ENTERPRISES` shows as
   * the enterprises do, and is still a row of its own.
   */
  private usageTerms(range: { from: Date; to: Date }, filter: UsageFilter, disclosure: StatisticsDisclosure, where: string[], orderBy: string[]) {
    const { from, to } = range;
    checkInstantRange(from, to);
    const q = (name: string) => this.db.driver.escape(name);
    const mysql = isMysql(this.db.manager);
    // Persons and enterprises together, as `subjectReadersInStatistics` names them; any other reader as `otherwise`.
    const subjectReadersOr = (otherwise: string) =>
      `CASE ${Object.entries(subjectReadersInStatistics).map(([kind, shown]) => `WHEN ${q('organisation_kind')} = '${kind}' THEN '${shown}'`).join(' ')} ELSE ${otherwise} END`;
    const shownOrganisation =
      disclosure === 'exact'
        ? `CASE WHEN ${q('organisation_kind')} = 'INDIVIDUAL' THEN ${maskedReaderSql(q('organisation'), mysql)} ELSE ${q('organisation')} END`
        : subjectReadersOr(q('organisation'));
    const shownKind = disclosure === 'exact' ? q('organisation_kind') : subjectReadersOr(q('organisation_kind'));
    const shownMatter = `CASE WHEN ${q('matter')} IS NULL OR ${q('matter')} IN (${catalogueMatterList}) THEN ${q('matter')} ELSE '${unlistedMatterInStatistics}' END`;
    // A statistic read is a DISCLOSED entry with no subject (the gateway's, one per statistic
    // answered; so is a list read for its count alone): it disclosed no subject's credit data, and
    // counted here, every refresh of these very counts would raise them. They are listed by
    // `hasSubject: false` (`entryConditions`). A refused attempt that named no subject is still a
    // refused request.
    const conditions = [`${q('occurred_at')} >= ?`, `${q('occurred_at')} < ?`, `${q('outcome')} IN (?, ?)`, `(${q('subject_id')} IS NOT NULL OR ${q('outcome')} <> ?)`, ...where];
    const params: unknown[] = [this.instants.persisted(from), this.instants.persisted(to), 'DISCLOSED', 'DENIED', 'DISCLOSED'];
    const { organisation, organisationKind } = filter;
    const kindGiven = organisationKind !== null && organisationKind !== undefined;
    if (organisation !== null && organisation !== undefined) {
      const named = requiredText(organisation, 'organisation', auditedTextLimits.organisation);
      if (disclosure === 'exact') refusePersonNumber(named, 'organisation');
      conditions.push(`${disclosure === 'exact' ? q('organisation') : shownOrganisation} = ?`);
      params.push(named);
      // The kind as recorded, for either reader: an analyst's `ENTERPRISES` row is organisation
      // `ENTERPRISES` of kind ENTERPRISE, the bank whose id is `ENTERPRISES` the same organisation
      // of kind FINANCIAL_INSTITUTION. Without it, each kind's rows, apart as ever.
      if (kindGiven) {
        conditions.push(`${q('organisation_kind')} = ?`);
        params.push(kindNamed(organisationKind));
      }
    } else if (kindGiven) {
      // A kind alone would change what an analyst's folded row sums up, and so tell, subtracted
      // from the unfiltered one, what the small readers of the other kinds did.
      throw badInput('organisationKind', 'organisationKind tells apart organisations recorded under one id: give it with organisation');
    }
    // The credit office's own reads of the log (AUDIT, DISCLOSURE_LOG) count under its supervision like any
    // read; left out, its row shows the subjects' credit data it read, as `auditReads` does in the lists.
    if (filter.auditReads !== null && filter.auditReads !== undefined) conditions.push(auditReadsCondition(filter.auditReads, q));
    const request = mysql ? `CONCAT(${q('request_id')}, ' ', ${q('occurred_at')})` : `${q('request_id')} || ' ' || ${q('occurred_at')}`;
    const textColumns = new Set(['organisation', 'matter', 'caseNumber', 'entryId', 'readerKind']);
    const terms = orderBy.map((term) => {
      const [name, direction] = term.split(' ');
      const text = mysql && textColumns.has(name);
      return { expression: text ? `CAST(${q(name)} AS BINARY)` : q(name), placeholder: text ? 'CAST(? AS BINARY)' : '?', descending: direction === 'DESC' };
    });
    const order = terms.map(({ expression, descending }) => `${expression}${descending ? ' DESC' : ''}`);
    /**
     * The rows after the one whose values of the ORDER BY terms are `values` (keyset paging). NULL
     * sorts lowest on both drivers, first ascending: a term that may be NULL is ascending here.
     */
    const following = (values: readonly (string | number | null)[]) => {
      const positionParams: unknown[] = [];
      const after = (i: number): string => {
        const { expression, placeholder, descending } = terms[i];
        const value = values[i];
        const beyond = value === null ? `${expression} IS NOT NULL` : `${expression} ${descending ? '<' : '>'} ${placeholder}`;
        if (value !== null) positionParams.push(value);
        if (i === terms.length - 1) return beyond;
        const same = value === null ? `${expression} IS NULL` : `${expression} = ${placeholder}`;
        if (value !== null) positionParams.push(value);
        return `(${beyond} OR (${same} AND ${after(i + 1)}))`;
      };
      return { sql: after(0), params: positionParams };
    };
    return { q, mysql, shownOrganisation, shownKind, shownMatter, request, conditions, params, order, following };
  }

  /**
   * `usage` per (kind, organisation, matter) for a `controlled` reader, in one statement: each
   * entry joined to its row's distinct-subject count, and the rows below
   * `minimumSubjectsPerStatistic` grouped together as `otherOrganisationsInStatistics`, kind and
   * organisation alike (a request is keyed by its row too, so that the folded row's requests are
   * the sum of its rows'). That row is kept only when it reaches the threshold itself, and never
   * with a filter by organisation.
   */
  private async foldedUsage(range: { from: Date; to: Date }, organisation: UsageFilter, reader: Reader): Promise<Record<string, unknown>[]> {
    const { q, mysql, shownOrganisation, shownKind, shownMatter, request, conditions, params, order } = this.usageTerms(range, organisation, 'controlled', [], ['folded', 'organisation', 'matter', 'readerKind']);
    const table = q(this.entries.metadata.tablePath);
    const where = conditions.join(' AND ');
    const threshold = minimumSubjectsPerStatistic;
    if (!Number.isInteger(threshold) || !/^[A-Z_]+$/.test(otherOrganisationsInStatistics)) throw new Error('the statistics threshold and folded organisation must be written into SQL as they are');
    // Never null (a missing matter is ''): the row's key, joined with '=' on both drivers.
    const matterKey = `COALESCE(${shownMatter}, '')`;
    const rowRequest = mysql
      ? `CONCAT(${shownKind}, ' ', ${shownOrganisation}, ' ', ${matterKey}, ' ', ${request})`
      : `${shownKind} || ' ' || ${shownOrganisation} || ' ' || ${matterKey} || ' ' || ${request}`;
    const folded = `CASE WHEN ${q('c')}.${q('subjects')} < ${threshold} AND ${q('c')}.${q('own')} = 0 THEN 1 ELSE 0 END`;
    const e = (name: string) => `${q('e')}.${q(name)}`;
    const shown = (column: string, other: string) => `CASE WHEN ${folded} = 1 THEN ${other} ELSE ${e(column)} END`;
    // Every GROUP BY names plain columns of a derived table: under ONLY_FULL_GROUP_BY (MySQL 8's
    // default) a selected expression over grouped ones is refused (MySQL bug 80660), and MariaDB
    // refuses even some expressions grouped exactly as selected.
    const entries = `SELECT ${shownKind} AS ${q('cell_kind')}, ${shownOrganisation} AS ${q('cell_organisation')}, ${shownMatter} AS ${q('cell_matter')}, ${matterKey} AS ${q('matter_key')}, ${q('outcome')}, ${rowRequest} AS ${q('request')}, ${q('subject_id')} FROM ${table} WHERE ${where}`;
    // Subjects of disclosed requests only: a refused request names whatever subject its caller
    // chose, so counting those would let a caller pad a row over the threshold, or test whether a
    // person it names is already among a folded row's subjects.
    const disclosedSubject = `CASE WHEN ${q('outcome')} = 'DISCLOSED' THEN ${q('subject_id')} END`;
    // The reader's own rows are never folded: its own reads, counted into the folded row, would
    // tell whether a subject it reads is already among the small readers' (the count stays put),
    // and could lift that row over the threshold. It knows its own reads anyway.
    const cells =
      `SELECT ${q('cell_kind')}, ${q('cell_organisation')}, ${q('matter_key')}, COUNT(DISTINCT ${disclosedSubject}) AS ${q('subjects')},` +
      ` MAX(CASE WHEN ${q('cell_kind')} = ? AND ${q('cell_organisation')} = ? THEN 1 ELSE 0 END) AS ${q('own')}` +
      ` FROM (${entries}) ${q('x')} GROUP BY ${q('cell_kind')}, ${q('cell_organisation')}, ${q('matter_key')}`;
    const other = `'${otherOrganisationsInStatistics}'`;
    const shownEntries =
      `SELECT ${folded} AS ${q('folded')}, ${shown('cell_kind', other)} AS ${q('reader_kind')}, ${shown('cell_organisation', other)} AS ${q('organisation')}, ${shown('cell_matter', 'NULL')} AS ${q('matter')},` +
      ` ${e('outcome')} AS ${q('outcome')}, ${e('request')} AS ${q('request')}, ${e('subject_id')} AS ${q('subject_id')}` +
      ` FROM (${entries}) ${q('e')} JOIN (${cells}) ${q('c')}` +
      ` ON ${q('c')}.${q('cell_kind')} = ${e('cell_kind')} AND ${q('c')}.${q('cell_organisation')} = ${e('cell_organisation')} AND ${q('c')}.${q('matter_key')} = ${e('matter_key')}`;
    return this.db.query(
      `SELECT * FROM (SELECT ${q('folded')}, ${q('reader_kind')} AS ${q('readerKind')}, ${q('organisation')}, ${q('matter')},` +
        ` COUNT(DISTINCT CASE WHEN ${q('outcome')} = ? THEN ${q('request')} END) AS ${q('disclosed')},` +
        ` COUNT(DISTINCT CASE WHEN ${q('outcome')} = ? THEN ${q('request')} END) AS ${q('denied')},` +
        ` COUNT(DISTINCT ${disclosedSubject}) AS ${q('subjects')}` +
        ` FROM (${shownEntries}) ${q('s')} GROUP BY ${q('folded')}, ${q('reader_kind')}, ${q('organisation')}, ${q('matter')}) ${q('usage')}` +
        ` WHERE ${q('folded')} = 0${organisation.organisation === null || organisation.organisation === undefined ? ` OR ${q('subjects')} >= ${threshold}` : ''}` +
        ` ORDER BY ${order.join(', ')}`,
      ['DISCLOSED', 'DENIED', ...params, reader?.organisationKind ?? '', reader?.organisation ?? '', ...params],
    );
  }

  /**
   * The one GROUP BY behind `statistics` and `cases`: requests disclosed and denied and distinct
   * subjects per (reader, its kind, matter, ...groupBy) within [from, to). Text is ordered by
   * its bytes (code points) on both drivers: MySQL's unicode_ci collation would order letters
   * case-insensitively where SQLite compares bytes. `after`: only the rows after the one whose
   * values of the `orderBy` terms these are. `count`: each row carries how many rows there are
   * in all (`total`), before `after` and `limit`.
   */
  private async usage(
    range: { from: Date; to: Date },
    organisation: UsageFilter,
    shape: { groupBy: string[]; columns?: string[]; where?: string[]; orderBy: string[]; after?: readonly (string | number | null)[]; limit?: number; count?: boolean },
  ): Promise<Record<string, unknown>[]> {
    const { q, shownOrganisation, shownKind, shownMatter, request, conditions, params: whereParams, order, following } = this.usageTerms(range, organisation, 'exact', shape.where ?? [], shape.orderBy);
    const position = shape.after ? following(shape.after) : null;
    const params: unknown[] = ['DISCLOSED', 'DENIED', ...whereParams, ...(position?.params ?? [])];
    // Grouped by plain columns of a derived table, as in `foldedUsage` (ONLY_FULL_GROUP_BY), and
    // ordered outside the GROUP BY, so that its names are the counted columns, never the table's.
    // Grouped by the organisation as recorded too: two persons whose masked numbers are alike are
    // two readers, two rows, each with an entry of its own to drill down by.
    const entries =
      `SELECT ${shownOrganisation} AS ${q('shown_organisation')}, ${q('organisation')} AS ${q('reader')}, ${shownKind} AS ${q('reader_kind')}, ${shownMatter} AS ${q('shown_matter')},` +
      ` ${q('outcome')}, ${request} AS ${q('request')}, ${q('subject_id')}, ${q('case_number')}, ${q('occurred_at')}, ${q('id')} FROM ${q(this.entries.metadata.tablePath)} WHERE ${conditions.join(' AND ')}`;
    const rows: Record<string, unknown>[] = await this.db.query(
      `SELECT * FROM (SELECT ${q('shown_organisation')} AS organisation, ${q('reader_kind')} AS ${q('readerKind')}, ${q('shown_matter')} AS matter,` +
        ` COUNT(DISTINCT CASE WHEN ${q('outcome')} = ? THEN ${q('request')} END) AS disclosed,` +
        ` COUNT(DISTINCT CASE WHEN ${q('outcome')} = ? THEN ${q('request')} END) AS denied,` +
        ` COUNT(DISTINCT ${q('request')}) AS requests,` +
        ` COUNT(DISTINCT ${q('subject_id')}) AS subjects,` +
        ` MIN(${q('id')}) AS ${q('entryId')}` +
        (shape.columns ?? []).map((column) => `, ${column}`).join('') +
        (shape.count ? `, COUNT(*) OVER () AS ${q('total')}` : '') +
        ` FROM (${entries}) ${q('e')}` +
        ` GROUP BY ${[q('shown_organisation'), q('reader'), q('reader_kind'), q('shown_matter'), ...shape.groupBy].join(', ')}) ${q('usage')}` +
        (position ? ` WHERE ${position.sql}` : '') +
        ` ORDER BY ${order.join(', ')}` +
        (shape.limit === undefined ? '' : ` LIMIT ${shape.limit}`),
      params,
    );
    return rows;
  }
}

/** The values of `cases`' order terms at the case a cursor was issued for: its place, then its entryId. */
function caseAfter([place, entryId]: CursorPosition): (string | number | null)[] {
  // Sealed for this very list (CursorSeal.open): a place `cases` wrote, so no shape to check.
  return [...(JSON.parse(String(place)) as CasePlace), entryId];
}

/** A row of `usage` as counts: MySQL may return them as strings. */
function usageOf(row: Record<string, unknown>): Usage {
  return {
    organisation: String(row.organisation),
    readerKind: String(row.readerKind) as ReaderKind,
    matter: row.matter === null ? null : String(row.matter),
    disclosed: Number(row.disclosed),
    denied: Number(row.denied),
    subjects: Number(row.subjects),
    entryId: row.entryId === null || row.entryId === undefined ? null : String(row.entryId),
  };
}

/**
 * A person reader's citizen ID number as `maskCitizenIdNumber` masks it (lib/identifiers), in
 * SQL: the first and last 4 characters kept, the rest starred, and all of it starred at 8
 * characters or fewer. In SQL, not after the query, so that rows are ordered (and cut at
 * `first`) by what they show, never by the digits they hide. An organisation is at most 64
 * characters, so 64 stars always suffice.
 */
function maskedReaderSql(column: string, mysql: boolean): string {
  const stars = `'${'*'.repeat(auditedTextLimits.organisation)}'`;
  const length = mysql ? `CHAR_LENGTH(${column})` : `LENGTH(${column})`;
  const kept = [`SUBSTR(${column}, 1, 4)`, `SUBSTR(${stars}, 1, ${length} - 8)`, `SUBSTR(${column}, -4)`];
  return `CASE WHEN ${length} <= 8 THEN SUBSTR(${stars}, 1, ${length}) ELSE ${mysql ? `CONCAT(${kept.join(', ')})` : kept.join(' || ')} END`;
}
