import { In, IsNull, Not, type DataSource, type EntityManager } from 'typeorm';
import { todayInDistrict } from '../../../lib/calendar';
import { ErrorCode, quotedInput } from '../../../lib/errors';
import { timeOrderedId } from '../../../lib/time-ordered-id';
import { disclosedLonger } from '../../../lib/catalogue/record-categories';
import { effectiveStatus } from '../../../lib/catalogue/record-standing';
import { recordFromDraft, shownDocumentNumber } from '../credit-record.repository';
import { decisionAfterEntry, documentNumberProblem } from '../credit-record.validation';
import { CreditRecord } from '../entities/credit-record.entity';
import { CreditRecordEvent, type RecordValues } from '../entities/credit-record-event.entity';
import { recordTransitions, transition } from '../lifecycle';
import { asRead, changedValues, contentFields, recordEvent, sameContent, sameValue, type Actor, type ContentField } from '../record-history';
import { insertMany } from '../../shared/bulk-insert';
import { lockFor, writeTransaction } from '../../shared/write-queue';
import { parseRow, type ProblemDetails, type RecordRow, type RowField, type RowProblem, type SubjectReference } from './record-input';
import { ClaimDecisions, SeenDocuments } from './seen-documents';
import { closeEndedApplications } from '../restoration-closure';
import { unknownSubjectIdMessage, type SubjectDirectory } from '../../shared/subject-directory';
import type { RequestDeadline } from '../../../lib/deadline';

/** A row of a batch: its number (1 = the first data row) and its values, with any problem its reader found (encoding, shape). */
export interface IntakeRow {
  row: number;
  /** The line of the file the row begins on (the header is line 1), for rows read from a file. */
  line?: number;
  values: RecordRow;
  problems?: RowProblem[];
}

export type RowOutcome = 'CREATED' | 'UPDATED' | 'UNCHANGED' | 'REJECTED';

/** Why one row was not stored: `CreditRecordRejection` of the schema. */
export interface Rejection {
  row: number;
  /** The line of the file the row begins on, when it came from a file: a row numbered as the file's Nth may begin on another line (a summary quoted over several lines, blank lines). */
  line?: number;
  field: RowField | null;
  reason: string;
  documentNumber: string | null;
  code: ErrorCode;
  /** What a front end switches on (`CreditRecordRejection.problem`), as the single submission's refusal tells it. */
  details?: ProblemDetails;
}

/**
 * The details a rejection's problem may have (README, Errors), each told in a field of its own by
 * `CreditRecordRejection` (resolvers.ts) and in a column of its own by the import's --rejections
 * file (scripts/import.ts, `record_status` for `recordStatus`), as the single submission's refusal
 * spreads them into its extensions. `earlierRow` only a batch or a file has: the earlier row a
 * row's problem is about. A name added goes last: the file's columns keep their places.
 */
export const rejectionDetailNames = ['choices', 'max', 'character', 'earliest', 'latest', 'recordStatus', 'earlierRow'] as const;
export type RejectionDetailName = (typeof rejectionDetailNames)[number];

/** A detail of a rejection's problem (`choices` of NOT_A_CHOICE, `max` of TOO_LONG...), null where its problem has none. */
export function rejectionDetail(rejection: Rejection, name: RejectionDetailName): unknown {
  // Read in place, not copied for each field read: every kind of details holds some of these names.
  const details: Partial<Record<'problem' | RejectionDetailName, unknown>> | undefined = rejection.details;
  return details?.[name] ?? null;
}

export interface RowResult {
  row: number;
  outcome: RowOutcome;
  /** The stored record (created, updated or unchanged). */
  record?: CreditRecord;
  /** For a row refused on the record stored under its number: that record's subject, whose record the rejection tells of. */
  describedSubjectId?: string;
  rejections: Rejection[];
}

/**
 * The subjects intake's results tell a department of, each once: whose record a row stored
 * (created, corrected, or found unchanged), and whose stored record a rejection describes (its
 * status, an objection's correction of it, or that it is another subject's). What a submission
 * answers is audited in their trails under RECORD_SUBMISSION, one row, a batch or an import alike;
 * a row refused before anything stored was read (a typo, an unknown subject) tells of none.
 */
export function subjectsToldOf(results: readonly RowResult[]): string[] {
  return [...new Set(results.flatMap((r) => r.record?.subjectId ?? r.describedSubjectId ?? []))];
}

export interface IntakeTotals {
  created: number;
  updated: number;
  unchanged: number;
  rejected: number;
}

/** Rows per lookup request and per transaction: large enough to amortise round trips, small enough to keep locks short. */
export const intakeChunkSize = 1000;
/** Rows parsed between two turns of the event loop while a chunk is prepared. */
const rowsBetweenYields = 100;
/** Subjects an intake remembers (about 150 bytes each). */
const knownSubjectsLimit = 100_000;

interface PreparedRow {
  row: number;
  line?: number;
  /** The number as compared (`ParsedRow.documentNumber`), which the row claims. */
  documentNumber: string | null;
  /** The number as the row wrote it, as its rejections name it; null when it has none, or one refused in itself. */
  writtenNumber: string | null;
  /** A valid record to store, its subject resolved; absent when the row is rejected. */
  record?: CreditRecord;
  rejections: Rejection[];
  /**
   * The row's document number as prepared: `first`, this valid row is the first of the batch to
   * claim it; `later`, an earlier row claimed it, and whether that row holds it (so that this one
   * is a second decision) is known only once the earlier row is written, in batch order. Absent
   * when the row has no number to claim.
   */
  claim?: 'first' | 'later';
}

/** A chunk that passed every check that needs no write: `commit` stores it. */
export interface PreparedChunk {
  rows: PreparedRow[];
  /** Its place in the batch: 0 for the first chunk prepared. */
  sequence: number;
  /** Whether a row of it claims a number that a row of an earlier chunk claimed: its write waits for theirs. */
  followsEarlierChunks: boolean;
}

export interface IntakeOptions {
  /** The caller's own department: every row is submitted in its name. */
  department: string;
  actor: Actor;
  subjects: SubjectDirectory;
  /** Fixes the clock (tests); the district's "today" is read from it as each chunk is prepared and again as it is written. */
  now?: () => Date;
  /**
   * The deadline of the request that submits the rows (lib/deadline.ts): its subject lookups take
   * at most the time it has left, and its writes are not committed once too little is left. None
   * for the import command, which no caller waits on.
   */
  deadline?: RequestDeadline;
}

/**
 * Record intake (信息归集): one department's rows, in order, validated, their subjects looked up
 * once per chunk, and committed a chunk per transaction. Idempotent on (source department,
 * document number): a row equal to its stored record changes nothing; a changed row corrects the
 * record and its history keeps the change (a CORRECTED event with the fields before and after).
 * A document number seen twice in one intake is a mistake in the batch: the later row is
 * rejected, so a batch never contradicts itself and a second run equals the first. Only a row
 * that is stored claims its number: a row rejected for a problem of its own, found before the
 * write (a typo in its date, an unknown subject) or by it (the number is another subject's
 * record, or a withdrawn one), stores nothing, and the row that corrects it further down the
 * batch is stored. So a row whose number an earlier row claimed is judged when it is written,
 * once the earlier row's write has decided, and a chunk holding one waits for the chunks before
 * it to commit (duplicates are rare, and the other chunks still commit several at once).
 *
 * Memory: a chunk at a time, a fingerprint per document number seen (for that duplicate check,
 * `SeenDocuments`) and at most `knownSubjectsLimit` subjects found, never the rows themselves.
 */
export class RecordIntake {
  readonly totals: IntakeTotals = { created: 0, updated: 0, unchanged: 0, rejected: 0 };
  private readonly seen = new SeenDocuments();
  /**
   * Subjects found so far (`id:…` / `code:…` → subject id), at most `knownSubjectsLimit`, oldest
   * forgotten first: a department's file names the same subjects again and again, and a subject,
   * once registered, is never removed, so a found subject need not be asked for twice. Misses are
   * never cached: a subject registered during the import is found in a later chunk.
   */
  private readonly known = new Map<string, string>();
  private readonly clock: () => Date;
  private chunksPrepared = 0;
  /** Settles once every commit begun so far has, true when each of them stored its chunk. */
  private earlierCommits: Promise<boolean> = Promise.resolve(true);
  /**
   * The claims decided in the caller's transaction (`commit` with a manager), and the chunk it
   * wrote last: the caller writes a batch's chunks in order, and writing one again is its
   * transaction begun anew (retried after a deadlock), deciding again from the start.
   */
  private inCallersTransaction?: { manager: EntityManager; claims: ClaimDecisions; sequence: number };

  constructor(
    private readonly db: DataSource,
    private readonly options: IntakeOptions,
  ) {
    this.clock = options.now ?? (() => new Date());
  }

  /**
   * Parses, validates and resolves the subjects of rows given in batch order, with at most one
   * request to the entities subgraph (none when every subject was found before); writes nothing.
   * Throws SubjectDirectoryUnavailable when the subjects cannot be checked.
   */
  async prepare(rows: readonly IntakeRow[]): Promise<PreparedChunk> {
    const parsed: { input: IntakeRow; row: ReturnType<typeof parseRow>; problems: RowProblem[] }[] = [];
    // Read when the chunk is judged, not when the intake started: an import running past district
    // midnight takes a decision dated the new day, and judges expiry, on the day it is in.
    const today = todayInDistrict(this.clock());
    const sequence = this.chunksPrepared++;
    const chunkStartsAt = rows[0]?.row ?? 0;
    let followsEarlierChunks = false;
    for (const input of rows) {
      // A chunk takes ~15 ms to parse: the previous chunk's commit, whose statements this
      // overlaps, is answered meanwhile, and must not wait for the whole chunk to send its next.
      if (parsed.length % rowsBetweenYields === rowsBetweenYields - 1) await new Promise((resolve) => setImmediate(resolve));
      const row = parseRow(input.values, this.options.department, today);
      const problems = [...(input.problems ?? [])];
      // A row its reader could not read as a whole (not JSON, the wrong number of fields) gets that one reason.
      const unreadable = problems.some((p) => p.field === null);
      if (!unreadable) for (const p of row.problems) if (!problems.some((q) => q.field === p.field)) problems.push(p);
      parsed.push({ input, row, problems });
    }

    // This chunk's subjects: those found before, then the rest asked in one request. Resolved into
    // a map of the chunk's own, so that remembering new subjects never forgets one this chunk needs.
    const keyOf = (s: SubjectReference) => (s.id !== undefined ? `id:${s.id}` : `code:${s.code}`);
    const wanted = parsed.filter((p) => p.problems.length === 0 && p.row.subject).map((p) => p.row.subject as SubjectReference);
    const resolved = new Map<string, string>();
    for (const subject of wanted) {
      const id = this.known.get(keyOf(subject));
      if (id !== undefined) resolved.set(keyOf(subject), id);
    }
    const missing = wanted.filter((s) => !resolved.has(keyOf(s)));
    const ids = [...new Set(missing.filter((s) => s.id !== undefined).map((s) => s.id as string))];
    const codes = [...new Set(missing.filter((s) => s.code !== undefined).map((s) => s.code as string))];
    if (ids.length || codes.length) {
      const asked = await this.options.subjects.lookUp(ids, codes, this.options.actor.requestId ?? undefined, this.options.deadline);
      for (const id of asked.ids) resolved.set(`id:${id}`, id);
      for (const [code, id] of asked.codes) resolved.set(`code:${code}`, id);
    }
    for (const [key, id] of resolved) this.remember(key, id);

    const prepared = parsed.map(({ input, row, problems }): PreparedRow => {
      // A number that is itself refused (too long, not legible) is no number intake keeps: its
      // reason says why, where each of the row's rejections would otherwise carry all of it.
      const kept = row.writtenNumber !== null && documentNumberProblem(row.writtenNumber) === undefined;
      const at = { row: input.row, ...(input.line === undefined ? {} : { line: input.line }), documentNumber: kept ? row.documentNumber : null, writtenNumber: kept ? row.writtenNumber : null };
      let subjectId: string | undefined;
      if (problems.length === 0 && row.subject) {
        subjectId = resolved.get(keyOf(row.subject));
        if (subjectId === undefined) {
          problems.push(
            row.subject.id !== undefined
              ? { field: 'subjectId', code: ErrorCode.NOT_FOUND, reason: unknownSubjectIdMessage(row.subject.id, 'subjectCode'), details: { problem: 'UNKNOWN_SUBJECT' } }
              : { field: 'subjectCode', code: ErrorCode.NOT_FOUND, reason: `no subject with the code ${row.subject.code} is registered on the platform`, details: { problem: 'UNKNOWN_SUBJECT' } },
          );
        }
      }
      // In batch order, once the row's every other check is done: a valid row claims a number
      // no row claimed before it; a row after one that did is judged when written (`write`),
      // and a rejected row is then still told of a number held before it.
      let claim: PreparedRow['claim'];
      if (row.documentNumber !== null && !problems.some((p) => p.field === 'documentNumber')) {
        const holder = this.seen.firstRow(row.documentNumber, problems.length === 0 ? input.row : undefined);
        if (holder !== undefined) {
          claim = 'later';
          // A holder in this chunk is written before this row, in the same transaction.
          if (holder === null || holder < chunkStartsAt) followsEarlierChunks = true;
        } else if (problems.length === 0) claim = 'first';
      }
      if (problems.length === 0 && subjectId !== undefined) {
        const record = recordFromDraft({ ...row.draft, subjectId }, { id: timeOrderedId(), recordedAt: this.clock() });
        return { ...at, record, rejections: [], claim };
      }
      return { ...at, rejections: problems.map((p) => rejectionOf(at, p)), claim };
    });
    return { rows: prepared, sequence, followsEarlierChunks };
  }

  private remember(key: string, id: string): void {
    this.known.delete(key);
    this.known.set(key, id);
    if (this.known.size > knownSubjectsLimit) this.known.delete(this.known.keys().next().value as string);
  }

  /**
   * Stores a prepared chunk: inside `manager`'s transaction when given (a mutation commits all
   * its chunks at once, `commitTogether`, one after another in batch order), otherwise in a
   * transaction of its own, begun once the chunks before it whose rows claimed its numbers have
   * committed (`followsEarlierChunks`); others commit at once. The stored records it compares
   * with are read inside the transaction, locked on MySQL, so a concurrent objection or import
   * cannot slip between the comparison and the write.
   */
  async commit(chunk: PreparedChunk, manager?: EntityManager): Promise<RowResult[]> {
    const results = manager ? await this.writeInCallersTransaction(chunk, manager) : await this.commitInOwnTransaction(chunk);
    for (const result of results) this.totals[result.outcome.toLowerCase() as keyof IntakeTotals] += 1;
    return results;
  }

  /** Stores every chunk of a batch in one transaction, in batch order: all of them or, should one fail, none. */
  async commitTogether(chunks: readonly PreparedChunk[]): Promise<RowResult[]> {
    return await intakeTransaction(
      this.db,
      async (manager) => {
        const all: RowResult[] = [];
        for (const chunk of chunks) all.push(...(await this.commit(chunk, manager)));
        return all;
      },
      this.options.deadline,
    );
  }

  private writeInCallersTransaction(chunk: PreparedChunk, manager: EntityManager): Promise<RowResult[]> {
    const current = this.inCallersTransaction;
    // The chunks before it were written in this transaction: its claims are theirs too.
    const claims = current && current.manager === manager && current.sequence < chunk.sequence ? current.claims : new ClaimDecisions(this.seen);
    this.inCallersTransaction = { manager, claims, sequence: chunk.sequence };
    return this.write(chunk, manager, claims);
  }

  private commitInOwnTransaction(chunk: PreparedChunk): Promise<RowResult[]> {
    const earlier = this.earlierCommits;
    const committed = (async () => {
      // Its rows are judged on what the earlier rows with their numbers were decided to be.
      if (chunk.followsEarlierChunks && !(await earlier)) {
        throw new Error(`rows ${chunk.rows[0].row}-${chunk.rows.at(-1)!.row} were not written: an earlier chunk whose rows claimed their document numbers failed`);
      }
      const { results, claims } = await intakeTransaction(
        this.db,
        async (m) => {
          // Decided anew on each attempt, from what committed chunks settled.
          const decisions = new ClaimDecisions(this.seen);
          return { results: await this.write(chunk, m, decisions), claims: decisions };
        },
        this.options.deadline,
      );
      claims.settle();
      return results;
    })();
    this.earlierCommits = Promise.all([earlier, committed.then(() => true, () => false)]).then(([before, own]) => before && own);
    return committed;
  }

  private async write(chunk: PreparedChunk, manager: EntityManager, claims: ClaimDecisions): Promise<RowResult[]> {
    const valid = chunk.rows.filter((r) => r.record);
    const existing = new Map<string, CreditRecord>();
    if (valid.length) {
      const stored = await manager.find(CreditRecord, {
        where: { sourceDepartment: this.options.department, documentNumber: In(valid.map((r) => r.record!.documentNumber)) },
        lock: lockFor(manager),
      });
      for (const record of stored) existing.set(record.documentNumber, record);
    }
    const settled = await objectionCorrections(manager, [...existing.values()]);
    const now = this.clock();
    // The district's day when this chunk is written: an import running past midnight judges its
    // later chunks on the new day.
    const today = todayInDistrict(now);
    const writing: ChunkWrite = { manager, existing, settled, now, today, inserts: [], events: [] };
    const results: RowResult[] = [];
    for (const prepared of chunk.rows) {
      // Decided in batch order: the rows before this one with its number are decided already.
      const holder = prepared.claim === 'later' ? claims.holder(prepared.documentNumber!) : undefined;
      const sentBefore =
        typeof holder === 'number'
          ? rejectionOf(prepared, { field: 'documentNumber', code: ErrorCode.BAD_USER_INPUT, reason: `documentNumber ${numberRead(prepared)} already appears in row ${holder} of this batch; a decision is sent once`, details: { ...numberInUse, earlierRow: holder } })
          : undefined;
      if (!prepared.record || sentBefore) {
        results.push({ row: prepared.row, outcome: 'REJECTED', rejections: sentBefore ? [...prepared.rejections, sentBefore] : prepared.rejections });
        continue;
      }
      const result = await this.writeRow(prepared, prepared.record, writing);
      // A row refused here claims nothing; one stored after such rows holds the number from now on.
      if (result.outcome === 'REJECTED' && prepared.claim === 'first') claims.decide(prepared.documentNumber!, null);
      else if (result.outcome !== 'REJECTED' && prepared.claim === 'later') claims.decide(prepared.documentNumber!, prepared.row);
      results.push(result);
    }
    await insertMany(manager, CreditRecord, writing.inserts);
    await insertMany(manager, CreditRecordEvent, writing.events);
    return results;
  }

  /** Stores one valid row, or refuses it on what is stored under its number. */
  private async writeRow(prepared: PreparedRow, incoming: CreditRecord, writing: ChunkWrite): Promise<RowResult> {
    const { manager, now, today } = writing;
    const stored = writing.existing.get(incoming.documentNumber);
    if (!stored) {
      writing.inserts.push(incoming);
      writing.events.push(recordEvent(incoming.id, 'CREATED', this.options.actor, now));
      return { row: prepared.row, outcome: 'CREATED', record: incoming, rejections: [] };
    }
    // A document number is one decision about one subject: moving it would hand the record,
    // its objections and its history to a subject they were never about.
    if (stored.subjectId !== incoming.subjectId) {
      return refused(prepared, stored, `the record ${shownDocumentNumber(stored)} is about another subject, and a record's subject cannot be corrected: a decision about this subject needs its own document number (a record about the wrong subject is withdrawn on an objection)`, numberInUse);
    }
    // Only what the department sends is compared: a disclosure end recomputed under newer
    // catalogue rules is not a correction by the department.
    if (sameContent(stored, incoming)) return { row: prepared.row, outcome: 'UNCHANGED', record: stored, rejections: [] };
    const status = effectiveStatus(stored, today);
    const next = transition(recordTransitions, status, 'CORRECT');
    if (!next) {
      const settled = `the record ${shownDocumentNumber(stored)} is ${status} and can no longer be corrected (a ${status === 'WITHDRAWN' ? 'withdrawn' : 'restored'} record is settled); a new decision needs a new document number`;
      return refused(prepared, stored, settled, { problem: 'TRANSITION_NOT_ALLOWED', recordStatus: status });
    }
    // The record keeps the day it entered the platform: its decision, as corrected, was made by then.
    // Every problem with what is stored told at once, a field each.
    const decidedLater = decisionAfterEntry(incoming.decisionDate, stored.recordedAt);
    const refusals: RowProblem[] = [
      ...(decidedLater ? [{ field: 'decisionDate' as const, reason: `the record ${shownDocumentNumber(stored)}: ${decidedLater.reason}`, code: ErrorCode.BAD_USER_INPUT, details: { problem: decidedLater.problem, latest: decidedLater.latest } }] : []),
      ...objectionRefusals(writing.settled.get(stored.id), stored, incoming).filter((problem) => !(decidedLater && problem.field === 'decisionDate')),
    ];
    if (refusals.length) return { row: prepared.row, outcome: 'REJECTED', describedSubjectId: stored.subjectId, rejections: refusals.map((problem) => rejectionOf(prepared, problem)) };
    const corrected: CreditRecord = Object.assign(new CreditRecord(), stored);
    // A field the row sends as stored (a summary whose line ends alone differ) is kept as stored.
    for (const field of contentFields) if (!sameValue(field, stored[field], incoming[field])) (corrected as unknown as Record<string, unknown>)[field] = incoming[field];
    corrected.disclosureEndsAt = incoming.disclosureEndsAt;
    corrected.status = next;
    // An application left pending past the record's disclosure end is closed for good first.
    await closeEndedApplications(manager, stored, corrected, today, this.options.actor, now);
    const written = changedValues(stored, corrected)!;
    await manager.update(CreditRecord, { id: stored.id }, pick(corrected, Object.keys(written.after) as (keyof CreditRecord)[]));
    // Told as read (`asRead`): a correction that dates an expired record anew, so that its
    // period has not ended, says EXPIRED → ACTIVE: it counts again, and its history says so.
    const delta = changedValues(asRead(stored, today), asRead(corrected, today)) ?? written;
    writing.events.push(recordEvent(stored.id, 'CORRECTED', this.options.actor, now, { reason: 'corrected by the source department on re-submission', ...delta }));
    return { row: prepared.row, outcome: 'UPDATED', record: corrected, rejections: [] };
  }
}

/**
 * One chunk's write in progress: the stored records its rows are compared with (read locked), the
 * objections' corrections to them, the clock, and the records and events to insert at its end.
 * A row stored in the chunk never meets a later one with its number: that one is a duplicate.
 */
interface ChunkWrite {
  manager: EntityManager;
  existing: ReadonlyMap<string, CreditRecord>;
  settled: ReadonlyMap<string, ObjectionCorrection[]>;
  now: Date;
  today: string;
  inserts: CreditRecord[];
  events: CreditRecordEvent[];
}

/** What an accepted objection corrected in a record: the objection, and the content as it was before. */
interface ObjectionCorrection {
  objectionId: string;
  before: RecordValues;
}

/** The corrections accepted objections made to `records`, one statement for a chunk. */
async function objectionCorrections(manager: EntityManager, records: readonly CreditRecord[]): Promise<Map<string, ObjectionCorrection[]>> {
  const byRecord = new Map<string, ObjectionCorrection[]>();
  if (!records.length) return byRecord;
  // A CORRECTED event follows from an objection exactly when it names one; a re-submission's names none.
  const events = await manager.find(CreditRecordEvent, {
    where: { recordId: In(records.map((r) => r.id)), kind: 'CORRECTED', relatedId: Not(IsNull()) },
    select: { recordId: true, relatedId: true, beforeValues: true },
    // The latest first: a field's latest correction on an objection is the one that stands.
    order: { occurredAt: 'DESC' },
  });
  for (const event of events) {
    const corrections = byRecord.get(event.recordId) ?? [];
    corrections.push({ objectionId: event.relatedId!, before: JSON.parse(event.beforeValues ?? '{}') as RecordValues });
    byRecord.set(event.recordId, corrections);
  }
  return byRecord;
}

/** A field an accepted objection settled, changed by a re-sent row (README, Errors): its corrected value or what the record found. */
const decidedOnObjection: ProblemDetails = { problem: 'DECIDED_ON_OBJECTION' };

/** The fields that say what a record found and how grave it is: what an objection's decision settles. */
const findingFields = ['category', 'polarity', 'severity', 'taxCreditGrade'] as const satisfies readonly ContentField[];

/**
 * Why a re-submitted row may not change a record accepted objections corrected (`corrections`,
 * latest first; none for a record never corrected on one): every problem, one per field. The
 * department decided the record anew on the subject's objection, with its reason, and a routine
 * file re-sent with the old content would otherwise undo that decision without a word, its
 * objection still reading ACCEPTED, CORRECTED, while a file with other content could make the
 * record graver than the subject objected to (a penalty turned into a dishonesty listing, a
 * severity raised, an ended disclosure begun again), with no objection and no decision.
 * - A field an objection corrected changes again only on another objection (the latest
 *   correction of a field counts: a second objection may put back what a first one changed).
 * - What the record found (its category, polarity, severity and tax credit grade) stays as it is,
 *   whichever fields the objection corrected: another finding is a new decision.
 * - Its disclosure as a negative record ends no later than it does (a later decision date).
 * Either way a new decision goes under a new document number; the rest (an earlier decision date,
 * a summary or validity no objection corrected) stays the department's to correct.
 */
function objectionRefusals(corrections: readonly ObjectionCorrection[] | undefined, stored: CreditRecord, incoming: CreditRecord): RowProblem[] {
  if (!corrections?.length) return [];
  const changed = contentFields.filter((field) => !sameValue(field, incoming[field], stored[field]));
  const change = (field: ContentField) => `${field} ${quotedInput(incoming[field])} for ${quotedInput(stored[field])}`;
  const objections = (ids: string[]) => (ids.length === 1 ? `objection ${ids[0]}` : `objections ${ids.join(', ')}`);
  const problems: RowProblem[] = [];
  const decided = changed.flatMap((field) => {
    const latest = corrections.find((c) => field in c.before);
    return latest ? [{ field, objectionId: latest.objectionId }] : [];
  });
  if (decided.length) {
    const reason = `the record ${shownDocumentNumber(stored)} was corrected on its subject's ${objections([...new Set(decided.map((d) => d.objectionId))])}, which decided what this row changes (${decided.map((d) => change(d.field)).join(', ')}): send the record as corrected (the department's own data corrected to it); it changes again only on another objection, or as a new decision with a new document number`;
    problems.push(...decided.map(({ field }) => ({ field, reason, code: ErrorCode.BAD_USER_INPUT, details: decidedOnObjection })));
  }
  const everyObjection = objections([...new Set(corrections.map((c) => c.objectionId))]);
  const finding = changed.filter((field) => (findingFields as readonly string[]).includes(field) && !decided.some((d) => d.field === field));
  if (finding.length) {
    const reason = `the record ${shownDocumentNumber(stored)} was corrected on its subject's ${everyObjection}, and keeps what it found (its category, polarity, severity and tax credit grade), which this row changes (${finding.map(change).join(', ')}): another finding is a new decision, with a new document number`;
    problems.push(...finding.map((field) => ({ field, reason, code: ErrorCode.BAD_USER_INPUT, details: decidedOnObjection })));
  }
  const later = disclosedLonger(incoming.disclosureEndsAt, stored.disclosureEndsAt);
  if (later && changed.includes('decisionDate') && !decided.some((d) => d.field === 'decisionDate')) {
    const until = stored.disclosureEndsAt === null ? 'it is not disclosed as a negative record' : `its disclosure ends ${stored.disclosureEndsAt}`;
    const reason = `the record ${shownDocumentNumber(stored)} was corrected on its subject's ${everyObjection}, and this row (${change('decisionDate')}) would disclose it until ${incoming.disclosureEndsAt}, where ${until}: after an accepted objection no re-submission makes a record graver; a new decision needs a new document number`;
    problems.push({ field: 'decisionDate', reason, code: ErrorCode.BAD_USER_INPUT, details: { problem: 'GRAVER_CORRECTION' } });
  }
  return problems;
}

/**
 * A transaction for intake, at READ COMMITTED on MySQL: its locked read then locks the stored
 * records it finds and no gaps between them. Under REPEATABLE READ it also locked the gap where
 * each new document number would go, and two transactions inserting numbers into the same gaps
 * (two chunks of one file committing at once, or two departments' imports) deadlocked on each
 * other's gap locks. A number stored meanwhile by another transaction still cannot be stored
 * twice: the unique key refuses it, and the retry finds it stored.
 */
export function intakeTransaction<T>(db: DataSource, work: (manager: EntityManager) => Promise<T>, deadline?: RequestDeadline): Promise<T> {
  return writeTransaction(db, work, 'READ COMMITTED', deadline);
}

/** A number another decision holds (README, Errors): an earlier row of the batch (its `earlierRow` told too), or the department's record about another subject. */
const numberInUse = { problem: 'DOCUMENT_NUMBER_IN_USE' } as const satisfies ProblemDetails;

/** A valid row refused on the record stored under its document number. */
function refused(prepared: PreparedRow, stored: CreditRecord, reason: string, details?: ProblemDetails): RowResult {
  return { row: prepared.row, outcome: 'REJECTED', describedSubjectId: stored.subjectId, rejections: [rejectionOf(prepared, { field: 'documentNumber', reason, code: ErrorCode.BAD_USER_INPUT, ...(details ? { details } : {}) })] };
}

/** A row's number as it wrote it, and as compared where that differs: the earlier row may have written it otherwise. */
function numberRead(row: PreparedRow): string {
  return row.writtenNumber === row.documentNumber ? `${row.writtenNumber}` : `${row.writtenNumber} (that is ${row.documentNumber})`;
}

/** A row's problem as the report names it: the row, the line it begins on (from a file) and its document number as the row wrote it. */
function rejectionOf(row: Pick<PreparedRow, 'row' | 'line' | 'writtenNumber'>, problem: RowProblem): Rejection {
  return {
    row: row.row,
    ...(row.line === undefined ? {} : { line: row.line }),
    field: problem.field,
    reason: problem.reason,
    code: problem.code,
    ...(problem.details ? { details: problem.details } : {}),
    documentNumber: row.writtenNumber,
  };
}

function pick<T extends object>(value: T, keys: (keyof T)[]): Partial<T> {
  return Object.fromEntries(keys.map((k) => [k, value[k]])) as Partial<T>;
}
