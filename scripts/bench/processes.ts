import { spawn, spawnSync, type ChildProcess, type SpawnOptions } from 'node:child_process';
import fs from 'node:fs';
import { once } from 'node:events';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { projectRoot } from '../../lib/project-root';

/**
 * The benchmark's processes: each started from `dist/` as its own Node process and, where
 * `taskset` exists, pinned to the CPUs it is given, so that a gateway competes with the
 * subgraphs and the load generator only as much as the machine forces it to.
 */
export const canPin = spawnSync('taskset', ['-p', String(process.pid)], { stdio: 'ignore' }).status === 0;

/** Pins a running process, all its threads, to `cpus`, e.g. "0": this one (the harness and its load generator), or a service. */
export function pin(pid: number, cpus: string): void {
  if (canPin) spawnSync('taskset', ['-a', '-p', '-c', cpus, String(pid)], { stdio: 'ignore' });
}

export interface Service {
  name: string;
  pid: number;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** Where a service's log (its stdout) goes: a file, so that the harness spends no CPU reading it. */
export const serviceLogPath = (name: string) => path.join(projectRoot, 'data', 'bench', 'logs', `${name}.log`);

/** The child processes a benchmark script started that have not exited yet. */
const children = new Set<ChildProcess>();
let interruptedBy: NodeJS.Signals | undefined;

/** The signal that interrupted this benchmark script, once one has (see stopChildrenOnSignal). */
export const interrupted = () => interruptedBy;

/**
 * `node args`, pinned to `cpus` (e.g. "0", "0-1") when given and taskset exists (taskset execs the
 * command: the pid is Node's own), and stopped with this script on a signal. Refused once the
 * script has been interrupted, so that no service starts after the others were stopped.
 */
export function spawnNode(args: string[], cpus: string | undefined, options: SpawnOptions): ChildProcess {
  if (interruptedBy) throw new Error(`interrupted by ${interruptedBy}: not starting ${args.at(-1)}`);
  const child = canPin && cpus ? spawn('taskset', ['-c', cpus, process.execPath, ...args], options) : spawn(process.execPath, args, options);
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

/** SIGTERM, then SIGKILL if the process has not exited after `graceMs`; resolves once it has exited. */
async function stopChild(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  const kill = setTimeout(() => child.kill('SIGKILL'), graceMs);
  child.kill('SIGTERM');
  await exited;
  clearTimeout(kill);
}

/** What stops the load under way (autocannon's stop), told before any service is. */
const loadStoppers = new Set<() => void>();

/**
 * Registers `stop`, called on an interruption before the services are stopped; returns what
 * unregisters it, for when the load has ended.
 */
export function onInterrupt(stop: () => void): () => void {
  loadStoppers.add(stop);
  return () => void loadStoppers.delete(stop);
}

/**
 * Ctrl-C in a terminal signals the services too (the whole process group), but a SIGTERM to the
 * benchmark script alone (`kill`, a CI job's time limit) left them serving, holding their ports
 * and CPU for whatever ran next. On SIGINT or SIGTERM the script now stops its load (onInterrupt),
 * then every child it started (spawnNode), the newest first, each once the one after it has
 * exited: the gateways before the subgraphs they call. Stopped all at once, under load, Hive
 * Gateway printed an error for each request it could no longer pass on, some 13,000 lines. Then
 * it exits as the signal would have ended it, with 128 + its number.
 */
export function stopChildrenOnSignal(graceMs = 10_000): void {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      // A second signal while the children stop (Ctrl-C again; `timeout` signals the script, then
      // its process group) killed the script, and a child that had not yet stopped was left
      // running, holding its port: now they are killed at once.
      if (interruptedBy) {
        const exitCode = 128 + os.constants.signals[interruptedBy];
        const left = Array.from(children);
        for (const child of left) child.kill('SIGKILL');
        void Promise.all(left.map((child) => once(child, 'exit'))).finally(() => process.exit(exitCode));
        return;
      }
      interruptedBy = signal;
      for (const stop of loadStoppers) stop();
      console.error(`\n${signal}: stopping ${children.size} child process${children.size === 1 ? '' : 'es'}`);
      const stopInTurn = async () => {
        for (const child of Array.from(children).reverse()) await stopChild(child, graceMs);
      };
      void stopInTurn().finally(() => process.exit(128 + os.constants.signals[signal]));
    });
  }
}

/**
 * The child's exit code once it has exited, or, past `limitMs`, an error naming `what` after the
 * child is stopped (SIGTERM, then SIGKILL): a child that hangs must not hold the benchmark for good.
 */
export async function exitWithin(child: ChildProcess, limitMs: number, what: string): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
  const exited = once(child, 'exit') as Promise<[number | null]>;
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), limitMs)));
  const outcome = await Promise.race([exited, late]);
  clearTimeout(timer);
  if (outcome !== 'late') return outcome[0];
  await stopChild(child, 10_000);
  throw new Error(`${what} did not end within ${limitMs / 1000} s, and was stopped`);
}

/**
 * Starts `script` (relative to dist/) with `node [nodeArgs]`, pinned to `cpus` when given, its
 * stdout to serviceLogPath(name) and its stderr there too, and on the terminal until the service
 * is told to stop (its stop(), or the script's interruption). Then the peers print an error for
 * each request in flight whose subgraph has gone: a signal to the whole process group (Ctrl-C,
 * `timeout`) stops the subgraphs at the same moment as the gateways, and Hive Gateway printed
 * some 13,000 lines of SUBREQUEST_HTTP_ERROR over whatever the run had said.
 */
export function startService(name: string, script: string, env: NodeJS.ProcessEnv, cpus: string | undefined, nodeArgs: string[] = []): Service {
  const args = [...nodeArgs, path.join(projectRoot, 'dist', script)];
  fs.mkdirSync(path.dirname(serviceLogPath(name)), { recursive: true });
  const log = fs.openSync(serviceLogPath(name), 'w');
  const stdio: ['ignore', number, 'pipe'] = ['ignore', log, 'pipe'];
  const child = spawnNode(args, cpus, { env, stdio });
  fs.closeSync(log);
  // Written as it comes (a service says little on stderr): the script may exit right after its services.
  const errors = fs.openSync(serviceLogPath(name), 'a');
  let stopping = false;
  child.stderr!.on('data', (chunk: Buffer) => {
    fs.writeSync(errors, chunk);
    if (!stopping && !interruptedBy) process.stderr.write(chunk);
  });
  child.stderr!.once('close', () => fs.closeSync(errors));
  const stop = () => {
    stopping = true;
    return stopChild(child, 30_000);
  };
  return { name, pid: child.pid ?? 0, child, stop };
}

/** Waits until `url` answers 2xx to `init` (a readiness route, or a trivial query), or throws. */
export async function waitAnswering(service: Service, url: string, init: RequestInit = {}, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (service.child.exitCode !== null) {
      const tail = fs.readFileSync(serviceLogPath(service.name), 'utf8').trim().split('\n').slice(-5).join('\n');
      throw new Error(`${service.name} exited while starting (code ${service.child.exitCode}); the end of ${path.relative(projectRoot, serviceLogPath(service.name))}:\n${tail}`);
    }
    try {
      if ((await fetch(url, { ...init, signal: AbortSignal.timeout(2000) })).ok) return;
    } catch {
      // not listening yet
    }
    await sleep(200);
  }
  throw new Error(`${service.name} did not answer ${url} within ${timeoutMs / 1000} s`);
}

const ticksPerSecond = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

/** CPU seconds (user + system) a process has used, from /proc/<pid>/stat; NaN where there is no /proc. */
export function cpuSeconds(pid: number): number {
  try {
    // Fields after the parenthesised command name: state is 3rd, utime the 14th, stime the 15th.
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
  } catch {
    return NaN;
  }
}

/** A memory figure of a process from /proc/<pid>/status (`VmRSS` now, `VmHWM` its peak), in MiB; undefined where there is no /proc. */
export function statusMiB(pid: number, field: 'VmRSS' | 'VmHWM'): number | undefined {
  try {
    const kib = new RegExp(`${field}:\\s+(\\d+) kB`).exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kib ? Number(kib) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** Peak resident memory (VmHWM) in MiB since start or the last resetPeakMemory. */
export function peakMemoryMiB(pid: number): number {
  return statusMiB(pid, 'VmHWM') ?? NaN;
}

/** Resets VmHWM to the current RSS (Linux: writing 5 to clear_refs), so that each measurement has its own peak. */
export function resetPeakMemory(pid: number): void {
  try {
    fs.writeFileSync(`/proc/${pid}/clear_refs`, '5');
  } catch {
    // Not Linux, or not allowed: the peak is then the process's peak since start.
  }
}
