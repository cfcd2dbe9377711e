import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { projectRoot } from '../lib/project-root';
import { defaultPorts, subgraphNames } from '../schema/subgraphs';

export interface LaunchedPlatform {
  gatewayUrl: string;
  /** Resolves when any process exits on its own (a crash), with its name. */
  died: Promise<string>;
  stop(): Promise<void>;
}

/**
 * Starts the five subgraphs and the gateway from `dist/` as child processes with the given
 * environment, on their default ports, and waits until each answers `/health`.
 */
export async function launchPlatform(env: NodeJS.ProcessEnv, options: { gatewayPort?: number; quiet?: boolean } = {}): Promise<LaunchedPlatform> {
  const children: { name: string; process: ChildProcess }[] = [];
  let stopping = false;
  let reportDeath: (name: string) => void = () => {};
  const died = new Promise<string>((resolve) => (reportDeath = resolve));
  const start = (name: string, script: string, extra: NodeJS.ProcessEnv) => {
    const child = spawn(process.execPath, [path.join(projectRoot, 'dist', script)], {
      env: { ...env, ...extra, APOLLO_TELEMETRY_DISABLED: 'true' },
      stdio: options.quiet ? ['ignore', 'ignore', 'inherit'] : 'inherit',
    });
    child.on('exit', () => stopping || reportDeath(name));
    children.push({ name, process: child });
  };
  const stop = async () => {
    stopping = true;
    await Promise.all(
      children
        .filter((c) => c.process.exitCode === null && c.process.signalCode === null)
        .map(
          (c) =>
            new Promise<void>((resolve) => {
              const kill = setTimeout(() => c.process.kill('SIGKILL'), 10_000);
              c.process.once('exit', () => {
                clearTimeout(kill);
                resolve();
              });
              c.process.kill('SIGTERM');
            }),
        ),
    );
  };
  try {
    for (const name of subgraphNames) start(name, `subgraphs/${name}/index.js`, { PORT: String(defaultPorts[name]) });
    await Promise.all(subgraphNames.map((name) => waitHealthy(name, defaultPorts[name], died)));
    const gatewayPort = options.gatewayPort ?? 4000;
    start('gateway', 'gateway/index.js', { GATEWAY_PORT: String(gatewayPort) });
    await waitHealthy('gateway', gatewayPort, died);
    return { gatewayUrl: `http://127.0.0.1:${gatewayPort}/graphql`, died, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function waitHealthy(name: string, port: number, died: Promise<string>, timeoutMs = 30_000): Promise<void> {
  let dead: string | undefined;
  void died.then((n) => (dead = n));
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (dead) throw new Error(`${dead} exited while starting`);
    try {
      const response = await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(1000) });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await sleep(200);
  }
  throw new Error(`${name} did not answer on port ${port} within ${timeoutMs / 1000} s`);
}
