import os from 'node:os';
import path from 'node:path';
import { addressesOf, ConfigError, hostOfUrl, isLoopback, readHost, readPort, readSwitch, unresolvedHost } from '../lib/env';
import { projectRoot } from '../lib/project-root';
import { dnsNotAnswering } from '../lib/start-failure';
import { checkSettingNames } from '../lib/settings';
import { defaultPorts, readSubgraphUrls, subgraphNames, subgraphUrlVariable, type SubgraphName } from '../schema/subgraphs';
import { databaseTarget, describeTarget } from '../subgraphs/shared/database';
import { demoWorld } from './demo/world';
import { checkDistinctPorts, launchPlatform, superviseUntilStopped } from './launch';
import { defaultDemoSize, describeSeeding, exitWithSeedFailure, seedAll } from './seed';
import { demoTokensListed, withDevSecrets } from './dev-secrets';
import { refusedInProduction } from './production-refusal';
import { startupTokens } from './tokens';

/**
 * `npm start`: seeds the demo data (into empty databases only, so a second start adds nothing),
 * starts the five subgraphs and the gateway, and stops them all together on Ctrl-C, or as soon
 * as one of them dies. It is the demo, never production: refused with NODE_ENV=production.
 */
async function main(): Promise<void> {
  // Seeding would write the demo world into the production database, and the explorer would
  // hand out tokens signed with a development secret: refused before either can happen.
  const refused = refusedInProduction(
    process.env,
    'start',
    'npm start runs the demo (it seeds demo data and makes development secrets)',
    'run production with docker/compose.yaml, or start each process from its own entry with NODE_ENV=production: ' +
      'node dist/subgraphs/<name>/index.js for each subgraph, then node dist/gateway/index.js',
  );
  if (refused) process.exit(2);
  // Before seeding: a mistyped DATABASE_PREFX would seed the default prefix's databases. What it
  // warns of, each process it starts logs.
  checkSettingNames(process.env);
  // A HOST nothing resolves, found at listen, was told as a port in use, after seeding; one no DNS
  // server answers for was found only at the launcher's port check, after seeding too.
  await dnsAnswersFor(readHost(process.env, await unresolvedHost(process.env)));
  const dataDirectory = path.join(projectRoot, 'data');
  // Decided on the environment as given, before the demo secrets fill it in.
  const env: NodeJS.ProcessEnv = { ...withDevSecrets(process.env, dataDirectory), EXPLORER_DEMO_TOKENS: demoTokensListed(process.env) };
  const target = databaseTarget(env, dataDirectory);
  const gatewayPort = readPort(env, 'GATEWAY_PORT', 4000);
  const subgraphPorts = await localSubgraphPorts(env);
  checkDistinctPorts({ gateway: gatewayPort, ...subgraphPorts });
  console.log(`[start] ${describeTarget(target)}: ${describeSeeding(await seedAll(target))}`);

  const platform = await launchPlatform(env, { gatewayPort, subgraphPorts });
  superviseUntilStopped(platform, (line) => console.error(`[start] ${line}`));

  const world = demoWorld({ subjects: defaultDemoSize });
  const tokens = await startupTokens(process.env, env, platform.gatewayUrl);
  console.log(`
  Credit platform ready: ${platform.gatewayUrl}   (Ctrl-C stops everything)${readSwitch(env, 'EXPLORER', true) ? `
  Explorer:              ${new URL('/explorer/', platform.gatewayUrl)}` : ''}

  ${tokens}

  A query to send as a department officer, e.g. the finance bureau's:
    {"query":"{ subjectByCode(code: \\"${world.subjects[0].identifier}\\") { name creditRecords { totalCount edges { node { category summary } } } } }"}
`);
}

/**
 * The port each subgraph runs on: its default (4001-4005), or, to run beside something that holds
 * one, the port of its SUBGRAPH_<NAME>_URL. npm start runs every subgraph on this machine, at
 * HOST, and tells the gateway and the other subgraphs to call it there (launchPlatform): only the
 * URL's port is used, and its host must be this machine, by any of its addresses (127.0.0.1,
 * localhost, HOST's, another of its interfaces') or a name of one. A host elsewhere is refused:
 * the subgraph would not run there.
 */
async function localSubgraphPorts(env: NodeJS.ProcessEnv): Promise<Record<SubgraphName, number>> {
  const urls = readSubgraphUrls(env, subgraphNames, ['http:']);
  const port = async (name: SubgraphName): Promise<number> => {
    const variable = subgraphUrlVariable(name);
    const given = urls[name];
    if (!given) return defaultPorts[name];
    const url = new URL(given);
    const wanted = `npm start runs every subgraph on this machine: ${variable} must be http://<this machine>:<port>/graphql, a port from 1 to 65535, got "${given}"`;
    // Not port 0: the system would choose one that nothing calling the subgraph could know. No
    // port is http's own, 80, as the URL says (which writes :80 as none).
    if (url.pathname !== '/graphql' || url.port === '0') throw new ConfigError(wanted);
    const elsewhere = await notThisMachine(hostOfUrl(url), variable);
    if (elsewhere) throw new ConfigError(`${wanted}: ${elsewhere}`);
    return Number(url.port || 80);
  };
  const ports = await Promise.all(subgraphNames.map(async (name) => [name, await port(name)] as const));
  return Object.fromEntries(ports) as Record<SubgraphName, number>;
}

/**
 * Throws the start failure of a `HOST` no DNS server answers for (EAI_AGAIN), which listening there
 * would meet: it says nothing of the name, and the same settings start once DNS answers. An
 * address, or a name that resolves, passes.
 */
async function dnsAnswersFor(host: string): Promise<void> {
  try {
    await addressesOf(host);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EAI_AGAIN') throw dnsNotAnswering('HOST', host);
    // Any other failure of the lookup is for listening to tell of (lib/env.ts unresolvedHost).
  }
}

/**
 * Why `host` is not this machine (no address of its interfaces, nor loopback), or undefined when it
 * is; `variable` names it. DNS not answering says nothing of the name: a start failure, not a
 * configuration error.
 */
async function notThisMachine(host: string, variable: string): Promise<string | undefined> {
  if (isLoopback(host)) return undefined;
  let addresses: string[];
  try {
    addresses = await addressesOf(host);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EAI_AGAIN') throw dnsNotAnswering(`${variable}'s host`, host);
    return `${host} could not be looked up (${code ?? (error as Error).message})`;
  }
  if (!addresses.length) return `${host} names no address (ENOTFOUND)`;
  const here = new Set(Object.values(os.networkInterfaces()).flatMap((interfaces) => interfaces?.map(({ address }) => address) ?? []));
  return addresses.some((address) => isLoopback(address) || here.has(address)) ? undefined : `${host} is no address of this machine's`;
}

main().catch(exitWithSeedFailure('start'));
