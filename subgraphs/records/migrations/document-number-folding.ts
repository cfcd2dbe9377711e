import type { QueryRunner } from 'typeorm';
import { rowsPerBatch, setEachColumns, storedInstant } from '../../shared/migration-rows';

interface StoredNumber {
  id: string;
  source_department: string;
  document_number: string;
  recorded_at: unknown;
}

/**
 * Gives each document number stored in credit_record the form `fold` makes of it, for the
 * migrations that changed the form intake keys records by (1764000000180, 210): in JavaScript, as
 * the folds cannot be written in SQL, a batch at a time, holding only the numbers that fold (few,
 * beside the records). `written`, when given, is a column set beside each number folded, to what
 * `written.of` makes of the number as it was stored.
 *
 * A number whose folded form another record of its department already has (the same decision
 * stored twice, in two forms) is left as it is and logged as a warning naming both records: the
 * unique key would refuse it, and which of the two is the mistake is for the department and the
 * credit office to say (an objection accepted as WITHDRAWN), not for a migration. Both stay, as
 * they were; when two unfolded numbers fold alike, the earlier record takes the folded form.
 *
 * Re-runnable, `fold` being idempotent: a number folded by an earlier run folds to itself, and only
 * the numbers left are met, and told of, again.
 */
export async function foldDocumentNumbers(queryRunner: QueryRunner, fold: (stored: string) => string, written?: { column: string; of: (stored: string) => string | null }): Promise<void> {
  const unfolded: StoredNumber[] = [];
  let last = '';
  for (;;) {
    const records: StoredNumber[] = await queryRunner.query('SELECT id, source_department, document_number, recorded_at FROM credit_record WHERE id > ? ORDER BY id LIMIT ?', [last, rowsPerBatch]);
    if (!records.length) break;
    unfolded.push(...records.filter((r) => fold(r.document_number) !== r.document_number));
    last = records[records.length - 1].id;
  }
  // The earlier record first, should two fold alike.
  unfolded.sort((a, b) => storedInstant(a.recorded_at).getTime() - storedInstant(b.recorded_at).getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const keyOf = (department: string, number: string) => JSON.stringify([department, number]);
  const columns = written ? ['document_number', written.column] : ['document_number'];
  for (let start = 0; start < unfolded.length; start += rowsPerBatch) {
    const batch = unfolded.slice(start, start + rowsPerBatch);
    // Folded numbers stored already, this run's earlier batches' among them, read by the unique key
    // (department, number). A stored number that folds is never one of these: a folded number folds to itself.
    const taken = new Map<string, string>();
    for (const department of new Set(batch.map((r) => r.source_department))) {
      const folded = [...new Set(batch.filter((r) => r.source_department === department).map((r) => fold(r.document_number)))];
      const holders: StoredNumber[] = await queryRunner.query(
        `SELECT id, source_department, document_number FROM credit_record WHERE source_department = ? AND document_number IN (${folded.map(() => '?').join(', ')})`,
        [department, ...folded],
      );
      for (const holder of holders) taken.set(keyOf(holder.source_department, holder.document_number), holder.id);
    }
    const folding: { id: string; values: (string | null)[] }[] = [];
    for (const record of batch) {
      const value = fold(record.document_number);
      const key = keyOf(record.source_department, value);
      const holder = taken.get(key);
      if (holder === undefined) {
        taken.set(key, record.id);
        folding.push({ id: record.id, values: written ? [value, written.of(record.document_number)] : [value] });
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
    await setEachColumns(queryRunner, 'credit_record', columns, folding);
  }
}
