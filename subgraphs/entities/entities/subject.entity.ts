import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { nameKeyMaxLength } from '../../../lib/text';

export type SubjectKind = 'ENTERPRISE' | 'OTHER_ORGANISATION' | 'INDIVIDUAL_BUSINESS' | 'NATURAL_PERSON';
export type SubjectStatus = 'ACTIVE' | 'ABNORMAL' | 'REVOKED' | 'DEREGISTERED';
export type IdentifierKind = 'UNIFIED_SOCIAL_CREDIT_CODE' | 'CITIZEN_ID_NUMBER';

// Keep column and index names in sync with migrations/1764000000000-create-subject.ts and 1764000000050-folded-subject-names.ts.
/** The longest a subject's name can be, in characters: registration refuses more, and a search term longer than that matches nothing. */
export const subjectNameMaxLength = 200;

/**
 * The longest a name's search key is kept, in characters (lib/text.ts `nameKey`, as the provider
 * registry keeps its names'): three times the longest name, enough for one spelt all in ㈱ (NFKC
 * writes it (株)). A few characters are written out longer still (㍿ as 株式会社, ﷺ as eighteen);
 * a name made mostly of those is searched by the first 600 characters of its key. A longer column
 * could not be indexed on MySQL (3,072 bytes, four a character).
 */
export const subjectNameKeyMaxLength = nameKeyMaxLength;

@Entity('subject')
export class Subject {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ type: 'varchar', length: 24 })
  kind!: SubjectKind;

  @Column({ type: 'varchar', length: subjectNameMaxLength })
  name!: string;

  /**
   * What the name is searched by (lib/text.ts `nameKey`), compared as bytes on both
   * drivers; indexed so that a search's matches are counted by a scan of the keys alone. The
   * default lets a writer that does not index the name either (a test's fixture) leave it out:
   * no search finds such a subject whatever its key.
   */
  @Index('IDX_subject_name_key')
  @Column({ name: 'name_key', type: 'varchar', length: subjectNameKeyMaxLength, default: '' })
  nameKey!: string;

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
