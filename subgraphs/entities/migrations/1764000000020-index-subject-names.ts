import { Table, type MigrationInterface, type QueryRunner } from 'typeorm';
import { indexSubjectNames } from '../subject-names';

/** Subjects read at a time while the index of the names already registered is built. */
const subjectsPerBatch = 5000;

// Written with TypeORM's Table API so that one migration serves SQLite and MySQL alike.
// Keep in sync with entities/subject-name-gram.entity.ts.
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
      await indexSubjectNames(queryRunner.manager, subjects);
      last = subjects[subjects.length - 1].id;
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('subject_name_gram');
  }
}
