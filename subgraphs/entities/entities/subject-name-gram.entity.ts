import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { SubjectKind } from './subject.entity';

/**
 * The name search's index (名称检索): one row per distinct pair of adjacent characters (bigram) of
 * a subject's name as searched (its fold), with a copy of the name and the subject's kind, so
 * that the subjects whose names hold a bigram are read in name order straight off the primary
 * key (subject-names.ts).
 * Written with the subject; a subject's name and kind, once registered, are never changed.
 */
// Keep column and index names in sync with migrations/1764000000050-folded-subject-names.ts.
@Entity('subject_name_gram')
export class SubjectNameGram {
  /** Two characters of the name's fold (`nameGrams`), compared as bytes. */
  @PrimaryColumn({ type: 'varchar', length: 2 })
  gram!: string;

  /** The subject's name as stored on the subject, compared as bytes: the order a search is paged in, by code point on both drivers. */
  @PrimaryColumn({ type: 'varchar', length: 200 })
  name!: string;

  @PrimaryColumn({ name: 'subject_id', type: 'varchar', length: 36 })
  subjectId!: string;

  /** The subject's kind, so that a search for some kinds skips the others' postings without reading their subjects. */
  @Column({ type: 'varchar', length: 24 })
  kind!: SubjectKind;
}
