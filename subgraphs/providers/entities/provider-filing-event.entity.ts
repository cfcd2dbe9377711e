import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { FilingAction, FilingStatus } from '../../../lib/catalogue/provider-supervision';

/** What an application for filing said (申请材料), as the provider submitted it. */
export interface ApplicationDetails {
  unifiedSocialCreditCode: string;
  name: string;
  registeredAddress: string;
  legalRepresentative: string;
  businessScope: string;
  contact: string | null;
}

/**
 * One step of a provider's filing (备案) workflow: who moved it from which status to which, when
 * and why. Never updated or deleted: the provider's status on any past day is read from here.
 */
// Keep column and index names in sync with migrations/1764000000310-create-provider-supervision.ts
// migrations/1764000000330-filing-event-application.ts and 1764000000370-provider-filing-change.ts.
@Entity('provider_filing_event')
@Index('IDX_provider_filing_event_provider_occurred', ['providerId', 'occurredAt'])
export class ProviderFilingEvent {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ name: 'provider_id', type: 'varchar', length: 36 })
  providerId!: string;

  @Column({ type: 'varchar', length: 24 })
  action!: FilingAction;

  /** Null for a provider's first application. */
  @Column({ name: 'from_status', type: 'varchar', length: 16, nullable: true })
  fromStatus!: FilingStatus | null;

  @Column({ name: 'to_status', type: 'varchar', length: 16 })
  toStatus!: FilingStatus;

  @Column({ type: 'text' })
  reason!: string;

  /** The user (token subject) who acted. */
  @Column({ type: 'varchar', length: 100 })
  actor!: string;

  /** The organisation the user acted for: a department code, or the provider itself. */
  @Column({ name: 'actor_organisation', type: 'varchar', length: 100 })
  actorOrganisation!: string;

  /**
   * For an APPLY or RESUBMIT step, the application as submitted: the provider's row keeps only
   * its latest one, and a decision's reason speaks of the application it decided. Null for the
   * registry's steps, and for applications recorded before it was kept.
   */
  @Column({ type: 'json', nullable: true })
  application!: ApplicationDetails | null;

  /** For the steps of a change of filed particulars (APPLY_CHANGE, APPROVE_CHANGE, REJECT_CHANGE), the change. */
  @Column({ name: 'filing_change_id', type: 'varchar', length: 36, nullable: true })
  filingChangeId!: string | null;

  /** The sanction this step carries out, when it is one (suspension, revocation). */
  @Column({ name: 'sanction_id', type: 'varchar', length: 36, nullable: true })
  sanctionId!: string | null;

  // Set by the application, not by a column default, so both drivers store the same instant.
  @Column({ name: 'occurred_at', type: 'datetime', precision: 3 })
  occurredAt!: Date;
}
