import { hash } from 'node:crypto';

/** Words per slot: three of the fingerprint, then the row (0: the slot is free; rows count from 1). */
const slotWords = 4;
/** A slot's row once every row that claimed its number was refused when written: the number is claimed by none. */
const released = 0xffffffff;

/**
 * The document numbers an intake has seen in rows that passed every check before the write, each
 * with the row that holds it, for the rule that a batch sends a decision once. The row that holds
 * a number is the first such row, until a write decides otherwise (`settle`): a row refused when
 * written, on what is stored under its number, holds nothing, and the next row with the number is
 * judged on its own. An intake of a file remembers every number to its end, so this is what its
 * memory grows with: here 96 bits of the number's SHA-256 and the row, in one typed array of 16
 * bytes a slot, a quarter to five eighths of them free: 32 MB for a million rows, outside the
 * garbage-collected heap, where a Map of the strings took about 75 bytes a number in it and kept
 * the heap, and the importer's peak memory, growing with the file.
 *
 * Two different numbers share 96 bits of SHA-256 with a probability of about n²/2⁹⁷ (10⁻¹⁷ for a
 * million rows), even for numbers chosen to collide: never, in practice.
 */
export class SeenDocuments {
  private slots = 1 << 12;
  private size = 0;
  private table = new Uint32Array(this.slots * slotWords);

  /**
   * The row that holds `documentNumber` (the first to claim it, unless a write settled another);
   * null when rows claimed it and every one of them was refused when written; undefined when no
   * row has claimed it: then `row`, when given, claims it (a rejected row asks without claiming).
   */
  firstRow(documentNumber: string, row?: number): number | null | undefined {
    const { at, print } = this.find(documentNumber);
    const held = this.table[at + 3];
    if (held !== 0) return held === released ? null : held;
    if (row === undefined) return undefined;
    this.table.set([...print, row], at);
    // At most three quarters full, so that a probe ends soon.
    if (++this.size * 4 > this.slots * 3) this.grow();
    return undefined;
  }

  /** What a committed write decided about a claimed number: the row now holding it, or null when its rows were all refused. */
  settle(documentNumber: string, row: number | null): void {
    const { at } = this.find(documentNumber);
    if (this.table[at + 3] !== 0) this.table[at + 3] = row ?? released;
  }

  /** The slot of `documentNumber`, or the free slot where it would go, and its fingerprint. */
  private find(documentNumber: string): { at: number; print: number[] } {
    const digest = hash('sha256', documentNumber, 'buffer');
    const print = [digest.readUInt32LE(0), digest.readUInt32LE(4), digest.readUInt32LE(8)];
    let at = this.slotOf(print[0]);
    while (this.table[at + 3] !== 0) {
      if (this.table[at] === print[0] && this.table[at + 1] === print[1] && this.table[at + 2] === print[2]) break;
      at = (at + slotWords) % this.table.length;
    }
    return { at, print };
  }

  private slotOf(word: number): number {
    return (word & (this.slots - 1)) * slotWords;
  }

  private grow(): void {
    const old = this.table;
    this.slots *= 2;
    this.table = new Uint32Array(this.slots * slotWords);
    for (let from = 0; from < old.length; from += slotWords) {
      if (old[from + 3] === 0) continue;
      let at = this.slotOf(old[from]);
      while (this.table[at + 3] !== 0) at = (at + slotWords) % this.table.length;
      this.table.set(old.subarray(from, from + slotWords), at);
    }
  }
}

/**
 * What one transaction decides about claimed numbers, kept apart from `SeenDocuments` until it
 * commits: a transaction retried after a deadlock decides again from what earlier commits settled,
 * and one that fails settles nothing.
 */
export class ClaimDecisions {
  private readonly decided = new Map<string, number | null>();

  constructor(private readonly seen: SeenDocuments) {}

  /** The row holding `documentNumber` as this transaction sees it (`SeenDocuments.firstRow`). */
  holder(documentNumber: string): number | null | undefined {
    return this.decided.has(documentNumber) ? this.decided.get(documentNumber) : this.seen.firstRow(documentNumber);
  }

  decide(documentNumber: string, row: number | null): void {
    this.decided.set(documentNumber, row);
  }

  /** Once the transaction has committed. */
  settle(): void {
    for (const [documentNumber, row] of this.decided) this.seen.settle(documentNumber, row);
  }
}
