import type { MigrationInterface, QueryRunner } from 'typeorm';
import { foldedDocumentNumber, foldedNumber } from '../../../lib/text';
import { rowsPerBatch, setEach } from '../../shared/migration-rows';

interface StoredRecordNumber {
  id: string;
  source_department: string;
  document_number: string;
}

/**
 * Numbers typed in full width are the numbers typed in half width: intake keeps a document number
 * folded (lib/text.ts `foldedDocumentNumber`: 〔２０２６〕１０号 is 〔2026〕10号) and the ledger a
 * case number (`foldedNumber`, since c7aa35e). Numbers stored before were kept as typed, so a
 * decision stored in full width was stored a second time when sent in half width, and a check
 * run under a full-width case was not listed by creditChecks(caseNumber:), nor found again on a
 * retry under its idempotency key. Both are folded here, in JavaScript (NFKC cannot be done in
 * SQL), a batch at a time; the columns still compare as bytes on MySQL (1764000000130, 150).
 *
 * A document number whose folded form another record of its department already has (the same
 * decision stored twice, in both forms) is left as it is and logged as a warning: the unique key
 * would refuse it, and which of the two records is the mistake is for the department and the
 * credit office to say (an objection accepted as WITHDRAWN), not for a migration. Both stay, as
 * they were; when two unfolded numbers fold alike, the earlier record takes the folded form.
 * Case numbers key nothing, so each is folded.
 *
 * Irreversible: `down` cannot tell a folded number from one typed in half width, and leaves them.
 */
export class FoldedDocumentAndCaseNumbers1764000000180 implements MigrationInterface {
  name = 'FoldedDocumentAndCaseNumbers1764000000180';

  async up(queryRunner: QueryRunner): Promise<void> {
    await foldCaseNumbers(queryRunner);
    await foldDocumentNumbers(queryRunner);
  }

  async down(): Promise<void> {}
}

async function foldCaseNumbers(queryRunner: QueryRunner): Promise<void> {
  let last = '';
  for (;;) {
    const checks: { id: string; case_number: string }[] = await queryRunner.query('SELECT id, case_number FROM credit_check WHERE id > ? ORDER BY id LIMIT ?', [last, rowsPerBatch]);
    if (!checks.length) return;
    await setEach(
      queryRunner,
      'credit_check',
      'case_number',
      checks.filter((c) => foldedNumber(c.case_number) !== c.case_number).map((c) => ({ id: c.id, value: foldedNumber(c.case_number) })),
    );
    last = checks[checks.length - 1].id;
  }
}

async function foldDocumentNumbers(queryRunner: QueryRunner): Promise<void> {
  // Only numbers that fold are held: few, beside the records.
  const unfolded: (StoredRecordNumber & { recorded_at: unknown })[] = [];
  let last = '';
  for (;;) {
    const records: (StoredRecordNumber & { recorded_at: unknown })[] = await queryRunner.query(
      'SELECT id, source_department, document_number, recorded_at FROM credit_record WHERE id > ? ORDER BY id LIMIT ?',
      [last, rowsPerBatch],
    );
    if (!records.length) break;
    unfolded.push(...records.filter((r) => foldedDocumentNumber(r.document_number) !== r.document_number));
    last = records[records.length - 1].id;
  }
  // The earlier record first, should two fold alike. Both drivers give recorded_at in a form that sorts (a Date, or its ISO-like text).
  unfolded.sort((a, b) => compare(instant(a.recorded_at), instant(b.recorded_at)) || compare(a.id, b.id));
  const keyOf = (department: string, number: string) => JSON.stringify([department, number]);
  for (let start = 0; start < unfolded.length; start += rowsPerBatch) {
    const batch = unfolded.slice(start, start + rowsPerBatch);
    const folded = [...new Set(batch.map((r) => foldedDocumentNumber(r.document_number)))];
    // Folded numbers stored already, this migration's earlier batches' among them. A stored number
    // that folds is never one of these: a folded number folds to itself.
    const holders: StoredRecordNumber[] = await queryRunner.query(`SELECT id, source_department, document_number FROM credit_record WHERE document_number IN (${folded.map(() => '?').join(', ')})`, folded);
    const taken = new Map(holders.map((h) => [keyOf(h.source_department, h.document_number), h.id]));
    const folding: { id: string; value: string }[] = [];
    for (const record of batch) {
      const value = foldedDocumentNumber(record.document_number);
      const key = keyOf(record.source_department, value);
      const holder = taken.get(key);
      if (holder === undefined) {
        taken.set(key, record.id);
        folding.push({ id: record.id, value });
        continue;
      }
      queryRunner.connection.logger.log(
        'warn',
        `credit record ${record.id} of ${record.source_department} keeps its document number ${JSON.stringify(record.document_number)} unfolded: ` +
          `record ${holder} has it folded, ${JSON.stringify(value)}, and is the same decision stored twice, both counting against their subjects. ` +
          'Have the mistaken one withdrawn (an objection accepted as WITHDRAWN); a later submission of the number corrects the folded one.',
        queryRunner,
      );
    }
    await setEach(queryRunner, 'credit_record', 'document_number', folding);
  }
}

/** An instant as the driver hands it back: a Date (mysql2) or SQLite's 'YYYY-MM-DD HH:MM:SS.SSS' text, as sortable text. */
function instant(value: unknown): string {
  return value instanceof Date ? value.toISOString() : String(value).replace(' ', 'T');
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
