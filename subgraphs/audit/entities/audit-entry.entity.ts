import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { auditedTextLimits } from '../../../lib/access/identity';

/**
 * lib/access/identity.ts's organisation kinds, plus UNIDENTIFIED for requests refused before the
 * caller was known (no token, an invalid or expired one): those attempts are audited too.
 */
export const organisationKinds = ['DEPARTMENT', 'FINANCIAL_INSTITUTION', 'CREDIT_SERVICE_PROVIDER', 'ENTERPRISE', 'INDIVIDUAL', 'UNIDENTIFIED'] as const;
export type OrganisationKind = (typeof organisationKinds)[number];

export const auditOutcomes = ['DISCLOSED', 'DENIED', 'FAILED'] as const;
export type AuditOutcome = (typeof auditOutcomes)[number];

/**
 * The SQL of `AuditEntry.auditRead`, written alike for MySQL, MariaDB and SQLite; as migration
 * 1764000000500 wrote it, which TypeORM compares it with.
 */
const auditReadExpression = "outcome = 'DISCLOSED' AND field_groups IN ('AUDIT', 'DISCLOSURE_LOG', 'AUDIT,DISCLOSURE_LOG', 'DISCLOSURE_LOG,AUDIT')";

/**
 * One request that disclosed (or was refused) a subject's credit data: who, for what matter,
 * which subject, which field groups, when. Entries are appended, never updated or deleted; the
 * hash chain (`sequence`, `previousHash`, `hash`) makes a later change detectable, unless its
 * writer recomputed every later hash: that only a head recorded outside the database detects
 * (`AuditRepository.verification`).
 */
// Keep column and index names in sync with migrations/1764000000400-create-audit-entry.ts,
// 1764000000410-index-audit-entry-cases.ts, 1764000000420-index-audit-entry-instants.ts,
// 1764000000450-index-audit-entry-lists-by-sequence.ts,
// 1764000000460-index-audit-entry-organisation-kinds.ts,
// 1764000000470-index-audit-entry-log-filters.ts, 1764000000490-index-audit-entry-reads-of-the-log.ts
// and 1764000000500-reads-of-the-disclosure-log.ts.
@Entity('audit_entry')
@Index('IDX_audit_entry_subject_id_occurred_at_sequence', ['subjectId', 'occurredAt', 'sequence'])
@Index('IDX_audit_entry_organisation_kind_occurred_at_sequence', ['organisation', 'organisationKind', 'occurredAt', 'sequence'])
@Index('IDX_audit_entry_organisation_kind_case_occurred_at_sequence', ['organisation', 'organisationKind', 'caseNumber', 'occurredAt', 'sequence'])
@Index('IDX_audit_entry_occurred_at_sequence', ['occurredAt', 'sequence'])
@Index('IDX_audit_entry_outcome_occurred_at_sequence', ['outcome', 'occurredAt', 'sequence'])
@Index('IDX_audit_entry_matter_occurred_at_sequence', ['matter', 'occurredAt', 'sequence'])
@Index('IDX_audit_entry_actor_occurred_at_sequence', ['actor', 'occurredAt', 'sequence'])
@Index('IDX_audit_entry_case_number_occurred_at_sequence', ['caseNumber', 'occurredAt', 'sequence'])
@Index('IDX_audit_entry_audit_read_occurred_at_sequence', ['auditRead', 'occurredAt', 'sequence'])
@Index('IDX_audit_entry_actor_audit_read_occurred_at_sequence', ['actor', 'auditRead', 'occurredAt', 'sequence'])
@Index('IDX_audit_entry_organisation_kind_read_occurred_at_sequence', ['organisation', 'organisationKind', 'auditRead', 'occurredAt', 'sequence'])
export class AuditEntry {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  /** Position in the hash chain, 1, 2, 3… without gaps; assigned by `AuditRepository.append`. */
  @Index('UQ_audit_entry_sequence', { unique: true })
  @Column({ type: 'int', nullable: true })
  sequence!: number | null;

  /** The previous entry's `hash`; 64 zeros for the first entry of the chain. */
  @Column({ name: 'previous_hash', type: 'varchar', length: 64, nullable: true })
  previousHash!: string | null;

  /** Hex SHA-256 of `previousHash` followed by the entry's canonical JSON (see audit-chain.ts). */
  @Column({ type: 'varchar', length: 64, nullable: true })
  hash!: string | null;

  /** The caller's user id, from its token. */
  @Column({ type: 'varchar', length: auditedTextLimits.callerId })
  actor!: string;

  /** A department code (lib/catalogue/departments.ts) or another organisation's id. */
  @Column({ type: 'varchar', length: auditedTextLimits.organisation })
  organisation!: string;

  @Column({ name: 'organisation_kind', type: 'varchar', length: 32 })
  organisationKind!: OrganisationKind;

  @Column({ type: 'varchar', length: auditedTextLimits.role })
  role!: string;

  /** Administrative matter code, or the purpose of a non-administrative query. */
  @Column({ type: 'varchar', length: auditedTextLimits.matter, nullable: true })
  matter!: string | null;

  @Column({ name: 'case_number', type: 'varchar', length: auditedTextLimits.caseNumber, nullable: true })
  caseNumber!: string | null;

  @Column({ name: 'consent_id', type: 'varchar', length: auditedTextLimits.consentId, nullable: true })
  consentId!: string | null;

  @Column({ name: 'subject_id', type: 'varchar', length: 36, nullable: true })
  subjectId!: string | null;

  /**
   * Field group identifiers joined with commas (they never contain one); '' for none.
   * Read them through `splitFieldGroups`.
   */
  @Column({ name: 'field_groups', type: 'varchar', length: 500 })
  fieldGroups!: string;

  @Column({ name: 'operation_name', type: 'varchar', length: auditedTextLimits.operationName, nullable: true })
  operationName!: string | null;

  @Column({ name: 'request_id', type: 'varchar', length: 64 })
  requestId!: string;

  @Column({ name: 'occurred_at', type: 'datetime', precision: 3 })
  occurredAt!: Date;

  @Column({ type: 'varchar', length: 16 })
  outcome!: AuditOutcome;

  /**
   * Whether the entry records a read of the audit log itself and nothing else (`auditReads` in
   * the lists): disclosed, its field groups `AUDIT` (the audit's lists), `DISCLOSURE_LOG` (a
   * subject's 查询记录) or both, no credit data. Computed by the database from the two
   * (a virtual generated column, migrations 1764000000490 and 500), so that it agrees with them whoever
   * wrote the entry, and it is in no hash: the columns it is computed from are. Set on entries
   * read from the database, not on those `append` returns. Never null there; declared nullable
   * because MariaDB declares every generated column so.
   */
  @Column({ name: 'audit_read', type: 'boolean', asExpression: auditReadExpression, generatedType: 'VIRTUAL', nullable: true, insert: false, update: false })
  readonly auditRead!: boolean;
}

export function joinFieldGroups(groups: readonly string[]): string {
  return groups.join(',');
}

export function splitFieldGroups(stored: string): string[] {
  return stored === '' ? [] : stored.split(',');
}
