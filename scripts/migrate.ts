import path from 'node:path';
import { quietDatabaseLogger } from '../lib/database-logger';
import { ConfigError, ConfigProblems, readNodeEnvironment } from '../lib/env';
import { projectRoot } from '../lib/project-root';
import { checkSettingNames } from '../lib/settings';
import { exitWithFailure } from '../lib/start-failure';
import { subgraphNames, type SubgraphName } from '../schema/subgraphs';
import { subgraphDefinitions } from '../subgraphs/registry';
import { databaseTarget, describeTarget, openDatabase, type DatabaseTarget } from '../subgraphs/shared/database';
import { lockSqliteDatabases } from '../subgraphs/shared/sqlite-lock';

/**
 * `npm run migrate [-- <subgraph>…]`: brings each subgraph's database schema up to date, as a
 * subgraph's start does, and exits. For a deployment that changes the schema as a user that may
 * (a deploy step, before the new release starts) and serves as a user granted its rows alone
 * (README: Running in production): the subgraphs then start on a schema already current and run
 * no DDL. Reads DATABASE_URL and DATABASE_PREFIX as the subgraphs do, NODE_ENV=production included
 * (where it creates no database, as they do not); each database is opened, migrated and closed in
 * turn, under the same lock as a starting replica's (one migrating meanwhile is waited for), and
 * the first failure ends the run in one line, exit 1, as a start's would. Exit 2 for a setting or
 * a subgraph name it cannot read, a mistyped setting name among them, checked as the subgraphs
 * check theirs: a DATABASE_PREFX or SQLITE_DIRETORY would otherwise migrate the default's databases.
 */
export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const unknown = argv.filter((name) => !subgraphNames.includes(name as SubgraphName));
  if (unknown.length) {
    console.error(`[migrate] usage: npm run migrate [-- <subgraph>…], each one of ${subgraphNames.join(', ')}; got ${unknown.map((name) => `"${name}"`).join(', ')}`);
    return 2;
  }
  const names = argv.length ? subgraphNames.filter((name) => argv.includes(name)) : subgraphNames;
  let target: DatabaseTarget;
  let warnings: string[];
  try {
    const problems = new ConfigProblems();
    warnings = problems.read(() => checkSettingNames(env)) ?? [];
    problems.read(() => readNodeEnvironment(env));
    // Every problem in one message, as a subgraph's start gives them.
    const read = problems.read(() => databaseTarget(env, path.join(projectRoot, 'data')));
    problems.check();
    target = read!;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(`[migrate] configuration error: ${error.message}`);
    return 2;
  }
  for (const warning of warnings) console.error(`[migrate] warning: ${warning}`);
  // SQLite files a running platform holds are left alone: it migrated them as it started.
  const lock = lockSqliteDatabases(target, names, 'the migrations (npm run migrate)');
  try {
    for (const name of names) await (await openDatabase(name, target, subgraphDefinitions[name], told)).destroy();
  } finally {
    lock.release();
  }
  console.log(`[migrate] ${describeTarget(target)}: the schema of ${names.join(', ')} is up to date`);
  return 0;
}

/** The migrations' own lines (each one's start and end, a wait for another replica's) and warnings; no statements. */
const told = quietDatabaseLogger((level, message) => {
  if (level === 'warn') console.error(`[migrate] ${String(message)}`);
  else if (level === 'info') console.log(`[migrate] ${String(message)}`);
});

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => process.exit(code), exitWithFailure('migrate'));
}
