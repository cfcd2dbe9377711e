import type { DataSource } from 'typeorm';
import { ErrorCode } from '../../../lib/errors';
import type { Actor } from '../record-history';
import { FileCutShort, openRecordFile, type RecordFile } from './intake-file';
import { intakeChunkSize, RecordIntake, subjectsToldOf, type IntakeRow, type IntakeTotals, type Rejection, type RowResult } from './record-intake';
import type { SubjectDirectory } from '../../shared/subject-directory';

export interface ImportProgress {
  rows: number;
  bytesRead: number;
  size: number;
  totals: IntakeTotals;
}

export interface ImportOptions {
  department: string;
  actor: Actor;
  subjects: SubjectDirectory;
  format?: string;
  chunkSize?: number;
  now?: () => Date;
  /** After each committed chunk. */
  onProgress?: (progress: ImportProgress) => void;
  /** Each rejection as it is decided, so that a file with many bad rows is never held in memory. */
  onRejection?: (rejection: Rejection) => void;
  /**
   * Writes the audit log's entries for a committed chunk: the subjects its results tell of
   * (`subjectsToldOf`) that no earlier chunk of the import told of, as a submission through the
   * API is audited once per subject. A chunk's rejections and progress are reported once it has
   * resolved; should it fail, the import stops as on any failure.
   */
  audit?: (subjectIds: string[]) => Promise<void>;
  /**
   * When the import stops at a failure, once nothing is writing any more: what the chunks that
   * committed before it stored, those whose progress was not reported yet (their audit entries
   * being what failed, say) among them. The last progress reported can be chunks short of it.
   */
  onStopped?: (committed: IntakeTotals) => void;
}

/**
 * Subjects an import remembers having audited (some 100 bytes each): beyond them, the oldest is
 * forgotten, and a chunk telling of it again audits it again.
 */
const auditedSubjectsLimit = 100_000;

/**
 * Chunks committing at once, each on a connection of its own. A commit waits on MySQL most of
 * its time (a 1,000-row chunk's index pages read and written back, its log flush); others
 * overlap that wait. 200,000 new rows into a million, 128 MiB buffer pool: 8,300 rows/s one at a
 * time, ~10,000 with two, ~11,500 with four or eight; with a 2 GiB pool 12,000 → 15,000, where
 * two already use both cores (bench/import.md). On SQLite they wait their turn (`writeTransaction`).
 */
export const commitsInFlight = 4;

export interface ImportSummary {
  rows: number;
  totals: IntakeTotals;
  seconds: number;
  /**
   * Why the file was read only up to its row `afterRow`, each of them stored or rejected, and the
   * row it broke off at counted rejected (the last of `rows`); absent when it was read to its end.
   */
  cutShort?: FileCutShort;
}

/**
 * Imports a department's file into the records database: the file is checked whole first
 * (`openRecordFile`, throws FileRejected before anything is stored), then streamed a chunk at a
 * time, each chunk in its own transaction. A chunk is read and its subjects looked up while the
 * chunks before it commit, up to `commitsInFlight` at once (a chunk repeating a document number of
 * an earlier chunk's row waits for it to commit: `RecordIntake.commit`); their rejections and
 * progress are reported in file order all the same, each chunk's once its audit entries are
 * written (`audit`). A file that breaks off (`FileCutShort`) has every row before the break
 * stored (or rejected), the row it broke off at rejected, and the summary says where. A failure
 * stops the import once the chunks already committing have settled; as intake is idempotent,
 * importing the same file again completes it.
 */
export async function importRecordFile(db: DataSource, file: string | RecordFile, options: ImportOptions): Promise<ImportSummary> {
  const started = process.hrtime.bigint();
  // Opened already by a caller that checked it before anything else (the import command).
  const recordFile = typeof file === 'string' ? await openRecordFile(file, { format: options.format }) : file;
  const intake = new RecordIntake(db, { department: options.department, actor: options.actor, subjects: options.subjects, now: options.now });
  const chunkSize = options.chunkSize ?? intakeChunkSize;
  let rows = 0;
  // A chunk's results are reported once it has committed and the chunk before it (the last one
  // here) was reported, so that rejections and progress keep the file's order whichever commit
  // ends first; and each of these settles only after its own commit has, failed or not.
  const committing: Promise<void>[] = [];
  // An import is one request: one entry per subject, as the gateway writes one per subject per
  // request, however many chunks tell of it (a department's file names its subjects again and
  // again). Each subject audited maps to the write of its entry, which a later chunk telling of it
  // waits for in turn: chunks commit in any order, and an earlier one may report first.
  const audited = new Map<string, Promise<void>>();
  const audit = (write: NonNullable<ImportOptions['audit']>, results: RowResult[]): Promise<unknown> => {
    const toldOf = subjectsToldOf(results);
    const fresh = toldOf.filter((subjectId) => !audited.has(subjectId));
    const written = write(fresh);
    for (const subjectId of fresh) audited.set(subjectId, written);
    const writes = new Set(toldOf.map((subjectId) => audited.get(subjectId)!));
    while (audited.size > auditedSubjectsLimit) audited.delete(audited.keys().next().value as string);
    return Promise.all(writes);
  };
  const flush = async (batch: IntakeRow[]) => {
    const prepared = await intake.prepare(batch);
    // The oldest commit settles first: a failure surfaces here, before another chunk is sent.
    if (committing.length >= commitsInFlight) await committing.shift();
    const after = committing.at(-1);
    const reported = intake.commit(prepared).then(async (results) => {
      // Written while the chunks before it are reported (the audit writes group-commit), observed
      // at once so that its failure waits for its turn below.
      const written = options.audit && audit(options.audit, results);
      written?.catch(() => undefined);
      await after;
      await written;
      for (const result of results) for (const rejection of result.rejections) options.onRejection?.(rejection);
      options.onProgress?.({ rows, bytesRead: recordFile.bytesRead(), size: recordFile.size, totals: { ...intake.totals } });
    });
    // Observed here so that a failure waits, unhandled, for its turn above or for the end.
    reported.catch(() => undefined);
    committing.push(reported);
  };
  let cutShort: FileCutShort | undefined;
  try {
    let batch: IntakeRow[] = [];
    try {
      for await (const row of recordFile.rows()) {
        rows += 1;
        batch.push(row);
        if (batch.length === chunkSize) {
          await flush(batch);
          batch = [];
        }
      }
    } catch (error) {
      // The chunks before the break are committed or committing already: the rows read since
      // are stored with them, so that what was stored is every row before the break, no fewer.
      if (!(error instanceof FileCutShort)) throw error;
      cutShort = error;
    }
    if (batch.length) await flush(batch);
    await Promise.all(committing);
  } catch (error) {
    // Nothing may still be writing when the caller learns of the failure (and closes the database).
    await Promise.allSettled(committing);
    options.onStopped?.({ ...intake.totals });
    throw error;
  }
  const totals = { ...intake.totals };
  if (cutShort) {
    // The row it broke off at is a row of the file, not stored: rejected, last, with why and the
    // line it begins on, in the counts and the rejections as any other, not on the terminal alone.
    rows += 1;
    totals.rejected += 1;
    options.onRejection?.({ row: cutShort.afterRow + 1, line: cutShort.line, field: null, reason: cutShort.message, documentNumber: null, code: ErrorCode.BAD_USER_INPUT, details: { problem: cutShort.problem } });
  }
  return { rows, totals, seconds: Number(process.hrtime.bigint() - started) / 1e9, ...(cutShort ? { cutShort } : {}) };
}
