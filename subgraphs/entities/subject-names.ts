import type { DataSource, EntityManager } from 'typeorm';
import { ExpiringMemory } from '../../lib/expiring-memory';
import { nameAsRead } from '../../lib/text';
import { insertMany } from '../shared/bulk-insert';
import type { PageQuery } from '../shared/pagination';
import { SubjectNameGram } from './entities/subject-name-gram.entity';
import type { Subject, SubjectKind } from './entities/subject.entity';

/**
 * The name search's index. `LIKE '%term%'` can use no index: it walks every name in name
 * order until a page is full, 30-100 ms at 100,000 subjects (bench/results.md), more as the
 * register grows. Every name containing the term contains each of the term's bigrams, so the
 * search walks the postings of one of them, already in name order, and tests only those names:
 * a page reads about its own rows.
 *
 * Names and terms are compared as a reader compares names (lib/text.ts `nameAsRead`, as the
 * provider registry's are: compatibility forms, letter case, spaces, punctuation and invisible
 * characters aside), computed here and stored as keys (`nameKey`), never by the database's
 * collation: MySQL's utf8mb4_unicode_ci folds case, width and accents and SQLite compares bytes,
 * so the same search answered differently on the two. Keys, bigrams and the postings' names
 * compare as bytes on both (migrations/1764000000050-folded-subject-names.ts).
 */

/** The distinct bigrams of a name as read (`nameAsRead`), by code point: what the index holds for a name and what a search term is looked up by. */
export function nameGrams(text: string): string[] {
  return bigramsOf(nameAsRead(text));
}

/** The distinct bigrams of a text already read as a name (a stored key), by code point. */
export function bigramsOf(read: string): string[] {
  const characters = Array.from(read);
  const grams = new Set<string>();
  for (let i = 1; i < characters.length; i++) grams.add(characters[i - 1] + characters[i]);
  return [...grams];
}

/** Adds the subjects' names to the index. Idempotent: a seed may run twice. */
export async function indexSubjectNames(manager: EntityManager, subjects: readonly { id: string; name: string; kind: SubjectKind }[]): Promise<void> {
  const rows = subjects.flatMap(({ id, name, kind }) => nameGrams(name).map((gram) => Object.assign(new SubjectNameGram(), { gram, name, subjectId: id, kind })));
  await insertMany(manager, SubjectNameGram, rows, { skipExisting: true });
}

/** Postings counted per bigram when choosing one: enough to tell a rare bigram from a common one. */
const countedPostings = 1000;
/** How long a bigram's count is trusted: it only steers the choice, it never changes an answer. */
const countsHeldMs = 10 * 60_000;
const countsByDatabase = new WeakMap<DataSource, ExpiringMemory<number>>();

/**
 * How a search for `term` reaches its subjects (`PageQuery.through`): the postings of its rarest
 * bigram, in name order, of the given kinds only (all when null); its matches are counted through
 * them only when they are few.
 */
export async function throughNameIndex(db: DataSource, term: string, kinds: readonly SubjectKind[] | null): Promise<NonNullable<PageQuery<Subject>['through']>> {
  const { gram, few } = await rarestGram(db, nameGrams(term));
  const where = kinds ? { sql: `g.gram = ? AND g.kind IN (${kinds.map(() => '?').join(', ')})`, params: [gram, ...kinds] } : { sql: 'g.gram = ?', params: [gram] };
  return { table: db.getMetadata(SubjectNameGram).tablePath, where, sort: 'name', id: 'subject_id', countsEveryRow: !few };
}

/** A bigram to walk, and whether its postings are few enough to count the matches through them. */
interface ChosenGram {
  gram: string;
  few: boolean;
}

/**
 * The bigram of a term with the fewest postings (counted up to `countedPostings`, remembered for
 * ten minutes per process): the shortest walk to a page, since a name that matches must hold it.
 * A term of two characters has one bigram, and it is not counted: a page walks it all the same,
 * and its matches are counted by a scan of the names (one index read each, where a posting costs
 * a random read of its subject: 0.44 s through the 100,000 postings of 北戴 against 0.02 s).
 */
async function rarestGram(db: DataSource, grams: readonly string[]): Promise<ChosenGram> {
  if (grams.length === 1) return { gram: grams[0], few: false };
  let counts = countsByDatabase.get(db);
  if (!counts) countsByDatabase.set(db, (counts = new ExpiringMemory<number>(10_000)));
  const known = new Map(grams.map((gram) => [gram, counts.get(gram)]));
  const unknown = grams.filter((gram) => known.get(gram) === undefined);
  if (unknown.length) {
    const table = db.driver.escape(db.getMetadata(SubjectNameGram).tableName);
    const columns = unknown.map((_, i) => `(SELECT COUNT(*) FROM (SELECT 1 FROM ${table} WHERE gram = ? LIMIT ${countedPostings}) p${i}) AS c${i}`);
    const [row]: Record<string, unknown>[] = await db.query(`SELECT ${columns.join(', ')}`, unknown);
    const until = Date.now() + countsHeldMs;
    unknown.forEach((gram, i) => {
      const count = Number(row[`c${i}`]);
      counts.set(gram, count, until);
      known.set(gram, count);
    });
  }
  const gram = grams.reduce((rarest, candidate) => (known.get(candidate)! < known.get(rarest)! ? candidate : rarest));
  return { gram, few: known.get(gram)! < countedPostings };
}
