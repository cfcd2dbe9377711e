import { jwtVerify, SignJWT } from 'jose';

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
  /** Explores aggregate data and statistics; reads no personal data. */
  'ANALYST',
  /** A user of a bank, provider, enterprise, or a person, acting for its own organisation. */
  'EXTERNAL_USER',
] as const;
export type Role = (typeof roles)[number];

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
  /** Field groups this request may read, as decided by the gateway from the policy catalogue. */
  grants: string[];
  scope: AccessScope;
  requestId: string;
}

export const identityHeader = 'x-credit-identity';
const issuer = 'credit-gateway';
const audience = 'credit-subgraphs';

/**
 * Signs an identity for one hop gateway → subgraph. Short-lived on purpose: a captured header
 * is worth a minute at most. (The benchmark signs one for the stock gateways to send for the
 * length of a run: `lifetime` is for it alone.)
 */
export async function signIdentity(identity: RequestIdentity, key: Uint8Array, lifetime = '60s'): Promise<string> {
  return await new SignJWT({ identity: identity as unknown as Record<string, unknown> })
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuer(issuer)
    .setAudience(audience)
    .setIssuedAt()
    .setExpirationTime(lifetime)
    .sign(key);
}

/** Returns the identity, or null when the header is missing, forged, expired or malformed. */
export async function verifyIdentity(token: string, key: Uint8Array): Promise<RequestIdentity | null> {
  try {
    const { payload } = await jwtVerify(token, key, { issuer, audience, algorithms: ['HS256'] });
    const identity = payload.identity as RequestIdentity | undefined;
    if (!identity || typeof identity.requestId !== 'string' || !Array.isArray(identity.grants) || typeof identity.scope !== 'object' || identity.scope === null) return null;
    return identity;
  } catch {
    return null;
  }
}
