import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { SanctionKind, SupervisionClass } from '../../../lib/catalogue/provider-supervision';

/**
 * A sanction imposed for a violation (惩戒措施). Its effect on the provider (a class change, a
 * suspension, a revocation) is recorded in the same transaction as a class change or a filing
 * event pointing back here. Append-only.
 */
// Keep column and index names in sync with migrations/1764000000310-create-provider-supervision.ts.
@Entity('provider_sanction')
@Index('IDX_provider_sanction_violation', ['violationId'])
@Index('IDX_provider_sanction_provider_imposed', ['providerId', 'imposedAt'])
export class ProviderSanction {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ name: 'provider_id', type: 'varchar', length: 36 })
  providerId!: string;

  @Column({ name: 'violation_id', type: 'varchar', length: 36 })
  violationId!: string;

  @Column({ type: 'varchar', length: 24 })
  kind!: SanctionKind;

  @Column({ type: 'text' })
  reason!: string;

  /** The class a CLASS_DOWNGRADE set; null for other kinds. */
  @Column({ name: 'downgraded_to', type: 'varchar', length: 1, nullable: true })
  downgradedTo!: SupervisionClass | null;

  @Column({ name: 'imposed_by', type: 'varchar', length: 100 })
  imposedBy!: string;

  @Column({ name: 'imposed_by_organisation', type: 'varchar', length: 100 })
  imposedByOrganisation!: string;

  @Column({ name: 'imposed_at', type: 'datetime', precision: 3 })
  imposedAt!: Date;
}
