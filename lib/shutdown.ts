import { defaultSubgraphTimeoutMs } from './deadline';
import { internalCallTimeoutMs } from './internal-client';
import type { Logger } from './logger';

export interface ShutdownStep {
  name: string;
  stop(): Promise<unknown>;
}

/**
 * Whether a launcher (scripts/launch.ts) started this process and watches over it through an IPC
 * channel. Read at import, while the channel is surely still there: a launcher that died during
 * this process's start has closed it by the time the signals are handled.
 */
const startedByLauncher = process.channel !== undefined;

/**
 * How long a subgraph's stop waits for its requests in flight (lib/http-server.ts), by the rule the
 * gateway's follows (gateway/gateway.ts longestAnswerMs): as long as one may take, which is as
 * long as its caller waits for it, the gateway's `SUBGRAPH_TIMEOUT_MS` for a GraphQL fetch or a
 * printable page (read from the same setting), its own calls' time for an audit append or a
 * register's check (lib/internal-client.ts), whichever is longer: 10 s with the defaults. The
 * gateway, stopped first, waits for its requests itself (README, Operations: stopping); this
 * keeps a call of its from being cut where the two are stopped together (Kubernetes).
 */
export function subgraphStopGracePeriodMs(subgraphTimeoutMs: number): number {
  return Math.max(subgraphTimeoutMs, internalCallTimeoutMs);
}

/** A subgraph's grace with the default SUBGRAPH_TIMEOUT_MS, and a server's given none (lib/http-server.ts). */
export const defaultStopGracePeriodMs = subgraphStopGracePeriodMs(defaultSubgraphTimeoutMs);

/**
 * When a process whose HTTP server waits `gracePeriodMs` for its requests in flight gives up on
 * its shutdown: what follows the grace period (its connections cut, its databases closed) is given
 * 15 s. A supervisor's own stop timeout (docker/compose.yaml `stop_grace_period`, a unit's
 * `TimeoutStopSec`) must be longer, or it kills the process while it still drains.
 */
export function forceAfterGraceMs(gracePeriodMs: number): number {
  return gracePeriodMs + 15_000;
}

/**
 * Graceful shutdown of a service process on SIGTERM (what an orchestrator sends, and the
 * launcher) or SIGINT (Ctrl-C on the process run alone): the steps run in order, typically the
 * HTTP server first (stop accepting, let the requests in flight finish) and the databases last. A
 * step that fails is logged and the next still runs. A second signal, or steps still running
 * after `forceAfterMs`, end the process at once with status 1.
 *
 * A process the launcher started runs in a process group of its own, out of the terminal's reach
 * (Ctrl-C is the launcher's to handle: it stops the gateway first), so it must not outlive the
 * launcher: when the launcher's channel closes without a signal first (the launcher was killed),
 * it shuts down as on SIGTERM.
 */
export function handleShutdownSignals(logger: Logger, steps: ShutdownStep[], forceAfterMs = forceAfterGraceMs(defaultStopGracePeriodMs)): void {
  let shuttingDown = false;
  const shutdown = async (cause: { signal: NodeJS.Signals } | { launcher: 'gone' }) => {
    shuttingDown = true;
    logger.info(cause, 'shutting down: no new requests, finishing those in flight');
    const force = setTimeout(() => {
      logger.error({ afterMs: forceAfterMs }, 'shutdown took too long: exiting');
      process.exit(1);
    }, forceAfterMs);
    force.unref();
    let failed = false;
    for (const step of steps) {
      try {
        await step.stop();
      } catch (error) {
        failed = true;
        logger.error({ err: error, step: step.name }, 'shutdown step failed');
      }
    }
    logger.info('stopped');
    process.exit(failed ? 1 : 0);
  };
  const onSignal = (signal: NodeJS.Signals) => {
    if (shuttingDown) {
      logger.warn({ signal }, 'second signal: exiting without waiting');
      process.exit(1);
    }
    void shutdown({ signal });
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  if (startedByLauncher) {
    // Already shutting down when the launcher goes: the requests in flight still finish.
    const launcherGone = () => {
      if (!shuttingDown) void shutdown({ launcher: 'gone' });
    };
    if (process.connected) process.once('disconnect', launcherGone);
    else launcherGone();
  }
}
