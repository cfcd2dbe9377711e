import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { organisationKinds, type OrganisationKind } from '../../../lib/access/identity';

/** Who may be named as the reader of a consent: anyone outside administration (departments need none). */
export type GranteeKind = Exclude<OrganisationKind, 'DEPARTMENT'>;
export const granteeKinds: readonly GranteeKind[] = organisationKinds.filter((k): k is GranteeKind => k !== 'DEPARTMENT');

export type ConsentStatus = 'ACTIVE' | 'NOT_YET_VALID' | 'EXPIRED' | 'REVOKED';

/**
 * A subject's consent (授权): it lets one named organisation read the subject's credit data for
 * one purpose (a consent-requiring matter of lib/catalogue/matters.ts) from `validFrom` through
 * `validUntil`, both days included, until revoked. Consents are never deleted: a revoked or
 * expired one stays, so that the audit entries citing it can still be explained.
 */
// Keep column and index names in sync with migrations/1764000000010-create-consent.ts and
// 1764000000070-consents-by-grantee.ts.
@Entity('consent')
@Index('IDX_consent_subject_id', ['subjectId'])
@Index('IDX_consent_grantee', ['granteeOrganisation', 'granteeKind', 'grantedAt', 'id'])
export class Consent {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ name: 'subject_id', type: 'varchar', length: 36 })
  subjectId!: string;

  /**
   * The reader, as its users' tokens name their organisation (`org`): a financial institution's
   * organisation id, a credit service provider's or an enterprise's unified social credit code, a
   * person's citizen ID number (`granteeOrganisationOf` in consent.repository.ts).
   */
  @Column({ name: 'grantee_organisation', type: 'varchar', length: 64 })
  granteeOrganisation!: string;

  @Column({ name: 'grantee_kind', type: 'varchar', length: 32 })
  granteeKind!: GranteeKind;

  /** A matter code with `consentRequired` (FINANCIAL_SERVICES, COMMERCIAL_DUE_DILIGENCE, PROVIDER_DATA_COLLECTION). */
  @Column({ type: 'varchar', length: 64 })
  purpose!: string;

  @Column({ name: 'valid_from', type: 'date' })
  validFrom!: string;

  /** The last day the consent is valid (included). */
  @Column({ name: 'valid_until', type: 'date' })
  validUntil!: string;

  /** The user who recorded the consent: the subject's own user, or an officer recording a paper consent (授权书). */
  @Column({ name: 'granted_by', type: 'varchar', length: 100 })
  grantedBy!: string;

  @Column({ name: 'granted_by_organisation', type: 'varchar', length: 64 })
  grantedByOrganisation!: string;

  @Column({ name: 'granted_at', type: 'datetime', precision: 3 })
  grantedAt!: Date;

  @Column({ name: 'revoked_at', type: 'datetime', precision: 3, nullable: true })
  revokedAt!: Date | null;

  @Column({ name: 'revoked_by', type: 'varchar', length: 100, nullable: true })
  revokedBy!: string | null;

  /** The organisation the revoker acted for; null while not revoked, and for consents revoked before it was kept. */
  @Column({ name: 'revoked_by_organisation', type: 'varchar', length: 64, nullable: true })
  revokedByOrganisation!: string | null;

  @Column({ name: 'revocation_reason', type: 'varchar', length: 500, nullable: true })
  revocationReason!: string | null;
}

/**
 * A consent's status on a district calendar day (lib/calendar.ts `todayInDistrict()`): valid
 * from `validFrom` through `validUntil`, both included; a revocation ends it whatever the dates.
 * Derived, never stored, so that a consent expires without anyone writing to it.
 */
export function consentStatus(consent: Pick<Consent, 'validFrom' | 'validUntil' | 'revokedAt'>, today: string): ConsentStatus {
  if (consent.revokedAt) return 'REVOKED';
  if (today < consent.validFrom) return 'NOT_YET_VALID';
  if (today > consent.validUntil) return 'EXPIRED';
  return 'ACTIVE';
}

/**
 * `consentStatus` as an SQL condition on the consent table aliased `t`, for lists filtered by
 * status: keep the two in step. Pushes its parameters onto `params`.
 */
export function consentStatusCondition(status: ConsentStatus, today: string, params: unknown[]): string {
  switch (status) {
    case 'REVOKED':
      return 't.revoked_at IS NOT NULL';
    case 'NOT_YET_VALID':
      params.push(today);
      return '(t.revoked_at IS NULL AND t.valid_from > ?)';
    case 'EXPIRED':
      params.push(today, today);
      return '(t.revoked_at IS NULL AND t.valid_from <= ? AND t.valid_until < ?)';
    case 'ACTIVE':
      params.push(today, today);
      return '(t.revoked_at IS NULL AND t.valid_from <= ? AND t.valid_until >= ?)';
  }
}
