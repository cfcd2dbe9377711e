import { AuditEntry } from '../../../subgraphs/audit/entities/audit-entry.entity';
import { auditSubgraph } from '../../../subgraphs/audit/subgraph';
import type { CursorPosition } from '../../../subgraphs/shared/cursors';
import { loadPages, type Page, type PageQuery } from '../../../subgraphs/shared/pagination';
import { testDatabases } from '../../helpers/databases';
import { useSubgraph } from '../../helpers/subgraph';

/**
 * `PageQuery.thenBy`: a nullable column between the sort column and the id (ORDER BY sort DESC,
 * thenBy DESC, id DESC, NULL after every value), in one list and in a batch of parents' lists, and
 * paged on with [sort value, id, tie-break] cursors. The audit log's entries serve as rows:
 * `sequence` is such a column. Ids are chosen so that ordering by id alone gives another order.
 */

const later = new Date(Date.UTC(2026, 5, 1, 8, 0, 0, 250));
const earlier = new Date(later.getTime() - 1000);

/** [id, parent, instant, tie-break]: parent A's later instant mixes values and NULLs, ids on both sides. */
const rows: [string, string, Date, number | null][] = [
  ['a3', 'A', later, 5],
  ['a1', 'A', later, 7],
  ['a4', 'A', later, 6],
  ['a2', 'A', later, null],
  ['a5', 'A', later, null],
  ['a0', 'A', later, null],
  ['a9', 'A', earlier, 2],
  ['a8', 'A', earlier, null],
  ['b1', 'B', later, 9],
  ['b2', 'B', later, 8],
  ['b0', 'B', later, null],
  ['b7', 'B', earlier, null],
];
const idOf = (short: string) => `7b000000-0000-4000-8000-0000000000${short}`;
const expected = {
  A: ['a1', 'a4', 'a3', 'a5', 'a2', 'a0', 'a9', 'a8'].map(idOf),
  B: ['b1', 'b2', 'b0', 'b7'].map(idOf),
};

const newestFirst = { orderBy: 'occurredAt', direction: 'DESC', thenBy: 'sequence' } as const;

describe.each(testDatabases)('pages ordered by a nullable tie-break (thenBy) on $label', (database) => {
  const { db, sql } = useSubgraph(auditSubgraph, database, 'thenby');
  const entries = () => db().getRepository(AuditEntry);

  beforeAll(async () => {
    await entries().insert(
      rows.map(([id, parent, occurredAt, sequence]) =>
        entries().create({
          id: idOf(id),
          sequence,
          previousHash: null,
          hash: null,
          actor: 'tester',
          organisation: `ORG-${parent}`,
          organisationKind: 'DEPARTMENT',
          role: 'DEPARTMENT_OFFICER',
          matter: null,
          caseNumber: null,
          consentId: null,
          subjectId: `subject-${parent}`,
          fieldGroups: 'SUBJECT_BASICS',
          operationName: null,
          requestId: `r-${id}`,
          occurredAt,
          outcome: 'DISCLOSED',
        }),
      ),
    );
  });

  const positionOf = (row: AuditEntry): CursorPosition => [row.occurredAt.toISOString(), row.id, row.sequence];

  /** Every page `read` gives from the start, `first` at a time, each read one statement. */
  async function walk(read: (after: CursorPosition | null) => Promise<Page<AuditEntry> | undefined>): Promise<string[]> {
    const ids: string[] = [];
    let after: CursorPosition | null = null;
    for (let pages = 0; pages < 20; pages += 1) {
      let page: Page<AuditEntry> | undefined;
      expect(await sql.selectsDuring(async () => (page = await read(after)))).toBe(1);
      ids.push(...page!.rows.map((r) => r.id));
      if (!page!.hasNextPage) return ids;
      after = positionOf(page!.rows.at(-1)!);
    }
    throw new Error('the list never ended');
  }

  it('orders one list by the sort column, then the tie-break with NULLs last, then the id', async () => {
    const top = await loadPages(entries(), { where: { sql: 't.organisation = ?', params: ['ORG-A'] }, ...newestFirst, first: 20 });
    expect(top.get('')!.rows.map((r) => r.id)).toEqual(expected.A);
    const one = await loadPages(entries(), { parent: 'subjectId', parentIds: ['subject-A'], ...newestFirst, first: 20 });
    expect(one.get('subject-A')!.rows.map((r) => r.id)).toEqual(expected.A);
  });

  it('orders each list of a batch (window functions) so', async () => {
    const pages = await loadPages(entries(), { parent: 'subjectId', parentIds: ['subject-A', 'subject-B'], ...newestFirst, first: 20 });
    expect(pages.get('subject-A')!.rows.map((r) => r.id)).toEqual(expected.A);
    expect(pages.get('subject-B')!.rows.map((r) => r.id)).toEqual(expected.B);
    expect(pages.get('subject-A')!.totalCount).toBe(8);
  });

  it.each([1, 2, 3, 5])('pages on from [instant, id, sequence] cursors %i at a time, across values and NULLs, in one list', async (first) => {
    expect(await walk(async (after) => (await loadPages(entries(), { parent: 'subjectId', parentIds: ['subject-A'], ...newestFirst, first, after })).get('subject-A'))).toEqual(expected.A);
    // Counted with the page: the count's parameters come before the cursor's.
    const counted = await walk(async (after) => {
      const page = (await loadPages(entries(), { where: { sql: 't.organisation = ?', params: ['ORG-A'] }, ...newestFirst, first, after, count: true })).get('');
      if (page?.rows.length) expect(page.totalCount).toBe(8);
      return page;
    });
    expect(counted).toEqual(expected.A);
  });

  it.each([1, 2, 3])('pages on %i at a time in a batch, each list from its own cursor rows', async (first) => {
    for (const parent of ['A', 'B'] as const) {
      const ids = await walk(async (after) => (await loadPages(entries(), { parent: 'subjectId', parentIds: ['subject-A', 'subject-B'], ...newestFirst, first, after })).get(`subject-${parent}`));
      expect(ids).toEqual(expected[parent]);
    }
  });

  it('pages on from a cursor whose row has no tie-break value: the NULLs of its instant below its id, then the earlier instant', async () => {
    const from = await entries().findOneByOrFail({ id: idOf('a5') });
    for (const parentIds of [['subject-A'], ['subject-A', 'subject-B']]) {
      const pages = await loadPages(entries(), { parent: 'subjectId', parentIds, ...newestFirst, first: 20, after: positionOf(from) });
      expect(pages.get('subject-A')!.rows.map((r) => r.id)).toEqual(['a2', 'a0', 'a9', 'a8'].map(idOf));
    }
  });

  it("pages on from the cursor alone, reading nothing of its row, and refuses one without the tie-break's value (a release before's) as INVALID_CURSOR", async () => {
    // A position of a4's instant and sequence, its id above a4's, where no row is: a4 comes next.
    const gone: CursorPosition = [later.toISOString(), idOf('ff'), 6];
    for (const parentIds of [['subject-A'], ['subject-A', 'subject-B']]) {
      const pages = await loadPages(entries(), { parent: 'subjectId', parentIds, ...newestFirst, first: 20, after: gone });
      expect(pages.get('subject-A')!.rows.map((r) => r.id)).toEqual(['a4', 'a3', 'a5', 'a2', 'a0', 'a9', 'a8'].map(idOf));
    }
    for (const parentIds of [['subject-A'], ['subject-A', 'subject-B']]) {
      await expect(loadPages(entries(), { parent: 'subjectId', parentIds, ...newestFirst, first: 20, after: [later.toISOString(), idOf('a4')] })).rejects.toMatchObject({ extensions: { code: 'INVALID_CURSOR' } });
    }
  });

  it('leaves a list without thenBy ordered by the sort column and the id alone', async () => {
    const pages = await loadPages(entries(), { parent: 'subjectId', parentIds: ['subject-A'], orderBy: 'occurredAt', direction: 'DESC', first: 20 });
    expect(pages.get('subject-A')!.rows.map((r) => r.id)).toEqual(['a5', 'a4', 'a3', 'a2', 'a1', 'a0', 'a9', 'a8'].map(idOf));
  });

  it('refuses thenBy ascending, and through an index table', async () => {
    const query: PageQuery<AuditEntry> = { ...newestFirst, first: 5 };
    await expect(loadPages(entries(), { ...query, direction: 'ASC' })).rejects.toThrow(/DESC only/);
    await expect(loadPages(entries(), { ...query, through: { table: 'audit_entry', where: { sql: '1 = 1', params: [] }, sort: 'occurred_at', id: 'id' } })).rejects.toThrow(/thenBy \(sequence\) is not supported with through/);
  });
});
