import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { Polarity, RecordCategoryCode, Severity, TaxCreditGrade } from '../../../lib/catalogue/record-categories';

import type { StoredRecordStatus } from '../../../lib/catalogue/record-standing';

// The statuses are the catalogue's (lib/catalogue/record-standing.ts), which the reports subgraph reads too.
export type { RecordStatus, StoredRecordStatus } from '../../../lib/catalogue/record-standing';

// Keep column and index names in sync with migrations/1764000000100-create-credit-record.ts,
// 1764000000110-record-intake-and-lifecycle.ts (valid_until), 1764000000170-index-handling-periods.ts,
// 1764000000190-index-record-statistics.ts and 1764000000210-written-document-numbers.ts (written_document_number).
@Entity('credit_record')
@Index('IDX_credit_record_subject_decision', ['subjectId', 'decisionDate'])
// The records a department supplied in a period (department-statistics.ts), counted from the index.
@Index('IDX_credit_record_recorded_at_department', ['recordedAt', 'sourceDepartment'])
// The records decided in a period, per cell and subject (credit-record-statistics.ts), counted from the index.
@Index('IDX_credit_record_decision_cells', ['decisionDate', 'sourceDepartment', 'category', 'polarity', 'severity', 'status', 'subjectId'])
// Bulk intake is idempotent on it: a department sends the same decision twice, one row results.
@Index('UQ_credit_record_source_document', ['sourceDepartment', 'documentNumber'], { unique: true })
export class CreditRecord {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  /** A subject of the entities subgraph; another database, so no foreign key. */
  @Column({ name: 'subject_id', type: 'varchar', length: 36 })
  subjectId!: string;

  @Column({ type: 'varchar', length: 32 })
  category!: RecordCategoryCode;

  @Column({ type: 'varchar', length: 16 })
  polarity!: Polarity;

  @Column({ type: 'varchar', length: 16, nullable: true })
  severity!: Severity | null;

  @Column({ name: 'tax_credit_grade', type: 'varchar', length: 1, nullable: true })
  taxCreditGrade!: TaxCreditGrade | null;

  /** A code of lib/catalogue/departments.ts. */
  @Column({ name: 'source_department', type: 'varchar', length: 32 })
  sourceDepartment!: string;

  /**
   * The decision's document number as compared (lib/text.ts `foldedDocumentNumber`: its year in
   * 〔〕, no spaces), so that a decision is one record however its number is typed; never shown
   * where the department wrote it otherwise (`writtenNumber`).
   */
  @Column({ name: 'document_number', type: 'varchar', length: 64 })
  documentNumber!: string;

  /**
   * The number as its department first wrote it (`writtenDocumentNumber`: the court's
   * （2025）冀0304执118号, 北财罚[2026]88号), which the platform shows (`shownDocumentNumber`); null
   * where that is `documentNumber` itself, as for most. Never compared.
   */
  @Column({ name: 'written_document_number', type: 'varchar', length: 64, nullable: true })
  writtenNumber!: string | null;

  // utc: MySQL drivers hand DATE values over as Date objects at UTC midnight; reading them in UTC
  // keeps the calendar day whatever the server's time zone.
  @Column({ name: 'decision_date', type: 'date' })
  decisionDate!: string;

  /**
   * Computed when the record is written (`disclosureEndsAt` of the catalogue); null when not
   * limited. A restoration or a withdrawal brings it forward to its own day (`disclosureEndedBy`).
   */
  @Column({ name: 'disclosure_ends_at', type: 'date', nullable: true })
  disclosureEndsAt!: string | null;

  /** Last day the decision itself is in force (有效期至), when it has one; informational, never a status. */
  @Column({ name: 'valid_until', type: 'date', nullable: true })
  validUntil!: string | null;

  @Column({ type: 'varchar', length: 16 })
  status!: StoredRecordStatus;

  @Column({ type: 'varchar', length: 500 })
  summary!: string;

  // Set by the application, not by a column default, so both drivers store the same instant.
  @Column({ name: 'recorded_at', type: 'datetime', precision: 3 })
  recordedAt!: Date;
}
