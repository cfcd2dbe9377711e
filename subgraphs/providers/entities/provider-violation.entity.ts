import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { ViolationKind } from '../../../lib/catalogue/provider-supervision';

/** A breach by a provider that the registry found (违法违规行为), with its evidence. Append-only. */
// Keep column and index names in sync with migrations/1764000000310-create-provider-supervision.ts
// and the column types with migrations/1764000000320-evidence-as-json.ts.
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

  /** When the breach happened (or was found), as the registry established it. */
  @Column({ name: 'occurred_on', type: 'date' })
  occurredOn!: string;

  @Column({ name: 'recorded_by', type: 'varchar', length: 100 })
  recordedBy!: string;

  @Column({ name: 'recorded_by_organisation', type: 'varchar', length: 100 })
  recordedByOrganisation!: string;

  @Column({ name: 'recorded_at', type: 'datetime', precision: 3 })
  recordedAt!: Date;
}
