import { canonicalJson, sha256Hex } from '../../lib/canonical-json';
import { GraphQLError } from 'graphql';
import { In, type DataSource, type EntityManager, type QueryRunner, type Repository } from 'typeorm';
import { auditedTextLimits, type Caller } from '../../lib/access/identity';
import { minimumSubjectsPerStatistic } from '../../lib/access/policy';
import { checkCompletedDays, checkDistrictDays, checkInstantRange } from '../../lib/calendar';
import { findDepartment } from '../../lib/catalogue/departments';
import { matters, selfInquiry, typedMatter } from '../../lib/catalogue/matters';
import { normaliseIdentifier, readsAsCitizenIdNumber, validateUnifiedSocialCreditCode } from '../../lib/identifiers';
import { timeOrderedId } from '../../lib/time-ordered-id';
import { badInput, ErrorCode, optionalText, requiredLine, requiredText } from '../../lib/errors';
import { maskPersonalData } from '../../lib/logger';
import { foldedNumber } from '../../lib/text';
import type { CursorPosition } from '../shared/cursors';
import { isUniqueViolation } from '../shared/database';
import { insertMany, insertRowsPerStatement } from '../shared/bulk-insert';
import { PageLoaders } from '../shared/loaders';
import { loadPages, type Page, type PageQuery, type TotalCount } from '../shared/pagination';
import { inTurn, isMysql, isSqlite, writeAlone } from '../shared/write-queue';
import type { RequestDeadline } from '../../lib/deadline';
import {
  AuditEntry,
  auditOutcomes,
  joinFieldGroups,
  organisationKinds,
  splitFieldGroups,
  type AuditOutcome,
  type OrganisationKind,
} from './entities/audit-entry.entity';

/** What the gateway knows about one request that touched a subject's data. */
export interface AuditEntryInput {
  /**
   * Omit to get a time-ordered UUID (version 7): the log only grows, and its entries are then
   * appended at the end of the primary key instead of into random pages of it. Seeds pass
   * deterministic ids.
   */
  id?: string;
  actor: string;
  organisation: string;
  organisationKind: OrganisationKind;
  role: string;
  matter?: string | null;
  caseNumber?: string | null;
  consentId?: string | null;
  subjectId?: string | null;
  fieldGroups: readonly string[];
  operationName?: string | null;
  requestId: string;
  occurredAt: Date;
  outcome: AuditOutcome;
}

export interface ChainHead {
  sequence: number;
  hash: string;
}

/**
 * Where the recomputed chain first disagrees with the stored log: the sequence number it expected
 * next, and the stored entry it found there instead (changed, or standing where a removed or
 * renumbered one should be).
 */
export interface BrokenLink {
  sequence: number;
  /** Null where the walk was resumed at an entry that is gone. */
  entry: AuditEntry | null;
}

/** How far one call's walk of the chain got: the first broken link, or the last entry verified and whether that is the head it walked to. */
interface ChainWalk {
  broken: BrokenLink | null;
  complete: boolean;
  verified: RecordedHead | null;
}

/**
 * The outcome of re-computing the whole chain, as the credit office reads it: the log as it stood
 * when its head was read (see `AuditRepository.verification`), entries appended since left out.
 */
export interface ChainVerification {
  /** Null while `complete` is false. */
  intact: boolean | null;
  /** Whether this call reached the head (or a broken link); false: it ran out of its time first, and `resumeFrom` goes on. */
  complete: boolean;
  /** The last entry this call verified, to resume from; null once `complete`. */
  resumeFrom: RecordedHead | null;
  /** How many entries the log held: the chained ones up to `headSequence`, and the unchained ones. */
  entries: number;
  firstBrokenSequence: number | null;
  /** The entry at the first broken link, so that the credit office can read it; null when none is broken. */
  firstBrokenEntry: AuditEntry | null;
  /** Entries stored with no place in the chain (no sequence, one below 1, or no hash): none of them verifies. */
  unchainedEntries: number;
  /** The last entry's sequence and hash as stored when verified (the last entry verified), to compare with a copy kept outside the log. */
  headSequence: number | null;
  headHash: string | null;
  /** Whether the chain verifies up to a head recorded outside the log and ends there in its hash; null when none was given. */
  recordedHeadMatches: boolean | null;
}

/** A head (`headSequence`, `headHash`) as the credit office recorded it outside the database, to check the log against. */
export interface RecordedHead {
  sequence: number;
  hash: string;
}

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
 * How a filter names one reading organisation: its id as recorded with its kind, or one of its
 * entries (`organisationOf`, an entry id), which gives both. An id alone is not an organisation:
 * the finance bureau is recorded as `FINANCE` (DEPARTMENT), and a bank's token may carry the id
 * `FINANCE` too (FINANCIAL_INSTITUTION); `statistics` and `cases` count them apart, by kind.
 */
export interface ReaderNamed {
  organisation?: string | null;
  organisationKind?: OrganisationKind | null;
  organisationOf?: string | null;
}

/** The organisation `statistics` and `cases` are limited to (none: all), by id and, when given, kind. */
/** What the usage statistics and cases are narrowed to: one organisation (as its reader names it), and the reads of the audit log left out or kept alone, as the entry lists do. */
export type UsageFilter = Pick<ReaderNamed, 'organisation' | 'organisationKind'> & Pick<EntryFilter, 'auditReads'>;

/**
 * What the audit's entry lists are narrowed to (`AuditEntryFilter` in the SDL): every condition
 * given holds, one omitted narrows nothing. `field` prefixes the fields its errors name
 * (`filter.`), empty for the arguments `auditEntriesByOrganisation` took before the filter.
 */
export interface EntryFilter {
  from?: Date | null;
  to?: Date | null;
  outcome?: AuditOutcome | null;
  matter?: string | null;
  caseNumber?: string | null;
  hasCaseNumber?: boolean | null;
  hasSubject?: boolean | null;
  actor?: string | null;
  auditReads?: boolean | null;
  field?: string;
}

/**
 * The condition `auditReads` sets, on the column `column` names: the reads of the audit log itself
 * and nothing else (`AuditEntry.auditRead`: disclosed, the field groups `AUDIT`, `DISCLOSURE_LOG`
 * or both; a page of the audit's lists, or a broken link's entry, shown to its readers, disclosed
 * so in the trail of each subject on it, resolvers.ts; a page of a subject's disclosures), or every
 * other entry. Disclosed only: a department refused the log read nothing, and its attempt is what
 * a supervisor leaving out the reads looks for. On the column the database computes from the two,
 * which indexes hold (migrations 1764000000490, 500): on the two, which none holds, every count
 * read the whole log.
 */
function auditReadsCondition(auditReads: boolean, column: (name: string) => string): string {
  return `${column('audit_read')} = ${auditReads ? 1 : 0}`;
}

/** The `previousHash` of the first entry: the chain starts from a fixed, well-known value. */
export const genesisHash = '0'.repeat(64);

const maxAppendAttempts = 3;
const chainLockTimeoutSeconds = 10;
const verifyBatchSize = 500;

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
 * What `statistics` calls every matter outside the catalogue. A refused request's matter header
 * is kept as sent in the trail, for the credit office; any caller could otherwise write a
 * person's name into every analyst's statistics by sending it as a matter.
 */
export const unlistedMatterInStatistics = 'UNLISTED';

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

/** The catalogue's matter codes as SQL literals: upper-case letters and '_' only, checked here once. */
const catalogueMatterList = matters
  .map(({ code }) => {
    if (!/^[A-Z_]+$/.test(code)) throw new Error(`matter code ${code} cannot be written into SQL as it is`);
    return `'${code}'`;
  })
  .join(', ');

/**
 * The order of every audit list, newest first: by instant, then by chain sequence, then by id
 * (occurred_at DESC, sequence DESC, id DESC). The gateway gives all of a request's entries one
 * instant, so within a request it is the sequence, the order they were appended, that orders
 * them; ordered by id alone they came in the order of their ids' random part (241, 240, 243, 242).
 * An entry outside the chain (no sequence, written around the platform) comes after the chained
 * ones of its instant, and the id orders those among themselves. Cursors stay [instant, id], as
 * `toConnection` seals them, so that those issued before this order still open (`thenBy`). The
 * (parent, instant, sequence) indexes hold this order (migration 1764000000450).
 */
const newestFirst = { orderBy: 'occurredAt', direction: 'DESC', thenBy: 'sequence' } as const satisfies Pick<PageQuery<AuditEntry>, 'orderBy' | 'direction' | 'thenBy'>;

/** Every query the audit subgraph makes, in one place. Built per request (it owns page loaders). */
export class AuditRepository {
  readonly entries: Repository<AuditEntry>;
  private readonly pages = new PageLoaders();

  /** `deadline`: the request's (the gateway's append), which an append keeps within (lib/deadline.ts). */
  constructor(
    private readonly db: DataSource,
    private readonly deadline?: RequestDeadline,
  ) {
    this.entries = db.getRepository(AuditEntry);
  }

  /**
   * One page of entries about a subject, newest first (`newestFirst`), narrowed by `filter`.
   * Calls made in the same tick with the same page arguments and filter share one SQL statement.
   * `selfInquiries` false leaves out the subject's own reads (Subject.disclosures).
   */
  bySubject(subjectId: string, first: number, after?: CursorPosition | null, filter: EntryFilter & { selfInquiries?: boolean } = {}): Promise<Page<AuditEntry> | undefined> {
    if (subjectId.trim() === '') throw badInput('subjectId', 'subjectId must not be empty');
    const { conditions, params } = entryConditions(filter, (instant) => this.persistedInstant(instant));
    // SELF_INQUIRY is granted for the caller's own subject only: these are the subject's own reads.
    if (filter.selfInquiries === false) {
      conditions.push('(t.matter IS NULL OR t.matter <> ?)');
      params.push(selfInquiry);
    }
    const where = conditions.length ? { where: { sql: conditions.join(' AND '), params } } : {};
    return this.pages.load(this.entries, { parent: 'subjectId', ...where, ...newestFirst, first, after }, subjectId);
  }

  /**
   * One page of what an organisation read, newest first, narrowed by `filter` (within [from, to),
   * in one case, ...). An organisation is its id and its kind (`ReaderNamed`): a bank may be
   * recorded under the finance bureau's code `FINANCE`, and a drill-down from a row of
   * `statistics` or `cases`, which count each kind apart, must list that row's entries and no
   * other's. The organisation is named as recorded, or by one of its entries (`organisationOf`, an
   * entry id): a person's citizen ID number is shown masked everywhere, so the masked form is
   * refused with a pointer to the way that works, rather than answered with an empty page.
   */
  async byOrganisation(named: ReaderNamed, filter: EntryFilter, first: number, after?: CursorPosition | null): Promise<Page<AuditEntry> | undefined> {
    const reader = await this.readerNamed(named);
    const narrowed = entryConditions(filter, (instant) => this.persistedInstant(instant));
    // Nothing is recorded under the id: no reader, no entries.
    if (!reader) return { rows: [], totalCount: 0, hasNextPage: false };
    // Both columns lead the organisation's indexes (migration 1764000000460), which hold the
    // list's order after them: a page is read from the index whichever reader it is. With
    // `auditReads`, from the one holding the reads' column after them (1764000000490).
    const conditions = ['t.organisation = ?', 't.organisation_kind = ?', ...narrowed.conditions];
    const params: unknown[] = [reader.organisation, reader.organisationKind, ...narrowed.params];
    const pages = await loadPages(this.entries, { where: { sql: conditions.join(' AND '), params }, ...newestFirst, first, after });
    return pages.get('');
  }

  /**
   * One page of the whole log, every organisation's and subject's entries, newest first, narrowed
   * by `filter`: the credit office's questions across organisations (every refused attempt of a
   * month, everything under one matter). Read from the index of the condition given that leads
   * one (outcome, matter, actor, case number: migration 1764000000470; no subject: the subjects'
   * index; the reads of the log left out or alone, with or without an actor: 1764000000490), else
   * from the instants' index.
   * `count`: the client asked for `totalCount`, counted in the page's statement.
   */
  async all(filter: EntryFilter, first: number, after?: CursorPosition | null, count = false): Promise<Page<AuditEntry> | undefined> {
    const { conditions, params } = entryConditions(filter, (instant) => this.persistedInstant(instant));
    const where = conditions.length ? { where: { sql: conditions.join(' AND '), params } } : {};
    const pages = await loadPages(this.entries, { ...where, ...newestFirst, first, after, count });
    return pages.get('');
  }

  /**
   * The id an organisation named in a filter is recorded under. A unified social credit code as
   * the gateway records a token's of that kind (gateway/authentication.ts): trimmed and
   * upper-cased, so that `91130304pr…` typed finds `91130304PR…`. Any other id as given, unless
   * nothing is recorded under it and something is under its folded form (NFKC, upper-cased): a
   * department is recorded by its exact code (`FINANCE`), and `finance` or `ＦＩＮＡＮＣＥ` typed
   * means it, where an empty answer would read as "this department read nothing". A bank's id is
   * recorded as its token gave it, so the form recorded as given wins. (A person's number is
   * refused before: refusePersonNumber.)
   */
  private async recordedId(named: string): Promise<string> {
    const folded = normaliseIdentifier(named);
    if (validateUnifiedSocialCreditCode(folded).valid || folded === named) return folded;
    const q = (name: string) => this.db.driver.escape(name);
    const recorded: { organisation: string }[] = await this.db.query(
      `SELECT DISTINCT ${q('organisation')} AS ${q('organisation')} FROM ${q(this.entries.metadata.tablePath)} WHERE ${q('organisation')} IN (?, ?)`,
      [named, folded],
    );
    return recorded.some((row) => row.organisation === folded) && !recorded.some((row) => row.organisation === named) ? folded : named;
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
    return { ...filter, organisation: await this.recordedId(named) };
  }

  /**
   * The reader `byOrganisation` lists, its id and kind exactly as recorded: those of the entry
   * named (`organisationOf`), or the id given with the kind given, or else with the one kind the
   * id is recorded under. An id recorded under several kinds (the finance bureau `FINANCE` and a
   * bank whose id is `FINANCE`) is refused, `BAD_USER_INPUT` on `organisationKind` listing them
   * (`extensions.organisationKinds`), rather than answered with their entries mixed. Null when
   * nothing is recorded under the id.
   */
  private async readerNamed(named: ReaderNamed): Promise<{ organisation: string; organisationKind: OrganisationKind } | null> {
    const given = named.organisation !== null && named.organisation !== undefined;
    const byEntry = named.organisationOf !== null && named.organisationOf !== undefined;
    if (given === byEntry) {
      throw badInput('organisation', 'name the organisation either by organisation (a department code or an organisation id, as recorded) or by organisationOf (the id of one of its audit entries), and not both');
    }
    const q = (name: string) => this.db.driver.escape(name);
    const table = q(this.entries.metadata.tablePath);
    if (byEntry) {
      if (named.organisationKind !== null && named.organisationKind !== undefined) {
        throw badInput('organisationKind', "organisationOf takes the organisation and its kind from the entry: organisationKind goes with organisation only");
      }
      const entryId = requiredText(named.organisationOf as string, 'organisationOf', 36);
      const [entry]: { organisation: string; organisationKind: OrganisationKind }[] = await this.db.query(
        `SELECT ${q('organisation')} AS ${q('organisation')}, ${q('organisation_kind')} AS ${q('organisationKind')} FROM ${table} WHERE ${q('id')} = ?`,
        [entryId],
      );
      if (!entry) throw badInput('organisationOf', `organisationOf must be the id of an audit entry (AuditEntry.id, or an auditCases or auditStatistics row's entryId), and no entry has id ${JSON.stringify(entryId)}`);
      return { organisation: entry.organisation, organisationKind: entry.organisationKind };
    }
    const code = requiredText(named.organisation, 'organisation', auditedTextLimits.organisation);
    refusePersonNumber(code, 'organisation');
    const organisation = await this.recordedId(code);
    if (named.organisationKind !== null && named.organisationKind !== undefined) return { organisation, organisationKind: kindNamed(named.organisationKind) };
    // Over the whole log, not the period asked: the same question is answered or refused alike
    // for every period, so a front end asks which reader once. Read from the organisation's
    // index, whose second column is the kind: a few index entries, however many it read.
    const recorded: { kind: string }[] = await this.db.query(`SELECT DISTINCT ${q('organisation_kind')} AS ${q('kind')} FROM ${table} WHERE ${q('organisation')} = ?`, [organisation]);
    const kinds = organisationKinds.filter((kind) => recorded.some((row) => row.kind === kind));
    if (kinds.length > 1) {
      throw badInput(
        'organisationKind',
        `${JSON.stringify(organisation)} is recorded for ${kinds.length} organisations, one of each kind ${kinds.join(', ')}: name the one meant with organisationKind (a row's readerKind), or read a row's entries by its entryId (organisationOf)`,
        { organisationKinds: kinds },
      );
    }
    return kinds.length ? { organisation, organisationKind: kinds[0] } : null;
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
        firstOccurredAt: this.hydratedInstant(row.firstOccurredAt),
        lastOccurredAt: this.hydratedInstant(row.lastOccurredAt),
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
    const params: unknown[] = [this.persistedInstant(from), this.persistedInstant(to), 'DISCLOSED', 'DENIED', 'DISCLOSED'];
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

  /**
   * Re-computes the chain (`walkChain`) and reports it with the log's size and stored head, all
   * of one moment: the head is read first, and the walk and the count stop at it.
   *
   * The gateway appends while this runs. Read one after the other unbounded, the walk, the count
   * and the head each saw a longer log, and an intact answer could name a head (and a count) it
   * never verified. Bounding every read by the head read first, rather than reading in one
   * snapshot (a REPEATABLE READ transaction), because SQLite gives the subgraph one connection
   * shared with the appends: a read transaction there would take in the appends made meanwhile, or
   * hold them back for the whole walk, while the bound needs no transaction on either driver, and
   * on MySQL keeps no read view open over a long walk. It is exact because entries are appended,
   * never changed, with sequences 1, 2, 3… that become visible in order (an append chains to the
   * committed head, and the unique index refuses a second append on one head): nothing appended
   * after the head was read lies at or below it, so the later reads see the rows that stood then.
   */
  /**
   * `resumeFrom`: where an earlier call of the same walk stopped, as this API sealed it for the
   * client (the resolver opens it): a walk is only ever resumed where one begun at the first
   * entry stopped, so that no call answers `intact` for a chain it walked from the middle.
   */
  async verification(recorded?: RecordedHead, resumeFrom?: RecordedHead, outOfTime: () => boolean = this.walkTimeSpent()): Promise<ChainVerification> {
    const anchor = recorded === undefined ? undefined : recordedHead(recorded);
    // Not chainHead(): a head tampered into having no hash must be reported, not thrown.
    const head = await this.entries.createQueryBuilder('e').where('e.sequence IS NOT NULL').orderBy('e.sequence', 'DESC').limit(1).getOne();
    const through = head?.sequence ?? 0;
    const walk = await this.walkChain(through, resumeFrom, outOfTime);
    const broken = walk.broken;
    // The chain is walked from sequence 1 up, so a row slipped in beside it (no sequence, or 0)
    // would never be read by the walk, yet every list and statistic would serve it. Counted with
    // the chained entries up to the head in one statement, so that the two numbers agree.
    const unchained = 'e.sequence IS NULL OR e.sequence < 1 OR e.hash IS NULL OR e.previousHash IS NULL';
    const counts: { entries: unknown; unchained: unknown } | undefined = await this.entries
      .createQueryBuilder('e')
      .select('COUNT(*)', 'entries')
      .addSelect(`SUM(CASE WHEN ${unchained} THEN 1 ELSE 0 END)`, 'unchained')
      .where(`e.sequence <= :through OR ${unchained}`, { through })
      .getRawOne();
    const unchainedEntries = Number(counts?.unchained ?? 0);
    // A walk resumed found no break before it (the call that did would have ended the walk).
    const recordedHeadMatches = anchor === undefined || !walk.complete ? null : await this.endsIn(anchor, through, broken);
    return {
      intact: walk.complete ? broken === null && unchainedEntries === 0 && recordedHeadMatches !== false : null,
      complete: walk.complete,
      resumeFrom: walk.complete ? null : walk.verified,
      entries: Number(counts?.entries ?? 0),
      firstBrokenSequence: broken?.sequence ?? null,
      firstBrokenEntry: broken?.entry ?? null,
      unchainedEntries,
      headSequence: head?.sequence ?? null,
      headHash: head?.hash ?? null,
      recordedHeadMatches,
    };
  }

  /**
   * Whether the chain as appended ran through `recorded`: the walk verified every entry up to its
   * sequence, and the hash there is the recorded one. The chain is unkeyed, so whoever can write
   * the database can rewrite an entry and recompute every later hash, and the walk then finds
   * nothing; only a hash kept where that writer cannot reach tells. A recorded sequence beyond
   * the head means entries were removed from the end since.
   */
  private async endsIn(recorded: RecordedHead, through: number, broken: BrokenLink | null): Promise<boolean> {
    if (recorded.sequence > through) return false;
    if (broken !== null && broken.sequence <= recorded.sequence) return false;
    const row = await this.entries.findOne({ select: { id: true, hash: true }, where: { sequence: recorded.sequence } });
    return row?.hash === recorded.hash;
  }

  /**
   * Stores `inputs` as the first entries of an empty log, chained from the genesis hash, in the
   * caller's transaction: the demo seed's, which found the audit database empty under that
   * transaction's lock (subgraphs/shared/seeding.ts). Validated as `append` validates them;
   * refused on a log that has an entry, where demo entries would read as genuine ones.
   */
  async beginLog(manager: EntityManager, inputs: readonly AuditEntryInput[]): Promise<number> {
    const rows = this.validRows(inputs);
    const head = await this.chainHead(manager);
    if (head) throw new Error(`the audit log has ${head.sequence} entries: only an empty one can begin with demo entries`);
    await insertMany(manager, AuditEntry, chain(rows, null));
    return rows.length;
  }

  /**
   * Appends entries to the audit log: validates every input first (one bad entry stores
   * nothing), then gives each the next `sequence` and chains it to the previous entry's hash.
   * Appends never interleave within a process (one queue per DataSource; SQLite shares one
   * connection between transactions). The unique `sequence` index is what keeps the chain whole
   * across processes: if two appends ever chain to the same head, the second fails.
   *
   * The gateway appends one batch per group commit, so this is its hot path. While this process
   * is the only writer, it knows the head it last wrote, and a batch is one INSERT statement
   * (atomic on its own). When another process has appended since, that INSERT collides on
   * `sequence` and the batch takes the locked path: on MySQL a named lock held until after the
   * commit orders appenders across processes, and the head is read under it.
   *
   * With the request's deadline (the gateway's: its internal client's timeout), nothing is
   * appended once too little of it is left to answer in time: the hot path's INSERT is not sent,
   * the locked path's transaction is rolled back before it commits. The gateway, told
   * SUBGRAPH_UNAVAILABLE, answers AUDIT_UNAVAILABLE and releases nothing, as it does when it gives
   * up waiting; and an append it gave up on is not stored after it was answered so.
   */
  async append(inputs: readonly AuditEntryInput[]): Promise<AuditEntry[]> {
    const rows = this.validRows(inputs);
    if (rows.length === 0) return [];
    const idsNamed = inputs.some((input) => input.id !== undefined);
    const appendOnce = async (): Promise<AuditEntry[]> => {
      // After the wait for its turn (and each pause of a retry), before the hot path's statement is sent.
      await this.deadline?.assertCallerWaits();
      try {
        const known = knownHeads.get(this.db);
        if (known && !idsNamed && rows.length <= insertRowsPerStatement) {
          try {
            await insertMany(this.db.manager, AuditEntry, chain(rows, known));
            return remember(this.db, rows);
          } catch (error) {
            if (!isUniqueViolation(error)) throw error;
          }
        }
        return remember(this.db, await this.appendLocked(rows, idsNamed));
      } catch (error) {
        knownHeads.delete(this.db);
        throw error;
      }
    };
    // On SQLite, as every other subgraph's write: in its turn, and tried again while another
    // process writing the file holds its write lock or appended since the locked path read the head
    // (SQLITE_BUSY_SNAPSHOT), which two platforms started on one data/ directory met as
    // AUDIT_UNAVAILABLE. writeAlone does both; the locked path's transaction runs in the turn it
    // takes, as writeTransaction's do. A try so refused has forgotten the head it knew (its
    // transaction rolled back), and the next takes the locked path. On MySQL the turn alone: the
    // named lock orders the processes.
    return await (isSqlite(this.db) ? writeAlone(this.db, appendOnce) : inTurn(this.db, appendOnce));
  }

  /** The inputs as rows to chain, each validated (one bad entry stores nothing), their ids unique. */
  private validRows(inputs: readonly AuditEntryInput[]): AuditEntry[] {
    const rows = inputs.map((input, index) => withIndex(index, () => this.toRow(input, `entries[${index}]`)));
    const ids = new Set<string>();
    rows.forEach((row, index) => {
      if (ids.has(row.id)) throw badInput(`entries[${index}].id`, `ids must be unique within an append, got ${row.id} twice`, { index });
      ids.add(row.id);
    });
    return rows;
  }

  private appendLocked(rows: AuditEntry[], idsNamed: boolean): Promise<AuditEntry[]> {
    return this.withChainLock(async (runner) => {
      for (let attempt = 1; ; attempt += 1) {
        await runner.startTransaction();
        try {
          const appended = await this.chainAndInsert(runner.manager, rows, idsNamed);
          // After the wait for the chain lock: refused, the batch is rolled back below.
          await this.deadline?.assertCallerWaits();
          await runner.commitTransaction();
          return appended;
        } catch (error) {
          await runner.rollbackTransaction();
          if (attempt < maxAppendAttempts && isUniqueViolation(error)) continue;
          throw error;
        }
      }
    });
  }

  /** The last chained entry, or null for an empty log. */
  async chainHead(manager: EntityManager = this.entries.manager): Promise<ChainHead | null> {
    const head = await manager.createQueryBuilder(AuditEntry, 'e').where('e.sequence IS NOT NULL').orderBy('e.sequence', 'DESC').limit(1).getOne();
    if (!head) return null;
    if (head.sequence === null || head.hash === null) throw new Error(`audit entry ${head.id} has a sequence but no hash: the chain is corrupt`);
    return { sequence: head.sequence, hash: head.hash };
  }

  /**
   * How long one call may walk the chain: half of what its caller waits (the gateway's
   * SUBGRAPH_TIMEOUT_MS, 10 s by default), the other half left for the counts and the answer; 5 s
   * for a caller that names no deadline.
   */
  private walkTimeSpent(): () => boolean {
    const started = Date.now();
    const budgetMs = this.deadline ? this.deadline.left(started) / 2 : 5_000;
    return () => Date.now() - started >= budgetMs;
  }

  /**
   * Recomputes the chain up to `through` (entries appended after it are left out), from `from`
   * (an entry an earlier call verified, which must still have the hash it had) or the first
   * entry, for as long as `outOfTime` allows: it stops after a batch once out of time, naming the
   * last entry it verified. `broken` is the first link at which the stored log disagrees with the
   * recomputation (a changed entry, a changed hash, a missing or renumbered entry). The hash has
   * no key: a change whose writer recomputed every later hash, and entries removed from the end,
   * cannot be seen from inside the log, only against a head recorded elsewhere
   * (`verification(recorded)`).
   */
  private async walkChain(through: number, from: RecordedHead | undefined, outOfTime: () => boolean): Promise<ChainWalk> {
    if (from !== undefined) {
      const resumedAt = await this.entries.findOne({ where: { sequence: from.sequence } });
      // Changed or gone since the earlier call verified it (its hash, or its content under the
      // same hash): the log changed during the verification.
      const unchanged = resumedAt?.hash === from.hash && resumedAt.previousHash !== null && chainHash(resumedAt.previousHash, resumedAt) === from.hash;
      if (!unchanged) return { broken: { sequence: from.sequence, entry: resumedAt }, complete: true, verified: null };
    }
    let expected = (from?.sequence ?? 0) + 1;
    let previous = from?.hash ?? genesisHash;
    for (;;) {
      const batch = await this.entries
        .createQueryBuilder('e')
        .where('e.sequence >= :from', { from: expected })
        .andWhere('e.sequence <= :through', { through })
        .orderBy('e.sequence', 'ASC')
        .limit(verifyBatchSize)
        .getMany();
      for (const row of batch) {
        if (row.sequence !== expected || row.previousHash !== previous || row.hash !== chainHash(previous, row)) return { broken: { sequence: expected, entry: row }, complete: true, verified: null };
        previous = row.hash;
        expected += 1;
      }
      if (batch.length < verifyBatchSize) return { broken: null, complete: true, verified: null };
      if (outOfTime()) return { broken: null, complete: false, verified: { sequence: expected - 1, hash: previous } };
    }
  }

  private async chainAndInsert(manager: EntityManager, rows: AuditEntry[], idsNamed: boolean): Promise<AuditEntry[]> {
    // Fresh random ids cannot be taken: only ids the caller named (seeds) are looked up, which
    // keeps the gateway's appends, made while holding the chain lock, to one read.
    const taken = idsNamed ? await manager.find(AuditEntry, { select: { id: true }, where: { id: In(rows.map((r) => r.id)) } }) : [];
    if (taken.length > 0) throw badInput('id', `audit entries are never replaced, but ${taken.map((r) => r.id).join(', ')} already exist`);
    await insertMany(manager, AuditEntry, chain(rows, await this.chainHead(manager)));
    return rows;
  }

  private toRow(input: AuditEntryInput, path: string): AuditEntry {
    if (!organisationKinds.includes(input.organisationKind)) {
      throw badInput(`${path}.organisationKind`, `organisationKind must be one of ${organisationKinds.join(', ')}, got ${JSON.stringify(input.organisationKind)}`);
    }
    if (!auditOutcomes.includes(input.outcome)) {
      throw badInput(`${path}.outcome`, `outcome must be one of ${auditOutcomes.join(', ')}, got ${JSON.stringify(input.outcome)}`);
    }
    const organisation = requiredText(input.organisation, `${path}.organisation`, auditedTextLimits.organisation);
    if (input.organisationKind === 'DEPARTMENT' && !findDepartment(organisation)) {
      throw badInput(`${path}.organisation`, `a DEPARTMENT must be named by its code in the department catalogue, got ${JSON.stringify(organisation)}`);
    }
    if (!(input.occurredAt instanceof Date) || Number.isNaN(input.occurredAt.getTime())) {
      throw badInput(`${path}.occurredAt`, `occurredAt must be a valid instant, got ${String(input.occurredAt)}`);
    }
    const row = this.entries.create({
      id: input.id === undefined ? timeOrderedId() : requiredText(input.id, `${path}.id`, 36),
      sequence: null,
      previousHash: null,
      hash: null,
      actor: requiredText(input.actor, `${path}.actor`, auditedTextLimits.callerId),
      organisation,
      organisationKind: input.organisationKind,
      role: requiredText(input.role, `${path}.role`, auditedTextLimits.role),
      matter: optionalText(input.matter, `${path}.matter`, auditedTextLimits.matter),
      caseNumber: optionalText(input.caseNumber, `${path}.caseNumber`, auditedTextLimits.caseNumber),
      consentId: optionalText(input.consentId, `${path}.consentId`, auditedTextLimits.consentId),
      subjectId: optionalText(input.subjectId, `${path}.subjectId`, 36),
      fieldGroups: fieldGroups(input.fieldGroups, `${path}.fieldGroups`),
      operationName: optionalText(input.operationName, `${path}.operationName`, auditedTextLimits.operationName),
      requestId: requiredText(input.requestId, `${path}.requestId`, 64),
      occurredAt: new Date(input.occurredAt.getTime()),
      outcome: input.outcome,
    });
    // A lone surrogate is hashed as JSON escapes it but stored as U+FFFD: the entry would fail its
    // own hash check ever after, and the chain read as tampered from it on.
    for (const [field, value] of Object.entries(row)) {
      if (typeof value === 'string' && loneSurrogate.test(value)) throw badInput(`${path}.${field}`, `${field} must be well-formed Unicode text, without a lone surrogate`);
    }
    return row;
  }

  /**
   * Runs `task` on one connection holding the chain lock. On MySQL that is GET_LOCK, released
   * only after the task's transaction has committed, so the next appender's transaction starts
   * after it and reads the new head. (Locking the head row with FOR UPDATE instead deadlocks:
   * a waiting next-key lock on the index's end blocks the holder's own insert.) On SQLite, the
   * in-process queue is the lock: one process owns the database file.
   */
  private async withChainLock<T>(task: (runner: QueryRunner) => Promise<T>): Promise<T> {
    const runner = this.db.createQueryRunner();
    await runner.connect();
    const lockName = isMysql(this.db.manager) ? `${this.db.driver.database ?? ''}.audit_chain`.slice(-64) : null;
    try {
      if (lockName) {
        const [row]: { acquired: unknown }[] = await runner.query('SELECT GET_LOCK(?, ?) AS acquired', [lockName, chainLockTimeoutSeconds]);
        if (Number(row?.acquired) !== 1) throw new Error(`could not take the audit chain lock ${lockName} within ${chainLockTimeoutSeconds} s`);
      }
      return await task(runner);
    } finally {
      try {
        if (lockName) await runner.query('SELECT RELEASE_LOCK(?)', [lockName]);
      } finally {
        await runner.release();
      }
    }
  }

  private persistedInstant(value: Date): unknown {
    return this.db.driver.preparePersistentValue(value, this.occurredAtColumn());
  }

  /** An instant a raw query read from `occurred_at`, as the entity would hold it. */
  private hydratedInstant(value: unknown): Date {
    return this.db.driver.prepareHydratedValue(value, this.occurredAtColumn()) as Date;
  }

  private occurredAtColumn() {
    const column = this.entries.metadata.findColumnWithPropertyName('occurredAt');
    if (!column) throw new Error('AuditEntry has no occurredAt column');
    return column;
  }
}

/**
 * The entry's fields as canonical JSON: keys sorted, no whitespace, nulls written out, field
 * groups as an array, the instant as ISO 8601 with milliseconds. For these value types this is
 * RFC 8785 (JCS), so a verifier in another language gets the same bytes. The chain fields
 * themselves (previousHash, hash) are not part of it; `sequence` is, so renumbering shows.
 * Auditors implement it from README (The chain's canonical form), whose worked example
 * test/subgraphs/audit/canonical-form-example.test.ts checks against this: keep them in sync.
 */
export function canonicalEntry(entry: AuditEntry): string {
  return canonicalJson({
    actor: entry.actor,
    caseNumber: entry.caseNumber,
    consentId: entry.consentId,
    fieldGroups: splitFieldGroups(entry.fieldGroups),
    id: entry.id,
    matter: entry.matter,
    occurredAt: entry.occurredAt.toISOString(),
    operationName: entry.operationName,
    organisation: entry.organisation,
    organisationKind: entry.organisationKind,
    outcome: entry.outcome,
    requestId: entry.requestId,
    role: entry.role,
    sequence: entry.sequence,
    subjectId: entry.subjectId,
  });
}

/** hash = hex SHA-256 of (previousHash + canonical JSON of the entry). */
export function chainHash(previousHash: string, entry: AuditEntry): string {
  return sha256Hex(previousHash + canonicalEntry(entry));
}

/** Numbers and links `rows` after `head` (null: the log is empty), in place. */
function chain(rows: AuditEntry[], head: ChainHead | null): AuditEntry[] {
  let sequence = head?.sequence ?? 0;
  let previous = head?.hash ?? genesisHash;
  for (const row of rows) {
    sequence += 1;
    row.sequence = sequence;
    row.previousHash = previous;
    row.hash = chainHash(previous, row);
    previous = row.hash;
  }
  return rows;
}

// The head each DataSource last wrote; forgotten on any failure, so the next append reads it.
const knownHeads = new WeakMap<DataSource, ChainHead>();

function remember(db: DataSource, appended: AuditEntry[]): AuditEntry[] {
  const last = appended[appended.length - 1];
  knownHeads.set(db, { sequence: last.sequence as number, hash: last.hash as string });
  return appended;
}

const fieldGroupPattern = /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/;

function fieldGroups(groups: readonly string[], field: string): string {
  if (!Array.isArray(groups)) throw badInput(field, `fieldGroups must be a list of field group identifiers, got ${JSON.stringify(groups)}`);
  const seen = new Set<string>();
  for (const group of groups) {
    if (typeof group !== 'string' || !fieldGroupPattern.test(group)) {
      throw badInput(field, `a field group is an identifier of letters, digits, '_', '.' or '-' (at most 64, starting with a letter), got ${JSON.stringify(group)}`);
    }
    if (seen.has(group)) throw badInput(field, `field group ${group} is listed twice`);
    seen.add(group);
  }
  const joined = joinFieldGroups(groups);
  if (joined.length > 500) throw badInput(field, `field groups must fit in 500 characters joined with commas, got ${joined.length}`);
  return joined;
}

/**
 * Adds `extensions.index` to a typed input error, so that a caller sending many entries can drop
 * or repair the one that was refused and send the rest again (nothing was stored).
 */
function withIndex<T>(index: number, validate: () => T): T {
  try {
    return validate();
  } catch (error) {
    if (error instanceof GraphQLError && error.extensions.code === ErrorCode.BAD_USER_INPUT) {
      throw badInput(String(error.extensions.field), error.message, { index });
    }
    throw error;
  }
}

/** A recorded head as given, or BAD_USER_INPUT: a sequence number from 1, and a hash as `headHash` gives it (64 hex digits). */
function recordedHead(recorded: RecordedHead): RecordedHead {
  if (!Number.isInteger(recorded.sequence) || recorded.sequence < 1) {
    throw badInput('recordedHead.sequence', `a recorded head's sequence is a headSequence, 1 or more, got ${recorded.sequence}`);
  }
  const hash = typeof recorded.hash === 'string' ? recorded.hash.trim().toLowerCase() : '';
  if (!/^[0-9a-f]{64}$/.test(hash)) throw badInput('recordedHead.hash', `a recorded head's hash is a headHash, 64 hexadecimal digits, got ${JSON.stringify(recorded.hash)}`);
  return { sequence: recorded.sequence, hash };
}

/** The values of `cases`' order terms at the case a cursor was issued for: its place, then its entryId. */
function caseAfter([place, entryId]: CursorPosition): (string | number | null)[] {
  // Sealed for this very list (CursorSeal.open): a place `cases` wrote, so no shape to check.
  return [...(JSON.parse(String(place)) as CasePlace), entryId];
}


/**
 * The SQL conditions (on the table aliased `t`) of an `EntryFilter`, with their parameters;
 * BAD_USER_INPUT, on the filter's field, for a reversed period, an empty or overlong text, or
 * `hasCaseNumber` false with a `caseNumber`. `persisted`: an instant as the driver stores it.
 */
function entryConditions(filter: EntryFilter, persisted: (instant: Date) => unknown): { conditions: string[]; params: unknown[] } {
  const prefix = filter.field ?? '';
  const conditions: string[] = [];
  const params: unknown[] = [];
  const { from, to } = filter;
  if (from && to) checkInstantRange(from, to, `${prefix}to`);
  if (from) {
    conditions.push('t.occurred_at >= ?');
    params.push(persisted(from));
  }
  if (to) {
    conditions.push('t.occurred_at < ?');
    params.push(persisted(to));
  }
  if (filter.outcome !== null && filter.outcome !== undefined) {
    if (!auditOutcomes.includes(filter.outcome)) throw badInput(`${prefix}outcome`, `outcome must be one of ${auditOutcomes.join(', ')}, got ${JSON.stringify(filter.outcome)}`);
    conditions.push('t.outcome = ?');
    params.push(filter.outcome);
  }
  if (filter.matter !== null && filter.matter !== undefined) {
    // As the gateway records x-credit-matter (typedMatter, an ID or mobile number in an unlisted
    // one masked: gateway/audit-writer.ts asAudited), and as given: entries of before that keep
    // the form they were named by (the log is chained, never rewritten).
    // Text the gateway refuses in its header (U+200B, U+202E pasted with it) names no entry: said, not an empty list.
    const matter = requiredLine(filter.matter, `${prefix}matter`, auditedTextLimits.matter);
    if (normaliseIdentifier(matter) === unlistedMatterInStatistics) {
      // The statistics' UNLISTED row drills down to what it counted: every matter named outside the catalogue.
      conditions.push(`(t.matter IS NOT NULL AND t.matter NOT IN (${catalogueMatterList}))`);
    } else {
      const named = [...new Set([maskPersonalData(typedMatter(matter)), typedMatter(matter), matter])];
      conditions.push(`t.matter IN (${named.map(() => '?').join(', ')})`);
      params.push(...named);
    }
  }
  if (filter.caseNumber !== null && filter.caseNumber !== undefined) {
    if (filter.hasCaseNumber === false) throw badInput(`${prefix}hasCaseNumber`, 'hasCaseNumber false lists the entries that named no case number: not with a caseNumber');
    const caseNumber = requiredLine(filter.caseNumber, `${prefix}caseNumber`, auditedTextLimits.caseNumber);
    // The case as the gateway records x-credit-case, full-width forms folded (ＢＤＨ－… is BDH-…)
    // and an ID or mobile number in it masked (gateway/audit-writer.ts asAudited), and as given:
    // entries of before that keep the number they were named by (the log is chained, never
    // rewritten), which is what their auditCases row shows.
    const named = [...new Set([maskPersonalData(foldedNumber(caseNumber)), foldedNumber(caseNumber), caseNumber])];
    conditions.push(`t.case_number IN (${named.map(() => '?').join(', ')})`);
    params.push(...named);
  } else if (filter.hasCaseNumber !== null && filter.hasCaseNumber !== undefined) {
    conditions.push(filter.hasCaseNumber ? 't.case_number IS NOT NULL' : 't.case_number IS NULL');
  }
  if (filter.hasSubject !== null && filter.hasSubject !== undefined) {
    // Subject-less entries lead the subjects' index (subject, instant, sequence: migration 1764000000450), in the lists' order.
    conditions.push(filter.hasSubject ? 't.subject_id IS NOT NULL' : 't.subject_id IS NULL');
  }
  if (filter.actor !== null && filter.actor !== undefined) {
    conditions.push('t.actor = ?');
    params.push(requiredText(filter.actor, `${prefix}actor`, auditedTextLimits.callerId));
  }
  if (filter.auditReads !== null && filter.auditReads !== undefined) {
    // Leading an index of its own, and after the actor, the organisation in theirs (migration 1764000000490).
    conditions.push(auditReadsCondition(filter.auditReads, (name) => `t.${name}`));
  }
  return { conditions, params };
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

/** A kind named in a filter, as `OrganisationKind` has them (the SDL enum checks it first; direct callers are checked here). */
function kindNamed(kind: string): OrganisationKind {
  const known = organisationKinds.find((k) => k === kind);
  if (!known) throw badInput('organisationKind', `organisationKind must be one of ${organisationKinds.join(', ')}, got ${JSON.stringify(kind)}`);
  return known;
}

const loneSurrogate = /\p{Cs}/u;

/** A citizen ID number as the platform shows it (`1303**********0019`, a 15-digit one `1303*******1234`), never as one is recorded. */
const maskedCitizenIdNumber = /^[0-9]{4}\*+[0-9]{3}[0-9X]$/;

/**
 * Refuses a person's citizen ID number where an organisation is named, masked or whole. Masked,
 * it matches no entry, and an empty answer would read as "this person read nothing"; whole, a
 * filter would answer whether any guess is a reader's number: the masked number's eight shown
 * characters and a valid birth date leave a few thousand guesses, tried in seconds, which
 * unmasked a person to the credit office, to whom a person reader is shown masked like to anyone.
 * A person's entries are found by one of them: the error says how.
 */
function refusePersonNumber(organisation: string, field: string): void {
  if (!maskedCitizenIdNumber.test(organisation) && !readsAsCitizenIdNumber(normaliseIdentifier(organisation))) return;
  throw badInput(
    field,
    `a person who read is named by one of its entries, never by a citizen ID number, whole or masked: pass the entryId of an auditCases or auditStatistics row, or the id of one of its entries, as auditEntriesByOrganisation(organisationOf:)`,
  );
}
