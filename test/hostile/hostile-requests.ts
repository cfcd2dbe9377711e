import fc from 'fast-check';
import { withValueAt, type RootOperation } from './schema-operations';

/**
 * fast-check arbitraries for hostile requests to the gateway: real operations mutated token by
 * token or nested deep, variables of the wrong type, huge, with null bytes, lone surrogates,
 * numbers out of range and prototype-pollution keys, and raw HTTP bodies that are not JSON, not
 * UTF-8, or not what the content type says.
 */
export interface HostileRequest {
  /** What kind of hostility this is, for the failure report. */
  kind: string;
  method: 'GET' | 'POST';
  /** The query string of a GET (with its `?`). */
  search?: string;
  contentType?: string;
  body?: Uint8Array;
  /** Index into the callers the test authenticates as (the last ones send no or a forged token). */
  caller: number;
  /** Purpose headers, possibly nonsense. */
  headers: Record<string, string>;
}

export interface HostileOptions {
  operations: RootOperation[];
  /** Real operations with their variables (the explorer's examples). */
  examples: { query: string; variables?: Record<string, unknown> }[];
  callers: number;
  /** The longest generated string (huge strings cost time per case). */
  maxStringLength: number;
}

/** Classic payloads: SQL and other injection, LIKE wildcards, escapes, control characters. */
export const injectionPayloads = [
  "' OR 1=1 --",
  "' OR '1'='1",
  '"; DROP TABLE subject; --',
  "'); DROP TABLE credit_record; --",
  "%' UNION SELECT name, 1, 1 FROM sqlite_master --",
  "%' UNION SELECT table_name FROM information_schema.tables --",
  "1; SELECT SLEEP(5) --",
  '\\',
  "\\'",
  '%',
  '_',
  '%%',
  '__',
  '!',
  '!%',
  '[a-z]%',
  '\u0000',
  'a\u0000b',
  '\u0000; DROP TABLE subject',
  '$where: 1',
  '{"$gt": ""}',
];

const oddStrings = [
  '',
  ' ',
  '\uD800',
  '\uDFFF',
  'a\uD83D',
  '\uFEFF',
  '\u202E',
  '\r\n',
  '😀'.repeat(3),
  'null',
  'undefined',
  'NaN',
  '__proto__',
  'constructor',
  '9'.repeat(40),
  '-1',
  '0x7fffffff',
  '1e309',
  '2024-02-30',
  '9999-99-99T99:99:99Z',
  '../../../../etc/passwd',
  '<script>alert(1)</script>',
  '${7*7}',
];

export const prototypeKeys = ['__proto__', 'constructor', 'prototype'];

const hostileNumbers = [0, -0, -1, 2 ** 31, -(2 ** 31) - 1, 2 ** 53 + 1, -(2 ** 53) - 1, 1e308, -1e308, 5e-324, 0.5, 101, 1e21];

export function hostileString(maxLength: number): fc.Arbitrary<string> {
  return fc.oneof(
    fc.constantFrom(...injectionPayloads, ...oddStrings),
    fc.string({ maxLength: 40 }),
    fc.string({ unit: 'binary', maxLength: 40 }),
    fc.tuple(fc.constantFrom('x', '北', '\u0000', "'", '%', '😀'), fc.integer({ min: 256, max: Math.max(256, maxLength) })).map(([c, n]) => c.repeat(n)),
  );
}

const hostileNumber = fc.oneof(fc.constantFrom(...hostileNumbers), fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }));

/**
 * A JSON value as text, written by hand so that `__proto__` keys really are in the text (an object
 * with such a key would lose it to JSON.stringify), and nested up to a few levels.
 */
export function hostileJsonText(maxLength: number): fc.Arbitrary<string> {
  const scalar = fc.oneof(
    hostileString(maxLength).map((s) => JSON.stringify(s)),
    hostileNumber.map((n) => JSON.stringify(n)),
    fc.constantFrom('true', 'false', 'null', '1e999', '-1e999', '123456789012345678901234567890'),
  );
  const key = fc.oneof(fc.constantFrom(...prototypeKeys), fc.string({ maxLength: 10 }));
  const { value } = fc.letrec<{ value: string }>((tie) => ({
    value: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      scalar,
      fc.array(tie('value'), { maxLength: 4 }).map((items) => `[${items.join(',')}]`),
      fc.array(fc.tuple(key, tie('value')), { maxLength: 4 }).map((entries) => `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`),
    ),
  }));
  return value;
}

/** `[[[…]]]` or `{"a":{"a":…}}`, as deep as asked. */
const deepJson = fc.tuple(fc.constantFrom('list', 'object', 'proto'), fc.integer({ min: 64, max: 20_000 })).map(([shape, depth]) => {
  if (shape === 'list') return `${'['.repeat(depth)}${']'.repeat(depth)}`;
  const key = shape === 'proto' ? '__proto__' : 'a';
  return `${`{"${key}":`.repeat(depth)}{}${'}'.repeat(depth)}`;
});

const pollutingObject = fc.constantFrom(
  '{"__proto__":{"polluted":"yes","isAdmin":true}}',
  '{"constructor":{"prototype":{"polluted":"yes"}}}',
  '{"__proto__":{"role":"CREDIT_OFFICE_SUPERVISOR"},"input":{"__proto__":{"polluted":"yes"}}}',
);

/** Variables for an operation: valid ones with one text slot made hostile, or of the wrong shape altogether. */
function hostileVariables(operation: RootOperation, maxLength: number): fc.Arbitrary<string> {
  const names = Object.keys(operation.variables);
  const slotted = operation.textSlots.length
    ? fc.tuple(fc.constantFrom(...operation.textSlots), hostileString(maxLength)).map(([slot, text]) => JSON.stringify(withValueAt(operation.variables, slot, text)))
    : fc.constant(JSON.stringify(operation.variables));
  const wrongTypes = fc
    .array(fc.tuple(names.length ? fc.constantFrom(...names, ...prototypeKeys) : fc.constantFrom(...prototypeKeys), hostileJsonText(maxLength)), { minLength: 1, maxLength: 4 })
    .map((entries) => `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`);
  return fc.oneof(slotted, wrongTypes, pollutingObject, deepJson.map((deep) => `{${JSON.stringify(names[0] ?? 'x')}:${deep}}`), hostileJsonText(maxLength));
}

const tokenPattern = /"(?:\\.|[^"\\])*"|\.\.\.|[_A-Za-z][_0-9A-Za-z]*|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|\$[_A-Za-z][_0-9A-Za-z]*|[^\s]/g;
const tokenPool = ['{', '}', '(', ')', '[', ']', ':', '$', '!', '...', '@skip(if: true)', '@include', 'query', 'mutation', 'subscription', 'fragment', 'on', '__schema', '__type', '__typename', 'null', '"', '"""', '#', '&', '|', '=', '$x', '1e999', '-0', '99999999999999999999'];

/** A real operation with a few tokens deleted, doubled, replaced, moved or cut off. */
function mutatedOperationText(source: string, maxLength: number): fc.Arbitrary<string> {
  const tokens = source.replace(/#[^\n]*/g, '').match(tokenPattern) ?? [];
  const edit = fc.tuple(fc.nat(), fc.constantFrom('delete', 'double', 'replace', 'insert', 'literal', 'cut'), fc.constantFrom(...tokenPool, ...tokens.slice(0, 60)), hostileString(Math.min(maxLength, 2_000)));
  return fc.array(edit, { minLength: 1, maxLength: 5 }).map((edits) => {
    const result = [...tokens];
    for (const [at, how, token, text] of edits) {
      const i = result.length ? at % result.length : 0;
      if (how === 'delete') result.splice(i, 1);
      else if (how === 'double') result.splice(i, 0, result[i] ?? token);
      else if (how === 'replace') result[i] = token;
      else if (how === 'insert') result.splice(i, 0, token);
      else if (how === 'literal') result.splice(i, 0, JSON.stringify(text));
      else result.length = i;
    }
    return result.join(' ');
  });
}

/** Selections nested through the recursive types, braces without end, arguments as deep lists, or thousands of aliases. */
const deepOperationText = fc.tuple(fc.constantFrom('records', 'braces', 'argument', 'aliases', 'fragments'), fc.integer({ min: 8, max: 3_000 })).map(([shape, n]) => {
  switch (shape) {
    case 'records': {
      const level = Math.min(n, 400);
      return `{ subject(id: "x") { ${'creditRecords { edges { node { subject { '.repeat(level)}id${' } } } }'.repeat(level)} } }`;
    }
    case 'braces':
      return `{ ${'{'.repeat(n)} __typename ${'}'.repeat(n)} }`;
    case 'argument':
      return `{ searchSubjects(name: ${'['.repeat(n)}"x"${']'.repeat(n)}) { totalCount } }`;
    case 'aliases':
      return `{ ${Array.from({ length: n }, (_, i) => `a${i}: departments { code }`).join(' ')} }`;
    default:
      return `query { ...F0 } ${Array.from({ length: Math.min(n, 500) }, (_, i) => `fragment F${i} on Query { ${i + 1 < Math.min(n, 500) ? `...F${i + 1}` : '__typename'} }`).join(' ')}`;
  }
});

const encoder = new TextEncoder();
const jsonBody = (query: string, variables?: string, extra = '') => encoder.encode(`{"query":${JSON.stringify(query)}${variables === undefined ? '' : `,"variables":${variables}`}${extra}}`);

/** Bytes that are not UTF-8: stray continuation bytes, overlong forms, surrogates encoded, 0xFF. */
const invalidUtf8 = fc.constantFrom([0xff], [0xc3, 0x28], [0xa0, 0xa1], [0xe2, 0x28, 0xa1], [0xf0, 0x28, 0x8c, 0xbc], [0xed, 0xa0, 0x80], [0xc0, 0xaf], [0x00]);

function spliced(bytes: Uint8Array, at: number, insert: readonly number[]): Uint8Array {
  const i = bytes.length ? at % bytes.length : 0;
  return Uint8Array.from([...bytes.subarray(0, i), ...insert, ...bytes.subarray(i)]);
}

/** Every UTF-8 byte percent-encoded (encodeURIComponent throws on a lone surrogate; this sends U+FFFD's bytes). */
const percentEncoded = (text: string) => [...Buffer.from(text, 'utf8')].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');

const headerText = fc.oneof(fc.string({ unit: 'binary-ascii', maxLength: 40 }).map((s) => s.replace(/[^\x20-\x7e]/g, '')), fc.constantFrom("' OR 1=1 --", '__proto__', 'GOVERNMENT_PROCUREMENT', 'CREDIT_SUPERVISION', ''));

export function hostileRequests(options: HostileOptions): fc.Arbitrary<HostileRequest> {
  const { operations, examples, maxStringLength: max } = options;
  const caller = fc.nat({ max: options.callers - 1 });
  const headers = fc.oneof(
    { weight: 3, arbitrary: fc.constant({}) },
    { weight: 1, arbitrary: fc.record({ 'x-credit-matter': headerText, 'x-credit-case': headerText, 'x-credit-consent': headerText }, { requiredKeys: [] }) },
  );
  const source = fc.oneof(
    fc.constantFrom(...examples).map((e) => ({ text: e.query, variables: JSON.stringify(e.variables ?? {}), operation: undefined as RootOperation | undefined })),
    fc.constantFrom(...operations).map((o) => ({ text: o.text, variables: JSON.stringify(o.variables), operation: o as RootOperation | undefined })),
  );
  const post = (kind: string, body: fc.Arbitrary<Uint8Array>, contentType: fc.Arbitrary<string | undefined> = fc.constant('application/json')) =>
    fc.record({ kind: fc.constant(kind), method: fc.constant('POST' as const), body, contentType, caller, headers });

  return fc.oneof(
    // Valid operations with hostile variables: the values reach the resolvers and repositories.
    post('hostile variables', fc.constantFrom(...operations).chain((o) => hostileVariables(o, max).map((v) => jsonBody(o.text, v)))),
    post('mutated operation', source.chain((s) => mutatedOperationText(s.text, max).map((text) => jsonBody(text, s.variables)))),
    post('deep or wide operation', deepOperationText.map((text) => jsonBody(text))),
    post(
      'malformed body',
      fc.oneof(
        source.chain((s) => fc.nat().map((cut) => jsonBody(s.text, s.variables).subarray(0, cut % (s.text.length + 10)))),
        source.map((s) => encoder.encode(`[${new TextDecoder().decode(jsonBody(s.text, s.variables))}]`)),
        fc.constantFrom('', 'null', '1e999', '"query"', '[]', '{}', '{"query":null}', '{"query":1}', '{"query":{"a":1}}', '{"query":["{ __typename }"]}', '{"query":"{ __typename }","variables":"x"}', '{"query":"{ __typename }","variables":[1]}', '{"query":"{ __typename }","operationName":{"x":1}}', '{"query":"{ __typename }","extensions":{"persistedQuery":{"version":1,"sha256Hash":"00"}}}', '{"extensions":{"persistedQuery":{"version":1,"sha256Hash":"\'; DROP TABLE subject; --"}}}', '{"query":"{ __typename }","__proto__":{"polluted":"yes"}}').map((t) => encoder.encode(t)),
        hostileJsonText(max).map((t) => encoder.encode(t)),
      ),
    ),
    post('invalid UTF-8', fc.tuple(source, fc.nat(), invalidUtf8).map(([s, at, bytes]) => spliced(jsonBody(s.text, s.variables), at, bytes))),
    post('random bytes', fc.uint8Array({ maxLength: 512 })),
    post(
      'unexpected content type',
      source.map((s) => jsonBody(s.text, s.variables)),
      fc.constantFrom(undefined, 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/graphql', 'application/json; charset=latin1', 'application/xml'),
    ),
    fc.record({
      kind: fc.constant('GET'),
      method: fc.constant('GET' as const),
      search: fc.oneof(
        source.map((s) => `?query=${percentEncoded(s.text)}&variables=${percentEncoded(s.variables)}`),
        fc.tuple(hostileString(2_000), hostileString(200)).map(([q, v]) => `?query=${percentEncoded(q)}&variables=${percentEncoded(v)}`),
        fc.constantFrom('', '?query=', '?query=%', '?query=%FF%FE', '?variables={', '?query=mutation{registerSubject(input:{kind:ENTERPRISE,name:"x",code:"x"}){id}}', '?query={__typename}&query={x}'),
      ),
      caller,
      headers,
    }),
  );
}

/** One line about a request, for a failure report (bodies can be megabytes). */
export function describeRequest(request: HostileRequest): string {
  const body = request.body ? Buffer.from(request.body).toString('utf8') : '';
  const shown = body.length > 400 ? `${body.slice(0, 400)}… (${request.body?.length} bytes)` : body;
  return `${request.kind}: ${request.method}${request.search ? ` ${request.search.slice(0, 300)}` : ''} content-type=${JSON.stringify(request.contentType)} caller=${request.caller} headers=${JSON.stringify(request.headers)} body=${JSON.stringify(shown)}`;
}
