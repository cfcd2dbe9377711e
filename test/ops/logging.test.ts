import { GraphQLError } from 'graphql';
import { maskUnexpectedErrors } from '../../lib/errors';
import { createLogger, maskPersonalData } from '../../lib/logger';
import { markError } from '../../lib/request-record';
import { demoWorld } from '../../scripts/demo/world';
import { financeOfficer, startOpsPlatform, type OpsPlatform } from './ops-platform';

describe('maskPersonalData', () => {
  it('masks citizen ID numbers as the API does, keeping 4 + 4 characters', () => {
    expect(maskPersonalData('subject 13030419900307123X not found')).toBe('subject 1303**********123X not found');
    expect(maskPersonalData('"organisation":"130304199003071234"')).toBe('"organisation":"1303**********1234"');
    expect(maskPersonalData('old id 130304900307123 here')).toBe('old id 1303*******7123 here');
  });

  it('masks mobile phone numbers', () => {
    expect(maskPersonalData('call 13812345678')).toBe('call 138****5678');
  });

  it('leaves unified social credit codes, timestamps and other numbers alone', () => {
    const text = 'code 91130304MA0TEXT1X8 at 1764057600000 seq 12345 uuid 0f8fad5b-d9cb-469f-a165-70867728950e';
    expect(maskPersonalData(text)).toBe(text);
  });
});

describe('createLogger', () => {
  it('writes JSON lines with service, level word, redacted secrets and masked personal data', () => {
    const lines: string[] = [];
    const logger = createLogger('test-service', { destination: { write: (line: string) => void lines.push(line) } });
    logger.info({ requestId: 'req-42', authorization: 'Bearer abc.def.ghi', variables: { code: 'x' }, caller: { organisation: '130304199003071234' } }, 'hello');
    logger.warn('outside a request');
    const [inside, outside] = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(inside).toMatchObject({ service: 'test-service', level: 'info', requestId: 'req-42', msg: 'hello', authorization: '[redacted]', variables: '[redacted]', caller: { organisation: '1303**********1234' } });
    expect(typeof inside.time).toBe('string');
    expect(outside.requestId).toBeUndefined();
    expect(lines.join('')).not.toContain('abc.def.ghi');
  });
});

describe('maskUnexpectedErrors', () => {
  const logged: { message: string; requestId: string | undefined }[] = [];
  const mask = maskUnexpectedErrors((message, _error, requestId) => void logged.push({ message, requestId }));
  beforeEach(() => void logged.splice(0));

  it('gives a masked error, and its log line, the id of the request that met it', () => {
    const cause = new Error('connect ECONNREFUSED 10.0.0.7:3306');
    const error = new GraphQLError('Context creation failed: connect ECONNREFUSED', { originalError: cause });
    markError(cause, { requestId: 'req-7', errorCodes: [] });
    const formatted = mask({ message: error.message, extensions: { code: 'INTERNAL_SERVER_ERROR' } }, error);
    expect(formatted).toEqual({ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR', requestId: 'req-7' } });
    expect(logged).toEqual([{ message: 'unexpected error', requestId: 'req-7' }]);
  });

  it('names no request for an error no request met, and leaves coded errors alone', () => {
    expect(mask({ message: 'boom', extensions: { code: 'INTERNAL_SERVER_ERROR' } }, new Error('boom')).extensions).toEqual({ code: 'INTERNAL_SERVER_ERROR' });
    const refused = new GraphQLError('no such subject', { extensions: { code: 'NOT_FOUND' } });
    markError(refused, { requestId: 'req-8', errorCodes: [] });
    expect(mask({ message: refused.message, extensions: { code: 'NOT_FOUND' } }, refused)).toEqual({ message: 'no such subject', extensions: { code: 'NOT_FOUND' } });
    expect(logged).toEqual([{ message: 'unexpected error', requestId: undefined }]);
  });
});

describe('request logs across the platform', () => {
  let platform: OpsPlatform;
  const world = demoWorld({ subjects: 8 });
  const enterprise = world.subjects.find((s) => s.kind === 'ENTERPRISE')!;
  const person = world.subjects.find((s) => s.kind === 'NATURAL_PERSON')!;
  beforeAll(async () => {
    platform = await startOpsPlatform({ kind: 'sqlite', directory: ':memory:' }, { seedSubjects: 8 });
  });
  afterAll(async () => {
    await platform?.stop();
  });

  it('carries one request id from the gateway to every subgraph it calls and into the audit log', async () => {
    const requestId = 'ops-test-request-0001';
    const token = await platform.token(financeOfficer.caller);
    const result = await platform.query(
      /* GraphQL */ `query LoggedLookup($code: String!) { subjectByCode(code: $code) { name creditRecords(first: 1) { totalCount } } }`,
      { code: enterprise.identifier },
      { headers: { ...financeOfficer.headers, authorization: `Bearer ${token}`, 'x-request-id': requestId } },
    );
    expect(result.errors).toBeUndefined();

    const [gatewayLine] = platform.logs.gateway.withRequestId(requestId);
    expect(gatewayLine).toMatchObject({
      service: 'gateway',
      level: 'info',
      msg: 'request',
      method: 'POST',
      path: '/graphql',
      status: 200,
      operationName: 'LoggedLookup',
      operationType: 'query',
      caller: { organisation: 'FINANCE', organisationKind: 'DEPARTMENT', role: 'DEPARTMENT_OFFICER' },
    });
    expect(typeof gatewayLine.durationMs).toBe('number');
    for (const name of ['entities', 'records'] as const) {
      const lines = platform.logs[name].withRequestId(requestId);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatchObject({ service: name, msg: 'request', status: 200, caller: { organisation: 'FINANCE', role: 'DEPARTMENT_OFFICER' } });
    }
    const audited = (await platform.databases.audit.query('SELECT request_id FROM audit_entry WHERE request_id = ?', [requestId])) as { request_id: string }[];
    expect(audited.length).toBeGreaterThanOrEqual(1);
    // Neither the token nor the variables (the code looked up) are in any line.
    const everything = Object.values(platform.logs).flatMap((l) => l.raw).join('\n');
    expect(everything).not.toContain(token);
    expect(everything).not.toContain(enterprise.identifier);
  });

  it('answers with the request id, and makes one when the caller sent none or an unusable one', async () => {
    const response = await fetch(platform.gatewayUrl, { method: 'POST', headers: { 'content-type': 'application/json', 'x-request-id': 'x'.repeat(65) }, body: JSON.stringify({ query: '{ __typename }' }) });
    const requestId = response.headers.get('x-request-id');
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(platform.logs.gateway.withRequestId(requestId!)).toHaveLength(1);
  });

  it('makes a request id of its own for one holding what may be a citizen ID number, which the audit log and the subgraphs would otherwise keep', async () => {
    for (const sent of ['lookup-130304199001011234', '130304900101123', `rid${'7'.repeat(20)}`, '130304-19730413-0019', '130304.1973.0413.0019', '1303041973_04130019']) {
      const response = await fetch(platform.gatewayUrl, { method: 'POST', headers: { 'content-type': 'application/json', 'x-request-id': sent }, body: JSON.stringify({ query: '{ __typename }' }) });
      expect(response.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    }
    // Shorter digit runs (a timestamp in milliseconds, an order number) are kept.
    const kept = await fetch(platform.gatewayUrl, { method: 'POST', headers: { 'content-type': 'application/json', 'x-request-id': 'batch-1733300000000-7' }, body: JSON.stringify({ query: '{ __typename }' }) });
    expect(kept.headers.get('x-request-id')).toBe('batch-1733300000000-7');
  });

  it('never writes a person’s citizen ID number, even when it is the caller’s organisation', async () => {
    const requestId = 'ops-test-request-0002';
    const self = { id: 'self-person', organisation: person.identifier, organisationKind: 'INDIVIDUAL' as const, role: 'EXTERNAL_USER' as const, subjectId: person.id };
    const result = await platform.query(/* GraphQL */ `query Mine($id: ID!) { subject(id: $id) { name } }`, { id: person.id }, { caller: self, headers: { 'x-credit-matter': 'SELF_INQUIRY', 'x-request-id': requestId } });
    expect(result.errors).toBeUndefined();
    const [line] = platform.logs.gateway.withRequestId(requestId);
    expect(line.caller).toEqual({ organisation: `${person.identifier.slice(0, 4)}**********${person.identifier.slice(-4)}`, organisationKind: 'INDIVIDUAL', role: 'EXTERNAL_USER' });
    const everything = Object.values(platform.logs).flatMap((l) => l.raw).join('\n');
    expect(everything).not.toContain(person.identifier);
  });

  it('logs a refused request with its error code', async () => {
    const requestId = 'ops-test-request-0003';
    await platform.query('{ __typename }', {}, { headers: { authorization: 'Bearer forged', 'x-request-id': requestId } });
    const [line] = platform.logs.gateway.withRequestId(requestId);
    expect(line.errorCodes).toEqual(['UNAUTHENTICATED']);
    expect(JSON.stringify(line)).not.toContain('forged');
  });
});
