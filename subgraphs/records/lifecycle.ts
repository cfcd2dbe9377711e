import { addDays, addWorkingDays, startOfDistrictDay, todayInDistrict } from '../../lib/calendar';
import type { RecordStatus, StoredRecordStatus } from './entities/credit-record.entity';
import type { ObjectionStatus } from './entities/credit-record-objection.entity';
import type { RestorationStatus } from './entities/restoration-application.entity';

/**
 * The state machines of the record lifecycle, as tables: a transition not listed is forbidden.
 * Every write that changes a status asks `transition` first; the tests walk every pair of
 * state and action, allowed and forbidden.
 */
export type TransitionTable<S extends string, A extends string, T extends string = S> = Readonly<Record<S, Readonly<Partial<Record<A, T>>>>>;

/** The state `action` leads to from `from`, or undefined when the table forbids it. */
export function transition<S extends string, A extends string, T extends string>(table: TransitionTable<S, A, T>, from: S, action: A): T | undefined {
  return table[from]?.[action];
}

/** What can happen to a record. */
export const recordActions = ['CORRECT', 'OBJECT', 'ACCEPT_OBJECTION_CORRECTED', 'ACCEPT_OBJECTION_WITHDRAWN', 'REJECT_OBJECTION', 'WITHDRAW_OBJECTION', 'RESTORE'] as const;
export type RecordAction = (typeof recordActions)[number];

/**
 * A record's status as read today (EXPIRED derived) → the stored status after an action.
 * - CORRECT: the source department re-submits the same document number with changed content
 *   (intake) or corrects it when accepting an objection; a restored or withdrawn record is settled.
 * - OBJECT: one pending objection at a time; a record that no longer counts because it expired may
 *   still be disputed (it stays in its history), a restored or withdrawn one may not.
 * - WITHDRAW_OBJECTION: the subject takes its pending objection back (撤回) undecided; the record
 *   leaves OBJECTED as on a rejection, unchanged (and reads EXPIRED if its period ended meanwhile).
 * - RESTORE: only a record that still counts (ACTIVE); an expired one has nothing left to restore.
 */
export const recordTransitions: TransitionTable<RecordStatus, RecordAction, StoredRecordStatus> = {
  ACTIVE: { CORRECT: 'ACTIVE', OBJECT: 'OBJECTED', RESTORE: 'RESTORED' },
  EXPIRED: { CORRECT: 'ACTIVE', OBJECT: 'OBJECTED' },
  OBJECTED: { CORRECT: 'OBJECTED', ACCEPT_OBJECTION_CORRECTED: 'ACTIVE', ACCEPT_OBJECTION_WITHDRAWN: 'WITHDRAWN', REJECT_OBJECTION: 'ACTIVE', WITHDRAW_OBJECTION: 'ACTIVE' },
  RESTORED: {},
  WITHDRAWN: {},
};

/**
 * The source department's decisions, and WITHDRAW: its subject (or the organisation that filed it)
 * taking it back undecided (撤回), as administrative practice lets an applicant do before a decision.
 */
export const objectionActions = ['ACCEPT', 'REJECT', 'WITHDRAW'] as const;
export type ObjectionAction = (typeof objectionActions)[number];

/**
 * How long a record's source department has to decide an objection: 10 working days from the day
 * it was filed (the local platforms' working-day limits: 2 to accept, 10 for the source
 * department; domain.md). Past that day a pending objection is overdue, for the credit office to
 * follow up: the record meanwhile counts, marked disputed, and cannot be restored.
 */
export const objectionDecisionWorkingDays = 10;

/** The last day the source department has to decide an objection filed at `submittedAt`. */
export function objectionDueBy(submittedAt: Date): string {
  return addWorkingDays(todayInDistrict(submittedAt), objectionDecisionWorkingDays);
}

/** The first instant whose objections, if still pending, are not yet overdue on `today`: every one filed before it is. */
export function overdueBefore(today: string): Date {
  let day = today;
  while (addWorkingDays(addDays(day, -1), objectionDecisionWorkingDays) >= today) day = addDays(day, -1);
  return startOfDistrictDay(day);
}

/** An objection is decided once, by the source department, or withdrawn while pending; either is final (a withdrawing subject may object anew). */
export const objectionTransitions: TransitionTable<ObjectionStatus, ObjectionAction> = {
  SUBMITTED: { ACCEPT: 'ACCEPTED', REJECT: 'REJECTED', WITHDRAW: 'WITHDRAWN' },
  ACCEPTED: {},
  REJECTED: {},
  WITHDRAWN: {},
};

/**
 * A department's decisions; CLOSE: what withdrawing the record on an objection, or the end of
 * its disclosure period (公示期满, restoration-closure.ts), does to an application pending; and
 * WITHDRAW: its subject (or the organisation that filed it) taking it back undecided (撤回).
 */
export const restorationActions = ['APPROVE', 'REJECT', 'CLOSE', 'WITHDRAW'] as const;
export type RestorationAction = (typeof restorationActions)[number];

/** A restoration application is decided (or closed, or withdrawn) once; a rejected or withdrawing subject may apply again. */
export const restorationTransitions: TransitionTable<RestorationStatus, RestorationAction> = {
  SUBMITTED: { APPROVE: 'APPROVED', REJECT: 'REJECTED', CLOSE: 'CLOSED', WITHDRAW: 'WITHDRAWN' },
  APPROVED: {},
  REJECTED: {},
  CLOSED: {},
  WITHDRAWN: {},
};


