import { foldedNumber, withoutInvisible } from '../text';
import { CITIZEN_ID_LENGTH, isPlausibleBirthDate, isPlausibleBirthYear, looksLikeDivision, validateCitizenIdNumber } from './citizen-id-number';
import { validateUnifiedSocialCreditCode, type IdentifierValidation } from './unified-social-credit-code';

export type { IdentifierProblem, IdentifierValidation } from './unified-social-credit-code';
export { USCC_ALPHABET, organisationCodeCheckCharacter, unifiedSocialCreditCode, validateUnifiedSocialCreditCode } from './unified-social-credit-code';
export { chinaToday, citizenIdNumber, maskCitizenIdNumber, validateCitizenIdNumber } from './citizen-id-number';

export type IdentifierKind = 'UNIFIED_SOCIAL_CREDIT_CODE' | 'CITIZEN_ID_NUMBER';

/**
 * Folds full-width and other compatibility forms (lib/text.ts `foldedNumber`: １３０３…Ｘ is
 * 1303…X), trims surrounding whitespace and upper-cases. The validators deliberately do not do
 * this themselves, so that stored identifiers are canonical; callers that accept user input
 * apply it first.
 */
export function normaliseIdentifier(input: string): string {
  return foldedNumber(input).toUpperCase();
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * An id typed as a UUID, as the platform writes every id it makes: in lower case (randomUUID,
 * timeOrderedId). A client's system may print one in upper case (a SQL Server uniqueidentifier),
 * an input method in full width, a copy and paste with spaces around it: it is that id all the
 * same. Null for text that reads as no UUID, which is left as sent.
 */
export function typedUuid(text: string): string | null {
  const folded = foldedNumber(text);
  return uuidPattern.test(folded) ? folded.toLowerCase() : null;
}

/**
 * A code typed in an optional argument (a department, a matter, a grade), read as every code typed
 * is (`normaliseIdentifier`: administrative_penalty or ＡＤＭＩＮＩＳＴＲＡＴＩＶＥ＿ＰＥＮＡＬＴＹ is
 * ADMINISTRATIVE_PENALTY); null when left out.
 */
export function optionalCode(typed: string | null | undefined): string | null {
  return typed === null || typed === undefined ? null : normaliseIdentifier(typed);
}

/**
 * Guesses which kind of identifier `code` is, to route it to a validator. `code` is read as
 * `normaliseIdentifier` makes it (full-width digits fold, a trailing x is X), and as a clerk
 * counts it: a space or a character that does not show within (U+200B, pasted along with it) is
 * left out of the guess, so that a person's number holding one is told of it as the citizen ID
 * number it is (the validators name it: `blankWithin`), not as a credit code of 19 characters.
 *
 * Rule: 18 characters of which the first 17 are digits and the last is a digit or X is a
 * citizen ID number when positions 7–14 hold a plausible birth date (real date, 1900..today), or
 * when positions 1–6 look like a division and 7–10 a birth year: a person's number whose month or
 * day is impossible must be told about its birth date, not about a credit code's check
 * characters. The birth year is what keeps a mistyped all-digit USCC of a public institution
 * (12…, Tianjin's division too) a USCC.
 *
 * An all-digit USCC can look like a citizen ID. For that ambiguous shape the
 * check characters break the tie: if it passes only the USCC validation it is a
 * USCC, otherwise it is a citizen ID.
 *
 * Of any other length, the code is neither, and is told of its length as the kind it was meant
 * to be: a citizen ID number when it is written as one (digits, an X only last) and begins as one
 * does (a division, then a birth year: 13030419730413001 has lost a character), or is a 15-digit
 * number of before 1999; a unified social credit code otherwise, whose validator then reports
 * the specific problem. Callers that already know the kind should call the validator directly.
 */
export function detectIdentifierKind(code: string): IdentifierKind {
  const canonical = withoutInvisible(normaliseIdentifier(code)).replace(/\s/gu, '');
  if (canonical.length !== CITIZEN_ID_LENGTH) {
    return beginsAsCitizenIdNumber(canonical) || isFirstGenerationIdNumber(canonical) ? 'CITIZEN_ID_NUMBER' : 'UNIFIED_SOCIAL_CREDIT_CODE';
  }
  const citizenShape = /^[0-9]{17}[0-9X]$/.test(canonical) && (isPlausibleBirthDate(canonical.slice(6, 14)) || beginsAsCitizenIdNumber(canonical));
  if (!citizenShape) return 'UNIFIED_SOCIAL_CREDIT_CODE';
  if (!validateCitizenIdNumber(canonical).valid && validateUnifiedSocialCreditCode(canonical).valid) {
    return 'UNIFIED_SOCIAL_CREDIT_CODE';
  }
  return 'CITIZEN_ID_NUMBER';
}

/**
 * `identifier` (normalised) checked as `kind`, by default the kind its shape reads as
 * (`detectIdentifierKind`): one reading of a typed code wherever one is checked.
 */
export function validateIdentifier(identifier: string, kind: IdentifierKind = detectIdentifierKind(identifier)): IdentifierValidation {
  return kind === 'CITIZEN_ID_NUMBER' ? validateCitizenIdNumber(identifier) : validateUnifiedSocialCreditCode(identifier);
}

/** Written as a citizen ID number (digits, an X only last) with a division and then a birth year where one has them. */
function beginsAsCitizenIdNumber(canonical: string): boolean {
  return /^[0-9]{10,}X?$/.test(canonical) && looksLikeDivision(canonical.slice(0, 6)) && isPlausibleBirthYear(canonical.slice(6, 10));
}

/** A first-generation citizen ID number (before 1999): 15 digits, a division and a birth date YYMMDD of the 1900s. */
function isFirstGenerationIdNumber(compact: string): boolean {
  return /^[0-9]{15}$/.test(compact) && looksLikeDivision(compact.slice(0, 6)) && isPlausibleBirthDate(`19${compact.slice(6, 12)}`);
}

/**
 * Whether text would be read as a person's citizen ID number: one (detectIdentifierKind), or one
 * written with full-width digits, spaces or hyphens, or a 15-digit number of before 1999 (a
 * division and a birth date YYMMDD). Only a person is named so: the platform masks such numbers,
 * and an organisation's id that reads as one would stand whole where a person's is masked.
 */
export function readsAsCitizenIdNumber(text: string): boolean {
  const compact = text.normalize('NFKC').replace(/[\s\-_.·\p{Cf}\p{Default_Ignorable_Code_Point}]/gu, '').toUpperCase();
  if (/^[0-9]{15}$/.test(compact)) return isFirstGenerationIdNumber(compact);
  return /^[0-9]{17}[0-9X]$/.test(compact) && detectIdentifierKind(compact) === 'CITIZEN_ID_NUMBER';
}

/**
 * Whether text holds a person's citizen ID number among other characters
 * (`130304199406220815@idp`, `CN-13030219900101106X`): a run of digits, as written, that reads as
 * one. Such text names a person as much as the number alone, and would show it whole where a
 * person's is masked. Digits split by separators are not joined: an organisation's id built of a
 * division code, a date and a serial (`BANK-130304-900101-123`) would read as a number of 1999.
 */
export function holdsCitizenIdNumber(text: string): boolean {
  return (text.normalize('NFKC').toUpperCase().match(/[0-9]{17}X|[0-9]+/g) ?? []).some(readsAsCitizenIdNumber);
}
