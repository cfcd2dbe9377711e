import fs from 'node:fs';
import { isUtf8 } from 'node:buffer';
import path from 'node:path';
import { parse } from 'csv-parse';
import { parse as parseSync } from 'csv-parse/sync';
import { ErrorCode, quotedInput } from '../../../lib/errors';
import { codePointOf } from '../../../lib/text';
import type { IntakeRow } from './record-intake';
import { rowFields, type ProblemDetails, type RecordRow, type RowField, type RowProblem } from './record-input';

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
 * Why a file broke off: a quote opened and never closed before the end of the file, a row that
 * runs past `maxRowBytes` (a quote left open that a later quote would close only far on), or
 * anything else csv-parse cannot read.
 */
export type FileBreak = 'QUOTE_NOT_CLOSED' | 'ROW_TOO_LONG' | 'NOT_CSV';

/**
 * What the reader refuses in a row's bytes, as README, Errors, names it, so that a script tells
 * it from a row's own rules without reading the words: bytes that are not UTF-8 (`NOT_UTF8`, 乱码),
 * in a column or a line of JSON Lines; a line of JSON Lines that is no JSON object
 * (`NOT_A_JSON_OBJECT`) or has a key no field has (`UNKNOWN_KEY`); a CSV row with other than the
 * header's number of columns (`WRONG_COLUMN_COUNT`); a quote left open, at the row whose field
 * opens it (`QUOTE_NOT_CLOSED`) and at each line it ran across (`INSIDE_OPEN_QUOTE`, that row its
 * `earlierRow`); and the row a file broke off at (`FileBreak`). A line break in a one-line column
 * is `FORBIDDEN_CHARACTER`, as the same text typed into a form is refused.
 */
export type FileRowProblem = 'NOT_UTF8' | 'NOT_A_JSON_OBJECT' | 'UNKNOWN_KEY' | 'WRONG_COLUMN_COUNT' | 'INSIDE_OPEN_QUOTE' | FileBreak;

/** A problem the reader finds in a row: BAD_USER_INPUT, as every problem of a row's input is. */
function readerProblem(field: RowField | null, reason: string, details: ProblemDetails): RowProblem {
  return { field, code: ErrorCode.BAD_USER_INPUT, reason, details };
}

/**
 * The file breaks off after `afterRow` rows that could be read, at the row that begins on `line`:
 * nothing from there on can be told apart into rows, while the rows before it are whole and are
 * stored.
 */
export class FileCutShort extends Error {
  override name = 'FileCutShort';

  constructor(
    readonly afterRow: number,
    readonly line: number,
    readonly problem: FileBreak,
    message: string,
  ) {
    super(message);
  }
}

/** CSV header names: the input's names in snake_case, and the camelCase names of the JSON keys. */
const snake = (field: string) => field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
const columnNames = new Map<string, RowField>(rowFields.flatMap((f) => [[snake(f), f] as const, [f.toLowerCase(), f] as const]));
const requiredColumns: RowField[] = ['category', 'documentNumber', 'decisionDate', 'summary'];

/** The format a name (`--format`, or a file's extension) stands for; undefined for any other name. */
export function formatNamed(name: string): FileFormat | undefined {
  const lower = name.toLowerCase();
  if (lower === 'csv') return 'csv';
  if (lower === 'json' || lower === 'jsonl' || lower === 'ndjson') return 'jsonl';
  return undefined;
}

export function formatOf(file: string, explicit?: string): FileFormat {
  const format = formatNamed(explicit ?? path.extname(file).slice(1));
  if (format) return format;
  throw new FileRejected(`cannot tell the format of ${path.basename(file)}: name it .csv, .json or .jsonl (JSON Lines), or pass --format csv|jsonl`);
}

export interface RecordFile {
  format: FileFormat;
  /** Size in bytes, for progress. */
  size: number;
  /** Bytes read so far by `rows()`. */
  bytesRead(): number;
  /** The data rows, numbered from 1 (the first row after a CSV header), each with the line it begins on. */
  rows(): AsyncGenerator<IntakeRow>;
}

const utf8Bom = Buffer.from([0xef, 0xbb, 0xbf]);

/** Checks the whole file and its header; throws FileRejected, or returns the file ready to stream. */
export async function openRecordFile(file: string, options: { format?: string } = {}): Promise<RecordFile> {
  const format = formatOf(file, options.format);
  let size: number;
  try {
    size = fs.statSync(file).size;
  } catch (error) {
    // Where it looked, in full, and why: a relative name is read from a directory its user may not have meant.
    const code = (error as NodeJS.ErrnoException).code;
    throw new FileRejected(`cannot read ${path.resolve(file)} (${code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'not allowed to read it' : (code ?? (error as Error).message)})`);
  }
  const empty = new FileRejected(`${path.basename(file)} is empty${format === 'csv' ? ': a CSV file starts with its header row' : ''}`);
  if (size === 0) throw empty;
  await checkEncoding(file);
  const head = await readHead(file);
  const start = head.subarray(0, 3).equals(utf8Bom) ? 3 : 0;
  // A byte order mark, or blank lines, alone: what an editor saves of an empty sheet.
  if (head.length === size && head.subarray(start).toString('latin1').trim() === '') throw empty;
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
  const lineBreak = lineBreakOf(head.subarray(start));
  const columns = csvHeader(head.subarray(start), lineBreak);
  return { format, size, bytesRead: () => bytes, rows: () => csvRows(stream(), columns, lineBreak) };
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

const lf = 0x0a;
const cr = 0x0d;
const comma = 0x2c;
const quote = 0x22;

/**
 * The byte that ends a line of the file: LF, whether the lines end in CRLF or LF, alone or mixed
 * (a header saved by Excel with CRLF and rows appended by a script with LF); CR in a file whose
 * first line ends in a CR alone (Excel for Mac's "CSV (Macintosh)").
 */
type LineBreak = typeof lf | typeof cr;

function lineBreakOf(head: Buffer): LineBreak {
  const end = head.findIndex((byte) => byte === lf || byte === cr);
  return end !== -1 && head[end] === cr && head[end + 1] !== lf && end + 1 < head.length ? cr : lf;
}

/** The header's columns, in order, as input fields; refuses a header the importer cannot read unambiguously. */
function csvHeader(head: Buffer, lineBreak: LineBreak): RowField[] {
  const end = head.indexOf(lineBreak);
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
      throw new FileRejected(`the header row has a single column ${quotedInput(names[0])}: the file seems separated by ${other === '\t' ? 'tabs' : `'${other}'`}, and the importer reads comma-separated CSV (RFC 4180); ${expected}`);
    }
  }
  const unnamed = names.findIndex((raw) => raw.trim() === '');
  if (unnamed !== -1) {
    const hint = unnamed === names.length - 1 ? 'a trailing comma?' : 'two commas in a row?';
    throw new FileRejected(`column ${unnamed + 1} of the header has no name; ${hint} (${expected})`);
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
  if (unknown.length) throw new FileRejected(`the header has unknown column${unknown.length > 1 ? 's' : ''} ${unknown.map(quotedInput).join(', ')}; ${expected}`);
  const missing = requiredColumns.filter((f) => !columns.includes(f)).map(snake);
  if (!columns.includes('subjectCode') && !columns.includes('subjectId')) missing.push('subject_code (or subject_id)');
  if (missing.length) throw new FileRejected(`the header lacks the column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}; ${expected}`);
  return columns;
}

/**
 * The longest row read, in bytes. A row of a department's file is a few KiB at most (a summary
 * has at most 500 characters); a longer one is a quote left open, read on into the rows below
 * it. Past this the file breaks off (`ROW_TOO_LONG`) rather than hold the rest of it as one field
 * in memory; up to it, the rows such a quote ran across are each named (`strayQuote`).
 */
export const maxRowBytes = 1024 * 1024;

/** A quoted field whose lines read as rows of the file: `opensOn`, `closesOn` and `rowLines` are lines of the file. */
interface StrayQuote {
  /** The field's index in the record. */
  field: number;
  opensOn: number;
  closesOn: number;
  rowLines: number[];
}

async function* csvRows(input: fs.ReadStream, columns: RowField[], lineBreak: LineBreak): AsyncGenerator<IntakeRow> {
  // Fields as bytes (encoding null), so that a damaged field is found and named, never decoded
  // into replacement characters and stored. The BOM is skipped by the caller: csv-parse's `bom`
  // option would switch the output back to strings. Every CRLF or LF ends a row, whichever the
  // header ended with: left to itself csv-parse takes the first line's ending for all, and read
  // the LF rows below a CRLF header as one row.
  const parser = input.pipe(
    parse({
      encoding: null,
      relax_column_count: true,
      relax_quotes: true,
      // Blank lines come through, as one empty field, to be counted as lines; they are skipped below
      // (and so is a line holding only "", or only commas, as a spreadsheet saves an empty row:
      // they hold nothing either).
      skip_empty_lines: false,
      from_line: 2,
      max_record_size: maxRowBytes,
      record_delimiter: lineBreak === cr ? ['\r'] : ['\r\n', '\n'],
    }),
  );
  let row = 0;
  // The line the next record begins on, counted here from the line breaks inside each record's
  // fields: csv-parse's own count (its `info` option, which also made reading a third slower)
  // counts a CRLF inside a quoted field as two lines.
  let line = 2;
  try {
    for await (const record of parser as AsyncIterable<Uint8Array[]>) {
      if (record.every((field) => field.length === 0)) {
        line += 1;
        continue;
      }
      const breaks = record.map((field) => countOf(field, lineBreak));
      const lastLine = line + breaks.reduce((a, b) => a + b, 0);
      row += 1;
      const stray = lastLine > line ? strayQuote(record, breaks, columns, line, lineBreak) : undefined;
      if (stray) {
        const refused = strayQuoteRows(stray, record, breaks, columns, { row, line, lastLine });
        yield* refused;
        row += refused.length - 1;
        line = lastLine + 1;
        continue;
      }
      if (record.length !== columns.length) {
        // Which field is which column is not known: read by position, a 7-field row's decision
        // date would be its document number. Its rejection names no value and no column.
        const hint = record.length === 1 && /[;\t|]/.test(textOf(record[0])) ? ' (is it separated by another character than a comma?)' : lastLine > line ? ` (it runs from line ${line} to line ${lastLine} in a quoted field: is a closing quote missing?)` : '';
        yield { row, line, values: {}, problems: [readerProblem(null, `the row has ${record.length} field${record.length === 1 ? '' : 's'} where the header has ${columns.length}${hint}`, { problem: 'WRONG_COLUMN_COUNT' })] };
        line = lastLine + 1;
        continue;
      }
      const values: RecordRow = {};
      const problems: RowProblem[] = [];
      // What is left of a line break after `strayQuote`: inside one column's own quotes, taking in nothing else.
      problems.push(...lineBreakProblems(record, breaks, columns, line));
      columns.forEach((field, i) => {
        const bytes = record[i];
        if (bytes === undefined) return;
        if (!isUtf8(bytes)) {
          problems.push(readerProblem(field, `${field} holds bytes that are not UTF-8 (乱码); the file must be UTF-8 throughout`, { problem: 'NOT_UTF8' }));
          return;
        }
        values[field] = textOf(bytes);
      });
      yield { row, line, values, problems };
      line = lastLine + 1;
    }
  } catch (error) {
    const code = (error as { code?: string }).code ?? '';
    const again = 'import it again (stored rows come back unchanged)';
    if (code === 'CSV_QUOTE_NOT_CLOSED') {
      throw new FileCutShort(row, line, 'QUOTE_NOT_CLOSED', `the file is not valid CSV after row ${row} (${code}): the row that begins on line ${line} opens a quote that is never closed, so nothing after it can be told apart into rows; close the quote and ${again}`);
    }
    if (code === 'CSV_MAX_RECORD_SIZE') {
      throw new FileCutShort(
        row,
        line,
        'ROW_TOO_LONG',
        `the file is not valid CSV after row ${row} (${code}): the row that begins on line ${line} runs on past ${maxRowBytes / 1024 / 1024} MiB where a row is a few KiB, so a quote in it is left open and reads the rows below as its text; close the quote and ${again}`,
      );
    }
    throw new FileCutShort(row, line, 'NOT_CSV', `the file is not valid CSV after row ${row} (${code}: ${(error as Error).message}); fix the file and ${again}`);
  }
}

/**
 * The rule that tells a stray quote from a summary written on several lines (CRLF or LF inside
 * its quotes, as Excel saves a cell with line breaks). csv-parse, with relaxed quotes, reads on
 * from a quote left open until some later quote closes it; the rows it runs across would be
 * stored as this row's text (another subject's summary, and citizen ID number, published in this
 * one's record) and never counted. A quote left open in the summary, column k of n, takes in the
 * rest of its own line (the n-1-k commas before the columns after it), every whole line below
 * (n-1 commas each) and the start of the line where a later quote closes it (the k commas before
 * that row's summary): it is a stray quote when a line within reads as a whole row, or when its
 * first and last lines both read as those pieces of rows, wherever the summary stands among the
 * columns. A row it takes in whose own summary is quoted shows where that quote opens: after an
 * ASCII comma or at the start of a line, a quote the field holds as text (the rows' commas are
 * not needed then: a summary on several lines in the middle of the columns swallowed a person's
 * row whole). Any other column never spans lines (codes, dates, numbers): a line break in one is
 * a stray quote, unless what its quotes hold is its own text alone (no ASCII comma, no quote,
 * and the row has the header's columns): a line break typed into a document number's cell, say,
 * which rejects that row alone (`lineBreakProblems`). A summary written on several lines with
 * that many ASCII commas, or with a quote right after an ASCII comma or at a line's start, reads
 * the same way, and is refused too: written on one line, or with full-width commas and quotes
 * (，“”), it is read.
 */
function strayQuote(record: Uint8Array[], breaks: number[], columns: RowField[], line: number, lineBreak: LineBreak): StrayQuote | undefined {
  let fieldLine = line;
  for (let i = 0; i < record.length; i++) {
    if (breaks[i] > 0 && (columns[i] === 'summary' ? readsAsPiecesOfRows(record[i], lineBreak, i, columns.length) : !holdsItsOwnTextAlone(record, i, columns))) {
      const rowLines = Array.from({ length: breaks[i] }, (_, k) => fieldLine + 1 + k);
      return { field: i, opensOn: fieldLine, closesOn: fieldLine + breaks[i], rowLines };
    }
    fieldLine += breaks[i];
  }
  return undefined;
}

/**
 * Whether a field of a column that never spans lines holds nothing a quote left open would have
 * taken in from other columns or rows: no ASCII comma, no quote, and its row has the header's
 * columns. A row of the file has an ASCII comma between every two columns, so no piece of
 * another row or column can be in it.
 */
function holdsItsOwnTextAlone(record: Uint8Array[], index: number, columns: RowField[]): boolean {
  return record.length === columns.length && !record[index].includes(comma) && !record[index].includes(quote);
}

/**
 * A problem for each column other than the summary whose quotes hold a line break (`strayQuote`
 * found its own text alone there), naming its lines: `FORBIDDEN_CHARACTER` with the first line
 * break's character (U+000D of a CRLF), as a form refuses the same text.
 */
function lineBreakProblems(record: Uint8Array[], breaks: number[], columns: RowField[], line: number): RowProblem[] {
  const problems: RowProblem[] = [];
  let fieldLine = line;
  record.forEach((bytes, i) => {
    const field = columns[i];
    if (breaks[i] > 0 && field !== undefined && field !== 'summary') {
      const reason = `${field} holds a line break: its quotes open on line ${fieldLine} and close on line ${fieldLine + breaks[i]}, and a ${field} is written on one line; remove the line break and import the file again`;
      const lineBreak = bytes.find((byte) => byte === lf || byte === cr)!;
      problems.push(readerProblem(field, reason, { problem: 'FORBIDDEN_CHARACTER', character: codePointOf(String.fromCharCode(lineBreak)) }));
    }
    fieldLine += breaks[i];
  });
  return problems;
}

/** Whether a quoted field spanning lines, column `index` of `columns`, holds what a quote left open there takes in (`strayQuote`). */
function readsAsPiecesOfRows(field: Uint8Array, lineBreak: LineBreak, index: number, columns: number): boolean {
  const commas = commasPerLine(field, lineBreak);
  const last = commas.length - 1;
  if (commas.slice(1, last).some((n) => n >= columns - 1)) return true;
  if (commas[0] >= columns - 1 - index && commas[last] >= index) return true;
  return opensAQuotedField(field, lineBreak);
}

/** Whether the field's text holds a quote where a row's quoted field would open: at its start, after an ASCII comma, or at a line's start. */
function opensAQuotedField(field: Uint8Array, lineBreak: LineBreak): boolean {
  for (let at = field.indexOf(quote); at !== -1; at = field.indexOf(quote, at + 1)) {
    const before = at === 0 ? comma : field[at - 1];
    if (before === comma || before === lineBreak || before === cr) return true;
  }
  return false;
}

/** The ASCII commas on each line of a field. */
function commasPerLine(field: Uint8Array, lineBreak: LineBreak): number[] {
  const counts = [0];
  for (const byte of field) {
    if (byte === lineBreak) counts.push(0);
    else if (byte === comma) counts[counts.length - 1] += 1;
  }
  return counts;
}

/**
 * A row with a stray quote, refused, then a row for each line its quote ran across, numbered
 * after it, each refused naming its line: the counts cover them, and the report names every one.
 */
function strayQuoteRows(stray: StrayQuote, record: Uint8Array[], breaks: number[], columns: RowField[], at: { row: number; line: number; lastLine: number }): IntakeRow[] {
  const name = columns[stray.field] ?? `field no. ${stray.field + 1}`;
  const rowLines = stray.rowLines.length === 1 ? `line ${stray.rowLines[0]}` : lineList(stray.rowLines);
  const why = name === 'summary' ? 'what it takes in reads as parts of rows (ASCII commas where the columns\' stand; write a summary on several lines with full-width commas，)' : `a ${name} is never written on several lines`;
  const reason = `the ${name} opens a quote on line ${stray.opensOn} that is not closed on that line: it runs on to line ${stray.closesOn}, taking in ${rowLines} of the file as its text, and ${why}. Nothing of lines ${at.line}-${at.lastLine} was stored: close the quote on line ${stray.opensOn} and import the file again`;
  // The row's own document number, to find it by; none when the quote may have run into it.
  const number = columns.indexOf('documentNumber');
  const documentNumber = record.length === columns.length && breaks[number] === 0 && isUtf8(record[number]) ? textOf(record[number]) : undefined;
  return [
    { row: at.row, line: at.line, values: documentNumber === undefined ? {} : { documentNumber }, problems: [readerProblem(null, reason, { problem: 'QUOTE_NOT_CLOSED' })] },
    ...stray.rowLines.map((line, i) => ({
      row: at.row + 1 + i,
      line,
      values: {},
      problems: [
        readerProblem(
          null,
          `line ${line} lies inside the quote that row ${at.row}'s ${name} opens on line ${stray.opensOn} and leaves open, so it was not read as a row of its own and nothing of it was stored: close that quote and import the file again`,
          { problem: 'INSIDE_OPEN_QUOTE', earlierRow: at.row },
        ),
      ],
    })),
  ];
}

function countOf(bytes: Uint8Array, byte: number): number {
  let count = 0;
  for (let at = bytes.indexOf(byte); at !== -1; at = bytes.indexOf(byte, at + 1)) count += 1;
  return count;
}

function textOf(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
}

/** "lines 3-9, 12" for ascending line numbers; the first ten runs, when there are more. */
function lineList(lines: number[]): string {
  const runs: [number, number][] = [];
  for (const line of lines) {
    const last = runs.at(-1);
    if (last && last[1] === line - 1) last[1] = line;
    else runs.push([line, line]);
  }
  const shown = runs.slice(0, 10).map(([first, last]) => (first === last ? `${first}` : `${first}-${last}`));
  return `lines ${shown.join(', ')}${runs.length > 10 ? ` and ${runs.length - 10} more runs of lines` : ''}`;
}

async function* jsonLines(input: fs.ReadStream): AsyncGenerator<IntakeRow> {
  let pending: Buffer = Buffer.alloc(0);
  let row = 0;
  let line = 0;
  const toRow = (bytes: Buffer): IntakeRow | undefined => {
    line += 1;
    const text = bytes.at(-1) === cr ? bytes.subarray(0, -1) : bytes;
    if (text.toString('latin1').trim() === '') return undefined;
    row += 1;
    if (!isUtf8(text)) return { row, line, values: {}, problems: [readerProblem(null, 'the line holds bytes that are not UTF-8 (乱码); the file must be UTF-8 throughout', { problem: 'NOT_UTF8' })] };
    let value: unknown;
    try {
      value = JSON.parse(text.toString('utf8'));
    } catch (error) {
      return { row, line, values: {}, problems: [readerProblem(null, `the line is not JSON: ${(error as Error).message}`, { problem: 'NOT_A_JSON_OBJECT' })] };
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      return { row, line, values: {}, problems: [readerProblem(null, 'each line is one JSON object (a record)', { problem: 'NOT_A_JSON_OBJECT' })] };
    }
    const unknown = Object.keys(value).filter((k) => !(rowFields as readonly string[]).includes(k));
    const problems: RowProblem[] = unknown.length ? [readerProblem(null, `unknown key${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}; the keys are ${rowFields.join(', ')}`, { problem: 'UNKNOWN_KEY' })] : [];
    return { row, line, values: value as RecordRow, problems };
  };
  for await (const chunk of input as AsyncIterable<Buffer>) {
    let data = pending.length ? Buffer.concat([pending, chunk]) : chunk;
    let newline = data.indexOf(lf);
    while (newline !== -1) {
      const parsed = toRow(data.subarray(0, newline));
      if (parsed) yield parsed;
      data = data.subarray(newline + 1);
      newline = data.indexOf(lf);
    }
    pending = Buffer.from(data);
  }
  const last = toRow(pending);
  if (last) yield last;
}
