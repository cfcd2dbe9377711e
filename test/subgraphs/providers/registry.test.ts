import type { RequestIdentity } from '../../../lib/access/identity';
import { todayInDistrict } from '../../../lib/calendar';
import { unifiedSocialCreditCode } from '../../../lib/identifiers';
import { demoWorld } from '../../../scripts/demo/world';
import { demoRevocationDate, demoSuspensionDate } from '../../../subgraphs/providers/demo-history';
import { ProviderFilingEvent } from '../../../subgraphs/providers/entities/provider-filing-event.entity';
import { SupervisionClassChange } from '../../../subgraphs/providers/entities/supervision-class-change.entity';
import { seedProviders } from '../../../subgraphs/providers/seed';
import { providersSubgraph } from '../../../subgraphs/providers/subgraph';
import { testDatabases } from '../../helpers/databases';
import type { GraphQLResponse } from '../../helpers/graphql';
import { useSubgraph } from '../../helpers/subgraph';
import { analyst, creditOffice, financeOfficer, identityOf, providerUser, registryAdmin } from './callers';

const world = demoWorld({ subjects: 10 });
const statuses = ['APPLIED', 'RETURNED', 'REJECTED', 'FILED', 'SUSPENDED', 'REVOKED'] as const;
type Status = (typeof statuses)[number];
const decisions = ['FILE', 'RETURN_FOR_CORRECTION', 'REJECT', 'SUSPEND', 'REINSTATE', 'REVOKE'] as const;
type Decision = (typeof decisions)[number];

/** Written out here rather than read from the scheme, so that a wrong scheme fails this test. */
const allowed: Record<Status, Partial<Record<Decision, Status>>> = {
  APPLIED: { FILE: 'FILED', RETURN_FOR_CORRECTION: 'RETURNED', REJECT: 'REJECTED' },
  RETURNED: {},
  REJECTED: {},
  FILED: { SUSPEND: 'SUSPENDED', REVOKE: 'REVOKED' },
  SUSPENDED: { REINSTATE: 'FILED', REVOKE: 'REVOKED' },
  REVOKED: {},
};
/** How a test brings a fresh provider to each status, from its application. */
const pathTo: Record<Status, Decision[]> = {
  APPLIED: [],
  RETURNED: ['RETURN_FOR_CORRECTION'],
  REJECTED: ['REJECT'],
  FILED: ['FILE'],
  SUSPENDED: ['FILE', 'SUSPEND'],
  REVOKED: ['FILE', 'REVOKE'],
};

const admin = identityOf(registryAdmin);

const applyMutation = /* GraphQL */ `
  mutation ($input: ProviderApplicationInput!) { applyForProviderFiling(input: $input) { id filingStatus unifiedSocialCreditCode name filedOn } }
`;
const resubmitMutation = /* GraphQL */ `
  mutation ($id: ID!, $input: ProviderApplicationInput!) { resubmitProviderFiling(id: $id, input: $input) { id filingStatus name } }
`;
const decideMutation = /* GraphQL */ `
  mutation ($id: ID!, $decision: FilingDecision!, $reason: String!) { decideProviderFiling(id: $id, decision: $decision, reason: $reason) { id filingStatus filedOn } }
`;
const classMutation = /* GraphQL */ `
  mutation ($id: ID!, $class: SupervisionClass!, $reason: String!) { setProviderSupervisionClass(id: $id, supervisionClass: $class, reason: $reason) { id supervisionClass } }
`;
const violationMutation = /* GraphQL */ `
  mutation ($input: ProviderViolationInput!) { recordProviderViolation(input: $input) { id kind evidence occurredOn recordedBy recordedByOrganisation provider { id } } }
`;
const sanctionMutation = /* GraphQL */ `
  mutation ($input: ProviderSanctionInput!) { sanctionProvider(input: $input) { id kind downgradedTo imposedBy violation { id } provider { id filingStatus supervisionClass } } }
`;
const historyQuery = /* GraphQL */ `
  query ($id: ID!) {
    creditServiceProvider(id: $id) {
      filingStatus supervisionClass filedOn
      filingHistory { action fromStatus toStatus reason actor actorOrganisation occurredAt effectiveOn sanction { id kind } }
      classHistory { fromClass toClass reason actor actorOrganisation effectiveOn sanction { id kind } }
    }
  }
`;

interface History {
  filingStatus: Status;
  supervisionClass: string | null;
  filedOn: string | null;
  filingHistory: { action: string; fromStatus: Status | null; toStatus: Status; reason: string; actor: string | null; actorOrganisation: string; occurredAt: string; effectiveOn: string; sanction: { id: string; kind: string } | null }[];
  classHistory: { fromClass: string | null; toClass: string; reason: string; actor: string | null; actorOrganisation: string; effectiveOn: string; sanction: { id: string; kind: string } | null }[];
}

describe.each(testDatabases)('provider registry on $label', (database) => {
  const { db, sql, query, queryAs } = useSubgraph(providersSubgraph, database, 'registry');
  let sequence = 0;

  beforeAll(async () => {
    await seedProviders(db(), world);
  });

  /** A valid code nobody holds yet. */
  function newCode(): string {
    sequence += 1;
    return unifiedSocialCreditCode({ authority: '9', orgType: '1', division: '130304', organisationBody: `RG${String(sequence).padStart(6, '0')}` });
  }

  function application(code: string, name = `测试信用服务有限公司${code.slice(10, 16)}`) {
    return { unifiedSocialCreditCode: code, name, registeredAddress: '河北省秦皇岛市北戴河区测试路1号', legalRepresentative: '测试人', businessScope: '企业征信业务；信用评估', contact: '0335-4000000' };
  }

  function ok<T>(result: GraphQLResponse<T>): T {
    expect(result.errors).toBeUndefined();
    return result.data as T;
  }

  async function apply(code: string): Promise<string> {
    const data = ok(await queryAs<{ applyForProviderFiling: { id: string } }>(identityOf(providerUser(code)), applyMutation, { input: application(code) }));
    return data.applyForProviderFiling.id;
  }

  async function decide(id: string, decision: Decision, as: RequestIdentity = admin, reason = `测试：${decision}`) {
    return await queryAs<{ decideProviderFiling: { id: string; filingStatus: Status; filedOn: string | null } | null }>(as, decideMutation, { id, decision, reason });
  }

  /** A fresh provider in this status, and its code. */
  async function providerIn(status: Status): Promise<{ id: string; code: string }> {
    const code = newCode();
    const id = await apply(code);
    for (const step of pathTo[status]) ok(await decide(id, step));
    return { id, code };
  }

  async function history(id: string): Promise<History> {
    return ok(await query<{ creditServiceProvider: History }>(historyQuery, { id })).creditServiceProvider;
  }

  async function count(table: string, where = '1 = 1', params: unknown[] = []): Promise<number> {
    const [{ n }] = (await db().query(`SELECT COUNT(*) AS n FROM ${table} WHERE ${where}`, params)) as { n: number | string }[];
    return Number(n);
  }

  describe('seeded history', () => {
    it('agrees with every provider\'s current status, class and filing date', async () => {
      for (const provider of world.providers) {
        const h = await history(provider.id);
        expect(h.filingHistory.at(-1)?.toStatus).toBe(provider.filingStatus);
        expect(h.classHistory.at(-1)?.toClass ?? null).toBe(provider.supervisionClass);
        expect(h.filingHistory.find((e) => e.action === 'FILE')?.effectiveOn ?? null).toBe(provider.filedOn);
        expect(h.filingHistory[0]).toMatchObject({ action: 'APPLY', fromStatus: null, toStatus: 'APPLIED', actorOrganisation: provider.unifiedSocialCreditCode });
        // Each step starts where the previous one ended.
        h.filingHistory.slice(1).forEach((e, i) => expect(e.fromStatus).toBe(h.filingHistory[i].toStatus));
      }
    });

    it('explains the suspension and the revocation by a sanction for a recorded violation', async () => {
      const suspended = await history(world.providers[10].id);
      expect(suspended.filingHistory.at(-1)).toMatchObject({ action: 'SUSPEND', effectiveOn: demoSuspensionDate, sanction: { kind: 'SUSPENSION' } });
      const revoked = await history(world.providers[11].id);
      expect(revoked.filingHistory.at(-1)).toMatchObject({ action: 'REVOKE', effectiveOn: demoRevocationDate, sanction: { kind: 'REVOCATION' } });
      expect(revoked.classHistory.at(-1)).toMatchObject({ toClass: 'D', sanction: { kind: 'CLASS_DOWNGRADE' } });
    });
  });

  describe('Mutation.decideProviderFiling', () => {
    const cases = statuses.flatMap((status) => decisions.map((decision) => [decision, status, allowed[status][decision] ?? null] as const));

    it.each(cases)('%s on a %s provider moves it to %s (null: refused)', async (decision, status, to) => {
      const { id } = await providerIn(status);
      const events = await count('provider_filing_event', 'provider_id = ?', [id]);
      const result = await decide(id, decision, admin, '依据核查结论');
      const after = await history(id);
      if (to) {
        expect(result.errors).toBeUndefined();
        expect(result.data?.decideProviderFiling).toMatchObject({ id, filingStatus: to });
        expect(after.filingStatus).toBe(to);
        expect(after.filingHistory).toHaveLength(events + 1);
        const step = after.filingHistory.at(-1);
        expect(step).toMatchObject({ action: decision, fromStatus: status, toStatus: to, reason: '依据核查结论', actor: 'registrar-test', actorOrganisation: 'CREDIT_OFFICE', effectiveOn: todayInDistrict(), sanction: null });
        expect(Date.now() - Date.parse(step!.occurredAt)).toBeLessThan(60_000);
      } else {
        expect(result.data?.decideProviderFiling).toBeNull();
        expect(result.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'decision', problem: 'TRANSITION_NOT_ALLOWED' });
        expect(result.errors?.[0].message).toContain(`is ${status}`);
        expect(after.filingStatus).toBe(status);
        expect(await count('provider_filing_event', 'provider_id = ?', [id])).toBe(events);
      }
    });

    it('sets filedOn when filing, and keeps it through suspension and reinstatement', async () => {
      const { id } = await providerIn('APPLIED');
      expect(ok(await decide(id, 'FILE')).decideProviderFiling).toMatchObject({ filingStatus: 'FILED', filedOn: todayInDistrict() });
      ok(await decide(id, 'SUSPEND'));
      expect(ok(await decide(id, 'REINSTATE')).decideProviderFiling).toMatchObject({ filingStatus: 'FILED', filedOn: todayInDistrict() });
    });

    it('refuses an empty reason and stores nothing', async () => {
      const { id } = await providerIn('APPLIED');
      const result = await decide(id, 'FILE', admin, '   ');
      expect(result.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'reason' });
      expect((await history(id)).filingStatus).toBe('APPLIED');
    });

    it('refuses a decision taken on a filing that changed after the event the admin reviewed, and decides on the current one', async () => {
      const { id, code } = await providerIn('APPLIED');
      const lastEvent = async (providerId: string) =>
        ok(await query<{ creditServiceProvider: { filingHistory: { id: string }[] } }>('query ($id: ID!) { creditServiceProvider(id: $id) { filingHistory { id } } }', { id: providerId })).creditServiceProvider.filingHistory.at(-1)!.id;
      const decideOn = (decision: Decision, reviewedEventId: string) => queryAs(admin, `mutation ($id: ID!, $decision: FilingDecision!, $e: ID) { decideProviderFiling(id: $id, decision: $decision, reason: "审核", reviewedEventId: $e) { filingStatus } }`, { id, decision, e: reviewedEventId });
      const applied = await lastEvent(id);
      expect((await decideOn('RETURN_FOR_CORRECTION', applied)).errors).toBeUndefined();
      const returned = await lastEvent(id);
      // The provider resubmits while the admin still looks at the returned application (not
      // within the same millisecond: a person's next step never is).
      await new Promise((resolve) => setTimeout(resolve, 5));
      ok(await queryAs(identityOf(providerUser(code)), resubmitMutation, { id, input: application(code, '补正后信用服务有限公司') }));
      const stale = await decideOn('REJECT', returned);
      expect(stale.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'reviewedEventId', problem: 'CONCURRENT_CHANGE' });
      expect(stale.errors?.[0].message).toContain('RESUBMIT');
      expect((await history(id)).filingStatus).toBe('APPLIED');
      const other = await providerIn('APPLIED');
      expect((await decideOn('REJECT', await lastEvent(other.id))).errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'reviewedEventId' });
      expect((await decideOn('FILE', await lastEvent(id))).data).toEqual({ decideProviderFiling: { filingStatus: 'FILED' } });
    });

    it('records each change after everything already in the provider’s history, so that its history lists the changes in the order they were made', async () => {
      const { id } = await providerIn('FILED');
      ok(await queryAs(admin, classMutation, { id, class: 'A', reason: '首次分类' }));
      // The clock behind the history (another replica's, say): the next change still comes after.
      const ahead = new Date(Date.now() + 3_600_000);
      for (const entity of [ProviderFilingEvent, SupervisionClassChange]) {
        const [latest] = await db().getRepository(entity).find({ where: { providerId: id }, order: { occurredAt: 'DESC' }, take: 1 });
        await db().getRepository(entity).update({ id: latest.id }, { occurredAt: ahead });
      }
      ok(await decide(id, 'SUSPEND'));
      ok(await decide(id, 'REINSTATE'));
      ok(await queryAs(admin, classMutation, { id, class: 'B', reason: '调整' }));
      const h = await history(id);
      expect(h.filingHistory.slice(-2).map((e) => e.action)).toEqual(['SUSPEND', 'REINSTATE']);
      h.filingHistory.slice(1).forEach((e, i) => expect(e.fromStatus).toBe(h.filingHistory[i].toStatus));
      expect(h.classHistory.at(-1)).toMatchObject({ fromClass: 'A', toClass: 'B' });
      expect(Date.parse(h.filingHistory.at(-2)!.occurredAt)).toBeGreaterThan(ahead.getTime());
    });

    it('answers NOT_FOUND for an unknown provider', async () => {
      const result = await decide('no-such-provider', 'FILE');
      expect(result.errors?.[0].extensions).toMatchObject({ code: 'NOT_FOUND', field: 'id' });
    });

    it.each([
      ['a department officer reading for procurement', identityOf(financeOfficer, { matter: 'GOVERNMENT_PROCUREMENT', caseNumber: 'CG-1' })],
      ['the credit office supervisor', identityOf(creditOffice, { matter: 'CREDIT_SUPERVISION' })],
      ['an analyst', identityOf(analyst)],
      ['the provider itself', identityOf(providerUser('PLACEHOLDER'))],
      ['an anonymous caller', identityOf(null)],
    ])('is refused to %s, with FORBIDDEN, and changes nothing', async (_label, identity) => {
      const { id, code } = await providerIn('APPLIED');
      const as = identity.caller?.organisation === 'PLACEHOLDER' ? identityOf(providerUser(code)) : identity;
      expect(as.grants).not.toContain('PROVIDER_ADMINISTRATION');
      for (const decision of decisions) {
        const result = await decide(id, decision, as);
        expect(result.data?.decideProviderFiling).toBeNull();
        expect(result.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', group: 'PROVIDER_ADMINISTRATION' });
      }
      const refused = [
        await queryAs(as, classMutation, { id, class: 'A', reason: 'x' }),
        await queryAs(as, violationMutation, { input: { providerId: id, kind: 'OTHER', description: 'x', evidence: ['x'], occurredOn: '2026-01-01' } }),
        await queryAs(as, sanctionMutation, { input: { violationId: 'any', kind: 'WARNING', reason: 'x' } }),
      ];
      for (const result of refused) expect(result.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', group: 'PROVIDER_ADMINISTRATION' });
      const after = await history(id);
      expect(after.filingStatus).toBe('APPLIED');
      expect(after.filingHistory).toHaveLength(1);
      expect(after.classHistory).toEqual([]);
    });
  });

  describe('the provider\'s own applications', () => {
    it('applies in its own name: a new provider is APPLIED, with the application recorded', async () => {
      const code = newCode();
      const result = await queryAs<{ applyForProviderFiling: { id: string } }>(identityOf(providerUser(code)), applyMutation, { input: application(` ${code.toLowerCase()} `) });
      expect(result.data?.applyForProviderFiling).toMatchObject({ filingStatus: 'APPLIED', unifiedSocialCreditCode: code, filedOn: null });
      const h = await history(result.data!.applyForProviderFiling.id);
      expect(h.filingHistory).toEqual([expect.objectContaining({ action: 'APPLY', fromStatus: null, toStatus: 'APPLIED', actor: `user-of-${code}`, actorOrganisation: code })]);
    });

    it('cannot apply in another organisation\'s name, and a department cannot apply at all', async () => {
      const code = newCode();
      const other = await queryAs(identityOf(providerUser(newCode())), applyMutation, { input: application(code) });
      expect(other.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN' });
      const officer = await queryAs(identityOf(financeOfficer), applyMutation, { input: application(code) });
      expect(officer.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', group: 'PROVIDER_APPLICATION' });
      expect(await count('credit_service_provider', 'unified_social_credit_code = ?', [code])).toBe(0);
    });

    it('rejects an invalid code with INVALID_CREDIT_CODE', async () => {
      const code = newCode();
      const wrong = code.slice(0, 17) + (code[17] === '0' ? '1' : '0');
      const result = await queryAs(identityOf(providerUser(wrong)), applyMutation, { input: application(wrong) });
      expect(result.errors?.[0].extensions).toMatchObject({ code: 'INVALID_CREDIT_CODE', field: 'input.unifiedSocialCreditCode' });
    });

    it.each(statuses.map((s) => [s, s === 'REJECTED'] as const))('applies afresh for a %s provider: %s', async (status, accepted) => {
      const { id, code } = await providerIn(status);
      const result = await queryAs<{ applyForProviderFiling: { id: string; filingStatus: string; name: string } | null }>(identityOf(providerUser(code)), applyMutation, { input: application(code, '重新申请信用服务有限公司') });
      const after = await history(id);
      if (accepted) {
        expect(result.data?.applyForProviderFiling).toMatchObject({ id, filingStatus: 'APPLIED', name: '重新申请信用服务有限公司' });
        expect(after.filingHistory.at(-1)).toMatchObject({ action: 'APPLY', fromStatus: 'REJECTED', toStatus: 'APPLIED' });
      } else {
        expect(result.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.unifiedSocialCreditCode', problem: 'TRANSITION_NOT_ALLOWED' });
        expect(after.filingStatus).toBe(status);
      }
    });

    it.each(statuses.map((s) => [s, s === 'RETURNED'] as const))('resubmits the application of a %s provider: %s', async (status, accepted) => {
      const { id, code } = await providerIn(status);
      const result = await queryAs<{ resubmitProviderFiling: { filingStatus: string; name: string } | null }>(identityOf(providerUser(code)), resubmitMutation, { id, input: application(code, '补正后信用服务有限公司') });
      const after = await history(id);
      if (accepted) {
        expect(result.data?.resubmitProviderFiling).toEqual({ id, filingStatus: 'APPLIED', name: '补正后信用服务有限公司' });
        expect(after.filingHistory.at(-1)).toMatchObject({ action: 'RESUBMIT', fromStatus: 'RETURNED', toStatus: 'APPLIED', actorOrganisation: code });
      } else {
        // The filing that cannot move is the one `id` names: the mutation has no other argument to blame.
        expect(result.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'id', problem: 'TRANSITION_NOT_ALLOWED' });
        expect(after.filingStatus).toBe(status);
      }
    });

    it('resubmits only its own application, and keeps its code', async () => {
      const { id, code } = await providerIn('RETURNED');
      const other = await queryAs(identityOf(providerUser(newCode())), resubmitMutation, { id, input: application(code) });
      expect(other.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN' });
      const changed = await queryAs(identityOf(providerUser(code)), resubmitMutation, { id, input: application(newCode()) });
      expect(changed.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.unifiedSocialCreditCode' });
      expect((await history(id)).filingStatus).toBe('RETURNED');
    });
  });

  describe('supervision class, violations and sanctions', () => {
    it('sets the class of a filed provider with its history, and refuses it for an application or the same class', async () => {
      const { id } = await providerIn('FILED');
      expect(ok(await queryAs(admin, classMutation, { id, class: 'A', reason: '年度评价优秀' }))).toEqual({ setProviderSupervisionClass: { id, supervisionClass: 'A' } });
      ok(await queryAs(admin, classMutation, { id, class: 'B', reason: '投诉核实' }));
      const h = await history(id);
      expect(h.classHistory).toEqual([
        expect.objectContaining({ fromClass: null, toClass: 'A', reason: '年度评价优秀', actor: 'registrar-test', actorOrganisation: 'CREDIT_OFFICE', effectiveOn: todayInDistrict(), sanction: null }),
        expect.objectContaining({ fromClass: 'A', toClass: 'B', reason: '投诉核实' }),
      ]);
      const same = await queryAs(admin, classMutation, { id, class: 'B', reason: 'again' });
      expect(same.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'supervisionClass' });
      const applicant = await providerIn('APPLIED');
      const early = await queryAs(admin, classMutation, { id: applicant.id, class: 'A', reason: 'x' });
      expect(early.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', problem: 'TRANSITION_NOT_ALLOWED' });
    });

    async function violation(providerId: string, kind = 'FALSE_INFORMATION'): Promise<string> {
      const data = ok(await queryAs<{ recordProviderViolation: { id: string } }>(admin, violationMutation, { input: { providerId, kind, description: '出具虚假信用报告', evidence: ['核查笔录〔2026〕3号', 'sha256:abc'], occurredOn: '2026-10-01' } }));
      return data.recordProviderViolation.id;
    }

    it('records a violation with its evidence and who recorded it', async () => {
      const { id } = await providerIn('FILED');
      const result = await queryAs(admin, violationMutation, { input: { providerId: id, kind: 'PRIVACY_BREACH', description: '泄露个人信息', evidence: ['证据一', '证据二'], occurredOn: '2026-10-01' } });
      expect(result.data?.recordProviderViolation).toMatchObject({ kind: 'PRIVACY_BREACH', evidence: ['证据一', '证据二'], occurredOn: '2026-10-01', recordedBy: 'registrar-test', recordedByOrganisation: 'CREDIT_OFFICE', provider: { id } });
      const empty = await queryAs(admin, violationMutation, { input: { providerId: id, kind: 'OTHER', description: 'x', evidence: [], occurredOn: '2026-10-01' } });
      expect(empty.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.evidence' });
    });

    it('carries out each sanction: a warning changes nothing, a downgrade, a suspension and a revocation change the provider', async () => {
      const { id } = await providerIn('FILED');
      ok(await queryAs(admin, classMutation, { id, class: 'A', reason: '首次分类' }));
      const violationId = await violation(id);
      const warning = ok(await queryAs<{ sanctionProvider: unknown }>(admin, sanctionMutation, { input: { violationId, kind: 'WARNING', reason: '警示约谈' } }));
      expect(warning.sanctionProvider).toMatchObject({ kind: 'WARNING', downgradedTo: null, imposedBy: 'registrar-test', violation: { id: violationId }, provider: { id, filingStatus: 'FILED', supervisionClass: 'A' } });
      const downgrade = ok(await queryAs<{ sanctionProvider: { id: string } }>(admin, sanctionMutation, { input: { violationId, kind: 'CLASS_DOWNGRADE', reason: '降为C类', downgradeTo: 'C' } }));
      expect(downgrade.sanctionProvider).toMatchObject({ kind: 'CLASS_DOWNGRADE', downgradedTo: 'C', provider: { supervisionClass: 'C' } });
      const suspension = ok(await queryAs<{ sanctionProvider: { id: string } }>(admin, sanctionMutation, { input: { violationId, kind: 'SUSPENSION', reason: '暂停备案' } }));
      expect(suspension.sanctionProvider).toMatchObject({ provider: { filingStatus: 'SUSPENDED' } });
      const revocation = ok(await queryAs<{ sanctionProvider: { id: string } }>(admin, sanctionMutation, { input: { violationId, kind: 'REVOCATION', reason: '撤销备案' } }));
      expect(revocation.sanctionProvider).toMatchObject({ provider: { filingStatus: 'REVOKED' } });
      const h = await history(id);
      expect(h.classHistory.at(-1)).toMatchObject({ fromClass: 'A', toClass: 'C', sanction: { id: downgrade.sanctionProvider.id, kind: 'CLASS_DOWNGRADE' } });
      expect(h.filingHistory.slice(-2)).toEqual([
        expect.objectContaining({ action: 'SUSPEND', sanction: { id: suspension.sanctionProvider.id, kind: 'SUSPENSION' } }),
        expect.objectContaining({ action: 'REVOKE', fromStatus: 'SUSPENDED', sanction: { id: revocation.sanctionProvider.id, kind: 'REVOCATION' } }),
      ]);
      const listed = ok(await query<{ creditServiceProvider: { violations: { id: string; sanctions: { kind: string }[] }[]; sanctions: { kind: string }[] } }>(
        'query ($id: ID!) { creditServiceProvider(id: $id) { violations { id sanctions { kind } } sanctions { kind } } }',
        { id },
      ));
      expect(listed.creditServiceProvider.violations).toEqual([{ id: violationId, sanctions: [{ kind: 'REVOCATION' }, { kind: 'SUSPENSION' }, { kind: 'CLASS_DOWNGRADE' }, { kind: 'WARNING' }] }]);
    });

    it('records the same violation sent again, or ten times at once, once; another description is another violation', async () => {
      const { id } = await providerIn('FILED');
      const ids = await Promise.all(Array.from({ length: 11 }, () => violation(id)));
      expect(new Set(ids).size).toBe(1);
      expect(await count('provider_violation', 'provider_id = ?', [id])).toBe(1);
      const other = ok(await queryAs<{ recordProviderViolation: { id: string } }>(admin, violationMutation, { input: { providerId: id, kind: 'FALSE_INFORMATION', description: '再次出具虚假信用报告', evidence: ['核查笔录〔2026〕3号', 'sha256:abc'], occurredOn: '2026-10-01' } }));
      expect(other.recordProviderViolation.id).not.toBe(ids[0]);
      // Evidence is compared exactly: a document reference or hash in other letters is another document.
      const otherEvidence = ok(await queryAs<{ recordProviderViolation: { id: string } }>(admin, violationMutation, { input: { providerId: id, kind: 'FALSE_INFORMATION', description: '出具虚假信用报告', evidence: ['核查笔录〔2026〕3号', 'SHA256:ABC'], occurredOn: '2026-10-01' } }));
      expect(otherEvidence.recordProviderViolation.id).not.toBe(ids[0]);
    });

    it('answers the same sanction sent again with the one imposed, its effect carried out once, and refuses another of its kind for the violation', async () => {
      const { id } = await providerIn('FILED');
      ok(await queryAs(admin, classMutation, { id, class: 'A', reason: '首次分类' }));
      const violationId = await violation(id);
      const sanction = (input: Record<string, unknown>) => queryAs<{ sanctionProvider: { id: string } }>(admin, sanctionMutation, { input: { violationId, ...input } });
      const warnings = await Promise.all(Array.from({ length: 10 }, () => sanction({ kind: 'WARNING', reason: '警示约谈' })));
      expect(new Set(warnings.map((w) => ok(w).sanctionProvider.id)).size).toBe(1);
      const downgrades = await Promise.all(Array.from({ length: 5 }, () => sanction({ kind: 'CLASS_DOWNGRADE', reason: '降为B类', downgradeTo: 'B' })));
      expect(new Set(downgrades.map((d) => ok(d).sanctionProvider.id)).size).toBe(1);
      expect(await count('provider_sanction', 'provider_id = ?', [id])).toBe(2);
      expect((await history(id)).classHistory.filter((c) => c.sanction)).toHaveLength(1);

      const another = await sanction({ kind: 'CLASS_DOWNGRADE', reason: '降为C类', downgradeTo: 'C' });
      expect(another.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.violationId', problem: 'ALREADY_SANCTIONED', sanctionId: ok(downgrades[0]).sanctionProvider.id });
      expect(await count('provider_sanction', 'provider_id = ?', [id])).toBe(2);
      expect((await history(id)).supervisionClass).toBe('B');
    });

    it('stores nothing when a sanction\'s effect is not allowed', async () => {
      const { id } = await providerIn('REVOKED');
      const violationId = await violation(id);
      const sanctions = await count('provider_sanction', 'provider_id = ?', [id]);
      const again = await queryAs(admin, sanctionMutation, { input: { violationId, kind: 'REVOCATION', reason: '再次撤销' } });
      expect(again.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', problem: 'TRANSITION_NOT_ALLOWED' });
      const filed = await providerIn('FILED');
      ok(await queryAs(admin, classMutation, { id: filed.id, class: 'C', reason: '分类' }));
      const better = await queryAs(admin, sanctionMutation, { input: { violationId: await violation(filed.id), kind: 'CLASS_DOWNGRADE', reason: '升级?', downgradeTo: 'B' } });
      expect(better.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.downgradeTo' });
      expect(await count('provider_sanction', 'provider_id = ?', [id])).toBe(sanctions);
      expect(await count('provider_sanction', 'provider_id = ?', [filed.id])).toBe(0);
      expect((await history(filed.id)).supervisionClass).toBe('C');
    });

    it('refuses the class a provider already has as a transition not allowed, recording nothing', async () => {
      const { id } = await providerIn('FILED');
      ok(await queryAs(admin, classMutation, { id, class: 'B', reason: '首次分类' }));
      const same = await queryAs(admin, classMutation, { id, class: 'B', reason: '再次分类' });
      expect(same.data?.setProviderSupervisionClass).toBeNull();
      expect(same.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'supervisionClass', problem: 'TRANSITION_NOT_ALLOWED' });
      expect((await history(id)).classHistory).toHaveLength(1);
    });

    it('downgrades a provider not yet classified, which counts as class B, only to C or D', async () => {
      const { id } = await providerIn('FILED');
      const violationId = await violation(id);
      for (const downgradeTo of ['A', 'B']) {
        const raised = await queryAs(admin, sanctionMutation, { input: { violationId, kind: 'CLASS_DOWNGRADE', reason: `降为${downgradeTo}类`, downgradeTo } });
        expect(raised.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.downgradeTo' });
      }
      expect(await count('provider_sanction', 'provider_id = ?', [id])).toBe(0);
      expect(await history(id)).toMatchObject({ supervisionClass: null, classHistory: [] });
      const lowered = ok(await queryAs<{ sanctionProvider: unknown }>(admin, sanctionMutation, { input: { violationId, kind: 'CLASS_DOWNGRADE', reason: '降为C类', downgradeTo: 'C' } }));
      expect(lowered.sanctionProvider).toMatchObject({ downgradedTo: 'C', provider: { supervisionClass: 'C' } });
    });
  });

  describe('standing by date', () => {
    const standing = /* GraphQL */ `
      query ($id: ID!, $date: Date!) { creditServiceProvider(id: $id) { standingOn(date: $date) { date filingStatus supervisionClass mayCollectPublicCreditData reportsAccepted } inGoodStanding mayCollectPublicCreditData } }
    `;
    const on = async (index: number, date: string) => ok(await query<{ creditServiceProvider: { standingOn: unknown } }>(standing, { id: world.providers[index].id, date })).creditServiceProvider.standingOn;

    it('reads status and class as they were at the end of that day', async () => {
      const suspended = world.providers[10];
      expect(await on(10, '2026-04-08')).toEqual({ date: '2026-04-08', filingStatus: 'FILED', supervisionClass: 'B', mayCollectPublicCreditData: true, reportsAccepted: true });
      expect(await on(10, demoSuspensionDate)).toEqual({ date: demoSuspensionDate, filingStatus: 'SUSPENDED', supervisionClass: 'C', mayCollectPublicCreditData: false, reportsAccepted: false });
      const dayBefore = new Date(Date.parse(`${suspended.filedOn}T00:00:00Z`) - 86_400_000 * 60).toISOString().slice(0, 10);
      expect(await on(10, dayBefore)).toMatchObject({ filingStatus: null, reportsAccepted: false });
      expect(await on(11, '2026-05-20')).toMatchObject({ filingStatus: 'FILED', supervisionClass: 'B', reportsAccepted: true });
      expect(await on(11, demoRevocationDate)).toMatchObject({ filingStatus: 'REVOKED', supervisionClass: 'D', reportsAccepted: false });
    });

    it("stops accepting a provider's reports from the day of a false information found since, though its status and class then stay as they were", async () => {
      const { id } = await providerIn('FILED');
      const at = async (date: string) => ok(await query<{ creditServiceProvider: { standingOn: { filingStatus: string; reportsAccepted: boolean; mayCollectPublicCreditData: boolean } } }>(standing, { id, date })).creditServiceProvider.standingOn;
      const today = todayInDistrict();
      const before = await at(today);
      expect(before).toMatchObject({ filingStatus: 'FILED', reportsAccepted: true });
      // Another kind of violation does not reach back.
      ok(await queryAs(admin, violationMutation, { input: { providerId: id, kind: 'OTHER', description: '未按期报送', evidence: ['通知书'], occurredOn: today } }));
      expect((await at(today)).reportsAccepted).toBe(true);
      ok(await queryAs(admin, violationMutation, { input: { providerId: id, kind: 'FALSE_INFORMATION', description: '报告引用的处罚信息系编造', evidence: ['核查笔录'], occurredOn: today } }));
      // Only a provider in good standing collects public credit data or issues accepted reports (domain.md).
      expect(await at(today)).toEqual({ ...before, reportsAccepted: false, mayCollectPublicCreditData: false });
      // The public registry says the same: a report it issued today would be refused, and it collects nothing.
      const now = ok(await query<{ creditServiceProvider: { inGoodStanding: boolean; mayCollectPublicCreditData: boolean } }>(standing, { id, date: today })).creditServiceProvider;
      expect(now).toMatchObject({ inGoodStanding: false, mayCollectPublicCreditData: false });
    });

    it('judges reports from the day the false information was given, and collection from the day the registry recorded it', async () => {
      const provider = world.providers[8];
      const [violation] = (await db().query(`SELECT occurred_on, recorded_at FROM provider_violation WHERE provider_id = ? AND kind = 'FALSE_INFORMATION'`, [provider.id])) as { occurred_on: string | Date; recorded_at: string | Date }[];
      const given = typeof violation.occurred_on === 'string' ? violation.occurred_on.slice(0, 10) : violation.occurred_on.toISOString().slice(0, 10);
      const found = todayInDistrict(new Date(violation.recorded_at));
      expect(given < found).toBe(true);
      const onGiven = ok(await query<{ creditServiceProvider: { standingOn: { reportsAccepted: boolean; mayCollectPublicCreditData: boolean } } }>(standing, { id: provider.id, date: given })).creditServiceProvider.standingOn;
      // Its reports of that day are worthless; its collecting that day was allowed: nobody knew yet.
      expect(onGiven).toMatchObject({ reportsAccepted: false, mayCollectPublicCreditData: true });
      const onFound = ok(await query<{ creditServiceProvider: { standingOn: { mayCollectPublicCreditData: boolean } } }>(standing, { id: provider.id, date: found })).creditServiceProvider.standingOn;
      expect(onFound.mayCollectPublicCreditData).toBe(false);
    });

    it('follows the class: a provider in class D may neither collect data nor issue accepted reports', async () => {
      const result = ok(await query<{ creditServiceProvider: { inGoodStanding: boolean; mayCollectPublicCreditData: boolean } }>(standing, { id: world.providers[8].id, date: '2026-11-24' }));
      expect(result.creditServiceProvider).toMatchObject({ inGoodStanding: false, mayCollectPublicCreditData: false, standingOn: { filingStatus: 'FILED', supervisionClass: 'D', reportsAccepted: false } });
    });
  });

  describe('the public registry', () => {
    const anonymous = identityOf(null);

    it('lists filed, suspended and revoked providers with status and class to anyone, and no applications', async () => {
      const result = await queryAs<{ creditServiceProviders: { totalCount: number; edges: { node: { id: string; filingStatus: string; supervisionClass: string | null } }[] } }>(
        anonymous,
        'query { creditServiceProviders(first: 100) { totalCount edges { node { id filingStatus supervisionClass } } } }',
      );
      expect(result.errors).toBeUndefined();
      const statusesShown = new Set(result.data!.creditServiceProviders.edges.map((e) => e.node.filingStatus));
      expect([...statusesShown].every((s) => ['FILED', 'SUSPENDED', 'REVOKED'].includes(s))).toBe(true);
      expect(result.data!.creditServiceProviders.edges.map((e) => e.node.id)).toEqual(expect.arrayContaining([world.providers[0].id, world.providers[10].id, world.providers[11].id]));
      expect(result.data!.creditServiceProviders.edges.map((e) => e.node.id)).not.toContain(world.providers[9].id);
    });

    it('shows an application only to registry admins and the applicant', async () => {
      const applicant = world.providers[9];
      const read = (as: RequestIdentity) => queryAs<{ creditServiceProvider: { id: string } | null }>(as, 'query ($id: ID!) { creditServiceProvider(id: $id) { id } }', { id: applicant.id });
      expect((await read(anonymous)).data).toEqual({ creditServiceProvider: null });
      expect((await read(identityOf(financeOfficer))).data).toEqual({ creditServiceProvider: null });
      expect((await read(admin)).data).toEqual({ creditServiceProvider: { id: applicant.id } });
      expect((await read(identityOf(providerUser(applicant.unifiedSocialCreditCode)))).data).toEqual({ creditServiceProvider: { id: applicant.id } });
    });

    it('keeps who acted, violations and sanctions from the public', async () => {
      const result = await queryAs<{ creditServiceProvider: { filingHistory: { action: string; actor: string | null }[]; violations: unknown; sanctions: unknown } }>(
        anonymous,
        'query ($id: ID!) { creditServiceProvider(id: $id) { filingHistory { action actor } violations { id } sanctions { id } } }',
        { id: world.providers[11].id },
      );
      expect(result.data?.creditServiceProvider.violations).toBeNull();
      expect(result.data?.creditServiceProvider.sanctions).toBeNull();
      expect(result.data?.creditServiceProvider.filingHistory.map((e) => e.action)).toEqual(['APPLY', 'RETURN_FOR_CORRECTION', 'RESUBMIT', 'FILE', 'REVOKE']);
      expect(result.data?.creditServiceProvider.filingHistory.every((e) => e.actor === null)).toBe(true);
      expect(result.errors?.every((e) => e.extensions?.code === 'FORBIDDEN' && e.extensions.group === 'PROVIDER_ADMINISTRATION')).toBe(true);
    });

    it('publishes the supervision scheme as data', async () => {
      const result = ok(await queryAs<{ providerSupervisionScheme: { supervisionClasses: { supervisionClass: string | null; mayIssueAcceptedReports: boolean }[]; transitions: { action: string; from: (string | null)[]; to: string; by: string }[] } }>(
        anonymous,
        'query { providerSupervisionScheme { supervisionClasses { supervisionClass mayIssueAcceptedReports } transitions { action from to by } filingStatuses { status publiclyListed earlierReportsAccepted } sanctions { kind filingDecision downgradesClass } } }',
      ));
      expect(result.providerSupervisionScheme.supervisionClasses.filter((c) => !c.mayIssueAcceptedReports).map((c) => c.supervisionClass)).toEqual(['D']);
      expect(result.providerSupervisionScheme.transitions).toContainEqual({ action: 'APPLY', from: [null, 'REJECTED'], to: 'APPLIED', by: 'PROVIDER' });
    });
  });

  describe('CreditReport.issuerStanding (for the reports subgraph, @requires issuedOn and issuer)', () => {
    const entities = /* GraphQL */ `
      query ($representations: [_Any!]!) {
        _entities(representations: $representations) {
          ... on CreditReport { issuerStanding { filingStatusOnIssueDate supervisionClassOnIssueDate acceptedOnIssueDate currentFilingStatus stillAccepted suspendedSince revokedOn } }
        }
      }
    `;
    const report = (id: string, issuedOn: string, providerId: string | null) => ({ __typename: 'CreditReport', id, issuedOn, issuer: providerId ? { id: providerId } : null });

    it('judges the issuer by the issue date, and says when a later suspension or revocation withdrew its reports', async () => {
      const result = ok(
        await query<{ _entities: { issuerStanding: Record<string, unknown> | null }[] }>(entities, {
          representations: [
            report('good', '2026-06-15', world.providers[0].id),
            report('revoked-later', '2026-05-20', world.providers[11].id),
            report('suspended-later', '2026-04-08', world.providers[10].id),
            report('while-suspended', '2026-10-01', world.providers[10].id),
            report('credit-china', '2026-10-30', null),
            report('unknown-issuer', '2026-10-30', 'no-such-provider'),
          ],
        }),
      );
      const [good, revoked, suspendedLater, whileSuspended, creditChina, unknown] = result._entities.map((e) => e.issuerStanding);
      expect(good).toMatchObject({ acceptedOnIssueDate: true, stillAccepted: true, currentFilingStatus: 'FILED', suspendedSince: null, revokedOn: null });
      expect(revoked).toEqual({ filingStatusOnIssueDate: 'FILED', supervisionClassOnIssueDate: 'B', acceptedOnIssueDate: true, currentFilingStatus: 'REVOKED', stillAccepted: false, suspendedSince: null, revokedOn: demoRevocationDate });
      expect(suspendedLater).toMatchObject({ acceptedOnIssueDate: true, stillAccepted: false, currentFilingStatus: 'SUSPENDED', suspendedSince: demoSuspensionDate });
      expect(whileSuspended).toMatchObject({ filingStatusOnIssueDate: 'SUSPENDED', acceptedOnIssueDate: false, stillAccepted: false });
      expect(creditChina).toBeNull();
      expect(unknown).toBeNull();
    });

    it('reads 5 and 50 reports\' issuers with the same number of SELECT statements', async () => {
      const representations = (n: number) => Array.from({ length: n }, (_, i) => report(`r${i}`, '2026-06-01', world.providers[i % world.providers.length].id));
      const forFive = await sql.selectsDuring(async () => expect((await query(entities, { representations: representations(5) })).errors).toBeUndefined());
      const forFifty = await sql.selectsDuring(async () => expect((await query(entities, { representations: representations(50) })).errors).toBeUndefined());
      // Providers, filing events, class changes, false information found: one statement each.
      expect(forFive).toBe(4);
      expect(forFifty).toBe(forFive);
    });
  });
});
