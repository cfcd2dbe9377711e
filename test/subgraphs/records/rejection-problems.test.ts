import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { todayInDistrict } from '../../../lib/calendar';
import { unifiedSocialCreditCode } from '../../../lib/identifiers';
import { CreditRecord } from '../../../subgraphs/records/entities/credit-record.entity';
import { CreditRecordEvent } from '../../../subgraphs/records/entities/credit-record-event.entity';
import { recordEvent } from '../../../subgraphs/records/record-history';
import { importRecordFile } from '../../../subgraphs/records/intake/file-import';
import type { Rejection } from '../../../subgraphs/records/intake/record-intake';
import { testDatabases } from '../../helpers/databases';
import { officerOf, useRecordsWithSubjects } from './records-harness';

const SUBMIT = /* GraphQL */ `
  mutation Submit($input: SubmitCreditRecordInput!) {
    submitCreditRecord(input: $input) { outcome record { id } }
  }
`;
const SUBMIT_MANY = /* GraphQL */ `
  mutation SubmitMany($rows: [SubmitCreditRecordInput!]!) {
    submitCreditRecords(rows: $rows) { rejected rejections { row field problem choices max character earliest latest recordStatus } }
  }
`;

/** A problem of a row as a front end switches on it: the field at fault and its `problem`, null where it has none. */
type Told = [field: string | null, problem: string | null];
/** A rejection as `CreditRecordRejection` answers it. */
type RowRejection = { row: number; field: string | null; problem: string | null } & Partial<Record<DetailName, unknown>>;
/** What a problem tells beside it (README, Errors), each in a field of its own in a rejection, null where the problem has none. */
const detailNames = ['choices', 'max', 'character', 'earliest', 'latest', 'recordStatus'] as const;
type DetailName = (typeof detailNames)[number];
/** A problem of a row with its details: the field at fault and the details it has. */
type Detailed = [field: string | null, details: Partial<Record<DetailName, unknown>>];
const detailsOf = (told: Partial<Record<string, unknown>>) => Object.fromEntries(detailNames.filter((name) => told[name] != null).map((name) => [name, told[name]]));

const unregisteredCode = unifiedSocialCreditCode({ authority: '9', orgType: '1', division: '130304', organisationBody: 'MA0PR0B0' });
const addDays = (isoDate: string, days: number) => new Date(Date.parse(`${isoDate}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

describe.each(testDatabases)('a rejected row’s problem on $label', (database) => {
  const { world, records, directory } = useRecordsWithSubjects(database, 'rowproblem');
  const market = officerOf('MARKET_REGULATION');
  const today = todayInDistrict();
  const [enterprise, other] = world.subjects.filter((s) => s.kind === 'ENTERPRISE');
  const penalty = (n: number, extra: Record<string, unknown> = {}) => ({
    subjectCode: enterprise.identifier,
    category: 'ADMINISTRATIVE_PENALTY',
    severity: 'GENERAL',
    documentNumber: `北戴河市监罚〔2026〕${n}号`,
    decisionDate: addDays(today, -20),
    summary: '销售超过保质期的食品，罚款15000元',
    ...extra,
  });
  /** The summary an accepted objection corrected rows 25 to 27's records to. */
  const objectionSummary = '销售超过保质期的食品，罚款1500元';
  const wrongCheck = `${enterprise.identifier.slice(0, 17)}${enterprise.identifier[17] === '0' ? '1' : '0'}`;
  // One row per rule, each breaking one or two: the text rules of lib/text-input.ts and lib/text.ts,
  // the choices, the subject, the dates, a value the record does not take, and what is stored
  // under the number (another subject's record, a withdrawn one, one entered before the decision).
  const rows: Record<string, unknown>[] = [
    penalty(1, { summary: '罚'.repeat(501) }),
    penalty(2, { summary: '罚款\u202E15000元' }),
    penalty(3, { summary: '' }),
    penalty(4, { documentNumber: '〔〕' }),
    penalty(5, { documentNumber: '北戴河市监罚\u200B〔2026〕5号', summary: '。。。' }),
    penalty(6, { polarity: 'SIDEWAYS', severity: 'VERY' }),
    penalty(7, { category: 'NO_SUCH_CATEGORY' }),
    penalty(8, { subjectCode: wrongCheck }),
    penalty(9, { subjectCode: unregisteredCode }),
    penalty(10, { subjectCode: other.identifier }),
    penalty(11, { decisionDate: '2026/01/01', validUntil: '2000-01-01' }),
    penalty(12, { category: null, subjectCode: null }),
    penalty(13, { severity: null }),
    penalty(14, { polarity: 'POSITIVE', severity: null }),
    penalty(15, { category: 'TAX_CREDIT_GRADE', severity: null, taxCreditGrade: 'E' }),
    penalty(16, { subjectCode: null, subjectId: `${'a'.repeat(36)}b` }),
    penalty(17, { category: 'RED_LIST_HONOUR', polarity: 'POSITIVE', severity: 'MINOR' }),
    penalty(18, { taxCreditGrade: 'A' }),
    penalty(19, { decisionDate: addDays(today, 1) }),
    penalty(20, { decisionDate: '1900-01-01' }),
    penalty(21, { validUntil: '2026-02-30' }),
    penalty(22, { validUntil: addDays(today, -21) }),
    penalty(23, { summary: '销售超过保质期的食品，罚款16000元' }),
    penalty(24, { decisionDate: addDays(today, -10) }),
    // Re-sent after an accepted objection corrected the summary: the summary it had, the severity
    // the objection kept, a later decision (a longer disclosure).
    penalty(25, { summary: '销售超过保质期的食品，罚款15000元' }),
    penalty(26, { summary: objectionSummary, severity: 'SERIOUS' }),
    penalty(27, { summary: objectionSummary, decisionDate: addDays(today, -5) }),
    penalty(28, { subjectId: '0c9b6d52-1a7e-4c55-9a43-3f1f0d1b2c3d' }),
    penalty(29, { subjectCode: null, subjectId: '0c9b6d52-1a7e-4c55-9a43-3f1f0d1b2c3d' }),
  ];
  /** The day row 24's record entered the platform: before the decision date the row corrects it to. */
  const enteredOn = addDays(today, -15);

  /** What the single mutation tells of `row`: each problem in `extensions.problems`, as a form reads them. */
  const alone = async (row: Record<string, unknown>): Promise<Told[]> => {
    const result = await records.queryAs<{ submitCreditRecord: unknown }>(market, SUBMIT, { input: row });
    expect(result.data?.submitCreditRecord).toBeNull();
    return (result.errors?.[0].extensions?.problems as { field: string; problem?: string }[]).map((p) => [p.field, p.problem ?? null]);
  };
  const byRow = (rejections: RowRejection[]) => rows.map((_, i) => rejections.filter((r) => r.row === i + 1).map((r): Told => [r.field ?? 'input', r.problem]));
  /** What the single mutation tells of `row` with each problem's details, as `alone` tells the problems. */
  const aloneDetailed = async (row: Record<string, unknown>): Promise<Detailed[]> => {
    const result = await records.queryAs<{ submitCreditRecord: unknown }>(market, SUBMIT, { input: row });
    return (result.errors?.[0].extensions?.problems as ({ field: string } & Record<string, unknown>)[]).map((p) => [p.field, detailsOf(p)]);
  };
  const byRowDetailed = (rejections: RowRejection[]) => rows.map((_, i) => rejections.filter((r) => r.row === i + 1).map((r): Detailed => [r.field ?? 'input', detailsOf(r)]));

  const store = async (row: Record<string, unknown>, change: Partial<CreditRecord> = {}) => {
    const stored = await records.queryAs<{ submitCreditRecord: { outcome: string; record: { id: string } } }>(market, SUBMIT, { input: row });
    expect(stored.data?.submitCreditRecord.outcome).toBe('CREATED');
    if (Object.keys(change).length) await records.db().getRepository(CreditRecord).update({ id: stored.data!.submitCreditRecord.record.id }, change);
    return stored.data!.submitCreditRecord.record.id;
  };

  beforeAll(async () => {
    // Row 10's number is already the record of another subject; row 23's a withdrawn record's,
    // which no row corrects; row 24's a record that entered the platform before the row's decision date.
    await store(penalty(10));
    await store(penalty(23), { status: 'WITHDRAWN' });
    // Noon in the district (UTC+8).
    await store(penalty(24), { recordedAt: new Date(`${enteredOn}T04:00:00Z`) });
    // Rows 25 to 27's records, corrected on an accepted objection (a CORRECTED event naming it).
    for (const n of [25, 26, 27]) {
      const id = await store(penalty(n), { summary: objectionSummary });
      const actor = { userId: 'officer-1', organisation: 'MARKET_REGULATION' };
      const before = { summary: '销售超过保质期的食品，罚款15000元' };
      await records.db().getRepository(CreditRecordEvent).insert(recordEvent(id, 'CORRECTED', actor, new Date(), { before, after: { summary: objectionSummary }, relatedId: '0c9b6d52-0000-4c55-9a43-3f1f0d1b2c3d' }));
    }
  });

  it('is, for each row of a batch, the problem the single mutation answers the same row with', async () => {
    const singly = await Promise.all(rows.map(alone));
    const batch = await records.queryAs<{ submitCreditRecords: { rejected: number; rejections: RowRejection[] } }>(market, SUBMIT_MANY, { rows });
    expect(batch.data?.submitCreditRecords.rejected).toBe(rows.length);
    expect(byRow(batch.data!.submitCreditRecords.rejections)).toEqual(singly);
    // The rules that have a problem a front end switches on tell it, alone and in a batch.
    expect(new Set(singly.flat().map(([, problem]) => problem))).toEqual(
      new Set([
        'TOO_LONG',
        'FORBIDDEN_CHARACTER',
        'EMPTY',
        'NO_LETTER_OR_DIGIT',
        'NOT_A_CHOICE',
        'WRONG_CHECK_CHARACTER',
        'NOT_APPLICABLE',
        'NOT_A_DATE',
        'OUT_OF_RANGE',
        'TRANSITION_NOT_ALLOWED',
        'UNKNOWN_SUBJECT',
        'DOCUMENT_NUMBER_IN_USE',
        'DECIDED_ON_OBJECTION',
        'GRAVER_CORRECTION',
      ]),
    );
    // Every rule tells one, those about the subject or the number's record too.
    expect(singly.flatMap((told, i) => told.filter(([, problem]) => problem === null).map(([field]) => [i + 1, field]))).toEqual([]);
    expect(singly.slice(8, 10)).toEqual([[['subjectCode', 'UNKNOWN_SUBJECT']], [['documentNumber', 'DOCUMENT_NUMBER_IN_USE']]]);
    // A choice not in its list, and a required code left out (README, Errors).
    expect(singly.slice(5, 7)).toEqual([
      [
        ['polarity', 'NOT_A_CHOICE'],
        ['severity', 'NOT_A_CHOICE'],
      ],
      [['category', 'NOT_A_CHOICE']],
    ]);
    expect(singly.slice(10)).toEqual([
      [['decisionDate', 'NOT_A_DATE']],
      [
        ['subjectCode', 'EMPTY'],
        ['category', 'EMPTY'],
      ],
      [['severity', 'EMPTY']],
      [['polarity', 'NOT_A_CHOICE']],
      [
        ['taxCreditGrade', 'NOT_A_CHOICE'],
        ['category', 'NOT_A_CHOICE'],
      ],
      [['subjectId', 'TOO_LONG']],
      [['severity', 'NOT_APPLICABLE']],
      [['taxCreditGrade', 'NOT_APPLICABLE']],
      [['decisionDate', 'OUT_OF_RANGE']],
      [['decisionDate', 'OUT_OF_RANGE']],
      [['validUntil', 'NOT_A_DATE']],
      [['validUntil', 'OUT_OF_RANGE']],
      [['documentNumber', 'TRANSITION_NOT_ALLOWED']],
      [['decisionDate', 'OUT_OF_RANGE']],
      [['summary', 'DECIDED_ON_OBJECTION']],
      [['severity', 'DECIDED_ON_OBJECTION']],
      [['decisionDate', 'GRAVER_CORRECTION']],
      [['subjectId', 'NOT_APPLICABLE']],
      [['subjectId', 'UNKNOWN_SUBJECT']],
    ]);
  });

  it('tells a date’s bound beside OUT_OF_RANGE, and a subject id’s length beside TOO_LONG, in the single mutation’s refusal', async () => {
    const problemOf = async (row: Record<string, unknown>) => (await records.queryAs(market, SUBMIT, { input: row })).errors?.[0].extensions?.problems;
    expect(await problemOf(rows[15])).toEqual([expect.objectContaining({ field: 'subjectId', problem: 'TOO_LONG', max: 36 })]);
    expect(await problemOf(rows[18])).toEqual([expect.objectContaining({ field: 'decisionDate', problem: 'OUT_OF_RANGE', latest: today })]);
    expect(await problemOf(rows[19])).toEqual([expect.objectContaining({ field: 'decisionDate', problem: 'OUT_OF_RANGE', earliest: '1949-10-01' })]);
    expect(await problemOf(rows[21])).toEqual([expect.objectContaining({ field: 'validUntil', problem: 'OUT_OF_RANGE', earliest: addDays(today, -20) })]);
    expect(await problemOf(rows[23])).toEqual([expect.objectContaining({ field: 'decisionDate', problem: 'OUT_OF_RANGE', latest: enteredOn })]);
  });

  it('tells a choice’s list beside NOT_A_CHOICE in the single mutation’s refusal, the list a front end may offer', async () => {
    const problemsOf = async (row: Record<string, unknown>) => (await records.queryAs(market, SUBMIT, { input: row })).errors?.[0].extensions?.problems;
    expect(await problemsOf(rows[5])).toEqual([
      expect.objectContaining({ field: 'polarity', problem: 'NOT_A_CHOICE', choices: ['POSITIVE', 'NEGATIVE', 'NEUTRAL'] }),
      expect.objectContaining({ field: 'severity', problem: 'NOT_A_CHOICE', choices: ['MINOR', 'GENERAL', 'SERIOUS'] }),
    ]);
    // The categories market regulation decides: a tax grade or a court's listing is not among them.
    const marketCategories = ['REGISTRATION_BASICS', 'ADMINISTRATIVE_LICENSING', 'ADMINISTRATIVE_PENALTY', 'ADMINISTRATIVE_ENFORCEMENT', 'SERIOUS_DISHONESTY_LIST', 'RED_LIST_HONOUR', 'CONTRACT_PERFORMANCE', 'CREDIT_COMMITMENT'];
    expect(await problemsOf(rows[6])).toEqual([expect.objectContaining({ field: 'category', problem: 'NOT_A_CHOICE', choices: marketCategories })]);
    expect(await problemsOf(rows[13])).toEqual([expect.objectContaining({ field: 'polarity', problem: 'NOT_A_CHOICE', choices: ['NEGATIVE'] })]);
    expect(await problemsOf(rows[14])).toEqual([
      expect.objectContaining({ field: 'taxCreditGrade', problem: 'NOT_A_CHOICE', choices: ['A', 'B', 'M', 'C', 'D'] }),
      expect.objectContaining({ field: 'category', problem: 'NOT_A_CHOICE', choices: marketCategories }),
    ]);
  });

  it('tells a text’s details beside its problem in the single mutation’s refusal, as every mutation’s input does', async () => {
    const tooLong = await records.queryAs(market, SUBMIT, { input: rows[0] });
    expect(tooLong.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'summary', problem: 'TOO_LONG', max: 500 });
    const hidden = await records.queryAs(market, SUBMIT, { input: rows[1] });
    expect(hidden.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'summary', problem: 'FORBIDDEN_CHARACTER', character: 'U+202E' });
  });

  it('tells each detail of a problem beside it in a batch’s rejection, as the single mutation tells it for the same row', async () => {
    const singly = await Promise.all(rows.map(aloneDetailed));
    const batch = await records.queryAs<{ submitCreditRecords: { rejections: RowRejection[] } }>(market, SUBMIT_MANY, { rows });
    expect(byRowDetailed(batch.data!.submitCreditRecords.rejections)).toEqual(singly);
    // Every detail a row's problem has is told by some row here.
    expect(new Set(singly.flat().flatMap(([, details]) => Object.keys(details)))).toEqual(new Set(detailNames));
    const rejectionOf = (row: number, field: string) => batch.data!.submitCreditRecords.rejections.find((r) => r.row === row && r.field === field);
    expect(rejectionOf(7, 'category')).toMatchObject({ problem: 'NOT_A_CHOICE', choices: expect.arrayContaining(['ADMINISTRATIVE_PENALTY']), max: null, character: null, earliest: null, latest: null });
    expect(rejectionOf(1, 'summary')).toMatchObject({ problem: 'TOO_LONG', max: 500, choices: null });
    expect(rejectionOf(2, 'summary')).toMatchObject({ problem: 'FORBIDDEN_CHARACTER', character: 'U+202E' });
    expect(rejectionOf(20, 'decisionDate')).toMatchObject({ problem: 'OUT_OF_RANGE', earliest: '1949-10-01', latest: null });
    expect(rejectionOf(24, 'decisionDate')).toMatchObject({ problem: 'OUT_OF_RANGE', earliest: null, latest: enteredOn });
    // What the record is now, as the lifecycle's refusals tell it.
    expect(rejectionOf(23, 'documentNumber')).toMatchObject({ problem: 'TRANSITION_NOT_ALLOWED', recordStatus: 'WITHDRAWN', choices: null });
    expect((await records.queryAs(market, SUBMIT, { input: rows[22] })).errors?.[0].extensions).toMatchObject({ field: 'documentNumber', problem: 'TRANSITION_NOT_ALLOWED', recordStatus: 'WITHDRAWN' });
  });

  it('is the same for the rows of an intake file', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'row-problem-'));
    try {
      const file = path.join(dir, 'rows.jsonl');
      fs.writeFileSync(file, rows.map((row) => JSON.stringify(row)).join('\n'));
      const rejections: Rejection[] = [];
      await importRecordFile(records.db(), file, { department: 'MARKET_REGULATION', actor: { userId: 'import:test', organisation: 'MARKET_REGULATION', requestId: 'row-problem' }, subjects: directory, onRejection: (r) => rejections.push(r) });
      expect(byRow(rejections.map(({ row, field, details }) => ({ row, field, problem: details?.problem ?? null })))).toEqual(await Promise.all(rows.map(alone)));
      expect(byRowDetailed(rejections.map(({ row, field, details }) => ({ row, field, problem: details?.problem ?? null, ...details })))).toEqual(await Promise.all(rows.map(aloneDetailed)));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  /**
   * The rejections of an intake file of `lines` (JSON Lines, or CSV for a `name` ending in .csv),
   * each of which has its problem, whatever refused it: a row's rule or the file's reader.
   */
  const importLines = async (lines: (string | Buffer)[], name = 'rows.jsonl'): Promise<Rejection[]> => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'row-problem-'));
    try {
      const file = path.join(dir, name);
      fs.writeFileSync(file, Buffer.concat(lines.flatMap((line, i) => [...(i ? [Buffer.from('\n')] : []), Buffer.from(line)])));
      const rejections: Rejection[] = [];
      await importRecordFile(records.db(), file, { department: 'MARKET_REGULATION', actor: { userId: 'import:test', organisation: 'MARKET_REGULATION', requestId: 'row-problem' }, subjects: directory, onRejection: (r) => rejections.push(r) });
      expect(rejections.filter((r) => !r.details?.problem)).toEqual([]);
      return rejections;
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  };
  /** What an intake file of `lines` answers, as a batch's rejections tell it. */
  const fromFile = async (lines: (string | Buffer)[], name?: string): Promise<RowRejection[]> => (await importLines(lines, name)).map(({ row, field, details }) => ({ row, field, problem: details?.problem ?? null }));

  it('tells a document number an earlier row of the same batch or file holds DOCUMENT_NUMBER_IN_USE with that row, as one another subject’s record holds', async () => {
    const twice = [penalty(101), penalty(101, { summary: '销售超过保质期的食品，罚款16000元' })];
    const submitMany = /* GraphQL */ `
      mutation SubmitMany($rows: [SubmitCreditRecordInput!]!) {
        submitCreditRecords(rows: $rows) { rejections { row field problem earlierRow } }
      }
    `;
    const batch = await records.queryAs<{ submitCreditRecords: { rejections: RowRejection[] } }>(market, submitMany, { rows: twice });
    // The row a script reads to find the earlier one by, beside the reason that names it in words.
    const expected = [{ row: 2, field: 'documentNumber', problem: 'DOCUMENT_NUMBER_IN_USE', earlierRow: 1 }];
    expect(batch.data?.submitCreditRecords.rejections).toEqual(expected);
    const fromLines = await importLines([penalty(102), penalty(102, { summary: '销售超过保质期的食品，罚款16000元' })].map((row) => JSON.stringify(row)));
    expect(fromLines.map(({ row, field, details }) => ({ row, field, ...details }))).toEqual(expected);
    // Another subject's record holds row 10's number: no earlier row does.
    expect((await records.queryAs<{ submitCreditRecords: { rejections: RowRejection[] } }>(market, submitMany, { rows: [rows[9]] })).data?.submitCreditRecords.rejections).toEqual([
      { row: 1, field: 'documentNumber', problem: 'DOCUMENT_NUMBER_IN_USE', earlierRow: null },
    ]);
  });

  it('tells a JSON Lines value that is no text where the row holds text NOT_TEXT', async () => {
    expect(await fromFile([JSON.stringify(penalty(103, { documentNumber: 103, summary: { text: '罚款' } }))])).toEqual([
      { row: 1, field: 'documentNumber', problem: 'NOT_TEXT' },
      { row: 1, field: 'summary', problem: 'NOT_TEXT' },
    ]);
  });

  it('tells what an intake file’s reader refuses in a line of JSON its problem: bytes not UTF-8, no JSON object, a key no field has', async () => {
    const line = (n: number, extra: Record<string, unknown> = {}) => JSON.stringify(penalty(n, extra));
    const damaged = Buffer.concat([Buffer.from(line(111).replace('罚款15000元', '')), Buffer.from([0xff])]);
    expect(await fromFile([damaged, '{"subjectCode": "broken', '["北戴河市监罚〔2026〕113号"]', line(114, { colour: 'red' })])).toEqual([
      { row: 1, field: null, problem: 'NOT_UTF8' },
      { row: 2, field: null, problem: 'NOT_A_JSON_OBJECT' },
      { row: 3, field: null, problem: 'NOT_A_JSON_OBJECT' },
      { row: 4, field: null, problem: 'UNKNOWN_KEY' },
    ]);
  });

  it('tells what an intake file’s reader refuses in a CSV row its problem: the columns, bytes not UTF-8, a line break in a one-line column, a quote left open', async () => {
    const columns = ['subject_code', 'category', 'polarity', 'severity', 'tax_credit_grade', 'document_number', 'decision_date', 'valid_until', 'summary'];
    const row = (number: string, summary: string | Buffer) => {
      const values: Record<string, string> = { subject_code: enterprise.identifier, category: 'ADMINISTRATIVE_PENALTY', polarity: 'NEGATIVE', severity: 'GENERAL', document_number: number, decision_date: addDays(today, -20) };
      return Buffer.concat([Buffer.from(columns.slice(0, -1).map((c) => values[c] ?? '').join(',') + ','), Buffer.from(summary)]);
    };
    const rejections = await importLines(
      [
        columns.join(','),
        `${enterprise.identifier},ADMINISTRATIVE_PENALTY,NEGATIVE,GENERAL,CSV-121,${addDays(today, -20)},罚款`,
        row('CSV-122', Buffer.concat([Buffer.from('罚款'), Buffer.from([0xff])])),
        row('"CSV-\n123"', '罚款'),
        row('CSV-124', '"未按规定公示年报，罚款5000元'),
        row('CSV-125', '"无证经营，罚款2万元"'),
        row('CSV-126', '罚款'),
        // One field too many, bytes not UTF-8 where the header's summary would be: no field is named by position.
        Buffer.concat([row('CSV-128', Buffer.concat([Buffer.from('罚款'), Buffer.from([0xff])])), Buffer.from(',多余')]),
        row('CSV-127', '"未闭合'),
      ],
      'rows.csv',
    );
    expect(rejections.map(({ row: n, field, details }) => ({ row: n, field, ...details }))).toEqual([
      { row: 1, field: null, problem: 'WRONG_COLUMN_COUNT' },
      { row: 2, field: 'summary', problem: 'NOT_UTF8' },
      // As the same number typed with a line break into a form is refused.
      { row: 3, field: 'documentNumber', problem: 'FORBIDDEN_CHARACTER', character: 'U+000A' },
      { row: 4, field: null, problem: 'QUOTE_NOT_CLOSED' },
      // With the row whose quote took the line in.
      { row: 5, field: null, problem: 'INSIDE_OPEN_QUOTE', earlierRow: 4 },
      { row: 7, field: null, problem: 'WRONG_COLUMN_COUNT' },
      // Where the file broke off, at a quote nothing closes.
      { row: 8, field: null, problem: 'QUOTE_NOT_CLOSED' },
    ]);
    // A row of 7 fields held its decision date where the header has document_number: its values,
    // read by position, are no row's, and its rejection names no number.
    expect(rejections.filter((r) => r.details?.problem === 'WRONG_COLUMN_COUNT').map((r) => r.documentNumber)).toEqual([null, null]);
    expect((await records.queryAs(market, SUBMIT, { input: penalty(123, { documentNumber: 'CSV-\n123' }) })).errors?.[0].extensions).toMatchObject({ field: 'documentNumber', problem: 'FORBIDDEN_CHARACTER', character: 'U+000A' });
  });
});
