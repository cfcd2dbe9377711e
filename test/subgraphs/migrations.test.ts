import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { subgraphNames } from '../../schema/subgraphs';
import { chainHash, genesisHash } from '../../subgraphs/audit/audit-chain';
import { AuditRepository } from '../../subgraphs/audit/audit.repository';
import { AuditEntry } from '../../subgraphs/audit/entities/audit-entry.entity';
import { IndexAuditEntryReadsOfTheLog1764000000490 } from '../../subgraphs/audit/migrations/1764000000490-index-audit-entry-reads-of-the-log';
import { ReadsOfTheDisclosureLog1764000000500 } from '../../subgraphs/audit/migrations/1764000000500-reads-of-the-disclosure-log';
import { demoWorld } from '../../scripts/demo/world';
import { Consent } from '../../subgraphs/entities/entities/consent.entity';
import { ConsentGranteeByCode1764000000040 } from '../../subgraphs/entities/migrations/1764000000040-consent-grantee-by-code';
import { seedEntities } from '../../subgraphs/entities/seed';
import { subgraphDefinitions } from '../../subgraphs/registry';
import { CreditReport } from '../../subgraphs/reports/entities/credit-report.entity';
import { ReportVerification } from '../../subgraphs/reports/entities/report-verification.entity';
import { CreateReportVerification1764000000230 } from '../../subgraphs/reports/migrations/1764000000230-create-report-verification';
import { insertMany } from '../../subgraphs/shared/bulk-insert';
import { openDatabase } from '../../subgraphs/shared/database';
import { quietDatabaseLogger } from '../../lib/database-logger';
import { nameKey } from '../../lib/text';
import { CreditServiceProvider } from '../../subgraphs/providers/entities/credit-service-provider.entity';
import { ProviderFilingChange } from '../../subgraphs/providers/entities/provider-filing-change.entity';
import { ProviderFormerName } from '../../subgraphs/providers/entities/provider-former-name.entity';
import { RekeyProviderNames1764000000380 } from '../../subgraphs/providers/migrations/1764000000380-rekey-provider-names';
import type { QueryRunner } from 'typeorm';
import { testDatabases } from '../helpers/databases';
import { verifiedChain } from './audit/verified-chain';

const withoutFormerNames = <T extends { formerNames?: unknown }>({ formerNames: _rowsOfTheirOwn, ...provider }: T) => provider;

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
      // What TypeORM would change to make the tables match the entities, said so a contributor
      // knows what to do rather than reading its table rebuild.
      const differences = pending.upQueries.map((q) => q.query);
      expect({ differences, toDo: differences.length ? `the ${name} entities differ from what its migrations create on ${database.label}: write a migration in subgraphs/${name}/migrations/ doing what the statements in differences do (on both databases) and list it in migrations: in subgraphs/${name}/subgraph.ts` : 'nothing' }).toEqual({ differences: [], toDo: 'nothing' });
      // Running them again is a no-op: a restart never re-applies a migration.
      expect(await db.runMigrations()).toEqual([]);
    } finally {
      await db.destroy();
    }
  });

  it('warns, and starts, on a database a later version migrated: a rollback', async () => {
    await database.cleanUp(suite);
    // On SQLite a file, as in memory each opening is a database of its own.
    const target = database.label === 'sqlite' ? ({ kind: 'sqlite', directory: fs.mkdtempSync(path.join(os.tmpdir(), 'later-version-')) } as const) : database.target(suite);
    const first = await openDatabase('providers', target, subgraphDefinitions.providers);
    try {
      await first.query(`INSERT INTO ${first.driver.escape('migrations')} (${first.driver.escape('timestamp')}, ${first.driver.escape('name')}) VALUES (?, ?)`, [1764000009990, 'LaterVersionStep1764000009990']);
    } finally {
      await first.destroy();
    }
    const warnings: string[] = [];
    const logger = quietDatabaseLogger((level, message) => void (level === 'warn' && warnings.push(String(message))));
    const again = await openDatabase('providers', target, subgraphDefinitions.providers, logger);
    await again.destroy();
    if (target.kind === 'sqlite') fs.rmSync(target.directory, { recursive: true, force: true });
    expect(warnings).toEqual([expect.stringContaining('was migrated by a later version of this subgraph (migrations LaterVersionStep1764000009990 are not this version')]);
  });

  it("carries a registered report's earlier finding into its findings when the findings table is made", async () => {
    await database.cleanUp(suite);
    const reports = subgraphDefinitions.reports;
    // The schema as it was before: every migration but the findings table's (the entity only maps rows).
    const before = { entities: reports.entities, migrations: reports.migrations.filter((m) => m !== CreateReportVerification1764000000230) };
    const db = await openDatabase('reports', database.target(suite), before);
    try {
      const report = { subjectId: 'subject-1', source: 'CREDIT_CHINA' as const, issuerName: '信用中国', reportNumber: 'XYZG-1', issuedOn: '2026-10-30', validUntil: '2027-01-27', verificationCode: 'K7Q2M9TA', registeredAt: new Date('2026-11-01T00:00:00Z') };
      await db.getRepository(CreditReport).insert([
        { ...report, id: 'checked', verificationOutcome: 'NOT_GENUINE' as const, verificationNote: '出具机构否认', verifiedBy: 'officer-1', verifiedAt: new Date('2026-11-02T03:04:05.678Z') },
        { ...report, id: 'unchecked', reportNumber: 'XYZG-2' },
      ]);
      const runner = db.createQueryRunner();
      try {
        await new CreateReportVerification1764000000230().up(runner);
      } finally {
        await runner.release();
      }
      const findings = await db.getRepository(ReportVerification).find();
      expect(findings).toEqual([
        { id: 'checked', reportId: 'checked', subjectId: 'subject-1', outcome: 'NOT_GENUINE', note: '出具机构否认', verifiedBy: 'officer-1', verifiedByOrganisation: null, verifiedAt: new Date('2026-11-02T03:04:05.678Z') },
      ]);
    } finally {
      await db.destroy();
    }
  });

  it('tells the reads of the audit log among the entries already in it, their hash chain unchanged', async () => {
    await database.cleanUp(suite);
    const audit = subgraphDefinitions.audit;
    // The log as it stood before: every migration but the reads' column's (the entity only maps rows).
    const readsOfTheLog: Function[] = [IndexAuditEntryReadsOfTheLog1764000000490, ReadsOfTheDisclosureLog1764000000500];
    const db = await openDatabase('audit', database.target(suite), { entities: audit.entities, migrations: audit.migrations.filter((m) => !readsOfTheLog.includes(m)) });
    try {
      // Chained as AuditRepository.append chains them, and stored with the columns the table had.
      // `read`: a read of the log after 1764000000500; `auditAlone`: after 1764000000490 alone.
      const kinds = [
        { outcome: 'DISCLOSED', fieldGroups: 'AUDIT', read: true, auditAlone: true },
        { outcome: 'DISCLOSED', fieldGroups: 'AUDIT,PUBLIC_RECORDS', read: false, auditAlone: false },
        { outcome: 'DENIED', fieldGroups: 'AUDIT', read: false, auditAlone: false },
        { outcome: 'DISCLOSED', fieldGroups: 'SUBJECT_BASICS', read: false, auditAlone: false },
        { outcome: 'FAILED', fieldGroups: 'AUDIT', read: false, auditAlone: false },
        { outcome: 'DISCLOSED', fieldGroups: 'AUDIT', read: true, auditAlone: true },
        { outcome: 'DISCLOSED', fieldGroups: 'DISCLOSURE_LOG', read: true, auditAlone: false },
        { outcome: 'DISCLOSED', fieldGroups: 'AUDIT,DISCLOSURE_LOG', read: true, auditAlone: false },
        // A page of disclosures recorded with the lookup's SUBJECT_BASICS, or with the name read: credit data either way.
        { outcome: 'DISCLOSED', fieldGroups: 'DISCLOSURE_LOG,SUBJECT_BASICS', read: false, auditAlone: false },
        { outcome: 'DENIED', fieldGroups: 'DISCLOSURE_LOG', read: false, auditAlone: false },
      ] as const;
      let previousHash = genesisHash;
      const earlier = kinds.map(({ outcome, fieldGroups }, i) => {
        const entry = db.getRepository(AuditEntry).create({
          id: `a0000000-0000-4000-8000-${String(i + 1).padStart(12, '0')}`, sequence: i + 1, previousHash, actor: 'supervisor-wang', organisation: 'CREDIT_OFFICE', organisationKind: 'DEPARTMENT', role: 'CREDIT_OFFICE_SUPERVISOR',
          matter: 'CREDIT_SUPERVISION', caseNumber: null, consentId: null, subjectId: `5d000000-0000-4000-8000-${String(i).padStart(12, '0')}`, fieldGroups, operationName: null, requestId: `before-${i}`,
          occurredAt: new Date(Date.UTC(2026, 10, 1, 2, i)), outcome,
        });
        entry.hash = chainHash(previousHash, entry);
        previousHash = entry.hash;
        return entry;
      });
      await insertMany(db.manager, AuditEntry, earlier);
      const migrate = async (step: (runner: QueryRunner) => Promise<void>) => {
        const runner = db.createQueryRunner();
        try {
          await step(runner);
        } finally {
          await runner.release();
        }
      };
      const stored = async () => (await db.getRepository(AuditEntry).find({ order: { sequence: 'ASC' } })).map((e) => [e.id, e.auditRead, e.hash]);
      await migrate((runner) => new IndexAuditEntryReadsOfTheLog1764000000490().up(runner));
      expect(await stored()).toEqual(earlier.map((e, i) => [e.id, kinds[i].auditAlone, e.hash]));
      await migrate((runner) => new ReadsOfTheDisclosureLog1764000000500().up(runner));
      expect(await stored()).toEqual(earlier.map((e, i) => [e.id, kinds[i].read, e.hash]));
      // Down, the reads are AUDIT alone again; up again, as a start after it.
      await migrate((runner) => new ReadsOfTheDisclosureLog1764000000500().down(runner));
      expect(await stored()).toEqual(earlier.map((e, i) => [e.id, kinds[i].auditAlone, e.hash]));
      await migrate((runner) => new ReadsOfTheDisclosureLog1764000000500().up(runner));
      // Entries appended after it are told apart alike, chained to the earlier ones.
      const repository = new AuditRepository(db);
      const [later] = await repository.append([
        { actor: 'supervisor-li', organisation: 'CREDIT_OFFICE', organisationKind: 'DEPARTMENT', role: 'CREDIT_OFFICE_SUPERVISOR', matter: 'CREDIT_SUPERVISION', subjectId: earlier[0].subjectId, fieldGroups: ['DISCLOSURE_LOG'], requestId: 'after', occurredAt: new Date(Date.UTC(2026, 10, 2)), outcome: 'DISCLOSED' },
      ]);
      expect(await verifiedChain(repository)).toMatchObject({ intact: true, firstBrokenSequence: null });
      const ids = async (auditReads: boolean) => (await repository.all({ auditReads }, 20, null))?.rows.map((e) => e.id);
      const newestFirst = (read: boolean) => earlier.filter((_, i) => kinds[i].read === read).map((e) => e.id).reverse();
      expect(await ids(true)).toEqual([later.id, ...newestFirst(true)]);
      expect(await ids(false)).toEqual(newestFirst(false));
      // The column's expression recorded where TypeORM reads it: the schema is the entity's.
      expect((await db.driver.createSchemaBuilder().log()).upQueries.map((q) => q.query)).toEqual([]);
    } finally {
      await db.destroy();
    }
  });

  it('keys again the provider names, former names and asked names stored with a character a reader does not see', async () => {
    await database.cleanUp(suite);
    const db = await openDatabase('providers', database.target(suite), subgraphDefinitions.providers);
    try {
      const [plain, disguised] = demoWorld({ subjects: 10 }).providers;
      const providers = db.getRepository(CreditServiceProvider);
      // As the key was computed before: U+2800 kept, as a character that is no format character.
      const disguisedName = `\u2800${plain.name}`;
      await providers.insert([
        providers.create({ ...withoutFormerNames(plain), nameKey: nameKey(plain.name), createdAt: new Date('2026-01-01T00:00:00Z') }),
        providers.create({ ...withoutFormerNames(disguised), name: disguisedName, nameKey: `\u2800${nameKey(plain.name)}`, createdAt: new Date('2026-01-01T00:00:00Z') }),
      ]);
      await db.getRepository(ProviderFormerName).insert({ id: 'former-1', providerId: disguised.id, name: `中\u0301${disguised.name}`, nameKey: `中\u0301${nameKey(disguised.name)}`.normalize('NFKC'), heldUntil: new Date('2026-02-01T00:00:00Z'), filingChangeId: 'change-1' });
      await db.getRepository(ProviderFilingChange).insert({ id: 'change-2', providerId: plain.id, status: 'PENDING', changes: [{ particular: 'NAME', before: plain.name, after: `${plain.name}\ue000` }], nameKey: `${nameKey(plain.name)}\ue000`, reason: '更名', supportingMaterial: '营业执照', appliedAt: new Date('2026-03-01T00:00:00Z') });
      const runner = db.createQueryRunner();
      try {
        await new RekeyProviderNames1764000000380().up(runner);
      } finally {
        await runner.release();
      }
      const keys = Object.fromEntries((await providers.find()).map((p) => [p.id, p.nameKey]));
      expect(keys).toEqual({ [plain.id]: nameKey(plain.name), [disguised.id]: nameKey(plain.name) });
      expect((await db.getRepository(ProviderFormerName).findOneByOrFail({ id: 'former-1' })).nameKey).toBe(nameKey(`中${disguised.name}`));
      expect((await db.getRepository(ProviderFilingChange).findOneByOrFail({ id: 'change-2' })).nameKey).toBe(nameKey(plain.name));
    } finally {
      await db.destroy();
    }
  });

  it('renames a consent naming an enterprise or a person by subject id to its code or ID number, and no other', async () => {
    await database.cleanUp(suite);
    const db = await openDatabase('entities', database.target(suite), subgraphDefinitions.entities);
    try {
      const world = demoWorld({ subjects: 12 });
      await seedEntities(db, world);
      const enterprise = world.subjects.find((s) => s.kind === 'ENTERPRISE')!;
      const person = world.subjects.find((s) => s.kind === 'NATURAL_PERSON')!;
      const consent = (id: string, granteeKind: Consent['granteeKind'], granteeOrganisation: string) => ({
        id, subjectId: world.subjects[0].id, granteeKind, granteeOrganisation, purpose: 'COMMERCIAL_DUE_DILIGENCE', validFrom: '2026-11-01', validUntil: '2027-10-31',
        grantedBy: 'self', grantedByOrganisation: 'self', grantedAt: new Date('2026-11-01T00:00:00Z'), revokedAt: null, revokedBy: null, revocationReason: null,
      });
      await db.getRepository(Consent).insert([
        consent('by-subject-id', 'ENTERPRISE', enterprise.id),
        consent('person-by-subject-id', 'INDIVIDUAL', person.id),
        consent('by-code', 'ENTERPRISE', enterprise.identifier),
        consent('bank', 'FINANCIAL_INSTITUTION', enterprise.id),
      ]);
      const runner = db.createQueryRunner();
      try {
        await new ConsentGranteeByCode1764000000040().up(runner);
      } finally {
        await runner.release();
      }
      const grantees = Object.fromEntries((await db.getRepository(Consent).find()).map((c) => [c.id, c.granteeOrganisation]));
      expect(grantees).toMatchObject({ 'by-subject-id': enterprise.identifier, 'person-by-subject-id': person.identifier, 'by-code': enterprise.identifier, bank: enterprise.id });
    } finally {
      await db.destroy();
    }
  });
});
