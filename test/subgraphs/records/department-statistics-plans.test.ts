import { randomUUID } from 'node:crypto';
import { addDays, startOfDistrictDay, todayInDistrict } from '../../../lib/calendar';
import { buildCreditRecord } from '../../../subgraphs/records/credit-record.repository';
import { CreditRecord } from '../../../subgraphs/records/entities/credit-record.entity';
import { CreditRecordEvent } from '../../../subgraphs/records/entities/credit-record-event.entity';
import { CreditRecordObjection } from '../../../subgraphs/records/entities/credit-record-objection.entity';
import { RestorationApplication } from '../../../subgraphs/records/entities/restoration-application.entity';
import { recordEvent } from '../../../subgraphs/records/record-history';
import { recordsSubgraph } from '../../../subgraphs/records/subgraph';
import { insertMany } from '../../../subgraphs/shared/bulk-insert';
import { testDatabases } from '../../helpers/databases';
import { plansOf, statementsDuring } from '../../helpers/query-plans';
import { useSubgraph } from '../../helpers/subgraph';
import { creditOffice } from './records-harness';

/**
 * `departmentHandlingStatistics` reads each of its periods from an index
 * (migrations/1764000000170-index-handling-periods.ts), never by reading a whole table: the plan
 * of each statement it sends, as MariaDB's EXPLAIN and SQLite's EXPLAIN QUERY PLAN tell it, over
 * years of history of which the period is a month. The records entered and the corrections are
 * counted from their index alone (covering), without reading the rows.
 */
const today = todayInDistrict();
const from = addDays(today, -90);
const to = addDays(today, -60);
const at = (isoDate: string, hours = 10) => new Date(startOfDistrictDay(isoDate).getTime() + hours * 3_600_000);
/** A day of the history before the period: `n` spread over about five years. */
const before = (n: number) => addDays(from, -2 - (n % 1800));
const departments = ['MARKET_REGULATION', 'FINANCE', 'TAXATION', 'ECOLOGY_ENVIRONMENT'];

/** What each statement reads its period from, by the table it counts (aliased `t`, or `e` for events). */
const expected = [
  { table: 'credit_record_event', alias: 'e', index: 'IDX_credit_record_event_kind_occurred_at', covering: true },
  { table: 'credit_record_objection', alias: 't', index: 'IDX_credit_record_objection_decided_submitted', covering: false },
  { table: 'restoration_application', alias: 't', index: 'IDX_restoration_application_submitted_at', covering: false },
  { table: 'credit_record', alias: 't', index: 'IDX_credit_record_recorded_at_department', covering: true },
];
const countedTable = (sql: string) => expected.find((e) => new RegExp(`FROM [\`"]${e.table}[\`"] ${e.alias}\\b`).test(sql));

describe.each(testDatabases)('departmentHandlingStatistics reads its periods from indexes on $label', (database) => {
  const records = useSubgraph(recordsSubgraph, database, 'deptplans');
  const subjectId = randomUUID();

  beforeAll(async () => {
    // Five years of history before the period, and a few cases in it.
    const history: CreditRecord[] = [];
    for (let n = 0; n < 2400; n += 1) {
      const recordedOn = n < 2380 ? before(n) : addDays(from, n % 30);
      history.push(
        buildCreditRecord(
          {
            subjectId, category: 'ADMINISTRATIVE_PENALTY', polarity: 'NEGATIVE', severity: 'GENERAL', sourceDepartment: departments[n % departments.length],
            documentNumber: `计划〔${n}〕号`, decisionDate: addDays(recordedOn, -3), summary: '未按规定公示年度报告，罚款5000元',
          },
          { id: randomUUID(), recordedAt: at(recordedOn), today },
        ),
      );
    }
    const manager = records.db().manager;
    await insertMany(manager, CreditRecord, history);
    const actor = { userId: 'officer', organisation: 'MARKET_REGULATION' };
    await insertMany(manager, CreditRecordEvent, history.flatMap((r, n) => [
      recordEvent(r.id, 'CREATED', actor, r.recordedAt),
      recordEvent(r.id, 'CORRECTED', actor, n % 100 === 0 ? at(addDays(from, 3)) : new Date(r.recordedAt.getTime() + 86_400_000)),
    ]));
    // Objections decided within a week of filing, years ago; a few pending since before the period.
    await insertMany(manager, CreditRecordObjection, history.slice(0, 1500).map((r, n) => {
      const pending = n % 150 === 0;
      const submittedAt = pending ? at(addDays(from, -10 + (n % 20))) : r.recordedAt;
      return Object.assign(new CreditRecordObjection(), {
        id: randomUUID(), recordId: r.id, subjectId, sourceDepartment: r.sourceDepartment, status: pending ? 'SUBMITTED' : 'ACCEPTED', reason: '处罚对象认定有误',
        submittedBy: 'window', submittedByOrganisation: 'CREDIT_OFFICE', submittedAt, resolution: pending ? null : 'CORRECTED',
        decidedBy: pending ? null : 'officer', decidedByOrganisation: pending ? null : r.sourceDepartment, decidedAt: pending ? null : new Date(submittedAt.getTime() + 5 * 86_400_000), decisionReason: pending ? null : '经核查',
      });
    }));
    await insertMany(manager, RestorationApplication, history.slice(0, 1500).map((r, n) => Object.assign(new RestorationApplication(), {
      id: randomUUID(), recordId: r.id, subjectId, sourceDepartment: r.sourceDepartment, status: 'REJECTED', correction: '已缴纳罚款并完成整改', evidence: ['罚款缴纳凭证'],
      commitment: '承诺今后守法经营', submittedBy: 'window', submittedByOrganisation: 'CREDIT_OFFICE', submittedAt: n % 150 === 0 ? at(addDays(from, 5)) : r.recordedAt,
      decidedBy: 'officer', decidedByOrganisation: r.sourceDepartment, decidedAt: new Date(r.recordedAt.getTime() + 200 * 86_400_000), decisionReason: '经审核',
    })));
    // The optimiser's statistics of the tables as they now are, as a server keeps them of a live
    // database. SQLite keeps none unless told to (the platform never does): its plans are its guesses.
    if (database.label === 'mysql') await records.db().query('ANALYZE TABLE credit_record, credit_record_event, credit_record_objection, restoration_application');
  });

  it('reads each period from its index, the records entered and the corrections from the index alone', async () => {
    const db = records.db();
    const { result: answer, sent } = await statementsDuring(db, () =>
      records.queryAs<{ departmentHandlingStatistics: { department: { code: string } }[] }>(
        creditOffice,
        /* GraphQL */ `query($from: Date!, $to: Date!) { departmentHandlingStatistics(from: $from, to: $to) { department { code } } }`,
        { from, to },
      ),
    );
    expect(answer.errors).toBeUndefined();
    expect(answer.data!.departmentHandlingStatistics.map((r) => r.department.code).sort()).toEqual([...departments].sort());
    // Four statements, each counting one of the tables.
    const statements = sent.filter(([sql]) => /^\s*SELECT/i.test(sql));
    expect(statements.map(([sql]) => countedTable(sql)?.table).sort()).toEqual(expected.map((e) => e.table).sort());
    // Every statement's plans at once, so that a failure names each index missing.
    const read = await Promise.all(statements.map(async ([sql, params]) => ({ sql, plans: await plansOf(db, database, sql, params, countedTable(sql)!.alias) })));
    expect(read).toEqual(
      read.map(({ sql, plans }) => {
        const { index, covering } = countedTable(sql)!;
        const plan = expect.objectContaining({ index, wholeTable: false, ...(covering ? { covering } : {}) });
        // One step a branch: the objections' statement reads the index twice (pending, and decided since).
        return { sql, plans: plans.length ? plans.map(() => plan) : [plan] };
      }),
    );
  });
});
