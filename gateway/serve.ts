import { serveGraphQL, type RunningHttpServer } from '../lib/http-server';
import type { Logger } from '../lib/logger';
import { readinessRoute } from '../lib/readiness';
import { crossSiteRequestRoute } from './cross-site-requests';
import { explorerRoute } from './explorer/explorer-route';
import { printableReportsRoute } from './printable-reports';
import { explorerSettingsProvider, type DemoTokenOptions } from './explorer/explorer-settings';
import { answerAfterCallsMs, createGateway, longestAnswerMs, routingUrls, type Gateway, type GatewayOptions } from './gateway';
import { GatewayMetrics } from './metrics';
import { gatewayReadiness } from './readiness';

export interface ServeGatewayOptions extends Omit<GatewayOptions, 'observer'> {
  port: number;
  host?: string;
  logger?: Logger;
  /** Serve the explorer at `/explorer/`; `demo` lists the demo callers' tokens (embedded default only). */
  explorer?: { demo?: DemoTokenOptions; bundleDirectory?: string };
  /** How long a stop waits for the requests in flight; by default the longest a request may take (longestAnswerMs). */
  stopGracePeriodMillis?: number;
  /** Origins of the front ends allowed to call from a browser on another site (`CORS_ORIGINS`). */
  corsOrigins?: readonly string[];
}

export interface ServedGateway {
  url: string;
  gateway: Gateway;
  http: RunningHttpServer;
  metrics: GatewayMetrics;
  /** How long stop() waits for the requests in flight before it cuts them. */
  stopGracePeriodMillis: number;
  /** Graceful: no new connections, in-flight requests (and their audit writes) finish. */
  stop(): Promise<void>;
}

/**
 * The gateway with its operational routes, listening: GraphQL at `/graphql`, `/health`,
 * `/ready`, `/metrics` and, when configured, the explorer. No env reads: index.ts (boot) and
 * tests call this with their own options.
 */
export async function serveGateway(options: ServeGatewayOptions): Promise<ServedGateway> {
  const { port, host, logger, explorer, corsOrigins, ...gatewayOptions } = options;
  // A request allowed to run is allowed to finish: a fixed 10 s cut a credit check under REQUEST_TIMEOUT_MS=30000 stored and never answered.
  const stopGracePeriodMillis = options.stopGracePeriodMillis ?? longestAnswerMs(options.requestTimeoutMs, options.subgraphTimeoutMs);
  // Closed when the gateway stops, or when it fails to start: its GC observer would outlive it (lib/metrics.ts).
  const metrics = new GatewayMetrics(logger);
  try {
    // Before anything starts: a missing bundle must stop the boot with a clear message.
    const explorerRoutes = explorer ? [explorerRoute({ bundleDirectory: explorer.bundleDirectory, settings: explorerSettingsProvider(explorer.demo, { listenHost: host, logger }) })] : [];
    const gateway = await createGateway({ ...gatewayOptions, observer: metrics });
    const subgraphUrls: Record<string, string> = { ...routingUrls(options.supergraphSdl), ...(options.subgraphUrls as Record<string, string> | undefined) };
    let http: RunningHttpServer | undefined;
    const ready = readinessRoute(gatewayReadiness(subgraphUrls, () => http !== undefined, options.accessControl === false ? { kind: 'typename' } : { kind: 'ready-route', signingKey: options.signingKey }), () => http?.stopping ?? false);
    http = await serveGraphQL(gateway.server, {
      port,
      host,
      portSetting: 'GATEWAY_PORT',
      logger,
      metrics,
      stopGracePeriodMillis,
      // An upload that ends during the stop: its time ends where the rest of its answer still fits.
      answerAfterDeadlineMillis: answerAfterCallsMs(options.subgraphTimeoutMs),
      maxBodyBytes: gateway.limits.bodyBytes,
      // The platform's edge: the audit log's request ids are the gateway's, never a client's.
      ownRequestIds: true,
      compressAnswers: true,
      crossOrigin: crossSiteRequestRoute(corsOrigins),
      routes: [ready, ...explorerRoutes, ...(subgraphUrls.reports ? [printableReportsRoute(subgraphUrls.reports, { audit: gateway.audit, signingKey: options.signingKey, rateLimits: gateway.rateLimits, trustedProxies: options.trustedProxies, observer: metrics, timeoutMs: options.subgraphTimeoutMs })] : [])],
      describeCaller: (context) => (context.caller ? { organisation: context.caller.organisation, organisationKind: context.caller.organisationKind, role: context.caller.role } : null),
      // Whole, as the HTTP layer hands it: its `callerGone` stops the request's subgraph calls when the client goes.
      context: gateway.context,
    });
    const running = http;
    return {
      url: running.url,
      gateway,
      http: running,
      metrics,
      stopGracePeriodMillis,
      stop: async () => {
        try {
          await running.stop();
        } finally {
          metrics.close();
        }
      },
    };
  } catch (error) {
    metrics.close();
    throw error;
  }
}
