import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/**
 * The embedded default's secrets: made once per checkout in `data/dev-secrets.json` (ignored by
 * git, readable by the owner only), so that demo tokens survive a restart. Production sets
 * AUTH_* and GATEWAY_SIGNING_KEY itself; anything already in the environment wins.
 */
export function withDevSecrets(env: NodeJS.ProcessEnv, dataDirectory: string): NodeJS.ProcessEnv {
  const file = path.join(dataDirectory, 'dev-secrets.json');
  let secrets: Record<string, string>;
  try {
    secrets = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, string>;
  } catch {
    const fresh = () => `base64:${randomBytes(32).toString('base64')}`;
    secrets = { AUTH_JWT_SECRET: fresh(), GATEWAY_SIGNING_KEY: fresh() };
    fs.mkdirSync(dataDirectory, { recursive: true });
    fs.writeFileSync(file, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 });
  }
  const externalKeys = env.AUTH_PUBLIC_KEY_FILE || env.AUTH_JWKS_URL;
  return {
    ...env,
    GATEWAY_SIGNING_KEY: env.GATEWAY_SIGNING_KEY || secrets.GATEWAY_SIGNING_KEY,
    ...(externalKeys ? {} : { AUTH_JWT_SECRET: env.AUTH_JWT_SECRET || secrets.AUTH_JWT_SECRET }),
  };
}
