import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import net from 'node:net';
import path from 'node:path';
import { projectRoot } from '../../lib/project-root';
import { subgraphNames } from '../../schema/subgraphs';
import { recordsSubgraph } from '../../subgraphs/records/subgraph';
import { openDatabase } from '../../subgraphs/shared/database';
import { connectionRefused, dnsNotAnsweringFor, eventually, sparePorts } from '../helpers/processes';

/**
 * `npm start` stopped each way it is stopped: Ctrl-C in a terminal (SIGINT to its process group:
 * npm and the launcher both get it, and npm passes its copy on); SIGTERM to npm alone, as a
 * process manager, an IDE's stop button or `timeout` sends it; SIGKILL to npm alone, as a process
 * manager sends it once its stop has timed out. A shell that ran the launcher as its child died of
 * the SIGTERM and left the launcher and the six services running, so that the next `npm start`
 * found its ports taken; with the launcher exec'd instead, the copy of Ctrl-C counted as a second
 * press, which kills instead of stopping. The real `npm start` is run (it builds, seeds the demo
 * world into a SQLite directory of its own and launches on spare ports, named by
 * SUBGRAPH_<NAME>_URL and GATEWAY_PORT).
 */
describe('npm start stopped', () => {
  let sqliteDirectory: string;
  const started: number[] = [];
  beforeAll(() => {
    sqliteDirectory = fs.mkdtempSync(path.join(os.tmpdir(), 'credit-npm-start-'));
  });
  afterAll(() => {
    // Whatever still runs of a group (npm, the launcher) is killed; the services stop when the
    // launcher's IPC channel closes (lib/shutdown.ts).
    for (const pid of started) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // the group is gone
      }
    }
    if (sqliteDirectory) fs.rmSync(sqliteDirectory, { recursive: true, force: true });
  });

  /** npm start (or `command`) in a process group of its own, as a shell starts it, once it says it is ready; `host`: its HOST, `urlHost` the host of its SUBGRAPH_<NAME>_URL. */
  async function start(command: [string, string[]] = ['npm', ['start']], host?: string, urlHost = '127.0.0.1') {
    const [gatewayPort, ...ports] = await sparePorts(1 + subgraphNames.length);
    const npm = spawn(command[0], command[1], {
      cwd: projectRoot,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        SQLITE_DIRECTORY: sqliteDirectory,
        GATEWAY_PORT: String(gatewayPort),
        ...Object.fromEntries(subgraphNames.map((name, i) => [`SUBGRAPH_${name.toUpperCase()}_URL`, `http://${urlHost}:${ports[i]}/graphql`])),
        AUTH_JWT_SECRET: `base64:${randomBytes(32).toString('base64')}`,
        GATEWAY_SIGNING_KEY: `base64:${randomBytes(32).toString('base64')}`,
        LOG_LEVEL: 'warn',
        ...(host && { HOST: host }),
      },
    });
    started.push(npm.pid!);
    const exited = once(npm, 'exit');
    let output = '';
    npm.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    npm.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await eventually('npm start printing that the platform is ready', () => output.includes('Credit platform ready') || npm.exitCode !== null, 150_000);
    const address = host ?? '127.0.0.1';
    expect(output).toContain(`Credit platform ready: http://${address}:${gatewayPort}/graphql`);
    const all = [gatewayPort, ...ports];
    const refused = (port: number) => connectionRefused(port, address);
    for (const port of all) expect({ port, refused: await refused(port) }).toEqual({ port, refused: false });
    const stopped = () => eventually('every port freed', async () => (await Promise.all(all.map(refused))).every(Boolean), 30_000);
    return { npm, exited, stopped, output: () => output, gatewayPort, ports: all };
  }

  it('prints the explorer beside the gateway, and on Ctrl-C (SIGINT to its group) stops everything gracefully, not as if pressed twice', async () => {
    const { npm, exited, stopped, output, gatewayPort } = await start();
    expect(output()).toContain(`Explorer:              http://127.0.0.1:${gatewayPort}/explorer/`);
    process.kill(-npm.pid!, 'SIGINT');
    await stopped();
    await Promise.race([exited, new Promise((_, reject) => setTimeout(() => reject(new Error(`npm did not exit within 10 s:\n${output()}`)), 10_000).unref())]);
    expect(output()).toContain('SIGINT: stopping the gateway');
    expect(output()).not.toContain('killing what still runs');
  }, 200_000);

  // Every process listens at HOST alone: the launcher waited for each at 127.0.0.1, where nothing
  // answers, and gave up after 30 s. 127.0.0.2 answers on Linux as an address of this machine's own.
  it('given HOST one address, waits for every process there and prints the gateway and explorer there', async () => {
    const { npm, exited, stopped, output, gatewayPort } = await start(undefined, '127.0.0.2');
    expect(output()).toContain(`Explorer:              http://127.0.0.2:${gatewayPort}/explorer/`);
    process.kill(-npm.pid!, 'SIGINT');
    await stopped();
    await exited;
  }, 200_000);

  // Only a subgraph URL's port is used, yet its host had to be 127.0.0.1 or localhost: HOST's own
  // address, the one an operator would write with HOST set to it, was refused. An address of one of
  // this machine's interfaces, when it has one beside loopback.
  it('given HOST an address of this machine and each subgraph URL there, starts every process there', async () => {
    const own = Object.values(os.networkInterfaces()).flatMap((interfaces) => interfaces ?? []).find((i) => i.family === 'IPv4' && !i.internal)?.address ?? '127.0.0.2';
    const { npm, exited, stopped, output, gatewayPort } = await start(undefined, own, own);
    expect(output()).toContain(`Explorer:              http://${own}:${gatewayPort}/explorer/`);
    process.kill(-npm.pid!, 'SIGINT');
    await stopped();
    await exited;
  }, 200_000);

  it('on SIGTERM to npm alone stops every service and frees every port', async () => {
    const { npm, exited, stopped, output } = await start();
    process.kill(npm.pid!, 'SIGTERM');
    await stopped();
    await Promise.race([exited, new Promise((_, reject) => setTimeout(() => reject(new Error(`npm did not exit within 10 s:\n${output()}`)), 10_000).unref())]);
    expect(output()).not.toContain('killing what still runs');
  }, 200_000);

  it('run without npm (nohup node dist/scripts/start.js &), outlives the shell that started it', async () => {
    // The shell prints the launcher's pid, waits until the platform is ready, and is then killed.
    const { npm: shell, stopped, output, ports } = await start(['sh', ['-c', 'node dist/scripts/start.js & echo "launcher $!"; wait']]);
    const launcher = Number(/launcher (\d+)/.exec(output())![1]);
    process.kill(shell.pid!, 'SIGKILL');
    // Longer than a launcher run by npm takes to see its parent gone (it looks once a second).
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    expect((await Promise.all(ports.map((port) => connectionRefused(port)))).some(Boolean)).toBe(false);
    process.kill(launcher, 'SIGTERM');
    await stopped();
  }, 200_000);

  it('on SIGKILL to npm alone stops every service and frees every port, the launcher having seen npm go', async () => {
    const { npm, stopped, output } = await start();
    process.kill(npm.pid!, 'SIGKILL');
    await stopped();
    await eventually('the launcher saying why it stopped', () => output().includes('the process that started the launcher is gone'), 5_000);
  }, 200_000);
});

describe('npm start refused, or failing, before it serves', () => {
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

  // A configuration error, exit 2 as every process's (README, Configuration).
  // 198.51.100.1 is TEST-NET-2 (RFC 5737), for documentation: no machine's address.
  it('refuses a subgraph URL that is not on this machine, before seeding anything', async () => {
    const refused = await start({ SUBGRAPH_RECORDS_URL: 'http://198.51.100.1:4002/graphql' });
    expect(refused.code).toBe(2);
    expect(refused.output).toContain(
      '[start] configuration error: npm start runs every subgraph on this machine: SUBGRAPH_RECORDS_URL must be http://<this machine>:<port>/graphql, a port from 1 to 65535, got "http://198.51.100.1:4002/graphql": 198.51.100.1 is no address of this machine\'s',
    );
    expect(fs.readdirSync(sqliteDirectory)).toEqual([]);
  }, 100_000);

  // A HOST nothing resolves was found when the launcher first listened, after seeding, and told as a port in use.
  it('refuses a HOST that cannot be looked up, before seeding anything', async () => {
    const refused = await start({ HOST: 'no-such-host.invalid' });
    expect(refused.code).toBe(2);
    expect(refused.output).toContain('[start] configuration error: HOST names no address: "no-such-host.invalid" could not be looked up (ENOTFOUND)');
    expect(fs.readdirSync(sqliteDirectory)).toEqual([]);
  }, 100_000);

  // No DNS server answering (EAI_AGAIN) says nothing of the name, and the same settings start once
  // one does: a subgraph URL's host was a configuration error (exit 2), HOST a port in use.
  describe('when no DNS server answers', () => {
    let directory: string;
    beforeAll(() => {
      directory = fs.mkdtempSync(path.join(os.tmpdir(), 'credit-npm-start-dns-'));
    });
    afterAll(() => fs.rmSync(directory, { recursive: true, force: true }));
    const notAnswered = 'no DNS server answered (EAI_AGAIN); start again once one does, or give an address instead of the name';

    it('stops with exit 1 for a subgraph URL’s host, before seeding anything', async () => {
      const host = 'records.credit.lan';
      const stopped = await start({ SUBGRAPH_RECORDS_URL: `http://${host}:4002/graphql`, NODE_OPTIONS: dnsNotAnsweringFor(host, directory) });
      expect(stopped.code).toBe(1);
      expect(stopped.output).toContain(`[start] could not start: SUBGRAPH_RECORDS_URL's host "${host}" could not be looked up: ${notAnswered}`);
      expect(fs.readdirSync(sqliteDirectory)).toEqual([]);
    }, 100_000);

    it('stops with exit 1 for HOST, before seeding anything, not telling it as a port in use', async () => {
      const host = 'credit-host.lan';
      const databases = path.join(directory, 'databases');
      const stopped = await start({ HOST: host, SQLITE_DIRECTORY: databases, NODE_OPTIONS: dnsNotAnsweringFor(host, directory) });
      expect(stopped.code).toBe(1);
      expect(stopped.output).toContain(`[start] could not start: HOST "${host}" could not be looked up: ${notAnswered}`);
      expect(stopped.output).not.toContain('is in use');
      // Found at the launcher's port check, it had seeded the demo world first.
      expect(stopped.output).not.toContain('demo data');
      expect(fs.existsSync(databases) ? fs.readdirSync(databases) : []).toEqual([]);
    }, 100_000);
  });

  // DATABASE_PREFX once seeded the demo world under the default prefix, every process then ignoring it.
  it('refuses a mistyped setting name, naming the setting meant, before seeding anything', async () => {
    const refused = await start({ DATABASE_PREFX: 'credit_demo_' });
    expect(refused.code).toBe(2);
    expect(refused.output).toContain('[start] configuration error: DATABASE_PREFX is not a setting: did you mean DATABASE_PREFIX?');
    expect(fs.readdirSync(sqliteDirectory)).toEqual([]);
  }, 100_000);

  it('refuses one port given to two services, naming both, before seeding anything', async () => {
    const [port] = await sparePorts(1);
    const refused = await start({ GATEWAY_PORT: String(port), SUBGRAPH_AUDIT_URL: `http://127.0.0.1:${port}/graphql` });
    expect(refused.code).toBe(2);
    expect(refused.output).toContain(`port ${port} is given to both gateway and audit`);
    expect(fs.readdirSync(sqliteDirectory)).toEqual([]);
  }, 100_000);

  // From the code-review probe: npm start printed its own failure whole, where npm run seed masked
  // the same seed failure, and a launch failure (a port taken) with no word of what it was.
  it('tells a seed failure in one line, the database’s words masked as a log line is, exit 1', async () => {
    const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'credit-npm-start-seed-'));
    try {
      const records = await openDatabase('records', { kind: 'sqlite', directory }, recordsSubgraph);
      await records.query("CREATE TRIGGER refuse_all BEFORE INSERT ON credit_record BEGIN SELECT RAISE(ABORT, 'subject 11010519491231002X contact 13812345678'); END");
      await records.destroy();
      const failed = await start({ SQLITE_DIRECTORY: directory });
      expect(failed.code).toBe(1);
      expect(failed.output).toContain('[start] could not write the demo world into the records database: subject 1101**********002X contact 138****5678\n');
      expect(failed.output).not.toMatch(/11010519491231002X|13812345678/);
    } finally {
      fs.rmSync(directory, { recursive: true, force: true });
    }
  }, 100_000);

  it('tells a port another process holds in one line, exit 1', async () => {
    const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'credit-npm-start-taken-'));
    const holder = net.createServer();
    try {
      const [port] = await sparePorts(1);
      await new Promise<void>((resolve) => holder.listen(port, '127.0.0.1', resolve));
      const failed = await start({ SQLITE_DIRECTORY: directory, GATEWAY_PORT: String(port) });
      expect(failed.code).toBe(1);
      expect(failed.output).toContain(`[start] could not start: port ${port} (for gateway) is in use: stop what listens there or choose other ports (GATEWAY_PORT, SUBGRAPH_<NAME>_URL)\n`);
      expect(failed.output).not.toMatch(/^\s+at /m);
    } finally {
      holder.close();
      fs.rmSync(directory, { recursive: true, force: true });
    }
  }, 100_000);
});
