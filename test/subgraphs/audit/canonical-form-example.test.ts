import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { canonicalEntry, chainHash, genesisHash } from '../../../subgraphs/audit/audit-chain';
import type { AuditEntry } from '../../../subgraphs/audit/entities/audit-entry.entity';

/**
 * README's worked example of the chain's canonical form (The chain's canonical form), which an
 * auditor implements from: read from between its markers, so that README cannot drift from the
 * code that hashes.
 */
const readme = readFileSync(join(__dirname, '../../../README.md'), 'utf8');
const block = /<!-- audit-chain-example:[^\n]*-->\n```text\n([\s\S]*?)```\n<!-- \/audit-chain-example -->/.exec(readme)?.[1];

/** The row's `column value` lines, each value as mysqldump writes it: NULL, an integer, or a quoted string. */
function dumpedRow(text: string): Record<string, string | number | null> {
  const row: Record<string, string | number | null> = {};
  for (const [, column, value] of text.matchAll(/^ {2}([a-z_]+) +(.+)$/gm)) {
    if (value === 'NULL') row[column] = null;
    else if (/^\d+$/.test(value)) row[column] = Number(value);
    else if (/^'[^'\\]*'$/.test(value)) row[column] = value.slice(1, -1);
    else throw new Error(`README's example row: ${column} is ${value}, neither NULL, an integer nor a plain quoted string`);
  }
  return row;
}

/** The row as the entity holds it: camelCase properties, `occurred_at` read as UTC, as the subgraphs' connection reads it. */
function entryOf(row: Record<string, string | number | null>): AuditEntry {
  const entry = Object.fromEntries(Object.entries(row).map(([column, value]) => [column.replace(/_([a-z])/g, (_, letter: string) => letter.toUpperCase()), value]));
  return { ...entry, occurredAt: new Date(`${String(row.occurred_at).replace(' ', 'T')}Z`) } as AuditEntry;
}

describe("README's worked example of the audit chain's canonical form", () => {
  const lines = block?.split('\n') ?? [];
  const canonical = lines.find((line) => line.startsWith('{'));
  const statedBytes = /canonical JSON, (\d+) bytes/.exec(block ?? '')?.[1];
  const hash = lines.filter((line) => /^[0-9a-f]{64}$/.test(line)).at(-1);

  it('is in README between its markers, with a row, its canonical JSON and its hash', () => {
    expect(block).toBeDefined();
    expect([canonical, statedBytes, hash].map((found) => found !== undefined)).toEqual([true, true, true]);
  });

  it("gives the canonical JSON README shows, byte for byte, and the number of bytes it states", () => {
    const entry = entryOf(dumpedRow(block ?? ''));
    expect(canonicalEntry(entry)).toBe(canonical);
    expect(Buffer.byteLength(canonical ?? '', 'utf8')).toBe(Number(statedBytes));
  });

  it('hashes to the hash README shows, chained from the genesis hash, and the row stores both', () => {
    const row = dumpedRow(block ?? '');
    expect(row.previous_hash).toBe(genesisHash);
    expect(chainHash(genesisHash, entryOf(row))).toBe(hash);
    expect(row.hash).toBe(hash);
  });
});
