import { todayInDistrict } from '../../../lib/calendar';
import { unifiedSocialCreditCode } from '../../../lib/identifiers';
import { ProviderSanction } from '../../../subgraphs/providers/entities/provider-sanction.entity';
import { providersSubgraph } from '../../../subgraphs/providers/subgraph';
import { testDatabases } from '../../helpers/databases';
import type { GraphQLResponse } from '../../helpers/graphql';
import { useSubgraph } from '../../helpers/subgraph';
import { analyst, creditOffice, identityOf, providerUser, registryAdmin } from './callers';

const admin = identityOf(registryAdmin);
/** Another registry admin of the same office. */
const otherAdmin = identityOf({ ...registryAdmin, id: 'registrar-other' });

const violationFields = 'id kind occurredOn recordedBy withdrawal { reason withdrawnBy withdrawnByOrganisation withdrawnAt } sanctions { kind }';
const recordMutation = /* GraphQL */ `
  mutation ($input: ProviderViolationInput!) { recordProviderViolation(input: $input) { ${violationFields} } }
`;
const withdrawMutation = /* GraphQL */ `
  mutation ($id: ID!, $reason: String!) { withdrawProviderViolation(id: $id, reason: $reason) { ${violationFields} } }
`;
const sanctionMutation = /* GraphQL */ `
  mutation ($input: ProviderSanctionInput!) { sanctionProvider(input: $input) { id kind } }
`;
const standingQuery = /* GraphQL */ `
  query ($id: ID!, $date: Date!) {
    creditServiceProvider(id: $id) {
      filingStatus supervisionClass inGoodStanding mayCollectPublicCreditData
      standingOn(date: $date) { reportsAccepted mayCollectPublicCreditData }
    }
  }
`;
const fileQuery = /* GraphQL */ `
  query ($id: ID!) { creditServiceProvider(id: $id) { violations { ${violationFields} } } }
`;
const issuerStandingQuery = /* GraphQL */ `
  query ($representations: [_Any!]!) { _entities(representations: $representations) { ... on CreditReport { issuerStanding { acceptedOnIssueDate stillAccepted } } } }
`;

interface Violation {
  id: string;
  kind: string;
  occurredOn: string;
  recordedBy: string | null;
  withdrawal: { reason: string; withdrawnBy: string | null; withdrawnByOrganisation: string; withdrawnAt: string } | null;
  sanctions: { kind: string }[];
}

interface Standing {
  filingStatus: string;
  supervisionClass: string | null;
  inGoodStanding: boolean;
  mayCollectPublicCreditData: boolean;
  standingOn: { reportsAccepted: boolean; mayCollectPublicCreditData: boolean };
}

describe.each(testDatabases)('withdrawing a provider violation recorded in error (撤销违规记录) on $label', (database) => {
  const { db, query, queryAs } = useSubgraph(providersSubgraph, database, 'violationwithdrawal');
  let sequence = 0;

  function ok<T>(result: GraphQLResponse<T>): T {
    expect(result.errors).toBeUndefined();
    return result.data as T;
  }

  /** A fresh FILED provider, and its code. */
  async function filedProvider(): Promise<{ id: string; code: string }> {
    sequence += 1;
    const code = unifiedSocialCreditCode({ authority: '9', orgType: '1', division: '130304', organisationBody: `WD${String(sequence).padStart(6, '0')}` });
    const input = { unifiedSocialCreditCode: code, name: `撤销测试信用服务有限公司${sequence}`, registeredAddress: '河北省秦皇岛市北戴河区测试路2号', legalRepresentative: '测试人', businessScope: '企业征信业务' };
    const { id } = ok(await queryAs<{ applyForProviderFiling: { id: string } }>(identityOf(providerUser(code)), 'mutation ($input: ProviderApplicationInput!) { applyForProviderFiling(input: $input) { id } }', { input })).applyForProviderFiling;
    ok(await queryAs(admin, 'mutation ($id: ID!) { decideProviderFiling(id: $id, decision: FILE, reason: "材料齐全，予以备案") { id } }', { id }));
    return { id, code };
  }

  function falseInformation(providerId: string, occurredOn: string) {
    return { providerId, kind: 'FALSE_INFORMATION', description: '出具的信用报告引用了编造的行政处罚信息', evidence: ['核查笔录〔2026〕11号'], occurredOn };
  }

  async function record(input: Record<string, unknown>): Promise<Violation> {
    return ok(await queryAs<{ recordProviderViolation: Violation }>(admin, recordMutation, { input })).recordProviderViolation;
  }

  function withdraw(id: string, reason: string, as = admin) {
    return queryAs<{ withdrawProviderViolation: Violation | null }>(as, withdrawMutation, { id, reason });
  }

  async function standing(id: string, date = todayInDistrict()): Promise<Standing> {
    return ok(await query<{ creditServiceProvider: Standing }>(standingQuery, { id, date })).creditServiceProvider;
  }

  async function count(table: string, where: string, params: unknown[]): Promise<number> {
    const [{ n }] = (await db().query(`SELECT COUNT(*) AS n FROM ${table} WHERE ${where}`, params)) as { n: number | string }[];
    return Number(n);
  }

  describe('Mutation.recordProviderViolation', () => {
    // Only fields the registry had before withdrawals: the date's bound stands on its own.
    const recordDated = /* GraphQL */ `mutation ($input: ProviderViolationInput!) { recordProviderViolation(input: $input) { id occurredOn } }`;

    it.each(['0000-01-01', '1999-12-31', '2012-12-31'])('refuses a violation dated %s, before the earliest issue date of a report (2013-01-01), and records nothing', async (occurredOn) => {
      const { id } = await filedProvider();
      const result = await queryAs(admin, recordDated, { input: falseInformation(id, occurredOn) });
      expect(result.data?.recordProviderViolation).toBeNull();
      expect(result.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'occurredOn' });
      expect(result.errors?.[0].message).toContain('2013-01-01');
      expect(await count('provider_violation', 'provider_id = ?', [id])).toBe(0);
      expect(await standing(id)).toMatchObject({ inGoodStanding: true, mayCollectPublicCreditData: true });
    });

    it('records one dated 2013-01-01', async () => {
      const { id } = await filedProvider();
      expect(ok(await queryAs(admin, recordDated, { input: falseInformation(id, '2013-01-01') })).recordProviderViolation).toMatchObject({ occurredOn: '2013-01-01' });
    });
  });

  describe('Mutation.withdrawProviderViolation', () => {
    it('puts a provider whose false information was recorded in error back in good standing, its reports accepted again, and keeps the violation as withdrawn with who, when and why', async () => {
      const { id } = await filedProvider();
      const today = todayInDistrict();
      const issuerStanding = async () =>
        ok(await query<{ _entities: { issuerStanding: { acceptedOnIssueDate: boolean; stillAccepted: boolean } }[] }>(issuerStandingQuery, { representations: [{ __typename: 'CreditReport', id: 'report-1', issuedOn: today, issuer: { id } }] }))._entities[0].issuerStanding;
      // 2016 typed for 2026: every report the provider issued since reads as from a provider not in good standing.
      const mistaken = await record(falseInformation(id, '2016-03-01'));
      expect(await standing(id)).toMatchObject({ inGoodStanding: false, mayCollectPublicCreditData: false, standingOn: { reportsAccepted: false, mayCollectPublicCreditData: false } });
      expect(await issuerStanding()).toEqual({ acceptedOnIssueDate: false, stillAccepted: false });

      const before = Date.now();
      const withdrawn = ok(await withdraw(mistaken.id, '年份录入错误：应为2026年，已按正确日期重新登记')).withdrawProviderViolation!;
      expect(withdrawn).toMatchObject({ id: mistaken.id, occurredOn: '2016-03-01', withdrawal: { reason: '年份录入错误：应为2026年，已按正确日期重新登记', withdrawnBy: 'registrar-test', withdrawnByOrganisation: 'CREDIT_OFFICE' } });
      expect(Date.parse(withdrawn.withdrawal!.withdrawnAt)).toBeGreaterThanOrEqual(before - 1);
      expect(await standing(id)).toMatchObject({ filingStatus: 'FILED', inGoodStanding: true, mayCollectPublicCreditData: true, standingOn: { reportsAccepted: true, mayCollectPublicCreditData: true } });
      expect(await issuerStanding()).toEqual({ acceptedOnIssueDate: true, stillAccepted: true });
      // Kept, never deleted: the supervision file shows it as withdrawn.
      expect(ok(await queryAs<{ creditServiceProvider: { violations: Violation[] } }>(admin, fileQuery, { id })).creditServiceProvider.violations).toEqual([withdrawn]);

      // The same facts recorded again are a new violation, which counts.
      const again = await record(falseInformation(id, '2016-03-01'));
      expect(again.id).not.toBe(mistaken.id);
      expect(again.withdrawal).toBeNull();
      expect(await standing(id)).toMatchObject({ inGoodStanding: false });
      expect(await count('provider_violation', 'provider_id = ?', [id])).toBe(2);
    });

    it('answers the same withdrawal sent again, even five times at once, with the violation as withdrawn, and refuses any other as a transition not allowed', async () => {
      const { id } = await filedProvider();
      const violation = await record(falseInformation(id, todayInDistrict()));
      const reason = '误录：违规行为系另一机构所为';
      const answers = await Promise.all(Array.from({ length: 5 }, () => withdraw(violation.id, reason)));
      const withdrawals = answers.map((answer) => ok(answer).withdrawProviderViolation!.withdrawal);
      expect(new Set(withdrawals.map((w) => JSON.stringify(w))).size).toBe(1);
      for (const [as, other] of [
        [admin, '另一理由'],
        [otherAdmin, reason],
      ] as const) {
        const refused = await withdraw(violation.id, other, as);
        expect(refused.data?.withdrawProviderViolation).toBeNull();
        expect(refused.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'id', problem: 'TRANSITION_NOT_ALLOWED' });
      }
      const [kept] = ok(await queryAs<{ creditServiceProvider: { violations: Violation[] } }>(admin, fileQuery, { id })).creditServiceProvider.violations;
      expect(kept.withdrawal).toEqual(withdrawals[0]);
    });

    it.each([
      ['empty', ''],
      ['only spaces', '   '],
      ['a zero-width space', '\u200b'],
    ])('refuses a reason that is %s, and an unknown violation, and changes nothing', async (_label, reason) => {
      const { id } = await filedProvider();
      const violation = await record(falseInformation(id, todayInDistrict()));
      const blank = await withdraw(violation.id, reason);
      expect(blank.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'reason' });
      const unknown = await withdraw('no-such-violation', '误录');
      expect(unknown.errors?.[0].extensions).toMatchObject({ code: 'NOT_FOUND', field: 'id' });
      const [kept] = ok(await queryAs<{ creditServiceProvider: { violations: Violation[] } }>(admin, fileQuery, { id })).creditServiceProvider.violations;
      expect(kept.withdrawal).toBeNull();
      expect(await standing(id)).toMatchObject({ inGoodStanding: false });
    });

    it('keeps the sanctions imposed for it and their effects, which the admin undoes by decisions of their own, and imposes no other on it', async () => {
      const { id } = await filedProvider();
      const violation = await record({ ...falseInformation(id, todayInDistrict()), kind: 'OTHER' });
      ok(await queryAs(admin, sanctionMutation, { input: { violationId: violation.id, kind: 'CLASS_DOWNGRADE', reason: '降为C类', downgradeTo: 'C' } }));
      ok(await queryAs(admin, sanctionMutation, { input: { violationId: violation.id, kind: 'SUSPENSION', reason: '调查期间暂停备案' } }));
      const withdrawn = ok(await withdraw(violation.id, '误录：应记入另一机构')).withdrawProviderViolation!;
      expect(withdrawn.sanctions).toEqual([{ kind: 'SUSPENSION' }, { kind: 'CLASS_DOWNGRADE' }]);
      expect(await standing(id)).toMatchObject({ filingStatus: 'SUSPENDED', supervisionClass: 'C' });
      const refused = await queryAs(admin, sanctionMutation, { input: { violationId: violation.id, kind: 'WARNING', reason: '警示约谈' } });
      expect(refused.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'violationId', problem: 'TRANSITION_NOT_ALLOWED' });
      expect(await count('provider_sanction', 'violation_id = ?', [violation.id])).toBe(2);
      ok(await queryAs(admin, 'mutation ($id: ID!) { decideProviderFiling(id: $id, decision: REINSTATE, reason: "违规记录系误录，已撤销，恢复备案") { id } }', { id }));
      ok(await queryAs(admin, 'mutation ($id: ID!) { setProviderSupervisionClass(id: $id, supervisionClass: B, reason: "违规记录系误录，已撤销") { id } }', { id }));
      expect(await standing(id)).toMatchObject({ filingStatus: 'FILED', supervisionClass: 'B', inGoodStanding: true });
    });

    it('takes turns with a sanction of the same violation sent at the same moment: a sanction is imposed before the withdrawal or refused after it', async () => {
      const { id } = await filedProvider();
      // Forty rounds: a sanction reading the violation before it holds the provider's lock was
      // caught imposing a sanction after the withdrawal (MySQL) within them.
      for (let round = 0; round < 40; round += 1) {
        const violation = await record({ ...falseInformation(id, todayInDistrict()), kind: 'OTHER', description: `未按期报送（第${round + 1}次）` });
        const [sanctioned, withdrawn] = await Promise.all([
          queryAs<{ sanctionProvider: { id: string } | null }>(admin, sanctionMutation, { input: { violationId: violation.id, kind: 'WARNING', reason: '警示约谈' } }),
          withdraw(violation.id, '误录'),
        ]);
        const withdrawnAt = Date.parse(ok(withdrawn).withdrawProviderViolation!.withdrawal!.withdrawnAt);
        if (sanctioned.errors) {
          expect(sanctioned.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', problem: 'TRANSITION_NOT_ALLOWED' });
          expect(await count('provider_sanction', 'violation_id = ?', [violation.id])).toBe(0);
        } else {
          const sanction = await db().getRepository(ProviderSanction).findOneByOrFail({ violationId: violation.id });
          expect(sanction.imposedAt.getTime()).toBeLessThanOrEqual(withdrawnAt);
        }
      }
    });

    it('shows the provider its own withdrawn violation, naming the registry but not the admin, and no other provider any', async () => {
      const { id, code } = await filedProvider();
      const other = await filedProvider();
      const violation = await record(falseInformation(id, todayInDistrict()));
      ok(await withdraw(violation.id, '误录'));
      const own = ok(await queryAs<{ creditServiceProvider: { violations: Violation[] } }>(identityOf(providerUser(code)), fileQuery, { id })).creditServiceProvider.violations;
      expect(own).toEqual([expect.objectContaining({ id: violation.id, recordedBy: null, withdrawal: expect.objectContaining({ reason: '误录', withdrawnBy: null, withdrawnByOrganisation: 'CREDIT_OFFICE' }) })]);
      const theirs = await queryAs<{ creditServiceProvider: { violations: unknown } }>(identityOf(providerUser(other.code)), fileQuery, { id });
      expect(theirs.data?.creditServiceProvider.violations).toBeNull();
      expect(theirs.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN' });
    });

    it.each([
      ['the provider itself', null],
      ['the credit office supervisor', identityOf(creditOffice, { matter: 'CREDIT_SUPERVISION' })],
      ['an analyst', identityOf(analyst)],
      ['an anonymous caller', identityOf(null)],
    ])('is refused to %s, with FORBIDDEN, and changes nothing', async (_label, identity) => {
      const { id, code } = await filedProvider();
      const violation = await record(falseInformation(id, todayInDistrict()));
      const as = identity ?? identityOf(providerUser(code));
      expect(as.grants).not.toContain('PROVIDER_ADMINISTRATION');
      const result = await withdraw(violation.id, '误录', as);
      expect(result.data?.withdrawProviderViolation).toBeNull();
      expect(result.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', group: 'PROVIDER_ADMINISTRATION' });
      expect(await standing(id)).toMatchObject({ inGoodStanding: false });
    });
  });
});
