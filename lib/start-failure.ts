import pino from 'pino';
import { ConfigError, urlHost } from './env';
import { createLogger, type Logger } from './logger';
import { maskedConsole } from './masked-console';

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

/**
 * A host name no DNS server answered for (EAI_AGAIN: none reachable, or none answering in time),
 * `named` saying whose it is (`HOST`, `SUBGRAPH_RECORDS_URL's host`): the name may well be right,
 * and the same settings start once DNS answers, so a start failure (exit 1), not the configuration
 * error of a name DNS says does not exist (ENOTFOUND, lib/env.ts readHost).
 */
export function dnsNotAnswering(named: string, host: string): StartFailure {
  return new StartFailure(`${named} "${host}" could not be looked up: no DNS server answered (EAI_AGAIN); start again once one does, or give an address instead of the name`);
}

/** An address as a start failure names it, `host:port`, an IPv6 host in brackets (`[::1]:4000`) so that its port reads apart. */
export function addressOf(host: string, port: number): string {
  return `${urlHost(host)}:${port}`;
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
 * Where a service's last line goes: its log. LOG_LEVEL=silent writes no line, and the process
 * would exit unexplained: the same line (masked and redacted as every log line is) then goes to
 * stderr, which the service writes nothing else to. Both write synchronously (createLogger), so
 * the line is out before process.exit().
 */
function fatalLog(logger: Logger): Logger {
  return logger.isLevelEnabled('fatal') ? logger : createLogger(String(logger.bindings().service), { level: 'fatal', destination: pino.destination({ dest: 2, sync: true }) });
}

/** A service's end when it could not start: one fatal log line, then its exit code. */
export function exitWithFatal(logger: Logger, error: unknown): never {
  const report = failureReport(error);
  const told = fatalLog(logger);
  if ('line' in report) told.fatal(report.line);
  else told.fatal({ err: report.unexpected }, 'could not start');
  process.exit(report.exitCode);
}

/**
 * A service's end on a fault nothing caught (an exception thrown from a timer, a callback or an
 * event listener; a promise rejected without a handler), from its boot on: one fatal line with
 * the error and its stack, as `could not start` tells the unforeseen, then exit 1. Node's own
 * ending prints a plain stack on stderr, the one line of a service's output that is no JSON, and
 * masks nothing: an ID number in the error's message would reach the log whole.
 * No graceful drain (lib/shutdown.ts): the fault left whatever it interrupted half done (a
 * transaction, a lock, a stream, a request's bookkeeping), so the requests in flight would finish
 * on a state nobody knows, and the shutdown steps could wait on it for ever. A process manager, or
 * npm start (which stops the platform when one process dies), starts it afresh.
 */
export function exitOnUncaughtFault(logger: Logger): void {
  const exit = (msg: string) => (error: unknown) => {
    fatalLog(logger).fatal({ err: error }, msg);
    process.exit(1);
  };
  process.on('uncaughtException', exit('uncaught exception: exiting'));
  process.on('unhandledRejection', exit('unhandled promise rejection: exiting'));
}

/**
 * The end of a command (`npm start`, `npm run seed`, `tokens`, `import`, `bench`, `soak`): its
 * failure on stderr, `[command] …`, and the exit code failureReport gives it. Masked as a log line
 * is (maskedConsole): an ID number or a mobile number in an error's message, stack or fields (a row
 * of an import) would reach a terminal's or a CI job's log whole.
 */
export function exitWithFailure(command: string): (error: unknown) => never {
  return (error) => {
    const report = failureReport(error);
    if ('line' in report) maskedConsole.error(`[${command}] ${report.line}`);
    else maskedConsole.error(`[${command}] failed:`, report.unexpected);
    process.exit(report.exitCode);
  };
}
