import { TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

// The audit's lists are ordered by instant, then sequence, then id (`newestFirst`,
// audit.repository.ts), so that one request's entries, which share an instant, come in the order
// they were appended. Each list's index gains the sequence after the instant: InnoDB keys a
// secondary index by its columns and then the primary key, so the index then holds the whole
// order and a page is read from it without sorting the subject's or organisation's every entry.
// Replaced rather than added to, as the shorter ones would serve nothing these do not.
const replaced = [
  { before: 'IDX_audit_entry_subject_id_occurred_at', after: 'IDX_audit_entry_subject_id_occurred_at_sequence', columns: ['subject_id', 'occurred_at'] },
  { before: 'IDX_audit_entry_organisation_occurred_at', after: 'IDX_audit_entry_organisation_occurred_at_sequence', columns: ['organisation', 'occurred_at'] },
  {
    before: 'IDX_audit_entry_organisation_case_number_occurred_at',
    after: 'IDX_audit_entry_organisation_case_number_occurred_at_sequence',
    columns: ['organisation', 'case_number', 'occurred_at'],
  },
];

export class IndexAuditEntryListsBySequence1764000000450 implements MigrationInterface {
  name = 'IndexAuditEntryListsBySequence1764000000450';

  async up(queryRunner: QueryRunner): Promise<void> {
    for (const index of replaced) {
      await queryRunner.createIndex('audit_entry', new TableIndex({ name: index.after, columnNames: [...index.columns, 'sequence'] }));
      await queryRunner.dropIndex('audit_entry', index.before);
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const index of replaced) {
      await queryRunner.createIndex('audit_entry', new TableIndex({ name: index.before, columnNames: index.columns }));
      await queryRunner.dropIndex('audit_entry', index.after);
    }
  }
}
