import { createHash } from 'node:crypto';

/**
 * A value as canonical JSON: object keys sorted by UTF-16 code unit, no whitespace, nulls written
 * out, undefined members left out. For the values the platform hashes (strings, integers,
 * booleans, null, arrays and objects of them) this is RFC 8785 (JCS), so a verifier in another
 * language gets the same bytes: a report's snapshot (its documentSha256) and an audit entry (the
 * hash chain) are hashed over it.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
  entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/** Lower-case hex SHA-256 of the text's UTF-8 bytes. */
export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
