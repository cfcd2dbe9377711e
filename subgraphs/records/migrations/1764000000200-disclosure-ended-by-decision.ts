import type { MigrationInterface, QueryRunner } from 'typeorm';
import { todayInDistrict } from '../../../lib/calendar';
import { disclosureEndsAt, type Polarity, type RecordCategoryCode, type Severity } from '../../../lib/catalogue/record-categories';
import { disclosureEndedBy } from '../../../lib/catalogue/record-standing';
import { rowsPerBatch, setEach, storedInstant } from '../../shared/migration-rows';

/**
 * A record restored, or withdrawn on an objection, is no longer disclosed from the day of that
 * decision, and its disclosure end says so (`disclosureEndedBy`), as the decision writes it since
 * this migration: one decided before kept the end of its period, so a record restored in 2026
 * read "disclosed until 2028-10-10" beside RESTORED. Each is given the district day of its
 * RESTORED or WITHDRAWN event, where that is earlier than the end it has; one with no such event
 * (none was written by hand) keeps its end. Its history is left as it was written.
 *
 * Re-runnable: a second run finds every end already no later than its day. `down` gives each
 * restored or withdrawn record its period's end again, as intake computed it.
 */
export class DisclosureEndedByDecision1764000000200 implements MigrationInterface {
  name = 'DisclosureEndedByDecision1764000000200';

  async up(queryRunner: QueryRunner): Promise<void> {
    let last = '';
    for (;;) {
      // A settled status is final: one event of its kind per record, which MAX picks.
      const records: { id: string; disclosure_ends_at: string; occurred_at: unknown }[] = await queryRunner.query(
        `SELECT r.id, r.disclosure_ends_at, MAX(e.occurred_at) AS occurred_at FROM credit_record r
         JOIN credit_record_event e ON e.record_id = r.id AND e.kind = r.status
         WHERE r.status IN ('RESTORED', 'WITHDRAWN') AND r.disclosure_ends_at IS NOT NULL AND r.id > ?
         GROUP BY r.id, r.disclosure_ends_at ORDER BY r.id LIMIT ?`,
        [last, rowsPerBatch],
      );
      if (!records.length) return;
      const ended = records.map((r) => ({ id: r.id, stored: String(r.disclosure_ends_at), value: disclosureEndedBy(String(r.disclosure_ends_at), todayInDistrict(storedInstant(r.occurred_at)))! }));
      await setEach(queryRunner, 'credit_record', 'disclosure_ends_at', ended.filter((r) => r.value !== r.stored));
      last = records[records.length - 1].id;
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    let last = '';
    for (;;) {
      const records: { id: string; category: RecordCategoryCode; polarity: Polarity; severity: Severity | null; decision_date: string; disclosure_ends_at: string }[] = await queryRunner.query(
        `SELECT id, category, polarity, severity, decision_date, disclosure_ends_at FROM credit_record
         WHERE status IN ('RESTORED', 'WITHDRAWN') AND disclosure_ends_at IS NOT NULL AND id > ? ORDER BY id LIMIT ?`,
        [last, rowsPerBatch],
      );
      if (!records.length) return;
      const periods = records.map((r) => ({ id: r.id, stored: String(r.disclosure_ends_at), value: disclosureEndsAt(r.category, r.polarity, r.severity, String(r.decision_date)) }));
      await setEach(queryRunner, 'credit_record', 'disclosure_ends_at', periods.filter((r): r is typeof r & { value: string } => r.value !== null && r.value !== r.stored));
      last = records[records.length - 1].id;
    }
  }
}
