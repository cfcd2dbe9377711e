import { GraphQLError } from 'graphql';
import { QueryFailedError, type Logger as TypeOrmLogger } from 'typeorm';
import type { Logger } from './logger';

/**
 * TypeORM's messages into the service's JSON log instead of the console. Queries are not
 * logged (one line per statement would drown everything), and query parameters never are:
 * they carry codes, names and citizen ID numbers. A failed or slow query is logged with its SQL
 * text only (placeholders, not values), and a failure with what kind it was (`failedStatement`).
 * TypeORM calls logQuery for every statement it sends, so `countQuery` counts them
 * (`credit_db_queries_total`, lib/metrics.ts). At info: each migration as it starts and ends, and a
 * start waiting for another replica's migrations (shared/rerunnable-migrations.ts).
 *
 * A statement a unique or primary key refused is logged at debug, not error. Such a refusal is
 * an answer about the data (that key is taken) that only the caller can judge, and every caller
 * that can race is written to expect it: a check's report requirement sealed by two readers at
 * once (reports' CheckRequirementRepository.seal), a credit check run twice under one
 * idempotency key, two registrations of one code or report number, the audit chain's head taken
 * by another process, writeTransaction's retries. Logged at error, those routine races would
 * page the operators. One the code does not expect is not lost: it fails its request, and the
 * subgraph logs it at error as an unexpected error (shared/subgraph.ts `formatError`, with the
 * same `failedStatement`), as it does any other error a resolver lets through. The call sites
 * cannot be told apart here instead: TypeORM hands this logger the driver's error and the SQL,
 * with no word from the caller.
 */
export function databaseLogger(logger: Logger, countQuery: () => void = () => undefined): TypeOrmLogger {
  const log = logger.child({ component: 'database' });
  return {
    logQuery: countQuery,
    logQueryError: (error, query) => {
      const failure = failedStatement(error);
      if (isUniqueViolationCode(failure.code)) log.debug({ failure, sql: query }, 'query refused by a unique key');
      else log.error({ failure, sql: query }, 'query failed');
    },
    logQuerySlow: (time, query) => log.warn({ durationMs: time, sql: query }, 'slow query'),
    logSchemaBuild: (message) => log.debug(message),
    // TypeORM's word of a failed migration, with the driver's message whole: the start failure
    // names the migration and that message without the values it quotes (rerunnable-migrations.ts).
    logMigration: (message) => log.debug(withoutQuotedValues(message)),
    // 'info': each migration as it starts and ends, and a wait for another replica's (rerunnable-migrations.ts).
    log: (level, message) => (level === 'warn' ? log.warn(String(message)) : level === 'info' ? log.info(String(message)) : log.debug(String(message))),
  };
}

/**
 * For what reports a failed statement itself, in one line (npm run import, seed, migrate; a test
 * reading a refusal): TypeORM's own logger prints it with all its parameters, for a chunk's INSERT
 * some 500 KB of codes, names and citizen ID numbers. No statement (sent, failed or slow) and no
 * schema or migration detail is logged; TypeORM's messages (its warnings; at info, each migration
 * as it starts and ends, a wait for another replica's) go to `told`, by default nowhere.
 */
export function quietDatabaseLogger(told: TypeOrmLogger['log'] = () => undefined): TypeOrmLogger {
  return { logQuery: () => undefined, logQueryError: () => undefined, logQuerySlow: () => undefined, logSchemaBuild: () => undefined, logMigration: () => undefined, log: told };
}

/** quietDatabaseLogger for npm run import and seed: its warnings go to stderr. */
export const quietDatabase = quietDatabaseLogger((level, message) => (level === 'warn' ? console.error(String(message)) : undefined));

/**
 * What a failed statement's error may tell the log. Not the error itself: TypeORM's holds the
 * statement's `parameters`, and mysql2's (`driverError`) the statement with every value written
 * in (`sql`), so a duplicate registration logged a person's name and address whole. The driver's
 * message quotes the value a key or column refused (Duplicate entry '…' for key, Incorrect string
 * value: '…'): those quotes are emptied, the key's and column's names kept.
 */
export function failedStatement(error: unknown): { type: string; code?: string; errno?: number; sqlState?: string; message: string } {
  if (typeof error === 'string') return { type: 'Error', message: withoutQuotedValues(error) };
  const failed = error as Error & { driverError?: unknown };
  const driver = (typeof failed.driverError === 'object' && failed.driverError !== null ? failed.driverError : failed) as { code?: unknown; errno?: unknown; sqlState?: unknown; sqlMessage?: unknown; message?: unknown };
  const text = (value: unknown) => (typeof value === 'string' ? value : undefined);
  return {
    type: failed.name ?? 'Error',
    ...(text(driver.code) ? { code: text(driver.code) } : {}),
    ...(typeof driver.errno === 'number' ? { errno: driver.errno } : {}),
    ...(text(driver.sqlState) ? { sqlState: text(driver.sqlState) } : {}),
    message: withoutQuotedValues(text(driver.sqlMessage) ?? text(driver.message) ?? String(error)),
  };
}

/** The drivers' codes for a statement a unique or primary key refused: mysql2's (MySQL, MariaDB) and better-sqlite3's. */
const uniqueViolationCodes: ReadonlySet<unknown> = new Set(['ER_DUP_ENTRY', 'SQLITE_CONSTRAINT_UNIQUE', 'SQLITE_CONSTRAINT_PRIMARYKEY']);

/** Whether a driver's error code (`failedStatement(error).code`) says a unique or primary key refused the statement. */
export function isUniqueViolationCode(code: unknown): boolean {
  return uniqueViolationCodes.has(code);
}

const quotedValue = /\b(entry|value:?|values?) '(?:[^'\\]|\\.)*'/gi;

function withoutQuotedValues(message: string): string {
  return message.replace(quotedValue, "$1 '…'");
}

/** The failed statement behind an error a resolver let through, if that is what it is. */
export function failedStatementOf(error: unknown): QueryFailedError | undefined {
  const cause = error instanceof GraphQLError ? error.originalError : error;
  return cause instanceof QueryFailedError ? cause : undefined;
}
