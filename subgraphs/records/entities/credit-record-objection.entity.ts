import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

export const objectionStatuses = ['SUBMITTED', 'ACCEPTED', 'REJECTED', 'WITHDRAWN'] as const;
export type ObjectionStatus = (typeof objectionStatuses)[number];
/** What an accepted objection did to the record. */
export type ObjectionResolution = 'CORRECTED' | 'WITHDRAWN';

/**
 * An objection (异议) to a credit record: its subject (or an officer on its behalf) disputes it;
 * while SUBMITTED the record is OBJECTED and still counts, marked as disputed; the source department accepts it
 * (correcting or withdrawing the record) or rejects it, with a reason; or whoever may withdraw it
 * (its subject, the organisation that filed it) withdraws it undecided (撤回: WITHDRAWN, stored in
 * the decided_* columns, as the instant it stopped pending). How its status may change is
 * `objectionTransitions` in lifecycle.ts. Never deleted.
 */
// Keep column and index names in sync with migrations/1764000000110-record-intake-and-lifecycle.ts
// and 1764000000170-index-handling-periods.ts.
@Entity('credit_record_objection')
@Index('IDX_credit_record_objection_record', ['recordId'])
@Index('IDX_credit_record_objection_subject', ['subjectId'])
@Index('IDX_credit_record_objection_department', ['sourceDepartment', 'status'])
// The objections pending in a period (department-statistics.ts): not decided before it, filed before its end.
@Index('IDX_credit_record_objection_decided_submitted', ['decidedAt', 'submittedAt'])
export class CreditRecordObjection {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ name: 'record_id', type: 'varchar', length: 36 })
  recordId!: string;

  /** The record's subject and source department when the objection was filed, for listing without a join. */
  @Column({ name: 'subject_id', type: 'varchar', length: 36 })
  subjectId!: string;

  @Column({ name: 'source_department', type: 'varchar', length: 32 })
  sourceDepartment!: string;

  @Column({ type: 'varchar', length: 16 })
  status!: ObjectionStatus;

  /** Why the subject disputes the record (异议理由). */
  @Column({ type: 'varchar', length: 500 })
  reason!: string;

  @Column({ name: 'submitted_by', type: 'varchar', length: 100 })
  submittedBy!: string;

  @Column({ name: 'submitted_by_organisation', type: 'varchar', length: 64 })
  submittedByOrganisation!: string;

  @Column({ name: 'submitted_at', type: 'datetime', precision: 3 })
  submittedAt!: Date;

  @Column({ type: 'varchar', length: 16, nullable: true })
  resolution!: ObjectionResolution | null;

  @Column({ name: 'decided_by', type: 'varchar', length: 100, nullable: true })
  decidedBy!: string | null;

  @Column({ name: 'decided_by_organisation', type: 'varchar', length: 64, nullable: true })
  decidedByOrganisation!: string | null;

  @Column({ name: 'decided_at', type: 'datetime', precision: 3, nullable: true })
  decidedAt!: Date | null;

  /** The source department's reasons (处理意见). */
  @Column({ name: 'decision_reason', type: 'varchar', length: 500, nullable: true })
  decisionReason!: string | null;
}
