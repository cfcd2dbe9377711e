import { gateway, supervisor, analyst, historicalAuditSubgraph } from './audit-callers';
import { AuditRepository } from '../../../subgraphs/audit/audit.repository';
import type { Page as EntryPage } from '../../../subgraphs/shared/pagination';
import { AuditEntry } from '../../../subgraphs/audit/entities/audit-entry.entity';
import { describeOnMysql, testDatabases } from '../../helpers/databases';
import { plansOf, statementsDuring } from '../../helpers/query-plans';
import { useSubgraph } from '../../helpers/subgraph';

/**
 * The credit office's questions of the audit log (AuditEntryFilter): every refused attempt of a
 * month across departments, the requests that named no case number, everything under one matter,
 * what one officer did, a subject's trail within a period and without the reads of the trail
 * itself; answered from the log's indexes, paged with cursors sealed for their filter.
 */

const APPEND = /* GraphQL */ `mutation Append($entries: [AuditEntryInput!]!) { appendAuditEntries(entries: $entries) { appended } }`;
const NODE = 'id organisation actor matter caseNumber outcome fieldGroups occurredAt subject { id }';
const LOG = /* GraphQL */ `
  query Log($filter: AuditEntryFilter, $first: Int, $after: String) {
    auditEntries(filter: $filter, first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { ${NODE} } } }
  }
`;
const BY_SUBJECT = /* GraphQL */ `
  query Trail($subjectId: ID!, $filter: AuditEntryFilter, $first: Int, $after: String) {
    auditEntriesBySubject(subjectId: $subjectId, filter: $filter, first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { ${NODE} } } }
  }
`;
const BY_ORGANISATION = /* GraphQL */ `
  query Read($organisation: String, $from: DateTime, $caseNumber: String, $filter: AuditEntryFilter, $first: Int, $after: String) {
    auditEntriesByOrganisation(organisation: $organisation, from: $from, caseNumber: $caseNumber, filter: $filter, first: $first, after: $after) {
      totalCount pageInfo { hasNextPage endCursor } edges { node { ${NODE} } }
    }
  }
`;


const subject = (i: number) => `5d000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
// November and December 2026, UTC.
const november = { from: '2026-11-01T00:00:00.000Z', to: '2026-12-01T00:00:00.000Z' };
const at = (month: number, day: number, ms = 0) => new Date(Date.UTC(2026, month - 1, day, 2, 0, 0, ms)).toISOString();

let count = 0;
function entry(overrides: Record<string, unknown>): Record<string, unknown> {
  count += 1;
  return {
    actor: 'finance-officer-1',
    organisation: 'FINANCE',
    organisationKind: 'DEPARTMENT',
    role: 'DEPARTMENT_OFFICER',
    matter: 'GOVERNMENT_PROCUREMENT',
    caseNumber: 'BDH-CG-2026-0117',
    consentId: null,
    subjectId: subject(0),
    fieldGroups: ['SUBJECT_BASICS', 'PUBLIC_RECORDS'],
    operationName: null,
    requestId: `filter-${count}`,
    occurredAt: at(11, 2, count),
    outcome: 'DISCLOSED',
    ...overrides,
  };
}

const entries = [
  // FINANCE in November: two reads under a case, one without, one refused, one failed; one in October.
  entry({ subjectId: subject(0), occurredAt: at(11, 2) }),
  entry({ subjectId: subject(1), occurredAt: at(11, 3), actor: 'finance-officer-2' }),
  entry({ subjectId: subject(0), occurredAt: at(11, 4), caseNumber: null }),
  entry({ subjectId: subject(2), occurredAt: at(11, 5), outcome: 'DENIED', caseNumber: null, matter: 'STATE_ASSET_TRANSFER' }),
  entry({ subjectId: subject(1), occurredAt: at(11, 6), outcome: 'FAILED' }),
  entry({ subjectId: subject(0), occurredAt: at(10, 30) }),
  // Other departments' refusals in November and one in December; a bank's refused consent read.
  entry({ organisation: 'HEALTH', actor: 'health-officer', matter: 'DRUG_PROCUREMENT', subjectId: subject(3), occurredAt: at(11, 7), outcome: 'DENIED' }),
  entry({ organisation: 'TAXATION', actor: 'tax-officer', matter: 'TAX_INCENTIVES', caseNumber: null, subjectId: subject(0), occurredAt: at(11, 8), outcome: 'DENIED' }),
  entry({ organisation: 'TAXATION', actor: 'tax-officer', matter: 'TAX_INCENTIVES', subjectId: subject(0), occurredAt: at(12, 1), outcome: 'DENIED' }),
  entry({ organisation: 'bank-hebei', organisationKind: 'FINANCIAL_INSTITUTION', role: 'EXTERNAL_USER', actor: 'loan-officer', matter: 'FINANCIAL_SERVICES', caseNumber: null, subjectId: subject(4), occurredAt: at(11, 9), outcome: 'DENIED' }),
  // Earlier reads of subject 0's trail by the credit office: the trail's own reads, AUDIT alone;
  // and one request that read the trail and the subject's records: a read of its credit data.
  entry({ organisation: 'CREDIT_OFFICE', actor: 'supervisor-li', role: 'CREDIT_OFFICE_SUPERVISOR', matter: 'CREDIT_SUPERVISION', caseNumber: null, fieldGroups: ['AUDIT'], subjectId: subject(0), occurredAt: at(11, 10) }),
  entry({ organisation: 'CREDIT_OFFICE', actor: 'supervisor-li', role: 'CREDIT_OFFICE_SUPERVISOR', matter: 'CREDIT_SUPERVISION', caseNumber: null, fieldGroups: ['AUDIT'], subjectId: subject(0), occurredAt: at(11, 11) }),
  entry({ organisation: 'CREDIT_OFFICE', actor: 'supervisor-li', role: 'CREDIT_OFFICE_SUPERVISOR', matter: 'CREDIT_SUPERVISION', caseNumber: null, fieldGroups: ['AUDIT', 'PUBLIC_RECORDS'], subjectId: subject(0), occurredAt: at(11, 12) }),
  // A department refused the log itself in December: an attempt, not a read of the trail.
  entry({ organisation: 'HEALTH', actor: 'health-officer-2', matter: 'CREDIT_SUPERVISION', caseNumber: 'BDH-WJ-2026-0031', fieldGroups: ['AUDIT'], subjectId: subject(5), occurredAt: at(12, 2), outcome: 'DENIED' }),
];

interface Page {
  totalCount: number;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  edges: { node: { id: string; organisation: string; actor: string; matter: string | null; caseNumber: string | null; outcome: string; fieldGroups: string[]; occurredAt: string; subject: { id: string } | null } }[];
}

describe.each(testDatabases)('audit entry filters on $label', (database) => {
  const { db, sql, queryAs } = useSubgraph(historicalAuditSubgraph, database, 'auditfilter');
  const log = (variables: Record<string, unknown>, identity = supervisor) => queryAs<{ auditEntries: Page | null }>(identity, LOG, variables);
  const trail = (variables: Record<string, unknown>) => queryAs<{ auditEntriesBySubject: Page | null }>(supervisor, BY_SUBJECT, variables);
  const read = (variables: Record<string, unknown>) => queryAs<{ auditEntriesByOrganisation: Page | null }>(supervisor, BY_ORGANISATION, variables);
  /** The stored entries that pass `test`, newest first, as the lists order them. */
  const stored = async (test: (e: AuditEntry) => boolean) =>
    (await db().getRepository(AuditEntry).find())
      .filter(test)
      .sort((a, b) => b.occurredAt.getTime() - a.occurredAt.getTime() || (b.sequence ?? 0) - (a.sequence ?? 0))
      .map((e) => e.id);
  const inNovember = (e: AuditEntry) => e.occurredAt.toISOString() >= november.from && e.occurredAt.toISOString() < november.to;

  beforeAll(async () => {
    const result = await queryAs(gateway, APPEND, { entries });
    if (result.errors) throw new Error(JSON.stringify(result.errors));
  });

  it("lists every refused attempt of a month across organisations, in one statement, each subject's trail told of the read", async () => {
    sql.reset();
    const result = await log({ filter: { outcome: 'DENIED', ...november } });
    // The page and its count in one statement.
    expect(sql.statements.filter((s) => /audit_entry/.test(s))).toHaveLength(1);
    expect(result.errors).toBeUndefined();
    const page = result.data!.auditEntries!;
    expect(page.edges.map((e) => e.node.id)).toEqual(await stored((e) => e.outcome === 'DENIED' && inNovember(e)));
    expect(page.edges.map((e) => e.node.organisation)).toEqual(['bank-hebei', 'TAXATION', 'HEALTH', 'FINANCE']);
    expect(page.totalCount).toBe(4);
    const disclosed = (result.extensions?.disclosures ?? []) as { subjectId: string; groups: string[] }[];
    expect(disclosed.map((d) => [d.subjectId, d.groups]).sort()).toEqual([subject(0), subject(2), subject(3), subject(4)].map((s) => [s, ['AUDIT']]));
  });

  it('finds the requests that named no case number, and those that named one, of an organisation and of the whole log', async () => {
    const without = await read({ organisation: 'FINANCE', filter: { hasCaseNumber: false } });
    expect(without.data?.auditEntriesByOrganisation?.edges.map((e) => e.node.id)).toEqual(await stored((e) => e.organisation === 'FINANCE' && e.caseNumber === null));
    expect(without.data?.auditEntriesByOrganisation?.totalCount).toBe(2);
    const withCase = await read({ organisation: 'FINANCE', filter: { hasCaseNumber: true, ...november } });
    expect(withCase.data?.auditEntriesByOrganisation?.edges.map((e) => e.node.id)).toEqual(await stored((e) => e.organisation === 'FINANCE' && e.caseNumber !== null && inNovember(e)));
    const refusedWithout = await log({ filter: { hasCaseNumber: false, outcome: 'DENIED' } });
    expect(refusedWithout.data?.auditEntries?.edges.map((e) => e.node.organisation)).toEqual(['bank-hebei', 'TAXATION', 'FINANCE']);
  });

  it('lists everything under one matter, a catalogue code typed in lower case or full width read as the code', async () => {
    const expected = await stored((e) => e.matter === 'TAX_INCENTIVES');
    expect(expected).toHaveLength(2);
    for (const matter of ['TAX_INCENTIVES', 'tax_incentives', 'ＴＡＸ＿ＩＮＣＥＮＴＩＶＥＳ']) {
      expect((await log({ filter: { matter } })).data?.auditEntries?.edges.map((e) => e.node.id)).toEqual(expected);
    }
    // With the case too, full width folded as the gateway records x-credit-case.
    const inCase = await log({ filter: { matter: 'GOVERNMENT_PROCUREMENT', caseNumber: 'ＢＤＨ－ＣＧ－２０２６－０１１７', ...november } });
    expect(inCase.data?.auditEntries?.edges.map((e) => e.node.id)).toEqual(await stored((e) => e.matter === 'GOVERNMENT_PROCUREMENT' && e.caseNumber === 'BDH-CG-2026-0117' && inNovember(e)));
  });

  it('lists what one officer did, within an organisation and across the log', async () => {
    const officer = await read({ organisation: 'FINANCE', filter: { actor: 'finance-officer-2' } });
    expect(officer.data?.auditEntriesByOrganisation?.edges.map((e) => [e.node.actor, e.node.subject?.id])).toEqual([['finance-officer-2', subject(1)]]);
    expect((await log({ filter: { actor: 'tax-officer', outcome: 'DENIED', ...november } })).data?.auditEntries?.totalCount).toBe(1);
  });

  it("narrows a subject's trail to a period and an outcome, and leaves out the reads of the trail itself, keeping its reads audited", async () => {
    const refused = await trail({ subjectId: subject(0), filter: { outcome: 'DENIED', from: november.from } });
    expect(refused.data?.auditEntriesBySubject?.edges.map((e) => e.node.organisation)).toEqual(['TAXATION', 'TAXATION']);
    const month = await trail({ subjectId: subject(0), filter: november });
    expect(month.data?.auditEntriesBySubject?.edges.map((e) => e.node.id)).toEqual(await stored((e) => e.subjectId === subject(0) && inNovember(e)));

    const readsOfTheTrail = (e: AuditEntry) => e.subjectId === subject(0) && e.fieldGroups === 'AUDIT';
    const before = await stored(readsOfTheTrail);
    expect(before).toHaveLength(2);
    const credit = await trail({ subjectId: subject(0), filter: { auditReads: false } });
    expect(credit.data?.auditEntriesBySubject?.edges.map((e) => e.node.id)).toEqual(await stored((e) => e.subjectId === subject(0) && e.fieldGroups !== 'AUDIT'));
    // The read that was also of the subject's records stays: it read the subject's credit data.
    expect(credit.data?.auditEntriesBySubject?.edges.map((e) => e.node.fieldGroups)).toContainEqual(['AUDIT', 'PUBLIC_RECORDS']);
    // Audited all the same: the subject's trail is told it was read.
    expect(credit.extensions?.disclosures).toEqual([{ subjectId: subject(0), groups: ['AUDIT'] }]);
    const reads = await trail({ subjectId: subject(0), filter: { auditReads: true } });
    expect(reads.data?.auditEntriesBySubject?.edges.map((e) => e.node.id)).toEqual(before);
    expect(reads.data?.auditEntriesBySubject?.edges.every((e) => e.node.actor === 'supervisor-li')).toBe(true);
  });

  it("counts the credit office's reads of the log in its usage statistics, or leaves them out, or counts them alone, as the lists filter them", async () => {
    const STATISTICS = /* GraphQL */ `query ($auditReads: Boolean) { auditStatistics(from: "${november.from}", to: "${november.to}", organisation: "CREDIT_OFFICE", auditReads: $auditReads) { matter disclosed denied subjects } }`;
    const usage = async (auditReads: boolean | null) => {
      const result = await queryAs<{ auditStatistics: { matter: string; disclosed: number; denied: number; subjects: number }[] }>(supervisor, STATISTICS, { auditReads });
      expect(result.errors).toBeUndefined();
      return result.data!.auditStatistics;
    };
    const row = (disclosed: number) => [{ matter: 'CREDIT_SUPERVISION', disclosed, denied: 0, subjects: 1 }];
    // Three requests: two read the trail alone, one the trail and the subject's records.
    expect(await usage(null)).toEqual(row(3));
    expect(await usage(false)).toEqual(row(1));
    expect(await usage(true)).toEqual(row(2));
    // The cases: FINANCE's, none of them a read of the log.
    const CASES = /* GraphQL */ `query ($auditReads: Boolean) { auditCases(from: "${november.from}", to: "${november.to}", auditReads: $auditReads) { totalCount edges { node { organisation caseNumber disclosed denied } } } }`;
    const cases = async (auditReads: boolean | null) => (await queryAs<{ auditCases: { totalCount: number; edges: unknown[] } }>(supervisor, CASES, { auditReads })).data?.auditCases;
    const every = await cases(null);
    expect(every?.totalCount).toBeGreaterThan(0);
    expect(await cases(false)).toEqual(every);
    expect(await cases(true)).toEqual({ totalCount: 0, edges: [] });
  });

  it("keeps a department's refused attempt at the log among the entries auditReads: false shows, and out of the reads it keeps alone: it read nothing", async () => {
    const attempt = await stored((e) => e.actor === 'health-officer-2');
    expect(attempt).toHaveLength(1);
    const withoutReads = await log({ filter: { auditReads: false, outcome: 'DENIED' } });
    expect(withoutReads.data?.auditEntries?.edges.map((e) => e.node.id)).toEqual(await stored((e) => e.outcome === 'DENIED'));
    const reads = await log({ filter: { auditReads: true } });
    expect(reads.data?.auditEntries?.edges.map((e) => e.node.id)).not.toContain(attempt[0]);
    expect(reads.data?.auditEntries?.edges.every((e) => e.node.outcome === 'DISCLOSED' && e.node.fieldGroups.join() === 'AUDIT')).toBe(true);
    const december = { from: '2026-12-02T00:00:00+08:00', to: '2026-12-03T00:00:00+08:00' };
    const STATISTICS = /* GraphQL */ `query ($auditReads: Boolean) { auditStatistics(from: "${december.from}", to: "${december.to}", organisation: "HEALTH", auditReads: $auditReads) { matter disclosed denied } }`;
    for (const auditReads of [null, false]) {
      const usage = await queryAs<{ auditStatistics: unknown[] }>(supervisor, STATISTICS, { auditReads });
      expect(usage.data?.auditStatistics).toEqual([{ matter: 'CREDIT_SUPERVISION', disclosed: 0, denied: 1 }]);
    }
    expect((await queryAs<{ auditStatistics: unknown[] }>(supervisor, STATISTICS, { auditReads: true })).data?.auditStatistics).toEqual([]);
  });

  it("refuses auditReads to an analyst, whose small rows fold: two answers, one narrowed by it, would tell a folded row by subtraction", async () => {
    const STATISTICS = /* GraphQL */ `query ($auditReads: Boolean) { auditStatistics(from: "2026-11-01T00:00:00+08:00", to: "2026-12-01T00:00:00+08:00", auditReads: $auditReads) { organisation disclosed } }`;
    for (const auditReads of [true, false]) {
      const refused = await queryAs(analyst, STATISTICS, { auditReads });
      expect(refused.errors?.map((e) => e.extensions)).toEqual([{ code: 'BAD_USER_INPUT', field: 'auditReads' }]);
    }
    const answered = await queryAs(analyst, STATISTICS, { auditReads: null });
    expect(answered.errors).toBeUndefined();
  });

  it('pages a filtered list with its cursors, and refuses a cursor of another filter as INVALID_CURSOR', async () => {
    const filter = { outcome: 'DENIED' };
    const ids: string[] = [];
    let after: string | null = null;
    do {
      const page: Page = (await log({ filter, first: 2, after })).data!.auditEntries!;
      ids.push(...page.edges.map((e) => e.node.id));
      after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
    } while (after);
    expect(ids).toEqual(await stored((e) => e.outcome === 'DENIED'));
    const first = (await log({ filter, first: 2 })).data!.auditEntries!;
    const other = await log({ filter: { outcome: 'DISCLOSED' }, first: 2, after: first.pageInfo.endCursor });
    expect(other.errors?.[0].extensions?.code).toBe('INVALID_CURSOR');
    const unfiltered = await log({ first: 2, after: first.pageInfo.endCursor });
    expect(unfiltered.errors?.[0].extensions?.code).toBe('INVALID_CURSOR');
    const trailCursor = (await trail({ subjectId: subject(0), filter: { auditReads: false }, first: 1 })).data!.auditEntriesBySubject!.pageInfo.endCursor;
    expect((await trail({ subjectId: subject(0), first: 1, after: trailCursor })).errors?.[0].extensions?.code).toBe('INVALID_CURSOR');
  });

  it.each([
    ['a reversed period', { from: november.to, to: november.from }, 'filter.to'],
    ['an empty matter', { matter: ' ' }, 'filter.matter'],
    ['an empty actor', { actor: '' }, 'filter.actor'],
    ['an overlong case number', { caseNumber: 'C'.repeat(101) }, 'filter.caseNumber'],
    // Pasted with it, as the gateway refuses in x-credit-case and x-credit-matter: no entry could name them.
    ['a case number holding a zero-width space', { caseNumber: 'BDH-CG-2026-0117\u200b' }, 'filter.caseNumber'],
    ['a matter holding a direction override', { matter: 'GOVERNMENT_PROCUREMENT\u202e' }, 'filter.matter'],
    ['a case number with hasCaseNumber false', { caseNumber: 'BDH-CG-2026-0117', hasCaseNumber: false }, 'filter.hasCaseNumber'],
  ])('refuses %s, naming the field, and records no read', async (_, filter, field) => {
    for (const result of [await log({ filter }), await trail({ subjectId: subject(0), filter }), await read({ organisation: 'FINANCE', filter })]) {
      expect(result.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
      expect(result.extensions?.disclosures ?? []).toEqual([]);
    }
  });

  it("takes auditEntriesByOrganisation's earlier arguments as the filter's, and refuses one given both ways", async () => {
    const byArguments = await read({ organisation: 'FINANCE', from: november.from, caseNumber: 'BDH-CG-2026-0117' });
    const byFilter = await read({ organisation: 'FINANCE', filter: { from: november.from, caseNumber: 'BDH-CG-2026-0117' } });
    expect(byArguments.data?.auditEntriesByOrganisation?.edges).toEqual(byFilter.data?.auditEntriesByOrganisation?.edges);
    expect(byArguments.data?.auditEntriesByOrganisation?.totalCount).toBe(3);
    const both = await read({ organisation: 'FINANCE', from: november.from, filter: { from: november.from } });
    expect(both.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'filter.from' });
  });

  it('lists the entries that concerned no subject (the statistics read), and those that did', async () => {
    const statistics = [
      entry({ organisation: 'DEVELOPMENT_REFORM', actor: 'analyst-chen', role: 'ANALYST', matter: null, caseNumber: null, subjectId: null, fieldGroups: ['STATISTICS'], operationName: 'auditStatistics(from: "2026-11-01T16:00:00.000Z", to: "2026-11-03T16:00:00.000Z") in W', occurredAt: at(11, 13) }),
      entry({ organisation: 'DEVELOPMENT_REFORM', actor: 'analyst-chen', role: 'ANALYST', matter: null, caseNumber: null, subjectId: null, fieldGroups: ['STATISTICS'], operationName: 'auditStatistics(from: "2026-11-01T16:00:00.000Z", to: "2026-11-02T16:00:00.000Z") in W', occurredAt: at(11, 13, 1) }),
      entry({ organisation: 'unverified', organisationKind: 'UNIDENTIFIED', actor: 'unverified', role: 'UNIDENTIFIED', matter: null, caseNumber: null, subjectId: null, fieldGroups: [], outcome: 'DENIED', occurredAt: at(11, 14) }),
    ];
    expect((await queryAs(gateway, APPEND, { entries: statistics })).errors).toBeUndefined();
    const read = await log({ filter: { hasSubject: false, outcome: 'DISCLOSED', ...november } });
    expect(read.errors).toBeUndefined();
    expect(read.data?.auditEntries?.edges.map((e) => e.node.id)).toEqual(await stored((e) => e.subjectId === null && e.outcome === 'DISCLOSED'));
    expect(read.data?.auditEntries?.edges.map((e) => [e.node.actor, e.node.fieldGroups, e.node.subject])).toEqual([
      ['analyst-chen', ['STATISTICS'], null],
      ['analyst-chen', ['STATISTICS'], null],
    ]);
    // Nobody's trail is told of a read that showed no subject; it is audited as one about none, as its count is.
    expect(read.extensions?.disclosures).toEqual([{ subjectId: null, groups: ['AUDIT'] }]);
    expect((await log({ filter: { hasSubject: false } })).data?.auditEntries?.totalCount).toBe(3);
    const about = await log({ filter: { hasSubject: true, ...november }, first: 100 });
    expect(about.data?.auditEntries?.edges.map((e) => e.node.id)).toEqual(await stored((e) => e.subjectId !== null && inNovember(e)));
  });

  it('is for the audit\'s readers only: an analyst is refused the whole log', async () => {
    const refused = await log({ filter: { outcome: 'DENIED' } }, analyst);
    expect(refused.data?.auditEntries ?? null).toBeNull();
    expect(refused.errors?.[0].extensions?.code).toBe('FORBIDDEN');
  });
});

describeOnMysql('the whole log read from its indexes on $label', (database) => {
  const { db } = useSubgraph(historicalAuditSubgraph, database, 'auditfilterix');
  const matters = ['GOVERNMENT_PROCUREMENT', 'DRUG_PROCUREMENT', 'TAX_INCENTIVES', 'STATE_ASSET_TRANSFER', 'FISCAL_SUPPORT'];

  beforeAll(async () => {
    // 4,000 entries of five departments' officers, one in forty refused, spread over four months.
    const repository = new AuditRepository(db());
    const rows = Array.from({ length: 4000 }, (_, i) => ({
      actor: `officer-${i % 40}`,
      organisation: ['FINANCE', 'HEALTH', 'TAXATION', 'MARKET_REGULATION', 'CREDIT_OFFICE'][i % 5],
      organisationKind: 'DEPARTMENT' as const,
      role: 'DEPARTMENT_OFFICER',
      matter: matters[i % 5],
      caseNumber: i % 3 === 0 ? null : `C-${i % 50}`,
      subjectId: subject(i % 100),
      fieldGroups: ['SUBJECT_BASICS'],
      requestId: `ix-${i}`,
      occurredAt: new Date(Date.UTC(2026, 7, 1) + i * 2_600_000),
      outcome: i % 40 === 7 ? ('DENIED' as const) : ('DISCLOSED' as const),
    }));
    for (let start = 0; start < rows.length; start += 500) await repository.append(rows.slice(start, start + 500));
    await db().query('ANALYZE TABLE audit_entry');
  });

  it('reads a page by the index its condition leads, in the list order, without sorting the log', async () => {
    const repository = new AuditRepository(db());
    const sent: [string, unknown[]][] = [];
    const send = db().manager.query.bind(db().manager);
    const spy = jest.spyOn(db().manager, 'query').mockImplementation((statement: string, params?: unknown) => {
      sent.push([statement, (params as unknown[] | undefined) ?? []]);
      return send(statement, params as unknown[] | undefined);
    });
    try {
      await repository.all({ outcome: 'DENIED', from: new Date(Date.UTC(2026, 8, 1)), to: new Date(Date.UTC(2026, 9, 1)) }, 20, null);
      await repository.all({ matter: 'TAX_INCENTIVES' }, 20, null);
      await repository.all({ actor: 'officer-7' }, 20, null);
      await repository.all({}, 20, null);
      await repository.all({ hasSubject: false }, 20, null);
      // A case across organisations, one with entries and one that names none: never a walk of the log.
      await repository.all({ caseNumber: 'C-7' }, 20, null);
      await repository.all({ caseNumber: 'BDH-NO-SUCH-CASE' }, 20, null);
    } finally {
      spy.mockRestore();
    }
    expect(sent).toHaveLength(7);
    const keys = [
      'IDX_audit_entry_outcome_occurred_at_sequence',
      'IDX_audit_entry_matter_occurred_at_sequence',
      'IDX_audit_entry_actor_occurred_at_sequence',
      'IDX_audit_entry_occurred_at_sequence',
      'IDX_audit_entry_subject_id_occurred_at_sequence',
      'IDX_audit_entry_case_number_occurred_at_sequence',
      'IDX_audit_entry_case_number_occurred_at_sequence',
    ];
    for (const [i, [statement, params]] of sent.entries()) {
      const plan: { table: string; key: string | null; Extra: string | null }[] = await db().query(`EXPLAIN ${statement}`, params);
      const list = plan.find((step) => step.table === 't');
      expect({ key: list?.key, sorted: /filesort/i.test(list?.Extra ?? '') }).toEqual({ key: keys[i], sorted: false });
    }
  });
});

describe.each(testDatabases)('the reads of the log left out or kept alone, counted from an index on $label', (database) => {
  const { db } = useSubgraph(historicalAuditSubgraph, database, 'auditreadsix');

  beforeAll(async () => {
    // 3,000 entries, as the credit office's log grows: four in five its supervisors' reads of the
    // log (AUDIT alone); the rest departments' reads and refusals, a supervisor's read of a
    // subject's records with its trail, and a department's refused attempt at the log.
    const repository = new AuditRepository(db());
    const rows = Array.from({ length: 3000 }, (_, i) => {
      const supervisor = i % 5 !== 0 || i % 50 === 5;
      return {
        actor: supervisor ? (i % 3 === 0 ? 'supervisor-li' : 'supervisor-wang') : `officer-${i % 40}`,
        organisation: supervisor ? 'CREDIT_OFFICE' : ['FINANCE', 'HEALTH', 'TAXATION'][i % 3],
        organisationKind: 'DEPARTMENT' as const,
        role: supervisor ? 'CREDIT_OFFICE_SUPERVISOR' : 'DEPARTMENT_OFFICER',
        matter: supervisor ? 'CREDIT_SUPERVISION' : 'GOVERNMENT_PROCUREMENT',
        subjectId: subject(i % 100),
        fieldGroups: i % 5 !== 0 || i % 100 === 40 ? ['AUDIT'] : i % 50 === 5 ? ['AUDIT', 'PUBLIC_RECORDS'] : ['SUBJECT_BASICS'],
        requestId: `reads-${i}`,
        occurredAt: new Date(Date.UTC(2026, 7, 1) + i * 2_600_000),
        outcome: i % 100 === 40 || i % 40 === 15 ? ('DENIED' as const) : ('DISCLOSED' as const),
      };
    });
    for (let start = 0; start < rows.length; start += 500) await repository.append(rows.slice(start, start + 500));
    // The optimiser's statistics of the table as it now is, as a server keeps them of a live database.
    if (database.label === 'mysql') await db().query('ANALYZE TABLE audit_entry');
  });

  const isRead = (e: AuditEntry) => e.outcome === 'DISCLOSED' && e.fieldGroups === 'AUDIT';
  const creditOffice = { organisation: 'CREDIT_OFFICE', organisationKind: 'DEPARTMENT' as const };

  it.each<[string, (repository: AuditRepository) => Promise<EntryPage<AuditEntry> | undefined>, (e: AuditEntry) => boolean, string]>([
    ['the log, the reads left out', (r) => r.all({ auditReads: false }, 20, null, true), (e) => !isRead(e), 'IDX_audit_entry_audit_read_occurred_at_sequence'],
    ['the reads of the log alone', (r) => r.all({ auditReads: true }, 20, null, true), isRead, 'IDX_audit_entry_audit_read_occurred_at_sequence'],
    ["a supervisor's entries, the reads left out", (r) => r.all({ auditReads: false, actor: 'supervisor-wang' }, 20, null, true), (e) => e.actor === 'supervisor-wang' && !isRead(e), 'IDX_audit_entry_actor_audit_read_occurred_at_sequence'],
    ["a supervisor's reads of the log", (r) => r.all({ auditReads: true, actor: 'supervisor-wang' }, 20, null, true), (e) => e.actor === 'supervisor-wang' && isRead(e), 'IDX_audit_entry_actor_audit_read_occurred_at_sequence'],
    // Its row of the usage statistics counted without the reads, drilled down to its entries.
    ["the credit office's entries, the reads left out", (r) => r.byOrganisation(creditOffice, { auditReads: false }, 20, null), (e) => e.organisation === 'CREDIT_OFFICE' && !isRead(e), 'IDX_audit_entry_organisation_kind_read_occurred_at_sequence'],
  ])('%s: reads a page and its count from an index that holds the reads, never the whole log', async (_, list, listed, index) => {
    const { result: total, sent } = await statementsDuring(db().manager, async () => {
      const page = await list(new AuditRepository(db()));
      return typeof page?.totalCount === 'function' ? await page.totalCount() : page?.totalCount;
    });
    const expected = (await db().getRepository(AuditEntry).find()).filter(listed);
    expect(expected.length).toBeGreaterThan(20);
    expect(total).toBe(expected.length);
    // The page and its count, in one statement or two. The count seeks the entries it counts in
    // the index the reads' column is in after the list's own condition: on MySQL in that index
    // alone; SQLite takes no index holding a generated column for a covering one, and reads each
    // of their rows. The page reads its entries from an index in the list's order (where reads are
    // most of a supervisor's entries, MySQL finds them at once in the actor's own).
    const plans = (await Promise.all(sent.map(([sql, params]) => plansOf(db(), database, sql, params, 't')))).flat();
    expect(plans).toHaveLength(2);
    expect(plans).toContainEqual({ index, covering: database.label === 'mysql', wholeTable: false });
    expect(plans).toEqual(plans.map(() => expect.objectContaining({ index: expect.stringMatching(/_occurred_at_sequence$/), wholeTable: false })));
  });
});
