import { randomBytes } from 'node:crypto';
import type { GraphQLError } from 'graphql';
import { CursorSeal, listIdentity, type CursorPosition } from '../../subgraphs/shared/cursors';

const seal = new CursorSeal(new Uint8Array(randomBytes(32)));
const subjectA = listIdentity({ parentType: { name: 'Subject' }, fieldName: 'creditRecords' } as never, 'subject-a', { first: 5 });
const subjectB = listIdentity({ parentType: { name: 'Subject' }, fieldName: 'creditRecords' } as never, 'subject-b', { first: 5 });
const position: CursorPosition = ['2024-03-01', 'record-7'];

function refusal(list: string, cursor: string): GraphQLError | undefined {
  try {
    seal.open(list, cursor);
    return undefined;
  } catch (error) {
    return error as GraphQLError;
  }
}

describe('page cursors', () => {
  it('open to the position they were sealed with, for the list they were sealed for', () => {
    expect(seal.open(subjectA, seal.seal(subjectA, position))).toEqual(position);
    expect(seal.open(subjectA, seal.seal(subjectA, ['海滨', 'x']))).toEqual(['海滨', 'x']);
    // A list ordered by a tie-break between the sort value and the id holds its value too, a number or none.
    expect(seal.open(subjectA, seal.seal(subjectA, ['2026-06-01T08:00:00.250Z', 'x', 7]))).toEqual(['2026-06-01T08:00:00.250Z', 'x', 7]);
    expect(seal.open(subjectA, seal.seal(subjectA, ['2026-06-01T08:00:00.250Z', 'x', null]))).toEqual(['2026-06-01T08:00:00.250Z', 'x', null]);
  });

  it('refuse a cursor of another subject’s list with INVALID_CURSOR, naming the argument', () => {
    const error = refusal(subjectB, seal.seal(subjectA, position));
    expect(error?.extensions).toEqual({ code: 'INVALID_CURSOR', field: 'after' });
  });

  it('refuse every single-character change, truncation and extension', () => {
    const cursor = seal.seal(subjectA, position);
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ ';
    for (let i = 0; i < cursor.length; i++) {
      for (const replacement of alphabet) {
        if (replacement === cursor[i]) continue;
        const changed = cursor.slice(0, i) + replacement + cursor.slice(i + 1);
        expect([changed, refusal(subjectA, changed)?.extensions?.code]).toEqual([changed, 'INVALID_CURSOR']);
      }
      expect(refusal(subjectA, cursor.slice(0, i))?.extensions?.code).toBe('INVALID_CURSOR');
    }
    for (const suffix of ['=', '==', 'A', '.', '.x', '\u0000']) expect(refusal(subjectA, cursor + suffix)?.extensions?.code).toBe('INVALID_CURSOR');
  });

  it('refuse a position re-encoded by hand (the unsigned form cursors used to have), the signed form of before, and a cursor of another key', () => {
    const unsigned = Buffer.from(JSON.stringify(position)).toString('base64url');
    expect(refusal(subjectA, unsigned)?.extensions?.code).toBe('INVALID_CURSOR');
    const signedBefore = `${unsigned}.${randomBytes(16).toString('base64url')}`;
    expect(refusal(subjectA, signedBefore)?.extensions?.code).toBe('INVALID_CURSOR');
    const otherKey = new CursorSeal(new Uint8Array(randomBytes(32)));
    expect(refusal(subjectA, otherKey.seal(subjectA, position))?.extensions?.code).toBe('INVALID_CURSOR');
  });

  it('hide the position they hold: a name a page ended at is not readable from its cursor, kept in URLs and proxy logs', () => {
    const name = '徐志强';
    const cursor = seal.seal(subjectA, [name, 'subject-9']);
    const bytes = Buffer.from(cursor, 'base64url');
    for (const text of [bytes.toString('utf8'), bytes.toString('latin1'), cursor]) {
      expect(text).not.toContain(name);
      expect(text).not.toContain('subject-9');
    }
    // The same position seals to the same cursor (a page's endCursor is its last edge's), another list's to another.
    expect(seal.seal(subjectA, [name, 'subject-9'])).toBe(cursor);
    expect(seal.seal(subjectB, [name, 'subject-9'])).not.toBe(cursor);
  });

  it('do not echo what they were given', () => {
    const huge = 'x'.repeat(100_000);
    expect(refusal(subjectA, huge)?.message).not.toContain('xxxx');
  });
});

/**
 * A change of GATEWAY_SIGNING_KEY: a seal opens the cursors sealed with a key it accepts besides
 * its own (the retired key's, issued before a replica was restarted, or the next key's, issued by a
 * replica restarted first), and seals with its own key alone.
 */
describe('page cursors during a change of signing key', () => {
  const current = new Uint8Array(randomBytes(32));
  const retired = new Uint8Array(randomBytes(32));
  const rotating = new CursorSeal(current, [retired]);

  it('open a cursor sealed with an accepted key, for the same list only', () => {
    const issuedBefore = new CursorSeal(retired).seal(subjectA, position);
    expect(rotating.open(subjectA, issuedBefore)).toEqual(position);
    expect(() => rotating.open(subjectB, issuedBefore)).toThrow(expect.objectContaining({ extensions: { code: 'INVALID_CURSOR', field: 'after' } }));
  });

  it('seal with the current key alone: a seal that accepts it opens them, one holding only the accepted key does not', () => {
    const cursor = rotating.seal(subjectA, position);
    expect(new CursorSeal(current).open(subjectA, cursor)).toEqual(position);
    expect(new CursorSeal(retired, [current]).open(subjectA, cursor)).toEqual(position);
    expect(() => new CursorSeal(retired).open(subjectA, cursor)).toThrow(expect.objectContaining({ extensions: { code: 'INVALID_CURSOR', field: 'after' } }));
  });

  it('refuse a cursor of a key neither current nor accepted', () => {
    const foreign = new CursorSeal(new Uint8Array(randomBytes(32))).seal(subjectA, position);
    expect(() => rotating.open(subjectA, foreign)).toThrow(expect.objectContaining({ extensions: { code: 'INVALID_CURSOR', field: 'after' } }));
  });
});

describe('the list a cursor belongs to', () => {
  const info = { parentType: { name: 'Query' }, fieldName: 'searchSubjects' } as never;

  it('ignores the page size and the cursor, the order of arguments and explicit nulls', () => {
    expect(listIdentity(info, null, { name: '海滨', kind: 'ENTERPRISE', first: 5, after: 'c1' })).toBe(listIdentity(info, null, { kind: 'ENTERPRISE', name: '海滨', first: 50 }));
    expect(listIdentity(info, null, { name: '海滨', kind: null })).toBe(listIdentity(info, null, { name: '海滨' }));
    expect(listIdentity(info, null, { name: ' 海滨 ', filter: {} })).toBe(listIdentity(info, null, { name: '海滨' }));
    expect(listIdentity(info, null, { name: '海滨', filter: { polarity: null } })).toBe(listIdentity(info, null, { name: '海滨', filter: null }));
    expect(listIdentity(info, null, { filter: { from: new Date('2024-01-01T00:00:00Z'), statuses: ['ACTIVE'] } })).toBe(
      listIdentity(info, null, { filter: { statuses: ['ACTIVE'], from: new Date('2024-01-01T00:00:00Z'), to: null } }),
    );
  });

  it('differs by field, parent and every selecting argument', () => {
    const base = listIdentity(info, null, { name: '海滨' });
    expect(listIdentity({ parentType: { name: 'Query' }, fieldName: 'creditServiceProviders' } as never, null, { name: '海滨' })).not.toBe(base);
    expect(listIdentity(info, 'a-parent', { name: '海滨' })).not.toBe(base);
    expect(listIdentity(info, null, { name: '海滨', kind: 'NATURAL_PERSON' })).not.toBe(base);
    expect(listIdentity(info, null, { name: '海' })).not.toBe(base);
  });
});
