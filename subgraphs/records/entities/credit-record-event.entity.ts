import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * Kinds of change in a record's history. EXPIRED is never stored: a record expires by the
 * passing of a date, so its EXPIRED event is derived when the history is read (see
 * `expiryEvents` in record-history.ts), like its EXPIRED status.
 */
export const recordEventKinds = ['CREATED', 'CORRECTED', 'OBJECTED', 'OBJECTION_REJECTED', 'OBJECTION_WITHDRAWN', 'RESTORED', 'WITHDRAWN', 'EXPIRED'] as const;
export type RecordEventKind = (typeof recordEventKinds)[number];

/** The record's fields an event's before/after may name, as JSON objects `{ field: value }`. */
export type RecordValues = Partial<Record<'subjectId' | 'category' | 'polarity' | 'severity' | 'taxCreditGrade' | 'decisionDate' | 'validUntil' | 'disclosureEndsAt' | 'summary' | 'status', string | null>>;

/**
 * One change to a credit record (信用记录变更): who (user and organisation), when, why, and the
 * changed fields before and after. Append-only: never updated, never deleted.
 */
// Keep column and index names in sync with migrations/1764000000110-record-intake-and-lifecycle.ts
// and 1764000000170-index-handling-periods.ts.
@Entity('credit_record_event')
@Index('IDX_credit_record_event_record', ['recordId', 'occurredAt'])
// The records corrected in a period (department-statistics.ts), counted from the index.
@Index('IDX_credit_record_event_kind_occurred_at', ['kind', 'occurredAt', 'recordId'])
export class CreditRecordEvent {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ name: 'record_id', type: 'varchar', length: 36 })
  recordId!: string;

  @Column({ type: 'varchar', length: 32 })
  kind!: RecordEventKind;

  /** The user who made the change (the token's subject), or `platform` for the platform's own acts. */
  @Column({ type: 'varchar', length: 100 })
  actor!: string;

  /** The organisation the user acted for: a department code, or the subject's own organisation. */
  @Column({ type: 'varchar', length: 64 })
  organisation!: string;

  @Column({ name: 'occurred_at', type: 'datetime', precision: 3 })
  occurredAt!: Date;

  @Column({ type: 'varchar', length: 500, nullable: true })
  reason!: string | null;

  /** JSON of the changed fields before the change; null for CREATED. */
  @Column({ name: 'before_values', type: 'text', nullable: true })
  beforeValues!: string | null;

  /** JSON of the changed fields after the change; null for CREATED (the record itself holds them). */
  @Column({ name: 'after_values', type: 'text', nullable: true })
  afterValues!: string | null;

  /** The objection or restoration application the change follows from, when there is one. */
  @Column({ name: 'related_id', type: 'varchar', length: 36, nullable: true })
  relatedId!: string | null;

  /** The request (x-request-id) or import run that made the change, to find it in logs. */
  @Column({ name: 'request_id', type: 'varchar', length: 64, nullable: true })
  requestId!: string | null;
}
