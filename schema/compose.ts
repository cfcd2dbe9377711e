import fs from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../lib/project-root';
import { composeServices } from '@apollo/composition';
import { parse } from 'graphql';
import { productionSupergraph, productionSupergraphPath } from './production-supergraph';
import { defaultUrl, readSdl, subgraphNames, supergraphPath } from './subgraphs';

/**
 * Composition hints we accept, each with its reason. Any other hint fails the check: hints are
 * how composition says two subgraphs disagree about a shared type, which is a contract drift.
 */
const acceptedHints: Record<string, string> = {};

export interface Composition {
  supergraphSdl: string;
  /** Hints composition raised that are not accepted above. */
  hints: string[];
}

export function composeSupergraph(): Composition {
  const result = composeServices(subgraphNames.map((name) => ({ name, url: defaultUrl(name), typeDefs: parse(readSdl(name)) })));
  if (result.errors) {
    throw new Error(`composition failed:\n${result.errors.map((e) => `  - ${e.message}`).join('\n')}`);
  }
  return {
    supergraphSdl: `${result.supergraphSdl.trimEnd()}\n`,
    hints: result.hints.filter((h) => !(h.definition.code in acceptedHints)).map((h) => `${h.definition.code}: ${h.message}`),
  };
}

function main(argv: string[]): number {
  const check = argv.includes('--check');
  let composition: Composition;
  try {
    composition = composeSupergraph();
  } catch (error) {
    console.error((error as Error).message);
    return 1;
  }
  if (composition.hints.length) {
    console.error(`composition raised hints (fix the subgraph SDLs, or accept a hint in schema/compose.ts with a reason):\n${composition.hints.map((h) => `  - ${h}`).join('\n')}`);
    return 1;
  }
  // The development supergraph routes to the default local ports; docker/'s routes to the compose
  // services. Both come from this one composition, so they cannot drift apart.
  const outputs = [
    { path: supergraphPath, sdl: composition.supergraphSdl },
    { path: productionSupergraphPath, sdl: productionSupergraph(composition.supergraphSdl) },
  ];
  const stale = outputs.filter((o) => (fs.existsSync(o.path) ? fs.readFileSync(o.path, 'utf8') : '') !== o.sdl);
  if (check) {
    if (stale.length) {
      console.error(`${stale.map((o) => path.relative(projectRoot, o.path)).join(' and ')} stale: run \`npm run compose\` and commit the result`);
      return 1;
    }
    console.log('the supergraphs are up to date');
    return 0;
  }
  for (const output of stale) fs.writeFileSync(output.path, output.sdl);
  console.log(stale.length ? `wrote ${stale.map((o) => path.relative(projectRoot, o.path)).join(', ')}` : 'the supergraphs are unchanged');
  return 0;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
