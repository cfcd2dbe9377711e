import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import type { DataSource } from 'typeorm';
import type { Gateway } from '../../gateway/gateway';
import type { TokenSettings } from '../../gateway/authentication';
import type { GatewayMetrics } from '../../gateway/metrics';
import { serveGateway, type ServeGatewayOptions } from '../../gateway/serve';
import type { Caller } from '../../lib/access/identity';
import { subgraphNames, supergraphPath, type SubgraphName } from '../../schema/subgraphs';
import { mintToken } from '../../scripts/demo/callers';
import { demoConsents } from '../../scripts/demo/consents';
import { demoBankOrganisation, demoWorld } from '../../scripts/demo/world';
import { seeds } from '../../scripts/seed';
import { openDatabase, type DatabaseTarget } from '../../subgraphs/shared/database';
import { startSubgraph, type StartedSubgraph } from '../../subgraphs/shared/subgraph';
import type { TestDatabase } from './databases';
import { postGraphQL, type GraphQLResponse } from './graphql';
import { peeredDefinitions } from './peered-definitions';
import { SqlCounter } from './sql-counter';
import { TcpProxy } from './tcp-proxy';

/** Who sends a request through the gateway: a caller (a token is minted for it) and headers. */
export interface As {
  caller?: Caller;
  headers?: Record<string, string>;
}

export interface Platform {
  gatewayUrl: string;
  gateway: Gateway;
  /** The gateway's metrics, as its `/metrics` serves them. */
  metrics: GatewayMetrics;
  subgraphs: Record<SubgraphName, StartedSubgraph>;
  databases: Record<SubgraphName, DataSource>;
  sql: Record<SubgraphName, SqlCounter>;
  /** The secrets this platform was started with, minted per platform. */
  secrets: { tokens: Uint8Array; signing: Uint8Array };
  token(caller: Caller, options?: Parameters<typeof mintToken>[2]): Promise<string>;
  query<T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>, as?: As): Promise<GraphQLResponse<T>>;
  stop(): Promise<void>;
}

/** The demo bank reading under the consent the demo world's first subject gave it (FINANCIAL_SERVICES). */
export const consentedBank: As = {
  caller: { id: 'banker', organisation: demoBankOrganisation, organisationKind: 'FINANCIAL_INSTITUTION', role: 'EXTERNAL_USER' },
  headers: { 'x-credit-matter': 'FINANCIAL_SERVICES', 'x-credit-consent': demoConsents.bankFinancialServices },
};

/** The credit office reading for supervision: every subject field group, so tests see all data. */
export const supervisor: As = {
  caller: { id: 'test-supervisor', organisation: 'CREDIT_OFFICE', organisationKind: 'DEPARTMENT', role: 'CREDIT_OFFICE_SUPERVISOR' },
  headers: { 'x-credit-matter': 'CREDIT_SUPERVISION' },
};

export interface PlatformOptions {
  seedSubjects?: number;
  /** Where some subgraphs' databases are instead (a proxy in front of the server, say). */
  databaseTargets?: Partial<Record<SubgraphName, DatabaseTarget>>;
  /** Gateway settings a test needs: operation limits, introspection, a stand-in for some subgraphs, the timeouts, a logger to read its lines. */
  gateway?: Pick<ServeGatewayOptions, 'limits' | 'introspection' | 'subgraphUrls' | 'subgraphTimeoutMs' | 'requestTimeoutMs' | 'logger'>;
  /** The gateway's revocation file (AUTH_REVOCATIONS_FILE) and the list read from it. */
  revocations?: TokenSettings['revocations'];
  /** Where the subgraphs that call peers (records, reports) reach some of them instead (a stand-in, say). */
  peerUrls?: Partial<Record<SubgraphName, string>>;
}

/**
 * The whole platform in this process: five subgraphs on their own databases and the gateway
 * serving the committed supergraph as production serves it (serveGateway), all on free ports,
 * optionally seeded with the demo world.
 */
export async function startPlatform(target: DatabaseTarget, options: PlatformOptions = {}): Promise<Platform> {
  const stops: (() => Promise<unknown>)[] = [];
  const secrets = { tokens: new Uint8Array(randomBytes(32)), signing: new Uint8Array(randomBytes(32)) };
  try {
    const { definitions, listening } = peeredDefinitions(secrets.signing);
    const databases = {} as Record<SubgraphName, DataSource>;
    const sql = {} as Record<SubgraphName, SqlCounter>;
    const subgraphs = {} as Record<SubgraphName, StartedSubgraph>;
    for (const name of subgraphNames) {
      sql[name] = new SqlCounter();
      const db = await openDatabase(name, options.databaseTargets?.[name] ?? target, definitions[name], sql[name]);
      stops.push(() => db.destroy());
      databases[name] = db;
    }
    // In-memory SQLite lives inside its DataSource, so the seed writes through these same connections.
    if (options.seedSubjects) {
      const world = demoWorld({ subjects: options.seedSubjects });
      for (const name of subgraphNames) await seeds[name](databases[name], world);
    }
    for (const name of subgraphNames) {
      const subgraph = await startSubgraph(definitions[name], databases[name], { port: 0, signingKey: secrets.signing });
      stops.push(() => subgraph.stop());
      subgraphs[name] = subgraph;
      listening(name, options.peerUrls?.[name] ?? subgraph.url);
    }
    // As production serves it (gateway/index.ts): its own request ids, never a client's, compression,
    // CORS, /ready, /metrics, the printable route, the stop's grace. test/supergraph/test-platforms checks it stays so.
    const served = await serveGateway({
      ...options.gateway,
      supergraphSdl: fs.readFileSync(supergraphPath, 'utf8'),
      subgraphUrls: { ...Object.fromEntries(subgraphNames.map((n) => [n, subgraphs[n].url])), ...options.gateway?.subgraphUrls },
      tokens: { keys: { kind: 'secret', secret: secrets.tokens }, issuer: 'beidaihe-credit-platform', audience: 'beidaihe-credit-api', revocations: options.revocations },
      signingKey: secrets.signing,
      port: 0,
    });
    stops.push(() => served.stop());
    for (const counter of Object.values(sql)) counter.reset();
    const token = (caller: Caller, tokenOptions?: Parameters<typeof mintToken>[2]) => mintToken(caller, secrets.tokens, tokenOptions);
    return {
      gatewayUrl: served.url,
      gateway: served.gateway,
      metrics: served.metrics,
      subgraphs,
      databases,
      sql,
      secrets,
      token,
      query: async (query, variables, as = {}) =>
        postGraphQL(served.url, { query, variables }, { ...(as.caller ? { authorization: `Bearer ${await token(as.caller)}` } : {}), ...as.headers }),
      stop: async () => {
        // Gateway first, databases last: the reverse of starting.
        for (const stop of stops.reverse()) await stop();
      },
    };
  } catch (error) {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    throw error;
  }
}

/**
 * Call inside a `describe`: before its tests, drops the suite's leftover MySQL databases and
 * starts a platform on them; after them, stops it and drops them again. The value returned stands
 * for the platform once the suite's `beforeAll` hooks run (a suite's own hooks run after this one's).
 */
export function usePlatform(database: TestDatabase, suite: string, options: PlatformOptions = {}): Platform {
  let platform: Platform | undefined;
  beforeAll(async () => {
    await database.cleanUp(suite);
    platform = await startPlatform(database.target(suite), options);
  });
  afterAll(async () => {
    await platform?.stop();
    await database.cleanUp(suite);
  });
  return new Proxy({} as Platform, {
    get: (_, key) => {
      if (!platform) throw new Error(`the ${suite} platform is there only once its beforeAll has run`);
      return platform[key as keyof Platform];
    },
  });
}

/**
 * A platform on MySQL for `suite`, seeded with `seedSubjects`, whose `subgraph` reaches its
 * database through a TcpProxy the suite's tests cut (a restart, a lost answer, the server down):
 * started before the suite's tests, stopped after them with the proxy let through first, and
 * console.error kept quiet meanwhile, as the subgraph logs the faults. Within a suite run on MySQL.
 */
export function usePlatformBehindProxy(mysql: TestDatabase, suite: string, subgraph: SubgraphName, seedSubjects: number): { readonly proxy: TcpProxy; readonly platform: Platform; readonly logged: jest.SpyInstance } {
  let proxy: TcpProxy | undefined;
  let platform: Platform | undefined;
  let logged: jest.SpyInstance | undefined;
  beforeAll(async () => {
    logged = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    await mysql.cleanUp(suite);
    const target = mysql.target(suite) as Extract<DatabaseTarget, { kind: 'mysql' }>;
    proxy = await TcpProxy.inFrontOf(target.url);
    platform = await startPlatform(target, { seedSubjects, databaseTargets: { [subgraph]: { ...target, url: proxy.url(target.url) } } });
  });
  afterAll(async () => {
    await proxy?.recover();
    await platform?.stop();
    await proxy?.stop();
    await mysql.cleanUp(suite);
    logged?.mockRestore();
  });
  return {
    get proxy() {
      if (!proxy) throw new Error('the proxy starts in beforeAll');
      return proxy;
    },
    get platform() {
      if (!platform) throw new Error('the platform starts in beforeAll');
      return platform;
    },
    /** console.error, as the subgraphs log their faults to it in tests. */
    get logged() {
      if (!logged) throw new Error('console.error is watched from beforeAll');
      return logged;
    },
  };
}
