import { randomBytes } from 'node:crypto';
import { fieldGroupNames } from '../../lib/access/field-groups';
import { identityHeader, signIdentity, type RequestIdentity } from '../../lib/access/identity';

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

export async function signedBy(identity: RequestIdentity = fullAccess): Promise<Record<string, string>> {
  return { [identityHeader]: await signIdentity(identity, testSigningKey) };
}
