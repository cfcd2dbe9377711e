/**
 * Unified social credit code (统一社会信用代码), GB 32100-2015.
 *
 * Layout (1-based positions):
 *   1      registration authority (登记管理部门代码)
 *   2      organisation type (机构类别代码)
 *   3–8    administrative division (登记管理机关行政区划码), 6 digits
 *   9–17   GB 11714 organisation code (组织机构代码): 8-character body + check
 *   18     overall check character
 *
 * The authority / organisation-type tables are deliberately not checked: they
 * are maintained by the registration authorities and have grown over time, so
 * hard-coding them would reject codes that are genuinely issued. The same goes
 * for the division table (only the "6 digits" shape is checked).
 */

import { firstInvisibleCharacter } from '../text';

export type IdentifierProblem =
  | 'WRONG_LENGTH'
  | 'LOWER_CASE'
  | 'FORBIDDEN_CHARACTER'
  | 'INVALID_DIVISION'
  | 'INVALID_BIRTH_DATE'
  | 'WRONG_CHECK_CHARACTER'
  | 'INVALID_ORGANISATION_CODE';

export interface IdentifierValidation {
  valid: boolean;
  problem?: IdentifierProblem;
  /** States the contract and what was received, for operators and API clients. */
  message?: string;
}

/** The 31 symbols of GB 32100; I, O, S, V and Z are excluded to avoid confusion with 1, 0, 5, U and 2. */
export const USCC_ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';

export const USCC_LENGTH = 18;

/** 3^(i-1) mod 31 for i = 1..17, as tabulated in GB 32100-2015. */
const USCC_WEIGHTS: readonly number[] = Array.from({ length: 17 }, (_, i) => {
  let w = 1;
  for (let k = 0; k < i; k++) w = (w * 3) % 31;
  return w;
});

const ORGANISATION_CODE_WEIGHTS: readonly number[] = [3, 7, 9, 10, 5, 8, 4, 2];

const DIVISION_PATTERN = /^[0-9]{6}$/;

function fail(problem: IdentifierProblem, message: string): IdentifierValidation {
  return { valid: false, problem, message };
}

/**
 * GB 11714 check character for an 8-character organisation-code body.
 * Letters are valued A=10..Z=35 (i.e. base-36 digits), independent of the
 * 31-symbol USCC alphabet.
 */
export function organisationCodeCheckCharacter(body: string): string {
  if (!/^[0-9A-Z]{8}$/.test(body)) {
    throw new RangeError(`expected an 8-character organisation code body of digits and upper-case letters, got ${JSON.stringify(body)}`);
  }
  let sum = 0;
  for (let i = 0; i < 8; i++) sum += parseInt(body[i], 36) * ORGANISATION_CODE_WEIGHTS[i];
  const c = 11 - (sum % 11);
  if (c === 10) return 'X';
  if (c === 11) return '0';
  return String(c);
}

/** GB 32100 check character over the first 17 characters (which must be in the alphabet). */
export function unifiedSocialCreditCodeCheckCharacter(first17: string): string {
  if (first17.length !== 17) {
    throw new RangeError(`expected the first 17 characters of a unified social credit code, got ${first17.length} characters`);
  }
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const value = USCC_ALPHABET.indexOf(first17[i]);
    if (value < 0) {
      throw new RangeError(`character ${JSON.stringify(first17[i])} at position ${i + 1} is not in the unified social credit code alphabet`);
    }
    sum += value * USCC_WEIGHTS[i];
  }
  return USCC_ALPHABET[(31 - (sum % 31)) % 31];
}

/**
 * A space inside a code or number, as copied from a page that prints it in groups (`911303
 * 04MA0B DH0126`), or a character that does not show, as a copy and paste brings along (U+200B,
 * U+2060, a soft hyphen, a byte order mark: lib/text.ts `firstInvisibleCharacter`), named as what
 * it is, with its position: by the length it makes (19 or 20 characters), a clerk who counts 18
 * does not find it. The first of them is named. Checked first, by both validators.
 */
export function blankWithin(code: string): IdentifierValidation | undefined {
  // JavaScript's \s counts the byte order mark (U+FEFF) a space; it shows as nothing, and is named so.
  const spaceAt = Array.from(code).findIndex((character) => character !== '\ufeff' && /\s/u.test(character)) + 1;
  const hidden = firstInvisibleCharacter(code);
  if (spaceAt > 0 && (!hidden || spaceAt <= hidden.position)) return fail('FORBIDDEN_CHARACTER', `expected no spaces, got one at position ${spaceAt}: type it without spaces`);
  if (hidden) return fail('FORBIDDEN_CHARACTER', `expected no invisible characters, got one at position ${hidden.position}, ${hidden.named}: type it rather than paste it`);
  return undefined;
}

/**
 * Validates a unified social credit code. Input must already be canonical
 * (no surrounding whitespace, upper case); see `normaliseIdentifier`.
 *
 * Checks run in a fixed order so each malformed input gets its most specific
 * problem: a space or an invisible character within, length, lower case, forbidden
 * characters, division, organisation code, overall check character.
 *
 * The embedded GB 11714 organisation-code check (position 17) IS enforced:
 * codes issued under GB 32100 embed a valid organisation code (the reference
 * example 914403001922038216 carries organisation code 19220382-1, whose check
 * is correct), so a mismatch indicates a typo rather than a legitimate code.
 */
export function validateUnifiedSocialCreditCode(code: string): IdentifierValidation {
  const blank = blankWithin(code);
  if (blank) return blank;
  if (code.length !== USCC_LENGTH) {
    return fail('WRONG_LENGTH', `expected an 18-character unified social credit code, got ${code.length} characters`);
  }

  // A lower-case letter whose upper-case form is legal is reported as LOWER_CASE
  // (fixable by normalising); a lower-case i/o/s/v/z is forbidden either way.
  for (let i = 0; i < code.length; i++) {
    const ch = code[i];
    if (ch >= 'a' && ch <= 'z' && USCC_ALPHABET.includes(ch.toUpperCase())) {
      return fail('LOWER_CASE', `expected upper-case characters only, got lower-case ${JSON.stringify(ch)} at position ${i + 1}`);
    }
  }

  for (let i = 0; i < code.length; i++) {
    const ch = code[i];
    if (!USCC_ALPHABET.includes(ch)) {
      return fail(
        'FORBIDDEN_CHARACTER',
        `expected only characters from ${USCC_ALPHABET}, got ${JSON.stringify(ch)} at position ${i + 1}`,
      );
    }
  }

  const division = code.slice(2, 8);
  if (!DIVISION_PATTERN.test(division)) {
    return fail('INVALID_DIVISION', `expected a 6-digit administrative division at positions 3–8, got ${JSON.stringify(division)}`);
  }

  const organisationBody = code.slice(8, 16);
  const expectedOrgCheck = organisationCodeCheckCharacter(organisationBody);
  if (code[16] !== expectedOrgCheck) {
    return fail(
      'INVALID_ORGANISATION_CODE',
      `organisation code check character (position 17) should be ${expectedOrgCheck}, got ${code[16]}`,
    );
  }

  const expectedCheck = unifiedSocialCreditCodeCheckCharacter(code.slice(0, 17));
  if (code[17] !== expectedCheck) {
    return fail('WRONG_CHECK_CHARACTER', `check character should be ${expectedCheck}, got ${code[17]}`);
  }

  return { valid: true };
}

/**
 * Builds a valid code from its parts, computing both check characters.
 * Deterministic, for demo data and tests; throws RangeError on malformed parts
 * rather than silently producing an invalid code.
 */
export function unifiedSocialCreditCode(parts: {
  authority: string;
  orgType: string;
  division: string;
  organisationBody: string;
}): string {
  const { authority, orgType, division, organisationBody } = parts;
  if (authority.length !== 1 || !USCC_ALPHABET.includes(authority)) {
    throw new RangeError(`expected a single registration-authority character from ${USCC_ALPHABET}, got ${JSON.stringify(authority)}`);
  }
  if (orgType.length !== 1 || !USCC_ALPHABET.includes(orgType)) {
    throw new RangeError(`expected a single organisation-type character from ${USCC_ALPHABET}, got ${JSON.stringify(orgType)}`);
  }
  if (!DIVISION_PATTERN.test(division)) {
    throw new RangeError(`expected a 6-digit administrative division, got ${JSON.stringify(division)}`);
  }
  // The body must also fit the USCC alphabet, otherwise the result could never validate.
  if (organisationBody.length !== 8 || [...organisationBody].some((ch) => !USCC_ALPHABET.includes(ch))) {
    throw new RangeError(`expected an 8-character organisation code body from ${USCC_ALPHABET}, got ${JSON.stringify(organisationBody)}`);
  }
  const first17 = authority + orgType + division + organisationBody + organisationCodeCheckCharacter(organisationBody);
  return first17 + unifiedSocialCreditCodeCheckCharacter(first17);
}
