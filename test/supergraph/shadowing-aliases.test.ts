import fs from 'node:fs';
import { buildSchema, parse, validate } from 'graphql';
import { readFieldNames, shadowingAliasesRule } from '../../gateway/shadowing-aliases';
import { SubgraphDataSource } from '../../gateway/subgraph-data-source';
import type { Caller } from '../../lib/access/identity';
import { supergraphPath } from '../../schema/subgraphs';
import { demoWorld } from '../../scripts/demo/world';
import { testDatabases } from '../helpers/databases';
import { usePlatform, supervisor, type As } from '../helpers/platform';
import { requestIdOf } from '../helpers/graphql';

/**
 * An alias that is the name of another field of its type (probe finding: `subject { kind: name
 * creditRecords { … } }`) met the query planner, which fetches a type's key fields and what another
 * field `@requires` under their own names, by response name: the client's field and the planner's
 * were taken for one, and the records subgraph judged the subject's kind from its name, refused
 * the records as SUBJECT_KIND_NOT_COVERED and the gateway audited a refusal that never was. The
 * gateway refuses such an alias at validation, before anything is fetched or audited.
 */
const world = demoWorld({ subjects: 40 });
const enterprises = world.subjects.filter((s) => s.kind === 'ENTERPRISE');

const finance: Caller = { id: 'officer-finance', organisation: 'FINANCE', organisationKind: 'DEPARTMENT', role: 'DEPARTMENT_OFFICER' };
const procurement: As = { caller: finance, headers: { 'x-credit-matter': 'GOVERNMENT_PROCUREMENT', 'x-credit-case': 'BDH-CG-2026-0117' } };

const REPORT = `issuedOn registeredAt issuer { id } subject { id } issuerStanding { acceptedOnIssueDate stillAccepted }`;

describe.each(testDatabases)('aliases that shadow another field, through the gateway, on $label', (database) => {
  const platform = usePlatform(database, 'aliases', { seedSubjects: world.subjects.length });
  /** An enterprise with a credit report, and what the gateway answers of it without aliases. */
  let subject: { code: string; id: string; name: string; status: string; kind: string; report: Record<string, unknown> };
  let fetches: jest.SpyInstance;
  beforeEach(() => {
    fetches = jest.spyOn(SubgraphDataSource.prototype, 'process');
  });
  afterEach(() => fetches.mockRestore());

  beforeAll(async () => {
    for (const { identifier } of enterprises) {
      const { data } = await platform.query<{ s: { id: string; name: string; status: string; kind: string; creditReports: { edges: { node: Record<string, unknown> }[] } } }>(
        `query ($c: String!) { s: subjectByCode(code: $c) { id name status kind creditReports(first: 1) { edges { node { ${REPORT} } } } } }`,
        { c: identifier },
        procurement,
      );
      const [edge] = data!.s.creditReports.edges;
      if (edge) {
        subject = { code: identifier, ...data!.s, report: edge.node };
        return;
      }
    }
    throw new Error('no enterprise of the demo world has a credit report');
  });

  /** Sends the request; tells what it answered, whether a subgraph was called, and how many audit entries it caused. */
  async function send(selection: string, as: As = procurement) {
    fetches.mockClear();
    const result = await platform.query(`query ($c: String!) { ${selection} }`, { c: subject.code }, as);
    const [{ n }] = await platform.databases.audit.query('SELECT COUNT(*) AS n FROM audit_entry WHERE request_id = ?', [requestIdOf(result)]);
    return { status: result.status, data: result.data, errors: result.errors, fetched: fetches.mock.calls.length > 0, audited: Number(n) };
  }

  it.each([
    ['kind: name, beside creditRecords (which @requires kind)', `s: subjectByCode(code: $c) { kind: name creditRecords(first: 1) { totalCount } }`, 'kind', 'Subject.kind'],
    ['kind: status, beside creditReports (which @requires kind)', `s: subjectByCode(code: $c) { kind: status creditReports(first: 1) { totalCount } }`, 'kind', 'Subject.kind'],
    ['id: name, the key of Subject', `s: subjectByCode(code: $c) { id: name creditRecords(first: 1) { totalCount } }`, 'id', 'Subject.id'],
    ['id: kind, the key of Subject', `s: subjectByCode(code: $c) { id: kind creditRecords(first: 1) { totalCount } }`, 'id', 'Subject.id'],
    ['issuedOn: registeredAt, beside issuerStanding (which @requires issuedOn)', `s: subjectByCode(code: $c) { creditReports(first: 1) { edges { node { issuedOn: registeredAt issuerStanding { stillAccepted } } } } }`, 'issuedOn', 'CreditReport.issuedOn'],
    ['issuer: subject, beside issuerStanding (which @requires issuer { id })', `s: subjectByCode(code: $c) { creditReports(first: 1) { edges { node { issuer: subject { id } issuerStanding { stillAccepted } } } } }`, 'issuer', 'CreditReport.issuer'],
    ['__typename: name, which the planner asks of every entity', `s: subjectByCode(code: $c) { __typename: name creditRecords(first: 1) { totalCount } }`, '__typename', 'Subject.__typename'],
    ['subject: subjectByCode, at the root', `subject: subjectByCode(code: $c) { name }`, 'subject', 'Query.subject'],
    ['an alias in a fragment', `s: subjectByCode(code: $c) { ...S } } fragment S on Subject { kind: name creditRecords(first: 1) { totalCount }`, 'kind', 'Subject.kind'],
  ])('refuses %s before anything is fetched or audited, naming the alias and the field it shadows', async (_label, selection, alias, shadows) => {
    const sent = await send(selection);
    expect({ ...sent, errors: sent.errors?.map((e) => e.extensions) }).toEqual({
      status: 400,
      data: undefined,
      errors: [{ code: 'GRAPHQL_VALIDATION_FAILED', problem: 'ALIAS_SHADOWS_FIELD', alias, shadows }],
      fetched: false,
      audited: 0,
    });
    expect(sent.errors![0].message).toMatch(new RegExp(`^The alias "${alias}" .*${shadows.replace('.', '\\.')}.*: choose another alias`));
  });

  it('refuses a mutation whose alias shadows a field the gateway keeps for itself, before it takes effect', async () => {
    // CreditCheck.reportSatisfied is @inaccessible, required by verdict: the check was stored and answered null.
    const before = await platform.query<{ s: { creditChecks: { totalCount: number } } }>(`query ($c: String!) { s: subjectByCode(code: $c) { creditChecks { totalCount } } }`, { c: subject.code }, procurement);
    const run = await platform.query(
      `mutation ($s: ID!) { runCreditCheck(input: { subjectId: $s, matter: "GOVERNMENT_PROCUREMENT", caseNumber: "BDH-CG-2026-0117" }) { id reportSatisfied: caseNumber verdict } }`,
      { s: subject.id },
      procurement,
    );
    expect([run.status, run.data, run.errors?.map((e) => e.extensions)]).toEqual([400, undefined, [{ code: 'GRAPHQL_VALIDATION_FAILED', problem: 'ALIAS_SHADOWS_FIELD', alias: 'reportSatisfied', shadows: 'CreditCheck.reportSatisfied' }]]);
    expect(run.errors![0].message).toMatch(/one the gateway uses itself/);
    const after = await platform.query<{ s: { creditChecks: { totalCount: number } } }>(`query ($c: String!) { s: subjectByCode(code: $c) { creditChecks { totalCount } } }`, { c: subject.code }, procurement);
    expect(after.data!.s.creditChecks.totalCount).toBe(before.data!.s.creditChecks.totalCount);
  });

  it('answers aliases that shadow no other field, and a field aliased by its own name, as the fields themselves', async () => {
    const answered = await send(
      `s: subjectByCode(code: $c) { id: id name: name subjectKind: kind subjectName: name creditRecords(first: 1) { totalCount } reports: creditReports(first: 1) { edges { node { issuedOn reportIssuedOn: issuedOn registered: registeredAt issuerStanding { standing: stillAccepted } } } } }`,
    );
    expect(answered.errors).toBeUndefined();
    expect(answered.data).toEqual({
      s: {
        id: subject.id,
        name: subject.name,
        subjectKind: 'ENTERPRISE',
        subjectName: subject.name,
        creditRecords: { totalCount: expect.any(Number) },
        reports: { edges: [{ node: { issuedOn: subject.report.issuedOn, reportIssuedOn: subject.report.issuedOn, registered: subject.report.registeredAt, issuerStanding: { standing: (subject.report.issuerStanding as { stillAccepted: boolean }).stillAccepted } } }] },
      },
    });
    // Read and audited as ever: one disclosure of the subject.
    expect(answered.audited).toBe(1);
    expect((await send(`byCode: subjectByCode(code: $c) { name }`, supervisor)).data).toEqual({ byCode: { name: subject.name } });
  });
});

describe('shadowingAliasesRule', () => {
  const supergraph = fs.readFileSync(supergraphPath, 'utf8');
  const schema = buildSchema(`
    type Query { subject(id: ID!): Subject subjects: [Subject!]! }
    type Subject { id: ID! name: String kind: String }
  `);
  const refusals = (query: string) => validate(schema, parse(query), [shadowingAliasesRule(readFieldNames(supergraph))]).map((e) => [e.extensions.alias, e.extensions.shadows]);

  it('reads every field of each type from the supergraph, those the gateway keeps for itself (@inaccessible) with them', () => {
    const fields = readFieldNames(supergraph);
    expect(fields.get('Subject')?.get('kind')).toEqual({ internal: false });
    expect(fields.get('CreditCheck')?.get('reportSatisfied')).toEqual({ internal: true });
  });

  it('refuses each alias that is the name of another field of its type, or __typename, wherever it is', () => {
    expect(refusals(`{ subject(id: "1") { kind: name id: kind __typename: id } subjects { ... on Subject { kind: id } ...F } } fragment F on Subject { name: kind }`)).toEqual([
      ['kind', 'Subject.kind'],
      ['id', 'Subject.id'],
      ['__typename', 'Subject.__typename'],
      ['kind', 'Subject.kind'],
      ['name', 'Subject.name'],
    ]);
  });

  it('lets an alias be its own field’s name, or a name no field of its type has', () => {
    expect(refusals(`{ subject(id: "1") { id: id name: name label: name kindOf: kind __typename typename: __typename } one: subjects { id } }`)).toEqual([]);
  });
});
