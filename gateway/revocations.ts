import { createHash } from 'node:crypto';
import fs from 'node:fs';
import type { JWTPayload } from 'jose';
import { normaliseIdentifier } from '../lib/identifiers';

/**
 * What `AUTH_REVOCATIONS_FILE` refuses before a token's `exp`: a user (`sub`), an organisation
 * (`org`), every token issued before a moment (`iat`), or one token (`jti`). README, Running in
 * production: Revoking tokens, shows the file; keep the two in step.
 */
export interface Revocations {
  /** Users' ids, trimmed and in Unicode's composed form (NFC), as a token's `sub` is compared. */
  subjects: ReadonlySet<string>;
  /** Organisations as the platform reads a token's `org` (normaliseIdentifier: trimmed, upper case, full width folded). */
  organisations: ReadonlySet<string>;
  /** Seconds since 1970: a token issued before it, or not saying when (no `iat`), is refused. */
  tokensIssuedBefore: number | null;
  jti: ReadonlySet<string>;
  /** The SHA-256 of the file's text it was read from (hex), as `sha256sum` prints it: which version a replica holds. */
  sha256?: string;
}

/**
 * A good read of the revocation file, as told to the operator (log and metrics): how many entries
 * of each kind, never which (a subject is a user's id), and which version of the file (its
 * SHA-256 and modification time), so that an incident responder can confirm that every replica
 * holds the version saved: the same `sha256` on each.
 */
export interface RevocationsRead {
  entries: { subjects: number; organisations: number; jti: number };
  /** Seconds since 1970, or null when the file sets none. */
  tokensIssuedBefore: number | null;
  sha256: string | undefined;
  /** The file's modification time, seconds since 1970; null when it could not be told. */
  modifiedAt: number | null;
}

const fields = ['subjects', 'organisations', 'tokensIssuedBefore', 'jti'];

const subjectKey = (sub: string) => sub.trim().normalize('NFC');

/** A list of non-empty strings, or what was wrong with it. */
function strings(value: unknown, name: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string' || !v.trim())) throw new Error(`"${name}" must be a list of non-empty strings, got ${JSON.stringify(value)}`);
  return value as string[];
}

/**
 * The revocation file's text, read: a JSON object of `subjects`, `organisations`, `jti` (lists of
 * strings) and `tokensIssuedBefore` (an ISO 8601 date-time with its offset), each optional. A
 * key it does not know is refused, not ignored: `subject` for `subjects` would revoke no one.
 */
export function parseRevocations(text: string): Revocations {
  let read: unknown;
  try {
    read = JSON.parse(text);
  } catch (error) {
    throw new Error(`it must hold JSON: ${(error as Error).message}`);
  }
  if (typeof read !== 'object' || read === null || Array.isArray(read)) throw new Error(`it must hold a JSON object (${fields.join(', ')}), got ${Array.isArray(read) ? 'a list' : JSON.stringify(read)}`);
  const given = read as Record<string, unknown>;
  const unknown = Object.keys(given).filter((key) => !fields.includes(key));
  if (unknown.length) throw new Error(`it names ${unknown.map((k) => `"${k}"`).join(', ')}, which it does not know: its keys are ${fields.join(', ')}`);
  const before = given.tokensIssuedBefore;
  let tokensIssuedBefore: number | null = null;
  if (before !== undefined && before !== null) {
    // With its offset: a moment an incident responder writes must not move with the gateway's time zone.
    const ms = typeof before === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(before) ? Date.parse(before) : NaN;
    if (Number.isNaN(ms)) throw new Error(`"tokensIssuedBefore" must be a date-time with its offset, such as 2026-12-07T08:00:00Z or 2026-12-07T16:00:00+08:00, got ${JSON.stringify(before)}`);
    tokensIssuedBefore = Math.floor(ms / 1000);
  }
  return {
    subjects: new Set(strings(given.subjects, 'subjects').map(subjectKey)),
    organisations: new Set(strings(given.organisations, 'organisations').map(normaliseIdentifier)),
    tokensIssuedBefore,
    jti: new Set(strings(given.jti, 'jti')),
    sha256: createHash('sha256').update(text, 'utf8').digest('hex'),
  };
}

/** Reads the revocation file at start: its problem, with the file named, is the caller's to report (a ConfigError at start). */
export function readRevocationsFile(file: string): Revocations {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new Error(`${file} cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  try {
    return parseRevocations(text);
  } catch (error) {
    throw new Error(`${file}: ${(error as Error).message}`);
  }
}

/** Why `claims` are revoked by `list`, for the client and the audit log; undefined when they are not. */
export function revocationOf(claims: JWTPayload, list: Revocations): string | undefined {
  const { sub, iat, jti } = claims;
  const org = (claims as { org?: unknown }).org;
  if (typeof sub === 'string' && list.subjects.has(subjectKey(sub))) return `the token's user (sub) is revoked`;
  if (typeof org === 'string' && list.organisations.has(normaliseIdentifier(org))) return `the token's organisation (org) is suspended`;
  if (typeof jti === 'string' && list.jti.has(jti)) return 'the token (its jti) is revoked';
  if (list.tokensIssuedBefore !== null && !(typeof iat === 'number' && iat >= list.tokensIssuedBefore)) {
    return `tokens issued before ${new Date(list.tokensIssuedBefore * 1000).toISOString()} are revoked, and this one was issued ${typeof iat === 'number' ? new Date(iat * 1000).toISOString() : 'without saying when (no iat)'}`;
  }
  return undefined;
}

/** How often, at most, a request looks whether the revocation file changed: a revocation takes effect within this. */
export const revocationsRereadMs = 5_000;

/**
 * The revocation file as last read well. A request looks at the file's metadata (one `stat`) once
 * every `revocationsRereadMs` at most, the requests meanwhile waiting on that one look, and
 * reads it again only when it changed. A file that can no longer be read, or no longer parses,
 * leaves the last good list in force (it never fails open: an edit half-saved does not lift
 * every revocation) and is told to `unreadable`, once per version of the file. Each good read,
 * the start's included (told as this list is made), is told to `read`: without it, nothing told
 * a responder whether a replica had taken a revocation in. Each look, the start's included, is
 * told to `checked` with whether the file as it then was is the list held (read well, or unchanged
 * since): `unreadable` says so once, this for as long as it lasts, for an alert.
 */
export class RevocationList {
  private checkedAt: number;
  private version: string | undefined;
  private looking: Promise<void> | undefined;
  private readable = true;

  constructor(
    readonly file: string,
    private list: Revocations,
    private readonly tell: { unreadable: (file: string, cause: unknown) => void; read?: (file: string, read: RevocationsRead) => void; checked?: (file: string, readable: boolean) => void },
    private readonly now: () => number = () => Date.now(),
  ) {
    // The start read the file just now; its version is taken at the first look.
    this.checkedAt = now();
    let modifiedMs: number | undefined;
    try {
      modifiedMs = fs.statSync(file).mtimeMs;
    } catch {
      // Gone since the start read it: the first look says so.
    }
    this.told(modifiedMs);
    this.tell.checked?.(file, true);
  }

  async current(): Promise<Revocations> {
    if (this.now() - this.checkedAt >= revocationsRereadMs) {
      this.checkedAt = this.now();
      this.looking ??= this.look().finally(() => (this.looking = undefined));
    }
    if (this.looking) await this.looking;
    return this.list;
  }

  private async look(): Promise<void> {
    this.readable = await this.reread();
    this.tell.checked?.(this.file, this.readable);
  }

  /** Whether the file as it is now is the list held: read well now, or unchanged since it was. */
  private async reread(): Promise<boolean> {
    let version: string;
    let modifiedMs: number;
    try {
      const stat = await fs.promises.stat(this.file);
      version = `${stat.ino}:${stat.size}:${stat.mtimeMs}:${stat.ctimeMs}`;
      modifiedMs = stat.mtimeMs;
    } catch (error) {
      if (this.version !== 'missing') this.tell.unreadable(this.file, error);
      this.version = 'missing';
      return false;
    }
    if (version === this.version) return this.readable;
    this.version = version;
    try {
      this.list = parseRevocations(await fs.promises.readFile(this.file, 'utf8'));
    } catch (error) {
      this.tell.unreadable(this.file, error);
      return false;
    }
    this.told(modifiedMs);
    return true;
  }

  private told(modifiedMs: number | undefined): void {
    const { subjects, organisations, jti, tokensIssuedBefore, sha256 } = this.list;
    this.tell.read?.(this.file, {
      entries: { subjects: subjects.size, organisations: organisations.size, jti: jti.size },
      tokensIssuedBefore,
      sha256,
      modifiedAt: modifiedMs === undefined ? null : modifiedMs / 1000,
    });
  }
}
