import {
  USCC_ALPHABET,
  chinaToday,
  citizenIdNumber,
  detectIdentifierKind,
  maskCitizenIdNumber,
  normaliseIdentifier,
  organisationCodeCheckCharacter,
  unifiedSocialCreditCode,
  validateCitizenIdNumber,
  validateUnifiedSocialCreditCode,
  type IdentifierProblem,
} from '../../lib/identifiers';

const BEIDAIHE = '130304';

/** Small seeded PRNG so the property tests are reproducible. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick(rand: () => number, alphabet: string): string {
  return alphabet[Math.floor(rand() * alphabet.length)];
}

function replaceAt(s: string, index: number, ch: string): string {
  return s.slice(0, index) + ch + s.slice(index + 1);
}

function randomUscc(rand: () => number): string {
  let division = '';
  for (let i = 0; i < 6; i++) division += pick(rand, '0123456789');
  let organisationBody = '';
  for (let i = 0; i < 8; i++) organisationBody += pick(rand, USCC_ALPHABET);
  return unifiedSocialCreditCode({
    authority: pick(rand, USCC_ALPHABET),
    orgType: pick(rand, USCC_ALPHABET),
    division,
    organisationBody,
  });
}

function randomCitizenId(rand: () => number): string {
  let division = '';
  for (let i = 0; i < 6; i++) division += pick(rand, '0123456789');
  // 1900-01-01 .. 2020-12-31, always in the past.
  const start = Date.UTC(1900, 0, 1);
  const end = Date.UTC(2020, 11, 31);
  const birthDate = new Date(start + Math.floor(rand() * (end - start))).toISOString().slice(0, 10).replace(/-/g, '');
  let sequence = '';
  for (let i = 0; i < 3; i++) sequence += pick(rand, '0123456789');
  return citizenIdNumber({ division, birthDate, sequence });
}

describe('validateUnifiedSocialCreditCode', () => {
  it.each([
    ['real example from the standard literature', '914403001922038216'],
    // Literals computed independently of the generator, for Beidaihe District.
    ['generated enterprise code for Beidaihe', '91130304MA0FXY3B2M'],
    ['generated public-institution code for Beidaihe', '12130304401234561P'],
    ['generator output for Beidaihe', unifiedSocialCreditCode({ authority: '9', orgType: '1', division: BEIDAIHE, organisationBody: 'MA0GQ7K1' })],
  ])('accepts a valid code (%s: %s)', (_label, code) => {
    expect(validateUnifiedSocialCreditCode(code)).toEqual({ valid: true });
  });

  it.each<[string, string, IdentifierProblem, string]>([
    ['17 characters', '91440300192203821', 'WRONG_LENGTH', 'expected an 18-character unified social credit code, got 17 characters'],
    ['19 characters', '9144030019220382160', 'WRONG_LENGTH', 'expected an 18-character unified social credit code, got 19 characters'],
    ['empty string', '', 'WRONG_LENGTH', 'expected an 18-character unified social credit code, got 0 characters'],
    ['lower-case letter', '91130304ma0fxy3b2m', 'LOWER_CASE', 'expected upper-case characters only, got lower-case "m" at position 9'],
    ['forbidden letter I', '91130304MA0FXY3I2M', 'FORBIDDEN_CHARACTER', 'at position 16'],
    ['forbidden letter O', '91130304MA0FXY3O2M', 'FORBIDDEN_CHARACTER', 'got "O"'],
    ['forbidden letter Z', '91130304MA0FXY3Z2M', 'FORBIDDEN_CHARACTER', 'got "Z"'],
    ['forbidden letter S', '91130304MA0FXY3S2M', 'FORBIDDEN_CHARACTER', 'got "S"'],
    ['forbidden letter V', '91130304MA0FXY3V2M', 'FORBIDDEN_CHARACTER', 'got "V"'],
    ['lower-case forbidden letter is forbidden, not merely lower case', '91130304MA0FXY3i2M', 'FORBIDDEN_CHARACTER', 'got "i"'],
    ['punctuation', '91130304MA0FXY-B2M', 'FORBIDDEN_CHARACTER', 'got "-"'],
    ['non-digit division', '91A30304MA0FXY3B2M', 'INVALID_DIVISION', 'got "A30304"'],
    ['organisation code check wrong', '914403001922038226', 'INVALID_ORGANISATION_CODE', 'organisation code check character (position 17) should be 1, got 2'],
    ['overall check wrong', '914403001922038215', 'WRONG_CHECK_CHARACTER', 'check character should be 6, got 5'],
  ])('rejects %s', (_label, code, problem, messagePart) => {
    const result = validateUnifiedSocialCreditCode(code);
    expect(result.valid).toBe(false);
    expect(result.problem).toBe(problem);
    expect(result.message).toContain(messagePart);
  });

  it('checks length before characters, and reports a lower-case forbidden letter as forbidden', () => {
    expect(validateUnifiedSocialCreditCode('91440300192203821i').problem).toBe('FORBIDDEN_CHARACTER');
    expect(validateUnifiedSocialCreditCode('9144030019220382i').problem).toBe('WRONG_LENGTH');
  });

  it('fails when any single character of 200 generated codes is changed to another alphabet character', () => {
    const rand = mulberry32(32100);
    const survivors: string[] = [];
    let mutations = 0;
    for (let n = 0; n < 200; n++) {
      const code = randomUscc(rand);
      expect(validateUnifiedSocialCreditCode(code)).toEqual({ valid: true });
      for (let i = 0; i < code.length; i++) {
        for (const ch of USCC_ALPHABET) {
          if (ch === code[i]) continue;
          const mutated = replaceAt(code, i, ch);
          mutations++;
          if (validateUnifiedSocialCreditCode(mutated).valid) survivors.push(`${code} -> ${mutated}`);
        }
      }
    }
    expect(mutations).toBe(200 * 18 * 30);
    expect(survivors).toEqual([]);
  });
});

// A code or number copied as a page groups it: the space is what is wrong, not the length it makes.
describe('a code or number with a space within', () => {
  it.each([
    ['a credit code', () => validateUnifiedSocialCreditCode('911303 04MA0B DH0126'), 7],
    ['a citizen ID number', () => validateCitizenIdNumber('110105 19491231 002X'), 7],
    ['a citizen ID number with a tab', () => validateCitizenIdNumber('11010519491231\t002X'), 15],
  ])('names %s’s space at its position, FORBIDDEN_CHARACTER', (_label, validate, position) => {
    expect(validate()).toEqual({ valid: false, problem: 'FORBIDDEN_CHARACTER', message: `expected no spaces, got one at position ${position}: type it without spaces` });
  });
});

// A code or number pasted with a character that does not show (U+200B, U+2060, a soft hyphen, a
// byte order mark): a clerk counts 18 characters and finds nothing to fix in its length, so the
// character is named, with where it is.
describe('a code or number with an invisible character within', () => {
  it.each([
    ['a credit code ending in a zero-width space', () => validateUnifiedSocialCreditCode('91130304MA0FXY3B2M\u200b'), 19, 'U+200B, a format character, drawn as nothing'],
    ['a credit code with a soft hyphen', () => validateUnifiedSocialCreditCode('91130304\u00adMA0FXY3B2M'), 9, 'U+00AD, a format character, drawn as nothing'],
    ['a citizen ID number with a word joiner', () => validateCitizenIdNumber('110105\u206019491231002X'), 7, 'U+2060, a format character, drawn as nothing'],
    // JavaScript counts U+FEFF as a space (\s): it is named as what it is, not as a space.
    ['a citizen ID number with a byte order mark', () => validateCitizenIdNumber('11010519491231\ufeff002X'), 15, 'U+FEFF, a format character, drawn as nothing'],
  ])('names %s, and its position, FORBIDDEN_CHARACTER', (_label, validate, position, named) => {
    expect(validate()).toEqual({ valid: false, problem: 'FORBIDDEN_CHARACTER', message: `expected no invisible characters, got one at position ${position}, ${named}: type it rather than paste it` });
  });

  it('names the first of a space and an invisible character, whichever comes first', () => {
    expect(validateUnifiedSocialCreditCode('911303\u200b04MA0B DH0126').message).toContain('got one at position 7, U+200B');
    expect(validateUnifiedSocialCreditCode('911303 04MA0B\u200bDH0126').message).toBe('expected no spaces, got one at position 7: type it without spaces');
  });

  // The kind a code was meant to be is read from the characters a clerk counts: a person's number
  // pasted with U+200B, or copied in groups, is told as a citizen ID number, not as a credit code.
  it.each([
    ['a zero-width space', '11010519491231002X\u200b'],
    ['a word joiner', '110105\u206019491231002X'],
    ['spaces', '110105 19491231 002X'],
  ])('reads a citizen ID number with %s as one', (_label, code) => {
    expect(detectIdentifierKind(code)).toBe('CITIZEN_ID_NUMBER');
  });
});

describe('unifiedSocialCreditCode', () => {
  it.each([
    [{ authority: '9', orgType: '1', division: '440300', organisationBody: '19220382' }, '914403001922038216'],
    [{ authority: '9', orgType: '1', division: BEIDAIHE, organisationBody: 'MA0FXY3B' }, '91130304MA0FXY3B2M'],
    [{ authority: '1', orgType: '2', division: BEIDAIHE, organisationBody: '40123456' }, '12130304401234561P'],
  ])('builds %j as %s', (parts, expected) => {
    expect(unifiedSocialCreditCode(parts)).toBe(expected);
  });

  it.each([
    ['authority outside the alphabet', { authority: 'I', orgType: '1', division: BEIDAIHE, organisationBody: 'MA0FXY3B' }],
    ['two-character org type', { authority: '9', orgType: '11', division: BEIDAIHE, organisationBody: 'MA0FXY3B' }],
    ['non-digit division', { authority: '9', orgType: '1', division: '13030A', organisationBody: 'MA0FXY3B' }],
    ['seven-character body', { authority: '9', orgType: '1', division: BEIDAIHE, organisationBody: 'MA0FXY3' }],
    ['body with a forbidden letter', { authority: '9', orgType: '1', division: BEIDAIHE, organisationBody: 'MA0FXYSB' }],
  ])('refuses to build from %s', (_label, parts) => {
    expect(() => unifiedSocialCreditCode(parts)).toThrow(RangeError);
  });

  it('round-trips 200 generated codes through the validator', () => {
    const rand = mulberry32(11714);
    for (let n = 0; n < 200; n++) {
      const code = randomUscc(rand);
      expect([code, validateUnifiedSocialCreditCode(code)]).toEqual([code, { valid: true }]);
    }
  });
});

describe('organisationCodeCheckCharacter', () => {
  // Expected values worked by hand: Σ = Σ value·weight (weights 3,7,9,10,5,8,4,2),
  // check = 11 − (Σ mod 11), with 10 -> X and 11 -> 0.
  it.each([
    ['19220382', '1'], // from the real code 914403001922038216
    ['00000000', '0'], // Σ = 0 -> 11 -> '0'
    ['D0000000', '5'], // D = 13: 13·3 = 39 ≡ 6 -> 5
    ['00030000', '3'], // 3·10 = 30 ≡ 8 -> 3
    ['00010000', '1'], // 1·10 = 10 -> 1
    ['00100001', '0'], // 1·9 + 1·2 = 11 ≡ 0 -> 11 -> '0'
    ['00000010', '7'], // 1·4 = 4 -> 7
    ['00009000', 'X'], // 9·5 = 45 ≡ 1 -> 10 -> 'X'
  ])('gives %s the check character %s', (body, expected) => {
    expect(organisationCodeCheckCharacter(body)).toBe(expected);
  });
});

describe('validateCitizenIdNumber', () => {
  const now = new Date('2024-06-15T04:00:00Z'); // 2024-06-15 12:00 in China

  it.each([
    ['example from GB 11643-1999', '11010519491231002X'],
    // Literals computed independently of the generator, for Beidaihe District.
    ['generated Beidaihe resident', '130304198506121238'],
    ['generated Beidaihe resident born on a leap day', '130304200002290046'],
    ['generator output for Beidaihe', citizenIdNumber({ division: BEIDAIHE, birthDate: '19900101', sequence: '007' })],
    ['born on 1900-01-01', citizenIdNumber({ division: BEIDAIHE, birthDate: '19000101', sequence: '001' })],
    ['born today', citizenIdNumber({ division: BEIDAIHE, birthDate: '20240615', sequence: '001' })],
  ])('accepts a valid number (%s: %s)', (_label, id) => {
    expect(validateCitizenIdNumber(id, { now })).toEqual({ valid: true });
  });

  it.each<[string, string, IdentifierProblem, string]>([
    ['17 characters', '11010519491231002', 'WRONG_LENGTH', 'expected an 18-character citizen ID number, got 17 characters'],
    ['19 characters', '11010519491231002X0', 'WRONG_LENGTH', 'expected an 18-character citizen ID number, got 19 characters'],
    ['lower-case x', '11010519491231002x', 'LOWER_CASE', 'got lower-case "x" at position 18'],
    ['a letter other than X', '1101051949123100A2', 'FORBIDDEN_CHARACTER', 'got "A" at position 17'],
    ['X inside the sequence code', '1101051949123100X2', 'FORBIDDEN_CHARACTER', 'position 17'],
    ['whitespace', ' 1010519491231002X', 'FORBIDDEN_CHARACTER', 'expected no spaces, got one at position 1'],
    ['non-digit division', '13030X198506121238', 'INVALID_DIVISION', 'got "13030X"'],
    ['30 February', '130304202302300011', 'INVALID_BIRTH_DATE', 'got "20230230"'],
    ['29 February in a non-leap year', '130304190002290011', 'INVALID_BIRTH_DATE', 'got "19000229"'],
    ['month 13', '130304198513011234', 'INVALID_BIRTH_DATE', 'got "19851301"'],
    ['X inside the birth date', '1303041985X6121238', 'INVALID_BIRTH_DATE', 'got "1985X612"'],
    ['birth date before 1900', '130304189912311234', 'INVALID_BIRTH_DATE', 'on or after 19000101, got 18991231'],
    ['birth date tomorrow (China time)', '130304202406160011', 'INVALID_BIRTH_DATE', 'not after today (20240615), got 20240616'],
    ['birth date far in the future', '130304209901010011', 'INVALID_BIRTH_DATE', 'got 20990101'],
    ['wrong check digit', '130304198506121239', 'WRONG_CHECK_CHARACTER', 'check character should be 8, got 9'],
    ['X where a digit is due', '13030419850612123X', 'WRONG_CHECK_CHARACTER', 'check character should be 8, got X'],
    ['digit where X is due', '110105194912310021', 'WRONG_CHECK_CHARACTER', 'check character should be X, got 1'],
  ])('rejects %s', (_label, id, problem, messagePart) => {
    const result = validateCitizenIdNumber(id, { now });
    expect(result.valid).toBe(false);
    expect(result.problem).toBe(problem);
    expect(result.message).toContain(messagePart);
  });

  it('uses China time for "today": 2024-06-15 20:00 UTC is already the 16th in China', () => {
    const id = citizenIdNumber({ division: BEIDAIHE, birthDate: '20240616', sequence: '001' });
    expect(validateCitizenIdNumber(id, { now: new Date('2024-06-15T15:59:59Z') }).problem).toBe('INVALID_BIRTH_DATE');
    expect(validateCitizenIdNumber(id, { now: new Date('2024-06-15T16:00:00Z') })).toEqual({ valid: true });
  });

  it('rejects a birth date after the real today when no clock is injected', () => {
    const tomorrow = chinaToday(new Date(Date.now() + 24 * 60 * 60 * 1000));
    const first17 = BEIDAIHE + tomorrow + '001';
    const result = validateCitizenIdNumber(first17 + '0');
    expect(result.problem).toBe('INVALID_BIRTH_DATE');
  });

  it('fails when any single character of 200 generated numbers is changed to another digit (or X at position 18)', () => {
    const rand = mulberry32(11643);
    const survivors: string[] = [];
    for (let n = 0; n < 200; n++) {
      const id = randomCitizenId(rand);
      expect(validateCitizenIdNumber(id)).toEqual({ valid: true });
      for (let i = 0; i < id.length; i++) {
        const alphabet = i === 17 ? '0123456789X' : '0123456789';
        for (const ch of alphabet) {
          if (ch === id[i]) continue;
          const mutated = replaceAt(id, i, ch);
          if (validateCitizenIdNumber(mutated).valid) survivors.push(`${id} -> ${mutated}`);
        }
      }
    }
    expect(survivors).toEqual([]);
  });
});

describe('citizenIdNumber', () => {
  it.each([
    [{ division: '110105', birthDate: '19491231', sequence: '002' }, '11010519491231002X'],
    [{ division: BEIDAIHE, birthDate: '19850612', sequence: '123' }, '130304198506121238'],
    [{ division: BEIDAIHE, birthDate: '20000229', sequence: '004' }, '130304200002290046'],
  ])('builds %j as %s', (parts, expected) => {
    expect(citizenIdNumber(parts)).toBe(expected);
  });

  it.each([
    ['non-digit division', { division: '13030A', birthDate: '19850612', sequence: '123' }],
    ['impossible date', { division: BEIDAIHE, birthDate: '20230230', sequence: '123' }],
    ['future date', { division: BEIDAIHE, birthDate: '20990101', sequence: '123' }],
    ['two-digit sequence', { division: BEIDAIHE, birthDate: '19850612', sequence: '12' }],
  ])('refuses to build from %s', (_label, parts) => {
    expect(() => citizenIdNumber(parts)).toThrow(RangeError);
  });

  it('round-trips 200 generated numbers through the validator', () => {
    const rand = mulberry32(1999);
    for (let n = 0; n < 200; n++) {
      const id = randomCitizenId(rand);
      expect([id, validateCitizenIdNumber(id)]).toEqual([id, { valid: true }]);
    }
  });
});

describe('maskCitizenIdNumber', () => {
  it.each([
    ['130304198506121238', '1303**********1238'],
    ['11010519491231002X', '1101**********002X'],
    // Short or malformed input must not be revealed by "keep 4 + 4".
    ['12345678', '********'],
    ['', ''],
    ['123456789', '1234*6789'],
  ])('masks %s as %s', (id, expected) => {
    expect(maskCitizenIdNumber(id)).toBe(expected);
  });
});

describe('normaliseIdentifier', () => {
  it.each([
    ['  11010519491231002x \n', '11010519491231002X'],
    ['91130304ma0fxy3b2m', '91130304MA0FXY3B2M'],
    // An input method in full-width mode: digits, letters and the ideographic space fold.
    ['\u3000１１０１０５１９４９１２３１００２ｘ\u3000', '11010519491231002X'],
    ['９１１３０３０４ＭＡ０ＦＸＹ３Ｂ２Ｍ', '91130304MA0FXY3B2M'],
  ])('turns %j into the canonical %s', (input, expected) => {
    expect(normaliseIdentifier(input)).toBe(expected);
  });

  it('lets a lower-case citizen ID pass once normalised', () => {
    expect(validateCitizenIdNumber('11010519491231002x').problem).toBe('LOWER_CASE');
    expect(validateCitizenIdNumber(normaliseIdentifier('11010519491231002x'))).toEqual({ valid: true });
  });

  it('lets a code typed in full width pass once normalised, and a full-width hyphen inside is refused as the hyphen it is', () => {
    expect(validateCitizenIdNumber(normaliseIdentifier('１１０１０５１９４９１２３１００２Ｘ'))).toEqual({ valid: true });
    expect(validateUnifiedSocialCreditCode(normaliseIdentifier('９１４４０３００１９２２０３８２１６'))).toEqual({ valid: true });
    expect(validateUnifiedSocialCreditCode(normaliseIdentifier('9144030019220382１6'))).toEqual({ valid: true });
    expect(validateCitizenIdNumber(normaliseIdentifier('110105－19491231002'))).toMatchObject({ problem: 'FORBIDDEN_CHARACTER', message: 'expected only digits and a trailing X, got "-" at position 7' });
  });
});

describe('detectIdentifierKind', () => {
  it.each([
    ['11010519491231002X', 'CITIZEN_ID_NUMBER'],
    ['11010519491231002x', 'CITIZEN_ID_NUMBER'],
    ['130304198506121238', 'CITIZEN_ID_NUMBER'],
    // Citizen shape with a wrong check digit is still routed to the citizen validator.
    ['130304198506121239', 'CITIZEN_ID_NUMBER'],
    ['914403001922038216', 'UNIFIED_SOCIAL_CREDIT_CODE'],
    ['91130304MA0FXY3B2M', 'UNIFIED_SOCIAL_CREDIT_CODE'],
    ['１１０１０５１９４９１２３１００２Ｘ', 'CITIZEN_ID_NUMBER'],
    ['９１４４０３００１９２２０３８２１６', 'UNIFIED_SOCIAL_CREDIT_CODE'],
  ] as const)('classifies %s as %s', (code, kind) => {
    expect(detectIdentifierKind(code)).toBe(kind);
  });

  // A division and a birth year where a citizen ID number has them: a person's number, mistyped
  // or forged in its month or day, whose problem is the birth date rather than a credit code's.
  it.each([
    ['month 13, check character computed over it', '110105194913310021'],
    ['month 13, wrong check character', '11010519491331002X'],
    ['month 13, lower-case x', '11010519491331002x'],
    ['30 February', '130304202302300011'],
    ['day 32', '130304198501321238'],
  ])('routes a citizen ID number with an impossible birth date (%s: %s) to the citizen validator, which names the birth date', (_label, code) => {
    expect(detectIdentifierKind(code)).toBe('CITIZEN_ID_NUMBER');
    const result = validateCitizenIdNumber(normaliseIdentifier(code));
    expect(result.problem).toBe('INVALID_BIRTH_DATE');
    expect(result.message).toContain(`birth date YYYYMMDD at positions 7–14, got "${code.slice(6, 14)}"`);
  });

  // Of another length a code is neither kind: it is told of its length as the kind it was meant to
  // be. Digits beginning with a division and a birth year, or a 15-digit number of before 1999,
  // are a person's number (13030419730413001 has lost a character), not a credit code of 17.
  it.each([
    ['17 digits, the check character left out', '13030419730413001', 17],
    ['17 digits typed in full width', '１３０３０４１９７３０４１３００１', 17],
    ['16 digits', '1101051949123100', 16],
    ['17 characters ending in X', '1101051949123102X', 17],
    ['19 digits, one typed twice', '1303041973304130019', 19],
    ['15 digits, a number of before 1999', '130304730413001', 15],
  ])('routes a citizen ID number of the wrong length (%s: %s) to the citizen validator, which names its length', (_label, code, length) => {
    expect(detectIdentifierKind(code)).toBe('CITIZEN_ID_NUMBER');
    expect(validateCitizenIdNumber(normaliseIdentifier(code))).toEqual({ valid: false, problem: 'WRONG_LENGTH', message: `expected an 18-character citizen ID number, got ${length} characters` });
  });

  it.each([
    ['a credit code of 17 characters', '91440300192203821'],
    ['an all-digit public institution code of 17, 0440 no birth year', '12130304401234609'],
    ['an enterprise code of 19 characters', '9144030019220382160'],
    ['a code with letters, of 17', '91130304MA0FXY3B2'],
    ['digits under no province', '99000019730413001'],
    ['a department code', 'FINANCE'],
    ['nothing', ''],
  ])('keeps %s (%s) a unified social credit code', (_label, code) => {
    expect(detectIdentifierKind(code)).toBe('UNIFIED_SOCIAL_CREDIT_CODE');
  });

  it.each([
    // An enterprise's all-digit code: 91 is no province.
    ['an enterprise code with a wrong check character', '914403001922038217'],
    // A public institution (12) of Beidaihe with an old all-digit organisation code: 12 is also
    // Tianjin's division, but positions 7–10 (0440) are no birth year.
    ['a public institution code with a wrong check character', '121303044012346091'],
    ['a citizen-shaped code under no province, with no real date', '990000000000000000'],
  ])('keeps %s (%s) a unified social credit code', (_label, code) => {
    expect(detectIdentifierKind(code)).toBe('UNIFIED_SOCIAL_CREDIT_CODE');
  });

  // Both are valid all-digit USCCs (division 300019, body 850612xx) whose
  // positions 7–14 read as the real date 19850612.
  it.each([
    ['passes only the USCC check', '123000198506120385', 'UNIFIED_SOCIAL_CREDIT_CODE'],
    ['passes both checks, so stays a citizen ID', '123000198506121691', 'CITIZEN_ID_NUMBER'],
  ] as const)('breaks the tie for an all-digit code that %s (%s)', (_label, code, kind) => {
    expect(validateUnifiedSocialCreditCode(code)).toEqual({ valid: true });
    expect(detectIdentifierKind(code)).toBe(kind);
  });
});
