import dns from 'node:dns/promises';
import net from 'node:net';

/**
 * Reading configuration: each process parses `process.env` once, at start, through these
 * helpers, and stops with a message naming the variable when a value is bad.
 */
export class ConfigError extends Error {
  override name = 'ConfigError';

  /** Each problem on its own: one, or those a whole configuration reader collected (ConfigProblems). */
  readonly problems: string[];

  constructor(message: string, problems: string[] = [message]) {
    super(message);
    this.problems = problems;
  }
}

type Env = Record<string, string | undefined>;

/**
 * A whole number written in decimal digits, `_` grouping them (50_000) and whitespace around
 * them allowed; NaN for anything else. Number() takes 1e3, 0x10, 0b11, 600.0 and 1.0e1 too, and
 * GATEWAY_PORT=1e3 listened on port 1000.
 */
export function decimalInteger(raw: string): number {
  const written = raw.trim();
  return /^\d+(_\d+)*$/.test(written) ? Number(written.replaceAll('_', '')) : NaN;
}

export function readPort(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const port = decimalInteger(raw);
  // Not 0: the system would choose a port at random, and nothing (the gateway's subgraph URLs, a
  // health check, a proxy) could find the service there. Tests that want one listen in-process.
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new ConfigError(`${name} must be a port number between 1 and 65535, got "${raw}"`);
  }
  return port;
}

/** A host name's labels (RFC 1123): letters, digits and inner hyphens, each at most 63 long, dot-separated. */
const hostName = /^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

/**
 * `HOST`, where a server listens: an IP address or a host name, 127.0.0.1 unless set. Read with
 * the other settings: "0.0.0.0\r" (a CRLF env file), http://0.0.0.0 or 0.0.0.0:4000 stopped a
 * process at listen, exit 1, a subgraph once its migrations had run. So is a name that does not
 * resolve, `unresolved` (unresolvedHost): npm start had called it a port in use.
 */
export function readHost(env: Env, unresolved?: string): string {
  const raw = env.HOST;
  if (raw === undefined || raw === '') return '127.0.0.1';
  if (raw === unresolved) throw new ConfigError(`HOST names no address: "${raw}" could not be looked up (ENOTFOUND), so nothing can listen there: give an address of this machine's, or a name of it that DNS or /etc/hosts resolves`);
  if (net.isIP(raw) || hostName.test(raw)) return raw;
  throw new ConfigError(`HOST must be an IP address (0.0.0.0 for every interface, 127.0.0.1 for this machine alone) or a host name, without a scheme, a port or whitespace, got ${JSON.stringify(raw)}`);
}

/**
 * The addresses `host` names: itself when it is an IP address, else those looking it up finds,
 * none for a name that does not resolve (ENOTFOUND). Another failure of the lookup (no DNS server
 * answering, EAI_AGAIN) is thrown: it says nothing of the name.
 */
export async function addressesOf(host: string): Promise<string[]> {
  if (net.isIP(host)) return [host];
  try {
    return (await dns.lookup(host, { all: true })).map(({ address }) => address);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOTFOUND') return [];
    throw error;
  }
}

/**
 * `HOST` when it is a name that does not resolve, for readHost to refuse with the other settings;
 * undefined otherwise (unset, an address, a name that resolves, a lookup that failed for another
 * reason, which listening tells of, or a value readHost refuses for its form). DNS answers
 * asynchronously and the configuration readers do not: a process looks HOST up first, and hands
 * the answer to its reader.
 */
export async function unresolvedHost(env: Env): Promise<string | undefined> {
  const raw = env.HOST;
  if (!raw || net.isIP(raw) || !hostName.test(raw)) return undefined;
  try {
    return (await addressesOf(raw)).length ? undefined : raw;
  } catch {
    return undefined;
  }
}

/** Whether `host` listens on every interface (0.0.0.0, or ::, however its zeros are written): it names no one host to reach. */
export function isWildcardHost(host: string): boolean {
  return host === '0.0.0.0' || (net.isIPv6(host) && /^[0:]+$/.test(host));
}

/** Whether `host` is this machine's alone (127.0.0.0/8, ::1, localhost): anything else is reachable from elsewhere. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || (net.isIPv4(host) && host.startsWith('127.'));
}

/**
 * A host as a URL, a `host:port` or a `Host` header writes it: an IPv6 address in brackets
 * (`[::1]`), so that its port reads apart; an IPv4 address or a name as it is.
 */
export function urlHost(host: string): string {
  return net.isIPv6(host) ? `[${host}]` : host;
}

/**
 * The host a URL names, as a connection or a lookup takes it: an IPv6 address without the
 * brackets the URL writes it in (`[::1]`, which a driver or DNS would look up as a name); urlHost
 * written backwards.
 */
export function hostOfUrl(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, '$1');
}

export function readUrl(env: Env, name: string, protocols: string[]): string | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`${name} must be a URL, got "${withoutUserInfo(raw)}"`);
  }
  if (!protocols.includes(url.protocol)) {
    // `credit:secret@redis:6379` parses with the user name as its scheme.
    const shown = raw.startsWith(`${url.protocol}//`) || !raw.includes('@') ? url.protocol : withoutUserInfo(raw);
    throw new ConfigError(`${name} must use ${protocols.join(' or ')}, got "${shown}"`);
  }
  return raw;
}

/**
 * A URL as a message may show it: a user and password (`redis://:secret@redis:6379`) replaced
 * by `…`. Up to the last `@`, as a URL too broken to parse has no reliable end of its user-info
 * (a password may hold `/`, `#` or `@`).
 */
export function withoutUserInfo(raw: string): string {
  const at = raw.lastIndexOf('@');
  if (at < 0) return raw;
  const scheme = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//.exec(raw)?.[0] ?? '';
  return `${scheme}…${raw.slice(at)}`;
}

/**
 * A URL as a log line or a message may show it: without its user-info (`withoutUserInfo`), nor
 * its query and fragment, which may carry a credential too (`?access_token=…`, `?password=…`).
 */
export function withoutCredentials(raw: string): string {
  return withoutUserInfo(raw).replace(/[?#].*$/s, '?…');
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
 * The values NODE_ENV may take: `production`, which switches the production safeguards on (no
 * explorer by default, no SQLite, no placeholder secret, …); `development`; `test`, which jest
 * sets; or none.
 */
export const nodeEnvironments = ['production', 'development', 'test'] as const;

/**
 * `NODE_ENV`, one of nodeEnvironments or unset (undefined). Any other value is refused: a
 * `Production` or `prod` left every safeguard off, the operator believing them on.
 */
export function readNodeEnvironment(env: Env): (typeof nodeEnvironments)[number] | undefined {
  const raw = env.NODE_ENV;
  if (raw === undefined || raw === '') return undefined;
  const value = nodeEnvironments.find((v) => v === raw);
  if (!value) throw new ConfigError(`NODE_ENV must be ${nodeEnvironments.slice(0, -1).join(', ')} or ${nodeEnvironments[nodeEnvironments.length - 1]} (or unset), got "${raw}"`);
  return value;
}

/**
 * `NODE_ENV=production`: the settings that are for development only are refused. A value that is
 * none of nodeEnvironments is taken for neither: a check made for production alone throws
 * readNodeEnvironment's refusal of it, the same ConfigError, which a configuration reader lists
 * once (ConfigProblems). The operator is told what NODE_ENV may be, not what a production never
 * set would refuse, and the value is refused wherever it is read.
 */
export function isProduction(env: Env): boolean {
  return readNodeEnvironment(env) === 'production';
}

/**
 * The fewest distinct bytes a secret may hold with NODE_ENV=production. A placeholder has a
 * handful (`aaaa…` one, `changeme` repeated seven); 32 random bytes have about 30, and even 32
 * random hex digits about 14. A floor against placeholders, not a measure of strength: the
 * README says how to make a random secret.
 */
export const minimumDistinctSecretBytes = 8;

/**
 * A shared secret for HS256, at least 32 bytes (RFC 7518 §3.2: the key must be as long as the
 * hash). Accepts plain text or `base64:...`, byte for byte (secretBytes). With
 * NODE_ENV=production, also at least `minimumDistinctSecretBytes` different bytes (of the decoded
 * secret); tests and the demo may use any 32 bytes.
 */
export function readSecret(env: Env, name: string): Uint8Array {
  const raw = env[name];
  if (!raw) throw new ConfigError(`${name} is required: a secret of at least 32 bytes (plain text or base64:...)`);
  const bytes = secretBytes(name, raw);
  if (bytes.length < 32) throw new ConfigError(`${name} must be at least 32 bytes, got ${bytes.length}`);
  const distinct = new Set(bytes).size;
  if (distinct < minimumDistinctSecretBytes && isProduction(env)) {
    throw new ConfigError(
      `${name} must hold at least ${minimumDistinctSecretBytes} different characters with NODE_ENV=production, got ${distinct}: ` +
        'a placeholder, not a secret (make one with: echo "base64:$(openssl rand -base64 32)")',
    );
  }
  return new Uint8Array(bytes);
}

/** Whether `raw` begins or ends with whitespace (a space, a tab, a line break: the \r a CRLF env file leaves), or undefined. */
export function whitespaceAround(raw: string): 'begins' | 'ends' | undefined {
  return /^\s/.test(raw) ? 'begins' : /\s$/.test(raw) ? 'ends' : undefined;
}

/**
 * A value compared exactly with what another system sends (a token's `iss`, `aud`); `fallback`
 * when unset. Whitespace around it is refused: " beidaihe-idp" or a CRLF file's "beidaihe-idp\r"
 * matched no token, and every one was refused "unexpected iss claim value".
 */
export function readExactText(env: Env, name: string, fallback: string): string {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const space = whitespaceAround(raw);
  if (space) throw new ConfigError(`${name} must not begin or end with whitespace (a space, a tab, a line break), got one that ${space} with it: it is compared with every token's claim exactly`);
  return raw;
}

/**
 * A secret's bytes, byte for byte: no whitespace around it, which a quoted or pasted value may
 * carry (" base64:…" would be text, 45 bytes, and the processes given the key without it would
 * refuse each other), and, after `base64:`, base64 that decodes whole (Node's decoder skips what
 * it cannot read, and a key that is not what the operator wrote is found only at run time).
 * Whitespace after base64 is the one exception: no base64 digit is whitespace, so it cannot be
 * the key's, and a secret mounted from a file made with `echo "base64:…" > file` ends in a line
 * break.
 */
function secretBytes(name: string, raw: string): Buffer {
  const written = raw.startsWith('base64:') ? raw.trimEnd() : raw;
  const space = whitespaceAround(written);
  if (space) {
    throw new ConfigError(
      `${name} must not begin or end with whitespace (a space, a tab, a line break), got one that ${space} with it: a secret is taken byte for byte, and " base64:…" would be read as text, not as the key it encodes`,
    );
  }
  if (!written.startsWith('base64:')) return Buffer.from(written, 'utf8');
  const encoded = written.slice('base64:'.length);
  const problem = base64Problem(encoded);
  if (problem) throw new ConfigError(`${name} must be base64 after base64: (A-Z, a-z, 0-9, + and /, or - and _, with = only at its end), got ${problem}`);
  return Buffer.from(encoded, 'base64');
}

/** What makes `encoded` no base64 (or base64url, padded or not, both of which Node decodes), or undefined. */
function base64Problem(encoded: string): string | undefined {
  if (!encoded) return 'nothing';
  const padding = (/=*$/.exec(encoded) as RegExpExecArray)[0].length;
  const digits = encoded.slice(0, encoded.length - padding);
  const stray = digits.search(/[^A-Za-z0-9+/_-]/);
  if (stray >= 0) return `a character that is not base64 at position ${'base64:'.length + stray + 1}`;
  // Four characters hold three bytes: a last group of one holds none, and padding fills a group to four.
  if (digits.length % 4 === 1 || padding > 2 || (padding > 0 && encoded.length % 4 !== 0)) return `a length no base64 has (${encoded.length} characters)`;
  return undefined;
}

const logLevelNames = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** `LOG_LEVEL`: one of pino's levels, `info` by default. */
export function readLogLevel(env: Env): (typeof logLevelNames)[number] {
  const raw = env.LOG_LEVEL;
  if (raw === undefined || raw === '') return 'info';
  const level = logLevelNames.find((l) => l === raw.toLowerCase());
  if (!level) throw new ConfigError(`LOG_LEVEL must be one of ${logLevelNames.join(', ')}, got "${raw}"`);
  return level;
}

/** A whole number of at least 1 (a limit, a budget, a count; `_` may group digits); `fallback` when unset. */
export function readPositiveInteger(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = decimalInteger(raw);
  if (!Number.isSafeInteger(value) || value < 1) throw new ConfigError(`${name} must be a whole number of at least 1, got "${raw}"`);
  return value;
}

/** What a whole-number setting in a unit of time may be: its least and greatest values, the greatest as an operator reads it (`30 days`). */
export interface WholeNumberRange {
  unit: 'milliseconds' | 'seconds';
  min: number;
  max: number;
  maxSaid?: string;
}

/**
 * A whole number of `range.unit` within `range`; `fallback` when unset. A value off by a factor
 * of 1000 that the other unit would bring within it is asked about: SUBGRAPH_TIMEOUT_MS=10 (10 s
 * meant) failed every call, AUTH_MAX_TOKEN_LIFETIME_SECONDS=86400000 (a day in milliseconds)
 * lifted the cap on tokens' lifetimes.
 */
export function readWholeNumber(env: Env, name: string, fallback: number, range: WholeNumberRange): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = decimalInteger(raw);
  if (Number.isInteger(value) && value >= range.min && value <= range.max) return value;
  const within = (v: number) => v >= range.min && v <= range.max;
  const meant = !Number.isInteger(value) ? undefined : range.unit === 'milliseconds' && value < range.min && within(value * 1000) ? `${value}000` : range.unit === 'seconds' && value > range.max && value % 1000 === 0 && within(value / 1000) ? String(value / 1000) : undefined;
  throw new ConfigError(`${name} must be a whole number of ${range.unit} between ${range.min} and ${range.max}${range.maxSaid ? ` (${range.maxSaid})` : ''}, got "${raw}"${meant ? `: ${range.unit}, did you mean ${meant}?` : ''}`);
}

/** An on/off switch (`on|off`, also `true|false`, `1|0`, `yes|no`); `fallback` when unset. */
export function readSwitch(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = raw.trim().toLowerCase();
  if (['on', 'true', '1', 'yes'].includes(value)) return true;
  if (['off', 'false', '0', 'no'].includes(value)) return false;
  throw new ConfigError(`${name} must be on or off, got "${raw}"`);
}

/**
 * Reads a whole configuration, collecting every problem instead of stopping at the first: an
 * operator fixes all the variables in one go. Each reader throws ConfigError for its variable, or
 * for several (another whole reader, such as a subgraph's shared part); a problem two readers
 * share (the signing key) is listed once.
 */
export class ConfigProblems {
  readonly messages: string[] = [];

  read<T>(reader: () => T): T | undefined {
    try {
      return reader();
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      for (const problem of error.problems) if (!this.messages.includes(problem)) this.messages.push(problem);
      return undefined;
    }
  }

  /**
   * Throws one ConfigError listing every problem, if there were any, and after them `warnings`
   * (names that are no setting, say): logged at start otherwise, they were dropped from the one
   * line a refused start writes, and GATEWAY_SIGNING_KEY_FILE was answered "GATEWAY_SIGNING_KEY
   * is required" alone.
   */
  check(warnings: string[] = []): void {
    if (this.messages.length) for (const warning of warnings) if (!this.messages.includes(warning)) this.messages.push(warning);
    if (this.messages.length === 1) throw new ConfigError(this.messages[0]);
    if (this.messages.length) throw new ConfigError(`${this.messages.length} configuration problems:\n  - ${this.messages.join('\n  - ')}`, [...this.messages]);
  }
}

/**
 * Secrets a verifier takes besides the one it signs with (`current`: its variable's name and
 * value), while that secret is changed: one or more of readSecret's form, comma- or
 * space-separated (so a plain-text one holds neither), none when unset. The current secret among
 * them, or one twice, is refused: a list copied without the change it was meant for.
 */
export function readAcceptedSecrets(env: Env, name: string, current: { name: string; secret: Uint8Array | undefined }): Uint8Array[] {
  const listed = (env[name] ?? '').split(/[\s,]+/).filter(Boolean);
  const secrets = listed.map((raw, i) => {
    const which = listed.length === 1 ? name : `${name} (its key ${i + 1})`;
    return readSecret({ ...env, [which]: raw }, which);
  });
  const written = secrets.map((secret) => Buffer.from(secret).toString('base64'));
  if (current.secret && written.includes(Buffer.from(current.secret).toString('base64'))) {
    throw new ConfigError(`${name} must not hold ${current.name}: it lists the keys accepted besides it (during a change of key, the other one)`);
  }
  if (new Set(written).size < written.length) throw new ConfigError(`${name} must not list a key twice`);
  return secrets;
}
