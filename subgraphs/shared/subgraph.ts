import path from 'node:path';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import {
  ApolloServerPluginInlineTraceDisabled,
  ApolloServerPluginLandingPageDisabled,
  ApolloServerPluginSchemaReportingDisabled,
  ApolloServerPluginUsageReportingDisabled,
} from '@apollo/server/plugin/disabled';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import { parse } from 'graphql';
import type { DataSource, Logger } from 'typeorm';
import { maskUnexpectedErrors } from '../../lib/errors';
import { readFlag, readPort, readSecret } from '../../lib/env';
import { serveGraphQL, type RunningHttpServer } from '../../lib/http-server';
import { projectRoot } from '../../lib/project-root';
import { defaultPorts, readSdl, type SubgraphName } from '../../schema/subgraphs';
import { databaseTarget, describeTarget, openDatabase, type DatabaseTarget, type DataModel } from './database';
import { accessFromRequest, enforceGrants, type SubgraphContext, type SubjectOf } from './access';
import { scalarResolvers } from './scalars';

/**
 * Everything that makes one subgraph: its data model, its resolvers and how a request's
 * context (loaders, repositories) is built. The five subgraphs are five values of this type,
 * served by the one server below.
 */
export interface SubgraphDefinition<TContext extends object> extends DataModel {
  name: SubgraphName;
  resolvers: GraphQLResolverMap<TContext & SubgraphContext>;
  /** For each type that holds a subject's data, how to find the subject: disclosures are reported per subject. */
  subjectOf?: SubjectOf;
  /** Called once per request (the kernel adds `access`): loaders must never be shared between requests. */
  createContext(db: DataSource): TContext;
}

export type ContextOf<TContext extends object> = TContext & SubgraphContext;

/**
 * Reports what this response disclosed in `extensions.disclosures` ([{ subjectId, groups }]);
 * the gateway reads it for the audit log and strips it before answering the client.
 */
const reportDisclosures: ApolloServerPlugin<SubgraphContext> = {
  async requestDidStart() {
    return {
      async willSendResponse({ contextValue, response }) {
        if (response.body.kind !== 'single' || !contextValue.access || contextValue.access.disclosures.size === 0) return;
        response.body.singleResult.extensions = {
          ...response.body.singleResult.extensions,
          disclosures: [...contextValue.access.disclosures].map(([subjectId, groups]) => ({ subjectId, groups: [...groups].sort() })),
        };
      },
    };
  },
};

export function createSubgraphServer<TContext extends object>(definition: SubgraphDefinition<TContext>): ApolloServer<ContextOf<TContext>> {
  const schema = enforceGrants(
    buildSubgraphSchema({
      typeDefs: parse(readSdl(definition.name)),
      resolvers: { ...scalarResolvers, ...definition.resolvers } as GraphQLResolverMap<unknown>,
    }),
    definition.subjectOf ?? {},
  );
  return new ApolloServer<ContextOf<TContext>>({
    schema,
    includeStacktraceInErrorResponses: false,
    plugins: [reportDisclosures as ApolloServerPlugin<ContextOf<TContext>>, ApolloServerPluginInlineTraceDisabled(), ApolloServerPluginLandingPageDisabled(), ApolloServerPluginUsageReportingDisabled(), ApolloServerPluginSchemaReportingDisabled()],
    formatError: maskUnexpectedErrors((message, error) => console.error(`[${definition.name}] ${message}`, error)),
  });
}

export interface StartedSubgraph {
  name: SubgraphName;
  url: string;
  http: RunningHttpServer;
  stop(): Promise<void>;
}

/** Build without boot: tests call this with their own database, key and port 0. */
export async function startSubgraph<TContext extends object>(
  definition: SubgraphDefinition<TContext>,
  db: DataSource,
  options: { port: number; host?: string; signingKey: Uint8Array },
): Promise<StartedSubgraph> {
  const server = createSubgraphServer(definition);
  const http = await serveGraphQL(server, {
    port: options.port,
    host: options.host,
    context: async ({ req, body }) => {
      const access = await accessFromRequest(req.headers, body, options.signingKey);
      return Object.assign(definition.createContext(db), { access });
    },
  });
  return { name: definition.name, url: http.url, http, stop: () => http.stop() };
}

export interface SubgraphConfig {
  port: number;
  host: string;
  database: DatabaseTarget;
  /** The key the gateway signs identities with. */
  signingKey: Uint8Array;
}

/** The only reader of `process.env` in a subgraph process. */
export function readSubgraphConfig(name: SubgraphName, env: NodeJS.ProcessEnv, argv: string[]): SubgraphConfig {
  const portFlag = readFlag(argv, 'port');
  return {
    port: readPort(portFlag === undefined ? env : { PORT: portFlag }, 'PORT', defaultPorts[name]),
    host: env.HOST || '127.0.0.1',
    database: databaseTarget(env, path.join(projectRoot, 'data')),
    signingKey: readSecret(env, 'GATEWAY_SIGNING_KEY'),
  };
}

export async function openSubgraphDatabase(definition: DataModel & { name: SubgraphName }, target: DatabaseTarget, logger?: Logger): Promise<DataSource> {
  return await openDatabase(definition.name, target, definition, logger);
}

/** Boot: read configuration, open the database, listen, and stop cleanly on SIGTERM or Ctrl-C. */
export async function runSubgraph<TContext extends object>(definition: SubgraphDefinition<TContext>): Promise<void> {
  let config: SubgraphConfig;
  try {
    config = readSubgraphConfig(definition.name, process.env, process.argv.slice(2));
  } catch (error) {
    console.error(`[${definition.name}] configuration error: ${(error as Error).message}`);
    process.exit(2);
  }
  const db = await openSubgraphDatabase(definition, config.database);
  const subgraph = await startSubgraph(definition, db, { port: config.port, host: config.host, signingKey: config.signingKey });
  console.log(`[${definition.name}] serving ${subgraph.url} on ${describeTarget(config.database)}`);
  const shutdown = async () => {
    await subgraph.stop();
    await db.destroy();
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown());
  process.once('SIGINT', () => void shutdown());
}
