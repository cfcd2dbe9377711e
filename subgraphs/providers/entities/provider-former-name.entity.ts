import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { nameKeyMaxLength } from '../../../lib/text';

/**
 * A name a provider was filed under before a change replaced it (曾用名). Kept for good: the
 * reports it issued bear it, so it is read as that provider's by report registration, and no other
 * provider may take it (`assertNameFree`). Append-only.
 */
// Keep column and index names in sync with migrations/1764000000370-provider-filing-change.ts.
@Entity('provider_former_name')
@Index('IDX_provider_former_name_provider_until', ['providerId', 'heldUntil'])
export class ProviderFormerName {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ name: 'provider_id', type: 'varchar', length: 36 })
  providerId!: string;

  @Column({ type: 'varchar', length: 200 })
  name!: string;

  /** The name as a reader compares it (`nameKey`), as the registry's names are searched and told apart. */
  @Index('IDX_provider_former_name_name_key')
  @Column({ name: 'name_key', type: 'varchar', length: nameKeyMaxLength })
  nameKey!: string;

  /** The instant the approved change replaced it. */
  @Column({ name: 'held_until', type: 'datetime', precision: 3 })
  heldUntil!: Date;

  /** The change that replaced it. */
  @Column({ name: 'filing_change_id', type: 'varchar', length: 36 })
  filingChangeId!: string;
}
