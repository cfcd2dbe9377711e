import { createCipheriv, createDecipheriv, createHmac, hkdfSync } from 'node:crypto';
import type { GraphQLError, GraphQLResolveInfo } from 'graphql';
import { clientError, ErrorCode } from '../../lib/errors';

/**
 * Where a page ended: the sort value and the id of the last row seen, and, in a list ordered by a
 * tie-break between them (pagination.ts `PageQuery.thenBy`), that row's value of it.
 */
export type CursorPosition = [sortValue: string | number, id: string, tieBreak?: number | null];

/** AES-256-GCM's nonce and its 128-bit tag: forging one is out of reach, and cursors stay short in URLs. */
const nonceBytes = 12;
const tagBytes = 16;

/**
 * Cursors are opaque, sealed and tamper-evident: each is a position encrypted with AES-256-GCM,
 * with the list it was issued for (the field, its parent object, the arguments that select the
 * list) as authenticated data. A position holds the sort value of the last row seen, which may be
 * a person's name: front ends keep `after` in URLs, which reach proxy logs and browser history,
 * so it is encrypted, not only signed. A cursor edited, truncated, made up, or carried over from
 * another subject's records to this one's fails with INVALID_CURSOR instead of opening another
 * list at a chosen position. The key is derived from the gateway signing key that every subgraph
 * already holds, so a cursor issued by one replica (or peer) opens on any other, and no new
 * secret is needed. While that key is changed, cursors sealed with a key accepted besides it
 * (GATEWAY_SIGNING_KEYS_ACCEPTED) open too: those a client holds from before a replica restarted,
 * or from one restarted first.
 */
export class CursorSeal {
  /** The key it seals with first, then those it also opens with. */
  private readonly keys: Buffer[];
  /** What a cursor's nonce is derived from (with its list and position), beside the first key. */
  private readonly nonceKey: Buffer;

  constructor(signingKey: Uint8Array, accepted: readonly Uint8Array[] = []) {
    const derived = (key: Uint8Array, use: string) => Buffer.from(hkdfSync('sha256', key, new Uint8Array(0), `beidaihe-credit/pagination-cursor/v2/${use}`, 32));
    this.keys = [signingKey, ...accepted].map((key) => derived(key, 'key'));
    this.nonceKey = derived(signingKey, 'nonce');
  }

  /**
   * The nonce is derived from the list and the position (a synthetic nonce, as AES-GCM-SIV makes
   * one), so that a position seals to the same cursor every time, as Relay's clients expect of
   * `pageInfo.endCursor` and the last edge's cursor; a nonce is repeated only for the very same
   * list and position, which gives the very same cursor and tells nothing more.
   */
  seal(list: string, position: CursorPosition): string {
    const payload = JSON.stringify(position);
    const nonce = createHmac('sha256', this.nonceKey).update(JSON.stringify([list, payload])).digest().subarray(0, nonceBytes);
    const cipher = createCipheriv('aes-256-gcm', this.keys[0], nonce).setAAD(Buffer.from(list));
    const sealed = Buffer.concat([cipher.update(payload, 'utf8'), cipher.final()]);
    return Buffer.concat([nonce, sealed, cipher.getAuthTag()]).toString('base64url');
  }

  /** The position a cursor stands for, if this seal issued it for this very list; INVALID_CURSOR otherwise. */
  open(list: string, cursor: string): CursorPosition {
    const bytes = Buffer.from(cursor, 'base64url');
    // Node decodes base64 leniently (stray characters are skipped): only the exact text issued is accepted.
    if (bytes.toString('base64url') === cursor && bytes.length > nonceBytes + tagBytes) {
      // Authenticated before anything is parsed: nothing a client made up is ever interpreted.
      const payload = this.keys.map((key) => decrypted(key, list, bytes)).find((text) => text !== undefined);
      const position: unknown = payload === undefined ? undefined : JSON.parse(payload);
      if (Array.isArray(position) && (typeof position[0] === 'string' || typeof position[0] === 'number') && typeof position[1] === 'string') {
        if (position.length === 2) return [position[0], position[1]];
        if (position.length === 3 && (position[2] === null || typeof position[2] === 'number')) return [position[0], position[1], position[2]];
      }
    }
    throw invalidCursor();
  }
}

/**
 * INVALID_CURSOR: `after` is no cursor this API issued for this list, or one of a release before
 * that held less (README, Upgrading). The cursor is not echoed: it may be anything, of any length.
 */
export function invalidCursor(): GraphQLError {
  return clientError(ErrorCode.INVALID_CURSOR, 'after must be a cursor this API issued for this same list (same field, parent and arguments); start again without after', {
    field: 'after',
  });
}

/** The text `key` sealed for `list` in `bytes`, or undefined when it did not (another key, another list, a change). */
function decrypted(key: Buffer, list: string, bytes: Buffer): string | undefined {
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, nonceBytes)).setAAD(Buffer.from(list));
    decipher.setAuthTag(bytes.subarray(bytes.length - tagBytes));
    return Buffer.concat([decipher.update(bytes.subarray(nonceBytes, bytes.length - tagBytes)), decipher.final()]).toString('utf8');
  } catch {
    return undefined;
  }
}

/**
 * The identity of the list a connection field returns: the field's coordinate, the parent object
 * (null for a root field) and the arguments that select the list, `first` and `after` aside (a
 * client may change its page size between pages). Arguments are canonical (keys sorted, text
 * trimmed as the resolvers trim it, nulls and empty input objects dropped), so `kind: null`,
 * `filter: {}` and their omission name the same list, and so do `name: " 海滨 "` and `"海滨"`.
 */
export function listIdentity(info: Pick<GraphQLResolveInfo, 'parentType' | 'fieldName'>, parentId: string | null, args: Record<string, unknown>): string {
  const { first: _first, after: _after, ...selection } = args;
  return JSON.stringify([`${info.parentType.name}.${info.fieldName}`, parentId, canonical(selection)]);
}

function canonical(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'string') return value.trim();
  if (Array.isArray(value)) return value.map(canonical);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .map(([k, v]) => [k, canonical(v)] as const)
        .filter(([, v]) => !isNothing(v))
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
    );
  }
  return value;
}

/** What selects nothing more than its absence: null, or an input object with nothing in it. */
function isNothing(value: unknown): boolean {
  return value === null || value === undefined || (typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length === 0);
}
