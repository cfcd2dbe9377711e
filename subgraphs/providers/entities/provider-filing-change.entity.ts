import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { nameKeyMaxLength } from '../../../lib/text';

/** The particulars a provider files (备案事项) that a change may alter; its code never changes. */
export const providerParticulars = ['NAME', 'REGISTERED_ADDRESS', 'LEGAL_REPRESENTATIVE', 'BUSINESS_SCOPE', 'CONTACT'] as const;
export type ProviderParticular = (typeof providerParticulars)[number];

/** One particular a change alters: what was filed and what it becomes (变更前, 变更后); null for no contact. */
export interface ParticularChange {
  particular: ProviderParticular;
  before: string | null;
  after: string | null;
}

export type FilingChangeStatus = 'PENDING' | 'APPROVED' | 'REJECTED';

/**
 * A filed provider's application to change its filed particulars (变更备案申请), and where it
 * stands. Its steps (applied, approved, rejected) are filing events naming it; the row keeps what
 * was asked, so that one change at a time is pending, and a change of name can be locked by the
 * name asked for before any provider bears it.
 */
// Keep column and index names in sync with migrations/1764000000370-provider-filing-change.ts.
@Entity('provider_filing_change')
@Index('IDX_provider_filing_change_provider_status', ['providerId', 'status'])
export class ProviderFilingChange {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ name: 'provider_id', type: 'varchar', length: 36 })
  providerId!: string;

  /** PENDING until a registry admin approves or rejects it; one PENDING change per provider. */
  @Column({ type: 'varchar', length: 16 })
  status!: FilingChangeStatus;

  /** The particulars it alters, in the order of the input, each with its value filed when it was asked. */
  @Column({ type: 'json' })
  changes!: ParticularChange[];

  /**
   * The search key (`nameKey`) of the name asked for, empty when the name stays: approvals of
   * changes to one name lock each other's rows by it (provider.repository.ts, `lockNamesakes`).
   */
  @Index('IDX_provider_filing_change_name_key')
  @Column({ name: 'name_key', type: 'varchar', length: nameKeyMaxLength, default: '' })
  nameKey!: string;

  /** Why the provider asks (变更事由), as it wrote it. */
  @Column({ type: 'text' })
  reason!: string;

  /** The documents it supports the change with (证明材料), as it described them. */
  @Column({ name: 'supporting_material', type: 'text' })
  supportingMaterial!: string;

  @Column({ name: 'applied_at', type: 'datetime', precision: 3 })
  appliedAt!: Date;
}
