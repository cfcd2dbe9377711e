import { Table, type MigrationInterface, type QueryRunner } from 'typeorm';
import { insertValues } from '../../shared/bulk-insert';
import { nameGrams } from '../subject-names';

/** Subjects read at a time while the index of the names already registered is built. */
const subjectsPerBatch = 5000;

// Written with TypeORM's Table API so that one migration serves SQLite and MySQL alike. The
// postings are written with this table's columns named here, not through the entity, which a
// later migration gives more columns (1764000000030 adds the kind).
export class IndexSubjectNames1764000000020 implements MigrationInterface {
  name = 'IndexSubjectNames1764000000020';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'subject_name_gram',
        columns: [
          { name: 'gram', type: 'varchar', length: '2', isPrimary: true },
          { name: 'name', type: 'varchar', length: '200', isPrimary: true },
          { name: 'subject_id', type: 'varchar', length: '36', isPrimary: true },
        ],
      }),
    );
    // The subjects registered before the index existed, in id order a batch at a time.
    let last = '';
    for (;;) {
      const subjects: { id: string; name: string }[] = await queryRunner.query('SELECT id, name FROM subject WHERE id > ? ORDER BY id LIMIT ?', [last, subjectsPerBatch]);
      if (!subjects.length) break;
      const postings = subjects.flatMap(({ id, name }) => nameGrams(name).map((gram) => [gram, name, id]));
      // Skipping existing: a bigram equal to another of the same name under MySQL's collation is stored once.
      await insertValues(queryRunner.manager, 'subject_name_gram', ['gram', 'name', 'subject_id'], postings, { skipExisting: true });
      last = subjects[subjects.length - 1].id;
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('subject_name_gram');
  }
}
