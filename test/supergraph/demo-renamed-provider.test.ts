import { todayInDistrict } from '../../lib/calendar';
import { nameAsRead } from '../../lib/text';
import { demoProviderNameOn, demoWorld } from '../../scripts/demo/world';
import { defaultDemoSize } from '../../scripts/seed';
import { testDatabases } from '../helpers/databases';
import { usePlatform, type As } from '../helpers/platform';

/**
 * The demo world's renamed provider (变更备案): world.providers[1], filed as 北戴河信用服务有限公司
 * until its change of name took effect on 2026-09-01. Registry admins and analysts exploring the
 * demo find the former name in its `nameHistory`, the change among its filing steps, and reports
 * issued under either name, each judged by the name it bore on the issue date. The world `npm
 * start` seeds: smaller ones give this provider no reports.
 */
const world = demoWorld({ subjects: defaultDemoSize });
const renamed = world.providers[1];
const formerName = '北戴河信用服务有限公司';
const renamedOn = '2026-09-01';

const registryAdmin: As = { caller: { id: 'registrar-rn', organisation: 'CREDIT_OFFICE', organisationKind: 'DEPARTMENT', role: 'REGISTRY_ADMIN' } };
/** A finance bureau officer registering reports for a procurement case. */
const procurementOfficer: As = {
  caller: { id: 'officer-rn', organisation: 'FINANCE', organisationKind: 'DEPARTMENT', role: 'DEPARTMENT_OFFICER' },
  headers: { 'x-credit-matter': 'GOVERNMENT_PROCUREMENT', 'x-credit-case': 'BDH-CG-2026-0301' },
};

interface IssuedReport {
  id: string;
  issuerName: string;
  issuedOn: string;
  validUntil: string;
  acceptance: { accepted: boolean; reasons: string[] };
}

interface RenamedProvider {
  name: string;
  filedOn: string;
  nameHistory: { name: string; from: string | null; until: string | null }[];
  filingHistory: { action: string; fromStatus: string | null; toStatus: string; actor: string | null; actorOrganisation: string; effectiveOn: string; filingChange: { status: string; changes: { particular: string; before: string | null; after: string | null }[] } | null }[];
  issuedReports: { edges: { node: IssuedReport }[] };
}

describe('the demo world’s renamed provider', () => {
  it('is a FILED provider of class A or B, renamed after its filing, under a name no provider bears or bore', () => {
    expect(renamed).toMatchObject({ filingStatus: 'FILED', supervisionClass: expect.stringMatching(/^[AB]$/), formerNames: [{ name: formerName, until: renamedOn }] });
    expect(renamed.filedOn! < renamedOn).toBe(true);
    const others = world.providers.flatMap((p) => [p.name, ...p.formerNames.filter((f) => p !== renamed || f.name !== formerName).map((f) => f.name)]);
    expect(others.map(nameAsRead)).not.toContain(nameAsRead(formerName));
    expect([demoProviderNameOn(renamed, '2026-08-31'), demoProviderNameOn(renamed, renamedOn)]).toEqual([formerName, renamed.name]);
  });
});

describe.each(testDatabases)('the demo world’s renamed provider through the gateway on $label', (database) => {
  const platform = usePlatform(database, 'renamed', { seedSubjects: world.subjects.length });
  const subject = world.subjects.find((s) => s.kind === 'ENTERPRISE')!;
  let sequence = 0;

  async function provider(): Promise<RenamedProvider> {
    const result = await platform.query<{ creditServiceProvider: RenamedProvider }>(
      /* GraphQL */ `query ($id: ID!) { creditServiceProvider(id: $id) {
        name filedOn nameHistory { name from until }
        filingHistory { action fromStatus toStatus actor actorOrganisation effectiveOn filingChange { status changes { particular before after } } }
        issuedReports(first: 100) { edges { node { id issuerName issuedOn validUntil acceptance { accepted reasons } } } }
      } }`,
      { id: renamed.id },
      registryAdmin,
    );
    expect(result.errors).toBeUndefined();
    return result.data!.creditServiceProvider;
  }

  function registration(issuedOn: string, issuerName: string) {
    sequence += 1;
    return {
      subjectId: subject.id, source: 'THIRD_PARTY_PROVIDER', issuerProviderId: renamed.id, issuerName,
      reportNumber: `RN-2026-${String(sequence).padStart(5, '0')}`, issuedOn, validUntil: '2027-08-31', verificationCode: 'RN7Q2M9T', documentSha256: 'ab'.repeat(32),
    };
  }

  const register = /* GraphQL */ `mutation ($input: RegisterCreditReportInput!) { registerCreditReport(input: $input) { issuerName issuer { id } acceptance { accepted reasons } } }`;

  it('shows the former name in its nameHistory, from its filing until the day the change took effect', async () => {
    const { name, filedOn, nameHistory } = await provider();
    expect(name).toBe(renamed.name);
    expect(nameHistory).toEqual([
      { name: formerName, from: filedOn, until: renamedOn },
      { name: renamed.name, from: renamedOn, until: null },
    ]);
  });

  it('shows the change among its filing steps, applied by the provider and approved by the registry, its status as it was', async () => {
    const steps = (await provider()).filingHistory;
    const change = { status: 'APPROVED', changes: [{ particular: 'NAME', before: formerName, after: renamed.name }] };
    expect(steps.map((s) => s.action)).toEqual(['APPLY', 'FILE', 'APPLY_CHANGE', 'APPROVE_CHANGE']);
    expect(steps.slice(2)).toEqual([
      { action: 'APPLY_CHANGE', fromStatus: 'FILED', toStatus: 'FILED', actor: 'provider-applicant', actorOrganisation: renamed.unifiedSocialCreditCode, effectiveOn: expect.any(String), filingChange: change },
      { action: 'APPROVE_CHANGE', fromStatus: 'FILED', toStatus: 'FILED', actor: 'registrar-zhao', actorOrganisation: 'CREDIT_OFFICE', effectiveOn: renamedOn, filingChange: change },
    ]);
    expect(steps[2].effectiveOn < renamedOn && steps[2].effectiveOn > renamed.filedOn!).toBe(true);
  });

  it('finds it by its former name', async () => {
    const result = await platform.query<{ creditServiceProviders: { edges: { node: { id: string } }[] } }>('query { creditServiceProviders(name: "北戴河信用服务") { edges { node { id } } } }');
    expect(result.errors).toBeUndefined();
    expect(result.data!.creditServiceProviders.edges.map((e) => e.node.id)).toEqual([renamed.id]);
  });

  it('has reports issued under each name, each under the name it bore that day, and accepts those still valid', async () => {
    const reports = (await provider()).issuedReports.edges.map((e) => e.node);
    const before = reports.filter((r) => r.issuedOn < renamedOn);
    const after = reports.filter((r) => r.issuedOn >= renamedOn);
    expect(before.length).toBeGreaterThan(0);
    expect(after.length).toBeGreaterThan(0);
    for (const r of before) expect(r.issuerName).toBe(formerName);
    for (const r of after) expect(r.issuerName).toBe(renamed.name);
    const today = todayInDistrict();
    const valid = reports.filter((r) => r.validUntil >= today);
    expect(valid.some((r) => r.issuerName === formerName)).toBe(true);
    for (const r of valid) expect(r.acceptance).toEqual({ accepted: true, reasons: [] });
  });

  it('registers a report issued before the change under the former name, and accepts it', async () => {
    const result = await platform.query<{ registerCreditReport: { issuerName: string; issuer: { id: string }; acceptance: IssuedReport['acceptance'] } }>(register, { input: registration('2026-08-20', formerName) }, procurementOfficer);
    expect(result.errors).toBeUndefined();
    expect(result.data!.registerCreditReport).toEqual({ issuerName: formerName, issuer: { id: renamed.id }, acceptance: { accepted: true, reasons: [] } });
  });

  it('refuses a report registered now under the former name for an issue date after the change', async () => {
    const result = await platform.query<{ registerCreditReport: unknown }>(register, { input: registration('2026-09-10', formerName) }, procurementOfficer);
    expect(result.data?.registerCreditReport).toBeNull();
    expect(result.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'issuerName' });
    expect(result.errors?.[0].message).toContain(`filed under on the issue date 2026-09-10, "${renamed.name}"`);
  });
});
