import { unresolvedHost } from '../lib/env';
import { createLogger } from '../lib/logger';
import { forceAfterGraceMs, handleShutdownSignals } from '../lib/shutdown';
import { exitOnUncaughtFault, exitWithFatal } from '../lib/start-failure';
import { readGatewayConfig, type GatewayConfig } from './config';
import { explorerLink } from './explorer/explorer-settings';
import { serveGateway } from './serve';

/** Boot only: read and validate the configuration, serve, stop gracefully on SIGTERM or Ctrl-C. */
async function main(): Promise<void> {
  let config: GatewayConfig;
  try {
    config = readGatewayConfig(process.env, process.argv.slice(2), await unresolvedHost(process.env));
  } catch (error) {
    createLogger('gateway').fatal(`configuration error: ${(error as Error).message}`);
    process.exit(2);
  }
  const logger = createLogger('gateway', { level: config.logLevel });
  exitOnUncaughtFault(logger);
  for (const warning of config.warnings) logger.warn(warning);
  // The gateway must never phone home: @apollo/gateway starts an exporter of anonymous usage data
  // when it is built unless this is set. Not configurable on purpose; set here, by the process,
  // as createGateway reads and writes no environment (the tests' processes set it alike:
  // test/helpers/environment.ts).
  process.env.APOLLO_TELEMETRY_DISABLED = 'true';
  try {
    // The consent the demo bank reads under lives in the entities seed: loaded in the embedded default only.
    const demo =
      config.explorerDemoTokens && config.tokens?.keys.kind === 'secret'
        ? { secret: config.tokens.keys.secret, issuer: config.tokens.issuer, audience: config.tokens.audience, consentId: (await import('../scripts/demo/consents')).demoConsents.bankFinancialServices }
        : undefined;
    const served = await serveGateway({
      supergraphSdl: config.supergraphSdl,
      subgraphUrls: config.subgraphUrls,
      tokens: config.tokens,
      signingKey: config.signingKey,
      introspection: config.introspection,
      limits: config.limits,
      accessControl: config.accessControl,
      rateLimits: config.rateLimits ?? undefined,
      subgraphTimeoutMs: config.subgraphTimeoutMs,
      requestTimeoutMs: config.requestTimeoutMs,
      port: config.port,
      host: config.host,
      logger,
      explorer: config.explorer ? { demo } : undefined,
      corsOrigins: config.corsOrigins,
      trustedProxies: config.trustedProxies,
    });
    // As configured: a BlockList lists its rules newest first, each as `Subnet: IPv4 10.0.0.0/8`.
    const trustedProxies = config.trustedProxies?.rules.map((rule) => rule.replace(/^\w+: IPv[46] /, '')).reverse() ?? 'none';
    logger.info(
      { url: served.url, supergraph: config.supergraphPath, explorer: config.explorer ? explorerLink(served.url, config.host) : 'off', introspection: config.introspection, demoTokens: Boolean(demo), limits: config.limits, rateLimits: served.gateway.rateLimits?.summary() ?? 'off', corsOrigins: config.corsOrigins, trustedProxies, ...(config.accessControl ? {} : { accessControl: 'off' }) },
      'serving',
    );
    handleShutdownSignals(logger, [{ name: 'HTTP server', stop: () => served.stop() }], forceAfterGraceMs(served.stopGracePeriodMillis));
  } catch (error) {
    exitWithFatal(logger, error);
  }
}

void main();
