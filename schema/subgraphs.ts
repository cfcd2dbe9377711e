import fs from 'node:fs';
import path from 'node:path';
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

export const supergraphPath = path.join(projectRoot, 'schema', 'supergraph.graphql');
