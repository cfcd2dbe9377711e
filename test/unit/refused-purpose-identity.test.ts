import { randomBytes } from 'node:crypto';
import { GraphQLError } from 'graphql';
import { IdentitySigner, IdentityVerifier, type RequestIdentity } from '../../lib/access/identity';
import type { PurposeRefusal } from '../../lib/access/policy';
import { accessOf, assertCaseFileReadable, underCheckPurpose, underSupervision } from '../../subgraphs/shared/access';

const key = new Uint8Array(randomBytes(32));
const check = { subjectId: 'subject-1', matter: 'GOVERNMENT_PROCUREMENT', caseNumber: 'WL-2026-020' };
const officer: RequestIdentity = {
  caller: { id: 'officer-zhang', organisation: 'FINANCE', organisationKind: 'DEPARTMENT', role: 'DEPARTMENT_OFFICER' },
  purpose: { matter: check.matter, caseNumber: check.caseNumber },
  grants: ['CREDIT_CHECK_LEDGER'],
  scope: {},
  requestId: 'r',
};
/** As the gateway refused it: the subgraph's catalogue may say otherwise (another release's). */
const refusal: PurposeRefusal = { problem: 'DEPARTMENT_NOT_RESPONSIBLE', part: 'matter', message: 'FINANCE is not a department responsible for GOVERNMENT_PROCUREMENT (政府集中采购)' };

function refusedWith(identity: RequestIdentity): GraphQLError | undefined {
  try {
    assertCaseFileReadable(accessOf(identity), check, ['CREDIT_CHECK_LEDGER']);
    return undefined;
  } catch (error) {
    return error as GraphQLError;
  }
}

describe('a purpose the gateway refused, as the subgraphs receive it', () => {
  it('travels signed with the identity, which is signed apart from the same purpose accepted', async () => {
    const signer = new IdentitySigner(key);
    const refused = { ...officer, purposeRefused: refusal };
    const token = await signer.sign(refused);
    expect(await signer.sign(officer)).not.toBe(token);
    expect(await new IdentityVerifier(key).verify(token, 'r')).toEqual(refused);
  });

  it('opens no case file, though it names the check’s own matter and case, and is told as the gateway refused it', () => {
    expect(underCheckPurpose(officer, check)).toBe(true);
    expect(refusedWith(officer)).toBeUndefined();
    const refused = { ...officer, purposeRefused: refusal };
    expect(underCheckPurpose(refused, check)).toBe(false);
    const error = refusedWith(refused);
    expect(error?.extensions).toMatchObject({ code: 'FORBIDDEN', problem: 'DEPARTMENT_NOT_RESPONSIBLE', header: 'x-credit-matter' });
    expect(error?.message).toMatch(/the request's purpose was refused: FINANCE is not a department responsible/);
  });

  it('opens none signed by a gateway that did not say it refused it, where the catalogue refuses it', () => {
    const taxation = { ...officer, caller: { ...officer.caller!, organisation: 'TAXATION' } };
    expect(underCheckPurpose(taxation, check)).toBe(false);
    expect(refusedWith(taxation)?.extensions).toMatchObject({ problem: 'DEPARTMENT_NOT_RESPONSIBLE', header: 'x-credit-matter' });
    const supervision: RequestIdentity = { ...officer, caller: { ...officer.caller!, organisation: 'CREDIT_OFFICE', role: 'CREDIT_OFFICE_SUPERVISOR' }, purpose: { matter: 'CREDIT_SUPERVISION' } };
    expect(underSupervision(supervision)).toBe(true);
    expect(underSupervision({ ...supervision, purposeRefused: { problem: 'UNKNOWN_MATTER', part: 'matter', message: '"CREDIT_SUPERVISION" is not a matter or purpose in the catalogue' } })).toBe(false);
  });
});
