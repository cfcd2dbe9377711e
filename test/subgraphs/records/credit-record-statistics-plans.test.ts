import { randomUUID } from 'node:crypto';
import { addDays, todayInDistrict } from '../../../lib/calendar';
import { buildCreditRecord } from '../../../subgraphs/records/credit-record.repository';
import { monthWindows } from '../../../subgraphs/records/credit-record-statistics';
import { CreditRecord } from '../../../subgraphs/records/entities/credit-record.entity';
import { insertMany } from '../../../subgraphs/shared/bulk-insert';
import { testDatabases } from '../../helpers/databases';
import { plansOf, statementsDuring } from '../../helpers/query-plans';
import { creditOffice, useRecordsWithSubjects } from './records-harness';

/**
 * `creditRecordStatistics` counts the records decided in its period from an index that holds
 * every column it reads (migrations/1764000000190-index-record-statistics.ts), a month per
 * statement: over five years of records, a year is read as its twelve months and never as the
 * whole table. Before, one statement read every row of the table, TEXT and all, and grouped a
 * year's records on disk: at a million records a year ran over the statement time limit.
 */
const today = todayInDistrict();
const departments = ['MARKET_REGULATION', 'FINANCE', 'TAXATION', 'ECOLOGY_ENVIRONMENT'];
const year = { from: addDays(today, -730), to: addDays(today, -365) };

describe.each(testDatabases)('creditRecordStatistics reads its period from an index, a month a statement, on $label', (database) => {
  const { world, records } = useRecordsWithSubjects(database, 'rstplans', 40);

  beforeAll(async () => {
    const history = Array.from({ length: 2400 }, (_, n) =>
      buildCreditRecord(
        {
          subjectId: world.subjects[n % world.subjects.length].id, category: 'ADMINISTRATIVE_PENALTY', polarity: 'NEGATIVE', severity: n % 3 ? 'GENERAL' : 'SERIOUS',
          sourceDepartment: departments[n % departments.length], documentNumber: `统计计划〔${n}〕号`, decisionDate: addDays(today, -3 - (n % 1800)), summary: '未按规定公示年度报告，罚款5000元',
        },
        { id: randomUUID(), recordedAt: new Date(), today },
      ),
    );
    await insertMany(records.db().manager, CreditRecord, history);
    // The optimiser's statistics of the table as it now is, as a server keeps them of a live database.
    if (database.label === 'mysql') await records.db().query('ANALYZE TABLE credit_record');
  });

  it('reads the first and last decision of the period, then each month between them, from the index alone', async () => {
    const db = records.db();
    const { result: answer, sent } = await statementsDuring(db, () =>
      records.queryAs<{ creditRecordStatistics: { rows: { records: number }[] } }>(
        creditOffice,
        /* GraphQL */ `query($from: Date!, $to: Date!) { creditRecordStatistics(from: $from, to: $to) { rows { records } } }`,
        year,
      ),
    );
    expect(answer.errors).toBeUndefined();
    const [{ decided }]: { decided: number | string }[] = await db.query('SELECT COUNT(*) AS decided FROM credit_record WHERE decision_date >= ? AND decision_date < ?', [year.from, year.to]);
    expect(answer.data!.creditRecordStatistics.rows.reduce((sum, r) => sum + r.records, 0)).toBe(Number(decided));
    const statements = sent.filter(([sql]) => /^\s*SELECT/i.test(sql));
    // Records were decided on every day of the period: one statement for its bounds, then one a month.
    expect(statements).toHaveLength(1 + monthWindows(year.from, year.to).length);
    const read = await Promise.all(statements.map(async ([sql, params]) => ({ sql, plans: await plansOf(db, database, sql, params, 'credit_record') })));
    const plan = expect.objectContaining({ index: 'IDX_credit_record_decision_cells', covering: true, wholeTable: false });
    expect(read).toEqual(read.map(({ sql, plans }) => ({ sql, plans: plans.length ? plans.map(() => plan) : [plan] })));
  });
});
