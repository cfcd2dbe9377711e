import { spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import net, { type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { projectRoot } from '../../lib/project-root';

/**
 * The scripts as `npm run build` makes them, one module per source file, transpiled from the
 * sources as they are now so that the test needs no build. Not one bundle: a bundle is one module,
 * so every script it holds (start's seed and tokens, soak's) would pass its `require.main ===
 * module` check and run beside the one started.
 */
async function transpiled(): Promise<string> {
  const outdir = path.join(projectRoot, 'dist', 'ops', 'production');
  const sources = ['lib', 'gateway', 'subgraphs', 'schema', 'scripts'].map((d) => `${d}/**/*.ts`);
  await build({ entryPoints: sources, absWorkingDir: projectRoot, outbase: projectRoot, outdir, format: 'cjs', platform: 'node', target: 'node20', logLevel: 'warning' });
  return path.join(outdir, 'scripts');
}

/** Runs a script to its end, in a process group of its own so that nothing it might start outlives the test. */
async function run(script: string, env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, [script], { detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env.PATH, ...env } });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = once(child, 'exit') as Promise<[number | null]>;
  const timer = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), 15_000);
  const [code] = await exited;
  clearTimeout(timer);
  return { code, output };
}

let scripts: string;
beforeAll(async () => {
  scripts = await transpiled();
});

/**
 * `npm start` is the demo: it seeds the demo world and, outside production, lists demo tokens in
 * the explorer. Started with NODE_ENV=production (an operator following the old README's MySQL
 * line), it once seeded the demo world into the production database.
 */
describe('npm start with NODE_ENV=production', () => {
  let sqliteDirectory: string;
  beforeAll(() => {
    sqliteDirectory = fs.mkdtempSync(path.join(os.tmpdir(), 'credit-start-production-'));
  });
  afterAll(() => {
    if (sqliteDirectory) fs.rmSync(sqliteDirectory, { recursive: true, force: true });
  });

  it('refuses to run, seeding nothing, and names the way production runs', async () => {
    const { code, output } = await run(path.join(scripts, 'start.js'), { NODE_ENV: 'production', SQLITE_DIRECTORY: sqliteDirectory, GATEWAY_PORT: '4999' });

    expect({ code, output }).toEqual({ code: 2, output: expect.stringContaining('refuses NODE_ENV=production') });
    expect(output).toContain('docker/compose.yaml');
    expect(output).toContain('node dist/gateway/index.js');
    expect(fs.readdirSync(sqliteDirectory)).toEqual([]);
  });
});

/**
 * The other commands that write made-up data into the database DATABASE_URL names (the demo
 * world, a benchmark's data set) or mint demo callers' tokens. `npm run seed` with a production
 * host's settings once wrote 300 made-up subjects, their penalties and audit entries into the
 * production databases and exited 0. DATABASE_URL names a listener that counts connections: a
 * refusal comes before any database is touched.
 */
describe.each([
  ['seed', 'npm run seed'],
  ['bench', 'npm run bench'],
  ['bench-import', 'npm run bench:import'],
  ['soak', 'npm run soak'],
  ['tokens', 'npm run tokens'],
])('%s with NODE_ENV=production', (name, command) => {
  let database: net.Server;
  let connections = 0;
  beforeAll(async () => {
    database = net.createServer((socket) => {
      connections++;
      socket.destroy();
    });
    database.listen(0, '127.0.0.1');
    await once(database, 'listening');
  });
  afterAll(async () => {
    database?.close();
    if (database) await once(database, 'close');
  });

  it(`refuses in one line naming what ${command} does, connecting to no database`, async () => {
    const { port } = database.address() as AddressInfo;
    const { code, output } = await run(path.join(scripts, `${name}.js`), { NODE_ENV: 'production', DATABASE_URL: `mysql://root@127.0.0.1:${port}`, DATABASE_PREFIX: 'credit_' });

    expect({ code, lines: output.trimEnd().split('\n') }).toEqual({ code: 2, lines: [expect.stringMatching(new RegExp(`^\\[${name === 'bench-import' ? 'bench:import' : name}\\] ${command} .* refuses NODE_ENV=production: .*\\(README: Running in production\\)\\.$`))] });
    expect(connections).toBe(0);
  });
});

/**
 * NODE_ENV=Production or =prod was no production to these commands: npm start and npm run seed
 * wrote the demo world into the database DATABASE_URL names. Each refuses a NODE_ENV that is none
 * of production, development, test or unset, naming those, before it touches a database.
 */
describe.each([
  ['start', 'npm start'],
  ['seed', 'npm run seed'],
  ['bench', 'npm run bench'],
  ['bench-import', 'npm run bench:import'],
  ['soak', 'npm run soak'],
  ['tokens', 'npm run tokens'],
])('%s with NODE_ENV=prod', (name) => {
  let database: net.Server;
  let connections = 0;
  beforeAll(async () => {
    database = net.createServer((socket) => {
      connections++;
      socket.destroy();
    });
    database.listen(0, '127.0.0.1');
    await once(database, 'listening');
  });
  afterAll(async () => {
    database?.close();
    if (database) await once(database, 'close');
  });

  it('refuses in one line naming the values NODE_ENV takes, connecting to no database', async () => {
    const { port } = database.address() as AddressInfo;
    const { code, output } = await run(path.join(scripts, `${name}.js`), { NODE_ENV: 'prod', DATABASE_URL: `mysql://root@127.0.0.1:${port}`, DATABASE_PREFIX: 'credit_', GATEWAY_PORT: '4999' });

    const command = name === 'bench-import' ? 'bench:import' : name;
    expect({ code, lines: output.trimEnd().split('\n') }).toEqual({ code: 2, lines: [`[${command}] configuration error: NODE_ENV must be production, development or test (or unset), got "prod"`] });
    expect(connections).toBe(0);
  });
});
