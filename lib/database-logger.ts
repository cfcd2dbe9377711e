import type { Logger as TypeOrmLogger } from 'typeorm';
import type { Logger } from './logger';

/**
 * TypeORM's messages into the service's JSON log instead of the console. Queries are not
 * logged (one line per statement would drown everything), and query parameters never are:
 * they carry codes, names and citizen ID numbers. A failed or slow query is logged with its SQL
 * text only. TypeORM calls logQuery for every statement it sends, so `countQuery` counts them
 * (`credit_db_queries_total`, lib/metrics.ts).
 */
export function databaseLogger(logger: Logger, countQuery: () => void = () => undefined): TypeOrmLogger {
  const log = logger.child({ component: 'database' });
  return {
    logQuery: countQuery,
    logQueryError: (error, query) => log.error({ err: typeof error === 'string' ? new Error(error) : error, sql: query }, 'query failed'),
    logQuerySlow: (time, query) => log.warn({ durationMs: time, sql: query }, 'slow query'),
    logSchemaBuild: (message) => log.debug(message),
    logMigration: (message) => log.info(message),
    log: (level, message) => (level === 'warn' ? log.warn(String(message)) : log.debug(String(message))),
  };
}
