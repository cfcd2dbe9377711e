import { spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { readGatewayConfig } from '../../gateway/config';
import { productionSupergraph, productionSupergraphPath } from '../../schema/production-supergraph';
import { routingUrls } from '../../gateway/gateway';
import { projectRoot } from '../../lib/project-root';
import { defaultPorts, subgraphNames, subgraphUrlVariable, supergraphPath, type SubgraphName } from '../../schema/subgraphs';
import { settingsReadBy } from '../../lib/settings';
import { readSubgraphConfig } from '../../subgraphs/shared/subgraph';
import { subgraphDefinitions } from '../../subgraphs/registry';
import { dropMysqlDatabase, openDatabase } from '../../subgraphs/shared/database';
import mysql from 'mysql2/promise';

/**
 * No Docker engine runs here, so the compose file is checked for what can be checked: it
 * parses, it has every service the launcher starts, and each service's environment, with the
 * operator's secrets filled in, passes that service's own configuration reader.
 */
interface Service {
  image?: string;
  command?: string[];
  environment?: Record<string, string | number>;
  volumes?: string[];
  healthcheck?: { test?: string[] };
  depends_on?: Record<string, { condition: string }>;
}

const composeFile = path.join(projectRoot, 'docker', 'compose.yaml');
const compose = parse(fs.readFileSync(composeFile, 'utf8'), { merge: true }) as { services: Record<string, Service> };

/** Each subgraph's MySQL password variable (docker/env.example), and the value the tests put there. */
const passwordVariable = (name: SubgraphName) => `MYSQL_${name.toUpperCase()}_PASSWORD`;
const passwordOf = (name: SubgraphName) => `${name}0secret${name.length}`;

/** What an operator puts in docker/.env. */
const operatorEnv: Record<string, string> = {
  // Random-looking: production refuses a placeholder of a few repeated characters.
  GATEWAY_SIGNING_KEY: `base64:${Buffer.from(Array.from({ length: 32 }, (_, i) => (i * 37 + 11) % 256)).toString('base64')}`,
  MYSQL_ROOT_PASSWORD: 'root-secret',
  ...Object.fromEntries(subgraphNames.map((name) => [passwordVariable(name), passwordOf(name)])),
  AUTH_JWKS_URL: 'https://identity.example/jwks.json',
};

/** Compose's interpolation: `${VAR}`, `${VAR:-default}`, `${VAR:?error}`, `$$`. */
function interpolate(value: string, env: Record<string, string>): string {
  return value.replace(/\$\$|\$\{([A-Z0-9_]+)(?:(:-|:\?)([^}]*))?\}/g, (match, name: string | undefined, op: string | undefined, arg: string | undefined) => {
    if (match === '$$') return '$';
    const set = env[name!];
    if (set !== undefined && set !== '') return set;
    if (op === ':?') throw new Error(`${name} is required: ${arg}`);
    return op === ':-' ? (arg ?? '') : '';
  });
}

function environmentOf(service: string, env = operatorEnv): Record<string, string> {
  const raw = compose.services[service]?.environment ?? {};
  return Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, interpolate(String(v), env)]));
}

/**
 * The peers a subgraph calls directly, whose URLs it reads from the same variables the gateway
 * reads (records: intake checks subjects; reports: generation reads its peers), as lib/settings.ts lists them.
 */
const peersOf = (name: SubgraphName): SubgraphName[] => subgraphNames.filter((peer) => settingsReadBy(name).includes(subgraphUrlVariable(peer)));
/**
 * The peers a subgraph waits for at start. Records asks reports only to seal a check at once (a
 * check stays valid unsealed), and reports waits for records: waiting both ways would be a cycle.
 */
const startupPeers: Partial<Record<SubgraphName, SubgraphName[]>> = {
  records: ['entities'],
  reports: ['entities', 'records', 'providers'],
};

const composeUrl = (name: SubgraphName) => `http://${name}:${defaultPorts[name]}/graphql`;

describe('docker/compose.yaml', () => {
  it('runs MySQL 8, Redis, every subgraph the launcher starts and the gateway, each with a health check', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['mysql', 'redis', 'gateway', ...subgraphNames].sort());
    expect(compose.services.mysql.image).toMatch(/^mysql:8(\.|$)/);
    for (const name of subgraphNames) expect(compose.services[name].command).toEqual([`dist/subgraphs/${name}/index.js`]);
    expect(compose.services.gateway.command).toEqual(['dist/gateway/index.js']);
    for (const [name, service] of Object.entries(compose.services)) {
      expect({ name, healthcheck: Boolean(service.healthcheck?.test?.length) }).toEqual({ name, healthcheck: true });
      for (const dependency of Object.keys(service.depends_on ?? {})) expect(Object.keys(compose.services)).toContain(dependency);
    }
  });

  it('gives each subgraph what its configuration requires, on MySQL as its own user, listening beyond loopback', () => {
    for (const name of subgraphNames) {
      const env = environmentOf(name);
      const known = new Set<string>(settingsReadBy(name));
      expect({ name, unknown: Object.keys(env).filter((k) => !known.has(k)) }).toEqual({ name, unknown: [] });
      const config = readSubgraphConfig(name, env, []);
      // The user credit_<name>, which docker/mysql-init grants the database credit_<name> alone.
      expect(config).toMatchObject({ port: defaultPorts[name], host: '0.0.0.0', database: { kind: 'mysql', url: `mysql://credit_${name}:${passwordOf(name)}@mysql:3306`, prefix: 'credit_' } });
      for (const peer of peersOf(name)) expect(env[subgraphUrlVariable(peer)]).toBe(composeUrl(peer));
      // It waits for MySQL and for the peers it calls at start, no other.
      expect({ name, dependsOn: Object.keys(compose.services[name].depends_on ?? {}).sort() }).toEqual({ name, dependsOn: ['mysql', ...(startupPeers[name] ?? [])].sort() });
    }
  });

  it("gives MySQL each subgraph's password, and no user shared by the subgraphs", () => {
    const env = environmentOf('mysql');
    expect(Object.keys(env).sort()).toEqual(['MYSQL_ROOT_PASSWORD', ...subgraphNames.map(passwordVariable)].sort());
    for (const name of subgraphNames) expect(env[passwordVariable(name)]).toBe(passwordOf(name));
    const users = subgraphNames.map((name) => new URL(environmentOf(name).DATABASE_URL).username);
    expect(users).toEqual(subgraphNames.map((name) => `credit_${name}`));
    expect(compose.services.mysql.volumes).toContain('./mysql-init:/docker-entrypoint-initdb.d:ro');
    for (const name of subgraphNames) {
      expect(() => environmentOf(name, { ...operatorEnv, [passwordVariable(name)]: '' })).toThrow(`${passwordVariable(name)} is required`);
      expect(() => environmentOf('mysql', { ...operatorEnv, [passwordVariable(name)]: '' })).toThrow(`${passwordVariable(name)} is required`);
    }
  });

  it('gives the gateway what its configuration requires, the production supergraph, and production defaults', () => {
    const env = environmentOf('gateway');
    const known = new Set<string>(settingsReadBy('gateway'));
    expect(Object.keys(env).filter((k) => !known.has(k))).toEqual([]);
    const config = readGatewayConfig(env, []);
    expect(config).toMatchObject({ port: 4000, host: '0.0.0.0', production: true, explorer: false, introspection: false, explorerDemoTokens: false });
    expect(config.tokens?.keys).toEqual({ kind: 'jwks', url: 'https://identity.example/jwks.json' });
    expect(path.relative(projectRoot, path.resolve(projectRoot, env.SUPERGRAPH_PATH))).toBe(path.relative(projectRoot, productionSupergraphPath));
    expect(Object.keys(compose.services.gateway.depends_on ?? {}).sort()).toEqual(['redis', ...subgraphNames].sort());
    // Replicas share their rate-limit counters in the compose file's Redis.
    expect(readGatewayConfig(environmentOf('gateway', operatorEnv), []).rateLimits).toMatchObject({ redisUrl: 'redis://redis:6379' });
    // The analysts' deployment switches both on.
    expect(readGatewayConfig(environmentOf('gateway', { ...operatorEnv, EXPLORER: 'on', INTROSPECTION: 'on' }), [])).toMatchObject({ explorer: true, introspection: true });
  });

  /**
   * Compose passes a container the variables its file names, no other: a setting written in
   * docker/.env that the file does not pass is silently ignored (RATE_LIMIT_CALLER_PER_MINUTE,
   * SUBGRAPH_TIMEOUT_MS and DATABASE_STATEMENT_TIMEOUT_MS once were). Every setting a service reads
   * (lib/settings.ts) is passed to it, or is listed here with why not.
   */
  const notPassed: Record<string, string> = {
    ACCESS_CONTROL: 'off is refused in production',
    EXPLORER_DEMO_TOKENS: 'refused in production',
    SQLITE_DIRECTORY: 'no SQLite in production',
    ...Object.fromEntries(subgraphNames.map((name) => [subgraphUrlVariable(name), "the gateway's: docker/supergraph.graphql routes to the compose services"])),
  };
  /** Set by the compose file itself, not taken from docker/.env: what the containers and docker/mysql-init need. */
  const fixedByCompose = new Set(['NODE_ENV', 'HOST', 'PORT', 'GATEWAY_PORT', 'SUPERGRAPH_PATH', 'DATABASE_URL', 'DATABASE_PREFIX', 'RATE_LIMIT_REDIS_URL', ...subgraphNames.map(subgraphUrlVariable)]);

  it('passes every setting each service reads from docker/.env, but those listed as not passed, with the defaults of the code', () => {
    for (const service of ['gateway', ...subgraphNames] as const) {
      const passed = Object.keys(compose.services[service].environment ?? {});
      const missing = settingsReadBy(service).filter((setting) => !passed.includes(setting) && !(setting in notPassed));
      expect({ service, missing }).toEqual({ service, missing: [] });
      // Taken from docker/.env under its own name, so that a value written there reaches the service.
      for (const setting of passed.filter((k) => !fixedByCompose.has(k))) {
        expect({ service, setting, value: environmentOf(service, { ...operatorEnv, [setting]: 'from-env-file' })[setting] }).toEqual({ service, setting, value: 'from-env-file' });
      }
    }
    // Compose's defaults are the code's: the configuration read is the same as with none of them set.
    const unset = (env: Record<string, string>) => Object.fromEntries(Object.entries(env).filter(([k]) => fixedByCompose.has(k) || k in operatorEnv));
    const gateway = environmentOf('gateway');
    expect(readGatewayConfig(gateway, [])).toEqual(readGatewayConfig(unset(gateway), []));
    for (const name of subgraphNames) expect(readSubgraphConfig(name, environmentOf(name), [])).toEqual(readSubgraphConfig(name, unset(environmentOf(name)), []));
    // A value in docker/.env is read: the gateway's budgets and timeouts, a subgraph's database waits.
    const tuned = { ...operatorEnv, RATE_LIMIT_CALLER_PER_MINUTE: '120', SUBGRAPH_TIMEOUT_MS: '2500', CORS_ORIGINS: 'https://credit.example.gov.cn', GATEWAY_MAX_DEPTH: '8', DATABASE_STATEMENT_TIMEOUT_MS: '2000' };
    expect(readGatewayConfig(environmentOf('gateway', tuned), [])).toMatchObject({ rateLimits: { callerPerMinute: 120 }, subgraphTimeoutMs: 2500, corsOrigins: ['https://credit.example.gov.cn'], limits: { depth: 8 } });
    expect(readSubgraphConfig('records', environmentOf('records', tuned), [])).toMatchObject({ databaseWaits: { statementMs: 2000 } });
  });

  it('lists in docker/env.example every setting it passes from docker/.env', () => {
    const example = fs.readFileSync(path.join(projectRoot, 'docker', 'env.example'), 'utf8');
    const listed = new Set([...example.matchAll(/^#? ?([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1]));
    const fromEnvFile = new Set(Object.values(compose.services).flatMap((service) => Object.values(service.environment ?? {}).flatMap((v) => [...String(v).matchAll(/\$\{([A-Z0-9_]+)/g)].map((m) => m[1]))));
    expect([...fromEnvFile].filter((name) => !listed.has(name)).sort()).toEqual([]);
  });

  it('passes every service the keys accepted during a change of signing key, and none otherwise', () => {
    const retired = `base64:${Buffer.from(Array.from({ length: 32 }, (_, i) => (i * 53 + 7) % 256)).toString('base64')}`;
    const changing = { ...operatorEnv, GATEWAY_SIGNING_KEYS_ACCEPTED: retired };
    for (const name of subgraphNames) {
      expect(readSubgraphConfig(name, environmentOf(name), []).acceptedKeys).toEqual([]);
      expect(readSubgraphConfig(name, environmentOf(name, changing), []).acceptedKeys.map((k) => `base64:${Buffer.from(k).toString('base64')}`)).toEqual([retired]);
    }
    expect(environmentOf('gateway', changing).GATEWAY_SIGNING_KEYS_ACCEPTED).toBe(retired);
    expect(() => readGatewayConfig(environmentOf('gateway', { ...changing, GATEWAY_SIGNING_KEYS_ACCEPTED: operatorEnv.GATEWAY_SIGNING_KEY }), [])).toThrow(/GATEWAY_SIGNING_KEYS_ACCEPTED must not hold GATEWAY_SIGNING_KEY/);
  });

  it('refuses to start without the secrets', () => {
    expect(() => environmentOf('records', { ...operatorEnv, GATEWAY_SIGNING_KEY: '' })).toThrow(/GATEWAY_SIGNING_KEY is required/);
  });

  it('lets the gateway verify tokens in any one of its three ways, as its comment says, and refuses none or two', () => {
    const keyFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'credit-compose-')), 'tokens.pem');
    fs.writeFileSync(keyFile, generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }));
    const withoutJwks = { ...operatorEnv, AUTH_JWKS_URL: '' };
    const gateway = (env: Record<string, string>) => readGatewayConfig(environmentOf('gateway', env), []).tokens?.keys.kind;
    try {
      expect(gateway(operatorEnv)).toBe('jwks');
      expect(gateway({ ...withoutJwks, AUTH_PUBLIC_KEY_FILE: keyFile, AUTH_JWT_ALGORITHM: 'ES256' })).toBe('public-key');
      expect(gateway({ ...withoutJwks, AUTH_JWT_SECRET: 'a-token-secret-of-forty-bytes-or-so-0123' })).toBe('secret');
      expect(() => gateway(withoutJwks)).toThrow("set exactly one of AUTH_JWT_SECRET, AUTH_PUBLIC_KEY_FILE, AUTH_JWKS_URL to verify callers' tokens, got none");
      expect(() => gateway({ ...operatorEnv, AUTH_JWT_SECRET: 'a-token-secret-of-forty-bytes-or-so-0123' })).toThrow(/got AUTH_JWT_SECRET and AUTH_JWKS_URL$/);
      // Production, as compose runs it: a placeholder secret, the signing key as token secret, a key set over http.
      expect(() => gateway({ ...withoutJwks, AUTH_JWT_SECRET: 'x'.repeat(40) })).toThrow(/AUTH_JWT_SECRET must hold at least 8 different characters/);
      expect(() => gateway({ ...withoutJwks, AUTH_JWT_SECRET: operatorEnv.GATEWAY_SIGNING_KEY })).toThrow(/AUTH_JWT_SECRET and GATEWAY_SIGNING_KEY must be different secrets/);
      expect(() => gateway({ ...operatorEnv, AUTH_JWKS_URL: 'http://identity.example/jwks.json' })).toThrow(/AUTH_JWKS_URL must use https:/);
    } finally {
      fs.rmSync(path.dirname(keyFile), { recursive: true, force: true });
    }
  });
});

/**
 * docker/mysql-init/01-subgraph-users.sh, as the mysql image's entrypoint runs it: sourced, with
 * its docker_process_sql (here a stand-in that collects the SQL). It makes one user per subgraph
 * with rights on that subgraph's database alone.
 */
describe('docker/mysql-init', () => {
  const script = path.join(projectRoot, 'docker', 'mysql-init', '01-subgraph-users.sh');
  const passwords = Object.fromEntries(subgraphNames.map((name) => [passwordVariable(name), passwordOf(name)]));

  function initialise(env: Record<string, string>): { status: number | null; sql: string; stderr: string } {
    const entrypoint = `set -eo pipefail; docker_process_sql() { printf -- '-- docker_process_sql %s\n' "$*"; cat; }; . ${JSON.stringify(script)}`;
    const run = spawnSync('bash', ['--norc', '--noprofile', '-c', entrypoint], { env: { PATH: process.env.PATH, MYSQL_ROOT_PASSWORD: 'root-secret', ...env }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return { status: run.status, sql: run.stdout, stderr: run.stderr };
  }

  it('is the only file of the directory MySQL initialises from', () => {
    expect(fs.readdirSync(path.dirname(script))).toEqual([path.basename(script)]);
  });

  it("makes each subgraph's user, with the password compose gives MySQL, and grants it its own database alone", () => {
    const { status, sql, stderr } = initialise(environmentOf('mysql'));
    expect({ status, stderr }).toEqual({ status: 0, stderr: '' });
    expect(sql.startsWith('-- docker_process_sql --database=mysql\n')).toBe(true);
    const grants = [...sql.matchAll(/^GRANT .*$/gm)].map((m) => m[0]);
    expect(grants).toEqual(subgraphNames.map((name) => `GRANT ALL PRIVILEGES ON \`credit\\_${name}\`.* TO 'credit_${name}'@'%';`));
    for (const name of subgraphNames) {
      expect(sql).toContain(`CREATE USER IF NOT EXISTS 'credit_${name}'@'%' IDENTIFIED BY '${passwordOf(name)}';`);
      expect(sql).toContain(`ALTER USER 'credit_${name}'@'%' IDENTIFIED BY '${passwordOf(name)}';`);
    }
    // The shared user of before goes, on a volume that has it.
    expect(sql).toContain("DROP USER IF EXISTS 'credit'@'%';");
    // Each user's database is the one its subgraph opens: compose's DATABASE_PREFIX and its name.
    for (const name of subgraphNames) {
      const { database } = readSubgraphConfig(name, environmentOf(name), []);
      expect(database.kind === 'mysql' && `${database.prefix}${name}`).toBe(`credit_${name}`);
      expect(sql).toContain(`CREATE DATABASE IF NOT EXISTS \`credit_${name}\``);
    }
  });

  it('refuses a missing password, and one a URL would need encoded, before making any user', () => {
    const base64 = initialise({ ...passwords, MYSQL_AUDIT_PASSWORD: 'Zx9/q+Rt2Lw=' });
    expect(base64.status).not.toBe(0);
    expect(base64.sql).toBe('');
    expect(base64.stderr).toContain('MYSQL_AUDIT_PASSWORD must hold letters and digits only (make one with: openssl rand -hex 24)');
    expect(base64.stderr).not.toContain('Zx9');
    const missing = initialise({ ...passwords, MYSQL_RECORDS_PASSWORD: '' });
    expect(missing.status).not.toBe(0);
    expect(missing.sql).toBe('');
    expect(missing.stderr).toContain('MYSQL_RECORDS_PASSWORD is not set');
  });

  it("refuses a DATABASE_PREFIX that would make a user name longer than MySQL 8's 32 characters, or that SQL would need quoted, before making any user", () => {
    const longest = initialise({ ...passwords, DATABASE_PREFIX: 'x'.repeat(23) });
    expect({ status: longest.status, stderr: longest.stderr }).toEqual({ status: 0, stderr: '' });
    expect(longest.sql).toContain(`CREATE USER IF NOT EXISTS '${'x'.repeat(23)}providers'@'%'`);
    const tooLong = initialise({ ...passwords, DATABASE_PREFIX: 'x'.repeat(24) });
    expect([tooLong.status, tooLong.sql]).toEqual([1, '']);
    expect(tooLong.stderr).toContain('DATABASE_PREFIX must be at most 23 characters here');
    const quoted = initialise({ ...passwords, DATABASE_PREFIX: "credit';--" });
    expect([quoted.status, quoted.sql]).toEqual([1, '']);
    expect(quoted.stderr).toContain('DATABASE_PREFIX must hold letters, digits and _ only');
  });

  /** On the tests' MySQL/MariaDB server, under a prefix of the run's own (its users are dropped after). */
  const serverUrl = process.env.TEST_DATABASE_URL ?? 'mariadb://root@127.0.0.1:3306';
  const runTag = (process.env.TEST_RUN_TAG ?? '').replace(/[^a-z0-9]/gi, '').slice(0, 8).toLowerCase();
  const prefix = `credit_u${runTag}_`;
  const onServer = serverUrl === 'off' ? it.skip : it;
  const root = () => {
    const url = new URL(serverUrl);
    return mysql.createConnection({ host: url.hostname, port: Number(url.port || 3306), user: decodeURIComponent(url.username) || 'root', password: decodeURIComponent(url.password), multipleStatements: true });
  };
  const userUrl = (name: SubgraphName) => {
    const url = new URL(serverUrl);
    url.username = `${prefix}${name}`;
    url.password = passwordOf(name);
    return url.toString().replace(/\/$/, '');
  };
  const cleanUp = async () => {
    const connection = await root();
    try {
      for (const name of subgraphNames) await connection.query(`DROP USER IF EXISTS '${prefix}${name}'@'%'`);
    } finally {
      await connection.end();
    }
    for (const name of subgraphNames) await dropMysqlDatabase(serverUrl, `${prefix}${name}`);
  };

  onServer(
    'on a MySQL server: each subgraph migrates its own database as its user, and can neither read, write nor drop another',
    async () => {
      const { status, sql, stderr } = initialise({ ...passwords, DATABASE_PREFIX: prefix });
      expect({ status, stderr }).toEqual({ status: 0, stderr: '' });
      expect(sql).not.toContain("DROP USER IF EXISTS 'credit'@'%'");
      await cleanUp();
      try {
        const connection = await root();
        try {
          await connection.query(sql);
        } finally {
          await connection.end();
        }
        // Every subgraph opens its database as a running one does (NODE_ENV=production): the one
        // the script made, which it migrates; it would create none.
        for (const name of subgraphNames) {
          const db = await openDatabase(name, { kind: 'mysql', url: userUrl(name), prefix, ifMissing: 'refuse' }, subgraphDefinitions[name]);
          await db.destroy();
        }
        const table = async (name: SubgraphName) => {
          const connection = await root();
          try {
            const [rows] = await connection.query('SELECT table_name AS name FROM information_schema.tables WHERE table_schema = ? ORDER BY table_name LIMIT 1', [`${prefix}${name}`]);
            return (rows as { name: string }[])[0].name;
          } finally {
            await connection.end();
          }
        };
        const auditTable = await table('audit');
        for (const name of subgraphNames) {
          const url = new URL(userUrl(name));
          const connection = await mysql.createConnection({ host: url.hostname, port: Number(url.port || 3306), user: decodeURIComponent(url.username), password: decodeURIComponent(url.password) });
          try {
            await connection.query(`CREATE TABLE \`${prefix}${name}\`.probe (id INT)`);
            await connection.query(`DROP TABLE \`${prefix}${name}\`.probe`);
            for (const other of subgraphNames.filter((o) => o !== name)) {
              const refused = async (statement: string) => {
                const error = await connection.query(statement).then(() => null, (e: { code?: string }) => e);
                expect({ name, statement, code: error?.code }).toEqual({ name, statement, code: expect.stringMatching(/^ER_(DBACCESS|TABLEACCESS)_DENIED_ERROR$/) });
              };
              await refused(`CREATE TABLE \`${prefix}${other}\`.probe (id INT)`);
              await refused(`DROP DATABASE \`${prefix}${other}\``);
              if (other === 'audit') {
                await refused(`SELECT * FROM \`${prefix}audit\`.\`${auditTable}\``);
                await refused(`DELETE FROM \`${prefix}audit\`.\`${auditTable}\``);
              }
            }
          } finally {
            await connection.end();
          }
        }
      } finally {
        await cleanUp();
      }
    },
    180_000,
  );
});

describe('docker/supergraph.graphql', () => {
  it('is the committed supergraph routed to the compose services (regenerate: npm run compose)', () => {
    expect(fs.readFileSync(productionSupergraphPath, 'utf8')).toBe(productionSupergraph(fs.readFileSync(supergraphPath, 'utf8')));
    expect(routingUrls(fs.readFileSync(productionSupergraphPath, 'utf8'))).toEqual(Object.fromEntries(subgraphNames.map((n) => [n, composeUrl(n)])));
  });
});

describe('docker/Dockerfile', () => {
  const dockerfile = fs.readFileSync(path.join(projectRoot, 'docker', 'Dockerfile'), 'utf8');

  it('builds in stages on Node 22 and runs as a user other than root', () => {
    const stages = [...dockerfile.matchAll(/^FROM (\S+)/gm)].map((m) => m[1]);
    expect(stages.length).toBeGreaterThanOrEqual(2);
    for (const image of stages) expect(image).toMatch(/^node:22[-.]/);
    const users = [...dockerfile.matchAll(/^USER (\S+)/gm)].map((m) => m[1]);
    expect(users.length).toBeGreaterThan(0);
    expect(users[users.length - 1]).not.toMatch(/^(root|0)$/);
  });

  it('ships the files the services read at run time', () => {
    for (const file of ['subgraphs', 'schema/supergraph.graphql', 'docker/supergraph.graphql', 'dist']) expect(dockerfile).toContain(`/app/${file}`);
  });
});
