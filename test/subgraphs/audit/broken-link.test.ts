import type { RequestIdentity } from '../../../lib/access/identity';
import { AuditRepository, type AuditEntryInput } from '../../../subgraphs/audit/audit.repository';
import { AuditEntry } from '../../../subgraphs/audit/entities/audit-entry.entity';
import { auditSubgraph } from '../../../subgraphs/audit/subgraph';
import { testDatabases } from '../../helpers/databases';
import { useSubgraph } from '../../helpers/subgraph';

/**
 * `verifyAuditChain` names the link where the chain breaks by its sequence number; the credit
 * office must then be able to find that entry: the answer carries the entry, and every entry
 * shows its sequence number.
 */
const VERIFY = /* GraphQL */ `{ verifyAuditChain { intact firstBrokenSequence firstBrokenEntry { id sequence organisation subject { id } } } }`;
const BY_SUBJECT = /* GraphQL */ `query BySubject($id: ID!) { auditEntriesBySubject(subjectId: $id, first: 100) { edges { node { id sequence organisation } } } }`;

interface Verification {
  intact: boolean;
  firstBrokenSequence: number | null;
  firstBrokenEntry: { id: string; sequence: number | null; organisation: string; subject: { id: string } | null } | null;
}

const supervisor: RequestIdentity = {
  caller: { id: 'supervisor-wang', organisation: 'CREDIT_OFFICE', organisationKind: 'DEPARTMENT', role: 'CREDIT_OFFICE_SUPERVISOR' },
  purpose: { matter: 'CREDIT_SUPERVISION' },
  grants: ['AUDIT', 'STATISTICS', 'DISCLOSURE_LOG'],
  scope: {},
  requestId: 'supervisor-request',
};

const subjectIds = ['5c000000-0000-4000-8000-000000000001', '5c000000-0000-4000-8000-000000000002', '5c000000-0000-4000-8000-000000000003'];

function entry(i: number): AuditEntryInput {
  return {
    actor: `finance-officer-${i}`,
    organisation: 'FINANCE',
    organisationKind: 'DEPARTMENT',
    role: 'DEPARTMENT_OFFICER',
    matter: 'GOVERNMENT_PROCUREMENT',
    caseNumber: `BDHCG-2026-${i}`,
    subjectId: subjectIds[i % subjectIds.length],
    fieldGroups: ['SUBJECT_BASICS', 'PUBLIC_RECORDS'],
    requestId: `request-${i}`,
    occurredAt: new Date(Date.UTC(2026, 2, 1, 1, 0, i)),
    outcome: 'DISCLOSED',
  };
}

describe.each(testDatabases)('the first broken link of the audit chain on $label', (database) => {
  const { db, queryAs } = useSubgraph(auditSubgraph, database, 'brokenlink');
  const column = (name: string) => db().driver.escape(name);
  const verify = () => queryAs<{ verifyAuditChain: Verification }>(supervisor, VERIFY);
  const stored = (sequence: number) => db().getRepository(AuditEntry).findOneByOrFail({ sequence });

  beforeAll(async () => {
    await new AuditRepository(db()).append(Array.from({ length: 12 }, (_, i) => entry(i)));
  });

  it('names no entry while the chain is intact', async () => {
    const result = await verify();
    expect(result.errors).toBeUndefined();
    expect(result.data?.verifyAuditChain).toEqual({ intact: true, firstBrokenSequence: null, firstBrokenEntry: null });
  });

  it('names the entry changed with raw SQL, as it is stored now, which the credit office then finds among its subject\'s entries by its sequence', async () => {
    const original = await stored(7);
    await db().query(`UPDATE audit_entry SET ${column('organisation')} = ? WHERE ${column('sequence')} = ?`, ['HEALTH', 7]);
    try {
      const result = await verify();
      expect(result.errors).toBeUndefined();
      expect(result.data?.verifyAuditChain).toEqual({
        intact: false,
        firstBrokenSequence: 7,
        firstBrokenEntry: { id: original.id, sequence: 7, organisation: 'HEALTH', subject: { id: original.subjectId } },
      });
      // Reading the entry is reading the audit of its subject: audited in that subject's trail.
      expect(result.extensions?.disclosures).toEqual([{ subjectId: original.subjectId, groups: ['AUDIT'] }]);

      const listed = await queryAs<{ auditEntriesBySubject: { edges: { node: { id: string; sequence: number; organisation: string } }[] } }>(supervisor, BY_SUBJECT, { id: original.subjectId });
      expect(listed.errors).toBeUndefined();
      expect(listed.data?.auditEntriesBySubject.edges.map((e) => e.node).find((n) => n.sequence === 7)).toEqual({ id: original.id, sequence: 7, organisation: 'HEALTH' });
    } finally {
      await db().getRepository(AuditEntry).save(original);
    }
    expect((await verify()).data?.verifyAuditChain.intact).toBe(true);
  });

  it('names, for a deleted entry, the entry found in its place', async () => {
    const original = await stored(4);
    const next = await stored(5);
    await db().query(`DELETE FROM audit_entry WHERE ${column('sequence')} = ?`, [4]);
    try {
      expect((await verify()).data?.verifyAuditChain).toEqual({
        intact: false,
        firstBrokenSequence: 4,
        firstBrokenEntry: { id: next.id, sequence: 5, organisation: 'FINANCE', subject: { id: next.subjectId } },
      });
    } finally {
      await db().getRepository(AuditEntry).insert(original);
    }
    expect((await verify()).data?.verifyAuditChain.intact).toBe(true);
  });

  it("shows every entry's sequence number to the audit's readers, and to no one else", async () => {
    const listed = await queryAs<{ auditEntriesBySubject: { edges: { node: { sequence: number } }[] } }>(supervisor, BY_SUBJECT, { id: subjectIds[0] });
    // Newest first: entries 9, 6, 3 and 0 of the batch, chained from 1.
    expect(listed.data?.auditEntriesBySubject.edges.map((e) => e.node.sequence)).toEqual([10, 7, 4, 1]);

    // A subject reading who read it (its own view, DISCLOSURE_LOG) gets the entries, not their place in the chain.
    const itself: RequestIdentity = { ...supervisor, caller: { id: 'self-user', organisation: '91130304MA0TEXT12Y', organisationKind: 'ENTERPRISE', role: 'EXTERNAL_USER', subjectId: subjectIds[0] }, purpose: { matter: 'SELF_INQUIRY' }, grants: ['DISCLOSURE_LOG'], scope: { subjectId: subjectIds[0] } };
    const own = await queryAs<{ _entities: { disclosures: { edges: { node: { id: string; sequence: number | null } | null }[] } }[] }>(
      itself,
      `query($r: [_Any!]!) { _entities(representations: $r) { ... on Subject { disclosures { edges { node { id sequence } } } } } }`,
      { r: [{ __typename: 'Subject', id: subjectIds[0] }] },
    );
    expect(own.errors?.length).toBeGreaterThan(0);
    for (const error of own.errors ?? []) expect(error.extensions).toMatchObject({ code: 'FORBIDDEN', group: 'AUDIT' });
  });
});
