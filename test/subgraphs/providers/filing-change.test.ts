import fs from 'node:fs';
import { randomUUID } from 'node:crypto';
import { readFieldGuards } from '../../../gateway/field-guards';
import type { RequestIdentity } from '../../../lib/access/identity';
import { todayInDistrict } from '../../../lib/calendar';
import { unifiedSocialCreditCode } from '../../../lib/identifiers';
import { nameKey } from '../../../lib/text';
import { supergraphPath } from '../../../schema/subgraphs';
import { demoWorld } from '../../../scripts/demo/world';
import { ProviderFilingChange } from '../../../subgraphs/providers/entities/provider-filing-change.entity';
import { ProviderFilingEvent } from '../../../subgraphs/providers/entities/provider-filing-event.entity';
import { ProviderFilingChange1764000000370 } from '../../../subgraphs/providers/migrations/1764000000370-provider-filing-change';
import { seedProviders } from '../../../subgraphs/providers/seed';
import { providersSubgraph } from '../../../subgraphs/providers/subgraph';
import { openDatabase } from '../../../subgraphs/shared/database';
import { testDatabases } from '../../helpers/databases';
import type { GraphQLResponse } from '../../helpers/graphql';
import { useSubgraph } from '../../helpers/subgraph';
import { financeOfficer, identityOf, providerUser, registryAdmin } from './callers';

const world = demoWorld({ subjects: 10 });
const admin = identityOf(registryAdmin);
const anonymous = identityOf(null);
const filedOn = '2026-01-10';

const applyMutation = /* GraphQL */ `
  mutation ($input: ProviderApplicationInput!) { applyForProviderFiling(input: $input) { id } }
`;
const decideMutation = /* GraphQL */ `
  mutation ($id: ID!, $decision: FilingDecision!, $reason: String!) { decideProviderFiling(id: $id, decision: $decision, reason: $reason) { id filingStatus } }
`;
const changeFields = 'id status changes { particular before after } reason supportingMaterial appliedAt provider { id name filingStatus } decision { action reason actor actorOrganisation fromStatus toStatus }';
const applyChangeMutation = /* GraphQL */ `
  mutation ($id: ID!, $input: ProviderFilingChangeInput!) { applyForProviderFilingChange(id: $id, input: $input) { ${changeFields} } }
`;
const decideChangeMutation = /* GraphQL */ `
  mutation ($id: ID!, $decision: FilingChangeDecision!, $reason: String!, $reviewedEventId: ID) {
    decideProviderFilingChange(id: $id, decision: $decision, reason: $reason, reviewedEventId: $reviewedEventId) { ${changeFields} }
  }
`;
const providerQuery = /* GraphQL */ `
  query ($id: ID!) {
    creditServiceProvider(id: $id) {
      name registeredAddress legalRepresentative businessScope contact filingStatus inGoodStanding
      nameHistory { name from until }
      pendingFilingChange { id status }
      filingHistory { id action fromStatus toStatus reason actorOrganisation filingChange { id status } }
    }
  }
`;

interface Change {
  id: string;
  status: string;
  changes: { particular: string; before: string | null; after: string | null }[];
  reason: string;
  supportingMaterial: string;
  appliedAt: string;
  provider: { id: string; name: string; filingStatus: string };
  decision: { action: string; reason: string; actor: string | null; actorOrganisation: string; fromStatus: string; toStatus: string } | null;
}
interface Provider {
  name: string;
  registeredAddress: string;
  legalRepresentative: string;
  businessScope: string;
  contact: string | null;
  filingStatus: string;
  inGoodStanding: boolean;
  nameHistory: { name: string; from: string | null; until: string | null }[];
  pendingFilingChange: { id: string; status: string } | null;
  filingHistory: { id: string; action: string; fromStatus: string | null; toStatus: string; reason: string; actorOrganisation: string; filingChange: { id: string; status: string } | null }[];
}

const why = { reason: '经2026年第2次股东会决议，公司名称及住所变更', supportingMaterial: '变更后的营业执照副本（编号130304000123）；股东会决议' };

describe.each(testDatabases)('a change of a filed provider’s particulars (变更备案) on $label', (database) => {
  const { db, sql, query, queryAs } = useSubgraph(providersSubgraph, database, 'filingchange');
  let sequence = 0;

  beforeAll(async () => {
    await seedProviders(db(), world);
  });

  function ok<T>(result: GraphQLResponse<T>): T {
    expect(result.errors).toBeUndefined();
    return result.data as T;
  }

  function newCode(): string {
    sequence += 1;
    return unifiedSocialCreditCode({ authority: '9', orgType: '1', division: '130304', organisationBody: `FC${String(sequence).padStart(6, '0')}` });
  }

  function details(code: string, name = `变更测试信用服务有限公司${code.slice(10, 16)}`) {
    return { unifiedSocialCreditCode: code, name, registeredAddress: '河北省秦皇岛市北戴河区变更路1号', legalRepresentative: '王某', businessScope: '企业征信业务', contact: '0335-4000001' };
  }

  /** A provider filed on `filedOn` (its history back-dated, as a provider filed months ago), brought on to `then`. */
  async function filedProvider(then: string[] = []): Promise<{ id: string; code: string; name: string; own: RequestIdentity }> {
    const code = newCode();
    const own = identityOf(providerUser(code));
    const { name } = details(code);
    const { id } = ok(await queryAs<{ applyForProviderFiling: { id: string } }>(own, applyMutation, { input: details(code) })).applyForProviderFiling;
    ok(await queryAs(admin, decideMutation, { id, decision: 'FILE', reason: '材料齐全，予以备案' }));
    const events = db().getRepository(ProviderFilingEvent);
    await events.update({ providerId: id, action: 'APPLY' }, { occurredAt: new Date(`${filedOn}T01:00:00.000Z`) });
    await events.update({ providerId: id, action: 'FILE' }, { occurredAt: new Date(`${filedOn}T02:00:00.000Z`) });
    await db().query('UPDATE credit_service_provider SET filed_on = ? WHERE id = ?', [filedOn, id]);
    for (const decision of then) ok(await queryAs(admin, decideMutation, { id, decision, reason: `测试：${decision}` }));
    return { id, code, name, own };
  }

  function applyChange(id: string, as: RequestIdentity, particulars: Record<string, unknown>, reasons: Record<string, unknown> = why) {
    return queryAs<{ applyForProviderFilingChange: Change | null }>(as, applyChangeMutation, { id, input: { particulars, ...reasons } });
  }

  function decideChange(id: string, decision: 'APPROVE' | 'REJECT', reason = decision === 'APPROVE' ? '材料齐全，准予变更' : '营业执照未载明该变更，不予变更', as: RequestIdentity = admin, reviewedEventId?: string) {
    return queryAs<{ decideProviderFilingChange: Change | null }>(as, decideChangeMutation, { id, decision, reason, reviewedEventId });
  }

  async function provider(id: string, as: RequestIdentity = admin): Promise<Provider> {
    return ok(await queryAs<{ creditServiceProvider: Provider }>(as, providerQuery, { id })).creditServiceProvider;
  }

  async function count(table: string, where: string, params: unknown[]): Promise<number> {
    const [{ n }] = (await db().query(`SELECT COUNT(*) AS n FROM ${table} WHERE ${where}`, params)) as { n: number | string }[];
    return Number(n);
  }

  /** What a refused write must leave as it was: the provider as an admin reads it, and the rows about it. */
  async function snapshot(id: string) {
    return { provider: await provider(id), changes: await count('provider_filing_change', 'provider_id = ?', [id]), formerNames: await count('provider_former_name', 'provider_id = ?', [id]) };
  }

  describe('applying and deciding', () => {
    it('approves a change: the particulars asked for are filed, the name replaced stays in the name history, and both steps are in the filing history', async () => {
      const { id, code, name, own } = await filedProvider();
      const newName = `更名后信用评估有限公司${code.slice(10, 16)}`;
      const applied = ok(await applyChange(id, own, { name: newName, registeredAddress: '河北省秦皇岛市北戴河区新址路8号', legalRepresentative: '王某' })).applyForProviderFilingChange!;
      // The legal representative given as filed is no change.
      expect(applied).toMatchObject({
        status: 'PENDING',
        changes: [
          { particular: 'NAME', before: name, after: newName },
          { particular: 'REGISTERED_ADDRESS', before: '河北省秦皇岛市北戴河区变更路1号', after: '河北省秦皇岛市北戴河区新址路8号' },
        ],
        ...why,
        provider: { id, name, filingStatus: 'FILED' },
        decision: null,
      });
      // Pending: the provider stays as filed, and reads its change as the registry does.
      const pending = await provider(id, own);
      expect(pending).toMatchObject({ name, registeredAddress: '河北省秦皇岛市北戴河区变更路1号', pendingFilingChange: { id: applied.id, status: 'PENDING' } });
      expect(pending.filingHistory.at(-1)).toMatchObject({ action: 'APPLY_CHANGE', fromStatus: 'FILED', toStatus: 'FILED', reason: 'application for a change of filed particulars', actorOrganisation: code, filingChange: { id: applied.id } });

      const approved = ok(await decideChange(applied.id, 'APPROVE', '材料齐全，准予变更', admin, pending.filingHistory.at(-1)!.id)).decideProviderFilingChange!;
      expect(approved).toMatchObject({
        id: applied.id,
        status: 'APPROVED',
        provider: { id, name: newName, filingStatus: 'FILED' },
        decision: { action: 'APPROVE_CHANGE', reason: '材料齐全，准予变更', actor: registryAdmin.id, actorOrganisation: 'CREDIT_OFFICE', fromStatus: 'FILED', toStatus: 'FILED' },
      });
      const today = todayInDistrict();
      const after = await provider(id);
      expect(after).toMatchObject({ name: newName, registeredAddress: '河北省秦皇岛市北戴河区新址路8号', legalRepresentative: '王某', contact: '0335-4000001', filingStatus: 'FILED', inGoodStanding: true, pendingFilingChange: null });
      expect(after.filingHistory.map((e) => [e.action, e.filingChange?.status ?? null])).toEqual([
        ['APPLY', null],
        ['FILE', null],
        ['APPLY_CHANGE', 'APPROVED'],
        ['APPROVE_CHANGE', 'APPROVED'],
      ]);
      // The name history and the steps are public, as the registry's names and history are.
      const seenByAnyone = ok(await queryAs<{ creditServiceProvider: { name: string; nameHistory: unknown; filingHistory: { action: string; reason: string }[] } }>(anonymous, 'query ($id: ID!) { creditServiceProvider(id: $id) { name nameHistory { name from until } filingHistory { action reason } } }', { id })).creditServiceProvider;
      expect(seenByAnyone.nameHistory).toEqual([
        { name, from: filedOn, until: today },
        { name: newName, from: today, until: null },
      ]);
      expect(seenByAnyone.filingHistory.at(-1)).toEqual({ action: 'APPROVE_CHANGE', reason: '材料齐全，准予变更' });
    });

    it('rejects a change with the reason: the provider stays as filed, and may apply afresh', async () => {
      const { id, name, own } = await filedProvider();
      const applied = ok(await applyChange(id, own, { legalRepresentative: '李某' })).applyForProviderFilingChange!;
      const rejected = ok(await decideChange(applied.id, 'REJECT', '未提交新任法定代表人的任职文件')).decideProviderFilingChange!;
      expect(rejected).toMatchObject({ status: 'REJECTED', provider: { name }, decision: { action: 'REJECT_CHANGE', reason: '未提交新任法定代表人的任职文件', fromStatus: 'FILED', toStatus: 'FILED' } });
      expect(await provider(id)).toMatchObject({ legalRepresentative: '王某', pendingFilingChange: null, nameHistory: [{ name, from: filedOn, until: null }] });
      const again = ok(await applyChange(id, own, { legalRepresentative: '李某' }, { ...why, supportingMaterial: '任职文件（编号2026-7）' })).applyForProviderFilingChange!;
      expect(again.id).not.toBe(applied.id);
      ok(await decideChange(again.id, 'APPROVE'));
      expect((await provider(id)).filingHistory.map((e) => e.action)).toEqual(['APPLY', 'FILE', 'APPLY_CHANGE', 'REJECT_CHANGE', 'APPLY_CHANGE', 'APPROVE_CHANGE']);
    });

    it('takes a change from a suspended provider, and approving it leaves the filing suspended and its reports not accepted', async () => {
      const { id, own } = await filedProvider(['SUSPEND']);
      const applied = ok(await applyChange(id, own, { legalRepresentative: '赵某' })).applyForProviderFilingChange!;
      ok(await decideChange(applied.id, 'APPROVE'));
      expect(await provider(id)).toMatchObject({ legalRepresentative: '赵某', filingStatus: 'SUSPENDED', inGoodStanding: false });
    });

    it('clears the contact given blank, and files nothing for a particular left out', async () => {
      const { id, own } = await filedProvider();
      const applied = ok(await applyChange(id, own, { contact: ' ', businessScope: null })).applyForProviderFilingChange!;
      expect(applied.changes).toEqual([{ particular: 'CONTACT', before: '0335-4000001', after: null }]);
      ok(await decideChange(applied.id, 'APPROVE'));
      expect(await provider(id)).toMatchObject({ contact: null, businessScope: '企业征信业务' });
    });

    it('lists the providers with a change awaiting decision to whoever filters for them', async () => {
      const { id, own } = await filedProvider();
      const listed = async (pending: boolean) =>
        ok(await queryAs<{ creditServiceProviders: { edges: { node: { id: string } }[] } }>(admin, 'query ($pending: Boolean) { creditServiceProviders(filingChangePending: $pending, first: 100) { edges { node { id } } } }', { pending })).creditServiceProviders.edges.map((e) => e.node.id);
      expect(await listed(true)).not.toContain(id);
      const applied = ok(await applyChange(id, own, { registeredAddress: '河北省秦皇岛市北戴河区待审路3号' })).applyForProviderFilingChange!;
      expect(await listed(true)).toContain(id);
      expect(await listed(false)).not.toContain(id);
      ok(await decideChange(applied.id, 'REJECT'));
      expect(await listed(true)).not.toContain(id);
    });

    it('publishes the steps of a change in the supervision scheme', async () => {
      const scheme = ok(await queryAs<{ providerSupervisionScheme: { filingChanges: unknown[] } }>(anonymous, 'query { providerSupervisionScheme { filingChanges { action nameZh from by } } }')).providerSupervisionScheme;
      expect(scheme.filingChanges).toEqual([
        { action: 'APPLY_CHANGE', nameZh: '申请变更备案', from: ['FILED', 'SUSPENDED'], by: 'PROVIDER' },
        { action: 'APPROVE_CHANGE', nameZh: '准予变更', from: ['FILED', 'SUSPENDED'], by: 'REGISTRY' },
        { action: 'REJECT_CHANGE', nameZh: '不予变更', from: ['FILED', 'SUSPENDED', 'REVOKED', 'DEREGISTERED'], by: 'REGISTRY' },
      ]);
    });
  });

  describe('refusals, which change nothing', () => {
    it.each([
      ['APPLIED', null],
      ['RETURNED', 'RETURN_FOR_CORRECTION'],
      ['REJECTED', 'REJECT'],
    ])('refuses a change of a provider whose application is %s', async (_status, decision) => {
      const code = newCode();
      const own = identityOf(providerUser(code));
      const { id } = ok(await queryAs<{ applyForProviderFiling: { id: string } }>(own, applyMutation, { input: details(code) })).applyForProviderFiling;
      if (decision) ok(await queryAs(admin, decideMutation, { id, decision, reason: '测试' }));
      const before = await snapshot(id);
      const refused = await applyChange(id, own, { legalRepresentative: '李某' });
      expect(refused.data?.applyForProviderFilingChange).toBeNull();
      expect(refused.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'id', problem: 'TRANSITION_NOT_ALLOWED' });
      expect(await snapshot(id)).toEqual(before);
    });

    it.each([['REVOKE'], ['DEREGISTER']])('refuses a change of a provider after %s', async (decision) => {
      const { id, own } = await filedProvider([decision]);
      const before = await snapshot(id);
      const refused = await applyChange(id, own, { legalRepresentative: '李某' });
      expect(refused.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'id', problem: 'TRANSITION_NOT_ALLOWED' });
      expect(await snapshot(id)).toEqual(before);
    });

    it('takes one change at a time: a second is refused naming the pending one, and the same one sent again, even five times at once, is the one pending', async () => {
      const { id, own } = await filedProvider();
      const particulars = { registeredAddress: '河北省秦皇岛市北戴河区重试路5号' };
      const answers = await Promise.all(Array.from({ length: 5 }, () => applyChange(id, own, particulars)));
      const ids = answers.map((a) => ok(a).applyForProviderFilingChange!.id);
      expect(new Set(ids).size).toBe(1);
      const before = await snapshot(id);
      expect(before.changes).toBe(1);
      expect(before.provider.filingHistory.filter((e) => e.action === 'APPLY_CHANGE')).toHaveLength(1);
      const second = await applyChange(id, own, { legalRepresentative: '李某' });
      expect(second.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'id', problem: 'TRANSITION_NOT_ALLOWED', filingChangeId: ids[0] });
      expect(await snapshot(id)).toEqual(before);
    });

    it('takes a change only from the provider itself, and a decision only from the registry', async () => {
      const { id, own } = await filedProvider();
      const before = await snapshot(id);
      const other = await applyChange(id, identityOf(providerUser(newCode())), { legalRepresentative: '李某' });
      expect(other.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', problem: 'NOT_ENTITLED' });
      for (const as of [admin, identityOf(financeOfficer, { matter: 'GOVERNMENT_PROCUREMENT', caseNumber: 'CG-1' }), anonymous]) {
        const refused = await applyChange(id, as, { legalRepresentative: '李某' });
        expect(refused.data?.applyForProviderFilingChange).toBeNull();
        expect(refused.errors?.[0].extensions?.code).toMatch(/^(FORBIDDEN|UNAUTHENTICATED)$/);
      }
      expect(await snapshot(id)).toEqual(before);
      const applied = ok(await applyChange(id, own, { legalRepresentative: '李某' })).applyForProviderFilingChange!;
      const selfDecided = await decideChange(applied.id, 'APPROVE', '自行准予', own);
      expect(selfDecided.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', group: 'PROVIDER_ADMINISTRATION' });
      expect((await provider(id)).pendingFilingChange).toEqual({ id: applied.id, status: 'PENDING' });
    });

    it('keeps what a change asked for from anyone but the registry and the provider itself', async () => {
      const { id, own } = await filedProvider();
      ok(await applyChange(id, own, { contact: '13900000000' }));
      for (const as of [identityOf(providerUser(newCode())), identityOf(financeOfficer, { matter: 'GOVERNMENT_PROCUREMENT', caseNumber: 'CG-1' }), anonymous]) {
        const result = await queryAs<{ creditServiceProvider: { pendingFilingChange: unknown; filingHistory: { action: string; filingChange: unknown }[] } }>(as, 'query ($id: ID!) { creditServiceProvider(id: $id) { pendingFilingChange { changes { after } } filingHistory { action filingChange { reason } } } }', { id });
        expect(result.data?.creditServiceProvider).toEqual({
          pendingFilingChange: null,
          filingHistory: [
            { action: 'APPLY', filingChange: null },
            { action: 'FILE', filingChange: null },
            { action: 'APPLY_CHANGE', filingChange: null },
          ],
        });
        expect(result.errors?.map((e) => [e.path?.at(-1), e.extensions?.code, e.extensions?.group])).toEqual([
          ['pendingFilingChange', 'FORBIDDEN', 'PROVIDER_SUPERVISION_FILE'],
          ['filingChange', 'FORBIDDEN', 'PROVIDER_SUPERVISION_FILE'],
          ['filingChange', 'FORBIDDEN', 'PROVIDER_SUPERVISION_FILE'],
          ['filingChange', 'FORBIDDEN', 'PROVIDER_SUPERVISION_FILE'],
        ]);
      }
    });

    it.each([
      ['particulars', 'no particular', {}],
      ['particulars', 'only particulars as filed', { legalRepresentative: '王某', contact: '0335-4000001' }],
      ['particulars.name', 'a name left blank', { name: ' \u3000 ' }],
      ['particulars.name', 'a name with a zero-width space', { name: '\u200b\u200b' }],
      ['particulars.name', 'a name of 201 characters', { name: '名'.repeat(201) }],
      ['particulars.registeredAddress', 'an address reversed by U+202E', { registeredAddress: '\u202e号1路更变' }],
      ['particulars.legalRepresentative', 'the Hangul filler U+3164', { legalRepresentative: '\u3164' }],
      ['particulars.businessScope', 'U+0000', { businessScope: '\u0000' }],
      ['particulars.contact', 'a contact split by a line break', { contact: '0335-\n4000002' }],
    ])('refuses a change whose %s is at fault (%s)', async (field, _label, particulars) => {
      const { id, own } = await filedProvider();
      const before = await snapshot(id);
      const refused = await applyChange(id, own, particulars);
      expect(refused.data?.applyForProviderFilingChange).toBeNull();
      expect(refused.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
      expect(await snapshot(id)).toEqual(before);
    });

    it.each([
      ['reason', { reason: ' ' }],
      ['reason', { reason: '\u200b' }],
      ['supportingMaterial', { supportingMaterial: '' }],
      ['supportingMaterial', { supportingMaterial: '营业执照\u202e副本' }],
    ])('refuses a change whose %s is empty or illegible', async (field, reasons) => {
      const { id, own } = await filedProvider();
      const before = await snapshot(id);
      const refused = await applyChange(id, own, { legalRepresentative: '李某' }, { ...why, ...reasons });
      expect(refused.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
      expect(await snapshot(id)).toEqual(before);
    });

    it('refuses an illegible reason for a decision, an unknown change, and another decision on a change already decided; the same decision sent again is answered as decided', async () => {
      const { id, own } = await filedProvider();
      const applied = ok(await applyChange(id, own, { legalRepresentative: '李某' })).applyForProviderFilingChange!;
      expect((await decideChange(applied.id, 'APPROVE', '\u200b')).errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'reason' });
      expect((await decideChange(randomUUID(), 'APPROVE')).errors?.[0].extensions).toMatchObject({ code: 'NOT_FOUND', field: 'id' });
      const answers = await Promise.all([decideChange(applied.id, 'APPROVE'), decideChange(applied.id, 'APPROVE')]);
      for (const answer of answers) expect(ok(answer).decideProviderFilingChange).toMatchObject({ status: 'APPROVED', decision: { action: 'APPROVE_CHANGE' } });
      const before = await snapshot(id);
      expect(before.provider.filingHistory.filter((e) => e.action === 'APPROVE_CHANGE')).toHaveLength(1);
      for (const [decision, reason] of [['REJECT', '不予变更'], ['APPROVE', '另一理由']] as const) {
        const refused = await decideChange(applied.id, decision, reason);
        expect(refused.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'id', problem: 'TRANSITION_NOT_ALLOWED' });
      }
      expect(await snapshot(id)).toEqual(before);
    });

    it('refuses a decision taken on a filing that changed after the step the admin reviewed', async () => {
      const { id, own } = await filedProvider();
      const applied = ok(await applyChange(id, own, { legalRepresentative: '李某' })).applyForProviderFilingChange!;
      const reviewed = (await provider(id)).filingHistory.at(-1)!.id;
      ok(await queryAs(admin, decideMutation, { id, decision: 'SUSPEND', reason: '调查期间暂停备案' }));
      const before = await snapshot(id);
      const refused = await decideChange(applied.id, 'APPROVE', '准予变更', admin, reviewed);
      expect(refused.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'reviewedEventId', problem: 'CONCURRENT_CHANGE' });
      // The message names the step reviewed, then what happened since, and by whom.
      expect(refused.errors?.[0].message).toMatch(/has changed since the step reviewed \(APPLY_CHANGE at [^)]+\): SUSPEND at \S+ by CREDIT_OFFICE, now SUSPENDED/);
      expect(await snapshot(id)).toEqual(before);
    });

    // README, Errors: an optional `ID` left blank is none, as if left out.
    it.each([
      ['empty', ''],
      ['only spaces', '   '],
    ])('takes a reviewedEventId left %s as none, whether the change is approved or rejected', async (_case, blank) => {
      const { id, own } = await filedProvider();
      const first = ok(await applyChange(id, own, { legalRepresentative: '李某' })).applyForProviderFilingChange!;
      expect(ok(await decideChange(first.id, 'APPROVE', undefined, admin, blank)).decideProviderFilingChange).toMatchObject({ status: 'APPROVED' });
      const second = ok(await applyChange(id, own, { legalRepresentative: '赵某' })).applyForProviderFilingChange!;
      const literal = await queryAs<{ decideProviderFilingChange: { status: string } }>(admin, `mutation ($id: ID!) { decideProviderFilingChange(id: $id, decision: REJECT, reason: "不予变更", reviewedEventId: ${JSON.stringify(blank)}) { status } }`, { id: second.id });
      expect(ok(literal).decideProviderFilingChange).toEqual({ status: 'REJECTED' });
      expect(await provider(id)).toMatchObject({ legalRepresentative: '李某', pendingFilingChange: null });
    });

    // The schema: TRANSITION_NOT_ALLOWED "for a provider not FILED or SUSPENDED"; a change left
    // pending by the de-registration or revocation is closed by the registry's rejection.
    it.each(['DEREGISTER', 'REVOKE'])('refuses the same change sent again after %s, naming the change still pending, which a rejection then closes', async (decision) => {
      const { id, own } = await filedProvider();
      const applied = ok(await applyChange(id, own, { legalRepresentative: '李某' })).applyForProviderFilingChange!;
      ok(await queryAs(admin, decideMutation, { id, decision, reason: `测试：${decision}` }));
      const before = await snapshot(id);
      const again = await applyChange(id, own, { legalRepresentative: '李某' });
      expect(again.data?.applyForProviderFilingChange).toBeNull();
      expect(again.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'id', problem: 'TRANSITION_NOT_ALLOWED', filingChangeId: applied.id });
      expect(await snapshot(id)).toEqual(before);
      expect(before.provider.pendingFilingChange).toEqual({ id: applied.id, status: 'PENDING' });
      expect(ok(await decideChange(applied.id, 'REJECT', '备案已终止')).decideProviderFilingChange).toMatchObject({ status: 'REJECTED' });
      expect((await provider(id)).pendingFilingChange).toBeNull();
    });

    it('answers the same change sent again after a suspension, which leaves it to be decided, with the one pending', async () => {
      const { id, own } = await filedProvider();
      const applied = ok(await applyChange(id, own, { legalRepresentative: '李某' })).applyForProviderFilingChange!;
      ok(await queryAs(admin, decideMutation, { id, decision: 'SUSPEND', reason: '调查期间暂停备案' }));
      expect(ok(await applyChange(id, own, { legalRepresentative: '李某' })).applyForProviderFilingChange).toMatchObject({ id: applied.id, status: 'PENDING' });
      expect(await count('provider_filing_change', 'provider_id = ?', [id])).toBe(1);
    });

    it('approves no change of a provider revoked while it was pending, and closes it by a rejection', async () => {
      const { id, own } = await filedProvider();
      const applied = ok(await applyChange(id, own, { legalRepresentative: '李某' })).applyForProviderFilingChange!;
      ok(await queryAs(admin, decideMutation, { id, decision: 'REVOKE', reason: '出具虚假信用报告' }));
      const before = await snapshot(id);
      const refused = await decideChange(applied.id, 'APPROVE');
      expect(refused.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'decision', problem: 'TRANSITION_NOT_ALLOWED' });
      expect(await snapshot(id)).toEqual(before);
      expect(ok(await decideChange(applied.id, 'REJECT', '备案已撤销')).decideProviderFilingChange).toMatchObject({ status: 'REJECTED', decision: { fromStatus: 'REVOKED', toStatus: 'REVOKED' } });
      expect(await provider(id)).toMatchObject({ legalRepresentative: '王某', filingStatus: 'REVOKED', pendingFilingChange: null });
    });
  });

  describe('a name in the registry names one provider, a former name included', () => {
    const refusal = (providerId: string, field: string) => ({ code: 'BAD_USER_INPUT', field, problem: 'NAME_OF_ANOTHER_PROVIDER', providerId });

    it.each([
      ['FILED', 0],
      ['SUSPENDED', 10],
      ['REVOKED', 11],
    ])('refuses a change to the name of a %s provider, read as a reader would', async (_status, index) => {
      const namesake = world.providers[index];
      const { id, own } = await filedProvider();
      const before = await snapshot(id);
      for (const name of [namesake.name, ` ${namesake.name.slice(0, 2)} ${namesake.name.slice(2)}。`]) {
        expect((await applyChange(id, own, { name })).errors?.[0].extensions).toMatchObject(refusal(namesake.id, 'particulars.name'));
      }
      expect(await snapshot(id)).toEqual(before);
    });

    it('keeps a former name its provider’s: no other provider applies, is filed or changes to it, and the provider itself may take it back', async () => {
      const renamed = await filedProvider();
      const newName = `新名信用服务有限公司${renamed.code.slice(10, 16)}`;
      ok(await decideChange(ok(await applyChange(renamed.id, renamed.own, { name: newName })).applyForProviderFilingChange!.id, 'APPROVE'));
      const code = newCode();
      const applicant = await queryAs(identityOf(providerUser(code)), applyMutation, { input: details(code, renamed.name) });
      expect(applicant.errors?.[0].extensions).toMatchObject(refusal(renamed.id, 'name'));
      expect(applicant.errors?.[0].message).toContain('a former name of');
      const other = await filedProvider();
      expect((await applyChange(other.id, other.own, { name: `${renamed.name}。` })).errors?.[0].extensions).toMatchObject(refusal(renamed.id, 'particulars.name'));
      // Found by it, as a report bearing it is read (ISSUER_IS_REGISTERED_PROVIDER).
      const found = ok(await queryAs<{ creditServiceProviders: { edges: { node: { id: string; name: string } }[] } }>(anonymous, 'query ($name: String!) { creditServiceProviders(name: $name) { edges { node { id name } } } }', { name: renamed.name })).creditServiceProviders;
      expect(found.edges.map((e) => e.node)).toEqual([{ id: renamed.id, name: newName }]);
      // Taken back, it is the current name again, and the history has all three.
      ok(await decideChange(ok(await applyChange(renamed.id, renamed.own, { name: renamed.name })).applyForProviderFilingChange!.id, 'APPROVE'));
      expect((await provider(renamed.id)).nameHistory.map((h) => [h.name, h.until === null])).toEqual([
        [renamed.name, false],
        [newName, false],
        [renamed.name, true],
      ]);
    });

    it('refuses the approval of a name another provider came to bear after the change was asked for, leaving it pending', async () => {
      const { id, code, own } = await filedProvider();
      const wanted = `抢注测试信用服务有限公司${code.slice(10, 16)}`;
      const applied = ok(await applyChange(id, own, { name: wanted })).applyForProviderFilingChange!;
      const rivalCode = newCode();
      const { id: rival } = ok(await queryAs<{ applyForProviderFiling: { id: string } }>(identityOf(providerUser(rivalCode)), applyMutation, { input: details(rivalCode, wanted) })).applyForProviderFiling;
      ok(await queryAs(admin, decideMutation, { id: rival, decision: 'FILE', reason: '材料齐全' }));
      const before = await snapshot(id);
      const refused = await decideChange(applied.id, 'APPROVE');
      expect(refused.errors?.[0].extensions).toMatchObject(refusal(rival, 'decision'));
      expect(await snapshot(id)).toEqual(before);
      expect(before.provider.pendingFilingChange).toEqual({ id: applied.id, status: 'PENDING' });
    });

    it('refuses filing an application under a name a change has given another provider meanwhile', async () => {
      const { id, code, own } = await filedProvider();
      const wanted = `先到先得信用服务有限公司${code.slice(10, 16)}`;
      const applicantCode = newCode();
      const { id: applicant } = ok(await queryAs<{ applyForProviderFiling: { id: string } }>(identityOf(providerUser(applicantCode)), applyMutation, { input: details(applicantCode, wanted) })).applyForProviderFiling;
      ok(await decideChange(ok(await applyChange(id, own, { name: wanted })).applyForProviderFilingChange!.id, 'APPROVE'));
      expect((await queryAs(admin, decideMutation, { id: applicant, decision: 'FILE', reason: '材料齐全' })).errors?.[0].extensions).toMatchObject(refusal(id, 'decision'));
    });

    // On MySQL, two approvals to one new name each found no provider bearing it yet.
    it('approves one of several changes to one name decided at the same moment, and refuses the others', async () => {
      for (let round = 0; round < 3; round += 1) {
        const providers = await Promise.all(Array.from({ length: 4 }, () => filedProvider()));
        const wanted = `同时更名信用服务有限公司${providers[0].code.slice(10, 16)}`;
        const changes = await Promise.all(providers.map(async (p) => ok(await applyChange(p.id, p.own, { name: wanted })).applyForProviderFilingChange!.id));
        const answers = await Promise.all(changes.map((change) => decideChange(change, 'APPROVE')));
        const approved = providers.filter((_, i) => answers[i].data?.decideProviderFilingChange);
        expect(approved).toHaveLength(1);
        for (const answer of answers.filter((a) => !a.data?.decideProviderFilingChange)) expect(answer.errors?.[0].extensions).toMatchObject(refusal(approved[0].id, 'decision'));
        const names = await Promise.all(providers.map(async (p) => (await provider(p.id)).name));
        expect(names.filter((n) => n === wanted)).toHaveLength(1);
      }
    });
  });

  describe('a public source’s name is no provider’s', () => {
    const refusal = (source: string, field: string) => ({ code: 'BAD_USER_INPUT', field, problem: 'NAME_OF_A_PUBLIC_SOURCE', source });

    it.each([
      ['信用中国网站', 'CREDIT_CHINA'],
      ['信用中国。', 'CREDIT_CHINA'],
      ['北戴河区 公共信用信息共享平台', 'DISTRICT_PLATFORM'],
    ])('refuses a change to %j, read as a reader would, and stores nothing', async (name, source) => {
      const { id, own } = await filedProvider();
      const before = await snapshot(id);
      expect((await applyChange(id, own, { name, registeredAddress: '河北省秦皇岛市北戴河区新址路9号' })).errors?.[0].extensions).toMatchObject(refusal(source, 'particulars.name'));
      expect(await snapshot(id)).toEqual(before);
    });

    // Asked for before the registry refused such names: the admin cannot approve it, only reject it.
    it('refuses the approval of a change to a public source’s name, leaving it pending', async () => {
      const { id, code, name, own } = await filedProvider();
      const applied = ok(await applyChange(id, own, { name: `待改名信用服务有限公司${code.slice(10, 16)}` })).applyForProviderFilingChange!;
      const platform = '北戴河区公共信用信息共享平台';
      await db().getRepository(ProviderFilingChange).update({ id: applied.id }, { changes: [{ particular: 'NAME', before: name, after: platform }], nameKey: nameKey(platform) });
      const before = await snapshot(id);
      const refused = await decideChange(applied.id, 'APPROVE');
      expect(refused.data?.decideProviderFilingChange).toBeNull();
      expect(refused.errors?.[0].extensions).toMatchObject(refusal('DISTRICT_PLATFORM', 'decision'));
      expect(await snapshot(id)).toEqual(before);
      expect(before.provider.pendingFilingChange).toEqual({ id: applied.id, status: 'PENDING' });
      expect(ok(await decideChange(applied.id, 'REJECT')).decideProviderFilingChange).toMatchObject({ status: 'REJECTED' });
    });
  });

  it('reads the name history and pending changes of 5 and of 50 providers with the same number of SELECT statements', async () => {
    const listQuery = 'query ($first: Int!) { creditServiceProviders(first: $first) { edges { node { nameHistory { name } pendingFilingChange { id changes { particular } } filingHistory { filingChange { id } } } } } }';
    const forFive = await sql.selectsDuring(async () => ok(await query(listQuery, { first: 5 })));
    const forFifty = await sql.selectsDuring(async () => ok(await query(listQuery, { first: 50 })));
    expect(forFifty).toBe(forFive);
  });
});

describe.each(testDatabases)('the filing change migration on $label', (database) => {
  const suite = 'filingchangemigration';
  afterAll(() => database.cleanUp(suite));

  it('leaves every step recorded before naming no change, and every provider with its name alone in its history', async () => {
    await database.cleanUp(suite);
    // The schema as it was before: the migrations before this one (a later one may read its tables).
    const before = { entities: providersSubgraph.entities, migrations: providersSubgraph.migrations.slice(0, providersSubgraph.migrations.indexOf(ProviderFilingChange1764000000370)) };
    const db = await openDatabase('providers', database.target(suite), before);
    try {
      await db.query(
        'INSERT INTO provider_filing_event (id, provider_id, action, from_status, to_status, reason, actor, actor_organisation, application, sanction_id, occurred_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
        ['event-1', 'provider-1', 'FILE', 'APPLIED', 'FILED', '予以备案', 'registrar', 'CREDIT_OFFICE', null, null, '2026-09-01 03:04:05.678'],
      );
      const runner = db.createQueryRunner();
      try {
        await new ProviderFilingChange1764000000370().up(runner);
      } finally {
        await runner.release();
      }
      expect(await db.getRepository(ProviderFilingEvent).findOneBy({ id: 'event-1' })).toMatchObject({ action: 'FILE', filingChangeId: null });
      for (const table of ['provider_former_name', 'provider_filing_change']) expect(Number((await db.query(`SELECT COUNT(*) AS n FROM ${table}`))[0].n)).toBe(0);
    } finally {
      await db.destroy();
    }
  });
});

describe('a change of filed particulars at the gateway', () => {
  const guards = () => readFieldGuards(fs.readFileSync(supergraphPath, 'utf8'));

  it.each([
    ['Mutation.applyForProviderFilingChange', 'PROVIDER_APPLICATION'],
    ['Mutation.decideProviderFilingChange', 'PROVIDER_ADMINISTRATION'],
    ['CreditServiceProvider.pendingFilingChange', 'PROVIDER_SUPERVISION_FILE'],
    ['ProviderFilingEvent.filingChange', 'PROVIDER_SUPERVISION_FILE'],
  ])('%s needs %s in the committed supergraph, as in the subgraph', (field, group) => {
    expect(guards().get(field)).toBe(group);
  });

  it('leaves the name history public, as the registry’s names are', () => {
    expect(guards().get('CreditServiceProvider.nameHistory')).toBeUndefined();
  });
});
