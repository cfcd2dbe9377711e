import { maskPersonalData } from '../../lib/logger';
import { ServiceMetrics } from '../../lib/metrics';
import type { RequestRecord } from '../../lib/request-record';
import { demoWorld } from '../../scripts/demo/world';
import { financeOfficer, sample, startOpsPlatform, type OpsPlatform } from './ops-platform';

/** A citizen ID number written into what a client chooses: its request id and its operation's name. */
const idNumber = '130304199001011234';
const masked = '1303**********1234';

describe('maskPersonalData', () => {
  it('masks a citizen ID number next to letters', () => {
    expect(maskPersonalData(`x-request-id: ridA${idNumber}`)).toBe(`x-request-id: ridA${masked}`);
    expect(maskPersonalData(`query Leak${idNumber} { __typename }`)).toBe(`query Leak${masked} { __typename }`);
    expect(maskPersonalData(`"requestId":"ridA${idNumber}B"`)).toBe(`"requestId":"ridA${masked}B"`);
    expect(maskPersonalData('id_13030419900101123Xyz')).toBe('id_1303**********123Xyz');
    expect(maskPersonalData('old A130304900101123B')).toBe('old A1303*******1123B');
  });

  it('masks a mobile number next to letters', () => {
    expect(maskPersonalData('req13812345678x')).toBe('req138****5678x');
  });

  // Underscores are what a GraphQL name can split a number with; slashes and dots, a request id.
  it('masks either split by underscores, slashes or dots, as by spaces and hyphens', () => {
    expect(maskPersonalData('Call_138_1234_5678_Xu_130304_1973_0413_0019')).toBe('Call_138****5678_Xu_1303**********0019');
    expect(maskPersonalData('"clientRequestId":"tel/138/1234/5678"')).toBe('"clientRequestId":"tel/138****5678"');
    expect(maskPersonalData('id 130304.19730413.0019, tel 138.1234.5678')).toBe('id 1303**********0019, tel 138****5678');
    expect(maskPersonalData('130304/1973/0413/001x')).toBe('1303**********001X');
  });

  it('leaves what a dot joins otherwise whole: an IPv4 address, a decimal number', () => {
    const text = 'peer 192.168.10.100:4001 redis://172.16.254.101:6379 took 1.23456789012345 ms, 0.30000000000000004, on 2026/12/01 or 2026.12.01';
    expect(maskPersonalData(text)).toBe(text);
  });

  it('leaves longer digit runs whole: timestamps, sequence numbers, document numbers', () => {
    const text = [
      'hrtime 1764057600000123456', // nanoseconds: 19 digits
      'seq A0000000000000000000042', // 22 digits
      'doc BDH2026130304199001011234567', // an ID number's digits inside a longer run
      'at 1764057600000 port :4001 pid 5755', // milliseconds, a port, a process
      'time 2026-01-17T08:30:00.000Z uuid 0190a8c4-6f1e-7c3a-9b2d-3f4e5a6b7c8d',
      'code 91130304MA0TEXT1X8',
    ].join('\n');
    expect(maskPersonalData(text)).toBe(text);
  });
});

describe('operation labels on /metrics', () => {
  const record = (operationName: string | null, identified: boolean): RequestRecord => ({
    requestId: 'r',
    operationName,
    operationType: 'query',
    errorCodes: [],
    caller: identified ? { organisation: 'FINANCE', organisationKind: 'DEPARTMENT', role: 'DEPARTMENT_OFFICER' } : null,
  });
  // Each stops its GC observer when closed; one left open would keep this file's modules alive.
  const made: ServiceMetrics[] = [];
  const serviceMetrics = () => {
    const metrics = new ServiceMetrics('test');
    made.push(metrics);
    return metrics;
  };
  afterAll(() => made.forEach((metrics) => metrics.close()));
  const operations = async (metrics: ServiceMetrics) => {
    const text = await metrics.registry.metrics();
    return [...text.matchAll(/^credit_graphql_requests_total\{operation="([^"]*)"/gm)].map((m) => m[1]);
  };

  it('never carry a name with a long number in it, an identified caller’s either', async () => {
    const metrics = serviceMetrics();
    for (const name of [`Leak${idNumber}`, 'Call13812345678', 'Report20260117', 'Call_138_1234_5678_Xu_130304_1973_0413_0019', 'Report_2026_01_17']) metrics.observeGraphQL(record(name, true), 0.01);
    metrics.observeGraphQL(record('SubjectCheck2026', true), 0.01);
    metrics.observeGraphQL(record('SubjectCheck_2026_1', true), 0.01);
    expect(await operations(metrics)).toEqual(['(other)', 'SubjectCheck2026', 'SubjectCheck_2026_1']);
    expect(await metrics.registry.metrics()).not.toContain(idNumber);
  });

  it('are not given to new names by callers without an identity, who cannot fill the slots', async () => {
    const metrics = serviceMetrics();
    for (let i = 0; i < 400; i++) metrics.observeGraphQL(record(`Junk${i}`, false), 0.01);
    metrics.observeGraphQL(record('SubjectCheck', true), 0.01);
    // A name an identified caller brought is counted by name for everyone.
    metrics.observeGraphQL(record('SubjectCheck', false), 0.01);
    metrics.observeGraphQL(record(null, false), 0.01);
    expect((await operations(metrics)).sort()).toEqual(['(anonymous)', '(other)', 'SubjectCheck']);
  });

  /**
   * The platform's own calls at a subgraph (an audit append, a consent check, a peer lookup) have no
   * caller, and were `(other)` beside clients' names there (a query plan's fetch for a client
   * without a token, `<name>__<subgraph>__<n>`): counted by their names, needing no slot, so not
   * even a token holder who filled the slots pushes them into `(other)`; a long number all the same is not.
   */
  it('count the platform’s own calls by name, without a slot, apart from callers without an identity', async () => {
    const metrics = serviceMetrics();
    for (let i = 0; i < 300; i++) metrics.observeGraphQL(record(`Distinct${i}x`, true), 0.01);
    const platformCall = (name: string): RequestRecord => ({ ...record(name, false), operationType: 'mutation', platformCall: true });
    metrics.observeGraphQL(platformCall('AppendAuditEntries'), 0.01);
    metrics.observeGraphQL(platformCall(`Leak${idNumber}`), 0.01);
    metrics.observeGraphQL(record('Lookup__entities__0', false), 0.01);
    const text = await metrics.registry.metrics();
    expect(sample(text, 'credit_graphql_requests_total', { operation: 'AppendAuditEntries', type: 'mutation' })).toBe(1);
    // The caller without an identity, and the platform's long number: never a label of their own.
    expect(sample(text, 'credit_graphql_requests_total', { operation: '(other)', type: 'query' })).toBe(1);
    expect(sample(text, 'credit_graphql_requests_total', { operation: '(other)', type: 'mutation' })).toBe(1);
    expect(text).not.toContain(idNumber);
  });

  /**
   * Any token holder could fill the 300 slots with `query Distinct<i>x`, after which every new
   * operation was `(other)` until a restart. A name unseen for ten minutes gives its slot (and its
   * series) to a new one; one in use keeps it, and there are never more than 300.
   */
  it('give the slot of a name unseen for ten minutes to a new name, and never number more than 300', async () => {
    const metrics = serviceMetrics();
    const errored = (name: string): RequestRecord => ({ ...record(name, true), errorCodes: ['FORBIDDEN'] });
    try {
      jest.useFakeTimers({ now: Date.parse('2026-12-05T10:00:00Z') });
      metrics.observeGraphQL(record('SubjectCheck', true), 0.01);
      for (let i = 0; i < 400; i++) metrics.observeGraphQL(errored(`Distinct${i}x`), 0.01);
      metrics.observeGraphQL(record('NewLookup', true), 0.01);
      expect(await operations(metrics)).toContain('(other)');
      expect(await operations(metrics)).not.toContain('NewLookup');

      jest.advanceTimersByTime(9 * 60_000);
      metrics.observeGraphQL(record('SubjectCheck', true), 0.01);
      jest.advanceTimersByTime(60_000);
      metrics.observeGraphQL(record('NewLookup', true), 0.01);
      const names = await operations(metrics);
      expect(names).toEqual(expect.arrayContaining(['NewLookup', 'SubjectCheck']));
      // One junk name gave its slot, its series gone with it (requests, durations, errors).
      expect(names.filter((n) => n.startsWith('Distinct'))).toHaveLength(298);
      const text = await metrics.registry.metrics();
      expect(text).not.toMatch(/operation="Distinct0x"/);
      expect(new Set([...text.matchAll(/operation="([^"]*)"/g)].map((m) => m[1])).size).toBeLessThanOrEqual(301);

      // Released names are counted by name again when they come back, within the same bound.
      for (let i = 0; i < 400; i++) metrics.observeGraphQL(record(`Later${i}x`, true), 0.01);
      expect((await operations(metrics)).filter((n) => n !== '(other)')).toHaveLength(300);
      expect(await operations(metrics)).toEqual(expect.arrayContaining(['NewLookup', 'SubjectCheck']));
    } finally {
      jest.useRealTimers();
    }
  });
});

describe('a client writing a citizen ID number into its request id and operation name', () => {
  let platform: OpsPlatform;
  const enterprise = demoWorld({ subjects: 4 }).subjects.find((s) => s.kind === 'ENTERPRISE')!;
  beforeAll(async () => {
    platform = await startOpsPlatform({ kind: 'sqlite', directory: ':memory:' }, { seedSubjects: 4 });
  });
  afterAll(async () => {
    await platform?.stop();
  });

  it('finds it in no log line and on no /metrics', async () => {
    const query = /* GraphQL */ `query Leak${idNumber}($code: String!) { subjectByCode(code: $code) { name creditRecords(first: 1) { totalCount } } }`;
    const requestId = { 'x-request-id': `ridA${idNumber}` };
    const asOfficer = await platform.query(query, { code: enterprise.identifier }, { caller: financeOfficer.caller, headers: { ...financeOfficer.headers, ...requestId } });
    expect(asOfficer.errors).toBeUndefined();
    // Without a token: refused, and logged all the same.
    await platform.query(query, { code: enterprise.identifier }, { headers: requestId });
    // A request id holding the number is not taken at all (lib/request-record.ts): a new one is made.
    const lines = Object.values(platform.logs).flatMap((l) => l.raw).join('\n');
    expect(lines).toContain(`"operationName":"Leak${masked}"`);
    expect(lines).not.toContain('ridA');
    expect(lines).not.toContain(idNumber);

    for (const origin of [platform.origin, new URL(platform.subgraphs.entities.url).origin]) {
      const text = await (await fetch(`${origin}/metrics`)).text();
      expect(text).not.toContain(idNumber);
      expect(sample(text, 'credit_graphql_requests_total', { operation: '(other)' })).toBeGreaterThanOrEqual(1);
    }
  });

  it('finds it split by underscores or slashes in no log line and on no /metrics either', async () => {
    const operation = 'Call_138_1234_5678_Xu_130304_1973_0413_0019';
    const query = /* GraphQL */ `query ${operation}($code: String!) { subjectByCode(code: $code) { name } }`;
    const result = await platform.query(query, { code: enterprise.identifier }, { caller: financeOfficer.caller, headers: { ...financeOfficer.headers, 'x-request-id': 'tel/138/1234/5678' } });
    expect(result.errors).toBeUndefined();
    const lines = Object.values(platform.logs).flatMap((l) => l.raw).join('\n');
    expect(lines).toContain('"operationName":"Call_138****5678_Xu_1303**********0019"');
    // Nor is the request id taken, as the logs would mask it: support would look for an id no line holds.
    expect(lines).not.toContain('tel/');
    expect(lines).not.toMatch(/1234.5678|1973.0413/);
    for (const origin of [platform.origin, new URL(platform.subgraphs.entities.url).origin]) {
      const text = await (await fetch(`${origin}/metrics`)).text();
      expect(text).not.toContain(operation);
      expect(text).not.toMatch(/1234.5678|1973.0413/);
    }
  });
});
