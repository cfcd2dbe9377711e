import { gateway, supervisor, historicalAuditSubgraph } from './audit-callers';
import { maskCitizenIdNumber } from '../../../lib/identifiers';
import { AuditEntry } from '../../../subgraphs/audit/entities/audit-entry.entity';
import { testDatabases } from '../../helpers/databases';
import { useSubgraph } from '../../helpers/subgraph';

/**
 * `auditCases` is a connection like every list: the credit office pages past the first hundred
 * cases and knows how many there are. Its order is by counts (subjects, then requests), so its
 * cursor holds the case's place in that order, sealed for the list as every cursor is.
 */

interface Case {
  organisation: string;
  entryId: string;
  matter: string | null;
  caseNumber: string;
  subjects: number;
  disclosed: number;
  denied: number;
}
interface CasePage {
  totalCount: number;
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
  edges: { cursor: string; node: Case }[];
}

const APPEND = /* GraphQL */ `mutation Append($entries: [AuditEntryInput!]!) { appendAuditEntries(entries: $entries) { appended } }`;
const CASES = /* GraphQL */ `
  query Cases($from: DateTime!, $to: DateTime!, $organisation: String, $first: Int, $after: String) {
    auditCases(from: $from, to: $to, organisation: $organisation, first: $first, after: $after) {
      totalCount
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      edges { cursor node { organisation entryId matter caseNumber subjects disclosed denied } }
    }
  }
`;
const BY_ORGANISATION = /* GraphQL */ `
  query Entries($from: DateTime, $to: DateTime) {
    auditEntriesByOrganisation(organisation: "FINANCE", from: $from, to: $to, first: 1) { pageInfo { endCursor } }
  }
`;


const subject = (i: number) => `5d000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
const from = new Date(Date.UTC(2029, 2, 1));
const to = new Date(Date.UTC(2029, 3, 1));
const period = { from: from.toISOString(), to: to.toISOString() };
let sequence = 0;
const at = () => new Date(from.getTime() + 3_600_000 + (sequence += 1) * 1000).toISOString();

function entry(overrides: Record<string, unknown>): Record<string, unknown> {
  return {
    actor: 'officer',
    organisation: 'FINANCE',
    organisationKind: 'DEPARTMENT',
    role: 'DEPARTMENT_OFFICER',
    matter: 'GOVERNMENT_PROCUREMENT',
    consentId: null,
    fieldGroups: ['SUBJECT_BASICS'],
    operationName: 'ReviewSupplierCredit',
    requestId: `case-${sequence}`,
    occurredAt: at(),
    outcome: 'DISCLOSED',
    ...overrides,
  };
}

/** One case: a request per subject, and `again` more requests about its first subject; a refusal if `refused`. */
function readCase(caseNumber: string, subjects: number, again: number, overrides: Record<string, unknown> = {}, refused = false): Record<string, unknown>[] {
  return [
    ...Array.from({ length: subjects }, (_, s) => entry({ caseNumber, subjectId: subject(s), ...overrides })),
    ...Array.from({ length: again }, () => entry({ caseNumber, subjectId: subject(0), ...overrides })),
    ...(refused ? [entry({ caseNumber, subjectId: subject(50), outcome: 'DENIED', ...overrides })] : []),
  ];
}

// Ties at every term of the order, so that pages end inside runs of equal counts: many cases of
// one, two and three subjects; the same case numbers at another department and matter; a bank
// (its id in lower case, ordered after every upper-case one by code point); two persons whose
// masked numbers are alike (told apart by their entries only); a case under no matter and one
// under a matter outside the catalogue (the list pages whatever the log holds).
const cases = [
  ...Array.from({ length: 9 }, (_, i) => readCase(`BDHCG-2029-${String(i + 1).padStart(4, '0')}`, 1 + (i % 3), i % 2)),
  ...Array.from({ length: 5 }, (_, i) => readCase(`BDHCG-2029-${String(i + 1).padStart(4, '0')}`, 1 + (i % 3), i % 2, { organisation: 'TAXATION', matter: 'TAX_INCENTIVES' })),
  ...readCase('LOAN-2029-01', 2, 1, { organisation: 'bank-hebei-beidaihe', organisationKind: 'FINANCIAL_INSTITUTION', role: 'EXTERNAL_USER', matter: 'FINANCIAL_SERVICES' }, true),
  ...readCase('DEAL-1', 1, 0, { organisation: '130304197304130019', organisationKind: 'INDIVIDUAL', role: 'EXTERNAL_USER', matter: 'COMMERCIAL_DUE_DILIGENCE' }),
  ...readCase('DEAL-1', 1, 0, { organisation: '130302198001010019', organisationKind: 'INDIVIDUAL', role: 'EXTERNAL_USER', matter: 'COMMERCIAL_DUE_DILIGENCE' }),
  ...readCase('BDHCG-2029-0001', 2, 0, { matter: null }),
  ...readCase('BDHCG-2029-0001', 2, 0, { matter: 'MADE_UP_MATTER' }),
  // Not cases: no case number, a failed request, outside the period.
  entry({ caseNumber: null, subjectId: subject(1) }),
  entry({ caseNumber: 'FAILED-ONLY', subjectId: subject(1), outcome: 'FAILED' }),
  entry({ caseNumber: 'LATE', subjectId: subject(1), occurredAt: to.toISOString() }),
];

describe.each(testDatabases)('auditCases pages on $label', (database) => {
  const { db, sql, queryAs } = useSubgraph(historicalAuditSubgraph, database, 'auditcasepages');
  const page = async (variables: Record<string, unknown>) => {
    const result = await queryAs<{ auditCases: CasePage }>(supervisor, CASES, { ...period, ...variables });
    expect(result.errors).toBeUndefined();
    return result.data!.auditCases;
  };

  beforeAll(async () => {
    const result = await queryAs(gateway, APPEND, { entries: cases.flat() });
    if (result.errors) throw new Error(JSON.stringify(result.errors));
  });

  /** The cases as the stored entries make them, in the list's order: computed here, not by the subgraph's SQL. */
  async function expected(): Promise<Omit<Case, 'entryId'>[]> {
    const found = new Map<string, Omit<Case, 'entryId'> & { entry: string; requests: Set<string>; readers: Set<string> }>();
    for (const row of await db().getRepository(AuditEntry).find()) {
      const time = row.occurredAt.getTime();
      if (time < from.getTime() || time >= to.getTime() || row.outcome === 'FAILED' || row.caseNumber === null) continue;
      const organisation = row.organisationKind === 'INDIVIDUAL' ? maskCitizenIdNumber(row.organisation) : row.organisation;
      const matter = row.matter === 'MADE_UP_MATTER' ? 'UNLISTED' : row.matter;
      const key = JSON.stringify([row.organisation, row.organisationKind, matter, row.caseNumber]);
      const known = found.get(key) ?? { organisation, matter, caseNumber: row.caseNumber, subjects: 0, disclosed: 0, denied: 0, entry: row.id, requests: new Set(), readers: new Set() };
      known.requests.add(`${row.requestId} ${row.outcome}`);
      if (row.subjectId) known.readers.add(row.subjectId);
      if (row.id < known.entry) known.entry = row.id;
      found.set(key, known);
    }
    const text = (a: string | null, b: string | null) => (a === b ? 0 : a === null ? -1 : b === null ? 1 : a < b ? -1 : 1);
    return [...found.values()]
      .map((c) => ({
        ...c,
        subjects: c.readers.size,
        disclosed: [...c.requests].filter((r) => r.endsWith('DISCLOSED')).length,
        denied: [...c.requests].filter((r) => r.endsWith('DENIED')).length,
        total: new Set([...c.requests].map((r) => r.split(' ')[0])).size,
      }))
      .sort((a, b) => b.subjects - a.subjects || b.total - a.total || text(a.organisation, b.organisation) || text(a.matter, b.matter) || text(a.caseNumber, b.caseNumber) || text(a.entry, b.entry))
      .map(({ organisation, matter, caseNumber, subjects, disclosed, denied }) => ({ organisation, matter, caseNumber, subjects, disclosed, denied }));
  }

  it('pages through every case exactly once, in the order of the whole list, each page one SQL statement with its count', async () => {
    const all = await expected();
    expect(all.length).toBe(19);
    const whole = await page({ first: 100 });
    expect(whole.edges.map((e) => e.node).map(({ entryId: _, ...c }) => c)).toEqual(all);
    expect(whole.totalCount).toBe(all.length);
    expect(whole.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: false });

    // One case a page ends a page at every place of the order, ties included.
    for (const first of [1, 3]) {
      const paged: Case[] = [];
      let after: string | null = null;
      for (let n = 0; n < all.length; n += 1) {
        let result: CasePage | undefined;
        expect(await sql.selectsDuring(async () => void (result = await page({ first, after })))).toBe(1);
        expect(result!.totalCount).toBe(all.length);
        expect(result!.pageInfo.hasPreviousPage).toBe(after !== null);
        expect(result!.pageInfo.endCursor).toBe(result!.edges[result!.edges.length - 1].cursor);
        paged.push(...result!.edges.map((e) => e.node));
        if (!result!.pageInfo.hasNextPage) break;
        after = result!.pageInfo.endCursor;
      }
      expect(paged).toEqual(whole.edges.map((e) => e.node));
      expect(new Set(paged.map((c) => c.entryId)).size).toBe(all.length);
    }
  });

  it('answers a page after the last case empty, still counting every case', async () => {
    const last = await page({ first: 100 });
    let result: CasePage | undefined;
    // The count rides on a page's rows; with none, it is a statement of its own.
    expect(await sql.selectsDuring(async () => void (result = await page({ first: 5, after: last.pageInfo.endCursor })))).toBe(2);
    expect(result).toEqual({ totalCount: 19, pageInfo: { hasNextPage: false, hasPreviousPage: true, startCursor: null, endCursor: null }, edges: [] });
  });

  it("pages one organisation's cases, its cursors its list's alone", async () => {
    const first = await page({ organisation: 'TAXATION', first: 2 });
    expect(first.totalCount).toBe(5);
    const rest = await page({ organisation: 'TAXATION', first: 10, after: first.pageInfo.endCursor });
    expect([...first.edges, ...rest.edges].map((e) => e.node.organisation)).toEqual(Array(5).fill('TAXATION'));
    expect(new Set([...first.edges, ...rest.edges].map((e) => e.node.entryId)).size).toBe(5);
    // The organisation's cursor does not open the whole list, nor the whole list's the organisation's.
    const whole = await page({ first: 2 });
    for (const [variables, cursor] of [
      [{}, first.pageInfo.endCursor],
      [{ organisation: 'TAXATION' }, whole.pageInfo.endCursor],
    ] as const) {
      const result = await queryAs(supervisor, CASES, { ...period, ...variables, after: cursor });
      expect(result.errors?.map((e) => e.extensions)).toEqual([expect.objectContaining({ code: 'INVALID_CURSOR', field: 'after' })]);
    }
  });

  /** A cursor of this list's second page with one bit of its sealed place changed, its nonce and tag kept (a position cannot be read from a cursor to be moved on). */
  const edited = (cursor: string) => {
    const bytes = Buffer.from(cursor, 'base64url');
    bytes[14] ^= 0x01;
    return bytes.toString('base64url');
  };
  it.each([
    ['made up', () => 'eyJub3QiOiJhIGN1cnNvciJ9.AAAAAAAAAAAAAAAAAAAAAA'],
    ['edited', (issued: { list: string }) => edited(issued.list)],
    ['for another period', (issued: { otherPeriod: string }) => issued.otherPeriod],
    ['from another list (an organisation’s entries)', (issued: { entries: string }) => issued.entries],
  ])('refuses a cursor %s with INVALID_CURSOR, reading nothing', async (_label, forge) => {
    const issued = {
      list: (await page({ first: 2 })).pageInfo.endCursor!,
      otherPeriod: (await page({ first: 2, to: new Date(to.getTime() + 86_400_000).toISOString() })).pageInfo.endCursor!,
      entries: (await queryAs<{ auditEntriesByOrganisation: { pageInfo: { endCursor: string } } }>(supervisor, BY_ORGANISATION, period)).data!.auditEntriesByOrganisation.pageInfo.endCursor,
    };
    const cursor = forge(issued);
    let result: Awaited<ReturnType<typeof queryAs>> | undefined;
    expect(await sql.selectsDuring(async () => void (result = await queryAs(supervisor, CASES, { ...period, first: 2, after: cursor })))).toBe(0);
    expect(result!.data).toEqual({ auditCases: null });
    expect(result!.errors?.map((e) => e.extensions)).toEqual([expect.objectContaining({ code: 'INVALID_CURSOR', field: 'after' })]);
  });
});
