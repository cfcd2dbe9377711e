import { defaultFieldResolver, getNamedType, GraphQLError, isObjectType, parse, type GraphQLSchema } from 'graphql';
import { identityHeader, platformOrganisations, type IdentityVerifier, type Purpose, type RequestIdentity } from '../../lib/access/identity';
import type { RequestDeadline } from '../../lib/deadline';
import { detectIdentifierKind, maskCitizenIdNumber } from '../../lib/identifiers';
import { maskPersonalData } from '../../lib/logger';
import { requestIdFrom } from '../../lib/request-record';
import { foldedNumber } from '../../lib/text';
import { allSubjects, findMatter } from '../../lib/catalogue/matters';
import { refusalDetails, refusalOfGroup, refusalOfPurpose, type AccessProblem, type PurposeRefusal } from '../../lib/access/policy';
import { auditedRefusalExtension, ErrorCode, type AuditedRefusal } from '../../lib/errors';
import type { CursorSeal } from './cursors';

/**
 * The subgraph half of access control. The gateway decides grants and removes what a caller may
 * not read; each subgraph checks again (defence in depth), accepts only identities signed by the
 * gateway, and reports which subjects' data it disclosed under which field groups, so that the
 * gateway can audit every disclosure.
 */
export interface RequestAccess {
  identity: RequestIdentity;
  /** subject id → field groups disclosed in this response; null: read about no subject (a page's count). */
  disclosures: Map<string | null, Set<string>>;
  /**
   * subject id → field groups disclosed by a public lookup (what anyone may ask, a report's
   * verification), under no purpose: audited without the request's matter, case or consent, which
   * did not open them.
   */
  publicDisclosures: Map<string | null, Set<string>>;
  /**
   * consent id → its subject and the field groups disclosed about that consent (a grantee's list
   * of the consents given to it): audited one entry per consent, naming it, so that the subject
   * and the credit office find the read by the consent it concerned, revoked or expired since too.
   */
  consentDisclosures: Map<string, { subjectId: string; groups: Set<string> }>;
  /**
   * When the caller (the gateway, a peer) stops waiting for this request, from its
   * `x-request-timeout-ms` (lib/deadline.ts); none for a call without one (tests, direct calls).
   */
  deadline?: RequestDeadline;
}

/** A request's access, nothing disclosed yet. */
export function accessOf(identity: RequestIdentity): RequestAccess {
  return { identity, disclosures: new Map(), publicDisclosures: new Map(), consentDisclosures: new Map() };
}

/** Every subgraph's request context carries the caller's access, and the seal of its page cursors. */
export interface SubgraphContext {
  access: RequestAccess;
  cursors: CursorSeal;
}

/** Maps a parent object of a type to the subject whose data it is, for disclosure reporting. */
export type SubjectOf = Record<string, (parent: never) => string | null | undefined>;

/** FORBIDDEN, with the `problem` a front end switches on (README, Errors). */
export function forbidden(problem: AccessProblem, message: string, details: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { code: ErrorCode.FORBIDDEN, problem, ...details } });
}

/**
 * A refusal about a known subject: the gateway audits it against that subject, with `groups`
 * besides those selected at the error's path (and keeps both from the caller).
 */
export function forbiddenAbout(subjectId: string | null | undefined, problem: AccessProblem, message: string, details: Record<string, unknown> = {}, groups: readonly string[] = []): GraphQLError {
  const refusal: AuditedRefusal = { ...(subjectId ? { subjectId } : {}), ...(groups.length ? { groups: [...groups] } : {}) };
  return forbidden(problem, message, Object.keys(refusal).length ? { ...details, [auditedRefusalExtension]: refusal } : details);
}

/**
 * A refusal other than FORBIDDEN that the gateway audits as one, DENIED against `subjectId`: a
 * decision refused because its case was decided already, whose message tells the caller who
 * decided it and when. `error` as it was, the subject in the extension the gateway takes off.
 */
export function refusalAbout(subjectId: string, error: GraphQLError): GraphQLError {
  const refusal: AuditedRefusal = { subjectId };
  return new GraphQLError(error.message, { originalError: error.originalError ?? undefined, extensions: { ...error.extensions, [auditedRefusalExtension]: refusal } });
}

/**
 * What a request does that needs its purpose to grant `groups` (not the standing grants alone):
 * FORBIDDEN naming the first missing group, `why` saying what is at stake, audited against the
 * subject when one is given.
 */
export function assertPurposeGrants(identity: RequestIdentity, groups: readonly string[], why: string, subjectId: string | null = null): void {
  const missing = groups.filter((g) => !identity.grants.includes(g));
  if (!missing.length) return;
  const { advice, details } = groupRefusal(identity, missing[0]);
  throw forbiddenAbout(subjectId, details.problem, `${why}: the request's purpose must grant ${missing.join(' and ')}${advice}`, { group: missing[0], ...details });
}

/** Why the request lacks `group` (lib/access/policy.ts refusalOfGroup), under the purpose it names, as refusalOf finds it refused or not. */
export function groupRefusal(identity: RequestIdentity, group: string): { advice: string; details: { problem: AccessProblem; header?: string } } {
  return refusalOfGroup(identity.caller, group, refusalOf(identity), identity.purpose !== null, identity.scope.subjectId);
}

/** Records a read of `group` about `subjectId` (null: about no subject, as a page's count) for the request's audit. */
export function disclose(access: RequestAccess, subjectId: string | null, group: string, to: 'UNDER_PURPOSE' | 'ANYONE' = 'UNDER_PURPOSE'): void {
  const disclosures = to === 'ANYONE' ? access.publicDisclosures : access.disclosures;
  let groups = disclosures.get(subjectId);
  if (!groups) disclosures.set(subjectId, (groups = new Set()));
  groups.add(group);
}

/** Records a read of `group` about one consent of its subject (`consentDisclosures`) for the request's audit. */
export function discloseConsent(access: RequestAccess, consent: { id: string; subjectId: string }, group: string): void {
  let disclosed = access.consentDisclosures.get(consent.id);
  if (!disclosed) access.consentDisclosures.set(consent.id, (disclosed = { subjectId: consent.subjectId, groups: new Set() }));
  disclosed.groups.add(group);
}

/**
 * A natural person's identifying value: whole under PERSONAL_IDENTIFIERS (and disclosed so, in the
 * trail of `subjectId`; an audit entry about no subject has none to record it in), masked otherwise.
 */
export function personal<V extends string | null>(access: RequestAccess, subjectId: string | null, value: V, mask: (value: string) => string): V | string {
  if (value === null) return value;
  if (!access.identity.grants.includes('PERSONAL_IDENTIFIERS')) return mask(value);
  if (subjectId) disclose(access, subjectId, 'PERSONAL_IDENTIFIERS');
  return value;
}

/**
 * An organisation as the platform names it (who filed, who granted, who acted): a person acting
 * for itself is named by its citizen ID number, masked as the subject's own number is.
 */
export function personIdentifier(access: RequestAccess, subjectId: string | null, organisation: string): string {
  return detectIdentifierKind(organisation) === 'CITIZEN_ID_NUMBER' ? personal(access, subjectId, organisation, maskCitizenIdNumber) : organisation;
}

/**
 * Free text written into the platform (a record's summary, an objection's reason, a restoration's
 * correction) as the reader may see it: the citizen ID numbers and mobile numbers written in it,
 * whoever's they are (an individual business's operator, a contact), are personal identifiers as
 * `Subject.citizenIdNumber` is, so they are masked wherever they stand, as every log line masks them
 * (lib/logger.ts), unless the request holds PERSONAL_IDENTIFIERS (`personal`: disclosed so, in the
 * trail of `subjectId`). The text is kept as typed, and shown whole to the organisation that wrote
 * it (`writtenBy`), which reads back only what it wrote.
 */
export function freeText<V extends string | null>(access: RequestAccess, subjectId: string | null, text: V, writtenBy: string | null): V | string {
  if (text === null || actsFor(access, writtenBy)) return text;
  const masked = maskPersonalData(text);
  return masked === text ? text : personal(access, subjectId, text, () => masked);
}

/**
 * Who acted (a user id, the token's subject) as the reader may see it: whole inside the
 * administration, and to the users of the organisation the user acted for (or for the platform's
 * own acts); null for an officer read from outside (a subject, a consent's reader), whose view
 * names the department, never the officer, as the subject's audit trail does.
 */
export function actingUser(access: RequestAccess, userId: string | null, organisation: string | null): string | null {
  if (userId === null || access.identity.caller?.organisationKind === 'DEPARTMENT' || organisation === platformOrganisations.platform) return userId;
  return actsFor(access, organisation) ? userId : null;
}

/**
 * Whether the caller acts for `organisation`, as recorded (a department code, a code or an ID
 * number, stored upper-cased): its token's organisation, trimmed and upper-cased, as the gateway
 * compares a consent's grantee; and of `kind`, where that is recorded too (an audit entry's
 * reader): a bank whose id is an enterprise's code is not that enterprise.
 */
export function actsFor(access: RequestAccess, organisation: string | null | undefined, kind?: string): boolean {
  const caller = access.identity.caller;
  if (!caller || !organisation || (kind !== undefined && kind !== caller.organisationKind)) return false;
  return organisation.trim().toUpperCase() === caller.organisation.trim().toUpperCase();
}

/**
 * A request scoped to one subject (a consent, a subject's own inquiry) may touch only that
 * subject. `null` stands for "not found": refused the same way, so that a scoped caller cannot
 * tell a subject that does not exist from one it may not see.
 */
export function assertInScope(access: RequestAccess, subjectId: string | null | undefined): void {
  const only = access.identity.scope.subjectId;
  if (!only || subjectId === undefined || subjectId === only) return;
  throw forbiddenAbout(subjectId, 'OUTSIDE_SUBJECT_SCOPE', 'this request may read only the subject its consent or inquiry names');
}

/**
 * A purpose that covers some kinds of subject only (procurement: organisations; personnel review:
 * natural persons) reads nothing about a subject of another kind. The fields outside the entities
 * subgraph that read a subject's data `@requires` its kind, so the gateway brings it from there
 * (which refuses an out-of-scope subject itself); a kind that did not come is refused too.
 */
export function assertKindInScope(access: RequestAccess, subject: { id: string; kind?: string | null }): void {
  const kinds = limitedKinds(access);
  if (!kinds) return;
  if (!subject.kind) throw forbiddenAbout(subject.id, 'SUBJECT_KIND_UNKNOWN', "the purpose of this request covers some kinds of subject only, and this subject's kind could not be established");
  if (!kinds.includes(subject.kind)) throw forbiddenAbout(subject.id, 'SUBJECT_KIND_NOT_COVERED', `the purpose of this request does not cover subjects of kind ${subject.kind}`);
}

/**
 * Why the gateway refused the purpose the request names (README: a refused purpose is the basis of
 * nothing), or undefined when it holds or none was named. As the identity says; one a gateway of
 * an earlier release signed says nothing of it, and the catalogue's own refusal is decided again,
 * as the gateway decides it (a register's refusal it could not be: those gateways cut the grants).
 */
export function refusalOf(identity: RequestIdentity): PurposeRefusal | undefined {
  const { caller, purpose } = identity;
  return purpose ? (identity.purposeRefused ?? refusalOfPurpose(caller, purpose, findMatter(purpose.matter))) : undefined;
}

/** The purpose the request is read under: the one it names, unless the gateway refused it. */
export function acceptedPurpose(identity: RequestIdentity): Purpose | null {
  return refusalOf(identity) ? null : identity.purpose;
}

/**
 * FORBIDDEN for what only another purpose opens (`what` says which): PURPOSE_MISMATCH, or, when
 * the gateway refused the purpose the request names, that refusal's `problem` and the header at
 * fault, as the gateway answers a field it cut (the case named is then no case, whatever it
 * matches). Audited against `subjectId` with `groups`, under the matter and case the request
 * named, as the gateway's DENIED entries are.
 */
export function purposeMismatch(identity: RequestIdentity, what: string, subjectId: string | null = null, groups: readonly string[] = []): GraphQLError {
  const refused = refusalOf(identity);
  if (refused) return forbiddenAbout(subjectId, refused.problem, `${what}; the request's purpose was refused: ${refused.message}`, refusalDetails(refused), groups);
  return forbiddenAbout(subjectId, 'PURPOSE_MISMATCH', what, {}, groups);
}

/** The credit office (or a supervising department) reading under its supervision purpose, so that the audit entry says so. */
export function underSupervision(identity: RequestIdentity): boolean {
  return identity.caller?.role === 'CREDIT_OFFICE_SUPERVISOR' && acceptedPurpose(identity)?.matter === 'CREDIT_SUPERVISION';
}

/**
 * Whether the request is read in a credit check's own matter and case (x-credit-matter,
 * x-credit-case), under a purpose the gateway accepted: a case named under a matter its department
 * no longer may name, or one withdrawn from the catalogue, is no case. The gateway folds
 * x-credit-case (ＢＤＨ－… is BDH-…): a check run under a full-width case before it did is still
 * read in its case.
 */
export function underCheckPurpose(identity: RequestIdentity, check: { matter: string; caseNumber: string }): boolean {
  const purpose = acceptedPurpose(identity);
  return purpose?.matter === check.matter && purpose.caseNumber === foldedNumber(check.caseNumber);
}

/**
 * What a credit check found about its subject (the records that counted, the measures, the
 * verdict, the report requirement) is read by a department in the check's own case, as its
 * feedback is reported: the audit entry then names the matter that called for the check, and a
 * purpose covering other kinds of subject, or none, reads nothing of it. The credit office reads
 * every check under its supervision. Which checks a department may open at all (its own) the
 * records subgraph decides, before any of these fields is reached. `groups` are what is withheld,
 * for the audit entry.
 */
export function assertCaseFileReadable(access: RequestAccess, check: { subjectId: string; matter: string; caseNumber: string }, groups: readonly string[]): void {
  const { identity } = access;
  if (underSupervision(identity) || underCheckPurpose(identity, check)) return;
  throw purposeMismatch(identity, `what this check found is read in its own case (x-credit-matter ${check.matter} and x-credit-case ${check.caseNumber}), or by the credit office under x-credit-matter CREDIT_SUPERVISION`, check.subjectId, groups);
}

/** The kinds of subject the request's purpose covers, or null when it covers every kind (self-inquiry, supervision). */
export function limitedKinds(access: RequestAccess): readonly string[] | null {
  const kinds = access.identity.scope.subjectKinds;
  return kinds && !allSubjects.every((kind) => kinds.includes(kind)) ? kinds : null;
}

/** The group a field needs, from its `@grant(group: "...")` in the SDL. */
export function grantOf(astNode: { directives?: readonly { name: { value: string }; arguments?: readonly { name: { value: string }; value: unknown }[] }[] } | null | undefined): string | undefined {
  const directive = astNode?.directives?.find((d) => d.name.value === 'grant');
  const value = directive?.arguments?.find((a) => a.name.value === 'group')?.value as { kind: string; value?: string } | undefined;
  return value?.kind === 'StringValue' ? value.value : undefined;
}

/**
 * Wraps every field that carries `@grant`: the caller's grants must include its group, a
 * subject-scoped request (consent, own inquiry) may only touch its subject, and what resolves is
 * recorded as disclosed. A root field named in `lookupsById` looks a subject up by the id the
 * caller already holds: its answer says of the subject only that it is there, so it records its
 * group only where it says more, under a purpose covering some kinds of subject (that the
 * subject's kind is covered); the fields read of the subject record their own groups.
 */
export function enforceGrants(schema: GraphQLSchema, subjectOf: SubjectOf, lookupsById: readonly string[] = []): GraphQLSchema {
  const queryType = schema.getQueryType();
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    const subjectFor = subjectOf[type.name] as ((parent: unknown) => string | null | undefined) | undefined;
    for (const field of Object.values(type.getFields())) {
      const group = grantOf(field.astNode);
      if (!group) continue;
      const resolve = field.resolve ?? defaultFieldResolver;
      // A root lookup (creditRecord(id)) has no subject parent: its result names the subject.
      const resultSubject = subjectFor ? undefined : (subjectOf[getNamedType(field.type).name] as ((value: unknown) => string | null | undefined) | undefined);
      field.resolve = async (parent, args, context: SubgraphContext, info) => {
        const { identity } = context.access;
        const parentSubject = subjectFor?.(parent) ?? undefined;
        if (!identity.grants.includes(group)) {
          const { advice, details } = groupRefusal(identity, group);
          throw forbiddenAbout(parentSubject, details.problem, `${type.name}.${field.name} needs the field group ${group}${advice}`, { group, ...details });
        }
        assertInScope(context.access, parentSubject);
        const value = await resolve(parent, args, context, info);
        if (resultSubject && identity.scope.subjectId && (value === null || value === undefined)) assertInScope(context.access, null);
        const subjectId = parentSubject ?? (value !== null && value !== undefined ? (resultSubject?.(value) ?? undefined) : undefined);
        assertInScope(context.access, subjectId);
        const tellsOnlyThatItIsThere = type === queryType && lookupsById.includes(field.name) && limitedKinds(context.access) === null;
        if (subjectId && value !== null && value !== undefined && !tellsOnlyThatItIsThere) disclose(context.access, subjectId, group);
        return value;
      };
    }
  }
  return schema;
}

/** Composition tooling reads `{ _service { sdl } }` without an identity; nothing else may. */
function isServiceSdlQuery(body: unknown): boolean {
  const query = (body as { query?: unknown } | undefined)?.query;
  if (typeof query !== 'string') return false;
  try {
    const document = parse(query);
    return document.definitions.every(
      (d) => d.kind === 'OperationDefinition' && d.operation === 'query' && d.selectionSet.selections.every((s) => s.kind === 'Field' && (s.name.value === '_service' || s.name.value === '__typename')),
    );
  } catch {
    return false;
  }
}

const serviceIdentity: RequestIdentity = { caller: null, purpose: null, grants: [], scope: {}, requestId: 'service-sdl' };

/** The gateway's signed identity on a request to this subgraph (GraphQL or another route), or null when it has none that verifies. */
export async function gatewayIdentity(headers: Record<string, string | string[] | undefined>, identities: IdentityVerifier): Promise<RequestIdentity | null> {
  const header = headers[identityHeader];
  return typeof header === 'string' ? await identities.verify(header, requestIdFrom(headers['x-request-id'])) : null;
}

/** Why a request's gateway identity was refused: forged (another key), expired, or malformed, the subgraph does not say which. */
export const invalidIdentityMessage = 'the gateway identity on this request is invalid or expired';

/**
 * The access of one HTTP request: a verified gateway identity, or 401. The identity's request id
 * is the request's `x-request-id` (the gateway sends its own; serveGraphQL gives one to a request
 * without).
 */
export async function accessFromRequest(headers: Record<string, string | string[] | undefined>, body: unknown, identities: IdentityVerifier): Promise<RequestAccess> {
  const identity = await gatewayIdentity(headers, identities);
  if (identity) return accessOf(identity);
  if (isServiceSdlQuery(body)) return accessOf(serviceIdentity);
  throw new GraphQLError(headers[identityHeader] ? invalidIdentityMessage : 'subgraphs answer only requests signed by the gateway', {
    extensions: { code: ErrorCode.UNAUTHENTICATED, http: { status: 401 } },
  });
}
