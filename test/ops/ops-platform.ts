import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { DataSource } from 'typeorm';
import { buildExplorer, explorerBundleDirectory } from '../../gateway/explorer/build';
import { serveGateway, type ServedGateway, type ServeGatewayOptions } from '../../gateway/serve';
import type { Caller } from '../../lib/access/identity';
import { createLogger, type Logger } from '../../lib/logger';
import { subgraphNames, supergraphPath, type SubgraphName } from '../../schema/subgraphs';
import { mintToken } from '../../scripts/demo/callers';
import { demoWorld } from '../../scripts/demo/world';
import { seeds } from '../../scripts/seed';
import { peeredDefinitions } from '../helpers/peered-definitions';
import { openDatabase, type DatabaseTarget } from '../../subgraphs/shared/database';
import { startSubgraph, type StartedSubgraph } from '../../subgraphs/shared/subgraph';
import { postGraphQL, type GraphQLResponse } from '../helpers/graphql';

/** The bundle is built by `npm run build`; a test run without one builds it (a second or two). */
export async function ensureExplorerBundle(): Promise<void> {
  if (!fs.existsSync(path.join(explorerBundleDirectory, 'explorer.js'))) await buildExplorer();
}

/** The JSON lines one service logged, parsed. */
export class LogCapture {
  readonly lines: Record<string, unknown>[] = [];
  /** Everything as written, after masking: what an operator's log store would hold. */
  readonly raw: string[] = [];

  logger(service: string): Logger {
    return createLogger(service, {
      level: 'debug',
      destination: {
        write: (line: string) => {
          this.raw.push(line);
          this.lines.push(JSON.parse(line) as Record<string, unknown>);
        },
      },
    });
  }

  withRequestId(requestId: string): Record<string, unknown>[] {
    return this.lines.filter((l) => l.requestId === requestId);
  }

  /**
   * The request line of `requestId`, once written: it is written when the response closes, which
   * a loaded host may put after the client has read the answer's headers. Waits 5 s at most.
   */
  async requestLine(requestId: string): Promise<Record<string, unknown> | undefined> {
    const line = () => this.withRequestId(requestId).find((l) => l.msg === 'request');
    for (let waited = 0; waited < 5_000 && !line(); waited += 20) await new Promise((resolve) => setTimeout(resolve, 20));
    return line();
  }
}

export interface OpsPlatform {
  gatewayUrl: string;
  /** `http://127.0.0.1:port` of the gateway. */
  origin: string;
  gateway: ServedGateway;
  subgraphs: Record<SubgraphName, StartedSubgraph>;
  databases: Record<SubgraphName, DataSource>;
  logs: Record<SubgraphName | 'gateway', LogCapture>;
  secrets: { tokens: Uint8Array; signing: Uint8Array };
  token(caller: Caller): Promise<string>;
  query<T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>, as?: { caller?: Caller; headers?: Record<string, string> }): Promise<GraphQLResponse<T>>;
  /**
   * Another gateway over the same subgraphs, with the same secrets and these options (a second
   * replica, say); its log goes to `logs.gateway` too, and stop() stops it.
   */
  serveGateway(options?: Partial<ServeGatewayOptions>): Promise<ServedGateway>;
  /** Stops one subgraph's server (its database stays open); stop() skips it afterwards. */
  stopSubgraph(name: SubgraphName): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The whole platform in this process, as the operational tests need it: five subgraphs and the
 * gateway with their operational routes (serveGateway), each logging into its own capture, on
 * free ports; optionally seeded with the demo world and with the explorer.
 */
export async function startOpsPlatform(
  target: DatabaseTarget,
  options: { seedSubjects?: number; explorer?: 'off' | 'on' | 'demo'; introspection?: boolean; rateLimits?: ServeGatewayOptions['rateLimits'] } = {},
): Promise<OpsPlatform> {
  const stops: (() => Promise<unknown>)[] = [];
  const secrets = { tokens: new Uint8Array(randomBytes(32)), signing: new Uint8Array(randomBytes(32)) };
  const logs = Object.fromEntries([...subgraphNames, 'gateway'].map((n) => [n, new LogCapture()])) as OpsPlatform['logs'];
  const stopped = new Set<SubgraphName>();
  const { definitions, listening } = peeredDefinitions(secrets.signing);
  try {
    const databases = {} as Record<SubgraphName, DataSource>;
    for (const name of subgraphNames) {
      const db = await openDatabase(name, target, definitions[name]);
      stops.push(() => db.destroy());
      databases[name] = db;
    }
    if (options.seedSubjects) {
      const world = demoWorld({ subjects: options.seedSubjects });
      for (const name of subgraphNames) await seeds[name](databases[name], world);
    }
    const subgraphs = {} as Record<SubgraphName, StartedSubgraph>;
    for (const name of subgraphNames) {
      const subgraph = await startSubgraph(definitions[name], databases[name], { port: 0, signingKey: secrets.signing, logger: logs[name].logger(name) });
      stops.push(async () => stopped.has(name) || (await subgraph.stop()));
      subgraphs[name] = subgraph;
      listening(name, subgraph.url);
    }
    const tokens: ServeGatewayOptions['tokens'] = { keys: { kind: 'secret', secret: secrets.tokens }, issuer: 'beidaihe-credit-platform', audience: 'beidaihe-credit-api' };
    const explorer = options.explorer ?? 'off';
    const startGateway = async (extra: Partial<ServeGatewayOptions> = {}) => {
      const served = await serveGateway({
        supergraphSdl: fs.readFileSync(supergraphPath, 'utf8'),
        subgraphUrls: Object.fromEntries(subgraphNames.map((n) => [n, subgraphs[n].url])),
        tokens,
        signingKey: secrets.signing,
        introspection: options.introspection ?? true,
        port: 0,
        logger: logs.gateway.logger('gateway'),
        explorer: explorer === 'off' ? undefined : { demo: explorer === 'demo' ? { secret: secrets.tokens } : undefined },
        rateLimits: options.rateLimits,
        ...extra,
      });
      stops.push(() => served.stop());
      return served;
    };
    const gateway = await startGateway();
    const token = (caller: Caller) => mintToken(caller, secrets.tokens);
    return {
      gatewayUrl: gateway.url,
      origin: new URL(gateway.url).origin,
      gateway,
      subgraphs,
      databases,
      logs,
      secrets,
      token,
      query: async (query, variables, as = {}) =>
        postGraphQL(gateway.url, { query, variables }, { ...(as.caller ? { authorization: `Bearer ${await token(as.caller)}` } : {}), ...as.headers }),
      serveGateway: startGateway,
      stopSubgraph: async (name) => {
        stopped.add(name);
        await subgraphs[name].stop();
      },
      stop: async () => {
        for (const stop of stops.reverse()) await stop();
      },
    };
  } catch (error) {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    throw error;
  }
}

export const financeOfficer = {
  caller: { id: 'officer-test', organisation: 'FINANCE', organisationKind: 'DEPARTMENT', role: 'DEPARTMENT_OFFICER' } satisfies Caller,
  headers: { 'x-credit-matter': 'GOVERNMENT_PROCUREMENT', 'x-credit-case': 'BDH-CG-2026-0001' },
};

/** Reads one sample of a metric from Prometheus text: the value of `name{labels}` (labels in any order), or undefined. */
export function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const found = Object.fromEntries([...(match[2] ?? '').matchAll(/([a-zA-Z_]+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([k, v]) => found[k] === v)) return Number(match[3]);
  }
  return undefined;
}
