import { isPlausibleBirthDate, validateCitizenIdNumber } from './citizen-id-number';
import { validateUnifiedSocialCreditCode } from './unified-social-credit-code';

export type { IdentifierProblem, IdentifierValidation } from './unified-social-credit-code';
export {
  USCC_ALPHABET,
  USCC_LENGTH,
  organisationCodeCheckCharacter,
  unifiedSocialCreditCode,
  unifiedSocialCreditCodeCheckCharacter,
  validateUnifiedSocialCreditCode,
} from './unified-social-credit-code';
export {
  CITIZEN_ID_LENGTH,
  chinaToday,
  citizenIdCheckCharacter,
  citizenIdNumber,
  isCalendarDate,
  isPlausibleBirthDate,
  maskCitizenIdNumber,
  validateCitizenIdNumber,
} from './citizen-id-number';

export type IdentifierKind = 'UNIFIED_SOCIAL_CREDIT_CODE' | 'CITIZEN_ID_NUMBER';

/**
 * Trims surrounding whitespace and upper-cases. The validators deliberately do
 * not do this themselves, so that stored identifiers are canonical; callers that
 * accept user input may apply it first.
 */
export function normaliseIdentifier(input: string): string {
  return input.trim().toUpperCase();
}

/**
 * Guesses which kind of identifier `code` is, to route it to a validator.
 *
 * Rule: after trimming, 18 characters of which the first 17 are digits and the
 * last is a digit or X/x, with a plausible birth date (real date, 1900..today)
 * at positions 7–14, is a citizen ID number; everything else (including inputs
 * of the wrong length) is treated as a unified social credit code, whose
 * validator then reports the specific problem.
 *
 * An all-digit USCC can look like a citizen ID. For that ambiguous shape the
 * check characters break the tie: if it passes only the USCC validation it is a
 * USCC, otherwise it is a citizen ID. Callers that already know the kind should
 * call the validator directly instead.
 */
export function detectIdentifierKind(code: string): IdentifierKind {
  const trimmed = code.trim();
  const citizenShape = /^[0-9]{17}[0-9Xx]$/.test(trimmed) && isPlausibleBirthDate(trimmed.slice(6, 14));
  if (!citizenShape) return 'UNIFIED_SOCIAL_CREDIT_CODE';
  const canonical = trimmed.toUpperCase();
  if (!validateCitizenIdNumber(canonical).valid && validateUnifiedSocialCreditCode(canonical).valid) {
    return 'UNIFIED_SOCIAL_CREDIT_CODE';
  }
  return 'CITIZEN_ID_NUMBER';
}
