import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Like } from 'typeorm';
import { CreditRecord } from '../../../subgraphs/records/entities/credit-record.entity';
import { importRecordFile } from '../../../subgraphs/records/intake/file-import';
import type { Rejection } from '../../../subgraphs/records/intake/record-intake';
import { testDatabases } from '../../helpers/databases';
import { unregisteredCode } from './import-fixtures';
import { officerOf, useRecordsWithSubjects } from './records-harness';

const SUBMIT_MANY = /* GraphQL */ `
  mutation SubmitMany($rows: [SubmitCreditRecordInput!]!) {
    submitCreditRecords(rows: $rows) { created updated unchanged rejected rejections { row field reason documentNumber } }
  }
`;

interface BatchResult {
  created: number;
  updated: number;
  unchanged: number;
  rejected: number;
  rejections: { row: number; field: string | null; reason: string; documentNumber: string | null }[];
}

/**
 * "A decision is sent once": a document number twice in one batch rejects the later row, but
 * only when the earlier one is stored. A row rejected for a problem of its own stores nothing,
 * and the row that corrects it further down is the decision, whether the batch is a file (read in
 * chunks) or a `submitCreditRecords` call.
 */
describe.each(testDatabases)('which row of a batch claims its document number, on $label', (database) => {
  const { world, records, directory } = useRecordsWithSubjects(database, 'impclaims', 8);
  const enterprise = () => world.subjects.find((s) => s.kind === 'ENTERPRISE')!;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'intake-claims-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** Rows in batch order: a typo'd row, its correction, a repeat, a row of an unknown subject, its correction, and a bad row repeating a stored number. */
  const rows = (prefix: string) => {
    const penalty = (documentNumber: string, change: { decisionDate?: string; subjectCode?: string } = {}) => ({
      subjectCode: change.subjectCode ?? enterprise().identifier,
      category: 'ADMINISTRATIVE_PENALTY',
      severity: 'GENERAL',
      documentNumber: `${prefix}-${documentNumber}`,
      decisionDate: change.decisionDate ?? '2026-01-05',
      summary: '罚款',
    });
    return [
      penalty('A'),
      penalty('B', { decisionDate: '2026-02-30' }),
      penalty('B'),
      penalty('B'),
      penalty('C', { subjectCode: unregisteredCode }),
      penalty('C'),
      penalty('A', { decisionDate: '2026-02-30' }),
    ];
  };
  const expected = (prefix: string) => ({
    totals: { created: 3, updated: 0, unchanged: 0, rejected: 4 },
    rejections: [
      { row: 2, field: 'decisionDate', documentNumber: `${prefix}-B` },
      { row: 4, field: 'documentNumber', documentNumber: `${prefix}-B`, reason: `documentNumber ${prefix}-B already appears in row 3 of this batch; a decision is sent once` },
      { row: 5, field: 'subjectCode', documentNumber: `${prefix}-C` },
      // A rejected row is still told that its number was sent before.
      { row: 7, field: 'decisionDate', documentNumber: `${prefix}-A` },
      { row: 7, field: 'documentNumber', documentNumber: `${prefix}-A`, reason: `documentNumber ${prefix}-A already appears in row 1 of this batch; a decision is sent once` },
    ],
  });
  const stored = async (prefix: string) =>
    (await records.db().getRepository(CreditRecord).find({ where: { documentNumber: Like(`${prefix}-%`) } })).map((r) => [r.documentNumber, r.decisionDate]).sort();

  it('in a file, stores the row that corrects a rejected one, across chunks', async () => {
    const header = 'subject_code,category,severity,document_number,decision_date,summary';
    const file = path.join(dir, 'claims.csv');
    fs.writeFileSync(file, `${header}\n${rows('FILE').map((r) => [r.subjectCode, r.category, r.severity, r.documentNumber, r.decisionDate, r.summary].join(',')).join('\n')}\n`);
    const rejections: Rejection[] = [];
    // Two rows a chunk: the claim and the repeat are in different chunks.
    const summary = await importRecordFile(records.db(), file, { department: 'MARKET_REGULATION', actor: { userId: 'import:test', organisation: 'MARKET_REGULATION' }, subjects: directory, chunkSize: 2, onRejection: (r) => rejections.push(r) });
    const { totals, rejections: wanted } = expected('FILE');
    expect(summary.totals).toEqual(totals);
    expect(rejections).toMatchObject(wanted);
    expect(rejections).toHaveLength(wanted.length);
    expect(await stored('FILE')).toEqual([
      ['FILE-A', '2026-01-05'],
      ['FILE-B', '2026-01-05'],
      ['FILE-C', '2026-01-05'],
    ]);
  });

  it('in a submitCreditRecords call, the same', async () => {
    const result = await records.queryAs<{ submitCreditRecords: BatchResult }>(officerOf('MARKET_REGULATION'), SUBMIT_MANY, { rows: rows('API') });
    expect(result.errors).toBeUndefined();
    const { totals, rejections: wanted } = expected('API');
    expect(result.data?.submitCreditRecords).toMatchObject(totals);
    expect(result.data?.submitCreditRecords.rejections).toMatchObject(wanted);
    expect(result.data?.submitCreditRecords.rejections).toHaveLength(wanted.length);
    expect(await stored('API')).toEqual([
      ['API-A', '2026-01-05'],
      ['API-B', '2026-01-05'],
      ['API-C', '2026-01-05'],
    ]);
  });
});

/**
 * The same rule for a row refused when written, on what is stored under its number (a record
 * about another subject): it claims nothing either, and the row after it with the number is
 * judged on its own, in a file whose rows lie in one chunk or in chunks committing at once, and
 * in a `submitCreditRecords` call.
 */
describe.each(testDatabases)('a row refused when written claims no document number, on $label', (database) => {
  const { world, records, directory } = useRecordsWithSubjects(database, 'impwriteclaims', 8);
  const [subject, other] = world.subjects.filter((s) => s.kind === 'ENTERPRISE');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'intake-write-claims-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const actor = { userId: 'import:test', organisation: 'MARKET_REGULATION' };

  const penalty = (documentNumber: string, subjectCode: string, summary = '罚款') => ({ subjectCode, category: 'ADMINISTRATIVE_PENALTY', severity: 'GENERAL', documentNumber, decisionDate: '2026-01-05', summary });
  /** Two stored records, then rows in batch order: another subject's row and its correction, a repeat of that, and another subject's row twice. */
  const batch = (prefix: string) => ({
    stored: [penalty(`${prefix}-X`, subject.identifier), penalty(`${prefix}-Y`, subject.identifier)],
    rows: [
      penalty(`${prefix}-X`, other.identifier, '罚款（错主体）'),
      penalty(`${prefix}-X`, subject.identifier, '罚款（更正）'),
      penalty(`${prefix}-X`, subject.identifier, '罚款（更正）'),
      penalty(`${prefix}-Y`, other.identifier),
      penalty(`${prefix}-Y`, other.identifier),
    ],
  });
  const anotherSubject = (documentNumber: string) => `the record ${documentNumber} is about another subject, and a record's subject cannot be corrected: a decision about this subject needs its own document number (a record about the wrong subject is withdrawn on an objection)`;
  const expected = (prefix: string) => ({
    totals: { created: 0, updated: 1, unchanged: 0, rejected: 4 },
    rejections: [
      { row: 1, field: 'documentNumber', documentNumber: `${prefix}-X`, reason: anotherSubject(`${prefix}-X`) },
      { row: 3, field: 'documentNumber', documentNumber: `${prefix}-X`, reason: `documentNumber ${prefix}-X already appears in row 2 of this batch; a decision is sent once` },
      { row: 4, field: 'documentNumber', documentNumber: `${prefix}-Y`, reason: anotherSubject(`${prefix}-Y`) },
      { row: 5, field: 'documentNumber', documentNumber: `${prefix}-Y`, reason: anotherSubject(`${prefix}-Y`) },
    ],
  });
  const stored = async (prefix: string) =>
    (await records.db().getRepository(CreditRecord).find({ where: { documentNumber: Like(`${prefix}-%`) } })).map((r) => [r.documentNumber, r.subjectId, r.summary]).sort();
  const storedAfter = (prefix: string) => [
    [`${prefix}-X`, subject.id, '罚款（更正）'],
    [`${prefix}-Y`, subject.id, '罚款'],
  ];

  it.each([
    ['in one chunk', 'ONE', 1000],
    // A row a chunk: each repeat is in a chunk after its claim's, up to four of them committing at once.
    ['in chunks committing at once', 'SPLIT', 1],
  ])('in a file, %s, stores the row after one refused when written', async (_, prefix, chunkSize) => {
    const { stored: before, rows } = batch(prefix);
    const header = 'subject_code,category,severity,document_number,decision_date,summary';
    const csv = (values: typeof rows) => `${header}\n${values.map((r) => [r.subjectCode, r.category, r.severity, r.documentNumber, r.decisionDate, r.summary].join(',')).join('\n')}\n`;
    const first = path.join(dir, `${prefix}-stored.csv`);
    fs.writeFileSync(first, csv(before));
    expect((await importRecordFile(records.db(), first, { department: 'MARKET_REGULATION', actor, subjects: directory })).totals).toMatchObject({ created: 2, rejected: 0 });
    const file = path.join(dir, `${prefix}-batch.csv`);
    fs.writeFileSync(file, csv(rows));
    const rejections: Rejection[] = [];
    const summary = await importRecordFile(records.db(), file, { department: 'MARKET_REGULATION', actor, subjects: directory, chunkSize, onRejection: (r) => rejections.push(r) });
    const { totals, rejections: wanted } = expected(prefix);
    expect(summary.totals).toEqual(totals);
    expect(rejections).toMatchObject(wanted);
    expect(rejections).toHaveLength(wanted.length);
    expect(await stored(prefix)).toEqual(storedAfter(prefix));
  });

  it.each([
    ['in one chunk', 'API', 0],
    // 999 rows rejected for an unknown category first: the repeats are in the call's second chunk of 1,000, in the same transaction.
    ['across chunks', 'APICHUNKS', 999],
  ])('in a submitCreditRecords call, %s, the same', async (_, prefix, padding) => {
    const { stored: before, rows } = batch(prefix);
    const first = await records.queryAs<{ submitCreditRecords: BatchResult }>(officerOf('MARKET_REGULATION'), SUBMIT_MANY, { rows: before });
    expect(first.data?.submitCreditRecords).toMatchObject({ created: 2, rejected: 0 });
    const unknownCategory = Array.from({ length: padding }, (_, i) => ({ ...penalty(`${prefix}-PAD-${i}`, subject.identifier), category: 'PARKING_TICKET' }));
    const result = await records.queryAs<{ submitCreditRecords: BatchResult }>(officerOf('MARKET_REGULATION'), SUBMIT_MANY, { rows: [...unknownCategory, ...rows] });
    expect(result.errors).toBeUndefined();
    const { totals, rejections: wanted } = expected(prefix);
    expect(result.data?.submitCreditRecords).toMatchObject({ ...totals, rejected: totals.rejected + padding });
    const batchRejections = result.data!.submitCreditRecords.rejections.slice(padding);
    expect(batchRejections).toMatchObject(wanted.map((r) => ({ ...r, row: r.row + padding, reason: r.reason.replace(/in row (\d+)/, (_, row: string) => `in row ${Number(row) + padding}`) })));
    expect(batchRejections).toHaveLength(wanted.length);
    expect(await stored(prefix)).toEqual(storedAfter(prefix));
  });
});
