import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import readline from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { readTimeout } from '../lib/deadline';
import { ConfigError, isWildcardHost, readHost, urlHost } from '../lib/env';
import { projectRoot } from '../lib/project-root';
import { forceAfterGraceMs, subgraphStopGracePeriodMs } from '../lib/shutdown';
import { dnsNotAnswering, StartFailure } from '../lib/start-failure';
import { defaultPorts, subgraphNames, type SubgraphName } from '../schema/subgraphs';

export interface LaunchedPlatform {
  gatewayUrl: string;
  /** Resolves when any process exits on its own (a crash), with its name and how it ended: `records exited (killed by SIGKILL)`. */
  died: Promise<string>;
  /** The process id of each process by name (`gateway`, `entities`, …), e.g. to read its memory. */
  pids: Record<string, number>;
  /** Graceful: SIGTERM to the gateway, which finishes its requests in flight, then to the subgraphs. */
  stop(): Promise<void>;
  /** At once: SIGKILL to every process still running. */
  kill(): void;
}

/**
 * Starts the five subgraphs and the gateway from `dist/` as child processes with the given
 * environment, on their default ports (or `subgraphPorts`, for a platform beside the one
 * `npm start` runs), and waits until each answers `/ready` (a subgraph: its database answers;
 * the gateway: every subgraph is ready). A port already in use stops the launch: otherwise
 * another platform's process could answer for one of ours. The gateway's explorer lists the demo
 * callers' tokens only when told to (`EXPLORER_DEMO_TOKENS`): `npm start` does, when the token
 * secret is the checkout's own demo secret (scripts/dev-secrets.ts, `demoTokensListed`).
 *
 * Each process runs in a process group of its own, so that only the launcher hears the
 * terminal's Ctrl-C (sent to the whole foreground group): were the processes to hear it too, the
 * subgraphs would stop while the gateway still has requests in flight that need them, and the
 * launcher's SIGTERM would reach the gateway as a second signal, which ends it at once
 * (lib/shutdown.ts). Out of the terminal's reach, they stop when the launcher tells them, or when
 * its IPC channel closes because the launcher died (lib/shutdown.ts): none outlives it.
 * `servicesDirectory`: where the built entry points are, `dist/` unless a test bundled its own.
 * `logLines`: given, each process's log (its stdout) is read line by line and handed to it, not printed.
 */
export async function launchPlatform(
  env: NodeJS.ProcessEnv,
  options: { gatewayPort?: number; subgraphPorts?: Record<SubgraphName, number>; quiet?: boolean; servicesDirectory?: string; logLines?: (name: string, line: string) => void } = {},
): Promise<LaunchedPlatform> {
  const ports = { ...defaultPorts, ...options.subgraphPorts, gateway: options.gatewayPort ?? 4000 };
  checkDistinctPorts(ports);
  const host = localHost(env);
  // As each subgraph reads it (a bad value: the subgraphs would each refuse it at start).
  const subgraphGraceMs = subgraphStopGracePeriodMs(readTimeout(env, 'SUBGRAPH_TIMEOUT_MS'));
  for (const [name, port] of Object.entries(ports)) await ensurePortFree(name, host, port);
  // Every process that calls a subgraph (the gateway, and subgraphs calling their peers) reads
  // these: the supergraph's own name 127.0.0.1, where nothing listens when HOST is one other address.
  env = { ...env, ...Object.fromEntries(subgraphNames.map((n) => [`SUBGRAPH_${n.toUpperCase()}_URL`, localUrl(host, ports[n], '/graphql')])) };
  const children: { name: string; process: ChildProcess }[] = [];
  let stopping = false;
  let reportDeath: (name: string) => void = () => {};
  const died = new Promise<string>((resolve) => (reportDeath = resolve));
  const servicesDirectory = options.servicesDirectory ?? path.join(projectRoot, 'dist');
  const start = (name: string, script: string, extra: NodeJS.ProcessEnv) => {
    const child = spawn(process.execPath, [path.join(servicesDirectory, script)], {
      env: { ...env, ...extra, APOLLO_TELEMETRY_DISABLED: 'true' },
      // No stdin: a process outside the terminal's foreground group that read it would be stopped (SIGTTIN).
      stdio: ['ignore', options.logLines ? 'pipe' : options.quiet ? 'ignore' : 'inherit', 'inherit', 'ipc'],
      detached: true,
    });
    const { logLines } = options;
    if (logLines && child.stdout) readline.createInterface({ input: child.stdout, crlfDelay: Infinity }).on('line', (line) => logLines(name, line));
    child.on('exit', (code, signal) => stopping || reportDeath(`${name} exited (${signal ? `killed by ${signal}` : `exit code ${code}`})`));
    children.push({ name, process: child });
  };
  const stopOne = (c: { name: string; process: ChildProcess }) =>
    new Promise<void>((resolve) => {
      if (c.process.exitCode !== null || c.process.signalCode !== null) return resolve();
      // Past its own grace period (lib/shutdown.ts, from SUBGRAPH_TIMEOUT_MS) a subgraph is killed. The gateway's follows its
      // REQUEST_TIMEOUT_MS (up to 10 minutes; gateway/gateway.ts longestAnswerMs): it ends itself past it, or a second Ctrl-C kills it.
      const kill = c.name === 'gateway' ? undefined : setTimeout(() => c.process.kill('SIGKILL'), forceAfterGraceMs(subgraphGraceMs) + 5_000);
      c.process.once('exit', () => {
        clearTimeout(kill);
        resolve();
      });
      c.process.kill('SIGTERM');
    });
  // The gateway first, so that the requests it has in flight can still reach the subgraphs.
  const stop = async () => {
    stopping = true;
    await Promise.all(children.filter((c) => c.name === 'gateway').map(stopOne));
    await Promise.all(children.filter((c) => c.name !== 'gateway').map(stopOne));
  };
  const kill = () => {
    stopping = true;
    for (const c of children) if (c.process.exitCode === null && c.process.signalCode === null) c.process.kill('SIGKILL');
  };
  try {
    for (const name of subgraphNames) start(name, `subgraphs/${name}/index.js`, { PORT: String(ports[name]) });
    await Promise.all(subgraphNames.map((name) => waitHealthy(name, host, ports[name], died)));
    start('gateway', 'gateway/index.js', { GATEWAY_PORT: String(ports.gateway), EXPLORER_DEMO_TOKENS: env.EXPLORER_DEMO_TOKENS ?? 'false' });
    await waitHealthy('gateway', host, ports.gateway, died);
    const pids = Object.fromEntries(children.map((c) => [c.name, c.process.pid ?? 0]));
    return { gatewayUrl: localGatewayUrl(env, ports.gateway), died, pids, stop, kill };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** The gateway's URL on this machine, as `npm start` launches it and `npm run tokens` names it. */
export function localGatewayUrl(env: NodeJS.ProcessEnv, port: number): string {
  return localUrl(localHost(env), port, '/graphql');
}

/**
 * Where this machine reaches what listens at HOST: 127.0.0.1 when that is every interface (0.0.0.0,
 * ::), as when unset; otherwise HOST itself, the one address (or name) a server there listens on.
 */
function localHost(env: NodeJS.ProcessEnv): string {
  const host = readHost(env);
  return isWildcardHost(host) ? '127.0.0.1' : host;
}

function localUrl(host: string, port: number, pathname: string): string {
  return `http://${urlHost(host)}:${port}${pathname}`;
}

/**
 * The launcher's end (npm start): the first Ctrl-C or SIGTERM stops the platform gracefully, the
 * gateway first, and exits 0; a second one kills whatever still runs and exits 1; a process that
 * dies on its own stops the others and exits 1, and so does the launcher run by npm once npm is
 * gone, killed past its own signal handling (a process manager's SIGKILL after its stop timed
 * out), so that nothing holds the ports for the next start. `log` prints the launcher's lines.
 */
export function superviseUntilStopped(platform: LaunchedPlatform, log: (line: string) => void): void {
  let stopping = false;
  let first: { signal: NodeJS.Signals; at: number } | undefined;
  const stopThenExit = (code: number) => {
    stopping = true;
    void platform.stop().then(() => process.exit(code));
  };
  const onSignal = (signal: NodeJS.Signals) => {
    // npm passes on the signal it gets, and a terminal's Ctrl-C reaches npm and the launcher both:
    // the same signal again within a moment is that one press, not a second.
    if (first && signal === first.signal && Date.now() - first.at < samePressMs) return;
    if (stopping) {
      log(`second ${signal}: killing what still runs`);
      platform.kill();
      process.exit(1);
    }
    first = { signal, at: Date.now() };
    log(`${signal}: stopping the gateway (it finishes the requests in flight), then the subgraphs`);
    stopThenExit(0);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  void platform.died.then((what) => {
    if (stopping) return;
    // One process down is the platform down: the others need it (the gateway every subgraph, the
    // records and reports subgraphs their peers), so all stop and the launcher exits 1, which tells
    // whatever runs it (a terminal, a process manager) to start it again.
    log(`${what}; stopping everything: start it again with npm start`);
    stopThenExit(1);
  });
  // Run by npm (npm start), whose going means its user stopped it; run on its own, the launcher
  // may outlive what started it (nohup, a shell that exits).
  if (!process.env.npm_lifecycle_event) return;
  const parent = process.ppid;
  const watch = setInterval(() => {
    if (stopping || !parentGone(parent)) return;
    clearInterval(watch);
    log('the process that started the launcher is gone; stopping everything');
    stopThenExit(1);
  }, 1000);
  watch.unref();
}

/** How soon the same signal again is the same press (npm's copy comes within milliseconds); a person's second press to force the stop comes later. */
export const samePressMs = 500;

/**
 * Whether the launcher's parent has gone: on Linux its parent id changes the moment the parent
 * exits (the launcher is handed to init); elsewhere, whether the parent still takes a signal.
 */
function parentGone(parent: number): boolean {
  try {
    const stat = fs.readFileSync('/proc/self/stat', 'utf8');
    // pid (command) state ppid …: the command may hold spaces and parentheses, so read after the last ')'.
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) !== parent;
  } catch {
    try {
      process.kill(parent, 0);
      return false;
    } catch {
      return true;
    }
  }
}

/**
 * Refuses one port given to two services, naming both: each is checked free before any starts,
 * so two given one port would pass, and the second die listening. npm start asks before seeding.
 */
export function checkDistinctPorts(ports: Record<string, number>): void {
  const owners = new Map<number, string>();
  for (const [name, port] of Object.entries(ports)) {
    const other = owners.get(port);
    if (other) throw new ConfigError(`port ${port} is given to both ${other} and ${name}: give each its own (GATEWAY_PORT, SUBGRAPH_<NAME>_URL)`);
    owners.set(port, name);
  }
}

async function ensurePortFree(name: string, host: string, port: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const probe = net.createServer();
    // Listening at a HOST that is a name looks it up first: DNS not answering is no port in use.
    probe.once('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'EAI_AGAIN' ? dnsNotAnswering('HOST', host) : new StartFailure(`port ${port} (for ${name}) is in use: stop what listens there or choose other ports (GATEWAY_PORT, SUBGRAPH_<NAME>_URL)`)),
    );
    probe.listen(port, host, () => probe.close(() => resolve()));
  });
}

async function waitHealthy(name: string, host: string, port: number, died: Promise<string>, timeoutMs = 30_000): Promise<void> {
  let dead: string | undefined;
  void died.then((n) => (dead = n));
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (dead) throw new StartFailure(`${dead} while starting`);
    try {
      const response = await fetch(localUrl(host, port, '/ready'), { signal: AbortSignal.timeout(3000) });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await sleep(200);
  }
  throw new StartFailure(`${name} did not answer on port ${port} within ${timeoutMs / 1000} s`);
}
