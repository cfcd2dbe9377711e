import type { DatabaseTarget } from '../../subgraphs/shared/database';
import { dropMysqlDatabase, openDatabase } from '../../subgraphs/shared/database';
import { subgraphNames } from '../../schema/subgraphs';

/**
 * The databases every integration suite runs against: SQLite always, and MySQL/MariaDB at
 * TEST_DATABASE_URL (default the local server; `TEST_DATABASE_URL=off` for SQLite only). A suite
 * gets its own MySQL databases, `credit_test_<suite>_<subgraph>`, dropped when it ends.
 */
export interface TestDatabase {
  label: 'sqlite' | 'mysql';
  target(suite: string): DatabaseTarget;
  cleanUp(suite: string): Promise<void>;
}

const mysqlUrl = process.env.TEST_DATABASE_URL ?? 'mariadb://root@127.0.0.1:3306';
/** Lets two test runs share one server (two worktrees, say) without sharing databases. */
const runTag = (process.env.TEST_RUN_TAG ?? '').replace(/[^a-z0-9]/gi, '').slice(0, 8);

const sqlite: TestDatabase = {
  label: 'sqlite',
  target: () => ({ kind: 'sqlite', directory: ':memory:' }),
  cleanUp: async () => {},
};

const mysql: TestDatabase = {
  label: 'mysql',
  target: (suite) => ({ kind: 'mysql', url: mysqlUrl, prefix: `credit_test_${runTag}${suite}_` }),
  cleanUp: async (suite) => {
    for (const name of subgraphNames) await dropMysqlDatabase(mysqlUrl, `credit_test_${runTag}${suite}_${name}`);
  },
};

export const testDatabases: TestDatabase[] = mysqlUrl === 'off' ? [sqlite] : [sqlite, mysql];

/**
 * A suite of what only MySQL has (how its indexes serve a query, say), over the MySQL database; with
 * `TEST_DATABASE_URL=off`, skipped and said so, where `describe.each` over no database fails the file.
 */
export function describeOnMysql(title: string, suite: (database: TestDatabase) => void): void {
  const onMysql = title.replace('$label', 'mysql');
  if (mysqlUrl === 'off') describe.skip(`${onMysql} (TEST_DATABASE_URL=off)`, () => it.todo('runs on MySQL only'));
  else describe(onMysql, () => suite(mysql));
}

/** What opening the database failed with, or undefined when it opened (and was closed again). */
export async function failureToOpen(...args: Parameters<typeof openDatabase>): Promise<unknown> {
  return await openDatabase(...args).then(
    async (db) => {
      await db.destroy();
      return undefined;
    },
    (e: unknown) => e,
  );
}
