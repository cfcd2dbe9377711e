import { ClaimDecisions, SeenDocuments } from '../../subgraphs/records/intake/seen-documents';

describe('the claims a write decides on an intake’s document numbers', () => {
  it('keeps a transaction’s decisions to itself until it settles them, so that a retried or failed one leaves the claims as committed', () => {
    const seen = new SeenDocuments();
    expect(seen.firstRow('A-1', 1)).toBeUndefined();
    const attempt = new ClaimDecisions(seen);
    // Row 1 refused when written: nothing holds the number in this transaction.
    attempt.decide('A-1', null);
    expect(attempt.holder('A-1')).toBeNull();
    expect(seen.firstRow('A-1')).toBe(1);
    // A retry begins from what was committed.
    expect(new ClaimDecisions(seen).holder('A-1')).toBe(1);
    attempt.settle();
    expect(seen.firstRow('A-1')).toBeNull();
  });

  it('lets a later row hold a number released by a refused one, and answers a number no row claimed as unclaimed', () => {
    const seen = new SeenDocuments();
    seen.firstRow('A-1', 1);
    const first = new ClaimDecisions(seen);
    first.decide('A-1', null);
    first.settle();
    const later = new ClaimDecisions(seen);
    later.decide('A-1', 4);
    later.settle();
    expect(seen.firstRow('A-1', 9)).toBe(4);
    expect(new ClaimDecisions(seen).holder('B-1')).toBeUndefined();
    // Settling a number no row claimed claims nothing.
    seen.settle('B-1', 5);
    expect(seen.firstRow('B-1')).toBeUndefined();
  });
});
