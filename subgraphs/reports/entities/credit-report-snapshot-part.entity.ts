import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * The stored snapshot of a platform public credit report (公共信用信息报告), in parts: the canonical
 * JSON is cut into pieces of at most `snapshotPartLength` characters, because a portable `text`
 * column holds 64 KB on MySQL. Written once, never updated; joined in `part_index` order.
 */
// Keep column names in sync with migrations/1764000000210-add-report-registration.ts.
@Entity('credit_report_snapshot_part')
export class CreditReportSnapshotPart {
  @PrimaryColumn({ name: 'report_id', type: 'varchar', length: 36 })
  reportId!: string;

  @PrimaryColumn({ name: 'part_index', type: 'int' })
  partIndex!: number;

  @Column({ type: 'text' })
  content!: string;
}

/** 15,000 characters of UTF-8 are at most 60,000 bytes: within MySQL's 65,535-byte TEXT. */
export const snapshotPartLength = 15_000;
