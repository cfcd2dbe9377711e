import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { ViolationKind } from '../../../lib/catalogue/provider-supervision';

/**
 * A breach by a provider that the registry found (违法违规行为), with its evidence. Never deleted
 * nor changed, but for its withdrawal as recorded in error (撤销违规记录), kept on its row.
 */
// Keep column and index names in sync with migrations/1764000000310-create-provider-supervision.ts,
// the column types with migrations/1764000000320-evidence-as-json.ts and the withdrawal's columns
// with migrations/1764000000360-withdraw-provider-violation.ts.
@Entity('provider_violation')
@Index('IDX_provider_violation_provider_recorded', ['providerId', 'recordedAt'])
export class ProviderViolation {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ name: 'provider_id', type: 'varchar', length: 36 })
  providerId!: string;

  @Column({ type: 'varchar', length: 24 })
  kind!: ViolationKind;

  @Column({ type: 'text' })
  description!: string;

  /**
   * Document numbers, file references or hashes of the evidence, in the order recorded. A JSON
   * column (LONGTEXT on MariaDB, JSON on MySQL): up to 50 items of 500 characters overflow the
   * 64 KB of a MySQL TEXT column.
   */
  @Column({ type: 'json' })
  evidence!: string[];

  /**
   * The day the breach began, as the registry established it (for false information, the day it
   * was first given), not the day it was found (`recordedAt`): reports are judged from it.
   */
  @Column({ name: 'occurred_on', type: 'date' })
  occurredOn!: string;

  @Column({ name: 'recorded_by', type: 'varchar', length: 100 })
  recordedBy!: string;

  @Column({ name: 'recorded_by_organisation', type: 'varchar', length: 100 })
  recordedByOrganisation!: string;

  @Column({ name: 'recorded_at', type: 'datetime', precision: 3 })
  recordedAt!: Date;

  /** When it was withdrawn as recorded in error; null while it stands. A withdrawn violation counts for nothing. */
  @Column({ name: 'withdrawn_at', type: 'datetime', precision: 3, nullable: true })
  withdrawnAt!: Date | null;

  @Column({ name: 'withdrawn_by', type: 'varchar', length: 100, nullable: true })
  withdrawnBy!: string | null;

  @Column({ name: 'withdrawn_by_organisation', type: 'varchar', length: 100, nullable: true })
  withdrawnByOrganisation!: string | null;

  /** What was recorded in error, as the admin who withdrew it wrote. */
  @Column({ name: 'withdrawal_reason', type: 'text', nullable: true })
  withdrawalReason!: string | null;
}
