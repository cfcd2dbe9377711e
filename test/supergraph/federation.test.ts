import { demoWorld } from '../../scripts/demo/world';
import { subgraphNames, type SubgraphName } from '../../schema/subgraphs';
import { testDatabases } from '../helpers/databases';
import { usePlatform, supervisor, type As, type Platform } from '../helpers/platform';
import { requestIdOf } from '../helpers/graphql';

/** An officer of a department that registers market subjects. */
const registrar: As = { caller: { id: 'test-registrar', organisation: 'MARKET_REGULATION', organisationKind: 'DEPARTMENT', role: 'DEPARTMENT_OFFICER' } };

const world = demoWorld({ subjects: 100 });

async function count(platform: Platform, name: SubgraphName, sql: string, params: unknown[]): Promise<number> {
  const [row] = await platform.databases[name].query(sql, params);
  return Number(Object.values(row as Record<string, unknown>)[0]);
}

describe.each(testDatabases)('the supergraph through the gateway on $label', (database) => {
  const platform = usePlatform(database, 'federation', { seedSubjects: world.subjects.length });

  it('answers one query with data from all five subgraphs', async () => {
    const subject = world.subjects[0];
    const result = await platform.query<{
      subject: {
        name: string;
        creditRecords: { totalCount: number; edges: { node: { category: string; sourceDepartment: { nameZh: string }; subject: { id: string } } }[] };
        creditReports: { totalCount: number; edges: { node: { source: string; issuer: { name: string; filingStatus: string } | null } }[] };
        disclosures: { totalCount: number; edges: { node: { organisation: string; subject: { name: string } } }[] };
      };
    }>(
      /* GraphQL */ `
        query Federated($id: ID!) {
          subject(id: $id) {
            name
            creditRecords(first: 50) { totalCount edges { node { category sourceDepartment { nameZh } subject { id } } } }
            creditReports(first: 50) { totalCount edges { node { source issuer { name filingStatus } } } }
            disclosures(first: 50) { totalCount edges { node { organisation subject { name } } } }
          }
        }
      `,
      { id: subject.id },
      supervisor,
    );
    expect(result.errors).toBeUndefined();
    const data = result.data!.subject;
    expect(data.name).toBe(subject.name);

    const records = await count(platform, 'records', 'SELECT COUNT(*) FROM credit_record WHERE subject_id = ?', [subject.id]);
    expect(records).toBeGreaterThan(0);
    expect(data.creditRecords.totalCount).toBe(records);
    expect(data.creditRecords.edges).toHaveLength(records);
    for (const { node } of data.creditRecords.edges) {
      expect(node.subject.id).toBe(subject.id);
      expect(node.sourceDepartment.nameZh).toMatch(/^(区|北戴河区)/);
    }

    const reports = await count(platform, 'reports', 'SELECT COUNT(*) FROM credit_report WHERE subject_id = ?', [subject.id]);
    expect(data.creditReports.totalCount).toBe(reports);
    const thirdParty = data.creditReports.edges.find((e) => e.node.issuer !== null);
    expect(thirdParty).toBeDefined();
    const provider = world.providers.find((p) => p.name === thirdParty!.node.issuer!.name)!;
    expect(thirdParty!.node.issuer!.filingStatus).toBe(provider.filingStatus);

    // The read itself is audited once it is answered: it is not among the disclosures it lists.
    const disclosures = await count(platform, 'audit', "SELECT COUNT(*) FROM audit_entry WHERE subject_id = ? AND outcome = 'DISCLOSED' AND request_id <> ?", [subject.id, requestIdOf(result)]);
    expect(disclosures).toBeGreaterThan(0);
    expect(data.disclosures.totalCount).toBe(disclosures);
    expect(data.disclosures.edges.every((e) => e.node.subject.name === subject.name)).toBe(true);
  });

  it('issues the same number of SQL statements per subgraph for 5 subjects as for 50', async () => {
    const LIST = /* GraphQL */ `
      query List($first: Int!) {
        searchSubjects(name: "北戴河", first: $first) {
          edges { node { id name creditRecords(first: 5) { totalCount edges { node { category sourceDepartment { name } } } }
                             creditReports(first: 5) { edges { node { grade issuer { name } } } }
                             disclosures(first: 3) { totalCount } } }
        }
      }
    `;
    const statementsFor = async (first: number) => {
      for (const counter of Object.values(platform.sql)) counter.reset();
      const result = await platform.query<{ searchSubjects: { edges: unknown[] } }>(LIST, { first }, supervisor);
      expect(result.errors).toBeUndefined();
      expect(result.data!.searchSubjects.edges).toHaveLength(first);
      return Object.fromEntries(subgraphNames.map((n) => [n, platform.sql[n].selects.length]));
    };
    // The first search of a term of three characters or more also counts its bigrams, once per
    // process (subject-names.ts `rarestGram`): not per subject, and not counted here.
    await statementsFor(5);
    const five = await statementsFor(5);
    const fifty = await statementsFor(50);
    // One statement per subgraph, not one per subject. (Providers are asked only when a listed
    // report has a third-party issuer, which 5 subjects may not have.) The audit subgraph also
    // appends the request's audit batch: a constant number of statements too.
    expect(fifty).toMatchObject({ entities: 1, records: 1, reports: 1, providers: 1 });
    expect(five).toMatchObject({ entities: 1, records: 1, reports: 1 });
    expect(five.providers).toBeLessThanOrEqual(1);
    expect(fifty.audit).toBe(five.audit);
  });

  const REGISTER_WITH_DATE = 'mutation($date: Date) { registerSubject(input: { kind: ENTERPRISE, name: "某公司", code: "914403001922038216", registrationDate: $date }) { id } }';
  it.each([
    ['a malformed query', '{ subject(id: "1") { name ', undefined, 'GRAPHQL_PARSE_FAILED'],
    ['an unknown field', '{ subject(id: "1") { shoeSize } }', undefined, 'GRAPHQL_VALIDATION_FAILED'],
    ['an argument of the wrong type', '{ searchSubjects(name: 42) { totalCount } }', undefined, 'GRAPHQL_VALIDATION_FAILED'],
    ['a variable of the wrong type', 'query($n: String!) { searchSubjects(name: $n) { totalCount } }', { n: 42 }, 'BAD_USER_INPUT'],
    ['an impossible date in a variable', REGISTER_WITH_DATE, { date: '2023-02-30' }, 'BAD_USER_INPUT'],
    // The gateway passes literals on to the subgraph, whose validation then rejects the value.
    ['an impossible date written in the query', 'mutation { registerSubject(input: { kind: ENTERPRISE, name: "某公司", code: "914403001922038216", registrationDate: "2023-02-30" }) { id } }', undefined, 'GRAPHQL_VALIDATION_FAILED'],
  ])('refuses %s with a typed error, no stack trace, and stores nothing', async (_label, query, variables, code) => {
    const before = await count(platform, 'entities', 'SELECT COUNT(*) FROM subject', []);
    const result = await platform.query(query, variables, registrar);
    expect(result.errors?.[0]).toMatchObject({ extensions: { code } });
    expect(Object.values(result.data ?? {}).filter((value) => value !== null)).toEqual([]);
    expect(JSON.stringify(result)).not.toMatch(/stacktrace|at .*\.ts:\d+/);
    expect(await count(platform, 'entities', 'SELECT COUNT(*) FROM subject', [])).toBe(before);
  });

  it('passes a subgraph error code through and stores nothing', async () => {
    const before = await count(platform, 'entities', 'SELECT COUNT(*) FROM subject', []);
    const result = await platform.query(`mutation { registerSubject(input: { kind: ENTERPRISE, name: "某公司", code: "914403001922038217", registrationDate: "2020-01-01" }) { id } }`, {}, registrar);
    expect(result.data).toEqual({ registerSubject: null });
    expect(result.errors?.[0].extensions).toMatchObject({ code: 'INVALID_CREDIT_CODE', problem: 'WRONG_CHECK_CHARACTER' });
    expect(await count(platform, 'entities', 'SELECT COUNT(*) FROM subject', [])).toBe(before);
  });

  it('says exactly which part failed when one subgraph is down, and still answers the rest', async () => {
    await platform.subgraphs.reports.stop();
    const result = await platform.query<{ subject: { name: string; creditRecords: { totalCount: number }; creditReports: unknown } }>(
      `query($id: ID!) { subject(id: $id) { name creditRecords { totalCount } creditReports { totalCount } } }`,
      { id: world.subjects[0].id },
      supervisor,
    );
    expect(result.data?.subject.name).toBe(world.subjects[0].name);
    expect(result.data?.subject.creditRecords.totalCount).toBeGreaterThan(0);
    expect(result.data?.subject.creditReports).toBeNull();
    expect(result.errors).toHaveLength(1);
    expect(result.errors?.[0]).toMatchObject({ message: 'the reports subgraph could not be reached', extensions: { code: 'SUBGRAPH_UNAVAILABLE', serviceName: 'reports' } });
  });
});
