import { GraphQLError } from 'graphql';
import { QueryFailedError, type Logger as TypeOrmLogger } from 'typeorm';
import type { Logger } from './logger';

/**
 * TypeORM's messages into the service's JSON log instead of the console. Queries are not
 * logged (one line per statement would drown everything), and query parameters never are:
 * they carry codes, names and citizen ID numbers. A failed or slow query is logged with its SQL
 * text only (placeholders, not values), and a failure with what kind it was (`failedStatement`).
 * TypeORM calls logQuery for every statement it sends, so `countQuery` counts them
 * (`credit_db_queries_total`, lib/metrics.ts).
 */
export function databaseLogger(logger: Logger, countQuery: () => void = () => undefined): TypeOrmLogger {
  const log = logger.child({ component: 'database' });
  return {
    logQuery: countQuery,
    logQueryError: (error, query) => log.error({ failure: failedStatement(error), sql: query }, 'query failed'),
    logQuerySlow: (time, query) => log.warn({ durationMs: time, sql: query }, 'slow query'),
    logSchemaBuild: (message) => log.debug(message),
    logMigration: (message) => log.info(message),
    log: (level, message) => (level === 'warn' ? log.warn(String(message)) : log.debug(String(message))),
  };
}

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

const quotedValue = /\b(entry|value:?|values?) '(?:[^'\\]|\\.)*'/gi;

function withoutQuotedValues(message: string): string {
  return message.replace(quotedValue, "$1 '…'");
}

/** The failed statement behind an error a resolver let through, if that is what it is. */
export function failedStatementOf(error: unknown): QueryFailedError | undefined {
  const cause = error instanceof GraphQLError ? error.originalError : error;
  return cause instanceof QueryFailedError ? cause : undefined;
}
