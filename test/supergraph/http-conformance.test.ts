import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { gunzipSync } from 'node:zlib';
import { buildSchema as buildPlannerSchema, type ObjectType } from '@apollo/federation-internals';
import { buildClientSchema, getIntrospectionQuery, introspectionTypes, isObjectType, printSchema, type GraphQLError, type IntrospectionQuery } from 'graphql';
import { fieldsThePlannerLacks } from '../../gateway/introspection';
import { auditServer, type AuditResult } from 'graphql-http';
import { checkVariables, maxVariableDepth } from '../../gateway/request-checks';
import { acceptsGzip } from '../../lib/http-server';
import { createLogger } from '../../lib/logger';
import { serveGateway, type ServedGateway, type ServeGatewayOptions } from '../../gateway/serve';
import { supergraphPath } from '../../schema/subgraphs';

/**
 * The gateway as `npm start` serves it (serveGateway: its routes and HTTP layer), over the
 * committed supergraph. These requests are answered by the gateway alone (`__typename`,
 * validation, HTTP rules), so no subgraph runs.
 */
async function startGateway(options: Partial<ServeGatewayOptions> = {}): Promise<ServedGateway> {
  return serveGateway({
    supergraphSdl: fs.readFileSync(supergraphPath, 'utf8'),
    tokens: { keys: { kind: 'secret', secret: new Uint8Array(randomBytes(32)) }, issuer: 'beidaihe-credit-platform', audience: 'beidaihe-credit-api' },
    signingKey: new Uint8Array(randomBytes(32)),
    port: 0,
    ...options,
  });
}

/**
 * What the gateway does not follow, and why (README "GraphQL over HTTP conformance"): with
 * `Accept: application/json`, Apollo Server answers a request error (parse, validation, variable
 * coercion) with 400, where the specification says SHOULD 200 for that legacy media type; the
 * status tells clients and monitoring what went wrong, and `application/graphql-response+json`
 * gets the 400 the specification asks for.
 */
const knownDeviations = ['572B', 'FDE2', '7B9B'];

describe('GraphQL over HTTP (graphql-http audits against the gateway)', () => {
  let gateway: ServedGateway;
  let results: AuditResult[];
  beforeAll(async () => {
    gateway = await startGateway();
    results = await auditServer({ url: gateway.url });
  });
  afterAll(() => gateway?.stop());

  it('passes every MUST audit', () => {
    const must = results.filter((r) => r.name.startsWith('MUST'));
    expect(must.length).toBeGreaterThan(10);
    expect(must.filter((r) => r.status !== 'ok').map((r) => `${r.id} ${r.name}`)).toEqual([]);
  });

  it('passes every SHOULD and MAY audit but the known deviations', () => {
    expect(results.filter((r) => r.status !== 'ok').map((r) => r.id).sort()).toEqual([...knownDeviations].sort());
  });
});

describe('the gateway over HTTP', () => {
  let gateway: ServedGateway;
  beforeAll(async () => {
    gateway = await startGateway({ introspection: false });
  });
  afterAll(() => gateway?.stop());

  const get = (query: string, headers: Record<string, string> = {}) =>
    fetch(`${gateway.url}?query=${encodeURIComponent(query)}`, { headers: { accept: 'application/graphql-response+json', ...headers }, signal: AbortSignal.timeout(10_000) });

  it('answers a query over GET with only an Accept header, as spec-following clients send it', async () => {
    const response = await get('{ __typename }');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('application/graphql-response+json');
    expect(await response.json()).toEqual({ data: { __typename: 'Query' } });
  });

  // README, Errors: NOT_FOUND is an object an argument names; a front end that meets it at an address looks for the object.
  it('answers a path it has no route for with 404 ROUTE_NOT_FOUND naming the path, not NOT_FOUND', async () => {
    const response = await fetch(new URL('/nothing', gateway.url), { signal: AbortSignal.timeout(10_000) });
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ errors: [{ message: 'no route for /nothing', extensions: { code: 'ROUTE_NOT_FOUND' } }] });
  });

  it('refuses a mutation over GET with 405 and says to POST it', async () => {
    const response = await get('mutation { __typename }');
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('POST');
  });

  it("refuses a browser's cross-site request that skipped the CORS preflight, and serves same-origin pages", async () => {
    const crossSite = await get('{ __typename }', { 'sec-fetch-site': 'cross-site' });
    expect(crossSite.status).toBe(400);
    expect(((await crossSite.json()) as { errors: { extensions: { code: string } }[] }).errors[0].extensions.code).toBe('BAD_REQUEST');
    const form = await fetch(gateway.url, { method: 'POST', headers: { 'content-type': 'text/plain', 'sec-fetch-site': 'cross-site' }, body: '{"query":"{ __typename }"}', signal: AbortSignal.timeout(10_000) });
    expect(form.status).toBe(400);
    expect((await get('{ __typename }', { 'sec-fetch-site': 'same-origin' })).status).toBe(200);
    // A JSON POST is preflighted by the browser, so the server may answer it whatever its origin.
    const json = await fetch(gateway.url, { method: 'POST', headers: { 'content-type': 'application/json', 'sec-fetch-site': 'cross-site' }, body: '{"query":"{ __typename }"}', signal: AbortSignal.timeout(10_000) });
    expect(json.status).toBe(200);
  });

  it("answers the preflight of a front end on an origin in CORS_ORIGINS, lets it read answers, and gives any other origin nothing", async () => {
    const frontEnd = 'http://localhost:5173';
    const cors = await startGateway({ corsOrigins: [frontEnd] });
    try {
      const preflight = (origin: string) =>
        fetch(cors.url, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type, x-credit-matter, x-credit-case' }, signal: AbortSignal.timeout(10_000) });
      const allowed = await preflight(frontEnd);
      expect(allowed.status).toBe(204);
      expect(allowed.headers.get('access-control-allow-origin')).toBe(frontEnd);
      expect(allowed.headers.get('access-control-allow-methods')).toBe('GET, POST');
      expect(allowed.headers.get('access-control-allow-headers')?.split(', ')).toEqual(expect.arrayContaining(['authorization', 'content-type', 'x-credit-matter', 'x-credit-case', 'x-credit-consent']));
      // Apollo Client given a name and version (client awareness) sends them on every request.
      const apolloClient = await fetch(cors.url, {
        method: 'OPTIONS',
        headers: { origin: frontEnd, 'access-control-request-method': 'POST', 'access-control-request-headers': 'apollographql-client-name,apollographql-client-version,authorization,content-type' },
        signal: AbortSignal.timeout(10_000),
      });
      expect(apolloClient.headers.get('access-control-allow-headers')?.split(', ')).toEqual(expect.arrayContaining(['apollographql-client-name', 'apollographql-client-version', 'authorization', 'content-type']));
      // What client libraries and tracing add on their own, which a browser would otherwise block with only a console error.
      const traced = await fetch(cors.url, {
        method: 'OPTIONS',
        headers: { origin: frontEnd, 'access-control-request-method': 'POST', 'access-control-request-headers': 'apollo-require-preflight,x-apollo-operation-name,traceparent,tracestate,baggage,sentry-trace' },
        signal: AbortSignal.timeout(10_000),
      });
      expect(traced.headers.get('access-control-allow-headers')?.split(', ')).toEqual(expect.arrayContaining(['apollo-require-preflight', 'x-apollo-operation-name', 'traceparent', 'tracestate', 'baggage', 'sentry-trace']));
      const other = await preflight('https://elsewhere.example');
      expect(other.headers.get('access-control-allow-origin')).toBeNull();
      expect(other.headers.get('access-control-allow-methods')).toBeNull();
      // Not Apollo Server's 405 with a JSON error: a plain answer the browser stops at.
      expect([other.status, await other.text()]).toEqual([204, '']);

      // The request itself, as the browser sends it after the preflight: readable, with its request id.
      const post = await fetch(cors.url, { method: 'POST', headers: { origin: frontEnd, 'sec-fetch-site': 'cross-site', 'content-type': 'application/json' }, body: '{"query":"{ __typename }"}', signal: AbortSignal.timeout(10_000) });
      expect(post.status).toBe(200);
      expect(post.headers.get('access-control-allow-origin')).toBe(frontEnd);
      expect(post.headers.get('access-control-expose-headers')).toContain('x-request-id');
      expect(post.headers.get('vary')?.toLowerCase()).toContain('origin');
      // A simple GET from the listed front end is its own request, not a forged one.
      const get = await fetch(`${cors.url}?query=${encodeURIComponent('{ __typename }')}`, { headers: { origin: frontEnd, 'sec-fetch-site': 'cross-site' }, signal: AbortSignal.timeout(10_000) });
      expect(get.status).toBe(200);
      // From any other site, the simple request is refused as before, and no answer is readable.
      const forged = await fetch(`${cors.url}?query=${encodeURIComponent('{ __typename }')}`, { headers: { origin: 'https://elsewhere.example', 'sec-fetch-site': 'cross-site' }, signal: AbortSignal.timeout(10_000) });
      expect(forged.status).toBe(400);
      expect(forged.headers.get('access-control-allow-origin')).toBeNull();
    } finally {
      await cors.stop();
    }
  });

  it("types graphql-js's own stop on an operation too costly to validate as an operation limit, not as an invalid operation", async () => {
    // Within every configured limit (about 800 tokens, cost about 800), but 800 fields of one name to compare pairwise.
    const query = `{ departments { ${Array.from({ length: 800 }, () => 'code').join(' ')} } }`;
    const response = await fetch(gateway.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }), signal: AbortSignal.timeout(10_000) });
    const body = (await response.json()) as { errors: { message: string; extensions: Record<string, unknown> }[] };
    expect(response.status).toBe(400);
    expect(body.errors.map((e) => e.extensions)).toEqual([{ code: 'OPERATION_LIMIT_EXCEEDED', limit: 'validationWork' }]);
    expect(body.errors[0].message).toMatch(/send fewer repeated fields/);
  });

  it('reads a JSON body whatever the letter case of its media type, which RFC 9110 makes case-insensitive', async () => {
    for (const contentType of ['application/JSON', 'Application/Json; charset=UTF-8']) {
      const response = await fetch(gateway.url, { method: 'POST', headers: { 'content-type': contentType }, body: '{"query":"{ __typename }"}', signal: AbortSignal.timeout(10_000) });
      expect([contentType, response.status, await response.json()]).toEqual([contentType, 200, { data: { __typename: 'Query' } }]);
    }
  });

  it("refuses an operation it cannot choose, or of a type it does not serve, as the client's mistake (400, typed)", async () => {
    const post = async (body: Record<string, unknown>) => {
      const response = await fetch(gateway.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal: AbortSignal.timeout(10_000) });
      const { data, errors } = (await response.json()) as { data?: unknown; errors?: { message: string; extensions: { code: string } }[] };
      return { status: response.status, data, errors: (errors ?? []).map((e) => [e.extensions.code, e.message]) };
    };
    expect(await post({ query: 'query A { __typename }', operationName: 'B' })).toEqual({ status: 400, data: undefined, errors: [['OPERATION_RESOLUTION_FAILURE', 'Unknown operation named "B".']] });
    expect(await post({ query: 'query A { __typename } query B { __typename }' })).toEqual({
      status: 400,
      data: undefined,
      errors: [['OPERATION_RESOLUTION_FAILURE', 'Must provide operation name if query contains multiple operations.']],
    });
    expect(await post({ query: 'subscription { __typename }' })).toEqual({ status: 400, data: undefined, errors: [['BAD_REQUEST', 'This API serves no subscription operations.']] });
    // The same documents, rightly named, are answered.
    expect(await post({ query: 'query A { __typename } query B { __typename }', operationName: 'B' })).toEqual({ status: 200, data: { __typename: 'Query' }, errors: [] });
  });

  it('refuses introspection asking isOneOf while introspection is off, as any other introspection', async () => {
    const response = await get('{ __type(name: "CreditRecordFilter") { name isOneOf } }');
    const body = (await response.json()) as { errors: { message: string; extensions: { code: string } }[] };
    expect([response.status, body.errors.map((e) => e.extensions.code)]).toEqual([400, ['GRAPHQL_VALIDATION_FAILED']]);
    expect(body.errors[0].message).toMatch(/INTROSPECTION=on/);
  });

  it('gives no "did you mean" suggestions while introspection is off, for fields, arguments or enum values', async () => {
    const messages = async (query: string) => ((await (await get(query)).json()) as { errors: { message: string }[] }).errors.map((e) => e.message);
    expect(await messages('{ departmnts { code } }')).toEqual(['Cannot query field "departmnts" on type "Query".']);
    expect(await messages('{ creditServiceProviders(frist: 1) { totalCount } }')).toEqual(['Unknown argument "frist" on field "Query.creditServiceProviders".']);
    const enumValue = await messages('{ creditServiceProviders(filingStatus: FILD) { totalCount } }');
    expect(enumValue).toHaveLength(1);
    expect(enumValue[0]).not.toMatch(/did you mean|FILED/i);
  });
});

describe('the gateway with introspection on', () => {
  it('suggests field names, as the explorer expects', async () => {
    const gateway = await startGateway({ introspection: true });
    try {
      const response = await fetch(`${gateway.url}?query=${encodeURIComponent('{ departmnts { code } }')}`, { signal: AbortSignal.timeout(10_000) });
      expect(((await response.json()) as { errors: { message: string }[] }).errors[0].message).toMatch(/Did you mean "departments"/);
    } finally {
      await gateway.stop();
    }
  });
});

/**
 * graphql-js 16 has `__Type.isOneOf` (newer tooling asks for it: `getIntrospectionQuery({ oneOf:
 * true })`), which the query planner's own introspection types lack: asked of the gateway, it
 * answered 500 for any caller. An operation that selects introspection alone is answered by
 * graphql-js against the schema served; one that selects `isOneOf` beside data is refused.
 */
describe('introspection the gateway answers alone', () => {
  let gateway: ServedGateway;
  beforeAll(async () => {
    gateway = await startGateway({ introspection: true });
  });
  afterAll(() => gateway?.stop());

  const post = async (body: Record<string, unknown>) => {
    const response = await fetch(gateway.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal: AbortSignal.timeout(10_000) });
    return { status: response.status, ...((await response.json()) as { data?: Record<string, unknown>; errors?: { message: string; extensions: Record<string, unknown> }[] }) };
  };

  it('answers isOneOf, false for every input type (none is @oneOf) and null for the others', async () => {
    expect(await post({ query: '{ __type(name: "CreditRecordFilter") { name isOneOf } subjectType: __type(name: "Subject") { isOneOf } }' })).toEqual({
      status: 200,
      data: { __type: { name: 'CreditRecordFilter', isOneOf: false }, subjectType: { isOneOf: null } },
    });
  });

  it("answers graphql-js's introspection query with isOneOf, as newer tooling sends it, with the schema it answers without", async () => {
    const withOneOf = await post({ query: getIntrospectionQuery({ oneOf: true }), operationName: 'IntrospectionQuery' });
    expect([withOneOf.status, withOneOf.errors]).toEqual([200, undefined]);
    const types = (withOneOf.data as unknown as IntrospectionQuery).__schema.types;
    const inputs = types.filter((type) => type.kind === 'INPUT_OBJECT');
    expect(inputs.length).toBeGreaterThan(10);
    expect(inputs.filter((type) => (type as { isOneOf?: unknown }).isOneOf !== false)).toEqual([]);
    const plain = await post({ query: getIntrospectionQuery() });
    expect(printSchema(buildClientSchema(withOneOf.data as unknown as IntrospectionQuery))).toBe(printSchema(buildClientSchema(plain.data as unknown as IntrospectionQuery)));
    // The schema served: no field the gateway keeps for itself, each guarded field's group told.
    const query = buildClientSchema(withOneOf.data as unknown as IntrospectionQuery).getQueryType()!.getFields();
    expect(query.consentForAccess).toBeUndefined();
    expect(query.subject.description).toContain('Field group: `SUBJECT_BASICS`');
  });

  it('knows which introspection fields of graphql-js the query planner lacks', () => {
    const planner = buildPlannerSchema('type Query { a: Int }');
    const lacking = introspectionTypes.filter(isObjectType).flatMap((type) => Object.keys(type.getFields()).filter((field) => !(planner.type(type.name) as ObjectType | undefined)?.field(field)).map((field) => `${type.name}.${field}`));
    expect(lacking.sort()).toEqual([...fieldsThePlannerLacks].sort());
    expect(lacking).toContain('__Type.isOneOf');
  });

  it('answers a directive’s isDeprecated, which the query planner lacks too', async () => {
    const answered = await post({ query: '{ __schema { directives { name isDeprecated deprecationReason } } }' });
    expect(answered.status).toBe(200);
    expect((answered.data as { __schema: { directives: { name: string; isDeprecated: boolean }[] } }).__schema.directives).toEqual(expect.arrayContaining([{ name: 'include', isDeprecated: false, deprecationReason: null }]));
  });

  it('refuses isOneOf beside data, which the query planner cannot answer, as an invalid operation (400, typed), and still answers other introspection beside data', async () => {
    const mixed = await post({ query: 'query Both { departments { code } ...T } fragment T on Query { __type(name: "CreditRecordFilter") { isOneOf } }' });
    expect([mixed.status, mixed.data, mixed.errors?.map((e) => e.extensions)]).toEqual([400, undefined, [{ code: 'GRAPHQL_VALIDATION_FAILED', problem: 'INTROSPECTION_BESIDE_DATA', field: '__Type.isOneOf' }]]);
    expect(mixed.errors![0].message).toMatch(/send it in an operation of its own/);
    // Other introspection beside data goes through the planner as before (whatever answers for departments: no subgraph runs here).
    const beside = await post({ query: '{ departments { code } __type(name: "Subject") { name } }' });
    expect([beside.status, beside.data?.__type]).toEqual([200, { name: 'Subject' }]);
    // Another operation of the same document, not run, does not count.
    expect(await post({ query: 'query Both { departments { code } __type(name: "Subject") { isOneOf } } query Alone { __type(name: "Subject") { name isOneOf } }', operationName: 'Alone' })).toEqual({
      status: 200,
      data: { __type: { name: 'Subject', isOneOf: null } },
    });
  });
});

describe('variables the gateway refuses before planning', () => {
  let gateway: ServedGateway;
  beforeAll(async () => {
    // Introspection on: `__type(name: $s)` is a field with a String argument the gateway answers alone.
    gateway = await startGateway({ introspection: true });
  });
  afterAll(() => gateway?.stop());

  /** `variables` as JSON text, so that nesting too deep for JSON.stringify can be sent. */
  const post = async (variables: Record<string, unknown> | string) => {
    const response = await fetch(gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: `{"query":"query($s: String!) { __type(name: $s) { name } }","variables":${typeof variables === 'string' ? variables : JSON.stringify(variables)}}`,
      signal: AbortSignal.timeout(10_000),
    });
    const { data, errors } = (await response.json()) as { data?: unknown; errors?: { extensions: { code: string; field?: string } }[] };
    return { status: response.status, data, errors: (errors ?? []).map((e) => [e.extensions.code, e.extensions.field]) };
  };
  const nested = (levels: number, leaf: unknown) => Array.from({ length: levels }).reduce<unknown>((inner) => [inner], leaf);
  const refused = (field: string) => ({ status: 400, data: undefined, errors: [['BAD_USER_INPUT', field]] });

  it('refuses an explicit null as the condition of @skip or @include, naming the variable, where the query planner would throw', async () => {
    const ask = async (query: string, variables: Record<string, unknown>) => {
      const response = await fetch(gateway.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }), signal: AbortSignal.timeout(10_000) });
      const body = (await response.json()) as { data?: unknown; errors?: { extensions: { code: string; field?: string } }[] };
      return { status: response.status, data: body.data, errors: (body.errors ?? []).map((e) => [e.extensions.code, e.extensions.field]) };
    };
    expect(await ask('query Q($s: Boolean = true) { __typename @skip(if: $s) }', { s: null })).toEqual(refused('$s'));
    expect(await ask('query Q($i: Boolean = false) { ...F } fragment F on Query { __typename @include(if: $i) }', { i: null })).toEqual(refused('$i'));
    // Left out, the default stands.
    expect(await ask('query Q($s: Boolean = true) { __typename @skip(if: $s) }', {})).toEqual({ status: 200, data: {}, errors: [] });
  });

  it('refuses text that is not well-formed Unicode, and nesting thousands deep, naming the variable', async () => {
    expect(await post({ s: 'Subject\ud800' })).toEqual(refused('$s'));
    expect(await post(`{"s":${'['.repeat(5_000)}"Subject"${']'.repeat(5_000)}}`)).toEqual(refused('$s'));
    expect(await post({ s: 'Subject', extra: { deep: ['x\udc01'] } })).toEqual(refused('$extra'));
    // Pairs are text: an emoji, a character outside the BMP.
    expect(await post({ s: 'Subject😀𠀀' })).toEqual({ status: 200, data: { __type: null }, errors: [] });
    expect(await post({ s: 'Subject' })).toEqual({ status: 200, data: { __type: { name: 'Subject' } }, errors: [] });
  });

  it("refuses a bad Date or DateTime before planning, a literal where it stands and a variable by its name, as the subgraphs would read it", async () => {
    const send = async (query: string, variables: Record<string, unknown> = {}) => {
      const response = await fetch(gateway.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }), signal: AbortSignal.timeout(10_000) });
      const { errors } = (await response.json()) as { errors?: { message: string; locations?: unknown[]; extensions: { code: string; field?: string; serviceName?: string; inputPath?: string } }[] };
      return { status: response.status, errors: errors ?? [] };
    };
    const literal = await send('{ creditCheckStatistics(from: "2026-13-01T00:00:00Z", to: "2026-12-01T00:00:00Z") { checks } }');
    expect(literal.status).toBe(400);
    expect(literal.errors).toEqual([expect.objectContaining({ message: expect.stringContaining('real calendar date'), locations: [expect.anything()], extensions: expect.objectContaining({ code: 'GRAPHQL_VALIDATION_FAILED' }) })]);
    const variable = await send('query($f: DateTime!) { creditCheckStatistics(from: $f, to: "2026-12-01T00:00:00Z") { checks } }', { f: '2026-13-01' });
    expect(variable.status).toBe(400);
    expect(variable.errors).toEqual([expect.objectContaining({ message: expect.stringContaining('Variable "$f"'), extensions: expect.objectContaining({ code: 'BAD_USER_INPUT', field: '$f' }) })]);
    const date = await send('query($d: Date) { subject(id: "x") { creditRecords(filter: { decidedFrom: $d }) { totalCount } } }', { d: '2024-02-30' });
    expect(date.status).toBe(400);
    expect(date.errors.map((e) => [e.extensions.code, e.extensions.field, e.extensions.serviceName])).toEqual([['BAD_USER_INPUT', '$d', undefined]]);
    expect(date.errors[0].extensions).not.toHaveProperty('inputPath');
    // Inside an input object or a list, the place a form would mark, as README (Errors) names fields.
    const filter = 'query($filter: CreditRecordFilter) { subject(id: "x") { creditRecords(filter: $filter) { totalCount } } }';
    for (const [value, inputPath] of [[{ decidedFrom: '2024-02-30' }, 'decidedFrom'], [{ statuses: ['ACTIVE', 'NOPE'] }, 'statuses[1]']] as const) {
      const nested = await send(filter, { filter: value });
      expect(nested.status).toBe(400);
      expect(nested.errors.map((e) => e.extensions)).toEqual([expect.objectContaining({ code: 'BAD_USER_INPUT', field: '$filter', inputPath })]);
    }
  });

  it('names a required field left out, or a field the input type does not have, by its path as a form names it', async () => {
    const send = async (query: string, variables: Record<string, unknown>) => {
      const response = await fetch(gateway.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }), signal: AbortSignal.timeout(10_000) });
      const { errors } = (await response.json()) as { errors?: { extensions: { code: string; field?: string; inputPath?: string } }[] };
      return { status: response.status, errors: (errors ?? []).map((e) => [e.extensions.code, e.extensions.field, e.extensions.inputPath]) };
    };
    const object = 'mutation($i: ObjectToCreditRecordInput!) { objectToCreditRecord(input: $i) { id } }';
    const recordId = '0b6f3b2e-8d1c-4a57-9e0f-3c2d1a4b5e6f';
    expect(await send(object, { i: { recordId } })).toEqual({ status: 400, errors: [['BAD_USER_INPUT', '$i', 'reason']] });
    expect(await send(object, { i: { recordId, reason: '处罚对象认定有误', status: 'WITHDRAWN' } })).toEqual({ status: 400, errors: [['BAD_USER_INPUT', '$i', 'status']] });
    // Both at once: the field left out, which graphql-js reports first.
    expect(await send(object, { i: { recordId, status: 'WITHDRAWN' } })).toEqual({ status: 400, errors: [['BAD_USER_INPUT', '$i', 'reason']] });
    const decide = 'mutation($d: DecideObjectionInput!) { decideObjection(input: $d) { id } }';
    expect(await send(decide, { d: { id: recordId, decision: 'ACCEPT', resolution: 'CORRECTED', reason: '经核查', correction: { summary: '更正', sourceDepartment: 'PEOPLES_COURT' } } })).toEqual({ status: 400, errors: [['BAD_USER_INPUT', '$d', 'correction.sourceDepartment']] });
    const rows = 'mutation($rows: [SubmitCreditRecordInput!]!) { submitCreditRecords(rows: $rows) { created } }';
    expect(await send(rows, { rows: [{ summary: '罚款' }, { summary: '罚款', grade: 'A' }] })).toEqual({ status: 400, errors: [['BAD_USER_INPUT', '$rows', '[1].grade']] });
    // An input object given as something else is refused as a whole: no place inside it.
    expect(await send(object, { i: 'recordId' })).toEqual({ status: 400, errors: [['BAD_USER_INPUT', '$i', undefined]] });
  });

  it('names the first offending variable and path, and takes inputs nested less than the bound', () => {
    const message = (variables: Record<string, unknown>) => {
      try {
        checkVariables(variables);
        return null;
      } catch (error) {
        return [(error as GraphQLError).extensions.field, (error as GraphQLError).message];
      }
    };
    expect(message({ rows: [{ summary: 'ok' }, { documentNumber: 'BDH-\ud800' }] })).toEqual(['$rows', expect.stringContaining('$rows[1].documentNumber is not well-formed Unicode text')]);
    expect(message({ at: nested(maxVariableDepth + 1, '2026-01-01') })).toEqual(['$at', expect.stringContaining(`nests deeper than ${maxVariableDepth} levels`)]);
    expect(message({ at: nested(maxVariableDepth, '2026-01-01'), rows: [{ summary: '信用承诺 😀', amounts: [1, 2.5, null, true] }] })).toBeNull();
  });
});


describe("the gateway's reading of a request body", () => {
  const bodyBytes = 4096;
  let gateway: ServedGateway;
  const logLines: string[] = [];
  beforeAll(async () => {
    const logger = createLogger('gateway', { level: 'debug', destination: { write: (line: string) => void logLines.push(line) } });
    gateway = await startGateway({ limits: { bodyBytes }, logger });
  });
  afterAll(() => gateway?.stop());

  /** A POST whose body is sent as is, with no Content-Length unless given (chunked). */
  function post(body: Buffer, headers: Record<string, string> = {}, answered?: (headers: http.IncomingHttpHeaders) => void, path = ''): Promise<{ status: number; body: { data?: unknown; errors?: { message: string; extensions: Record<string, unknown> }[] } }> {
    return new Promise((resolve, reject) => {
      const request = http.request(path ? new URL(path, gateway.url) : gateway.url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, timeout: 10_000 }, (response) => {
        answered?.(response.headers);
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) }));
        response.on('error', reject);
      });
      request.on('timeout', () => request.destroy(new Error('no answer in 10 s')));
      request.on('error', reject);
      request.end(body);
    });
  }
  const typename = Buffer.from(JSON.stringify({ query: '{ __typename }' }));

  it('refuses a chunked body over the limit with 413, and keeps serving', async () => {
    // No Content-Length: the limit is met mid-read, which destroyed the request, and the gateway crashed closing it.
    const over = Buffer.concat([Buffer.from('{"query":"{ __typename }","variables":{"pad":"'), Buffer.alloc(bodyBytes, 'x'), Buffer.from('"}}')]);
    let connection: string | undefined;
    const refused = await post(over, { 'transfer-encoding': 'chunked' }, (headers) => (connection = headers.connection)).catch(() => undefined);
    // The client may see the 413 or the connection closed on it; the server must stay up either way.
    if (refused) {
      expect(refused.body.errors?.[0].extensions).toEqual({ code: 'OPERATION_LIMIT_EXCEEDED', limit: 'bodyBytes', max: bodyBytes });
      // Its body unread, the connection carries no next request: a keep-alive client must not send one on it.
      expect(connection).toBe('close');
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await post(typename)).toEqual({ status: 200, body: { data: { __typename: 'Query' } } });
  });

  // Apollo Client 4 reads a 4xx or 5xx as a GraphQL answer, its errors typed, only in application/graphql-response+json.
  it("answers its own refusals in the media type Apollo Server answers the same request in, as a GraphQL-over-HTTP client asks, kept by no cache", async () => {
    const over = Buffer.concat([Buffer.from('{"query":"{ __typename }","variables":{"pad":"'), Buffer.alloc(bodyBytes, 'x'), Buffer.from('"}}')]);
    const refusedAs = async (accept: string | undefined, body: Buffer, path = '') => {
      let type: string | undefined;
      let caching: string | undefined;
      await post(body, { ...(accept === undefined ? {} : { accept }), 'content-length': String(body.length) }, (headers) => ((type = headers['content-type']), (caching = headers['cache-control'])), path);
      // Kept by no cache, as every answer GraphQL gives: a 404 is cacheable by default.
      expect(caching).toBe('no-store');
      return type;
    };
    const graphqlClient = 'application/graphql-response+json, application/json;q=0.9';
    for (const [accept, type] of [[graphqlClient, 'application/graphql-response+json; charset=utf-8'], ['application/json', 'application/json; charset=utf-8'], ['*/*', 'application/json; charset=utf-8'], [undefined, 'application/json; charset=utf-8']] as const) {
      // Over the body limit, not JSON, and a path no route serves: the HTTP layer's own; the unknown field: Apollo's.
      expect([await refusedAs(accept, over), await refusedAs(accept, Buffer.from('{"query":')), await refusedAs(accept, typename, '/nothing'), await refusedAs(accept, Buffer.from('{"query":"{ nothing }"}'))]).toEqual([type, type, type, type]);
    }
  });

  it('refuses a body that is not UTF-8, rather than reading its text as replacement characters', async () => {
    // 北戴河 in GBK, as a Chinese Windows console sends it.
    const gbk = Buffer.concat([Buffer.from('{"query":"query ($n: String) { __typename }","variables":{"n":"'), Buffer.from([0xb1, 0xb1, 0xb4, 0xf7, 0xba, 0xd3]), Buffer.from('"}}')]);
    const refused = await post(gbk);
    expect(refused.status).toBe(400);
    expect(refused.body.errors?.[0].extensions).toEqual({ code: 'BAD_REQUEST' });
    expect(refused.body.errors?.[0].message).toMatch(/^request body is not UTF-8/);
  });

  it('refuses a body declared in another charset, or compressed, with 415 and what to send instead', async () => {
    for (const [headers, said] of [
      [{ 'content-type': 'application/json; charset=gbk' }, /UTF-8.*charset="gbk"/],
      [{ 'content-type': 'application/json; charset="GB2312"' }, /charset="gb2312"/],
      [{ 'content-encoding': 'gzip' }, /without Content-Encoding \(got "gzip"\)/],
    ] as const) {
      const refused = await post(typename, headers);
      expect(refused.status).toBe(415);
      expect(refused.body.errors?.[0].extensions).toEqual({ code: 'BAD_REQUEST' });
      expect(refused.body.errors?.[0].message).toMatch(said);
    }
    for (const headers of [{ 'content-type': 'application/json; charset=UTF-8' }, { 'content-type': 'application/json;charset="utf-8"' }, { 'content-encoding': 'identity' }] as Record<string, string>[]) {
      expect(await post(typename, headers)).toEqual({ status: 200, body: { data: { __typename: 'Query' } } });
    }
  });

  it('refuses a query string that is not UTF-8, as a body', async () => {
    // {"n":"北戴河"} with the name in GBK, percent-encoded.
    const response = await fetch(`${gateway.url}?query=${encodeURIComponent('query ($n: String) { __typename }')}&variables=%7B%22n%22%3A%22%B1%B1%B4%F7%BA%D3%22%7D`, { signal: AbortSignal.timeout(10_000) });
    expect(response.status).toBe(400);
    const answer = (await response.json()) as { errors: { message: string; extensions: unknown }[] };
    expect(answer.errors[0].extensions).toEqual({ code: 'BAD_REQUEST' });
    expect(answer.errors[0].message).toMatch(/^request query string is not UTF-8/);
  });

  // A client's FIN in the middle of its body reads as a half-close, whose client may still read
  // the answer (cc4c274): it is refused 400 BODY_INCOMPLETE, nothing run, at info on its request line.
  it('logs a body the client cut off as its own doing, not as a fault of the server', async () => {
    logLines.length = 0;
    const url = new URL(gateway.url);
    const socket = net.connect(Number(url.port), url.hostname);
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    socket.write(`POST ${url.pathname} HTTP/1.1\r\nHost: ${url.host}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"query":"{ __`);
    await new Promise((resolve) => setTimeout(resolve, 100));
    socket.destroy();
    const logged = () => logLines.map((line) => JSON.parse(line) as { level: string; msg: string; status?: number; problems?: string[] });
    for (let waited = 0; waited < 5_000 && !logged().some((line) => line.msg === 'request'); waited += 50) await new Promise((resolve) => setTimeout(resolve, 50));
    const levels = logged();
    // The logger writes its levels by name: no fault of the server's is told.
    expect(levels.filter((line) => line.level === 'error' || line.level === 'fatal')).toEqual([]);
    expect(levels.filter((line) => line.msg === 'request')).toEqual([expect.objectContaining({ level: 'info', status: 400, problems: ['BODY_INCOMPLETE'] })]);
  });

  it('reads a body that starts with a byte-order mark, as Windows PowerShell writes files', async () => {
    expect(await post(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), typename]))).toEqual({ status: 200, body: { data: { __typename: 'Query' } } });
  });
});

/**
 * Answers cross the district's network to browsers: compressed for a client that accepts gzip,
 * as Apollo Router does, once they are long enough to gain from it.
 */
describe("the gateway's answers, compressed", () => {
  let gateway: ServedGateway;
  beforeAll(async () => {
    gateway = await startGateway({ introspection: true });
  });
  afterAll(() => gateway?.stop());

  /** The answer's bytes as sent, never decompressed on the way (as fetch would). */
  function post(query: string, acceptEncoding?: string): Promise<{ headers: http.IncomingHttpHeaders; sent: Buffer }> {
    return new Promise((resolve, reject) => {
      const headers = { 'content-type': 'application/json', ...(acceptEncoding === undefined ? {} : { 'accept-encoding': acceptEncoding }) };
      const request = http.request(gateway.url, { method: 'POST', headers, timeout: 10_000 }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ headers: response.headers, sent: Buffer.concat(chunks) }));
        response.on('error', reject);
      });
      request.on('timeout', () => request.destroy(new Error('no answer in 10 s')));
      request.on('error', reject);
      request.end(JSON.stringify({ query }));
    });
  }
  const schemaTypes = '{ __schema { types { name description } } }';

  it('gzips a long answer for a browser that accepts gzip, and says it varies with Accept-Encoding', async () => {
    const plain = await post(schemaTypes);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.headers.vary).toMatch(/accept-encoding/i);
    const answer = JSON.parse(plain.sent.toString('utf8')) as { data: { __schema: { types: unknown[] } } };
    expect(answer.data.__schema.types.length).toBeGreaterThan(50);
    const compressed = await post(schemaTypes, 'gzip, deflate, br, zstd');
    expect(compressed.headers['content-encoding']).toBe('gzip');
    expect(compressed.headers.vary).toMatch(/accept-encoding/i);
    expect(compressed.sent.length).toBeLessThan(plain.sent.length / 3);
    expect(JSON.parse(gunzipSync(compressed.sent).toString('utf8'))).toEqual(answer);
  });

  it('sends a short answer, or one to a client that refuses gzip, as it is', async () => {
    const short = await post('{ __typename }', 'gzip');
    expect([short.headers['content-encoding'], JSON.parse(short.sent.toString('utf8'))]).toEqual([undefined, { data: { __typename: 'Query' } }]);
    for (const refusing of ['gzip;q=0, identity', 'br', '*;q=0', 'identity']) expect([refusing, (await post(schemaTypes, refusing)).headers['content-encoding']]).toEqual([refusing, undefined]);
  });

  it('reads Accept-Encoding as RFC 9110 does: weights, x-gzip, a wildcard, letter case', () => {
    const cases: [string | undefined, boolean][] = [
      [undefined, false],
      ['', false],
      ['gzip', true],
      ['GZIP;Q=0.5', true],
      ['x-gzip', true],
      ['br;q=1, *;q=0.1', true],
      ['*', true],
      ['*, gzip;q=0', false],
      ['gzip;q=0', false],
      ['deflate, br', false],
    ];
    expect(cases.map(([header]) => [header, acceptsGzip(header)])).toEqual(cases);
  });
});
