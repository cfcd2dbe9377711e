/**
 * Citizen identity number (公民身份号码), GB 11643-1999.
 *
 * Layout (1-based positions):
 *   1–6    administrative division of the registered residence, 6 digits
 *   7–14   birth date YYYYMMDD
 *   15–17  sequence code (odd for men, even for women — not checked here)
 *   18     ISO 7064 MOD 11-2 check character, 0–9 or X
 */

import { todayInDistrict } from '../calendar';
import { blankWithin, type IdentifierProblem, type IdentifierValidation } from './unified-social-credit-code';

export const CITIZEN_ID_LENGTH = 18;

const CHECK_CHARACTERS = '10X98765432';

/** 2^(18-i) mod 11 for i = 1..17. */
const WEIGHTS: readonly number[] = Array.from({ length: 17 }, (_, i) => {
  let w = 1;
  for (let k = 0; k < 17 - i; k++) w = (w * 2) % 11;
  return w;
});

const EARLIEST_BIRTH_DATE = '19000101';

/**
 * The province-level divisions of GB/T 2260 (71 is Taiwan), under which every citizen ID
 * number's division lies, and 81–83, the divisions of the residence permits for Hong Kong, Macao
 * and Taiwan residents, which are numbered like citizen ID numbers.
 */
const PROVINCE_CODES = new Set([
  '11', '12', '13', '14', '15',
  '21', '22', '23',
  '31', '32', '33', '34', '35', '36', '37',
  '41', '42', '43', '44', '45', '46',
  '50', '51', '52', '53', '54',
  '61', '62', '63', '64', '65',
  '71', '81', '82', '83',
]);

function fail(problem: IdentifierProblem, message: string): IdentifierValidation {
  return { valid: false, problem, message };
}

/** Today as YYYYMMDD in China Standard Time: birth dates are recorded in Chinese local time. */
export function chinaToday(now: Date = new Date()): string {
  return todayInDistrict(now).replace(/-/g, '');
}

/** True iff `yyyymmdd` is 8 digits forming a real calendar date (leap years included). */
export function isCalendarDate(yyyymmdd: string): boolean {
  if (!/^[0-9]{8}$/.test(yyyymmdd)) return false;
  const y = Number(yyyymmdd.slice(0, 4));
  const m = Number(yyyymmdd.slice(4, 6));
  const d = Number(yyyymmdd.slice(6, 8));
  const date = new Date(Date.UTC(2000, m - 1, d));
  // setUTCFullYear avoids Date.UTC's mapping of years 0–99 onto 1900–1999.
  date.setUTCFullYear(y, m - 1, d);
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

/** A real date, not before 1900-01-01 and not after today (China time). */
export function isPlausibleBirthDate(yyyymmdd: string, now: Date = new Date()): boolean {
  // Fixed-width digit strings compare correctly as strings.
  return isCalendarDate(yyyymmdd) && yyyymmdd >= EARLIEST_BIRTH_DATE && yyyymmdd <= chinaToday(now);
}

/**
 * True iff `division` is 6 digits under a province-level division: a division code by its look,
 * since the full table changes every year.
 */
export function looksLikeDivision(division: string): boolean {
  return /^[0-9]{6}$/.test(division) && PROVINCE_CODES.has(division.slice(0, 2));
}

/** A year from 1900 to this year (China time): what a birth date mistyped in its month or day still starts with. */
export function isPlausibleBirthYear(yyyy: string): boolean {
  return /^[0-9]{4}$/.test(yyyy) && yyyy >= EARLIEST_BIRTH_DATE.slice(0, 4) && yyyy <= chinaToday().slice(0, 4);
}

/** Check character for the first 17 digits. */
export function citizenIdCheckCharacter(first17: string): string {
  if (!/^[0-9]{17}$/.test(first17)) {
    throw new RangeError(`expected the first 17 digits of a citizen ID number, got ${JSON.stringify(first17)}`);
  }
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * WEIGHTS[i];
  return CHECK_CHARACTERS[sum % 11];
}

/**
 * Validates a citizen ID number. Input must already be canonical (no
 * surrounding whitespace, upper-case X); see `normaliseIdentifier`.
 *
 * Checks run in a fixed order so each malformed input gets its most specific
 * problem: a space or an invisible character within, length, lower case, forbidden
 * characters, division, birth date, check character. `options.now` exists so the "not in the
 * future" rule can be tested deterministically.
 */
export function validateCitizenIdNumber(id: string, options: { now?: Date } = {}): IdentifierValidation {
  const blank = blankWithin(id);
  if (blank) return blank;
  if (id.length !== CITIZEN_ID_LENGTH) {
    return fail('WRONG_LENGTH', `expected an 18-character citizen ID number, got ${id.length} characters`);
  }

  // Only a trailing x can be fixed by upper-casing; any other letter is forbidden.
  if (id[17] === 'x') {
    return fail('LOWER_CASE', 'expected an upper-case X as check character, got lower-case "x" at position 18');
  }

  // X is let through here wherever it appears, so that an X inside the division
  // or birth date is reported as INVALID_DIVISION / INVALID_BIRTH_DATE.
  for (let i = 0; i < id.length; i++) {
    const ch = id[i];
    if (!((ch >= '0' && ch <= '9') || ch === 'X')) {
      return fail('FORBIDDEN_CHARACTER', `expected only digits and a trailing X, got ${JSON.stringify(ch)} at position ${i + 1}`);
    }
  }

  const division = id.slice(0, 6);
  if (!/^[0-9]{6}$/.test(division)) {
    return fail('INVALID_DIVISION', `expected a 6-digit administrative division at positions 1–6, got ${JSON.stringify(division)}`);
  }

  const birthDate = id.slice(6, 14);
  if (!isCalendarDate(birthDate)) {
    return fail('INVALID_BIRTH_DATE', `expected a real birth date YYYYMMDD at positions 7–14, got ${JSON.stringify(birthDate)}`);
  }
  if (birthDate < EARLIEST_BIRTH_DATE) {
    return fail('INVALID_BIRTH_DATE', `expected a birth date on or after ${EARLIEST_BIRTH_DATE}, got ${birthDate}`);
  }
  const today = chinaToday(options.now);
  if (birthDate > today) {
    return fail('INVALID_BIRTH_DATE', `expected a birth date not after today (${today}), got ${birthDate}`);
  }

  const sequence = id.slice(14, 17);
  if (!/^[0-9]{3}$/.test(sequence)) {
    const offset = [...sequence].findIndex((ch) => ch === 'X');
    return fail('FORBIDDEN_CHARACTER', `expected a digit at position ${15 + offset} (X is only allowed at position 18), got "X"`);
  }

  const expected = citizenIdCheckCharacter(id.slice(0, 17));
  if (id[17] !== expected) {
    return fail('WRONG_CHECK_CHARACTER', `check character should be ${expected}, got ${id[17]}`);
  }

  return { valid: true };
}

/**
 * Builds a valid citizen ID number from its parts, computing the check
 * character. Deterministic (apart from rejecting future birth dates), for demo
 * data and tests; throws RangeError on parts that could not validate.
 */
export function citizenIdNumber(parts: { division: string; birthDate: string; sequence: string }): string {
  const { division, birthDate, sequence } = parts;
  if (!/^[0-9]{6}$/.test(division)) {
    throw new RangeError(`expected a 6-digit administrative division, got ${JSON.stringify(division)}`);
  }
  if (!isPlausibleBirthDate(birthDate)) {
    throw new RangeError(`expected a real birth date YYYYMMDD between ${EARLIEST_BIRTH_DATE} and today, got ${JSON.stringify(birthDate)}`);
  }
  if (!/^[0-9]{3}$/.test(sequence)) {
    throw new RangeError(`expected a 3-digit sequence code, got ${JSON.stringify(sequence)}`);
  }
  const first17 = division + birthDate + sequence;
  return first17 + citizenIdCheckCharacter(first17);
}

/**
 * Masks a citizen ID number for display and logs, keeping the first 4 and last
 * 4 characters ('1302**********123X'). It does not validate, because masking
 * must never be the reason personal data leaks: anything of 8 characters or
 * fewer is masked entirely, since keeping 4 + 4 would reveal all of it.
 */
export function maskCitizenIdNumber(id: string): string {
  const chars = [...id];
  if (chars.length <= 8) return '*'.repeat(chars.length);
  return chars.slice(0, 4).join('') + '*'.repeat(chars.length - 8) + chars.slice(-4).join('');
}
