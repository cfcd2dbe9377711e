import fs from 'node:fs';
import path from 'node:path';
import { ConfigProblems, readUrl } from '../lib/env';
import { projectRoot } from '../lib/project-root';

/**
 * The single list of subgraphs: name, default port and SDL. Composition, the gateway's default
 * routing URLs, the launcher and the tests all read it. The SDL beside each subgraph's code is
 * the one source of truth; nothing copies it.
 */
export const subgraphNames = ['entities', 'records', 'reports', 'providers', 'audit'] as const;
export type SubgraphName = (typeof subgraphNames)[number];

export const defaultPorts: Record<SubgraphName, number> = {
  entities: 4001,
  records: 4002,
  reports: 4003,
  providers: 4004,
  audit: 4005,
};

export function sdlPath(name: SubgraphName): string {
  return path.join(projectRoot, 'subgraphs', name, 'schema.graphql');
}

export function readSdl(name: SubgraphName): string {
  return fs.readFileSync(sdlPath(name), 'utf8');
}

/** The routing URL written into the committed supergraph; operators override it per subgraph. */
export function defaultUrl(name: SubgraphName): string {
  return `http://127.0.0.1:${defaultPorts[name]}/graphql`;
}

/** The variable a subgraph's address is set in: `SUBGRAPH_RECORDS_URL`. */
export function subgraphUrlVariable(name: SubgraphName): string {
  return `SUBGRAPH_${name.toUpperCase()}_URL`;
}

/**
 * The addresses of `names` that are set (`SUBGRAPH_<NAME>_URL`, http or https unless `protocols`
 * says), for every process that calls a subgraph: the gateway, the subgraphs that ask their peers,
 * the import, `npm start`. Every problem in one ConfigError. A mistyped name (`SUBGRAPH_RECORD_URL`)
 * is refused where each process checks the names it is given (lib/settings.ts checkSettingNames).
 */
export function readSubgraphUrls<N extends SubgraphName>(env: Record<string, string | undefined>, names: readonly N[], protocols = ['http:', 'https:']): Partial<Record<N, string>> {
  const problems = new ConfigProblems();
  const urls: Partial<Record<N, string>> = {};
  for (const name of names) {
    const url = problems.read(() => readUrl(env, subgraphUrlVariable(name), protocols));
    if (url) urls[name] = url;
  }
  problems.check();
  return urls;
}

/** Where a process calls the subgraph `name`: its `SUBGRAPH_<NAME>_URL` (readSubgraphUrls), or its default address. */
export function readSubgraphUrl(env: Record<string, string | undefined>, name: SubgraphName): string {
  return readSubgraphUrls(env, [name])[name] ?? defaultUrl(name);
}

export const supergraphPath = path.join(projectRoot, 'schema', 'supergraph.graphql');
