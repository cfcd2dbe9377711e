import type { DataSource } from 'typeorm';
import type { Actor } from '../record-history';
import { openRecordFile } from './intake-file';
import { intakeChunkSize, RecordIntake, type IntakeRow, type IntakeTotals, type Rejection, type RowResult } from './record-intake';
import type { SubjectDirectory } from './subject-directory';

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
}

export interface ImportSummary {
  rows: number;
  totals: IntakeTotals;
  seconds: number;
}

/**
 * Imports a department's file into the records database: the file is checked whole first
 * (`openRecordFile`, throws FileRejected before anything is stored), then streamed a chunk at a
 * time; each chunk's subjects are looked up while the previous chunk commits, and chunks commit in
 * file order, each in its own transaction. A failure stops the import after the last committed
 * chunk; as intake is idempotent, importing the same file again completes it.
 */
export async function importRecordFile(db: DataSource, file: string, options: ImportOptions): Promise<ImportSummary> {
  const started = process.hrtime.bigint();
  const recordFile = await openRecordFile(file, { format: options.format });
  const intake = new RecordIntake(db, { department: options.department, actor: options.actor, subjects: options.subjects, now: options.now });
  const chunkSize = options.chunkSize ?? intakeChunkSize;
  let rows = 0;
  let inFlight: Promise<void> | undefined;
  const report = (results: RowResult[]) => {
    for (const result of results) for (const rejection of result.rejections) options.onRejection?.(rejection);
    options.onProgress?.({ rows, bytesRead: recordFile.bytesRead(), size: recordFile.size, totals: { ...intake.totals } });
  };
  const flush = async (batch: IntakeRow[]) => {
    const prepared = await intake.prepare(batch);
    if (inFlight) await inFlight;
    inFlight = intake.commit(prepared).then(report);
    // Observed here so that a failure waits, unhandled, for the next flush or the end to surface it.
    inFlight.catch(() => undefined);
  };
  let batch: IntakeRow[] = [];
  for await (const row of recordFile.rows()) {
    rows += 1;
    batch.push(row);
    if (batch.length === chunkSize) {
      await flush(batch);
      batch = [];
    }
  }
  if (batch.length) await flush(batch);
  if (inFlight) await inFlight;
  return { rows, totals: { ...intake.totals }, seconds: Number(process.hrtime.bigint() - started) / 1e9 };
}
