import type { RecordStatus } from '../../../lib/catalogue/record-standing';
import { findRecordCategory, taxGradePolarity, type Polarity, type RecordCategoryCode, type Severity, type TaxCreditGrade } from '../../../lib/catalogue/record-categories';
import { choiceProblem, ErrorCode, quotedInput } from '../../../lib/errors';
import { normaliseIdentifier, optionalCode, type IdentifierProblem } from '../../../lib/identifiers';
import { identifierProblem } from '../../shared/subject-directory';
import { subjectIdProblem, validateCreditRecord, type CreditRecordDraft, type CreditRecordProblem } from '../credit-record.validation';
import { withLfLineEnds } from '../record-history';
import { foldedDocumentNumber, foldedNumber, writtenDocumentNumber } from '../../../lib/text';
import type { FileRowProblem } from './intake-file';

/**
 * One submitted record as it arrives, before anything is trusted: text from a CSV file, values
 * from a JSON line or from the GraphQL input `SubmitCreditRecordInput` (the same names).
 */
export const rowFields = ['subjectId', 'subjectCode', 'category', 'polarity', 'severity', 'taxCreditGrade', 'documentNumber', 'decisionDate', 'validUntil', 'summary', 'sourceDepartment'] as const;
export type RowField = (typeof rowFields)[number];
export type RecordRow = Partial<Record<RowField, unknown>>;

/** One reason a row cannot be stored. `field` is null when the row as a whole is at fault. */
export interface RowProblem {
  field: RowField | null;
  reason: string;
  /** The typed error a single submission answers with (`lib/errors.ts`). */
  code: ErrorCode;
  /** What a front end switches on, where the rule has one: the single submission's refusal tells it in `extensions`, a batch's rejection its `problem`. */
  details?: ProblemDetails;
}

/**
 * A problem as README, Errors, names it, with what else its refusal tells: for a code that is not
 * a valid identifier, what is wrong with it (as `subjectByCode` says it); for a text, its
 * `TextProblem` (`validateCreditRecord`'s, with `max` or `character`); for a choice, its `choices`;
 * for a date, its `DateProblem` (with `earliest` or `latest`); intake's own (`IntakeProblem`); and
 * what an intake file's reader refuses in a row's bytes (`FileRowProblem`, intake-file.ts).
 * A rejection of a batch tells each detail in a field of its own (`CreditRecordRejection`, resolvers.ts).
 */
export type ProblemDetails =
  | { problem: IdentifierProblem }
  | CreditRecordProblem['details']
  | { problem: IntakeProblem }
  | { problem: FileRowProblem }
  // The earlier row of the batch that holds the row's number, or whose quote, left open, took the row's line in.
  | { problem: 'DOCUMENT_NUMBER_IN_USE' | 'INSIDE_OPEN_QUOTE'; earlierRow: number }
  // A stored record's status that does not allow the row's correction, told as the lifecycle's refusals tell it.
  | { problem: 'TRANSITION_NOT_ALLOWED'; recordStatus: RecordStatus };

/**
 * What intake alone refuses, as README, Errors, names it: a JSON Lines value that is no text where
 * the row holds text (`NOT_TEXT`); a subject no one registered (`UNKNOWN_SUBJECT`, on NOT_FOUND);
 * a document number an earlier row of the batch holds, or the department's record about another
 * subject (`DOCUMENT_NUMBER_IN_USE`); and, for a record an accepted objection corrected, a change
 * to what the objection decided (`DECIDED_ON_OBJECTION`) or one making the record graver
 * (`GRAVER_CORRECTION`, as `decideObjection` refuses such a correction).
 */
export type IntakeProblem = 'NOT_TEXT' | 'UNKNOWN_SUBJECT' | 'DOCUMENT_NUMBER_IN_USE' | 'DECIDED_ON_OBJECTION' | 'GRAVER_CORRECTION';

/** A required code or text the row left out or blank (README, Errors: `EMPTY`). */
const leftOut: ProblemDetails = { problem: 'EMPTY' };

/** How a row names its subject, after normalisation. */
export type SubjectReference = { id: string; code?: undefined } | { code: string; id?: undefined };

export interface ParsedRow {
  /** The document number as compared (`foldedDocumentNumber`), for duplicate detection; null when missing. */
  documentNumber: string | null;
  /** The number as the row wrote it (`writtenDocumentNumber`), as its rejections name it; null when missing. */
  writtenNumber: string | null;
  subject: SubjectReference | null;
  /** The draft to store once its subject is resolved (`subjectId` is filled in then); valid only without problems. */
  draft: CreditRecordDraft;
  problems: RowProblem[];
}

/** The row's field at fault for a problem `validateCreditRecord` names by the draft's field. */
function rowFieldOf(field: Exclude<keyof CreditRecordDraft, 'recordedAt' | 'status'>, subject: SubjectReference | null): RowField {
  if (field === 'subjectId' && subject?.code !== undefined) return 'subjectCode';
  // The draft's department is the submitter's own, never in question (and never an input of the
  // mutation): a category it may not submit is the category's fault.
  if (field === 'sourceDepartment') return 'category';
  return field;
}

/**
 * Reads one row for `department` (the caller's own: a department submits only in its own name)
 * and checks every rule that needs no database: the subject's code check character, the
 * catalogue rules of `validateCreditRecord`, and the dates against `today`. Polarity may be
 * omitted where the category (or the tax grade) decides it. At most one problem per field.
 */
export function parseRow(values: RecordRow, department: string, today: string): ParsedRow {
  const problems: RowProblem[] = [];
  const problem = (field: RowField | null, reason: string, code: ErrorCode = ErrorCode.BAD_USER_INPUT, details?: ProblemDetails) => {
    if (!problems.some((p) => p.field === field)) problems.push({ field, reason, code, ...(details ? { details } : {}) });
  };
  const text = (field: RowField): string | null => {
    const value = values[field];
    if (value === undefined || value === null) return null;
    if (typeof value !== 'string') {
      problem(field, `${field} must be text, got ${typeof value === 'object' ? 'an object' : `the ${typeof value} ${quotedInput(value)}`}`, ErrorCode.BAD_USER_INPUT, { problem: 'NOT_TEXT' });
      return null;
    }
    const trimmed = value.trim();
    return trimmed === '' ? null : trimmed;
  };
  // A catalogue code, read as every code typed is: administrative_penalty or ＡＤＭＩＮＩＳＴＲＡＴＩＶＥ＿ＰＥＮＡＬＴＹ is ADMINISTRATIVE_PENALTY.
  const catalogueCode = (field: RowField): string | null => optionalCode(text(field));
  // A date as a number typed is read (foldedNumber): a spreadsheet's ２０２６－１１－１５ is 2026-11-15; its form is not changed.
  const date = (field: RowField): string | null => {
    const typed = text(field);
    return typed === null ? null : foldedNumber(typed);
  };

  const subjectId = text('subjectId');
  const rawCode = text('subjectCode');
  let subject: SubjectReference | null = null;
  if (subjectId !== null && rawCode !== null) {
    // Named once: beside a code, an id does not apply (a form clears one of them).
    problem('subjectId', 'name the subject by subjectCode or by subjectId, not both', ErrorCode.BAD_USER_INPUT, { problem: 'NOT_APPLICABLE' });
  } else if (subjectId !== null) {
    const refused = subjectIdProblem(subjectId);
    if (refused) {
      const { reason, ...details } = refused;
      problem('subjectId', reason, ErrorCode.BAD_USER_INPUT, details);
    } else subject = { id: subjectId };
  } else if (rawCode !== null) {
    const code = normaliseIdentifier(rawCode);
    const invalid = identifierProblem(code);
    if (invalid) problem('subjectCode', `invalid ${invalid.named} ${quotedInput(rawCode)}: ${invalid.reason}`, invalid.code, invalid.problem && { problem: invalid.problem });
    else subject = { code };
  } else if (!problems.some((p) => p.field === 'subjectId' || p.field === 'subjectCode')) {
    problem('subjectCode', 'each record names its subject: subjectCode (统一社会信用代码 or 公民身份号码) or subjectId; this row has neither', ErrorCode.BAD_USER_INPUT, leftOut);
  }

  const category = catalogueCode('category');
  const severity = catalogueCode('severity');
  const taxCreditGrade = catalogueCode('taxCreditGrade');
  let polarity = catalogueCode('polarity');
  const known = category === null ? undefined : findRecordCategory(category);
  if (category === null) problem('category', 'category is required: a catalogue code such as ADMINISTRATIVE_PENALTY', ErrorCode.BAD_USER_INPUT, leftOut);
  if (polarity === null && known) {
    if (known.polarities.length === 1) polarity = known.polarities[0];
    else if (known.code === 'TAX_CREDIT_GRADE' && taxCreditGrade !== null && Object.hasOwn(taxGradePolarity, taxCreditGrade)) polarity = taxGradePolarity[taxCreditGrade as TaxCreditGrade];
    else if (known.code !== 'TAX_CREDIT_GRADE') problem('polarity', `polarity is required for ${known.code} records: ${known.polarities.join(' or ')}`, ErrorCode.BAD_USER_INPUT, leftOut);
  }

  const sourceDepartment = catalogueCode('sourceDepartment');
  if (sourceDepartment !== null && sourceDepartment !== department) {
    problem('sourceDepartment', `this batch is submitted by ${department}, in its own name; a record of ${quotedInput(sourceDepartment)} must be submitted by that department`, ErrorCode.BAD_USER_INPUT, choiceProblem([department]));
  }

  // One printed number, one decision, however typed: é as one character or as e and a combining
  // accent, 〔２０２６〕１０号 in full width, [2026]10号 or 〔2026〕10号 (lib/text.ts `foldedDocumentNumber`).
  const given = text('documentNumber');
  const writtenNumber = given === null ? null : writtenDocumentNumber(given);
  const documentNumber = writtenNumber === null ? null : foldedDocumentNumber(writtenNumber);
  const draft: CreditRecordDraft = {
    // A placeholder until the subject is resolved; validation needs a well-formed id here.
    subjectId: subject?.id ?? 'pending',
    category: (category ?? '') as RecordCategoryCode,
    polarity: (polarity ?? '') as Polarity,
    severity: severity as Severity | null,
    taxCreditGrade: taxCreditGrade as TaxCreditGrade | null,
    sourceDepartment: department,
    documentNumber: writtenNumber ?? '',
    decisionDate: date('decisionDate') ?? '',
    validUntil: date('validUntil'),
    // Stored with LF line ends, whichever the row's spreadsheet wrote (`sameValue` compares older CRLF ones).
    summary: withLfLineEnds(text('summary') ?? ''),
  };
  for (const found of validateCreditRecord(draft, today)) {
    if (found.field === 'recordedAt' || found.field === 'status') continue;
    // An omitted polarity is derived from the category, or from a tax record's grade: with no
    // known category, or no valid grade, that problem is the one to report.
    if (found.field === 'polarity' && polarity === null && (!known || known.code === 'TAX_CREDIT_GRADE')) continue;
    problem(rowFieldOf(found.field, subject), found.message, ErrorCode.BAD_USER_INPUT, found.details);
  }
  return { documentNumber, writtenNumber, subject, draft, problems };
}
