import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { QueryFailedError } from 'typeorm';
import { AuditWriter, type AuditEntryInput } from '../gateway/audit-writer';
import { auditedTextLimits, importActorMark } from '../lib/access/identity';
import { findDepartment } from '../lib/catalogue/departments';
import { quietDatabase } from '../lib/database-logger';
import { ConfigProblems, isProduction, readNodeEnvironment, withoutUserInfo } from '../lib/env';
import { checkSettingNames } from '../lib/settings';
import { InternalClient } from '../lib/internal-client';
import { projectRoot } from '../lib/project-root';
import { characterCount, firstCharacters } from '../lib/text';
import { readSubgraphUrl } from '../schema/subgraphs';
import { FileRejected, formatNamed, openRecordFile, type RecordFile } from '../subgraphs/records/intake/intake-file';
import { importRecordFile, type ImportProgress } from '../subgraphs/records/intake/file-import';
import { rejectionDetail, rejectionDetailNames, type IntakeTotals, type Rejection } from '../subgraphs/records/intake/record-intake';
import type { Actor } from '../subgraphs/records/record-history';
import { readPeerEndpoint, type PeerEndpoint } from '../subgraphs/shared/peer-endpoint';
import { EntitiesSubjectDirectory, SubjectDirectoryUnavailable } from '../subgraphs/shared/subject-directory';
import { recordsSubgraph } from '../subgraphs/records/subgraph';
import { databaseTarget, describeTarget, isDatabaseConnectionLoss, openDatabase, type DatabaseTarget } from '../subgraphs/shared/database';
import { withDevSecrets } from './dev-secrets';
import { exitWithFailure } from '../lib/start-failure';
import { maskedConsole } from '../lib/masked-console';
import { maskPersonalData } from '../lib/logger';
import { newRequestId } from '../lib/request-record';

const usage = `usage: npm run import -- --department CODE [--actor NAME] [--format csv|jsonl] [--rejections FILE] [--summary-json FILE] FILE

Imports a department's credit records (信息归集) from FILE into the records database, in that
department's name: CSV (comma-separated, header row, UTF-8) or JSON Lines (.json/.jsonl, one
record object per line). Columns / keys: subject_code or subject_id, category, polarity,
severity, tax_credit_grade, document_number, decision_date, valid_until, summary, and optionally
source_department, which must then be CODE (JSON Lines: the camelCase names of
SubmitCreditRecordInput). Importing a file again changes nothing.

Subjects are checked with the entities subgraph (SUBGRAPH_ENTITIES_URL, default
http://127.0.0.1:4001/graphql, and GATEWAY_SIGNING_KEY: required with NODE_ENV=production,
otherwise when unset the development key of data/dev-secrets.json); the database is DATABASE_URL /
DATABASE_PREFIX / SQLITE_DIRECTORY, as for the subgraphs. Each subject whose record the import
stored or whose stored record a rejection describes is recorded in the audit log, once a run,
through the audit subgraph (SUBGRAPH_AUDIT_URL, default http://127.0.0.1:4005/graphql), signed
with the same key; nothing is imported while it cannot be written.

--actor NAME names who imports in each record's history and in the audit log, marked as an
import: import:NAME (a NAME already beginning import: is kept as it is), by default
import:<login name>; never a user's own name, which would read as that user's submissions;
--rejections FILE writes every rejected row (row, the line of FILE it begins on, field,
document number, reason, then its problem, the code a script may switch on, and the problem's
details: choices joined by |, max, character, earliest, latest, record_status, earlier_row) as CSV (README,
Errors; empty where the rule has none);
--summary-json FILE writes the counts, duration, CPU time and peak memory as JSON, for scripts.

Exit status: 0 every row stored or unchanged; 3 imported, some rows rejected; 1 the file was
rejected (nothing stored), the file breaks off with a row that is not valid CSV (every row
before it stored or rejected, and that row rejected, as counted), or the import failed; 2 a
usage or configuration error.`;

/**
 * One progress line on stderr: redrawn in place on a terminal, every tenth otherwise. Masked as
 * everything the import prints is (maskedConsole, which writes whole lines and cannot redraw one):
 * the file's name may hold a person's number (`130304199001011234.csv`, a person's records).
 */
function progressPrinter(file: string): { update(progress: ImportProgress): void; done(): void } {
  const tty = process.stderr.isTTY;
  const started = Date.now();
  let lastDecile = -1;
  let drawn = false;
  const format = (n: number) => n.toLocaleString('en-US');
  return {
    update({ rows, bytesRead, size, totals }) {
      const fraction = size ? Math.min(1, bytesRead / size) : 1;
      const width = 24;
      const filled = Math.round(fraction * width);
      const rate = rows / Math.max(0.001, (Date.now() - started) / 1000);
      const line = maskPersonalData(`${path.basename(file)} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${String(Math.floor(fraction * 100)).padStart(3)}%  ${format(rows)} rows  ${format(Math.round(rate))} rows/s  created ${format(totals.created)}  updated ${format(totals.updated)}  unchanged ${format(totals.unchanged)}  rejected ${format(totals.rejected)}`);
      if (tty) {
        process.stderr.write(`\r${line}\x1b[K`);
        drawn = true;
      } else if (Math.floor(fraction * 10) > lastDecile) {
        lastDecile = Math.floor(fraction * 10);
        process.stderr.write(`${line}\n`);
      }
    },
    done() {
      if (drawn) process.stderr.write('\n');
    },
  };
}

/**
 * Rejections go to a CSV file when asked (all of them, streamed), and the first 20 to the
 * terminal, masked as everything the import prints is (maskedConsole): their row and line say
 * which row it is. The file, the operator's own, keeps the values they quote whole; its `problem`
 * and the problem's details are `CreditRecordRejection`'s (a list joined by `|`), so that a script
 * tells which rule a row broke without reading the reason's words. They follow the columns the
 * file had before them (row, line, field, document_number, reason), whose places a script may read
 * by. A row may be rejected for several
 * problems, each a rejection of its own: `count` counts rejections, as `shown` holds them, not rows.
 */
function rejectionSink(file: string | undefined): { add(rejection: Rejection): void; shown: Rejection[]; count(): number; close(): Promise<void> } {
  const shown: Rejection[] = [];
  let count = 0;
  const out = file ? fs.createWriteStream(file) : undefined;
  const quote = (value: string | number | null | undefined) => (value === null || value === undefined ? '' : /[",\n\r]/.test(String(value)) ? `"${String(value).replace(/"/g, '""')}"` : String(value));
  const detailColumns = rejectionDetailNames.map((name) => name.replace(/[A-Z]/g, (upper) => `_${upper.toLowerCase()}`));
  out?.write(`${['row', 'line', 'field', 'document_number', 'reason', 'problem', ...detailColumns].join(',')}\n`);
  const detail = (rejection: Rejection, name: (typeof rejectionDetailNames)[number]) => {
    const value = rejectionDetail(rejection, name);
    return Array.isArray(value) ? value.join('|') : (value as string | number | null);
  };
  return {
    add(rejection) {
      count += 1;
      if (shown.length < 20) shown.push(rejection);
      const details = rejectionDetailNames.map((name) => detail(rejection, name));
      out?.write(`${[rejection.row, rejection.line, rejection.field, rejection.documentNumber, rejection.reason, rejection.details?.problem, ...details].map(quote).join(',')}\n`);
    },
    shown,
    count: () => count,
    close: () => new Promise<void>((resolve) => (out ? out.end(resolve) : resolve())),
  };
}

/**
 * The audit log could not record what a committed chunk told of: the import stops, as the
 * gateway withholds an answer it could not audit.
 */
class AuditNotWritten extends Error {
  override name = 'AuditNotWritten';
}

/**
 * The audit entries for the subjects a chunk of the import first told of: one per subject, as the
 * gateway writes one for a submission through the API, under RECORD_SUBMISSION in the department's name (the role
 * its officers submit with), by the import's actor (`import:…`) and request id, its operation
 * `import`: the credit office, and each subject in its own trail, see the import as they see the
 * department's submissions.
 */
function importEntries(actor: Actor & { requestId: string }, subjectIds: readonly string[]): AuditEntryInput[] {
  const occurredAt = new Date().toISOString();
  return subjectIds.map((subjectId) => ({
    actor: actor.userId,
    organisation: actor.organisation,
    organisationKind: 'DEPARTMENT',
    role: 'DEPARTMENT_OFFICER',
    matter: null,
    caseNumber: null,
    consentId: null,
    subjectId,
    fieldGroups: ['RECORD_SUBMISSION'],
    operationName: 'import',
    requestId: actor.requestId,
    occurredAt,
    outcome: 'DISCLOSED',
  }));
}

/**
 * A name marked as an import's, `import:<name>`, a name already so marked kept as it is: who an
 * import names in each record's history and in its audit entries. Unmarked, `--actor mr-officer`
 * read as that officer's own submissions through the API.
 */
const markedAsImport = (name: string) => (name.startsWith(importActorMark) ? name : `${importActorMark}${name}`);

/** The import's actor: `--actor`, whose length `parseArguments` checked, or else the login name, marked. */
function importActor(given: string | undefined): string {
  return firstCharacters(markedAsImport(given ?? os.userInfo().username), auditedTextLimits.callerId);
}

/** The options that take a value (`--name value` or `--name=value`). */
const valueOptions = ['department', 'actor', 'format', 'rejections', 'summary-json'] as const;
type ValueOption = (typeof valueOptions)[number];

type Arguments = Partial<Record<ValueOption, string>> & { department: string; file: string };

/**
 * The command line, or what is wrong with it: an option it does not know is refused, never ignored
 * (a mistyped `--dry-run` would import for real). Its files are read from `from`, the directory
 * the command was run in.
 */
function parseArguments(argv: string[], from: string): Arguments | string {
  const options: Partial<Record<ValueOption, string>> = {};
  const files: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('-') || arg === '-') {
      files.push(path.resolve(from, arg));
      continue;
    }
    const [flag, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const name = valueOptions.find((option) => `--${option}` === flag);
    if (!name) return `unknown option ${flag}`;
    const value = inline ?? argv[++i];
    if (value === undefined || value === '' || (inline === undefined && value.startsWith('--'))) return `${flag} needs a value`;
    if (options[name] !== undefined) return `${flag} is given twice`;
    options[name] = name === 'rejections' || name === 'summary-json' ? path.resolve(from, value) : value;
  }
  const { department, format, actor } = options;
  if (!department) return '--department is required';
  // Recorded whole or not at all: the history and the audit log keep a user's name to that length.
  if (actor !== undefined && characterCount(markedAsImport(actor)) > auditedTextLimits.callerId) {
    const most = auditedTextLimits.callerId;
    return `--actor must have at most ${most - importActorMark.length} characters (it is recorded as ${importActorMark}<actor>, at most ${most}), got ${characterCount(actor)}`;
  }
  if (files.length !== 1) return `one FILE is imported at a time, got ${files.length}`;
  if (format !== undefined && !formatNamed(format)) return `--format must be csv or jsonl, got "${format}"`;
  // Each output is written from the start: one naming the input (or the other output) would
  // empty the department's file before a row of it is read.
  const outputs = [['--rejections', options.rejections], ['--summary-json', options['summary-json']]] as const;
  const written = new Map<string, string>([[fileIdentity(files[0]), 'FILE']]);
  for (const [flag, output] of outputs) {
    if (output === undefined) continue;
    const taken = written.get(fileIdentity(output));
    if (taken) return `${flag} ${output} is ${taken === 'FILE' ? 'the file being imported' : `also ${taken}'s file`}: name another file`;
    written.set(fileIdentity(output), flag);
  }
  return { ...options, department, file: files[0] };
}

/**
 * Which file a path names, however it is written: an existing file by its device and inode (a
 * symbolic or hard link to the input is the input), one yet to be written by its absolute path.
 */
function fileIdentity(file: string): string {
  try {
    const { dev, ino } = fs.statSync(file);
    return `inode ${dev}:${ino}`;
  } catch {
    return path.resolve(file);
  }
}

/** Exit status 2: what is wrong, then the usage, on stderr. */
function usageError(problem: string): number {
  maskedConsole.error(`${problem}\n\n${usage}`);
  return 2;
}

export async function main(argv: string[]): Promise<number> {
  // Asked for, the usage is the answer: on stdout, and a success.
  if (argv.includes('--help') || argv.includes('-h')) {
    maskedConsole.log(usage);
    return 0;
  }
  // `npm run import` runs in the project's directory: its files are named as its user sees them,
  // from the directory it was run in (INIT_CWD), as any command's are.
  const from = process.env.npm_lifecycle_event === 'import' && process.env.INIT_CWD ? process.env.INIT_CWD : process.cwd();
  const parsed = parseArguments(argv, from);
  if (typeof parsed === 'string') return usageError(parsed);
  const { department, file, actor: actorName, format, rejections: rejectionsFile, 'summary-json': summaryFile } = parsed;
  if (!findDepartment(department)) {
    maskedConsole.error(`--department must be a department code of the catalogue (e.g. MARKET_REGULATION), got "${department}"`);
    return 2;
  }
  // Before any secret is made: `NODE_ENV=prod` is neither production nor the development it would
  // run as, and a mistyped DATABASE_PREFX would import into the default prefix's database.
  const environment = new ConfigProblems();
  const warnings = environment.read(() => checkSettingNames(process.env)) ?? [];
  environment.read(() => readNodeEnvironment(process.env));
  try {
    environment.check();
  } catch (error) {
    maskedConsole.error(`configuration error: ${(error as Error).message}`);
    return 2;
  }
  for (const warning of warnings) maskedConsole.error(`warning: ${warning}`);
  const dataDirectory = path.join(projectRoot, 'data');
  // The import signs its subject lookups with the gateway's key, which the entities subgraph
  // checks. In production that is the real one, from the environment, as the gateway and the
  // subgraphs read it (lib/env.ts readSecret): a development key made here would only be refused
  // there, and a secrets file written on a production host. Elsewhere the embedded default's.
  if (isProduction(process.env) && !process.env.GATEWAY_SIGNING_KEY) {
    maskedConsole.error('configuration error: GATEWAY_SIGNING_KEY is required with NODE_ENV=production: the key the gateway signs with, which the entities subgraph checks (the import makes no development secret in production)');
    return 2;
  }
  const env = isProduction(process.env) ? { ...process.env } : withDevSecrets(process.env, dataDirectory, ['GATEWAY_SIGNING_KEY']);
  let lookup: PeerEndpoint;
  let target: DatabaseTarget;
  let auditUrl: string;
  try {
    lookup = readPeerEndpoint(env, 'entities');
    target = databaseTarget(env, dataDirectory);
    auditUrl = readSubgraphUrl(env, 'audit');
  } catch (error) {
    maskedConsole.error(`configuration error: ${(error as Error).message}`);
    return 2;
  }
  // The file first: a file that cannot be read, or whose header is wrong, is told before anything
  // is asked of the services (nothing is stored either way).
  let recordFile: RecordFile;
  try {
    recordFile = await openRecordFile(file, { format });
  } catch (error) {
    if (!(error instanceof FileRejected)) throw error;
    maskedConsole.error(`${path.basename(file)} rejected: ${error.message}`);
    return 1;
  }
  // Asked before a row is stored: stored rows whose audit entries cannot be written are what the
  // gateway never leaves (it withholds such an answer), and an audit subgraph not running, or
  // refusing the key, would otherwise be found only after the first chunks had committed.
  const auditLog = new AuditWriter(new InternalClient(lookup.signingKey, undefined, 'audit'), auditUrl);
  try {
    await auditLog.probe();
  } catch (error) {
    maskedConsole.error(`import not started: the audit log at ${withoutUserInfo(auditUrl)} cannot be written (${(error as Error).message}); nothing was imported`);
    return 1;
  }
  const requestId = `import-${newRequestId()}`;
  const actor = { userId: importActor(actorName), organisation: department, requestId };
  const db = await openDatabase('records', target, recordsSubgraph, quietDatabase);
  const progress = progressPrinter(file);
  const rejections = rejectionSink(rejectionsFile);
  let committed: IntakeTotals | undefined;
  try {
    const summary = await importRecordFile(db, recordFile, {
      onStopped: (totals) => (committed = totals),
      department,
      actor,
      subjects: new EntitiesSubjectDirectory(lookup),
      format,
      onProgress: (p) => progress.update(p),
      onRejection: (r) => rejections.add(r),
      audit: async (subjectIds) => {
        try {
          await auditLog.write(importEntries(actor, subjectIds));
        } catch (error) {
          throw new AuditNotWritten(`the audit log at ${withoutUserInfo(auditUrl)} could not record what a chunk stored (${(error as Error).message})`);
        }
      },
    });
    progress.done();
    const { created, updated, unchanged, rejected } = summary.totals;
    const rowsPerSecond = Math.round(summary.rows / Math.max(summary.seconds, 0.001));
    // maxRSS is in KiB: the process's peak resident memory, whatever the file's size.
    const peakRssMiB = Math.round(process.resourceUsage().maxRSS / 1024);
    // On a shared machine the wall clock measures the neighbours too; CPU time measures the importer.
    const { user, system } = process.cpuUsage();
    const cpuSeconds = Math.round((user + system) / 1e5) / 10;
    maskedConsole.log(`${path.basename(file)}: ${summary.rows} rows in ${summary.seconds.toFixed(1)} s (${rowsPerSecond} rows/s, peak memory ${peakRssMiB} MiB) for ${department} into ${describeTarget(target)} (import ${requestId})`);
    const { cutShort } = summary;
    if (summaryFile) fs.writeFileSync(summaryFile, `${JSON.stringify({ file, department, rows: summary.rows, seconds: summary.seconds, rowsPerSecond, peakRssMiB, cpuSeconds, ...summary.totals, ...(cutShort ? { cutShortAfterRow: cutShort.afterRow, cutShortAtLine: cutShort.line, cutShortProblem: cutShort.problem } : {}) })}\n`);
    maskedConsole.log(`  created ${created}, updated ${updated}, unchanged ${unchanged}, rejected ${rejected}`);
    for (const r of rejections.shown) maskedConsole.log(`  row ${r.row}${r.line === undefined ? '' : ` (line ${r.line})`}${r.field ? `, ${r.field}` : ''}: ${r.reason}`);
    if (rejections.count() > rejections.shown.length) maskedConsole.log(`  ... ${rejectionsFile ? `every rejection is in ${rejectionsFile}` : 'pass --rejections FILE for all of them'}`);
    if (cutShort) {
      maskedConsole.error(`${path.basename(file)} cut short: ${cutShort.message}; the ${cutShort.afterRow} rows before it were imported as counted above, and row ${cutShort.afterRow + 1}, where it broke off, is counted rejected`);
      return 1;
    }
    return rejected ? 3 : 0;
  } catch (error) {
    progress.done();
    if (error instanceof FileRejected) {
      maskedConsole.error(`${path.basename(file)} rejected: ${error.message}`);
      return 1;
    }
    // Whatever stopped it (a peer, the audit log, the database full, locked or gone, a bug): what
    // the chunks committed before it stored, which the last progress line can be chunks short of,
    // and that the same file imported again completes it, the rows stored coming back unchanged.
    const audited = error instanceof AuditNotWritten ? ' and its audit' : '';
    const stored = committed
      ? ` Stored before it stopped: created ${committed.created}, updated ${committed.updated}, unchanged ${committed.unchanged}, rejected ${committed.rejected}. ` +
        `The chunks committed stay; importing the file again completes it${audited} (rows already stored come back unchanged${audited && ', and are audited so'}).`
      : '';
    if (error instanceof SubjectDirectoryUnavailable || error instanceof AuditNotWritten) maskedConsole.error(`import stopped: ${error.message}.${stored}`);
    // A refused statement's or a lost connection's message says what the database did; its stack adds nothing.
    else if (error instanceof QueryFailedError || isDatabaseConnectionLoss(error)) maskedConsole.error(`import failed: ${(error as Error).message.replace(/\.$/, '')}.${stored}`);
    else maskedConsole.error(`import failed: ${(error as Error).stack ?? error}${stored && `\n${stored.trimStart()}`}`);
    return 1;
  } finally {
    await rejections.close();
    await db.destroy();
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => process.exit(code), exitWithFailure('import'));
}
