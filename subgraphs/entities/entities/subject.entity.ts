import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

export type SubjectKind = 'ENTERPRISE' | 'OTHER_ORGANISATION' | 'INDIVIDUAL_BUSINESS' | 'NATURAL_PERSON';
export type SubjectStatus = 'ACTIVE' | 'ABNORMAL' | 'REVOKED' | 'DEREGISTERED';
export type IdentifierKind = 'UNIFIED_SOCIAL_CREDIT_CODE' | 'CITIZEN_ID_NUMBER';

// Keep column and index names in sync with migrations/1764000000000-create-subject.ts.
/** The longest a subject's name can be, in characters: registration refuses more, and a search term longer than that matches nothing. */
export const subjectNameMaxLength = 200;

@Entity('subject')
export class Subject {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ type: 'varchar', length: 24 })
  kind!: SubjectKind;

  @Index('IDX_subject_name')
  @Column({ type: 'varchar', length: subjectNameMaxLength })
  name!: string;

  /** The unified social credit code or the citizen ID number: one column, so one unique index. */
  @Index('UQ_subject_identifier', { unique: true })
  @Column({ type: 'varchar', length: 18 })
  identifier!: string;

  @Column({ name: 'identifier_kind', type: 'varchar', length: 32 })
  identifierKind!: IdentifierKind;

  @Column({ name: 'registered_address', type: 'varchar', length: 300, nullable: true })
  registeredAddress!: string | null;

  @Column({ name: 'legal_representative', type: 'varchar', length: 100, nullable: true })
  legalRepresentative!: string | null;

  @Column({ type: 'varchar', length: 16 })
  status!: SubjectStatus;

  @Column({ name: 'registration_date', type: 'date', nullable: true })
  registrationDate!: string | null;

  // Set by the application, not by a column default, so both drivers store the same instant.
  @Column({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt!: Date;
}
