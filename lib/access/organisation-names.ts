import { departments, type Department } from '../catalogue/departments';
import { importActorMark, platformOrganisations } from './identity';

/**
 * What an organisation id reads as, for the names no caller's organisation may take: a district
 * department's code, which names that department only, and the names the platform records where
 * no token names an organisation. The gateway refuses a token whose `org` reads as one of them
 * (gateway/authentication.ts), and the consent register a bank grantee that does, which no token
 * could then carry (subgraphs/entities/consent.repository.ts): one reading, so that the two agree.
 */

/** Letters and digits only, accents left out (`Finance.`, `FİNANCE`, `credit office` as Finance, FINANCE, creditoffice). */
function lettersAndDigits(text: string): string {
  return text.normalize('NFKD').replace(/[^\p{L}\p{N}]/gu, '');
}

/** Letters and digits only, accents and case left out (`Finance.`, `FİNANCE`, `credit office` as FINANCE, CREDITOFFICE). */
function asRead(text: string): string {
  return lettersAndDigits(text).toUpperCase();
}

/**
 * ASCII drawn as another letter in the sans-serif fonts of forms and logs, and the letters it
 * stands in for: a small l as an I (`FlNANCE`), a 1 as an I or an L, a 0 as an O (`CREDIT_0FFICE`).
 */
const asciiLookAlikes: Readonly<Record<string, string>> = { l: 'I', '1': 'IL', '0': 'O' };

/**
 * A letter that may be drawn as a Latin one: any letter outside ASCII but those of the scripts
 * written beside Latin in organisation names here (Chinese, Japanese, Korean). Cyrillic А, Greek
 * α, Lisu ꓮ, Cherokee Ꭺ and the small capital ᴀ all show as A; no list of look-alikes is complete.
 */
const standsInForLatin = /[^\x00-\x7f\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\p{Script=Bopomofo}]/u;

/** Departments by their code as `asRead` leaves it (`CREDIT_OFFICE` as CREDITOFFICE). */
const departmentsByCodeAsRead = new Map(departments.map((d) => [asRead(d.code), d]));

/** The platform's own organisation names, by the name as `asRead` leaves it. */
const platformOrganisationsAsRead = new Map(Object.values(platformOrganisations).map((name) => [asRead(name), name]));

/**
 * What `id` reads as among `names` (keyed as `asRead` leaves them): however cased, spaced,
 * punctuated or accented, and with any letter that may be drawn as a Latin one taken for the one
 * the name has there (`FINАNCE`, `ᴄʀᴇᴅɪᴛ_ᴏꜰꜰɪᴄᴇ`). An id of such letters only, as long as a name,
 * reads as it too: no district organisation is named so. Each it reads as, in `names`' order: an
 * id of such letters only reads as every name as long as it.
 */
function readAmong<T>(id: string, names: ReadonlyMap<string, T>): T[] {
  const read = [...asRead(id)];
  // As typed, where upper-casing kept every character one (a small l, upper-cased, is an L).
  const typed = [...lettersAndDigits(id)];
  const drawnAs = (i: number, letter: string) => typed.length === read.length && (asciiLookAlikes[typed[i]] ?? '').includes(letter);
  return [...names].filter(([name]) => name.length === read.length && read.every((c, i) => c === name[i] || standsInForLatin.test(c) || drawnAs(i, name[i]))).map(([, named]) => named);
}

/**
 * The district departments whose code `id` reads as (`Finance.`, `FINАNCE` as FINANCE; `ᴄʀᴇᴅɪᴛ_ᴏꜰꜰɪᴄᴇ`,
 * of small capitals only, as CREDIT_OFFICE and as every other code of twelve letters), in the
 * catalogue's order; none for an id that reads as no department's code.
 */
export function departmentsReadAs(id: string): Department[] {
  return readAmong(id, departmentsByCodeAsRead);
}

/** `import:` read as the other names are, so that `ｉｍｐｏｒｔ：`, `іmport:` (a Cyrillic і) and `imp0rt:` are it too. */
const importRun = new Map([[asRead(importActorMark), importActorMark]]);

/**
 * Whether a user id (a token's `sub`) begins with what marks the record import's runs in records'
 * history and the audit log (`import:<name>`), however written: its part before the first colon
 * (full-width ones as `:`) reads as `import`.
 */
export function readsAsImportRun(user: string): boolean {
  const folded = user.normalize('NFKC');
  return folded.includes(':') && readAmong(folded.slice(0, folded.indexOf(':')), importRun).length > 0;
}

/** The name the platform records where no token names an organisation (`platformOrganisations`) that `id` reads as (` Un-Verified ` as unverified), if any: no two are as long. */
export function platformOrganisationReadAs(id: string): string | undefined {
  return readAmong(id, platformOrganisationsAsRead)[0];
}
