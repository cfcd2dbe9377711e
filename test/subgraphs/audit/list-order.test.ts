import { AuditRepository, type AuditEntryInput } from '../../../subgraphs/audit/audit.repository';
import { AuditEntry } from '../../../subgraphs/audit/entities/audit-entry.entity';
import { auditSubgraph } from '../../../subgraphs/audit/subgraph';
import { describeOnMysql, testDatabases } from '../../helpers/databases';
import type { Connection } from '../../helpers/graphql';
import { useSubgraph } from '../../helpers/subgraph';

/**
 * The audit's lists are newest first, and entries of one instant (those of one request, which
 * the gateway gives one instant) come in the chain's order, last appended first: the same order on
 * every read, and one that pages without a gap or a repeat. The probe read a request's entries as
 * sequences 241, 240, 243, 242: ties were broken by id, whose tail is random.
 */

interface Node {
  id: string;
  sequence: number | null;
}
type Page = Connection<Node>;

const NODE = /* GraphQL */ `totalCount pageInfo { hasNextPage endCursor } edges { node { id sequence } }`;
const BY_ORGANISATION = /* GraphQL */ `
  query($caseNumber: String, $first: Int, $after: String) {
    auditEntriesByOrganisation(organisation: "FINANCE", caseNumber: $caseNumber, first: $first, after: $after) { ${NODE} }
  }
`;
const BY_SUBJECT = /* GraphQL */ `query($id: ID!, $first: Int, $after: String) { auditEntriesBySubject(subjectId: $id, first: $first, after: $after) { ${NODE} } }`;
const DISCLOSURES = /* GraphQL */ `
  query($r: [_Any!]!, $first: Int, $after: String) { _entities(representations: $r) { ... on Subject { id disclosures(first: $first, after: $after) { ${NODE} } } } }
`;

const subject = (i: number) => `5d000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
const instant = new Date(Date.UTC(2026, 11, 4, 2, 30, 0, 125));
const before = new Date(instant.getTime() - 60_000);
const after = new Date(instant.getTime() + 60_000);

// Ids whose order is not the order of appending: as a gateway's time-ordered ids of one
// millisecond, whose tail is random, may fall.
const idOf = (n: number) => `e1000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const shuffled = [2, 1, 4, 3, 6, 5];

function entry(n: number, overrides: Partial<AuditEntryInput>): AuditEntryInput {
  return {
    id: idOf(n),
    actor: 'officer',
    organisation: 'FINANCE',
    organisationKind: 'DEPARTMENT',
    role: 'DEPARTMENT_OFFICER',
    matter: 'GOVERNMENT_PROCUREMENT',
    caseNumber: 'PROBE-ORDER-1',
    subjectId: subject(0),
    fieldGroups: ['SUBJECT_BASICS'],
    requestId: 'probe-request',
    occurredAt: instant,
    outcome: 'DISCLOSED',
    ...overrides,
  };
}

// One request of the case, reading six subjects at one instant, appended in the order of
// `shuffled`; an earlier and a later read of the case. And subject 0's own trail: the request's
// entry, then at the same instant a refusal in it and two other requests' reads.
const request = shuffled.map((n, i) => entry(n, { subjectId: subject(i) }));
const fixtures: AuditEntryInput[] = [
  entry(100, { occurredAt: before, requestId: 'earlier', subjectId: subject(9) }),
  ...request,
  entry(12, { subjectId: subject(0), outcome: 'DENIED', fieldGroups: ['PERSONAL_IDENTIFIERS'] }),
  entry(13, { subjectId: subject(0), requestId: 'other-1', caseNumber: null }),
  entry(11, { subjectId: subject(0), requestId: 'other-2', caseNumber: null }),
  entry(101, { occurredAt: after, requestId: 'later', subjectId: subject(9) }),
];

describe.each(testDatabases)('audit lists in chain order on $label', (database) => {
  const { db, query } = useSubgraph(auditSubgraph, database, 'auditorder');

  beforeAll(async () => {
    await new AuditRepository(db()).append(fixtures);
  });

  /** The stored entries matching `keep`, newest first and, of one instant, last appended first. */
  async function chainOrder(keep: (e: AuditEntry) => boolean): Promise<Node[]> {
    const rows = (await db().getRepository(AuditEntry).find()).filter(keep);
    return rows
      .sort((a, b) => b.occurredAt.getTime() - a.occurredAt.getTime() || (b.sequence ?? -Infinity) - (a.sequence ?? -Infinity) || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0))
      .map((e) => ({ id: e.id, sequence: e.sequence }));
  }

  /** Every page of a list, `first` at a time, concatenated. */
  async function walk(read: (first: number, after: string | null) => Promise<Page>, first: number): Promise<Node[]> {
    const nodes: Node[] = [];
    let cursor: string | null = null;
    for (let pages = 0; pages < 50; pages += 1) {
      const page = await read(first, cursor);
      nodes.push(...page.edges.map((e) => e.node));
      if (!page.pageInfo.hasNextPage) return nodes;
      cursor = page.pageInfo.endCursor;
    }
    throw new Error('the list never ended');
  }

  const byCase = async (first: number, after: string | null) => {
    const result = await query<{ auditEntriesByOrganisation: Page }>(BY_ORGANISATION, { caseNumber: 'PROBE-ORDER-1', first, after });
    expect(result.errors).toBeUndefined();
    return result.data!.auditEntriesByOrganisation;
  };
  const bySubject = async (first: number, after: string | null) => {
    const result = await query<{ auditEntriesBySubject: Page }>(BY_SUBJECT, { id: subject(0), first, after });
    expect(result.errors).toBeUndefined();
    return result.data!.auditEntriesBySubject;
  };
  const disclosures = async (first: number, after: string | null) => {
    const result = await query<{ _entities: { disclosures: Page }[] }>(DISCLOSURES, { r: [{ __typename: 'Subject', id: subject(0) }], first, after });
    expect(result.errors).toBeUndefined();
    return result.data!._entities[0].disclosures;
  };

  it("lists a case's entries of one request in the order they were appended, last first, not by their ids", async () => {
    const page = await byCase(100, null);
    // The later read; the request's refusal, appended after its six reads, and those last appended
    // first; the earlier read.
    expect(page.edges.map((e) => e.node.id)).toEqual([idOf(101), idOf(12), ...[...shuffled].reverse().map(idOf), idOf(100)]);
    const sequences = page.edges.map((e) => e.node.sequence as number);
    expect(sequences).toEqual([...sequences].sort((a, b) => b - a));
  });

  it.each([1, 2, 3, 5])('pages through a case %i at a time in the same order, without a gap or a repeat', async (first) => {
    expect(await walk(byCase, first)).toEqual(await chainOrder((e) => e.caseNumber === 'PROBE-ORDER-1'));
  });

  it.each([1, 2, 3])("pages through a subject's trail %i at a time in chain order, its refusal and other requests of the instant included", async (first) => {
    const expected = await chainOrder((e) => e.subjectId === subject(0));
    expect(expected).toHaveLength(4);
    expect(await walk(bySubject, first)).toEqual(expected);
  });

  it.each([1, 2])("pages through a subject's disclosures %i at a time in chain order", async (first) => {
    expect(await walk(disclosures, first)).toEqual(await chainOrder((e) => e.subjectId === subject(0) && e.outcome === 'DISCLOSED'));
  });

  it("orders each subject's disclosures so when many subjects' are read in one statement", async () => {
    const result = await query<{ _entities: { id: string; disclosures: Page }[] }>(DISCLOSURES, { r: [0, 1, 9].map((i) => ({ __typename: 'Subject', id: subject(i) })), first: 10 });
    expect(result.errors).toBeUndefined();
    for (const { id, disclosures: page } of result.data!._entities) {
      expect(page.edges.map((e) => e.node)).toEqual(await chainOrder((e) => e.subjectId === id && e.outcome === 'DISCLOSED'));
    }
  });

  it('puts an entry written around the chain (no sequence) after the chained ones of its instant, and pages through it', async () => {
    const entries = db().getRepository(AuditEntry);
    const genuine = await entries.findOneByOrFail({ id: idOf(3) });
    // Ids on both sides of the request's: a tie among unchained entries falls back to the id.
    const ghosts = [idOf(0), idOf(99)].map((id) => ({ ...genuine, id, sequence: null, previousHash: null, hash: null }));
    await entries.insert(ghosts);
    try {
      const expected = await chainOrder((e) => e.caseNumber === 'PROBE-ORDER-1');
      expect(expected.slice(-3).map((e) => e.id)).toEqual([idOf(99), idOf(0), idOf(100)]);
      for (const first of [1, 2, 4]) expect(await walk(byCase, first)).toEqual(expected);
    } finally {
      await entries.delete(ghosts.map((g) => g.id));
    }
  });
});

describeOnMysql('audit lists read from their index on $label', (database) => {
  const { db } = useSubgraph(auditSubgraph, database, 'auditorderix');

  beforeAll(async () => {
    // Three departments and a bank whose id is FINANCE too, 100 subjects and 50 cases; four
    // entries an instant, as a request's.
    const repository = new AuditRepository(db());
    const rows = Array.from({ length: 2000 }, (_, i) =>
      entry(0, {
        id: undefined,
        organisation: ['FINANCE', 'HEALTH', 'TAXATION', 'FINANCE'][i % 4],
        organisationKind: i % 4 === 3 ? 'FINANCIAL_INSTITUTION' : 'DEPARTMENT',
        caseNumber: `C-${i % 50}`,
        subjectId: subject(i % 100),
        requestId: `r-${Math.floor(i / 4)}`,
        occurredAt: new Date(instant.getTime() + Math.floor(i / 4) * 1000),
      }),
    );
    for (let start = 0; start < rows.length; start += 500) await repository.append(rows.slice(start, start + 500));
    await db().query('ANALYZE TABLE audit_entry');
  });

  /** The statements `read` sends through the entity manager (the lists), and through the DataSource (lookups, and the lists again: the manager sends through it). */
  async function statementsOf(read: () => Promise<unknown>): Promise<{ lists: [string, unknown[]][]; lookups: [string, unknown[]][] }> {
    const sent = { lists: [] as [string, unknown[]][], lookups: [] as [string, unknown[]][] };
    type Queries = { query(sql: string, params?: unknown[]): Promise<unknown> };
    const spies = ([['lists', db().manager as Queries], ['lookups', db() as Queries]] as const).map(([into, target]) => {
      const send = target.query.bind(target);
      return jest.spyOn(target, 'query').mockImplementation((sql: string, params?: unknown) => {
        sent[into].push([sql, (params as unknown[] | undefined) ?? []]);
        return send(sql, params as unknown[] | undefined);
      });
    });
    try {
      await read();
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
    return sent;
  }

  const explain = (sql: string, params: unknown[]): Promise<{ table: string; key: string | null; ref: string | null; Extra: string | null }[]> => db().query(`EXPLAIN ${sql}`, params);

  it("reads a page of each list in the index's order, without sorting the organisation's or subject's every entry", async () => {
    const repository = new AuditRepository(db());
    const { lists: sent } = await statementsOf(async () => {
      const first = await repository.byOrganisation({ organisation: 'FINANCE', organisationKind: 'DEPARTMENT' }, {}, 20, null);
      const last = first!.rows[19];
      await repository.byOrganisation({ organisation: 'FINANCE', organisationKind: 'FINANCIAL_INSTITUTION' }, { caseNumber: 'C-3' }, 20, [last.occurredAt.toISOString(), last.id, last.sequence]);
      await repository.bySubject(subject(7), 20, [last.occurredAt.toISOString(), last.id, last.sequence]);
      await repository.bySubject(subject(7), 20, null, { outcome: 'DISCLOSED' });
    });
    expect(sent).toHaveLength(4);
    for (const [sql, params] of sent) {
      const plan = await explain(sql, params);
      const list = plan.find((step) => step.table === 't');
      expect({ sql, key: list?.key, sorted: /filesort/i.test(list?.Extra ?? '') }).toEqual({ sql, key: expect.stringMatching(/_occurred_at_sequence$/), sorted: false });
    }
    // An organisation's list seeks its id and its kind in the index: the bank's page never walks
    // the finance bureau's entries under the same id.
    for (const [sql, params] of sent.slice(0, 2)) {
      expect((await explain(sql, params)).find((step) => step.table === 't')?.key).toMatch(/^IDX_audit_entry_organisation_kind_/);
    }
  });

  it('reads which kinds an id is recorded for from the index alone, however many entries it has', async () => {
    const repository = new AuditRepository(db());
    const { lists, lookups } = await statementsOf(() => repository.byOrganisation({ organisation: 'HEALTH' }, {}, 20, null));
    const kinds = lookups.filter(([sql]) => !lists.some(([list]) => list === sql));
    expect(kinds).toHaveLength(1);
    const [step] = await explain(...kinds[0]);
    expect({ key: step.key, fromIndexOnly: /Using index/.test(step.Extra ?? '') }).toEqual({ key: expect.stringMatching(/^IDX_audit_entry_organisation_kind_/), fromIndexOnly: true });
  });
});
