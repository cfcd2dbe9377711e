import fs from 'node:fs';
import path from 'node:path';
import { buildSchema, getNamedType, GraphQLError, isInputObjectType } from 'graphql';
import { chosen, clientError, ErrorCode, InputProblems, maskUnexpectedErrors, maxMessageCharacters, maxQuotedCharacters, quotedInput, sendTheSameRequestAgain } from '../../lib/errors';
import { idempotencyKeyOf, optionalLine, optionalProse, optionalText, requiredLine, requiredProse, requiredText } from '../../lib/text-input';
import { projectRoot } from '../../lib/project-root';
import { kindNamed } from '../../subgraphs/audit/audit-filters';
import { supergraphPath } from '../../schema/subgraphs';

// Front ends switch on `extensions.code`: every code the platform answers with is in the README's table.
describe('the error codes', () => {
  it('are each documented in the README table a front end codes against', () => {
    const readme = fs.readFileSync(path.join(projectRoot, 'README.md'), 'utf8');
    const documented = new Set([...readme.matchAll(/^\| (`[A-Z_]+`(?:, `[A-Z_]+`)*) \|/gm)].flatMap((m) => m[1].split(', ').map((code) => code.slice(1, -1))));
    expect(Object.values(ErrorCode).filter((code) => !documented.has(code))).toEqual([]);
  });
});

// The advice for a mutation whose answer was lost names the mutations a retry makes anew without
// their idempotencyKey: a mutation that comes to take one joins them there.
describe('the advice to send a mutation again', () => {
  it('names as keyed the mutations whose input takes an idempotencyKey, and those only', () => {
    const mutations = Object.values(buildSchema(fs.readFileSync(supergraphPath, 'utf8')).getMutationType()!.getFields());
    const keyed = mutations.filter((mutation) =>
      mutation.args.some((arg) => {
        const type = getNamedType(arg.type);
        return arg.name === 'idempotencyKey' || (isInputObjectType(type) && 'idempotencyKey' in type.getFields());
      }),
    );
    expect(keyed.map((mutation) => mutation.name).sort()).toEqual(['generateCreditReport', 'runCreditCheck']);
    expect(sendTheSameRequestAgain).toContain('a check or a report generation only when sent with an idempotencyKey');
  });
});

// Messages quote the value refused: a 100 KB value was sent back whole, in every error about it.
describe('an error message quoting a long value', () => {
  const format = maskUnexpectedErrors(() => undefined);
  it(`goes out as at most ${maxMessageCharacters} characters in all, ending with how many it had, whole when shorter`, () => {
    const long = `grade must be one of the issuer's grades, got ${JSON.stringify('𠀀'.repeat(50_000))}`;
    const formatted = format({ message: long, extensions: { code: ErrorCode.BAD_USER_INPUT, field: 'grade' } }, new Error(long));
    const ending = `… (${Array.from(long).length} characters in all)`;
    expect(formatted.message).toBe(`${Array.from(long).slice(0, maxMessageCharacters - ending.length).join('')}${ending}`);
    expect(Array.from(formatted.message)).toHaveLength(maxMessageCharacters);
    expect(formatted.extensions).toEqual({ code: ErrorCode.BAD_USER_INPUT, field: 'grade' });
    // The gateway formats what a subgraph formatted: the message stays as the subgraph bounded it, counting the original.
    expect(format(formatted, new Error(formatted.message)).message).toBe(formatted.message);
    const short = 'grade must be one of the issuer’s grades, got "Z"';
    expect(format({ message: short, extensions: { code: ErrorCode.BAD_USER_INPUT } }, new Error(short)).message).toBe(short);
  });
});

// A batch's rejections and an error's extensions.problems quote the value each refuses, and no
// message cap bounds them: one 200 KB value sent in every field of 60 rows came back as 36 MB.
describe('a value refused, as a reason quotes it', () => {
  it('is quoted whole up to its limit, as JSON quotes it', () => {
    expect(quotedInput('UNKNOWN')).toBe('"UNKNOWN"');
    expect(quotedInput('a"b\n')).toBe('"a\\"b\\n"');
    expect(quotedInput('A'.repeat(maxQuotedCharacters))).toBe(JSON.stringify('A'.repeat(maxQuotedCharacters)));
    expect(quotedInput(null)).toBe('null');
    expect(quotedInput(1234)).toBe('1234');
    // What a reader does not see is written out: a refused value must not read as one that looks right.
    expect(quotedInput('\u200b2026-11-01')).toBe('"\\u200b2026-11-01"');
    expect(quotedInput('BDH\u202e1')).toBe('"BDH\\u202e1"');
  });

  it(`is quoted by its first ${maxQuotedCharacters} characters and how many it had when longer, counted as a reader counts them`, () => {
    expect(quotedInput('A'.repeat(200_000))).toBe(`"${'A'.repeat(maxQuotedCharacters)}"… (200000 characters in all)`);
    // 𠀀 is one character (two UTF-16 units), never cut in half.
    expect(quotedInput('𠀀'.repeat(100))).toBe(`"${'𠀀'.repeat(maxQuotedCharacters)}"… (100 characters in all)`);
    expect(quotedInput(['x'.repeat(100)])).toBe(`${JSON.stringify(['x'.repeat(100)]).slice(0, maxQuotedCharacters)}… (104 characters in all)`);
  });
});

/** The extensions of what `read` refused with; fails when it refused nothing. */
const refused = (read: () => unknown) => {
  try {
    read();
  } catch (error) {
    return (error as GraphQLError).extensions;
  }
  throw new Error('not refused');
};

// Optional text a person types (a provider's contact, a withdrawal's reason, a report's issuer):
// a cleared box is none, anything given is held to the rule of its required counterpart.
describe('optional text held to the legibility rule', () => {
  it.each([
    ['optionalLine', optionalLine],
    ['optionalProse', optionalProse],
  ] as const)('%s: blank is none, given is trimmed, too long or unreadable is BAD_USER_INPUT naming the field', (_, read) => {
    for (const none of [undefined, null, '', '  \u3000 ']) expect(read(none, 'reason', 10)).toBeNull();
    expect(read('  撤回  ', 'reason', 10)).toBe('撤回');
    expect(refused(() => read('字'.repeat(11), 'reason', 10))).toEqual({ code: ErrorCode.BAD_USER_INPUT, field: 'reason', problem: 'TOO_LONG', max: 10 });
    expect(refused(() => read('\u202e撤回', 'reason', 10))).toEqual({ code: ErrorCode.BAD_USER_INPUT, field: 'reason', problem: 'FORBIDDEN_CHARACTER', character: 'U+202E' });
    expect(refused(() => read('撤\u200b回', 'reason', 10))).toEqual({ code: ErrorCode.BAD_USER_INPUT, field: 'reason', problem: 'FORBIDDEN_CHARACTER', character: 'U+200B' });
  });
  it('a line may not run over lines; prose may', () => {
    expect(refused(() => optionalLine('第一行\n第二行', 'contact', 40))).toEqual({ code: ErrorCode.BAD_USER_INPUT, field: 'contact', problem: 'FORBIDDEN_CHARACTER', character: 'U+000A' });
    expect(optionalProse('第一行\n第二行', 'reason', 40)).toBe('第一行\n第二行');
  });
});

// README, Errors: a front end says what is wrong with a text in its own language from `problem`, never from the English.
describe('a text refused, as a front end switches on it', () => {
  it('blank is EMPTY, over its limit TOO_LONG with the limit, for required and optional text alike', () => {
    expect(refused(() => requiredText(' \u3000', 'name', 10))).toEqual({ code: ErrorCode.BAD_USER_INPUT, field: 'name', problem: 'EMPTY' });
    expect(refused(() => requiredLine('字'.repeat(11), 'name', 10))).toEqual({ code: ErrorCode.BAD_USER_INPUT, field: 'name', problem: 'TOO_LONG', max: 10 });
    expect(refused(() => optionalProse('字'.repeat(11), 'reason', 10))).toEqual({ code: ErrorCode.BAD_USER_INPUT, field: 'reason', problem: 'TOO_LONG', max: 10 });
  });
  it('a value that is no text where text is held is NOT_TEXT, as an intake file’s is', () => {
    expect(refused(() => optionalText(12, 'matter', 10))).toEqual({ code: ErrorCode.BAD_USER_INPUT, field: 'matter', problem: 'NOT_TEXT' });
    expect(refused(() => optionalLine({ text: '撤回' }, 'contact', 10))).toEqual({ code: ErrorCode.BAD_USER_INPUT, field: 'contact', problem: 'NOT_TEXT' });
    // Required or not: a number is no blank text, and left out it would be EMPTY.
    expect(refused(() => requiredText(12, 'actor', 10))).toEqual({ code: ErrorCode.BAD_USER_INPUT, field: 'actor', problem: 'NOT_TEXT' });
    expect(refused(() => requiredLine({ text: '撤回' }, 'name', 10))).toEqual({ code: ErrorCode.BAD_USER_INPUT, field: 'name', problem: 'NOT_TEXT' });
    expect(refused(() => requiredProse(['撤回'], 'reason', 10))).toEqual({ code: ErrorCode.BAD_USER_INPUT, field: 'reason', problem: 'NOT_TEXT' });
    expect(refused(() => requiredText(undefined, 'actor', 10))).toEqual({ code: ErrorCode.BAD_USER_INPUT, field: 'actor', problem: 'EMPTY' });
    expect(refused(() => requiredText(null, 'actor', 10))).toEqual({ code: ErrorCode.BAD_USER_INPUT, field: 'actor', problem: 'EMPTY' });
  });
  it('a character a reader does not see is FORBIDDEN_CHARACTER naming it; text without a letter or digit NO_LETTER_OR_DIGIT', () => {
    expect(refused(() => requiredLine('秦皇岛\u202e司公', 'name', 10))).toEqual({ code: ErrorCode.BAD_USER_INPUT, field: 'name', problem: 'FORBIDDEN_CHARACTER', character: 'U+202E' });
    expect(refused(() => requiredProse('中\u0301诚信', 'reason', 10))).toEqual({ code: ErrorCode.BAD_USER_INPUT, field: 'reason', problem: 'FORBIDDEN_CHARACTER', character: 'U+0301' });
    expect(refused(() => optionalLine('撤\u{1F}回', 'contact', 10))).toEqual({ code: ErrorCode.BAD_USER_INPUT, field: 'contact', problem: 'FORBIDDEN_CHARACTER', character: 'U+001F' });
    expect(refused(() => requiredLine('——', 'name', 10))).toEqual({ code: ErrorCode.BAD_USER_INPUT, field: 'name', problem: 'NO_LETTER_OR_DIGIT' });
  });
  it('each problem of an input carries its code and details in `problems`', () => {
    const problems = new InputProblems();
    problems.read(() => requiredLine(' ', 'name', 10));
    problems.read(() => requiredLine('字'.repeat(11), 'address', 10));
    expect(refused(() => problems.check())).toMatchObject({
      field: 'name',
      problem: 'EMPTY',
      problems: [
        { field: 'name', problem: 'EMPTY' },
        { field: 'address', problem: 'TOO_LONG', max: 10 },
      ],
    });
  });
});

// README, Errors: a value outside a list of choices is NOT_A_CHOICE with the `choices`, which a front end may offer.
describe('a value that is none of its choices', () => {
  it('is NOT_A_CHOICE with the choices, its message naming them and what was sent', () => {
    expect(refused(() => chosen('MAYBE', ['FILE', 'RETURN'] as const, 'decision'))).toEqual({ code: ErrorCode.BAD_USER_INPUT, field: 'decision', problem: 'NOT_A_CHOICE', choices: ['FILE', 'RETURN'] });
    expect(() => chosen('MAYBE', ['FILE', 'RETURN'] as const, 'decision')).toThrow('decision must be one of FILE, RETURN, got "MAYBE"');
    expect(chosen('RETURN', ['FILE', 'RETURN'] as const, 'decision')).toBe('RETURN');
  });
  it('is told so by a filter of the audit log too', () => {
    expect(refused(() => kindNamed('BANK'))).toMatchObject({ field: 'organisationKind', problem: 'NOT_A_CHOICE', choices: expect.arrayContaining(['DEPARTMENT']) });
  });
});

describe('an idempotency key that is no key', () => {
  it.each(['two words', 'k'.repeat(65), 'clé'])('is IDEMPOTENCY_KEY_MALFORMED: %s', (key) => {
    expect(refused(() => idempotencyKeyOf(key))).toEqual({ code: ErrorCode.BAD_USER_INPUT, field: 'idempotencyKey', problem: 'IDEMPOTENCY_KEY_MALFORMED' });
  });
});

// A form is told every problem of its input at once (README, Errors: `extensions.problems`).
describe('InputProblems', () => {
  const refusalOf = (problems: InputProblems) => {
    try {
      problems.check();
    } catch (error) {
      return error instanceof GraphQLError ? { message: error.message, ...error.extensions } : error;
    }
    return null;
  };

  it('keeps each check’s refusal and goes on, then throws them as one, the first at the top', () => {
    const problems = new InputProblems();
    expect(problems.read(() => requiredText(' ', 'name', 10))).toBeUndefined();
    expect(problems.read(() => 'kept')).toBe('kept');
    problems.read(() => {
      throw clientError(ErrorCode.INVALID_CREDIT_CODE, 'invalid unified social credit code: wrong check character', { field: 'code', problem: 'WRONG_CHECK_CHARACTER' });
    });
    // A second problem of a field already refused is not told: one per field, the first.
    problems.read(() => requiredText('far too long a name', 'name', 10));
    expect(refusalOf(problems)).toEqual({
      message: 'name must not be empty, got " " (and 1 more problem)',
      code: ErrorCode.BAD_USER_INPUT,
      field: 'name',
      problem: 'EMPTY',
      problems: [
        { field: 'name', reason: 'name must not be empty, got " "', problem: 'EMPTY' },
        { field: 'code', reason: 'invalid unified social credit code: wrong check character', problem: 'WRONG_CHECK_CHARACTER' },
      ],
    });
  });

  it('takes in a refusal that lists problems of its own, and tells a first problem’s code and `problem` at the top', () => {
    const inner = new InputProblems();
    inner.read(() => {
      throw clientError(ErrorCode.INVALID_ID_NUMBER, 'invalid citizen ID number', { field: 'code', problem: 'INVALID_BIRTH_DATE' });
    });
    inner.read(() => requiredText('', 'purpose', 10));
    const outer = new InputProblems();
    outer.read(() => inner.check());
    outer.read(() => requiredText('', 'reason', 10));
    expect(refusalOf(outer)).toMatchObject({
      message: 'invalid citizen ID number (and 2 more problems)',
      code: ErrorCode.INVALID_ID_NUMBER,
      field: 'code',
      problem: 'INVALID_BIRTH_DATE',
      problems: [{ field: 'code' }, { field: 'purpose' }, { field: 'reason' }],
    });
  });

  it('throws on any other error at once, and nothing when the input passed', () => {
    const problems = new InputProblems();
    expect(() => problems.read(() => { throw clientError(ErrorCode.NOT_FOUND, 'no such subject', { field: 'subjectId' }); })).toThrow('no such subject');
    expect(() => problems.read(() => { throw new Error('a fault'); })).toThrow('a fault');
    expect(problems.checked({ name: problems.read(() => requiredText(' a ', 'name', 10)) })).toEqual({ name: 'a' });
  });
});
