import { AuditEntry } from '../../subgraphs/audit/entities/audit-entry.entity';
import { testDatabases } from '../helpers/databases';
import { supervisor, usePlatform } from '../helpers/platform';

/**
 * The credit office verifies the audit chain through the gateway and, when it is broken, reads
 * the entry it breaks at: the verification names it, and the subject's trail lists it by its
 * sequence number.
 */
const VERIFY = /* GraphQL */ `query Verify { verifyAuditChain { intact firstBrokenSequence firstBrokenEntry { id sequence organisation occurredAt subject { id } } } }`;
const TRAIL = /* GraphQL */ `query Trail($id: ID!) { auditEntriesBySubject(subjectId: $id, first: 100) { edges { node { id sequence organisation } } } }`;

interface Verification {
  intact: boolean;
  firstBrokenSequence: number | null;
  firstBrokenEntry: { id: string; sequence: number | null; organisation: string; occurredAt: string; subject: { id: string } | null } | null;
}

describe.each(testDatabases)('a broken audit chain through the gateway on $label', (database) => {
  const platform = usePlatform(database, 'auditchain', { seedSubjects: 20 });

  it('names the entry the chain breaks at, which the credit office then finds in its subject\'s trail', async () => {
    const entries = platform.databases.audit.getRepository(AuditEntry);
    const [chosen] = (await platform.databases.audit.query('SELECT id FROM audit_entry WHERE subject_id IS NOT NULL ORDER BY sequence LIMIT 1 OFFSET 3')) as { id: string }[];
    expect(chosen).toBeDefined();
    const original = await entries.findOneByOrFail({ id: chosen.id });
    const escape = (name: string) => platform.databases.audit.driver.escape(name);
    await platform.databases.audit.query(`UPDATE audit_entry SET ${escape('organisation')} = ? WHERE ${escape('id')} = ?`, ['HEALTH', original.id]);
    try {
      const verified = await platform.query<{ verifyAuditChain: Verification }>(VERIFY, {}, supervisor);
      expect(verified.errors).toBeUndefined();
      expect(verified.data?.verifyAuditChain).toEqual({
        intact: false,
        firstBrokenSequence: original.sequence,
        firstBrokenEntry: { id: original.id, sequence: original.sequence, organisation: 'HEALTH', occurredAt: original.occurredAt.toISOString(), subject: { id: original.subjectId } },
      });

      const trail = await platform.query<{ auditEntriesBySubject: { edges: { node: { id: string; sequence: number; organisation: string } }[] } }>(TRAIL, { id: original.subjectId }, supervisor);
      expect(trail.errors).toBeUndefined();
      expect(trail.data?.auditEntriesBySubject.edges.map((e) => e.node)).toContainEqual({ id: original.id, sequence: original.sequence, organisation: 'HEALTH' });
    } finally {
      await entries.save(original);
    }
    const again = await platform.query<{ verifyAuditChain: Verification }>(VERIFY, {}, supervisor);
    expect(again.data?.verifyAuditChain).toMatchObject({ intact: true, firstBrokenSequence: null, firstBrokenEntry: null });
  });
});
