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
 * Characters a reader does not see, or sees as nothing he could type back: control, format and
 * line-separator characters (a line break, U+0000, U+200B, U+202E, U+2028); those Unicode says to
 * draw as nothing (Default_Ignorable_Code_Point: the Hangul fillers U+3164 and U+115F, variation
 * selectors such as U+FE0F, U+034F); private-use characters (U+E000…, drawn as whatever a font
 * puts there, or as a blank or a box), noncharacters (U+FFFF, U+FDD0: no font draws them) and
 * lone surrogates (not code points unassigned as yet: which those are depends on the runtime's
 * Unicode version, and a character Unicode has since added, a rare one of a person's name, say,
 * must not be refused by an older runtime); and symbols drawn blank, the Braille pattern blank
 * U+2800 (a symbol, So, not a space, so neither trimmed nor left out as one) and the musical
 * null notehead U+1D159. In an identifier they make text that reads as blank, reversed or split,
 * or two identifiers that read alike: "\u2800中诚信…" is 中诚信… to whoever reads it.
 */
const invisible = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Noncharacter_Code_Point}\p{Zl}\p{Zp}\p{Default_Ignorable_Code_Point}\u2800\u{1D159}]/u;
const everyInvisible = new RegExp(invisible.source, 'gu');

/** A combining mark (accents, vowel signs, U+0301, U+3099): drawn on the letter before it. */
const combiningMark = /\p{M}/u;
const letterOrDigit = /[\p{L}\p{N}]/u;

/**
 * Scripts whose letters take only their own combining marks: a Chinese character takes no accent
 * (中\u0301 reads as 中, the acute a speck over it), kana only the voicing marks U+3099 and U+309A,
 * Hangul and Bopomofo only their tone marks. A mark of another script on one of their letters is
 * drawn on nothing a reader would type, as a mark at the start of a text or after a space is.
 */
const ownMarksOnly = (['Han', 'Hiragana', 'Katakana', 'Hangul', 'Bopomofo', 'Yi'] as const).map((script) => ({
  letter: new RegExp(`\\p{Script=${script}}`, 'u'),
  mark: new RegExp(`\\p{Script_Extensions=${script}}`, 'u'),
}));

/**
 * Whether each character of `characters` (code points) is hidden from a reader: invisible, or a
 * combining mark with no letter or digit to sit on: first, after a space, punctuation, a symbol or
 * an invisible character (a line break, U+200B), or on a letter of a script that takes no such
 * mark (`ownMarksOnly`). A mark on a letter or digit (e\u0301, as é; a stack of them, ệ as
 * e\u0323\u0302; a Devanagari vowel sign) is read with it, and NFC or NFKC composes it with its
 * letter where Unicode has a composed form.
 */
function hiddenCharacters(characters: readonly string[]): boolean[] {
  let base: { fits: (mark: string) => boolean } | undefined;
  return characters.map((character) => {
    if (invisible.test(character)) {
      base = undefined;
      return true;
    }
    if (combiningMark.test(character)) return base === undefined || !base.fits(character);
    if (letterOrDigit.test(character)) {
      const own = ownMarksOnly.find((script) => script.letter.test(character));
      base = { fits: own ? (mark) => own.mark.test(mark) : () => true };
    } else {
      base = undefined;
    }
    return false;
  });
}

/** The characters of `text` a reader does not see (`hiddenCharacters`), in order. */
function hiddenIn(text: string): string[] {
  if (!combiningMark.test(text)) return text.match(everyInvisible) ?? [];
  const characters = Array.from(text);
  const hidden = hiddenCharacters(characters);
  return characters.filter((_, i) => hidden[i]);
}

/** Whether `text` holds a character a reader does not see: an invisible one, or a combining mark with no letter to sit on (`hiddenCharacters`). */
export function hasInvisibleCharacters(text: string): boolean {
  return hiddenIn(text).length > 0;
}

/** The text with its invisible characters, and combining marks with no letter to sit on, left out. */
export function withoutInvisible(text: string): string {
  if (!combiningMark.test(text)) return text.replace(everyInvisible, '');
  const characters = Array.from(text);
  const hidden = hiddenCharacters(characters);
  return characters.filter((_, i) => !hidden[i]).join('');
}

/**
 * The text quoted for a message as JSON quotes it, each character a reader would not see written
 * out: `\uXXXX` (`\u{XXXXX}` beyond the BMP) where JSON would write it as it is. Judged in the
 * text, not in its quotation, where a mark that opens the text would sit on the quote.
 */
export function quotedVisibly(text: string): string {
  const characters = Array.from(text);
  const hidden = hiddenCharacters(characters);
  const quoted = characters.map((character, i) => {
    const json = JSON.stringify(character).slice(1, -1);
    if (!hidden[i] || json.startsWith('\\')) return json;
    const code = character.codePointAt(0)!;
    return code > 0xffff ? `\\u{${code.toString(16)}}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
  return `"${quoted.join('')}"`;
}

/** `U+E000`, as the Unicode standard writes a code point. */
export function codePointOf(character: string): string {
  return `U+${character.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
}

/**
 * What kind of invisible character this is, in the words of whoever typed it: a private-use
 * character (pasted from a font's own symbols) is no control character, and a form that said
 * only "control or invisible" left its user looking for one.
 */
function invisibleKind(character: string): string {
  if (/[\n\r\u2028\u2029\u0085]/.test(character)) return 'a line break';
  if (character === '\t') return 'a tab';
  if (/\p{Cc}/u.test(character)) return 'a control character';
  if (/\p{Cs}/u.test(character)) return 'a lone surrogate (half of a character, no character alone)';
  if (/\p{Co}/u.test(character)) return 'a private-use character, which each font draws as it pleases, or as a box';
  if (/\p{Noncharacter_Code_Point}/u.test(character)) return 'a noncharacter, which no font draws';
  if (/\p{Cf}/u.test(character)) return 'a format character, drawn as nothing';
  return 'a character drawn as nothing or blank';
}

/** `U+200B, a format character, drawn as nothing`: an invisible character as a message names it. */
function namedInvisible(character: string): string {
  return `${codePointOf(character)}, ${invisibleKind(character)}`;
}

/**
 * The first character of `text` that does not show (`invisible`: U+200B, a soft hyphen, a byte
 * order mark inside, a line break), named as `illegibility` names it, with its position in
 * characters (1-based); undefined when there is none. Text pasted with one reads as the
 * characters that show, one fewer than it holds.
 */
export function firstInvisibleCharacter(text: string): { position: number; named: string } | undefined {
  const characters = Array.from(text);
  const at = characters.findIndex((character) => invisible.test(character));
  return at < 0 ? undefined : { position: at + 1, named: namedInvisible(characters[at]) };
}

/**
 * Why `text` cannot stand as an identifier a person reads back as typed (a document or report
 * number, an issuer's name), `label` naming it; undefined when it can. Invisible characters would
 * make two numbers that read alike two records of one decision, or a provider's name another's.
 */
export function illegibility(label: string, text: string, form: TextForm = 'line'): string | undefined {
  return illegibleText(label, text, form)?.reason;
}

/**
 * Why `text` is illegible (`illegibility`), in words and as a front end switches on it (README,
 * Errors): `FORBIDDEN_CHARACTER` naming the `character` (`U+202E`) a reader does not see, or
 * `NO_LETTER_OR_DIGIT`. A screen in another language says which without reading the words.
 */
export function illegibleText(label: string, text: string, form: TextForm = 'line'): IllegibleText | undefined {
  // Judged on the text as sent: a line break a prose form allows still leaves the mark after it nothing to sit on.
  const hidden = hiddenIn(text).filter((c) => form !== 'prose' || !lineBreakOrTab.test(c));
  const refused = hidden.find((c) => invisible.test(c));
  if (refused) {
    const which = `: it holds ${namedInvisible(refused)}`;
    const reason =
      form === 'prose'
        ? `${label} must not hold control or invisible characters other than line breaks and tabs (U+0000, U+200B, U+202E…)${which}, got ${quotedVisibly(text)}`
        : `${label} must not hold control or invisible characters (a line break, U+0000, U+200B, U+202E…)${which}, got ${quotedVisibly(text)}`;
    return { reason, problem: 'FORBIDDEN_CHARACTER', character: codePointOf(refused) };
  }
  if (hidden.length) {
    return { reason: `${label} must not hold a combining mark with no letter to sit on (U+0301 first, after a space or on a Chinese character…), got ${quotedVisibly(text)}`, problem: 'FORBIDDEN_CHARACTER', character: codePointOf(hidden[0]) };
  }
  if (!isLegible(text)) return { reason: `${label} must hold at least one letter or digit, got ${quotedVisibly(text)}`, problem: 'NO_LETTER_OR_DIGIT' };
  return undefined;
}

export type IllegibleText = { reason: string; problem: 'FORBIDDEN_CHARACTER'; character: string } | { reason: string; problem: 'NO_LETTER_OR_DIGIT' };

/**
 * `line`: text read back as typed (a number, a name, an item of evidence). `prose`: text a person
 * writes (a reason, a note, a description), which runs over lines and may hold tabs, and is held
 * to the rule of a line otherwise: U+202E would make a reason read reversed, U+200B alone blank.
 */
export type TextForm = 'line' | 'prose';

const lineBreakOrTab = /^[\t\n\r]$/;

/**
 * A name as a reader compares it: compatibility forms folded (full-width letters, ｛）), letter
 * case, spaces, punctuation and invisible characters left out, so that 公司. or 诚信评估 有限公司
 * reads as the provider's name; so are the characters a reader does not see that are no format
 * character (U+2800, U+E000, U+FFFF) and combining marks with no letter to sit on (U+0301 first or
 * on 中), so that \u2800中诚信… or 中\u0301诚信… reads as 中诚信… (`hiddenCharacters`). A mark on
 * its letter is kept, composed with it (NFKC: e\u0301 is é, not e). Traditional and simplified characters are not folded: no table
 * of them is kept here. The registry compares applicants' names so, report registration a
 * report issuer's name with the registry's, and both name searches, the registry's and the
 * subjects' (subgraphs/entities/subject-names.ts), a name with a term.
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
 * A decision's document number (文书号) as its department wrote it, and as the platform shows it:
 * folded as any number a person types (`foldedNumber`: 北戴河市监严失〔２０２６〕１０号 is
 * 北戴河市监严失〔2026〕10号), its round brackets kept in the full width official numbering writes
 * them in. NFKC makes the court's （2025）冀0304执118号 (2025)冀0304执118号, which is the same
 * case but not its number as printed; so ASCII brackets, typed or folded, are （）. Other brackets
 * and Chinese characters are no compatibility forms and are kept as written (﹝﹞, the small forms
 * of 〔〕, are 〔〕). Idempotent. Never compared: `foldedDocumentNumber` is.
 */
export function writtenDocumentNumber(text: string): string {
  return foldedNumber(text).replace(/\(/g, '（').replace(/\)/g, '）');
}

/**
 * What may stand between the digit groups of one number as people and programs write it: a space
 * or a hyphen (`110105 19491231 002X`, `138-1234-5678`), an underscore, the only one a GraphQL name
 * can hold (`query Call_138_1234_5678`), a slash or a dot (`tel/138/1234/5678`, `138.1234.5678`).
 * One definition for every place that looks for a number in what a client chose: the masking
 * of logs and audit entries (lib/logger.ts `maskPersonalData`), the operation names /metrics
 * takes for labels (lib/metrics.ts), the client request ids the gateway logs
 * (lib/request-record.ts). Not a colon: it joins a time (`2026-12-01 08:30:00`) or an address and
 * its port (`192.168.10.100:4001`) into a run as long as an ID number.
 */
export const numberSeparator = /[ _./-]/;

/** A run of at least `count` digits, one `numberSeparator` allowed between any two of them. */
export function digitRun(count: number): RegExp {
  return new RegExp(`\\d(?:${numberSeparator.source}?\\d){${count - 1}}`);
}

/** A year in the brackets a number written by hand or by another system puts around it, after `writtenDocumentNumber`: 〔2026〕 [2026] 【2026】 （2026）. */
const bracketedYear = /[〔[【（](\d{4})[〕\]】）]/g;

/**
 * A decision's document number as the platform compares it, keys its records by and finds them by
 * (intake, the import, objections and restorations at the window, a report's verification): one
 * decision however typed. Written (`writtenDocumentNumber`), then without spaces, which are no part
 * of a number (北财罚〔2026〕 88号), and with the brackets around its year in the tortoise-shell form
 * GB/T 9704 writes them in: 北财罚[2026]88号, 北财罚【2026】88号 and 北财罚（2026）88号 are
 * 北财罚〔2026〕88号, and the court's （2025）冀0304执118号 is 〔2025〕冀0304执118号. Brackets around
 * anything but four digits (〔基准〕, （朝）), letter case (a number in other case is another
 * number) and every other character are the number's own. Idempotent: a folded number folds to itself.
 */
export function foldedDocumentNumber(text: string): string {
  return writtenDocumentNumber(text).replace(/\s/gu, '').replace(bracketedYear, '〔$1〕');
}
