import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { In, Like } from 'typeorm';
import { CreditRecord } from '../../../subgraphs/records/entities/credit-record.entity';
import { importRecordFile, type ImportProgress } from '../../../subgraphs/records/intake/file-import';
import { maxRowBytes } from '../../../subgraphs/records/intake/intake-file';
import type { Rejection } from '../../../subgraphs/records/intake/record-intake';
import { testDatabases } from '../../helpers/databases';
import { useRecordsWithSubjects } from './records-harness';

const actor = { userId: 'import:test', organisation: 'MARKET_REGULATION', requestId: 'import-line-breaks' };
/** The probe's header: nine columns, so a line holding eight commas reads as a row. */
const header = 'subject_code,category,polarity,severity,tax_credit_grade,document_number,decision_date,valid_until,summary';

/**
 * Where one row of a file ends and the next begins: a quote left open must not carry the rows
 * below it into its field (stored, published and never counted), a summary quoted over several
 * lines must still be read, every line end (CRLF, LF, mixed) ends a row, and each rejection says
 * on which line of the file its row begins.
 */
describe.each(testDatabases)('the import’s reading of rows and lines on $label', (database) => {
  const { world, records, directory } = useRecordsWithSubjects(database, 'impbreaks', 12);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'import-line-breaks-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  const enterprise = () => world.subjects.find((s) => s.kind === 'ENTERPRISE')!;
  const person = () => world.subjects.find((s) => s.kind === 'NATURAL_PERSON')!;
  /** A general penalty of the enterprise, its summary as written in the file (quotes and all). */
  const penalty = (documentNumber: string, summary: string, subject = enterprise().identifier) => `${subject},ADMINISTRATIVE_PENALTY,NEGATIVE,GENERAL,,${documentNumber},2026-01-05,,${summary}`;
  const importText = async (name: string, text: string | Buffer) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, text);
    const rejections: Rejection[] = [];
    const progress: ImportProgress[] = [];
    const summary = await importRecordFile(records.db(), file, { department: 'MARKET_REGULATION', actor, subjects: directory, onRejection: (r) => rejections.push(r), onProgress: (p) => progress.push(p) });
    return { summary, rejections, progress };
  };
  const storedNumbers = async (prefix: string) =>
    (await records.db().getRepository(CreditRecord).find({ select: { documentNumber: true }, where: { documentNumber: Like(`${prefix}%`) } })).map((r) => r.documentNumber).sort();

  it('refuses a row whose quote is left open, names the row it ran across by its line, and stores none of its text', async () => {
    const citizen = person().identifier;
    const file = [
      header,
      penalty('STRAY-1', '"未按规定公示年报，罚款5000元'),
      penalty('STRAY-2', `"${'陈秀英'}无证行医，罚款2万元"`, citizen),
      penalty('STRAY-3', '正常行'),
      '',
    ].join('\n');
    const { summary, rejections } = await importText('stray.csv', file);
    expect(summary.rows).toBe(3);
    expect(summary.totals).toEqual({ created: 1, updated: 0, unchanged: 0, rejected: 2 });
    expect(rejections.map(({ row, line, field, documentNumber }) => ({ row, line, field, documentNumber }))).toEqual([
      { row: 1, line: 2, field: null, documentNumber: 'STRAY-1' },
      { row: 2, line: 3, field: null, documentNumber: null },
    ]);
    expect(rejections[0].reason).toBe(
      "the summary opens a quote on line 2 that is not closed on that line: it runs on to line 3, taking in line 3 of the file as its text, and what it takes in reads as parts of rows (ASCII commas where the columns' stand; write a summary on several lines with full-width commas，). Nothing of lines 2-3 was stored: close the quote on line 2 and import the file again",
    );
    expect(rejections[1].reason).toBe("line 3 lies inside the quote that row 1's summary opens on line 2 and leaves open, so it was not read as a row of its own and nothing of it was stored: close that quote and import the file again");
    expect(await storedNumbers('STRAY-')).toEqual(['STRAY-3']);
    // The other subject's citizen ID number is published in no record.
    expect(await records.db().getRepository(CreditRecord).countBy({ summary: Like(`%${citizen}%`) })).toBe(0);
  });

  it.each([
    ['first', ['summary', 'subject_code', 'category', 'polarity', 'severity', 'tax_credit_grade', 'document_number', 'decision_date', 'valid_until']],
    ['before the last', ['subject_code', 'category', 'polarity', 'severity', 'tax_credit_grade', 'document_number', 'decision_date', 'summary', 'valid_until']],
    ['in the middle', ['subject_code', 'category', 'polarity', 'summary', 'severity', 'tax_credit_grade', 'document_number', 'decision_date', 'valid_until']],
  ])('refuses a quote left open in the summary wherever the summary stands among the columns (%s)', async (where, columns) => {
    const citizen = person().identifier;
    const row = (values: Record<string, string>) => columns.map((c) => values[c] ?? '').join(',');
    const base = { category: 'ADMINISTRATIVE_PENALTY', polarity: 'NEGATIVE', severity: 'GENERAL', decision_date: '2026-01-05' };
    const tag = `ORDER-${where.replace(/ /g, '')}-`;
    const file = [
      columns.join(','),
      row({ ...base, subject_code: citizen, document_number: `${tag}1`, summary: '"陈秀英无证行医，罚款2万元' }),
      row({ ...base, subject_code: enterprise().identifier, document_number: `${tag}2`, summary: '"未按规定公示年报"' }),
      row({ ...base, subject_code: enterprise().identifier, document_number: `${tag}3`, summary: '正常' }),
      '',
    ].join('\n');
    const { summary, rejections } = await importText(`order-${where.replace(/ /g, '')}.csv`, file);
    expect(summary.totals).toEqual({ created: 1, updated: 0, unchanged: 0, rejected: 2 });
    expect(rejections.map((r) => r.line)).toEqual([2, 3]);
    expect(await storedNumbers(tag)).toEqual([`${tag}3`]);
    expect(await records.db().getRepository(CreditRecord).countBy({ summary: Like(`%${citizen}%`) })).toBe(0);
  });

  it.each([
    ['in the middle, its first line holding no comma', ['subject_code', 'category', 'polarity', 'severity', 'summary', 'tax_credit_grade', 'document_number', 'decision_date', 'valid_until'], '"徐志强（身份证号在此）""逾期未履行"""'],
    ['before the last, the row below written on two lines', ['subject_code', 'category', 'polarity', 'severity', 'tax_credit_grade', 'document_number', 'decision_date', 'summary', 'valid_until'], '"徐志强逾期未履行,\n罚款200元"'],
  ])('refuses a summary written on several lines whose quote is left open, %s', async (where, columns, personsSummary) => {
    const citizen = person().identifier;
    const row = (values: Record<string, string>) => columns.map((c) => values[c] ?? '').join(',');
    const base = { category: 'ADMINISTRATIVE_PENALTY', polarity: 'NEGATIVE', severity: 'GENERAL', decision_date: '2026-01-05' };
    const tag = `OPEN-${where.slice(0, 6).replace(/[ ,]/g, '')}-`;
    const file = [
      columns.join(','),
      row({ ...base, subject_code: enterprise().identifier, document_number: `${tag}A`, summary: '"未按规定公示年度报告\n责令改正' }),
      row({ ...base, subject_code: citizen, document_number: `${tag}B`, summary: personsSummary }),
      row({ ...base, subject_code: enterprise().identifier, document_number: `${tag}C`, summary: '一行摘要' }),
      '',
    ].join('\n');
    const { summary } = await importText(`open-${tag}.csv`, file);
    expect(summary.totals.created).toBe(1);
    expect(await storedNumbers(tag)).toEqual([`${tag}C`]);
    expect(await records.db().getRepository(CreditRecord).countBy({ summary: Like('%徐志强%') })).toBe(0);
  });

  it('refuses a quote left open in a column other than the summary, which never spans lines', async () => {
    const file = [header, penalty('"NUMBER-1', '第一行'), penalty('NUMBER-2"', '第二行'), penalty('NUMBER-3', '正常'), ''].join('\n');
    const { summary, rejections } = await importText('number-quote.csv', file);
    expect(summary.totals).toEqual({ created: 1, updated: 0, unchanged: 0, rejected: 2 });
    expect(rejections[0].reason).toContain('a documentNumber is never written on several lines');
    expect(await storedNumbers('NUMBER-')).toEqual(['NUMBER-3']);
  });

  it('rejects a row whose document number holds a line break inside its own quotes, naming the column, and reads on as one row', async () => {
    const file = [header, penalty('INNUMBER-1', '第一行'), penalty('"INNUMBER-2\n"', '第二行'), penalty('INNUMBER-3', '正常'), ''].join('\n');
    const { summary, rejections } = await importText('number-break.csv', file);
    expect(summary.rows).toBe(3);
    expect(summary.totals).toEqual({ created: 2, updated: 0, unchanged: 0, rejected: 1 });
    expect(rejections).toEqual([
      {
        row: 2,
        line: 3,
        field: 'documentNumber',
        documentNumber: 'INNUMBER-2',
        code: 'BAD_USER_INPUT',
        reason: 'documentNumber holds a line break: its quotes open on line 3 and close on line 4, and a documentNumber is written on one line; remove the line break and import the file again',
        details: { problem: 'FORBIDDEN_CHARACTER', character: 'U+000A' },
      },
    ]);
    expect(await storedNumbers('INNUMBER-')).toEqual(['INNUMBER-1', 'INNUMBER-3']);
  });

  it('counts every row a stray quote ran across, and numbers the rows after it by their own lines', async () => {
    const rows = Array.from({ length: 12 }, (_, i) => {
      const n = i + 1;
      if (n === 2) return penalty('SHIFT-2', '"罚款5000元');
      // Its own opening quote is the one that closes row 2's.
      if (n === 9) return penalty('SHIFT-9', '"责令改正"');
      if (n === 11) return penalty('SHIFT-11', '罚款').replace('2026-01-05', '2026-13-01');
      return penalty(`SHIFT-${n}`, `罚款${n}`);
    });
    const { summary, rejections } = await importText('shift.csv', `${header}\n${rows.join('\n')}\n`);
    expect(summary.rows).toBe(12);
    expect(summary.totals).toEqual({ created: 3, updated: 0, unchanged: 0, rejected: 9 });
    expect(rejections.map(({ row, line }) => [row, line])).toEqual([...Array.from({ length: 8 }, (_, i) => [i + 2, i + 3]), [11, 12]]);
    expect(rejections[0].reason).toMatch(/^the summary opens a quote on line 3 that is not closed on that line: it runs on to line 10, taking in lines 4-10 of the file as its text/);
    expect(rejections.at(-1)).toMatchObject({ field: 'decisionDate', documentNumber: 'SHIFT-11' });
    expect(await storedNumbers('SHIFT-')).toEqual(['SHIFT-1', 'SHIFT-10', 'SHIFT-12']);
  });

  it('keeps a summary quoted over several lines, with CRLF or LF inside, and gives each rejected row the line it begins on', async () => {
    const file = [
      header,
      penalty('MULTI-1', '"第一行\r\n第二行, 含一个逗号"'),
      '',
      penalty('MULTI-2', '"甲\n乙\n丙"'),
      penalty('MULTI-3', '"坏日期的行\n第二行"').replace('2026-01-05', '2026-02-30'),
      penalty('MULTI-4', '普通'),
      '',
    ].join('\r\n');
    const { summary, rejections } = await importText('multi-line.csv', file);
    expect(summary.totals).toEqual({ created: 3, updated: 0, unchanged: 0, rejected: 1 });
    // Lines: header 1, MULTI-1 2-3, blank 4, MULTI-2 5-7, MULTI-3 8-9, MULTI-4 10.
    expect(rejections.map(({ row, line, field }) => ({ row, line, field }))).toEqual([{ row: 3, line: 8, field: 'decisionDate' }]);
    const stored = await records.db().getRepository(CreditRecord).find({ where: { documentNumber: In(['MULTI-1', 'MULTI-2']) }, order: { documentNumber: 'ASC' } });
    // Stored with LF, as every summary is, whichever line ends the file has inside its quotes.
    expect(stored.map((r) => r.summary)).toEqual(['第一行\n第二行, 含一个逗号', '甲\n乙\n丙']);
  });

  it('reads each line as a row when the header ends in CRLF and the rows in LF', async () => {
    const file = `${header}\r\n${penalty('MIXED-1', '混合1')}\n${penalty('MIXED-2', '混合2')}\n${penalty('MIXED-3', '混合3')}\r\n`;
    const { summary, rejections } = await importText('mixed.csv', file);
    expect(rejections).toEqual([]);
    expect(summary).toMatchObject({ rows: 3, totals: { created: 3, updated: 0, unchanged: 0, rejected: 0 } });
    expect(await storedNumbers('MIXED-')).toEqual(['MIXED-1', 'MIXED-2', 'MIXED-3']);
  });

  it('breaks off at a quote that runs past the longest row, instead of reading the rest of the file into it', async () => {
    const before = Array.from({ length: 5 }, (_, i) => penalty(`LONG-${i + 1}`, `罚款${i + 1}`));
    // 4 MiB of rows after a quote that nothing closes.
    const after = Array.from({ length: Math.ceil((4 * maxRowBytes) / 100) }, (_, i) => penalty(`LONG-AFTER-${i}`, '罚款'));
    const text = `${header}\n${before.join('\n')}\n${penalty('LONG-OPEN', '"未闭合')}\n${after.join('\n')}\n`;
    const { summary, progress } = await importText('long.csv', text);
    expect(summary.rows).toBe(6);
    expect(summary.totals).toMatchObject({ created: 5, rejected: 1 });
    expect(summary.cutShort).toMatchObject({ afterRow: 5, line: 7, problem: 'ROW_TOO_LONG' });
    expect(summary.cutShort?.message).toMatch(/^the file is not valid CSV after row 5 \(CSV_MAX_RECORD_SIZE\): the row that begins on line 7 runs on past 1 MiB/);
    // Read as far as the longest row, not to the end.
    expect(progress.at(-1)!.bytesRead).toBeLessThan(Buffer.byteLength(text) / 2);
    expect(await storedNumbers('LONG-')).toEqual(['LONG-1', 'LONG-2', 'LONG-3', 'LONG-4', 'LONG-5']);
  });

  it('says on which line a quote never closed begins', async () => {
    const text = `${header}\n${penalty('OPEN-1', '罚款')}\n\n${penalty('OPEN-2', '"未闭合')}\n${penalty('OPEN-3', '罚款')}\n`;
    const { summary, rejections } = await importText('open.csv', text);
    expect(summary.cutShort).toMatchObject({ afterRow: 1, line: 4, problem: 'QUOTE_NOT_CLOSED' });
    expect(rejections.map(({ row, line, field }) => ({ row, line, field }))).toEqual([{ row: 2, line: 4, field: null }]);
    expect(summary.cutShort?.message).toMatch(/^the file is not valid CSV after row 1 \(CSV_QUOTE_NOT_CLOSED\): the row that begins on line 4 opens a quote that is never closed/);
  });

  it('gives a JSON Lines rejection the line of the file it is on, blank lines counted', async () => {
    const line = (documentNumber: string, decisionDate = '2026-01-05') => JSON.stringify({ subjectCode: enterprise().identifier, category: 'ADMINISTRATIVE_PENALTY', severity: 'GENERAL', documentNumber, decisionDate, summary: '罚款' });
    const { summary, rejections } = await importText('lines.jsonl', [line('JSONL-LINE-1'), '', '', line('JSONL-LINE-2', '2026-02-30'), line('JSONL-LINE-3')].join('\r\n'));
    expect(summary.totals).toMatchObject({ created: 2, rejected: 1 });
    expect(rejections.map(({ row, line: at, field }) => ({ row, line: at, field }))).toEqual([{ row: 2, line: 4, field: 'decisionDate' }]);
  });
});
