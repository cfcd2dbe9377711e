import type { RequestIdentity } from '../../../lib/access/identity';
import { supervisor } from './audit-callers';
import { AuditRepository, type AuditEntryInput } from '../../../subgraphs/audit/audit.repository';
import type { OrganisationKind } from '../../../subgraphs/audit/entities/audit-entry.entity';
import { auditSubgraph } from '../../../subgraphs/audit/subgraph';
import { testDatabases } from '../../helpers/databases';
import { useSubgraph } from '../../helpers/subgraph';

/**
 * An organisation in the audit trail is its id and its kind. The probe: a bank whose token
 * carried the org `FINANCE` (FINANCIAL_INSTITUTION) and the finance bureau `FINANCE`
 * (DEPARTMENT) both read; auditStatistics made the bank a row of its own, but the row's
 * drill-down, auditEntriesByOrganisation(organisationOf: its entryId), listed both readers'
 * entries (totalCount 356, the first the bank's). Every drill-down and filter naming an
 * organisation now names it by id and kind.
 */

interface Row {
  organisation: string;
  readerKind: string;
  entryId: string;
  matter: string | null;
  disclosed: number;
  denied: number;
}
interface CaseRow extends Row {
  caseNumber: string;
}
interface EntryPage {
  totalCount: number;
  edges: { node: { id: string; organisation: string; organisationKind: string; matter: string | null; caseNumber: string | null } }[];
}

const STATISTICS = /* GraphQL */ `
  query Statistics($from: DateTime!, $to: DateTime!, $organisation: String, $organisationKind: OrganisationKind) {
    auditStatistics(from: $from, to: $to, organisation: $organisation, organisationKind: $organisationKind) { organisation readerKind entryId matter disclosed denied }
  }
`;
const CASES = /* GraphQL */ `
  query Cases($from: DateTime!, $to: DateTime!, $organisation: String, $organisationKind: OrganisationKind) {
    auditCases(from: $from, to: $to, organisation: $organisation, organisationKind: $organisationKind, first: 100) {
      totalCount edges { node { organisation readerKind entryId matter caseNumber disclosed denied } }
    }
  }
`;
const BY_ORGANISATION = /* GraphQL */ `
  query Entries($organisation: String, $organisationKind: OrganisationKind, $organisationOf: ID, $from: DateTime, $to: DateTime, $caseNumber: String) {
    auditEntriesByOrganisation(organisation: $organisation, organisationKind: $organisationKind, organisationOf: $organisationOf, from: $from, to: $to, caseNumber: $caseNumber, first: 100) {
      totalCount edges { node { id organisation organisationKind matter caseNumber } }
    }
  }
`;

// The drill-down as the credit office follows it, with the arguments it always had: the rows, then
// a row's entries by its entryId.
const ROWS = /* GraphQL */ `
  query Rows($from: DateTime!, $to: DateTime!) { auditStatistics(from: $from, to: $to) { organisation readerKind entryId matter disclosed denied } }
`;
const CASE_ROWS = /* GraphQL */ `
  query CaseRows($from: DateTime!, $to: DateTime!) {
    auditCases(from: $from, to: $to, first: 100) { totalCount edges { node { organisation readerKind entryId matter caseNumber disclosed denied } } }
  }
`;
const DRILL_DOWN = /* GraphQL */ `
  query DrillDown($organisationOf: ID!, $from: DateTime, $to: DateTime, $caseNumber: String) {
    auditEntriesByOrganisation(organisationOf: $organisationOf, from: $from, to: $to, caseNumber: $caseNumber, first: 100) {
      totalCount edges { node { id organisation organisationKind matter caseNumber } }
    }
  }
`;

const analyst: RequestIdentity = {
  caller: { id: 'analyst-chen', organisation: 'DEVELOPMENT_REFORM', organisationKind: 'DEPARTMENT', role: 'ANALYST' },
  purpose: { matter: 'STATISTICAL_ANALYSIS' },
  grants: ['STATISTICS'],
  scope: {},
  requestId: 'analyst-request',
};

// March 2025 in district days (UTC+8), long completed: the analyst's statistics take it too.
const from = '2025-03-01T00:00:00+08:00';
const to = '2025-04-01T00:00:00+08:00';
const subject = (i: number) => `5c000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
const sharedCase = 'BDH-CG-2025-0031';

let sequence = 0;
/** One request reading one subject: a request per entry, so that a row's requests are its entries. */
function read(organisationKind: OrganisationKind, matter: string, subjectIndex: number, outcome: 'DISCLOSED' | 'DENIED', caseNumber: string | null = null, organisation = 'FINANCE'): AuditEntryInput {
  sequence += 1;
  return {
    // Ids in the order the entries are written: a row's entryId (its least) orders rows alike but
    // for it, and ids drawn at the same millisecond would order them at random.
    id: `00000000-0000-7000-8000-${String(sequence).padStart(12, '0')}`,
    actor: `${organisationKind.toLowerCase()}-officer`,
    organisation,
    organisationKind,
    role: organisationKind === 'DEPARTMENT' ? 'DEPARTMENT_OFFICER' : 'EXTERNAL_USER',
    matter,
    caseNumber,
    consentId: organisationKind === 'DEPARTMENT' ? null : `consent-${subjectIndex}`,
    subjectId: subject(subjectIndex),
    fieldGroups: ['SUBJECT_BASICS'],
    requestId: `kinds-${sequence}`,
    occurredAt: new Date(Date.UTC(2025, 2, 3 + (sequence % 20), 2, 0, 0, sequence)),
    outcome,
  };
}

const fixtures: AuditEntryInput[] = [
  // The finance bureau: a procurement case over five subjects, one request refused.
  ...[0, 1, 2, 3, 4].map((s) => read('DEPARTMENT', 'GOVERNMENT_PROCUREMENT', s, 'DISCLOSED', sharedCase)),
  read('DEPARTMENT', 'GOVERNMENT_PROCUREMENT', 5, 'DENIED', sharedCase),
  // A bank whose id is FINANCE: lending under consents, one refused, and a refused read under the
  // bureau's matter and case number, so that its rows collide with the bureau's but for the kind.
  ...[0, 1, 2, 3, 4].map((s) => read('FINANCIAL_INSTITUTION', 'FINANCIAL_SERVICES', s, 'DISCLOSED')),
  read('FINANCIAL_INSTITUTION', 'FINANCIAL_SERVICES', 6, 'DENIED'),
  read('FINANCIAL_INSTITUTION', 'GOVERNMENT_PROCUREMENT', 7, 'DENIED', sharedCase),
  // A department recorded under one kind only: named by its code alone, as before.
  ...[0, 1].map((s) => read('DEPARTMENT', 'KEY_FIELD_SUPERVISION', s, 'DISCLOSED', 'BDH-HL-2025-0002', 'HEALTH')),
  // A bank whose token gave its id in lower case, as it is recorded: `health` is not HEALTH.
  read('FINANCIAL_INSTITUTION', 'FINANCIAL_SERVICES', 8, 'DISCLOSED', null, 'health'),
];

describe.each(testDatabases)('organisations told by id and kind in the audit on $label', (database) => {
  const { db, queryAs } = useSubgraph(auditSubgraph, database, 'auditkinds');

  beforeAll(async () => {
    await new AuditRepository(db()).append(fixtures);
  });

  async function entries(variables: Record<string, unknown>, identity: RequestIdentity = supervisor) {
    return queryAs<{ auditEntriesByOrganisation: EntryPage | null }>(identity, BY_ORGANISATION, variables);
  }
  async function statistics(variables: Record<string, unknown> = {}, identity: RequestIdentity = supervisor) {
    return queryAs<{ auditStatistics: Row[] | null }>(identity, STATISTICS, { from, to, ...variables });
  }
  async function cases(variables: Record<string, unknown> = {}) {
    return queryAs<{ auditCases: { totalCount: number; edges: { node: CaseRow }[] } | null }>(supervisor, CASES, { from, to, ...variables });
  }

  const drillDown = (variables: Record<string, unknown>) => queryAs<{ auditEntriesByOrganisation: EntryPage | null }>(supervisor, DRILL_DOWN, variables);

  it("drills down from each auditStatistics row to exactly that reader's entries: its count, its kind", async () => {
    const result = await queryAs<{ auditStatistics: Row[] | null }>(supervisor, ROWS, { from, to });
    expect(result.errors).toBeUndefined();
    const rows = result.data!.auditStatistics!;
    // The bureau and the bank are rows of their own, with one matter in common.
    expect(rows.filter((r) => r.organisation === 'FINANCE').map((r) => [r.readerKind, r.matter, r.disclosed, r.denied])).toEqual([
      ['FINANCIAL_INSTITUTION', 'FINANCIAL_SERVICES', 5, 1],
      ['DEPARTMENT', 'GOVERNMENT_PROCUREMENT', 5, 1],
      ['FINANCIAL_INSTITUTION', 'GOVERNMENT_PROCUREMENT', 0, 1],
    ]);
    for (const row of rows) {
      const drilled = await drillDown({ organisationOf: row.entryId, from, to });
      expect(drilled.errors).toBeUndefined();
      const page = drilled.data!.auditEntriesByOrganisation!;
      // One request per entry here: the row's requests are its entries of its matter, and the
      // drill-down lists the reader's rows, every one of its matters, and nothing else.
      const ofRow = page.edges.filter((e) => e.node.matter === row.matter);
      const readersRows = rows.filter((r) => r.organisation === row.organisation && r.readerKind === row.readerKind);
      expect({ row: [row.organisation, row.readerKind, row.matter], listed: ofRow.length, total: page.totalCount }).toEqual({
        row: [row.organisation, row.readerKind, row.matter],
        listed: row.disclosed + row.denied,
        total: readersRows.reduce((sum, r) => sum + r.disclosed + r.denied, 0),
      });
      expect(new Set(page.edges.map((e) => `${e.node.organisation} ${e.node.organisationKind}`))).toEqual(new Set([`${row.organisation} ${row.readerKind}`]));
    }
  });

  it("drills down from each auditCases row to exactly that case's entries of that reader", async () => {
    const result = await queryAs<{ auditCases: { totalCount: number; edges: { node: CaseRow }[] } | null }>(supervisor, CASE_ROWS, { from, to });
    expect(result.errors).toBeUndefined();
    const shared = result.data!.auditCases!.edges.map((e) => e.node).filter((c) => c.caseNumber === sharedCase);
    expect(shared.map((c) => [c.organisation, c.readerKind, c.disclosed, c.denied])).toEqual([
      ['FINANCE', 'DEPARTMENT', 5, 1],
      ['FINANCE', 'FINANCIAL_INSTITUTION', 0, 1],
    ]);
    for (const row of result.data!.auditCases!.edges.map((e) => e.node)) {
      const drilled = await drillDown({ organisationOf: row.entryId, caseNumber: row.caseNumber, from, to });
      expect(drilled.errors).toBeUndefined();
      const page = drilled.data!.auditEntriesByOrganisation!;
      expect([row.readerKind, row.caseNumber, page.totalCount]).toEqual([row.readerKind, row.caseNumber, row.disclosed + row.denied]);
      expect(page.edges.every((e) => e.node.organisationKind === row.readerKind && e.node.caseNumber === row.caseNumber)).toBe(true);
    }
  });

  it('refuses an id recorded for organisations of several kinds without organisationKind, listing the kinds, and reads each with it', async () => {
    const ambiguous = await entries({ organisation: 'FINANCE' });
    expect(ambiguous.data).toEqual({ auditEntriesByOrganisation: null });
    expect(ambiguous.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'organisationKind', organisationKinds: ['DEPARTMENT', 'FINANCIAL_INSTITUTION'] });
    // Refused for every period alike, even one in which only the bureau read.
    const bureauOnly = await entries({ organisation: 'FINANCE', caseNumber: 'none-such' });
    expect(bureauOnly.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'organisationKind' });
    for (const [kind, count] of [['DEPARTMENT', 6], ['FINANCIAL_INSTITUTION', 7]] as const) {
      const named = await entries({ organisation: 'FINANCE', organisationKind: kind });
      expect(named.errors).toBeUndefined();
      expect(named.data!.auditEntriesByOrganisation!.totalCount).toBe(count);
      expect(named.data!.auditEntriesByOrganisation!.edges.every((e) => e.node.organisationKind === kind)).toBe(true);
    }
    // A case number both used: each reader's entries of it.
    const bankCase = await entries({ organisation: 'FINANCE', organisationKind: 'FINANCIAL_INSTITUTION', caseNumber: sharedCase });
    expect(bankCase.data!.auditEntriesByOrganisation!.totalCount).toBe(1);
  });

  it('reads an id recorded for one kind by the id alone, and an id nobody is recorded under as an empty list', async () => {
    const health = await entries({ organisation: 'HEALTH' });
    expect(health.errors).toBeUndefined();
    expect(health.data!.auditEntriesByOrganisation!.totalCount).toBe(2);
    const named = await entries({ organisation: 'HEALTH', organisationKind: 'DEPARTMENT' });
    expect(named.data!.auditEntriesByOrganisation!.totalCount).toBe(2);
    // A kind HEALTH was never recorded as: nobody's entries.
    expect((await entries({ organisation: 'HEALTH', organisationKind: 'ENTERPRISE' })).data).toEqual({ auditEntriesByOrganisation: { totalCount: 0, edges: [] } });
    expect((await entries({ organisation: 'TAXATION' })).data).toEqual({ auditEntriesByOrganisation: { totalCount: 0, edges: [] } });
  });

  it('reads a department typed in lower case or full width as its code, and an id recorded as typed as that', async () => {
    // The probe: ＦＩＮＡＮＣＥ, as a Chinese input method types it, answered no entries at all.
    for (const typed of ['ＦＩＮＡＮＣＥ', 'finance', ' Finance ']) {
      const bureau = await entries({ organisation: typed, organisationKind: 'DEPARTMENT' });
      expect(bureau.errors).toBeUndefined();
      expect(bureau.data!.auditEntriesByOrganisation!.totalCount).toBe(6);
      // Without a kind, as FINANCE is: recorded for two organisations, which the error lists.
      expect((await entries({ organisation: typed })).errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'organisationKind', organisationKinds: ['DEPARTMENT', 'FINANCIAL_INSTITUTION'] });
      const rows = await statistics({ organisation: typed, organisationKind: 'DEPARTMENT' });
      expect(rows.data!.auditStatistics!.map((r) => [r.organisation, r.readerKind, r.matter, r.disclosed, r.denied])).toEqual([['FINANCE', 'DEPARTMENT', 'GOVERNMENT_PROCUREMENT', 5, 1]]);
      expect((await cases({ organisation: typed, organisationKind: 'DEPARTMENT' })).data!.auditCases!.totalCount).toBe(1);
    }
    // `health` is recorded as typed (a bank's): that one; typed otherwise, the department HEALTH.
    const bank = await entries({ organisation: 'health' });
    expect(bank.data!.auditEntriesByOrganisation!.edges.map((e) => [e.node.organisation, e.node.organisationKind])).toEqual([['health', 'FINANCIAL_INSTITUTION']]);
    const department = await entries({ organisation: 'ＨＥＡＬＴＨ' });
    expect(department.data!.auditEntriesByOrganisation!.totalCount).toBe(2);
    expect(department.data!.auditEntriesByOrganisation!.edges.every((e) => e.node.organisation === 'HEALTH' && e.node.organisationKind === 'DEPARTMENT')).toBe(true);
  });

  it('refuses organisationKind with organisationOf, which takes the kind from the entry', async () => {
    const [row] = (await statistics({ organisation: 'FINANCE', organisationKind: 'FINANCIAL_INSTITUTION' })).data!.auditStatistics!;
    const result = await entries({ organisationOf: row.entryId, organisationKind: 'FINANCIAL_INSTITUTION' });
    expect(result.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'organisationKind', problem: 'NOT_APPLICABLE' });
  });

  it('filters auditStatistics and auditCases by id and kind, and by the id alone gives each kind its own rows', async () => {
    const bank = await statistics({ organisation: 'FINANCE', organisationKind: 'FINANCIAL_INSTITUTION' });
    expect(bank.errors).toBeUndefined();
    expect(bank.data!.auditStatistics!.map((r) => [r.readerKind, r.matter])).toEqual([
      ['FINANCIAL_INSTITUTION', 'FINANCIAL_SERVICES'],
      ['FINANCIAL_INSTITUTION', 'GOVERNMENT_PROCUREMENT'],
    ]);
    const both = await statistics({ organisation: 'FINANCE' });
    expect(both.data!.auditStatistics!.map((r) => r.readerKind).sort()).toEqual(['DEPARTMENT', 'FINANCIAL_INSTITUTION', 'FINANCIAL_INSTITUTION']);
    const bureauCases = await cases({ organisation: 'FINANCE', organisationKind: 'DEPARTMENT' });
    expect(bureauCases.errors).toBeUndefined();
    expect(bureauCases.data!.auditCases!.edges.map((e) => [e.node.readerKind, e.node.caseNumber, e.node.disclosed, e.node.denied])).toEqual([['DEPARTMENT', sharedCase, 5, 1]]);
    expect(bureauCases.data!.auditCases!.totalCount).toBe(1);
  });

  it("filters an analyst's statistics by id and kind, the bank's row apart from the bureau's", async () => {
    // Five subjects each: shown on their own; the bank's refused procurement read is folded.
    const bank = await statistics({ organisation: 'FINANCE', organisationKind: 'FINANCIAL_INSTITUTION' }, analyst);
    expect(bank.errors).toBeUndefined();
    expect(bank.data!.auditStatistics!.map((r) => [r.organisation, r.readerKind, r.matter, r.disclosed])).toEqual([['FINANCE', 'FINANCIAL_INSTITUTION', 'FINANCIAL_SERVICES', 5]]);
    const bureau = await statistics({ organisation: 'FINANCE', organisationKind: 'DEPARTMENT' }, analyst);
    expect(bureau.data!.auditStatistics!.map((r) => [r.organisation, r.readerKind, r.matter, r.disclosed])).toEqual([['FINANCE', 'DEPARTMENT', 'GOVERNMENT_PROCUREMENT', 5]]);
  });

  it.each([
    ['auditStatistics', STATISTICS, { from, to, organisationKind: 'DEPARTMENT' }],
    ['auditCases', CASES, { from, to, organisationKind: 'DEPARTMENT' }],
  ])('refuses organisationKind without an organisation in %s', async (_label, document, variables) => {
    const result = await queryAs(supervisor, document, variables);
    expect(result.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'organisationKind' });
  });
});
