import { GraphQLError, Kind } from 'graphql';
import { DateScalar, DateTimeScalar, isIsoDate } from '../../subgraphs/shared/scalars';

/** The typed refusal of an input, or the value it parsed to. */
function parsed<T>(parse: () => T): T | [string, unknown] {
  try {
    return parse();
  } catch (error) {
    return ['refused', (error as GraphQLError).extensions.code];
  }
}

describe('the Date scalar', () => {
  it.each(['2026-02-28', '2028-02-29', '0001-01-01', '0050-06-30', '9999-12-31'])('takes %s', (value) => {
    expect(isIsoDate(value)).toBe(true);
    expect(parsed(() => DateScalar.parseValue(value))).toBe(value);
    expect(parsed(() => DateScalar.parseLiteral({ kind: Kind.STRING, value }))).toBe(value);
  });

  it.each(['2026-02-29', '2026-02-30', '2026-13-01', '2026-00-10', '2026-1-1', '26-01-01', '2026-01-01T00:00:00Z', '', 'now', '2026/11/15', '２０２６／１１／１５'])('refuses %j', (value) => {
    expect(isIsoDate(value)).toBe(false);
    expect(parsed(() => DateScalar.parseValue(value))).toEqual(['refused', 'BAD_USER_INPUT']);
  });

  // As record intake reads a row's dates: an input method in full-width mode types ２０２６－１１－１５.
  it.each([
    ['２０２６－１１－１５', '2026-11-15'],
    [' 2026-11-15\u3000', '2026-11-15'],
  ])('takes %j, typed in full width or with spaces about it, as %s', (value, date) => {
    expect(DateScalar.parseValue(value)).toBe(date);
    expect(DateScalar.parseLiteral({ kind: Kind.STRING, value })).toBe(date);
  });

  it('shows a character a reader does not see in the date it refuses', () => {
    expect(() => DateScalar.parseValue('\u200b2026-11-01')).toThrow('expected a calendar date as YYYY-MM-DD, got "\\u200b2026-11-01"');
  });
});

describe('the DateTime scalar', () => {
  it.each([
    ['2026-11-25T08:00:00Z', '2026-11-25T08:00:00.000Z'],
    ['2026-11-25T08:00:00.125Z', '2026-11-25T08:00:00.125Z'],
    ['2026-11-25T16:00:00+08:00', '2026-11-25T08:00:00.000Z'],
    ['2026-11-25t08:00:00z', '2026-11-25T08:00:00.000Z'],
    ['2028-02-29T23:59:59-05:30', '2028-03-01T05:29:59.000Z'],
    // Finer than the millisecond the platform records: rounded up, so a range bound selects exactly what it covers.
    ['2026-12-04T13:42:46.1975Z', '2026-12-04T13:42:46.198Z'],
    ['2026-12-04T13:42:46.590100000Z', '2026-12-04T13:42:46.591Z'],
    ['2026-12-04T13:42:46.590000Z', '2026-12-04T13:42:46.590Z'],
    ['2026-12-04T13:42:46.999999999Z', '2026-12-04T13:42:47.000Z'],
    // The first and last instants of four-digit years in UTC, however written.
    ['0000-01-01T00:00:00Z', '0000-01-01T00:00:00.000Z'],
    ['9999-12-31T23:59:59.999Z', '9999-12-31T23:59:59.999Z'],
    ['9999-12-31T23:59:59-00:00', '9999-12-31T23:59:59.000Z'],
    ['0000-01-01T08:00:00+08:00', '0000-01-01T00:00:00.000Z'],
  ])('takes %s as the instant %s', (value, instant) => {
    expect((DateTimeScalar.parseValue(value) as Date).toISOString()).toBe(instant);
    expect((DateTimeScalar.parseLiteral({ kind: Kind.STRING, value }) as Date).toISOString()).toBe(instant);
  });

  // As the Date scalar reads a date: an input method in full-width mode types ２０２６－１２－０１Ｔ００：００：００＋０８：００.
  it.each([
    ['２０２６－１２－０１Ｔ００：００：００＋０８：００', '2026-11-30T16:00:00.000Z'],
    ['２０２６－１２－０１Ｔ０８：３０：１５．１２５Ｚ', '2026-12-01T08:30:15.125Z'],
    ['２０２６－１２－０１ｔ００：００：００ｚ', '2026-12-01T00:00:00.000Z'],
    [' 2026-12-01T00:00:00Z\u3000', '2026-12-01T00:00:00.000Z'],
  ])('takes %j, typed in full width or with spaces about it, as the instant %s', (value, instant) => {
    expect((DateTimeScalar.parseValue(value) as Date).toISOString()).toBe(instant);
    expect((DateTimeScalar.parseLiteral({ kind: Kind.STRING, value }) as Date).toISOString()).toBe(instant);
  });

  // Folded, each is still what DateTime refuses half width.
  it.each(['２０２６－０２－３０Ｔ００：００：００Ｚ', '２０２６－１２－０１Ｔ００：００：００', '２０２６－１２－０１\u3000００：００：００Ｚ', '２０２６／１２／０１Ｔ００：００：００Ｚ', '２０２６－１２－０１'])('refuses %j, folded or not', (value) => {
    expect(parsed(() => DateTimeScalar.parseValue(value))).toEqual(['refused', 'BAD_USER_INPUT']);
  });

  it('quotes a refused instant as it was sent, not as folded', () => {
    expect(() => DateTimeScalar.parseValue('２０２６－１２－０１Ｔ００：００：００')).toThrow('got "２０２６－１２－０１Ｔ００：００：００"');
  });

  // `new Date` takes all of these but the last two.
  it.each(['1', '2026', '2026-11-25', '2026-02-30T00:00:00Z', '2026-11-25T08:00:00', '2026-11-25 08:00:00Z', '2026-11-25T24:00:00Z', '2026-11-25T08:60:00Z', 'Nov 25 2026', 12345])(
    'refuses %j',
    (value) => {
      expect(parsed(() => DateTimeScalar.parseValue(value))).toEqual(['refused', 'BAD_USER_INPUT']);
    },
  );

  // Stored, these would be read as year 0000 (a range ending there selects nothing) or refused.
  it.each([
    ['9999-12-31T23:59:59-01:00', 'after'],
    ['9999-12-31T23:30:00-00:30', 'after'],
    ['9999-12-31T23:59:59.9999Z', 'after'],
    ['0000-01-01T07:59:59+08:00', 'before'],
  ])('refuses %s, an instant %s the four-digit years in UTC, saying so', (value, side) => {
    expect(parsed(() => DateTimeScalar.parseValue(value))).toEqual(['refused', 'BAD_USER_INPUT']);
    expect(() => DateTimeScalar.parseLiteral({ kind: Kind.STRING, value })).toThrow(`which is ${side} them in UTC`);
  });
});

describe('a date or instant written as a literal that is no string', () => {
  it.each([
    [DateScalar, { kind: Kind.INT, value: '20261125' } as const, 'got 20261125, which is not a string'],
    [DateTimeScalar, { kind: Kind.INT, value: '1700000000' } as const, 'got 1700000000, which is not a string'],
    [DateTimeScalar, { kind: Kind.ENUM, value: 'NOW' } as const, 'got NOW, which is not a string'],
  ])('is refused naming the literal as written', (scalar, literal, message) => {
    expect(() => scalar.parseLiteral(literal)).toThrow(message);
    expect(parsed(() => scalar.parseLiteral(literal))).toEqual(['refused', 'BAD_USER_INPUT']);
  });

  it('names a variable sent as a number as JSON', () => {
    expect(() => DateTimeScalar.parseValue(1700000000)).toThrow('got 1700000000');
  });
});

describe('a date or instant sent as a long value', () => {
  // A variable is bounded by the body limit alone: quoted whole, 1 MB sent came back as 1 MB of message.
  it.each([DateScalar, DateTimeScalar])('is refused quoting its first characters and its length, not the whole', (scalar) => {
    const value = `2026-11-25${'9'.repeat(100_000)}`;
    let message = '';
    try {
      scalar.parseValue(value);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('(100010 characters in all)');
    expect(message.length).toBeLessThan(400);
  });
});
