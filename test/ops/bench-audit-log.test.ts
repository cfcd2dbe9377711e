import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { auditLogHead, ensureDataset, removeAuditEntries } from '../../scripts/bench/dataset';
import { demoWorld } from '../../scripts/demo/world';
import { AuditRepository, type AuditEntryInput } from '../../subgraphs/audit/audit.repository';
import { subgraphDefinitions } from '../../subgraphs/registry';
import { openDatabase, type DatabaseTarget } from '../../subgraphs/shared/database';
import { testDatabases } from '../helpers/databases';

/**
 * The benchmark's audit log grew on every run, and was never cleaned: this gateway appends an
 * entry per request (119,435 officer entries after one small run), and bench:import its
 * `import:bench` entries (4,000 for 2,000 rows), though it says it deletes what it stored so that
 * every run measures the same database. Every run now starts from the same audit log.
 */
const world = demoWorld({ subjects: 30 });

const entry = (actor: string, n: number): AuditEntryInput => ({
  actor,
  organisation: 'MARKET_REGULATION',
  organisationKind: 'DEPARTMENT',
  role: 'DEPARTMENT_OFFICER',
  subjectId: world.subjects[n % world.subjects.length].id,
  fieldGroups: ['SUBJECT_BASICS'],
  requestId: `bench-${actor}-${n}`,
  occurredAt: new Date(),
  outcome: 'DISCLOSED',
});

/** The audit log's size and whether its chain verifies, as the credit office would read it. */
async function auditLog(target: DatabaseTarget, append: AuditEntryInput[] = []): Promise<{ entries: number; intact: boolean | null }> {
  const db = await openDatabase('audit', target, subgraphDefinitions.audit);
  try {
    const repository = new AuditRepository(db);
    await repository.append(append);
    const { entries, intact } = await repository.verification();
    return { entries, intact };
  } finally {
    await db.destroy();
  }
}

const mysql = testDatabases.filter((d) => d.label === 'mysql');
(mysql.length > 0 ? describe.each(mysql) : describe.skip.each(testDatabases))('npm run bench on $label', (database) => {
  const suite = 'benchaudit';
  const target = database.target(suite);
  beforeAll(() => database.cleanUp(suite));
  afterAll(() => database.cleanUp(suite));

  it('starts every run from the demo audit log, the entries an earlier run appended gone, and reuses the rest of the data set', async () => {
    await ensureDataset(target, world, () => undefined);
    const seeded = await auditLog(target);
    expect(seeded.entries).toBeGreaterThan(0);

    // What a run's gateway appends, an entry per request.
    expect((await auditLog(target, [0, 1, 2, 3, 4].map((n) => entry('officer-1', n)))).entries).toBe(seeded.entries + 5);

    const outcomes = await ensureDataset(target, world, () => undefined);
    expect(outcomes.filter((o) => !o.reused).map((o) => o.name)).toEqual(['audit']);
    expect(await auditLog(target)).toEqual({ entries: seeded.entries, intact: true });
  });
});

describe.each(testDatabases)('npm run bench:import on $label', (database) => {
  const suite = 'benchimpaudit';
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-audit-'));
  // Opened and closed by each step: SQLite in files, so that the log stays between them.
  const target: DatabaseTarget = database.label === 'sqlite' ? { kind: 'sqlite', directory } : database.target(suite);
  beforeAll(() => database.cleanUp(suite));
  afterAll(async () => {
    await database.cleanUp(suite);
    fs.rmSync(directory, { recursive: true, force: true });
  });

  it('removes the audit entries its imports appended, and no others, leaving the chain as it was', async () => {
    const before = await auditLog(target, [0, 1, 2].map((n) => entry('officer-1', n)));
    const head = await auditLogHead(target);
    expect(head).toBe(3);

    // The import's entries: scripts/import.ts marks its --actor bench as import:bench.
    await auditLog(target, [0, 1, 2, 3].map((n) => entry('import:bench', n)));
    expect(await removeAuditEntries(target, head, 'import:bench')).toBe(4);
    expect(await auditLog(target)).toEqual(before);
    expect(await auditLogHead(target)).toBe(head);
  });
});
