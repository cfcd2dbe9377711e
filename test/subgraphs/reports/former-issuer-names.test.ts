import { unifiedSocialCreditCode } from '../../../lib/identifiers';
import { demoWorld } from '../../../scripts/demo/world';
import { ProviderFilingEvent } from '../../../subgraphs/providers/entities/provider-filing-event.entity';
import { ProviderFormerName } from '../../../subgraphs/providers/entities/provider-former-name.entity';
import { testDatabases } from '../../helpers/databases';
import type { GraphQLResponse } from '../../helpers/graphql';
import { financeOfficer, identityOf, providerUser, registryAdmin } from '../providers/callers';
import { useReportsWithPeers } from './registry-peers';

/**
 * A provider's report bears the name the provider was filed under when it issued it: a change of
 * name (变更备案) since does not make a report issued under the former name another issuer's, and
 * a report issued after the change under the name replaced is not the provider's as filed.
 */
const world = demoWorld({ subjects: 20 });
const subject = world.subjects[2];
const officer = identityOf(financeOfficer, { matter: 'GOVERNMENT_PROCUREMENT', caseNumber: 'BDH-CG-2026-0117' });
const admin = identityOf(registryAdmin);

const filedOn = '2026-01-10';
/** The day the change of name took effect, at noon in the district. */
const renamedOn = '2026-06-01';

const register = /* GraphQL */ `mutation ($input: RegisterCreditReportInput!) { registerCreditReport(input: $input) { issuerName issuer { id } } }`;

describe.each(testDatabases)('reports issued under a provider’s former name on $label', (database) => {
  const { reports, providers } = useReportsWithPeers(database, 'formernames', world);
  const code = unifiedSocialCreditCode({ authority: '9', orgType: '1', division: '130304', organisationBody: 'FN000001' });
  const formerName = '旧名信用评级有限公司';
  const newName = '新名信用评级有限公司';
  let providerId = '';
  let sequence = 0;

  function ok<T>(result: GraphQLResponse<T>): T {
    expect(result.errors).toBeUndefined();
    return result.data as T;
  }

  /** A provider filed on `filedOn` under `formerName`, renamed `newName` on `renamedOn`, through the registry's own mutations, then dated back. */
  beforeAll(async () => {
    const own = identityOf(providerUser(code));
    const application = { unifiedSocialCreditCode: code, name: formerName, registeredAddress: '河北省秦皇岛市北戴河区评级路1号', legalRepresentative: '孙某', businessScope: '信用评级' };
    providerId = ok(await providers.queryAs<{ applyForProviderFiling: { id: string } }>(own, 'mutation ($input: ProviderApplicationInput!) { applyForProviderFiling(input: $input) { id } }', { input: application })).applyForProviderFiling.id;
    ok(await providers.queryAs(admin, 'mutation ($id: ID!) { decideProviderFiling(id: $id, decision: FILE, reason: "材料齐全") { id } }', { id: providerId }));
    const change = ok(
      await providers.queryAs<{ applyForProviderFilingChange: { id: string } }>(own, 'mutation ($id: ID!, $input: ProviderFilingChangeInput!) { applyForProviderFilingChange(id: $id, input: $input) { id } }', {
        id: providerId,
        input: { particulars: { name: newName }, reason: '股东会决议更名', supportingMaterial: '变更后的营业执照' },
      }),
    ).applyForProviderFilingChange;
    ok(await providers.queryAs(admin, 'mutation ($id: ID!) { decideProviderFilingChange(id: $id, decision: APPROVE, reason: "准予变更") { id } }', { id: change.id }));
    const events = providers.db().getRepository(ProviderFilingEvent);
    for (const [action, at] of [['APPLY', `${filedOn}T01:00:00.000Z`], ['FILE', `${filedOn}T02:00:00.000Z`], ['APPLY_CHANGE', `${renamedOn}T03:00:00.000Z`], ['APPROVE_CHANGE', `${renamedOn}T04:00:00.000Z`]] as const) {
      await events.update({ providerId, action }, { occurredAt: new Date(at) });
    }
    await providers.db().getRepository(ProviderFormerName).update({ providerId }, { heldUntil: new Date(`${renamedOn}T04:00:00.000Z`) });
    await providers.db().query('UPDATE credit_service_provider SET filed_on = ? WHERE id = ?', [filedOn, providerId]);
  });

  function report(issuedOn: string, issuerName?: string, source = 'THIRD_PARTY_PROVIDER') {
    sequence += 1;
    return {
      subjectId: subject.id, source, ...(source === 'THIRD_PARTY_PROVIDER' ? { issuerProviderId: providerId } : {}), ...(issuerName === undefined ? {} : { issuerName }),
      reportNumber: `PJ-2026-${String(sequence).padStart(4, '0')}`, issuedOn, validUntil: '2027-05-19', verificationCode: 'K7Q2M9TA', documentSha256: 'cd'.repeat(32),
    };
  }

  async function registered(input: Record<string, unknown>) {
    return ok(await reports.queryAs<{ registerCreditReport: { issuerName: string; issuer: { id: string } | null } }>(officer, register, { input })).registerCreditReport;
  }

  async function refused(input: Record<string, unknown>) {
    const result = await reports.queryAs<{ registerCreditReport: unknown }>(officer, register, { input });
    expect(result.data?.registerCreditReport).toBeNull();
    return result.errors![0];
  }

  it('registers a report issued before the change under the former name, as printed or left out', async () => {
    expect(await registered(report('2026-05-20', formerName))).toEqual({ issuerName: formerName, issuer: { id: providerId } });
    expect(await registered(report('2026-05-20'))).toEqual({ issuerName: formerName, issuer: { id: providerId } });
  });

  it('refuses a report issued after the change under the former name, as under any name the provider did not bear that day', async () => {
    for (const [issuedOn, name] of [['2026-06-10', formerName], ['2026-05-20', newName]] as const) {
      const error = await refused(report(issuedOn, name));
      // The names it bore that day, a list a form may offer.
      expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'issuerName', problem: 'NOT_A_CHOICE', choices: [issuedOn === '2026-06-10' ? newName : formerName] });
      expect(error.message).toContain(`filed under on the issue date ${issuedOn}`);
    }
    expect(await registered(report('2026-06-10', newName))).toEqual({ issuerName: newName, issuer: { id: providerId } });
    expect(await registered(report('2026-06-10'))).toEqual({ issuerName: newName, issuer: { id: providerId } });
  });

  it('takes either name on the day of the change, whose hour the registry does not keep, and the new one when it is left out', async () => {
    expect((await registered(report(renamedOn, formerName))).issuerName).toBe(formerName);
    expect((await registered(report(renamedOn, newName))).issuerName).toBe(newName);
    expect((await registered(report(renamedOn))).issuerName).toBe(newName);
  });

  it('registers one report of the provider once, under whichever of its names it is given', async () => {
    const first = report(renamedOn, formerName);
    await registered(first);
    for (const again of [{ ...first, issuerName: newName }, { ...first, issuerName: undefined }]) {
      const error = await refused(again);
      expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'reportNumber', problem: 'DUPLICATE_REPORT' });
      expect(error.message).toContain(`its issuer named ${formerName}`);
    }
  });

  it('refuses a report under the former name registered under another source, as the provider’s own', async () => {
    for (const name of [formerName, ` ${formerName}。`]) {
      const error = await refused(report('2026-05-20', name, 'PUBLIC_CREDIT_SERVICE_INSTITUTION'));
      expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'issuerName', problem: 'ISSUER_IS_REGISTERED_PROVIDER' });
      expect(error.message).toContain(providerId);
    }
  });
});
