import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import type { ServedGateway } from '../../gateway/serve';
import { readTrustedProxies } from '../../gateway/config';
import type { RateLimitSettings } from '../../gateway/rate-limits';
import type { Caller } from '../../lib/access/identity';
import { eventually } from '../helpers/processes';
import { TcpProxy } from '../helpers/tcp-proxy';
import { sample, startOpsPlatform, type OpsPlatform } from './ops-platform';

const PROBE = /* GraphQL */ `query RateProbe { departments { code } }`;

const redisUrl = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
/** Ours alone, so that concurrent runs sharing the Redis never count each other's requests. */
const redisPrefix = `credit-test:${randomUUID()}:`;
const limits: RateLimitSettings = { callerPerMinute: 3, organisationPerMinute: 5, redisPrefix };

/** A bank's user: any organisation id is acceptable for a financial institution, so each test takes organisations of its own. */
const banker = (organisation: string, id: string): Caller => ({ id, organisation, organisationKind: 'FINANCIAL_INSTITUTION', role: 'EXTERNAL_USER' });

interface Answer {
  status: number;
  headers: Headers;
  body: { data?: unknown; errors?: { message: string; extensions?: Record<string, unknown> }[] };
}

/**
 * Budgets are counted per minute, and each test uses callers and organisations of its own, so
 * no test depends on another's requests (or on the clock, as long as a test takes less than the
 * window, which these few requests do by far).
 */
describe('rate limits', () => {
  let platform: OpsPlatform;
  beforeAll(async () => {
    platform = await startOpsPlatform({ kind: 'sqlite', directory: ':memory:' }, { rateLimits: limits });
  });
  afterAll(async () => {
    await platform?.stop();
  });

  async function send(url: string, caller?: Caller): Promise<Answer> {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(caller ? { authorization: `Bearer ${await platform.token(caller)}` } : {}) },
      body: JSON.stringify({ query: PROBE }),
      signal: AbortSignal.timeout(10_000),
    });
    return { status: response.status, headers: response.headers, body: (await response.json()) as Answer['body'] };
  }

  const rateHeaders = (answer: Answer) => ({
    limit: answer.headers.get('ratelimit-limit'),
    remaining: answer.headers.get('ratelimit-remaining'),
  });

  function expectAdmitted(answer: Answer, limit: number, remaining: number): void {
    expect(answer.status).toBe(200);
    expect(answer.body.errors).toBeUndefined();
    expect(answer.body.data).toEqual({ departments: expect.arrayContaining([{ code: 'FINANCE' }]) });
    expect(rateHeaders(answer)).toEqual({ limit: String(limit), remaining: String(remaining) });
    const reset = Number(answer.headers.get('ratelimit-reset'));
    expect(reset).toBeGreaterThanOrEqual(1);
    expect(reset).toBeLessThanOrEqual(60);
  }

  function expectRefused(answer: Answer, budget: string, limit: number): void {
    expect(answer.status).toBe(429);
    expect(answer.body.data).toBeUndefined();
    expect(answer.body.errors).toHaveLength(1);
    const [error] = answer.body.errors!;
    expect(error.extensions).toEqual({ code: 'RATE_LIMITED', budget, retryAfterSeconds: expect.any(Number) });
    const retryAfter = error.extensions!.retryAfterSeconds as number;
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(answer.headers.get('retry-after')).toBe(String(retryAfter));
    expect(answer.headers.get('ratelimit-reset')).toBe(String(retryAfter));
    expect(rateHeaders(answer)).toEqual({ limit: String(limit), remaining: '0' });
    expect(error.message).toContain(`budget of ${limit} requests per minute is used up`);
  }

  it('says its budgets and where it counts, without Redis in memory', () => {
    expect(platform.gateway.gateway.rateLimits?.summary()).toEqual({ callerPerMinute: 3, organisationPerMinute: 5, counters: 'memory' });
  });

  it("admits a caller's requests up to its budget, with the RateLimit headers, and refuses the next with 429", async () => {
    const caller = banker('BANK-EDGE', 'edge');
    for (let remaining = 2; remaining >= 0; remaining--) expectAdmitted(await send(platform.gatewayUrl, caller), 3, remaining);
    expectRefused(await send(platform.gatewayUrl, caller), 'CALLER', 3);
    const metrics = await (await fetch(`${platform.origin}/metrics`, { signal: AbortSignal.timeout(10_000) })).text();
    expect(sample(metrics, 'credit_gateway_rate_limited_total', { budget: 'CALLER' })).toBeGreaterThanOrEqual(1);
    expect(sample(metrics, 'credit_graphql_errors_total', { code: 'RATE_LIMITED' })).toBeGreaterThanOrEqual(1);
  });

  it("shares an organisation's budget among its callers, and headers tell the budget nearest to running out", async () => {
    const first = banker('BANK-SHARED', 'first');
    const second = banker('BANK-SHARED', 'second');
    for (let remaining = 2; remaining >= 0; remaining--) expectAdmitted(await send(platform.gatewayUrl, first), 3, remaining);
    // The second caller's own budget is untouched (2 left), the organisation's nearly spent (1 left, then 0).
    expectAdmitted(await send(platform.gatewayUrl, second), 5, 1);
    expectAdmitted(await send(platform.gatewayUrl, second), 5, 0);
    expectRefused(await send(platform.gatewayUrl, second), 'ORGANISATION', 5);
  });

  it('keeps each organisation to a budget of its own', async () => {
    for (const id of ['a', 'b']) for (let i = 0; i < (id === 'a' ? 3 : 2); i++) expect((await send(platform.gatewayUrl, banker('BANK-SPENT', id))).status).toBe(200);
    expectRefused(await send(platform.gatewayUrl, banker('BANK-SPENT', 'c')), 'ORGANISATION', 5);
    expectAdmitted(await send(platform.gatewayUrl, banker('BANK-FRESH', 'a')), 3, 2);
  });

  it("does not charge an organisation for requests refused on its caller's own budget", async () => {
    const greedy = banker('BANK-FAIR', 'greedy');
    for (let i = 0; i < 3; i++) expect((await send(platform.gatewayUrl, greedy)).status).toBe(200);
    for (let i = 0; i < 3; i++) expectRefused(await send(platform.gatewayUrl, greedy), 'CALLER', 3);
    // 3 of the organisation's 5 are used, not 6: a colleague still has 2.
    expectAdmitted(await send(platform.gatewayUrl, banker('BANK-FAIR', 'colleague')), 5, 1);
    expectAdmitted(await send(platform.gatewayUrl, banker('BANK-FAIR', 'colleague')), 5, 0);
  });

  // Refused before Apollo's pipeline names the caller: the line said 429 and not whose budget ran out.
  it('logs a refused request under the caller its token proved', async () => {
    const refused = async () => {
      for (;;) {
        const answer = await send(platform.gatewayUrl, banker('BANK-LOGGED', 'busy'));
        if (answer.status === 429) return answer.headers.get('x-request-id')!;
      }
    };
    expect(await platform.logs.gateway.requestLine(await refused())).toMatchObject({ status: 429, errorCodes: ['RATE_LIMITED'], caller: { organisation: 'BANK-LOGGED', organisationKind: 'FINANCIAL_INSTITUTION', role: 'EXTERNAL_USER' } });
  });

  it('counts requests without a token per client address', async () => {
    for (let remaining = 2; remaining >= 0; remaining--) expectAdmitted(await send(platform.gatewayUrl), 3, remaining);
    expectRefused(await send(platform.gatewayUrl), 'ADDRESS', 3);
    // A caller with a token from the same address has a budget of its own.
    expectAdmitted(await send(platform.gatewayUrl, banker('BANK-ADDRESS', 'a')), 3, 2);
  });

  it('counts refused tokens against their address, so that a flood of them is refused before it is audited', async () => {
    // A replica of its own: the address budget of the main gateway is spent by the test above.
    const replica = await platform.serveGateway({ rateLimits: limits });
    try {
      const forged = async () =>
        fetch(replica.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: 'Bearer not.a.token' },
          body: JSON.stringify({ query: PROBE }),
          signal: AbortSignal.timeout(10_000),
        });
      for (let i = 0; i < 3; i++) expect((await forged()).status).toBe(401);
      for (let i = 0; i < 2; i++) expect((await forged()).status).toBe(429);
      // Three denied attempts audited, none for the two refused by the budget.
      expect(replica.gateway.audit!.written.entries).toBe(3);
    } finally {
      await replica.stop();
    }
  });

  it('sends the RateLimit headers and Cache-Control: no-store with every answer of a counted request that GraphQL never ran', async () => {
    // A replica whose consent register cannot be asked (nothing listens on port 1), with budgets of its own.
    const subgraphUrls = { ...Object.fromEntries(Object.entries(platform.subgraphs).map(([name, subgraph]) => [name, subgraph.url])), entities: 'http://127.0.0.1:1/graphql' };
    const replica = await platform.serveGateway({ rateLimits: limits, subgraphUrls });
    try {
      const post = async (headers: Record<string, string>) => {
        const response = await fetch(replica.url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query: PROBE }), signal: AbortSignal.timeout(10_000) });
        return { status: response.status, headers: response.headers, body: (await response.json()) as Answer['body'] };
      };
      const counted = (answer: Answer) => ({ status: answer.status, code: answer.body.errors?.[0].extensions?.code, ...rateHeaders(answer), cacheControl: answer.headers.get('cache-control') });
      const authorization = `Bearer ${await platform.token(banker('BANK-OUTAGE', 'teller'))}`;

      // The register that decides the purpose down: 503, the whole answer withheld, the request counted.
      const outage = await post({ authorization, 'x-credit-matter': 'FINANCIAL_SERVICES', 'x-credit-consent': randomUUID() });
      expect(counted(outage)).toEqual({ status: 503, code: 'SUBGRAPH_UNAVAILABLE', limit: '3', remaining: '2', cacheControl: 'no-store' });
      expect(outage.headers.get('retry-after')).toBe('5');
      expect(Number(outage.headers.get('ratelimit-reset'))).toBeGreaterThanOrEqual(1);
      // A purpose header refused: 400, counted all the same.
      const malformed = await post({ authorization, 'x-credit-matter': 'FINANCIAL_SERVICES', 'x-credit-case': "UTF-8''%0Aforged" });
      expect(counted(malformed)).toEqual({ status: 400, code: 'BAD_USER_INPUT', limit: '3', remaining: '1', cacheControl: 'no-store' });
      // A refused token: 401, counted against its address's budget.
      const forged = await post({ authorization: 'Bearer not.a.token' });
      expect(counted(forged)).toEqual({ status: 401, code: 'UNAUTHENTICATED', limit: '3', remaining: '2', cacheControl: 'no-store' });
      expect(forged.headers.get('www-authenticate')).toMatch(/^Bearer /);
      // And the refusal of a budget used up says so as well.
      await post({ authorization, 'x-credit-matter': 'FINANCIAL_SERVICES', 'x-credit-consent': randomUUID() });
      const refused = await post({ authorization, 'x-credit-matter': 'FINANCIAL_SERVICES', 'x-credit-consent': randomUUID() });
      expect(counted(refused)).toEqual({ status: 429, code: 'RATE_LIMITED', limit: '3', remaining: '0', cacheControl: 'no-store' });
    } finally {
      await replica.stop();
    }
  });

  it("counts views of a printable report against the address's budget, before the reports subgraph is asked", async () => {
    const replica = await platform.serveGateway({ rateLimits: limits });
    try {
      const view = () => fetch(new URL('/reports/BDHXY-20260101-NOSUCH00.html?code=WRONG', replica.url), { signal: AbortSignal.timeout(10_000) });
      for (let remaining = 2; remaining >= 0; remaining--) {
        const answer = await view();
        expect({ status: answer.status, remaining: answer.headers.get('ratelimit-remaining') }).toEqual({ status: 404, remaining: String(remaining) });
      }
      const refused = await view();
      expect(refused.status).toBe(429);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(refused.headers.get('content-type')).toBe('text/html; charset=utf-8');
      const page = await refused.text();
      expect(page).toContain('<h1>请求过于频繁</h1>');
      expect(page).toContain('budget of 3 requests per minute is used up');
    } finally {
      await replica.stop();
    }
  });

  /**
   * Behind nginx, every request without a token came from its address: one client's flood of
   * forged tokens used up the budget of every citizen opening a printable report, and the 429's
   * line named nobody.
   */
  describe('behind a proxy', () => {
    const forwarded = async (url: string, forwardedFor: string, authorization?: string): Promise<Answer> => {
      const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': forwardedFor, ...(authorization ? { authorization } : {}) }, body: JSON.stringify({ query: PROBE }), signal: AbortSignal.timeout(10_000) });
      return { status: response.status, headers: response.headers, body: (await response.json()) as Answer['body'] };
    };
    const view = (url: string, forwardedFor: string) => fetch(new URL('/reports/BDHXY-20260101-NOSUCH00.html?code=WRONG', url), { headers: { 'x-forwarded-for': forwardedFor }, signal: AbortSignal.timeout(10_000) });

    it('counts each client a trusted proxy forwards for against a budget of its own, and names the address on the line of its refusal', async () => {
      const replica = await platform.serveGateway({ rateLimits: limits, trustedProxies: readTrustedProxies({ TRUSTED_PROXIES: '127.0.0.1' }) });
      try {
        // Its digits read as a mobile number's, 13812314567: an IPv4 address is kept whole all the same.
        const flooder = '138.123.145.67';
        for (let i = 0; i < 3; i++) expect((await forwarded(replica.url, flooder, 'Bearer not.a.token')).status).toBe(401);
        const refused = await forwarded(replica.url, flooder, 'Bearer not.a.token');
        expectRefused(refused, 'ADDRESS', 3);
        // Another client behind the proxy, and one that wrote the flooder's address into its own header, each have their own.
        expectAdmitted(await forwarded(replica.url, '203.0.113.7'), 3, 2);
        expectAdmitted(await forwarded(replica.url, `${flooder}, 203.0.113.8`), 3, 2);
        expect((await view(replica.url, '203.0.113.9')).headers.get('ratelimit-remaining')).toBe('2');
        // A printable view counts against the same budget: refused, its line names the address as a GraphQL request's does.
        const refusedView = await view(replica.url, flooder);
        expect(refusedView.status).toBe(429);

        const requestId = refused.headers.get('x-request-id')!;
        expect(await platform.logs.gateway.requestLine(requestId)).toMatchObject({ status: 429, errorCodes: ['RATE_LIMITED'], address: flooder });
        // At info, as the GraphQL refusal's, where another route's lines are at debug: a flood of guessed codes shows in production.
        expect(await platform.logs.gateway.requestLine(refusedView.headers.get('x-request-id')!)).toMatchObject({ level: 'info', status: 429, errorCodes: ['RATE_LIMITED'], address: flooder });
        expect(platform.logs.gateway.raw.find((line) => line.includes(requestId) && line.includes('"msg":"request"'))).toContain(`"address":"${flooder}"`);
        // No series per address.
        expect(await replica.metrics.registry.metrics()).not.toContain(flooder);
      } finally {
        await replica.stop();
      }
    });

    it('counts every client behind the proxy against its one address without TRUSTED_PROXIES, as before', async () => {
      const replica = await platform.serveGateway({ rateLimits: limits });
      try {
        for (let remaining = 2; remaining >= 0; remaining--) expectAdmitted(await forwarded(replica.url, `198.51.100.${remaining}`), 3, remaining);
        const refused = await forwarded(replica.url, '198.51.100.9');
        expectRefused(refused, 'ADDRESS', 3);
        expect((await view(replica.url, '198.51.100.10')).status).toBe(429);
        expect(await platform.logs.gateway.requestLine(refused.headers.get('x-request-id')!)).toMatchObject({ status: 429, address: '127.0.0.1' });
      } finally {
        await replica.stop();
      }
    });
  });

  describe('in Redis', () => {
    let redis: Redis;
    let replicas: ServedGateway[];
    beforeAll(async () => {
      redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
      await redis.connect();
      replicas = [await platform.serveGateway({ rateLimits: { ...limits, redisUrl } }), await platform.serveGateway({ rateLimits: { ...limits, redisUrl } })];
    });
    afterAll(async () => {
      // Only this run's keys: other runs may share the server.
      const keys = await redis.keys(`${redisPrefix}*`);
      if (keys.length) await redis.del(...keys);
      await redis.quit();
    });

    it('shares the counters between replicas', async () => {
      const caller = banker('BANK-REPLICAS', 'roaming');
      const [one, two] = replicas.map((r) => r.url);
      expectAdmitted(await send(one, caller), 3, 2);
      expectAdmitted(await send(two, caller), 3, 1);
      expectAdmitted(await send(one, caller), 3, 0);
      expectRefused(await send(two, caller), 'CALLER', 3);
      expect(await redis.get(`${redisPrefix}caller:BANK-REPLICAS:roaming`)).toBe('4');
      expect(await redis.get(`${redisPrefix}organisation:BANK-REPLICAS`)).toBe('3');
      for (const replica of replicas) expect(sample(await replica.metrics.registry.metrics(), 'credit_gateway_rate_limit_counters_shared')).toBe(1);
      // What the start line says of them.
      for (const replica of replicas) expect(replica.gateway.rateLimits?.summary()).toEqual({ callerPerMinute: 3, organisationPerMinute: 5, counters: 'redis' });
    });

    it('counts in memory at once while Redis keeps its connection but does not answer, and says so; shares again once Redis answers', async () => {
      // A Redis that hangs (stopped, swapping, packets dropped) keeps its connection: nothing tells
      // the client it is gone. The proxy holds what the gateway sends it.
      const proxy = await TcpProxy.inFrontOf(redisUrl);
      let hanging: ServedGateway | undefined;
      try {
        const gateway = (hanging = await platform.serveGateway({ rateLimits: { ...limits, redisUrl: proxy.url(redisUrl) } }));
        const shared = async () => sample(await gateway.metrics.registry.metrics(), 'credit_gateway_rate_limit_counters_shared');
        const caller = banker('BANK-HUNG', 'waiting');
        expectAdmitted(await send(gateway.url, caller), 3, 2);
        expect(await shared()).toBe(1);

        proxy.pause();
        // The first count waits out the command timeout and is answered from memory...
        expectAdmitted(await send(gateway.url, caller), 3, 2);
        const sent = proxy.heldBytes;
        expect(sent).toBeGreaterThan(0);
        // ...and the next ones count in memory without asking Redis, the organisation's of the first request too.
        expectAdmitted(await send(gateway.url, caller), 3, 1);
        expectAdmitted(await send(gateway.url, caller), 3, 0);
        expectRefused(await send(gateway.url, caller), 'CALLER', 3);
        expect(proxy.heldBytes).toBe(sent);
        expect(await shared()).toBe(0);
        expect(platform.logs.gateway.lines.some((l) => l.level === 'warn' && JSON.stringify(l).includes('Redis did not answer within 500 ms'))).toBe(true);

        // Redis back (its connections cut, then taken again): counting is shared again, and said so.
        proxy.restart();
        await proxy.recover();
        await eventually('counters shared again', async () => (await shared()) === 1, 15_000);
        expectAdmitted(await send(gateway.url, banker('BANK-HUNG', 'after')), 3, 2);
        expect(await redis.get(`${redisPrefix}caller:BANK-HUNG:after`)).toBe('1');
      } finally {
        // Stopped before the proxy: left serving, it told of its connection ended in a later test's log lines.
        await hanging?.stop();
        await proxy.stop();
      }
    });

    it('keeps serving with per-replica counters in memory when Redis cannot be reached, and says so', async () => {
      // Nothing listens on port 1: every connection attempt is refused.
      const stranded = await platform.serveGateway({ rateLimits: { ...limits, redisUrl: 'redis://127.0.0.1:1' } });
      try {
        const caller = banker('BANK-STRANDED', 'alone');
        for (let remaining = 2; remaining >= 0; remaining--) expectAdmitted(await send(stranded.url, caller), 3, remaining);
        expectRefused(await send(stranded.url, caller), 'CALLER', 3);
        // Counted in that replica's memory only: the shared replicas have not seen this caller.
        expectAdmitted(await send(replicas[0].url, caller), 3, 2);
        expect(await redis.get(`${redisPrefix}caller:BANK-STRANDED:alone`)).toBe('1');
        expect(sample(await stranded.metrics.registry.metrics(), 'credit_gateway_rate_limit_counters_shared')).toBe(0);
        // The start line said "redis", the URL configured, of counters kept in memory.
        expect(stranded.gateway.rateLimits?.summary()).toEqual({ callerPerMinute: 3, organisationPerMinute: 5, counters: 'memory (redis unreachable)' });
        expect(platform.logs.gateway.lines.some((l) => l.level === 'warn' && String(l.msg).startsWith('Redis cannot be reached: rate-limit counters are kept per replica in memory'))).toBe(true);
      } finally {
        await stranded.stop();
      }
    });

    /**
     * A database Redis refuses (/99 beyond its 16) was warned of, then said "shared in Redis" as
     * its connection, left in database 0, became ready; one that is no number (/credit, which the
     * configuration refuses) was sent as SELECT NaN, whose unhandled timeout stopped the gateway.
     * Both count in memory now, said so, and stay so.
     */
    it.each([
      ['a database Redis refuses', '/99'],
      ['a database that is no number', '/credit'],
    ])('counts in memory, and says so, with %s (%s)', async (_label, database) => {
      const before = platform.logs.gateway.lines.length;
      const refused = await platform.serveGateway({ rateLimits: { ...limits, redisUrl: `${redisUrl}${database}` } });
      try {
        const caller = banker(`BANK-DATABASE-${database.slice(1).toUpperCase()}`, 'alone');
        for (let remaining = 2; remaining >= 0; remaining--) expectAdmitted(await send(refused.url, caller), 3, remaining);
        // Long enough for a connection left in database 0 to have become ready, and for a command to have timed out.
        await new Promise((resolve) => setTimeout(resolve, 1500));
        expect(refused.gateway.rateLimits?.summary()).toEqual({ callerPerMinute: 3, organisationPerMinute: 5, counters: 'memory (redis unreachable)' });
        expect(sample(await refused.metrics.registry.metrics(), 'credit_gateway_rate_limit_counters_shared')).toBe(0);
        expect(await redis.get(`${redisPrefix}caller:${caller.organisation}:alone`)).toBeNull();
        const said = platform.logs.gateway.lines.slice(before).filter((l) => /Redis/.test(String(l.msg)));
        expect(said.map((l) => [l.level, l.msg])).toEqual([['warn', 'Redis cannot be reached: rate-limit counters are kept per replica in memory until it answers']]);
      } finally {
        await refused.stop();
      }
    });
  });
});
