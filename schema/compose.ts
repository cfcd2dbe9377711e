import fs from 'node:fs';
import { composeServices } from '@apollo/composition';
import { parse } from 'graphql';
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
  const committed = fs.existsSync(supergraphPath) ? fs.readFileSync(supergraphPath, 'utf8') : '';
  if (check) {
    if (committed !== composition.supergraphSdl) {
      console.error('schema/supergraph.graphql is stale: run `npm run compose` and commit the result');
      return 1;
    }
    console.log('schema/supergraph.graphql is up to date');
    return 0;
  }
  fs.writeFileSync(supergraphPath, composition.supergraphSdl);
  console.log(committed === composition.supergraphSdl ? 'schema/supergraph.graphql unchanged' : 'wrote schema/supergraph.graphql');
  return 0;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
