import { departments, findDepartment } from '../../lib/catalogue/departments';
import {
  categoryRefusal,
  decidesCategory,
  findRecordCategory,
  recordCategories,
  restorableFrom,
  taxGradePolarity,
  type Polarity,
  type RecordCategoryCode,
  type Severity,
  type TaxCreditGrade,
} from '../../lib/catalogue/record-categories';
import { todayInDistrict } from '../../lib/calendar';
import { choiceProblem, quotedInput } from '../../lib/errors';
import { textProblem, type TextProblem } from '../../lib/text-input';
import { isIsoDate } from '../shared/scalars';
import type { StoredRecordStatus } from './entities/credit-record.entity';
import { illegibleText, writtenDocumentNumber } from '../../lib/text';

/** A credit record as a department submits it, before the platform adds id and disclosure end. */
export interface CreditRecordDraft {
  subjectId: string;
  category: RecordCategoryCode;
  polarity: Polarity;
  severity?: Severity | null;
  taxCreditGrade?: TaxCreditGrade | null;
  sourceDepartment: string;
  documentNumber: string;
  decisionDate: string;
  /** Last day the decision itself is in force (有效期至: a licence, an honour's term), when it has one. */
  validUntil?: string | null;
  /** Defaults to ACTIVE. EXPIRED is read, never written. */
  status?: StoredRecordStatus | null;
  summary: string;
  /** When the record entered the platform; checked against the decision date when given. */
  recordedAt?: Date | null;
}

/**
 * A date refused (README, Errors): `NOT_A_DATE`, or `OUT_OF_RANGE` with the bound it passed, the
 * `earliest` or the `latest` day it may be. Not `min` and `max`: `max` is a text's limit in
 * characters (`TOO_LONG`), a number, and one name means one thing wherever a detail is read.
 */
export type DateProblem = { problem: 'NOT_A_DATE' } | { problem: 'OUT_OF_RANGE'; earliest: string } | { problem: 'OUT_OF_RANGE'; latest: string };

/** A problem as a refusal tells it beside its words, each kind with its own details (a text's `max` or `character`). */
type WithoutReason<T> = T extends unknown ? Omit<T, 'reason'> : never;

/** One thing wrong with a draft: `field` names the draft property, `message` the rule and what was received. */
export interface CreditRecordProblem {
  field: keyof CreditRecordDraft;
  message: string;
  /**
   * What a front end switches on, for every rule (README, Errors): a text's (lib/text-input.ts
   * `TextProblem`, with `max` or `character`; a subject id's too), EMPTY for a required code left
   * out, NOT_A_CHOICE with the `choices` a form may offer (as lib/errors.ts `notAChoice` tells
   * them), NOT_APPLICABLE for a value the record's kind does not take, a date's `DateProblem`, and
   * TRANSITION_NOT_ALLOWED for a restoration the record does not allow (with `restorableFrom`
   * where only its day has not come, as `applyForRestoration` tells it).
   */
  details: WithoutReason<TextProblem> | ReturnType<typeof choiceProblem> | DateProblem | { problem: 'NOT_APPLICABLE' } | { problem: 'TRANSITION_NOT_ALLOWED'; restorableFrom?: string };
}

const polarities: readonly string[] = ['POSITIVE', 'NEGATIVE', 'NEUTRAL'];
const severities: readonly string[] = ['MINOR', 'GENERAL', 'SERIOUS'];
const taxCreditGrades: readonly string[] = Object.keys(taxGradePolarity);
const storedStatuses: readonly string[] = ['ACTIVE', 'OBJECTED', 'RESTORED', 'WITHDRAWN'];
/** A subject's id is a UUID the entities subgraph wrote: 36 characters. */
const maxSubjectIdLength = 36;
const maxDocumentNumberLength = 64;
const maxSummaryLength = 500;
/**
 * The founding of the People's Republic: no administrative organ whose decisions the platform
 * records decided earlier (and MySQL's DATE holds years from 1000 only).
 */
const earliestDecisionDate = '1949-10-01';

/**
 * Why a decision dated `decisionDate` cannot be that of a record that entered the platform at
 * `recordedAt`, or null: a department sends a decision once it is made, so the decision is dated
 * on or before the district day its record entered. A record keeps that day when it is corrected
 * (on an accepted objection, or re-submitted), so a corrected decision date is held to it too.
 */
export function decisionAfterEntry(decisionDate: string, recordedAt: Date): { reason: string; problem: 'OUT_OF_RANGE'; latest: string } | null {
  const enteredOn = todayInDistrict(recordedAt);
  if (decisionDate <= enteredOn) return null;
  return {
    reason: `the record entered the platform on ${enteredOn}, so its decision was made by then: the decision date must not be after ${enteredOn}, got ${decisionDate}`,
    problem: 'OUT_OF_RANGE',
    latest: enteredOn,
  };
}

/**
 * What is wrong with the id a record names its subject by, or undefined: blank (`EMPTY`) or longer
 * than an id is (`TOO_LONG`), told, and its characters counted, as every text's limit is
 * (`textProblem`). Whether a subject has it, intake asks.
 */
export function subjectIdProblem(subjectId: string): TextProblem | undefined {
  return textProblem(subjectId, maxSubjectIdLength, 'subjectId');
}

/**
 * What is wrong with a document number itself, or undefined: judged as it is kept written
 * (recordFromDraft), where full-width digits fold, and may fold into more characters (⑽ is （10）);
 * the number as compared (`foldedDocumentNumber`), which leaves out spaces and changes brackets one
 * for one, is never longer.
 */
export function documentNumberProblem(typed: string): string | undefined {
  return documentNumberFault(typed)?.reason;
}

/** `documentNumberProblem` in words and as a front end switches on it (`TextProblem`). */
function documentNumberFault(typed: string): TextProblem | undefined {
  const documentNumber = writtenDocumentNumber(typed);
  return textProblem(documentNumber, maxDocumentNumberLength, 'documentNumber', typed) ?? illegibleText('documentNumber', documentNumber);
}

/**
 * Every rule a credit record must satisfy before it is stored, as a list of problems (empty when
 * the draft is valid). Record intake reports them all at once; the seed asserts there are none.
 * `today` is the district's date (YYYY-MM-DD), so that tests and seeds can fix it.
 */
export function validateCreditRecord(draft: CreditRecordDraft, today: string): CreditRecordProblem[] {
  const problems: CreditRecordProblem[] = [];
  const problem = (field: keyof CreditRecordDraft, message: string, details: CreditRecordProblem['details']) => problems.push({ field, message, details });
  const textRefused = (field: keyof CreditRecordDraft, { reason, ...details }: TextProblem) => problem(field, reason, details);
  const notAChoice = (field: keyof CreditRecordDraft, message: string, choices: readonly string[]) => problem(field, message, choiceProblem(choices));
  const leftOut = (field: keyof CreditRecordDraft, message: string) => problem(field, message, { problem: 'EMPTY' });
  const notApplicable = (field: keyof CreditRecordDraft, message: string) => problem(field, message, { problem: 'NOT_APPLICABLE' });

  const subjectIdRefused = subjectIdProblem(draft.subjectId);
  if (subjectIdRefused) textRefused('subjectId', subjectIdRefused);

  const polarityKnown = polarities.includes(draft.polarity);
  if (!polarityKnown) notAChoice('polarity', `polarity must be POSITIVE, NEGATIVE or NEUTRAL, got ${quotedInput(draft.polarity)}`, polarities);
  const severity = draft.severity ?? null;
  const severityKnown = severity === null || severities.includes(severity);
  if (!severityKnown) notAChoice('severity', `severity must be MINOR, GENERAL or SERIOUS, got ${quotedInput(severity)}`, severities);

  const category = findRecordCategory(draft.category);
  // The categories a form offers its department: those it decides (a tax grade is the tax
  // bureau's); every one to a department the catalogue does not know, which is refused below.
  const departmentKnown = findDepartment(draft.sourceDepartment) !== undefined;
  const categoryChoices = () => recordCategories.filter((c) => !departmentKnown || decidesCategory(draft.sourceDepartment, c)).map((c) => c.code);
  if (!category) {
    notAChoice('category', `category must be a catalogue code such as ADMINISTRATIVE_PENALTY, got ${quotedInput(draft.category)}`, categoryChoices());
  } else {
    // What the category asks of a polarity or severity is asked of one the platform knows: one it
    // does not know is refused above, once, and not quoted again in a rule it cannot be judged by.
    if (polarityKnown && !category.polarities.includes(draft.polarity)) {
      notAChoice('polarity', `a ${category.code} record is ${category.polarities.join(' or ')}, got ${draft.polarity}`, category.polarities);
    }
    if (polarityKnown && severityKnown) {
      const severityRequired = category.severityRequired && draft.polarity === 'NEGATIVE';
      if (severityRequired && severity === null) {
        leftOut('severity', `a negative ${category.code} record needs a severity (MINOR, GENERAL or SERIOUS), got none`);
      } else if (!severityRequired && severity !== null) {
        notApplicable('severity', `severity applies only to negative records of categories that grade them, got ${severity} for a ${draft.polarity} ${category.code} record`);
      }
    }
    const grade = draft.taxCreditGrade ?? null;
    if (category.code === 'TAX_CREDIT_GRADE') {
      const needed = `a TAX_CREDIT_GRADE record needs a grade A, B, M, C or D, got ${quotedInput(grade)}`;
      if (grade === null) leftOut('taxCreditGrade', needed);
      else if (!Object.hasOwn(taxGradePolarity, grade)) notAChoice('taxCreditGrade', needed, taxCreditGrades);
      else if (polarityKnown && taxGradePolarity[grade] !== draft.polarity) {
        notAChoice('polarity', `a tax credit grade ${grade} record is ${taxGradePolarity[grade]}, got ${draft.polarity}`, [taxGradePolarity[grade]]);
      }
    } else if (grade !== null) {
      notApplicable('taxCreditGrade', `taxCreditGrade applies only to TAX_CREDIT_GRADE records, got ${quotedInput(grade)} for a ${category.code} record`);
    }
    // Named by the department, which is the submitter's own: intake and a correction report it on
    // the category, and these are its choices.
    const refusal = departmentKnown ? categoryRefusal(draft.sourceDepartment, category) : undefined;
    if (refusal) notAChoice('sourceDepartment', refusal, categoryChoices());
  }
  if (!departmentKnown) {
    notAChoice('sourceDepartment', `sourceDepartment must be a department code from the catalogue, got ${quotedInput(draft.sourceDepartment)}`, departments.map((d) => d.code));
  }

  const numberProblem = documentNumberFault(draft.documentNumber);
  if (numberProblem) textRefused('documentNumber', numberProblem);
  const summary = draft.summary.trim();
  const summaryLength = textProblem(summary, maxSummaryLength, 'summary', draft.summary);
  if (summaryLength) {
    textRefused('summary', summaryLength);
  } else {
    // Held to the rule of every text a person types (README, Errors), as an objection's reason is:
    // a summary is published as written, and one told from another by a U+200B alone re-sent an
    // old batch's row past the guard that keeps a correction made on an objection (record-intake).
    const illegible = illegibleText('summary', summary, 'prose');
    if (illegible) textRefused('summary', illegible);
  }

  const recordedAt = draft.recordedAt ?? null;
  const recordedOn = recordedAt === null || Number.isNaN(recordedAt.getTime()) ? undefined : todayInDistrict(recordedAt);
  const decisionDateValid = isIsoDate(draft.decisionDate);
  // A decision after the day its record entered is the decision date's fault, whichever path
  // brings it: a correction of a stored record, or a record stored with the day it entered.
  const decidedLater = recordedOn && decisionDateValid ? decisionAfterEntry(draft.decisionDate, recordedAt!) : null;
  if (!decisionDateValid) problem('decisionDate', `decisionDate must be a calendar date YYYY-MM-DD, got ${quotedInput(draft.decisionDate)}`, { problem: 'NOT_A_DATE' });
  else if (draft.decisionDate > today) problem('decisionDate', `decisionDate must not be after today (${today}), got ${draft.decisionDate}`, { problem: 'OUT_OF_RANGE', latest: today });
  else if (draft.decisionDate < earliestDecisionDate) problem('decisionDate', `decisionDate must not be before ${earliestDecisionDate}, got ${draft.decisionDate}`, { problem: 'OUT_OF_RANGE', earliest: earliestDecisionDate });
  else if (decidedLater) {
    const { reason, ...details } = decidedLater;
    problem('decisionDate', reason, details);
  }

  const validUntil = draft.validUntil ?? null;
  if (validUntil !== null) {
    if (!isIsoDate(validUntil)) problem('validUntil', `validUntil must be a calendar date YYYY-MM-DD, got ${quotedInput(validUntil)}`, { problem: 'NOT_A_DATE' });
    else if (decisionDateValid && validUntil < draft.decisionDate) {
      problem('validUntil', `validUntil (${validUntil}) must not be before the decision date (${draft.decisionDate})`, { problem: 'OUT_OF_RANGE', earliest: draft.decisionDate });
    }
  }

  if (recordedAt !== null) {
    if (!recordedOn) problem('recordedAt', 'recordedAt must be a valid instant', { problem: 'NOT_A_DATE' });
    else if (recordedOn > today) problem('recordedAt', `recordedAt must not be after today (${today}), got ${recordedOn}`, { problem: 'OUT_OF_RANGE', latest: today });
  }

  const status = draft.status ?? 'ACTIVE';
  if (!storedStatuses.includes(status)) {
    notAChoice('status', `status must be ACTIVE, OBJECTED, RESTORED or WITHDRAWN (EXPIRED follows from the disclosure end), got ${quotedInput(status)}`, storedStatuses);
  } else if (status === 'RESTORED' && polarityKnown) {
    if (draft.polarity !== 'NEGATIVE') problem('status', `only a negative record can be restored (信用修复), got a ${draft.polarity} record`, { problem: 'TRANSITION_NOT_ALLOWED' });
    else if (category && decisionDateValid) {
      const from = restorableFrom(category.code, severity, draft.decisionDate);
      if (from > today) problem('status', `this record can be restored from ${from} (its minimum disclosure period), not before; today is ${today}`, { problem: 'TRANSITION_NOT_ALLOWED', restorableFrom: from });
    }
  }
  return problems;
}
