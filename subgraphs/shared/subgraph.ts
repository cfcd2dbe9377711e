import path from 'node:path';
import { ApolloServer } from '@apollo/server';
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
import { readFlag, readPort } from '../../lib/env';
import { serveGraphQL, type RunningHttpServer } from '../../lib/http-server';
import { projectRoot } from '../../lib/project-root';
import { defaultPorts, readSdl, type SubgraphName } from '../../schema/subgraphs';
import { databaseTarget, describeTarget, openDatabase, type DatabaseTarget, type DataModel } from './database';
import { scalarResolvers } from './scalars';

/**
 * Everything that makes one subgraph: its data model, its resolvers and how a request's
 * context (loaders, repositories) is built. The five subgraphs are five values of this type,
 * served by the one server below.
 */
export interface SubgraphDefinition<TContext extends object> extends DataModel {
  name: SubgraphName;
  resolvers: GraphQLResolverMap<TContext>;
  /** Called once per request: loaders must never be shared between requests. */
  createContext(db: DataSource): TContext;
}

export function createSubgraphServer<TContext extends object>(definition: SubgraphDefinition<TContext>): ApolloServer<TContext> {
  const schema = buildSubgraphSchema({
    typeDefs: parse(readSdl(definition.name)),
    resolvers: { ...scalarResolvers, ...definition.resolvers } as GraphQLResolverMap<unknown>,
  });
  return new ApolloServer<TContext>({
    schema,
    includeStacktraceInErrorResponses: false,
    plugins: [ApolloServerPluginInlineTraceDisabled(), ApolloServerPluginLandingPageDisabled(), ApolloServerPluginUsageReportingDisabled(), ApolloServerPluginSchemaReportingDisabled()],
    formatError: maskUnexpectedErrors((message, error) => console.error(`[${definition.name}] ${message}`, error)),
  });
}

export interface StartedSubgraph {
  name: SubgraphName;
  url: string;
  http: RunningHttpServer;
  stop(): Promise<void>;
}

/** Build without boot: tests call this with their own database and port 0. */
export async function startSubgraph<TContext extends object>(
  definition: SubgraphDefinition<TContext>,
  db: DataSource,
  listen: { port: number; host?: string },
): Promise<StartedSubgraph> {
  const server = createSubgraphServer(definition);
  const http = await serveGraphQL(server, { ...listen, context: async () => definition.createContext(db) });
  return { name: definition.name, url: http.url, http, stop: () => http.stop() };
}

export interface SubgraphConfig {
  port: number;
  host: string;
  database: DatabaseTarget;
}

/** The only reader of `process.env` in a subgraph process. */
export function readSubgraphConfig(name: SubgraphName, env: NodeJS.ProcessEnv, argv: string[]): SubgraphConfig {
  const portFlag = readFlag(argv, 'port');
  return {
    port: readPort(portFlag === undefined ? env : { PORT: portFlag }, 'PORT', defaultPorts[name]),
    host: env.HOST || '127.0.0.1',
    database: databaseTarget(env, path.join(projectRoot, 'data')),
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
  const subgraph = await startSubgraph(definition, db, { port: config.port, host: config.host });
  console.log(`[${definition.name}] serving ${subgraph.url} on ${describeTarget(config.database)}`);
  const shutdown = async () => {
    await subgraph.stop();
    await db.destroy();
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown());
  process.once('SIGINT', () => void shutdown());
}
