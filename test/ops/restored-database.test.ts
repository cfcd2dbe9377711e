import { randomBytes } from 'node:crypto';
import mysql from 'mysql2/promise';
import { DataSource, type Logger } from 'typeorm';
import { entitiesSubgraph } from '../../subgraphs/entities/subgraph';
import { providersSubgraph } from '../../subgraphs/providers/subgraph';
import { dataSourceOptions, openDatabase, type DatabaseTarget, type DataModel } from '../../subgraphs/shared/database';
import { startSubgraph, type SubgraphDefinition } from '../../subgraphs/shared/subgraph';
import { quietDatabaseLogger } from '../../lib/database-logger';
import { StartFailure } from '../../lib/start-failure';
import { failureToOpen, testDatabases } from '../helpers/databases';
import { postGraphQL } from '../helpers/graphql';
import { signedBy, testSigningKey } from '../helpers/identity';

/**
 * A database backed up with mysqldump and restored by hand (`CREATE DATABASE x; mysql x < dump.sql`)
 * takes the server's default collation (MariaDB utf8mb4_general_ci, MySQL 8 utf8mb4_0900_ai_ci),
 * while its restored tables keep the platform's, utf8mb4_unicode_ci. The tables the next release's
 * migrations created took the database's default: name searches then failed with "Illegal mix of
 * collations", and some migrations failed outright, at every start.
 */
const mysqlDatabase = testDatabases.find((d) => d.label === 'mysql');
const onServer = mysqlDatabase ? describe : describe.skip;

onServer('a database restored into one of the server’s default collation', () => {
  const suite = 'restored';
  const target = mysqlDatabase?.target(suite) as Extract<DatabaseTarget, { kind: 'mysql' }>;
  const serverUrl = new URL(target?.url ?? 'mysql://unused');
  const root = () => mysql.createConnection({ host: serverUrl.hostname, port: Number(serverUrl.port || 3306), user: decodeURIComponent(serverUrl.username) || 'root', password: decodeURIComponent(serverUrl.password) });
  const sql = async <T>(statement: string, values: unknown[] = []): Promise<T> => {
    const connection = await root();
    try {
      return (await connection.query(statement, values))[0] as T;
    } finally {
      await connection.end();
    }
  };
  const warningsOf = (warnings: string[]): Logger => quietDatabaseLogger((level, message) => void (level === 'warn' && warnings.push(String(message))));

  afterAll(async () => {
    await mysqlDatabase?.cleanUp(suite);
    await mysqlDatabase?.cleanUp('restoredfresh');
  });

  /**
   * The database as a restore leaves it: the tables of the migrations up to `restoredUpTo`, in the
   * platform's collation (as the dump states it for each), and `rows` written into them, in a
   * database whose default is the server's own.
   */
  async function restored(definition: { name: string } & DataModel, restoredUpTo: string, rows: string[]): Promise<string> {
    await mysqlDatabase!.cleanUp(suite);
    const name = `${target.prefix}${definition.name}`;
    const index = definition.migrations.findIndex((m) => m.name === restoredUpTo);
    expect(index).toBeGreaterThanOrEqual(0);
    const db = await openDatabase(definition.name, target, { entities: [], migrations: definition.migrations.slice(0, index + 1) }, quietDatabaseLogger());
    try {
      for (const row of rows) await db.query(row);
    } finally {
      await db.destroy();
    }
    await sql(`ALTER DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci`);
    return name;
  }

  const collations = (database: string) =>
    sql<{ name: string; collation: string }[]>('SELECT TABLE_NAME AS name, TABLE_COLLATION AS collation FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME', [database]);
  const defaultCollation = async (database: string) =>
    (await sql<{ collation: string }[]>('SELECT DEFAULT_COLLATION_NAME AS collation FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?', [database]))[0].collation;

  /** The subgraph started on the database, asked `query`. */
  async function served<TContext extends object>(definition: SubgraphDefinition<TContext>, logger: Logger, query: string, variables: Record<string, unknown>): Promise<unknown> {
    const db = await openDatabase(definition.name, target, definition, logger);
    const subgraph = await startSubgraph(definition, db, { port: 0, signingKey: testSigningKey });
    try {
      const answer = await postGraphQL(subgraph.url, { query, variables }, await signedBy());
      expect(answer.errors).toBeUndefined();
      return answer.data;
    } finally {
      await subgraph.stop();
      await db.destroy();
    }
  }

  const subject = `INSERT INTO subject (id, kind, name, identifier, identifier_kind, status, created_at) VALUES ('7d1c8f0e-0000-4000-8000-000000000001', 'ENTERPRISE', '北戴河还原测试有限公司', '91130304MA0FWRS01X', 'UNIFIED_SOCIAL_CREDIT_CODE', 'ACTIVE', '2026-01-05 08:00:00.000')`;
  const found = { searchSubjects: { totalCount: 1, edges: [{ node: { name: '北戴河还原测试有限公司' } }] } };
  const searchSubjects = /* GraphQL */ `query ($name: String!) { searchSubjects(name: $name) { totalCount edges { node { name } } } }`;

  it('is set to the platform’s collation before migrating, with a warning, and the tables its migrations make take it: names are searchable', async () => {
    const database = await restored(entitiesSubgraph, 'CreateConsent1764000000010', [subject]);
    const warnings: string[] = [];
    expect(await served(entitiesSubgraph, warningsOf(warnings), searchSubjects, { name: '还原测试' })).toEqual(found);
    expect(await defaultCollation(database)).toBe('utf8mb4_unicode_ci');
    expect((await collations(database)).filter((t) => t.collation !== 'utf8mb4_unicode_ci')).toEqual([]);
    expect(warnings).toContainEqual(expect.stringContaining(`the database ${database} had the default collation utf8mb4_general_ci`));
  });

  /** A database's columns and tables as the catalogue describes them: types, collations, nullability, defaults. */
  const schemaOf = async (database: string) => ({
    tables: await sql('SELECT TABLE_NAME, TABLE_COLLATION FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME', [database]),
    columns: await sql(
      'SELECT TABLE_NAME, COLUMN_NAME, ORDINAL_POSITION, COLUMN_TYPE, IS_NULLABLE, COLUMN_DEFAULT, CHARACTER_SET_NAME, COLLATION_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME, ORDINAL_POSITION',
      [database],
    ),
  });

  it.each([
    ['entities', entitiesSubgraph, 'CreateConsent1764000000010', [subject], /Illegal mix of collations/],
    // Its later tables hold columns a migration gave utf8mb4_bin: the conversion keeps them so.
    ['providers', providersSubgraph, 'ProviderNameKeyIndex1764000000350', [], undefined],
  ] as const)('completes, at the next start, what an earlier start did under the server’s default: %s', async (_name, definition, restoredUpTo, rowsRestored, earlierFailure) => {
    const fresh = mysqlDatabase!.target('restoredfresh') as typeof target;
    await mysqlDatabase!.cleanUp('restoredfresh');
    await (await openDatabase(definition.name, fresh, definition, quietDatabaseLogger())).destroy();
    const complete = await schemaOf(`${fresh.prefix}${definition.name}`);

    const database = await restored(definition, restoredUpTo, [...rowsRestored]);
    // An earlier release's start: its migrations made tables under the database's default (and the entities' next one failed on them).
    const earlier = await new DataSource(dataSourceOptions(definition.name, target, { entities: [], migrations: definition.migrations }, quietDatabaseLogger())).initialize();
    try {
      const migrating = earlier.runMigrations({ transaction: 'each' });
      await (earlierFailure ? expect(migrating).rejects.toThrow(earlierFailure) : migrating);
    } finally {
      await earlier.destroy();
    }
    expect((await collations(database)).filter((t) => t.collation !== 'utf8mb4_unicode_ci')).not.toEqual([]);

    const warnings: string[] = [];
    await (await openDatabase(definition.name, target, definition, warningsOf(warnings))).destroy();
    expect(await schemaOf(database)).toEqual(complete);
    expect(warnings).toContainEqual(expect.stringMatching(/^the table \w+ of \w+ had the collation utf8mb4_general_ci \(made by a migration while the database's default was not the platform's\): converted to utf8mb4_unicode_ci$/));
  });

  it('is searchable by name once an earlier start’s half-done migrations are completed', async () => {
    const database = await restored(entitiesSubgraph, 'CreateConsent1764000000010', [subject]);
    const earlier = await new DataSource(dataSourceOptions('entities', target, { entities: [], migrations: entitiesSubgraph.migrations }, quietDatabaseLogger())).initialize();
    await earlier.runMigrations({ transaction: 'each' }).catch(() => undefined).finally(() => earlier.destroy());
    expect(await collations(database)).toContainEqual({ name: 'subject_name_gram', collation: 'utf8mb4_general_ci' });
    expect(await served(entitiesSubgraph, quietDatabaseLogger(), searchSubjects, { name: '还原测试' })).toEqual(found);
  });

  it('finds providers by name once the provider tables its migrations make take the platform’s collation', async () => {
    await restored(providersSubgraph, 'ProviderNameKeyIndex1764000000350', []);
    const answer = await served(providersSubgraph, quietDatabaseLogger(), /* GraphQL */ `query ($name: String!) { creditServiceProviders(name: $name) { totalCount } }`, { name: '还原' });
    expect(answer).toEqual({ creditServiceProviders: { totalCount: 0 } });
  });

  it('refuses to start, in one line naming the statement to run, when DATABASE_URL’s user may not change it', async () => {
    const database = await restored(entitiesSubgraph, 'CreateConsent1764000000010', [subject]);
    const user = `${target.prefix.slice(0, 24)}ro`;
    const password = randomBytes(12).toString('hex');
    await sql(`DROP USER IF EXISTS '${user}'@'%'`);
    await sql(`CREATE USER '${user}'@'%' IDENTIFIED BY '${password}'`);
    try {
      // Every right a migration takes but ALTER, which ALTER DATABASE needs.
      await sql(`GRANT SELECT, INSERT, UPDATE, DELETE, CREATE, DROP, INDEX ON \`${database.replace(/_/g, '\\_')}\`.* TO '${user}'@'%'`);
      const url = new URL(target.url);
      url.username = user;
      url.password = password;
      const error = await failureToOpen('entities', { ...target, url: url.toString().replace(/\/$/, '') }, entitiesSubgraph, quietDatabaseLogger());
      expect(error).toBeInstanceOf(StartFailure);
      expect((error as Error).message).toMatch(
        new RegExp(
          `^the database ${database} has the default collation utf8mb4_general_ci, not the platform's utf8mb4_unicode_ci \\(.*\\), and DATABASE_URL's user may not change it \\(Access denied for user '${user}'@.*\\): ` +
            `run ALTER DATABASE \`${database}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci as a user who may, then start again$`,
        ),
      );
      expect((error as Error).message).not.toContain(password);
      expect(await collations(database)).toEqual([
        { name: 'consent', collation: 'utf8mb4_unicode_ci' },
        { name: 'migrations', collation: 'utf8mb4_unicode_ci' },
        { name: 'subject', collation: 'utf8mb4_unicode_ci' },
      ]);
    } finally {
      await sql(`DROP USER IF EXISTS '${user}'@'%'`);
    }
  });
});
