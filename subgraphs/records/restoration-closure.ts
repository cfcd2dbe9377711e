import type { DataSource, EntityManager } from 'typeorm';
import { CreditRecord } from './entities/credit-record.entity';
import { RestorationApplication } from './entities/restoration-application.entity';
import { restorationTransitions, transition } from './lifecycle';
import { expiryInstant, platformActor, type Actor } from './record-history';

/**
 * A restoration application pending when its record's disclosure period ends (公示期满) is CLOSED
 * (终止): the record no longer counts, so there is nothing left to restore, and neither APPROVED
 * (nothing to restore) nor REJECTED (which tells the subject the record still counts and it may
 * apply again, both false) would be true. As the record's EXPIRED status is, the closing is
 * derived from the passing of the date, never waited for from a department: the application
 * reads CLOSED, by the platform, from the first instant after the record's last day of disclosure,
 * in every answer and list filter, and can no longer be decided (as one closed on a withdrawal).
 * Any write that changes the record stores the closing first (`closeEndedApplications`), so that a
 * correction that later dates the record anew, and makes it count again, does not reopen it:
 * CLOSED is final, and the subject applies anew.
 */

/** Whether `record`'s disclosure has ended while it still stood (ACTIVE or under objection): a pending application's end. */
export function disclosureEnded(record: Pick<CreditRecord, 'status' | 'disclosureEndsAt'>, today: string): boolean {
  return record.disclosureEndsAt !== null && record.disclosureEndsAt < today && (record.status === 'ACTIVE' || record.status === 'OBJECTED');
}

/** Why an application was closed at the end of its record's disclosure. */
export function closedOnExpiryReason(disclosureEndsAt: string): string {
  return `the record's disclosure period ended on ${disclosureEndsAt} (公示期满) while this application was pending: the record no longer counts, so nothing is left to restore (终止)`;
}

/** The application as it stands on `today`: CLOSED by the platform once its record's disclosure ended while it was pending. */
export function applicationAsItStands(application: RestorationApplication, record: Pick<CreditRecord, 'status' | 'disclosureEndsAt'> | null | undefined, today: string): RestorationApplication {
  if (application.status !== 'SUBMITTED' || !record || !disclosureEnded(record, today)) return application;
  const end = record.disclosureEndsAt!;
  return Object.assign(new RestorationApplication(), application, {
    status: transition(restorationTransitions, 'SUBMITTED', 'CLOSE')!,
    decidedBy: platformActor.userId,
    decidedByOrganisation: platformActor.organisation,
    decidedAt: new Date(Math.max(expiryInstant(end).getTime(), application.submittedAt.getTime())),
    decisionReason: closedOnExpiryReason(end),
  });
}

/**
 * SQL (on the application table aliased `t`) for "closed at its record's disclosure end, though
 * stored SUBMITTED": the rule of `applicationAsItStands`, for list filters. Pushes its parameters.
 */
export function endedCondition(db: DataSource, today: string, params: unknown[]): string {
  const q = (name: string) => db.driver.escape(name);
  params.push('ACTIVE', 'OBJECTED', today);
  return `EXISTS (SELECT 1 FROM ${q('credit_record')} r WHERE r.${q('id')} = t.${q('record_id')} AND r.${q('status')} IN (?, ?) AND r.${q('disclosure_ends_at')} < ?)`;
}

/**
 * Stores the closing of `record`'s pending application, if any, before a write changes the record
 * from `before` to `after`: closed at the end of disclosure when it had ended before the write
 * (as it already read), or now, by `actor`, when the write itself ends it (a correction moving
 * the period into the past). A read and an update per pending application (a record has one at
 * most, as a new one is refused while one is pending), only when the period has ended on either side.
 */
export async function closeEndedApplications(manager: EntityManager, before: CreditRecord, after: Pick<CreditRecord, 'status' | 'disclosureEndsAt'>, today: string, actor: Actor, now: Date): Promise<void> {
  if (disclosureEnded(before, today)) {
    // Stored as it already reads: the closing `applicationAsItStands` derives.
    const pending = await manager.find(RestorationApplication, { where: { recordId: before.id, status: 'SUBMITTED' } });
    for (const application of pending) {
      const { status, decidedBy, decidedByOrganisation, decidedAt, decisionReason } = applicationAsItStands(application, before, today);
      await manager.update(RestorationApplication, { id: application.id, status: 'SUBMITTED' }, { status, decidedBy, decidedByOrganisation, decidedAt, decisionReason });
    }
  } else if (disclosureEnded(after, today)) {
    await manager.update(RestorationApplication, { recordId: before.id, status: 'SUBMITTED' }, {
      status: transition(restorationTransitions, 'SUBMITTED', 'CLOSE')!,
      decidedBy: actor.userId,
      decidedByOrganisation: actor.organisation,
      decidedAt: now,
      decisionReason: `the record was corrected, and its disclosure period, as corrected, ended on ${after.disclosureEndsAt} (公示期满): it no longer counts, so nothing is left to restore (终止)`,
    });
  }
}
