import { todayInDistrict } from '../../../lib/calendar';
import { demoWorld } from '../../../scripts/demo/world';
import { demoProviderHistory } from '../../../subgraphs/providers/demo-history';
import { CreditReport } from '../../../subgraphs/reports/entities/credit-report.entity';
import { seedReports } from '../../../subgraphs/reports/seed';
import { reportsSubgraph } from '../../../subgraphs/reports/subgraph';
import type { Seeded } from '../../../subgraphs/shared/seeding';
import { testDatabases } from '../../helpers/databases';
import type { Connection } from '../../helpers/graphql';
import { useSubgraph } from '../../helpers/subgraph';
import { financeOfficer, identityOf } from '../providers/callers';

interface ReportNode {
  id: string;
  subject: { id: string };
  source: string;
  issuerName: string;
  issuer: { id: string } | null;
  reportNumber: string;
  grade: string | null;
  issuedOn: string;
  validUntil: string;
  verificationCode: string;
  documentSha256: string | null;
  isWithinValidity: boolean;
  registeredAt: string;
}

type ReportPage = Connection<ReportNode>;

const world = demoWorld({ subjects: 60 });

const reportFields = /* GraphQL */ `
  fragment ReportFields on CreditReport {
    id subject { id } source issuerName issuer { id } reportNumber grade issuedOn validUntil
    verificationCode documentSha256 isWithinValidity registeredAt
  }
`;
const pageFields = /* GraphQL */ `
  fragment PageFields on CreditReportConnection {
    edges { cursor node { ...ReportFields } }
    pageInfo { hasNextPage endCursor }
    totalCount
  }
  ${reportFields}
`;
const subjectReports = /* GraphQL */ `
  query ($representations: [_Any!]!, $first: Int, $after: String) {
    _entities(representations: $representations) { ... on Subject { id creditReports(first: $first, after: $after) { ...PageFields } } }
  }
  ${pageFields}
`;
const providerReports = /* GraphQL */ `
  query ($representations: [_Any!]!, $first: Int, $after: String) {
    _entities(representations: $representations) { ... on CreditServiceProvider { id issuedReports(first: $first, after: $after) { ...PageFields } } }
  }
  ${pageFields}
`;
const reportEntities = /* GraphQL */ `
  query ($representations: [_Any!]!) {
    _entities(representations: $representations) { ... on CreditReport { ...ReportFields } }
  }
  ${reportFields}
`;

function addDays(isoDate: string, days: number): string {
  return new Date(Date.parse(`${isoDate}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

/** A report of the test's own, outside the demo world, with what a test does not care about filled in. */
function report(id: string, overrides: Partial<CreditReport>): CreditReport {
  return Object.assign(new CreditReport(), {
    id,
    subjectId: 'test-subject',
    source: 'CREDIT_CHINA',
    issuerName: '信用中国网站',
    issuerProviderId: null,
    reportNumber: `TEST-2026-${id}`,
    grade: null,
    issuedOn: '2026-01-01',
    validUntil: '2026-03-31',
    verificationCode: 'TEST2026',
    documentSha256: null,
    registeredAt: new Date('2026-01-02T03:04:05.678Z'),
    ...overrides,
  });
}

describe.each(testDatabases)('reports subgraph on $label', (database) => {
  const { db, sql, query, queryAs } = useSubgraph(reportsSubgraph, database);
  let seededFirst: Seeded;
  let seededAgain: Seeded;
  const today = todayInDistrict();

  async function reportsOf(typename: 'Subject' | 'CreditServiceProvider', id: string, first?: number, after?: string | null): Promise<ReportPage> {
    const field = typename === 'Subject' ? 'creditReports' : 'issuedReports';
    const result = await query(typename === 'Subject' ? subjectReports : providerReports, { representations: [{ __typename: typename, id }], first, after });
    expect(result.errors).toBeUndefined();
    return (result.data?._entities as Record<string, ReportPage>[])[0][field];
  }

  async function storedCount(where: string, params: unknown[]): Promise<number> {
    const [{ n }] = (await db().query(`SELECT COUNT(*) AS n FROM credit_report WHERE ${where}`, params)) as { n: number | string }[];
    return Number(n);
  }

  beforeAll(async () => {
    seededFirst = await seedReports(db(), world);
    seededAgain = await seedReports(db(), world);
    // 25 reports of one subject and one provider, several on the same day, for paging.
    const paging = Array.from({ length: 25 }, (_, i) =>
      report(`paging-${String(i).padStart(2, '0')}`, {
        subjectId: 'paging-subject',
        source: 'THIRD_PARTY_PROVIDER',
        issuerName: '测试信用服务有限公司',
        issuerProviderId: 'paging-provider',
        grade: 'A',
        issuedOn: addDays('2026-06-01', Math.floor(i / 3)),
        validUntil: addDays('2027-05-31', Math.floor(i / 3)),
      }),
    );
    // Validity is judged against today in China, whatever day the test runs.
    const validity = [report('valid-today', { subjectId: 'validity-subject', validUntil: today, issuedOn: addDays(today, -89) }), report('expired-yesterday', { subjectId: 'validity-subject', validUntil: addDays(today, -1), issuedOn: addDays(today, -90) })];
    await db().getRepository(CreditReport).insert([...paging, ...validity]);
  });

  describe('seed', () => {
    it('inserts the demo reports once, and nothing on a second run', async () => {
      expect(seededFirst).toBeGreaterThan(5);
      expect(seededAgain).toBeNull();
      expect(await storedCount("id NOT LIKE 'paging-%' AND subject_id <> 'validity-subject'", [])).toBe(seededFirst);
    });

    it('writes reports of all four sources, third-party ones with an issuer and a grade for organisations', async () => {
      const rows = await db().getRepository(CreditReport).find();
      const seeded = rows.filter((r) => world.subjects.some((s) => s.id === r.subjectId));
      expect(new Set(seeded.map((r) => r.source))).toEqual(new Set(['CREDIT_CHINA', 'LOCAL_CREDIT_WEBSITE', 'PUBLIC_CREDIT_SERVICE_INSTITUTION', 'THIRD_PARTY_PROVIDER']));
      const providerIds = new Set(world.providers.map((p) => p.id));
      for (const r of seeded) {
        expect(r.reportNumber).toMatch(/^[0-9A-Z]{4,5}-20\d\d-\d{7}$/);
        expect(r.verificationCode).toMatch(/^[0-9A-Z]{8,12}$/);
        if (r.grade !== null) expect(r.grade).toMatch(/^(AAA|AA|A|BBB|BB|B|CCC|CC|C)[+-]?$/);
        expect(r.issuedOn <= r.validUntil).toBe(true);
        expect(r.issuedOn < '2026-11-25').toBe(true);
        expect(r.issuerProviderId === null).toBe(r.source !== 'THIRD_PARTY_PROVIDER');
        if (r.issuerProviderId) expect(providerIds.has(r.issuerProviderId)).toBe(true);
      }
      expect(seeded.some((r) => r.validUntil < '2026-11-25')).toBe(true);
      expect(seeded.some((r) => r.validUntil >= '2026-11-25')).toBe(true);
    });

    it('seeds the fixed cases of subjects 0-10 that the README cites', async () => {
      const bySubject = async (index: number) => (await reportsOf('Subject', world.subjects[index].id, 100)).edges.map((e) => e.node);
      const [zero] = await bySubject(0);
      expect(zero).toMatchObject({ source: 'THIRD_PARTY_PROVIDER', grade: 'AAA', issuer: { id: world.providers[0].id }, issuerName: world.providers[0].name, issuedOn: '2026-06-15', validUntil: '2027-06-14' });
      expect(world.providers[0]).toMatchObject({ filingStatus: 'FILED', supervisionClass: 'A' });
      for (const index of [1, 2, 3, 4, 5, 6]) expect(await bySubject(index)).toEqual([]);
      const seven = await bySubject(7);
      expect(seven).toHaveLength(1);
      expect(seven[0]).toMatchObject({ validUntil: '2026-03-09', isWithinValidity: false });
      const eight = await bySubject(8);
      expect(eight).toHaveLength(1);
      expect(eight[0]).toMatchObject({ source: 'THIRD_PARTY_PROVIDER', issuer: { id: world.providers[11].id }, validUntil: '2027-05-19' });
      expect(world.providers[11].filingStatus).toBe('REVOKED');
      const nine = await bySubject(9);
      expect(nine).toHaveLength(1);
      expect(nine[0]).toMatchObject({ source: 'CREDIT_CHINA', issuer: null, issuerName: '信用中国网站', validUntil: '2027-01-27' });
      const ten = await bySubject(10);
      expect(ten).toHaveLength(1);
      expect(ten[0]).toMatchObject({ source: 'THIRD_PARTY_PROVIDER', grade: 'A', issuer: { id: world.providers[10].id }, validUntil: '2027-04-07' });
      expect(world.providers[10].filingStatus).toBe('SUSPENDED');
      for (const r of [zero, ...seven, ...eight, ...nine, ...ten]) expect(r.isWithinValidity).toBe(r.validUntil >= today);
    });

    it('issues each third-party report while its provider stood well, as registration would require', async () => {
      const windows = demoProviderHistory(world).windows;
      const rows = await db().getRepository(CreditReport).find();
      const thirdParty = rows.filter((r) => r.source === 'THIRD_PARTY_PROVIDER' && world.subjects.some((s) => s.id === r.subjectId));
      expect(thirdParty.length).toBeGreaterThan(3);
      for (const r of thirdParty) {
        const window = windows.get(r.issuerProviderId!);
        expect(window).toBeDefined();
        expect(r.issuedOn >= window!.from).toBe(true);
        if (window!.until) expect(r.issuedOn < window!.until).toBe(true);
      }
    });

    it('marks one registered report as found not genuine by an officer, and none of the platform\'s own', async () => {
      expect(await storedCount("verification_outcome = 'NOT_GENUINE'", [])).toBe(1);
      expect(await storedCount("source = 'DISTRICT_PLATFORM'", [])).toBe(0);
    });

    it('has reports issued by the SUSPENDED and the REVOKED provider, and none by the one still APPLIED', async () => {
      expect(await storedCount('issuer_provider_id = ?', [world.providers[10].id])).toBeGreaterThan(0);
      expect(await storedCount('issuer_provider_id = ?', [world.providers[11].id])).toBeGreaterThan(0);
      expect(await storedCount('issuer_provider_id = ?', [world.providers[9].id])).toBe(0);
    });
  });

  describe('Query.creditReport', () => {
    it('returns every field of a report, with subject and issuer as references', async () => {
      const stored = await db().getRepository(CreditReport).findOneByOrFail({ id: 'paging-00' });
      const result = await query(`query ($id: ID!) { creditReport(id: $id) { ...ReportFields } } ${reportFields}`, { id: 'paging-00' });
      expect(result).toEqual({
        status: 200,
        data: {
          creditReport: {
            id: 'paging-00',
            subject: { id: 'paging-subject' },
            source: 'THIRD_PARTY_PROVIDER',
            issuerName: '测试信用服务有限公司',
            issuer: { id: 'paging-provider' },
            reportNumber: 'TEST-2026-paging-00',
            grade: 'A',
            issuedOn: '2026-06-01',
            validUntil: '2027-05-31',
            verificationCode: 'TEST2026',
            documentSha256: null,
            isWithinValidity: stored.validUntil >= today,
            registeredAt: '2026-01-02T03:04:05.678Z',
          },
        },
        // What the response disclosed, for the gateway's audit log: one subject, its reports, and
        // the verification code, the report's case file (this identity holds DISCLOSURE_LOG).
        extensions: { disclosures: [{ subjectId: 'paging-subject', groups: ['DISCLOSURE_LOG', 'REPORTS'] }] },
      });
    });

    it('returns null for an unknown id', async () => {
      expect(await query('query { creditReport(id: "no-such-report") { id } }')).toEqual({ status: 200, data: { creditReport: null } });
    });

    it('is within validity up to and including its last valid day in China', async () => {
      const validity = async (id: string) => (await query('query ($id: ID!) { creditReport(id: $id) { isWithinValidity } }', { id })).data?.creditReport;
      expect(await validity('valid-today')).toEqual({ isWithinValidity: true });
      expect(await validity('expired-yesterday')).toEqual({ isWithinValidity: false });
    });
  });

  describe('CreditReport.__resolveReference', () => {
    it('resolves many references in order, with null for an id that does not exist', async () => {
      const ids = ['paging-03', 'no-such-report', 'paging-01', 'valid-today'];
      const result = await query(reportEntities, { representations: ids.map((id) => ({ __typename: 'CreditReport', id })) });
      expect(result.errors).toBeUndefined();
      expect((result.data?._entities as (ReportNode | null)[]).map((r) => r?.id ?? null)).toEqual(['paging-03', null, 'paging-01', 'valid-today']);
    });

    it('reads 5 and 50 references with the same number of SELECT statements', async () => {
      const ids = (n: number) => Array.from({ length: n }, (_, i) => (i < 25 ? `paging-${String(i).padStart(2, '0')}` : `missing-${i}`));
      const forFive = await sql.selectsDuring(async () => expect((await query(reportEntities, { representations: ids(5).map((id) => ({ __typename: 'CreditReport', id })) })).errors).toBeUndefined());
      const forFifty = await sql.selectsDuring(async () => expect((await query(reportEntities, { representations: ids(50).map((id) => ({ __typename: 'CreditReport', id })) })).errors).toBeUndefined());
      expect(forFive).toBe(1);
      expect(forFifty).toBe(forFive);
    });
  });

  describe('Subject.creditReports', () => {
    it('lists a subject\'s reports newest first, the id breaking ties within a day', async () => {
      const page = await reportsOf('Subject', 'paging-subject', 100);
      expect(page.totalCount).toBe(25);
      const expected = Array.from({ length: 25 }, (_, i) => ({ id: `paging-${String(i).padStart(2, '0')}`, issuedOn: addDays('2026-06-01', Math.floor(i / 3)) }))
        .sort((a, b) => (a.issuedOn === b.issuedOn ? (a.id < b.id ? 1 : -1) : a.issuedOn < b.issuedOn ? 1 : -1))
        .map((r) => r.id);
      expect(page.edges.map((e) => e.node.id)).toEqual(expected);
    });

    it('pages through with first/after, without gaps or repeats', async () => {
      const all = (await reportsOf('Subject', 'paging-subject', 100)).edges.map((e) => e.node.id);
      const first = await reportsOf('Subject', 'paging-subject', 10);
      expect(first).toMatchObject({ totalCount: 25, pageInfo: { hasNextPage: true } });
      const second = await reportsOf('Subject', 'paging-subject', 10, first.pageInfo.endCursor);
      expect(second).toMatchObject({ totalCount: 25, pageInfo: { hasNextPage: true } });
      const third = await reportsOf('Subject', 'paging-subject', 10, second.pageInfo.endCursor);
      expect(third).toMatchObject({ totalCount: 25, pageInfo: { hasNextPage: false } });
      expect(third.edges).toHaveLength(5);
      expect([...first.edges, ...second.edges, ...third.edges].map((e) => e.node.id)).toEqual(all);
    });

    it('gives an empty connection to a subject without reports', async () => {
      expect(await reportsOf('Subject', 'subject-without-reports')).toEqual({ edges: [], pageInfo: { hasNextPage: false, endCursor: null }, totalCount: 0 });
    });

    it.each([0, 101])('rejects first: %i with BAD_USER_INPUT on the field first', async (first) => {
      const result = await query(subjectReports, { representations: [{ __typename: 'Subject', id: 'paging-subject' }], first });
      expect(result.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'first' });
      expect(result.errors?.[0].message).toBe(`first must be between 1 and 100, got ${first}`);
    });

    it('rejects a cursor it did not issue with INVALID_CURSOR', async () => {
      const result = await query(subjectReports, { representations: [{ __typename: 'Subject', id: 'paging-subject' }], after: 'bm90LWEtY3Vyc29y' });
      expect(result.errors?.[0].extensions).toMatchObject({ code: 'INVALID_CURSOR', field: 'after' });
    });

    it("answers a purpose for organisations about an enterprise, and refuses it for a person (SUBJECT_KIND_NOT_COVERED) and for a subject whose kind the gateway did not bring (SUBJECT_KIND_UNKNOWN)", async () => {
      const procurement = identityOf(financeOfficer, { matter: 'GOVERNMENT_PROCUREMENT', caseNumber: 'BDH-CG-2026-0301' });
      expect(procurement.scope.subjectKinds).toEqual(expect.not.arrayContaining(['NATURAL_PERSON']));
      const representations = [
        { __typename: 'Subject', id: 'paging-subject', kind: 'ENTERPRISE' },
        { __typename: 'Subject', id: 'paging-subject', kind: 'NATURAL_PERSON' },
        { __typename: 'Subject', id: 'paging-subject' },
      ];
      const result = await queryAs<{ _entities: ({ creditReports: ReportPage | null } | null)[] }>(procurement, subjectReports, { representations, first: 1 });
      expect(result.data?._entities.map((subject) => subject?.creditReports?.totalCount ?? null)).toEqual([25, null, null]);
      expect(result.errors?.map((e) => [e.path, e.extensions?.code, e.extensions?.problem])).toEqual([
        [['_entities', 1, 'creditReports'], 'FORBIDDEN', 'SUBJECT_KIND_NOT_COVERED'],
        [['_entities', 2, 'creditReports'], 'FORBIDDEN', 'SUBJECT_KIND_UNKNOWN'],
      ]);
    });

    it('loads the reports of 5 and of 50 subjects with the same number of SELECT statements', async () => {
      const representations = (n: number) => world.subjects.slice(0, n).map((s) => ({ __typename: 'Subject', id: s.id }));
      const forFive = await sql.selectsDuring(async () => {
        const five = await query(subjectReports, { representations: representations(5), first: 3 });
        expect(five.errors).toBeUndefined();
      });
      const forFifty = await sql.selectsDuring(async () => {
        const fifty = await query(subjectReports, { representations: representations(50), first: 3 });
        expect(fifty.errors).toBeUndefined();
        expect((fifty.data?._entities as unknown[]).length).toBe(50);
      });
      expect(forFive).toBe(1);
      expect(forFifty).toBe(forFive);
    });
  });

  describe('CreditServiceProvider.issuedReports', () => {
    it('lists the reports a provider issued, as many as are stored', async () => {
      for (const provider of world.providers) {
        const page = await reportsOf('CreditServiceProvider', provider.id, 100);
        expect(page.totalCount).toBe(await storedCount('issuer_provider_id = ?', [provider.id]));
        expect(page.edges.every((e) => e.node.issuer?.id === provider.id && e.node.source === 'THIRD_PARTY_PROVIDER')).toBe(true);
        const dates = page.edges.map((e) => e.node.issuedOn);
        expect(dates).toEqual([...dates].sort().reverse());
      }
    });

    it('reports each listed report as a disclosure about its subject', async () => {
      const result = await query(providerReports, { representations: [{ __typename: 'CreditServiceProvider', id: world.providers[0].id }], first: 100 });
      expect(result.errors).toBeUndefined();
      const page = (result.data?._entities as Record<string, ReportPage>[])[0].issuedReports;
      const subjects = new Set(page.edges.map((e) => e.node.subject.id));
      expect(subjects.size).toBeGreaterThan(0);
      const disclosed = (result.extensions?.disclosures ?? []) as { subjectId: string; groups: string[] }[];
      expect(new Set(disclosed.map((d) => d.subjectId))).toEqual(subjects);
      expect(disclosed.every((d) => d.groups.includes('PROVIDER_ADMINISTRATION'))).toBe(true);
    });

    it('pages through with first/after', async () => {
      const first = await reportsOf('CreditServiceProvider', 'paging-provider', 20);
      expect(first).toMatchObject({ totalCount: 25, pageInfo: { hasNextPage: true } });
      const second = await reportsOf('CreditServiceProvider', 'paging-provider', 20, first.pageInfo.endCursor);
      expect(second).toMatchObject({ totalCount: 25, pageInfo: { hasNextPage: false } });
      expect(new Set([...first.edges, ...second.edges].map((e) => e.node.id)).size).toBe(25);
    });

    it('loads the reports of 5 and of 50 providers with the same number of SELECT statements', async () => {
      const representations = (n: number) => Array.from({ length: n }, (_, i) => ({ __typename: 'CreditServiceProvider', id: i < world.providers.length ? world.providers[i].id : `provider-${i}` }));
      const forFive = await sql.selectsDuring(async () => expect((await query(providerReports, { representations: representations(5) })).errors).toBeUndefined());
      const forFifty = await sql.selectsDuring(async () => expect((await query(providerReports, { representations: representations(50) })).errors).toBeUndefined());
      expect(forFive).toBe(1);
      expect(forFifty).toBe(forFive);
    });
  });

  describe('credit_report table', () => {
    it('refuses a second report with the same issuer and report number', async () => {
      const repository = db().getRepository(CreditReport);
      await expect(repository.insert(report('duplicate-number', { reportNumber: 'TEST-2026-paging-00', issuerName: '测试信用服务有限公司' }))).rejects.toThrow();
      expect(await repository.existsBy({ id: 'duplicate-number' })).toBe(false);
    });
  });
});
