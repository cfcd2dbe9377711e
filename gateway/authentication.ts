import type { KeyObject } from 'node:crypto';
import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload } from 'jose';
import { HeaderMap } from '@apollo/server';
import { GraphQLError } from 'graphql';
import { findDepartment } from '../lib/catalogue/departments';
import { auditedTextLimits, clockToleranceSeconds, importActorMark, organisationKinds, platformOrganisations, roles, type Caller, type OrganisationKind, type Role } from '../lib/access/identity';
import { departmentsReadAs, platformOrganisationReadAs, readsAsImportRun } from '../lib/access/organisation-names';
import { roleRefusal } from '../lib/access/policy';
import { clientError, ErrorCode, outageHttp, outageRetryAfterSeconds } from '../lib/errors';
import { holdsCitizenIdNumber, maskCitizenIdNumber, normaliseIdentifier, readsAsCitizenIdNumber, typedUuid, validateCitizenIdNumber, validateUnifiedSocialCreditCode } from '../lib/identifiers';
import { ExpiringMemory } from '../lib/expiring-memory';
import { characterCount, codePointOf, hasInvisibleCharacters } from '../lib/text';
import type { GatewayObserver } from './observer';
import { RevocationList, revocationOf, type Revocations } from './revocations';

/**
 * How callers' bearer tokens are verified: HS256 with a shared secret (the embedded default),
 * or an asymmetric public key / a JWKS endpoint in production. Issuer and audience always.
 */
export type TokenKeys =
  | { kind: 'secret'; secret: Uint8Array }
  | { kind: 'public-key'; key: KeyObject; algorithm: string }
  | { kind: 'jwks'; url: string };

export interface TokenSettings {
  keys: TokenKeys;
  issuer: string;
  audience: string;
  /** How far ahead of now (and of its `iat`) a token's `exp` may be (`AUTH_MAX_TOKEN_LIFETIME_SECONDS`); default `defaultMaxTokenLifetimeSeconds`. */
  maxLifetimeSeconds?: number;
  /** Users, organisations and tokens refused before their `exp`: the file (`AUTH_REVOCATIONS_FILE`), re-read when it changes, and the list read from it at start. */
  revocations?: { file: string; list: Revocations };
}

/** A day: the longest an officer's working session runs; the demo tokens (12 h) keep well within it. */
export const defaultMaxTokenLifetimeSeconds = 86_400;

export type TokenVerifier = (token: string) => Promise<JWTPayload>;

/**
 * `observer` is told when the key set (AUTH_JWKS_URL) could not be read: where and why, which the
 * client is not; when the revocation file could not be read again (its last good list stays); and
 * of each good read of it (`revocationsRead`: what the replica holds, for a responder to compare).
 */
export function createTokenVerifier(settings: TokenSettings, observer?: Pick<GatewayObserver, 'keySetUnavailable' | 'revocationsUnreadable'> & Partial<Pick<GatewayObserver, 'revocationsRead' | 'revocationsChecked'>>): TokenVerifier {
  // A token without an expiry would be good for ever once leaked.
  const options = { issuer: settings.issuer, audience: settings.audience, requiredClaims: ['exp'], clockTolerance: clockToleranceSeconds };
  const maxLifetimeSeconds = settings.maxLifetimeSeconds ?? defaultMaxTokenLifetimeSeconds;
  // The lifetime before the memory (a token refused so is never remembered); revocations after
  // it, so that a remembered token is refused as soon as the list names it.
  const unreadable = (file: string, cause: unknown) => (observer ? observer.revocationsUnreadable(file, cause) : console.error(`[gateway] the revocation file ${file} could not be read again; its last good list stays in force`, cause));
  const read = observer?.revocationsRead?.bind(observer);
  const looked = observer?.revocationsChecked?.bind(observer);
  const revocations = settings.revocations && new RevocationList(settings.revocations.file, settings.revocations.list, { unreadable, read, checked: looked });
  const checked = (verify: TokenVerifier) => refuseRevoked(rememberVerified(withinLifetime(verify, maxLifetimeSeconds)), revocations);
  const { keys } = settings;
  if (keys.kind === 'secret') return checked(async (token) => (await jwtVerify(token, keys.secret, { ...options, algorithms: ['HS256'] })).payload);
  if (keys.kind === 'public-key') return checked(async (token) => (await jwtVerify(token, keys.key, { ...options, algorithms: [keys.algorithm] })).payload);
  const jwks = createRemoteJWKSet(new URL(keys.url));
  return checked(async (token) => {
    try {
      return (await jwtVerify(token, jwks, options)).payload;
    } catch (error) {
      // The key set not read (refused, timed out, not 200, not JSON), or read but no key set to
      // verify with (ERR_JWKS_INVALID: AUTH_JWKS_URL set to the OpenID configuration, a set holding
      // a private key), says nothing of the token: refused as a bad token, every client signed in
      // again and again. A set without the token's key (ERR_JWKS_NO_MATCHING_KEY) is the token's.
      const code = (error as { code?: unknown }).code;
      if (!(error instanceof errors.JOSEError) || code === 'ERR_JWKS_TIMEOUT' || code === 'ERR_JOSE_GENERIC' || code === 'ERR_JWKS_INVALID') {
        const cause = error instanceof errors.JWKSInvalid ? invalidKeySet(error) : error;
        observer?.keySetUnavailable(keys.url, cause);
        throw new KeySetUnavailable(cause);
      }
      throw error;
    }
  });
}

/**
 * What the operator is told of a document at AUTH_JWKS_URL that is no key set: jose says only
 * "JSON Web Key Set malformed" of one without a `keys` array, which the OpenID configuration
 * (`/.well-known/openid-configuration`, the address an identity provider's console shows first)
 * is; it names the key set's address in `jwks_uri`.
 */
function invalidKeySet(error: InstanceType<typeof errors.JWKSInvalid>): Error {
  const message =
    error.message === 'JSON Web Key Set malformed'
      ? 'the document is not a JSON Web Key Set, which has a "keys" array of keys (is it the OpenID configuration? set AUTH_JWKS_URL to its jwks_uri)'
      : `the key set is not one to verify with: ${error.message}`;
  return new Error(message, { cause: error });
}

/**
 * The identity provider's key set could not be read, so a token signed with it could not be
 * checked. Its message is the client's, and names neither the key set's address nor what the
 * network said (an internal host name, an OpenSSL source path): those are the operator's, told
 * to the gateway's observer where this is thrown.
 */
export class KeySetUnavailable extends Error {
  override name = 'KeySetUnavailable';

  constructor(cause: unknown) {
    super("the identity provider's key set could not be read", { cause });
  }
}

/** How long a verified token is taken on trust without checking its signature again, at most. */
const verifiedTokenMemoryMs = 60_000;
const verifiedTokenMemorySize = 10_000;

/**
 * A front end sends the same token with every request until it expires: its signature is checked
 * once, and the token is then trusted until its `exp` (or a minute, whichever is sooner). Only
 * tokens that verified are remembered; a bounded number, the oldest forgotten first.
 */
function rememberVerified(verify: TokenVerifier): TokenVerifier {
  const verified = new ExpiringMemory<JWTPayload>(verifiedTokenMemorySize);
  return async (token) => {
    const now = Date.now();
    const known = verified.get(token, now);
    if (known) return known;
    const payload = await verify(token);
    verified.set(token, payload, Math.min(now + verifiedTokenMemoryMs, typeof payload.exp === 'number' ? payload.exp * 1000 : now + verifiedTokenMemoryMs));
    return payload;
  };
}

/**
 * A token whose signature, issuer, audience and dates held, refused all the same: valid for longer
 * than the platform accepts, or revoked. `claims` are the identity provider's word, under which
 * the refusal is audited.
 */
class TokenRefused extends Error {
  constructor(
    message: string,
    readonly problem: TokenProblem,
    readonly claims: JWTPayload,
  ) {
    super(message);
  }
}

/**
 * Refuses a token whose `exp` lies further ahead than `maxLifetimeSeconds`, counted from now or
 * from its `iat`, whichever is earlier: from now, so that a token without `iat` is bounded too;
 * from `iat`, so that a token issued for ten years is refused in its last day as in its first.
 * The clocks' tolerance is allowed, as for `exp` and `nbf`.
 */
function withinLifetime(verify: TokenVerifier, maxLifetimeSeconds: number): TokenVerifier {
  return async (token) => {
    const claims = await verify(token);
    const now = Math.floor(Date.now() / 1000);
    // Issued beyond the clock tolerance in the future: an identity provider whose clock runs ahead
    // (or a forger), whose tokens a revocation of those issued before a moment would let through.
    if (typeof claims.iat === 'number' && claims.iat > now + clockToleranceSeconds) {
      throw new TokenRefused(
        `the bearer token was refused: it was issued in the future (${new Date(claims.iat * 1000).toISOString()}), beyond the ${clockToleranceSeconds} s two clocks may differ by; the identity provider's clock is ahead of this platform's`,
        'TOKEN_NOT_YET_VALID',
        claims,
      );
    }
    const from = typeof claims.iat === 'number' ? Math.min(claims.iat, now) : now;
    const lifetime = (claims.exp as number) - from;
    if (lifetime > maxLifetimeSeconds + clockToleranceSeconds) {
      throw new TokenRefused(`the bearer token was refused: it is valid for ${lifetime} s, longer than the ${maxLifetimeSeconds} s this platform accepts; get a token of a shorter lifetime`, 'TOKEN_LIFETIME_TOO_LONG', claims);
    }
    return claims;
  };
}

/** Refuses, at every request and remembered or not, a token the revocation list names (revocations.ts). */
function refuseRevoked(verify: TokenVerifier, revocations: RevocationList | undefined): TokenVerifier {
  if (!revocations) return verify;
  return async (token) => {
    const claims = await verify(token);
    const revoked = revocationOf(claims, await revocations.current());
    if (revoked) throw new TokenRefused(`the bearer token was refused: ${revoked}`, 'TOKEN_REVOKED', claims);
    return claims;
  };
}

const bearerRealm = 'credit-platform';

/**
 * Why a token was refused, as a front end tells the cases apart (`extensions.problem` of the 401
 * `UNAUTHENTICATED`; README, Errors, whose list this is: keep the two in sync). The message, for
 * people, says which claim and why.
 */
export const tokenProblems = [
  /** Its `exp` has passed (beyond the clocks' tolerance): refresh the token and send the request again. */
  'TOKEN_EXPIRED',
  /** Its `nbf` is still ahead (beyond the clocks' tolerance): the identity provider's clock runs ahead of the gateway's. */
  'TOKEN_NOT_YET_VALID',
  /** Its `aud` is missing or names another API: a token for another platform or environment. */
  'TOKEN_AUDIENCE_MISMATCH',
  /** Its `iss` is missing or names another identity provider than the platform's. */
  'TOKEN_ISSUER_MISMATCH',
  /** No token the platform can take: no JWT, a signature that does not verify, an algorithm not allowed (`alg: none`), no `exp`, a date that is no number. */
  'TOKEN_INVALID',
  /** Its signature and dates held, but what it claims of its caller did not: `sub`, `org`, `org_kind`, `role` (a bank naming a department, a role its organisation cannot hold). */
  'TOKEN_CLAIMS_INVALID',
  /** The Authorization header is no `Bearer <token>` (the `invalid_request` challenge). */
  'AUTHORIZATION_MALFORMED',
  /** Its `exp` lies further ahead than the platform accepts (AUTH_MAX_TOKEN_LIFETIME_SECONDS): the identity provider must issue shorter-lived tokens. */
  'TOKEN_LIFETIME_TOO_LONG',
  /** Its user, organisation or the token itself is revoked (AUTH_REVOCATIONS_FILE), or it was issued before the moment from which tokens are taken: a new token may be refused too. */
  'TOKEN_REVOKED',
] as const;

export type TokenProblem = (typeof tokenProblems)[number];

/**
 * A refused token: 401 with its `problem`, and the challenge RFC 6750 asks of a bearer-token
 * resource, so that an HTTP client or library knows to fetch a new token (`invalid_request` for an
 * Authorization header that is not a bearer token at all). An expired token is `invalid_token`
 * too (RFC 6750, 3.1), its `error_description` saying so for a client that reads only the header.
 */
export function unauthenticated(message: string, problem: TokenProblem): GraphQLError {
  const error = problem === 'AUTHORIZATION_MALFORMED' ? 'invalid_request' : 'invalid_token';
  const described = challengeDescriptions[problem];
  const description = described ? `, error_description="${described}"` : '';
  const challenge = `Bearer realm="${bearerRealm}", error="${error}"${description}`;
  return new GraphQLError(message, { extensions: { code: ErrorCode.UNAUTHENTICATED, problem, http: { status: 401, headers: new HeaderMap([['www-authenticate', challenge]]) } } });
}

/** What the challenge says of a refusal a client that reads only the header should tell apart. */
const challengeDescriptions: Partial<Record<TokenProblem, string>> = {
  TOKEN_EXPIRED: 'the access token expired',
  TOKEN_LIFETIME_TOO_LONG: 'the access token is valid for longer than this platform accepts',
  TOKEN_REVOKED: 'the access token was revoked',
};

/** A token refused for what it claims of its caller. */
function claimsRefused(message: string): GraphQLError {
  return unauthenticated(message, 'TOKEN_CLAIMS_INVALID');
}

/**
 * The caller named by the `Authorization` header: null without one (public data only), a typed
 * UNAUTHENTICATED error for anything that is not a valid token with well-formed claims, and
 * AUTHENTICATION_UNAVAILABLE (503) when the identity provider's key set could not be read.
 */
export async function authenticate(authorization: string | undefined, verify: TokenVerifier): Promise<Caller | null> {
  if (!authorization) return null;
  const match = /^Bearer\s+(\S+)$/i.exec(authorization.trim());
  if (!match) throw unauthenticated('the Authorization header must be "Bearer <token>"', 'AUTHORIZATION_MALFORMED');
  let claims: JWTPayload;
  try {
    claims = await verify(match[1]);
  } catch (error) {
    const { code = 'ERR_JWT_INVALID', claim, reason } = error as { code?: string; claim?: unknown; reason?: unknown };
    // jose names the claim that failed: the client is told which one to fix.
    const which = typeof claim === 'string' ? `: its "${claim}" claim ${claimProblem(claim, reason, code)}` : '';
    // Not the caller's fault: a 401 would make a front end drop its user's session.
    if (error instanceof KeySetUnavailable) {
      throw clientError(ErrorCode.AUTHENTICATION_UNAVAILABLE, `${error.message}: the token could not be checked; retry later`, { retryAfterSeconds: outageRetryAfterSeconds, http: outageHttp() });
    }
    if (error instanceof TokenRefused) throw signedRefusal(unauthenticated(error.message, error.problem), error.claims);
    // jose checks `exp` after the signature, issuer and audience: an expired token's claims are the identity provider's.
    if (error instanceof errors.JWTExpired) throw signedRefusal(unauthenticated(`the bearer token was refused (jwt expired)${which}`, 'TOKEN_EXPIRED'), error.payload);
    throw unauthenticated(`the bearer token was refused (${code.replace(/^ERR_/, '').toLowerCase().replaceAll('_', ' ')})${which}`, verificationProblem(code, claim, reason));
  }
  try {
    return callerFromClaims(claims);
  } catch (error) {
    const user = provenUser(claims.sub);
    throw user !== undefined && error instanceof GraphQLError ? new RefusedClaims(error, user) : error;
  }
}

/**
 * A token whose signature and dates held, refused for what it claims (an organisation, kind or
 * role it may not name): its user (`sub`) is the identity provider's word all the same, and the
 * audit log records the attempt under it, so that the credit office sees which account posed as
 * a department. `refusal` is the client's answer; the organisation stays unrecorded (`unverified`)
 * unless `caller` is given: a token whose signature held and whose claims did too, refused for
 * its dates or revoked (signedRefusal).
 */
export class RefusedClaims extends Error {
  constructor(
    readonly refusal: GraphQLError,
    readonly user: string,
    readonly caller?: Caller,
  ) {
    super(refusal.message);
  }
}

/**
 * The refusal of a token whose signature held but that is expired, valid for too long or revoked:
 * audited under the caller it names (its user alone when its other claims do not hold, nobody's
 * when its `sub` does not), so that a stolen token's attempts once it was cut off are found under
 * the account and organisation it was stolen from.
 */
function signedRefusal(refusal: GraphQLError, claims: JWTPayload): GraphQLError | RefusedClaims {
  let caller: Caller;
  try {
    caller = callerFromClaims(claims);
  } catch {
    const user = provenUser(claims.sub);
    return user === undefined ? refusal : new RefusedClaims(refusal, user);
  }
  return new RefusedClaims(refusal, caller.id, caller);
}

/** A space separator other than U+0020 (U+00A0, U+2009, U+3000, …): it reads as U+0020, or as no space. */
const otherSpace = /(?! )\p{Zs}/u;

/** The token's user id as the audit log records it (trimmed): refused when missing, too long, holding characters a reader does not see or a space other than U+0020, or not in NFC. */
function userOf(sub: unknown): string {
  if (typeof sub !== 'string' || !sub.trim()) throw claimsRefused('the token names no user (sub)');
  if (characterCount(sub) > auditedTextLimits.callerId) throw claimsRefused(`the token's sub must be at most ${auditedTextLimits.callerId} characters, got ${characterCount(sub)}`);
  // Recorded in every audit entry the caller causes, and shown to whoever reads it (see `org` below).
  if (hasInvisibleCharacters(sub)) throw claimsRefused("the token's sub holds characters a reader does not see (control, format or invisible ones such as U+200B, or a lone surrogate)");
  // Two user ids that read alike are two actors in the audit log, which the credit office matches
  // with the identity provider's accounts by their exact text: `officer 1` and `officer\u00a01`, or
  // a composed `officer-\u00e9` and a decomposed `officer-e\u0301`. Refused rather than normalised:
  // a sub stored composed while the identity provider holds it decomposed would match none of its
  // accounts, and two of its accounts written so would become one actor.
  const space = otherSpace.exec(sub)?.[0];
  if (space) throw claimsRefused(`the token's sub holds a space other than U+0020: ${codePointOf(space)}, which reads as a plain space or none`);
  if (sub.normalize('NFC') !== sub) throw claimsRefused("the token's sub must be in Unicode normalisation form C (NFC: é as U+00E9, not e followed by U+0301), as the identity provider should issue it");
  if (readsAsImportRun(sub)) throw claimsRefused(`the token's sub must not begin ${importActorMark} (however written), which marks the record import's runs in records' history and the audit log`);
  return sub.trim();
}

function provenUser(sub: unknown): string | undefined {
  try {
    return userOf(sub);
  } catch {
    return undefined;
  }
}

/** Which refusal jose's error is: by its code, and for a claim, by which claim and why (`missing`, `invalid`, `check_failed`). */
function verificationProblem(code: string, claim: unknown, reason: unknown): TokenProblem {
  if (code === 'ERR_JWT_EXPIRED') return 'TOKEN_EXPIRED';
  if (claim === 'nbf' && reason === 'check_failed') return 'TOKEN_NOT_YET_VALID';
  if (claim === 'aud') return 'TOKEN_AUDIENCE_MISMATCH';
  if (claim === 'iss') return 'TOKEN_ISSUER_MISMATCH';
  return 'TOKEN_INVALID';
}

function claimProblem(claim: string, reason: unknown, code: string): string {
  if (reason === 'missing') return 'is missing';
  if (code === 'ERR_JWT_EXPIRED') return 'has passed: get a new token';
  if (claim === 'iss' || claim === 'aud') return "names another issuer or audience than this platform's";
  return 'failed its check';
}

/**
 * The kinds of organisation a token names by unified social credit code, as the consent register
 * names them as grantees and the provider registry files a provider (a bank's id is the identity
 * provider's, and a department's is its catalogue code).
 */
const creditCodeNamedKinds = new Set<OrganisationKind>(['ENTERPRISE', 'CREDIT_SERVICE_PROVIDER']);

/** The kinds of organisation a token names by unified social credit code or citizen ID number. */
const codeNamedKinds = new Set<OrganisationKind>([...creditCodeNamedKinds, 'INDIVIDUAL']);

/** Claims: `sub`, `org`, `org_kind`, `role`, and `subject_id` for a subject acting for itself. */
export function callerFromClaims(claims: JWTPayload): Caller {
  const { sub, org, org_kind: kind, role, subject_id: subjectId } = claims as Record<string, unknown>;
  const user = userOf(sub);
  if (typeof org !== 'string' || !org.trim()) throw claimsRefused('the token names no organisation (org)');
  if (characterCount(org) > auditedTextLimits.organisation) throw claimsRefused(`the token's org must be at most ${auditedTextLimits.organisation} characters, got ${characterCount(org)}`);
  // Recorded in every audit entry the caller causes, and shown to whoever reads it: text a reader
  // cannot see (`FINANCE\u200b`, read as the finance bureau) or that is no Unicode at all (a lone
  // surrogate, stored as U+FFFD, so that the entry's hash no longer matched its row and the chain
  // read as tampered) is refused, as the purpose headers' is, and as the sub's (`userOf`).
  // Checked first: refusals are audited with their message, which must not carry such text either,
  // and this one does not quote the claim (a person's number).
  if (hasInvisibleCharacters(org)) throw claimsRefused("the token's org holds characters a reader does not see (control, format or invisible ones such as U+200B, or a lone surrogate)");
  if (!organisationKinds.includes(kind as OrganisationKind)) throw claimsRefused(`the token's org_kind must be one of ${organisationKinds.join(', ')}`);
  if (!roles.includes(role as Role)) throw claimsRefused(`the token's role must be one of ${roles.join(', ')}`);
  // A code or ID number as everything else in the platform holds it (a consent's grantee, the
  // provider registry): trimmed and upper-cased, so that `x` and `X` name one organisation. Any
  // other id trimmed, as the consent register trims a bank grantee's: `BANK_X ` would otherwise
  // match none of its consents, and be another organisation that reads as BANK_X.
  const organisation = codeNamedKinds.has(kind as OrganisationKind) ? normaliseIdentifier(org) : org.trim();
  // A person is named by its citizen ID number, and nothing else is: the audit trail masks, and
  // the statistics group, persons by their kind, so a number under another kind would show whole.
  // Refusals are audited with their message: they name such an org masked, and one that holds
  // such a number among other characters (`130304199406220815@idp`) not at all.
  const namesPerson = readsAsCitizenIdNumber(organisation);
  const holdsPerson = !namesPerson && holdsCitizenIdNumber(organisation);
  const shown = namesPerson ? maskCitizenIdNumber(organisation) : holdsPerson ? '(withheld: it holds a citizen ID number)' : org;
  if (kind === 'DEPARTMENT' && !findDepartment(organisation)) throw claimsRefused(`the token's organisation ${shown} is not a district department`);
  // A department's code names that department only. Wherever the platform compares an
  // organisation by its id (the report case files a department registered, the records it
  // supplied, the officers who acted for it), a bank whose token carried `FINANCE` would be
  // taken for the finance bureau. The consent register reads a bank grantee as this check and
  // the next read a token's org (lib/access/organisation-names.ts), so that no consent is given
  // to an id no bank's token can carry.
  if (kind !== 'DEPARTMENT' && departmentsReadAs(org).length > 0) {
    throw claimsRefused(`the token's org ${org} is the code of a district department, which names that department only: its org_kind must be DEPARTMENT, not ${String(kind)}`);
  }
  // Where no token names anyone, the platform records itself, `anonymous` (a printable page's
  // reader) or `unverified` (a refused token): a caller's org read as one of those would pass, in
  // the audit log and its statistics, for what the platform recorded.
  if (platformOrganisationReadAs(org)) {
    throw claimsRefused(`the token's org ${org} is a name the platform records where no token names an organisation (${Object.values(platformOrganisations).join(', ')}): no caller's organisation may be named so`);
  }
  // The department as read (` CREDIT_OFFICE ` is the credit office, as for its other checks).
  const misheld = roleRefusal(role as Role, kind as OrganisationKind, organisation, shown);
  if (misheld) throw claimsRefused(`the token's ${misheld}`);
  if (kind === 'INDIVIDUAL' && !validateCitizenIdNumber(organisation).valid) {
    throw claimsRefused("the token's org must be the person's citizen ID number when org_kind is INDIVIDUAL");
  }
  // An all-digit unified social credit code can read as an ID number too: an organisation's own code stands.
  const creditCode = creditCodeNamedKinds.has(kind as OrganisationKind) ? validateUnifiedSocialCreditCode(organisation) : undefined;
  const ownCode = creditCode?.valid === true;
  if (kind !== 'INDIVIDUAL' && namesPerson && !ownCode) {
    throw claimsRefused(`the token's org ${shown} reads as a citizen ID number, which names a person: its org_kind must be INDIVIDUAL, not ${String(kind)}`);
  }
  if (holdsPerson && !ownCode) {
    throw claimsRefused(`the token's org ${shown}, which names a person: a person is named by its citizen ID number alone, with org_kind INDIVIDUAL, and an organisation by an id that holds none`);
  }
  // Any other id names an organisation of that kind that no consent can name and no registry
  // files, and the audit log would count it beside the bank whose id it is, under a second kind
  // (`BANK_HEBEI_BEIDAIHE` as an enterprise), so that its trail could no longer be asked for.
  if (creditCode && !creditCode.valid) {
    throw claimsRefused(`the token's org must be the organisation's unified social credit code when org_kind is ${String(kind)}, got ${shown}: ${creditCode.message}`);
  }
  return {
    // Trimmed: `banker ` is `banker`, as it reads in the audit log.
    id: user,
    organisation,
    organisationKind: kind as OrganisationKind,
    role: role as Role,
    ...ownSubjectOf(subjectId),
  };
}

/**
 * `subject_id`, the subject acting for itself, read as the platform writes ids (typedUuid). An
 * identity provider writing it in upper case (a .NET Guid) or with a space was looked up as that
 * subject (the entities subgraph reads ids so) and passed as the caller's own, while the request's
 * scope held it as sent and matched no subject: the subject was shown nothing of its own, without
 * an error. One that reads as no UUID names no subject.
 */
function ownSubjectOf(subjectId: unknown): { subjectId?: string } {
  if (subjectId === undefined || subjectId === null || (typeof subjectId === 'string' && subjectId.trim() === '')) return {};
  const id = typeof subjectId === 'string' ? typedUuid(subjectId) : null;
  if (!id) throw claimsRefused("the token's subject_id must be a subject's id, a UUID such as 0f74330e-21b7-4d49-8987-fd0d106b59db");
  return { subjectId: id };
}
