import { spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { projectRoot } from '../../lib/project-root';
import { connectionRefused, eventually, sparePorts } from '../helpers/processes';

const secret = `base64:${Buffer.alloc(32, 7).toString('base64')}`;

/**
 * A fault nothing caught (an exception thrown from an event listener or a timer, a promise rejected
 * without a handler) once ended a service with Node's plain stack on stderr, the error's message
 * unmasked (an ID number in it reached the log whole), the one line of its log that was no JSON.
 * The gateway and a subgraph, bundled from their entry points as they are now with a fixture that
 * faults on SIGUSR2, are started, faulted once listening, and read.
 */
describe('a service process meeting a fault nothing caught', () => {
  const bundleDirectory = path.join(projectRoot, 'dist', 'ops', 'uncaught-fault');
  const entries = { gateway: './gateway/index', audit: './subgraphs/audit/index' } as const;
  let sqliteDirectory: string;
  beforeAll(async () => {
    sqliteDirectory = fs.mkdtempSync(path.join(os.tmpdir(), 'credit-uncaught-fault-'));
    for (const [name, entry] of Object.entries(entries)) {
      await build({
        stdin: { contents: `import '${entry}';\nimport './test/fixtures/fault-on-signal';\n`, resolveDir: projectRoot, loader: 'ts' },
        outfile: path.join(bundleDirectory, `${name}.js`),
        bundle: true,
        platform: 'node',
        target: 'node20',
        packages: 'external',
        logLevel: 'warning',
      });
    }
  });
  afterAll(() => fs.rmSync(sqliteDirectory, { recursive: true, force: true }));

  /** The service started with `env`, sent SIGUSR2 once it listens: how it ended and what it wrote. */
  async function faulted(name: keyof typeof entries, env: Record<string, string>): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
    const [port] = await sparePorts(1);
    const settings = name === 'gateway' ? { AUTH_JWT_SECRET: secret, EXPLORER: 'off', GATEWAY_PORT: String(port) } : { SQLITE_DIRECTORY: sqliteDirectory, PORT: String(port) };
    const child = spawn(process.execPath, [path.join(bundleDirectory, `${name}.js`)], { env: { PATH: process.env.PATH, GATEWAY_SIGNING_KEY: secret, ...settings, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    try {
      await eventually(`${name} listening`, async () => child.exitCode !== null || !(await connectionRefused(port)), 15_000);
      child.kill('SIGUSR2');
      const [code, signal] = await exited;
      return { code, signal, stdout, stderr };
    } finally {
      clearTimeout(timer);
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await exited;
      }
    }
  }

  // test/fixtures/fault-on-signal.ts's message (not imported: it would fault this process on SIGUSR2), and as every log line masks it.
  const faultMessage = 'a fault nobody foresaw, about 110101199003077777 (13812345678)';
  const masked = 'a fault nobody foresaw, about 1101**********7777 (138****5678)';
  const fatalLine = (service: string, msg: string) => ({
    level: 'fatal',
    time: expect.any(String),
    service,
    msg,
    err: expect.objectContaining({ type: 'Error', message: masked, stack: expect.stringContaining(`Error: ${masked}\n    at `) }),
  });

  it.each([
    ['gateway', 'an exception thrown from a listener', {}, 'uncaught exception: exiting'],
    ['audit', 'a promise rejected without a handler', { FAULT: 'rejection' }, 'unhandled promise rejection: exiting'],
  ] as const)('%s told of %s ends with one fatal JSON line, masked, with the error and its stack, and exit code 1', async (name, _fault, env, msg) => {
    const ran = await faulted(name, env);
    expect({ code: ran.code, signal: ran.signal, stderr: ran.stderr }).toEqual({ code: 1, signal: null, stderr: '' });
    const lines = ran.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.filter((line) => line.level === 'fatal')).toEqual([fatalLine(name, msg)]);
    expect(lines.at(-1)).toEqual(fatalLine(name, msg));
    expect(ran.stdout).not.toContain('110101199003077777');
    expect(ran.stdout).not.toContain('13812345678');
  });

  it('gateway at LOG_LEVEL=silent still tells it, in the same line on stderr', async () => {
    const ran = await faulted('gateway', { LOG_LEVEL: 'silent' });
    expect({ code: ran.code, signal: ran.signal, stdout: ran.stdout }).toEqual({ code: 1, signal: null, stdout: '' });
    const lines = ran.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0])).toEqual(fatalLine('gateway', 'uncaught exception: exiting'));
    expect(ran.stderr).not.toContain('110101199003077777');
  });

  /**
   * A peered subgraph (records, reports) makes its definition from its peers' settings once they
   * are read (runSubgraph), and a throw from it, before the service had its logger, ended the
   * process with Node's plain stack, unmasked. runSubgraph, as the records entry point calls it,
   * given a definition that throws the fixture's message.
   */
  it('records whose definition throws at boot ends with one fatal JSON line, masked, with the error and its stack, and exit code 1', async () => {
    const entry = path.join(bundleDirectory, 'define-throws.js');
    await build({
      stdin: {
        contents: [
          "import { runSubgraph } from './subgraphs/shared/subgraph';",
          "import { readRecordsPeers } from './subgraphs/records/config';",
          `void runSubgraph({ name: 'records', readPeers: readRecordsPeers, define: () => { throw new Error(${JSON.stringify(faultMessage)}); } });`,
        ].join('\n'),
        resolveDir: projectRoot,
        loader: 'ts',
      },
      outfile: entry,
      bundle: true,
      platform: 'node',
      target: 'node20',
      packages: 'external',
      logLevel: 'warning',
    });
    const [port] = await sparePorts(1);
    const child = spawn(process.execPath, [entry], { env: { PATH: process.env.PATH, GATEWAY_SIGNING_KEY: secret, SQLITE_DIRECTORY: sqliteDirectory, PORT: String(port) }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    const [code, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null];
    clearTimeout(timer);
    expect({ code, signal, stderr }).toEqual({ code: 1, signal: null, stderr: '' });
    const lines = stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines).toEqual([fatalLine('records', 'could not start')]);
    expect(stdout).not.toContain('110101199003077777');
    expect(stdout).not.toContain('13812345678');
  });
});
