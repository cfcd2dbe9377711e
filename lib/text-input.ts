import type { GraphQLError } from 'graphql';
import { badInput, quotedInput } from './errors';
import { characterCount, foldedDocumentNumber, illegibleText, type IllegibleText, type TextForm } from './text';

/**
 * What the API refuses of the text a person types into an input (README, Errors), and how: a
 * required or optional text, line or prose, an idempotency key, a list of items each given once.
 * The rules of the text itself (how it is counted, what a reader cannot see) are lib/text.ts's;
 * the error vocabulary these refusals are told in is lib/errors.ts's.
 */

/**
 * A required text input, trimmed: BAD_USER_INPUT naming `field` when it is missing, blank (empty
 * or only spaces), longer than `max`, or no text at all (`NOT_TEXT`, as `optionalText` says it:
 * a number is no blank box). `label` is how the message names it (default: the field).
 */
export function requiredText(value: unknown, field: string, max: number, label = field): string {
  if (value !== null && value !== undefined && typeof value !== 'string') throw notText(value, field, `${label} must be text`);
  const trimmed = typeof value === 'string' ? value.trim() : '';
  const problem = textProblem(trimmed, max, label, value);
  if (problem) throw refusedText(field, problem);
  return trimmed;
}

/**
 * What is wrong with a text a person typed, in words (`reason`) and as a front end switches on it
 * (README, Errors): `EMPTY`, `TOO_LONG` with its `max` in characters, or lib/text.ts's
 * `FORBIDDEN_CHARACTER` (with the `character`, `U+202E`) and `NO_LETTER_OR_DIGIT`. A form in
 * Chinese says 不能为空 or 不得超过200字 from these, without reading the English.
 */
export type TextProblem = { reason: string; problem: 'EMPTY' } | { reason: string; problem: 'TOO_LONG'; max: number } | IllegibleText;

/** BAD_USER_INPUT naming `field`, its message the problem's reason, its extensions the problem's code and details. */
export function refusedText(field: string, { reason, ...details }: TextProblem): GraphQLError {
  return badInput(field, reason, details);
}

/**
 * What is wrong with the length of a required text as read (`text`: trimmed, folded), or
 * undefined: the one wording of every required text, "must not be empty" for a blank one (as
 * typed, `typed`) and "must be at most N characters" for a longer one, where some said "must have
 * 1 to N characters, got 0" of the same blank box.
 */
export function textProblem(text: string, max: number, label: string, typed: unknown = text): TextProblem | undefined {
  if (text === '') return { reason: `${label} must not be empty, got ${quotedInput(typed)}`, problem: 'EMPTY' };
  return tooLong(text, max, label);
}

function tooLong(text: string, max: number, label: string): TextProblem | undefined {
  const count = characterCount(text);
  return count > max ? { reason: `${label} must be at most ${max} characters, got ${count}`, problem: 'TOO_LONG', max } : undefined;
}

/**
 * A required line read back as typed (a name, an address, a case or report number, an item of
 * evidence): `requiredText` held to the legibility rule for a line (lib/text.ts: a letter or
 * digit, and no control or invisible character). U+200B, U+202E or U+3164 make an entry that
 * lists as blank or reads reversed, or a number that matches nothing it looks like.
 */
export function requiredLine(value: unknown, field: string, max: number, label = field): string {
  const text = requiredText(value, field, max, label);
  assertLegible(text, field, label);
  return text;
}

/**
 * Required prose a person writes for others to read (a reason, a note): `requiredText` held to the
 * legibility rule for prose (lib/text.ts: it may run over lines and hold tabs).
 */
export function requiredProse(value: unknown, field: string, max: number, label = field): string {
  const text = requiredText(value, field, max, label);
  assertLegible(text, field, label, 'prose');
  return text;
}

/**
 * Whether an optional input is none: left out, null, or text that is empty or only spaces (a
 * cleared text box, README, Errors). The one rule `optionalText` follows, and with it every
 * optional typed text and token (an optional ID, an idempotency key, then judged by its pattern).
 */
export function isBlank(value: unknown): value is null | undefined | '' {
  return value === null || value === undefined || (typeof value === 'string' && value.trim() === '');
}

/**
 * An optional text input, trimmed: null when it is left out, null or blank (empty or only spaces:
 * a cleared text box means "none", README, Errors), BAD_USER_INPUT naming `field` when it is
 * longer than `max`, or no text at all (`NOT_TEXT`: a direct caller's number or object, as an
 * intake file's value that is no text). The other half of `requiredText`'s rule, which refuses a
 * blank required one.
 */
export function optionalText(value: unknown, field: string, max: number, label = field): string | null {
  if (isBlank(value)) return null;
  if (typeof value !== 'string') throw notText(value, field, `${label} must be text or null`);
  const trimmed = value.trim();
  const problem = tooLong(trimmed, max, label);
  if (problem) throw refusedText(field, problem);
  return trimmed;
}

/** `NOT_TEXT`: a direct caller's number or object, or an intake file's value that is no text, where text is held. */
function notText(value: unknown, field: string, rule: string): GraphQLError {
  return badInput(field, `${rule}, got ${quotedInput(value)}`, { problem: 'NOT_TEXT' });
}

/** An optional line (`optionalText`) held, when given, to the rule of `requiredLine`. */
export function optionalLine(value: unknown, field: string, max: number, label = field): string | null {
  const text = optionalText(value, field, max, label);
  if (text !== null) assertLegible(text, field, label);
  return text;
}

/** Optional prose (`optionalText`) held, when given, to the rule of `requiredProse`. */
export function optionalProse(value: unknown, field: string, max: number, label = field): string | null {
  const text = optionalText(value, field, max, label);
  if (text !== null) assertLegible(text, field, label, 'prose');
  return text;
}

const idempotencyKeyPattern = /^[A-Za-z0-9._:-]{1,64}$/;

/**
 * An optional idempotency key (a mutation's `idempotencyKey`: a UUID, say), as any optional typed
 * text (optionalText): blank is none, any other trimmed, then judged by its pattern, a space
 * inside it refused. A key sent with the spaces a copy and paste adds is the key without them:
 * keys differing only so are one key. One that is no key is `problem` IDEMPOTENCY_KEY_MALFORMED
 * (README, Errors), beside IDEMPOTENCY_KEY_REUSED: a front end makes its keys, so a malformed one
 * is its own fault to mend, never a field a person corrects.
 */
export function idempotencyKeyOf(value: unknown): string | null {
  const key = optionalText(value, 'idempotencyKey', Infinity);
  if (key !== null && !idempotencyKeyPattern.test(key)) {
    throw badInput('idempotencyKey', `idempotencyKey must be 1 to 64 letters, digits, '-', '_', '.' or ':' (a UUID, say), got ${quotedInput(key)}`, { problem: 'IDEMPOTENCY_KEY_MALFORMED' });
  }
  return key;
}

/**
 * Refuses text a person reads back as typed (a name, a document or report number, an address)
 * that it could not be: no letter or digit, or a control or invisible character (lib/text.ts
 * `illegibility`). BAD_USER_INPUT naming `field`; `label` is how the message names it.
 */
export function assertLegible(text: string, field: string, label = field, form: TextForm = 'line'): void {
  const illegible = illegibleText(label, text, form);
  if (illegible) throw refusedText(field, illegible);
}

/**
 * A list whose items must differ (the documents of a body of evidence): BAD_USER_INPUT naming the
 * first repeat as `${field}[i]`, `problem` LISTED_TWICE with the item it repeats as `earlierIndex`
 * (README, Errors), `each` saying what to list once. Items
 * are compared as document numbers are (`foldedDocumentNumber`): 北信办〔２０２６〕５号 typed by an
 * input method in full width, or 北信办[2026] 5号, is 北信办〔2026〕5号, one document listed twice.
 */
export function assertNoRepeats(items: readonly string[], field: string, each: string): void {
  const read = items.map(foldedDocumentNumber);
  const repeated = read.findIndex((item, i) => read.indexOf(item) < i);
  if (repeated >= 0) {
    const earlierIndex = read.indexOf(read[repeated]);
    throw badInput(`${field}[${repeated}]`, `${field}[${repeated}] repeats ${field}[${earlierIndex}] (${quotedInput(items[repeated])}): list each ${each} once`, { problem: 'LISTED_TWICE', earlierIndex });
  }
}
