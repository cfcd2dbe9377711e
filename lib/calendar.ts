/**
 * Today's date, YYYY-MM-DD, in the district (China Standard Time, UTC+8, no DST). Expiry,
 * validity and "not in the future" are judged by the district's calendar, not by the time zone
 * of whichever server runs the check.
 */
export function todayInDistrict(now: Date = new Date()): string {
  return new Date(now.getTime() + 8 * 60 * 60 * 1000).toISOString().slice(0, 10);
}
