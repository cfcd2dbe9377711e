import path from 'node:path';
import { ConfigError, readPort, readSecret, readSwitch } from '../lib/env';
import { projectRoot } from '../lib/project-root';
import { demoCallers, mintToken, type DemoCaller } from './demo/callers';
import { demoConsents } from './demo/consents';
import { demoWorld } from './demo/world';
import { withDevSecrets } from './dev-secrets';
import { refusedInProduction } from './production-refusal';
import { localGatewayUrl } from './launch';
import { defaultDemoSize } from './seed';
import { exitWithFailure } from '../lib/start-failure';

/**
 * Demo tokens, one per kind of caller, signed with `AUTH_JWT_SECRET` for the issuer and audience
 * the gateway checks (`AUTH_ISSUER`, `AUTH_AUDIENCE`, read as gateway/config.ts reads them).
 */
export async function demoTokens(env: NodeJS.ProcessEnv, consentId?: string): Promise<(DemoCaller & { token: string })[]> {
  const secret = readSecret(env, 'AUTH_JWT_SECRET');
  const claims = { issuer: env.AUTH_ISSUER || undefined, audience: env.AUTH_AUDIENCE || undefined };
  const callers = demoCallers(demoWorld({ subjects: defaultDemoSize }), consentId);
  return await Promise.all(callers.map(async (c) => ({ ...c, token: await mintToken(c.caller, secret, claims) })));
}

export function describeTokens(tokens: (DemoCaller & { token: string })[], gatewayUrl: string): string {
  return tokens
    .map((t) => {
      const headers = [`-H 'authorization: Bearer ${t.token}'`, ...Object.entries(t.headers).map(([k, v]) => `-H '${k}: ${v}'`)].join(' ');
      return `  ${t.label}\n    curl -s ${gatewayUrl} -H 'content-type: application/json' ${headers} -d '{"query":"..."}'`;
    })
    .join('\n\n');
}

/**
 * What `npm start` prints of callers' tokens. The demo callers' tokens only where the explorer
 * lists them (`EXPLORER_DEMO_TOKENS`, which npm start sets from dev-secrets.ts `demoTokensListed`):
 * signed with a secret the operator set (`given`, the environment before the demo secrets fill
 * it in), they are real, and a console banner ends up in logs that anyone may read.
 */
export async function startupTokens(given: NodeJS.ProcessEnv, env: NodeJS.ProcessEnv, gatewayUrl: string): Promise<string> {
  if (readSwitch(env, 'EXPLORER_DEMO_TOKENS', false)) {
    return `Demo callers (\`npm run tokens\` prints these again):\n\n${describeTokens(await demoTokens(env, demoConsents.bankFinancialServices), gatewayUrl)}`;
  }
  if (!env.AUTH_JWT_SECRET) return "Callers' tokens come from your identity provider.";
  if (!given.AUTH_JWT_SECRET) return "Demo callers' tokens are not listed (EXPLORER_DEMO_TOKENS is off): `npm run tokens` prints them.";
  return (
    "Callers' tokens are not printed: signed with the AUTH_JWT_SECRET you set, they would be real ones, kept in\n" +
    "  whatever log holds this output. Get them from your identity provider; to mint the demo callers' with that\n" +
    '  secret, run `npm run tokens` with the same AUTH_JWT_SECRET, GATEWAY_PORT, AUTH_ISSUER and AUTH_AUDIENCE, and keep what it prints to yourself.'
  );
}

/**
 * `npm run tokens`: the demo callers' tokens, on stdout (`--json`: as JSON). Refused with
 * NODE_ENV=production, as npm start is: a production gateway would accept a credit office
 * supervisor's token minted with its AUTH_JWT_SECRET, and without one a development secret would
 * be made on the production host. Callers there get their tokens from the identity provider.
 */
export async function main(argv: string[], given: NodeJS.ProcessEnv): Promise<number> {
  const refused = refusedInProduction(
    given,
    'tokens',
    "npm run tokens mints the demo callers' tokens (a credit office supervisor's among them)",
    "production's callers get their tokens from the identity provider",
  );
  if (refused) return 2;
  let gatewayUrl: string;
  let tokens: Awaited<ReturnType<typeof demoTokens>>;
  try {
    const env = withDevSecrets(given, path.join(projectRoot, 'data'));
    gatewayUrl = localGatewayUrl(env, readPort(env, 'GATEWAY_PORT', 4000));
    tokens = await demoTokens(env, demoConsents.bankFinancialServices);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(`[tokens] configuration error: ${error.message}`);
    return 2;
  }
  if (argv.includes('--json')) {
    console.log(JSON.stringify(tokens.map(({ label, caller, headers, token }) => ({ label, caller, headers, token })), null, 2));
  } else {
    console.log(`Demo tokens (valid 12 hours), for ${gatewayUrl}:\n\n${describeTokens(tokens, gatewayUrl)}`);
  }
  return 0;
}

if (require.main === module) {
  main(process.argv.slice(2), process.env).then((code) => process.exit(code), exitWithFailure('tokens'));
}
