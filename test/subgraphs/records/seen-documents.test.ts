import { SeenDocuments } from '../../../subgraphs/records/intake/seen-documents';

describe('the document numbers an intake has seen', () => {
  it('answers the first row of a number seen before, and nothing for a new one, across many growths of its table', () => {
    const seen = new SeenDocuments();
    const number = (i: number) => `北戴河市监罚〔2026〕${i}号`;
    // 50,000 numbers: the table starts at 4,096 slots and doubles five times on the way.
    const claimedSeen = Array.from({ length: 50_000 }, (_, i) => i + 1).filter((i) => seen.firstRow(number(i), i) !== undefined);
    expect(claimedSeen).toEqual([]);
    const wrongRows = Array.from({ length: 50_000 }, (_, i) => i + 1).filter((i) => seen.firstRow(number(i), 50_000 + i) !== i);
    expect(wrongRows).toEqual([]);
    // A later row never replaces the first.
    expect(seen.firstRow(number(8), 99_999)).toBe(8);
    expect(seen.firstRow(number(50_001), 50_001)).toBeUndefined();
  });

  it('answers a row that only asks, and remembers nothing for it (a rejected row claims no number)', () => {
    const seen = new SeenDocuments();
    expect(seen.firstRow('A-1')).toBeUndefined();
    expect(seen.firstRow('A-1', 2)).toBeUndefined();
    expect(seen.firstRow('A-1')).toBe(2);
    expect(seen.firstRow('A-1', 3)).toBe(2);
  });

  it('tells apart numbers that differ in one character, in width or by a trailing space', () => {
    const seen = new SeenDocuments();
    expect(['A-1', 'A-2', 'Ａ-1', 'A-1 ', 'a-1'].map((n, i) => seen.firstRow(n, i + 1))).toEqual([undefined, undefined, undefined, undefined, undefined]);
    expect(seen.firstRow('Ａ-1', 9)).toBe(3);
  });
});
