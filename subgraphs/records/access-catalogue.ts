import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import { findDepartment } from '../../lib/catalogue/departments';
import { matters, selfInquiry, type Matter } from '../../lib/catalogue/matters';
import type { Caller, RequestIdentity } from '../../lib/access/identity';
import { departmentsNaming, mattersOpenTo, type OpenMatter } from '../../lib/access/matter-access';
import { decideGrants, purposeGrants, refusalDetails, type PurposeRefusal } from '../../lib/access/policy';
import { clientError, ErrorCode } from '../../lib/errors';
import { isOwnSubject, tokenSubjectNotOwn } from '../../lib/subject-register';
import { forbiddenAbout, personIdentifier, refusalOf, type SubgraphContext } from '../shared/access';
import { withEntitiesOrUnavailable, type SubjectDirectory } from '../shared/subject-directory';

/** The records subgraph's context, as far as the catalogue needs it: the entities subgraph's subject directory. */
type Context = SubgraphContext & { subjects: SubjectDirectory };

/**
 * Why this request's SELF_INQUIRY was refused, or undefined when it was accepted: the refusal the
 * gateway signed, or, in an identity an earlier gateway signed without one, the policy's own
 * decided again (`refusalOf`); and a self-inquiry the policy lets through is scoped by the gateway
 * to the token's subject once it found that subject the caller's own
 * (gateway/request-access.ts, applyOwnSubject): a scope without it is that check's refusal.
 */
function selfInquiryRefusal(identity: RequestIdentity, caller: Caller): PurposeRefusal | undefined {
  const refused = refusalOf(identity);
  if (refused) return refused;
  if (caller.subjectId && identity.scope.subjectId === caller.subjectId) return undefined;
  return tokenSubjectNotOwn(caller);
}

/**
 * Whether the token's `subject_id` names the caller's own subject (lib/subject-register.ts
 * `isOwnSubject`), as the gateway checks before it accepts a SELF_INQUIRY: a request that named one
 * already tells (its scope); any other asks the subject register which subject the org names.
 */
async function ownSubjectVerified(ctx: Context, caller: Caller & { subjectId: string }): Promise<boolean> {
  const { identity } = ctx.access;
  if (identity.purpose?.matter === selfInquiry) return identity.scope.subjectId === caller.subjectId;
  return await withEntitiesOrUnavailable(
    () => isOwnSubject(caller, (codes) => ctx.subjects.lookUp([], codes, identity.requestId)),
    "whether the token's subject_id names the caller's own subject (so whether it may name SELF_INQUIRY) could not be checked with the entities subgraph; retry later",
  );
}

/**
 * The access catalogue front ends build on (`Query.matters`, `Query.viewer`): served here, beside
 * the other catalogues (`departments`, `creditRecordCategories`), whose `Department`s it names.
 * Nothing in it is about a subject, so nothing is disclosed and no statement is sent here; only
 * whether a subject's token names its own subject, for its SELF_INQUIRY, is asked of the entities
 * subgraph (a lookup, not a disclosure), as the gateway asks it.
 */
export const accessCatalogueResolvers: GraphQLResolverMap<Context> = {
  Query: {
    matters: () => matters,
    viewer: (_: unknown, __: unknown, ctx: SubgraphContext): Caller => {
      const { caller } = ctx.access.identity;
      // As the gateway answers a field it cut for want of a token.
      if (!caller) throw clientError(ErrorCode.UNAUTHENTICATED, 'viewer is the caller its bearer token names: present one', { problem: 'AUTHENTICATION_REQUIRED' });
      return caller;
    },
  },
  Matter: {
    policySection: (matter: Matter) => matter.source,
    creditUse: (matter: Matter) => matter.creditUse ?? null,
    organisationKinds: (matter: Matter) => matter.users.organisationKinds,
    roles: (matter: Matter) => matter.users.roles,
    departments: (matter: Matter) => departmentsNaming(matter),
    fieldGroups: (matter: Matter) => purposeGrants[matter.code] ?? [],
  },
  Viewer: {
    userId: (caller: Caller) => caller.id,
    organisation: (caller: Caller, _: unknown, ctx: SubgraphContext) => personIdentifier(ctx.access, null, caller.organisation),
    department: (caller: Caller) => (caller.organisationKind === 'DEPARTMENT' ? (findDepartment(caller.organisation) ?? null) : null),
    // The token's subject only once the gateway found it the caller's own, which it does for a
    // SELF_INQUIRY it accepts (the request is then scoped to it). A SELF_INQUIRY it refused (a
    // token naming another subject, or none there is; a caller it is not open to) is answered
    // here with its refusal, as the gateway answers the fields it cut under it: nothing beneath
    // is resolved, so the refusal would otherwise go unsaid. Audited as the attempt it is,
    // against the subject the token names.
    subject: (caller: Caller, _: unknown, ctx: Context) => {
      const { identity } = ctx.access;
      if (identity.purpose?.matter !== selfInquiry) return null;
      const refused = selfInquiryRefusal(identity, caller);
      if (refused) {
        throw forbiddenAbout(caller.subjectId, refused.problem, `viewer.subject is the token's own subject, read under SELF_INQUIRY; the request's purpose was refused: ${refused.message}`, refusalDetails(refused));
      }
      return { __typename: 'Subject', id: identity.scope.subjectId };
    },
    standingFieldGroups: (caller: Caller) => decideGrants(caller, null).groups,
    // What the gateway then accepts: SELF_INQUIRY only to a caller whose token's subject is its own.
    matters: async (caller: Caller, _: unknown, ctx: Context) => {
      const open = mattersOpenTo(caller);
      if (!caller.subjectId || !open.some((o) => o.matter.code === selfInquiry)) return open;
      if (await ownSubjectVerified(ctx, { ...caller, subjectId: caller.subjectId })) return open;
      return open.filter((o) => o.matter.code !== selfInquiry);
    },
  },
  ViewerMatter: {
    fieldGroups: (open: OpenMatter) => open.groups,
  },
};
