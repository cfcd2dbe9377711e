import fs from 'node:fs';
import net, { type AddressInfo } from 'node:net';
import os from 'node:os';
import mysql2 from 'mysql2/promise';
import { QueryFailedError, type QueryRunner } from 'typeorm';
import path from 'node:path';
import { quietDatabaseLogger } from '../../lib/database-logger';
import { ConfigError } from '../../lib/env';
import { StartFailure } from '../../lib/start-failure';
import { subgraphNames } from '../../schema/subgraphs';
import { entitiesSubgraph } from '../../subgraphs/entities/subgraph';
import { subgraphDefinitions } from '../../subgraphs/registry';
import { databaseTarget, describeTarget, dropMysqlDatabase, openDatabase, startFailureOf, type DatabaseTarget } from '../../subgraphs/shared/database';
import { readSubgraphConfig } from '../../subgraphs/shared/subgraph';
import { main as migrate } from '../../scripts/migrate';
import { configRefusal } from '../helpers/config';
import { failureToOpen, testDatabases } from '../helpers/databases';

/** Lets two test runs share one server without sharing users (test/helpers/databases.ts). */
const runTag = (process.env.TEST_RUN_TAG ?? '').replace(/[^a-z0-9]/gi, '').slice(0, 8);

const secret = 'base64:' + Buffer.alloc(32, 7).toString('base64');

/** A subgraph's configuration read with `DATABASE_URL` as `url`. */
const readUrl = (url: string) => readSubgraphConfig('providers', { GATEWAY_SIGNING_KEY: secret, DATABASE_URL: url }, []);

/** The configuration error `DATABASE_URL` causes (test/helpers/config.ts). */
const refusal = (url: string): string => configRefusal(() => readUrl(url));

/**
 * A database URL the driver could not read stopped a subgraph later, with a stack trace that
 * held the URL, password and all (`openssl rand -base64` passwords hold / and +), and one with no
 * host connected to localhost as root: each is a configuration error now, naming no credential.
 */
describe('DATABASE_URL', () => {
  it.each([
    ['a password holding /', 'mysql://credit:Zx9/q+Rt2Lw=@127.0.0.1:3306', 'Zx9/q+Rt2Lw='],
    ['a password holding a bare %', 'mysql://credit:50%off@db:3306', '50%off'],
    ['a password holding #', 'mariadb://credit:a#b@db:3306', 'a#b'],
    ['no host', 'mysql://', undefined],
    ['a user but no host', 'mysql://credit:secret@', 'secret'],
    // Without an @, the password reads as a port: no part of it can be told safe to repeat.
    ['a password but no @ and host', 'mysql://root:S3cretPass', 'S3cretPass'],
    ['another scheme, a password in its query', 'jdbc:mysql://db:3306/x?user=root&password=S3cretPass', 'S3cretPass'],
    ['a mistyped scheme', 'mysqI://root:S3cretPass', 'S3cretPass'],
  ])('refuses a URL with %s as a configuration error, without its credentials', (_label, url, password) => {
    const message = refusal(url);
    expect(message).toMatch(/DATABASE_URL must be a mysql:\/\/ or mariadb:\/\/ URL naming the host/);
    if (password) expect(message).not.toContain(password);
  });

  /**
   * An unencoded / # or ? in a password ends the host before it: `credit_entities:12/34@…` was a
   * lookup of the host credit_entities (a stack trace, exit 1), `user:p@ss/word@…` one of the host
   * `ss`, part of the password, logged. A database in the path was ignored without a word.
   */
  it.each([
    ['a password holding /', 'mysql://credit_entities:12/34@127.0.0.1:3306', ['credit_entities', '12/34']],
    ['a password holding @ and /', 'mysql://probe:p@ss/word@127.0.0.1:3306', ['probe', 'p@ss', 'ss/word']],
    ['a password holding #', 'mysql://probe:1#b@127.0.0.1:3306', ['probe', '1#b']],
    ['a password holding ?', 'mariadb://probe:1?b@127.0.0.1:3306', ['probe', '1?b']],
    ['a database', 'mysql://probe@127.0.0.1:3306/somedb', ['probe']],
    ['options', 'mysql://probe@127.0.0.1:3306?ssl=true', ['probe']],
    ['a password in the query, with no @', 'mysql://db:3306?password=S3cretPass', ['S3cretPass']],
  ])('refuses a URL with %s after the host, naming DATABASE_PREFIX, without its credentials', (_label, url, credentials) => {
    const message = refusal(url);
    expect(message).toMatch(/^DATABASE_URL must be a mysql:\/\/ or mariadb:\/\/ URL naming the host, .*with nothing after the host and port/);
    expect(message).toContain('named by DATABASE_PREFIX');
    expect(message).toContain('a user or password holding / # ? @ % or : written percent-encoded');
    for (const credential of credentials) expect(message).not.toContain(credential);
  });

  it('reads one whose password is percent-encoded, and one ending in /', () => {
    expect(() => readUrl('mysql://credit:Zx9%2Fq%2BRt2Lw%3D@127.0.0.1:3306')).not.toThrow();
    expect(() => readUrl('mysql://credit:p%40ss%2Fword@127.0.0.1:3306/')).not.toThrow();
  });

  it('reads a scheme in any letter case, as URLs do (RFC 3986)', () => {
    expect(() => readUrl('MARIADB://root@127.0.0.1:3306')).not.toThrow();
    expect(() => readUrl('Mysql://root@127.0.0.1:3306')).not.toThrow();
  });

  it("is named in start lines by its scheme's server, MySQL or MariaDB, with its user, host and databases", () => {
    expect(describeTarget(databaseTarget({ DATABASE_URL: 'mysql://credit:pw@db:3306' }, 'data'))).toBe('MySQL (credit@db:3306, databases credit_*)');
    expect(describeTarget(databaseTarget({ DATABASE_URL: 'mariadb://credit%40x:pw@db:3306' }, 'data'))).toBe('MariaDB (credit@x@db:3306, databases credit_*)');
    expect(describeTarget(databaseTarget({ DATABASE_URL: 'MariaDB://root@127.0.0.1:3306', DATABASE_PREFIX: 'staging_' }, 'data'))).toBe('MariaDB (root@127.0.0.1:3306, databases staging_*)');
  });

  /**
   * A URL naming no user (mariadb://127.0.0.1:3306) connected as root without a word, in
   * production too, where each subgraph has its own user with rights on its own database alone.
   */
  it('is refused in production when it names no user, naming the setting; outside production it is root, named in start lines', () => {
    for (const url of ['mariadb://127.0.0.1:3306', 'mysql://:S3cretPass@db:3306']) {
      const refused = (() => {
        try {
          databaseTarget({ NODE_ENV: 'production', DATABASE_URL: url }, 'data');
          return undefined;
        } catch (error) {
          expect(error).toBeInstanceOf(ConfigError);
          return (error as Error).message;
        }
      })();
      expect(refused).toMatch(/^DATABASE_URL must name its database user \(mysql:\/\/user:password@db-host:3306/);
      expect(refused).not.toContain('S3cretPass');
    }
    expect(describeTarget(databaseTarget({ DATABASE_URL: 'mariadb://127.0.0.1:3306' }, 'data'))).toBe('MariaDB (root@127.0.0.1:3306, the user root as DATABASE_URL names none, databases credit_*)');
  });

  it('connects to an IPv6 literal as an address, not as a name to look up ([::1] was getaddrinfo ENOTFOUND)', async () => {
    expect(() => readUrl('mysql://root@[::1]:3306')).not.toThrow();
    // Port 1: nothing listens there, so the driver's error says what it tried.
    const error = await dropMysqlDatabase('mysql://root@[::1]:1', 'credit_none').then(() => undefined, (e: unknown) => e as { code?: string });
    expect(error?.code).toBeDefined();
    expect(error?.code).not.toBe('ENOTFOUND');
  });
});

/** The prefix goes into every database's name: `probe-bad prefix;` made a database `probe-bad prefix;audit`. */
describe('DATABASE_PREFIX', () => {
  const target = (prefix: string | undefined, url = 'mysql://credit:pw@db:3306') => databaseTarget({ DATABASE_URL: url, DATABASE_PREFIX: prefix }, '/tmp/unused');
  const refusalOf = (prefix: string) => configRefusal(() => target(prefix));

  it.each(['probe-bad prefix;', 'credit-', 'crédit_', 'credit$', 'cr%dit_', 'credit`_', 'x'.repeat(56)])('refuses "%s"', (prefix) => {
    expect(refusalOf(prefix)).toBe(
      `DATABASE_PREFIX must hold letters, digits and _ only, at most 55 characters (a database is named by it and its subgraph, such as credit_audit, and MySQL's names are at most 64), got "${prefix}"`,
    );
  });

  it("takes letters, digits and _ up to a length that keeps every subgraph's database name within MySQL's 64, and credit_ when unset or empty", () => {
    // The tests' own prefixes (test/helpers/databases.ts): credit_test_<run tag><suite>_.
    for (const prefix of ['credit_', 'credit_test_wtOPS123consentsubjectids_', 'Credit2026_', 'x'.repeat(55)]) {
      expect(target(prefix)).toMatchObject({ kind: 'mysql', prefix });
      for (const name of subgraphNames) expect(`${prefix}${name}`.length).toBeLessThanOrEqual(64);
    }
    expect(target(undefined)).toMatchObject({ prefix: 'credit_' });
    expect(target('')).toMatchObject({ prefix: 'credit_' });
  });

  it('is read with MySQL only, and reported beside a bad DATABASE_URL', () => {
    expect(databaseTarget({ DATABASE_PREFIX: 'probe-bad prefix;' }, '/tmp/unused')).toEqual({ kind: 'sqlite', directory: '/tmp/unused' });
    let problems: string[] = [];
    try {
      target('probe-bad prefix;', 'mysql://probe@db:3306/somedb');
    } catch (error) {
      problems = (error as ConfigError).problems;
    }
    expect(problems.map((p) => p.split(' ')[0])).toEqual(['DATABASE_URL', 'DATABASE_PREFIX']);
  });
});

/**
 * A database that cannot be reached stopped a subgraph with `could not start` and the driver's
 * stack trace, naming no setting: now one line saying which setting to look at, and why.
 */
describe('a database that cannot be opened at start', () => {
  const failureOf = async (target: DatabaseTarget): Promise<string> => {
    const error = await openDatabase('entities', target, entitiesSubgraph).then(
      async (db) => {
        await db.destroy();
        throw new Error('expected the database not to open');
      },
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(StartFailure);
    return (error as Error).message;
  };

  it('names DATABASE_URL when nothing listens at its host and port', async () => {
    const probe = net.createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as AddressInfo;
    await new Promise((resolve) => probe.close(resolve));
    expect(await failureOf({ kind: 'mysql', url: `mysql://credit:hunter2@127.0.0.1:${port}`, prefix: 'credit_' })).toBe(
      `nothing accepts connections at 127.0.0.1:${port}, DATABASE_URL's host and port (ECONNREFUSED): is MySQL or MariaDB running there, on that port?`,
    );
  });

  it('names DATABASE_URL when its host cannot be looked up', async () => {
    expect(await failureOf({ kind: 'mysql', url: 'mysql://credit:hunter2@no-such-host.invalid:3306', prefix: 'credit_' })).toMatch(/^DATABASE_URL's host "no-such-host\.invalid" could not be looked up \((ENOTFOUND|EAI_AGAIN)\)$/);
  });

  it('names SQLITE_DIRECTORY when the directory cannot be made', async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'credit-sqlite-')), 'a-file');
    fs.writeFileSync(file, '');
    try {
      expect(await failureOf({ kind: 'sqlite', directory: path.join(file, 'data') })).toBe(`the SQLite directory ${path.join(file, 'data')} (SQLITE_DIRECTORY) could not be made or written (ENOTDIR)`);
    } finally {
      fs.rmSync(path.dirname(file), { recursive: true, force: true });
    }
  });

  /**
   * A start on a full disk said only `database or disk is full` (SQLite's SQLITE_FULL), or, its
   * shared-memory file on a full tmpfs, `disk I/O error`: which database, and where, went unsaid.
   * Such an error, as the driver throws it, is told naming the file and what is left of its disk.
   */
  describe('on a full disk', () => {
    const directory = os.tmpdir();
    const driverError = (code: string, message: string) => new QueryFailedError('PRAGMA journal_mode = WAL', [], Object.assign(new Error(message), { code }));
    const escaped = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const left = '\\d+(\\.\\d)? (bytes|KB|MB|GB|TB)';

    it('names the database file and the space left when SQLite says the disk is full', () => {
      const told = startFailureOf(driverError('SQLITE_FULL', 'database or disk is full'), { kind: 'sqlite', directory }, 'audit');
      expect(told).toBeInstanceOf(StartFailure);
      expect(told?.message).toMatch(
        new RegExp(
          `^the disk holding the SQLite directory ${escaped(directory)} is full \\(${left} free\\): the audit database, ${escaped(path.join(directory, 'audit.sqlite'))}, could not be written \\(SQLITE_FULL\\); ` +
            'make room on it, or set SQLITE_DIRECTORY to a directory on another disk$',
        ),
      );
    });

    it('names the database file and the space left for a disk I/O error, not calling a disk with room full', () => {
      const told = startFailureOf(driverError('SQLITE_IOERR_SHMSIZE', 'disk I/O error'), { kind: 'sqlite', directory }, 'entities');
      expect(told?.message).toMatch(
        new RegExp(`^the entities database, ${escaped(path.join(directory, 'entities.sqlite'))}, could not be read or written \\(SQLITE_IOERR_SHMSIZE, a disk I/O error; the disk holding ${escaped(directory)} has ${left} free\\)$`),
      );
    });
  });

  /**
   * A start on a MySQL/MariaDB server whose disk is full, or that is run read-only, died at its
   * migrations with a fatal stack (ER_DISK_FULL writing the catalogue's temporary table, as
   * MariaDB 10.11 gave it to a probe): told in one line naming the server, as SQLite's full disk is.
   */
  describe('on a database server that refuses writes', () => {
    const target: DatabaseTarget = { kind: 'mysql', url: 'mysql://credit:secret@db.internal:3307', prefix: 'credit_' };
    const driverError = (code: string, sqlMessage: string) => new QueryFailedError('SELECT * FROM `INFORMATION_SCHEMA`.`COLUMNS`', [], Object.assign(new Error(sqlMessage), { code, sqlMessage }));

    it('says the server’s disk is full', () => {
      const sqlMessage = "Disk got full writing 'information_schema.(temporary)' (Errcode: 28 \"No space left on device\")";
      expect(startFailureOf(driverError('ER_DISK_FULL', sqlMessage), target, 'credit_audit')?.message).toBe(
        `the disk of the database server at db.internal:3307 is full (${sqlMessage}): make room on it (its data and temporary directories); the same start then succeeds`,
      );
    });

    it('says the server is read-only', () => {
      const sqlMessage = 'The MariaDB server is running with the --read-only option so it cannot execute this statement';
      expect(startFailureOf(driverError('ER_OPTION_PREVENTS_STATEMENT', sqlMessage), target, 'credit_audit')?.message).toBe(
        `the database server at db.internal:3307 is read-only (${sqlMessage}): the credit_audit database's migrations cannot run; point DATABASE_URL at a writable server (the primary), or have its read_only turned off`,
      );
    });
  });

  const mysql = testDatabases.find((d) => d.label === 'mysql');
  (mysql ? it : it.skip)('names DATABASE_URL’s user and password when the server refuses them, repeating no password', async () => {
    const server = new URL((mysql!.target('unused') as { url: string }).url);
    const message = await failureOf({ kind: 'mysql', url: `mysql://credit_no_such_user:hunter2@${server.host}`, prefix: 'credit_' });
    expect(message).toMatch(/^the database at .+ refused DATABASE_URL's user and password \(Access denied for user 'credit_no_such_user'@/);
    expect(message).not.toContain('hunter2');
  });

  it('names max_connections when the server has no connection left to give (Too many connections)', async () => {
    // A server at its max_connections answers the greeting with error 1040, and closes.
    const message = Buffer.from('Too many connections');
    const packet = Buffer.concat([Buffer.from([message.length + 3, 0, 0, 0, 0xff, 0x10, 0x04]), message]);
    const full = net.createServer((socket) => socket.end(packet));
    await new Promise<void>((resolve) => full.listen(0, '127.0.0.1', resolve));
    const { port } = full.address() as AddressInfo;
    try {
      expect(await failureOf({ kind: 'mysql', url: `mysql://credit:hunter2@127.0.0.1:${port}`, prefix: 'credit_' })).toBe(
        `the database at 127.0.0.1:${port} has no connection left to give (Too many connections): all of its max_connections are in use; ` +
          'raise max_connections there, or have fewer processes connect to it (each subgraph process holds up to 10 connections, and a few more while it starts)',
      );
    } finally {
      await new Promise((resolve) => full.close(resolve));
    }
  });

  (mysql ? it : it.skip)('names max_user_connections when DATABASE_URL’s user may open no more connections', async () => {
    const server = new URL((mysql!.target('unused') as { url: string }).url);
    const root = await mysql2.createConnection({ host: server.hostname, port: Number(server.port || 3306), user: decodeURIComponent(server.username) || 'root', password: decodeURIComponent(server.password) });
    const prefix = `credit_test_${runTag}limited_`;
    const user = `${prefix.slice(0, 28)}u`;
    try {
      await root.query(`DROP USER IF EXISTS '${user}'@'%'`);
      await root.query(`CREATE USER '${user}'@'%' IDENTIFIED BY 'hunter2' WITH MAX_USER_CONNECTIONS 1`);
      await root.query(`GRANT ALL PRIVILEGES ON \`${prefix.replace(/_/g, '\\_')}%\`.* TO '${user}'@'%'`);
      const message = await failureOf({ kind: 'mysql', url: `${server.protocol}//${user}:hunter2@${server.host}`, prefix });
      expect(message).toMatch(
        new RegExp(
          `^DATABASE_URL's user may open no more connections \\(User '?${user}'? (has exceeded the 'max_user_connections' resource \\(current value: 1\\)|already has more than 'max_user_connections' active connections)\\): ` +
            "each subgraph process holds up to 10 connections, and a few more while it starts; raise the user's max_user_connections, or run fewer processes as it$",
        ),
      );
      expect(message).not.toContain('hunter2');
    } finally {
      await root.query(`DROP USER IF EXISTS '${user}'@'%'`);
      await root.end();
      await dropMysqlDatabase(server.href, `${prefix}entities`);
    }
  });
});

/**
 * A migration that failed stopped its subgraph with a fatal line holding the driver's stack, and
 * no word of which migration it was: now one line naming the migration and the database's message.
 */
describe.each(testDatabases)('a migration that fails at start, on $label', (database) => {
  const suite = 'failedmigration';
  afterAll(() => database.cleanUp(suite));

  class AddColumnToNoTable1764999999001 {
    name = 'AddColumnToNoTable1764999999001';
    async up(queryRunner: QueryRunner): Promise<void> {
      await queryRunner.query('ALTER TABLE no_such_table ADD COLUMN probe INT');
    }
    async down(): Promise<void> {}
  }

  it('fails the start in one line naming the migration and the database’s message', async () => {
    await database.cleanUp(suite);
    const target = database.target(suite);
    // TypeORM's console logger would print the failure meant here.
    const error = await failureToOpen('entities', target, { entities: [], migrations: [...entitiesSubgraph.migrations, AddColumnToNoTable1764999999001] }, quietDatabaseLogger());
    expect(error).toBeInstanceOf(StartFailure);
    const where = target.kind === 'mysql' ? `${target.prefix}entities` : ':memory:';
    expect((error as Error).message).toMatch(
      new RegExp(`^migration AddColumnToNoTable1764999999001 of ${where} failed: (Table '${where}\\.no_such_table' doesn't exist|no such table: no_such_table); it runs again at the next start$`),
    );
  });
});

/**
 * A mistyped DATABASE_PREFIX (upgrade_a for upgrade_a_) in production created, migrated and served
 * empty databases: the platform looked healthy with all its data apparently gone, and a new audit
 * chain began. With NODE_ENV=production a subgraph creates no database: docker/mysql-init creates
 * them on MySQL's first start, and without Docker the operator does, with the users (README).
 */
describe('a database that does not exist, with NODE_ENV=production', () => {
  it('is refused in production only: elsewhere (the demo, tests, benchmarks) it is created', () => {
    const url = 'mysql://credit:pw@db:3306';
    expect(databaseTarget({ NODE_ENV: 'production', DATABASE_URL: url }, 'data')).toEqual({ kind: 'mysql', url, prefix: 'credit_', ifMissing: 'refuse' });
    expect(databaseTarget({ DATABASE_URL: url }, 'data')).toEqual({ kind: 'mysql', url, prefix: 'credit_', ifMissing: 'create' });
  });

  const mysql = testDatabases.find((d) => d.label === 'mysql');
  const suite = 'missing';
  const target = mysql && { ...(mysql.target(suite) as Extract<DatabaseTarget, { kind: 'mysql' }>), ifMissing: 'refuse' as const };
  // The prefix without its last _, as the probe's operator typed it.
  const mistyped = target && { ...target, prefix: target.prefix.slice(0, -1) };
  afterAll(async () => {
    await mysql?.cleanUp(suite);
    if (mistyped) await dropMysqlDatabase(mistyped.url, `${mistyped.prefix}entities`);
  });

  (mysql ? it : it.skip)('stops the start in one line naming the database, the statement creating it and DATABASE_PREFIX, and creates nothing', async () => {
    if (!target || !mistyped) throw new Error('no MySQL server');
    await mysql!.cleanUp(suite);
    const database = `${mistyped.prefix}entities`;
    const error = await failureToOpen('entities', mistyped, entitiesSubgraph);
    expect(error).toBeInstanceOf(StartFailure);
    expect((error as Error).message).toBe(
      `the database ${database} does not exist at ${new URL(target.url).host}: create it (CREATE DATABASE \`${database}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci), ` +
        `or check DATABASE_PREFIX ("${mistyped.prefix}"): with NODE_ENV=production a subgraph creates no database`,
    );
    const server = new URL(target.url);
    const root = await mysql2.createConnection({ host: server.hostname, port: Number(server.port || 3306), user: decodeURIComponent(server.username) || 'root', password: decodeURIComponent(server.password) });
    try {
      expect((await root.query('SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?', [database]))[0]).toEqual([]);
      // An empty database made beforehand, as docker/mysql-init makes them, is a first install: migrated and served.
      await root.query(`CREATE DATABASE \`${target.prefix}entities\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
    } finally {
      await root.end();
    }
    const db = await openDatabase('entities', target, entitiesSubgraph);
    try {
      expect(await db.showMigrations()).toBe(false);
    } finally {
      await db.destroy();
    }
  });
});


/**
 * A least-privilege user (SELECT, INSERT, UPDATE, DELETE on its database, as a DBA grants one
 * that serves only) could not start a subgraph outside production: the start ran CREATE DATABASE
 * IF NOT EXISTS, which needs CREATE even when the database exists, and blamed the grants. It is
 * looked up first, and made only when missing; a database missing that the user may not make is
 * told as missing.
 */
describe('a database user that may only read and write rows', () => {
  const mysql = testDatabases.find((d) => d.label === 'mysql');
  const suite = 'dmlonly';
  const target = mysql?.target(suite) as Extract<DatabaseTarget, { kind: 'mysql' }> | undefined;
  const user = `credit_test_${runTag}dmlonly`.slice(0, 32);
  const password = 'dml-only-7f3a9c';
  let root: mysql2.Connection;
  const asUser = () => {
    const url = new URL(target!.url);
    url.username = user;
    url.password = password;
    return { ...target!, url: url.toString().replace(/\/$/, '') };
  };

  beforeAll(async () => {
    if (!target) return;
    await mysql!.cleanUp(suite);
    const server = new URL(target.url);
    root = await mysql2.createConnection({ host: server.hostname, port: Number(server.port || 3306), user: decodeURIComponent(server.username) || 'root', password: decodeURIComponent(server.password) });
    await root.query(`DROP USER IF EXISTS '${user}'@'%'`);
    await root.query(`CREATE USER '${user}'@'%' IDENTIFIED BY '${password}'`);
    for (const name of ['entities', 'records']) await root.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON \`${target.prefix}${name}\`.* TO '${user}'@'%'`);
  });
  afterAll(async () => {
    if (!target) return;
    await root.query(`DROP USER IF EXISTS '${user}'@'%'`);
    await root.end();
    await mysql!.cleanUp(suite);
  });

  (mysql ? it : it.skip)('starts a subgraph on its database, made and migrated beforehand, outside production too', async () => {
    await (await openDatabase('entities', target!, entitiesSubgraph)).destroy();
    const db = await openDatabase('entities', asUser(), entitiesSubgraph);
    try {
      expect(await db.showMigrations()).toBe(false);
    } finally {
      await db.destroy();
    }
  });

  (mysql ? it : it.skip)('says, of a migration it may not run, how to run it: as a user that may change the schema', async () => {
    // The entities database a release behind: its last migrations not yet run.
    const behind = entitiesSubgraph.migrations.findIndex((m) => m.name === 'ConsentsByGrantee1764000000070');
    expect(behind).toBeGreaterThan(0);
    await mysql!.cleanUp(suite);
    await (await openDatabase('entities', target!, { entities: [], migrations: entitiesSubgraph.migrations.slice(0, behind) })).destroy();
    const error = await failureToOpen('entities', asUser(), entitiesSubgraph, quietDatabaseLogger());
    expect(error).toBeInstanceOf(StartFailure);
    expect((error as Error).message).toMatch(
      new RegExp(
        `^migration ConsentsByGrantee1764000000070 of ${target!.prefix}entities failed: \\w+ command denied to user '${user}'@'[^']+' for table [^;]+; ` +
          "it runs again at the next start, which DATABASE_URL's user may not run: run the migrations as a user that may change the schema " +
          '\\(SELECT, INSERT, UPDATE, DELETE, CREATE, ALTER, INDEX, DROP and REFERENCES on the database\\), with npm run migrate or one start of the subgraph, then start again$',
      ),
    );
  });

  (mysql ? it : it.skip)('starts once npm run migrate, as a user that may change the schema, has run the migrations pending, in production too', async () => {
    const behind = entitiesSubgraph.migrations.findIndex((m) => m.name === 'ConsentsByGrantee1764000000070');
    await mysql!.cleanUp(suite);
    await (await openDatabase('entities', target!, { entities: [], migrations: entitiesSubgraph.migrations.slice(0, behind) })).destroy();
    const printed = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      expect(await migrate(['entities'], { NODE_ENV: 'production', DATABASE_URL: target!.url, DATABASE_PREFIX: target!.prefix })).toBe(0);
      expect(printed).toHaveBeenCalledWith('[migrate] migration ConsentsByGrantee1764000000070 of ' + `${target!.prefix}entities started`);
      expect(printed).toHaveBeenLastCalledWith(`[migrate] ${describeTarget(target!)}: the schema of entities is up to date`);
    } finally {
      printed.mockRestore();
    }
    const db = await openDatabase('entities', { ...asUser(), ifMissing: 'refuse' }, entitiesSubgraph);
    try {
      expect(await db.showMigrations()).toBe(false);
    } finally {
      await db.destroy();
    }
  });

  (mysql ? it : it.skip)('says that a database it may not make is missing, and how to make it', async () => {
    const database = `${target!.prefix}records`;
    const error = await failureToOpen('records', asUser(), entitiesSubgraph);
    expect(error).toBeInstanceOf(StartFailure);
    expect((error as Error).message).toMatch(
      new RegExp(
        `^the database ${database} does not exist at ${new URL(target!.url).host.replace(/\./g, '\\.')}: create it \\(CREATE DATABASE \`${database}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci\\), ` +
          `or check DATABASE_PREFIX \\("${target!.prefix}"\\): DATABASE_URL's user may not create it \\(Access denied for user '${user}'@'[^']+' to database '${database}'\\)$`,
      ),
    );
  });
});

/** `npm run migrate`, on SQLite as well: the schemas brought up to date, each database closed; a name it does not know refused. */
describe('npm run migrate', () => {
  it('migrates every subgraph\'s SQLite file in SQLITE_DIRECTORY and says so', async () => {
    const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'migrate-'));
    const printed = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      expect(await migrate([], { SQLITE_DIRECTORY: directory })).toBe(0);
      expect(printed).toHaveBeenLastCalledWith(`[migrate] SQLite (${directory}): the schema of ${subgraphNames.join(', ')} is up to date`);
      for (const name of subgraphNames) {
        const db = await openDatabase(name, { kind: 'sqlite', directory }, { entities: [], migrations: subgraphDefinitions[name].migrations });
        try {
          expect(await db.showMigrations()).toBe(false);
        } finally {
          await db.destroy();
        }
      }
    } finally {
      printed.mockRestore();
      fs.rmSync(directory, { recursive: true, force: true });
    }
  });

  /**
   * A mistyped name once left its setting at its default: SQLITE_DIRETORY=/tmp/x migrated data/
   * and exited 0, and a DATABASE_PREFX would have migrated the default credit_* databases. The
   * names are checked as every subgraph checks them (lib/settings.ts checkSettingNames), and
   * NODE_ENV as they read it, before anything is opened.
   */
  it('refuses a mistyped setting name or NODE_ENV, exit 2, naming it, before it opens anything', async () => {
    const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'migrate-'));
    const refused = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    const printed = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      expect(await migrate([], { SQLITE_DIRETORY: directory })).toBe(2);
      expect(refused).toHaveBeenCalledWith('[migrate] configuration error: SQLITE_DIRETORY is not a setting: did you mean SQLITE_DIRECTORY?');
      expect(await migrate(['entities'], { DATABASE_URL: 'mysql://nobody@127.0.0.1:1', DATABASE_PREFX: 'staging_' })).toBe(2);
      expect(refused).toHaveBeenLastCalledWith('[migrate] configuration error: DATABASE_PREFX is not a setting: did you mean DATABASE_PREFIX?');
      expect(await migrate(['entities'], { DATABASE_URL: 'mysql://nobody@127.0.0.1:1', NODE_ENV: 'prod' })).toBe(2);
      expect(refused).toHaveBeenLastCalledWith(expect.stringMatching(/^\[migrate\] configuration error: NODE_ENV must be /));
      expect(printed).not.toHaveBeenCalled();
      expect(fs.readdirSync(directory)).toEqual([]);
      // A name under the platform's prefixes that is no near miss is warned of, as at a start, and the run goes on.
      expect(await migrate(['entities'], { SQLITE_DIRECTORY: directory, DATABASE_OLD_SETTING: 'x' })).toBe(0);
      expect(refused).toHaveBeenLastCalledWith(expect.stringMatching(/^\[migrate\] warning: DATABASE_OLD_SETTING is not a setting, and is ignored/));
    } finally {
      refused.mockRestore();
      printed.mockRestore();
      fs.rmSync(directory, { recursive: true, force: true });
    }
  });

  it('refuses a subgraph it does not know, exit 2, before it opens anything', async () => {
    const refused = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      expect(await migrate(['record'], { DATABASE_URL: 'mysql://nobody@127.0.0.1:1' })).toBe(2);
      expect(refused).toHaveBeenCalledWith('[migrate] usage: npm run migrate [-- <subgraph>…], each one of entities, records, reports, providers, audit; got "record"');
    } finally {
      refused.mockRestore();
    }
  });
});
