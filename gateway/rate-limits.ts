import { HeaderMap, type ApolloServerPlugin, type BaseContext } from '@apollo/server';
import { GraphQLError } from 'graphql';
import { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Caller } from '../lib/access/identity';
import { ErrorCode } from '../lib/errors';
import { refusedRequester } from '../lib/request-record';
import type { GatewayObserver } from './observer';

/**
 * Request budgets per minute. Counters live in the gateway's memory (the embedded default, one
 * replica) or, with `redisUrl`, in Redis, so that every replica counts against the same budgets.
 */
export interface RateLimitSettings {
  /** Requests per minute for one caller (token subject within its organisation), and for one client address without a token. */
  callerPerMinute: number;
  /** Requests per minute for all callers of one organisation together. */
  organisationPerMinute: number;
  redisUrl?: string;
  /** Starts every Redis key, so that deployments (or test runs) sharing one Redis keep their counters apart. */
  redisPrefix: string;
}

/** Which budget a request counted against: its caller's, its organisation's, or (without a token) its client address's. */
export type RateLimitBudget = 'CALLER' | 'ORGANISATION' | 'ADDRESS';

/** Where a request stands against the budget nearest to running out: what the RateLimit headers say. */
export interface RateLimitState {
  budget: RateLimitBudget;
  limit: number;
  remaining: number;
  /** Seconds until that budget's window starts afresh. */
  resetSeconds: number;
}

/**
 * The IETF RateLimit header fields (draft-ietf-httpapi-ratelimit-headers: limit, remaining,
 * seconds to reset), sent on answered and refused requests alike (`rateLimitPlugin` on those
 * GraphQL ran, `withAnswerHeaders` on the others); a refusal adds `Retry-After`.
 */
export function rateLimitHeaders(state: RateLimitState): [string, string][] {
  return [
    ['ratelimit-limit', String(state.limit)],
    ['ratelimit-remaining', String(state.remaining)],
    ['ratelimit-reset', String(state.resetSeconds)],
  ];
}

/**
 * An error that answers a request before GraphQL runs (its context could not be made: a token or a
 * purpose header refused, a register the purpose needs that could not be asked, a budget used up),
 * given the head every other answer has: the RateLimit fields of the budget it counted against
 * (`state`; none when it counted against none), and `Cache-Control: no-store`, which Apollo's
 * cache-control plugin sets on every answer GraphQL runs. Apollo answers such a request from its
 * error's `extensions.http` alone, without any plugin (`rateLimitPlugin` included).
 */
export function withAnswerHeaders(error: GraphQLError, state: RateLimitState | null): GraphQLError {
  const http = (error.extensions.http ?? {}) as { status?: number; headers?: Map<string, string> };
  error.extensions.http = { ...http, headers: new HeaderMap([...(http.headers ?? []), ...(state ? rateLimitHeaders(state) : []), ['cache-control', 'no-store']]) };
  return error;
}

const windowSeconds = 60;
/** A Redis that does not answer within this is treated as unreachable for that request. */
const redisCommandTimeoutMillis = 500;
/** How long boot waits for Redis before it serves with memory counters (and keeps reconnecting). */
const redisConnectWaitMillis = 2000;
/**
 * After a command Redis did not answer in time, how long requests count in memory without asking
 * it: a Redis that hangs (stopped, swapping, a network that drops packets) keeps its connection,
 * so nothing tells the client it is gone, and each request waited out the timeout for each of its
 * budgets (about a second a request, seen in a probe) while the metric still said "shared".
 */
const redisUnansweredPauseMillis = 5_000;

/**
 * The gateway's request budgets, applied once the token is verified (so the caller and its
 * organisation are known) and before anything is planned or fetched. A request counts against
 * its caller's budget first and, only if that admits it, against its organisation's: a caller
 * refused for its own excess does not use up its colleagues' budget.
 *
 * With Redis, counters are shared by the replicas. When Redis cannot be reached (at boot or
 * later), each replica keeps serving with counters in its own memory (rate-limiter-flexible's
 * insurance limiter), so the effective budget is per replica until Redis answers again; the
 * observer is told both ways (a warning in the log, a gauge in the metrics). Rate limiting never
 * stops the gateway from serving.
 */
export class RateLimits {
  /** Until when (performance.now()) requests count in memory without asking a Redis that did not answer. */
  private redisUnansweredUntil = 0;
  /** Whether the observer was told that counting moved to memory because Redis did not answer. */
  private toldUnanswered = false;

  private constructor(
    private readonly settings: RateLimitSettings,
    private readonly callers: RateLimiterAbstract,
    private readonly organisations: RateLimiterAbstract,
    private readonly addresses: RateLimiterAbstract,
    private readonly redis: Redis | undefined,
    private readonly observer: GatewayObserver | undefined,
    /** Each Redis counter's memory counters, which it falls back to. */
    private readonly inMemory = new Map<RateLimiterAbstract, RateLimiterAbstract>(),
  ) {
    // Connected again: Redis is asked again at once (connectRedis tells of a connection lost and
    // made again; a silence it never saw is told here).
    redis?.on('ready', () => {
      this.redisUnansweredUntil = 0;
      if (this.toldUnanswered) observer?.rateLimitCounters('shared');
      this.toldUnanswered = false;
    });
  }

  static async create(settings: RateLimitSettings, observer?: GatewayObserver): Promise<RateLimits> {
    const memory = (points: number) => new RateLimiterMemory({ points, duration: windowSeconds });
    if (!settings.redisUrl) {
      return new RateLimits(settings, memory(settings.callerPerMinute), memory(settings.organisationPerMinute), memory(settings.callerPerMinute), undefined, observer);
    }
    const redis = await connectRedis(settings.redisUrl, observer);
    const inMemory = new Map<RateLimiterAbstract, RateLimiterAbstract>();
    const shared = (name: string, points: number) => {
      const insuranceLimiter = memory(points);
      const limiter = new RateLimiterRedis({
        storeClient: redis,
        // Fail over to memory at once rather than queue behind a connection that is not there.
        rejectIfRedisNotReady: true,
        keyPrefix: `${settings.redisPrefix}${name}`,
        points,
        duration: windowSeconds,
        insuranceLimiter,
      });
      inMemory.set(limiter, insuranceLimiter);
      return limiter;
    };
    return new RateLimits(
      settings,
      shared('caller', settings.callerPerMinute),
      shared('organisation', settings.organisationPerMinute),
      shared('address', settings.callerPerMinute),
      redis,
      observer,
      inMemory,
    );
  }

  /**
   * Counts one request; returns where it stands, or throws RATE_LIMITED (HTTP 429 with
   * `Retry-After` and the RateLimit headers) when a budget is used up. `address` is the client's
   * address, the only thing that tells anonymous callers apart.
   */
  async admit(caller: Caller | null, address: string): Promise<RateLimitState> {
    try {
      if (!caller) return await this.consume('ADDRESS', this.addresses, address, this.settings.callerPerMinute);
      const own = await this.consume('CALLER', this.callers, `${caller.organisation}:${caller.id}`, this.settings.callerPerMinute);
      const organisation = await this.consume('ORGANISATION', this.organisations, caller.organisation, this.settings.organisationPerMinute);
      return organisation.remaining < own.remaining ? organisation : own;
    } catch (error) {
      // Refused before Apollo's pipeline, which would name the caller in the request's log line;
      // without a token, the address names whoever used its budget up (behind a proxy, the one
      // TRUSTED_PROXIES lets through).
      if (error instanceof GraphQLError) refusedRequester(error, caller ? { caller: { organisation: caller.organisation, organisationKind: caller.organisationKind, role: caller.role } } : { address });
      throw error;
    }
  }

  private async consume(budget: RateLimitBudget, limiter: RateLimiterAbstract, key: string, limit: number): Promise<RateLimitState> {
    // While Redis is not answering, straight to the memory counters it would fall back to.
    const memory = this.inMemory.get(limiter);
    const askRedis = memory !== undefined && performance.now() >= this.redisUnansweredUntil;
    const counter = askRedis || !memory ? limiter : memory;
    const started = performance.now();
    try {
      const result = await counter.consume(key);
      if (askRedis) this.heardFromRedis(started);
      return stateOf(budget, limit, result);
    } catch (rejection) {
      // A RateLimiterRes is the library's way of saying "over the limit"; anything else is a fault.
      if (!(rejection instanceof RateLimiterRes)) throw rejection;
      if (askRedis) this.heardFromRedis(started);
      this.observer?.rateLimited(budget);
      throw refusal(stateOf(budget, limit, rejection));
    }
  }

  /**
   * After a count asked of Redis: one that took the command timeout was answered by the memory
   * counters (the library falls back without a word), so Redis did not answer; once it answers
   * in time again, counting is shared again. Told to the observer both ways, as connectRedis tells
   * of a connection lost and made again.
   */
  private heardFromRedis(started: number): void {
    if (this.redis?.status !== 'ready') return;
    const now = performance.now();
    if (now - started >= redisCommandTimeoutMillis) {
      this.redisUnansweredUntil = now + redisUnansweredPauseMillis;
      if (this.toldUnanswered) return;
      this.toldUnanswered = true;
      this.observer?.rateLimitCounters('local', new Error(`Redis did not answer within ${redisCommandTimeoutMillis} ms; asked again in ${redisUnansweredPauseMillis / 1000} s`));
    } else if (this.toldUnanswered) {
      this.toldUnanswered = false;
      this.observer?.rateLimitCounters('shared');
    }
  }

  /**
   * The budgets and where they count now, for the start line: in Redis only while it answers (the
   * limiters fall back to memory whenever it is not ready), never its URL (it may hold a password).
   */
  summary(): { callerPerMinute: number; organisationPerMinute: number; counters: 'memory' | 'redis' | 'memory (redis unreachable)' } {
    const counters = !this.redis ? 'memory' : this.redis.status === 'ready' ? 'redis' : 'memory (redis unreachable)';
    return { callerPerMinute: this.settings.callerPerMinute, organisationPerMinute: this.settings.organisationPerMinute, counters };
  }

  /** Closes the Redis connection (the gateway is stopping). */
  async close(): Promise<void> {
    if (!this.redis) return;
    // Stopping is not an outage: nothing more to report, and nothing left unhandled.
    this.redis.removeAllListeners();
    this.redis.on('error', () => undefined);
    if (this.redis.status === 'ready') await this.redis.quit().catch(() => this.redis?.disconnect());
    else this.redis.disconnect();
  }
}

function stateOf(budget: RateLimitBudget, limit: number, result: RateLimiterRes): RateLimitState {
  return { budget, limit, remaining: result.remainingPoints, resetSeconds: Math.max(1, Math.ceil(result.msBeforeNext / 1000)) };
}

const whose: Record<RateLimitBudget, string> = {
  CALLER: "the caller's",
  ORGANISATION: "the organisation's",
  ADDRESS: "this address's (no token)",
};

function refusal(state: RateLimitState): GraphQLError {
  const refused = new GraphQLError(`${whose[state.budget]} budget of ${state.limit} requests per minute is used up: retry in ${state.resetSeconds} s`, {
    extensions: {
      code: ErrorCode.RATE_LIMITED,
      budget: state.budget,
      retryAfterSeconds: state.resetSeconds,
      http: { status: 429, headers: new HeaderMap([['retry-after', String(state.resetSeconds)]]) },
    },
  });
  return withAnswerHeaders(refused, state);
}

/**
 * Why a Redis URL's database (its path, `/2`, or else `?db=2`, as ioredis reads it) is no
 * database number, or undefined: ioredis would send `/credit` as SELECT NaN, which it never
 * answers for, and `/2x` as SELECT 2. The configuration refuses such a URL (config.ts), and
 * connectRedis never connects with one.
 */
export function redisDatabaseProblem(url: string): string | undefined {
  const { pathname, searchParams } = new URL(url);
  const database = pathname.length > 1 ? pathname : searchParams.has('db') ? `?db=${searchParams.get('db')}` : undefined;
  if (database === undefined || /^(\/|\?db=)\d+$/.test(database)) return undefined;
  return `must name its database by number after the host (redis://redis:6379/2), or none, got "${database}"`;
}

/** The reply of a SELECT Redis refused (a database beyond its `databases`): ioredis emits it as an error, and goes on in database 0. */
function isRefusedSelect(error: unknown): boolean {
  return (error as { command?: { name?: string } } | undefined)?.command?.name === 'select';
}

/**
 * Connects, waiting a moment at boot so that the first requests already count in Redis, and
 * tells the observer whenever counting moves between Redis (shared) and memory (per replica).
 * No offline queue and no retries per command: a request must not wait for a Redis that is not
 * there, it counts in memory instead. ioredis keeps reconnecting in the background, unless Redis
 * refused the URL's database: its connection, left in database 0, would count with whatever
 * else is kept there, so it is closed, and counting stays in memory until the gateway restarts
 * with a database Redis has. A database that is no number is not connected to at all.
 */
async function connectRedis(url: string, observer: GatewayObserver | undefined): Promise<Redis> {
  const problem = redisDatabaseProblem(url);
  const redis = new Redis(url, {
    lazyConnect: problem !== undefined,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: redisCommandTimeoutMillis,
    connectTimeout: redisConnectWaitMillis,
    // ioredis keeps a timer this long after disconnecting a failed connection; the default 2 s delays a stopping process.
    disconnectTimeout: 200,
  });
  let shared: boolean | undefined;
  const report = (now: boolean, error?: unknown) => {
    if (shared === now) return;
    shared = now;
    observer?.rateLimitCounters(now ? 'shared' : 'local', error);
  };
  if (problem) {
    report(false, new Error(`the Redis URL ${problem}`));
    return redis;
  }
  let databaseRefused = false;
  redis.on('ready', () => {
    if (!databaseRefused) report(true);
  });
  redis.on('error', (error: unknown) => {
    if (isRefusedSelect(error)) {
      databaseRefused = true;
      redis.disconnect();
    }
    report(false, error);
  });
  redis.on('end', () => report(false, new Error('the connection to Redis ended')));
  await new Promise<void>((resolve) => {
    const settled = () => {
      clearTimeout(timer);
      redis.off('ready', settled);
      redis.off('error', settled);
      resolve();
    };
    const timer = setTimeout(settled, redisConnectWaitMillis);
    redis.once('ready', settled);
    redis.once('error', settled);
  });
  if (shared === undefined) report(false, new Error(`Redis did not answer within ${redisConnectWaitMillis} ms`));
  return redis;
}

/**
 * Sends the RateLimit headers with every answer of an admitted request that GraphQL ran (one
 * refused before carries them in its error: `withAnswerHeaders`), and closes the limits' Redis
 * connection when the server stops.
 */
export function rateLimitPlugin<TContext extends BaseContext>(limits: RateLimits, stateIn: (context: TContext) => RateLimitState | null): ApolloServerPlugin<TContext> {
  return {
    async serverWillStart() {
      return { serverWillStop: () => limits.close() };
    },
    async requestDidStart({ contextValue }) {
      const state = stateIn(contextValue);
      if (!state) return;
      return {
        async willSendResponse({ response }) {
          for (const [name, value] of rateLimitHeaders(state)) response.http.headers.set(name, value);
        },
      };
    },
  };
}
