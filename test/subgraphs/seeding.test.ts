import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DataSource } from 'typeorm';
import { subgraphNames, type SubgraphName } from '../../schema/subgraphs';
import { demoWorld, type DemoWorld } from '../../scripts/demo/world';
import { describeSeeding, seedAll, seeds } from '../../scripts/seed';
import { AuditRepository } from '../../subgraphs/audit/audit.repository';
import { subgraphDefinitions } from '../../subgraphs/registry';
import { openDatabase, type DatabaseTarget } from '../../subgraphs/shared/database';
import * as seeding from '../../subgraphs/shared/seeding';
import { testDatabases } from '../helpers/databases';

/** Rows in each of the subgraph's tables (the migrations' own left out). */
async function rowCounts(db: DataSource): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const { tablePath } of db.entityMetadatas) {
    const [{ n }] = (await db.query(`SELECT COUNT(*) AS n FROM ${db.driver.escape(tablePath)}`)) as { n: number | string }[];
    counts[tablePath] = Number(n);
  }
  return counts;
}

/**
 * The demo world as another release draws it: another size, and every stream a seed draws ids
 * from moved, as any change to the world moves them (the probe's database, seeded by a release 12
 * days older, got its providers' histories twice and 169 backdated audit entries).
 */
function anotherReleasesWorld(subjects: number): DemoWorld {
  const world = demoWorld({ subjects });
  return { ...world, random: (purpose) => world.random(`${purpose} of another release`) };
}

/**
 * Seeding writes the demo world into an empty database only: one that holds data, an older
 * release's demo or real data, is left as it is, and above all no demo entry is appended to an
 * audit log that has entries.
 */
describe.each(testDatabases)('seeding on $label', (database) => {
  const suite = 'seeding';
  afterAll(() => database.cleanUp(suite));

  it.each([...subgraphNames])('seeds an empty %s database, and adds nothing to one another release seeded', async (name: SubgraphName) => {
    await database.cleanUp(suite);
    const db = await openDatabase(name, database.target(suite), subgraphDefinitions[name]);
    try {
      const older = await seeds[name](db, anotherReleasesWorld(30));
      expect(older).toBeGreaterThan(0);
      const seeded = await rowCounts(db);
      const head = name === 'audit' ? await new AuditRepository(db).chainHead() : null;
      expect(await seeds[name](db, demoWorld({ subjects: 40 }))).toBeNull();
      expect(await rowCounts(db)).toEqual(seeded);
      if (name === 'audit') expect(await new AuditRepository(db).chainHead()).toEqual(head);
    } finally {
      await db.destroy();
    }
  });

  it.each(['records', 'audit'] as const)('seeds an empty %s database once when two seeds start on it together, the other told it holds data', async (name) => {
    await database.cleanUp(suite);
    // On SQLite a file, which both open, as each opening of an in-memory database is a database of its own.
    const target: DatabaseTarget = database.label === 'sqlite' ? { kind: 'sqlite', directory: fs.mkdtempSync(path.join(os.tmpdir(), 'seeding-')) } : database.target(suite);
    const first = await openDatabase(name, target, subgraphDefinitions[name]);
    const second = await openDatabase(name, target, subgraphDefinitions[name]);
    try {
      const world = demoWorld({ subjects: 30 });
      // Both read the tables empty before either writes: on MySQL each then waits for the other's
      // lock, and one is rolled back as a deadlock, which writeTransaction tries again.
      const outcomes = await Promise.all([seeds[name](first, world), seeds[name](second, world)]);
      expect(outcomes.filter((seeded) => seeded === null)).toHaveLength(1);
      expect(outcomes.find((seeded) => seeded !== null)).toBeGreaterThan(0);
    } finally {
      await first.destroy();
      await second.destroy();
      if (target.kind === 'sqlite') fs.rmSync(target.directory, { recursive: true, force: true });
    }
  });

  it('appends no demo entry to an audit log that has one', async () => {
    await database.cleanUp(suite);
    const db = await openDatabase('audit', database.target(suite), subgraphDefinitions.audit);
    try {
      const log = new AuditRepository(db);
      const [real] = await log.append([
        { actor: 'finance-officer-1', organisation: 'FINANCE', organisationKind: 'DEPARTMENT', role: 'DEPARTMENT_OFFICER', matter: 'GOVERNMENT_PROCUREMENT', fieldGroups: ['SUBJECT_BASICS'], requestId: 'request-1', occurredAt: new Date(), outcome: 'DISCLOSED' },
      ]);
      expect(await seeds.audit(db, demoWorld({ subjects: 20 }))).toBeNull();
      expect(await rowCounts(db)).toEqual({ audit_entry: 1 });
      expect(await log.chainHead()).toEqual({ sequence: 1, hash: real.hash });
    } finally {
      await db.destroy();
    }
  });

  it('leaves a database whose seed was interrupted midway empty, so the next seed writes it whole', async () => {
    await database.cleanUp(suite);
    const db = await openDatabase('records', database.target(suite), subgraphDefinitions.records);
    const world = demoWorld({ subjects: 30 });
    const write = seeding.insertRows;
    // The records written, the seed stops before their objections, as Ctrl-C or a lost connection would stop it.
    const insertRows = jest.spyOn(seeding, 'insertRows').mockImplementationOnce(write).mockRejectedValueOnce(new Error('seed interrupted'));
    try {
      await expect(seeds.records(db, world)).rejects.toThrow('seed interrupted');
      expect(insertRows).toHaveBeenCalledTimes(2);
      const counts = await rowCounts(db);
      expect(counts).toEqual(Object.fromEntries(Object.keys(counts).map((table) => [table, 0])));
      insertRows.mockRestore();
      const records = await seeds.records(db, world);
      expect(records).toBeGreaterThan(world.subjects.length);
      expect((await rowCounts(db)).credit_record).toBe(records);
    } finally {
      insertRows.mockRestore();
      await db.destroy();
    }
  });

  it('npm run seed of another size adds nothing to seeded databases', async () => {
    await database.cleanUp(suite);
    // On SQLite files, as each opening of an in-memory database is a database of its own.
    const target: DatabaseTarget = database.label === 'sqlite' ? { kind: 'sqlite', directory: fs.mkdtempSync(path.join(os.tmpdir(), 'seeding-')) } : database.target(suite);
    const countsOf = async () => {
      const counts: Record<string, Record<string, number>> = {};
      for (const name of subgraphNames) {
        const db = await openDatabase(name, target, subgraphDefinitions[name]);
        counts[name] = await rowCounts(db).finally(() => db.destroy());
      }
      return counts;
    };
    try {
      const first = await seedAll(target, { subjects: 20 });
      for (const name of subgraphNames) expect([name, first[name]]).toEqual([name, expect.any(Number)]);
      expect(describeSeeding(first)).toMatch(/^seeded demo rows: entities \d+, records \d+, reports \d+, providers \d+, audit \d+$/);
      const seeded = await countsOf();
      const again = await seedAll(target, { subjects: 30 });
      expect(again).toEqual(Object.fromEntries(subgraphNames.map((name) => [name, null])));
      expect(await countsOf()).toEqual(seeded);
      // What npm start and npm run seed print.
      expect(describeSeeding(again)).toBe('demo data not added to entities, records, reports, providers, audit: their databases already hold data');
      expect(describeSeeding({ ...again, audit: 210 })).toBe('seeded demo rows: audit 210; demo data not added to entities, records, reports, providers: their databases already hold data');
    } finally {
      if (target.kind === 'sqlite') fs.rmSync(target.directory, { recursive: true, force: true });
    }
  });
});
