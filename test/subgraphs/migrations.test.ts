import { subgraphNames } from '../../schema/subgraphs';
import { subgraphDefinitions } from '../../subgraphs/registry';
import { openDatabase } from '../../subgraphs/shared/database';
import { testDatabases } from '../helpers/databases';

// The committed migrations are the schema on both drivers; an entity change without a matching
// migration would otherwise only show up as a production failure.
describe.each(testDatabases)('migrations on $label', (database) => {
  const suite = 'migrations';
  afterAll(() => database.cleanUp(suite));

  it.each([...subgraphNames])('create exactly the schema the %s entities describe', async (name) => {
    await database.cleanUp(suite);
    const db = await openDatabase(name, database.target(suite), subgraphDefinitions[name]);
    try {
      const pending = await db.driver.createSchemaBuilder().log();
      expect(pending.upQueries.map((q) => q.query)).toEqual([]);
      // Running them again is a no-op: a restart never re-applies a migration.
      expect(await db.runMigrations()).toEqual([]);
    } finally {
      await db.destroy();
    }
  });
});
