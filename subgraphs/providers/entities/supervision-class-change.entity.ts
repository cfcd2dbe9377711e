import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { SupervisionClass } from '../../../lib/catalogue/provider-supervision';

/** One change of a provider's supervision class (监管类别), with who, when and why. Append-only. */
// Keep column and index names in sync with migrations/1764000000310-create-provider-supervision.ts.
@Entity('supervision_class_change')
@Index('IDX_supervision_class_change_provider_occurred', ['providerId', 'occurredAt'])
export class SupervisionClassChange {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ name: 'provider_id', type: 'varchar', length: 36 })
  providerId!: string;

  /** Null for the provider's first classification. */
  @Column({ name: 'from_class', type: 'varchar', length: 1, nullable: true })
  fromClass!: SupervisionClass | null;

  @Column({ name: 'to_class', type: 'varchar', length: 1 })
  toClass!: SupervisionClass;

  @Column({ type: 'text' })
  reason!: string;

  @Column({ type: 'varchar', length: 100 })
  actor!: string;

  @Column({ name: 'actor_organisation', type: 'varchar', length: 100 })
  actorOrganisation!: string;

  /** The sanction (a class downgrade) this change carries out, when it is one. */
  @Column({ name: 'sanction_id', type: 'varchar', length: 36, nullable: true })
  sanctionId!: string | null;

  @Column({ name: 'occurred_at', type: 'datetime', precision: 3 })
  occurredAt!: Date;
}
