import { TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

// The credit office reads one case's entries (auditEntriesByOrganisation with caseNumber): an
// organisation's whole history, newest first, would otherwise be walked to find them.
export class IndexAuditEntryCases1764000000410 implements MigrationInterface {
  name = 'IndexAuditEntryCases1764000000410';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createIndex(
      'audit_entry',
      new TableIndex({ name: 'IDX_audit_entry_organisation_case_number_occurred_at', columnNames: ['organisation', 'case_number', 'occurred_at'] }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex('audit_entry', 'IDX_audit_entry_organisation_case_number_occurred_at');
  }
}
