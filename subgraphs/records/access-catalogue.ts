import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import { findDepartment } from '../../lib/catalogue/departments';
import { matters, type Matter } from '../../lib/catalogue/matters';
import type { Caller } from '../../lib/access/identity';
import { departmentsNaming, mattersOpenTo, type OpenMatter } from '../../lib/access/matter-access';
import { decideGrants, purposeGrants } from '../../lib/access/policy';
import { clientError, ErrorCode } from '../../lib/errors';
import { personIdentifier, type SubgraphContext } from '../shared/access';

/**
 * The access catalogue front ends build on (`Query.matters`, `Query.viewer`): served here, beside
 * the other catalogues (`departments`, `creditRecordCategories`), whose `Department`s it names.
 * Nothing in it is about a subject, so nothing is disclosed and no statement is sent.
 */
export const accessCatalogueResolvers: GraphQLResolverMap<SubgraphContext> = {
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
    // SELF_INQUIRY it accepts (the request is then scoped to it): a token naming another subject,
    // or none there is, leads nowhere.
    subject: (caller: Caller, _: unknown, ctx: SubgraphContext) => {
      const own = ctx.access.identity.scope.subjectId;
      return own && own === caller.subjectId ? { __typename: 'Subject', id: own } : null;
    },
    standingFieldGroups: (caller: Caller) => decideGrants(caller, null).groups,
    matters: (caller: Caller) => mattersOpenTo(caller),
  },
  ViewerMatter: {
    fieldGroups: (open: OpenMatter) => open.groups,
  },
};
