import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import {
  ApolloServerPluginLandingPageDisabled,
  ApolloServerPluginSchemaReportingDisabled,
  ApolloServerPluginUsageReportingDisabled,
} from '@apollo/server/plugin/disabled';
import { maskUnexpectedErrors } from '../lib/errors';
import type { SubgraphName } from '../schema/subgraphs';
import { SubgraphDataSource } from './subgraph-data-source';

export interface GatewayOptions {
  supergraphSdl: string;
  subgraphUrls?: Partial<Record<SubgraphName, string>>;
}

/**
 * The federation gateway over a static supergraph (no introspection at start-up, so what is
 * served is exactly the committed, checked composition). No listening and no env reads here.
 */
export function createGateway(options: GatewayOptions): ApolloServer {
  // The gateway must never phone home: @apollo/gateway starts an anonymous telemetry exporter at
  // construction unless this is set. Not configurable on purpose.
  process.env.APOLLO_TELEMETRY_DISABLED = 'true';
  const gateway = new ApolloGateway({
    supergraphSdl: options.supergraphSdl,
    buildService: ({ name, url }) => new SubgraphDataSource(name, options.subgraphUrls?.[name as SubgraphName] ?? url ?? ''),
  });
  return new ApolloServer({
    gateway,
    includeStacktraceInErrorResponses: false,
    formatError: maskUnexpectedErrors((message, error) => console.error(`[gateway] ${message}`, error)),
    plugins: [
      // Apollo's default landing page loads Sandbox from a CDN; the self-hosted explorer replaces it.
      ApolloServerPluginLandingPageDisabled(),
      ApolloServerPluginUsageReportingDisabled(),
      ApolloServerPluginSchemaReportingDisabled(),
    ],
  });
}
