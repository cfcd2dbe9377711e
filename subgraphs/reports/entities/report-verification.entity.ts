import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { VerificationOutcome } from './credit-report.entity';

/**
 * One finding recorded on a registered report by an officer who checked it with its issuer.
 * Append-only: the report row carries the latest finding (which decides acceptance), these rows
 * keep every one, so the credit office can see who found what, when, and what it replaced.
 * Keep in sync with migrations/1764000000230-create-report-verification.ts.
 */
@Entity('credit_report_verification')
@Index('IDX_credit_report_verification_report_id_verified_at', ['reportId', 'verifiedAt'])
export class ReportVerification {
  /** Time-ordered (lib/time-ordered-id.ts), as the rows are written. */
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ name: 'report_id', type: 'varchar', length: 36 })
  reportId!: string;

  /** The report's subject, so that reading the finding is disclosed as about that subject. */
  @Column({ name: 'subject_id', type: 'varchar', length: 36 })
  subjectId!: string;

  @Column({ type: 'varchar', length: 16 })
  outcome!: VerificationOutcome;

  @Column({ type: 'text' })
  note!: string;

  @Column({ name: 'verified_by', type: 'varchar', length: 100 })
  verifiedBy!: string;

  /** The department the officer acted for; null for a finding recorded before this table existed. */
  @Column({ name: 'verified_by_organisation', type: 'varchar', length: 100, nullable: true })
  verifiedByOrganisation!: string | null;

  /** Strictly after the report's previous finding (ReportRepository.recordVerification): findings sort by it. */
  @Column({ name: 'verified_at', type: 'datetime', precision: 3 })
  verifiedAt!: Date;
}
