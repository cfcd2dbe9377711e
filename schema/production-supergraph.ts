import path from 'node:path';
import { projectRoot } from '../lib/project-root';
import { defaultPorts, subgraphNames, type SubgraphName } from './subgraphs';

/** The compose file's subgraph URLs: each subgraph is the service of its name, on its default port. */
export const composeUrls: Record<SubgraphName, string> = Object.fromEntries(subgraphNames.map((n) => [n, `http://${n}:${defaultPorts[n]}/graphql`])) as Record<SubgraphName, string>;

export const productionSupergraphPath = path.join(projectRoot, 'docker', 'supergraph.graphql');

/**
 * The committed supergraph with other routing URLs: composition is not run again, so the
 * production file serves exactly the checked composition. Throws when a subgraph has no URL in
 * the supergraph (a renamed subgraph).
 */
export function withRoutingUrls(supergraphSdl: string, urls: Record<SubgraphName, string>): string {
  let replaced = 0;
  const sdl = supergraphSdl.replace(/@join__graph\(name: "([^"]+)", url: "[^"]*"\)/g, (match, name: string) => {
    const url = urls[name as SubgraphName];
    if (!url) return match;
    replaced++;
    return `@join__graph(name: "${name}", url: "${url}")`;
  });
  if (replaced !== subgraphNames.length) throw new Error(`expected ${subgraphNames.length} subgraphs in the supergraph, found ${replaced}`);
  return sdl;
}

/** The supergraph the compose file's gateway serves; `npm run compose` writes it beside the development one. */
export function productionSupergraph(supergraphSdl: string): string {
  return withRoutingUrls(supergraphSdl, composeUrls);
}
