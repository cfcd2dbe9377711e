import { hash } from 'node:crypto';

/** Words per slot: three of the fingerprint, then the row (0: the slot is free; rows count from 1). */
const slotWords = 4;

/**
 * The document numbers an intake has seen in rows it stores, each with the first such row, for
 * the rule that a batch sends a decision once. An intake of a file remembers every number to its end, so this
 * is what its memory grows with: here 96 bits of the number's SHA-256 and the row, in one typed
 * array of 16 bytes a slot, a quarter to five eighths of them free: 32 MB for a million rows,
 * outside the garbage-collected heap, where a Map of the strings took about 75 bytes a number in
 * it and kept the heap, and the importer's peak memory, growing with the file.
 *
 * Two different numbers share 96 bits of SHA-256 with a probability of about n²/2⁹⁷ (10⁻¹⁷ for a
 * million rows), even for numbers chosen to collide: never, in practice.
 */
export class SeenDocuments {
  private slots = 1 << 12;
  private size = 0;
  private table = new Uint32Array(this.slots * slotWords);

  /**
   * The row that claimed `documentNumber`, or undefined when none did; then `row`, when given,
   * claims it (a rejected row asks without claiming).
   */
  firstRow(documentNumber: string, row?: number): number | undefined {
    const digest = hash('sha256', documentNumber, 'buffer');
    const print = [digest.readUInt32LE(0), digest.readUInt32LE(4), digest.readUInt32LE(8)];
    let at = this.slotOf(print[0]);
    while (this.table[at + 3] !== 0) {
      if (this.table[at] === print[0] && this.table[at + 1] === print[1] && this.table[at + 2] === print[2]) return this.table[at + 3];
      at = (at + slotWords) % this.table.length;
    }
    if (row === undefined) return undefined;
    this.table.set([...print, row], at);
    // At most three quarters full, so that a probe ends soon.
    if (++this.size * 4 > this.slots * 3) this.grow();
    return undefined;
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
