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
