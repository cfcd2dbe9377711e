import path from 'node:path';
import { readSecret } from '../lib/env';
import { projectRoot } from '../lib/project-root';
import { demoCallers, mintToken, type DemoCaller } from './demo/callers';
import { demoWorld } from './demo/world';
import { withDevSecrets } from './dev-secrets';
import { defaultDemoSize } from './seed';

/** Demo tokens, one per kind of caller, signed with the embedded default's local secret. */
export async function demoTokens(env: NodeJS.ProcessEnv, consentId?: string): Promise<(DemoCaller & { token: string })[]> {
  const secret = readSecret(env, 'AUTH_JWT_SECRET');
  const callers = demoCallers(demoWorld({ subjects: defaultDemoSize }), consentId);
  return await Promise.all(callers.map(async (c) => ({ ...c, token: await mintToken(c.caller, secret) })));
}

export function describeTokens(tokens: (DemoCaller & { token: string })[], gatewayUrl: string): string {
  return tokens
    .map((t) => {
      const headers = [`-H 'authorization: Bearer ${t.token}'`, ...Object.entries(t.headers).map(([k, v]) => `-H '${k}: ${v}'`)].join(' ');
      return `  ${t.label}\n    curl -s ${gatewayUrl} -H 'content-type: application/json' ${headers} -d '{"query":"..."}'`;
    })
    .join('\n\n');
}

async function main(): Promise<void> {
  const env = withDevSecrets(process.env, path.join(projectRoot, 'data'));
  const { demoConsents } = await import('./demo/consents');
  const tokens = await demoTokens(env, demoConsents.bankFinancialServices);
  if (process.argv.includes('--json')) {
    console.log(JSON.stringify(tokens.map(({ label, caller, headers, token }) => ({ label, caller, headers, token })), null, 2));
    return;
  }
  console.log(`Demo tokens (valid 12 hours), for http://127.0.0.1:4000/graphql:\n\n${describeTokens(tokens, 'http://127.0.0.1:4000/graphql')}`);
}

if (require.main === module) {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
