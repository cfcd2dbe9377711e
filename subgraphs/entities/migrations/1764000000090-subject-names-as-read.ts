import type { MigrationInterface, QueryRunner } from 'typeorm';
import { firstCharacters, nameKey, withoutInvisible } from '../../../lib/text';
import { subjectNameKeyMaxLength } from '../entities/subject.entity';
import { bigramsOf, nameGrams } from '../subject-names';
import { comparedAsBytes, eachBatchOfSubjects, insertPostings, postingsKey, remakePostings, setNameKeys } from './1764000000050-folded-subject-names';

/**
 * Names are searched as a reader compares them (lib/text.ts `nameAsRead`, as the provider registry
 * searches its names), where the search left out invisible characters alone: spaces and
 * punctuation are left out too, so that 北戴河 金海湾 大酒店有限公司, its spaces copied from a web
 * page (no-break ones as often), is found by 金海湾大酒店, and 天润物业服务有限公司 by 天润 物业 or
 * 天润·物业, which found nothing. (Letter case is read as the registry reads it too: a whole name
 * lower-cased at once, so that a Σ ending a word is ς.) Each subject gets its name's key as read,
 * and the postings are made again whole, as 1764000000050 made them, whatever share of the names
 * changes: many registered names hold brackets (（有限合伙）, （个体工商户）). At 100,000 subjects
 * (1.28 million postings), four in five of them changing, on a busy shared host, this took 55 s on
 * MariaDB and 42 s on SQLite; deleting and inserting only the postings that change took 114 s and
 * 33 s, a random write each into postings larger than MariaDB's buffer pool.
 *
 * Keep in sync with subject-names.ts and entities/subject-name-gram.entity.ts.
 */
export class SubjectNamesAsRead1764000000090 implements MigrationInterface {
  name = 'SubjectNamesAsRead1764000000090';

  async up(queryRunner: QueryRunner): Promise<void> {
    await indexNamesAgain(queryRunner, nameKey, nameGrams);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await indexNamesAgain(queryRunner, (name) => firstCharacters(formerFold(name), subjectNameKeyMaxLength), (name) => bigramsOf(formerFold(name)));
  }
}

/** Keys every subject's name by `keyOf` and makes the postings again, of the bigrams `gramsOf` gives. */
async function indexNamesAgain(queryRunner: QueryRunner, keyOf: (name: string) => string, gramsOf: (name: string) => string[]): Promise<void> {
  // Filled before it is keyed, then sorted into its key at once (1764000000050).
  await remakePostings(queryRunner, comparedAsBytes(queryRunner), { keyed: false });
  await eachBatchOfSubjects(queryRunner, async (subjects) => {
    await setNameKeys(queryRunner, subjects, keyOf);
    await insertPostings(queryRunner, subjects, gramsOf);
  });
  await queryRunner.createPrimaryKey('subject_name_gram', postingsKey);
}

/**
 * How 1764000000050 folded a name, until this migration: NFKC, invisible characters left out,
 * each character lower-cased alone; spaces and punctuation kept.
 */
function formerFold(name: string): string {
  return Array.from(withoutInvisible(name.normalize('NFKC')), (character) => character.toLowerCase()).join('');
}
