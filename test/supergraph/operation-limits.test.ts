import fs from 'node:fs';
import { buildSchema, getIntrospectionQuery, parse, validate } from 'graphql';
import { explorerExamples } from '../../gateway/explorer/examples';
import { defaultOperationLimits, operationCost, operationLimitsForApollo, operationShapeRules, readListSizes, type OperationLimitName, type OperationLimits } from '../../gateway/operation-limits';
import { sections as reportSections } from '../../subgraphs/reports/platform-report';
import { SubgraphDataSource } from '../../gateway/subgraph-data-source';
import { supergraphPath } from '../../schema/subgraphs';
import { testDatabases } from '../helpers/databases';
import { postGraphQL, type GraphQLResponse } from '../helpers/graphql';
import { supervisor, usePlatform } from '../helpers/platform';

/** Small limits, so that an operation at each edge is short enough to read. */
const limits: OperationLimits = { depth: 5, aliases: 3, rootFields: 3, directives: 3, tokens: 50, cost: 302, bodyBytes: 4096 };

const repeat = (n: number, text: string) => Array.from({ length: n }, () => text).join(' ');

/** Every limit is the same kind of refusal: typed, naming the limit and its value. */
function expectRefused(result: GraphQLResponse, limit: OperationLimitName): void {
  expect(result.status).toBe(limit === 'bodyBytes' ? 413 : 400);
  expect(result.data).toBeUndefined();
  expect(result.errors).toHaveLength(1);
  expect(result.errors![0].extensions).toEqual({ code: 'OPERATION_LIMIT_EXCEEDED', limit, max: limits[limit] });
}

function expectAnswered(result: GraphQLResponse): void {
  expect(result.errors).toBeUndefined();
  expect(result.status).toBe(200);
  expect(result.data).toBeTruthy();
}

// The limits are the gateway's and the same whatever the subgraphs store: SQLite is enough.
describe.each(testDatabases.filter((d) => d.label === 'sqlite'))('operation limits at the gateway on $label', (database) => {
  const platform = usePlatform(database, 'limits', { gateway: { limits } });
  let fetches: jest.SpyInstance;
  beforeEach(() => {
    fetches = jest.spyOn(SubgraphDataSource.prototype, 'process');
  });
  afterEach(() => fetches.mockRestore());

  /** A refused operation must cost nothing downstream: no query plan is executed, no subgraph is called. */
  async function refused(query: string, limit: OperationLimitName, variables?: Record<string, unknown>) {
    fetches.mockClear();
    expectRefused(await platform.query(query, variables, supervisor), limit);
    expect(fetches).not.toHaveBeenCalled();
  }

  it('allows an operation as deep as the depth limit and refuses one level more', async () => {
    const edge = (leaf: string) => `{ creditServiceProviders(first: 1) { edges { node { issuedReports(first: 1) ${leaf} } } } }`;
    expectAnswered(await platform.query(edge('{ totalCount }'), {}, supervisor));
    await refused(edge('{ edges { cursor } }'), 'depth');
  });

  it('counts fragments by the fields they add, not as a level of their own', async () => {
    const query = `{ creditServiceProviders(first: 1) { ...Page } } fragment Page on CreditServiceProviderConnection { edges { ... on CreditServiceProviderEdge { node { issuedReports(first: 1) { totalCount } } } } }`;
    expectAnswered(await platform.query(query, {}, supervisor));
  });

  it('allows as many aliases as the limit and refuses one more', async () => {
    expectAnswered(await platform.query(`{ departments { a: code b: code c: code } }`, {}, supervisor));
    await refused(`{ departments { a: code b: code c: code d: code } }`, 'aliases');
  });

  it('allows as many root fields as the limit, counting those in fragments, and refuses one more', async () => {
    const three = `departments { code } creditRecordCategories { code } creditServiceProviders(first: 1) { totalCount }`;
    expectAnswered(await platform.query(`{ ${three} __typename }`, {}, supervisor));
    await refused(`{ ${three} department(code: "FINANCE") { code } }`, 'rootFields');
    await refused(`query { ...Roots } fragment Roots on Query { ${three} department(code: "FINANCE") { code } }`, 'rootFields');
  });

  it('allows as many directives as the limit and refuses one more', async () => {
    expectAnswered(await platform.query(`{ departments @include(if: true) { code @skip(if: false) nameZh @include(if: true) } }`, {}, supervisor));
    await refused(`{ departments @include(if: true) { code @skip(if: false) nameZh @include(if: true) __typename @include(if: true) } }`, 'directives');
  });

  it('allows a document of exactly the token limit and refuses one token more', async () => {
    // The braces are 2 tokens.
    expectAnswered(await platform.query(`{ ${repeat(48, '__typename')} }`, {}, supervisor));
    await refused(`{ ${repeat(49, '__typename')} }`, 'tokens');
  });

  it('allows an operation that costs the limit and refuses one page item more, from a literal or a variable; unpaged lists count too', async () => {
    // 1 (connection) + 1 (totalCount) + n × (edge + node + name) = 2 + 3n: n = 100 costs 302.
    const literal = (n: number) => `{ creditServiceProviders(first: ${n}) { totalCount edges { node { name } } } }`;
    const variable = `query Page($n: Int) { creditServiceProviders(first: $n) { totalCount edges { node { name } } } }`;
    expectAnswered(await platform.query(literal(100), {}, supervisor));
    expectAnswered(await platform.query(variable, { n: 100 }, supervisor));
    await refused(literal(101), 'cost');
    await refused(variable, 'cost', { n: 101 });
    // A page written out is the operation's own cost, whatever its other variables hold: refused every time it is sent.
    const writtenOut = `query Page($code: String!) { subjectByCode(code: $code) { name } creditServiceProviders(first: 101) { totalCount edges { node { name } } } }`;
    await refused(writtenOut, 'cost', { code: '91130304MA0A1B2C3D' });
    await refused(writtenOut, 'cost', { code: '130304197304130019' });
    // A list without a page argument counts as 20 items: 20 × (1 + 20) for the categories' polarities.
    await refused(`{ creditRecordCategories { polarities } }`, 'cost');
  });

  it('counts an unpaged list as the size its subgraph declares with @listSize, read from the supergraph it serves', async () => {
    // A provider's filing history is declared 10 events: 1 + 10 × (edge + node + 10 × (event + toStatus)) = 221,
    // within 302; counted as 20 events it would be 1 + 10 × (2 + 40) = 421.
    expectAnswered(await platform.query(`{ creditServiceProviders(first: 10) { edges { node { filingHistory { toStatus } } } } }`, {}, supervisor));
    // With the name history too (declared 5 names), a page of 14 is 1 + 14 × (2 + 10 × 2 + 5 × 2) = 449, over 302.
    await refused(`{ creditServiceProviders(first: 14) { edges { node { filingHistory { toStatus } nameHistory { name } } } } }`, 'cost');
  });

  it('limits the operation run, with the fragments it spreads, not the other operations of its document; the tokens of the whole document', async () => {
    /** Sent as the supervisor, naming the operation to run. */
    const run = async (query: string, operationName: string) =>
      postGraphQL<Record<string, unknown>>(platform.gatewayUrl, { query, operationName }, { authorization: `Bearer ${await platform.token(supervisor.caller!)}`, ...supervisor.headers });
    // A: four aliased root fields (over both limits), nested one level too deep, four directives.
    const a = `query A { a: departments { code } b: departments { code } c: departments { code } d: departments { code } }`;
    const b = `query B { __typename }`;
    expect(await run(`${a} ${b}`, 'B')).toEqual({ status: 200, data: { __typename: 'Query' } });
    expectRefused(await run(`${a} ${b}`, 'A'), 'aliases');
    const deep = `query Deep { creditServiceProviders(first: 1) { edges { node { issuedReports(first: 1) { edges { cursor } } } } } }`;
    expect(await run(`${deep} ${b}`, 'B')).toEqual({ status: 200, data: { __typename: 'Query' } });
    expectRefused(await run(`${deep} ${b}`, 'Deep'), 'depth');
    const directives = `query D { __typename @include(if: true) __typename @include(if: true) __typename @skip(if: false) __typename @skip(if: false) }`;
    expect(await run(`${directives} ${b}`, 'B')).toEqual({ status: 200, data: { __typename: 'Query' } });
    expectRefused(await run(`${directives} ${b}`, 'D'), 'directives');
    // A fragment counts for the operations that spread it.
    const spread = `query S { ...Wide } query T { departments { code } } fragment Wide on Query { departments { code } creditRecordCategories { code } department(code: "FINANCE") { code } creditServiceProviders(first: 1) { totalCount } }`;
    expectRefused(await run(spread, 'S'), 'rootFields');
    expect((await run(spread, 'T')).errors).toBeUndefined();
    // The document is parsed whole: its tokens are counted whatever operation is named.
    expectRefused(await run(`query C { ${repeat(46, '__typename')} } ${b}`, 'B'), 'tokens');
  });

  it('refuses a request body one byte over the limit, before it is read as an operation', async () => {
    const body = (size: number) => {
      const shell = JSON.stringify({ query: '{ __typename }', variables: { pad: '' } });
      return JSON.stringify({ query: '{ __typename }', variables: { pad: 'x'.repeat(size - shell.length) } });
    };
    const post = async (text: string) => {
      const response = await fetch(platform.gatewayUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: text, signal: AbortSignal.timeout(10_000) });
      return { status: response.status, ...((await response.json()) as Omit<GraphQLResponse, 'status'>) };
    };
    expect(Buffer.byteLength(body(4096))).toBe(4096);
    expectAnswered(await post(body(4096)));
    expectRefused(await post(body(4097)), 'bodyBytes');
  });

  it('refuses a batch of operations in one request', async () => {
    const response = await fetch(platform.gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([{ query: '{ __typename }' }, { query: '{ __typename }' }]),
      signal: AbortSignal.timeout(10_000),
    });
    expect(response.status).toBe(400);
    expect(JSON.stringify(await response.json())).toMatch(/batching/i);
  });
});

/** Fragments that each spread the next one `fanOut` times: a few tokens a level, `fanOut ** levels` fields once inlined. */
function fragmentFanOut(levels: number, fanOut: number, onType: string, leaf: string): string {
  const fragments = Array.from({ length: levels }, (_, i) => `fragment F${i} on ${onType} { ${Array.from({ length: fanOut }, () => `...F${i + 1}`).join(' ')} }`);
  return [...fragments, `fragment F${levels} on ${onType} { ${leaf} }`].join(' ');
}

// The gateway's default limits: the fan-outs below need more tokens than the small limits above allow.
describe.each(testDatabases.filter((d) => d.label === 'sqlite'))('fragments that inline to more than the default cost, on $label', (database) => {
  const platform = usePlatform(database, 'limits-fanout');
  let fetches: jest.SpyInstance;
  beforeEach(() => {
    fetches = jest.spyOn(SubgraphDataSource.prototype, 'process');
  });
  afterEach(() => fetches.mockRestore());

  async function refusedForCost(query: string) {
    const result = await platform.query(query, {}, supervisor);
    expect(result.status).toBe(400);
    expect(result.errors?.map((e) => e.extensions)).toEqual([{ code: 'OPERATION_LIMIT_EXCEEDED', limit: 'cost', max: defaultOperationLimits.cost }]);
    expect(fetches).not.toHaveBeenCalled();
  }

  it('refuses a chain of fragments that each spread the next twice, before planning it', async () => {
    await refusedForCost(`{ ...F0 } ${fragmentFanOut(20, 2, 'Query', '__typename')}`);
  });

  it('refuses them under a page of no items too: an empty page still asks for every field the fragments hold', async () => {
    // 2^14 fields under `first: 0`, which cost 1 before the fields were counted (and were then inlined by the field guards and the planner).
    await refusedForCost(`{ creditServiceProviders(first: 0) { edges { node { ...F0 } } } } ${fragmentFanOut(14, 2, 'CreditServiceProvider', 'name')}`);
    expectAnswered(await platform.query(`{ creditServiceProviders(first: 1) { edges { node { ...F0 } } } } ${fragmentFanOut(3, 2, 'CreditServiceProvider', 'name')}`, {}, supervisor));
  });
});

describe('operationCost', () => {
  const supergraphSdl = fs.readFileSync(supergraphPath, 'utf8');
  const schema = buildSchema(supergraphSdl);
  const listSizes = readListSizes(supergraphSdl);
  const cost = (query: string, variables?: Record<string, unknown>) => operationCost(schema, parse(query), undefined, variables, listSizes);

  it('sizes an unpaged list by its declared @listSize, and a paged one by its page whatever it declares', () => {
    // A record's history is declared 10 events, its objections 3; an undeclared unpaged list is 20.
    expect(cost(`{ creditRecord(id: "r") { history { kind } objections { status } } }`)).toBe(1 + 10 * 2 + 3 * 2);
    expect(cost(`{ creditRecordCategories { code } }`)).toBe(20 * 2);
    expect(operationCost(schema, parse(`{ creditRecord(id: "r") { history { kind } } }`), undefined, {})).toBe(1 + 20 * 2);
  });

  it('declares a report as holding exactly the sections a platform report has', () => {
    expect(listSizes.get('CreditReport.sections')).toBe(Object.keys(reportSections).length);
  });

  it('reads a declared size from every subgraph that declares one, and nothing from a field that declares none', () => {
    expect(Object.fromEntries([...listSizes].filter(([coordinate]) => /^(CreditRecord|CreditServiceProvider)\.(history|filingHistory)$/.test(coordinate)))).toEqual({
      'CreditRecord.history': 10,
      'CreditServiceProvider.filingHistory': 10,
    });
    expect(listSizes.has('CreditCheck.recordsConsidered')).toBe(false);
  });

  it('multiplies nested pages, each sized by its own first argument or default', () => {
    // searchSubjects: 1 + n × (edge 1 + node 1 + name 1 + records connection (1 + totalCount 1))
    expect(cost(`{ searchSubjects(name: "海", first: 10) { edges { node { name creditRecords(first: 1) { totalCount } } } } }`)).toBe(1 + 10 * 5);
    expect(cost(`{ searchSubjects(name: "海") { edges { node { name } } } }`)).toBe(1 + 20 * 3);
    expect(cost(`query($n: Int) { searchSubjects(name: "海", first: $n) { edges { node { creditRecords(first: $n) { edges { node { summary } } } } } } }`, { n: 10 })).toBe(
      1 + 10 * (1 + 1 + (1 + 10 * 3)),
    );
  });

  it('works each fragment out once: a chain that inlines to 2^40 fields costs 2^40, after one schema lookup per fragment', () => {
    // A budget of lookups, so that a cost that walked every inlined field fails here at once instead of running for hours.
    let lookups = 0;
    const counting = Object.create(schema) as typeof schema;
    counting.getType = (name: string) => {
      if (++lookups > 1_000) throw new Error('more than 1,000 schema lookups for 41 fragments');
      return schema.getType(name);
    };
    expect(operationCost(counting, parse(`{ ...F0 } ${fragmentFanOut(40, 2, 'Query', '__typename')}`), undefined)).toBe(2 ** 40);
    expect(lookups).toBeLessThanOrEqual(41);
  });

  it('counts every field an empty page asks for, so that the cost bounds the fields once fragments are inlined', () => {
    expect(cost(`{ searchSubjects(name: "海", first: 0) { totalCount edges { node { name } } } }`)).toBe(1 + 1 + 1 * (1 + 1 + 1));
    expect(cost(`{ searchSubjects(name: "海", first: 0) { edges { node { ...F0 } } } } ${fragmentFanOut(3, 4, 'Subject', 'name')}`)).toBe(1 + 1 + 1 + 4 ** 3);
  });

  it('counts introspection fields one each, as written, whatever lists they are in', () => {
    expect(cost(`{ __typename __schema { types { name fields { name type { ...T } } } } } fragment T on __Type { kind ofType { kind } }`)).toBe(1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1);
    const schemaQuery = cost(getIntrospectionQuery({ descriptions: true, specifiedByUrl: true, directiveIsRepeatable: true, inputValueDeprecation: true }));
    expect(schemaQuery).toBeGreaterThan(100);
    expect(schemaQuery).toBeLessThan(defaultOperationLimits.cost / 10);
  });

  it('lets every example operation of the explorer through the default limits, with room to spare', () => {
    const { parseOptions, validationRules } = operationLimitsForApollo(defaultOperationLimits);
    const rules = [...validationRules, ...operationShapeRules(defaultOperationLimits)];
    for (const example of explorerExamples({ subjectCode: '91130304MA0TEXT1X8', subjectId: '00000000-0000-0000-0000-000000000000' })) {
      const document = parse(example.query, parseOptions);
      expect({ example: example.name, errors: validate(schema, document, rules).map((e) => e.message) }).toEqual({ example: example.name, errors: [] });
      const found = operationCost(schema, document, undefined, example.variables, listSizes);
      expect({ example: example.name, withinHalf: found <= defaultOperationLimits.cost / 2 }).toEqual({ example: example.name, withinHalf: true });
    }
  });
});
