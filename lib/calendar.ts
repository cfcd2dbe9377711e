import { badInput } from './errors';

/**
 * Today's date, YYYY-MM-DD, in the district (China Standard Time, UTC+8, no DST). Expiry,
 * validity and "not in the future" are judged by the district's calendar, not by the time zone
 * of whichever server runs the check.
 */
export function todayInDistrict(now: Date = new Date()): string {
  return new Date(now.getTime() + 8 * 60 * 60 * 1000).toISOString().slice(0, 10);
}

/**
 * The working day `days` working days after `isoDate` (YYYY-MM-DD), counting Monday to Friday.
 * Public holidays and the make-up working weekends (调休) are set each year by the State Council
 * and are not known to the platform: a deadline counted here can fall a few days early around them.
 */
export function addWorkingDays(isoDate: string, days: number): string {
  let date = isoDate;
  for (let left = days; left > 0; ) {
    date = addDays(date, 1);
    const weekday = new Date(`${date}T00:00:00Z`).getUTCDay();
    if (weekday !== 0 && weekday !== 6) left -= 1;
  }
  return date;
}

/** The calendar date `days` days after `isoDate` (YYYY-MM-DD; negative for before). */
export function addDays(isoDate: string, days: number): string {
  return new Date(Date.parse(`${isoDate}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

/**
 * An instant as the district's clock reads it, to the second (`exact`: to the millisecond), with its offset:
 * `2026-12-06T00:17:39+08:00`, for messages an officer reads; the UTC form of the same instant
 * (`2026-12-05T16:17:39.261Z`) reads as the day before.
 */
export function inDistrictTime(instant: Date, exact = false): string {
  const local = new Date(instant.getTime() + 8 * 60 * 60 * 1000).toISOString();
  // `exact`: to the millisecond when there is one, for a bound refused for missing midnight by it.
  return `${local.slice(0, exact && instant.getMilliseconds() !== 0 ? 23 : 19)}+08:00`;
}

/**
 * An instant a caller sent, echoed in a refusal: as the district's clock reads it, to the
 * millisecond, then in UTC (`2026-12-07T00:00:00+08:00 (2026-12-06T16:00:00.000Z)`), so that
 * it reads as sent in either form; the UTC form alone reads as the day before.
 */
export function echoedInstant(instant: Date): string {
  return `${inDistrictTime(instant, true)} (${instant.toISOString()})`;
}

/** The first instant of a district calendar day (midnight, UTC+8). */
export function startOfDistrictDay(isoDate: string): Date {
  return new Date(`${isoDate}T00:00:00+08:00`);
}

/**
 * The whole-district-day rule of statistics that must not be cut around one request or check:
 * `from` and `to` each a district midnight (00:00, UTC+8), or BAD_USER_INPUT naming the bound
 * and the nearest midnight. `counted` says whose statistics, as the message's subject ("an
 * analyst's statistics are", "the credit check statistics are").
 */
export function checkDistrictDays(range: { from: Date; to: Date }, counted: string): void {
  for (const field of ['from', 'to'] as const) {
    const instant = range[field];
    if (startOfDistrictDay(todayInDistrict(instant)).getTime() === instant.getTime()) continue;
    const day = todayInDistrict(new Date(instant.getTime() + 12 * 60 * 60 * 1000));
    const nearest = startOfDistrictDay(day);
    throw badInput(
      field,
      `${counted} counted in whole district days: ${field} must be midnight (00:00) in the district's time zone (UTC+8), got ${echoedInstant(instant)}; the nearest is ${day}T00:00:00+08:00 (${nearest.toISOString()})`,
    );
  }
}

/**
 * How long before the audit subgraph's now an appended entry's `occurredAt` may lie
 * (subgraphs/audit/resolvers.ts `appendedInstantsWithin`, which says why twelve minutes).
 */
export const lateAuditEntryMs = 12 * 60_000;

/**
 * How long after its midnight a district day is completed: until then the audit log may still
 * take entries stamped in it (`lateAuditEntryMs`, by the audit subgraph's own clock, which this
 * rule reads too: a gateway's clock behind the audit's, entries waiting in the gateway's writer),
 * and a minute more for an append checked but not yet committed (it keeps within its caller's 5 s).
 * Counted from midnight itself, an analyst's finished day changed when such entries arrived.
 */
export const dayCompletedAfterMs = lateAuditEntryMs + 60_000;

/**
 * The completed-days rule of statistics that must not be polled while a day runs (each request
 * would show as it is made): `to` no later than the midnight of the last completed day (today's,
 * `dayCompletedAfterMs` after it), or BAD_USER_INPUT naming that midnight.
 */
export function checkCompletedDays(to: Date, counted: string, now: Date = new Date()): void {
  const today = todayInDistrict(now);
  const completed = todayInDistrict(new Date(now.getTime() - dayCompletedAfterMs));
  if (to.getTime() <= startOfDistrictDay(completed).getTime()) return;
  if (completed === today) throw badInput('to', `${counted} counted in completed district days only: to must be today's midnight, ${today}T00:00:00+08:00, or earlier, got ${echoedInstant(to)}`);
  const completes = new Date(startOfDistrictDay(today).getTime() + dayCompletedAfterMs);
  throw badInput(
    'to',
    `${counted} counted in completed district days only: a day is completed ${dayCompletedAfterMs / 60_000} minutes after its midnight (the audit log takes entries stamped in it until then), so to must be ${completed}T00:00:00+08:00 or earlier until ${inDistrictTime(completes)}, got ${echoedInstant(to)}`,
  );
}

/** A period of instants is half-open, [from, to): an empty or reversed one is BAD_USER_INPUT on `field`, echoing both ends as the district reads them. */
export function checkInstantRange(from: Date, to: Date, field = 'to'): void {
  if (from.getTime() >= to.getTime()) {
    throw badInput(field, `the range is [from, to): to must be later than from, got from ${echoedInstant(from)} and to ${echoedInstant(to)}`);
  }
}

/**
 * A period of district dates, [from, to): `to` is the day after the last one counted, so it must
 * be later than `from` (BAD_USER_INPUT on `to`, an equal one told as the empty period it is).
 */
export function checkDatePeriod({ from, to }: { from: string; to: string }): void {
  if (to < from) throw badInput('to', `to must be later than from (the period is [from, to): from inclusive, to exclusive), got ${from} to ${to}`);
  if (to === from) throw badInput('to', `the period [from, to) is empty: to is the day after the last day counted, got ${from} to ${to}`);
}
