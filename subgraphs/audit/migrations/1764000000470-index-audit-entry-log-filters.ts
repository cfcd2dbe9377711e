import { TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

// The credit office reads the whole log narrowed by a condition (auditEntries: every refused
// attempt of a month, everything under one matter, what one officer did, one case across
// organisations; audit.repository.ts, `all`). Each condition leads an index of its own, followed
// by the list's order (occurred_at, sequence), so that a page is read from that index rather than
// by walking every entry of the period to find the few that match. The instants' index gains the
// sequence for the same reason (the whole log unnarrowed, or narrowed by what no index leads), and
// still serves the statistics' periods by its prefix: replaced rather than added to.
const added = [
  { name: 'IDX_audit_entry_outcome_occurred_at_sequence', columnNames: ['outcome', 'occurred_at', 'sequence'] },
  { name: 'IDX_audit_entry_matter_occurred_at_sequence', columnNames: ['matter', 'occurred_at', 'sequence'] },
  { name: 'IDX_audit_entry_actor_occurred_at_sequence', columnNames: ['actor', 'occurred_at', 'sequence'] },
  // The organisations' case index leads with the organisation: across the log, a case number
  // (one that names no case above all) would walk every entry of the instants' index.
  { name: 'IDX_audit_entry_case_number_occurred_at_sequence', columnNames: ['case_number', 'occurred_at', 'sequence'] },
];
const instants = { before: 'IDX_audit_entry_occurred_at', after: 'IDX_audit_entry_occurred_at_sequence' };

export class IndexAuditEntryLogFilters1764000000470 implements MigrationInterface {
  name = 'IndexAuditEntryLogFilters1764000000470';

  async up(queryRunner: QueryRunner): Promise<void> {
    for (const index of added) await queryRunner.createIndex('audit_entry', new TableIndex(index));
    await queryRunner.createIndex('audit_entry', new TableIndex({ name: instants.after, columnNames: ['occurred_at', 'sequence'] }));
    await queryRunner.dropIndex('audit_entry', instants.before);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createIndex('audit_entry', new TableIndex({ name: instants.before, columnNames: ['occurred_at'] }));
    await queryRunner.dropIndex('audit_entry', instants.after);
    for (const index of added) await queryRunner.dropIndex('audit_entry', index.name);
  }
}
