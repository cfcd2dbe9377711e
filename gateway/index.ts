import fs from 'node:fs';
import { serveGraphQL } from '../lib/http-server';
import { readGatewayConfig, type GatewayConfig } from './config';
import { createGateway } from './gateway';

async function main(): Promise<void> {
  let config: GatewayConfig;
  let supergraphSdl: string;
  try {
    config = readGatewayConfig(process.env, process.argv.slice(2));
    supergraphSdl = fs.readFileSync(config.supergraphPath, 'utf8');
  } catch (error) {
    console.error(`[gateway] configuration error: ${(error as Error).message}`);
    process.exit(2);
  }
  const gateway = await createGateway({ supergraphSdl, subgraphUrls: config.subgraphUrls, tokens: config.tokens, signingKey: config.signingKey });
  const http = await serveGraphQL(gateway.server, { port: config.port, host: config.host, context: ({ req }) => gateway.context(req) });
  console.log(`[gateway] serving ${http.url} (supergraph ${config.supergraphPath})`);
  const shutdown = async () => {
    await http.stop();
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown());
  process.once('SIGINT', () => void shutdown());
}

void main();
