import type { DataSource } from 'typeorm';
import { demoWorld } from '../../scripts/demo/world';
import { seedRecords } from '../../subgraphs/records/seed';
import { recordsSubgraph } from '../../subgraphs/records/subgraph';
import { testDatabases } from '../helpers/databases';
import type { Connection, GraphQLResponse } from '../helpers/graphql';
import { supervisor, usePlatform } from '../helpers/platform';
import { useSubgraph } from '../helpers/subgraph';

type RecordPage = Connection<{ id: string }>;

/** Subjects with at least `atLeast` credit records, most records first. */
async function subjectsWithRecords(db: DataSource, atLeast: number): Promise<string[]> {
  const rows: { subject_id: string; n: number | string }[] = await db.query('SELECT subject_id, COUNT(*) AS n FROM credit_record GROUP BY subject_id');
  return rows
    .filter((r) => Number(r.n) >= atLeast)
    .sort((a, b) => Number(b.n) - Number(a.n) || (a.subject_id < b.subject_id ? -1 : 1))
    .map((r) => r.subject_id);
}

/** A cursor changed by hand in the ways a client might try: a bit of its sealed position flipped, its tag stripped or truncated, the forms cursors used to have. */
function forgeriesOf(cursor: string): [string, string][] {
  const bytes = Buffer.from(cursor, 'base64url');
  const flipped = Buffer.from(bytes);
  flipped[12] ^= 0x01;
  const position = Buffer.from(JSON.stringify(['1900-01-01', 'x'])).toString('base64url');
  return [
    ['a bit of the sealed position flipped, nonce and tag kept', flipped.toString('base64url')],
    ['the tag stripped', bytes.subarray(0, bytes.length - 16).toString('base64url')],
    ['the tag truncated', bytes.subarray(0, bytes.length - 2).toString('base64url')],
    ['the unsigned form cursors used to have', position],
    ['the signed form cursors had before they were encrypted', `${position}.${bytes.subarray(-16).toString('base64url')}`],
    ['a made-up string', 'bm90LWEtY3Vyc29y'],
  ];
}

function expectInvalidCursor(result: GraphQLResponse<unknown>, path: (string | number)[]): void {
  const error = result.errors?.find((e) => JSON.stringify(e.path) === JSON.stringify(path));
  expect(error?.extensions).toMatchObject({ code: 'INVALID_CURSOR', field: 'after' });
  expect(JSON.stringify(result)).not.toMatch(/stacktrace|SELECT|credit_record/i);
}

const ENTITY_RECORDS = /* GraphQL */ `
  query ($r: [_Any!]!, $after: String, $filter: CreditRecordFilter) {
    _entities(representations: $r) { ... on Subject { id creditRecords(first: 1, after: $after, filter: $filter) { pageInfo { endCursor } edges { node { id } } } } }
  }
`;
type EntityPages = { _entities: ({ id: string; creditRecords: RecordPage | null } | null)[] };

describe.each(testDatabases)('page cursors on $label', (database) => {
  describe('in a subgraph', () => {
    const records = useSubgraph(recordsSubgraph, database, 'fz_cursor');
    let a: string;
    let b: string;
    beforeAll(async () => {
      await seedRecords(records.db(), demoWorld({ subjects: 20 }));
      [a, b] = await subjectsWithRecords(records.db(), 2);
    });
    const ref = (id: string) => ({ __typename: 'Subject', id });

    it('opens the next page of the subject it was issued for, and refuses it for another subject in the same batch', async () => {
      const first = await records.query<EntityPages>(ENTITY_RECORDS, { r: [ref(a)] });
      const cursor = first.data!._entities[0]!.creditRecords!.pageInfo.endCursor!;
      // One _entities call, one statement for both subjects: the cursor is checked per subject.
      const both = await records.query<EntityPages>(ENTITY_RECORDS, { r: [ref(a), ref(b)], after: cursor });
      const second = both.data!._entities[0]!.creditRecords!;
      expect(second.edges).toHaveLength(1);
      expect(second.edges[0].node.id).not.toBe(first.data!._entities[0]!.creditRecords!.edges[0].node.id);
      expect(both.data!._entities[1]!.creditRecords).toBeNull();
      expectInvalidCursor(both, ['_entities', 1, 'creditRecords']);
      expect(both.errors).toHaveLength(1);
    });

    it('refuses a cursor issued for the same subject under another filter', async () => {
      const first = await records.query<EntityPages>(ENTITY_RECORDS, { r: [ref(a)] });
      const cursor = first.data!._entities[0]!.creditRecords!.pageInfo.endCursor!;
      const filtered = await records.query<EntityPages>(ENTITY_RECORDS, { r: [ref(a)], after: cursor, filter: { polarity: 'NEGATIVE' } });
      expectInvalidCursor(filtered, ['_entities', 0, 'creditRecords']);
    });

    it('refuses every forgery of a real cursor', async () => {
      const first = await records.query<EntityPages>(ENTITY_RECORDS, { r: [ref(a)] });
      for (const [label, forged] of forgeriesOf(first.data!._entities[0]!.creditRecords!.pageInfo.endCursor!)) {
        const result = await records.query<EntityPages>(ENTITY_RECORDS, { r: [ref(a)], after: forged });
        expect([label, result.errors?.[0]?.extensions?.code]).toEqual([label, 'INVALID_CURSOR']);
      }
    });
  });

  describe('through the gateway', () => {
    const platform = usePlatform(database, 'fz_cursorgw', { seedSubjects: 20 });
    const TWO_SUBJECTS = /* GraphQL */ `
      query ($a: ID!, $b: ID!, $after: String) {
        a: subject(id: $a) { creditRecords(first: 1, after: $after) { pageInfo { endCursor } edges { node { id } } } }
        b: subject(id: $b) { creditRecords(first: 1, after: $after) { pageInfo { endCursor } edges { node { id } } } }
      }
    `;
    type TwoSubjects = { a: { creditRecords: RecordPage | null } | null; b: { creditRecords: RecordPage | null } | null };
    let a: string;
    let b: string;
    beforeAll(async () => {
      [a, b] = await subjectsWithRecords(platform.databases.records, 2);
    });

    it("pages one subject's records with its cursor; the same cursor on another subject is INVALID_CURSOR, not that subject's records", async () => {
      const first = await platform.query<TwoSubjects>(TWO_SUBJECTS, { a, b }, supervisor);
      expect(first.errors).toBeUndefined();
      const cursor = first.data!.a!.creditRecords!.pageInfo.endCursor!;
      const next = await platform.query<TwoSubjects>(TWO_SUBJECTS, { a, b, after: cursor }, supervisor);
      expect(next.status).toBe(200);
      expect(next.data!.a!.creditRecords!.edges).toHaveLength(1);
      expect(next.data!.a!.creditRecords!.edges[0].node.id).not.toBe(first.data!.a!.creditRecords!.edges[0].node.id);
      expect(next.data!.b?.creditRecords ?? null).toBeNull();
      expectInvalidCursor(next, ['b', 'creditRecords']);
    });

    it('refuses forged cursors on every kind of list with INVALID_CURSOR', async () => {
      const search = await platform.query<{ searchSubjects: RecordPage }>(`{ searchSubjects(name: "北戴河", first: 1) { pageInfo { endCursor } edges { node { id } } } }`, {}, supervisor);
      const cursor = search.data!.searchSubjects.pageInfo.endCursor!;
      const lists: [string, string, (string | number)[]][] = [
        ['searchSubjects under another name', `query ($after: String) { searchSubjects(name: "北戴河区", first: 1, after: $after) { totalCount } }`, ['searchSubjects']],
        ['another root list', `query ($after: String) { creditServiceProviders(first: 1, after: $after) { totalCount } }`, ['creditServiceProviders']],
        ['a nested list', `query ($after: String) { subject(id: "${a}") { creditReports(first: 1, after: $after) { totalCount } } }`, ['subject', 'creditReports']],
      ];
      for (const [label, operation, path] of lists) {
        const result = await platform.query(operation, { after: cursor }, supervisor);
        expect([label, result.status]).toEqual([label, 200]);
        expectInvalidCursor(result, path);
      }
      for (const [label, forged] of forgeriesOf(cursor)) {
        const result = await platform.query(`query ($after: String) { searchSubjects(name: "北戴河", first: 1, after: $after) { totalCount } }`, { after: forged }, supervisor);
        expect([label, result.errors?.[0]?.extensions?.code]).toEqual([label, 'INVALID_CURSOR']);
      }
    });

    it('reads a blank after (empty or only spaces) as none, the first page, on the lists of every subgraph; a cursor padded with spaces is still refused', async () => {
      const lists: [string, string][] = [
        ['searchSubjects', `query ($after: String) { searchSubjects(name: "北戴河", first: 2, after: $after) { totalCount pageInfo { hasPreviousPage endCursor } edges { node { id } } } }`],
        ['creditServiceProviders', `query ($after: String) { creditServiceProviders(first: 2, after: $after) { totalCount pageInfo { hasPreviousPage endCursor } edges { node { id } } } }`],
        ['Subject.creditRecords', `query ($after: String) { subject(id: "${a}") { creditRecords(first: 1, after: $after) { totalCount pageInfo { hasPreviousPage endCursor } edges { node { id } } } } }`],
        ['Subject.creditReports', `query ($after: String) { subject(id: "${a}") { creditReports(first: 1, after: $after) { totalCount pageInfo { hasPreviousPage endCursor } } } }`],
      ];
      for (const [label, operation] of lists) {
        const unpaged = await platform.query(operation, {}, supervisor);
        expect([label, unpaged.errors]).toEqual([label, undefined]);
        for (const blank of ['', '   ']) {
          const page = await platform.query(operation, { after: blank }, supervisor);
          expect([label, blank, page.errors, page.data]).toEqual([label, blank, undefined, unpaged.data]);
        }
      }
      const search = await platform.query<{ searchSubjects: RecordPage }>(lists[0][1], {}, supervisor);
      const padded = await platform.query(lists[0][1], { after: ` ${search.data!.searchSubjects.pageInfo.endCursor!} ` }, supervisor);
      expectInvalidCursor(padded, ['searchSubjects']);
    });
  });
});
