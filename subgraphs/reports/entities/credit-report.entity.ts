import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { nameKey, nameKeyMaxLength } from '../../../lib/text';

export const reportSources = ['CREDIT_CHINA', 'LOCAL_CREDIT_WEBSITE', 'PUBLIC_CREDIT_SERVICE_INSTITUTION', 'THIRD_PARTY_PROVIDER', 'DISTRICT_PLATFORM'] as const;
export type ReportSource = (typeof reportSources)[number];

/**
 * The credit rating scale (信用等级), best first: AAA to C, where only AA to B may carry + (above
 * the bare grade) or - (below it) (除AAA级、CCC级(含)以下等级外，每一个信用等级可用"+"、"-"符号进行微调),
 * as the People's Bank of China's rating rules write it: AAA+ or CC- is no grade, and a check
 * would read AAA+ as a good one. Registration takes these only; a check ranks by their order.
 */
export const creditGrades: readonly string[] = ['AAA', ...['AA', 'A', 'BBB', 'BB', 'B'].flatMap((grade) => [`${grade}+`, grade, `${grade}-`]), 'CCC', 'CC', 'C'];

/** What an officer found when checking a registered report with its issuer (核验结果). */
export type VerificationOutcome = 'GENUINE' | 'NOT_GENUINE';


// Keep column and index names in sync with migrations/1764000000200-create-credit-report.ts,
// migrations/1764000000210-add-report-registration.ts and
// migrations/1764000000250-withdraw-report-registration.ts and
// migrations/1764000000270-issuer-name-key.ts and
// migrations/1764000000280-generated-report-idempotency-key.ts and
// migrations/1764000000290-report-number-index.ts. On MySQL the issuer's name, its
// key, the report number and a generation's idempotency key compare byte for byte, as on SQLite
// (migrations/1764000000240-exact-report-numbers.ts).
@Entity('credit_report')
@Index('IDX_credit_report_subject_id_issued_on', ['subjectId', 'issuedOn'])
@Index('IDX_credit_report_issuer_provider_id_issued_on', ['issuerProviderId', 'issuedOn'])
@Index('UQ_credit_report_issuer_number_in_force', ['issuerNameKey', 'reportNumber', 'inForce'], { unique: true })
@Index('IDX_credit_report_report_number', ['reportNumber'])
@Index('UQ_credit_report_generator_idempotency_key', ['registeredByOrganisation', 'registeredBy', 'idempotencyKey'], { unique: true })
export class CreditReport {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  /** A Subject of the entities subgraph: another database, so no foreign key. */
  @Column({ name: 'subject_id', type: 'varchar', length: 36 })
  subjectId!: string;

  @Column({ type: 'varchar', length: 40 })
  source!: ReportSource;

  @Column({ name: 'issuer_name', type: 'varchar', length: 200 })
  issuerName!: string;

  /**
   * The issuer's name as read (`nameKey`), which the unique index holds one standing
   * registration of a number to: 信用河北网站 and 信用河北 网站, Hebei Credit Site and HEBEI CREDIT
   * SITE are one issuer, and one report under both would count twice. Worked out from
   * `issuerName` whenever a report is written, by whatever writes it (registration, generation,
   * the seed, bulk loads), so the two never disagree; what a read returns is the same, and is
   * not kept. Null only for a row written without an entity (a plain object, as tests write):
   * NULLs never collide in the index, so such a row is kept out of the rule rather than made a
   * duplicate of every other such row of its number.
   */
  @Column({ name: 'issuer_name_key', type: 'varchar', length: nameKeyMaxLength, nullable: true })
  get issuerNameKey(): string {
    return nameKey(this.issuerName);
  }

  set issuerNameKey(_stored: string) {
    // TypeORM sets what it reads back: the name above already says it.
  }

  /** A CreditServiceProvider of the providers subgraph; set only for THIRD_PARTY_PROVIDER reports. */
  @Column({ name: 'issuer_provider_id', type: 'varchar', length: 36, nullable: true })
  issuerProviderId!: string | null;

  @Column({ name: 'report_number', type: 'varchar', length: 64 })
  reportNumber!: string;

  @Column({ type: 'varchar', length: 4, nullable: true })
  grade!: string | null;

  @Column({ name: 'issued_on', type: 'date' })
  issuedOn!: string;

  /** Inclusive: the report is still valid on this day. */
  @Column({ name: 'valid_until', type: 'date' })
  validUntil!: string;

  @Column({ name: 'verification_code', type: 'varchar', length: 32 })
  verificationCode!: string;

  /**
   * Lowercase hex. For a DISTRICT_PLATFORM report: the SHA-256 of its stored snapshot (canonical
   * JSON), which verification recomputes.
   */
  @Column({ name: 'document_sha256', type: 'varchar', length: 64, nullable: true })
  documentSha256!: string | null;

  /** Where the registered document is kept (a file reference); null when only its hash was given. */
  @Column({ name: 'document_reference', type: 'varchar', length: 500, nullable: true })
  documentReference!: string | null;

  /** The user who registered or generated the report; null for rows from before this was kept (seed). */
  @Column({ name: 'registered_by', type: 'varchar', length: 100, nullable: true })
  registeredBy!: string | null;

  /** The organisation (department code) that user acted for. */
  @Column({ name: 'registered_by_organisation', type: 'varchar', length: 100, nullable: true })
  registeredByOrganisation!: string | null;

  /**
   * The front end's key for the attempt that generated the report (generateCreditReport's
   * `idempotencyKey`): one report per key and caller (the organisation and user that generated
   * it), so that a retry answers the report first generated. Null for a report generated without
   * one, and for every registered report: NULLs never collide in the unique index.
   */
  @Column({ name: 'idempotency_key', type: 'varchar', length: 64, nullable: true })
  idempotencyKey!: string | null;

  /** Set when an officer checked a registered report with its issuer; the latest check wins. */
  @Column({ name: 'verification_outcome', type: 'varchar', length: 16, nullable: true })
  verificationOutcome!: VerificationOutcome | null;

  @Column({ name: 'verification_note', type: 'text', nullable: true })
  verificationNote!: string | null;

  @Column({ name: 'verified_by', type: 'varchar', length: 100, nullable: true })
  verifiedBy!: string | null;

  @Column({ name: 'verified_at', type: 'datetime', precision: 3, nullable: true })
  verifiedAt!: Date | null;

  // Set by the application, not by a column default, so both drivers store the same instant.
  @Column({ name: 'registered_at', type: 'datetime', precision: 3 })
  registeredAt!: Date;

  /**
   * True while the registration stands, null once it is withdrawn: the unique index over issuer,
   * number and this holds one standing registration per issuer and number, and any number of
   * withdrawn ones, since NULLs never collide in a unique index on either database. A withdrawn
   * mistake must not keep its issuer and number from the corrected registration.
   */
  @Column({ name: 'in_force', type: 'boolean', nullable: true, default: true })
  inForce: true | null = true;

  /** When the registering department, or the credit office, withdrew the registration as a mistake (撤销登记); null while it stands. */
  @Column({ name: 'withdrawn_at', type: 'datetime', precision: 3, nullable: true })
  withdrawnAt!: Date | null;

  @Column({ name: 'withdrawn_by', type: 'varchar', length: 100, nullable: true })
  withdrawnBy!: string | null;

  /** The organisation (department code) the withdrawing user acted for. */
  @Column({ name: 'withdrawn_by_organisation', type: 'varchar', length: 100, nullable: true })
  withdrawnByOrganisation!: string | null;

  @Column({ name: 'withdrawal_reason', type: 'text', nullable: true })
  withdrawalReason!: string | null;
}
