import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * The report requirement of one credit check, decided by this subgraph as of the check's instant
 * and sealed the first time it is asked for; the check itself lives in the records subgraph.
 * Keep in sync with migrations/1764000000220-create-check-report-requirement.ts.
 */
@Entity('check_report_requirement')
export class CheckReportRequirement {
  @PrimaryColumn({ name: 'check_id', type: 'varchar', length: 36 })
  checkId!: string;

  @Column({ name: 'subject_id', type: 'varchar', length: 36 })
  subjectId!: string;

  @Column({ type: 'varchar', length: 64 })
  matter!: string;

  /** The check's instant, which the requirement was judged as of. */
  @Column({ name: 'judged_as_of', type: 'datetime', precision: 3 })
  judgedAsOf!: Date;

  /** JSON: the ReportRequirementSnapshot. */
  @Column({ type: 'text' })
  requirement!: string;

  @Column({ name: 'sealed_at', type: 'datetime', precision: 3 })
  sealedAt!: Date;
}
