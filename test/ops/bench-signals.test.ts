import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { projectRoot } from '../../lib/project-root';
import { serviceLogPath } from '../../scripts/bench/processes';
import { alive } from '../helpers/processes';

/**
 * The benchmark scripts (npm run bench, npm run bench:import) start services as child processes.
 * Signalled alone (`kill <pid>`, a CI job's time limit) they once exited and left those services
 * serving. A stand-in script, bundled from scripts/bench/processes.ts as it is now, starts two
 * children the way the benchmark does: one that stops on SIGTERM, one that ignores it.
 */
const harness = /* ts */ `
import { spawnNode, stopChildrenOnSignal } from './scripts/bench/processes';
stopChildrenOnSignal(500);
const child = (onTerm: string) => spawnNode(['-e', \`process.on('SIGTERM', () => { \${onTerm} }); console.log('ready'); setInterval(() => {}, 1000);\`], undefined, { stdio: ['ignore', 'pipe', 'inherit'] });
const children = [child('process.exit(0)'), child('')];
void Promise.all(children.map((c) => new Promise((ready) => c.stdout!.once('data', ready)))).then(() => console.log(JSON.stringify(children.map((c) => c.pid))));
setInterval(() => {}, 1000);
`;

/**
 * A benchmark under load when it is signalled: a load that stops when told (as autocannon's
 * does, through onInterrupt) and two services, each taking 200 ms to stop, that print when they
 * are told to. Stopped all at once, the services behind a gateway went while it was still under
 * load, and Hive Gateway printed an error for every request it could not pass on (~13,000 lines).
 */
const orderHarness = /* ts */ `
import { onInterrupt, spawnNode, stopChildrenOnSignal } from './scripts/bench/processes';
stopChildrenOnSignal(5000);
onInterrupt(() => console.log('load stopped'));
const service = (n: number) => spawnNode(['-e', \`process.on('SIGTERM', () => { console.log('stopping \${n}'); setTimeout(() => { console.log('stopped \${n}'); process.exit(0); }, 200); }); console.log('ready'); setInterval(() => {}, 1000);\`], undefined, { stdio: ['ignore', 'pipe', 'inherit'] });
const services = [service(1), service(2)];
let ready = 0;
for (const s of services) s.stdout!.on('data', (chunk: Buffer) => { for (const line of chunk.toString().trim().split('\\n')) if (line === 'ready') { if (++ready === 2) console.log('started'); } else console.log(line); });
setInterval(() => {}, 1000);
`;

/**
 * A service that, told to stop, writes errors to stderr, as Hive Gateway does for each request
 * in flight whose subgraph has gone: a signal to the whole process group (Ctrl-C, `timeout`)
 * stops the subgraphs under it at the same moment as the gateway.
 */
const noisyService = `process.on('SIGTERM', () => { for (let i = 0; i < 100; i++) console.error('SUBREQUEST_HTTP_ERROR ' + i); setTimeout(() => process.exit(0), 100); }); console.error('listening'); setInterval(() => {}, 1000);`;
const noisyHarness = /* ts */ `
import { startService, stopChildrenOnSignal } from './scripts/bench/processes';
stopChildrenOnSignal(5000);
startService('noisy-test', 'faults/noisy-service.js', process.env, undefined);
setInterval(() => {}, 1000);
`;

async function bundleHarness(contents: string, name: string): Promise<string> {
  const outfile = path.join(projectRoot, 'dist', 'faults', `${name}.js`);
  await build({ stdin: { contents, resolveDir: projectRoot, loader: 'ts' }, bundle: true, platform: 'node', target: 'node20', packages: 'external', outfile, logLevel: 'warning' });
  return outfile;
}


/** Resolves with the first line the process prints, or rejects after `ms`. */
function firstLine(child: ChildProcess, ms: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`nothing printed within ${ms} ms`)), ms);
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('\n')) {
        clearTimeout(timer);
        resolve(output.split('\n')[0]);
      }
    });
  });
}

describe('a benchmark script stopped with a signal', () => {
  let script: string;
  let orderScript: string;
  let noisyScript: string;
  let harnessProcess: ChildProcess | undefined;
  let childPids: number[] = [];

  beforeAll(async () => {
    script = await bundleHarness(harness, 'bench-harness');
    orderScript = await bundleHarness(orderHarness, 'bench-stop-order');
    noisyScript = await bundleHarness(noisyHarness, 'bench-noisy-stop');
    fs.writeFileSync(path.join(projectRoot, 'dist', 'faults', 'noisy-service.js'), noisyService);
  });
  afterEach(() => {
    // A failed test leaves nothing running.
    for (const pid of childPids) if (alive(pid)) process.kill(pid, 'SIGKILL');
    if (harnessProcess?.exitCode === null && harnessProcess.signalCode === null) harnessProcess.kill('SIGKILL');
    childPids = [];
  });

  it.each(['SIGTERM', 'SIGINT'] as const)('on %s stops every child it started, killing one that ignores SIGTERM, then exits 128 + the signal', async (signal) => {
    harnessProcess = spawn(process.execPath, [script], { stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = once(harnessProcess, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
    childPids = JSON.parse(await firstLine(harnessProcess, 15_000)) as number[];
    expect(childPids).toHaveLength(2);
    expect(childPids.every(alive)).toBe(true);

    harnessProcess.kill(signal);
    const timeLimit = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('the script did not exit within 10 s')), 10_000).unref());
    const [code] = await Promise.race([exited, timeLimit]);

    expect(code).toBe(128 + os.constants.signals[signal]);
    expect(childPids.filter(alive)).toEqual([]);
  });

  it('stops its load first, then the services newest first, each once the one started after it has exited', async () => {
    harnessProcess = spawn(process.execPath, [orderScript], { stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = once(harnessProcess, 'exit');
    let output = '';
    harnessProcess.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const deadline = Date.now() + 15_000;
    while (!output.includes('started') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    harnessProcess.kill('SIGTERM');
    await exited;
    expect(output.trim().split('\n')).toEqual(['started', 'load stopped', 'stopping 2', 'stopped 2', 'stopping 1', 'stopped 1']);
  });

  it("keeps what its services write to stderr once it has begun to stop them off the terminal, in each service's log", async () => {
    harnessProcess = spawn(process.execPath, [noisyScript], { stdio: ['ignore', 'ignore', 'pipe'] });
    const exited = once(harnessProcess, 'exit');
    let terminal = '';
    harnessProcess.stderr!.on('data', (chunk: Buffer) => (terminal += chunk.toString()));
    const deadline = Date.now() + 15_000;
    while (!terminal.includes('listening') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    harnessProcess.kill('SIGTERM');
    await exited;
    expect(terminal).toContain('SIGTERM: stopping 1 child process');
    expect(terminal).not.toContain('SUBREQUEST_HTTP_ERROR');
    const log = fs.readFileSync(serviceLogPath('noisy-test'), 'utf8');
    expect(log).toContain('listening');
    expect(log).toContain('SUBREQUEST_HTTP_ERROR 99');
  });

  it('on a second signal while it stops its children, kills them at once and exits, leaving none running', async () => {
    harnessProcess = spawn(process.execPath, [script], { stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = once(harnessProcess, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
    childPids = JSON.parse(await firstLine(harnessProcess, 15_000)) as number[];
    // The first SIGTERM gives the child that ignores it 500 ms; the second (a process group's
    // signal after the script's own, or Ctrl-C pressed again) comes before they are up.
    harnessProcess.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 100));
    harnessProcess.kill('SIGTERM');
    const [code] = await exited;
    expect(code).toBe(128 + os.constants.signals.SIGTERM);
    expect(childPids.filter(alive)).toEqual([]);
  });
});
