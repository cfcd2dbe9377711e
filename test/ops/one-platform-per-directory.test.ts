import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { projectRoot } from '../../lib/project-root';
import { StartFailure } from '../../lib/start-failure';
import { seedAll } from '../../scripts/seed';
import { sparePorts } from '../helpers/processes';

const secret = `base64:${Buffer.alloc(32, 7).toString('base64')}`;

/**
 * A second `npm start` in one directory, on other ports, served the same SQLite files beside the
 * first, quietly: the two raced on every write, and one's audit appends failed on the other's.
 * Each subgraph process now holds its SQLite file (a lock the system lets go of when the process
 * dies), and a second one on the file stops at start in one line naming the directory and the
 * first's process; the demo seed holds all five before it opens any. The entry points, bundled
 * from the sources as they are now, are run as separate processes.
 */
describe('a SQLite file served by one process at a time', () => {
  const bundleDirectory = path.join(projectRoot, 'dist', 'ops', 'sqlite-lock');
  let directory: string;
  const running: ChildProcess[] = [];

  beforeAll(async () => {
    directory = fs.mkdtempSync(path.join(os.tmpdir(), 'credit-sqlite-lock-'));
    await build({
      entryPoints: { audit: path.join(projectRoot, 'subgraphs/audit/index.ts'), entities: path.join(projectRoot, 'subgraphs/entities/index.ts') },
      outdir: bundleDirectory,
      bundle: true,
      platform: 'node',
      target: 'node20',
      packages: 'external',
      logLevel: 'warning',
    });
  });
  afterEach(async () => {
    await Promise.all(running.splice(0).map((child) => stop(child, 'SIGTERM')));
  });
  afterAll(() => {
    if (directory) fs.rmSync(directory, { recursive: true, force: true });
  });

  async function stop(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill(signal);
    await exited;
  }

  /** The subgraph, started on a spare port: once it serves, or once it exited, with its log lines. */
  async function start(name: 'audit' | 'entities'): Promise<{ child: ChildProcess; serving: boolean; code: number | null; lines: Record<string, unknown>[]; stderr: string }> {
    const [port] = await sparePorts(1);
    const child = spawn(process.execPath, [path.join(bundleDirectory, `${name}.js`)], {
      env: { PATH: process.env.PATH, GATEWAY_SIGNING_KEY: secret, SQLITE_DIRECTORY: directory, PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    running.push(child);
    let stdout = '';
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const lines = () => stdout.split('\n').slice(0, -1).map((line) => JSON.parse(line) as Record<string, unknown>);
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    const serving = await new Promise<boolean>((resolve) => {
      child.stdout!.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        if (lines().some((line) => line.msg === 'serving')) resolve(true);
      });
      child.once('exit', () => resolve(false));
    });
    clearTimeout(timer);
    if (!serving && child.exitCode === null) await once(child, 'exit');
    return { child, serving, code: child.exitCode, lines: lines(), stderr };
  }

  const heldBy = (pid: number) =>
    new RegExp(
      `^could not start: the SQLite directory ${directory.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is in use: audit\\.sqlite is held by the audit subgraph, process ${pid}, since \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ \\(its lock, audit\\.sqlite\\.lock\\); ` +
        'a directory serves one platform at a time: stop that one \\(another npm start in this directory\\?\\), or give this one a directory of its own \\(SQLITE_DIRECTORY\\)$',
    );

  it('refuses a second audit subgraph on the same file: exit 1, one line naming the directory and the first one’s process; the first serves on', async () => {
    const first = await start('audit');
    expect(first.serving).toBe(true);
    const second = await start('audit');
    expect({ serving: second.serving, code: second.code, stderr: second.stderr }).toEqual({ serving: false, code: 1, stderr: '' });
    expect(second.lines).toEqual([{ level: 'fatal', time: expect.any(String), service: 'audit', msg: expect.stringMatching(heldBy(first.child.pid!)) }]);
    expect(first.child.exitCode).toBeNull();
  }, 60_000);

  it('lets another subgraph serve its own file of the same directory', async () => {
    expect((await start('audit')).serving).toBe(true);
    expect((await start('entities')).serving).toBe(true);
  }, 60_000);

  it('lets the file be served again once its holder is killed (SIGKILL), and once it stopped', async () => {
    const killed = await start('audit');
    expect(killed.serving).toBe(true);
    await stop(killed.child, 'SIGKILL');
    const next = await start('audit');
    expect(next.serving).toBe(true);
    await stop(next.child, 'SIGTERM');
    expect((await start('audit')).serving).toBe(true);
  }, 90_000);

  it('refuses the demo seed (npm start’s, before it launches anything) while a subgraph holds a file, before it opens any database', async () => {
    const seeded = fs.mkdtempSync(path.join(os.tmpdir(), 'credit-sqlite-lock-seed-'));
    const holder = spawn(process.execPath, [path.join(bundleDirectory, 'audit.js')], {
      env: { PATH: process.env.PATH, GATEWAY_SIGNING_KEY: secret, SQLITE_DIRECTORY: seeded, PORT: String((await sparePorts(1))[0]) },
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    running.push(holder);
    try {
      await new Promise<void>((resolve, reject) => {
        holder.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('"msg":"serving"') && resolve());
        holder.once('exit', () => reject(new Error('the audit subgraph did not start')));
      });
      const refused = await seedAll({ kind: 'sqlite', directory: seeded }, { subjects: 10 }).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(refused).toBeInstanceOf(StartFailure);
      expect((refused as Error).message).toContain(`the SQLite directory ${seeded} is in use: audit.sqlite is held by the audit subgraph, process ${holder.pid}`);
      // No other database was made, let alone seeded: only the audit subgraph's, and the locks.
      expect(fs.readdirSync(seeded).filter((file) => file.endsWith('.sqlite')).sort()).toEqual(['audit.sqlite']);
    } finally {
      await stop(holder, 'SIGTERM');
      fs.rmSync(seeded, { recursive: true, force: true });
    }
  }, 90_000);
});
