import { GraphQLError } from 'graphql';
import { In, type DataSource, type EntityManager, type QueryRunner, type Repository } from 'typeorm';
import { canonicalJson, sha256Hex } from '../../lib/canonical-json';
import { auditedTextLimits } from '../../lib/access/identity';
import { findDepartment } from '../../lib/catalogue/departments';
import { timeOrderedId } from '../../lib/time-ordered-id';
import { badInput, chosen, ErrorCode } from '../../lib/errors';
import { optionalText, requiredText } from '../../lib/text-input';
import { codePointOf } from '../../lib/text';
import type { RequestDeadline } from '../../lib/deadline';
import { isUniqueViolation } from '../shared/database';
import { insertMany, insertRowsPerStatement } from '../shared/bulk-insert';
import { inTurn, isMysql, isSqlite, writeAlone } from '../shared/write-queue';
import { AuditEntry, auditOutcomes, joinFieldGroups, organisationKinds, splitFieldGroups, type AuditOutcome, type OrganisationKind } from './entities/audit-entry.entity';

/*
 * The audit log's hash chain: what an entry is appended as (validated, numbered, linked to the
 * previous entry's hash), how the chain is verified, and the canonical form each hash covers.
 */

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
 * when its head was read (see `AuditChain.verification`), entries appended since left out.
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

/** The `previousHash` of the first entry: the chain starts from a fixed, well-known value. */
export const genesisHash = '0'.repeat(64);

const maxAppendAttempts = 3;
const chainLockTimeoutSeconds = 10;
const verifyBatchSize = 500;

/** The departments a catalogue mismatch was logged for, per database: at most the gateway's catalogue, as only its departments are signed. */
const catalogueMismatchesTold = new WeakMap<DataSource, Set<string>>();

/** Appends to the audit log and verifies its chain. Built per request, with the request's deadline. */
export class AuditChain {
  private readonly entries: Repository<AuditEntry>;

  /** `deadline`: the request's (the gateway's append), which an append keeps within (lib/deadline.ts). */
  constructor(
    private readonly db: DataSource,
    private readonly deadline?: RequestDeadline,
  ) {
    this.entries = db.getRepository(AuditEntry);
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
    const earlier = new Map<string, number>();
    rows.forEach((row, index) => {
      const earlierIndex = earlier.get(row.id);
      if (earlierIndex !== undefined) throw badInput(`entries[${index}].id`, `ids must be unique within an append, got ${row.id} twice (entries[${earlierIndex}].id)`, { index, problem: 'LISTED_TWICE', earlierIndex });
      earlier.set(row.id, index);
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
    if (taken.length > 0) {
      // Named as every refusal of one entry is (validRows), by the first entry whose id is taken.
      const takenIds = new Set(taken.map((r) => r.id));
      const index = rows.findIndex((row) => takenIds.has(row.id));
      throw badInput(`entries[${index}].id`, `audit entries are never replaced, but ${[...takenIds].join(', ')} already exist`, { index, problem: 'ENTRY_EXISTS' });
    }
    await insertMany(manager, AuditEntry, chain(rows, await this.chainHead(manager)));
    return rows;
  }

  private toRow(input: AuditEntryInput, path: string): AuditEntry {
    chosen(input.organisationKind, organisationKinds, `${path}.organisationKind`, { label: 'organisationKind' });
    chosen(input.outcome, auditOutcomes, `${path}.outcome`, { label: 'outcome' });
    const organisation = requiredText(input.organisation, `${path}.organisation`, auditedTextLimits.organisation);
    if (input.organisationKind === 'DEPARTMENT' && !findDepartment(organisation)) throw this.catalogueMismatch(organisation, `${path}.organisation`);
    if (!(input.occurredAt instanceof Date) || Number.isNaN(input.occurredAt.getTime())) {
      throw badInput(`${path}.occurredAt`, `occurredAt must be a valid instant, got ${String(input.occurredAt)}`, { problem: 'NOT_A_DATE' });
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
      const lone = typeof value === 'string' ? loneSurrogate.exec(value) : null;
      if (lone) throw badInput(`${path}.${field}`, `${field} must be well-formed Unicode text, without a lone surrogate`, { problem: 'FORBIDDEN_CHARACTER', character: codePointOf(lone[0]) });
    }
    return row;
  }

  /**
   * The refusal of an entry naming a department this process's catalogue lacks. The gateway signs
   * only a department of its own catalogue (authentication.ts refuses any other token), so this is
   * a gateway running another release's catalogue (restarted alone after a department was added):
   * no retry mends it, only restarting this subgraph on the gateway's release, so it carries no
   * `retryAfterSeconds` and says so, and the operator is told once per department, not per request.
   */
  private catalogueMismatch(department: string, field: string): GraphQLError {
    const told = catalogueMismatchesTold.get(this.db) ?? new Set<string>();
    catalogueMismatchesTold.set(this.db, told);
    if (!told.has(department)) {
      told.add(department);
      this.db.logger.log('warn', `the gateway audits department ${department}, which this audit subgraph's catalogue (lib/catalogue/departments.ts) lacks: its officers' reads are refused until every subgraph runs the gateway's release (a catalogue change is a release: restart the subgraphs, then the gateway)`);
    }
    return badInput(field, `the department ${JSON.stringify(department)} is not in this audit subgraph's department catalogue: the gateway runs another release's catalogue, and no retry mends that until the subgraphs are restarted on it`, {
      reason: 'CATALOGUE_MISMATCH',
      department,
    });
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

/** What a field group is: an identifier of letters, digits, '_', '.' or '-', starting with a letter, at most 64 characters. */
const fieldGroupMaxLength = 64;
const fieldGroupCharacter = /[A-Za-z0-9_.-]/;

/**
 * The entry's field groups, joined as stored. Each refusal has its `problem` (README, Errors), on
 * `fieldGroups[i]` for the group at fault: a group that is no text NOT_TEXT, an empty one EMPTY,
 * a longer one TOO_LONG, one holding a character an identifier does not (a comma would split it
 * in the stored column) or not starting with a letter FORBIDDEN_CHARACTER with that character (as
 * a code's character outside its alphabet is), one listed twice LISTED_TWICE with the earlier
 * one's index; all of them too long joined, TOO_LONG on `fieldGroups`; anything but a list (a
 * direct caller's: GraphQL makes a list of one value) NOT_A_LIST.
 */
function fieldGroups(groups: readonly string[], field: string): string {
  if (!Array.isArray(groups)) throw badInput(field, `fieldGroups must be a list of field group identifiers, got ${JSON.stringify(groups)}`, { problem: 'NOT_A_LIST' });
  const earlier = new Map<string, number>();
  groups.forEach((group: unknown, index) => {
    const at = `${field}[${index}]`;
    const rule = `a field group is an identifier of letters, digits, '_', '.' or '-' (at most ${fieldGroupMaxLength}, starting with a letter), got ${JSON.stringify(group)}`;
    if (typeof group !== 'string') throw badInput(at, rule, { problem: 'NOT_TEXT' });
    if (group === '') throw badInput(at, rule, { problem: 'EMPTY' });
    const characters = Array.from(group);
    if (characters.length > fieldGroupMaxLength) throw badInput(at, rule, { problem: 'TOO_LONG', max: fieldGroupMaxLength });
    const refused = /[A-Za-z]/.test(characters[0]) ? characters.find((character) => !fieldGroupCharacter.test(character)) : characters[0];
    if (refused !== undefined) throw badInput(at, rule, { problem: 'FORBIDDEN_CHARACTER', character: codePointOf(refused) });
    const earlierIndex = earlier.get(group);
    if (earlierIndex !== undefined) throw badInput(at, `field group ${group} is listed twice (${field}[${earlierIndex}])`, { problem: 'LISTED_TWICE', earlierIndex });
    earlier.set(group, index);
  });
  const joined = joinFieldGroups(groups);
  if (joined.length > 500) throw badInput(field, `field groups must fit in 500 characters joined with commas, got ${joined.length}`, { problem: 'TOO_LONG', max: 500 });
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
      // Keeping what else the refusal names (a catalogue mismatch's `reason` and `department`).
      const { code: _code, field, ...details } = error.extensions;
      throw badInput(String(field), error.message, { ...details, index });
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

const loneSurrogate = /\p{Cs}/u;
