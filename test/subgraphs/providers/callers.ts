import type { Caller, Purpose, RequestIdentity } from '../../../lib/access/identity';
import { decideGrants } from '../../../lib/access/policy';

/** The identity the gateway would sign for this caller and purpose: grants and scope from the policy catalogue. */
export function identityOf(caller: Caller | null, purpose: Purpose | null = null): RequestIdentity {
  const decision = decideGrants(caller, purpose);
  return { caller, purpose, grants: decision.groups, scope: decision.scope, requestId: `test-${caller?.id ?? 'anonymous'}` };
}

export const registryAdmin: Caller = { id: 'registrar-test', organisation: 'CREDIT_OFFICE', organisationKind: 'DEPARTMENT', role: 'REGISTRY_ADMIN' };
export const financeOfficer: Caller = { id: 'officer-test', organisation: 'FINANCE', organisationKind: 'DEPARTMENT', role: 'DEPARTMENT_OFFICER' };
export const creditOffice: Caller = { id: 'supervisor-test', organisation: 'CREDIT_OFFICE', organisationKind: 'DEPARTMENT', role: 'CREDIT_OFFICE_SUPERVISOR' };
export const analyst: Caller = { id: 'analyst-test', organisation: 'DEVELOPMENT_REFORM', organisationKind: 'DEPARTMENT', role: 'ANALYST' };

/** A user of the credit service provider with this code, acting for it. */
export function providerUser(code: string): Caller {
  return { id: `user-of-${code}`, organisation: code, organisationKind: 'CREDIT_SERVICE_PROVIDER', role: 'EXTERNAL_USER' };
}
