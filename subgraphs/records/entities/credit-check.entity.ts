import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * One credit check in the review ledger (审阅和审核制度). The records it relied on and the measures
 * they call for are stored as JSON snapshots, so the decision can be explained after the records
 * change; the verdict is sealed once the report requirement (reports subgraph) is known.
 * Keep in sync with migrations/1764000000120-create-credit-check.ts and 1764000000140.
 */
@Entity('credit_check')
@Index('IDX_credit_check_subject_checked', ['subjectId', 'checkedAt'])
@Index('IDX_credit_check_department_checked', ['department', 'checkedAt'])
@Index('UQ_credit_check_officer_idempotency_key', ['department', 'checkedBy', 'idempotencyKey'], { unique: true })
export class CreditCheck {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ name: 'subject_id', type: 'varchar', length: 36 })
  subjectId!: string;

  @Column({ type: 'varchar', length: 64 })
  matter!: string;

  @Column({ name: 'case_number', type: 'varchar', length: 100 })
  caseNumber!: string;

  /** The department that ran it: the caller's organisation. */
  @Column({ type: 'varchar', length: 64 })
  department!: string;

  @Column({ name: 'checked_by', type: 'varchar', length: 100 })
  checkedBy!: string;

  @Column({ name: 'checked_at', type: 'datetime', precision: 3 })
  checkedAt!: Date;

  /** The front end's key for the attempt (RunCreditCheckInput.idempotencyKey): one check per key and officer. */
  @Column({ name: 'idempotency_key', type: 'varchar', length: 64, nullable: true })
  idempotencyKey!: string | null;

  /** JSON: the records that counted, as they were (CheckedRecordSnapshot[]). */
  @Column({ name: 'records_snapshot', type: 'text' })
  recordsSnapshot!: string;

  /**
   * JSON: the measures that apply (AppliedMeasure[]): those the records call for when the check
   * runs, completed with a good report grade's incentives when the verdict is sealed; then fixed.
   */
  @Column({ type: 'text' })
  measures!: string;

  /** Sealed with the verdict: whether the report requirement was met and a good grade found. */
  @Column({ name: 'report_satisfied', type: 'boolean', nullable: true })
  reportSatisfied!: boolean | null;

  @Column({ name: 'good_report_grade', type: 'boolean', nullable: true })
  goodReportGrade!: boolean | null;

  @Column({ type: 'varchar', length: 32, nullable: true })
  verdict!: string | null;

  @Column({ name: 'sealed_at', type: 'datetime', precision: 3, nullable: true })
  sealedAt!: Date | null;

  /** JSON list of measure kinds the department applied; null until it reports. */
  @Column({ name: 'feedback_applied', type: 'varchar', length: 500, nullable: true })
  feedbackApplied!: string | null;

  @Column({ name: 'feedback_note', type: 'varchar', length: 1000, nullable: true })
  feedbackNote!: string | null;

  @Column({ name: 'feedback_by', type: 'varchar', length: 100, nullable: true })
  feedbackBy!: string | null;

  @Column({ name: 'feedback_at', type: 'datetime', precision: 3, nullable: true })
  feedbackAt!: Date | null;
}
