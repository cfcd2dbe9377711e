import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { ReportRequirementSnapshot } from '../check-requirement';

/**
 * The report requirement of one credit check, decided by this subgraph as of the check's instant
 * and sealed the first time it is asked for; the check itself lives in the records subgraph.
 * Keep in sync with migrations/1764000000220-create-check-report-requirement.ts and
 * 1764000000260-check-requirement-as-json.ts.
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

  /**
   * A JSON column (LONGTEXT on MariaDB, JSON on MySQL, text on SQLite): it lists every report the
   * check considered, and some 260 (80 with long issuer names) overflowed the 64 KB of the MySQL
   * TEXT column it was. Read by `CheckRequirementRepository.sealed` row by row, not through this.
   */
  @Column({ type: 'json' })
  requirement!: ReportRequirementSnapshot;

  @Column({ name: 'sealed_at', type: 'datetime', precision: 3 })
  sealedAt!: Date;
}
