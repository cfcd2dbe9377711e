import type { MigrationInterface, QueryRunner } from 'typeorm';
import { foldedNumber, writtenDocumentNumber } from '../../../lib/text';
import { rowsPerBatch, setEach } from '../../shared/migration-rows';
import { foldDocumentNumbers } from './document-number-folding';

/**
 * Numbers typed in full width are the numbers typed in half width: intake keeps a document number
 * folded (〔２０２６〕１０号 is 〔2026〕10号: lib/text.ts `writtenDocumentNumber`, which was
 * `foldedDocumentNumber` until 1764000000210 folded the brackets of a year too) and the ledger a
 * case number (`foldedNumber`, since c7aa35e). Numbers stored before were kept as typed, so a
 * decision stored in full width was stored a second time when sent in half width, and a check
 * run under a full-width case was not listed by creditChecks(caseNumber:), nor found again on a
 * retry under its idempotency key. Both are folded here, in JavaScript (NFKC cannot be done in
 * SQL), a batch at a time; the columns still compare as bytes on MySQL (1764000000130, 150).
 *
 * A document number whose folded form another record of its department already has (the same
 * decision stored twice, in both forms) is left as it is and logged as a warning naming both
 * (`foldDocumentNumbers`). Case numbers key nothing, so each is folded.
 *
 * Irreversible: `down` cannot tell a folded number from one typed in half width, and leaves them.
 */
export class FoldedDocumentAndCaseNumbers1764000000180 implements MigrationInterface {
  name = 'FoldedDocumentAndCaseNumbers1764000000180';

  async up(queryRunner: QueryRunner): Promise<void> {
    await foldCaseNumbers(queryRunner);
    await foldDocumentNumbers(queryRunner, writtenDocumentNumber);
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
