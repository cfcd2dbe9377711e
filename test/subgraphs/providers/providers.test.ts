import { unifiedSocialCreditCode } from '../../../lib/identifiers';
import { demoWorld } from '../../../scripts/demo/world';
import { demoProviderHistory } from '../../../subgraphs/providers/demo-history';
import { seedProviders } from '../../../subgraphs/providers/seed';
import { providersSubgraph } from '../../../subgraphs/providers/subgraph';
import type { Seeded } from '../../../subgraphs/shared/seeding';
import { testDatabases } from '../../helpers/databases';
import type { Connection, GraphQLResponse } from '../../helpers/graphql';
import { useSubgraph } from '../../helpers/subgraph';

interface ProviderNode {
  id: string;
  name: string;
  unifiedSocialCreditCode: string;
  filingStatus: string;
  supervisionClass: string | null;
  filedOn: string | null;
  inGoodStanding: boolean;
}

type ProviderPage = Connection<ProviderNode>;

/** What a client reads of an answer: its status and body, without the HTTP headers the helper returns too. */
const answer = ({ status, data, errors }: GraphQLResponse) => ({ status, data, errors });

const world = demoWorld({ subjects: 10 });
const providerFields = /* GraphQL */ `
  fragment ProviderFields on CreditServiceProvider {
    id name unifiedSocialCreditCode filingStatus supervisionClass filedOn inGoodStanding
  }
`;

describe.each(testDatabases)('providers subgraph on $label', (database) => {
  const { db, sql, query } = useSubgraph(providersSubgraph, database);
  let seededFirst: Seeded;
  let seededAgain: Seeded;

  async function page(variables: Record<string, unknown>): Promise<ProviderPage> {
    const result = await query(
      /* GraphQL */ `
        query ($filingStatus: FilingStatus, $supervisionClass: SupervisionClass, $first: Int, $after: String) {
          creditServiceProviders(filingStatus: $filingStatus, supervisionClass: $supervisionClass, first: $first, after: $after) {
            edges { cursor node { ...ProviderFields } }
            pageInfo { hasNextPage endCursor }
            totalCount
          }
        }
        ${providerFields}
      `,
      variables,
    );
    expect(result.errors).toBeUndefined();
    return result.data?.creditServiceProviders as ProviderPage;
  }

  beforeAll(async () => {
    seededFirst = await seedProviders(db(), world);
    seededAgain = await seedProviders(db(), world);
  });

  describe('seed', () => {
    it('inserts every provider of the demo world and its history once, and nothing on a second run', async () => {
      const history = demoProviderHistory(world);
      const changesOfName = history.filingChanges.length + history.formerNames.length;
      expect(seededFirst).toBe(world.providers.length + history.events.length + history.classChanges.length + history.violations.length + history.sanctions.length + changesOfName);
      expect(seededAgain).toBeNull();
      const [{ n }] = (await db().query('SELECT COUNT(*) AS n FROM credit_service_provider')) as { n: number | string }[];
      expect(Number(n)).toBe(world.providers.length);
    });

    it('records each sanction’s effect (a class change, a suspension, a revocation) at the instant the sanction was imposed, as the schema says', () => {
      const history = demoProviderHistory(world);
      const effects = [...history.classChanges, ...history.events].filter((e) => e.sanctionId !== null);
      expect(effects.length).toBeGreaterThan(0);
      for (const effect of effects) {
        const sanction = history.sanctions.find((s) => s.id === effect.sanctionId)!;
        expect({ sanction: sanction.kind, at: effect.occurredAt.toISOString() }).toEqual({ sanction: sanction.kind, at: sanction.imposedAt.toISOString() });
      }
    });
  });

  describe('Query.creditServiceProvider', () => {
    it('returns every field of a provider as filed', async () => {
      const p = world.providers[0];
      const result = await query(
        /* GraphQL */ `
          query ($id: ID!) {
            creditServiceProvider(id: $id) {
              id unifiedSocialCreditCode name registeredAddress legalRepresentative businessScope contact
              filingStatus supervisionClass filedOn inGoodStanding
            }
          }
        `,
        { id: p.id },
      );
      expect(answer(result)).toEqual({
        status: 200,
        data: {
          creditServiceProvider: {
            id: p.id,
            unifiedSocialCreditCode: p.unifiedSocialCreditCode,
            name: p.name,
            registeredAddress: p.registeredAddress,
            legalRepresentative: p.legalRepresentative,
            businessScope: p.businessScope,
            contact: p.contact,
            filingStatus: 'FILED',
            supervisionClass: 'A',
            filedOn: p.filedOn,
            inGoodStanding: true,
          },
        },
      });
    });

    it('returns null for an unknown id', async () => {
      const result = await query('query { creditServiceProvider(id: "no-such-provider") { id } }');
      expect(answer(result)).toEqual({ status: 200, data: { creditServiceProvider: null } });
    });

    it('reports good standing only for FILED providers outside class D', async () => {
      const standing = async (index: number) => {
        const result = await query('query ($id: ID!) { creditServiceProvider(id: $id) { filingStatus supervisionClass inGoodStanding } }', { id: world.providers[index].id });
        return result.data?.creditServiceProvider;
      };
      expect(await standing(5)).toEqual({ filingStatus: 'FILED', supervisionClass: 'C', inGoodStanding: true });
      expect(await standing(8)).toEqual({ filingStatus: 'FILED', supervisionClass: 'D', inGoodStanding: false });
      expect(await standing(9)).toEqual({ filingStatus: 'APPLIED', supervisionClass: null, inGoodStanding: false });
      expect(await standing(10)).toEqual({ filingStatus: 'SUSPENDED', supervisionClass: 'C', inGoodStanding: false });
      expect(await standing(11)).toEqual({ filingStatus: 'REVOKED', supervisionClass: 'D', inGoodStanding: false });
    });
  });

  describe('Query.creditServiceProviderByCode', () => {
    const byCode = /* GraphQL */ `query ($code: String!) { creditServiceProviderByCode(code: $code) { id name } }`;

    it('finds a provider by its code, trimmed and upper-cased first', async () => {
      const p = world.providers[3];
      const result = await query(byCode, { code: `  ${p.unifiedSocialCreditCode.toLowerCase()} ` });
      expect(answer(result)).toEqual({ status: 200, data: { creditServiceProviderByCode: { id: p.id, name: p.name } } });
    });

    it('returns null for a valid code that no provider holds', async () => {
      const code = unifiedSocialCreditCode({ authority: '9', orgType: '1', division: '130304', organisationBody: 'MA0TEXT0' });
      const result = await query(byCode, { code });
      expect(answer(result)).toEqual({ status: 200, data: { creditServiceProviderByCode: null } });
    });

    it('rejects a code whose check character is wrong with INVALID_CREDIT_CODE', async () => {
      const code = world.providers[0].unifiedSocialCreditCode;
      const wrong = code.slice(0, 17) + (code[17] === '0' ? '1' : '0');
      const result = await query(byCode, { code: wrong });
      expect(result.data?.creditServiceProviderByCode).toBeNull();
      expect(result.errors?.[0].extensions).toMatchObject({ code: 'INVALID_CREDIT_CODE', field: 'code' });
      expect(result.errors?.[0].message).toMatch(/^invalid unified social credit code: /);
    });

    it('rejects a code of the wrong length with INVALID_CREDIT_CODE', async () => {
      const result = await query(byCode, { code: '91130304' });
      expect(result.errors?.[0].extensions).toMatchObject({ code: 'INVALID_CREDIT_CODE', field: 'code' });
    });

    // README, Errors: a required code left blank is BAD_USER_INPUT naming it, as subjectByCode answers; INVALID_CREDIT_CODE is for one typed.
    it.each(['', '   ', ' \u3000 '])('refuses a code left blank (%j) with BAD_USER_INPUT naming code, not as a code of the wrong length', async (code) => {
      const result = await query(byCode, { code });
      expect(result.data?.creditServiceProviderByCode).toBeNull();
      expect(result.errors?.map((e) => e.extensions)).toEqual([{ code: 'BAD_USER_INPUT', field: 'code', problem: 'EMPTY' }]);
      expect(result.errors?.[0].message).toMatch(/^code must not be empty/);
    });
  });

  describe('Query.creditServiceProviders', () => {
    it('lists all providers ordered by name', async () => {
      const all = await page({ first: 100 });
      expect(all.totalCount).toBe(world.providers.length);
      expect(all.pageInfo.hasNextPage).toBe(false);
      const names = all.edges.map((e) => e.node.name);
      expect(new Set(names)).toEqual(new Set(world.providers.map((p) => p.name)));
      expect(names).toEqual([...names].sort());
    });

    it('pages through with first/after, without gaps or repeats', async () => {
      const all = (await page({ first: 100 })).edges.map((e) => e.node.id);
      const first = await page({ first: 5 });
      expect(first).toMatchObject({ totalCount: 12, pageInfo: { hasNextPage: true } });
      const second = await page({ first: 5, after: first.pageInfo.endCursor });
      expect(second).toMatchObject({ totalCount: 12, pageInfo: { hasNextPage: true } });
      const third = await page({ first: 5, after: second.pageInfo.endCursor });
      expect(third).toMatchObject({ totalCount: 12, pageInfo: { hasNextPage: false } });
      expect([...first.edges, ...second.edges, ...third.edges].map((e) => e.node.id)).toEqual(all);
      expect(third.pageInfo.endCursor).toBe(third.edges[1].cursor);
    });

    it('filters by filing status and by supervision class', async () => {
      const filed = await page({ filingStatus: 'FILED' });
      expect(filed.totalCount).toBe(world.providers.filter((p) => p.filingStatus === 'FILED').length);
      expect(filed.edges.every((e) => e.node.filingStatus === 'FILED')).toBe(true);
      const classD = await page({ supervisionClass: 'D' });
      expect(classD.edges.map((e) => e.node.id).sort()).toEqual([world.providers[8].id, world.providers[11].id].sort());
      const filedD = await page({ filingStatus: 'FILED', supervisionClass: 'D' });
      expect(filedD.edges.map((e) => e.node.id)).toEqual([world.providers[8].id]);
      const suspendedA = await page({ filingStatus: 'SUSPENDED', supervisionClass: 'A' });
      expect(suspendedA).toEqual({ edges: [], pageInfo: { hasNextPage: false, endCursor: null }, totalCount: 0 });
    });

    it.each([0, 101, -1])('rejects first: %i with BAD_USER_INPUT on the field first', async (first) => {
      const result = await query('query ($first: Int) { creditServiceProviders(first: $first) { totalCount } providerSupervisionScheme { __typename } }', { first });
      // Only the field is null: the rest of the answer stands.
      expect(result.data).toEqual({ creditServiceProviders: null, providerSupervisionScheme: { __typename: expect.any(String) } });
      expect(result.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'first' });
      expect(result.errors?.[0].message).toBe(`first must be between 1 and 100, got ${first}`);
    });

    it('rejects a cursor it did not issue with INVALID_CURSOR', async () => {
      const result = await query('query { creditServiceProviders(after: "not-a-cursor") { totalCount } }');
      expect(result.errors?.[0].extensions).toMatchObject({ code: 'INVALID_CURSOR', field: 'after' });
    });

    it('rejects a filing status outside the enum before any resolver runs', async () => {
      const result = await query('query { creditServiceProviders(filingStatus: PENDING) { totalCount } }');
      expect(result.errors?.[0].extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    });
  });

  describe('CreditServiceProvider.__resolveReference', () => {
    const entities = /* GraphQL */ `
      query ($representations: [_Any!]!) {
        _entities(representations: $representations) { ... on CreditServiceProvider { ...ProviderFields } }
      }
      ${providerFields}
    `;
    const representations = (ids: string[]) => ids.map((id) => ({ __typename: 'CreditServiceProvider', id }));

    it('resolves many references in order, with null for an id that does not exist', async () => {
      const ids = [...world.providers.map((p) => p.id).reverse(), 'no-such-provider', world.providers[0].id];
      const result = await query(entities, { representations: representations(ids) });
      expect(result.errors).toBeUndefined();
      const resolved = result.data?._entities as (ProviderNode | null)[];
      expect(resolved.map((e) => e?.id ?? null)).toEqual([...world.providers.map((p) => p.id).reverse(), null, world.providers[0].id]);
      expect(resolved[0]).toMatchObject({ name: world.providers[11].name, filingStatus: 'REVOKED', inGoodStanding: false });
    });

    it('reads 5 and 50 references with the same number of SELECT statements', async () => {
      const ids = (n: number) => Array.from({ length: n }, (_, i) => (i < world.providers.length ? world.providers[i].id : `missing-${i}`));
      const forFive = await sql.selectsDuring(async () => expect((await query(entities, { representations: representations(ids(5)) })).errors).toBeUndefined());
      const forFifty = await sql.selectsDuring(async () => expect((await query(entities, { representations: representations(ids(50)) })).errors).toBeUndefined());
      // The providers, and for inGoodStanding the day of any false information found against them.
      expect(forFive).toBe(2);
      expect(forFifty).toBe(forFive);
    });
  });
});
