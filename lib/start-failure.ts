import pino from 'pino';
import { ConfigError } from './env';
import { createLogger, type Logger } from './logger';

/**
 * A process could not start where it was told to: the database its settings name cannot be
 * reached, refuses its user or has no connection left for it, is missing (in production) or
 * refuses a migration's statement; the port it is given is taken. Thrown where the failure is
 * understood, in words naming the setting (or the migration) to look at, and told in one line
 * without a stack (which says nothing an operator can act on). Exit 1, not a configuration error's
 * 2: the same settings may start once the database is up, the port free or the cause fixed (a
 * migration not recorded runs again), so a process manager may retry.
 */
export class StartFailure extends Error {
  override name = 'StartFailure';
}

/** An address as a start failure names it, `host:port`, an IPv6 host in brackets (`[::1]:4000`) so that its port reads apart. */
export function addressOf(host: string, port: number): string {
  return `${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/**
 * What a process that could not start (or a command that failed) tells, and its exit code: a
 * failure understood in one line, or one nobody foresaw with its stack, for a bug report.
 */
type FailureReport = { exitCode: 1 | 2 } & ({ line: string } | { unexpected: unknown });

function failureReport(error: unknown): FailureReport {
  if (error instanceof ConfigError) return { line: `configuration error: ${error.message}`, exitCode: 2 };
  if (error instanceof StartFailure) return { line: `could not start: ${error.message}`, exitCode: 1 };
  return { unexpected: error, exitCode: 1 };
}

/**
 * A service's end when it could not start: one fatal log line, then its exit code. LOG_LEVEL=silent
 * writes no line, and the process would exit unexplained: the same line (masked and redacted as
 * every log line is) then goes to stderr, which the service writes nothing else to.
 */
export function exitWithFatal(logger: Logger, error: unknown): never {
  const report = failureReport(error);
  const told = logger.isLevelEnabled('fatal') ? logger : createLogger(String(logger.bindings().service), { level: 'fatal', destination: pino.destination({ dest: 2, sync: true }) });
  if ('line' in report) told.fatal(report.line);
  else told.fatal({ err: report.unexpected }, 'could not start');
  process.exit(report.exitCode);
}

/**
 * The end of a command (`npm run seed`, `tokens`, `import`, `bench`, `soak`): its failure on
 * stderr, `[command] …`, and the exit code failureReport gives it.
 */
export function exitWithFailure(command: string): (error: unknown) => never {
  return (error) => {
    const report = failureReport(error);
    if ('line' in report) console.error(`[${command}] ${report.line}`);
    else console.error(`[${command}] failed:`, report.unexpected);
    process.exit(report.exitCode);
  };
}
