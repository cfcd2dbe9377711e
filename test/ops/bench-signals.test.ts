import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import os from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { projectRoot } from '../../lib/project-root';
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

async function bundleHarness(): Promise<string> {
  const outfile = path.join(projectRoot, 'dist', 'faults', 'bench-harness.js');
  await build({ stdin: { contents: harness, resolveDir: projectRoot, loader: 'ts' }, bundle: true, platform: 'node', target: 'node20', packages: 'external', outfile, logLevel: 'warning' });
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
  let harnessProcess: ChildProcess | undefined;
  let childPids: number[] = [];

  beforeAll(async () => {
    script = await bundleHarness();
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
});
