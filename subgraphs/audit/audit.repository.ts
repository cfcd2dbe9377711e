import type { DataSource, EntityManager, Repository } from 'typeorm';
import { auditedTextLimits } from '../../lib/access/identity';
import { selfInquiry } from '../../lib/catalogue/matters';
import { badInput } from '../../lib/errors';
import { requiredText } from '../../lib/text-input';
import type { RequestDeadline } from '../../lib/deadline';
import type { CursorPosition } from '../shared/cursors';
import { PageLoaders } from '../shared/loaders';
import { loadPages, type Page, type PageQuery } from '../shared/pagination';
import { AuditChain, type AuditEntryInput, type ChainHead, type ChainVerification, type RecordedHead } from './audit-chain';
import { entryConditions, kindNamed, occurredAtValues, recordedId, refusePersonNumber, type EntryFilter, type ReaderNamed, type UsageFilter } from './audit-filters';
import { AuditStatistics, type AuditCase, type AuditStatistic, type Reader, type StatisticsDisclosure } from './audit-statistics';
import { AuditEntry, organisationKinds, type OrganisationKind } from './entities/audit-entry.entity';

// The types of the repository's methods, for its callers (the resolvers, the seed).
export type { AuditEntryInput, ChainVerification, EntryFilter, ReaderNamed, RecordedHead, UsageFilter };

/**
 * The order of every audit list, newest first: by instant, then by chain sequence, then by id
 * (occurred_at DESC, sequence DESC, id DESC). The gateway gives all of a request's entries one
 * instant, so within a request it is the sequence, the order they were appended, that orders
 * them; ordered by id alone they came in the order of their ids' random part (241, 240, 243, 242).
 * An entry outside the chain (no sequence, written around the platform) comes after the chained
 * ones of its instant, and the id orders those among themselves. A cursor holds the entry's
 * instant, id and sequence (pagination.ts `thenBy`; resolvers.ts seals it so). The (parent,
 * instant, sequence) indexes hold this order (migration 1764000000450).
 */
const newestFirst = { orderBy: 'occurredAt', direction: 'DESC', thenBy: 'sequence' } as const satisfies Pick<PageQuery<AuditEntry>, 'orderBy' | 'direction' | 'thenBy'>;

/**
 * Every query the audit subgraph makes, in one place: the entry lists here, the usage statistics
 * and cases (audit-statistics.ts) and the hash chain's appends and verification (audit-chain.ts)
 * composed. Built per request (it owns page loaders; the chain, the request's deadline).
 */
export class AuditRepository {
  readonly entries: Repository<AuditEntry>;
  private readonly pages = new PageLoaders();
  private readonly chain: AuditChain;
  private readonly usage: AuditStatistics;
  private readonly instants: ReturnType<typeof occurredAtValues>;

  /** `deadline`: the request's (the gateway's append), which an append keeps within (lib/deadline.ts). */
  constructor(
    private readonly db: DataSource,
    deadline?: RequestDeadline,
  ) {
    this.entries = db.getRepository(AuditEntry);
    this.chain = new AuditChain(db, deadline);
    this.usage = new AuditStatistics(db);
    this.instants = occurredAtValues(db);
  }

  /**
   * One page of entries about a subject, newest first (`newestFirst`), narrowed by `filter`.
   * Calls made in the same tick with the same page arguments and filter share one SQL statement.
   * `selfInquiries` false leaves out the subject's own reads (Subject.disclosures).
   */
  bySubject(subjectId: string, first: number, after?: CursorPosition | null, filter: EntryFilter & { selfInquiries?: boolean } = {}): Promise<Page<AuditEntry> | undefined> {
    if (subjectId.trim() === '') throw badInput('subjectId', 'subjectId must not be empty');
    const { conditions, params } = entryConditions(filter, this.instants.persisted);
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
    const narrowed = entryConditions(filter, this.instants.persisted);
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
    const { conditions, params } = entryConditions(filter, this.instants.persisted);
    const where = conditions.length ? { where: { sql: conditions.join(' AND '), params } } : {};
    const pages = await loadPages(this.entries, { ...where, ...newestFirst, first, after, count });
    return pages.get('');
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
      // Neither is an organisation left out; both, one that does not apply beside the other (README, Errors).
      const problem = given ? 'NOT_APPLICABLE' : 'EMPTY';
      throw badInput('organisation', 'name the organisation either by organisation (a department code or an organisation id, as recorded) or by organisationOf (the id of one of its audit entries), and not both', { problem });
    }
    const q = (name: string) => this.db.driver.escape(name);
    const table = q(this.entries.metadata.tablePath);
    if (byEntry) {
      if (named.organisationKind !== null && named.organisationKind !== undefined) {
        throw badInput('organisationKind', "organisationOf takes the organisation and its kind from the entry: organisationKind goes with organisation only", { problem: 'NOT_APPLICABLE' });
      }
      const entryId = requiredText(named.organisationOf as string, 'organisationOf', 36);
      const [entry]: { organisation: string; organisationKind: OrganisationKind }[] = await this.db.query(
        `SELECT ${q('organisation')} AS ${q('organisation')}, ${q('organisation_kind')} AS ${q('organisationKind')} FROM ${table} WHERE ${q('id')} = ?`,
        [entryId],
      );
      if (!entry) throw badInput('organisationOf', `organisationOf must be the id of an audit entry (AuditEntry.id, or an auditCases or auditStatistics row's entryId), and no entry has id ${JSON.stringify(entryId)}`, { problem: 'UNKNOWN_ENTRY' });
      return { organisation: entry.organisation, organisationKind: entry.organisationKind };
    }
    const code = requiredText(named.organisation, 'organisation', auditedTextLimits.organisation);
    refusePersonNumber(code, 'organisation');
    const organisation = await recordedId(this.db, code);
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

  /** `AuditStatistics.statistics`. */
  statistics(range: { from: Date; to: Date }, organisation: UsageFilter, disclosure: StatisticsDisclosure, reader: Reader): Promise<AuditStatistic[]> {
    return this.usage.statistics(range, organisation, disclosure, reader);
  }

  /** `AuditStatistics.cases`. */
  cases(range: { from: Date; to: Date }, organisation: UsageFilter, page: { first: number; after: CursorPosition | null; count: boolean }): Promise<Page<AuditCase>> {
    return this.usage.cases(range, organisation, page);
  }

  /** `AuditChain.verification`. */
  verification(recorded?: RecordedHead, resumeFrom?: RecordedHead, outOfTime?: () => boolean): Promise<ChainVerification> {
    return this.chain.verification(recorded, resumeFrom, outOfTime);
  }

  /** `AuditChain.beginLog`. */
  beginLog(manager: EntityManager, inputs: readonly AuditEntryInput[]): Promise<number> {
    return this.chain.beginLog(manager, inputs);
  }

  /** `AuditChain.append`. */
  append(inputs: readonly AuditEntryInput[]): Promise<AuditEntry[]> {
    return this.chain.append(inputs);
  }

  /** `AuditChain.chainHead`. */
  chainHead(manager?: EntityManager): Promise<ChainHead | null> {
    return this.chain.chainHead(manager);
  }
}
