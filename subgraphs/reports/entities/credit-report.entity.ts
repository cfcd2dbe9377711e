import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

export type ReportSource = 'CREDIT_CHINA' | 'LOCAL_CREDIT_WEBSITE' | 'PUBLIC_CREDIT_SERVICE_INSTITUTION' | 'THIRD_PARTY_PROVIDER';

// Keep column and index names in sync with migrations/1764000000200-create-credit-report.ts.
@Entity('credit_report')
@Index('IDX_credit_report_subject_id_issued_on', ['subjectId', 'issuedOn'])
@Index('IDX_credit_report_issuer_provider_id_issued_on', ['issuerProviderId', 'issuedOn'])
@Index('UQ_credit_report_issuer_number', ['issuerName', 'reportNumber'], { unique: true })
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

  /** Lowercase hex. */
  @Column({ name: 'document_sha256', type: 'varchar', length: 64, nullable: true })
  documentSha256!: string | null;

  // Set by the application, not by a column default, so both drivers store the same instant.
  @Column({ name: 'registered_at', type: 'datetime', precision: 3 })
  registeredAt!: Date;
}
