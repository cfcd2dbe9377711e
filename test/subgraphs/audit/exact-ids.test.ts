import { financeOfficerEntry, supervisor } from './audit-callers';
import { AuditRepository, type AuditEntryInput } from '../../../subgraphs/audit/audit.repository';
import { ExactAuditIds1764000000440 } from '../../../subgraphs/audit/migrations/1764000000440-exact-audit-ids';
import { ExactAuditActors1764000000480 } from '../../../subgraphs/audit/migrations/1764000000480-exact-audit-actors';
import { auditSubgraph } from '../../../subgraphs/audit/subgraph';
import { testDatabases } from '../../helpers/databases';
import { useSubgraph } from '../../helpers/subgraph';

/**
 * A subject id, a request id and an actor are the exact text the gateway recorded: the same id in
 * other letter case is another subject (one no subject has, but a request could leave entries
 * under it before ids were read as typed), another request and another user, on MySQL as on
 * SQLite. A subject id typed in upper case to look a trail up is the subject's id, as every ID
 * argument is (subgraphs/shared/typed-ids.ts).
 */
const BY_SUBJECT = /* GraphQL */ `query BySubject($id: ID!) { auditEntriesBySubject(subjectId: $id, first: 100) { totalCount edges { node { id subject { id } requestId } } } }`;
const STATISTICS = /* GraphQL */ `
  query Statistics($from: DateTime!, $to: DateTime!, $organisation: String) {
    auditStatistics(from: $from, to: $to, organisation: $organisation) { organisation matter disclosed denied subjects }
  }
`;
const BY_ACTOR = /* GraphQL */ `query ByActor($actor: String!) { auditEntries(filter: { actor: $actor }, first: 10) { totalCount edges { node { id actor organisation } } } }`;
const CASES = /* GraphQL */ `
  query Cases($from: DateTime!, $to: DateTime!, $organisation: String) {
    auditCases(from: $from, to: $to, organisation: $organisation) { edges { node { organisation matter caseNumber disclosed denied subjects } } }
  }
`;


const subject = 'c437ca86-5d0e-4c1b-9a3f-2b7e8d6f10aa';
const upperCased = subject.toUpperCase();
const from = new Date(Date.UTC(2027, 5, 1));
const to = new Date(Date.UTC(2027, 6, 1));
const at = (day: number) => new Date(Date.UTC(2027, 5, day, 3));

function entry(id: number, overrides: Partial<AuditEntryInput> = {}): AuditEntryInput {
  return financeOfficerEntry({
    id: `ea000000-0000-4000-8000-${String(id).padStart(12, '0')}`,
    caseNumber: 'BDHCG-2027-0001',
    subjectId: subject,
    requestId: `request-${id}`,
    occurredAt: at(2 + id),
    ...overrides,
  });
}

// The subject's own trail (three entries), one entry a request left under its id upper-cased, and
// two requests whose ids differ only in letter case, answered at one instant (one entry each).
const fixtures = [
  entry(1),
  entry(2),
  entry(3, { outcome: 'DENIED' }),
  entry(4, { subjectId: upperCased, outcome: 'DENIED', requestId: 'probe-upper' }),
  entry(5, { caseNumber: 'BDHCG-2027-0002', occurredAt: at(20), requestId: 'REQ-ab12' }),
  entry(6, { caseNumber: 'BDHCG-2027-0002', occurredAt: at(20), requestId: 'req-AB12' }),
  // Three users of two departments whose ids differ only in letter case and an accent.
  ...(['officer-zhang', 'OFFICER-ZHANG', 'officer-zhäng'] as const).map((actor, i) =>
    entry(7 + i, { actor, organisation: i === 0 ? 'MARKET_REGULATION' : 'TAXATION', matter: 'TAX_INCENTIVES', caseNumber: `BDHSW-2027-000${i}`, subjectId: null, requestId: `actor-${i}` }),
  ),
];

describe.each(testDatabases)('subject and request ids compared exactly on $label', (database) => {
  const { db, queryAs } = useSubgraph(auditSubgraph, database, 'exactids');

  beforeAll(async () => {
    await new AuditRepository(db()).append(fixtures);
  });

  it("finds the subject's own trail for its id typed in either case, and not the entry left under an upper-cased id", async () => {
    const bySubject = async (id: string) => {
      const result = await queryAs<{ auditEntriesBySubject: { totalCount: number; edges: { node: { id: string; subject: { id: string } } }[] } }>(supervisor, BY_SUBJECT, { id });
      expect(result.errors).toBeUndefined();
      return result.data!.auditEntriesBySubject;
    };
    const upper = await bySubject(upperCased);
    expect(upper.totalCount).toBe(5);
    expect(upper.edges.every((e) => e.node.subject.id === subject)).toBe(true);
    const lower = await bySubject(subject);
    expect(lower).toEqual(upper);
    expect(lower.totalCount).toBe(5);
    expect(lower.edges.every((e) => e.node.subject.id === subject)).toBe(true);
    expect(lower.edges.map((e) => e.node.id)).not.toContain(fixtures[3].id);
  });

  it('counts subject ids differing in letter case as distinct subjects, and request ids differing in letter case as distinct requests', async () => {
    const statistics = await queryAs<{ auditStatistics: unknown[] }>(supervisor, STATISTICS, { from: from.toISOString(), to: to.toISOString(), organisation: 'FINANCE' });
    expect(statistics.errors).toBeUndefined();
    expect(statistics.data?.auditStatistics).toEqual([{ organisation: 'FINANCE', matter: 'GOVERNMENT_PROCUREMENT', disclosed: 4, denied: 2, subjects: 2 }]);
    const cases = await queryAs<{ auditCases: { edges: { node: unknown }[] } }>(supervisor, CASES, { from: from.toISOString(), to: to.toISOString(), organisation: 'FINANCE' });
    expect(cases.errors).toBeUndefined();
    expect(cases.data?.auditCases.edges.map((e) => e.node)).toEqual([
      { organisation: 'FINANCE', matter: 'GOVERNMENT_PROCUREMENT', caseNumber: 'BDHCG-2027-0001', disclosed: 2, denied: 2, subjects: 2 },
      { organisation: 'FINANCE', matter: 'GOVERNMENT_PROCUREMENT', caseNumber: 'BDHCG-2027-0002', disclosed: 2, denied: 0, subjects: 1 },
    ]);
  });

  it('matches a request id exactly', async () => {
    const column = (name: string) => db().driver.escape(name);
    const rows: { id: string }[] = await db().query(`SELECT id FROM audit_entry WHERE ${column('request_id')} = ?`, ['REQ-AB12']);
    expect(rows).toEqual([]);
    const exact: { id: string }[] = await db().query(`SELECT id FROM audit_entry WHERE ${column('request_id')} = ?`, ['req-AB12']);
    expect(exact.map((r) => r.id)).toEqual([fixtures[5].id]);
  });

  it('lists an actor\'s entries by its user id exactly: another in letter case or accent is another user', async () => {
    const byActor = async (actor: string) => {
      const result = await queryAs<{ auditEntries: { totalCount: number; edges: { node: { id: string; actor: string; organisation: string } }[] } }>(supervisor, BY_ACTOR, { actor });
      expect(result.errors).toBeUndefined();
      return result.data!.auditEntries;
    };
    for (const [i, actor] of ['officer-zhang', 'OFFICER-ZHANG', 'officer-zhäng'].entries()) {
      const found = await byActor(actor);
      expect({ actor, total: found.totalCount, ids: found.edges.map((e) => e.node.id) }).toEqual({ actor, total: 1, ids: [fixtures[6 + i].id] });
    }
    expect((await byActor('Officer-Zhang')).totalCount).toBe(0);
  });

  if (database.label === 'mysql') {
    it('keeps the actor binary-collated, and the actor migration\'s down restores unicode_ci', async () => {
      const collation = async () =>
        ((await db().query(`SELECT COLLATION_NAME AS collation, COLUMN_TYPE AS type, IS_NULLABLE AS nullable FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'audit_entry' AND COLUMN_NAME = 'actor'`)) as unknown[])[0];
      expect(await collation()).toEqual({ collation: 'utf8mb4_bin', type: 'varchar(100)', nullable: 'NO' });
      const runner = db().createQueryRunner();
      try {
        await new ExactAuditActors1764000000480().down(runner);
        expect(await collation()).toEqual({ collation: 'utf8mb4_unicode_ci', type: 'varchar(100)', nullable: 'NO' });
      } finally {
        await new ExactAuditActors1764000000480().up(runner);
        await runner.release();
      }
      expect(await collation()).toEqual({ collation: 'utf8mb4_bin', type: 'varchar(100)', nullable: 'NO' });
    });

    it('keeps the columns as the create migration made them, binary-collated, and its down migration restores unicode_ci', async () => {
      const columns = async () =>
        (await db().query(
          `SELECT COLUMN_NAME AS name, COLUMN_TYPE AS type, IS_NULLABLE AS nullable, COLLATION_NAME AS collation FROM information_schema.COLUMNS
            WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'audit_entry' AND COLUMN_NAME IN ('subject_id', 'request_id') ORDER BY COLUMN_NAME`,
        )) as { name: string; type: string; nullable: string; collation: string }[];
      expect(await columns()).toEqual([
        { name: 'request_id', type: 'varchar(64)', nullable: 'NO', collation: 'utf8mb4_bin' },
        { name: 'subject_id', type: 'varchar(36)', nullable: 'YES', collation: 'utf8mb4_bin' },
      ]);
      const runner = db().createQueryRunner();
      try {
        await new ExactAuditIds1764000000440().down(runner);
        expect((await columns()).map((c) => [c.name, c.type, c.nullable, c.collation])).toEqual([
          ['request_id', 'varchar(64)', 'NO', 'utf8mb4_unicode_ci'],
          ['subject_id', 'varchar(36)', 'YES', 'utf8mb4_unicode_ci'],
        ]);
      } finally {
        await new ExactAuditIds1764000000440().up(runner);
        await runner.release();
      }
      expect((await columns()).map((c) => c.collation)).toEqual(['utf8mb4_bin', 'utf8mb4_bin']);
    });
  }
});
