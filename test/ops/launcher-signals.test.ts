import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { projectRoot } from '../../lib/project-root';
import { subgraphNames, type SubgraphName } from '../../schema/subgraphs';
import { demoCallers, mintToken } from '../../scripts/demo/callers';
import { demoWorld } from '../../scripts/demo/world';
import { samePressMs } from '../../scripts/launch';
import { seedAll } from '../../scripts/seed';
import { alive, connectionRefused, eventually, sparePorts } from '../helpers/processes';

/**
 * `npm start` stopped with Ctrl-C: the terminal sends SIGINT to the whole foreground process
 * group. The launcher (scripts/launch.ts, as scripts/start.ts uses it) is started here in a group
 * of its own and the group is signalled, as a terminal would; the services are bundled from the
 * sources as they are now and launched on spare ports beside any platform already running.
 */
const world = demoWorld({ subjects: 30 });
// The finance officer's purpose covers enterprises only.
const enterprises = world.subjects.filter((s) => s.kind === 'ENTERPRISE');
const finance = demoCallers(world)[0];
const LOOKUP = /* GraphQL */ `query InFlight($code: String!) { subjectByCode(code: $code) { name creditRecords(first: 3) { totalCount } } }`;
const bundleDirectory = path.join(projectRoot, 'dist', 'ops', 'launcher');

/** What the launcher process runs: what `npm start` does once it has seeded. */
const launcherScript = /* ts */ `
import { launchPlatform, superviseUntilStopped } from './scripts/launch';
launchPlatform(process.env, { ...JSON.parse(process.argv[2]), quiet: true }).then(
  (platform) => {
    superviseUntilStopped(platform, (line) => console.error('[launcher] ' + line));
    console.log(JSON.stringify({ gatewayUrl: platform.gatewayUrl, pids: platform.pids }));
  },
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
`;

/** The launcher and, where launchPlatform looks for them, the gateway's and every subgraph's entry point. */
async function bundle(): Promise<string> {
  const entries = Object.fromEntries([['gateway/index', 'gateway/index.ts'], ...subgraphNames.map((n) => [`subgraphs/${n}/index`, `subgraphs/${n}/index.ts`])].map(([out, source]) => [out, path.join(projectRoot, source)]));
  const common = { bundle: true, platform: 'node', target: 'node20', packages: 'external', logLevel: 'warning' } as const;
  await build({ ...common, entryPoints: entries, outdir: bundleDirectory });
  const launcher = path.join(bundleDirectory, 'launcher.js');
  await build({ ...common, stdin: { contents: launcherScript, resolveDir: projectRoot, loader: 'ts' }, outfile: launcher });
  return launcher;
}

interface Answer {
  status?: number;
  body?: string;
  error?: string;
}

/**
 * A request surely in flight when the signal comes: its headers and half its body are sent
 * before, the rest after, so the gateway holds it open (and must answer it) until then.
 */
async function heldRequest(url: URL, body: string, headers: Record<string, string>): Promise<{ finish(): void; answer: Promise<Answer> }> {
  const bytes = Buffer.from(body);
  const req = http.request({ host: url.hostname, port: url.port, path: url.pathname, method: 'POST', agent: false, timeout: 30_000, headers: { ...headers, 'content-type': 'application/json', 'content-length': String(bytes.length) } });
  const answer = new Promise<Answer>((resolve) => {
    req.once('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.once('end', () => resolve({ status: res.statusCode, body: text }));
      res.once('error', (error) => resolve({ error: error.message }));
    });
    req.once('timeout', () => req.destroy(new Error('no answer within 30 s')));
    req.once('error', (error) => resolve({ error: `${(error as NodeJS.ErrnoException).code ?? ''} ${error.message}` }));
  });
  const half = Math.floor(bytes.length / 2);
  await new Promise<void>((resolve) => req.write(bytes.subarray(0, half), () => resolve()));
  return { finish: () => req.end(bytes.subarray(half)), answer };
}

interface Launched {
  launcher: ChildProcess;
  exited: Promise<[number | null, NodeJS.Signals | null]>;
  gatewayUrl: URL;
  pids: Record<string, number>;
  output: () => string;
}

describe('the platform launched as npm start launches it', () => {
  let launcherScriptPath: string;
  let sqliteDirectory: string;
  const secrets = { tokens: randomBytes(32), signing: randomBytes(32) };
  const running: Launched[] = [];

  beforeAll(async () => {
    launcherScriptPath = await bundle();
    sqliteDirectory = fs.mkdtempSync(path.join(os.tmpdir(), 'credit-launcher-'));
    await seedAll({ kind: 'sqlite', directory: sqliteDirectory }, { subjects: world.subjects.length });
  });
  afterEach(() => {
    // A failed test leaves nothing running.
    for (const { launcher, pids } of running.splice(0)) {
      for (const pid of Object.values(pids)) if (alive(pid)) process.kill(pid, 'SIGKILL');
      if (launcher.pid && alive(launcher.pid)) process.kill(-launcher.pid, 'SIGKILL');
    }
  });
  afterAll(() => {
    if (sqliteDirectory) fs.rmSync(sqliteDirectory, { recursive: true, force: true });
  });

  /** Starts the launcher in a process group of its own, as a shell starts `npm start`, and waits until the platform is ready. */
  async function launch(): Promise<Launched> {
    const [gatewayPort, ...ports] = await sparePorts(1 + subgraphNames.length);
    const subgraphPorts = Object.fromEntries(subgraphNames.map((n, i) => [n, ports[i]])) as Record<SubgraphName, number>;
    const launcher = spawn(process.execPath, [launcherScriptPath, JSON.stringify({ gatewayPort, subgraphPorts, servicesDirectory: bundleDirectory })], {
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        PATH: process.env.PATH,
        SQLITE_DIRECTORY: sqliteDirectory,
        AUTH_JWT_SECRET: `base64:${secrets.tokens.toString('base64')}`,
        GATEWAY_SIGNING_KEY: `base64:${secrets.signing.toString('base64')}`,
        EXPLORER: 'off',
        EXPLORER_DEMO_TOKENS: 'off',
        LOG_LEVEL: 'warn',
      },
    });
    const exited = once(launcher, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
    let output = '';
    launcher.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const ready = await new Promise<{ gatewayUrl: string; pids: Record<string, number> }>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the platform was not ready within 45 s:\n${output}`)), 45_000);
      let stdout = '';
      launcher.stdout!.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        if (!stdout.includes('\n')) return;
        clearTimeout(timer);
        resolve(JSON.parse(stdout.split('\n')[0]) as { gatewayUrl: string; pids: Record<string, number> });
      });
      void exited.then(([code]) => (clearTimeout(timer), reject(new Error(`the launcher exited with ${code} while starting:\n${output}`))));
    });
    const launched = { launcher, exited, gatewayUrl: new URL(ready.gatewayUrl), pids: ready.pids, output: () => output };
    running.push(launched);
    expect(Object.keys(ready.pids).sort()).toEqual(['gateway', ...subgraphNames].sort());
    return launched;
  }

  async function heldLookups(gatewayUrl: URL, count: number) {
    const authorization = `Bearer ${await mintToken(finance.caller, secrets.tokens)}`;
    const subjects = enterprises.slice(0, count);
    const held = await Promise.all(subjects.map((s) => heldRequest(gatewayUrl, JSON.stringify({ query: LOOKUP, variables: { code: s.identifier } }), { authorization, ...finance.headers })));
    // The headers reach the gateway, which then waits for the rest of each body.
    await new Promise((resolve) => setTimeout(resolve, 500));
    return { subjects, held };
  }

  it('on Ctrl-C (SIGINT to its process group) answers every request in flight, then stops everything and exits 0', async () => {
    const { launcher, exited, gatewayUrl, pids, output } = await launch();
    const { subjects, held } = await heldLookups(gatewayUrl, 12);

    process.kill(-launcher.pid!, 'SIGINT');
    // The gateway stops accepting: the launcher has told it to stop.
    await eventually('the gateway refusing new connections', () => connectionRefused(Number(gatewayUrl.port)), 10_000);
    for (const request of held) request.finish();

    const answers = await Promise.all(held.map((r) => r.answer));
    for (const [i, answer] of answers.entries()) {
      expect({ i, error: answer.error, status: answer.status }).toEqual({ i, error: undefined, status: 200 });
      const body = JSON.parse(answer.body!) as { data?: { subjectByCode: { name: string } }; errors?: unknown };
      expect(body.errors).toBeUndefined();
      expect(body.data?.subjectByCode.name).toBe(subjects[i].name);
    }
    const timeLimit = new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`the launcher did not exit within 30 s:\n${output()}`)), 30_000).unref());
    expect((await Promise.race([exited, timeLimit]))[0]).toBe(0);
    expect(Object.entries(pids).filter(([, pid]) => alive(pid))).toEqual([]);
  });

  it('on a second Ctrl-C kills whatever still runs at once and exits 1', async () => {
    const { launcher, exited, gatewayUrl, pids } = await launch();
    const { held } = await heldLookups(gatewayUrl, 1);

    process.kill(-launcher.pid!, 'SIGINT');
    await eventually('the gateway refusing new connections', () => connectionRefused(Number(gatewayUrl.port)), 10_000);
    // A person's second press, not the copy of the first that npm passes on (samePressMs).
    await new Promise((resolve) => setTimeout(resolve, samePressMs + 100));
    // The gateway still waits for the request it holds; the second Ctrl-C does not.
    process.kill(-launcher.pid!, 'SIGINT');
    const timeLimit = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('the launcher did not exit within 5 s')), 5_000).unref());
    expect((await Promise.race([exited, timeLimit]))[0]).toBe(1);
    await eventually('every process ending', () => Object.values(pids).every((pid) => !alive(pid)), 5_000);
    expect((await held[0].answer).error).toBeDefined();
  });

  it('when one process dies, stops every other, says which and how it ended, and exits 1', async () => {
    const { exited, pids, output } = await launch();
    process.kill(pids.records, 'SIGKILL');
    const timeLimit = new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`the launcher did not exit within 30 s:\n${output()}`)), 30_000).unref());
    expect((await Promise.race([exited, timeLimit]))[0]).toBe(1);
    expect(output()).toContain('records exited (killed by SIGKILL); stopping everything');
    await eventually('every process ending', () => Object.values(pids).every((pid) => !alive(pid)), 5_000);
  });

  it('leaves no process running when the launcher itself is killed', async () => {
    const { launcher, exited, pids } = await launch();
    // SIGKILL to the launcher alone: it cannot stop anything itself.
    process.kill(launcher.pid!, 'SIGKILL');
    await exited;
    await eventually('every process the launcher started ending', () => Object.values(pids).every((pid) => !alive(pid)), 15_000);
  });
});

/**
 * The other half of "none outlives the launcher" (lib/shutdown.ts): a process started with an IPC
 * channel stops when the channel closes, also when it closed before the process got as far as
 * handling signals (a launcher killed while the subgraphs were still starting).
 */
describe('a process a launcher started, whose launcher goes', () => {
  const service = /* ts */ `
import { createLogger } from './lib/logger';
import { handleShutdownSignals } from './lib/shutdown';
// Started, as a service is once listening, after the delay it is given.
setTimeout(() => handleShutdownSignals(createLogger('stand-in'), [{ name: 'server', stop: async () => console.log('{"step":"server stopped"}') }]), Number(process.argv[2]));
setInterval(() => {}, 1000);
`;
  let script: string;
  beforeAll(async () => {
    script = path.join(bundleDirectory, 'stand-in-service.js');
    await build({ stdin: { contents: service, resolveDir: projectRoot, loader: 'ts' }, outfile: script, bundle: true, platform: 'node', target: 'node20', packages: 'external', logLevel: 'warning' });
  });

  it.each([
    ['while it runs', 0, 500],
    ['before it handles signals', 1500, 0],
  ])('stops as on SIGTERM when the channel closes %s', async (_when, startAfterMs, goneAfterMs) => {
    const child = spawn(process.execPath, [script, String(startAfterMs)], { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = once(child, 'exit') as Promise<[number | null]>;
    const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
    try {
      await new Promise((resolve) => setTimeout(resolve, goneAfterMs));
      child.disconnect();
      expect((await exited)[0]).toBe(0);
      expect(output).toContain('"launcher":"gone"');
      expect(output).toContain('server stopped');
    } finally {
      clearTimeout(kill);
    }
  });
});
