import { createHash } from 'node:crypto';
import { addDays } from '../../lib/calendar';
import { nameKey } from '../../lib/text';
import type { DataSource, EntityTarget, ObjectLiteral, QueryRunner } from 'typeorm';
import { subgraphNames, type SubgraphName } from '../../schema/subgraphs';
import { AuditRepository } from '../../subgraphs/audit/audit.repository';
import { AuditEntry } from '../../subgraphs/audit/entities/audit-entry.entity';
import { seedAudit } from '../../subgraphs/audit/seed';
import { seedEntities } from '../../subgraphs/entities/seed';
import { Subject } from '../../subgraphs/entities/entities/subject.entity';
import { indexSubjectNames } from '../../subgraphs/entities/subject-names';
import { seedProviders } from '../../subgraphs/providers/seed';
import { buildCreditRecord } from '../../subgraphs/records/credit-record.repository';
import { CreditRecord } from '../../subgraphs/records/entities/credit-record.entity';
import { demoToday } from '../../subgraphs/records/seed';
import { subgraphDefinitions } from '../../subgraphs/registry';
import { CreditReport } from '../../subgraphs/reports/entities/credit-report.entity';
import { insertMany } from '../../subgraphs/shared/bulk-insert';
import { openDatabase, type DatabaseTarget } from '../../subgraphs/shared/database';
import type { DemoSubject, DemoWorld } from '../demo/world';
import { withDevSecrets } from '../dev-secrets';
import { SeedFailure } from '../seed';
import { quietDatabase } from '../../lib/database-logger';

/**
 * The benchmark's data set, written straight into the migrated MySQL databases `credit_bench_*`
 * with multi-row INSERTs (the demo seed saves entities in chunks and checks what is there, which
 * takes hours at a million rows). Per subject of the demo world: `recordsPerSubject` credit
 * records (penalties, licences, commitments, a mix of statuses as read today) and
 * `reportsPerSubject` credit reports, a third of them from filed providers. Providers, consents
 * and the audit log come from the ordinary demo seed. A marker table in each database says which
 * size of which world was written, so a second run with the same size reuses the data.
 */
/**
 * The environment both benchmarks (npm run bench, bench:import) run with: MySQL, as the issue
 * measures it, the local MariaDB unless DATABASE_URL names another server, in the databases
 * `credit_bench_*` unless DATABASE_PREFIX names others, and development secrets.
 */
export function benchEnvironment(env: NodeJS.ProcessEnv, dataDirectory: string): NodeJS.ProcessEnv {
  return withDevSecrets({ ...env, DATABASE_URL: env.DATABASE_URL || 'mariadb://root@127.0.0.1:3306', DATABASE_PREFIX: env.DATABASE_PREFIX ?? 'credit_bench_' }, dataDirectory);
}

export const recordsPerSubject = 10;
export const reportsPerSubject = 1;

export interface DatasetSize {
  subjects: number;
  records: number;
  reports: number;
}

export function datasetSize(subjects: number): DatasetSize {
  return { subjects, records: subjects * recordsPerSubject, reports: subjects * reportsPerSubject };
}

/**
 * What the marker table holds: the size, and a fingerprint of the world's subjects, so that a data
 * set written from another world (the demo world once dropped subjects whose drawn code repeated
 * an earlier one, and a benchmark's world was the rest) is written again rather than reused with
 * subjects the scenarios ask for missing.
 */
function datasetMarker(world: DemoWorld): string {
  const hash = createHash('sha256');
  for (const s of world.subjects) hash.update(`${s.id} ${s.identifier}\n`);
  return JSON.stringify({ ...datasetSize(world.subjects.length), world: hash.digest('hex').slice(0, 16) });
}

const markerTable = 'bench_dataset';
/** Rows held at once while a million are written: insertMany splits each batch into statements. */
const rowsPerBatch = 10_000;

/** Rows streamed into the database's multi-row INSERTs (insertMany), a batch at a time. */
async function bulkInsert<E extends ObjectLiteral>(runner: QueryRunner, target: EntityTarget<E>, rows: Iterable<E>): Promise<number> {
  let batch: E[] = [];
  let written = 0;
  const flush = async () => {
    await insertMany(runner.manager, target, batch);
    written += batch.length;
    batch = [];
  };
  for (const row of rows) {
    batch.push(row);
    if (batch.length === rowsPerBatch) await flush();
  }
  await flush();
  return written;
}

const dayMs = 86_400_000;

/**
 * A subject's records, numbered by the subject's index so that (department, document number)
 * stays unique; decisions spread over five years, so that some penalties' disclosure has ended
 * (they read EXPIRED) and the filters for ACTIVE records have work to do.
 */
function* recordsOf(subject: DemoSubject, index: number): Generator<CreditRecord> {
  for (let n = 0; n < recordsPerSubject; n++) {
    const serial = index * recordsPerSubject + n;
    const decisionDate = addDays(demoToday, -((serial * 37) % 1800) - 1);
    const kind = n % 3;
    const common = { subjectId: subject.id, decisionDate, status: n === 4 ? ('OBJECTED' as const) : ('ACTIVE' as const) };
    const draft =
      kind === 0
        ? { ...common, category: 'ADMINISTRATIVE_PENALTY' as const, polarity: 'NEGATIVE' as const, severity: n % 2 ? ('GENERAL' as const) : ('MINOR' as const), sourceDepartment: 'MARKET_REGULATION', documentNumber: `北戴河市监罚〔基准〕${serial}号`, summary: `销售超过保质期的食品，没收违法所得${serial % 900}元并罚款${(serial % 40) * 1000 + 1000}元` }
        : kind === 1
          ? { ...common, category: 'ADMINISTRATIVE_LICENSING' as const, polarity: 'NEUTRAL' as const, sourceDepartment: 'MARKET_REGULATION', documentNumber: `北戴河市监许〔基准〕${serial}号`, validUntil: addDays(decisionDate, 5 * 365), summary: `食品经营许可证核发（许可证编号JY1130304${String(serial).padStart(7, '0')}）` }
          : { ...common, category: 'CREDIT_COMMITMENT' as const, polarity: 'NEUTRAL' as const, sourceDepartment: 'MARKET_REGULATION', documentNumber: `北戴河市监诺〔基准〕${serial}号`, summary: '以告知承诺方式申请行政许可时作出信用承诺' };
    // The same validation as intake: a record the platform would refuse is never benchmarked.
    yield buildCreditRecord(draft, { id: derivedId(subject.id, 0x10 + n), recordedAt: new Date(Date.parse(`${decisionDate}T02:00:00Z`) + dayMs), today: demoToday });
  }
}

/** A report per subject; every third from a filed provider (its issuer resolved through the providers subgraph), about two thirds still valid. */
function* reportsOf(subject: DemoSubject, index: number, world: DemoWorld): Generator<CreditReport> {
  const filed = world.providers.filter((p) => p.filingStatus === 'FILED');
  for (let n = 0; n < reportsPerSubject; n++) {
    const serial = index * reportsPerSubject + n;
    const provider = serial % 3 === 0 ? filed[serial % filed.length] : undefined;
    const validDays = provider ? 365 : 90;
    const issuedOn = addDays(demoToday, -((serial * 13) % (validDays * 3 / 2)) - 1);
    yield Object.assign(new CreditReport(), {
      id: derivedId(subject.id, 0x80 + n),
      subjectId: subject.id,
      source: provider ? 'THIRD_PARTY_PROVIDER' : 'CREDIT_CHINA',
      issuerName: provider?.name ?? '信用中国网站',
      issuerProviderId: provider?.id ?? null,
      reportNumber: `${provider ? provider.unifiedSocialCreditCode.slice(8, 12) : 'XYZG'}-B-${String(serial).padStart(8, '0')}`,
      grade: provider && subject.kind !== 'NATURAL_PERSON' ? ['AAA', 'AA', 'A', 'BBB'][serial % 4] : null,
      issuedOn,
      validUntil: addDays(issuedOn, validDays - 1),
      verificationCode: `B${String(serial).padStart(9, '0')}`,
      documentSha256: null,
      documentReference: null,
      registeredBy: null,
      registeredByOrganisation: null,
      verificationOutcome: null,
      verificationNote: null,
      verifiedBy: null,
      verifiedAt: null,
      registeredAt: new Date(`${issuedOn}T03:00:00Z`),
    });
  }
}

/** A stable id of the n-th row derived from a subject's id (its last two hex digits replaced), so reruns write the same ids. */
function derivedId(subjectId: string, n: number): string {
  return `${subjectId.slice(0, 34)}${n.toString(16).padStart(2, '0')}`;
}

function* each<T>(world: DemoWorld, rowsOf: (subject: DemoSubject, index: number) => Iterable<T>): Generator<T> {
  for (let i = 0; i < world.subjects.length; i++) yield* rowsOf(world.subjects[i], i);
}

/** What each database gets, beyond the migrations: bulk rows, then the demo seed for what is small. */
const writers: Record<SubgraphName, (runner: QueryRunner, db: DataSource, world: DemoWorld) => Promise<number>> = {
  entities: async (runner, db, world) => {
    // The demo consents name the first few subjects: those and their consents come from the demo
    // seed, first, as it writes only into an empty database; the rest are bulk rows.
    const seeded = (await seedEntities(db, { ...world, subjects: world.subjects.slice(0, 10) })) ?? 0;
    const rest = world.subjects.slice(10);
    const subjects = await bulkInsert(runner, Subject, rest.map((s) => Object.assign(new Subject(), { ...s, nameKey: nameKey(s.name), createdAt: new Date('2026-01-01T00:00:00Z') })));
    for (let start = 0; start < rest.length; start += rowsPerBatch) await indexSubjectNames(runner.manager, rest.slice(start, start + rowsPerBatch));
    return seeded + subjects;
  },
  records: async (runner, _db, world) => await bulkInsert(runner, CreditRecord, each(world, recordsOf)),
  reports: async (runner, _db, world) => await bulkInsert(runner, CreditReport, each(world, (s, i) => reportsOf(s, i, world))),
  // Into databases emptied just before (ensureDataset), which the demo seed writes whole.
  providers: async (_runner, db, world) => (await seedProviders(db, world)) ?? 0,
  audit: async (_runner, db, world) => (await seedAudit(db, world)) ?? 0,
};

export interface DatasetOutcome {
  name: SubgraphName;
  reused: boolean;
  rows: number;
  seconds: number;
}

/**
 * Written on every run, whatever the marker says: the audit log. This gateway appends an entry
 * per request it answers (tens of thousands in a run), so a log kept between runs grew with each
 * (119,435 officer entries after one small run) and every run met a larger one. Emptied and
 * seeded again, it is the demo's (a few hundred entries) at the start of every run.
 */
const writtenEveryRun: ReadonlySet<SubgraphName> = new Set(['audit']);

/**
 * Writes the data set of `world` into every subgraph database unless the marker says it is
 * there (the audit log always: `writtenEveryRun`). A database with another size (or a
 * half-written one) is emptied first: every table but the migrations' own.
 */
export async function ensureDataset(target: DatabaseTarget, world: DemoWorld, log: (line: string) => void): Promise<DatasetOutcome[]> {
  if (target.kind !== 'mysql') throw new Error('the benchmark data set is written to MySQL/MariaDB: set DATABASE_URL');
  const outcomes: DatasetOutcome[] = [];
  const size = datasetMarker(world);
  for (const name of subgraphNames) {
    const started = performance.now();
    const db = await openDatabase(name, target, subgraphDefinitions[name], quietDatabase);
    const runner = db.createQueryRunner();
    try {
      await runner.query(`CREATE TABLE IF NOT EXISTS \`${markerTable}\` (size VARCHAR(200) NOT NULL, seeded_at DATETIME NOT NULL)`);
      const marker = (await runner.query(`SELECT size FROM \`${markerTable}\``)) as { size: string }[];
      if (marker.length === 1 && marker[0].size === size && !writtenEveryRun.has(name)) {
        outcomes.push({ name, reused: true, rows: 0, seconds: 0 });
        continue;
      }
      // Another size's data set, or another world's, is emptied: say so, as the next run at that size writes it again.
      if (writtenEveryRun.has(name)) log(`  ${name}: emptied and written again, as on every run`);
      else log(marker.length === 1 ? `  ${name}: emptying the data set written for ${marker[0].size}, writing ${size}` : `  ${name}: writing the data set (${size})`);
      // The same session for every statement: checks off and one commit per statement keep a million rows to minutes.
      await runner.query('SET foreign_key_checks = 0, unique_checks = 0');
      const tables = db.entityMetadatas.map((m) => m.tableName);
      for (const table of [...tables, markerTable]) await runner.query(`TRUNCATE TABLE \`${table}\``);
      const rows = await writers[name](runner, db, world).catch((error: unknown) => {
        throw new SeedFailure(name, error);
      });
      await runner.query(`INSERT INTO \`${markerTable}\` (size, seeded_at) VALUES (?, NOW())`, [size]);
      outcomes.push({ name, reused: false, rows, seconds: (performance.now() - started) / 1000 });
      log(`  ${name}: ${rows} rows in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    } finally {
      await runner.release();
      await db.destroy();
    }
  }
  return outcomes;
}

/**
 * The server's version and the settings that decide write and read speed at this size, for the
 * report: a buffer pool smaller than the data makes every new row read index pages from disk.
 */
export async function describeServer(target: DatabaseTarget): Promise<string> {
  const db = await openDatabase('entities', target, subgraphDefinitions.entities);
  try {
    const [row] = (await db.query('SELECT VERSION() AS version, @@innodb_buffer_pool_size AS pool, @@innodb_flush_log_at_trx_commit AS flush')) as { version: string; pool: string | number; flush: string | number }[];
    return `${row.version}, InnoDB buffer pool ${Math.round(Number(row.pool) / 2 ** 20)} MiB, innodb_flush_log_at_trx_commit=${row.flush}`;
  } finally {
    await db.destroy();
  }
}

/** The sequence of the audit log's last chained entry (0 for an empty log): where removeAuditEntries starts. */
export async function auditLogHead(target: DatabaseTarget): Promise<number> {
  const db = await openDatabase('audit', target, subgraphDefinitions.audit);
  try {
    return (await new AuditRepository(db).chainHead())?.sequence ?? 0;
  } finally {
    await db.destroy();
  }
}

/**
 * Removes the entries `actor` appended after the entry `after` (auditLogHead before they were),
 * so that the log is as it was: they are the chain's last links, and its head is then the entry
 * before them (with nothing appended after them meanwhile, which the caller sees to: no audit
 * subgraph of its own is running, and one caches the head it appended last). Returns how many.
 */
export async function removeAuditEntries(target: DatabaseTarget, after: number, actor: string): Promise<number> {
  const db = await openDatabase('audit', target, subgraphDefinitions.audit);
  try {
    const removed = await db.getRepository(AuditEntry).createQueryBuilder().delete().where('sequence > :after AND actor = :actor', { after, actor }).execute();
    return removed.affected ?? 0;
  } finally {
    await db.destroy();
  }
}
