import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

export const restorationStatuses = ['SUBMITTED', 'APPROVED', 'REJECTED', 'CLOSED', 'WITHDRAWN'] as const;
export type RestorationStatus = (typeof restorationStatuses)[number];

/**
 * An application for credit restoration (信用修复申请): once a negative record's minimum
 * disclosure period has passed, its subject (or an officer on its behalf) shows how it corrected
 * the behaviour and commits to keep the rules; the source department, or the credit office where
 * the catalogue allows, approves (the record is RESTORED) or rejects it, with a reason; or its
 * subject (or the organisation that filed it) withdraws it undecided (撤回: WITHDRAWN, stored in
 * the decided_* columns). How its status may change is `restorationTransitions` in lifecycle.ts.
 * Never deleted.
 */
// Keep column and index names in sync with migrations/1764000000110-record-intake-and-lifecycle.ts
// and 1764000000170-index-handling-periods.ts, the evidence's type with 1764000000220-restoration-evidence-as-json.ts.
@Entity('restoration_application')
@Index('IDX_restoration_application_record', ['recordId'])
@Index('IDX_restoration_application_subject', ['subjectId'])
@Index('IDX_restoration_application_department', ['sourceDepartment', 'status'])
// The applications filed in a period (department-statistics.ts).
@Index('IDX_restoration_application_submitted_at', ['submittedAt'])
export class RestorationApplication {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ name: 'record_id', type: 'varchar', length: 36 })
  recordId!: string;

  @Column({ name: 'subject_id', type: 'varchar', length: 36 })
  subjectId!: string;

  @Column({ name: 'source_department', type: 'varchar', length: 32 })
  sourceDepartment!: string;

  @Column({ type: 'varchar', length: 16 })
  status!: RestorationStatus;

  /** How the subject corrected the behaviour and met its obligations (整改情况). */
  @Column({ type: 'varchar', length: 1000 })
  correction!: string;

  /** The proof documents it cites (证明材料), e.g. a fine's payment receipt number, in its order: a JSON column. */
  @Column({ type: 'json' })
  evidence!: string[];

  /** The credit commitment it made (信用承诺书), in its words. */
  @Column({ type: 'varchar', length: 1000 })
  commitment!: string;

  @Column({ name: 'submitted_by', type: 'varchar', length: 100 })
  submittedBy!: string;

  @Column({ name: 'submitted_by_organisation', type: 'varchar', length: 64 })
  submittedByOrganisation!: string;

  @Column({ name: 'submitted_at', type: 'datetime', precision: 3 })
  submittedAt!: Date;

  @Column({ name: 'decided_by', type: 'varchar', length: 100, nullable: true })
  decidedBy!: string | null;

  @Column({ name: 'decided_by_organisation', type: 'varchar', length: 64, nullable: true })
  decidedByOrganisation!: string | null;

  @Column({ name: 'decided_at', type: 'datetime', precision: 3, nullable: true })
  decidedAt!: Date | null;

  @Column({ name: 'decision_reason', type: 'varchar', length: 500, nullable: true })
  decisionReason!: string | null;
}
