import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { In, Like } from 'typeorm';
import { CreditRecord } from '../../../subgraphs/records/entities/credit-record.entity';
import { CreditRecordEvent } from '../../../subgraphs/records/entities/credit-record-event.entity';
import { setTimeout as sleep } from 'node:timers/promises';
import { commitsInFlight, importRecordFile, type ImportProgress } from '../../../subgraphs/records/intake/file-import';
import { FileRejected } from '../../../subgraphs/records/intake/intake-file';
import { RecordIntake, type IntakeTotals, type Rejection } from '../../../subgraphs/records/intake/record-intake';
import { SubjectDirectoryUnavailable } from '../../../subgraphs/shared/subject-directory';
import { testDatabases } from '../../helpers/databases';
import { header, marketRegulationFile, unregisteredCode } from './import-fixtures';
import { useRecordsWithSubjects } from './records-harness';

const actor = { userId: 'import:test', organisation: 'MARKET_REGULATION', requestId: 'import-test' };

describe.each(testDatabases)('the import command’s file import on $label', (database) => {
  const { world, records, directory } = useRecordsWithSubjects(database, 'import', 60);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'record-import-'));
  const write = (name: string, content: string | Buffer) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, content);
    return file;
  };
  const rows = 3000;
  const daily = marketRegulationFile(world, rows);
  const importFile = async (file: string, options: { chunkSize?: number; department?: string } = {}) => {
    const rejections: Rejection[] = [];
    const progress: ImportProgress[] = [];
    const summary = await importRecordFile(records.db(), file, {
      department: options.department ?? 'MARKET_REGULATION',
      actor,
      subjects: directory,
      chunkSize: options.chunkSize,
      onRejection: (r) => rejections.push(r),
      onProgress: (p) => progress.push(p),
    });
    return { summary, rejections, progress };
  };
  const stored = () => records.db().getRepository(CreditRecord).countBy({ sourceDepartment: 'MARKET_REGULATION' });
  const events = () => records.db().getRepository(CreditRecordEvent).count();

  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('stores every valid row of a daily file and reports each bad one with its row, field and exact reason', async () => {
    directory.calls = [];
    const { summary, rejections, progress } = await importFile(write('daily.csv', daily.bytes), { chunkSize: 500 });
    expect(daily.rejections).toHaveLength(37);
    expect(summary.rows).toBe(rows);
    expect(summary.totals).toEqual({ created: rows - 37, updated: 0, unchanged: 0, rejected: 37 });
    expect(rejections.map(({ row, field, reason }) => ({ row, field, reason }))).toEqual(daily.rejections);
    // Every valid row is stored, exactly once, with its CREATED event.
    const found = await records.db().getRepository(CreditRecord).find({ select: { documentNumber: true }, where: { sourceDepartment: 'MARKET_REGULATION' } });
    expect(found.map((r) => r.documentNumber).sort()).toEqual([...daily.valid].sort());
    expect(await events()).toBe(rows - 37);
    // At most one subject lookup per chunk, each registered subject asked about once: all 60 in the
    // first chunk; the unregistered code again in each of the 6 chunks it appears in (misses are
    // never remembered). Progress after each committed chunk, the last at 100 %.
    expect(directory.calls).toEqual([{ ids: 0, codes: 61 }, ...Array.from({ length: 5 }, () => ({ ids: 0, codes: 1 }))]);
    expect(progress).toHaveLength(rows / 500);
    expect(progress.at(-1)).toMatchObject({ rows, bytesRead: daily.bytes.length, size: daily.bytes.length });
  });

  it('changes nothing when the same file comes again', async () => {
    const [before, eventsBefore] = [await stored(), await events()];
    const { summary, rejections } = await importFile(write('daily-again.csv', daily.bytes));
    expect(summary.totals).toEqual({ created: 0, updated: 0, unchanged: rows - 37, rejected: 37 });
    expect(rejections).toHaveLength(37);
    expect([await stored(), await events()]).toEqual([before, eventsBefore]);
  });

  it('corrects the records whose rows changed, keeping each change in the history', async () => {
    const corrected = new Set([1, 2, 3]);
    const { summary } = await importFile(write('corrected.csv', marketRegulationFile(world, rows, { corrected }).bytes));
    expect(summary.totals).toEqual({ created: 0, updated: 3, unchanged: rows - 40, rejected: 37 });
    const changed = await records.db().getRepository(CreditRecordEvent).findBy({ kind: 'CORRECTED' });
    expect(changed).toHaveLength(3);
    for (const event of changed) {
      const before = JSON.parse(event.beforeValues!) as { summary: string };
      const after = JSON.parse(event.afterValues!) as { summary: string };
      expect(after.summary).toBe(`${before.summary}（更正）`);
      expect(event).toMatchObject({ actor: 'import:test', organisation: 'MARKET_REGULATION', requestId: 'import-test' });
    }
  });

  it('imports a file in another department’s name only as that department', async () => {
    const file = write('court.csv', `${header},source_department\n${world.subjects[0].identifier},CREDIT_COMMITMENT,,X-1,2024-01-01,,承诺,MARKET_REGULATION\n`);
    const { summary, rejections } = await importFile(file, { department: 'FINANCE' });
    expect(summary.totals).toMatchObject({ created: 0, rejected: 1 });
    expect(rejections[0]).toMatchObject({ row: 1, field: 'sourceDepartment' });
  });

  it('reads JSON Lines, one record per line, with bad lines rejected one by one', async () => {
    const subject = world.subjects[1];
    const lines = [
      JSON.stringify({ subjectCode: subject.identifier, category: 'CREDIT_COMMITMENT', documentNumber: 'JSONL-1', decisionDate: '2025-01-02', summary: '信用承诺' }),
      '',
      '{"subjectCode": "broken',
      JSON.stringify({ subjectCode: unregisteredCode, category: 'CREDIT_COMMITMENT', documentNumber: 'JSONL-2', decisionDate: '2025-01-02', summary: '信用承诺' }),
      JSON.stringify({ subjectId: subject.id, category: 'ADMINISTRATIVE_PENALTY', severity: 'MINOR', documentNumber: 'JSONL-3', decisionDate: '2025-01-03', summary: '警告', colour: 'red' }),
      JSON.stringify({ subjectId: subject.id, category: 'ADMINISTRATIVE_PENALTY', severity: 'MINOR', documentNumber: 1234, decisionDate: '2025-01-03', summary: '警告' }),
      JSON.stringify({ subjectId: subject.id, category: 'ADMINISTRATIVE_PENALTY', severity: 'MINOR', documentNumber: 'JSONL-4', decisionDate: '2025-01-03', summary: '警告' }),
    ];
    const { summary, rejections } = await importFile(write('daily.json', `${lines.join('\r\n')}\n`));
    expect(summary.totals).toEqual({ created: 2, updated: 0, unchanged: 0, rejected: 4 });
    expect(rejections.map(({ row, field }) => ({ row, field }))).toEqual([
      { row: 2, field: null },
      { row: 3, field: 'subjectCode' },
      { row: 4, field: null },
      { row: 5, field: 'documentNumber' },
    ]);
    expect(rejections[0].reason).toMatch(/^the line is not JSON/);
    expect(rejections[2].reason).toBe('unknown key colour; the keys are subjectId, subjectCode, category, polarity, severity, taxCreditGrade, documentNumber, decisionDate, validUntil, summary, sourceDepartment');
    expect(rejections[3].reason).toBe('documentNumber must be text, got the number 1234');
  });

  describe('refuses a file it cannot read before storing anything', () => {
    const goodRow = () => `${world.subjects[0].identifier},CREDIT_COMMITMENT,,REFUSED-1,2024-01-01,,承诺`;
    it.each<[string, () => Buffer | string, string, RegExp]>([
      ['a GBK-encoded file', () => Buffer.concat([Buffer.from(`${header}\n${world.subjects[0].identifier},CREDIT_COMMITMENT,,REFUSED-1,2024-01-01,,`), Buffer.from([0xd6, 0xd0, 0xce, 0xc4, 0x0a])]), 'gbk.csv', /is not UTF-8: it reads as GBK\/GB18030/],
      ['a UTF-16 file', () => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(`${header}\n`, 'utf16le')]), 'utf16.csv', /is UTF-16/],
      ['a semicolon-separated file', () => `${header.replace(/,/g, ';')}\n${goodRow().replace(/,/g, ';')}\n`, 'semicolons.csv', /seems separated by ';'.*comma-separated/],
      ['a tab-separated file', () => `${header.replace(/,/g, '\t')}\n`, 'tabs.csv', /separated by tabs/],
      ['a missing column', () => `${header.replace(',decision_date', '')}\n`, 'missing.csv', /lacks the column decision_date;/],
      ['a missing subject column', () => `${header.replace('subject_code,', '')}\n`, 'no-subject.csv', /lacks the column subject_code \(or subject_id\)/],
      ['an unknown column', () => `${header},colour\n`, 'unknown.csv', /unknown column "colour"/],
      ['a repeated column', () => `${header},summary\n`, 'twice.csv', /names the column summary twice/],
      ['an empty file', () => '', 'empty.csv', /is empty/],
      ['a file holding a byte order mark alone', () => '\ufeff', 'bom-only.csv', /^bom-only\.csv is empty: a CSV file starts with its header row$/],
      ['a file of blank lines', () => '\r\n\r\n', 'blank.csv', /^blank\.csv is empty/],
      ['a JSON Lines file holding a byte order mark alone', () => '\ufeff', 'bom-only.jsonl', /^bom-only\.jsonl is empty$/],
      ['a header ending in a comma', () => `${header},\n`, 'trailing-comma.csv', /^column 8 of the header has no name; a trailing comma\? \(expected comma-separated columns/],
      ['a header with an empty column between two', () => `${header.replace(',', ',,')}\n`, 'two-commas.csv', /^column 2 of the header has no name; two commas in a row\?/],
      ['a JSON array', () => `[${JSON.stringify({ category: 'CREDIT_COMMITMENT' })}]`, 'array.json', /is a JSON array; .*JSON Lines/],
      ['a file of unknown format', () => goodRow(), 'records.xlsx', /cannot tell the format/],
    ])('%s', async (_label, content, name, message) => {
      const [before, eventsBefore] = [await stored(), await events()];
      const attempt = importFile(write(name, content()));
      await expect(attempt).rejects.toThrow(FileRejected);
      await expect(attempt).rejects.toThrow(message);
      expect([await stored(), await events()]).toEqual([before, eventsBefore]);
    });
  });

  describe('stores every row before a break in the file, and says where it broke off', () => {
    // A quote opened and never closed: nothing after it can be told apart into rows.
    const cutShortFile = (name: string, good: number) =>
      write(name, `${header}\n${Array.from({ length: good }, (_, i) => `${world.subjects[i % world.subjects.length].identifier},CREDIT_COMMITMENT,,${name}-${i + 1},2024-01-01,,承诺`).join('\n')}\n${world.subjects[0].identifier},CREDIT_COMMITMENT,,${name}-broken,2024-01-01,,"broken\n`);
    const storedOf = (name: string) => records.db().getRepository(CreditRecord).createQueryBuilder('r').where('r.document_number LIKE :prefix', { prefix: `${name}-%` }).getCount();

    it.each([
      ['after a committed chunk and a pending one', 'cut-1500.csv', 1500],
      ['within the first chunk', 'cut-5.csv', 5],
    ])('%s', async (_label, name, good) => {
      const { summary, progress, rejections } = await importFile(cutShortFile(name, good));
      // The row it broke off at is counted, rejected, the last rejection, with the line it begins on.
      expect(summary.rows).toBe(good + 1);
      expect(summary.totals).toEqual({ created: good, updated: 0, unchanged: 0, rejected: 1 });
      expect(summary.cutShort?.afterRow).toBe(good);
      expect(summary.cutShort?.message).toMatch(new RegExp(`^the file is not valid CSV after row ${good} \\(CSV_QUOTE_NOT_CLOSED`));
      expect(rejections).toEqual([{ row: good + 1, line: good + 2, field: null, documentNumber: null, reason: summary.cutShort?.message, code: 'BAD_USER_INPUT', details: { problem: 'QUOTE_NOT_CLOSED' } }]);
      expect(progress.at(-1)?.totals.created).toBe(good);
      expect(await storedOf(name)).toBe(good);
    });
  });

  it('audits each subject once a run, and reports no chunk before the entries of every subject it tells of are written', async () => {
    const [a, b, c] = world.subjects;
    const row = (subject: { identifier: string }, n: number) => `${subject.identifier},CREDIT_COMMITMENT,,AUDITED-${n},2024-01-01,,承诺`;
    // Chunks of two: [a, b], [a, c], [b, a]; then the first number again for another subject,
    // refused as a's record (its subject told of, not c's), and a row with an impossible date.
    const file = write('audited.csv', [header, row(a, 1), row(b, 2), row(a, 3), row(c, 4), row(b, 5), row(a, 6), row(c, 1), `${c.identifier},CREDIT_COMMITMENT,,AUDITED-8,2024-02-30,,承诺`, ''].join('\n'));
    const told: string[] = [];
    const written = new Set<string>();
    /** The subjects whose entries were written when each chunk was reported. */
    const writtenAtReport: string[][] = [];
    const summary = await importRecordFile(records.db(), file, {
      department: 'MARKET_REGULATION',
      actor,
      subjects: directory,
      chunkSize: 2,
      audit: async (subjectIds) => {
        told.push(...subjectIds);
        // Slower than the commits (which on MySQL end in any order): each chunk's report still
        // waits for the entries of every subject it tells of, written for it or for another chunk.
        await sleep(20);
        for (const id of subjectIds) written.add(id);
      },
      onProgress: () => writtenAtReport.push([...written].sort()),
    });
    expect(summary.totals).toEqual({ created: 6, updated: 0, unchanged: 0, rejected: 2 });
    expect(told.sort()).toEqual([a.id, b.id, c.id].sort());
    const toldBy = [[a, b], [a, c], [b, a], [a]];
    expect(writtenAtReport.map((ids, chunk) => toldBy[chunk].every((s) => ids.includes(s.id)))).toEqual([true, true, true, true]);
  });

  it('skips a row of empty fields, as a spreadsheet saves an empty row, like a blank line: neither counted nor rejected', async () => {
    const subject = world.subjects[3];
    const row = (documentNumber: string, decisionDate = '2024-02-01') => `${subject.identifier},CREDIT_COMMITMENT,,${documentNumber},${decisionDate},,承诺`;
    const file = write('empty-rows.csv', [header, row('EMPTYROW-1'), ',,,,,,', '""', row('EMPTYROW-2', '2024-02-30'), ',,,,,,', ''].join('\r\n'));
    const { summary, rejections } = await importFile(file);
    expect(summary.rows).toBe(2);
    expect(summary.totals).toEqual({ created: 1, updated: 0, unchanged: 0, rejected: 1 });
    // Skipped, its line is still a line of the file.
    expect(rejections.map(({ row, line, field }) => ({ row, line, field }))).toEqual([{ row: 2, line: 5, field: 'decisionDate' }]);
  });

  it('reads a CSV with a byte-order mark, quoted fields and CRLF line ends', async () => {
    const subject = world.subjects[2];
    const file = write('bom.csv', `\ufeff${header}\r\n${subject.identifier},CREDIT_COMMITMENT,,"BOM-1",2024-02-01,,"承诺, 含逗号和""引号"""\r\n`);
    const { summary } = await importFile(file);
    expect(summary.totals).toMatchObject({ created: 1, rejected: 0 });
    const record = await records.db().getRepository(CreditRecord).findOneByOrFail({ documentNumber: In(['BOM-1']) });
    expect(record.summary).toBe('承诺, 含逗号和"引号"');
  });

  it('takes a document number typed in full width for the decision stored in half width, as a submission does', async () => {
    const subject = world.subjects[4];
    const row = (documentNumber: string) => `${subject.identifier},CREDIT_COMMITMENT,,${documentNumber},2024-02-01,,承诺`;
    expect((await importFile(write('half-width.csv', [header, row('北戴河市监诺〔2024〕7号'), ''].join('\n')))).summary.totals).toMatchObject({ created: 1, rejected: 0 });
    const { summary } = await importFile(write('full-width.csv', [header, row('北戴河市监诺〔２０２４〕７号'), row('ＦＷ－１'), ''].join('\n')));
    expect(summary.totals).toEqual({ created: 1, updated: 0, unchanged: 1, rejected: 0 });
    const kept = await records.db().getRepository(CreditRecord).find({ select: { documentNumber: true }, where: { subjectId: subject.id, documentNumber: In(['北戴河市监诺〔2024〕7号', '北戴河市监诺〔２０２４〕７号', 'FW-1', 'ＦＷ－１']) } });
    expect(kept.map((r) => r.documentNumber).sort()).toEqual(['FW-1', '北戴河市监诺〔2024〕7号']);
  });

  it('takes a number whose year is bracketed otherwise, or which holds a space, for the decision stored, and a file holding two typings of it sends it twice', async () => {
    const subject = world.subjects[5];
    const row = (documentNumber: string) => `${subject.identifier},CREDIT_COMMITMENT,,${documentNumber},2024-02-01,,承诺`;
    expect((await importFile(write('tortoise-shell.csv', [header, row('北戴河市监诺〔2024〕8号'), ''].join('\n')))).summary.totals).toMatchObject({ created: 1, rejected: 0 });
    const { summary, rejections } = await importFile(write('brackets.csv', [header, row('北戴河市监诺[2024]8号'), row('北戴河市监诺【2024】 9号'), row('北戴河市监诺（2024）9号'), ''].join('\n')));
    expect(summary.totals).toEqual({ created: 1, updated: 0, unchanged: 1, rejected: 1 });
    expect(rejections).toMatchObject([{ row: 3, field: 'documentNumber', documentNumber: '北戴河市监诺（2024）9号' }]);
    const kept = await records.db().getRepository(CreditRecord).find({ select: { documentNumber: true, writtenNumber: true }, where: { subjectId: subject.id, documentNumber: Like('北戴河市监诺%') }, order: { documentNumber: 'ASC' } });
    expect(kept.map((r) => ({ ...r }))).toEqual([
      { documentNumber: '北戴河市监诺〔2024〕8号', writtenNumber: null },
      { documentNumber: '北戴河市监诺〔2024〕9号', writtenNumber: '北戴河市监诺【2024】 9号' },
    ]);
  });

  describe('commits chunks side by side', () => {
    // The daily file with document numbers never stored before (…〔2021〕T1-123号): numbers deleted
    // but not yet purged would make InnoDB lock gaps for its duplicate check, at any isolation.
    let files = 0;
    const fresh = () => {
      const tag = `T${++files}-`;
      // Byte for byte (as latin1), so that the file's deliberately damaged bytes stay as they are.
      const latin1 = (text: string) => Buffer.from(text).toString('latin1');
      const bytes = Buffer.from(daily.bytes.toString('latin1').replaceAll(latin1('〕'), latin1(`〕${tag}`)), 'latin1');
      return { bytes, rejections: daily.rejections.map((r) => ({ ...r, reason: r.reason.replaceAll('〕', `〕${tag}`) })) };
    };
    // Each starts from a department with nothing stored, so that every valid row is new.
    beforeEach(async () => {
      await records.db().getRepository(CreditRecordEvent).delete({ actor: actor.userId });
      await records.db().getRepository(CreditRecord).delete({ sourceDepartment: 'MARKET_REGULATION' });
    });
    afterEach(() => {
      jest.restoreAllMocks();
      directory.unreachable = false;
    });

    it(`keeps ${commitsInFlight} chunks committing at once, and still reports rejections and progress in file order`, async () => {
      const commit = RecordIntake.prototype.commit;
      let calls = 0;
      let firstEnded = false;
      let startedBeforeFirstEnded = 0;
      const ended: number[] = [];
      let othersEnded = () => {};
      const others = new Promise<void>((resolve) => (othersEnded = resolve));
      jest.spyOn(RecordIntake.prototype, 'commit').mockImplementation(async function (this: RecordIntake, ...args) {
        const call = ++calls;
        if (!firstEnded) startedBeforeFirstEnded += 1;
        try {
          // The first chunk's commit waits until the others the window lets in have ended (5 s at most).
          if (call === 1) await Promise.race([others, sleep(5_000)]);
          return await commit.apply(this, args);
        } finally {
          if (call === 1) firstEnded = true;
          ended.push(call);
          if (!firstEnded && ended.length === commitsInFlight - 1) othersEnded();
        }
      });
      const file = fresh();
      const { summary, rejections, progress } = await importFile(write('side-by-side.csv', file.bytes), { chunkSize: 500 });
      expect(startedBeforeFirstEnded).toBeGreaterThan(1);
      expect(startedBeforeFirstEnded).toBe(commitsInFlight);
      expect(ended.indexOf(1)).toBe(commitsInFlight - 1);
      expect(summary.totals).toEqual({ created: rows - 37, updated: 0, unchanged: 0, rejected: 37 });
      expect(rejections.map(({ row, field, reason }) => ({ row, field, reason }))).toEqual(file.rejections);
      expect(progress).toHaveLength(rows / 500);
      const handled = progress.map((p) => p.totals.created + p.totals.rejected);
      expect(handled).toEqual([...handled].sort((a, b) => a - b));
      expect(progress.at(-1)?.totals).toEqual(summary.totals);
      expect(await stored()).toBe(rows - 37);
    });

    it('stops at a failure only once the chunks already committing have settled, and a second import completes the file', async () => {
      // The entities subgraph goes away at the third lookup: chunk 3 (rows 1001-1500) cannot be
      // checked, while chunks 1 and 2 are committing.
      const lookUp = directory.lookUp.bind(directory);
      let lookups = 0;
      jest.spyOn(directory, 'lookUp').mockImplementation((ids, codes, requestId) => {
        directory.unreachable = ++lookups >= 3;
        return lookUp(ids, codes, requestId);
      });
      const file = fresh();
      let stoppedWith: IntakeTotals | undefined;
      const stopping = importRecordFile(records.db(), write('cut-off.csv', file.bytes), { department: 'MARKET_REGULATION', actor, subjects: directory, chunkSize: 500, onStopped: (committed) => (stoppedWith = committed) });
      await expect(stopping).rejects.toBeInstanceOf(SubjectDirectoryUnavailable);
      const rejectedRows = (last: number) => new Set(daily.rejections.filter((r) => r.row <= last).map((r) => r.row)).size;
      const committed = 1000 - rejectedRows(1000);
      expect(await stored()).toBe(committed);
      // What it tells of the chunks committed before it stopped is what they stored (the intake probe
      // saw the last progress line 9,000 rows short of it).
      expect(stoppedWith).toEqual({ created: committed, updated: 0, unchanged: 0, rejected: rejectedRows(1000) });
      // Nothing was still writing when the import returned.
      await sleep(200);
      expect(await stored()).toBe(committed);

      jest.restoreAllMocks();
      directory.unreachable = false;
      const again = await importFile(write('cut-off-again.csv', file.bytes), { chunkSize: 500 });
      expect(again.summary.totals).toEqual({ created: rows - 37 - committed, updated: 0, unchanged: committed, rejected: 37 });
      expect(await stored()).toBe(rows - 37);
    });

    (database.label === 'mysql' ? it : it.skip)('does not deadlock when chunks insert new document numbers into the same gaps of the index', async () => {
      const deadlocks = async () => Number((await records.db().query(`SHOW GLOBAL STATUS LIKE 'Innodb_deadlocks'`))[0].Value);
      const before = await deadlocks();
      // Chunks of 100 rows: thirty chunks whose numbers (…〔2021〕T3-1号, …〔2021〕T3-10号, …) interleave.
      const { summary } = await importFile(write('gaps.csv', fresh().bytes), { chunkSize: 100 });
      expect(summary.totals).toEqual({ created: rows - 37, updated: 0, unchanged: 0, rejected: 37 });
      expect(await deadlocks()).toBe(before);
    });
  });
});
