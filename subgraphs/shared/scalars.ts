import { GraphQLScalarType, Kind, print, type ValueNode } from 'graphql';
import { badInput, quotedInput } from '../../lib/errors';
import { foldedNumber } from '../../lib/text';

const isoDate = /^(\d{4})-(\d{2})-(\d{2})$/;

/** True for a real calendar date written YYYY-MM-DD (2023-02-30 is not one). */
export function isIsoDate(value: string): boolean {
  const match = isoDate.exec(value);
  if (!match) return false;
  const [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])];
  // setUTCFullYear, not Date.UTC, which reads the years 0-99 as 1900-1999.
  const date = new Date(0);
  date.setUTCFullYear(y, m - 1, d);
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

/** What the client sent, for a message: a literal that is no string as written (`2026-11-25` unquoted, a number), a value as JSON. */
type Sent = { value: unknown; shown: string };
const sentValue = (value: unknown): Sent => ({ value, shown: quotedInput(value) });
// A literal other than a string is a few tokens at most (the gateway's token limit): printed whole.
const sentLiteral = (ast: ValueNode): Sent => (ast.kind === Kind.STRING ? sentValue(ast.value) : { value: undefined, shown: `${print(ast)}, which is not a string` });

/**
 * A date typed in full width (２０２６－１１－１５, as an input method in full-width mode types it) is
 * the date: folded (NFKC) and trimmed, as record intake reads the dates of a row.
 */
function parseDate({ value, shown }: Sent): string {
  const date = typeof value === 'string' ? foldedNumber(value) : value;
  if (typeof date !== 'string' || !isIsoDate(date)) {
    throw badInput('Date', `expected a calendar date as YYYY-MM-DD, got ${shown}`);
  }
  return date;
}

/** Calendar dates (decision dates, validity) carry no time zone: a decision of 2026-03-01 is that day everywhere. */
export const DateScalar = new GraphQLScalarType<string, string>({
  name: 'Date',
  description: 'A calendar date, ISO 8601 `YYYY-MM-DD`.',
  serialize: (value) => (value instanceof Date ? value.toISOString().slice(0, 10) : String(value)),
  parseValue: (value) => parseDate(sentValue(value)),
  parseLiteral: (ast) => parseDate(sentLiteral(ast)),
});

/** RFC 3339: a calendar date, `T`, a time with optional fractions of a second, and `Z` or an offset. */
const rfc3339 = /^(\d{4}-\d{2}-\d{2})T([01]\d|2[0-3]):([0-5]\d):([0-5]\d)(\.\d{1,9})?(Z|[+-](?:[01]\d|2[0-3]):[0-5]\d)$/i;

/**
 * Only RFC 3339 date-times with a real calendar date: `new Date` alone also takes `"1"`, `"2026"`
 * and `2026-02-30T00:00:00Z` (read as 2 March), which would filter by an instant the caller never
 * meant. Typed in full width (２０２６－１２－０１Ｔ００：００：００＋０８：００) or with spaces about it,
 * it is that instant, folded as `parseDate` folds a date, so that a form's date and time boxes
 * take what its date box takes; the folded text is then held to RFC 3339 as any other.
 */
function parseDateTime({ value, shown }: Sent): Date {
  const text = typeof value === 'string' ? foldedNumber(value) : '';
  const match = rfc3339.exec(text);
  const date = match && isIsoDate(match[1]) ? new Date(text) : undefined;
  if (!date || Number.isNaN(date.getTime())) {
    throw badInput('DateTime', `expected an RFC 3339 date-time with a real calendar date and a zone, such as 2026-11-25T08:00:00Z, got ${shown}`);
  }
  // The platform records instants to the millisecond, and `new Date` cuts finer fractions off.
  // Rounded up instead, a bound of a range [from, to) selects exactly the recorded instants it
  // covers: cut, from 46.1975 would take an entry at 46.197, and to 46.5901 leave out 46.590.
  const instant = /[1-9]/.test(match![5]?.slice(4) ?? '') ? new Date(date.getTime() + 1) : date;
  // An offset can carry a date of year 9999 into year 10000 (or 0000 back into -1), which the
  // databases would store as year 0000 (or refuse): a range ending there would select nothing.
  if (instant < firstInstant || instant > lastInstant) {
    throw badInput('DateTime', `expected an instant from 0000-01-01T00:00:00Z to 9999-12-31T23:59:59.999Z (years of four digits in UTC), got ${shown}, which is ${instant.getUTCFullYear() < 0 ? 'before' : 'after'} them in UTC`);
  }
  return instant;
}

const firstInstant = new Date('0000-01-01T00:00:00.000Z');
const lastInstant = new Date('9999-12-31T23:59:59.999Z');

export const DateTimeScalar = new GraphQLScalarType<Date, string>({
  name: 'DateTime',
  description: 'An instant, RFC 3339 (ISO 8601) with `Z` or an offset, e.g. `2026-11-25T08:00:00.000Z`; answered in UTC. Kept to the millisecond: a finer instant is rounded up to the next millisecond. Typed in full width by an input method (`２０２６－１１－２５Ｔ１６：００：００＋０８：００`) it is the instant in half width, and spaces about it are trimmed.',
  serialize: (value) => (value instanceof Date ? value : new Date(String(value))).toISOString(),
  parseValue: (value) => parseDateTime(sentValue(value)),
  parseLiteral: (ast) => parseDateTime(sentLiteral(ast)),
});

export const scalarResolvers = { Date: DateScalar, DateTime: DateTimeScalar };
