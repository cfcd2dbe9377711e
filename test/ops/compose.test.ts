import { generateKeyPairSync } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { gatewayVariables, readGatewayConfig } from '../../gateway/config';
import { productionSupergraph, productionSupergraphPath } from '../../schema/production-supergraph';
import { routingUrls } from '../../gateway/gateway';
import { projectRoot } from '../../lib/project-root';
import { defaultPorts, subgraphNames, supergraphPath, type SubgraphName } from '../../schema/subgraphs';
import { readSubgraphConfig, subgraphVariables } from '../../subgraphs/shared/subgraph';

/**
 * No Docker engine runs here, so the compose file is checked for what can be checked: it
 * parses, it has every service the launcher starts, and each service's environment, with the
 * operator's secrets filled in, passes that service's own configuration reader.
 */
interface Service {
  image?: string;
  command?: string[];
  environment?: Record<string, string | number>;
  healthcheck?: { test?: string[] };
  depends_on?: Record<string, { condition: string }>;
}

const composeFile = path.join(projectRoot, 'docker', 'compose.yaml');
const compose = parse(fs.readFileSync(composeFile, 'utf8'), { merge: true }) as { services: Record<string, Service> };

/** What an operator puts in docker/.env. */
const operatorEnv: Record<string, string> = {
  GATEWAY_SIGNING_KEY: `base64:${Buffer.alloc(32, 7).toString('base64')}`,
  MYSQL_ROOT_PASSWORD: 'root-secret',
  MYSQL_PASSWORD: 'credit-secret',
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
 * The subgraphs that call other subgraphs directly read their URLs from the same variables the
 * gateway reads (records: intake checks subjects; reports: generation reads its peers). Keep in
 * sync with subgraphs/shared/subject-directory.ts and subgraphs/reports/config.ts.
 */
const peerVariables: Partial<Record<SubgraphName, SubgraphName[]>> = {
  records: ['entities', 'reports'],
  reports: ['entities', 'records', 'providers'],
};
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

  it('gives each subgraph what its configuration requires, on MySQL, listening beyond loopback', () => {
    for (const name of subgraphNames) {
      const env = environmentOf(name);
      const known = new Set<string>([...subgraphVariables.required, ...subgraphVariables.optional, 'NODE_ENV', ...(peerVariables[name] ?? []).map((p) => `SUBGRAPH_${p.toUpperCase()}_URL`)]);
      expect({ name, unknown: Object.keys(env).filter((k) => !known.has(k)) }).toEqual({ name, unknown: [] });
      const config = readSubgraphConfig(name, env, []);
      expect(config).toMatchObject({ port: defaultPorts[name], host: '0.0.0.0', database: { kind: 'mysql', url: 'mysql://credit:credit-secret@mysql:3306', prefix: 'credit_' } });
      for (const peer of peerVariables[name] ?? []) expect(env[`SUBGRAPH_${peer.toUpperCase()}_URL`]).toBe(composeUrl(peer));
      expect(Object.keys(compose.services[name].depends_on ?? {})).toEqual(expect.arrayContaining(['mysql', ...(startupPeers[name] ?? [])]));
    }
  });

  it('gives the gateway what its configuration requires, the production supergraph, and production defaults', () => {
    const env = environmentOf('gateway');
    const known = new Set<string>([...gatewayVariables.required, ...gatewayVariables.oneOf, ...gatewayVariables.optional]);
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
      expect(gateway({ ...withoutJwks, AUTH_JWT_SECRET: 'x'.repeat(40) })).toBe('secret');
      expect(() => gateway(withoutJwks)).toThrow("set exactly one of AUTH_JWT_SECRET, AUTH_PUBLIC_KEY_FILE, AUTH_JWKS_URL to verify callers' tokens, got none");
      expect(() => gateway({ ...operatorEnv, AUTH_JWT_SECRET: 'x'.repeat(40) })).toThrow(/got AUTH_JWT_SECRET and AUTH_JWKS_URL$/);
    } finally {
      fs.rmSync(path.dirname(keyFile), { recursive: true, force: true });
    }
  });
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
