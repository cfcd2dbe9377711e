import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { RequestIdentity } from '../../../lib/access/identity';
import { gateway, supervisor, analyst, historicalAuditSubgraph } from './audit-callers';
import { addDays, startOfDistrictDay, todayInDistrict } from '../../../lib/calendar';
import { findMatter } from '../../../lib/catalogue/matters';
import { projectRoot } from '../../../lib/project-root';
import { minimumSubjectsPerStatistic } from '../../../lib/access/policy';
import { otherOrganisationsInStatistics } from '../../../subgraphs/audit/audit-statistics';
import { AuditEntry } from '../../../subgraphs/audit/entities/audit-entry.entity';
import { testDatabases } from '../../helpers/databases';
import { useSubgraph } from '../../helpers/subgraph';

/**
 * Statistical disclosure control of `auditStatistics`: the district's analysts (STATISTICS without
 * AUDIT) count whole district days and never see a row about fewer than five subjects on its own;
 * the credit office's supervisor (AUDIT) sees every row exactly.
 */

interface Statistic {
  organisation: string;
  matter: string | null;
  disclosed: number;
  denied: number;
  subjects: number;
}

const APPEND = /* GraphQL */ `mutation Append($entries: [AuditEntryInput!]!) { appendAuditEntries(entries: $entries) { appended } }`;
const STATISTICS = /* GraphQL */ `
  query Statistics($from: DateTime!, $to: DateTime!, $organisation: String) {
    auditStatistics(from: $from, to: $to, organisation: $organisation) { organisation matter disclosed denied subjects }
  }
`;


const subject = (i: number) => `5c000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
const bank = 'bank-hebei-beidaihe';
const provider = 'PROVIDER-0001';
const person = '130304197304130019';

// District days of March 2026 (UTC+8), completed days as analysts count them: the week [1st, 8th), and the 4th alone.
const day = (d: number) => startOfDistrictDay(`2026-03-${String(d).padStart(2, '0')}`);
const week = { from: day(1).toISOString(), to: day(8).toISOString() };
const fourth = { from: day(4).toISOString(), to: day(5).toISOString() };
// An instant of a district day, `ms` after its 10:00.
const on = (d: number, ms = 0) => new Date(day(d).getTime() + 10 * 3_600_000 + ms).toISOString();

let sequence = 0;
function entry(overrides: Record<string, unknown>): Record<string, unknown> {
  sequence += 1;
  return {
    actor: 'officer',
    organisation: 'FINANCE',
    organisationKind: 'DEPARTMENT',
    role: 'DEPARTMENT_OFFICER',
    matter: 'GOVERNMENT_PROCUREMENT',
    caseNumber: null,
    consentId: null,
    subjectId: subject(0),
    fieldGroups: ['SUBJECT_BASICS'],
    operationName: null,
    requestId: `sdc-${sequence}`,
    occurredAt: on(2, sequence),
    outcome: 'DISCLOSED',
    ...overrides,
  };
}

const entries = [
  // FINANCE / GOVERNMENT_PROCUREMENT: six subjects, seven requests, one refused. Shown to analysts.
  ...[0, 1, 2, 3, 4, 5].map((s) => entry({ subjectId: subject(s), occurredAt: on(2, s) })),
  entry({ subjectId: subject(0), occurredAt: on(3), outcome: 'DENIED' }),
  // FINANCE's small rows: three subjects each, six together.
  ...[10, 11, 12].map((s) => entry({ matter: 'STATE_ASSET_TRANSFER', subjectId: subject(s), occurredAt: on(5, s) })),
  ...[13, 14, 15].map((s) => entry({ matter: 'FISCAL_SUPPORT', subjectId: subject(s), occurredAt: on(6, s) })),
  // One person's own inquiry, alone on the 4th (the probe's single-person row).
  entry({ organisation: person, organisationKind: 'INDIVIDUAL', role: 'EXTERNAL_USER', matter: 'SELF_INQUIRY', subjectId: subject(20), occurredAt: on(4, 165) }),
  // A bank's consent reads of two subjects, one refused; a provider's of two, one the bank's too.
  entry({ organisation: bank, organisationKind: 'FINANCIAL_INSTITUTION', role: 'EXTERNAL_USER', matter: 'FINANCIAL_SERVICES', subjectId: subject(21), occurredAt: on(2, 100) }),
  entry({ organisation: bank, organisationKind: 'FINANCIAL_INSTITUTION', role: 'EXTERNAL_USER', matter: 'FINANCIAL_SERVICES', subjectId: subject(21), occurredAt: on(3, 100) }),
  entry({ organisation: bank, organisationKind: 'FINANCIAL_INSTITUTION', role: 'EXTERNAL_USER', matter: 'FINANCIAL_SERVICES', subjectId: subject(22), occurredAt: on(3, 101), outcome: 'DENIED' }),
  entry({ organisation: provider, organisationKind: 'CREDIT_SERVICE_PROVIDER', role: 'EXTERNAL_USER', matter: 'PROVIDER_DATA_COLLECTION', subjectId: subject(22), occurredAt: on(6, 200) }),
  entry({ organisation: provider, organisationKind: 'CREDIT_SERVICE_PROVIDER', role: 'EXTERNAL_USER', matter: 'PROVIDER_DATA_COLLECTION', subjectId: subject(23), occurredAt: on(6, 201) }),
  // A personnel review of one person, and a statistic read (disclosed, about no subject): counted in no row.
  entry({ organisation: 'ORGANISATION', matter: 'PERSONNEL_REVIEW', subjectId: subject(24), occurredAt: on(7) }),
  entry({ organisation: 'CREDIT_OFFICE', matter: 'CREDIT_SUPERVISION', subjectId: null, fieldGroups: ['SUPERVISION_STATISTICS'], occurredAt: on(7, 1) }),
  // Outside the week: on its last instant's edge and just before it.
  entry({ subjectId: subject(30), occurredAt: day(8).toISOString() }),
  entry({ subjectId: subject(31), occurredAt: new Date(day(1).getTime() - 1).toISOString() }),
];

describe.each(testDatabases)('audit statistics disclosure control on $label', (database) => {
  const { db, sql, queryAs } = useSubgraph(historicalAuditSubgraph, database, 'auditsdc');
  const statistics = (identity: RequestIdentity, variables: Record<string, unknown>) => queryAs<{ auditStatistics: Statistic[] | null }>(identity, STATISTICS, variables);

  beforeAll(async () => {
    const result = await queryAs(gateway, APPEND, { entries });
    if (result.errors) throw new Error(JSON.stringify(result.errors));
  });

  /** Every row exactly, with its requests and subjects, computed here from the stored entries. */
  async function cells(range: { from: string; to: string }) {
    const rows = await db().getRepository(AuditEntry).find();
    const found = new Map<string, { organisation: string; matter: string | null; disclosed: Set<string>; denied: Set<string>; subjects: Set<string> }>();
    for (const row of rows) {
      const time = row.occurredAt.getTime();
      if (time < Date.parse(range.from) || time >= Date.parse(range.to) || row.outcome === 'FAILED') continue;
      // A statistic read disclosed no subject's data; a refused attempt about none is still refused.
      if (row.outcome === 'DISCLOSED' && row.subjectId === null) continue;
      const organisation = row.organisationKind === 'INDIVIDUAL' ? 'INDIVIDUALS' : row.organisationKind === 'ENTERPRISE' ? 'ENTERPRISES' : row.organisation;
      const matter = row.matter === null || findMatter(row.matter) ? row.matter : 'UNLISTED';
      const key = JSON.stringify([organisation, matter]);
      if (!found.has(key)) found.set(key, { organisation, matter, disclosed: new Set(), denied: new Set(), subjects: new Set() });
      const cell = found.get(key)!;
      (row.outcome === 'DISCLOSED' ? cell.disclosed : cell.denied).add(`${row.requestId} ${row.occurredAt.toISOString()}`);
      // An analyst's subjects are those of disclosed requests (a refused one names what its caller chose).
      if (row.subjectId && row.outcome === 'DISCLOSED') cell.subjects.add(row.subjectId);
    }
    return [...found.values()];
  }

  it('refuses an analyst a bound that is not a district midnight, naming the bound and the nearest midnight', async () => {
    // The probe's millisecond window.
    const probe = await statistics(analyst, { from: '2026-12-04T20:32:28.165Z', to: '2026-12-04T20:32:28.166Z' });
    expect(probe.data).toEqual({ auditStatistics: null });
    expect(probe.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'from' });
    expect(probe.errors?.[0].message).toContain('whole district days');
    // 04:32 on the 5th in the district: the 5th's midnight is nearest.
    expect(probe.errors?.[0].message).toContain('2026-12-05T00:00:00+08:00 (2026-12-04T16:00:00.000Z)');
    // UTC midnight is 08:00 in the district.
    const utc = await statistics(analyst, { from: week.from, to: '2026-03-08T00:00:00Z' });
    expect(utc.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'to' });
    expect(utc.errors?.[0].message).toContain('2026-03-08T00:00:00+08:00 (2026-03-07T16:00:00.000Z)');
    // The supervisor's windows are as fine as it likes.
    const exact = await statistics(supervisor, { from: '2026-12-04T20:32:28.165Z', to: '2026-12-04T20:32:28.166Z' });
    expect(exact.errors).toBeUndefined();
  });

  it('shows the supervisor every row exactly, and an analyst no row about fewer than five subjects on its own', async () => {
    const exact = await statistics(supervisor, week);
    expect(exact.errors).toBeUndefined();
    // The supervisor's row names the person, masked as everywhere; the analyst's would count persons together.
    expect(exact.data?.auditStatistics).toContainEqual({ organisation: '1303**********0019', matter: 'SELF_INQUIRY', disclosed: 1, denied: 0, subjects: 1 });
    expect(exact.data?.auditStatistics).toContainEqual({ organisation: bank, matter: 'FINANCIAL_SERVICES', disclosed: 2, denied: 1, subjects: 2 });
    expect(exact.data?.auditStatistics).toHaveLength(7);

    const controlled = await statistics(analyst, week);
    expect(controlled.errors).toBeUndefined();
    expect(controlled.data?.auditStatistics).toEqual([
      { organisation: 'FINANCE', matter: 'GOVERNMENT_PROCUREMENT', disclosed: 6, denied: 1, subjects: 6 },
      { organisation: otherOrganisationsInStatistics, matter: null, disclosed: 12, denied: 1, subjects: 11 },
    ]);

    // The probe's day: one person's inquiry alone. The supervisor sees it; the analyst nothing,
    // as the folded row would concern one subject.
    expect((await statistics(supervisor, fourth)).data?.auditStatistics).toEqual([{ organisation: '1303**********0019', matter: 'SELF_INQUIRY', disclosed: 1, denied: 0, subjects: 1 }]);
    const alone = await statistics(analyst, fourth);
    expect(alone.errors).toBeUndefined();
    expect(alone.data?.auditStatistics).toEqual([]);
  });

  it("folds the small rows into one whose numbers are the stored entries' (sums of requests, distinct subjects)", async () => {
    const all = await cells(week);
    const small = all.filter((c) => c.subjects.size < minimumSubjectsPerStatistic);
    const shown = all.filter((c) => c.subjects.size >= minimumSubjectsPerStatistic);
    expect(small.length).toBeGreaterThan(1);
    const subjects = new Set(small.flatMap((c) => [...c.subjects]));
    const sum = (pick: (c: (typeof all)[number]) => Set<string>) => small.reduce((n, c) => n + pick(c).size, 0);
    let result: Awaited<ReturnType<typeof statistics>> | undefined;
    // Folded in the one GROUP BY statement, as the supervisor's rows are counted.
    expect(await sql.selectsDuring(async () => void (result = await statistics(analyst, week)))).toBe(1);
    expect(result?.data?.auditStatistics).toEqual([
      ...shown.map((c) => ({ organisation: c.organisation, matter: c.matter, disclosed: c.disclosed.size, denied: c.denied.size, subjects: c.subjects.size })),
      { organisation: otherOrganisationsInStatistics, matter: null, disclosed: sum((c) => c.disclosed), denied: sum((c) => c.denied), subjects: subjects.size },
    ]);
  });

  it('answers a filter by organisation only with rows the unfiltered answer shows on their own, never a small row or its sum', async () => {
    const unfiltered = (await statistics(analyst, week)).data?.auditStatistics ?? [];
    // FINANCE's two small rows concern six subjects together: folded per organisation they would
    // show FINANCE's exact share of the folded row.
    expect((await statistics(analyst, { ...week, organisation: 'FINANCE' })).data?.auditStatistics).toEqual([
      { organisation: 'FINANCE', matter: 'GOVERNMENT_PROCUREMENT', disclosed: 6, denied: 1, subjects: 6 },
    ]);
    for (const organisation of ['INDIVIDUALS', bank, provider, 'ORGANISATION', 'CREDIT_OFFICE', otherOrganisationsInStatistics, person]) {
      const filtered = await statistics(analyst, { ...week, organisation });
      expect(filtered.errors).toBeUndefined();
      expect(filtered.data?.auditStatistics).toEqual([]);
    }
    // Each filtered answer is part of the unfiltered one: nothing to subtract.
    expect(unfiltered.filter((s) => s.organisation !== otherOrganisationsInStatistics).every((s) => s.subjects >= minimumSubjectsPerStatistic)).toBe(true);
    // The supervisor's filter stays exact.
    expect((await statistics(supervisor, { ...week, organisation: bank })).data?.auditStatistics).toEqual([
      { organisation: bank, matter: 'FINANCIAL_SERVICES', disclosed: 2, denied: 1, subjects: 2 },
    ]);
  });

  it('reads a department code typed in lower case or full width as the code, for an analyst as for the supervisor', async () => {
    const finance = [{ organisation: 'FINANCE', matter: 'GOVERNMENT_PROCUREMENT', disclosed: 6, denied: 1, subjects: 6 }];
    for (const organisation of ['FINANCE', 'finance', 'ＦＩＮＡＮＣＥ']) {
      expect((await statistics(analyst, { ...week, organisation })).data?.auditStatistics).toEqual(finance);
      expect((await statistics(supervisor, { ...week, organisation })).data?.auditStatistics).toContainEqual(finance[0]);
    }
    // Folded, a person's number or an enterprise's code still finds nothing of an analyst's.
    expect((await statistics(analyst, { ...week, organisation: person.replace(/9$/, 'x') })).data?.auditStatistics).toEqual([]);
  });
});

describe.each(testDatabases)('audit statistics rows to drill down from on $label', (database) => {
  const { queryAs } = useSubgraph(historicalAuditSubgraph, database, 'auditdrill');
  const WITH_ENTRY = /* GraphQL */ `
    query Statistics($from: DateTime!, $to: DateTime!, $organisation: String) {
      auditStatistics(from: $from, to: $to, organisation: $organisation) { organisation matter disclosed denied subjects entryId }
    }
  `;
  const ENTRIES = /* GraphQL */ `
    query Entries($of: ID, $from: DateTime, $to: DateTime) {
      auditEntriesByOrganisation(organisationOf: $of, from: $from, to: $to, first: 100) { totalCount edges { node { organisation matter outcome } } }
    }
  `;
  // Six persons and six enterprises, each reading one subject on the 2nd: together they would
  // make a row an analyst sees (INDIVIDUALS, ENTERPRISES); apart, no row of theirs reaches five.
  const persons = ['130304197304130019', '130302198001010019', '130304198502020027', '130304199003030035', '130304199504040043', '130304200005050051'];
  const enterprises = ['91130304MA0TEXT12Y', '91130304MA0TEXT13Y', '91130304MA0TEXT14Y', '91130304MA0TEXT15Y', '91130304MA0TEXT16Y', '91130304MA0TEXT17Y'];
  const day2 = { from: day(2).toISOString(), to: day(3).toISOString() };
  beforeAll(async () => {
    const batch = [
      ...persons.map((organisation, i) => entry({ organisation, organisationKind: 'INDIVIDUAL', role: 'EXTERNAL_USER', matter: 'COMMERCIAL_DUE_DILIGENCE', subjectId: subject(50 + i), occurredAt: on(2, 300 + i) })),
      ...enterprises.map((organisation, i) => entry({ organisation, organisationKind: 'ENTERPRISE', role: 'EXTERNAL_USER', matter: 'COMMERCIAL_DUE_DILIGENCE', subjectId: subject(60 + i), occurredAt: on(2, 400 + i) })),
      // The first person again, refused, and a FINANCE read: rows of their own.
      entry({ organisation: persons[0], organisationKind: 'INDIVIDUAL', role: 'EXTERNAL_USER', matter: 'COMMERCIAL_DUE_DILIGENCE', subjectId: subject(70), occurredAt: on(2, 500), outcome: 'DENIED' }),
    ];
    const result = await queryAs(gateway, APPEND, { entries: batch });
    if (result.errors) throw new Error(JSON.stringify(result.errors));
  });

  it("keeps the analyst's folding and gives the analyst no entry to drill down by", async () => {
    const controlled = await queryAs<{ auditStatistics: (Statistic & { entryId: string | null })[] }>(analyst, WITH_ENTRY, day2);
    expect(controlled.errors).toBeUndefined();
    expect(controlled.data?.auditStatistics).toEqual([
      { organisation: 'ENTERPRISES', matter: 'COMMERCIAL_DUE_DILIGENCE', disclosed: 6, denied: 0, subjects: 6, entryId: null },
      { organisation: 'INDIVIDUALS', matter: 'COMMERCIAL_DUE_DILIGENCE', disclosed: 6, denied: 1, subjects: 6, entryId: null },
    ]);
    for (const organisation of [persons[0], enterprises[0]]) {
      expect((await queryAs<{ auditStatistics: Statistic[] }>(analyst, WITH_ENTRY, { ...day2, organisation })).data?.auditStatistics).toEqual([]);
    }
  });

  it("gives the supervisor a row per reader, a person masked, whose entry leads to exactly that reader's entries", async () => {
    const exact = await queryAs<{ auditStatistics: (Statistic & { entryId: string })[] }>(supervisor, WITH_ENTRY, day2);
    expect(exact.errors).toBeUndefined();
    const rows = exact.data!.auditStatistics;
    expect(rows.map((r) => r.organisation)).toEqual([
      // Two persons share the masked form 1303**********0019: two rows, ordered by their entries.
      ...['1303**********0019', '1303**********0019', '1303**********0027', '1303**********0035', '1303**********0043', '1303**********0051'],
      ...enterprises,
    ]);
    expect(rows.every((r) => r.entryId !== null)).toBe(true);
    for (const row of rows) {
      const read = await queryAs<{ auditEntriesByOrganisation: { totalCount: number; edges: { node: { organisation: string; matter: string; outcome: string } }[] } }>(supervisor, ENTRIES, {
        of: row.entryId,
        ...day2,
      });
      expect(read.errors).toBeUndefined();
      const { totalCount, edges } = read.data!.auditEntriesByOrganisation;
      expect(totalCount).toBe(row.disclosed + row.denied);
      expect(edges.every((e) => e.node.organisation === row.organisation && e.node.matter === row.matter)).toBe(true);
    }
    // The persons of the shared masked form are told apart by their entries: one has the refusal.
    expect(rows.filter((r) => r.organisation === '1303**********0019').map((r) => r.denied).sort()).toEqual([0, 1]);
  });
});

describe.each(testDatabases)('audit statistics padded with refused requests on $label', (database) => {
  const { queryAs } = useSubgraph(historicalAuditSubgraph, database, 'auditpad');
  const statistics = (identity: RequestIdentity, variables: Record<string, unknown>) => queryAs<{ auditStatistics: Statistic[] | null }>(identity, STATISTICS, variables);
  const append = async (batch: Record<string, unknown>[]) => {
    const result = await queryAs(gateway, APPEND, { entries: batch });
    if (result.errors) throw new Error(JSON.stringify(result.errors));
  };
  // The 10th of March 2026: a person's own inquiry, a bank's reads of three subjects and a
  // provider's of two, all small rows: folded into one about six subjects.
  const tenth = { from: day(10).toISOString(), to: day(11).toISOString() };
  beforeAll(async () => {
    await append([
      entry({ organisation: person, organisationKind: 'INDIVIDUAL', role: 'EXTERNAL_USER', matter: 'SELF_INQUIRY', subjectId: subject(40), occurredAt: on(10, 1) }),
      ...[41, 42, 43].map((s) => entry({ organisation: bank, organisationKind: 'FINANCIAL_INSTITUTION', role: 'EXTERNAL_USER', matter: 'FINANCIAL_SERVICES', subjectId: subject(s), occurredAt: on(10, s) })),
      ...[44, 45].map((s) => entry({ organisation: provider, organisationKind: 'CREDIT_SERVICE_PROVIDER', role: 'EXTERNAL_USER', matter: 'PROVIDER_DATA_COLLECTION', subjectId: subject(s), occurredAt: on(10, s) })),
    ]);
  });

  it("cannot be padded by refused requests naming subjects their caller chose: neither to test whether a person is among a folded row's, nor to lift a small row into view", async () => {
    const folded = async () => (await statistics(analyst, tenth)).data?.auditStatistics;
    expect(await folded()).toEqual([{ organisation: otherOrganisationsInStatistics, matter: null, disclosed: 6, denied: 0, subjects: 6 }]);
    // Another department's analyst looks a person up under a matter not its own (refused, audited
    // against the person), and a made-up subject: as counted, the folded row would tell the two apart.
    const refused = { organisation: 'SCIENCE_TECHNOLOGY', role: 'ANALYST', matter: 'DRUG_PROCUREMENT', outcome: 'DENIED' };
    await append([entry({ ...refused, subjectId: subject(40), occurredAt: on(10, 500) }), entry({ ...refused, subjectId: subject(99), occurredAt: on(10, 501) })]);
    expect(await folded()).toEqual([{ organisation: otherOrganisationsInStatistics, matter: null, disclosed: 6, denied: 2, subjects: 6 }]);
    // A person sends five refused reads of made-up subjects: its row stays folded.
    const padding = { organisation: '130304198610230346', organisationKind: 'INDIVIDUAL', role: 'EXTERNAL_USER', matter: 'COMMERCIAL_DUE_DILIGENCE', outcome: 'DENIED' };
    await append([90, 91, 92, 93, 94].map((s) => entry({ ...padding, subjectId: subject(s), occurredAt: on(10, 600 + s) })));
    expect(await folded()).toEqual([{ organisation: otherOrganisationsInStatistics, matter: null, disclosed: 6, denied: 7, subjects: 6 }]);
  });

  // The 12th: a bank's reads of three subjects and a provider's of two fold into a row about five.
  // The analyst then reads one of them and one more: folded in too, its own reads would leave the
  // row's subjects at six, and tell it the first was already among them (a bank's client).
  it("shows the analyst's own reads on their own, never in the folded row, whose subjects would tell it who the small readers read", async () => {
    const twelfth = { from: day(12).toISOString(), to: day(13).toISOString() };
    const own = { organisation: 'DEVELOPMENT_REFORM', organisationKind: 'DEPARTMENT', role: 'ANALYST', matter: 'STATISTICAL_ANALYSIS' };
    await append([
      ...[50, 51, 52].map((s) => entry({ organisation: bank, organisationKind: 'FINANCIAL_INSTITUTION', role: 'EXTERNAL_USER', matter: 'FINANCIAL_SERVICES', subjectId: subject(s), occurredAt: on(12, s) })),
      ...[53, 54].map((s) => entry({ organisation: provider, organisationKind: 'CREDIT_SERVICE_PROVIDER', role: 'EXTERNAL_USER', matter: 'PROVIDER_DATA_COLLECTION', subjectId: subject(s), occurredAt: on(12, s) })),
      // The analyst's statistic read, audited with no subject: no read of anyone's data, no row of its own.
      entry({ ...own, subjectId: null, fieldGroups: ['STATISTICS'], occurredAt: on(12, 90) }),
    ]);
    const other = { organisation: otherOrganisationsInStatistics, matter: null, disclosed: 5, denied: 0, subjects: 5 };
    expect((await statistics(analyst, twelfth)).data?.auditStatistics).toEqual([other]);
    await append([50, 55].map((s) => entry({ ...own, subjectId: subject(s), occurredAt: on(12, 100 + s) })));
    expect((await statistics(analyst, twelfth)).data?.auditStatistics).toEqual([{ organisation: 'DEVELOPMENT_REFORM', matter: 'STATISTICAL_ANALYSIS', disclosed: 2, denied: 0, subjects: 2 }, other]);
    // Another department's analyst sees them folded with the others', as any small reader's.
    const colleague: RequestIdentity = { ...analyst, caller: { ...analyst.caller!, id: 'analyst-li', organisation: 'SCIENCE_TECHNOLOGY' } };
    expect((await statistics(colleague, twelfth)).data?.auditStatistics).toEqual([{ ...other, disclosed: 7, subjects: 6 }]);
  });

  // Counted while the day runs, a window ending tonight would show each request as it is made.
  it("counts an analyst's completed district days only, and the supervisor's any", async () => {
    const today = todayInDistrict();
    const tonight = startOfDistrictDay(addDays(today, 1)).toISOString();
    const running = await statistics(analyst, { from: startOfDistrictDay(addDays(today, -7)).toISOString(), to: tonight });
    expect(running.data).toEqual({ auditStatistics: null });
    expect(running.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'to' });
    expect(running.errors?.[0].message).toContain(`completed district days only: to must be today's midnight, ${today}T00:00:00+08:00, or earlier`);
    expect((await statistics(analyst, { from: startOfDistrictDay(addDays(today, -7)).toISOString(), to: startOfDistrictDay(today).toISOString() })).errors).toBeUndefined();
    expect((await statistics(supervisor, { from: startOfDistrictDay(today).toISOString(), to: tonight })).errors).toBeUndefined();
  });
});

describe.each(testDatabases)('audit statistics of readers whose ids read like its labels on $label', (database) => {
  const { queryAs } = useSubgraph(historicalAuditSubgraph, database, 'auditlabels');
  const statistics = (identity: RequestIdentity, variables: Record<string, unknown>) => queryAs<{ auditStatistics: Statistic[] | null }>(identity, STATISTICS, variables);
  const LABELLED = /* GraphQL */ `
    query Statistics($from: DateTime!, $to: DateTime!, $organisation: String) {
      auditStatistics(from: $from, to: $to, organisation: $organisation) { organisation readerKind matter folded minimumSubjects disclosed denied subjects }
    }
  `;
  type Labelled = Statistic & { readerKind: string; folded: boolean; minimumSubjects: number | null };
  const labelled = async (identity: RequestIdentity, variables: Record<string, unknown>) => {
    const result = await queryAs<{ auditStatistics: Labelled[] }>(identity, LABELLED, variables);
    expect(result.errors).toBeUndefined();
    return result.data!.auditStatistics;
  };
  const twentieth = { from: day(20).toISOString(), to: day(21).toISOString() };
  const enterprises = ['91130304MA0TEXT12Y', '91130304MA0TEXT13Y', '91130304MA0TEXT14Y'];
  // A printable report's check (verifyCreditReport) discloses its subject's name under no matter,
  // whoever asks: three enterprises check three reports, and banks whose ids are the analyst's
  // labels check two and read five subjects under their consents.
  const verified = { role: 'EXTERNAL_USER', matter: null, fieldGroups: ['SUBJECT_BASICS'], operationName: 'VerifyReport' };
  beforeAll(async () => {
    const result = await queryAs(gateway, APPEND, {
      entries: [
        ...enterprises.map((organisation, i) => entry({ ...verified, organisation, organisationKind: 'ENTERPRISE', subjectId: subject(80 + i), occurredAt: on(20, i) })),
        ...[83, 84].map((s) => entry({ ...verified, organisation: 'ENTERPRISES', organisationKind: 'FINANCIAL_INSTITUTION', subjectId: subject(s), occurredAt: on(20, s) })),
        ...[85, 86, 87, 88, 89].map((s) =>
          entry({ organisation: otherOrganisationsInStatistics, organisationKind: 'FINANCIAL_INSTITUTION', role: 'EXTERNAL_USER', matter: 'FINANCIAL_SERVICES', subjectId: subject(s), occurredAt: on(20, s) }),
        ),
      ],
    });
    if (result.errors) throw new Error(JSON.stringify(result.errors));
  });

  it('never counts a bank whose id is ENTERPRISES with the enterprises: each small row is folded, not lifted into view by the other', async () => {
    // Counted together, the two small rows made one about five subjects, shown as the enterprises'.
    expect((await statistics(analyst, twentieth)).data?.auditStatistics).toEqual([
      { organisation: otherOrganisationsInStatistics, matter: 'FINANCIAL_SERVICES', disclosed: 5, denied: 0, subjects: 5 },
      { organisation: otherOrganisationsInStatistics, matter: null, disclosed: 5, denied: 0, subjects: 5 },
    ]);
    // Nor does a filter by the label show either of them.
    expect(await labelled(analyst, { ...twentieth, organisation: 'ENTERPRISES' })).toEqual([]);
  });

  it('tells the folded row from a bank whose id is OTHER by readerKind and folded, with the threshold it held the rows to', async () => {
    expect(await labelled(analyst, twentieth)).toEqual([
      { organisation: 'OTHER', readerKind: 'FINANCIAL_INSTITUTION', matter: 'FINANCIAL_SERVICES', folded: false, minimumSubjects: minimumSubjectsPerStatistic, disclosed: 5, denied: 0, subjects: 5 },
      { organisation: 'OTHER', readerKind: 'OTHER', matter: null, folded: true, minimumSubjects: minimumSubjectsPerStatistic, disclosed: 5, denied: 0, subjects: 5 },
    ]);
    // A filter by OTHER finds the bank, never the folded row.
    expect((await labelled(analyst, { ...twentieth, organisation: 'OTHER' })).map((r) => [r.organisation, r.readerKind, r.folded])).toEqual([['OTHER', 'FINANCIAL_INSTITUTION', false]]);
  });

  it('gives the supervisor each reader with its kind, exactly, and no threshold', async () => {
    expect(await labelled(supervisor, twentieth)).toEqual([
      ...enterprises.map((organisation) => ({ organisation, readerKind: 'ENTERPRISE', matter: null, folded: false, minimumSubjects: null, disclosed: 1, denied: 0, subjects: 1 })),
      { organisation: 'ENTERPRISES', readerKind: 'FINANCIAL_INSTITUTION', matter: null, folded: false, minimumSubjects: null, disclosed: 2, denied: 0, subjects: 2 },
      { organisation: 'OTHER', readerKind: 'FINANCIAL_INSTITUTION', matter: 'FINANCIAL_SERVICES', folded: false, minimumSubjects: null, disclosed: 5, denied: 0, subjects: 5 },
    ]);
  });
});

describe('the auditStatistics contract', () => {
  it('states the threshold the repository applies and the folded row it answers', () => {
    const schema = readFileSync(path.join(projectRoot, 'subgraphs', 'audit', 'schema.graphql'), 'utf8');
    // The field's description only: the text between the previous field and `auditStatistics(`.
    const sdl = schema.slice(schema.lastIndexOf('"""', schema.lastIndexOf('"""', schema.indexOf('auditStatistics(')) - 1), schema.indexOf('auditStatistics(')).replace(/\s+/g, ' ');
    expect(sdl).toContain(`fewer than ${minimumSubjectsPerStatistic} distinct subjects`);
    expect(sdl).toContain(`organisation \`${otherOrganisationsInStatistics}\``);
  });
});
