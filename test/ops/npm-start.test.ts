import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { projectRoot } from '../../lib/project-root';
import { subgraphNames } from '../../schema/subgraphs';
import { connectionRefused, eventually, sparePorts } from '../helpers/processes';

/**
 * `npm start` stopped as a process manager, an IDE's stop button or `timeout` stops it: SIGTERM
 * to npm alone, not to its process group as a terminal's Ctrl-C is sent. npm passes the signal
 * to the script's shell; a shell that ran the launcher as its child died of it and left the
 * launcher, and the six services, running on, so that the next `npm start` found its ports taken.
 * The real `npm start` is run (it builds, seeds the demo world into a SQLite directory of its own
 * and launches on spare ports, named by SUBGRAPH_<NAME>_URL and GATEWAY_PORT).
 */
describe('npm start sent SIGTERM alone', () => {
  let sqliteDirectory: string;
  let npm: ReturnType<typeof spawn> | undefined;
  beforeAll(() => {
    sqliteDirectory = fs.mkdtempSync(path.join(os.tmpdir(), 'credit-npm-start-'));
  });
  afterAll(() => {
    // Whatever still runs of its group (npm, a shell, the launcher) is killed; the services stop
    // when the launcher's IPC channel closes (lib/shutdown.ts).
    try {
      if (npm?.pid) process.kill(-npm.pid, 'SIGKILL');
    } catch {
      // the group is gone
    }
    if (sqliteDirectory) fs.rmSync(sqliteDirectory, { recursive: true, force: true });
  });

  it('stops every service and frees every port, as Ctrl-C does', async () => {
    const [gatewayPort, ...ports] = await sparePorts(1 + subgraphNames.length);
    npm = spawn('npm', ['start'], {
      cwd: projectRoot,
      // A group of its own, as a shell starts it, so that the test can clean up after a failure.
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        SQLITE_DIRECTORY: sqliteDirectory,
        GATEWAY_PORT: String(gatewayPort),
        ...Object.fromEntries(subgraphNames.map((name, i) => [`SUBGRAPH_${name.toUpperCase()}_URL`, `http://127.0.0.1:${ports[i]}/graphql`])),
        AUTH_JWT_SECRET: `base64:${randomBytes(32).toString('base64')}`,
        GATEWAY_SIGNING_KEY: `base64:${randomBytes(32).toString('base64')}`,
        LOG_LEVEL: 'warn',
      },
    });
    const exited = once(npm, 'exit');
    let output = '';
    npm.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    npm.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await eventually('npm start printing that the platform is ready', () => output.includes('Credit platform ready') || npm!.exitCode !== null, 150_000);
    expect(output).toContain(`Credit platform ready: http://127.0.0.1:${gatewayPort}/graphql`);
    expect(output).toContain(`Explorer:              http://127.0.0.1:${gatewayPort}/explorer/`);
    for (const port of [gatewayPort, ...ports]) expect({ port, refused: await connectionRefused(port) }).toEqual({ port, refused: false });

    process.kill(npm.pid!, 'SIGTERM');
    await eventually('every port freed', async () => (await Promise.all([gatewayPort, ...ports].map(connectionRefused))).every(Boolean), 30_000);
    await Promise.race([exited, new Promise((_, reject) => setTimeout(() => reject(new Error(`npm did not exit within 10 s:\n${output}`)), 10_000).unref())]);
  }, 200_000);
});

describe('npm start given ports it cannot use', () => {
  let sqliteDirectory: string;
  beforeAll(() => {
    sqliteDirectory = fs.mkdtempSync(path.join(os.tmpdir(), 'credit-npm-start-ports-'));
  });
  afterAll(() => {
    if (sqliteDirectory) fs.rmSync(sqliteDirectory, { recursive: true, force: true });
  });

  async function start(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
    const npm = spawn('npm', ['start'], { cwd: projectRoot, detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env.PATH, HOME: process.env.HOME, SQLITE_DIRECTORY: sqliteDirectory, LOG_LEVEL: 'warn', ...env } });
    let output = '';
    npm.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    npm.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => process.kill(-npm.pid!, 'SIGKILL'), 90_000);
    const [code] = (await once(npm, 'exit')) as [number | null];
    clearTimeout(timer);
    return { code, output };
  }

  it('refuses a subgraph URL that is not on this machine, before seeding anything', async () => {
    const refused = await start({ SUBGRAPH_RECORDS_URL: 'http://records:4002/graphql' });
    expect(refused.code).toBe(1);
    expect(refused.output).toContain('npm start runs every subgraph on this machine: SUBGRAPH_RECORDS_URL must be http://127.0.0.1:<port>/graphql, got "http://records:4002/graphql"');
    expect(fs.readdirSync(sqliteDirectory)).toEqual([]);
  }, 100_000);

  it('refuses one port given to two services, naming both', async () => {
    const [port] = await sparePorts(1);
    const refused = await start({ GATEWAY_PORT: String(port), SUBGRAPH_AUDIT_URL: `http://127.0.0.1:${port}/graphql` });
    expect(refused.code).toBe(1);
    expect(refused.output).toContain(`port ${port} is given to both audit and gateway`);
  }, 100_000);
});
