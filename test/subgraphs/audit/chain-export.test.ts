import { createHash } from 'node:crypto';
import { gateway, supervisor, historicalAuditSubgraph } from './audit-callers';
import { testDatabases } from '../../helpers/databases';
import type { GraphQLResponse } from '../../helpers/graphql';
import { useSubgraph } from '../../helpers/subgraph';

/**
 * An auditor checks the chain from an export through the API alone, as README (The credit office:
 * the canonical form, and exporting the log) tells an independent implementation to: so this
 * recomputes the hashes here, from the fields a page shows, not with the platform's chainHash.
 */

const APPEND = /* GraphQL */ `mutation Append($entries: [AuditEntryInput!]!) { appendAuditEntries(entries: $entries) { appended } }`;
const PAGE = /* GraphQL */ `
  query Export($after: String) {
    auditEntries(first: 4, after: $after) {
      pageInfo { hasNextPage endCursor }
      edges { node { id sequence previousHash hash actor organisation organisationKind role matter caseNumber consentId subject { id } fieldGroups operationName requestId occurredAt outcome } }
    }
  }
`;
const HEAD = /* GraphQL */ `{ verifyAuditChain { intact headSequence headHash } }`;

interface ExportPage {
  auditEntries: { pageInfo: { hasNextPage: boolean; endCursor: string | null }; edges: { node: ExportedEntry }[] };
}

interface ExportedEntry {
  id: string;
  sequence: number;
  previousHash: string | null;
  hash: string | null;
  actor: string;
  organisation: string;
  organisationKind: string;
  role: string;
  matter: string | null;
  caseNumber: string | null;
  consentId: string | null;
  subject: { id: string } | null;
  fieldGroups: string[];
  operationName: string | null;
  requestId: string;
  occurredAt: string;
  outcome: string;
}

const genesis = '0'.repeat(64);
const person = '130304197304130019';

/** The hashed fields as an auditor writes them from a page: keys sorted, no whitespace, nulls kept. */
function canonicalOf({ subject, previousHash: _previousHash, hash: _hash, ...shown }: ExportedEntry): string {
  const fields: Record<string, unknown> = { ...shown, subjectId: subject?.id ?? null };
  return `{${Object.keys(fields)
    .sort()
    .map((key) => `${JSON.stringify(key)}:${JSON.stringify(fields[key])}`)
    .join(',')}}`;
}

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

function entry(i: number, overrides: Record<string, unknown> = {}) {
  return {
    actor: `finance-officer-${i}`,
    organisation: 'FINANCE',
    organisationKind: 'DEPARTMENT',
    role: 'DEPARTMENT_OFFICER',
    matter: 'GOVERNMENT_PROCUREMENT',
    caseNumber: null,
    consentId: null,
    subjectId: `5b000000-0000-4000-8000-00000000000${i % 10}`,
    fieldGroups: ['SUBJECT_BASICS', 'PUBLIC_RECORDS'],
    operationName: 'ReviewSupplierCredit',
    requestId: `export-${i}`,
    occurredAt: new Date(Date.UTC(2026, 10, 25, 0, 0, i, 7 * i)).toISOString(),
    outcome: 'DISCLOSED',
    ...overrides,
  };
}

describe.each(testDatabases)('the audit chain exported through auditEntries on $label', (database) => {
  const { queryAs } = useSubgraph(historicalAuditSubgraph, database, 'auditexport');

  beforeAll(async () => {
    const entries = [
      entry(1),
      entry(2, { caseNumber: '北戴河采购-2026-017', fieldGroups: [] }),
      entry(3, { organisation: person, organisationKind: 'INDIVIDUAL', role: 'EXTERNAL_USER', matter: 'SELF_INQUIRY', operationName: null }),
      entry(4, { organisation: 'unverified', organisationKind: 'UNIDENTIFIED', role: 'UNIDENTIFIED', matter: null, subjectId: null, fieldGroups: [], operationName: 'refused: no token', outcome: 'DENIED' }),
      ...Array.from({ length: 6 }, (_, i) => entry(5 + i)),
    ];
    const appended = await queryAs(gateway, APPEND, { entries });
    expect(appended.errors).toBeUndefined();
  });

  async function exported(): Promise<ExportedEntry[]> {
    const entries: ExportedEntry[] = [];
    let after: string | null = null;
    for (;;) {
      const page: GraphQLResponse<ExportPage> = await queryAs<ExportPage>(supervisor, PAGE, { after });
      expect(page.errors).toBeUndefined();
      entries.push(...page.data!.auditEntries.edges.map(({ node }) => node));
      if (!page.data!.auditEntries.pageInfo.hasNextPage) return entries.sort((a, b) => a.sequence - b.sequence);
      after = page.data!.auditEntries.pageInfo.endCursor;
    }
  }

  it('links every entry to the one before it by previousHash, from the genesis hash to the head verifyAuditChain names', async () => {
    const entries = await exported();
    expect(entries.map((e) => e.sequence)).toEqual(Array.from({ length: 10 }, (_, i) => i + 1));
    expect(entries.map((e) => e.previousHash)).toEqual([genesis, ...entries.slice(0, -1).map((e) => e.hash)]);
    const head = await queryAs<{ verifyAuditChain: { intact: boolean; headSequence: number; headHash: string } }>(supervisor, HEAD);
    expect(head.data?.verifyAuditChain).toEqual({ intact: true, headSequence: 10, headHash: entries[9].hash });
  });

  it("recomputes each entry's hash from its previousHash and the fields shown, but for a person reading, whose number is shown masked", async () => {
    const entries = await exported();
    const recomputes = (e: ExportedEntry) => sha256(`${e.previousHash}${canonicalOf(e)}`) === e.hash;
    const masked = entries.filter((e) => e.organisationKind === 'INDIVIDUAL');
    expect(masked.map((e) => e.organisation)).toEqual(['1303**********0019']);
    expect(entries.filter((e) => e.organisationKind !== 'INDIVIDUAL' && !recomputes(e)).map((e) => e.sequence)).toEqual([]);
    // What the chain hashed is the number itself, which only a dump of the database shows.
    expect(masked.map(recomputes)).toEqual([false]);
    expect(masked.map((e) => sha256(`${e.previousHash}${canonicalOf({ ...e, organisation: person })}`) === e.hash)).toEqual([true]);
  });
});
