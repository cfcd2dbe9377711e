import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MoreThanOrEqual, type DataSource } from 'typeorm';
import { findDepartment } from '../../../lib/catalogue/departments';
import { demoConsentRows, demoConsents } from '../../../scripts/demo/consents';
import { demoBankOrganisation, demoWorld } from '../../../scripts/demo/world';
import { consentStatus } from '../../../subgraphs/entities/entities/consent.entity';
import { todayInDistrict } from '../../../lib/calendar';
import { canonicalEntry, chainHash, genesisHash } from '../../../subgraphs/audit/audit-chain';
import { AuditRepository, type AuditEntryInput } from '../../../subgraphs/audit/audit.repository';
import { AuditEntry } from '../../../subgraphs/audit/entities/audit-entry.entity';
import { seedAudit } from '../../../subgraphs/audit/seed';
import { fieldGroupNames } from '../../../lib/access/field-groups';
import { roles, type Role } from '../../../lib/access/identity';
import { refusalOfPurpose } from '../../../lib/access/policy';
import { findMatter } from '../../../lib/catalogue/matters';
import { auditSubgraph } from '../../../subgraphs/audit/subgraph';
import { openDatabase } from '../../../subgraphs/shared/database';
import { quietDatabase } from '../../../lib/database-logger';
import { testDatabases } from '../../helpers/databases';
import type { Connection } from '../../helpers/graphql';
import { useSubgraph } from '../../helpers/subgraph';
import { firstBreak, verifiedChain } from './verified-chain';

interface EntryNode {
  id: string;
  actor: string;
  organisation: string;
  organisationKind: string;
  role: string;
  matter: string | null;
  caseNumber: string | null;
  consentId: string | null;
  subject: { id: string } | null;
  fieldGroups: string[];
  operationName: string | null;
  requestId: string;
  occurredAt: string;
  outcome: string;
}
type EntryPage = Connection<EntryNode>;

const ENTRY_FIELDS = /* GraphQL */ `id actor organisation organisationKind role matter caseNumber consentId subject { id } fieldGroups operationName requestId occurredAt outcome`;
const PAGE = /* GraphQL */ `totalCount pageInfo { hasNextPage endCursor } edges { cursor node { ${ENTRY_FIELDS} } }`;
const BY_SUBJECT = /* GraphQL */ `query($subjectId: ID!, $first: Int, $after: String) { auditEntriesBySubject(subjectId: $subjectId, first: $first, after: $after) { ${PAGE} } }`;
const BY_ORGANISATION = /* GraphQL */ `
  query($organisation: String!, $from: DateTime, $to: DateTime, $first: Int, $after: String) {
    auditEntriesByOrganisation(organisation: $organisation, from: $from, to: $to, first: $first, after: $after) { ${PAGE} }
  }
`;
const ENTITIES = /* GraphQL */ `
  query($r: [_Any!]!) {
    _entities(representations: $r) {
      ... on AuditEntry { id organisation subject { id } }
      ... on Subject { id disclosures(first: 2) { totalCount pageInfo { hasNextPage } edges { node { id outcome } } } }
    }
  }
`;

// Fixed ids, so the expected order (occurredAt DESC, id DESC) can be written down.
const alice = 'a0000000-0000-4000-8000-00000000000a';
const bob = 'b0000000-0000-4000-8000-00000000000b';
const nobody = 'c0000000-0000-4000-8000-00000000000c';
const bank = 'f1000000-0000-4000-8000-000000000001';
const at = (day: number, hour = 2) => new Date(Date.UTC(2026, 2, day, hour, 30, 0, 125));

function entry(id: string, overrides: Partial<AuditEntryInput> = {}): AuditEntryInput {
  return {
    id,
    actor: 'finance-officer-1',
    organisation: 'FINANCE',
    organisationKind: 'DEPARTMENT',
    role: 'OFFICER',
    matter: 'GOVERNMENT_PROCUREMENT',
    caseNumber: 'BDHCG-2026-0001',
    subjectId: alice,
    fieldGroups: ['SUBJECT_BASICS', 'ADMINISTRATIVE_PENALTY'],
    operationName: 'ReviewSupplierCredit',
    requestId: `request-${id}`,
    occurredAt: at(1),
    outcome: 'DISCLOSED',
    ...overrides,
  };
}

// Alice: five entries (one refused, two at the same instant); Bob: two; one statistics read.
const fixtures: AuditEntryInput[] = [
  entry('e0000000-0000-4000-8000-000000000001', { occurredAt: at(1) }),
  entry('e0000000-0000-4000-8000-000000000002', { occurredAt: at(3), organisation: 'HEALTH', matter: 'KEY_FIELD_SUPERVISION', caseNumber: null }),
  entry('e0000000-0000-4000-8000-000000000003', { occurredAt: at(5) }),
  entry('e0000000-0000-4000-8000-000000000004', { occurredAt: at(5) }),
  entry('e0000000-0000-4000-8000-000000000005', {
    occurredAt: at(7),
    organisation: bank,
    organisationKind: 'FINANCIAL_INSTITUTION',
    role: 'CREDIT_OFFICER',
    matter: 'LOAN_APPROVAL',
    caseNumber: null,
    consentId: null,
    fieldGroups: ['SUBJECT_BASICS'],
    outcome: 'DENIED',
  }),
  entry('e0000000-0000-4000-8000-000000000006', { occurredAt: at(2), subjectId: bob }),
  entry('e0000000-0000-4000-8000-000000000007', { occurredAt: at(4), subjectId: bob, consentId: 'consent-7', fieldGroups: [] }),
  entry('e0000000-0000-4000-8000-000000000008', { occurredAt: at(6), subjectId: null, organisation: 'CREDIT_OFFICE', matter: 'CREDIT_SUPERVISION', fieldGroups: ['STATISTICS'] }),
];

const newestFirst = (a: AuditEntryInput, b: AuditEntryInput) => b.occurredAt.getTime() - a.occurredAt.getTime() || ((b.id ?? '') < (a.id ?? '') ? -1 : 1);

// The bytes a verifier elsewhere hashes (README, The credit office): JSON with sorted keys, no
// whitespace, nulls written out, UTF-8; hash = hex SHA-256 of the previous hash's hex followed by
// them. The expected values were computed once outside this code, with Python's
// json.dumps(entry, sort_keys=True, separators=(',', ':'), ensure_ascii=False) and hashlib.sha256.
describe('the audit chain hash, against answers computed elsewhere', () => {
  const stored = Object.assign(new AuditEntry(), {
    ...entry('e0000000-0000-4000-8000-000000000001', { caseNumber: '京财采〔2026〕1号', consentId: 'consent-"7"' }),
    fieldGroups: '',
    sequence: 1,
  });

  it('writes an entry as RFC 8785 canonical JSON, field groups as an array and the instant with milliseconds', () => {
    expect(canonicalEntry(stored)).toBe(
      '{"actor":"finance-officer-1","caseNumber":"京财采〔2026〕1号","consentId":"consent-\\"7\\"","fieldGroups":[],"id":"e0000000-0000-4000-8000-000000000001",' +
        '"matter":"GOVERNMENT_PROCUREMENT","occurredAt":"2026-03-01T02:30:00.125Z","operationName":"ReviewSupplierCredit","organisation":"FINANCE",' +
        '"organisationKind":"DEPARTMENT","outcome":"DISCLOSED","requestId":"request-e0000000-0000-4000-8000-000000000001","role":"OFFICER","sequence":1,' +
        '"subjectId":"a0000000-0000-4000-8000-00000000000a"}',
    );
  });

  it('hashes the previous hash and the canonical JSON as UTF-8', () => {
    expect(chainHash(genesisHash, stored)).toBe('ea2206a2320022e73e34d2e98ab9b8c9387ac7a4c5ff876c835fda56ec745643');
  });
});

describe.each(testDatabases)('audit subgraph on $label', (database) => {
  const { db, sql, query, target } = useSubgraph(auditSubgraph, database);
  let repository: AuditRepository;
  const world = demoWorld({ subjects: 60 });
  const count = () => db().getRepository(AuditEntry).count();
  const column = (name: string) => db().driver.escape(name);

  beforeAll(() => {
    repository = new AuditRepository(db());
  });

  it('has a migration that creates exactly the schema the entity describes', async () => {
    const pending = await db().driver.createSchemaBuilder().log();
    expect(pending.upQueries.map((q) => q.query)).toEqual([]);
  });

  describe('AuditRepository.append', () => {
    it('numbers entries from 1 and chains each hash to the previous one, starting from the genesis hash', async () => {
      const appended = await repository.append(fixtures);
      expect(appended.map((e) => e.sequence)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
      expect(appended[0].previousHash).toBe(genesisHash);
      for (let i = 1; i < appended.length; i++) expect(appended[i].previousHash).toBe(appended[i - 1].hash);
      expect(appended.every((e) => /^[0-9a-f]{64}$/.test(e.hash ?? ''))).toBe(true);
      expect(await repository.chainHead()).toEqual({ sequence: 8, hash: appended[7].hash });
      expect(await verifiedChain(repository)).toMatchObject({ intact: true, firstBrokenSequence: null });
      // Known answers, computed once outside this code (as said above 'the audit chain hash').
      expect(appended.slice(0, 2).map((e) => e.hash)).toEqual([
        'f3f72bdd8427ec34c9aaf95747a7149f262bb5421e48515457675a6f6219948f',
        '3000e902eae0bfe6784c653b743c436ca94dce24063da9e2fa0f258303a655db',
      ]);
    });

    it('stores field groups joined with commas and an empty list as an empty string', async () => {
      const rows = await db().getRepository(AuditEntry).findBy({ subjectId: bob });
      expect(rows.map((r) => r.fieldGroups).sort()).toEqual(['', 'SUBJECT_BASICS,ADMINISTRATIVE_PENALTY']);
    });

    it.each([
      ['an unknown department code', { organisation: 'NOT_A_DEPARTMENT' }, 'entries[1].organisation', {}],
      ['an empty actor', { actor: '  ' }, 'entries[1].actor', { problem: 'EMPTY' }],
      // A direct caller's number where text is held: no blank text.
      ['an actor that is no text', { actor: 42 as unknown as string }, 'entries[1].actor', { problem: 'NOT_TEXT' }],
      // A comma would split the group in its stored column.
      ['a field group with a comma', { fieldGroups: ['SUBJECT_BASICS', 'A,B'] }, 'entries[1].fieldGroups[1]', { problem: 'FORBIDDEN_CHARACTER', character: 'U+002C' }],
      ['a field group not starting with a letter', { fieldGroups: ['1A'] }, 'entries[1].fieldGroups[0]', { problem: 'FORBIDDEN_CHARACTER', character: 'U+0031' }],
      ['an empty field group', { fieldGroups: [''] }, 'entries[1].fieldGroups[0]', { problem: 'EMPTY' }],
      ['a field group over 64 characters', { fieldGroups: [`G${'g'.repeat(64)}`] }, 'entries[1].fieldGroups[0]', { problem: 'TOO_LONG', max: 64 }],
      ['a field group that is no text', { fieldGroups: [7 as unknown as string] }, 'entries[1].fieldGroups[0]', { problem: 'NOT_TEXT' }],
      ['a field group listed twice', { fieldGroups: ['SUBJECT_BASICS', 'PUBLIC_RECORDS', 'SUBJECT_BASICS'] }, 'entries[1].fieldGroups[2]', { problem: 'LISTED_TWICE', earlierIndex: 0 }],
      ['field groups over 500 characters joined', { fieldGroups: Array.from({ length: 9 }, (_, i) => `G${i}${'g'.repeat(60)}`) }, 'entries[1].fieldGroups', { problem: 'TOO_LONG', max: 500 }],
      // A direct caller's: GraphQL makes a list of one value.
      ['field groups that are no list', { fieldGroups: 'SUBJECT_BASICS' as unknown as string[] }, 'entries[1].fieldGroups', { problem: 'NOT_A_LIST' }],
      ['an id an earlier entry of the batch has', { id: 'f0000000-0000-4000-8000-000000000001' }, 'entries[1].id', { problem: 'LISTED_TWICE', earlierIndex: 0 }],
      ['an invalid instant', { occurredAt: new Date('not a date') }, 'entries[1].occurredAt', { problem: 'NOT_A_DATE' }],
      ['a request id over 64 characters', { requestId: 'r'.repeat(65) }, 'entries[1].requestId', { problem: 'TOO_LONG', max: 64 }],
      // Hashed as JSON escapes it, stored as U+FFFD: the chain would read as tampered from it on.
      ['a lone surrogate in an organisation', { organisation: 'BANK\ud800X', organisationKind: 'FINANCIAL_INSTITUTION' as const }, 'entries[1].organisation', { problem: 'FORBIDDEN_CHARACTER', character: 'U+D800' }],
      ['a lone surrogate in an actor', { actor: 'user\udc00' }, 'entries[1].actor', { problem: 'FORBIDDEN_CHARACTER', character: 'U+DC00' }],
    ])('refuses %s with BAD_USER_INPUT naming the field and its problem, and stores none of the batch', async (_label, overrides, field, problem) => {
      const before = await count();
      const batch = [entry('f0000000-0000-4000-8000-000000000001'), entry('f0000000-0000-4000-8000-000000000002', overrides)];
      await expect(repository.append(batch)).rejects.toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field, index: 1, ...problem } });
      expect(await count()).toBe(before);
    });

    it('refuses to replace an existing entry and leaves the chain as it was', async () => {
      const head = await repository.chainHead();
      await expect(repository.append([entry('f0000000-0000-4000-8000-000000000003'), entry(fixtures[0].id ?? '')])).rejects.toMatchObject({
        extensions: { code: 'BAD_USER_INPUT', field: 'entries[1].id', index: 1, problem: 'ENTRY_EXISTS' },
      });
      expect(await repository.chainHead()).toEqual(head);
      expect(await db().getRepository(AuditEntry).existsBy({ id: 'f0000000-0000-4000-8000-000000000003' })).toBe(false);
    });

    it('keeps one unbroken chain when many appends run at once', async () => {
      const head = await repository.chainHead();
      const batches = Array.from({ length: 10 }, (_, b) =>
        Array.from({ length: 3 }, (_, i) => entry(`d${String(b).padStart(3, '0')}${i}000-0000-4000-8000-000000000000`, { subjectId: nobody, occurredAt: at(20 + i) })),
      );
      // Separate repositories, as separate requests would have.
      await Promise.all(batches.map((batch) => new AuditRepository(db()).append(batch)));
      const chained = await db().getRepository(AuditEntry).find({ where: { subjectId: nobody }, order: { sequence: 'ASC' } });
      expect(chained.map((e) => e.sequence)).toEqual(Array.from({ length: 30 }, (_, i) => (head?.sequence ?? 0) + 1 + i));
      expect(await verifiedChain(repository)).toMatchObject({ intact: true, firstBrokenSequence: null });
    });

    // Two DataSources stand for two subgraph processes: the in-process queue cannot order them,
    // the locked head row and the unique sequence index must. (Two in-memory SQLite DataSources
    // would be two databases, so this runs on MySQL only.)
    (database.label === 'mysql' ? it : it.skip)('keeps one unbroken chain when two processes append at once', async () => {
      const second = await openDatabase('audit', target, auditSubgraph);
      try {
        const head = await repository.chainHead();
        const batches = Array.from({ length: 8 }, (_, b) => [entry(`d1${String(b).padStart(2, '0')}0000-0000-4000-8000-000000000000`, { subjectId: nobody, occurredAt: at(25) })]);
        await Promise.all(batches.map((batch, b) => new AuditRepository(b % 2 ? second : db()).append(batch)));
        expect((await repository.chainHead())?.sequence).toBe((head?.sequence ?? 0) + 8);
        expect(await verifiedChain(repository)).toMatchObject({ intact: true, firstBrokenSequence: null });
      } finally {
        await second.destroy();
      }
    });
  });

  // The gateway's appends name no ids: while one process is the only writer, each is one INSERT.
  describe('AuditRepository.append without named ids (the gateway\'s group commits)', () => {
    const gatewayRead = 'e0000000-0000-4000-8000-00000000000e';
    const unnamed = (n: number, day: number): AuditEntryInput[] => Array.from({ length: n }, () => ({ ...entry('unused', { subjectId: gatewayRead, occurredAt: at(day) }), id: undefined }));

    it('writes a batch as one statement once it knows the head it last wrote', async () => {
      await repository.append(unnamed(2, 26));
      sql.reset();
      await repository.append(unnamed(3, 26));
      expect(sql.statements.filter((s) => !/^\s*(SELECT 1|PRAGMA)/i.test(s))).toHaveLength(1);
      expect(sql.statements[0]).toMatch(/^\s*INSERT INTO/i);
      expect(await verifiedChain(repository)).toMatchObject({ intact: true, firstBrokenSequence: null });
    });

    it('gives entries ids that sort by the time they were appended (UUID version 7), so that the log grows at the end of its primary key', async () => {
      const earlier = await repository.append(unnamed(3, 26));
      await new Promise((resolve) => setTimeout(resolve, 5));
      const later = await repository.append(unnamed(3, 26));
      const ids = [...earlier, ...later].map((e) => e.id);
      for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      // The first 48 bits are the millisecond: every id of the later batch sorts after the earlier's.
      const instant = (id: string) => id.replace(/-/g, '').slice(0, 12);
      expect(Math.min(...later.map((e) => parseInt(instant(e.id), 16)))).toBeGreaterThan(Math.max(...earlier.map((e) => parseInt(instant(e.id), 16))));
      expect(later.every((e) => earlier.every((f) => e.id > f.id))).toBe(true);
    });

    // Each process's remembered head goes stale when the other appends: its INSERT collides on
    // the unique sequence and the batch is written again under the lock, after the new head.
    (database.label === 'mysql' ? it : it.skip)('keeps one unbroken chain when two processes take turns and append at once', async () => {
      const second = await openDatabase('audit', target, auditSubgraph);
      try {
        const head = await repository.chainHead();
        for (let turn = 0; turn < 6; turn += 1) await new AuditRepository(turn % 2 ? second : db()).append(unnamed(2, 27));
        await Promise.all(Array.from({ length: 10 }, (_, b) => new AuditRepository(b % 2 ? second : db()).append(unnamed(3, 28))));
        expect((await repository.chainHead())?.sequence).toBe((head?.sequence ?? 0) + 12 + 30);
        expect(await verifiedChain(repository)).toMatchObject({ intact: true, firstBrokenSequence: null });
      } finally {
        await second.destroy();
      }
    });
  });

  describe('AuditRepository.verification', () => {
    /** The stored entry's sequence and id: what a broken link names. */
    const stored = async (sequence: number) => ({ sequence, id: (await db().getRepository(AuditEntry).findOneByOrFail({ sequence })).id });
    /** What a break at `sequence` names: the entry stored there now, or for one renumbered away, the one found in its place. */
    const foundAt = async (sequence: number) => ({
      sequence,
      id: (await db().getRepository(AuditEntry).findOneOrFail({ where: { sequence: MoreThanOrEqual(sequence) }, order: { sequence: 'ASC' } })).id,
    });
    const tamper = async (sequence: number, set: string, params: unknown[], check: (found: { sequence: number; id: string | null } | null) => Promise<void>) => {
      const original = await db().getRepository(AuditEntry).findOneByOrFail({ sequence });
      await db().query(`UPDATE audit_entry SET ${set} WHERE ${column('sequence')} = ?`, [...params, sequence]);
      try {
        await check(firstBreak(await verifiedChain(repository)));
      } finally {
        // The original back in its place, whether its id, its sequence or anything else was changed.
        await db().query(`DELETE FROM audit_entry WHERE ${column('id')} = ? OR ${column('sequence')} = ?`, [original.id, sequence]);
        await db().getRepository(AuditEntry).insert(original);
      }
      expect(await verifiedChain(repository)).toMatchObject({ intact: true, firstBrokenSequence: null });
    };

    // A change to each field canonicalEntry hashes, made in the stored row (third entry: Alice's,
    // FINANCE's, for GOVERNMENT_PROCUREMENT with a case number and no consent).
    const changes: [property: string, changed: unknown][] = [
      ['id', 'e0000000-0000-4000-8000-0000000000ff'],
      ['sequence', 1000],
      ['actor', 'finance-officer-2'],
      ['organisation', 'HEALTH'],
      ['organisationKind', 'FINANCIAL_INSTITUTION'],
      ['role', 'AUDITOR'],
      ['matter', 'LOAN_APPROVAL'],
      ['caseNumber', null],
      ['consentId', 'consent-3'],
      ['subjectId', bob],
      ['fieldGroups', 'SUBJECT_BASICS'],
      ['operationName', null],
      ['requestId', 'request-forged'],
      ['occurredAt', at(9)],
      ['outcome', 'DENIED'],
    ];

    it('changes below every field the hash covers', async () => {
      const row = await db().getRepository(AuditEntry).findOneByOrFail({ sequence: 3 });
      expect(changes.map(([property]) => property).sort()).toEqual(Object.keys(JSON.parse(canonicalEntry(row))).sort());
    });

    it.each(changes)('finds an entry whose %s was changed with raw SQL, at its sequence', async (property, changed) => {
      const changedColumn = db().getRepository(AuditEntry).metadata.findColumnWithPropertyName(property);
      if (!changedColumn) throw new Error(`AuditEntry has no ${property} column`);
      await tamper(3, `${column(changedColumn.databaseName)} = ?`, [db().driver.preparePersistentValue(changed, changedColumn)], async (found) => expect(found).toEqual(await foundAt(3)));
    });

    it('finds the entry after one whose hash was recomputed to hide a change', async () => {
      const row = await db().getRepository(AuditEntry).findOneByOrFail({ sequence: 3 });
      const forged = chainHash(row.previousHash ?? '', { ...row, role: 'AUDITOR' });
      const next = await stored(4);
      await tamper(3, 'role = ?, hash = ?', ['AUDITOR', forged], async (found) => expect(found).toEqual(next));
    });

    it('finds a deleted entry at its sequence number, at the entry found in its place', async () => {
      const original = await db().getRepository(AuditEntry).findOneByOrFail({ sequence: 4 });
      const next = await stored(5);
      await db().query(`DELETE FROM audit_entry WHERE ${column('sequence')} = ?`, [4]);
      expect(firstBreak(await verifiedChain(repository))).toEqual({ sequence: 4, id: next.id });
      await db().getRepository(AuditEntry).insert(original);
      expect(await verifiedChain(repository)).toMatchObject({ intact: true, firstBrokenSequence: null });
    });
  });

  describe('Query.auditEntriesBySubject', () => {
    const aliceEntries = fixtures.filter((f) => f.subjectId === alice).sort(newestFirst);

    it("returns every outcome of the subject's entries, newest first, with all fields", async () => {
      const result = await query<{ auditEntriesBySubject: EntryPage }>(BY_SUBJECT, { subjectId: alice });
      expect(result.errors).toBeUndefined();
      const page = result.data!.auditEntriesBySubject;
      expect(page.totalCount).toBe(5);
      expect(page.pageInfo.hasNextPage).toBe(false);
      expect(page.edges.map((e) => e.node.id)).toEqual(aliceEntries.map((e) => e.id));
      expect(page.edges.map((e) => e.node.outcome)).toContain('DENIED');
      // Reading who read a subject is itself a disclosure about the subject, audited as Subject.disclosures is.
      expect(result.extensions?.disclosures).toEqual([{ subjectId: alice, groups: ['AUDIT'] }]);
      expect(page.edges[page.edges.length - 1].node).toEqual({
        id: fixtures[0].id,
        actor: 'finance-officer-1',
        organisation: 'FINANCE',
        organisationKind: 'DEPARTMENT',
        role: 'OFFICER',
        matter: 'GOVERNMENT_PROCUREMENT',
        caseNumber: 'BDHCG-2026-0001',
        consentId: null,
        subject: { id: alice },
        fieldGroups: ['SUBJECT_BASICS', 'ADMINISTRATIVE_PENALTY'],
        operationName: 'ReviewSupplierCredit',
        requestId: `request-${fixtures[0].id}`,
        occurredAt: '2026-03-01T02:30:00.125Z',
        outcome: 'DISCLOSED',
      });
    });

    it('pages with first/after, breaking ties of the same instant by id', async () => {
      const seen: string[] = [];
      let after: string | null = null;
      const pages: EntryPage[] = [];
      do {
        const result: Awaited<ReturnType<typeof query<{ auditEntriesBySubject: EntryPage }>>> = await query<{ auditEntriesBySubject: EntryPage }>(BY_SUBJECT, { subjectId: alice, first: 2, after });
        const page = result.data!.auditEntriesBySubject;
        pages.push(page);
        seen.push(...page.edges.map((e) => e.node.id));
        after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
      } while (after && pages.length < 10);
      expect(pages.map((p) => [p.edges.length, p.totalCount, p.pageInfo.hasNextPage])).toEqual([
        [2, 5, true],
        [2, 5, true],
        [1, 5, false],
      ]);
      expect(seen).toEqual(aliceEntries.map((e) => e.id));
    });

    it('returns an empty connection for a subject nobody read', async () => {
      const result = await query<{ auditEntriesBySubject: EntryPage }>(BY_SUBJECT, { subjectId: 'no-such-subject' });
      expect(result.data?.auditEntriesBySubject).toEqual({ totalCount: 0, pageInfo: { hasNextPage: false, endCursor: null }, edges: [] });
    });

    it('returns null for the subject of an entry that concerned no single subject', async () => {
      const result = await query<{ auditEntriesByOrganisation: EntryPage }>(BY_ORGANISATION, { organisation: 'CREDIT_OFFICE' });
      expect(result.data?.auditEntriesByOrganisation.edges.map((e) => [e.node.subject, e.node.fieldGroups])).toEqual([[null, ['STATISTICS']]]);
    });

    it.each([
      ['a page size of 0', { first: 0 }, 'BAD_USER_INPUT', 'first'],
      ['a page size over 100', { first: 101 }, 'BAD_USER_INPUT', 'first'],
      ['a forged cursor', { after: 'not-a-cursor' }, 'INVALID_CURSOR', 'after'],
      ['an empty subject id', { subjectId: ' ' }, 'BAD_USER_INPUT', 'subjectId'],
    ])('refuses %s with %s', async (_label, variables, code, field) => {
      const result = await query(BY_SUBJECT, { subjectId: alice, ...variables });
      expect(result.data).toEqual({ auditEntriesBySubject: null });
      expect(result.errors?.[0].extensions).toMatchObject({ code, field });
      expect(result.errors?.[0].extensions).not.toHaveProperty('stacktrace');
    });
  });

  describe('Query.auditEntriesByOrganisation', () => {
    const finance = fixtures.filter((f) => f.organisation === 'FINANCE').sort(newestFirst);

    it('returns what the organisation read, newest first', async () => {
      const result = await query<{ auditEntriesByOrganisation: EntryPage }>(BY_ORGANISATION, { organisation: 'FINANCE', to: at(10).toISOString() });
      expect(result.data?.auditEntriesByOrganisation.edges.map((e) => e.node.id)).toEqual(finance.map((e) => e.id));
      expect(result.data?.auditEntriesByOrganisation.totalCount).toBe(finance.length);
      // Whom the organisation read is read about each of them: audited in each one's trail, as auditEntriesBySubject is.
      const read = [...new Set(finance.map((e) => e.subjectId).filter((id): id is string => id !== null))].sort();
      expect(read.length).toBeGreaterThan(1);
      expect(((result.extensions?.disclosures ?? []) as { subjectId: string; groups: string[] }[]).sort((x, y) => (x.subjectId < y.subjectId ? -1 : 1))).toEqual(read.map((subjectId) => ({ subjectId, groups: ['AUDIT'] })));
    });

    it('limits to [from, to): from is included, to is not', async () => {
      const result = await query<{ auditEntriesByOrganisation: EntryPage }>(BY_ORGANISATION, { organisation: 'FINANCE', from: at(2).toISOString(), to: at(5).toISOString() });
      expect(result.data?.auditEntriesByOrganisation.edges.map((e) => e.node.occurredAt)).toEqual([at(4).toISOString(), at(2).toISOString()]);
      const exact = await query<{ auditEntriesByOrganisation: EntryPage }>(BY_ORGANISATION, { organisation: 'FINANCE', from: at(5).toISOString(), to: at(6).toISOString() });
      expect(exact.data?.auditEntriesByOrganisation.edges.map((e) => e.node.id)).toEqual(['e0000000-0000-4000-8000-000000000004', 'e0000000-0000-4000-8000-000000000003']);
    });

    it('pages within a range', async () => {
      const first = await query<{ auditEntriesByOrganisation: EntryPage }>(BY_ORGANISATION, { organisation: 'FINANCE', to: at(10).toISOString(), first: 3 });
      const page1 = first.data!.auditEntriesByOrganisation;
      expect(page1.pageInfo.hasNextPage).toBe(true);
      const second = await query<{ auditEntriesByOrganisation: EntryPage }>(BY_ORGANISATION, { organisation: 'FINANCE', to: at(10).toISOString(), first: 3, after: page1.pageInfo.endCursor });
      const page2 = second.data!.auditEntriesByOrganisation;
      expect([...page1.edges, ...page2.edges].map((e) => e.node.id)).toEqual(finance.map((e) => e.id));
      expect(page2.pageInfo.hasNextPage).toBe(false);
    });

    it.each([
      ['to equal to from', { from: at(5).toISOString(), to: at(5).toISOString() }, 'BAD_USER_INPUT', 'to'],
      ['to before from', { from: at(6).toISOString(), to: at(5).toISOString() }, 'BAD_USER_INPUT', 'to'],
      ['an empty organisation', { organisation: '' }, 'BAD_USER_INPUT', 'organisation'],
      ['a forged cursor', { after: 'bm90LWEtY3Vyc29y' }, 'INVALID_CURSOR', 'after'],
    ])('refuses %s', async (_label, variables, code, field) => {
      const result = await query(BY_ORGANISATION, { organisation: 'FINANCE', ...variables });
      expect(result.data).toEqual({ auditEntriesByOrganisation: null });
      expect(result.errors?.[0].extensions).toMatchObject({ code, field });
    });

    it('refuses a DateTime that is not an instant', async () => {
      const result = await query(BY_ORGANISATION, { organisation: 'FINANCE', from: 'yesterday' });
      expect(result.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    });
  });

  describe('Subject.disclosures', () => {
    it('lists only DISCLOSED entries, newest first, and an empty connection for unknown subjects', async () => {
      const result = await query<{ _entities: ({ id: string; disclosures: EntryPage } | null)[] }>(ENTITIES, {
        r: [alice, bob, 'no-such-subject'].map((id) => ({ __typename: 'Subject', id })),
      });
      expect(result.errors).toBeUndefined();
      const [a, b, none] = result.data!._entities;
      const disclosed = fixtures.filter((f) => f.subjectId === alice && f.outcome === 'DISCLOSED').sort(newestFirst);
      expect(a?.disclosures).toMatchObject({ totalCount: 4, pageInfo: { hasNextPage: true } });
      expect(a?.disclosures.edges.map((e) => e.node.id)).toEqual(disclosed.slice(0, 2).map((e) => e.id));
      expect(b?.disclosures.totalCount).toBe(2);
      expect(none).toEqual({ id: 'no-such-subject', disclosures: { totalCount: 0, pageInfo: { hasNextPage: false }, edges: [] } });
    });
  });

  describe('seedAudit', () => {
    it('appends nothing to a log that has entries', async () => {
      const before = await count();
      const head = await repository.chainHead();
      expect(before).toBeGreaterThan(0);
      expect(await seedAudit(db(), world)).toBeNull();
      expect([await count(), await repository.chainHead()]).toEqual([before, head]);
    });
  });

  // A log of its own, which the seed begins: the one above has entries.
  describe('with the demo year seeded', () => {
    const { db, sql, query } = useSubgraph(auditSubgraph, database, 'auditseeded');

    describe('seedAudit', () => {
      it('writes a chained history into an empty log, once: a second seed adds nothing', async () => {
        const inserted = await seedAudit(db(), world);
        expect(inserted).toBeGreaterThan(150);
        expect(await db().getRepository(AuditEntry).count()).toBe(inserted);
        expect(await seedAudit(db(), world)).toBeNull();
        expect(await verifiedChain(new AuditRepository(db()))).toMatchObject({ intact: true, firstBrokenSequence: null });
      });

      it('gives each of the first 50 subjects at least three disclosures in 2026, and records some refusals', async () => {
        const rows = await db().getRepository(AuditEntry).find();
        const seeded = rows.filter((r) => r.requestId.length === 36);
        for (const subject of world.subjects.slice(0, 50)) {
          expect(seeded.filter((r) => r.subjectId === subject.id && r.outcome === 'DISCLOSED').length).toBeGreaterThanOrEqual(3);
        }
        expect(seeded.some((r) => r.outcome === 'DENIED')).toBe(true);
        expect(seeded.every((r) => r.occurredAt.getUTCFullYear() === 2026)).toBe(true);
        expect(seeded.filter((r) => r.organisationKind === 'DEPARTMENT').every((r) => findDepartment(r.organisation))).toBe(true);
        expect(seeded.map((r) => r.matter)).toEqual(expect.arrayContaining(['GOVERNMENT_PROCUREMENT', 'CONSTRUCTION_BIDDING', 'PERSONNEL_REVIEW']));
      });

      it('records only the matters, field groups and roles the platform itself records, so the statistics read as real ones', async () => {
        const seeded = (await db().getRepository(AuditEntry).find()).filter((r) => r.requestId.length === 36);
        expect(seeded.length).toBeGreaterThan(150);
        const strays = seeded.flatMap((r) => [
          ...(r.matter && !findMatter(r.matter) ? [`matter ${r.matter}`] : []),
          ...r.fieldGroups.split(',').filter((g) => !(fieldGroupNames as string[]).includes(g)).map((g) => `group ${g}`),
          ...((roles as readonly string[]).includes(r.role) ? [] : [`role ${r.role}`]),
        ]);
        expect([...new Set(strays)]).toEqual([]);
        // A consented read names a purpose that needs a consent.
        expect(seeded.filter((r) => r.consentId).every((r) => findMatter(r.matter!)?.consentRequired)).toBe(true);
      });

      it('shows a department disclosing only under a matter the policy lets it read, and refused only under one it does not', async () => {
        const seeded = (await db().getRepository(AuditEntry).find()).filter((r) => r.requestId.length === 36 && r.organisationKind === 'DEPARTMENT' && r.matter);
        const refusalOf = (r: AuditEntry) =>
          refusalOfPurpose({ id: r.actor, organisation: r.organisation, organisationKind: 'DEPARTMENT', role: r.role as Role }, { matter: r.matter!, ...(r.caseNumber ? { caseNumber: r.caseNumber } : {}) }, findMatter(r.matter!));
        const disclosed = seeded.filter((r) => r.outcome === 'DISCLOSED');
        expect(disclosed.length).toBeGreaterThan(100);
        expect(disclosed.filter((r) => refusalOf(r)).map((r) => `${r.organisation} ${r.role} ${r.matter}`)).toEqual([]);
        expect(seeded.filter((r) => r.outcome === 'DENIED' && !refusalOf(r)).map((r) => `${r.organisation} ${r.role} ${r.matter}`)).toEqual([]);
      });

      it('cites only consents in the register, each read while it held and refused when it did not, its grantee named as its tokens name it', async () => {
        const register = new Map(demoConsentRows(world).map((c) => [c.id, c]));
        const consented = (await db().getRepository(AuditEntry).find()).filter((r) => r.requestId.length === 36 && r.consentId);
        expect(consented.length).toBeGreaterThan(0);
        const held: string[] = [];
        for (const entry of consented) {
          const consent = register.get(entry.consentId!);
          expect(consent).toBeDefined();
          expect([entry.subjectId, entry.organisation, entry.organisationKind, entry.matter]).toEqual([world.subjects[consent!.subject].id, consent!.grantee, consent!.granteeKind, consent!.purpose]);
          const day = todayInDistrict(entry.occurredAt);
          // As the register stood that day: a revocation counts from its day on.
          const revokedAt = consent!.revoked && day >= consent!.revoked.on ? entry.occurredAt : null;
          const status = consentStatus({ validFrom: consent!.validFrom, validUntil: consent!.validUntil, revokedAt }, day);
          // A read while the consent held is disclosed, or withheld (FAILED) when the register could not be asked again.
          expect([entry.consentId, day, entry.outcome]).toEqual([entry.consentId, day, status === 'ACTIVE' ? expect.stringMatching(/^(DISCLOSED|FAILED)$/) : 'DENIED']);
          if (entry.outcome === 'DISCLOSED') held.push(entry.consentId!);
        }
        // The bank's read of its active consent, the due diligence and the provider's collection are all there.
        expect(new Set(held)).toEqual(new Set([demoConsents.bankFinancialServices, demoConsents.expired, demoConsents.revoked, demoConsents.dueDiligence, demoConsents.providerCollection]));
        // The bank's refused attempts without a consent name it as its tokens do.
        const banks = (await db().getRepository(AuditEntry).find()).filter((r) => r.requestId.length === 36 && r.organisationKind === 'FINANCIAL_INSTITUTION');
        expect(new Set(banks.map((r) => r.organisation))).toEqual(new Set([demoBankOrganisation]));
      });

      // The demo dashboard is built on these: a shape the gateway never writes (gateway/gateway.ts,
      // auditEntries) would be designed for, such as a disclosure of no subject ("disclosed 6, subjects 0").
      it('writes only entries the gateway writes: every disclosure names its subject, and only a consented read is FAILED', async () => {
        const seeded = (await db().getRepository(AuditEntry).find()).filter((r) => r.requestId.length === 36);
        expect(seeded.filter((r) => r.outcome === 'DISCLOSED' && r.subjectId === null).map((r) => r.operationName)).toEqual([]);
        // The gateway writes FAILED only when the consent register cannot be asked again before a consented answer is released.
        const failed = seeded.filter((r) => r.outcome === 'FAILED');
        expect(failed.length).toBeGreaterThan(0);
        expect(failed.filter((r) => !r.consentId || !r.subjectId || !findMatter(r.matter!)?.consentRequired).map((r) => r.organisation)).toEqual([]);
        // The credit office still shows in the statistics, by what its supervision reads: whom others read.
        const office = seeded.filter((r) => r.role === 'CREDIT_OFFICE_SUPERVISOR');
        expect(office.length).toBeGreaterThan(0);
        expect(office.every((r) => r.subjectId && r.matter === 'CREDIT_SUPERVISION' && r.outcome === 'DISCLOSED')).toBe(true);
      });

      it('is deterministic: the same world gives the same entries', async () => {
        const other = await openDatabase('audit', { kind: 'sqlite', directory: ':memory:' }, auditSubgraph);
        try {
          await seedAudit(other, world);
          const ids = async (source: DataSource) => (await source.getRepository(AuditEntry).find({ where: {}, order: { id: 'ASC' } })).filter((r) => r.requestId.length === 36).map((r) => `${r.id} ${r.occurredAt.toISOString()}`);
          expect(await ids(other)).toEqual(await ids(db()));
        } finally {
          await other.destroy();
        }
      });
    });

    describe('batching', () => {
      it('resolves AuditEntry references in one SQL statement for 5 and for 50, null for unknown ids', async () => {
        const ids = (await db().getRepository(AuditEntry).find({ select: { id: true }, order: { id: 'ASC' }, take: 50 })).map((r) => r.id);
        const statementsFor = (n: number) =>
          sql.selectsDuring(async () => {
            const result = await query<{ _entities: ({ id: string } | null)[] }>(ENTITIES, { r: [...ids.slice(0, n), 'missing'].map((id) => ({ __typename: 'AuditEntry', id })) });
            expect(result.errors).toBeUndefined();
            expect(result.data?._entities.slice(0, n).map((e) => e?.id)).toEqual(ids.slice(0, n));
            expect(result.data?._entities[n]).toBeNull();
          });
        expect(await statementsFor(5)).toBe(1);
        expect(await statementsFor(50)).toBe(1);
      });

      it('loads the disclosures of 5 and of 50 subjects in one SQL statement', async () => {
        const statementsFor = (n: number) =>
          sql.selectsDuring(async () => {
            const subjects = world.subjects.slice(0, n);
            const result = await query<{ _entities: ({ id: string; disclosures: EntryPage } | null)[] }>(ENTITIES, { r: subjects.map((s) => ({ __typename: 'Subject', id: s.id })) });
            expect(result.errors).toBeUndefined();
            expect(result.data?._entities.every((e) => (e?.disclosures.totalCount ?? 0) >= 3 && e?.disclosures.edges.length === 2)).toBe(true);
          });
        expect(await statementsFor(5)).toBe(1);
        expect(await statementsFor(50)).toBe(1);
      });
    });
  });
});

/**
 * Two DataSources on one SQLite file stand for two processes writing one audit log (two platforms
 * once started on one data/ directory did): a transaction that read the head before the other
 * appended is refused SQLITE_BUSY_SNAPSHOT, and an INSERT meets the other's write lock. Each is
 * tried again, as the other subgraphs' writes are, rather than answered AUDIT_UNAVAILABLE.
 */
describe('AuditRepository.append on one SQLite file written by two processes', () => {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'audit-two-writers-'));
  let first: DataSource;
  let second: DataSource;

  beforeAll(async () => {
    first = await openDatabase('audit', { kind: 'sqlite', directory }, auditSubgraph, quietDatabase);
    second = await openDatabase('audit', { kind: 'sqlite', directory }, auditSubgraph, quietDatabase);
  });
  afterAll(async () => {
    await first?.destroy();
    await second?.destroy();
    fs.rmSync(directory, { recursive: true, force: true });
  });

  const unnamed = (n: number, day: number): AuditEntryInput[] => Array.from({ length: n }, () => ({ ...entry('unused', { subjectId: nobody, occurredAt: at(day) }), id: undefined }));

  it('keeps one unbroken chain, every append stored, when the two take turns and append at once', async () => {
    for (let turn = 0; turn < 6; turn += 1) await new AuditRepository(turn % 2 ? second : first).append(unnamed(2, 27));
    await Promise.all(Array.from({ length: 40 }, (_, b) => new AuditRepository(b % 2 ? second : first).append(unnamed(3, 28))));
    const repository = new AuditRepository(first);
    expect((await repository.chainHead())?.sequence).toBe(12 + 120);
    expect(await verifiedChain(repository)).toMatchObject({ intact: true, firstBrokenSequence: null });
  });
});
