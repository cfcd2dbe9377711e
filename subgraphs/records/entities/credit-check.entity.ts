import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { measureKinds, type AppliedMeasure, type MeasureKind } from '../../../lib/catalogue/measures';
import type { CheckedRecordSnapshot } from '../credit-check.repository';

/**
 * A check's `measure_kinds`: the catalogue's kinds its measures call for, each once, in the
 * catalogue's order, between commas (`,EXCLUSION,REFERENCE_NOTED,`; empty for none), so that
 * INSTR of `,KIND,` finds a kind and no kind inside another. All nine kinds take 152 characters.
 */
export function measureKindsOf(measures: readonly AppliedMeasure[]): string {
  const called = new Set(measures.map((m) => m.kind));
  const kinds = (Object.keys(measureKinds) as MeasureKind[]).filter((kind) => called.has(kind));
  return kinds.length ? `,${kinds.join(',')},` : '';
}

/**
 * One credit check in the review ledger (审阅和审核制度). The records it relied on and the measures
 * they call for are stored as JSON snapshots, so the decision can be explained after the records
 * change; the verdict is sealed once the report requirement (reports subgraph) is known.
 * Keep in sync with migrations/1764000000120-create-credit-check.ts, 1764000000140 and 1764000000160.
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

  /**
   * The records that counted, as they were. A JSON column (LONGTEXT on MariaDB, JSON on MySQL,
   * text on SQLite), as is `measures`: a subject's records are not bounded, and some 36 with long
   * summaries overflowed the 64 KB of the MySQL TEXT column this was.
   */
  @Column({ name: 'records_snapshot', type: 'json' })
  recordsSnapshot!: CheckedRecordSnapshot[];

  /**
   * The measures that apply: those the records call for when the check runs, completed with a
   * good report grade's incentives when the verdict is sealed; then fixed. Each names the records
   * that triggered it, so it grows with them.
   */
  @Column({ type: 'json' })
  measures!: AppliedMeasure[];

  /**
   * The kinds `measures` call for (`measureKindsOf`), written with them: what the ledger's filters
   * and statistics find a kind by, in SQL alike on both drivers. MySQL keeps a JSON column in its
   * own serialisation (`{"kind": "EXCLUSION"}`, keys reordered), so its text is not searched.
   */
  @Column({ name: 'measure_kinds', type: 'varchar', length: 255 })
  measureKinds!: string;

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
