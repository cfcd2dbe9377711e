import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { readFlag } from '../lib/env';
import { projectRoot } from '../lib/project-root';
import { seedEntities } from '../subgraphs/entities/seed';
import { entitiesSubgraph } from '../subgraphs/entities/subgraph';
import { recordsSubgraph } from '../subgraphs/records/subgraph';
import { databaseTarget, describeTarget, openDatabase } from '../subgraphs/shared/database';
import { auditLogHead, benchEnvironment, removeAuditEntries } from './bench/dataset';
import { refusedInProduction } from './production-refusal';
import { demoWorld, type DemoWorld } from './demo/world';
import { exitWithin, interrupted, spawnNode, startService, stopChildrenOnSignal, waitAnswering } from './bench/processes';
import { quietDatabase } from '../lib/database-logger';
import { exitWithSeedFailure, SeedFailure } from './seed';

/**
 * `npm run bench:import -- --rows 200000 [--subjects 20000]`: generates a department's file of
 * that many rows, starts the entities subgraph (its subjects seeded) and the audit subgraph, each
 * as its own process, and runs the real import command on the file twice, as its own process,
 * into the benchmark's databases, as npm run bench does (`credit_bench_*` on the local MariaDB
 * unless DATABASE_URL and DATABASE_PREFIX name others: the issue measures the import into MySQL),
 * its audit entries into that of the audit subgraph: the first
 * run stores every row, the second finds them all unchanged. Prints rows per second and the
 * importer's peak resident memory for each, with the machine. Then it deletes what it stored
 * (its records carry the run's tag in their document numbers, its events and audit entries the
 * actor `import:bench`), so that every run measures the same database; `--keep` keeps them. `--cpu-prof DIR` runs both
 * imports with `node --cpu-prof` into DIR.
 */

async function freePort(): Promise<number> {
  const server = net.createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as net.AddressInfo;
  server.close();
  await once(server, 'close');
  return port;
}

/** Streams `rows` rows of a market regulation bureau's file, written with backpressure (never held in memory). */
async function generate(file: string, rows: number, world: DemoWorld, run: string): Promise<void> {
  const out = fs.createWriteStream(file);
  const write = async (text: string) => {
    if (!out.write(text)) await once(out, 'drain');
  };
  await write('subject_code,category,severity,document_number,decision_date,valid_until,summary\n');
  const base = Date.parse('2021-01-01T00:00:00Z');
  for (let i = 1; i <= rows; i++) {
    const subject = world.subjects[(i * 7919) % world.subjects.length];
    const decisionDate = new Date(base + (i % 1800) * 86_400_000).toISOString().slice(0, 10);
    const kind = i % 3;
    const line =
      kind === 0
        ? `${subject.identifier},ADMINISTRATIVE_PENALTY,${i % 2 ? 'GENERAL' : 'MINOR'},北戴河市监罚〔${run}〕${i}号,${decisionDate},,"销售超过保质期的食品，没收违法所得${i % 900}元并罚款${(i % 40) * 1000 + 1000}元"`
        : kind === 1
          ? `${subject.identifier},ADMINISTRATIVE_LICENSING,,北戴河市监许〔${run}〕${i}号,${decisionDate},2031-12-31,食品经营许可证核发（许可证编号JY1130304${String(i).padStart(7, '0')}）`
          : `${subject.identifier},CREDIT_COMMITMENT,,北戴河市监诺〔${run}〕${i}号,${decisionDate},,以告知承诺方式申请行政许可时作出信用承诺`;
    await write(`${line}\n`);
  }
  out.end();
  await once(out, 'finish');
}

interface ImportRun {
  rows: number;
  seconds: number;
  rowsPerSecond: number;
  peakRssMiB: number;
  cpuSeconds: number;
  created: number;
  updated: number;
  unchanged: number;
  rejected: number;
}

/** Who the imports are, in the records' history and the audit log: `--actor bench` as scripts/import.ts `markedAsImport` marks it. */
const importActor = 'import:bench';

async function runImport(file: string, rows: number, env: NodeJS.ProcessEnv, summaryFile: string, nodeOptions: string[]): Promise<ImportRun> {
  const child = spawnNode([...nodeOptions, path.join(projectRoot, 'dist', 'scripts', 'import.js'), '--department', 'MARKET_REGULATION', '--actor', 'bench', '--summary-json', summaryFile, file], undefined, { env, stdio: 'inherit' });
  // At 1,000 rows/s, well under the slowest rate measured (5,691), and five minutes more: a hung import is stopped.
  const code = await exitWithin(child, 5 * 60_000 + rows, 'the import command');
  if (code !== 0) throw new Error(`the import command exited with ${code}`);
  return JSON.parse(fs.readFileSync(summaryFile, 'utf8')) as ImportRun;
}

async function main(argv: string[]): Promise<void> {
  const refused = refusedInProduction(
    process.env,
    'bench:import',
    'npm run bench:import is a benchmark (it writes made-up subjects and records into the databases DATABASE_URL names, credit_bench_* unless DATABASE_PREFIX is set, and makes development secrets)',
    'it runs its own services with NODE_ENV=production; run it without, against a database server that holds no production data',
  );
  if (refused) process.exit(2);
  stopChildrenOnSignal();
  const rows = Number(readFlag(argv, 'rows') ?? 200_000);
  const subjects = Number(readFlag(argv, 'subjects') ?? 20_000);
  if (!Number.isInteger(rows) || rows < 1 || !Number.isInteger(subjects) || subjects < 10) {
    console.error('--rows must be a positive whole number and --subjects at least 10');
    process.exit(2);
  }
  const dataDirectory = path.join(projectRoot, 'data');
  const workDirectory = path.join(dataDirectory, 'bench-import');
  fs.mkdirSync(workDirectory, { recursive: true });
  const env = benchEnvironment(process.env, dataDirectory);
  const target = databaseTarget(env, dataDirectory);

  const world = demoWorld({ subjects });
  const entities = await openDatabase('entities', target, entitiesSubgraph, quietDatabase);
  let serverVersion = '';
  try {
    await seedEntities(entities, world).catch((error: unknown) => {
      throw new SeedFailure('entities', error);
    });
    if (target.kind === 'mysql') serverVersion = String(((await entities.query('SELECT VERSION() AS v')) as { v: string }[])[0].v);
    else serverVersion = `SQLite ${String(((await entities.query('SELECT sqlite_version() AS v')) as { v: string }[])[0].v)}`;
  } finally {
    await entities.destroy();
  }

  // Each run stores new document numbers, so that its first import always creates every row.
  const run = new Date().toISOString().replace(/\D/g, '').slice(0, 14);
  const file = path.join(workDirectory, `records-${rows}.csv`);
  const generated = Date.now();
  await generate(file, rows, world, run);
  console.log(`generated ${file}: ${rows} rows, ${(fs.statSync(file).size / 1048576).toFixed(1)} MiB in ${((Date.now() - generated) / 1000).toFixed(1)} s`);

  const port = await freePort();
  const auditPort = await freePort();
  // The import's entries are the chain's last links: removed after the run, the log is as it was.
  const auditHead = await auditLogHead(target);
  const entitiesService = startService('import-entities', 'subgraphs/entities/index.js', { ...env, PORT: String(port), APOLLO_TELEMETRY_DISABLED: 'true' }, undefined);
  // The import records what it stored in the audit log, as it does beside the running platform.
  const auditService = startService('import-audit', 'subgraphs/audit/index.js', { ...env, PORT: String(auditPort), APOLLO_TELEMETRY_DISABLED: 'true' }, undefined);
  try {
    await waitAnswering(entitiesService, `http://127.0.0.1:${port}/health`);
    await waitAnswering(auditService, `http://127.0.0.1:${auditPort}/health`);
    const importEnv = { ...env, SUBGRAPH_ENTITIES_URL: `http://127.0.0.1:${port}/graphql`, SUBGRAPH_AUDIT_URL: `http://127.0.0.1:${auditPort}/graphql` };
    const cpuProfile = readFlag(argv, 'cpu-prof');
    const profiling = cpuProfile ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(cpuProfile)}`] : [];
    const first = await runImport(file, rows, importEnv, path.join(workDirectory, 'first.json'), profiling);
    const second = await runImport(file, rows, importEnv, path.join(workDirectory, 'second.json'), profiling);
    const cpus = os.cpus();
    console.log(`
Record import benchmark: ${rows} rows (a third each penalties, licences, commitments) for ${subjects} subjects
  machine   ${cpus[0]?.model ?? 'unknown CPU'}, ${cpus.length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ${os.type()} ${os.release()}, Node ${process.version}
  database  ${describeTarget(target)}, ${serverVersion}
  first run (every row new):      ${first.rowsPerSecond} rows/s, ${first.seconds.toFixed(1)} s, created ${first.created}, peak RSS ${first.peakRssMiB} MiB, importer CPU ${first.cpuSeconds} s
  second run (every row unchanged): ${second.rowsPerSecond} rows/s, ${second.seconds.toFixed(1)} s, unchanged ${second.unchanged}, peak RSS ${second.peakRssMiB} MiB, importer CPU ${second.cpuSeconds} s
`);
  } finally {
    await entitiesService.stop();
    await auditService.stop();
    if (!argv.includes('--keep')) {
      fs.rmSync(file, { force: true });
      const records = await openDatabase('records', target, recordsSubgraph);
      try {
        const q = (name: string) => records.driver.escape(name);
        await records.query(`DELETE FROM ${q('credit_record_event')} WHERE ${q('actor')} = ?`, [importActor]);
        await records.query(`DELETE FROM ${q('credit_record')} WHERE ${q('source_department')} = ? AND ${q('document_number')} LIKE ?`, ['MARKET_REGULATION', `%〔${run}〕%`]);
      } finally {
        await records.destroy();
      }
      // Once the audit subgraph has stopped: it keeps the chain's head it appended last.
      console.log(`removed what the imports stored: their records, and ${await removeAuditEntries(target, auditHead, importActor)} audit entries`);
    }
  }
}

main(process.argv.slice(2)).catch((error) => {
  // Interrupted: the signal's handler exits once the entities subgraph and the importer have stopped.
  if (interrupted()) return;
  exitWithSeedFailure('bench:import')(error);
});
