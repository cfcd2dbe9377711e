import { TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';
import { foldedDocumentNumber, writtenDocumentNumber } from '../../../lib/text';
import { rowsPerBatch, setEach } from '../../shared/migration-rows';
import { foldDocumentNumbers } from './document-number-folding';

/**
 * A document number is one number however the brackets around its year and the spaces in it are
 * typed (lib/text.ts `foldedDocumentNumber`): 北财罚[2026]88号, 北财罚【2026】88号, 北财罚（2026）88号
 * and 北财罚〔2026〕 88号 are 北财罚〔2026〕88号, the form intake now keys records by. Kept as typed
 * before, each typing was a record of its own: one decision counted by a credit check as often as
 * it was sent, cleared by an objection or a restoration one copy at a time, and not found at the
 * window under another typing.
 *
 * The number as its department wrote it stays the one shown (the court's （2025）冀0304执118号,
 * printed so on the subject's papers and in the reports generated before, which a verification
 * compares): it moves to written_document_number, set only where it differs from the folded
 * number, which document_number holds from now on. Numbers are folded as 1764000000180 folded them
 * (`foldDocumentNumbers`): a number whose folded form its department already has (one decision
 * stored in two typings) is left as it is, and logged as a warning naming both records, never
 * merged. A nullable column, added in place on MySQL: nothing is rewritten but the numbers that fold.
 *
 * Re-runnable (a folded number folds to itself). `down` puts each number back as written, and
 * drops the column.
 */
export class WrittenDocumentNumbers1764000000210 implements MigrationInterface {
  name = 'WrittenDocumentNumbers1764000000210';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumn('credit_record', new TableColumn({ name: 'written_document_number', type: 'varchar', length: '64', isNullable: true }));
    await foldDocumentNumbers(queryRunner, foldedDocumentNumber, {
      column: 'written_document_number',
      of: (stored) => {
        const written = writtenDocumentNumber(stored);
        return written === foldedDocumentNumber(stored) ? null : written;
      },
    });
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    let last = '';
    for (;;) {
      const records: { id: string; written_document_number: string }[] = await queryRunner.query(
        'SELECT id, written_document_number FROM credit_record WHERE written_document_number IS NOT NULL AND id > ? ORDER BY id LIMIT ?',
        [last, rowsPerBatch],
      );
      if (!records.length) break;
      await setEach(queryRunner, 'credit_record', 'document_number', records.map((r) => ({ id: r.id, value: r.written_document_number })));
      last = records[records.length - 1].id;
    }
    await queryRunner.dropColumn('credit_record', 'written_document_number');
  }
}
