import { TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

// An organisation is its id and its kind: a bank's token may carry the finance bureau's code
// `FINANCE`, and auditEntriesByOrganisation lists one of them, `organisation = ? AND
// organisation_kind = ?` (audit.repository.ts, `byOrganisation`). Each organisation index gains
// the kind right after the id, so that a page is still read from the index in the list's order
// (occurred_at, sequence after the two equalities) rather than by walking the other reader's
// entries under the same id, and so that the kinds recorded under an id are read from a few index
// entries. Replaced rather than added to: a query naming the id alone is served by their prefix.
// (`case` for case_number in the second name: MySQL names are at most 64 characters.)
const replaced = [
  {
    before: 'IDX_audit_entry_organisation_occurred_at_sequence',
    after: 'IDX_audit_entry_organisation_kind_occurred_at_sequence',
    columns: ['organisation', 'occurred_at', 'sequence'],
    withKind: ['organisation', 'organisation_kind', 'occurred_at', 'sequence'],
  },
  {
    before: 'IDX_audit_entry_organisation_case_number_occurred_at_sequence',
    after: 'IDX_audit_entry_organisation_kind_case_occurred_at_sequence',
    columns: ['organisation', 'case_number', 'occurred_at', 'sequence'],
    withKind: ['organisation', 'organisation_kind', 'case_number', 'occurred_at', 'sequence'],
  },
];

export class IndexAuditEntryOrganisationKinds1764000000460 implements MigrationInterface {
  name = 'IndexAuditEntryOrganisationKinds1764000000460';

  async up(queryRunner: QueryRunner): Promise<void> {
    for (const index of replaced) {
      await queryRunner.createIndex('audit_entry', new TableIndex({ name: index.after, columnNames: index.withKind }));
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
