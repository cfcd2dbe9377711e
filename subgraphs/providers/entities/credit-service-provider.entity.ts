import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { FilingStatus, SupervisionClass } from '../../../lib/catalogue/provider-supervision';
import { nameKeyMaxLength } from '../../../lib/text';

export type { FilingStatus, SupervisionClass } from '../../../lib/catalogue/provider-supervision';


// Keep column and index names in sync with migrations/1764000000300-create-credit-service-provider.ts and 1764000000340.
@Entity('credit_service_provider')
export class CreditServiceProvider {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Index('UQ_credit_service_provider_code', { unique: true })
  @Column({ name: 'unified_social_credit_code', type: 'varchar', length: 18 })
  unifiedSocialCreditCode!: string;

  /** Compared as bytes on MySQL too (migration 1764000000340), so that the registry lists in one order on both drivers. */
  @Index('IDX_credit_service_provider_name')
  @Column({ type: 'varchar', length: 200 })
  name!: string;

  /**
   * What the name is searched by (`creditServiceProviders(name:)`): the name as a reader compares
   * it (`nameKey`), compared as bytes. Empty only for a row written without it.
   * Indexed: a filing decision locks the providers of one key (MySQL would otherwise scan the registry under the lock).
   */
  @Index('IDX_credit_service_provider_name_key')
  @Column({ name: 'name_key', type: 'varchar', length: nameKeyMaxLength, default: '' })
  nameKey!: string;

  @Column({ name: 'registered_address', type: 'varchar', length: 300 })
  registeredAddress!: string;

  @Column({ name: 'legal_representative', type: 'varchar', length: 100 })
  legalRepresentative!: string;

  @Column({ name: 'business_scope', type: 'text' })
  businessScope!: string;

  /** The company's published telephone number. */
  @Column({ type: 'varchar', length: 40, nullable: true })
  contact!: string | null;

  /** The current status: always the `toStatus` of the provider's latest filing event. */
  @Column({ name: 'filing_status', type: 'varchar', length: 16 })
  filingStatus!: FilingStatus;

  /** Null until the registry classifies the provider (always null before it is filed). */
  @Column({ name: 'supervision_class', type: 'varchar', length: 1, nullable: true })
  supervisionClass!: SupervisionClass | null;

  /** The day the filing was first accepted; kept through suspension and reinstatement. */
  @Column({ name: 'filed_on', type: 'date', nullable: true })
  filedOn!: string | null;

  // Set by the application, not by a column default, so both drivers store the same instant.
  @Column({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt!: Date;
}
