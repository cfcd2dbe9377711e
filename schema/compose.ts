import fs from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../lib/project-root';
import { composeServices } from '@apollo/composition';
import { Supergraph } from '@apollo/federation-internals';
import { parse, printSchema, type GraphQLSchema } from 'graphql';
import { readFieldGuards, withFieldGroupsDescribed } from '../gateway/field-guards';
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

/**
 * The schema a gateway serving `supergraphSdl` answers clients with: the supergraph's API schema,
 * as @apollo/gateway builds it (`Supergraph.build(sdl).apiSchema()`), without what is
 * `@inaccessible` (the keys and fields subgraphs share only among themselves, the gateway's own
 * calls to a subgraph) and without the federation's own types and directives, and with each guarded
 * field's group in its description as the gateway tells it (gateway/gateway.ts `load`; a test compares
 * schema/api.graphql with the gateway's introspection).
 */
export function apiSchemaOf(supergraphSdl: string): GraphQLSchema {
  return withFieldGroupsDescribed(Supergraph.build(supergraphSdl).apiSchema().toGraphQLJSSchema(), readFieldGuards(supergraphSdl));
}

/**
 * Where the API schema is committed, for front-end teams' code generators: with introspection off
 * in production it is their only copy, and the supergraph holds much no client is served.
 */
export const apiSchemaPath = path.join(projectRoot, 'schema', 'api.graphql');

const apiSchemaHeader = `# The schema the gateway serves to clients, for code generators: written by \`npm run compose\` from
# schema/supergraph.graphql (do not edit; \`npm run compose:check\` fails when it is stale).

`;

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
  // services. Both come from this one composition, so they cannot drift apart, nor can the API
  // schema, which routing does not change.
  const outputs = [
    { path: supergraphPath, sdl: composition.supergraphSdl },
    { path: productionSupergraphPath, sdl: productionSupergraph(composition.supergraphSdl) },
    { path: apiSchemaPath, sdl: `${apiSchemaHeader}${printSchema(apiSchemaOf(composition.supergraphSdl))}\n` },
  ];
  const stale = outputs.filter((o) => (fs.existsSync(o.path) ? fs.readFileSync(o.path, 'utf8') : '') !== o.sdl);
  if (check) {
    if (stale.length) {
      console.error(`${stale.map((o) => path.relative(projectRoot, o.path)).join(' and ')} stale: run \`npm run compose\` and commit the result`);
      return 1;
    }
    console.log('the supergraphs and the API schema are up to date');
    return 0;
  }
  for (const output of stale) fs.writeFileSync(output.path, output.sdl);
  console.log(stale.length ? `wrote ${stale.map((o) => path.relative(projectRoot, o.path)).join(', ')}` : 'the supergraphs and the API schema are unchanged');
  return 0;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
