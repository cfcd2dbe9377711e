import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import type { GraphQLResolveInfo } from 'graphql';
import { clientError, ErrorCode } from '../../lib/errors';

/** Where a page ended: the sort value and the id of the last row seen. */
export type CursorPosition = [sortValue: string | number, id: string];

/** 128 bits of HMAC-SHA256: forging one is out of reach, and cursors stay short in URLs. */
const tagBytes = 16;

/**
 * Cursors are opaque and tamper-evident: each is `payload.tag`, where the tag is an HMAC over the
 * position AND the list it was issued for (the field, its parent object, the arguments that
 * select the list). A cursor edited, truncated, made up, or carried over from another subject's
 * records to this one's fails with INVALID_CURSOR instead of opening another list at a chosen
 * position. The key is derived from the gateway signing key that every subgraph already holds,
 * so a cursor issued by one replica (or peer) opens on any other, and no new secret is needed.
 * While that key is changed, cursors sealed with a key accepted besides it (GATEWAY_SIGNING_KEYS_ACCEPTED)
 * open too: those a client holds from before a replica restarted, or from one restarted first.
 */
export class CursorSeal {
  /** The key it seals with first, then those it also opens with. */
  private readonly keys: Buffer[];

  constructor(signingKey: Uint8Array, accepted: readonly Uint8Array[] = []) {
    this.keys = [signingKey, ...accepted].map((key) => Buffer.from(hkdfSync('sha256', key, new Uint8Array(0), 'beidaihe-credit/pagination-cursor/v1', 32)));
  }

  seal(list: string, position: CursorPosition): string {
    const payload = JSON.stringify(position);
    return `${Buffer.from(payload).toString('base64url')}.${this.tag(this.keys[0], list, payload).toString('base64url')}`;
  }

  /** The position a cursor stands for, if this seal issued it for this very list; INVALID_CURSOR otherwise. */
  open(list: string, cursor: string): CursorPosition {
    const [encodedPayload, encodedTag, ...rest] = cursor.split('.');
    if (encodedTag !== undefined && rest.length === 0) {
      const payloadBytes = Buffer.from(encodedPayload, 'base64url');
      const payload = payloadBytes.toString('utf8');
      const tag = Buffer.from(encodedTag, 'base64url');
      // Node decodes base64 leniently (stray characters are skipped): only the exact text issued is accepted.
      const exact = payloadBytes.toString('base64url') === encodedPayload && tag.toString('base64url') === encodedTag;
      // The tag is checked before the payload is parsed: nothing a client made up is ever interpreted.
      if (exact && tag.length === tagBytes && this.keys.some((key) => timingSafeEqual(tag, this.tag(key, list, payload)))) {
        const position: unknown = JSON.parse(payload);
        if (Array.isArray(position) && position.length === 2 && (typeof position[0] === 'string' || typeof position[0] === 'number') && typeof position[1] === 'string') {
          return [position[0], position[1]];
        }
      }
    }
    // The cursor is not echoed: it may be anything, of any length.
    throw clientError(ErrorCode.INVALID_CURSOR, 'after must be a cursor this API issued for this same list (same field, parent and arguments); start again without after', {
      field: 'after',
    });
  }

  private tag(key: Buffer, list: string, payload: string): Buffer {
    return createHmac('sha256', key).update(JSON.stringify([list, payload])).digest().subarray(0, tagBytes);
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
