import type { RequestIdentity } from '../../../lib/access/identity';
import { gateway, supervisor, analyst, historicalAuditSubgraph } from './audit-callers';
import { AuditRepository, type ChainVerification } from '../../../subgraphs/audit/audit.repository';
import { AuditEntry } from '../../../subgraphs/audit/entities/audit-entry.entity';
import { findMatter } from '../../../lib/catalogue/matters';
import { maskCitizenIdNumber } from '../../../lib/identifiers';
import { resumeWithinMs, sealedResumption } from '../../../subgraphs/audit/resolvers';
import { testDatabases } from '../../helpers/databases';
import { fullAccess, testSigningKey } from '../../helpers/identity';
import { CursorSeal } from '../../../subgraphs/shared/cursors';
import { useSubgraph } from '../../helpers/subgraph';

/** An entry as the gateway sends it: JSON, instants as ISO strings. */
interface EntryInput {
  actor: string;
  organisation: string;
  organisationKind: string;
  role: string;
  matter: string | null;
  caseNumber: string | null;
  consentId: string | null;
  subjectId: string | null;
  fieldGroups: string[];
  operationName: string | null;
  requestId: string;
  occurredAt: string;
  outcome: string;
}

interface Statistic {
  organisation: string;
  matter: string | null;
  disclosed: number;
  denied: number;
  subjects: number;
}

const APPEND = /* GraphQL */ `mutation Append($entries: [AuditEntryInput!]!) { appendAuditEntries(entries: $entries) { appended lastSequence } }`;
const VERIFY = /* GraphQL */ `{ verifyAuditChain { intact entries firstBrokenSequence unchainedEntries headSequence headHash } }`;
const STATISTICS = /* GraphQL */ `
  query Statistics($from: DateTime!, $to: DateTime!, $organisation: String) {
    auditStatistics(from: $from, to: $to, organisation: $organisation) { organisation matter disclosed denied subjects }
  }
`;


const subjectIds = Array.from({ length: 7 }, (_, i) => `5b000000-0000-4000-8000-00000000000${i}`);
// Mixed case on purpose: MySQL's collation orders 'bank-…' before 'FINANCE', a byte order after.
const bank = 'bank-hebei-beidaihe';
const provider = 'PROVIDER-0001';

function entry(i: number, overrides: Partial<EntryInput> = {}): EntryInput {
  return {
    actor: `finance-officer-${i % 3}`,
    organisation: 'FINANCE',
    organisationKind: 'DEPARTMENT',
    role: 'DEPARTMENT_OFFICER',
    matter: 'GOVERNMENT_PROCUREMENT',
    caseNumber: `BDHCG-2026-${String(i).padStart(4, '0')}`,
    consentId: null,
    subjectId: subjectIds[i % subjectIds.length],
    fieldGroups: ['SUBJECT_BASICS', 'PUBLIC_RECORDS'],
    operationName: 'ReviewSupplierCredit',
    requestId: `request-${i}`,
    occurredAt: new Date(Date.UTC(2026, 2, 1, 1, 0, 0, i)).toISOString(),
    outcome: 'DISCLOSED',
    ...overrides,
  };
}

/** One request's entries: the gateway gives them its request id and one instant. */
const requestOf = (row: AuditEntry) => `${row.requestId} ${row.occurredAt.toISOString()}`;

describe.each(testDatabases)('audit API on $label', (database) => {
  const { db, sql, queryAs, query } = useSubgraph(historicalAuditSubgraph, database, 'auditapi');
  const count = () => db().getRepository(AuditEntry).count();
  const append = (entries: EntryInput[], identity: RequestIdentity = gateway) =>
    queryAs<{ appendAuditEntries: { appended: number; lastSequence: number | null } | null }>(identity, APPEND, { entries });
  const verify = (identity: RequestIdentity = supervisor) =>
    queryAs<{ verifyAuditChain: { intact: boolean; entries: number; firstBrokenSequence: number | null; unchainedEntries: number; headSequence: number | null; headHash: string | null } | null }>(identity, VERIFY);

  describe('Mutation.appendAuditEntries', () => {
    it('appends a batch of 200 entries in one call, in one transaction, and the chain verifies', async () => {
      sql.reset();
      const result = await append(Array.from({ length: 200 }, (_, i) => entry(i)));
      expect(result.errors).toBeUndefined();
      expect(result.data?.appendAuditEntries).toEqual({ appended: 200, lastSequence: 200 });
      const transactions = sql.statements.filter((s) => /^\s*(BEGIN|START TRANSACTION)/i.test(s));
      const commits = sql.statements.filter((s) => /^\s*COMMIT/i.test(s));
      const inserts = sql.statements.filter((s) => /^\s*INSERT/i.test(s));
      expect([transactions.length, commits.length, inserts.length]).toEqual([1, 1, 1]);
      expect(await count()).toBe(200);
      const rows = await db().getRepository(AuditEntry).find({ order: { sequence: 'ASC' } });
      expect(rows.map((r) => r.requestId)).toEqual(Array.from({ length: 200 }, (_, i) => `request-${i}`));
      expect((await verify()).data?.verifyAuditChain).toMatchObject({ intact: true, entries: 200, firstBrokenSequence: null, headSequence: 200 });
    });

    it('continues the chain with the next batch, and answers an empty batch with nothing appended', async () => {
      const result = await append([entry(200), entry(201)]);
      expect(result.data?.appendAuditEntries).toEqual({ appended: 2, lastSequence: 202 });
      expect((await append([])).data?.appendAuditEntries).toEqual({ appended: 0, lastSequence: null });
      expect((await verify()).data?.verifyAuditChain).toMatchObject({ intact: true, entries: 202 });
    });

    it('records a refusal before the caller was identified', async () => {
      const result = await append([entry(300, { actor: 'unverified', organisation: 'unverified', organisationKind: 'UNIDENTIFIED', role: 'UNIDENTIFIED', matter: null, caseNumber: null, subjectId: null, fieldGroups: [], outcome: 'DENIED' })]);
      expect(result.errors).toBeUndefined();
      expect(await db().getRepository(AuditEntry).findOneByOrFail({ requestId: 'request-300' })).toMatchObject({ organisationKind: 'UNIDENTIFIED', outcome: 'DENIED' });
    });

    it.each([
      ['an unknown department code', { organisation: 'NOT_A_DEPARTMENT' }, 'entries[37].organisation'],
      ['an empty actor', { actor: ' ' }, 'entries[37].actor'],
      ['a subject id over 36 characters', { subjectId: 's'.repeat(37) }, 'entries[37].subjectId'],
      ['a field group listed twice', { fieldGroups: ['SUBJECT_BASICS', 'SUBJECT_BASICS'] }, 'entries[37].fieldGroups[1]'],
      ['an operation name over 200 characters', { operationName: 'o'.repeat(201) }, 'entries[37].operationName'],
    ])('refuses a batch with %s in it with BAD_USER_INPUT naming the entry, and stores none of it', async (_label, overrides, field) => {
      const before = await verify();
      const batch = Array.from({ length: 50 }, (_, i) => entry(400 + i, i === 37 ? overrides : {}));
      const result = await append(batch);
      expect(result.data).toEqual({ appendAuditEntries: null });
      expect(result.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field, index: 37 });
      expect((await verify()).data).toEqual(before.data);
    });

    it.each([
      ['an outcome that does not exist', { outcome: 'MAYBE' }],
      ['an instant that is not one', { occurredAt: 'yesterday' }],
    ])('refuses a batch with %s before any resolver runs', async (_label, overrides) => {
      const before = await count();
      const result = await append([entry(500), entry(501, overrides)]);
      expect(result.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
      expect(await count()).toBe(before);
    });

    it('is FORBIDDEN to every identity without AUDIT_WRITE, even one holding every other group', async () => {
      const before = await count();
      const everythingElse: RequestIdentity = { ...fullAccess, grants: fullAccess.grants.filter((g) => g !== 'AUDIT_WRITE') };
      for (const identity of [supervisor, everythingElse]) {
        const result = await append([entry(600)], identity);
        expect(result.data).toEqual({ appendAuditEntries: null });
        expect(result.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', group: 'AUDIT_WRITE' });
      }
      expect(await count()).toBe(before);
    });
  });

  describe('Query.verifyAuditChain', () => {
    const column = (name: string) => db().driver.escape(name);

    it('reports the stored head, as the repository reads it', async () => {
      const head = await new AuditRepository(db()).chainHead();
      expect((await verify()).data?.verifyAuditChain).toEqual({ intact: true, entries: await count(), firstBrokenSequence: null, unchainedEntries: 0, headSequence: head?.sequence, headHash: head?.hash });
    });

    it('reports the first broken link after one row is changed with raw SQL, and intact again once restored', async () => {
      const original = await db().getRepository(AuditEntry).findOneByOrFail({ sequence: 57 });
      await db().query(`UPDATE audit_entry SET ${column('organisation')} = ? WHERE ${column('sequence')} = ?`, ['HEALTH', 57]);
      try {
        expect((await verify()).data?.verifyAuditChain).toMatchObject({ intact: false, firstBrokenSequence: 57, entries: await count() });
      } finally {
        await db().getRepository(AuditEntry).save(original);
      }
      expect((await verify()).data?.verifyAuditChain).toMatchObject({ intact: true, firstBrokenSequence: null });
    });

    it('is not intact while an entry stands outside the chain (no sequence, or one below 1), which the walk up from 1 never reads', async () => {
      const entries = db().getRepository(AuditEntry);
      const genuine = await entries.findOneByOrFail({ sequence: 3 });
      for (const [index, outside] of [{ sequence: null, previousHash: null, hash: null }, { sequence: 0 }, { sequence: -1 }].entries()) {
        const ghost = { ...genuine, ...outside, id: `ghost-entry-${index}` };
        await entries.insert(ghost);
        try {
          expect((await verify()).data?.verifyAuditChain).toMatchObject({ intact: false, firstBrokenSequence: null, unchainedEntries: 1, entries: await count() });
        } finally {
          await entries.delete({ id: ghost.id });
        }
      }
      expect((await verify()).data?.verifyAuditChain).toMatchObject({ intact: true, unchainedEntries: 0 });
    });

    it('reports a head whose hash was erased instead of failing', async () => {
      const head = await new AuditRepository(db()).chainHead();
      const original = await db().getRepository(AuditEntry).findOneByOrFail({ sequence: head?.sequence ?? 0 });
      await db().query(`UPDATE audit_entry SET ${column('hash')} = NULL WHERE ${column('sequence')} = ?`, [head?.sequence]);
      try {
        expect((await verify()).data?.verifyAuditChain).toMatchObject({ intact: false, firstBrokenSequence: head?.sequence, headHash: null });
      } finally {
        await db().getRepository(AuditEntry).save(original);
      }
    });

    // A log the gateway's timeout cannot walk in one call (690,000 entries took 9.5 s of its 10):
    // each call walks for the time it has, and the walk goes on where it stopped.
    it('walks a long log over calls that each stop when out of time, resumed where each stopped: the last answers as one walk does', async () => {
      const repository = new AuditRepository(db());
      for (let batch = 0; batch < 4; batch++) expect((await append(Array.from({ length: 300 }, (_, i) => entry(5000 + 300 * batch + i)))).errors).toBeUndefined();
      const whole = await repository.verification();
      const calls: ChainVerification[] = [];
      let resumeFrom: { sequence: number; hash: string } | undefined;
      do {
        // Out of time at once: each call walks one batch (500 entries).
        calls.push(await repository.verification(undefined, resumeFrom, () => true));
        resumeFrom = calls.at(-1)!.resumeFrom ?? undefined;
      } while (resumeFrom && calls.length < 100);
      expect(calls.length).toBeGreaterThanOrEqual(3);
      for (const [i, call] of calls.slice(0, -1).entries()) {
        expect(call).toMatchObject({ complete: false, intact: null, recordedHeadMatches: null, firstBrokenSequence: null, resumeFrom: { sequence: 500 * (i + 1), hash: expect.stringMatching(/^[0-9a-f]{64}$/) } });
      }
      expect(calls.at(-1)).toEqual({ ...whole, complete: true, resumeFrom: null });
      expect(whole).toMatchObject({ intact: true, complete: true, resumeFrom: null });
    });

    it('resumes through the API only from a token it sealed, and breaks there when that entry no longer has the hash it had', async () => {
      const RESUME = /* GraphQL */ `query ($from: String) { verifyAuditChain(resumeFrom: $from) { intact complete resumeFrom firstBrokenSequence headSequence } }`;
      const stored = await db().getRepository(AuditEntry).findOneByOrFail({ sequence: 100 });
      const head = await new AuditRepository(db()).chainHead();
      // What an earlier call that stopped after entry 100 answered.
      const seal = { cursors: new CursorSeal(testSigningKey) };
      const token = (hash: string, at = Date.now()) => sealedResumption(seal, { sequence: 100, hash }, at);
      const resumed = await queryAs<{ verifyAuditChain: unknown }>(supervisor, RESUME, { from: token(stored.hash!) });
      expect(resumed.errors).toBeUndefined();
      expect(resumed.data?.verifyAuditChain).toEqual({ intact: true, complete: true, resumeFrom: null, firstBrokenSequence: null, headSequence: head?.sequence });
      const changed = await queryAs<{ verifyAuditChain: unknown }>(supervisor, RESUME, { from: token('0'.repeat(64)) });
      expect(changed.data?.verifyAuditChain).toEqual({ intact: false, complete: true, resumeFrom: null, firstBrokenSequence: 100, headSequence: head?.sequence });
      // Its content changed under the same hash since the earlier call verified it.
      await db().query(`UPDATE audit_entry SET ${db().driver.escape('organisation')} = ? WHERE ${db().driver.escape('sequence')} = ?`, ['HEALTH', 100]);
      try {
        const rewritten = await queryAs<{ verifyAuditChain: unknown }>(supervisor, RESUME, { from: token(stored.hash!) });
        expect(rewritten.data?.verifyAuditChain).toEqual({ intact: false, complete: true, resumeFrom: null, firstBrokenSequence: 100, headSequence: head?.sequence });
      } finally {
        await db().getRepository(AuditEntry).save(stored);
      }
      // A token made up to start at the head, which would answer intact for a chain never walked.
      const madeUp = `${Buffer.from(JSON.stringify([head!.sequence, head!.hash])).toString('base64url')}.${Buffer.alloc(16).toString('base64url')}`;
      // And a genuine one too old: an entry the walk had passed could have changed since, unseen.
      for (const forged of [madeUp, new CursorSeal(testSigningKey).seal('another list', [head!.sequence, head!.hash]), token(stored.hash!, Date.now() - resumeWithinMs - 1000)]) {
        const refused = await queryAs<{ verifyAuditChain: unknown }>(supervisor, RESUME, { from: forged });
        expect(refused.data).toEqual({ verifyAuditChain: null });
        expect(refused.errors?.[0].extensions).toMatchObject({ code: 'INVALID_CURSOR', field: 'resumeFrom' });
      }
    });

    // As a blank `after` is the first page on every list: a client whose $resumeFrom starts as "".
    it('takes a blank resumeFrom (empty or only spaces) as none: the walk starts at the first entry', async () => {
      const RESUME = /* GraphQL */ `query ($from: String) { verifyAuditChain(resumeFrom: $from) { intact complete resumeFrom firstBrokenSequence headSequence } }`;
      const fromStart = await queryAs<{ verifyAuditChain: unknown }>(supervisor, RESUME, { from: null });
      expect(fromStart.errors).toBeUndefined();
      for (const blank of ['', '   ', '\u3000']) expect(await queryAs<{ verifyAuditChain: unknown }>(supervisor, RESUME, { from: blank })).toEqual(fromStart);
    });

    it('needs the AUDIT group: an analyst holding STATISTICS gets FORBIDDEN', async () => {
      const result = await verify(analyst);
      expect(result.data).toEqual({ verifyAuditChain: null });
      expect(result.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', group: 'AUDIT' });
    });
  });

  describe('Query.auditStatistics', () => {
    // A window of its own in 2027, with entries on both of its edges and outside it.
    const from = new Date(Date.UTC(2027, 0, 1));
    const to = new Date(Date.UTC(2027, 1, 1));
    const at = (day: number, ms = 0) => new Date(Date.UTC(2027, 0, day, 3, 0, 0, ms)).toISOString();
    const window = [
      entry(700, { occurredAt: from.toISOString() }),
      entry(701, { occurredAt: at(2), subjectId: subjectIds[0] }),
      entry(702, { occurredAt: at(2, 1), subjectId: subjectIds[0] }),
      entry(703, { occurredAt: at(3), subjectId: subjectIds[1], outcome: 'DENIED' }),
      entry(704, { occurredAt: at(4), outcome: 'FAILED' }),
      entry(705, { occurredAt: at(5), matter: 'STATE_ASSET_TRANSFER', subjectId: subjectIds[2] }),
      entry(706, { occurredAt: at(6), organisation: bank, organisationKind: 'FINANCIAL_INSTITUTION', role: 'EXTERNAL_USER', matter: 'FINANCIAL_SERVICES', consentId: 'consent-1', subjectId: subjectIds[3] }),
      entry(707, { occurredAt: at(7), organisation: bank, organisationKind: 'FINANCIAL_INSTITUTION', role: 'EXTERNAL_USER', matter: 'FINANCIAL_SERVICES', subjectId: subjectIds[4], outcome: 'DENIED' }),
      entry(708, { occurredAt: at(8), organisation: bank, organisationKind: 'FINANCIAL_INSTITUTION', role: 'EXTERNAL_USER', matter: null, subjectId: null, outcome: 'DENIED' }),
      entry(709, { occurredAt: at(9), organisation: provider, organisationKind: 'CREDIT_SERVICE_PROVIDER', role: 'EXTERNAL_USER', matter: 'PROVIDER_DATA_COLLECTION', subjectId: subjectIds[5] }),
      // A statistic read: disclosed, about no subject, so counted in no row.
      entry(710, { occurredAt: at(10), organisation: 'CREDIT_OFFICE', matter: 'CREDIT_SUPERVISION', subjectId: null, fieldGroups: ['STATISTICS'] }),
      // Two persons' own inquiries: organisations named by their citizen ID numbers.
      entry(713, { occurredAt: at(11), organisation: '130304197304130019', organisationKind: 'INDIVIDUAL', role: 'EXTERNAL_USER', matter: 'SELF_INQUIRY', caseNumber: null, subjectId: subjectIds[5] }),
      entry(714, { occurredAt: at(12), organisation: '13030419850101002X', organisationKind: 'INDIVIDUAL', role: 'EXTERNAL_USER', matter: 'SELF_INQUIRY', caseNumber: null, subjectId: subjectIds[6] }),
      // An enterprise's own inquiry, named by its code: a subject's name too.
      entry(715, { occurredAt: at(13), organisation: '91130304MA0TEXT12Y', organisationKind: 'ENTERPRISE', role: 'EXTERNAL_USER', matter: 'SELF_INQUIRY', caseNumber: null, subjectId: subjectIds[2] }),
      // Refused under matters no catalogue has, as a caller typed them: one a person's name and number.
      entry(716, { occurredAt: at(14), organisation: '13030419850101002X', organisationKind: 'INDIVIDUAL', role: 'EXTERNAL_USER', matter: '徐志强-130304197304130019', caseNumber: null, subjectId: subjectIds[6], outcome: 'DENIED' }),
      entry(717, { occurredAt: at(15), matter: 'MADE_UP', subjectId: subjectIds[1], outcome: 'DENIED' }),
      entry(711, { occurredAt: to.toISOString() }),
      entry(712, { occurredAt: new Date(from.getTime() - 1).toISOString() }),
    ];

    beforeAll(async () => {
      const result = await append(window);
      if (result.errors) throw new Error(JSON.stringify(result.errors));
    });

    /** The same numbers, computed here from the stored rows, as the supervisor (AUDIT) gets them: a row per reader, a person masked. */
    async function expected(organisation?: string): Promise<Statistic[]> {
      const rows = await db().getRepository(AuditEntry).find();
      const groups = new Map<string, { statistic: Statistic; disclosed: Set<string>; denied: Set<string>; subjects: Set<string> }>();
      for (const row of rows) {
        const time = row.occurredAt.getTime();
        if (time < from.getTime() || time >= to.getTime() || (row.outcome !== 'DISCLOSED' && row.outcome !== 'DENIED')) continue;
        // A statistic read disclosed no subject's data; a refused attempt about none is still refused.
        if (row.outcome === 'DISCLOSED' && row.subjectId === null) continue;
        const shown = row.organisationKind === 'INDIVIDUAL' ? maskCitizenIdNumber(row.organisation) : row.organisation;
        if (organisation !== undefined && row.organisation !== organisation) continue;
        const matter = row.matter === null || findMatter(row.matter) ? row.matter : 'UNLISTED';
        const key = JSON.stringify([shown, row.organisation, matter]);
        let group = groups.get(key);
        if (!group) groups.set(key, (group = { statistic: { organisation: shown, matter, disclosed: 0, denied: 0, subjects: 0 }, disclosed: new Set(), denied: new Set(), subjects: new Set() }));
        (row.outcome === 'DISCLOSED' ? group.disclosed : group.denied).add(requestOf(row));
        if (row.subjectId) group.subjects.add(row.subjectId);
      }
      const order = (a: string | null, b: string | null) => (a === b ? 0 : a === null ? -1 : b === null ? 1 : a < b ? -1 : 1);
      return [...groups.values()]
        .map((g) => ({ ...g.statistic, disclosed: g.disclosed.size, denied: g.denied.size, subjects: g.subjects.size }))
        .sort((a, b) => order(a.organisation, b.organisation) || order(a.matter, b.matter));
    }

    it('counts disclosed and denied entries per organisation and matter within [from, to), in one SQL statement', async () => {
      let result: Awaited<ReturnType<typeof queryAs<{ auditStatistics: Statistic[] }>>> | undefined;
      const statements = await sql.selectsDuring(async () => {
        result = await queryAs<{ auditStatistics: Statistic[] }>(supervisor, STATISTICS, { from: from.toISOString(), to: to.toISOString() });
      });
      expect(result?.errors).toBeUndefined();
      expect(statements).toBe(1);
      expect(result?.data?.auditStatistics).toEqual(await expected());
      // Written out once, so that a mistake shared by the query and `expected` still shows.
      expect(result?.data?.auditStatistics).toEqual([
        { organisation: '1303**********0019', matter: 'SELF_INQUIRY', disclosed: 1, denied: 0, subjects: 1 },
        { organisation: '1303**********002X', matter: 'SELF_INQUIRY', disclosed: 1, denied: 0, subjects: 1 },
        { organisation: '1303**********002X', matter: 'UNLISTED', disclosed: 0, denied: 1, subjects: 1 },
        { organisation: '91130304MA0TEXT12Y', matter: 'SELF_INQUIRY', disclosed: 1, denied: 0, subjects: 1 },
        { organisation: 'FINANCE', matter: 'GOVERNMENT_PROCUREMENT', disclosed: 3, denied: 1, subjects: 2 },
        { organisation: 'FINANCE', matter: 'STATE_ASSET_TRANSFER', disclosed: 1, denied: 0, subjects: 1 },
        { organisation: 'FINANCE', matter: 'UNLISTED', disclosed: 0, denied: 1, subjects: 1 },
        { organisation: provider, matter: 'PROVIDER_DATA_COLLECTION', disclosed: 1, denied: 0, subjects: 1 },
        { organisation: bank, matter: null, disclosed: 0, denied: 1, subjects: 0 },
        { organisation: bank, matter: 'FINANCIAL_SERVICES', disclosed: 1, denied: 1, subjects: 2 },
      ]);
    });

    // Exact counts, as the supervisor reads them; an analyst's (persons and enterprises together,
    // whole district days, small rows folded) are tested in audit-statistics-control.test.ts.
    it("finds an enterprise by its code; refuses a person's number, masked or whole; names no text a caller made up as a matter", async () => {
      const ask = (organisation: string) => queryAs<{ auditStatistics: Statistic[] }>(supervisor, STATISTICS, { from: from.toISOString(), to: to.toISOString(), organisation });
      expect((await ask('91130304MA0TEXT12Y')).data?.auditStatistics).toEqual([{ organisation: '91130304MA0TEXT12Y', matter: 'SELF_INQUIRY', disclosed: 1, denied: 0, subjects: 1 }]);
      expect((await ask('')).errors).toBeDefined();
      // What the supervisor's rows show of a person names no organisation, and the whole number is
      // no filter: it would answer whether each guess is a reader's. Refused, saying what does.
      for (const number of ['1303**********0019', '130304197304130019', '1303*******1234']) {
        const refused = await ask(number);
        expect(refused.data).toEqual({ auditStatistics: null });
        expect(refused.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'organisation' });
        expect(refused.errors?.[0].message).toContain('organisationOf');
      }
      // The analyst's names for subjects together are no organisation of the supervisor's rows.
      expect((await ask('INDIVIDUALS')).data?.auditStatistics).toEqual([]);
      // The trail keeps the header as sent, for the credit office.
      const kept = await db().getRepository(AuditEntry).findOneByOrFail({ requestId: 'request-716' });
      expect(kept.matter).toBe('徐志强-130304197304130019');
    });

    it('limits to one organisation when asked', async () => {
      const result = await queryAs<{ auditStatistics: Statistic[] }>(supervisor, STATISTICS, { from: from.toISOString(), to: to.toISOString(), organisation: bank });
      expect(result.errors).toBeUndefined();
      expect(result.data?.auditStatistics).toEqual(await expected(bank));
      expect(result.data?.auditStatistics.map((s) => s.organisation)).toEqual([bank, bank]);
    });

    it('counts the older history too, computed the same way', async () => {
      const all = { from: new Date(Date.UTC(2020, 0, 1)), to: new Date(Date.UTC(2030, 0, 1)) };
      const result = await query<{ auditStatistics: Statistic[] }>(STATISTICS, { from: all.from.toISOString(), to: all.to.toISOString(), organisation: 'FINANCE' });
      const rows = (await db().getRepository(AuditEntry).findBy({ organisation: 'FINANCE' })).filter((r) => r.outcome !== 'FAILED');
      const procurement = result.data?.auditStatistics.find((s) => s.matter === 'GOVERNMENT_PROCUREMENT');
      const mine = rows.filter((r) => r.matter === 'GOVERNMENT_PROCUREMENT');
      expect(procurement).toEqual({
        organisation: 'FINANCE',
        matter: 'GOVERNMENT_PROCUREMENT',
        disclosed: new Set(mine.filter((r) => r.outcome === 'DISCLOSED').map(requestOf)).size,
        denied: new Set(mine.filter((r) => r.outcome === 'DENIED').map(requestOf)).size,
        subjects: new Set(mine.map((r) => r.subjectId).filter((s) => s !== null)).size,
      });
    });

    it('counts a request once, however many subjects it disclosed or was refused, and two requests that reused an id twice', async () => {
      const march = { from: new Date(Date.UTC(2027, 2, 1)), to: new Date(Date.UTC(2027, 3, 1)) };
      const instant = new Date(Date.UTC(2027, 2, 2, 3)).toISOString();
      const search = (subject: number, outcome = 'DISCLOSED') =>
        entry(800 + subject, { organisation: 'DEVELOPMENT_REFORM', matter: 'STATISTICAL_ANALYSIS', requestId: 'search-1', occurredAt: instant, subjectId: subjectIds[subject], outcome });
      // A caller's own x-request-id, sent again with a later request.
      const reused = (day: number) => entry(820 + day, { organisation: 'DEVELOPMENT_REFORM', matter: 'STATISTICAL_ANALYSIS', requestId: 'client-id', occurredAt: new Date(Date.UTC(2027, 2, day, 3)).toISOString(), subjectId: subjectIds[0] });
      const appended = await append([search(0), search(1), search(2), search(3), search(4), search(0, 'DENIED'), search(1, 'DENIED'), reused(3), reused(4)]);
      expect(appended.errors).toBeUndefined();
      const result = await queryAs<{ auditStatistics: Statistic[] }>(supervisor, STATISTICS, { from: march.from.toISOString(), to: march.to.toISOString(), organisation: 'DEVELOPMENT_REFORM' });
      expect(result.errors).toBeUndefined();
      expect(result.data?.auditStatistics).toEqual([{ organisation: 'DEVELOPMENT_REFORM', matter: 'STATISTICAL_ANALYSIS', disclosed: 3, denied: 1, subjects: 5 }]);
    });

    it.each([
      ['to equal to from', { from: '2027-01-01T00:00:00Z', to: '2027-01-01T00:00:00Z' }, 'to'],
      ['to before from', { from: '2027-02-01T00:00:00Z', to: '2027-01-01T00:00:00Z' }, 'to'],
      ['an empty organisation', { from: '2027-01-01T00:00:00Z', to: '2027-02-01T00:00:00Z', organisation: ' ' }, 'organisation'],
    ])('refuses %s with BAD_USER_INPUT', async (_label, variables, field) => {
      const result = await queryAs(supervisor, STATISTICS, variables);
      expect(result.data).toEqual({ auditStatistics: null });
      expect(result.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    });

    it('needs the STATISTICS group', async () => {
      const result = await queryAs(gateway, STATISTICS, { from: from.toISOString(), to: to.toISOString() });
      expect(result.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', group: 'STATISTICS' });
    });
  });

  describe('Query.auditCases and one case\'s entries', () => {
    // A window of its own in 2028: one case reads many subjects, others read one or two.
    const from = new Date(Date.UTC(2028, 0, 1));
    const to = new Date(Date.UTC(2028, 1, 1));
    const at = (day: number, ms = 0) => new Date(Date.UTC(2028, 0, day, 3, 0, 0, ms)).toISOString();
    const CASES = /* GraphQL */ `
      query Cases($from: DateTime!, $to: DateTime!, $organisation: String, $first: Int) {
        auditCases(from: $from, to: $to, organisation: $organisation, first: $first) {
          edges { node { organisation matter caseNumber disclosed denied subjects firstOccurredAt lastOccurredAt } }
        }
      }
    `;
    const ONE_CASE = /* GraphQL */ `
      query OneCase($organisation: String!, $caseNumber: String, $first: Int, $after: String) {
        auditEntriesByOrganisation(organisation: $organisation, caseNumber: $caseNumber, first: $first, after: $after) {
          totalCount edges { node { id caseNumber occurredAt } } pageInfo { hasNextPage endCursor }
        }
      }
    `;
    interface Case extends Statistic { caseNumber: string; firstOccurredAt: string; lastOccurredAt: string }
    const trawl = 'BDHCG-2028-0001';
    const window = [
      // One procurement case that read six subjects over three days: the one to look at.
      ...[0, 1, 2, 3, 4, 5].map((s) => entry(900 + s, { caseNumber: trawl, occurredAt: at(2 + (s % 3), s), subjectId: subjectIds[s], requestId: `trawl-${s}` })),
      entry(906, { caseNumber: trawl, occurredAt: at(6), subjectId: subjectIds[6], requestId: 'trawl-6', outcome: 'DENIED' }),
      entry(907, { caseNumber: trawl, occurredAt: at(7), subjectId: subjectIds[0], requestId: 'trawl-7', outcome: 'FAILED' }),
      // A case of two subjects, read in one request, and one of one subject read twice.
      entry(910, { caseNumber: 'BDHCG-2028-0002', occurredAt: at(3), subjectId: subjectIds[0], requestId: 'pair' }),
      entry(911, { caseNumber: 'BDHCG-2028-0002', occurredAt: at(3), subjectId: subjectIds[1], requestId: 'pair' }),
      entry(912, { caseNumber: 'BDHCG-2028-0003', occurredAt: at(4), subjectId: subjectIds[2], requestId: 'single-1' }),
      entry(913, { caseNumber: 'BDHCG-2028-0003', occurredAt: at(5), subjectId: subjectIds[2], requestId: 'single-2' }),
      // The same case number at another department, under another matter, is another case.
      entry(914, { organisation: 'TAXATION', matter: 'TAX_INCENTIVES', caseNumber: trawl, occurredAt: at(4), subjectId: subjectIds[3], requestId: 'tax-1' }),
      // No case number: not listed. Outside the window: not counted.
      entry(915, { caseNumber: null, occurredAt: at(8), subjectId: subjectIds[4], requestId: 'no-case' }),
      entry(916, { caseNumber: trawl, occurredAt: to.toISOString(), subjectId: subjectIds[6], requestId: 'late' }),
      entry(917, { caseNumber: trawl, occurredAt: new Date(from.getTime() - 1).toISOString(), subjectId: subjectIds[6], requestId: 'early' }),
    ];
    type Cases = { auditCases: { edges: { node: Case }[] } | null };
    const cases = (variables: Record<string, unknown>, identity: RequestIdentity = supervisor) =>
      queryAs<Cases>(identity, CASES, { from: from.toISOString(), to: to.toISOString(), ...variables });
    const listed = (result: { data?: Cases | null }) => result.data?.auditCases?.edges.map((e) => e.node);

    beforeAll(async () => {
      const result = await append(window);
      if (result.errors) throw new Error(JSON.stringify(result.errors));
    });

    it('puts the case that concerned the most subjects first, counted as the statistics count, in one SQL statement', async () => {
      let result: Awaited<ReturnType<typeof cases>> | undefined;
      const statements = await sql.selectsDuring(async () => {
        result = await cases({});
      });
      expect(result?.errors).toBeUndefined();
      expect(statements).toBe(1);
      expect(listed(result!)).toEqual([
        { organisation: 'FINANCE', matter: 'GOVERNMENT_PROCUREMENT', caseNumber: trawl, disclosed: 6, denied: 1, subjects: 7, firstOccurredAt: at(2), lastOccurredAt: at(6) },
        { organisation: 'FINANCE', matter: 'GOVERNMENT_PROCUREMENT', caseNumber: 'BDHCG-2028-0002', disclosed: 1, denied: 0, subjects: 2, firstOccurredAt: at(3), lastOccurredAt: at(3) },
        // One subject each: the case of two requests before the case of one.
        { organisation: 'FINANCE', matter: 'GOVERNMENT_PROCUREMENT', caseNumber: 'BDHCG-2028-0003', disclosed: 2, denied: 0, subjects: 1, firstOccurredAt: at(4), lastOccurredAt: at(5) },
        { organisation: 'TAXATION', matter: 'TAX_INCENTIVES', caseNumber: trawl, disclosed: 1, denied: 0, subjects: 1, firstOccurredAt: at(4), lastOccurredAt: at(4) },
      ]);
    });

    it('is itself a read of the log, audited as one about no subject', async () => {
      const result = await cases({ first: 1 });
      expect(result.errors).toBeUndefined();
      expect(result.extensions?.disclosures).toEqual([{ subjectId: null, groups: ['AUDIT'] }]);
    });

    it('gives the first n, and one organisation\'s cases when asked', async () => {
      expect(listed(await cases({ first: 1 }))?.map((c) => [c.organisation, c.caseNumber])).toEqual([['FINANCE', trawl]]);
      expect(listed(await cases({ organisation: 'TAXATION' }))?.map((c) => [c.organisation, c.caseNumber])).toEqual([['TAXATION', trawl]]);
      expect(listed(await cases({ organisation: 'HEALTH' }))).toEqual([]);
    });

    it("reads one case's entries, newest first, paged, with the case's own count", async () => {
      const stored = (await db().getRepository(AuditEntry).findBy({ organisation: 'FINANCE', caseNumber: trawl }))
        .sort((a, b) => b.occurredAt.getTime() - a.occurredAt.getTime() || (a.id < b.id ? 1 : -1));
      expect(stored.length).toBe(10); // the eight of the window and the two on its edges
      const ids: string[] = [];
      let after: string | null = null;
      for (let page = 0; page < 5; page += 1) {
        const result: Awaited<ReturnType<typeof queryAs<{ auditEntriesByOrganisation: { totalCount: number; edges: { node: { id: string; caseNumber: string } }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } }>>> =
          await queryAs(supervisor, ONE_CASE, { organisation: 'FINANCE', caseNumber: trawl, first: 4, after });
        expect(result.errors).toBeUndefined();
        const connection = result.data!.auditEntriesByOrganisation;
        expect(connection.totalCount).toBe(stored.length);
        expect(connection.edges.every((e) => e.node.caseNumber === trawl)).toBe(true);
        ids.push(...connection.edges.map((e) => e.node.id));
        if (!connection.pageInfo.hasNextPage) break;
        after = connection.pageInfo.endCursor;
      }
      expect(ids).toEqual(stored.map((e) => e.id));
    });

    it.each([
      ['to equal to from', CASES, { from: '2028-01-01T00:00:00Z', to: '2028-01-01T00:00:00Z' }, 'to'],
      ['an empty organisation', CASES, { from: '2028-01-01T00:00:00Z', to: '2028-02-01T00:00:00Z', organisation: '' }, 'organisation'],
      ['first of 0', CASES, { from: '2028-01-01T00:00:00Z', to: '2028-02-01T00:00:00Z', first: 0 }, 'first'],
      ['first of 101', CASES, { from: '2028-01-01T00:00:00Z', to: '2028-02-01T00:00:00Z', first: 101 }, 'first'],
      ['an empty case number', ONE_CASE, { organisation: 'FINANCE', caseNumber: ' ' }, 'caseNumber'],
      ['a case number of 101 characters', ONE_CASE, { organisation: 'FINANCE', caseNumber: 'C'.repeat(101) }, 'caseNumber'],
    ])('refuses %s with BAD_USER_INPUT', async (_label, document, variables, field) => {
      const result = await queryAs(supervisor, document, variables);
      expect(result.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    });

    it('keeps case numbers that differ only in letter case or width apart, on either database, as the requests named them', async () => {
      const later = (day: number) => new Date(Date.UTC(2029, 0, day, 3)).toISOString();
      // The full-width one as an entry of before the gateway folded x-credit-case holds it.
      const named = ['BDH-CG-1', 'bdh-cg-1', 'ＢＤＨ-ＣＧ-1'];
      const result = await append(named.map((caseNumber, i) => entry(950 + i, { caseNumber, occurredAt: later(2 + i), requestId: `width-${i}` })));
      expect(result.errors).toBeUndefined();
      const widths = await queryAs<Cases>(supervisor, CASES, { from: later(1), to: later(10) });
      expect(listed(widths)?.map((c) => [c.caseNumber, c.disclosed])).toEqual(named.map((caseNumber) => [caseNumber, 1]));
      // Letter case is another case. A case number typed in full width is its half-width self,
      // as the gateway now records it; the entry of before is still found by its row's number.
      for (const [caseNumber, found] of [
        ['BDH-CG-1', ['BDH-CG-1']],
        ['bdh-cg-1', ['bdh-cg-1']],
        ['ＢＤＨ－ＣＧ－１', ['BDH-CG-1']],
        ['ＢＤＨ-ＣＧ-1', ['ＢＤＨ-ＣＧ-1', 'BDH-CG-1']],
      ] as const) {
        const one = await queryAs<{ auditEntriesByOrganisation: { totalCount: number; edges: { node: { caseNumber: string } }[] } }>(supervisor, ONE_CASE, { organisation: 'FINANCE', caseNumber });
        expect({ caseNumber, found: one.data?.auditEntriesByOrganisation.edges.map((e) => e.node.caseNumber) }).toEqual({ caseNumber, found });
      }
    });

    it('needs the AUDIT group: an analyst holding STATISTICS gets FORBIDDEN, as case numbers name proceedings', async () => {
      const result = await cases({}, analyst);
      expect(result.data).toEqual({ auditCases: null });
      expect(result.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', group: 'AUDIT' });
    });
  });

  describe('drilling down from auditCases to the entries of its rows', () => {
    // The probe: a person and an enterprise each read two subjects in a case of their own.
    const from = new Date(Date.UTC(2028, 5, 1));
    const to = new Date(Date.UTC(2028, 6, 1));
    const at = (day: number, ms = 0) => new Date(Date.UTC(2028, 5, day, 3, 0, 0, ms)).toISOString();
    const person = '130304197304130019';
    // Another person, whose number masks alike: their rows must stay apart.
    const namesake = '130302198001010019';
    const enterprise = '91130304MA0TEXT12Y';
    const reads = (organisation: string, organisationKind: string, caseNumber: string, day: number) =>
      [0, 1].map((s) =>
        entry(970 + day * 2 + s, { organisation, organisationKind, role: 'EXTERNAL_USER', matter: 'COMMERCIAL_DUE_DILIGENCE', caseNumber, subjectId: subjectIds[1 + s], requestId: `deal-${day}-${s}`, occurredAt: at(day, s) }),
      );
    const CASES = /* GraphQL */ `
      query Cases($from: DateTime!, $to: DateTime!, $organisation: String) {
        auditCases(from: $from, to: $to, organisation: $organisation) { edges { node { organisation entryId matter caseNumber disclosed denied subjects } } }
      }
    `;
    const ENTRIES = /* GraphQL */ `
      query Entries($organisation: String, $of: ID, $caseNumber: String) {
        auditEntriesByOrganisation(organisation: $organisation, organisationOf: $of, caseNumber: $caseNumber) { totalCount edges { node { organisation caseNumber subject { id } } } }
      }
    `;
    interface Row { organisation: string; entryId: string; matter: string; caseNumber: string; disclosed: number; denied: number; subjects: number }
    type Entries = { auditEntriesByOrganisation: { totalCount: number; edges: { node: { organisation: string; caseNumber: string; subject: { id: string } } }[] } | null };
    type Cases = { auditCases: { edges: { node: Row }[] } };
    const cases = async () => {
      const result = await queryAs<Cases>(supervisor, CASES, { from: from.toISOString(), to: to.toISOString() });
      expect(result.errors).toBeUndefined();
      return result.data!.auditCases.edges.map((e) => e.node);
    };
    const entries = (variables: Record<string, unknown>) => queryAs<Entries>(supervisor, ENTRIES, variables);

    beforeAll(async () => {
      const result = await append([
        ...reads(person, 'INDIVIDUAL', 'PROBE-S-DEAL-1', 2),
        ...reads(enterprise, 'ENTERPRISE', 'PROBE-E-DEAL-1', 3),
        ...reads(namesake, 'INDIVIDUAL', 'PROBE-S-DEAL-1', 4).slice(0, 1),
      ]);
      if (result.errors) throw new Error(JSON.stringify(result.errors));
    });

    it("names an enterprise by its code and a person by the masked number, each reader a row of its own, never the analyst's INDIVIDUALS or ENTERPRISES", async () => {
      const rows = await cases();
      expect(rows.map(({ entryId: _, ...row }) => row)).toEqual([
        { organisation: '1303**********0019', matter: 'COMMERCIAL_DUE_DILIGENCE', caseNumber: 'PROBE-S-DEAL-1', disclosed: 2, denied: 0, subjects: 2 },
        { organisation: enterprise, matter: 'COMMERCIAL_DUE_DILIGENCE', caseNumber: 'PROBE-E-DEAL-1', disclosed: 2, denied: 0, subjects: 2 },
        { organisation: '1303**********0019', matter: 'COMMERCIAL_DUE_DILIGENCE', caseNumber: 'PROBE-S-DEAL-1', disclosed: 1, denied: 0, subjects: 1 },
      ]);
      expect(JSON.stringify(rows)).not.toContain(person);
      expect(JSON.stringify(rows)).not.toContain(namesake);
    });

    it("reads each row's entries by its entryId, a person's too, and only that reader's, masked as the row shows it", async () => {
      for (const row of await cases()) {
        const read = await entries({ of: row.entryId, caseNumber: row.caseNumber });
        expect(read.errors).toBeUndefined();
        expect(read.data?.auditEntriesByOrganisation?.totalCount).toBe(row.disclosed + row.denied);
        expect(read.data?.auditEntriesByOrganisation?.edges.map((e) => [e.node.organisation, e.node.caseNumber])).toEqual(
          Array.from({ length: row.disclosed + row.denied }, () => [row.organisation, row.caseNumber]),
        );
      }
      // The probe's drill-down: the person's two reads, not the namesake's one.
      const [probe] = await cases();
      const read = await entries({ of: probe.entryId, caseNumber: 'PROBE-S-DEAL-1' });
      expect(read.data?.auditEntriesByOrganisation?.edges.map((e) => e.node.subject.id).sort()).toEqual([subjectIds[1], subjectIds[2]]);
    });

    it('reads an enterprise row by the organisation it shows, as a department row is read', async () => {
      const row = (await cases()).find((c) => c.organisation === enterprise)!;
      const read = await entries({ organisation: row.organisation, caseNumber: row.caseNumber });
      expect(read.errors).toBeUndefined();
      expect(read.data?.auditEntriesByOrganisation?.totalCount).toBe(2);
      // Typed as a supervisor may type it: a code is recorded upper-cased, as the gateway takes a token's.
      const typed = await entries({ organisation: ` ${row.organisation.toLowerCase()} `, caseNumber: row.caseNumber });
      expect(typed.data?.auditEntriesByOrganisation?.totalCount).toBe(2);
      const counted = await queryAs<Cases>(supervisor, CASES, { from: from.toISOString(), to: to.toISOString(), organisation: row.organisation.toLowerCase() });
      expect(counted.data?.auditCases.edges.map((e) => e.node.organisation)).toEqual([row.organisation]);
    });

    it('refuses the masked form where an organisation is named, saying to use organisationOf, rather than answering that the person read nothing', async () => {
      for (const result of [await entries({ organisation: '1303**********0019', caseNumber: 'PROBE-S-DEAL-1' }), await queryAs<{ auditCases: null }>(supervisor, CASES, { from: from.toISOString(), to: to.toISOString(), organisation: '1303**********0019' })]) {
        expect(result.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'organisation' });
        expect(result.errors?.[0].message).toContain('organisationOf');
      }
      // Nor the whole number: a filter by it would tell, guess after guess, whether a number is a
      // reader's, and unmask the person (a few thousand guesses fit the masked number's eight characters).
      for (const guess of [person, namesake, ` ${person.toLowerCase()} `, '130304197304130027']) {
        for (const result of [await entries({ organisation: guess, caseNumber: 'PROBE-S-DEAL-1' }), await queryAs<{ auditCases: null }>(supervisor, CASES, { from: from.toISOString(), to: to.toISOString(), organisation: guess })]) {
          expect(result.errors?.map((e) => e.extensions)).toEqual([expect.objectContaining({ code: 'BAD_USER_INPUT', field: 'organisation' })]);
          expect(result.errors?.[0].message).toContain('organisationOf');
          expect(result.errors?.[0].message).not.toContain(guess.trim());
        }
      }
    });

    // With the problem a front end switches on (README, Errors): an organisation left out, or one named twice.
    it.each([
      ['neither organisation nor organisationOf', {}, 'organisation', { problem: 'EMPTY' }],
      ['both organisation and organisationOf', { organisation: 'FINANCE', of: 'e-1' }, 'organisation', { problem: 'NOT_APPLICABLE' }],
      ['an organisationOf that is no entry', { of: 'no-such-entry' }, 'organisationOf', { problem: 'UNKNOWN_ENTRY' }],
      // Left blank, an optional ID is none (README, Errors): no organisation is named.
      ['an organisationOf left blank', { of: ' ' }, 'organisation', { problem: 'EMPTY' }],
    ])('refuses %s with BAD_USER_INPUT', async (_label, variables, field, problem) => {
      const result = await entries(variables);
      expect(result.data).toEqual({ auditEntriesByOrganisation: null });
      expect(result.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field, ...problem });
    });
  });

  describe("a subject's own view of its log", () => {
    const subject = subjectIds[0];
    const self: RequestIdentity = {
      caller: { id: 'self-user', organisation: 'SELF', organisationKind: 'ENTERPRISE', role: 'EXTERNAL_USER', subjectId: subject },
      purpose: { matter: 'SELF_INQUIRY' },
      grants: ['SUBJECT_BASICS', 'DISCLOSURE_LOG'],
      scope: { subjectId: subject },
      requestId: 'self-request',
    };
    const DISCLOSURES = /* GraphQL */ `query($r: [_Any!]!) { _entities(representations: $r) { ... on Subject { id disclosures(first: 5) { totalCount } } } }`;

    it('reads its own disclosures through Subject.disclosures', async () => {
      const result = await queryAs<{ _entities: { disclosures: { totalCount: number } }[] }>(self, DISCLOSURES, { r: [{ __typename: 'Subject', id: subject }] });
      expect(result.errors).toBeUndefined();
      const disclosed = await db().getRepository(AuditEntry).countBy({ subjectId: subject, outcome: 'DISCLOSED' });
      expect(result.data?._entities[0].disclosures.totalCount).toBe(disclosed);
    });

    it("shows a person who read it by a masked citizen ID number, though it holds its own identifiers: the number is the reader's; whole to that person alone", async () => {
      const reader = '130304197304130019';
      const appended = await append([entry(960, { organisation: reader, organisationKind: 'INDIVIDUAL', role: 'EXTERNAL_USER', matter: 'COMMERCIAL_DUE_DILIGENCE', caseNumber: null, subjectId: subject, requestId: 'person-read', occurredAt: new Date(Date.UTC(2030, 0, 1)).toISOString() })]);
      expect(appended.errors).toBeUndefined();
      const READERS = /* GraphQL */ `query($r: [_Any!]!) { _entities(representations: $r) { ... on Subject { disclosures(first: 1) { edges { node { organisation } } } } } }`;
      const read = (identity: RequestIdentity) => queryAs<{ _entities: { disclosures: { edges: { node: { organisation: string } }[] } }[] }>(identity, READERS, { r: [{ __typename: 'Subject', id: subject }] });
      expect((await read(self)).data?._entities[0].disclosures.edges[0].node.organisation).toBe('1303**********0019');
      const ownIdentifiers = await read({ ...self, grants: [...self.grants, 'PERSONAL_IDENTIFIERS'] });
      expect(ownIdentifiers.data?._entities[0].disclosures.edges[0].node.organisation).toBe('1303**********0019');
      // The reader's number is no identifier of the subject read: nothing of the kind is recorded as disclosed about it.
      expect(ownIdentifiers.extensions?.disclosures ?? []).not.toEqual(expect.arrayContaining([expect.objectContaining({ groups: expect.arrayContaining(['PERSONAL_IDENTIFIERS']) })]));
      // Found by one of its entries (a number is no filter: refusePersonNumber), masked to the office, whole to that person.
      const [readEntry] = await db().getRepository(AuditEntry).findBy({ requestId: 'person-read' });
      const byOrganisation = /* GraphQL */ `query($of: ID!) { auditEntriesByOrganisation(organisationOf: $of, first: 1) { edges { node { organisation } } } }`;
      const office = await queryAs<{ auditEntriesByOrganisation: { edges: { node: { organisation: string } }[] } }>(supervisor, byOrganisation, { of: readEntry.id });
      expect(office.data?.auditEntriesByOrganisation.edges[0].node.organisation).toBe('1303**********0019');
      const person: RequestIdentity = { ...self, caller: { id: 'xu', organisation: reader, organisationKind: 'INDIVIDUAL', role: 'EXTERNAL_USER' }, grants: ['AUDIT'], scope: {} };
      const own = await queryAs<{ auditEntriesByOrganisation: { edges: { node: { organisation: string } }[] } }>(person, byOrganisation, { of: readEntry.id });
      expect(own.data?.auditEntriesByOrganisation.edges[0].node.organisation).toBe(reader);
    });

    it('names the reading organisation, matter and time, never the officer, the request id or the operation: those are for the audit', async () => {
      const appended = await append([entry(961, { actor: 'officer-zhang', subjectId: subject, requestId: 'officer-read', operationName: 'ReviewSupplierCredit', occurredAt: new Date(Date.UTC(2030, 0, 2)).toISOString() })]);
      expect(appended.errors).toBeUndefined();
      const FIELDS = /* GraphQL */ `actor organisation matter caseNumber occurredAt requestId operationName`;
      const own = await queryAs<{ _entities: { disclosures: { edges: { node: Record<string, unknown> }[] } }[] }>(self, `query($r: [_Any!]!) { _entities(representations: $r) { ... on Subject { disclosures(first: 1) { edges { node { ${FIELDS} } } } } } }`, { r: [{ __typename: 'Subject', id: subject }] });
      expect(own.errors).toBeUndefined();
      expect(own.data?._entities[0].disclosures.edges[0].node).toMatchObject({ actor: null, requestId: null, operationName: null, organisation: 'FINANCE', occurredAt: '2030-01-02T00:00:00.000Z' });
      const office = await queryAs<{ auditEntriesBySubject: { edges: { node: Record<string, unknown> }[] } }>(supervisor, `query($id: ID!) { auditEntriesBySubject(subjectId: $id, first: 1) { edges { node { ${FIELDS} } } } }`, { id: subject });
      expect(office.data?.auditEntriesBySubject.edges[0].node).toMatchObject({ actor: 'officer-zhang', requestId: 'officer-read', operationName: 'ReviewSupplierCredit' });
    });

    it("names the subject's own users who read it for it, as its records' history does; still no request id or operation", async () => {
      const ownUser = self.caller!;
      const appended = await append([entry(962, { actor: 'clerk-li', organisation: ownUser.organisation, organisationKind: ownUser.organisationKind, role: 'EXTERNAL_USER', matter: 'SELF_INQUIRY', caseNumber: null, subjectId: subject, requestId: 'own-read', operationName: 'MyCredit', occurredAt: new Date(Date.UTC(2030, 0, 3)).toISOString() })]);
      expect(appended.errors).toBeUndefined();
      const own = await queryAs<{ _entities: { disclosures: { edges: { node: Record<string, unknown> }[] } }[] }>(self, `query($r: [_Any!]!) { _entities(representations: $r) { ... on Subject { disclosures(first: 1, includeSelfInquiries: true) { edges { node { actor organisation requestId operationName } } } } } }`, { r: [{ __typename: 'Subject', id: subject }] });
      expect(own.data?._entities[0].disclosures.edges[0].node).toEqual({ actor: 'clerk-li', organisation: ownUser.organisation, requestId: null, operationName: null });
    });

    it('names no user of another organisation recorded under the same id, of another kind', async () => {
      // A bank whose identity provider gave it the enterprise's id: the bank's officer is not the subject's user.
      const appended = await append([entry(963, { actor: 'banker-wu', organisation: self.caller!.organisation, organisationKind: 'FINANCIAL_INSTITUTION', role: 'EXTERNAL_USER', matter: 'FINANCIAL_SERVICES', caseNumber: null, subjectId: subject, requestId: 'bank-read', operationName: 'Lending', occurredAt: new Date(Date.UTC(2030, 0, 4)).toISOString() })]);
      expect(appended.errors).toBeUndefined();
      const own = await queryAs<{ _entities: { disclosures: { edges: { node: Record<string, unknown> }[] } }[] }>(self, `query($r: [_Any!]!) { _entities(representations: $r) { ... on Subject { disclosures(first: 1) { edges { node { actor organisation occurredAt } } } } } }`, { r: [{ __typename: 'Subject', id: subject }] });
      expect(own.data?._entities[0].disclosures.edges[0].node).toEqual({ actor: null, organisation: self.caller!.organisation, occurredAt: '2030-01-04T00:00:00.000Z' });
    });

    it("is refused another subject's disclosures and the credit office's root queries", async () => {
      const other = await queryAs(self, DISCLOSURES, { r: [{ __typename: 'Subject', id: subjectIds[1] }] });
      expect(other.errors?.[0].extensions?.code).toBe('FORBIDDEN');
      const root = await queryAs(self, `query($id: ID!) { auditEntriesBySubject(subjectId: $id) { totalCount } }`, { id: subject });
      expect(root.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', group: 'AUDIT' });
    });
  });
});
