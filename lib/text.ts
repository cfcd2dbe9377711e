/**
 * What the platform asks of text a person reads back as typed: a case number, a document number,
 * a name. One place, so that the audit log, record intake and the subject register agree.
 */

/**
 * How many characters a text has as a MySQL utf8mb4 column counts them, and as a reader would:
 * code points. `length` counts UTF-16 units, two for each character outside the BMP (😀, 𠀀).
 */
export function characterCount(text: string): number {
  let count = 0;
  for (const _ of text) count += 1;
  return count;
}

/** The first `count` characters of a text, counted as `characterCount` counts them (a column's length). */
export function firstCharacters(text: string, count: number): string {
  return Array.from(text).slice(0, count).join('');
}

/**
 * Holds at least one letter or digit that shows: invisible characters alone (U+200B, or the
 * Hangul filler U+3164, which Unicode counts as a letter) say nothing.
 */
export function isLegible(text: string): boolean {
  return /[\p{L}\p{N}]/u.test(withoutInvisible(text));
}

/**
 * Control, format and line-separator characters (a line break, U+0000, U+200B, U+202E, U+2028),
 * and those Unicode says to draw as nothing (Default_Ignorable_Code_Point: the Hangul fillers
 * U+3164 and U+115F, variation selectors such as U+FE0F, U+034F): in an identifier they make
 * text that reads as blank, reversed or split, or two identifiers that read alike.
 */
const invisible = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Default_Ignorable_Code_Point}]/u;
const everyInvisible = new RegExp(invisible.source, 'gu');

export function hasInvisibleCharacters(text: string): boolean {
  return invisible.test(text);
}

/** The text with its invisible characters left out. */
export function withoutInvisible(text: string): string {
  return text.replace(everyInvisible, '');
}

/** The text quoted for a message, each invisible character written out as `\uXXXX`. */
export function quotedVisibly(text: string): string {
  return JSON.stringify(text).replace(everyInvisible, (c) => {
    const code = c.codePointAt(0)!;
    return code > 0xffff ? `\\u{${code.toString(16)}}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

/**
 * Why `text` cannot stand as an identifier a person reads back as typed (a document or report
 * number, an issuer's name), `label` naming it; undefined when it can. Invisible characters would
 * make two numbers that read alike two records of one decision, or a provider's name another's.
 */
export function illegibility(label: string, text: string, form: TextForm = 'line'): string | undefined {
  if (form === 'prose' && hasInvisibleCharacters(text.replace(lineBreaksAndTabs, ''))) {
    return `${label} must not hold control or invisible characters other than line breaks and tabs (U+0000, U+200B, U+202E…), got ${quotedVisibly(text)}`;
  }
  if (form === 'line' && hasInvisibleCharacters(text)) return `${label} must not hold control or invisible characters (a line break, U+0000, U+200B, U+202E…), got ${quotedVisibly(text)}`;
  if (!isLegible(text)) return `${label} must hold at least one letter or digit, got ${quotedVisibly(text)}`;
  return undefined;
}

/**
 * `line`: text read back as typed (a number, a name, an item of evidence). `prose`: text a person
 * writes (a reason, a note, a description), which runs over lines and may hold tabs, and is held
 * to the rule of a line otherwise: U+202E would make a reason read reversed, U+200B alone blank.
 */
export type TextForm = 'line' | 'prose';

const lineBreaksAndTabs = /[\t\n\r]/g;

/**
 * A name as a reader compares it: compatibility forms folded (full-width letters, ｛）), letter
 * case, spaces, punctuation and invisible characters left out, so that 公司. or 诚信评估 有限公司
 * reads as the provider's name. Traditional and simplified characters are not folded: no table
 * of them is kept here. The registry compares applicants' names so, and report registration a
 * report issuer's name with the registry's.
 */
export function nameAsRead(name: string): string {
  return withoutInvisible(name.normalize('NFKC').toLowerCase()).replace(/[\p{Z}\p{P}]/gu, '');
}

/** Room in a key column for a 200-character name as read: compatibility forms (㍿, ﷺ) may read as several characters. */
export const nameKeyMaxLength = 600;

/** A name as readers compare it (`nameAsRead`), as much as a key column holds: the key a registry's names are searched and told apart by. */
export function nameKey(name: string): string {
  return firstCharacters(nameAsRead(name), nameKeyMaxLength);
}

/**
 * A number or code a person types (a case number, a unified social credit code, a citizen ID
 * number) as the platform compares and keeps it: compatibility forms folded (NFKC: full-width
 * digits and letters such as １ and Ｘ, the full-width hyphen －, the ideographic space) and
 * surrounding spaces trimmed. An input method left in full-width mode types
 * ＢＤＨ－ＣＧ－２０２６－０１１７ for BDH-CG-2026-0117: one case, or one code, however typed.
 * Letter case is kept (the identifiers upper-case on their own, and a case number is matched as
 * written), as are spaces and punctuation inside, which NFKC only makes half-width.
 */
export function foldedNumber(text: string): string {
  return text.normalize('NFKC').trim();
}

/**
 * A decision's document number (文书号) as the platform compares and keeps it: folded as any
 * number a person types (`foldedNumber`: 北戴河市监严失〔２０２６〕１０号 is 北戴河市监严失〔2026〕10号),
 * its round brackets kept in the full width official numbering writes them in. NFKC makes the
 * court's （2025）冀0304执118号 (2025)冀0304执118号, which is the same case but not its number
 * as printed; so ASCII brackets, typed or folded, are （）. The tortoise-shell brackets 〔〕 of
 * other departments' numbers and Chinese characters are no compatibility forms and are kept as
 * typed (﹝﹞, their small forms, are 〔〕). Idempotent: a kept number is kept as it is.
 */
export function foldedDocumentNumber(text: string): string {
  return foldedNumber(text).replace(/\(/g, '（').replace(/\)/g, '）');
}
