import { financeOfficerEntry, supervisor } from './audit-callers';
import { AuditRepository, type AuditEntryInput } from '../../../subgraphs/audit/audit.repository';
import { auditSubgraph } from '../../../subgraphs/audit/subgraph';
import { testDatabases } from '../../helpers/databases';
import { useSubgraph } from '../../helpers/subgraph';

/**
 * The usage statistics count every matter named outside the catalogue together as `UNLISTED`
 * (a refused request's header, kept as sent): the log's matter filter drills down to that row.
 */
const STATISTICS = /* GraphQL */ `
  query Statistics($from: DateTime!, $to: DateTime!) { auditStatistics(from: $from, to: $to, organisation: "FINANCE") { matter denied } }
`;
const BY_MATTER = /* GraphQL */ `query ByMatter($matter: String!) { auditEntries(filter: { matter: $matter }, first: 10) { totalCount edges { node { id matter } } } }`;

const at = (day: number) => new Date(Date.UTC(2027, 7, day, 3));

function entry(id: number, matter: string | null): AuditEntryInput {
  return financeOfficerEntry({
    id: `eb000000-0000-4000-8000-${String(id).padStart(12, '0')}`,
    matter,
    subjectId: 'c437ca86-5d0e-4c1b-9a3f-2b7e8d6f10ab',
    requestId: `unlisted-${id}`,
    occurredAt: at(2 + id),
    outcome: 'DENIED',
  });
}

const fixtures = [entry(1, 'Procurement_X'), entry(2, 'ｐｒｏｃｕｒｅｍｅｎｔ_x'), entry(3, 'GOVERNMENT_PROCUREMENT'), entry(4, null)];

describe.each(testDatabases)('the audit log filtered by the UNLISTED matter on $label', (database) => {
  const { db, queryAs } = useSubgraph(auditSubgraph, database, 'unlisted');

  beforeAll(async () => {
    await new AuditRepository(db()).append(fixtures);
  });

  it('lists exactly the entries the statistics count as UNLISTED, however the filter is typed', async () => {
    const statistics = await queryAs<{ auditStatistics: { matter: string | null; denied: number }[] }>(supervisor, STATISTICS, { from: at(1).toISOString(), to: at(20).toISOString() });
    expect(statistics.errors).toBeUndefined();
    const unlisted = statistics.data!.auditStatistics.find((row) => row.matter === 'UNLISTED');
    expect(unlisted?.denied).toBe(2);
    for (const matter of ['UNLISTED', 'unlisted', 'ＵＮＬＩＳＴＥＤ']) {
      const result = await queryAs<{ auditEntries: { totalCount: number; edges: { node: { id: string; matter: string } }[] } }>(supervisor, BY_MATTER, { matter });
      expect(result.errors).toBeUndefined();
      expect({ matter, total: result.data!.auditEntries.totalCount, ids: result.data!.auditEntries.edges.map((e) => e.node.id).sort() }).toEqual({ matter, total: 2, ids: [fixtures[0].id, fixtures[1].id] });
    }
    // A matter sent as typed still finds its own entries.
    const own = await queryAs<{ auditEntries: { totalCount: number } }>(supervisor, BY_MATTER, { matter: 'Procurement_X' });
    expect(own.data?.auditEntries.totalCount).toBe(1);
  });
});
