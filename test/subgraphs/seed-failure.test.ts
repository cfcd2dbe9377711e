import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { inspect } from 'node:util';
import { SeedFailure } from '../../scripts/seed';
import { demoWorld, type DemoWorld } from '../../scripts/demo/world';
import { seedEntities } from '../../subgraphs/entities/seed';
import { Subject } from '../../subgraphs/entities/entities/subject.entity';
import { subgraphDefinitions } from '../../subgraphs/registry';
import { openDatabase, type DatabaseTarget } from '../../subgraphs/shared/database';
import { testDatabases } from '../helpers/databases';

/**
 * `npm run seed -- --subjects 20000` once met a subject whose code an earlier one held: on SQLite
 * it stopped and printed the failed statement with every parameter (some 680 KB). The demo world
 * no longer repeats a code (test/unit/demo-world.test.ts), and a seed writes only into an empty
 * database; a database's refusal is still told in one line. Here a world is given a repeated code.
 */
describe.each(testDatabases)('npm run seed on $label', (database) => {
  const suite = 'seedfail';
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'seed-failure-'));
  const target: DatabaseTarget = database.label === 'sqlite' ? { kind: 'sqlite', directory } : database.target(suite);
  const world = demoWorld({ subjects: 1200 });
  const repeated: DemoWorld = { ...world, subjects: world.subjects.map((s, i) => (i === 1100 ? { ...s, identifier: world.subjects[700].identifier } : s)) };

  beforeAll(() => database.cleanUp(suite));
  afterAll(async () => {
    await database.cleanUp(suite);
    fs.rmSync(directory, { recursive: true, force: true });
  });

  it('says in one line which database refused what, not with the statement and its parameters, and stores nothing of the seed', async () => {
    const entities = await openDatabase('entities', target, subgraphDefinitions.entities);
    try {
      const failure: unknown = await seedEntities(entities, repeated).then(
        () => undefined,
        (error: unknown) => new SeedFailure('entities', error),
      );
      expect(failure).toBeInstanceOf(SeedFailure);
      const { message } = failure as SeedFailure;
      expect(message).toMatch(/^could not write the demo world into the entities database: .*(UNIQUE constraint failed: subject.identifier|Duplicate entry '…' for key 'UQ_subject_identifier')$/);
      expect(message).not.toContain('\n');
      // What printing it shows: a thousand subjects' parameters would be tens of KB.
      expect(inspect(failure).length).toBeLessThan(3000);
      // The seed is one transaction: rolled back whole, so the next start seeds the database anew.
      expect(await entities.getRepository(Subject).count()).toBe(0);
    } finally {
      await entities.destroy();
    }
  });
});
