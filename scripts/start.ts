import path from 'node:path';
import { readPort } from '../lib/env';
import { projectRoot } from '../lib/project-root';
import { databaseTarget, describeTarget } from '../subgraphs/shared/database';
import { demoWorld } from './demo/world';
import { launchPlatform } from './launch';
import { defaultDemoSize, seedAll } from './seed';

/**
 * `npm start`: seeds the demo data (only what is missing, so a second start adds nothing),
 * starts the five subgraphs and the gateway, and stops them all together on Ctrl-C, or as soon
 * as one of them dies.
 */
async function main(): Promise<void> {
  const target = databaseTarget(process.env, path.join(projectRoot, 'data'));
  const gatewayPort = readPort(process.env, 'GATEWAY_PORT', 4000);
  const counts = await seedAll(target);
  const added = Object.values(counts).reduce((a, b) => a + b, 0);
  console.log(`[start] ${describeTarget(target)}: ${added ? `seeded ${added} demo rows` : 'demo data already present'}`);

  const platform = await launchPlatform(process.env, { gatewayPort });
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
  console.log(`
  Credit platform ready: ${platform.gatewayUrl}   (Ctrl-C stops everything)

  Try:
    curl -s ${platform.gatewayUrl} -H 'content-type: application/json' \\
      -d '{"query":"{ subjectByCode(code: \\"${world.subjects[0].identifier}\\") { name creditRecords { totalCount edges { node { category summary } } } } }"}'
`);
}

main().catch((error) => {
  console.error(`[start] ${(error as Error).message}`);
  process.exit(1);
});
