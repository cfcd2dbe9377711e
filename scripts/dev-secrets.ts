import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** The secrets the embedded default makes when the environment lacks them. */
export const devSecretNames = ['AUTH_JWT_SECRET', 'GATEWAY_SIGNING_KEY'] as const;
export type DevSecretName = (typeof devSecretNames)[number];

/**
 * The embedded default's secrets: made once per checkout in `data/dev-secrets.json` (ignored by
 * git, readable by the owner only), so that demo tokens survive a restart. Production sets
 * AUTH_* and GATEWAY_SIGNING_KEY itself; anything already in the environment wins, and the file
 * is read (made, the first time) only for a secret the environment lacks: with every one given
 * (AUTH_JWT_SECRET not needed beside external keys, AUTH_PUBLIC_KEY_FILE or AUTH_JWKS_URL), it
 * is neither read nor written. `needed`: the secrets the command uses (import signs its lookups
 * only, with GATEWAY_SIGNING_KEY), every one by default.
 */
export function withDevSecrets(env: NodeJS.ProcessEnv, dataDirectory: string, needed: readonly DevSecretName[] = devSecretNames): NodeJS.ProcessEnv {
  const missing = devSecretsFor(env, needed);
  if (!missing.length) return { ...env };
  const file = path.join(dataDirectory, 'dev-secrets.json');
  let secrets: Partial<Record<DevSecretName, string>> = {};
  try {
    secrets = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<Record<DevSecretName, string>>;
  } catch {
    // None yet (or unreadable): made afresh below.
  }
  const absent = devSecretNames.filter((name) => typeof secrets[name] !== 'string' || !secrets[name]);
  if (absent.length) {
    // Every secret at once, so that the file stays the one pair the demo runs with.
    const fresh = () => `base64:${randomBytes(32).toString('base64')}`;
    secrets = { ...secrets, ...Object.fromEntries(absent.map((name) => [name, fresh()])) };
    // For its owner alone, as the SQLite databases beside the file make it (subgraphs/shared/database.ts prepareSqliteFile).
    fs.mkdirSync(dataDirectory, { recursive: true, mode: 0o700 });
    fs.writeFileSync(file, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 });
  }
  return { ...env, ...Object.fromEntries(missing.map((name) => [name, secrets[name]])) };
}

/** The secrets of `needed` the environment lacks, which `withDevSecrets` supplies: AUTH_JWT_SECRET is none beside external keys. */
function devSecretsFor(env: NodeJS.ProcessEnv, needed: readonly DevSecretName[] = devSecretNames): DevSecretName[] {
  const externalKeys = Boolean(env.AUTH_PUBLIC_KEY_FILE || env.AUTH_JWKS_URL);
  return needed.filter((name) => !env[name] && !(name === 'AUTH_JWT_SECRET' && externalKeys));
}

/**
 * Whether the demo callers' tokens may be listed in the explorer (`EXPLORER_DEMO_TOKENS`): only
 * when the token secret is the checkout's own demo secret, which `withDevSecrets` supplies for an
 * environment that gives none. A secret the operator set (a staging host started with `npm
 * start`) signs real tokens: listing them would hand anyone who reaches the explorer a credit
 * office supervisor's. An explicit `EXPLORER_DEMO_TOKENS` wins, as ever.
 */
export function demoTokensListed(env: NodeJS.ProcessEnv): string {
  return env.EXPLORER_DEMO_TOKENS ?? String(devSecretsFor(env).includes('AUTH_JWT_SECRET'));
}
