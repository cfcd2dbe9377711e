import fs from 'node:fs';
import { isUtf8 } from 'node:buffer';
import path from 'node:path';
import { parse } from 'csv-parse';
import { parse as parseSync } from 'csv-parse/sync';
import { ErrorCode } from '../../../lib/errors';
import type { IntakeRow } from './record-intake';
import { rowFields, type RecordRow, type RowField, type RowProblem } from './record-input';

/**
 * Reading a department's file for the import command, as a stream of rows: CSV (RFC 4180, comma
 * separated, a header row, UTF-8 with or without BOM) or JSON Lines (one record object per line,
 * the keys of `SubmitCreditRecordInput`; a `.json` file is read as JSON Lines so that it streams).
 *
 * Before a single row is handed over, the file as a whole is checked, so that a wrong file is
 * refused before anything is stored (`FileRejected`): its encoding (a full streaming pass: a file
 * that is not UTF-8 but is valid GB18030 is GBK-encoded, as Excel on Chinese Windows saves CSV),
 * and for CSV its header (delimiter, missing, unknown and repeated columns). A UTF-8 file with a
 * few damaged rows is not refused: those rows are rejected one by one, naming the column.
 */
export type FileFormat = 'csv' | 'jsonl';

/** The file cannot be imported at all; nothing was stored. */
export class FileRejected extends Error {
  override name = 'FileRejected';
}

/**
 * The file breaks off after `afterRow` rows that could be read (an unterminated quote): nothing
 * after it can be told apart into rows, while the rows before it are whole and are stored.
 */
export class FileCutShort extends Error {
  override name = 'FileCutShort';

  constructor(
    readonly afterRow: number,
    message: string,
  ) {
    super(message);
  }
}

/** CSV header names: the input's names in snake_case, and the camelCase names of the JSON keys. */
const snake = (field: string) => field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
const columnNames = new Map<string, RowField>(rowFields.flatMap((f) => [[snake(f), f] as const, [f.toLowerCase(), f] as const]));
const requiredColumns: RowField[] = ['category', 'documentNumber', 'decisionDate', 'summary'];

export function formatOf(file: string, explicit?: string): FileFormat {
  const name = (explicit ?? path.extname(file).slice(1)).toLowerCase();
  if (name === 'csv') return 'csv';
  if (name === 'json' || name === 'jsonl' || name === 'ndjson') return 'jsonl';
  throw new FileRejected(`cannot tell the format of ${path.basename(file)}: name it .csv, .json or .jsonl (JSON Lines), or pass --format csv|jsonl`);
}

export interface RecordFile {
  format: FileFormat;
  /** Size in bytes, for progress. */
  size: number;
  /** Bytes read so far by `rows()`. */
  bytesRead(): number;
  /** The data rows, numbered from 1 (the first row after a CSV header). */
  rows(): AsyncGenerator<IntakeRow>;
}

const utf8Bom = Buffer.from([0xef, 0xbb, 0xbf]);

/** Checks the whole file and its header; throws FileRejected, or returns the file ready to stream. */
export async function openRecordFile(file: string, options: { format?: string } = {}): Promise<RecordFile> {
  const format = formatOf(file, options.format);
  let size: number;
  try {
    size = fs.statSync(file).size;
  } catch {
    throw new FileRejected(`cannot read ${file}`);
  }
  if (size === 0) throw new FileRejected(`${path.basename(file)} is empty${format === 'csv' ? ': a CSV file starts with its header row' : ''}`);
  await checkEncoding(file);
  const head = await readHead(file);
  const start = head.subarray(0, 3).equals(utf8Bom) ? 3 : 0;
  let bytes = 0;
  const stream = () => {
    // 64 KiB, some 400 rows, at a time: the CSV parser parses a read whole before anything else
    // runs, and a commit waiting for its answer is held up as long (a 256 KiB read held it ~20 ms).
    const input = fs.createReadStream(file, { start, highWaterMark: 64 * 1024 });
    input.on('data', (chunk) => (bytes += chunk.length));
    return input;
  };
  if (format === 'jsonl') {
    if (head.subarray(start).toString('utf8').trimStart().startsWith('[')) {
      throw new FileRejected(`${path.basename(file)} is a JSON array; the importer reads JSON Lines (one record object per line) so that a large file streams: convert it with \`jq -c '.[]'\``);
    }
    return { format, size, bytesRead: () => bytes, rows: () => jsonLines(stream()) };
  }
  const columns = csvHeader(head.subarray(start));
  return { format, size, bytesRead: () => bytes, rows: () => csvRows(stream(), columns) };
}

async function readHead(file: string): Promise<Buffer> {
  const handle = await fs.promises.open(file, 'r');
  try {
    const buffer = Buffer.alloc(64 * 1024);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** One streaming pass over the file: UTF-8 throughout, or refused when it is in another encoding. */
async function checkEncoding(file: string): Promise<void> {
  const head = await readHead(file);
  if ((head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff) || head.includes(0)) {
    throw new FileRejected(`${path.basename(file)} is UTF-16 (or holds NUL bytes); save it as UTF-8 (Excel: "CSV UTF-8")`);
  }
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  try {
    // Streaming decode: a chunk may end inside a character; only a real error throws.
    for await (const chunk of fs.createReadStream(file, { highWaterMark: 1024 * 1024 }) as AsyncIterable<Buffer>) utf8.decode(chunk, { stream: true });
    utf8.decode();
    return;
  } catch {
    // Not UTF-8 somewhere: a whole file in GBK is refused; a few damaged rows are rejected one by one.
  }
  if (await isGb18030(file)) {
    throw new FileRejected(
      `${path.basename(file)} is not UTF-8: it reads as GBK/GB18030 (how Excel on Chinese Windows saves "CSV"); save it as "CSV UTF-8" or convert it with \`iconv -f GB18030 -t UTF-8\`. Nothing was stored`,
    );
  }
}

async function isGb18030(file: string): Promise<boolean> {
  const gb = new TextDecoder('gb18030', { fatal: true });
  try {
    for await (const chunk of fs.createReadStream(file, { highWaterMark: 1024 * 1024 }) as AsyncIterable<Buffer>) gb.decode(chunk, { stream: true });
    gb.decode();
    return true;
  } catch {
    return false;
  }
}

/** The header's columns, in order, as input fields; refuses a header the importer cannot read unambiguously. */
function csvHeader(head: Buffer): RowField[] {
  const end = head.indexOf(10);
  if (end === -1 && head.length >= 64 * 1024) throw new FileRejected('the first line is longer than 64 KiB: this is not a CSV header row');
  const line = head.subarray(0, end === -1 ? head.length : end).toString('utf8').replace(/\r$/, '');
  if (!isUtf8(head.subarray(0, end === -1 ? head.length : end))) throw new FileRejected('the header row is not valid UTF-8');
  let names: string[];
  try {
    names = (parseSync(line, { relax_quotes: true }) as string[][])[0] ?? [];
  } catch (error) {
    throw new FileRejected(`the header row is not valid CSV: ${(error as Error).message}`);
  }
  const expected = `expected comma-separated columns ${requiredColumns.map(snake).join(', ')} and subject_code or subject_id (optional: ${rowFields.filter((f) => !requiredColumns.includes(f) && f !== 'subjectCode' && f !== 'subjectId').map(snake).join(', ')})`;
  if (names.length === 1) {
    const other = [';', '\t', '|'].find((d) => line.includes(d));
    if (other) {
      throw new FileRejected(`the header row has a single column ${JSON.stringify(names[0].slice(0, 80))}: the file seems separated by ${other === '\t' ? 'tabs' : `'${other}'`}, and the importer reads comma-separated CSV (RFC 4180); ${expected}`);
    }
  }
  const columns: RowField[] = [];
  const unknown: string[] = [];
  for (const raw of names) {
    const name = raw.trim().toLowerCase();
    const field = columnNames.get(name);
    if (!field) unknown.push(raw);
    else if (columns.includes(field)) throw new FileRejected(`the header names the column ${snake(field)} twice`);
    else columns.push(field);
  }
  if (unknown.length) throw new FileRejected(`the header has unknown column${unknown.length > 1 ? 's' : ''} ${unknown.map((u) => JSON.stringify(u)).join(', ')}; ${expected}`);
  const missing = requiredColumns.filter((f) => !columns.includes(f)).map(snake);
  if (!columns.includes('subjectCode') && !columns.includes('subjectId')) missing.push('subject_code (or subject_id)');
  if (missing.length) throw new FileRejected(`the header lacks the column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}; ${expected}`);
  return columns;
}

async function* csvRows(input: fs.ReadStream, columns: RowField[]): AsyncGenerator<IntakeRow> {
  // Fields as bytes (encoding null), so that a damaged field is found and named, never decoded
  // into replacement characters and stored. The BOM is skipped by the caller: csv-parse's `bom`
  // option would switch the output back to strings.
  const parser = input.pipe(parse({ encoding: null, relax_column_count: true, relax_quotes: true, skip_empty_lines: true, from_line: 2 }));
  let row = 0;
  try {
    for await (const record of parser as AsyncIterable<Uint8Array[]>) {
      row += 1;
      const values: RecordRow = {};
      const problems: RowProblem[] = [];
      if (record.length !== columns.length) {
        const hint = record.length === 1 && /[;\t|]/.test(Buffer.from(record[0]).toString('utf8')) ? ' (is it separated by another character than a comma?)' : '';
        problems.push({ field: null, code: ErrorCode.BAD_USER_INPUT, reason: `the row has ${record.length} field${record.length === 1 ? '' : 's'} where the header has ${columns.length}${hint}` });
      }
      columns.forEach((field, i) => {
        const bytes = record[i];
        if (bytes === undefined) return;
        if (!isUtf8(bytes)) {
          problems.push({ field, code: ErrorCode.BAD_USER_INPUT, reason: `${field} holds bytes that are not UTF-8 (乱码); the file must be UTF-8 throughout` });
          return;
        }
        values[field] = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
      });
      yield { row, values, problems };
    }
  } catch (error) {
    const code = (error as { code?: string }).code ?? '';
    throw new FileCutShort(row, `the file is not valid CSV after row ${row} (${code}: ${(error as Error).message}); fix the file and import it again (stored rows come back unchanged)`);
  }
}

async function* jsonLines(input: fs.ReadStream): AsyncGenerator<IntakeRow> {
  let pending: Buffer = Buffer.alloc(0);
  let row = 0;
  const toRow = (line: Buffer): IntakeRow | undefined => {
    const text = line.at(-1) === 13 ? line.subarray(0, -1) : line;
    if (text.toString('latin1').trim() === '') return undefined;
    row += 1;
    if (!isUtf8(text)) return { row, values: {}, problems: [{ field: null, code: ErrorCode.BAD_USER_INPUT, reason: 'the line holds bytes that are not UTF-8 (乱码); the file must be UTF-8 throughout' }] };
    let value: unknown;
    try {
      value = JSON.parse(text.toString('utf8'));
    } catch (error) {
      return { row, values: {}, problems: [{ field: null, code: ErrorCode.BAD_USER_INPUT, reason: `the line is not JSON: ${(error as Error).message}` }] };
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      return { row, values: {}, problems: [{ field: null, code: ErrorCode.BAD_USER_INPUT, reason: 'each line is one JSON object (a record)' }] };
    }
    const unknown = Object.keys(value).filter((k) => !(rowFields as readonly string[]).includes(k));
    const problems: RowProblem[] = unknown.length ? [{ field: null, code: ErrorCode.BAD_USER_INPUT, reason: `unknown key${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}; the keys are ${rowFields.join(', ')}` }] : [];
    return { row, values: value as RecordRow, problems };
  };
  for await (const chunk of input as AsyncIterable<Buffer>) {
    let data = pending.length ? Buffer.concat([pending, chunk]) : chunk;
    let newline = data.indexOf(10);
    while (newline !== -1) {
      const parsed = toRow(data.subarray(0, newline));
      if (parsed) yield parsed;
      data = data.subarray(newline + 1);
      newline = data.indexOf(10);
    }
    pending = Buffer.from(data);
  }
  const last = toRow(pending);
  if (last) yield last;
}
