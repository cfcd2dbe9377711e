/**
 * Reading configuration: each process parses `process.env` once, at start, through these
 * helpers, and stops with a message naming the variable when a value is bad.
 */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

type Env = Record<string, string | undefined>;

export function readPort(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ConfigError(`${name} must be a port number between 0 and 65535, got "${raw}"`);
  }
  return port;
}

export function readUrl(env: Env, name: string, protocols: string[]): string | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`${name} must be a URL, got "${raw}"`);
  }
  if (!protocols.includes(url.protocol)) {
    throw new ConfigError(`${name} must use ${protocols.join(' or ')}, got "${url.protocol}"`);
  }
  return raw;
}

/** `--name value` or `--name=value` from argv, for the few settings an operator passes as flags. */
export function readFlag(argv: string[], name: string): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === `--${name}`) return argv[i + 1];
    if (arg.startsWith(`--${name}=`)) return arg.slice(name.length + 3);
  }
  return undefined;
}

/**
 * A shared secret for HS256, at least 32 bytes (RFC 7518 §3.2: the key must be as long as the
 * hash). Accepts plain text or `base64:...`.
 */
export function readSecret(env: Env, name: string): Uint8Array {
  const raw = env[name];
  if (!raw) throw new ConfigError(`${name} is required: a secret of at least 32 bytes (plain text or base64:...)`);
  const bytes = raw.startsWith('base64:') ? Buffer.from(raw.slice(7), 'base64') : Buffer.from(raw, 'utf8');
  if (bytes.length < 32) throw new ConfigError(`${name} must be at least 32 bytes, got ${bytes.length}`);
  return new Uint8Array(bytes);
}
