import { demoCallers } from '../../scripts/demo/callers';
import { demoWorld } from '../../scripts/demo/world';
import { testDatabases } from '../helpers/databases';
import { usePlatform, type As } from '../helpers/platform';

/**
 * A subject reading who read it (查询记录): its own reads (self-inquiries) are left out unless asked
 * for, and its reads of this list, reads of the log, always: listed, they filled the list with its
 * own reads and grew `totalCount` while it paged.
 */
const world = demoWorld({ subjects: 8 });
const self = demoCallers(world).find((c) => c.caller.subjectId)!;
const subject = world.subjects.find((s) => s.id === self.caller.subjectId)!;
const procurement: As = {
  caller: { id: 'officer-own-disclosures', organisation: 'FINANCE', organisationKind: 'DEPARTMENT', role: 'DEPARTMENT_OFFICER' },
  headers: { 'x-credit-matter': 'GOVERNMENT_PROCUREMENT', 'x-credit-case': 'BDH-CG-OWN-1' },
};
const TRAIL = /* GraphQL */ `
  query Trail($id: ID!, $own: Boolean) {
    subject(id: $id) { disclosures(first: 100, includeSelfInquiries: $own) { totalCount edges { node { organisation matter caseNumber } } } }
  }
`;

interface Trail {
  subject: { disclosures: { totalCount: number; edges: { node: { organisation: string; matter: string | null; caseNumber: string | null } }[] } };
}

describe.each(testDatabases)("a subject's own 查询记录 on $label", (database) => {
  const platform = usePlatform(database, 'owndisclosures', { seedSubjects: world.subjects.length });

  it('lists who else read it, with a total that stays put while the subject reads it, and its own reads of its data only when asked', async () => {
    expect((await platform.query(`query($id: ID!) { subject(id: $id) { name } }`, { id: subject.id }, procurement)).errors).toBeUndefined();
    const read = async (own?: boolean) => {
      const result = await platform.query<Trail>(TRAIL, { id: subject.id, own }, { caller: self.caller, headers: self.headers });
      expect(result.errors).toBeUndefined();
      return result.data!.subject.disclosures;
    };
    const first = await read();
    const second = await read();
    expect(second.totalCount).toBe(first.totalCount);
    expect(first.edges.map((e) => e.node.matter)).not.toContain('SELF_INQUIRY');
    expect(first.edges[0].node).toEqual({ organisation: 'FINANCE', matter: 'GOVERNMENT_PROCUREMENT', caseNumber: 'BDH-CG-OWN-1' });
    // Its own read of its credit data, as its own organisation under SELF_INQUIRY, listed when asked;
    // its reads of this list are reads of the log, listed never, so that this total stays put too.
    expect((await platform.query(`query($id: ID!) { subject(id: $id) { name } }`, { id: subject.id }, { caller: self.caller, headers: self.headers })).errors).toBeUndefined();
    const withOwn = await read(true);
    expect(withOwn.totalCount).toBe(first.totalCount + 1);
    expect((await read(true)).totalCount).toBe(withOwn.totalCount);
    expect(withOwn.edges.slice(0, 2).map((e) => [e.node.organisation, e.node.matter])).toEqual([[subject.identifier, 'SELF_INQUIRY'], ['FINANCE', 'GOVERNMENT_PROCUREMENT']]);
  });
});
