import path from 'node:path';
import type { DataSource } from 'typeorm';
import { readFlag } from '../lib/env';
import { projectRoot } from '../lib/project-root';
import { subgraphNames, type SubgraphName } from '../schema/subgraphs';
import { seedAudit } from '../subgraphs/audit/seed';
import { seedEntities } from '../subgraphs/entities/seed';
import { seedProviders } from '../subgraphs/providers/seed';
import { seedRecords } from '../subgraphs/records/seed';
import { subgraphDefinitions } from '../subgraphs/registry';
import { seedReports } from '../subgraphs/reports/seed';
import { databaseTarget, describeTarget, openDatabase, startFailureOf, type DatabaseTarget } from '../subgraphs/shared/database';
import type { Seeded } from '../subgraphs/shared/seeding';
import { lockSqliteDatabases } from '../subgraphs/shared/sqlite-lock';
import { demoWorld, type DemoWorld } from './demo/world';
import { refusedInProduction } from './production-refusal';
import { failedStatement, quietDatabase } from '../lib/database-logger';
import { maskedConsole } from '../lib/masked-console';
import { exitWithFailure } from '../lib/start-failure';

export const seeds: Record<SubgraphName, (db: DataSource, world: DemoWorld) => Promise<Seeded>> = {
  entities: seedEntities,
  records: seedRecords,
  reports: seedReports,
  providers: seedProviders,
  audit: seedAudit,
};

export const defaultDemoSize = 300;

/**
 * A database the demo world could not be written into, and the database's reason, in one line:
 * the failed statement's error holds the statement and every parameter (a chunk of 500 subjects'
 * codes, names and addresses), which printed whole buried the reason under hundreds of KB.
 */
export class SeedFailure extends Error {
  override name = 'SeedFailure';

  constructor(database: string, error: unknown) {
    // The driver's words, a quoted value emptied as the services' logs empty it.
    super(`could not write the demo world into the ${database} database: ${failedStatement(error).message.split('\n')[0]}`);
  }
}

/** exitWithFailure, but a SeedFailure told in its one line, without a stack, masked as exitWithFailure masks: the database's words may hold an ID number or a mobile number outside the quotes failedStatement empties. */
export function exitWithSeedFailure(command: string): (error: unknown) => never {
  return (error) => {
    if (!(error instanceof SeedFailure)) return exitWithFailure(command)(error);
    maskedConsole.error(`[${command}] ${error.message}`);
    process.exit(1);
  };
}

/**
 * Writes the demo world into every subgraph's own database that holds no data (each opened,
 * migrated, seeded and closed in turn); one that holds data, an earlier seed's or real, is left
 * as it is (null in the counts), so a second run adds nothing, whatever world the first wrote.
 */
export async function seedAll(target: DatabaseTarget, size = { subjects: defaultDemoSize }): Promise<Record<SubgraphName, Seeded>> {
  const world = demoWorld(size);
  const counts = {} as Record<SubgraphName, Seeded>;
  // Every file held before any is opened: one a platform serves stops the seed (and npm start) untouched.
  const lock = lockSqliteDatabases(target, subgraphNames, 'the demo seed (npm start or npm run seed)');
  try {
    for (const name of subgraphNames) {
      const db = await openDatabase(name, target, subgraphDefinitions[name], quietDatabase);
      try {
        counts[name] = await seeds[name](db, world);
      } catch (error) {
        // A disk that filled up as the seed wrote is told as at start, naming the file and the space left.
        throw startFailureOf(error, target, name) ?? new SeedFailure(name, error);
      } finally {
        await db.destroy();
      }
    }
  } finally {
    lock.release();
  }
  return counts;
}

/** What seedAll did, for a log line: the rows it wrote, and the databases it left as they were. */
export function describeSeeding(counts: Record<SubgraphName, Seeded>): string {
  const held = subgraphNames.filter((name) => counts[name] === null);
  const seeded = subgraphNames.filter((name) => counts[name] !== null);
  return [
    ...(seeded.length ? [`seeded demo rows: ${seeded.map((name) => `${name} ${counts[name]}`).join(', ')}`] : []),
    ...(held.length ? [`demo data not added to ${held.join(', ')}: ${held.length === 1 ? 'its database already holds' : 'their databases already hold'} data`] : []),
  ].join('; ');
}

async function main(argv: string[]): Promise<void> {
  const refused = refusedInProduction(
    process.env,
    'seed',
    'npm run seed writes the demo world (made-up subjects, their records, reports and audit entries) into the databases DATABASE_URL names',
    'production starts with nothing seeded, its data coming from the departments through the API and npm run import',
  );
  if (refused) process.exit(2);
  const subjectsFlag = readFlag(argv, 'subjects');
  const subjects = subjectsFlag === undefined ? defaultDemoSize : Number(subjectsFlag);
  if (!Number.isInteger(subjects) || subjects < 10) {
    console.error(`--subjects must be a whole number of at least 10, got "${subjectsFlag}"`);
    process.exit(2);
  }
  const target = databaseTarget(process.env, path.join(projectRoot, 'data'));
  const started = Date.now();
  const counts = await seedAll(target, { subjects });
  console.log(`${describeTarget(target)}, a world of ${subjects} subjects, in ${((Date.now() - started) / 1000).toFixed(1)} s: ${describeSeeding(counts)}`);
}

if (require.main === module) {
  main(process.argv.slice(2)).catch(exitWithSeedFailure('seed'));
}
