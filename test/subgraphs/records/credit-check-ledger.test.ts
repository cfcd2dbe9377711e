import { randomUUID } from 'node:crypto';
import type { Caller, RequestIdentity } from '../../../lib/access/identity';
import { decideGrants } from '../../../lib/access/policy';
import { addDays, todayInDistrict } from '../../../lib/calendar';
import { addMonths } from '../../../lib/catalogue/record-categories';
import { demoWorld } from '../../../scripts/demo/world';
import { seedEntities } from '../../../subgraphs/entities/seed';
import { entitiesSubgraph } from '../../../subgraphs/entities/subgraph';
import { checkStatisticsStatement } from '../../../subgraphs/records/credit-check.repository';
import { CreditCheck } from '../../../subgraphs/records/entities/credit-check.entity';
import { CreditRecord } from '../../../subgraphs/records/entities/credit-record.entity';
import type { ReportFindings } from '../../../subgraphs/records/report-findings';
import { createRecordsSubgraph } from '../../../subgraphs/records/subgraph';
import { testDatabases } from '../../helpers/databases';
import { useSubgraph } from '../../helpers/subgraph';
import { CountingDirectory } from './records-harness';

/**
 * The credit office's assessment (考核) of how departments apply the measures (联合奖惩) their
 * checks call for: the statistics split by the catalogue's polarity (PUNISHMENT 失信联合惩戒, INCENTIVE
 * 守信联合激励), and the ledger's filters by case number, verdict and measures left out, each selecting
 * in SQL (page sizes and totalCount count the filtered checks), kept to the caller's own checks.
 *
 * A constructed set of FINANCE procurement checks, one case each (GOVERNMENT_PROCUREMENT calls for
 * EXCLUSION on a dishonesty list, REFERENCE_NOTED for a general penalty, EVALUATION_PREFERENCE for
 * a red list; a noted reference does not cancel the preference):
 *
 * | case | subject | called for (P punishment, I incentive) | feedback | verdict |
 * | CK-1 | red     | I: EVALUATION_PREFERENCE               | []       | ELIGIBLE_WITH_INCENTIVES |
 * | CK-2 | listed  | P: EXCLUSION                           | [] "领导特批，未限制参与" | EXCLUDED |
 * | CK-3 | listed  | P: EXCLUSION                           | [EXCLUSION] | EXCLUDED |
 * | CK-4 | mixed   | P: REFERENCE_NOTED, I: EVALUATION_PREF | [REFERENCE_NOTED] | ELIGIBLE_WITH_INCENTIVES |
 * | CK-5 | mixed   | the same                               | [EVALUATION_PREFERENCE] | ELIGIBLE_WITH_INCENTIVES |
 * | CK-6 | mixed   | the same                               | none     | ELIGIBLE_WITH_INCENTIVES |
 * | CK-7 | clean   | nothing                                | []       | ELIGIBLE |
 * | CK-8 | red     | I: EVALUATION_PREFERENCE               | [EVALUATION_PREFERENCE] | ELIGIBLE_WITH_INCENTIVES |
 * | CK-9 | listed  | P: EXCLUSION                           | none     | none stored: the reports subgraph was down |
 *
 * and one TAXATION check (TAX_INCENTIVES, case TX-1) of the listed subject, admitted: feedback [].
 */
const world = demoWorld({ subjects: 20 });
const [red, listed, mixed, clean, muchPenalised] = world.subjects.filter((s) => s.kind === 'ENTERPRISE');

/** A general penalty of the subject, in disclosure, as intake stores one, unless `fields` say otherwise. */
function recordOf(subjectId: string, fields: Partial<CreditRecord>): Partial<CreditRecord> {
  const id = randomUUID();
  const today = todayInDistrict();
  return {
    id, subjectId, category: 'ADMINISTRATIVE_PENALTY', polarity: 'NEGATIVE', severity: 'GENERAL', taxCreditGrade: null, sourceDepartment: 'MARKET_REGULATION',
    documentNumber: `北戴河市监罚〔2026〕${id.slice(0, 8)}号`, decisionDate: addMonths(today, -1), disclosureEndsAt: addMonths(today, 6), validUntil: null, status: 'ACTIVE',
    summary: '考核样例', recordedAt: new Date(), ...fields,
  };
}

function identity(caller: Caller, purpose: { matter: string; caseNumber?: string } | null): RequestIdentity {
  const named = purpose ? { matter: purpose.matter, caseNumber: purpose.caseNumber ?? null } : null;
  const decision = decideGrants(caller, named as never);
  return { caller, purpose: named as never, grants: decision.groups, scope: decision.scope, requestId: `ledger-${caller.id}` };
}
const officer = (organisation: string): Caller => ({ id: `officer-${organisation.toLowerCase()}`, organisation, organisationKind: 'DEPARTMENT', role: 'DEPARTMENT_OFFICER' });
const finance = officer('FINANCE');
const taxation = officer('TAXATION');
const supervisorCaller: Caller = { id: 'supervisor-wang', organisation: 'CREDIT_OFFICE', organisationKind: 'DEPARTMENT', role: 'CREDIT_OFFICE_SUPERVISOR' };
const creditOffice = identity(supervisorCaller, { matter: 'CREDIT_SUPERVISION' });
const creditOfficeUnstated = identity(supervisorCaller, null);

const LEDGER = /* GraphQL */ `
  query Ledger(
    $department: ID, $matter: String, $caseNumber: String, $withoutFeedback: Boolean, $verdict: CheckVerdict,
    $measuresNotApplied: Boolean, $notAppliedPolarity: MeasurePolarity, $first: Int, $after: String
  ) {
    creditChecks(
      department: $department, matter: $matter, caseNumber: $caseNumber, withoutFeedback: $withoutFeedback, verdict: $verdict,
      measuresNotApplied: $measuresNotApplied, notAppliedPolarity: $notAppliedPolarity, first: $first, after: $after
    ) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { node { id caseNumber department { code } } }
    }
  }
`;
type Ledger = { creditChecks: { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string | null }; edges: { node: { id: string; caseNumber: string; department: { code: string } } }[] } | null };

const STATISTICS = /* GraphQL */ `
  query Statistics($from: DateTime!, $to: DateTime!) {
    creditCheckStatistics(from: $from, to: $to) {
      department { code } matter checks withFeedback measuresCalledFor measuresApplied shareApplied
      punishment { polarity calledFor applied shareApplied checksNotApplied }
      incentive { polarity calledFor applied shareApplied checksNotApplied }
    }
  }
`;

describe.each(testDatabases)('the credit office’s assessment of measures applied on $label', (database) => {
  /** Subjects whose checks the reports subgraph cannot answer for while this is set. */
  let reportsDown = false;
  const reports: ReportFindings = {
    forChecks: async (checks) => {
      if (reportsDown) throw new Error('reports subgraph unreachable');
      return checks.map(() => ({ satisfied: true, goodGrade: false }));
    },
  };
  const entities = useSubgraph(entitiesSubgraph, database, 'ckledger_subjects');
  const directory = new CountingDirectory(() => entities.url());
  const records = useSubgraph(createRecordsSubgraph({ subjects: directory, reports }), database, 'ckledger');
  /** Check ids by case number. */
  const checks = new Map<string, string>();
  const caseOf = new Map<string, string>();

  async function addRecord(subjectId: string, fields: Partial<CreditRecord>): Promise<void> {
    const repository = records.db().getRepository(CreditRecord);
    await repository.insert(repository.create(recordOf(subjectId, fields)));
  }

  async function run(caller: Caller, subjectId: string, matter: string, caseNumber: string): Promise<string> {
    const result = await records.queryAs<{ runCreditCheck: { id: string } }>(identity(caller, { matter, caseNumber }), `mutation($input: RunCreditCheckInput!) { runCreditCheck(input: $input) { id } }`, {
      input: { subjectId, matter, caseNumber },
    });
    expect(result.errors).toBeUndefined();
    checks.set(caseNumber, result.data!.runCreditCheck.id);
    caseOf.set(result.data!.runCreditCheck.id, caseNumber);
    return result.data!.runCreditCheck.id;
  }

  async function feedback(caller: Caller, matter: string, caseNumber: string, appliedMeasures: string[], note: string | null = null): Promise<void> {
    const result = await records.queryAs(identity(caller, { matter, caseNumber }), `mutation($input: CheckFeedbackInput!) { recordCheckFeedback(input: $input) { id } }`, {
      input: { checkId: checks.get(caseNumber), appliedMeasures, note },
    });
    expect(result.errors).toBeUndefined();
  }

  const ledger = (as: RequestIdentity, filter: Record<string, unknown>) => records.queryAs<Ledger>(as, LEDGER, filter);
  const cases = (answer: Awaited<ReturnType<typeof ledger>>) => answer.data!.creditChecks!.edges.map((e) => e.node.caseNumber).sort();

  beforeAll(async () => {
    await seedEntities(entities.db(), world);
    await addRecord(red.id, { category: 'RED_LIST_HONOUR', polarity: 'POSITIVE', severity: null, disclosureEndsAt: null, sourceDepartment: 'HUMAN_RESOURCES' });
    await addRecord(listed.id, { category: 'SERIOUS_DISHONESTY_LIST', severity: null, disclosureEndsAt: addMonths(todayInDistrict(), 24) });
    await addRecord(mixed.id, { category: 'RED_LIST_HONOUR', polarity: 'POSITIVE', severity: null, disclosureEndsAt: null, sourceDepartment: 'HUMAN_RESOURCES' });
    await addRecord(mixed.id, {});
    const GP = 'GOVERNMENT_PROCUREMENT';
    for (const [caseNumber, subject] of [['CK-1', red], ['CK-2', listed], ['CK-3', listed], ['CK-4', mixed], ['CK-5', mixed], ['CK-6', mixed], ['CK-7', clean], ['CK-8', red]] as const) {
      await run(finance, subject.id, GP, caseNumber);
    }
    reportsDown = true;
    await run(finance, listed.id, GP, 'CK-9');
    reportsDown = false;
    await run(taxation, listed.id, 'TAX_INCENTIVES', 'TX-1');
    await feedback(finance, GP, 'CK-1', [], '本项目不设评审优先');
    await feedback(finance, GP, 'CK-2', [], '领导特批，未限制参与');
    await feedback(finance, GP, 'CK-3', ['EXCLUSION']);
    await feedback(finance, GP, 'CK-4', ['REFERENCE_NOTED'], '评分办法未设加分项');
    await feedback(finance, GP, 'CK-5', ['EVALUATION_PREFERENCE'], '处罚轻微，未作参考');
    await feedback(finance, GP, 'CK-7', []);
    await feedback(finance, GP, 'CK-8', ['EVALUATION_PREFERENCE']);
    await feedback(taxation, 'TAX_INCENTIVES', 'TX-1', [], '已享受优惠');
  });

  it('stores the verdicts the constructed set is built on (CK-9 unsealed)', async () => {
    const rows = (await records.db().query('SELECT case_number AS c, verdict AS v FROM credit_check')) as { c: string; v: string | null }[];
    expect(Object.fromEntries(rows.map((r) => [r.c, r.v]))).toEqual({
      'CK-1': 'ELIGIBLE_WITH_INCENTIVES', 'CK-2': 'EXCLUDED', 'CK-3': 'EXCLUDED', 'CK-4': 'ELIGIBLE_WITH_INCENTIVES', 'CK-5': 'ELIGIBLE_WITH_INCENTIVES',
      'CK-6': 'ELIGIBLE_WITH_INCENTIVES', 'CK-7': 'ELIGIBLE', 'CK-8': 'ELIGIBLE_WITH_INCENTIVES', 'CK-9': null, 'TX-1': 'EXCLUDED',
    });
  });

  describe('creditCheckStatistics', () => {
    const period = () => ({ from: addDays(todayInDistrict(), -2) + 'T00:00:00+08:00', to: addDays(todayInDistrict(), 2) + 'T00:00:00+08:00' });

    // Both rows concern fewer than five subjects (FINANCE's four, TAXATION's one): the one statement
    // that counts them, and one more that finds their checks to audit as reads of their findings.
    it('splits what was called for and applied by the catalogue’s polarity, the totals unchanged, in one SQL statement (and one for the small rows’ checks)', async () => {
      let answer: Awaited<ReturnType<typeof records.queryAs>> | undefined;
      const selects = await records.sql.selectsDuring(async () => {
        answer = await records.queryAs(creditOffice, STATISTICS, period());
      });
      expect(answer!.errors).toBeUndefined();
      expect(selects).toBe(2);
      const rows = (answer!.data as { creditCheckStatistics: Record<string, unknown>[] }).creditCheckStatistics;
      expect(rows).toEqual([
        {
          department: { code: 'FINANCE' }, matter: 'GOVERNMENT_PROCUREMENT', checks: 9, withFeedback: 7,
          // CK-2..6, CK-9 call for a punishment (CK-4..6 also an incentive; CK-1, CK-8 an incentive only).
          measuresCalledFor: 11, measuresApplied: 4, shareApplied: 4 / 11,
          punishment: { polarity: 'PUNISHMENT', calledFor: 6, applied: 2, shareApplied: 2 / 6, checksNotApplied: 2 },
          incentive: { polarity: 'INCENTIVE', calledFor: 5, applied: 2, shareApplied: 2 / 5, checksNotApplied: 2 },
        },
        {
          department: { code: 'TAXATION' }, matter: 'TAX_INCENTIVES', checks: 1, withFeedback: 1,
          measuresCalledFor: 1, measuresApplied: 0, shareApplied: 0,
          punishment: { polarity: 'PUNISHMENT', calledFor: 1, applied: 0, shareApplied: 0, checksNotApplied: 1 },
          incentive: { polarity: 'INCENTIVE', calledFor: 0, applied: 0, shareApplied: null, checksNotApplied: 0 },
        },
      ]);
    });

    it('counts checksNotApplied as the ledger’s measuresNotApplied filter lists them', async () => {
      const rows = ((await records.queryAs(creditOffice, STATISTICS, period())).data as { creditCheckStatistics: { department: { code: string }; matter: string; punishment: { checksNotApplied: number }; incentive: { checksNotApplied: number } }[] }).creditCheckStatistics;
      for (const row of rows) {
        for (const polarity of ['PUNISHMENT', 'INCENTIVE'] as const) {
          const listed = await ledger(creditOffice, { department: row.department.code, matter: row.matter, measuresNotApplied: true, notAppliedPolarity: polarity, ...period() });
          expect(listed.data!.creditChecks!.totalCount).toBe(row[polarity === 'PUNISHMENT' ? 'punishment' : 'incentive'].checksNotApplied);
        }
      }
    });

    it('audits every check of a row about fewer than five subjects as a read of its findings, as the findings filters do', async () => {
      const answer = await records.queryAs(creditOffice, STATISTICS, period());
      const filtered = await ledger(creditOffice, { measuresNotApplied: false, first: 100 });
      const listedAll = await ledger(creditOffice, { verdict: 'EXCLUDED', first: 100 });
      const eligible = await ledger(creditOffice, { verdict: 'ELIGIBLE_WITH_INCENTIVES', first: 100 });
      const bySubject = (disclosures: unknown) => new Map((disclosures as { subjectId: string; groups: string[] }[]).map((d) => [d.subjectId, [...d.groups].sort()]));
      // The same groups per subject as the findings filters record for the checks they list.
      const expected = new Map([...bySubject(filtered.extensions?.disclosures), ...bySubject(listedAll.extensions?.disclosures), ...bySubject(eligible.extensions?.disclosures)]);
      expect([...expected.keys()].sort()).toEqual([red.id, listed.id, mixed.id, clean.id].sort());
      expect(bySubject(answer.extensions?.disclosures)).toEqual(expected);
      expect(expected.get(listed.id)).toEqual(['CREDIT_CHECK_LEDGER', 'DISHONESTY_LISTS']);
    });

    it('is refused without x-credit-matter CREDIT_SUPERVISION, as the findings filters are, and audits no one', async () => {
      const answer = await records.queryAs(creditOfficeUnstated, STATISTICS, period());
      expect(answer.data?.creditCheckStatistics ?? null).toBeNull();
      // The group only that purpose grants: the supervisor's standing grants (the ledger's own) are not enough.
      expect(answer.errors?.map((e) => e.extensions)).toEqual([expect.objectContaining({ code: 'FORBIDDEN', problem: 'GROUP_NOT_GRANTED', group: 'SUPERVISION_STATISTICS' })]);
      expect(answer.extensions?.disclosures ?? []).toEqual([]);
      const otherMatter = await records.queryAs(identity(supervisorCaller, { matter: 'STATISTICAL_ANALYSIS' }), STATISTICS, period());
      expect(otherMatter.errors?.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
    });

    it('counts whole district days only: a window cut around one check by the millisecond is BAD_USER_INPUT naming the bound and the nearest midnight', async () => {
      // The probe: a check's instant, read from the ledger's line, which needs no purpose.
      const line = await records.queryAs<{ creditChecks: { edges: { node: { checkedAt: string } }[] } }>(creditOfficeUnstated, `{ creditChecks(caseNumber: "CK-2") { edges { node { checkedAt } } } }`);
      const checkedAt = new Date(line.data!.creditChecks.edges[0].node.checkedAt);
      const nearestDay = todayInDistrict(new Date(checkedAt.getTime() + 12 * 3_600_000));
      const midnight = new Date(`${todayInDistrict()}T00:00:00+08:00`);
      for (const [from, to, field] of [
        [checkedAt, new Date(checkedAt.getTime() + 1), 'from'],
        [midnight, new Date(midnight.getTime() + 1), 'to'],
        [new Date(`${todayInDistrict()}T00:00:00Z`), new Date(`${addDays(todayInDistrict(), 1)}T00:00:00+08:00`), 'from'],
      ] as const) {
        const answer = await records.queryAs(creditOffice, STATISTICS, { from: from.toISOString(), to: to.toISOString() });
        expect(answer.data?.creditCheckStatistics ?? null).toBeNull();
        expect(answer.errors?.map((e) => e.extensions)).toEqual([expect.objectContaining({ code: 'BAD_USER_INPUT', field })]);
        expect(answer.errors?.[0].message).toContain('whole district days');
        expect(answer.extensions?.disclosures ?? []).toEqual([]);
      }
      const probe = await records.queryAs(creditOffice, STATISTICS, { from: checkedAt.toISOString(), to: new Date(checkedAt.getTime() + 1).toISOString() });
      expect(probe.errors?.[0].message).toContain(`the nearest is ${nearestDay}T00:00:00+08:00`);
      const empty = await records.queryAs(creditOffice, STATISTICS, { from: midnight.toISOString(), to: midnight.toISOString() });
      expect(empty.errors?.map((e) => e.extensions)).toEqual([expect.objectContaining({ code: 'BAD_USER_INPUT', field: 'to' })]);
    });

    it('is one GROUP BY of plain derived-table columns, valid under ONLY_FULL_GROUP_BY (MySQL 8.4’s default)', async () => {
      const { sql, params } = checkStatisticsStatement(records.db(), new Date(Date.now() - 86_400_000), new Date(Date.now() + 86_400_000));
      // MariaDB lets a merged derived table's column through where MySQL 8 refuses it: so also
      // read the statement. Outside the derived table, every column is grouped by or summed.
      const [outer, inner] = sql.split(/ FROM \(/);
      const groupBy = sql.slice(sql.lastIndexOf(' GROUP BY ') + ' GROUP BY '.length).split(', ');
      expect(inner).toMatch(/\) c GROUP BY /);
      const selected = outer.replace(/^SELECT /, '').split(/, (?![^(]*\))/);
      const plain = selected.map((item) => item.replace(/ AS .*$/, '')).filter((expression) => !/^(COUNT|SUM)\(/.test(expression));
      expect(plain.sort()).toEqual([...groupBy].sort());
      const runner = records.db().createQueryRunner();
      try {
        if (database.label === 'mysql') await runner.query("SET SESSION sql_mode = 'ONLY_FULL_GROUP_BY,STRICT_TRANS_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION'");
        const rows = (await runner.query(sql, params)) as { checks: unknown }[];
        expect(rows.map((r) => Number(r.checks)).sort()).toEqual([1, 9]);
      } finally {
        await runner.release();
      }
    });
  });

  describe('creditChecks filters, for the credit office under supervision', () => {
    it.each([
      ['caseNumber', { caseNumber: 'CK-2' }, ['CK-2']],
      ['caseNumber, trimmed', { caseNumber: ' CK-2 ' }, ['CK-2']],
      ['caseNumber of a case that read subjects but ran no check', { caseNumber: 'BDH-CG-2026-0999' }, []],
      // CK-9 is unsealed, but EXCLUSION decides its verdict whatever the report shows.
      ['verdict EXCLUDED', { verdict: 'EXCLUDED' }, ['CK-2', 'CK-3', 'CK-9', 'TX-1']],
      ['verdict ELIGIBLE', { verdict: 'ELIGIBLE' }, ['CK-7']],
      ['verdict ELIGIBLE_WITH_INCENTIVES', { verdict: 'ELIGIBLE_WITH_INCENTIVES' }, ['CK-1', 'CK-4', 'CK-5', 'CK-6', 'CK-8']],
      ['verdict NEEDS_STRICT_REVIEW', { verdict: 'NEEDS_STRICT_REVIEW' }, []],
      ['measuresNotApplied', { measuresNotApplied: true }, ['CK-1', 'CK-2', 'CK-4', 'CK-5', 'TX-1']],
      ['measuresNotApplied of punishments', { measuresNotApplied: true, notAppliedPolarity: 'PUNISHMENT' }, ['CK-2', 'CK-5', 'TX-1']],
      ['measuresNotApplied of incentives', { measuresNotApplied: true, notAppliedPolarity: 'INCENTIVE' }, ['CK-1', 'CK-4']],
      ['measuresNotApplied false (all applied, feedback reported)', { measuresNotApplied: false }, ['CK-3', 'CK-7', 'CK-8']],
      ['verdict and punishments not applied: the excluded subject admitted', { verdict: 'EXCLUDED', measuresNotApplied: true, notAppliedPolarity: 'PUNISHMENT' }, ['CK-2', 'TX-1']],
      ['the same, in one department', { department: 'FINANCE', verdict: 'EXCLUDED', measuresNotApplied: true, notAppliedPolarity: 'PUNISHMENT' }, ['CK-2']],
      ['verdict and case number', { verdict: 'EXCLUDED', caseNumber: 'CK-3' }, ['CK-3']],
      ['verdict and case number that disagree', { verdict: 'ELIGIBLE', caseNumber: 'CK-3' }, []],
      ['verdict and withoutFeedback', { verdict: 'EXCLUDED', withoutFeedback: true }, ['CK-9']],
      ['measuresNotApplied and matter', { matter: 'TAX_INCENTIVES', measuresNotApplied: true }, ['TX-1']],
      // Codes, read as every code typed is: in any letter case and width, trimmed.
      ['a department typed in lower case and full width', { department: '\u3000ｆｉｎａｎｃｅ ', verdict: 'EXCLUDED', measuresNotApplied: true, notAppliedPolarity: 'PUNISHMENT' }, ['CK-2']],
      ['a matter typed in lower case', { matter: ' tax_incentives', measuresNotApplied: true }, ['TX-1']],
    ])('filters by %s', async (_label, filter, expected) => {
      const answer = await ledger(creditOffice, { ...filter, first: 100 });
      expect(answer.errors).toBeUndefined();
      expect(cases(answer)).toEqual(expected);
      expect(answer.data!.creditChecks!.totalCount).toBe(expected.length);
    });

    it('pages a filtered list by the filtered checks: page size, totalCount and cursors', async () => {
      const filter = { department: 'FINANCE', measuresNotApplied: true };
      const first = await ledger(creditOffice, { ...filter, first: 3 });
      expect(first.data!.creditChecks!.edges).toHaveLength(3);
      expect(first.data!.creditChecks!.totalCount).toBe(4);
      expect(first.data!.creditChecks!.pageInfo.hasNextPage).toBe(true);
      const second = await ledger(creditOffice, { ...filter, first: 3, after: first.data!.creditChecks!.pageInfo.endCursor });
      expect(second.errors).toBeUndefined();
      expect(second.data!.creditChecks!.edges).toHaveLength(1);
      expect(second.data!.creditChecks!.totalCount).toBe(4);
      expect(second.data!.creditChecks!.pageInfo.hasNextPage).toBe(false);
      expect([...cases(first), ...cases(second)].sort()).toEqual(['CK-1', 'CK-2', 'CK-4', 'CK-5']);
      // Newest first, as the unfiltered ledger.
      const order = [...first.data!.creditChecks!.edges, ...second.data!.creditChecks!.edges].map((e) => e.node.caseNumber);
      expect(order).toEqual(['CK-5', 'CK-4', 'CK-2', 'CK-1']);
      // A cursor of one filtered list opens no other.
      for (const other of [{ ...filter, notAppliedPolarity: 'PUNISHMENT' }, { department: 'FINANCE' }, { ...filter, verdict: 'EXCLUDED' }, { ...filter, caseNumber: 'CK-2' }]) {
        const reused = await ledger(creditOffice, { ...other, first: 3, after: first.data!.creditChecks!.pageInfo.endCursor });
        expect(reused.errors?.map((e) => e.extensions?.code)).toEqual(['INVALID_CURSOR']);
      }
    });

    it('audits each check listed by what it found as a read of its findings', async () => {
      const answer = await ledger(creditOffice, { verdict: 'EXCLUDED', caseNumber: 'CK-2' });
      expect(answer.extensions?.disclosures).toEqual([{ subjectId: listed.id, groups: ['CREDIT_CHECK_LEDGER', 'DISHONESTY_LISTS'] }]);
      const line = await ledger(creditOffice, { caseNumber: 'CK-2' });
      expect(line.extensions?.disclosures).toEqual([{ subjectId: listed.id, groups: ['CREDIT_CHECK_LEDGER'] }]);
    });

    it.each([
      ['a blank case number', { caseNumber: '  ' }, 'caseNumber'],
      ['a case number longer than any', { caseNumber: 'C'.repeat(101) }, 'caseNumber'],
      // Pasted with it, as the gateway refuses in x-credit-case: no case could be named so.
      ['a case number holding a zero-width space', { caseNumber: 'CK-2\u200b' }, 'caseNumber'],
      ['a case number holding a direction override', { caseNumber: 'CK-\u202e2' }, 'caseNumber'],
      ['a polarity without measuresNotApplied: true', { notAppliedPolarity: 'PUNISHMENT' }, 'notAppliedPolarity'],
      ['a polarity with measuresNotApplied: false', { measuresNotApplied: false, notAppliedPolarity: 'PUNISHMENT' }, 'notAppliedPolarity'],
    ])('refuses %s with BAD_USER_INPUT, not an empty list', async (_label, filter, field) => {
      const answer = await ledger(creditOffice, filter);
      expect(answer.data?.creditChecks).toBeNull();
      expect(answer.errors?.map((e) => e.extensions)).toEqual([expect.objectContaining({ code: 'BAD_USER_INPUT', field })]);
    });

    it('refuses the findings filters without the supervision purpose, as reading the findings is; the case number is a ledger line', async () => {
      for (const filter of [{ verdict: 'EXCLUDED' }, { measuresNotApplied: true }, { measuresNotApplied: false }, { verdict: 'NEEDS_STRICT_REVIEW' }]) {
        const answer = await ledger(creditOfficeUnstated, filter);
        expect(answer.data?.creditChecks).toBeNull();
        expect(answer.errors?.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
        expect(answer.errors?.[0].message).toContain('CREDIT_SUPERVISION');
      }
      expect(cases(await ledger(creditOfficeUnstated, { caseNumber: 'CK-2' }))).toEqual(['CK-2']);
    });
  });

  describe('creditChecks filters, for a department', () => {
    const inCase = (caller: Caller, matter: string, caseNumber: string) => identity(caller, { matter, caseNumber });

    it('finds its own checks by case number without a purpose, never another department’s', async () => {
      expect(cases(await ledger(identity(finance, null), { caseNumber: 'CK-2' }))).toEqual(['CK-2']);
      const other = await ledger(identity(taxation, null), { caseNumber: 'CK-2' });
      expect(other.errors).toBeUndefined();
      expect(other.data!.creditChecks!.totalCount).toBe(0);
      expect(cases(await ledger(identity(taxation, null), { caseNumber: 'TX-1' }))).toEqual(['TX-1']);
    });

    it('matches a case number exactly, as the audit log keeps it: letter case makes another case', async () => {
      for (const other of ['ck-2', 'Ck-2', 'ｃｋ－２']) {
        const answer = await ledger(identity(finance, null), { caseNumber: other });
        expect({ other, errors: answer.errors, totalCount: answer.data?.creditChecks?.totalCount }).toEqual({ other, errors: undefined, totalCount: 0 });
      }
    });

    it('takes a case number typed in full width for the case itself, as the gateway takes x-credit-case', async () => {
      for (const same of ['ＣＫ-2', 'CK－2', '\u3000ＣＫ－２\u3000']) {
        const answer = await ledger(identity(finance, null), { caseNumber: same });
        expect({ same, errors: answer.errors, cases: answer.data && cases(answer) }).toEqual({ same, errors: undefined, cases: ['CK-2'] });
      }
    });

    it('refuses a blank case number beside a findings filter as bad input, as without one, not as another case', async () => {
      const answer = await ledger(inCase(finance, 'GOVERNMENT_PROCUREMENT', 'CK-2'), { verdict: 'EXCLUDED', caseNumber: '  ' });
      expect(answer.errors?.map((e) => e.extensions)).toEqual([expect.objectContaining({ code: 'BAD_USER_INPUT', field: 'caseNumber' })]);
    });

    it('filters by what its checks found in the case its request names, and lists that case’s checks only', async () => {
      const answer = await ledger(inCase(finance, 'GOVERNMENT_PROCUREMENT', 'CK-2'), { verdict: 'EXCLUDED', measuresNotApplied: true, notAppliedPolarity: 'PUNISHMENT' });
      expect(answer.errors).toBeUndefined();
      expect(cases(answer)).toEqual(['CK-2']);
      expect(answer.data!.creditChecks!.totalCount).toBe(1);
      const admitted = await ledger(inCase(finance, 'GOVERNMENT_PROCUREMENT', 'CK-3'), { verdict: 'EXCLUDED', measuresNotApplied: true });
      expect(admitted.data!.creditChecks!.totalCount).toBe(0);
      expect(cases(await ledger(inCase(finance, 'GOVERNMENT_PROCUREMENT', 'CK-3'), { verdict: 'EXCLUDED', caseNumber: 'CK-3', matter: 'GOVERNMENT_PROCUREMENT' }))).toEqual(['CK-3']);
    });

    it('reads its own department and its case’s matter typed in any letter case and width, trimmed, as every code typed is', async () => {
      for (const [department, matter] of [['finance', 'government_procurement'], [' Finance ', 'Government_Procurement'], ['ＦＩＮＡＮＣＥ', '\u3000ｇｏｖｅｒｎｍｅｎｔ＿ｐｒｏｃｕｒｅｍｅｎｔ']]) {
        const answer = await ledger(inCase(finance, 'GOVERNMENT_PROCUREMENT', 'CK-3'), { verdict: 'EXCLUDED', caseNumber: 'CK-3', department, matter });
        expect({ department, matter, errors: answer.errors, cases: answer.data && cases(answer) }).toEqual({ department, matter, errors: undefined, cases: ['CK-3'] });
      }
    });

    it.each([
      ['without a purpose', () => identity(finance, null), { verdict: 'EXCLUDED' }],
      ['without a purpose, by measures not applied', () => identity(finance, null), { measuresNotApplied: true }],
      // Nothing listed would be refused one by one: the count alone would tell what the checks found.
      ['without a purpose, even when none would be listed', () => identity(finance, null), { verdict: 'NEEDS_STRICT_REVIEW' }],
      ['for another case than its request names', () => inCase(finance, 'GOVERNMENT_PROCUREMENT', 'CK-2'), { verdict: 'EXCLUDED', caseNumber: 'CK-3' }],
      ['for another matter than its request names', () => inCase(finance, 'GOVERNMENT_PROCUREMENT', 'CK-2'), { measuresNotApplied: true, matter: 'FISCAL_SUPPORT' }],
      ['for another department', () => inCase(finance, 'GOVERNMENT_PROCUREMENT', 'CK-2'), { department: 'TAXATION', verdict: 'EXCLUDED' }],
    ])('refuses the findings filters %s', async (_label, as, filter) => {
      const answer = await ledger(as(), filter);
      expect(answer.data?.creditChecks).toBeNull();
      expect(answer.errors?.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
    });

    it('never lists another department’s checks, whatever the filters and the case it names', async () => {
      const financeIds = new Set([...checks.entries()].filter(([c]) => c.startsWith('CK-')).map(([, id]) => id));
      // Another department naming FINANCE's case as its purpose lists its own checks of that case: none.
      for (const filter of [{ verdict: 'EXCLUDED' }, { measuresNotApplied: true }, { measuresNotApplied: true, notAppliedPolarity: 'PUNISHMENT' }, { caseNumber: 'CK-2', verdict: 'EXCLUDED' }]) {
        const answer = await ledger(inCase(taxation, 'GOVERNMENT_PROCUREMENT', 'CK-2'), filter);
        const ids = answer.data?.creditChecks?.edges.map((e) => e.node.id) ?? [];
        expect(ids.filter((id) => financeIds.has(id))).toEqual([]);
        expect(answer.data?.creditChecks?.totalCount ?? 0).toBe(0);
      }
      // In its own case, its own check.
      const own = await ledger(inCase(taxation, 'TAX_INCENTIVES', 'TX-1'), { measuresNotApplied: true, notAppliedPolarity: 'PUNISHMENT' });
      expect(own.data!.creditChecks!.edges.map((e) => [e.node.caseNumber, e.node.department.code])).toEqual([['TX-1', 'TAXATION']]);
    });

    it('keeps the credit office’s statistics from departments', async () => {
      const answer = await records.queryAs(inCase(finance, 'GOVERNMENT_PROCUREMENT', 'CK-2'), STATISTICS, { from: '2000-01-01T00:00:00Z', to: '2100-01-01T00:00:00Z' });
      expect(answer.errors?.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
    });

    // Last: it adds a check of its own.
    it('runs a check named by a case number typed in full width under that case, and stores it half-width', async () => {
      const result = await records.queryAs<{ runCreditCheck: { id: string; caseNumber: string } }>(
        inCase(finance, 'GOVERNMENT_PROCUREMENT', 'CK-FW'),
        `mutation($input: RunCreditCheckInput!) { runCreditCheck(input: $input) { id caseNumber } }`,
        { input: { subjectId: clean.id, matter: 'GOVERNMENT_PROCUREMENT', caseNumber: '\u3000ＣＫ－ＦＷ ' } },
      );
      expect(result.errors).toBeUndefined();
      expect(result.data!.runCreditCheck.caseNumber).toBe('CK-FW');
      expect(cases(await ledger(identity(finance, null), { caseNumber: 'CK-FW' }))).toEqual(['CK-FW']);
    });

    it('refuses a check whose case number holds an invisible character as bad input naming it, quoted visibly, and stores nothing', async () => {
      const before = await records.db().getRepository(CreditCheck).count();
      for (const caseNumber of ['CK-2\u200b', 'CK-\u202e2']) {
        const result = await records.queryAs(inCase(finance, 'GOVERNMENT_PROCUREMENT', 'CK-2'), `mutation($input: RunCreditCheckInput!) { runCreditCheck(input: $input) { id } }`, {
          input: { subjectId: clean.id, matter: 'GOVERNMENT_PROCUREMENT', caseNumber },
        });
        expect(result.errors?.map((e) => e.extensions)).toEqual([expect.objectContaining({ code: 'BAD_USER_INPUT', field: 'caseNumber' })]);
        expect(result.errors?.[0].message).not.toMatch(/[\u200b\u202e]/);
      }
      expect(await records.db().getRepository(CreditCheck).count()).toBe(before);
    });

    it('runs a check named by a matter typed in any letter case and width, trimmed, under that matter, and stores the code', async () => {
      for (const [matter, caseNumber] of [['government_procurement', 'CK-LC'], [' Government_Procurement ', 'CK-MC'], ['\u3000ＧＯＶＥＲＮＭＥＮＴ＿ＰＲＯＣＵＲＥＭＥＮＴ', 'CK-FM']]) {
        const result = await records.queryAs<{ runCreditCheck: { matter: string; caseNumber: string } }>(
          inCase(finance, 'GOVERNMENT_PROCUREMENT', caseNumber),
          `mutation($input: RunCreditCheckInput!) { runCreditCheck(input: $input) { matter caseNumber } }`,
          { input: { subjectId: clean.id, matter, caseNumber } },
        );
        expect({ matter, errors: result.errors, check: result.data?.runCreditCheck }).toEqual({ matter, errors: undefined, check: { matter: 'GOVERNMENT_PROCUREMENT', caseNumber } });
      }
    });
  });
});

/**
 * A subject's counting records are not bounded, and a check keeps them all, with the records that
 * trigger each measure: 1,700 general penalties with 500-character summaries make some 3 MB of
 * snapshot and, in FISCAL_SUPPORT, a REFERENCE_NOTED measure naming 1,700 records (66 KB); both
 * overflowed the 64 KB TEXT columns they were in on MySQL. The report's good grade adds two
 * incentives when the verdict is sealed, which the ledger then finds among those called for.
 */
describe.each(testDatabases)('a credit check of a subject with many counting records on $label', (database) => {
  const reports: ReportFindings = { forChecks: async (checks) => checks.map(() => ({ satisfied: true, goodGrade: true })) };
  const entities = useSubgraph(entitiesSubgraph, database, 'ckmany_subjects');
  const records = useSubgraph(createRecordsSubgraph({ subjects: new CountingDirectory(() => entities.url()), reports }), database, 'ckmany');
  const inCase = identity(finance, { matter: 'FISCAL_SUPPORT', caseNumber: 'FS-1' });
  const penalties = Array.from({ length: 1700 }, (_, i) => recordOf(muchPenalised.id, { summary: `第${i}号处罚：${'未按规定公示年度报告'.repeat(60)}`.slice(0, 500) }));
  /** Newest decision first, as the check lists them: all of one day, so by id, descending. */
  const newestFirst = penalties.map((r) => r.id!).sort().reverse();

  beforeAll(async () => {
    await seedEntities(entities.db(), world);
    const repository = records.db().getRepository(CreditRecord);
    for (let start = 0; start < penalties.length; start += 200) await repository.insert(penalties.slice(start, start + 200).map((r) => repository.create(r)));
  });

  it('is stored, and reads back every record it considered and every record that triggered its measures', async () => {
    const run = await records.queryAs<{ runCreditCheck: { id: string; verdict: string } }>(inCase, `mutation($input: RunCreditCheckInput!) { runCreditCheck(input: $input) { id verdict } }`, {
      input: { subjectId: muchPenalised.id, matter: 'FISCAL_SUPPORT', caseNumber: 'FS-1' },
    });
    expect(run.errors).toBeUndefined();
    expect(run.data!.runCreditCheck.verdict).toBe('ELIGIBLE_WITH_INCENTIVES');
    const read = await records.queryAs<{ creditCheck: { recordsConsidered: { recordId: string; summary: string }[]; measures: { kind: string; situation: string; triggeredBy: { recordId: string }[] }[] } }>(
      inCase,
      `query($id: ID!) { creditCheck(id: $id) { recordsConsidered { recordId summary } measures { kind situation triggeredBy { recordId } } } }`,
      { id: run.data!.runCreditCheck.id },
    );
    expect(read.errors).toBeUndefined();
    const summaries = new Map(penalties.map((r) => [r.id, r.summary]));
    expect(read.data!.creditCheck.recordsConsidered).toEqual(newestFirst.map((recordId) => ({ recordId, summary: summaries.get(recordId) })));
    expect(read.data!.creditCheck.measures.map((m) => ({ ...m, triggeredBy: m.triggeredBy.map((r) => r.recordId) }))).toEqual([
      { kind: 'REFERENCE_NOTED', situation: 'GENERAL_NEGATIVE', triggeredBy: newestFirst },
      { kind: 'KEY_SUPPORT', situation: 'GOOD_REPORT_GRADE', triggeredBy: [] },
      { kind: 'PRIORITY_HANDLING', situation: 'GOOD_REPORT_GRADE', triggeredBy: [] },
    ]);
  });

  it('is found by the kinds its sealed measures call for, in the ledger and in the statistics', async () => {
    const ledger = async (filter: Record<string, unknown> = {}) => {
      const answer = await records.queryAs<Ledger>(creditOffice, LEDGER, filter);
      expect(answer.errors).toBeUndefined();
      return answer.data!.creditChecks!;
    };
    const feedback = await records.queryAs(inCase, `mutation($input: CheckFeedbackInput!) { recordCheckFeedback(input: $input) { id } }`, {
      input: { checkId: (await ledger()).edges[0].node.id, appliedMeasures: ['REFERENCE_NOTED'], note: '资金已拨付，未设激励' },
    });
    expect(feedback.errors).toBeUndefined();
    expect((await ledger({ measuresNotApplied: true, notAppliedPolarity: 'INCENTIVE' })).totalCount).toBe(1);
    expect((await ledger({ measuresNotApplied: true, notAppliedPolarity: 'PUNISHMENT' })).totalCount).toBe(0);
    expect((await ledger({ verdict: 'ELIGIBLE_WITH_INCENTIVES' })).totalCount).toBe(1);
    const period = { from: addDays(todayInDistrict(), -2) + 'T00:00:00+08:00', to: addDays(todayInDistrict(), 2) + 'T00:00:00+08:00' };
    const statistics = await records.queryAs<{ creditCheckStatistics: Record<string, unknown>[] }>(creditOffice, STATISTICS, period);
    expect(statistics.data?.creditCheckStatistics).toEqual([
      expect.objectContaining({
        checks: 1, measuresCalledFor: 3, measuresApplied: 1,
        punishment: { polarity: 'PUNISHMENT', calledFor: 1, applied: 1, shareApplied: 1, checksNotApplied: 0 },
        incentive: { polarity: 'INCENTIVE', calledFor: 2, applied: 0, shareApplied: 0, checksNotApplied: 1 },
      }),
    ]);

  });
});
