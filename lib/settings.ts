import { subgraphNames, subgraphUrlVariable, type SubgraphName } from '../schema/subgraphs';
import { ConfigError, ConfigProblems } from './env';

/** A server that reads a setting: the gateway, every subgraph, or one subgraph by name (the addresses of the peers it calls). */
export type SettingReader = 'gateway' | 'subgraphs' | SubgraphName;

/**
 * The subgraphs that call a peer themselves, besides the gateway: records (intake asks entities
 * whether a subject exists, a check asks reports for its findings) and reports (generation reads
 * entities, records and providers), as subgraphs/records/config.ts and subgraphs/reports/config.ts
 * read them (the test of this list holds it to them).
 */
const callersOf: Record<SubgraphName, SettingReader[]> = {
  entities: ['records', 'reports'],
  records: ['reports'],
  reports: ['records'],
  providers: ['reports'],
  audit: [],
};

const everyServer: SettingReader[] = ['gateway', 'subgraphs'];

/**
 * Every setting the platform's processes read from the environment, with the servers that read
 * it: the one list. The README's Configuration table names exactly these, and each server's
 * reader reads exactly its own (test/unit/settings.test.ts). The servers, npm start and the import
 * check the names they are given against all of them (checkSettingNames), not their own alone:
 * one environment (npm start's, a shared env file) often serves every process. The commands read
 * some of them too: npm start, import, seed, tokens.
 */
export const platformSettings: Readonly<Record<string, readonly SettingReader[]>> = {
  GATEWAY_SIGNING_KEY: everyServer,
  GATEWAY_SIGNING_KEYS_ACCEPTED: everyServer,
  AUTH_JWT_SECRET: ['gateway'],
  AUTH_PUBLIC_KEY_FILE: ['gateway'],
  AUTH_JWT_ALGORITHM: ['gateway'],
  AUTH_JWKS_URL: ['gateway'],
  AUTH_ISSUER: ['gateway'],
  AUTH_AUDIENCE: ['gateway'],
  AUTH_MAX_TOKEN_LIFETIME_SECONDS: ['gateway'],
  AUTH_REVOCATIONS_FILE: ['gateway'],
  DATABASE_URL: ['subgraphs'],
  DATABASE_PREFIX: ['subgraphs'],
  SQLITE_DIRECTORY: ['subgraphs'],
  DATABASE_STATEMENT_TIMEOUT_MS: ['subgraphs'],
  DATABASE_LOCK_TIMEOUT_SECONDS: ['subgraphs'],
  DATABASE_POOL_TIMEOUT_MS: ['subgraphs'],
  PORT: ['subgraphs'],
  HOST: everyServer,
  GATEWAY_PORT: ['gateway'],
  SUPERGRAPH_PATH: ['gateway'],
  ...Object.fromEntries(subgraphNames.map((name) => [subgraphUrlVariable(name), ['gateway', ...callersOf[name]]])),
  NODE_ENV: everyServer,
  EXPLORER: ['gateway'],
  INTROSPECTION: ['gateway'],
  EXPLORER_DEMO_TOKENS: ['gateway'],
  RATE_LIMIT: ['gateway'],
  RATE_LIMIT_CALLER_PER_MINUTE: ['gateway'],
  RATE_LIMIT_ORGANISATION_PER_MINUTE: ['gateway'],
  RATE_LIMIT_REDIS_URL: ['gateway'],
  RATE_LIMIT_REDIS_PREFIX: ['gateway'],
  GATEWAY_MAX_DEPTH: ['gateway'],
  GATEWAY_MAX_ALIASES: ['gateway'],
  GATEWAY_MAX_ROOT_FIELDS: ['gateway'],
  GATEWAY_MAX_DIRECTIVES: ['gateway'],
  GATEWAY_MAX_TOKENS: ['gateway'],
  GATEWAY_MAX_COST: ['gateway'],
  GATEWAY_MAX_BODY_BYTES: ['gateway'],
  SUBGRAPH_TIMEOUT_MS: everyServer,
  REQUEST_TIMEOUT_MS: ['gateway'],
  CORS_ORIGINS: ['gateway'],
  TRUSTED_PROXIES: ['gateway'],
  ACCESS_CONTROL: ['gateway'],
  LOG_LEVEL: everyServer,
};

/** The settings `reader` reads: a subgraph by name its peers' addresses besides every subgraph's own. */
export function settingsReadBy(reader: SettingReader): string[] {
  const readers: SettingReader[] = reader === 'gateway' || reader === 'subgraphs' ? [reader] : ['subgraphs', reader];
  return Object.keys(platformSettings).filter((name) => platformSettings[name].some((r) => readers.includes(r)));
}

/**
 * Where the platform's own names begin: any other variable beginning so was most likely meant
 * for it (a setting of an older version, or one guessed), and is warned of. Names elsewhere
 * (PATH, HOME, NODE_OPTIONS, npm_*, a container's or a cluster's) are not looked at, unless
 * within a near miss of a setting.
 */
export const settingPrefixes = ['DATABASE_', 'SQLITE_', 'GATEWAY_', 'SUBGRAPH_', 'SUPERGRAPH_', 'AUTH_', 'RATE_LIMIT_', 'EXPLORER_'] as const;

/**
 * Settings of one shape whose members each name one thing: a name of that shape that is no
 * member names nothing, however far it is from one (SUBGRAPH_ENTITY_URL is three letters from
 * SUBGRAPH_ENTITIES_URL), and the operator meant one of them.
 */
const settingFamilies = [
  { shape: /^SUBGRAPH_.+_URL$/, namesNo: 'names no subgraph', members: "the subgraphs' addresses are" },
  { shape: /^GATEWAY_MAX_/, namesNo: 'names no operation limit', members: 'the limits are' },
];

const listed = (names: string[]) => (names.length > 1 ? `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}` : names[0]);

/** A name as a near miss compares it: upper case, without underscores (`database_prefix`, `DATABASEPREFIX`). */
const folded = (name: string) => name.toUpperCase().replaceAll('_', '');

/**
 * Edits (a letter added, dropped, changed, or two side by side swapped, as `ULR` for `URL`) from
 * `a` to `b`: the optimal string alignment distance, three rows at a time.
 */
function editDistance(a: string, b: string): number {
  let before = new Int32Array(b.length + 1);
  let previous = Int32Array.from({ length: b.length + 1 }, (_, j) => j);
  let row = new Int32Array(b.length + 1);
  for (let i = 1; i <= a.length; i++) {
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) row[j] = Math.min(row[j], before[j - 2] + 1);
    }
    [before, previous, row] = [previous, row, before];
  }
  return previous[b.length];
}

/** Each setting with its folded name and the edits a near miss of it may be: two from one of 8 letters or more, one from a shorter one (HOME is two from HOST, and no mistyping of it). */
const nearMissReach = Object.keys(platformSettings).map((setting) => ({ setting, folded: folded(setting), reach: folded(setting).length >= 8 ? 2 : 1 }));

/** The settings `name` is a near miss of: the same but for case and underscores, or a few edits from one (nearMissReach). Several when they are as near. */
function nearMisses(name: string): string[] {
  const written = folded(name);
  let nearest: string[] = [];
  let least = Infinity;
  for (const { setting, folded: known, reach } of nearMissReach) {
    // No fewer edits than the lengths differ by: most names of the environment end here.
    if (Math.abs(written.length - known.length) > reach) continue;
    const distance = editDistance(written, known);
    if (distance > reach || distance > least) continue;
    nearest = distance < least ? [setting] : [...nearest, setting];
    least = distance;
  }
  return nearest;
}

/**
 * The setting a name under the platform's prefixes was most likely meant for beyond a near miss:
 * a setting given one of the prefixes (GATEWAY_HOST for HOST, which GATEWAY_PORT, a letter away,
 * is not), or one with its last part left off (AUTH_REVOCATIONS for AUTH_REVOCATIONS_FILE, which
 * was only warned of, and ignored).
 */
function settingMeant(name: string): string | undefined {
  const prefix = settingPrefixes.find((p) => name.startsWith(p));
  if (!prefix) return undefined;
  const unprefixed = name.slice(prefix.length);
  if (Object.hasOwn(platformSettings, unprefixed)) return unprefixed;
  const completed = Object.keys(platformSettings).filter((s) => s.startsWith(`${name}_`) && !s.slice(name.length + 1).includes('_'));
  return completed.length === 1 ? completed[0] : undefined;
}

/** Why `name`, which is no setting, must be refused, if it must: a near miss, or of a family's shape. */
function nameProblem(name: string): string | undefined {
  const beyond = settingMeant(name);
  if (beyond) return `${name} is not a setting: did you mean ${beyond}?`;
  const meant = nearMisses(name);
  if (meant.length) return `${name} is not a setting: did you mean ${meant.join(' or ')}?`;
  const family = settingFamilies.find((f) => f.shape.test(name));
  if (family) return `${name} ${family.namesNo}: ${family.members} ${listed(Object.keys(platformSettings).filter((s) => family.shape.test(s)))}`;
  return undefined;
}

/**
 * Checks the names of the variables a process is given against the platform's settings, the
 * value of none of them: a near miss of a setting, or a name of a family's shape that is no
 * member (settingFamilies), is a ConfigError (every one of them in it), as the setting meant
 * would otherwise keep its default without a word; another name under the platform's prefixes
 * is returned as a warning, for the process to log at start. A variable left empty is unset, as
 * for every reader.
 */
export function checkSettingNames(env: Record<string, string | undefined>): string[] {
  const problems = new ConfigProblems();
  const warnings: string[] = [];
  for (const [name, value] of Object.entries(env)) {
    if (!value || Object.hasOwn(platformSettings, name)) continue;
    const problem = nameProblem(name);
    const prefix = settingPrefixes.find((p) => name.startsWith(p));
    if (problem) {
      problems.read(() => {
        throw new ConfigError(problem);
      });
    } else if (prefix) {
      warnings.push(`${name} is not a setting, and is ignored: the settings beginning ${prefix} are ${listed(Object.keys(platformSettings).filter((s) => s.startsWith(prefix)))}`);
    }
  }
  problems.check();
  return warnings;
}
