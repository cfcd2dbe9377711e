import { createSecretKey } from 'node:crypto';
import { errors, jwtVerify, SignJWT, type JWTPayload } from 'jose';
import { ExpiringMemory } from '../expiring-memory';
import { maskCitizenIdNumber, typedUuid } from '../identifiers';
import { maskPersonalData } from '../logger';
import type { PurposeRefusal } from './policy';

/**
 * Who is asking and why, as the gateway established it. Subgraphs receive it signed by the
 * gateway in the `x-credit-identity` header and trust nothing else about the caller.
 */
export const organisationKinds = ['DEPARTMENT', 'FINANCIAL_INSTITUTION', 'CREDIT_SERVICE_PROVIDER', 'ENTERPRISE', 'INDIVIDUAL'] as const;
export type OrganisationKind = (typeof organisationKinds)[number];

export const roles = [
  /** An officer of a district department deciding administrative matters (行政机关工作人员). */
  'DEPARTMENT_OFFICER',
  /** The credit office's supervisor (区信用办): guides, supervises and assesses use. */
  'CREDIT_OFFICE_SUPERVISOR',
  /** Files, classifies and sanctions credit service providers. */
  'REGISTRY_ADMIN',
  /** Explores aggregate data and statistics, and organisations' public basics and records; nothing of natural persons. */
  'ANALYST',
  /** A user of a bank, provider, enterprise, or a person, acting for its own organisation. */
  'EXTERNAL_USER',
] as const;
export type Role = (typeof roles)[number];

/**
 * The organisations the platform records where no token names one: itself, for what happens by
 * the passing of time (a record's expiry); whoever followed a printable report's link; whoever
 * sent a token that was refused. Never a caller's: a bank whose token said `anonymous` would read,
 * in the audit log and its statistics, as the unidentified readers of printable pages.
 */
export const platformOrganisations = { platform: 'PLATFORM', anonymous: 'anonymous', unverified: 'unverified' } as const;

/**
 * What begins the actor of every run of the record import (`import:<name>`), in a record's
 * history and the audit log: never a caller's user, whose own submissions would then read as an
 * import run's.
 */
export const importActorMark = 'import:';

export interface Caller {
  /** The user, from the token's `sub`. */
  id: string;
  /** The organisation: a department code for departments, otherwise the organisation's id or code. */
  organisation: string;
  organisationKind: OrganisationKind;
  role: Role;
  /** For an enterprise or a person acting for itself: its own subject id. */
  subjectId?: string;
}

/**
 * A caller's organisation as a message to a client names it: a person by its citizen ID number
 * masked (`1303**********0019`), as the audit log names a person reader to anyone else: front ends
 * pass messages on to error trackers and screenshots. Every message naming a caller's
 * organisation names it through this.
 */
export function callerInWords(caller: Pick<Caller, 'organisation' | 'organisationKind'>): string {
  return caller.organisationKind === 'INDIVIDUAL' ? maskCitizenIdNumber(caller.organisation) : caller.organisation;
}

/**
 * A caller's user id (the token's `sub`, `Caller.id`) as a message to a client names it: an
 * identity provider may name a person's account by the person's citizen ID number, or a mobile
 * number, whole or within (`130304199406220815@idp`), masked there as a log line masks it
 * (maskPersonalData), for the reasons callerInWords gives.
 */
export function userInWords(userId: string): string {
  return maskPersonalData(userId);
}

/**
 * The longest text a request may bring for each thing stored with every audit entry it causes
 * (subgraphs/audit, whose columns are this long). The gateway refuses longer ones on arrival: one
 * request's text must not fail the group commit it shares with other callers' entries.
 */
export const auditedTextLimits = {
  /** The token's `sub`. */
  callerId: 100,
  /** The token's `org`. */
  organisation: 64,
  role: 64,
  matter: 64,
  caseNumber: 100,
  consentId: 64,
  operationName: 200,
} as const;

/**
 * A subject as an audit entry names it: an id of at most 36 letters, digits and '-' (the column's
 * length), a UUID as the platform writes it however it was typed (`typedUuid`, as the subgraphs
 * read every ID argument), so that a refusal the gateway makes itself of an id pasted in upper
 * case is in the trail of the subject it named. What a request names otherwise is no subject's
 * id, and its entry names no subject, for the same reason as `auditedTextLimits`.
 */
export function auditableSubjectId(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const id = typedUuid(value) ?? value;
  return /^[A-Za-z0-9-]{1,36}$/.test(id) ? id : undefined;
}

/**
 * A request's purpose travels in headers, not in operation arguments: it belongs to the whole
 * request (every field of every subgraph is read under it, and it is audited once), the gateway
 * needs it before planning, and it keeps access plumbing out of the schema front ends code to.
 */
export const purposeHeaders = { matter: 'x-credit-matter', caseNumber: 'x-credit-case', consentId: 'x-credit-consent' } as const;

export interface Purpose {
  /** An administrative matter code or a non-administrative purpose code. */
  matter: string;
  caseNumber?: string;
  consentId?: string;
}

export interface AccessScope {
  /** Only this subject may be read: the consented subject, or the caller's own. */
  subjectId?: string;
  /** Only subjects of these kinds may be read (e.g. natural persons for personnel review). */
  subjectKinds?: readonly string[];
}

export interface RequestIdentity {
  /** Null for an anonymous request (public data only). */
  caller: Caller | null;
  purpose: Purpose | null;
  /**
   * Why the gateway refused `purpose` (the catalogue's refusal, or a register's: a consent revoked,
   * a provider barred), which is then the basis of nothing: the grants and scope are the caller's
   * standing ones, and no case named under it is that case. `purpose` is kept beside it for the
   * refusals that name it, and the audit's DENIED entries.
   */
  purposeRefused?: PurposeRefusal;
  /** Field groups this request may read, as decided by the gateway from the policy catalogue. */
  grants: string[];
  scope: AccessScope;
  requestId: string;
  /**
   * Set on the platform's own calls, which no client's operation makes (the gateway's audit appends
   * and register checks, a subgraph's lookups at its peers: lib/internal-client.ts), never on a
   * query plan's fetch: they have no caller, as a client without a token has none, and a subgraph
   * counts them apart on /metrics (lib/metrics.ts). Grants nothing.
   */
  platform?: true;
}

export const identityHeader = 'x-credit-identity';
/** Set by the reports subgraph on a printable report's page: the subject it discloses, for the gateway's audit entry. */
export const disclosedSubjectHeader = 'x-credit-disclosed-subject';
/** Beside it: the report's number as the platform issued it, however the page's address spelt it (`bdhxy-…`), so that its views are audited under one number. */
export const disclosedReportHeader = 'x-credit-disclosed-report';
const issuer = 'credit-gateway';
const audience = 'credit-subgraphs';

/**
 * What the gateway signs: the identity without its request id, which travels in `x-request-id`.
 * A caller's requests under one purpose then carry the same signature, so the gateway signs it
 * once (IdentitySigner) and each subgraph checks it once (IdentityVerifier), instead of one JWT
 * operation on each side of every hop; a profile had them at ~7 % of a subgraph's CPU.
 */
export type SignedIdentity = Omit<RequestIdentity, 'requestId'>;

const identityLifetimeSeconds = 60;

/**
 * How far two hosts' clocks may disagree when one checks what the other signed (a token's `exp`
 * and `nbf`, an identity header's `exp`): NTP keeps them within milliseconds, but a host whose
 * clock has drifted by seconds refused every fresh token of an identity provider running ahead,
 * and every identity header the gateway reuses once a subgraph's clock ran 30 s ahead, as if the
 * caller's login were at fault. As the common JWT libraries allow by default or advise. Not
 * symmetric for identity headers, which the gateway reuses for half their lifetime
 * (IdentitySigner): a subgraph refuses one issued more than this in its future (a gateway ahead by
 * more than 30 s, always), and takes one up to this past its `exp` (a gateway behind by up to
 * 60 s, always; by 60-90 s, only headers reused for less than 90 s less the difference). README,
 * When parts fail, says so.
 */
export const clockToleranceSeconds = 30;

/**
 * An identity's age is bounded by its `exp`; a maximum age is given only so that jose also refuses
 * one issued in the future beyond the tolerance: a subgraph whose clock ran minutes behind took
 * headers for as long after they expired. A day: longer than any run of the benchmark, which
 * signs one header for a whole run (signIdentity's `lifetime`).
 */
const identityIssuedInTheFuture = '1 day';
/** How many distinct identities a signer or verifier remembers at most (the oldest forgotten first). */
const rememberedIdentities = 10_000;

/** One `make(key)` per key, made on first use and kept as long as the key is. */
function perKey<T>(make: (key: Uint8Array) => T): (key: Uint8Array) => T {
  const made = new WeakMap<Uint8Array, T>();
  return (key) => {
    let value = made.get(key);
    if (value === undefined) made.set(key, (value = make(key)));
    return value;
  };
}

/** The key as a KeyObject, made once: jose turns a Uint8Array into one on every call otherwise. */
const secretKey = perKey(createSecretKey);

/**
 * Signs an identity for one hop gateway → subgraph. Short-lived on purpose: a captured header
 * is worth a minute at most. (The benchmark signs one for the stock gateways to send for the
 * length of a run: `lifetime` is for it alone.) A request id in `identity` is not signed.
 */
export async function signIdentity(identity: SignedIdentity, key: Uint8Array, lifetime: string | number = `${identityLifetimeSeconds}s`): Promise<string> {
  const { caller, purpose, purposeRefused, grants, scope, platform } = identity;
  return await new SignJWT({ identity: { caller, purpose, ...(purposeRefused ? { purposeRefused } : {}), grants, scope, ...(platform ? { platform } : {}) } })
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuer(issuer)
    .setAudience(audience)
    .setIssuedAt()
    .setExpirationTime(lifetime)
    .sign(secretKey(key));
}

/**
 * Signs identities with one key, each distinct identity once per half of its lifetime: the
 * signature then stays valid for at least 30 s after it is last handed out. How long a signature
 * is handed out is measured on the monotonic clock (performance.now), not the wall clock: a
 * gateway whose clock stepped back (NTP correcting it, a VM resumed) went on handing out the
 * header it had signed for as long as the step, up to ~90 s, every request audited at an
 * instant in the past. Nor past the half-minute by the wall clock, which a step forward would
 * otherwise have it hand out expired.
 */
export class IdentitySigner {
  private readonly signed = new ExpiringMemory<{ token: Promise<string>; signedAt: number }>(rememberedIdentities);

  constructor(private readonly key: Uint8Array) {}

  sign(identity: SignedIdentity): Promise<string> {
    const { caller, purpose, purposeRefused, grants, scope, platform } = identity;
    const content = JSON.stringify([caller, purpose, purposeRefused ?? null, grants, scope, platform ?? null]);
    const reuse = (identityLifetimeSeconds * 1000) / 2;
    const now = performance.now();
    const wall = Date.now();
    // And within the same half-minute by the wall clock: one stepped forward (past the header's
    // expiry) or back (before its iat) has it signed again at once rather than refused.
    const known = this.signed.get(content, now);
    if (known && wall >= known.signedAt && wall < known.signedAt + reuse) return known.token;
    const token = signIdentity(identity, this.key);
    const entry = { token, signedAt: wall };
    this.signed.set(content, entry, now + reuse);
    // A signature that failed is forgotten, so that the next request tries again.
    token.catch(() => this.signed.get(content, now) === entry && this.signed.delete(content));
    return token;
  }
}

/**
 * Checks identity headers against one key, and the keys `accepted` besides it while the key is
 * changed (GATEWAY_SIGNING_KEYS_ACCEPTED): processes restarted one by one then take each other's
 * headers whichever of the two keys each signs with. A header that verified is remembered until
 * it expires: the same header on the next request is taken without checking its signature again.
 * Headers that fail are not remembered.
 */
export class IdentityVerifier {
  private readonly verified = new ExpiringMemory<SignedIdentity>(rememberedIdentities);
  private readonly keys: Uint8Array[];

  constructor(key: Uint8Array, accepted: readonly Uint8Array[] = []) {
    this.keys = [key, ...accepted];
  }

  /** The identity, with this request's id, or null when the header is forged, expired or malformed. */
  async verify(token: string, requestId: string): Promise<RequestIdentity | null> {
    const known = this.verified.get(token);
    if (known) return { ...known, requestId };
    const payload = await this.verifiedPayload(token);
    if (!payload) return null;
    const identity = payload.identity as SignedIdentity | undefined;
    const expiresAt = (payload.exp ?? 0) * 1000;
    if (!identity || !Array.isArray(identity.grants) || typeof identity.scope !== 'object' || identity.scope === null) return null;
    this.verified.set(token, identity, expiresAt);
    return { ...identity, requestId };
  }

  /** The claims, under the first key whose signature matches; null when none does, or when they are expired or not the gateway's. */
  private async verifiedPayload(token: string): Promise<JWTPayload | null> {
    for (const key of this.keys) {
      try {
        return (await jwtVerify(token, secretKey(key), { issuer, audience, algorithms: ['HS256'], clockTolerance: clockToleranceSeconds, maxTokenAge: identityIssuedInTheFuture })).payload;
      } catch (error) {
        // Only another key's signature is worth the next key: expired under one is expired under all.
        if (!(error instanceof errors.JWSSignatureVerificationFailed)) return null;
      }
    }
    return null;
  }
}

/** The process's one signer for this key, so that every client signing with it shares what it signed. */
export const signerFor = perKey((key) => new IdentitySigner(key));

const verifierOfKey = perKey((key) => new IdentityVerifier(key));

/** The process's one verifier for this key; with keys accepted besides it (a change of key), one of its own. */
export function verifierFor(key: Uint8Array, accepted: readonly Uint8Array[] = []): IdentityVerifier {
  return accepted.length ? new IdentityVerifier(key, accepted) : verifierOfKey(key);
}
