import path from 'node:path';
import { readPort } from '../lib/env';
import { projectRoot } from '../lib/project-root';
import { databaseTarget, describeTarget } from '../subgraphs/shared/database';
import { demoWorld } from './demo/world';
import { launchPlatform } from './launch';
import { defaultDemoSize, seedAll } from './seed';
import { withDevSecrets } from './dev-secrets';
import { demoTokens, describeTokens } from './tokens';
import { demoConsents } from './demo/consents';

/**
 * `npm start`: seeds the demo data (only what is missing, so a second start adds nothing),
 * starts the five subgraphs and the gateway, and stops them all together on Ctrl-C, or as soon
 * as one of them dies.
 */
async function main(): Promise<void> {
  const dataDirectory = path.join(projectRoot, 'data');
  const env = withDevSecrets(process.env, dataDirectory);
  const target = databaseTarget(env, dataDirectory);
  const gatewayPort = readPort(env, 'GATEWAY_PORT', 4000);
  const counts = await seedAll(target);
  const added = Object.values(counts).reduce((a, b) => a + b, 0);
  console.log(`[start] ${describeTarget(target)}: ${added ? `seeded ${added} demo rows` : 'demo data already present'}`);

  const platform = await launchPlatform(env, { gatewayPort });
  const stop = async (code: number) => {
    await platform.stop();
    process.exit(code);
  };
  process.once('SIGINT', () => void stop(0));
  process.once('SIGTERM', () => void stop(0));
  void platform.died.then((name) => {
    console.error(`[start] ${name} exited; stopping everything`);
    void stop(1);
  });

  const world = demoWorld({ subjects: defaultDemoSize });
  const tokens = env.AUTH_JWT_SECRET ? describeTokens(await demoTokens(env, demoConsents.bankFinancialServices), platform.gatewayUrl) : '  (tokens come from your identity provider)';
  console.log(`
  Credit platform ready: ${platform.gatewayUrl}   (Ctrl-C stops everything)

  Demo callers (\`npm run tokens\` prints these again):

${tokens}

  A query to send with them, e.g. the finance officer's:
    {"query":"{ subjectByCode(code: \\"${world.subjects[0].identifier}\\") { name creditRecords { totalCount edges { node { category summary } } } } }"}
`);
}

main().catch((error) => {
  console.error(`[start] ${(error as Error).message}`);
  process.exit(1);
});
