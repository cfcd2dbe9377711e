import { Table, TableColumn, TableIndex, type MigrationInterface, type QueryRunner, type TableColumnOptions } from 'typeorm';
import { nameKey } from '../../../lib/text';
import { insertValues } from '../../shared/bulk-insert';
import { nameGrams } from '../subject-names';

/** Subjects read at a time: their keys and postings are written before the next are read. */
const subjectsPerBatch = 5000;
/** Keys set per UPDATE: three parameters each, far under SQLite's 32,766. */
const keysPerStatement = 1000;

export interface SubjectName {
  id: string;
  name: string;
  kind: string;
}

/**
 * Names are searched by their folds (then NFKC, invisible characters left out, lower-cased; since
 * 1764000000090 read as names, lib/text.ts `nameKey`, which is what this computes now), where the
 * search compared the names under each driver's collation: MySQL's utf8mb4_unicode_ci found
 * 前端探针(北戴河)第2分公司 by 探针（北戴河）, SQLite did not, and the two ordered C, c, CC and Ｄ
 * differently. Each subject gets its fold as `name_key`, computed here (NFKC cannot be done in
 * SQL) a batch at a time, indexed in place of the name, which only the search used; the postings
 * are made again from the folds. Keys, grams and the postings' names compare as bytes on MySQL as
 * on SQLite, so both match and order alike.
 *
 * The default of `name_key` only serves a subject written without its name's index (entity).
 * Keep in sync with entities/subject.entity.ts and entities/subject-name-gram.entity.ts.
 */
export class FoldedSubjectNames1764000000050 implements MigrationInterface {
  name = 'FoldedSubjectNames1764000000050';

  async up(queryRunner: QueryRunner): Promise<void> {
    const bytes = comparedAsBytes(queryRunner);
    await queryRunner.addColumn('subject', new TableColumn({ name: 'name_key', type: 'varchar', length: '600', default: "''", ...bytes }));
    // Filled before it is keyed, then sorted into its key at once: at 100,000 subjects (1.28
    // million postings) this migration took 13 s on MariaDB and on SQLite; inserting the
    // postings into the key as they came made it 59 s and 24 s.
    await remakePostings(queryRunner, bytes, { keyed: false });
    await eachBatchOfSubjects(queryRunner, async (subjects) => {
      await setNameKeys(queryRunner, subjects, nameKey);
      await insertPostings(queryRunner, subjects, nameGrams);
    });
    await queryRunner.createPrimaryKey('subject_name_gram', postingsKey);
    // Built once the keys are in, by one sort too.
    await queryRunner.createIndex('subject', new TableIndex({ name: 'IDX_subject_name_key', columnNames: ['name_key'] }));
    await queryRunner.dropIndex('subject', 'IDX_subject_name');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex('subject', 'IDX_subject_name_key');
    await queryRunner.dropColumn('subject', 'name_key');
    await queryRunner.createIndex('subject', new TableIndex({ name: 'IDX_subject_name', columnNames: ['name'] }));
    // Keyed first: under MySQL's collation two bigrams of one name may be one key, stored once.
    await remakePostings(queryRunner, {}, { keyed: true });
    await eachBatchOfSubjects(queryRunner, (subjects) => insertPostings(queryRunner, subjects, formerGrams, { skipExisting: true }));
  }
}

// The helpers below serve 1764000000090 too, which indexes the names again as read.

/**
 * What makes a text column compare as bytes: SQLite's already do; MySQL's take the binary
 * collation (as shared/database.ts `collateColumns` gives a column already there).
 */
export function comparedAsBytes(queryRunner: QueryRunner): Pick<TableColumnOptions, 'charset' | 'collation'> {
  return queryRunner.connection.driver.options.type === 'better-sqlite3' ? {} : { charset: 'utf8mb4', collation: 'utf8mb4_bin' };
}

export const postingsKey = ['gram', 'name', 'subject_id'];

/**
 * Makes the postings table again, empty (dropped: far faster than deleting a million rows), its
 * grams and names compared as `text` says; with its primary key, or without for the caller to add.
 */
export async function remakePostings(queryRunner: QueryRunner, text: Pick<TableColumnOptions, 'charset' | 'collation'>, { keyed }: { keyed: boolean }): Promise<void> {
  await queryRunner.dropTable('subject_name_gram');
  await queryRunner.createTable(
    new Table({
      name: 'subject_name_gram',
      columns: [
        { name: 'gram', type: 'varchar', length: '2', isPrimary: keyed, ...text },
        { name: 'name', type: 'varchar', length: '200', isPrimary: keyed, ...text },
        { name: 'subject_id', type: 'varchar', length: '36', isPrimary: keyed },
        { name: 'kind', type: 'varchar', length: '24' },
      ],
    }),
  );
}

/** Every subject's id, name and kind, `subjectsPerBatch` at a time in id order. */
export async function eachBatchOfSubjects(queryRunner: QueryRunner, write: (subjects: SubjectName[]) => Promise<void>): Promise<void> {
  let last = '';
  for (;;) {
    const subjects: SubjectName[] = await queryRunner.query('SELECT id, name, kind FROM subject WHERE id > ? ORDER BY id LIMIT ?', [last, subjectsPerBatch]);
    if (!subjects.length) return;
    await write(subjects);
    last = subjects[subjects.length - 1].id;
  }
}

/** Each subject's name's `keyOf` as its key, one UPDATE for many subjects (a CASE on the id), the same SQL on both drivers. */
export async function setNameKeys(queryRunner: QueryRunner, subjects: readonly SubjectName[], keyOf: (name: string) => string): Promise<void> {
  for (let start = 0; start < subjects.length; start += keysPerStatement) {
    const slice = subjects.slice(start, start + keysPerStatement);
    await queryRunner.query(
      `UPDATE subject SET name_key = CASE id ${slice.map(() => 'WHEN ? THEN ?').join(' ')} END WHERE id IN (${slice.map(() => '?').join(', ')})`,
      [...slice.flatMap(({ id, name }) => [id, keyOf(name)]), ...slice.map(({ id }) => id)],
    );
  }
}

export async function insertPostings(queryRunner: QueryRunner, subjects: readonly SubjectName[], gramsOf: (name: string) => string[], options?: { skipExisting: boolean }): Promise<void> {
  const postings = subjects.flatMap(({ id, name, kind }) => gramsOf(name).map((gram) => [gram, name, id, kind]));
  await insertValues(queryRunner.manager, 'subject_name_gram', ['gram', 'name', 'subject_id', 'kind'], postings, options);
}

/**
 * The bigrams 1764000000020 indexed a name by: each character lower-cased alone, kept when that
 * changes its length, nothing else folded (under MySQL's collation, ａb and ab of one name were
 * one posting).
 */
function formerGrams(name: string): string[] {
  const characters = Array.from(name, (c) => (c.toLowerCase().length === c.length ? c.toLowerCase() : c));
  return [...new Set(characters.slice(1).map((c, i) => characters[i] + c))];
}
