import type { DataSource } from 'typeorm';
import { RecordIntake, intakeChunkSize, type IntakeRow } from '../../../subgraphs/records/intake/record-intake';
import type { SubjectDirectory } from '../../../subgraphs/shared/subject-directory';

/**
 * Preparing a chunk is CPU work of some milliseconds that a file import overlaps with the
 * previous chunk's commit; it must let that commit's answers through while it runs, or the
 * commit's next statement waits for the whole chunk (bench/import.md).
 */
describe('preparing a chunk of intake rows', () => {
  const subjectId = '0ef3bfc8-630a-4ee5-94ab-b40392cf2fca';
  // Answers at once, without I/O: the only turns of the event loop are the ones prepare gives.
  const directory: SubjectDirectory = { lookUp: async (ids) => ({ ids: new Set(ids), codes: new Map() }) };
  const rows: IntakeRow[] = Array.from({ length: intakeChunkSize }, (_, i) => ({
    row: i + 1,
    values: { subjectId, category: 'ADMINISTRATIVE_LICENSING', documentNumber: `北戴河市监许〔2026〕${i + 1}号`, decisionDate: '2026-03-01', validUntil: '2031-02-28', summary: '食品经营许可证核发' },
  }));

  it('lets other work run between its rows, and still prepares every row in order', async () => {
    // prepare never touches the database; the intake only keeps it for commit.
    const intake = new RecordIntake({} as DataSource, { department: 'MARKET_REGULATION', actor: { userId: 'test', organisation: 'MARKET_REGULATION' }, subjects: directory, now: () => new Date('2026-06-01T02:00:00Z') });
    let turns = 0;
    const tick = (): void => {
      turns += 1;
      if (!done) setImmediate(tick);
    };
    let done = false;
    setImmediate(tick);
    const chunk = await intake.prepare(rows);
    done = true;
    expect(turns).toBeGreaterThanOrEqual(intakeChunkSize / 100 - 1);
    expect(chunk.rows.map((r) => r.row)).toEqual(rows.map((r) => r.row));
    expect(chunk.rows.every((r) => r.rejections.length === 0 && r.record?.subjectId === subjectId)).toBe(true);
  });
});
