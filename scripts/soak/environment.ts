import path from 'node:path';
import { subgraphNames } from '../../schema/subgraphs';
import { describeTarget, type DatabaseTarget } from '../../subgraphs/shared/database';

/** The soak's databases' prefix when DATABASE_PREFIX sets none: apart from `npm start`'s and the benchmark's. */
export const defaultSoakPrefix = 'credit_soak_';

/**
 * The environment the soak's processes run with: its own databases (SQLite under data/soak, or
 * DATABASE_PREFIX's on the server DATABASE_URL names, credit_soak_* unless set, so that two soaks
 * on one server, each with its prefix, do not drop each other's), rate limits on with budgets of
 * `budgetPerMinute`, and warnings and errors logged only.
 */
export function soakEnvironment(given: NodeJS.ProcessEnv, dataDirectory: string, budgetPerMinute: number): NodeJS.ProcessEnv {
  return {
    ...given,
    SQLITE_DIRECTORY: path.join(dataDirectory, 'soak'),
    DATABASE_PREFIX: given.DATABASE_PREFIX || defaultSoakPrefix,
    RATE_LIMIT: 'on',
    RATE_LIMIT_CALLER_PER_MINUTE: String(budgetPerMinute),
    RATE_LIMIT_ORGANISATION_PER_MINUTE: String(budgetPerMinute),
    LOG_LEVEL: 'warn',
  };
}

/** The soak's start line: the databases it is about to drop and seed afresh, by name. */
export function describeSoakDatabases(target: DatabaseTarget): string {
  const where = target.kind === 'sqlite' ? describeTarget(target) : `${describeTarget(target)}: ${subgraphNames.map((name) => `${target.prefix}${name}`).join(', ')}`;
  return `dropping and seeding afresh the soak's databases, ${where}`;
}
