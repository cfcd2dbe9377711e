import { spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import net, { type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { readGatewayConfig } from '../../gateway/config';
import { ConfigError, ConfigProblems, readPort, readUrl } from '../../lib/env';
import { projectRoot } from '../../lib/project-root';
import { readSubgraphConfig } from '../../subgraphs/shared/subgraph';
import { configRefusal } from '../helpers/config';
import { dnsNotAnsweringFor, sparePorts } from '../helpers/processes';

const secret = `base64:${Buffer.alloc(32, 7).toString('base64')}`;

const refusal = configRefusal;

describe('configured ports', () => {
  it('refuse 0, which would listen on a port chosen at random', () => {
    expect(refusal(() => readPort({ PORT: '0' }, 'PORT', 4001))).toBe('PORT must be a port number between 1 and 65535, got "0"');
    expect(refusal(() => readSubgraphConfig('entities', { GATEWAY_SIGNING_KEY: secret, PORT: '0' }, []))).toBe('PORT must be a port number between 1 and 65535, got "0"');
    expect(refusal(() => readSubgraphConfig('entities', { GATEWAY_SIGNING_KEY: secret }, ['--port', '0']))).toBe('PORT must be a port number between 1 and 65535, got "0"');
    expect(refusal(() => readGatewayConfig({ GATEWAY_SIGNING_KEY: secret, AUTH_JWT_SECRET: secret, GATEWAY_PORT: '0' }, []))).toBe('GATEWAY_PORT must be a port number between 1 and 65535, got "0"');
  });

  it('accept 1 to 65535', () => {
    expect(readPort({ PORT: '1' }, 'PORT', 4001)).toBe(1);
    expect(readPort({ PORT: '65535' }, 'PORT', 4001)).toBe(65535);
    expect(readPort({}, 'PORT', 4001)).toBe(4001);
  });
});

describe('a URL in a configuration error', () => {
  it.each([
    ['a port that is no number', 'RATE_LIMIT_REDIS_URL', 'redis://credit:hunter2@redis:63x79', ['redis:'], 'RATE_LIMIT_REDIS_URL must be a URL, got "redis://…@redis:63x79"'],
    ['a password holding / and @', 'RATE_LIMIT_REDIS_URL', 'redis://:hunter2/x@y@redis:port', ['redis:'], 'RATE_LIMIT_REDIS_URL must be a URL, got "redis://…@redis:port"'],
    ['a broken host', 'SUBGRAPH_RECORDS_URL', 'http://svc:hunter2@[records/graphql', ['http:', 'https:'], 'SUBGRAPH_RECORDS_URL must be a URL, got "http://…@[records/graphql"'],
    ['no scheme, so the user reads as one', 'RATE_LIMIT_REDIS_URL', 'credit:hunter2@redis:6379', ['redis:'], 'RATE_LIMIT_REDIS_URL must use redis:, got "…@redis:6379"'],
  ])('shows no user or password: %s', (_label, name, raw, protocols, message) => {
    const shown = refusal(() => readUrl({ [name]: raw }, name, protocols));
    expect(shown).toBe(message);
    expect(shown).not.toContain('hunter2');
    expect(shown).not.toContain('credit');
  });

  it('still shows a URL without credentials whole', () => {
    expect(refusal(() => readUrl({ U: 'http://records:99999/graphql' }, 'U', ['http:']))).toBe('U must be a URL, got "http://records:99999/graphql"');
    expect(refusal(() => readUrl({ U: 'records:4002' }, 'U', ['http:']))).toBe('U must use http:, got "records:"');
  });

  it('through the gateway’s reader too', () => {
    const message = refusal(() => readGatewayConfig({ GATEWAY_SIGNING_KEY: secret, AUTH_JWT_SECRET: secret, RATE_LIMIT_REDIS_URL: 'redis://:hunter2@redis:63x79', SUBGRAPH_AUDIT_URL: 'http://u:hunter2@audit:4x/graphql' }, []));
    expect(message).toContain('RATE_LIMIT_REDIS_URL must be a URL');
    expect(message).toContain('SUBGRAPH_AUDIT_URL must be a URL');
    expect(message).not.toContain('hunter2');
  });
});

describe('ConfigProblems', () => {
  it('takes in every problem of another whole reader, each once', () => {
    const problems = new ConfigProblems();
    problems.read(() => readSubgraphConfig('records', { PORT: '70000' }, []));
    problems.read(() => {
      throw new ConfigError('GATEWAY_SIGNING_KEY is required: a secret of at least 32 bytes (plain text or base64:...)');
    });
    problems.read(() => readUrl({ SUBGRAPH_ENTITIES_URL: 'ftp://x' }, 'SUBGRAPH_ENTITIES_URL', ['http:', 'https:']));
    expect(problems.messages).toEqual([
      'PORT must be a port number between 1 and 65535, got "70000"',
      'GATEWAY_SIGNING_KEY is required: a secret of at least 32 bytes (plain text or base64:...)',
      'SUBGRAPH_ENTITIES_URL must use http: or https:, got "ftp:"',
    ]);
  });
});

/**
 * The records and reports processes read their peers' addresses besides every subgraph's own
 * settings; they once printed plain text naming only the first problem. Their entry points, and
 * the gateway's, bundled from the sources as they are now, are run with bad values.
 */
describe('the gateway, records, reports and audit processes started with bad configuration', () => {
  const bundleDirectory = path.join(projectRoot, 'dist', 'ops', 'configuration');
  beforeAll(async () => {
    await build({
      entryPoints: {
        records: path.join(projectRoot, 'subgraphs/records/index.ts'),
        reports: path.join(projectRoot, 'subgraphs/reports/index.ts'),
        audit: path.join(projectRoot, 'subgraphs/audit/index.ts'),
        gateway: path.join(projectRoot, 'gateway/index.ts'),
      },
      outdir: bundleDirectory,
      bundle: true,
      platform: 'node',
      target: 'node20',
      packages: 'external',
      logLevel: 'warning',
    });
  });

  async function run(name: 'records' | 'reports' | 'audit' | 'gateway', env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
    const child = spawn(process.execPath, [path.join(bundleDirectory, `${name}.js`)], { env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    const [code] = (await once(child, 'exit')) as [number | null];
    clearTimeout(timer);
    return { code, stdout, stderr };
  }

  it.each([
    [
      'records',
      { PORT: '70000', SUBGRAPH_ENTITIES_URL: 'ftp://x', SUBGRAPH_REPORTS_URL: 'http://svc:hunter2@reports:4x03/graphql' },
      [
        'PORT must be a port number between 1 and 65535, got "70000"',
        'GATEWAY_SIGNING_KEY is required: a secret of at least 32 bytes (plain text or base64:...)',
        'SUBGRAPH_ENTITIES_URL must use http: or https:, got "ftp:"',
        'SUBGRAPH_REPORTS_URL must be a URL, got "http://…@reports:4x03/graphql"',
      ],
    ],
    [
      'reports',
      { PORT: '0', GATEWAY_SIGNING_KEY: secret, SUBGRAPH_ENTITIES_URL: 'ftp://x', SUBGRAPH_PROVIDERS_URL: 'http://svc:hunter2@providers:4x04/graphql' },
      [
        'PORT must be a port number between 1 and 65535, got "0"',
        'SUBGRAPH_ENTITIES_URL must use http: or https:, got "ftp:"',
        'SUBGRAPH_PROVIDERS_URL must be a URL, got "http://…@providers:4x04/graphql"',
      ],
    ],
  ] as const)('%s logs one JSON line naming every problem and exits 2', async (name, env, problems) => {
    const { code, stdout, stderr } = await run(name, env);
    expect(code).toBe(2);
    expect(stderr).toBe('');
    const lines = stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const line = JSON.parse(lines[0]) as Record<string, unknown>;
    expect(line).toMatchObject({ service: name, level: 'fatal', msg: `configuration error: ${problems.length} configuration problems:\n  - ${problems.join('\n  - ')}` });
    expect(stdout).not.toContain('hunter2');
  });

  /** NODE_ENV=Production once started a gateway with the explorer and introspection on, as outside production. */
  it('gateway started with NODE_ENV=Production exits 2 naming the values NODE_ENV takes', async () => {
    const signingKey = `base64:${Buffer.from(Array.from({ length: 32 }, (_, i) => (i * 37 + 11) % 256)).toString('base64')}`;
    const { code, stdout, stderr } = await run('gateway', { NODE_ENV: 'Production', GATEWAY_SIGNING_KEY: signingKey, AUTH_JWKS_URL: 'https://idp.example/jwks.json', GATEWAY_PORT: '6873' });
    expect({ code, stderr }).toEqual({ code: 2, stderr: '' });
    const lines = stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0])).toMatchObject({ service: 'gateway', level: 'fatal', msg: 'configuration error: NODE_ENV must be production, development or test (or unset), got "Production"' });
  });

  /** NODE_ENV=prod was told besides that DATABASE_URL is required with NODE_ENV=production, a production never set. */
  it('audit started with NODE_ENV=prod exits 2 naming only the values NODE_ENV takes', async () => {
    const { code, stdout, stderr } = await run('audit', { NODE_ENV: 'prod', GATEWAY_SIGNING_KEY: secret, PORT: '5875' });
    expect({ code, stderr }).toEqual({ code: 2, stderr: '' });
    const lines = stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0])).toMatchObject({ service: 'audit', level: 'fatal', msg: 'configuration error: NODE_ENV must be production, development or test (or unset), got "prod"' });
  });

  /** DATABASE_PREFX was ignored: a production subgraph served an empty database of the default prefix. */
  it('audit started with DATABASE_PREFX exits 2 naming DATABASE_PREFIX', async () => {
    const { code, stdout, stderr } = await run('audit', { GATEWAY_SIGNING_KEY: secret, DATABASE_URL: 'mysql://credit:pw@127.0.0.1:1', DATABASE_PREFX: 'credit_prod_', PORT: '5874' });
    expect({ code, stderr }).toEqual({ code: 2, stderr: '' });
    const lines = stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0])).toMatchObject({ service: 'audit', level: 'fatal', msg: 'configuration error: DATABASE_PREFX is not a setting: did you mean DATABASE_PREFIX?' });
  });

  /**
   * With NODE_ENV=production and no DATABASE_URL a subgraph once served from SQLite files under
   * the checkout's (the container's) data/, audit log and all; it stops now, touching no file.
   */
  it('audit started with NODE_ENV=production and no DATABASE_URL exits 2 naming DATABASE_URL, writing no SQLite file', async () => {
    const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'credit-production-sqlite-'));
    try {
      const signingKey = `base64:${Buffer.from(Array.from({ length: 32 }, (_, i) => (i * 37 + 11) % 256)).toString('base64')}`;
      const { code, stdout, stderr } = await run('audit', { NODE_ENV: 'production', GATEWAY_SIGNING_KEY: signingKey, SQLITE_DIRECTORY: directory, PORT: '5871' });
      expect({ code, stderr }).toEqual({ code: 2, stderr: '' });
      const lines = stdout.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(JSON.parse(lines[0])).toMatchObject({ service: 'audit', level: 'fatal', msg: expect.stringMatching(/^configuration error: DATABASE_URL is required with NODE_ENV=production: /) });
      expect(fs.readdirSync(directory)).toEqual([]);
    } finally {
      fs.rmSync(directory, { recursive: true, force: true });
    }
  });

  /**
   * A HOST nothing resolves (a typo, a name only another network knows) was found at listen: a
   * subgraph's once its migrations had run, exit 1, as if it might start later. It is a problem of
   * the settings, listed with the others, before any database is opened.
   */
  const unresolvable = 'no-such-host.invalid';
  const unresolvableProblem = `HOST names no address: "${unresolvable}" could not be looked up (ENOTFOUND), so nothing can listen there: give an address of this machine's, or a name of it that DNS or /etc/hosts resolves`;

  it('audit given a HOST that cannot be looked up exits 2 naming it with its other problems, making no database', async () => {
    const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'credit-unresolvable-host-'));
    try {
      const { code, stdout, stderr } = await run('audit', { GATEWAY_SIGNING_KEY: secret, SQLITE_DIRECTORY: directory, HOST: unresolvable, PORT: '70000' });
      expect({ code, stderr }).toEqual({ code: 2, stderr: '' });
      const lines = stdout.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(JSON.parse(lines[0])).toMatchObject({ service: 'audit', level: 'fatal', msg: `configuration error: 2 configuration problems:\n  - ${unresolvableProblem}\n  - PORT must be a port number between 1 and 65535, got "70000"` });
      expect(fs.readdirSync(directory)).toEqual([]);
    } finally {
      fs.rmSync(directory, { recursive: true, force: true });
    }
  });

  it('gateway given a HOST that cannot be looked up exits 2 naming it', async () => {
    const { code, stdout, stderr } = await run('gateway', { GATEWAY_SIGNING_KEY: secret, AUTH_JWT_SECRET: secret, EXPLORER: 'off', HOST: unresolvable, GATEWAY_PORT: '6874' });
    expect({ code, stderr }).toEqual({ code: 2, stderr: '' });
    const lines = stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0])).toMatchObject({ service: 'gateway', level: 'fatal', msg: `configuration error: ${unresolvableProblem}` });
  });

  // No DNS server answering (EAI_AGAIN) says nothing of the name, and the same settings start once
  // one does: it was told at listen as a fault nobody foresaw, `could not start` with its stack.
  it('gateway whose HOST no DNS server answers for exits 1 with one line saying so, to start again once one does', async () => {
    const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'credit-dns-not-answering-'));
    try {
      const host = 'credit-gateway.lan';
      const { code, stdout, stderr } = await run('gateway', { GATEWAY_SIGNING_KEY: secret, AUTH_JWT_SECRET: secret, EXPLORER: 'off', HOST: host, GATEWAY_PORT: '21301', NODE_OPTIONS: dnsNotAnsweringFor(host, directory) });
      expect({ code, stderr }).toEqual({ code: 1, stderr: '' });
      const lines = stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(lines.filter((line) => line.level === 'fatal')).toEqual([
        {
          level: 'fatal',
          time: expect.any(String),
          service: 'gateway',
          msg: `could not start: HOST "${host}" could not be looked up: no DNS server answered (EAI_AGAIN); start again once one does, or give an address instead of the name`,
        },
      ]);
    } finally {
      fs.rmSync(directory, { recursive: true, force: true });
    }
  });

  /**
   * A database that does not answer, or a port another process holds, once stopped a process
   * with `could not start` and a stack trace naming no setting: one line now, exit 1 (the same
   * settings may start later, so a process manager may retry, unlike a configuration error's 2).
   * LOG_LEVEL=silent writes no log line, and such a process once exited 1 saying nothing at all (a
   * configuration error, read before the level, was told): its one line goes to stderr then, as
   * JSON as ever; at any other level it is on stdout alone.
   */
  it.each([
    ['at the default level, on stdout', {}, 'stdout'],
    ['with LOG_LEVEL=silent, still, on stderr', { LOG_LEVEL: 'silent' }, 'stderr'],
  ] as const)('audit whose DATABASE_URL names a port nothing listens on exits 1 with one line naming DATABASE_URL, without a stack or the password, %s', async (_label, level, stream) => {
    const [port] = await sparePorts(1);
    const ran = await run('audit', { GATEWAY_SIGNING_KEY: secret, DATABASE_URL: `mysql://credit:hunter2@127.0.0.1:${port}`, PORT: stream === 'stdout' ? '5872' : '5873', ...level });
    const other = stream === 'stdout' ? 'stderr' : 'stdout';
    expect({ code: ran.code, [other]: ran[other] }).toEqual({ code: 1, [other]: '' });
    const lines = ran[stream].trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0])).toEqual({
      level: 'fatal',
      time: expect.any(String),
      service: 'audit',
      msg: `could not start: nothing accepts connections at 127.0.0.1:${port}, DATABASE_URL's host and port (ECONNREFUSED): is MySQL or MariaDB running there, on that port?`,
    });
  });

  it('gateway whose GATEWAY_PORT another process holds exits 1 with one line naming GATEWAY_PORT', async () => {
    const holder = net.createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const { port } = holder.address() as AddressInfo;
    try {
      const { code, stdout, stderr } = await run('gateway', { GATEWAY_SIGNING_KEY: secret, AUTH_JWT_SECRET: secret, EXPLORER: 'off', GATEWAY_PORT: String(port) });
      expect({ code, stderr }).toEqual({ code: 1, stderr: '' });
      const fatal = stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as Record<string, unknown>)
        .filter((line) => line.level === 'fatal');
      expect(fatal).toEqual([
        { level: 'fatal', time: expect.any(String), service: 'gateway', msg: `could not start: another process listens at 127.0.0.1:${port} (EADDRINUSE): stop it, or give this process another port (GATEWAY_PORT)` },
      ]);
    } finally {
      await new Promise((resolve) => holder.close(resolve));
    }
  });

  /**
   * The start line said `"counters":"redis"` of a gateway whose Redis could not be reached, which
   * counts per replica in memory (its warning and its metric said so): it says what holds now.
   */
  it('gateway whose RATE_LIMIT_REDIS_URL cannot be reached says in its start line that it counts in memory', async () => {
    // Its own port drawn as every other serving gateway's here: a fixed one (6872) held by any other process made it exit EADDRINUSE.
    const [port, gatewayPort] = await sparePorts(2);
    const child = spawn(process.execPath, [path.join(bundleDirectory, 'gateway.js')], {
      env: { PATH: process.env.PATH, GATEWAY_SIGNING_KEY: secret, AUTH_JWT_SECRET: secret, EXPLORER: 'off', GATEWAY_PORT: String(gatewayPort), RATE_LIMIT_REDIS_URL: `redis://127.0.0.1:${port}`, TRUSTED_PROXIES: '10.0.0.0/8, 127.0.0.1, fd00::/8' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    try {
      let stdout = '';
      const serving = await new Promise<Record<string, unknown> | undefined>((resolve) => {
        child.stdout.on('data', (chunk: Buffer) => {
          stdout += chunk.toString();
          const line = stdout.split('\n').slice(0, -1).map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.msg === 'serving');
          if (line) resolve(line);
        });
        child.once('exit', () => resolve(undefined));
      });
      expect(serving?.rateLimits).toEqual({ callerPerMinute: 600, organisationPerMinute: 3000, counters: 'memory (redis unreachable)' });
      // Whose X-Forwarded-For names the client the address budget counts, as configured.
      expect(serving?.trustedProxies).toEqual(['10.0.0.0/8', '127.0.0.1', 'fd00::/8']);
    } finally {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await once(child, 'exit');
      }
      clearTimeout(timer);
    }
  });

  /** RATE_LIMIT_REDIS_URL=redis://…/credit once logged "serving", then stopped the gateway with an unhandled ioredis timeout (SELECT NaN), exit 1. */
  it('gateway whose RATE_LIMIT_REDIS_URL names a database that is no number exits 2 naming it', async () => {
    const { code, stdout, stderr } = await run('gateway', { GATEWAY_SIGNING_KEY: secret, AUTH_JWT_SECRET: secret, EXPLORER: 'off', GATEWAY_PORT: '6875', RATE_LIMIT_REDIS_URL: 'redis://127.0.0.1:6379/credit' });
    expect({ code, stderr }).toEqual({ code: 2, stderr: '' });
    const lines = stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0])).toMatchObject({ level: 'fatal', msg: 'configuration error: RATE_LIMIT_REDIS_URL must name its database by number after the host (redis://redis:6379/2), or none, got "/credit"' });
  });

  /** The gateway's bundle started with `env`: its log lines up to the one saying it serves (none if it exits first); stopped after. */
  async function gatewayLinesUntilServing(env: NodeJS.ProcessEnv): Promise<Record<string, unknown>[]> {
    const child = spawn(process.execPath, [path.join(bundleDirectory, 'gateway.js')], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    try {
      let stdout = '';
      return await new Promise<Record<string, unknown>[]>((resolve) => {
        child.stdout.on('data', (chunk: Buffer) => {
          stdout += chunk.toString();
          const read = stdout.split('\n').slice(0, -1).map((l) => JSON.parse(l) as Record<string, unknown>);
          if (read.some((l) => l.msg === 'serving')) resolve(read);
        });
        child.once('exit', () => resolve([]));
      });
    } finally {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await once(child, 'exit');
      }
      clearTimeout(timer);
    }
  }

  /** HOST=0.0.0.0 without NODE_ENV=production served explorer and introspection without a word, its start line saying http://127.0.0.1. */
  it('gateway listening on 0.0.0.0 outside production warns in one line, and its start line says where it listens', async () => {
    const [port] = await sparePorts(1);
    const lines = await gatewayLinesUntilServing({ PATH: process.env.PATH, GATEWAY_SIGNING_KEY: secret, AUTH_JWT_SECRET: secret, HOST: '0.0.0.0', GATEWAY_PORT: String(port) });
    expect(lines.filter((l) => l.level === 'warn').map((l) => l.msg)).toEqual([expect.stringMatching(/^HOST=0\.0\.0\.0 listens beyond this machine without NODE_ENV=production: /)]);
    expect(lines.find((l) => l.msg === 'serving')).toMatchObject({ url: `http://0.0.0.0:${port}/graphql` });
  });

  /** With HOST=0.0.0.0 the start line linked the explorer at http://0.0.0.0:4000/explorer/, where Chrome refuses to go and other systems lead nowhere. */
  it.each(['0.0.0.0', '::'])('gateway listening on every interface (HOST=%s) links its explorer at localhost, while its URL stays where it listens', async (host) => {
    const [port] = await sparePorts(1);
    const lines = await gatewayLinesUntilServing({ PATH: process.env.PATH, GATEWAY_SIGNING_KEY: secret, AUTH_JWT_SECRET: secret, HOST: host, GATEWAY_PORT: String(port) });
    expect(lines.find((l) => l.msg === 'serving')).toMatchObject({ url: `http://${host.includes(':') ? `[${host}]` : host}:${port}/graphql`, explorer: `http://localhost:${port}/explorer/` });
  });

  it('gateway listening on one address links its explorer there', async () => {
    const [port] = await sparePorts(1);
    const lines = await gatewayLinesUntilServing({ PATH: process.env.PATH, GATEWAY_SIGNING_KEY: secret, AUTH_JWT_SECRET: secret, HOST: '127.0.0.1', GATEWAY_PORT: String(port) });
    expect(lines.find((l) => l.msg === 'serving')).toMatchObject({ url: `http://127.0.0.1:${port}/graphql`, explorer: `http://127.0.0.1:${port}/explorer/` });
  });

  /** A name under the platform's prefixes that is no setting is ignored, and said so at start; the environment's other names are not. */
  it('gateway given GATEWAY_REGION logs a warning naming it and serves', async () => {
    const [port] = await sparePorts(1);
    const lines = await gatewayLinesUntilServing({ PATH: process.env.PATH, HOME: '/nowhere', GATEWAY_SIGNING_KEY: secret, AUTH_JWT_SECRET: secret, EXPLORER: 'off', GATEWAY_PORT: String(port), GATEWAY_REGION: 'cn-north' });
    expect(lines.filter((l) => l.level !== 'info')).toEqual([
      { level: 'warn', time: expect.any(String), service: 'gateway', msg: expect.stringMatching(/^GATEWAY_REGION is not a setting, and is ignored: the settings beginning GATEWAY_ are GATEWAY_SIGNING_KEY, /) },
    ]);
    expect(lines.find((l) => l.msg === 'serving')).toMatchObject({ trustedProxies: 'none' });
  });

  /**
   * @apollo/gateway starts an exporter of anonymous usage data to Apollo when it is built, unless
   * APOLLO_TELEMETRY_DISABLED is set: the gateway's process sets it. Jest's setup sets it in every
   * test process, so only a process of its own shows it. The exporter is replaced before the
   * gateway loads, so that even a failure here sends nothing.
   */
  it('gateway started without APOLLO_TELEMETRY_DISABLED serves without starting Apollo\'s telemetry', async () => {
    const preload = path.join(bundleDirectory, 'telemetry-watch.js');
    fs.writeFileSync(
      preload,
      `const telemetry = require(${JSON.stringify(path.join(projectRoot, 'node_modules/@apollo/gateway/dist/utilities/opentelemetry.js'))});\n` +
        "if (typeof telemetry.createDataCollectionExporter !== 'function') throw new Error('@apollo/gateway no longer has createDataCollectionExporter: find how it phones home now');\n" +
        "telemetry.createDataCollectionExporter = () => { process.stderr.write('telemetry exporter started\\n'); return { shutdown: async () => {} }; };\n",
    );
    const [port] = await sparePorts(1);
    const child = spawn(process.execPath, ['--require', preload, path.join(bundleDirectory, 'gateway.js')], {
      env: { PATH: process.env.PATH, GATEWAY_SIGNING_KEY: secret, AUTH_JWT_SECRET: secret, EXPLORER: 'off', GATEWAY_PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    try {
      let stdout = '';
      const serving = await new Promise<boolean>((resolve) => {
        child.stdout.on('data', (chunk: Buffer) => {
          stdout += chunk.toString();
          if (stdout.split('\n').slice(0, -1).some((l) => (JSON.parse(l) as Record<string, unknown>).msg === 'serving')) resolve(true);
        });
        child.once('exit', () => resolve(false));
      });
      expect({ serving, stderr }).toEqual({ serving: true, stderr: '' });
    } finally {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await once(child, 'exit');
      }
      clearTimeout(timer);
    }
  });

  /** A certificate where its public key belongs once stopped the gateway after the check, with a stack trace and exit 1. */
  it('gateway given a certificate for AUTH_PUBLIC_KEY_FILE exits 2 naming the variable and how to take the key out', async () => {
    const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'credit-public-key-'));
    try {
      const file = path.join(directory, 'idp.pem');
      fs.writeFileSync(file, '-----BEGIN CERTIFICATE-----\nMIIBjDCCATGgAwIBAgIUb/+1Fkz7/5/+HumSKVxjVRQF5ww=\n-----END CERTIFICATE-----\n');
      const { code, stdout, stderr } = await run('gateway', { GATEWAY_SIGNING_KEY: secret, AUTH_PUBLIC_KEY_FILE: file, AUTH_JWT_ALGORITHM: 'ES256', EXPLORER: 'off', GATEWAY_PORT: '6871' });
      expect({ code, stderr }).toEqual({ code: 2, stderr: '' });
      const lines = stdout.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(JSON.parse(lines[0])).toEqual({
        level: 'fatal',
        time: expect.any(String),
        service: 'gateway',
        msg: `configuration error: AUTH_PUBLIC_KEY_FILE (${file}) must hold a PEM public key (BEGIN PUBLIC KEY), got a certificate (BEGIN CERTIFICATE): give its public key, openssl x509 -pubkey -noout -in ${file}`,
      });
    } finally {
      fs.rmSync(directory, { recursive: true, force: true });
    }
  });
});
