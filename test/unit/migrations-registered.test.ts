import { readdirSync } from 'node:fs';
import path from 'node:path';
import { subgraphNames } from '../../schema/subgraphs';
import { subgraphDefinitions } from '../../subgraphs/registry';

/**
 * A subgraph runs only the migrations its definition lists (`migrations:` in
 * subgraphs/<name>/subgraph.ts), not the files of its migrations folder: a migration written but
 * not listed never runs, and nothing says so until its table or column is missing in production.
 * A migration is a file named `<timestamp>-<what>.ts`; the folder's other files are helpers.
 */
/** A TypeORM migration: a class with `up` (the files also export the helpers a later migration reuses). */
const isMigrationClass = (exported: unknown) => typeof exported === 'function' && typeof (exported.prototype as { up?: unknown } | undefined)?.up === 'function';

describe.each(subgraphNames)('the %s subgraph’s migrations', (subgraph) => {
  const folder = path.join(__dirname, '../../subgraphs', subgraph, 'migrations');
  const files = readdirSync(folder).filter((file) => /^\d+-.+\.ts$/.test(file));

  it('are all in its migrations list', async () => {
    const registered = new Set<unknown>(subgraphDefinitions[subgraph].migrations);
    const problems: string[] = [];
    for (const file of files) {
      const migrations = Object.entries((await import(path.join(folder, file))) as Record<string, unknown>).filter(([, exported]) => isMigrationClass(exported));
      const where = `subgraphs/${subgraph}/migrations/${file}`;
      if (!migrations.length) problems.push(`${where} exports no migration class: a migration file exports its MigrationInterface class (helpers go in a file not named <timestamp>-…)`);
      for (const [name, migration] of migrations) {
        if (!registered.has(migration)) problems.push(`${where} exports ${name}, which subgraphs/${subgraph}/subgraph.ts does not list in migrations: add it there (in timestamp order), or it never runs`);
      }
    }
    expect(files.length).toBeGreaterThan(0);
    expect(problems).toEqual([]);
  });
});
