import { createPublicKey, randomBytes, type KeyObject } from 'node:crypto';
import fs from 'node:fs';
import net, { BlockList } from 'node:net';
import path from 'node:path';
import { parse } from 'graphql';
import { ConfigError, ConfigProblems, readAcceptedSecrets, readExactText, readFlag, readHost, isLoopback, readLogLevel, readNodeEnvironment, readPort, readPositiveInteger, readSecret, readSwitch, readUrl, readWholeNumber, withoutUserInfo, type WholeNumberRange } from '../lib/env';
import { readTimeout } from '../lib/deadline';
import type { LogLevel } from '../lib/logger';
import { checkSettingNames } from '../lib/settings';
import { readSubgraphUrls, subgraphNames, supergraphPath, type SubgraphName } from '../schema/subgraphs';
import { defaultMaxTokenLifetimeSeconds, type TokenKeys, type TokenSettings } from './authentication';
import { defaultOperationLimits, type OperationLimits } from './operation-limits';
import { readRevocationsFile } from './revocations';
import { redisDatabaseProblem, type RateLimitSettings } from './rate-limits';

export interface GatewayConfig {
  port: number;
  host: string;
  /** The composed supergraph the gateway serves (default: the committed `schema/supergraph.graphql`). */
  supergraphPath: string;
  /** Its text, read and parsed as GraphQL with the other settings. */
  supergraphSdl: string;
  /** Per-subgraph routing URLs that replace the ones written in the supergraph. */
  subgraphUrls: Partial<Record<SubgraphName, string>>;
  /** How callers' tokens are verified; null only with `ACCESS_CONTROL=off` and no `AUTH_*` set. */
  tokens: TokenSettings | null;
  signingKey: Uint8Array;
  logLevel: LogLevel;
  /** `NODE_ENV=production`: explorer and introspection are off unless switched on. */
  production: boolean;
  /** Serve the explorer at `/explorer` (`EXPLORER`). */
  explorer: boolean;
  /** Answer introspection queries (`INTROSPECTION`); the explorer needs it. */
  introspection: boolean;
  /** List the demo callers' tokens in the explorer: the embedded default only (`EXPLORER_DEMO_TOKENS`). */
  explorerDemoTokens: boolean;
  /** What one operation may ask (`GATEWAY_MAX_*`), checked before planning. */
  limits: OperationLimits;
  /**
   * `ACCESS_CONTROL=off`: no field guards, no audit, for developing against a supergraph without
   * `@grant` fields (refused in production, and at start for a supergraph with grants).
   */
  accessControl: boolean;
  /** Request budgets per caller and per organisation (`RATE_LIMIT_*`); null when `RATE_LIMIT=off`. */
  rateLimits: RateLimitSettings | null;
  /** How long one call to a subgraph may take before its fields answer SUBGRAPH_UNAVAILABLE (`SUBGRAPH_TIMEOUT_MS`). */
  subgraphTimeoutMs: number;
  /** How long all of a request's calls to subgraphs may take together, from when its body had been read (`REQUEST_TIMEOUT_MS`; a slow upload is bounded apart). */
  requestTimeoutMs: number;
  /** Origins of front ends a browser may call the gateway from on another site (`CORS_ORIGINS`); none by default. */
  corsOrigins: string[];
  /** The proxies whose X-Forwarded-For names the client (`TRUSTED_PROXIES`, client-address.ts); none by default. */
  trustedProxies: BlockList | undefined;
  /** Variables given under the platform's prefixes that are no setting (lib/settings.ts checkSettingNames), each logged at start. */
  warnings: string[];
}

/**
 * Exactly one way to verify callers' tokens: `AUTH_JWT_SECRET` (HS256, the embedded default),
 * `AUTH_PUBLIC_KEY_FILE` (a PEM public key, `AUTH_JWT_ALGORITHM` default RS256, read with it alone) or
 * `AUTH_JWKS_URL` (the identity provider's key set; https only in production: whoever could
 * answer in its place over plain HTTP would choose the keys every token is checked with).
 */
function readTokenKeys(env: NodeJS.ProcessEnv, production: boolean): TokenKeys {
  const configured = ['AUTH_JWT_SECRET', 'AUTH_PUBLIC_KEY_FILE', 'AUTH_JWKS_URL'].filter((name) => env[name]);
  if (configured.length !== 1) {
    throw new ConfigError(`set exactly one of AUTH_JWT_SECRET, AUTH_PUBLIC_KEY_FILE, AUTH_JWKS_URL to verify callers' tokens, got ${configured.length ? configured.join(' and ') : 'none'}`);
  }
  if (env.AUTH_PUBLIC_KEY_FILE) return readPublicKey(env, env.AUTH_PUBLIC_KEY_FILE);
  const problems = new ConfigProblems();
  problems.read(() => checkNoAlgorithm(env));
  const keys = problems.read((): TokenKeys => (env.AUTH_JWT_SECRET ? { kind: 'secret', secret: readSecret(env, 'AUTH_JWT_SECRET') } : readKeySet(env, production)));
  problems.check();
  return keys as TokenKeys;
}

function readKeySet(env: NodeJS.ProcessEnv, production: boolean): TokenKeys {
  const url = readUrl(env, 'AUTH_JWKS_URL', ['https:', 'http:']) as string;
  if (production && new URL(url).protocol !== 'https:') {
    throw new ConfigError(`AUTH_JWKS_URL must use https: with NODE_ENV=production (a key set fetched over plain HTTP can be swapped on the way, and every token signed with the swapped keys accepted), got "${withoutUserInfo(url)}"`);
  }
  return { kind: 'jwks', url };
}

/** The key an algorithm verifies with: its types (Node's `asymmetricKeyType`), the curve and the least RSA modulus. */
interface KeyNeed {
  types: string[];
  curve?: string;
  minimumBits?: number;
  /** PS algorithms: the digest's bits, which an RSA-PSS key restricted to its parameters must sign with. */
  pssDigestBits?: number;
}

/** Node's names of the curves the ES algorithms sign on, and JOSE's. */
const curveNames: Record<string, string> = { prime256v1: 'P-256', secp384r1: 'P-384', secp521r1: 'P-521' };

const rsaKey: KeyNeed = { types: ['rsa'], minimumBits: 2048 };
const rsaPssKey = (pssDigestBits: number): KeyNeed => ({ types: ['rsa', 'rsa-pss'], minimumBits: 2048, pssDigestBits });

/**
 * The `AUTH_JWT_ALGORITHM`s a public key may verify, and the key each needs, as jose checks it
 * at every token (jose's runtime/node_key.js and check_key_length.js: keep in step). Checked at
 * start: a key that does not fit would refuse every token as TOKEN_INVALID, the gateway ready all
 * the while.
 */
const publicKeyAlgorithms: Record<string, KeyNeed> = {
  RS256: rsaKey,
  RS384: rsaKey,
  RS512: rsaKey,
  PS256: rsaPssKey(256),
  PS384: rsaPssKey(384),
  PS512: rsaPssKey(512),
  ES256: { types: ['ec'], curve: 'prime256v1' },
  ES384: { types: ['ec'], curve: 'secp384r1' },
  ES512: { types: ['ec'], curve: 'secp521r1' },
  EdDSA: { types: ['ed25519', 'ed448'] },
};

function fits(key: KeyObject, need: KeyNeed): boolean {
  const details = key.asymmetricKeyDetails ?? {};
  const kind = need.types.includes(key.asymmetricKeyType ?? '') && (!need.curve || details.namedCurve === need.curve) && (!need.minimumBits || (details.modulusLength ?? 0) >= need.minimumBits);
  if (!kind || key.asymmetricKeyType !== 'rsa-pss' || !need.pssDigestBits) return kind;
  // An RSA-PSS key may carry its own parameters, which then bind it to one digest and a salt no longer than it.
  const { hashAlgorithm, mgf1HashAlgorithm, saltLength } = details;
  const digest = `sha${need.pssDigestBits}`;
  return (hashAlgorithm === undefined || (hashAlgorithm === digest && mgf1HashAlgorithm === digest)) && (saltLength === undefined || saltLength <= need.pssDigestBits / 8);
}

function describeNeed(need: KeyNeed): string {
  if (need.curve) return `an EC key on curve ${curveNames[need.curve]}`;
  if (need.pssDigestBits) return `an RSA key of at least ${need.minimumBits} bits (an RSA-PSS key unrestricted, or restricted to sha${need.pssDigestBits} with a salt of at most ${need.pssDigestBits / 8} bytes)`;
  if (need.minimumBits) return `an RSA key of at least ${need.minimumBits} bits`;
  return 'an Ed25519 or Ed448 key';
}

function describeKey(key: KeyObject): string {
  const { modulusLength, namedCurve, hashAlgorithm, saltLength } = key.asymmetricKeyDetails ?? {};
  if (key.asymmetricKeyType === 'rsa') return `an RSA key of ${modulusLength} bits`;
  // An RS algorithm refuses it whatever its length: say what it is.
  if (key.asymmetricKeyType === 'rsa-pss') return `an RSA-PSS key of ${modulusLength} bits${hashAlgorithm ? ` restricted to ${hashAlgorithm} with a salt of ${saltLength} bytes` : ''}`;
  if (key.asymmetricKeyType === 'ec') return `an EC key on curve ${curveNames[namedCurve ?? ''] ?? namedCurve}`;
  const type = (key.asymmetricKeyType ?? 'unknown').toUpperCase().replace(/^ED/, 'Ed');
  return `a key of type ${type}`;
}

/**
 * `AUTH_PUBLIC_KEY_FILE` and `AUTH_JWT_ALGORITHM`, read together: the file must hold a PEM public
 * key (SPKI, `BEGIN PUBLIC KEY`) of the kind the algorithm verifies with.
 */
function readPublicKey(env: NodeJS.ProcessEnv, file: string): TokenKeys {
  const problems = new ConfigProblems();
  const algorithm = problems.read(() => readPublicKeyAlgorithm(env));
  const key = problems.read(() => readPublicKeyFile(file));
  if (key && algorithm && !fits(key, publicKeyAlgorithms[algorithm])) {
    const fitting = Object.keys(publicKeyAlgorithms).filter((a) => fits(key, publicKeyAlgorithms[a]));
    const chosen = env.AUTH_JWT_ALGORITHM ? `AUTH_JWT_ALGORITHM=${algorithm}` : `AUTH_JWT_ALGORITHM=${algorithm} (the default)`;
    const instead = fitting.length ? `set AUTH_JWT_ALGORITHM to the one the identity provider signs with (this key verifies ${fitting.join(', ')}), or give` : 'give';
    problems.read(() => {
      throw new ConfigError(`AUTH_PUBLIC_KEY_FILE (${file}) holds ${describeKey(key)}, but ${chosen} needs ${describeNeed(publicKeyAlgorithms[algorithm])}: ${instead} the key it signs ${algorithm} tokens with`);
    });
  }
  problems.check();
  return { kind: 'public-key', key: key as KeyObject, algorithm: algorithm as string };
}

/**
 * `AUTH_JWT_ALGORITHM` names the algorithm AUTH_PUBLIC_KEY_FILE's key verifies. Beside
 * AUTH_JWT_SECRET (HS256 always) or AUTH_JWKS_URL (each key of the set for its own algorithm)
 * nothing would read it, and tokens would be verified otherwise than the operator wrote.
 */
function checkNoAlgorithm(env: NodeJS.ProcessEnv): void {
  const algorithm = env.AUTH_JWT_ALGORITHM;
  if (!algorithm) return;
  if (env.AUTH_JWT_SECRET) {
    if (algorithm === 'HS256') return;
    const publicKey = Object.hasOwn(publicKeyAlgorithms, algorithm) ? `, or, for ${algorithm} tokens, give the identity provider's public key as AUTH_PUBLIC_KEY_FILE in place of AUTH_JWT_SECRET` : '';
    throw new ConfigError(`AUTH_JWT_ALGORITHM=${algorithm} does not apply to AUTH_JWT_SECRET, whose tokens are verified as HS256 only: unset AUTH_JWT_ALGORITHM${publicKey}`);
  }
  throw new ConfigError(`AUTH_JWT_ALGORITHM=${algorithm} does not apply to AUTH_JWKS_URL, whose keys each verify the algorithm the key set gives them: unset AUTH_JWT_ALGORITHM (it goes with AUTH_PUBLIC_KEY_FILE)`);
}

function readPublicKeyAlgorithm(env: NodeJS.ProcessEnv): string {
  const algorithm = env.AUTH_JWT_ALGORITHM || 'RS256';
  if (!Object.hasOwn(publicKeyAlgorithms, algorithm)) throw new ConfigError(`AUTH_JWT_ALGORITHM must be one of ${Object.keys(publicKeyAlgorithms).join(', ')} with AUTH_PUBLIC_KEY_FILE, got "${algorithm}"`);
  return algorithm;
}

/** What an operator may give instead of the public key, and how to take the key from it. */
function otherPem(label: string, file: string): string {
  if (label.endsWith('CERTIFICATE')) return `a certificate (BEGIN ${label}): give its public key, openssl x509 -pubkey -noout -in ${file}`;
  if (label === 'RSA PUBLIC KEY') return `an RSA public key in PKCS#1 form (BEGIN RSA PUBLIC KEY): convert it, openssl rsa -RSAPublicKey_in -pubout -in ${file}`;
  if (label.endsWith('PRIVATE KEY')) return `a private key (BEGIN ${label}), which belongs to the identity provider alone: give its public key, openssl pkey -pubout -in ${file}`;
  return `a PEM block labelled ${label}`;
}

function readPublicKeyFile(file: string): KeyObject {
  let pem: string;
  try {
    pem = fs.readFileSync(file, 'utf8');
  } catch {
    throw new ConfigError(`AUTH_PUBLIC_KEY_FILE names a file that cannot be read: ${file}`);
  }
  // Node would take a certificate or a private key too; the contract is the public key alone.
  const label = /-----BEGIN ([A-Z0-9 ]+)-----/.exec(pem)?.[1];
  if (label !== 'PUBLIC KEY') throw new ConfigError(`AUTH_PUBLIC_KEY_FILE (${file}) must hold a PEM public key (BEGIN PUBLIC KEY), got ${label ? otherPem(label, file) : 'no PEM block'}`);
  try {
    return createPublicKey({ key: pem, format: 'pem' });
  } catch (error) {
    throw new ConfigError(`AUTH_PUBLIC_KEY_FILE (${file}) must hold a PEM public key (BEGIN PUBLIC KEY), got one that does not parse (${(error as Error).message})`);
  }
}

/**
 * With NODE_ENV=production the HS256 secret callers' tokens are signed with must not be the key
 * the gateway signs identities with, nor one the subgraphs accept besides it (`name`): whoever
 * issues tokens (an identity provider, a department's system) could otherwise sign an identity
 * with any grants, and the subgraphs would trust it.
 */
function checkSecretsDiffer(keys: TokenKeys | null | undefined, signingKeys: Uint8Array[] | undefined, name: string): void {
  if (keys?.kind !== 'secret' || !signingKeys?.some((key) => Buffer.from(keys.secret).equals(Buffer.from(key)))) return;
  throw new ConfigError(
    `AUTH_JWT_SECRET and ${name} must be different secrets with NODE_ENV=production: whoever signs callers' tokens with the one could sign the identities the subgraphs trust with the other`,
  );
}

/**
 * `AUTH_REVOCATIONS_FILE`, read once here so that a file that cannot be read or does not parse
 * stops the start: the gateway re-reads it as it changes (revocations.ts), keeping the last good
 * list when a later version is bad, but there is none to keep before the first.
 */
function readRevocations(env: NodeJS.ProcessEnv): TokenSettings['revocations'] {
  const file = env.AUTH_REVOCATIONS_FILE;
  if (!file) return undefined;
  try {
    return { file: path.resolve(file), list: readRevocationsFile(path.resolve(file)) };
  } catch (error) {
    throw new ConfigError(`AUTH_REVOCATIONS_FILE: ${(error as Error).message}`);
  }
}

/**
 * `AUTH_MAX_TOKEN_LIFETIME_SECONDS`: at most 30 days. The cap is what an incident's responder
 * counts on to bound a leaked token's use; 86400000 (a day written in milliseconds) lifted it
 * to nearly three years without a word.
 */
const maxTokenLifetimeRange: WholeNumberRange = { unit: 'seconds', min: 1, max: 2_592_000, maxSaid: '30 days' };

export const defaultIssuer = 'beidaihe-credit-platform';
export const defaultAudience = 'beidaihe-credit-api';

/**
 * Explorer and introspection: on in the embedded default, off in production (`NODE_ENV=production`)
 * unless switched on, as for an analysts' deployment. The explorer reads the schema by
 * introspection, so it cannot be on while introspection is off. Demo tokens never in production.
 */
function readExplorer(env: NodeJS.ProcessEnv, production: boolean, problems: ConfigProblems) {
  const explorer = problems.read(() => readSwitch(env, 'EXPLORER', !production)) ?? false;
  const introspection = problems.read(() => readSwitch(env, 'INTROSPECTION', !production)) ?? false;
  const explorerDemoTokens = problems.read(() => readSwitch(env, 'EXPLORER_DEMO_TOKENS', false)) ?? false;
  problems.read(() => {
    if (explorer && !introspection) throw new ConfigError('EXPLORER=on needs INTROSPECTION=on: the explorer reads the schema by introspection (or set EXPLORER=off)');
    if (explorerDemoTokens && production) throw new ConfigError('EXPLORER_DEMO_TOKENS is for the embedded default only and cannot be on with NODE_ENV=production');
    if (explorerDemoTokens && !env.AUTH_JWT_SECRET) throw new ConfigError('EXPLORER_DEMO_TOKENS needs AUTH_JWT_SECRET: the demo tokens are signed with it');
  });
  return { explorer, introspection, explorerDemoTokens };
}

/** Each operation limit's variable; keep in sync with README "Operation limits". */
export const operationLimitVariables: Record<keyof OperationLimits, string> = {
  depth: 'GATEWAY_MAX_DEPTH',
  aliases: 'GATEWAY_MAX_ALIASES',
  rootFields: 'GATEWAY_MAX_ROOT_FIELDS',
  directives: 'GATEWAY_MAX_DIRECTIVES',
  tokens: 'GATEWAY_MAX_TOKENS',
  cost: 'GATEWAY_MAX_COST',
  bodyBytes: 'GATEWAY_MAX_BODY_BYTES',
};

function readOperationLimits(env: NodeJS.ProcessEnv, problems: ConfigProblems): OperationLimits {
  const limits = { ...defaultOperationLimits };
  for (const [limit, name] of Object.entries(operationLimitVariables) as [keyof OperationLimits, string][]) {
    limits[limit] = problems.read(() => readPositiveInteger(env, name, defaultOperationLimits[limit])) ?? defaultOperationLimits[limit];
  }
  return limits;
}

function readAccessControl(env: NodeJS.ProcessEnv, production: boolean, problems: ConfigProblems): boolean {
  const accessControl = problems.read(() => readSwitch(env, 'ACCESS_CONTROL', true)) ?? true;
  if (!accessControl && production) problems.read(() => { throw new ConfigError('ACCESS_CONTROL=off is for development only and cannot be set with NODE_ENV=production'); });
  return accessControl;
}

/**
 * Rate limits, on by default: `RATE_LIMIT_CALLER_PER_MINUTE` (600: ten a second, well above what
 * a person at the explorer or a department's front end sends) for each caller and each anonymous
 * client address, `RATE_LIMIT_ORGANISATION_PER_MINUTE` (3000) for all of an organisation's callers
 * together. Counters in memory (one replica), or in Redis at `RATE_LIMIT_REDIS_URL` so replicas
 * share them, under keys starting `RATE_LIMIT_REDIS_PREFIX`. `RATE_LIMIT=off` switches them off.
 */
function readRateLimits(env: NodeJS.ProcessEnv, problems: ConfigProblems): RateLimitSettings | null {
  const on = problems.read(() => readSwitch(env, 'RATE_LIMIT', true));
  const callerPerMinute = problems.read(() => readPositiveInteger(env, 'RATE_LIMIT_CALLER_PER_MINUTE', 600));
  const organisationPerMinute = problems.read(() => readPositiveInteger(env, 'RATE_LIMIT_ORGANISATION_PER_MINUTE', 3000));
  const redisUrl = problems.read(() => readRedisUrl(env));
  if (!on) return null;
  return { callerPerMinute: callerPerMinute as number, organisationPerMinute: organisationPerMinute as number, redisUrl, redisPrefix: env.RATE_LIMIT_REDIS_PREFIX || 'credit:rate-limit:' };
}

/**
 * The supergraph's file (`--supergraph`, `SUPERGRAPH_PATH`, or the committed one), read and parsed
 * with the other settings: one that could not be read was told only once every other problem was
 * mended, and an empty one, or one that is no GraphQL, stopped the gateway later with "could not
 * start: Syntax Error: Unexpected <EOF>" and a stack, naming neither the file nor the setting.
 */
function readSupergraph(file: string): string {
  let sdl: string;
  try {
    sdl = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`SUPERGRAPH_PATH names a file that cannot be read: ${file} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  try {
    parse(sdl, { noLocation: true });
  } catch (error) {
    throw new ConfigError(`SUPERGRAPH_PATH (${file}) must hold a composed supergraph (npm run compose writes one), got text that is no GraphQL: ${(error as Error).message}`);
  }
  return sdl;
}

/** `RATE_LIMIT_REDIS_URL`: a redis: or rediss: URL whose database, if it names one, is a number (rate-limits.ts redisDatabaseProblem). */
function readRedisUrl(env: NodeJS.ProcessEnv): string | undefined {
  const url = readUrl(env, 'RATE_LIMIT_REDIS_URL', ['redis:', 'rediss:']);
  const problem = url === undefined ? undefined : redisDatabaseProblem(url);
  if (problem) throw new ConfigError(`RATE_LIMIT_REDIS_URL ${problem}`);
  return url;
}

/**
 * The gateway's only reader of `process.env` and argv. Flags win over variables:
 * `--port`/`GATEWAY_PORT`, `--supergraph`/`SUPERGRAPH_PATH`, and `SUBGRAPH_<NAME>_URL`
 * (e.g. `SUBGRAPH_RECORDS_URL`) for a subgraph that runs elsewhere. Every bad or missing value,
 * and every mistyped name (lib/settings.ts checkSettingNames), is reported, in one ConfigError,
 * not just the first. `unresolved`: HOST, when looking it up found no address (lib/env.ts unresolvedHost).
 */
export function readGatewayConfig(env: NodeJS.ProcessEnv, argv: string[], unresolved?: string): GatewayConfig {
  const problems = new ConfigProblems();
  const warnings = problems.read(() => checkSettingNames(env)) ?? [];
  // A NODE_ENV the platform does not take is not taken for production (lib/env.ts isProduction):
  // no check made for production alone adds a message of its own.
  const production = problems.read(() => readNodeEnvironment(env)) === 'production';
  const portFlag = readFlag(argv, 'port');
  const supergraph = readFlag(argv, 'supergraph') ?? env.SUPERGRAPH_PATH;
  const subgraphUrls: GatewayConfig['subgraphUrls'] = problems.read(() => readSubgraphUrls(env, subgraphNames)) ?? {};
  if (supergraph === '') problems.read(() => { throw new ConfigError('SUPERGRAPH_PATH must name a file'); });
  const host = problems.read(() => readHost(env, unresolved));
  const supergraphSdl = supergraph === '' ? undefined : problems.read(() => readSupergraph(supergraph ? path.resolve(supergraph) : supergraphPath));
  const port = problems.read(() => (portFlag === undefined ? readPort(env, 'GATEWAY_PORT', 4000) : readPort({ port: portFlag }, 'port', 4000)));
  const accessControl = readAccessControl(env, production, problems);
  // Without access control no token is verified, and the identity the subgraphs receive is
  // anonymous: neither setting is needed unless given (a key of the run's own signs it).
  const needed = accessControl || Boolean(env.AUTH_JWT_SECRET || env.AUTH_PUBLIC_KEY_FILE || env.AUTH_JWKS_URL);
  const keys = needed ? problems.read(() => readTokenKeys(env, production)) : null;
  const issuer = problems.read(() => readExactText(env, 'AUTH_ISSUER', defaultIssuer));
  const audience = problems.read(() => readExactText(env, 'AUTH_AUDIENCE', defaultAudience));
  const maxLifetimeSeconds = problems.read(() => readWholeNumber(env, 'AUTH_MAX_TOKEN_LIFETIME_SECONDS', defaultMaxTokenLifetimeSeconds, maxTokenLifetimeRange));
  const revocations = problems.read(() => readRevocations(env));
  const signingKey = accessControl || env.GATEWAY_SIGNING_KEY ? problems.read(() => readSecret(env, 'GATEWAY_SIGNING_KEY')) : new Uint8Array(randomBytes(32));
  // The gateway signs with GATEWAY_SIGNING_KEY alone; it reads the keys the subgraphs accept besides it to refuse them as it refuses that one.
  const acceptedKeys = problems.read(() => readAcceptedSecrets(env, 'GATEWAY_SIGNING_KEYS_ACCEPTED', { name: 'GATEWAY_SIGNING_KEY', secret: signingKey }));
  if (production) problems.read(() => checkSecretsDiffer(keys, signingKey && [signingKey], 'GATEWAY_SIGNING_KEY'));
  if (production) problems.read(() => checkSecretsDiffer(keys, acceptedKeys, 'GATEWAY_SIGNING_KEYS_ACCEPTED'));
  const logLevel = problems.read(() => readLogLevel(env));
  const explorer = readExplorer(env, production, problems);
  const limits = readOperationLimits(env, problems);
  const rateLimits = readRateLimits(env, problems);
  const subgraphTimeoutMs = problems.read(() => readTimeout(env, 'SUBGRAPH_TIMEOUT_MS'));
  const requestTimeoutMs = problems.read(() => readTimeout(env, 'REQUEST_TIMEOUT_MS'));
  const corsOrigins = problems.read(() => readCorsOrigins(env));
  const trustedProxies = problems.read(() => readTrustedProxies(env));
  problems.check(warnings);
  // NODE_ENV=production forgotten on a deployed gateway left the explorer and introspection on, the production checks off, and said nothing.
  if (!production && !isLoopback(host as string)) {
    warnings.push(`HOST=${host} listens beyond this machine without NODE_ENV=production: the explorer and introspection are on unless switched off, and the production checks are off; set NODE_ENV=production for a deployment`);
  }
  return {
    port: port as number,
    host: host as string,
    supergraphPath: supergraph ? path.resolve(supergraph) : supergraphPath,
    supergraphSdl: supergraphSdl as string,
    subgraphUrls,
    tokens: keys ? { keys, issuer: issuer as string, audience: audience as string, maxLifetimeSeconds, ...(revocations ? { revocations } : {}) } : null,
    signingKey: signingKey as Uint8Array,
    logLevel: logLevel as LogLevel,
    production,
    ...explorer,
    limits,
    accessControl,
    rateLimits,
    subgraphTimeoutMs: subgraphTimeoutMs as number,
    requestTimeoutMs: requestTimeoutMs as number,
    corsOrigins: corsOrigins as string[],
    trustedProxies,
    warnings,
  };
}

/**
 * `CORS_ORIGINS`: comma-separated origins (`https://credit.example.gov.cn`, `http://localhost:5173`),
 * each exactly as a browser sends it in `Origin`: scheme, host and port, no path. No `*`: the
 * district names the front ends it runs.
 */
function readCorsOrigins(env: NodeJS.ProcessEnv): string[] {
  const listed = (env.CORS_ORIGINS ?? '').split(',').map((o) => o.trim()).filter(Boolean);
  for (const origin of listed) {
    let url: URL | undefined;
    try {
      url = new URL(origin);
    } catch {
      url = undefined;
    }
    if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:') || url.origin !== origin) {
      throw new ConfigError(`CORS_ORIGINS must list origins such as https://credit.example.gov.cn (scheme, host and port, no path, no *), got "${origin}"`);
    }
  }
  return listed;
}

/**
 * `TRUSTED_PROXIES`: comma-separated IP addresses and CIDR ranges, IPv4 and IPv6 (`127.0.0.1`,
 * `10.0.0.0/8`, `fd00::/8`), of the proxies whose X-Forwarded-For names the client
 * (client-address.ts); none when unset, every request then being its connection's peer. No host
 * names: one looked up at start could later be another machine's.
 */
export function readTrustedProxies(env: NodeJS.ProcessEnv): BlockList | undefined {
  const listed = (env.TRUSTED_PROXIES ?? '').split(',').map((e) => e.trim()).filter(Boolean);
  if (!listed.length) return undefined;
  const trusted = new BlockList();
  for (const entry of listed) {
    const [address, prefix, ...more] = entry.split('/');
    const family = net.isIP(address) === 6 ? 'ipv6' : 'ipv4';
    const bits = prefix === undefined ? undefined : /^\d{1,3}$/.test(prefix) ? Number(prefix) : NaN;
    // A zone (fe80::1%eth0) names an interface of this host, which no peer's address carries.
    if (!net.isIP(address) || address.includes('%') || more.length || (bits !== undefined && !(bits <= (family === 'ipv6' ? 128 : 32)))) {
      throw new ConfigError(`TRUSTED_PROXIES must list IP addresses and CIDR ranges (127.0.0.1, 10.0.0.0/8, fd00::/8), comma-separated, got "${entry}"`);
    }
    if (bits === undefined) trusted.addAddress(address, family);
    else trusted.addSubnet(address, bits, family);
  }
  return trusted;
}
