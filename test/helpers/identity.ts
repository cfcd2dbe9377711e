import { randomBytes } from 'node:crypto';
import { fieldGroupNames } from '../../lib/access/field-groups';
import { identityHeader, signIdentity, type Caller, type Purpose, type RequestIdentity } from '../../lib/access/identity';
import { decideGrants } from '../../lib/access/policy';

/** Minted per test process, never written down: tests sign with it as the gateway would. */
export const testSigningKey = new Uint8Array(randomBytes(32));

/** An identity holding every field group, for tests of a subgraph's own behaviour. */
export const fullAccess: RequestIdentity = {
  caller: { id: 'test-supervisor', organisation: 'CREDIT_OFFICE', organisationKind: 'DEPARTMENT', role: 'CREDIT_OFFICE_SUPERVISOR' },
  purpose: { matter: 'CREDIT_SUPERVISION' },
  grants: [...fieldGroupNames],
  scope: {},
  requestId: 'test-request',
};

/** A request's identity as the gateway decides it from the policy for this caller and purpose: nothing granted by hand. */
export function decidedIdentity(caller: Caller, purpose: Purpose): RequestIdentity {
  const decision = decideGrants(caller, purpose);
  return { caller, purpose, grants: decision.groups, scope: decision.scope, requestId: `${caller.id}-request` };
}

export async function signedBy(identity: RequestIdentity = fullAccess): Promise<Record<string, string>> {
  return { [identityHeader]: await signIdentity(identity, testSigningKey) };
}
