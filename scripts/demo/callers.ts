import { SignJWT } from 'jose';
import type { Caller } from '../../lib/access/identity';
import { defaultAudience, defaultIssuer } from '../../gateway/config';
import { demoConsents } from './consents';
import { demoBankOrganisation, type DemoWorld } from './world';

/**
 * One demo caller per kind of user, with the purpose headers its typical request carries. In
 * production an identity provider issues tokens; in the embedded default `npm start` and
 * `npm run tokens` mint these with the local secret.
 */
export interface DemoCaller {
  label: string;
  caller: Caller;
  headers: Record<string, string>;
}

export function demoCallers(world: DemoWorld, consentId?: string): DemoCaller[] {
  const subject = world.subjects[0];
  const provider = world.providers[0];
  const counterpartyChecker = world.subjects[2];
  return [
    {
      label: 'Finance bureau officer, government procurement (区财政局)',
      caller: { id: 'officer-zhang', organisation: 'FINANCE', organisationKind: 'DEPARTMENT', role: 'DEPARTMENT_OFFICER' },
      headers: { 'x-credit-matter': 'GOVERNMENT_PROCUREMENT', 'x-credit-case': 'BDH-CG-2026-0117' },
    },
    {
      label: 'Organisation department officer, personnel review (区委组织部)',
      caller: { id: 'officer-li', organisation: 'ORGANISATION', organisationKind: 'DEPARTMENT', role: 'DEPARTMENT_OFFICER' },
      headers: { 'x-credit-matter': 'PERSONNEL_REVIEW', 'x-credit-case': 'BDH-ZZ-2026-031' },
    },
    {
      label: 'Credit office supervisor (区信用办)',
      caller: { id: 'supervisor-wang', organisation: 'CREDIT_OFFICE', organisationKind: 'DEPARTMENT', role: 'CREDIT_OFFICE_SUPERVISOR' },
      headers: { 'x-credit-matter': 'CREDIT_SUPERVISION' },
    },
    {
      label: 'Provider registry admin',
      caller: { id: 'registrar-zhao', organisation: 'CREDIT_OFFICE', organisationKind: 'DEPARTMENT', role: 'REGISTRY_ADMIN' },
      headers: {},
    },
    {
      label: 'Credit office window officer, recording a subject’s paper consent (授权书)',
      caller: { id: 'window-sun', organisation: 'CREDIT_OFFICE', organisationKind: 'DEPARTMENT', role: 'DEPARTMENT_OFFICER' },
      headers: {},
    },
    {
      label: 'Analyst (区发改局)',
      caller: { id: 'analyst-chen', organisation: 'DEVELOPMENT_REFORM', organisationKind: 'DEPARTMENT', role: 'ANALYST' },
      headers: { 'x-credit-matter': 'STATISTICAL_ANALYSIS' },
    },
    {
      label: 'Bank, credit approval with the subject’s consent',
      caller: { id: 'banker-liu', organisation: demoBankOrganisation, organisationKind: 'FINANCIAL_INSTITUTION', role: 'EXTERNAL_USER' },
      headers: { 'x-credit-matter': 'FINANCIAL_SERVICES', ...(consentId ? { 'x-credit-consent': consentId } : {}) },
    },
    {
      // Registers market subjects (登记) and checks bidders: the README's registerSubject and
      // CONSTRUCTION_BIDDING examples need a department that does both.
      label: 'Administrative approval bureau officer, construction bidding and subject registration (区行政审批局)',
      caller: { id: 'officer-zhou', organisation: 'ADMINISTRATIVE_APPROVAL', organisationKind: 'DEPARTMENT', role: 'DEPARTMENT_OFFICER' },
      headers: { 'x-credit-matter': 'CONSTRUCTION_BIDDING', 'x-credit-case': 'BDH-SP-2026-0088' },
    },
    // The demo world's consent of world.subjects[3] to world.providers[0] (demoConsents.providerCollection); a world without providers has none.
    ...(provider
      ? [
          {
            label: `Credit service provider collecting public credit data with a subject's consent (${provider.name})`,
            caller: { id: 'provider-qian', organisation: provider.unifiedSocialCreditCode, organisationKind: 'CREDIT_SERVICE_PROVIDER' as const, role: 'EXTERNAL_USER' as const },
            headers: { 'x-credit-matter': 'PROVIDER_DATA_COLLECTION', 'x-credit-consent': demoConsents.providerCollection },
          },
        ]
      : []),
    // The demo world's consent of world.subjects[0] to the enterprise world.subjects[2] (demoConsents.dueDiligence).
    ...(counterpartyChecker
      ? [
          {
            label: `Enterprise checking a counterparty before a contract, with its consent (${counterpartyChecker.name})`,
            caller: { id: 'clerk-wu', organisation: counterpartyChecker.identifier, organisationKind: 'ENTERPRISE' as const, role: 'EXTERNAL_USER' as const },
            headers: { 'x-credit-matter': 'COMMERCIAL_DUE_DILIGENCE', 'x-credit-consent': demoConsents.dueDiligence },
          },
        ]
      : []),
    {
      label: `Enterprise looking at its own credit (${subject.name})`,
      caller: { id: 'self-user', organisation: subject.identifier, organisationKind: subject.kind === 'NATURAL_PERSON' ? 'INDIVIDUAL' : 'ENTERPRISE', role: 'EXTERNAL_USER', subjectId: subject.id },
      headers: { 'x-credit-matter': 'SELF_INQUIRY' },
    },
  ];
}

/** A bearer token with the claims the gateway reads (`org`, `org_kind`, `role`, `subject_id`). */
export async function mintToken(
  caller: Caller,
  secret: Uint8Array,
  options: { issuer?: string; audience?: string; expiresIn?: string | number } = {},
): Promise<string> {
  return await new SignJWT({ org: caller.organisation, org_kind: caller.organisationKind, role: caller.role, ...(caller.subjectId ? { subject_id: caller.subjectId } : {}) })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(caller.id)
    .setIssuer(options.issuer ?? defaultIssuer)
    .setAudience(options.audience ?? defaultAudience)
    .setIssuedAt()
    .setExpirationTime(options.expiresIn ?? '12h')
    .sign(secret);
}
