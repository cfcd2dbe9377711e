import type { Logger } from './logger';

export interface ShutdownStep {
  name: string;
  stop(): Promise<unknown>;
}

/**
 * Graceful shutdown of a service process on SIGTERM (what an orchestrator sends) or SIGINT
 * (Ctrl-C): the steps run in order, typically the HTTP server first (stop accepting, let the
 * requests in flight finish) and the databases last. A step that fails is logged and the next
 * still runs. A second signal, or steps still running after `forceAfterMs`, end the process at
 * once with status 1.
 */
export function handleShutdownSignals(logger: Logger, steps: ShutdownStep[], forceAfterMs = 25_000): void {
  let shuttingDown = false;
  const shutdown = async (signal: NodeJS.Signals) => {
    if (shuttingDown) {
      logger.warn({ signal }, 'second signal: exiting without waiting');
      process.exit(1);
    }
    shuttingDown = true;
    logger.info({ signal }, 'shutting down: no new requests, finishing those in flight');
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
  process.on('SIGTERM', (signal) => void shutdown(signal));
  process.on('SIGINT', (signal) => void shutdown(signal));
}
