import { RecordIntake, type IntakeRow } from '../../../subgraphs/records/intake/record-intake';
import { CreditRecord } from '../../../subgraphs/records/entities/credit-record.entity';
import { testDatabases } from '../../helpers/databases';
import { useRecordsWithSubjects } from './records-harness';

/**
 * A long import runs past district midnight (UTC+8): each chunk is judged on the district day it
 * is judged on, not the day the import started, so a decision dated the new day is taken once
 * that day has begun (and refused as future before it).
 */
describe.each(testDatabases)('record intake across district midnight on $label', (database) => {
  const { world, records, directory } = useRecordsWithSubjects(database, 'intake_day');
  const enterprise = world.subjects.find((s) => s.kind === 'ENTERPRISE')!;
  // 2026-06-01 23:59 in the district, then 2026-06-02 00:01.
  const beforeMidnight = new Date('2026-06-01T15:59:00Z');
  const afterMidnight = new Date('2026-06-01T16:01:00Z');
  const row = (row: number, documentNumber: string, decisionDate: string): IntakeRow => ({
    row,
    values: { subjectCode: enterprise.identifier, category: 'ADMINISTRATIVE_PENALTY', severity: 'GENERAL', documentNumber, decisionDate, summary: '销售超过保质期的食品，罚款15000元' },
  });

  it('judges each chunk on the district day it is in: a decision of the new day is refused before midnight and taken after it', async () => {
    let clock = beforeMidnight;
    const intake = new RecordIntake(records.db(), { department: 'MARKET_REGULATION', actor: { userId: 'import:test', organisation: 'MARKET_REGULATION' }, subjects: directory, now: () => clock });
    const first = await intake.commit(await intake.prepare([row(1, '北戴河市监罚〔2026〕601号', '2026-06-01'), row(2, '北戴河市监罚〔2026〕602号', '2026-06-02')]));
    expect(first.map((r) => r.outcome)).toEqual(['CREATED', 'REJECTED']);
    expect(first[1].rejections[0]).toMatchObject({ field: 'decisionDate', reason: expect.stringContaining('today (2026-06-01)') });

    clock = afterMidnight;
    const second = await intake.commit(await intake.prepare([row(3, '北戴河市监罚〔2026〕602号', '2026-06-02')]));
    expect(second.map((r) => [r.outcome, r.rejections])).toEqual([['CREATED', []]]);
    const stored = await records.db().getRepository(CreditRecord).findOneByOrFail({ sourceDepartment: 'MARKET_REGULATION', documentNumber: '北戴河市监罚〔2026〕602号' });
    expect(stored).toMatchObject({ decisionDate: '2026-06-02', disclosureEndsAt: '2027-06-02', recordedAt: afterMidnight });
    expect(intake.totals).toMatchObject({ created: 2, rejected: 1 });
  });
});
