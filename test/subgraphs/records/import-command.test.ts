import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { main } from '../../../scripts/import';
import { auditSubgraph } from '../../../subgraphs/audit/subgraph';
import { recordsSubgraph } from '../../../subgraphs/records/subgraph';
import { intakeChunkSize } from '../../../subgraphs/records/intake/record-intake';
import { openDatabase } from '../../../subgraphs/shared/database';
import { testDatabases, type TestDatabase } from '../../helpers/databases';
import { testSigningKey } from '../../helpers/identity';
import { useSubgraph } from '../../helpers/subgraph';
import { useRecordsWithSubjects } from './records-harness';

const header = 'subject_code,category,polarity,severity,tax_credit_grade,document_number,decision_date,valid_until,summary';

/** What `main` printed: stdout (console.log) and stderr (console.error), and apart, its progress lines (written to stderr as they are). */
interface Run {
  status: number;
  stdout: string;
  stderr: string;
  progress: string;
}

/**
 * Runs the command in this process, against a records database of its own (`SQLITE_DIRECTORY`, or
 * `DATABASE_URL` and `DATABASE_PREFIX`), the entities subgraph at `entitiesUrl` and the audit
 * subgraph at `auditUrl`, as an operator's environment would give them.
 */
async function runImport(argv: string[], settings: { entitiesUrl: string; auditUrl: string; database: Record<string, string> }): Promise<Run> {
  const saved = { ...process.env };
  delete process.env.DATABASE_URL;
  Object.assign(process.env, { SUBGRAPH_ENTITIES_URL: settings.entitiesUrl, SUBGRAPH_AUDIT_URL: settings.auditUrl, GATEWAY_SIGNING_KEY: `base64:${Buffer.from(testSigningKey).toString('base64')}`, ...settings.database });
  const stdout: string[] = [];
  const stderr: string[] = [];
  const log = jest.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void stdout.push(args.join(' ')));
  const error = jest.spyOn(console, 'error').mockImplementation((...args: unknown[]) => void stderr.push(args.join(' ')));
  const progressLines: string[] = [];
  const progress = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => (progressLines.push(String(chunk)), true));
  try {
    const status = await main(argv);
    return { status, stdout: stdout.join('\n'), stderr: stderr.join('\n'), progress: progressLines.join('') };
  } finally {
    log.mockRestore();
    error.mockRestore();
    progress.mockRestore();
    for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name];
    Object.assign(process.env, saved);
  }
}

describe('the import command’s arguments', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'import-arguments-'));
  const sqlite = path.join(dir, 'databases');
  const file = path.join(dir, 'records.csv');
  fs.writeFileSync(file, `${header}\n`);
  const symlink = path.join(dir, 'records-link.csv');
  fs.symlinkSync(file, symlink);
  const hardLink = path.join(dir, 'records-hard.csv');
  fs.linkSync(file, hardLink);
  // Nobody listens there: an import that ran anyway would stop at its first lookup.
  const settings = { entitiesUrl: 'http://127.0.0.1:1/graphql', auditUrl: 'http://127.0.0.1:1/graphql', database: { SQLITE_DIRECTORY: sqlite } };
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('prints the usage on stdout and exits 0 when asked for it', async () => {
    const run = await runImport(['--help'], settings);
    expect(run).toMatchObject({ status: 0, stderr: '' });
    expect(run.stdout).toMatch(/^usage: npm run import -- --department CODE/);
    expect(run.stdout).toMatch(/Exit status: 0 every row stored or unchanged/);
  });

  it.each([
    ['an option it does not know', ['--department', 'MARKET_REGULATION', '--dry-run=yes', file], 'unknown option --dry-run'],
    ['a format it does not read', ['--department', 'MARKET_REGULATION', '--format', 'xml', file], '--format must be csv or jsonl, got "xml"'],
    ['an option without its value', ['--department', 'MARKET_REGULATION', file, '--rejections'], '--rejections needs a value'],
    ['no department', [file], '--department is required'],
    ['two files', ['--department', 'MARKET_REGULATION', file, file], 'one FILE is imported at a time, got 2'],
    ['--rejections naming the file imported', ['--department', 'MARKET_REGULATION', '--rejections', path.join(dir, '.', 'records.csv'), file], `--rejections ${path.join(dir, 'records.csv')} is the file being imported: name another file`],
    ['--summary-json naming the file imported', ['--department', 'MARKET_REGULATION', `--summary-json=${file}`, file], `--summary-json ${file} is the file being imported: name another file`],
    ['both outputs naming one file', ['--department', 'MARKET_REGULATION', '--rejections', path.join(dir, 'out'), '--summary-json', path.join(dir, 'out'), file], `--summary-json ${path.join(dir, 'out')} is also --rejections's file: name another file`],
    ['--rejections naming a symbolic link to the file imported', ['--department', 'MARKET_REGULATION', '--rejections', symlink, file], `--rejections ${symlink} is the file being imported: name another file`],
    ['--summary-json naming a hard link to the file imported', ['--department', 'MARKET_REGULATION', '--summary-json', hardLink, file], `--summary-json ${hardLink} is the file being imported: name another file`],
  ])('refuses %s with exit status 2 and the usage, importing nothing', async (_label, argv, problem) => {
    const run = await runImport(argv, settings);
    expect(run).toMatchObject({ status: 2, stdout: '' });
    expect(run.stderr).toMatch(new RegExp(`^${problem.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\n\\nusage: npm run import`));
    // Not even the database was opened, and the department's file is as it was.
    expect(fs.existsSync(sqlite)).toBe(false);
    expect(fs.readFileSync(file, 'utf8')).toBe(`${header}\n`);
  });

  // NODE_ENV=prod was no production: the import made a development key for a host that had none.
  it('refuses a NODE_ENV that is none of production, development, test or unset, naming those, importing nothing', async () => {
    const run = await runImport(['--department', 'MARKET_REGULATION', file], { ...settings, database: { SQLITE_DIRECTORY: sqlite, NODE_ENV: 'prod' } });
    expect(run).toMatchObject({ status: 2, stdout: '' });
    expect(run.stderr).toMatch(/^configuration error: .*NODE_ENV must be production, development or test \(or unset\), got "prod"/s);
    expect(fs.existsSync(sqlite)).toBe(false);
  });

  // DATABASE_PREFX once imported into the default prefix's database, SUBGRAPH_ENTITY_URL asked the default address.
  it('refuses a mistyped setting name, naming the setting meant, importing nothing', async () => {
    const run = await runImport(['--department', 'MARKET_REGULATION', file], { ...settings, database: { SQLITE_DIRECTORY: sqlite, DATABASE_PREFX: 'credit_other_', SUBGRAPH_ENTITY_URL: 'http://127.0.0.1:1/graphql' } });
    expect(run).toMatchObject({ status: 2, stdout: '' });
    expect(run.stderr.split('\n')).toEqual([
      'configuration error: 2 configuration problems:',
      '  - DATABASE_PREFX is not a setting: did you mean DATABASE_PREFIX?',
      "  - SUBGRAPH_ENTITY_URL names no subgraph: the subgraphs' addresses are SUBGRAPH_ENTITIES_URL, SUBGRAPH_RECORDS_URL, SUBGRAPH_REPORTS_URL, SUBGRAPH_PROVIDERS_URL and SUBGRAPH_AUDIT_URL",
    ]);
    expect(fs.existsSync(sqlite)).toBe(false);
  });

  // From the intake probe: `npm run import` runs in the project's directory, so a file named as
  // its user sees it from another directory was "cannot read records.csv", naming neither where it
  // looked nor why.
  it('reads the files `npm run import` is given from the directory it was run in (INIT_CWD), and names the path and the reason of a file it cannot read', async () => {
    const saved = { event: process.env.npm_lifecycle_event, initCwd: process.env.INIT_CWD };
    Object.assign(process.env, { npm_lifecycle_event: 'import', INIT_CWD: dir });
    try {
      const missing = await runImport(['--department', 'MARKET_REGULATION', 'missing.csv'], settings);
      expect(missing).toMatchObject({ status: 1, stdout: '' });
      expect(missing.stderr).toContain(`cannot read ${path.join(dir, 'missing.csv')} (no such file)`);
      // The file in the directory it was run in is found: the run goes on to the audit log, which is not there.
      const found = await runImport(['--department', 'MARKET_REGULATION', '--rejections', 'out.csv', 'records.csv'], settings);
      expect(found.stderr).not.toContain('cannot read');
      expect(found.stderr).toContain('nothing was imported');
    } finally {
      for (const [name, value] of [['npm_lifecycle_event', saved.event], ['INIT_CWD', saved.initCwd]] as const) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
  });
  // From the code-review probe: a file whose header row was missing printed its first row's
  // values, an ID number and a mobile number among them, whole, as the header's unknown columns.
  it('masks the ID numbers and mobile numbers of a first row it took for the header, refusing the file', async () => {
    const headless = path.join(dir, 'headless.csv');
    fs.writeFileSync(headless, '11010519491231002X,ADMINISTRATIVE_PENALTY,NEGATIVE,GENERAL,北戴河市监罚〔2026〕7号,2026-01-05,当事人电话13812345678\n');
    const run = await runImport(['--department', 'MARKET_REGULATION', headless], settings);
    expect(run).toMatchObject({ status: 1, stdout: '' });
    expect(run.stderr).toMatch(/^headless\.csv rejected: the header has unknown columns "1101\*{10}002X", .*"当事人电话138\*{4}5678"/);
    expect(run.stderr).not.toMatch(/11010519491231002X|13812345678/);
  });
});

describe.each(testDatabases)('the import command’s report on $label', (database: TestDatabase) => {
  const { world, entities } = useRecordsWithSubjects(database, 'impcmd', 6);
  const audit = useSubgraph(auditSubgraph, database, 'impcmd_audit');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'import-command-'));
  // The command's own records database, beside the harness's.
  const target = database.target('impcli');
  const databaseSettings = (): Record<string, string> => (target.kind === 'mysql' ? { DATABASE_URL: target.url, DATABASE_PREFIX: target.prefix } : { SQLITE_DIRECTORY: path.join(dir, 'databases') });
  afterAll(async () => {
    fs.rmSync(dir, { recursive: true, force: true });
    await database.cleanUp('impcli');
  });

  it('gives each rejected row the line of the file it begins on, on the terminal and in --rejections', async () => {
    const enterprise = world.subjects.find((s) => s.kind === 'ENTERPRISE')!;
    const row = (documentNumber: string, summary: string) => `${enterprise.identifier},ADMINISTRATIVE_PENALTY,NEGATIVE,GENERAL,,${documentNumber},2026-01-05,,${summary}`;
    const file = path.join(dir, 'stray.csv');
    fs.writeFileSync(file, [header, row('CLI-1', '"未按规定公示年报'), row('CLI-2', '"罚款2万元"'), row('CLI-3', '正常行'), ''].join('\n'));
    const rejectionsFile = path.join(dir, 'rejections.csv');
    const run = await runImport(['--department', 'MARKET_REGULATION', '--rejections', rejectionsFile, file], { entitiesUrl: entities.url(), auditUrl: audit.url(), database: databaseSettings() });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(3);
    const report = run.stdout.split('\n').slice(1);
    expect(report).toEqual([
      '  created 1, updated 0, unchanged 0, rejected 2',
      expect.stringMatching(/^ {2}row 1 \(line 2\): the summary opens a quote on line 2 that is not closed on that line/),
      expect.stringMatching(/^ {2}row 2 \(line 3\): line 3 lies inside the quote that row 1's summary opens on line 2/),
    ]);
    const written = parse(fs.readFileSync(rejectionsFile), { columns: true }) as Record<string, string>[];
    expect(written.map(({ row: n, line, field, document_number, problem, earlier_row }) => ({ row: n, line, field, document_number, problem, earlier_row }))).toEqual([
      { row: '1', line: '2', field: '', document_number: 'CLI-1', problem: 'QUOTE_NOT_CLOSED', earlier_row: '' },
      { row: '2', line: '3', field: '', document_number: '', problem: 'INSIDE_OPEN_QUOTE', earlier_row: '1' },
    ]);
  });
  // The progress line was written unmasked, where everything else the import prints is masked (maskedConsole).
  it('masks a person’s number in the file’s name on its progress line, as in its report', async () => {
    const enterprise = world.subjects.find((s) => s.kind === 'ENTERPRISE')!;
    const file = path.join(dir, '130304199001011234.csv');
    fs.writeFileSync(file, [header, `${enterprise.identifier},ADMINISTRATIVE_PENALTY,NEGATIVE,GENERAL,,CLI-N1,2026-01-05,,罚款`, ''].join('\n'));
    const run = await runImport(['--department', 'MARKET_REGULATION', file], { entitiesUrl: entities.url(), auditUrl: audit.url(), database: databaseSettings() });
    expect(run).toMatchObject({ status: 0, stderr: '' });
    expect(run.progress).toMatch(/^1303\*{10}1234\.csv \[#+\] 100%  1 rows /);
    expect(run.stdout).toMatch(/^1303\*{10}1234\.csv: 1 rows in /);
    expect(`${run.progress}${run.stdout}`).not.toContain('130304199001011234');
  });

  // An intake admin's script reads --rejections to tell which rule each row broke: the reason is
  // words, so it had nothing to switch on but their wording.
  // A script written before the problem column read the columns by position: they keep theirs, the problem and its details follow.
  it('names each rejection’s problem and its details in --rejections, after the columns it had, as CreditRecordRejection does, empty where it has none', async () => {
    const enterprise = world.subjects.find((s) => s.kind === 'ENTERPRISE')!;
    const row = (category: string, documentNumber: string, decisionDate: string, summary: string) => `${enterprise.identifier},${category},NEGATIVE,GENERAL,,${documentNumber},${decisionDate},,${summary}`;
    const file = path.join(dir, 'problems.csv');
    fs.writeFileSync(file, [header, row('PARKING_TICKET', 'CLI-P1', '2026-01-05', '罚款'), row('ADMINISTRATIVE_PENALTY', 'CLI-P2', '2026/01/05', '罚'.repeat(501)), ''].join('\n'));
    const rejectionsFile = path.join(dir, 'problem-rejections.csv');
    const run = await runImport(['--department', 'MARKET_REGULATION', '--rejections', rejectionsFile, file], { entitiesUrl: entities.url(), auditUrl: audit.url(), database: databaseSettings() });
    expect(run).toMatchObject({ stderr: '', status: 3 });
    const text = fs.readFileSync(rejectionsFile, 'utf8');
    expect(text.split('\n')[0]).toBe('row,line,field,document_number,reason,problem,choices,max,character,earliest,latest,record_status,earlier_row');
    const byPosition = parse(text, { from_line: 2 }) as string[][];
    expect(byPosition.map((columns) => columns.slice(0, 4))).toEqual([
      ['1', '2', 'category', 'CLI-P1'],
      ['2', '3', 'summary', 'CLI-P2'],
      ['2', '3', 'decisionDate', 'CLI-P2'],
    ]);
    const written = parse(text, { columns: true }) as Record<string, string>[];
    expect(written.map(({ row: n, field, problem, choices, max, character, earliest, latest, record_status }) => ({ row: n, field, problem, choices, max, character, earliest, latest, record_status }))).toEqual([
      { row: '1', field: 'category', problem: 'NOT_A_CHOICE', choices: 'REGISTRATION_BASICS|ADMINISTRATIVE_LICENSING|ADMINISTRATIVE_PENALTY|ADMINISTRATIVE_ENFORCEMENT|SERIOUS_DISHONESTY_LIST|RED_LIST_HONOUR|CONTRACT_PERFORMANCE|CREDIT_COMMITMENT', max: '', character: '', earliest: '', latest: '', record_status: '' },
      { row: '2', field: 'summary', problem: 'TOO_LONG', choices: '', max: '500', character: '', earliest: '', latest: '', record_status: '' },
      { row: '2', field: 'decisionDate', problem: 'NOT_A_DATE', choices: '', max: '', character: '', earliest: '', latest: '', record_status: '' },
    ]);
  });

  // From the probe of the records subgraph: three runs of the command left no audit entry, where
  // a submission of the same rows through the API left one per subject.
  it('records in the audit log, run after run, each subject whose record it stored or whose stored record a rejection describes', async () => {
    const [first, second, third] = world.subjects;
    const row = (subject: { identifier: string }, documentNumber: string, decisionDate = '2026-01-05') => `${subject.identifier},ADMINISTRATIVE_PENALTY,NEGATIVE,GENERAL,,${documentNumber},${decisionDate},,罚款`;
    const file = path.join(dir, 'audited.csv');
    fs.writeFileSync(file, [header, row(first, 'CLI-AUDIT-1'), row(second, 'CLI-AUDIT-2'), row(second, 'CLI-AUDIT-3'), row(third, 'CLI-AUDIT-4', '2026-02-30'), ''].join('\n'));
    /** The run's entries, by the request id its summary prints. */
    const entriesOf = async (run: Run) => {
      const requestId = /\(import (import-[0-9a-f-]+)\)/.exec(run.stdout)?.[1];
      const rows = (await audit.db().query('SELECT subject_id, actor, organisation, organisation_kind, role, field_groups, operation_name, outcome FROM audit_entry WHERE request_id = ?', [requestId])) as Record<string, string>[];
      return rows.sort((a, b) => a.subject_id.localeCompare(b.subject_id));
    };
    const expected = (...subjects: { id: string }[]) =>
      subjects
        .map((s) => ({ subject_id: s.id, actor: `import:${os.userInfo().username}`, organisation: 'MARKET_REGULATION', organisation_kind: 'DEPARTMENT', role: 'DEPARTMENT_OFFICER', field_groups: 'RECORD_SUBMISSION', operation_name: 'import', outcome: 'DISCLOSED' }))
        .sort((a, b) => a.subject_id.localeCompare(b.subject_id));
    const settings = { entitiesUrl: entities.url(), auditUrl: audit.url(), database: databaseSettings() };
    // The row with an impossible date tells of no record: its subject's trail holds nothing.
    const created = await runImport(['--department', 'MARKET_REGULATION', file], settings);
    expect(created.stdout).toContain('created 3, updated 0, unchanged 0, rejected 1');
    expect(await entriesOf(created)).toEqual(expected(first, second));
    // Sent again, a row comes back unchanged, told of again; a number that is another subject's
    // record is refused, telling of that record, in its subject's trail.
    const again = path.join(dir, 'audited-again.csv');
    fs.writeFileSync(again, [header, row(second, 'CLI-AUDIT-2'), row(third, 'CLI-AUDIT-1'), ''].join('\n'));
    const rerun = await runImport(['--department', 'MARKET_REGULATION', again], settings);
    expect(rerun.stdout).toContain('created 0, updated 0, unchanged 1, rejected 1');
    expect(rerun.stdout).toContain('the record CLI-AUDIT-1 is about another subject');
    expect(await entriesOf(rerun)).toEqual(expected(first, second));
  });

  // From the probe of the records subgraph: `--actor mr-officer` put the officer's own name in
  // the record's history, where nothing told the import from that officer's own submissions.
  it.each([
    ['a name given', 'mr-officer', 'import:mr-officer'],
    ['a name already marked', 'import:night-run', 'import:night-run'],
  ])('marks the actor as an import in the history and the audit log, for %s', async (_label, given, recorded) => {
    const documentNumber = `CLI-ACTOR-${given}`;
    const file = path.join(dir, `actor-${given.replace(/\W/g, '-')}.csv`);
    fs.writeFileSync(file, [header, `${world.subjects[0].identifier},ADMINISTRATIVE_PENALTY,NEGATIVE,GENERAL,,${documentNumber},2026-01-05,,罚款`, ''].join('\n'));
    const run = await runImport(['--department', 'MARKET_REGULATION', '--actor', given, file], { entitiesUrl: entities.url(), auditUrl: audit.url(), database: databaseSettings() });
    expect(run.status).toBe(0);
    const records = await openDatabase('records', target.kind === 'mysql' ? target : { kind: 'sqlite', directory: path.join(dir, 'databases') }, recordsSubgraph);
    try {
      const events = await records.query('SELECT e.actor FROM credit_record_event e JOIN credit_record r ON r.id = e.record_id WHERE r.document_number = ?', [documentNumber]);
      expect(events).toEqual([{ actor: recorded }]);
    } finally {
      await records.destroy();
    }
    const requestId = /\(import (import-[0-9a-f-]+)\)/.exec(run.stdout)?.[1];
    expect(await audit.db().query('SELECT actor FROM audit_entry WHERE request_id = ?', [requestId])).toEqual([{ actor: recorded }]);
  });

  it('refuses an actor too long to be recorded whole, importing nothing', async () => {
    const file = path.join(dir, 'long-actor.csv');
    fs.writeFileSync(file, `${header}\n`);
    const run = await runImport(['--department', 'MARKET_REGULATION', '--actor', 'x'.repeat(94), file], { entitiesUrl: entities.url(), auditUrl: audit.url(), database: databaseSettings() });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/^--actor must have at most 93 characters \(it is recorded as import:<actor>, at most 100\), got 94\n\nusage: npm run import/);
  });

  it('imports nothing while the audit log cannot be written', async () => {
    const file = path.join(dir, 'unaudited.csv');
    fs.writeFileSync(file, [header, `${world.subjects[0].identifier},ADMINISTRATIVE_PENALTY,NEGATIVE,GENERAL,,CLI-UNAUDITED-1,2026-01-05,,罚款`, ''].join('\n'));
    const run = await runImport(['--department', 'MARKET_REGULATION', file], { entitiesUrl: entities.url(), auditUrl: 'http://127.0.0.1:1/graphql', database: databaseSettings() });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/^import not started: the audit log at http:\/\/127\.0\.0\.1:1\/graphql cannot be written \(.+\); nothing was imported$/);
    expect(run.stdout).toBe('');
  });

  // From the probe of the records subgraph: a file ending inside a quote never closed exited 1,
  // naming its line on stderr alone; the summary said "rejected 0", and --rejections, which the
  // README calls all of them, held the header alone.
  it('counts the row a file broke off at as rejected, in the summary and in --rejections, naming the line it begins on', async () => {
    const enterprise = world.subjects.find((s) => s.kind === 'ENTERPRISE')!;
    const file = path.join(dir, 'broken-off.csv');
    fs.writeFileSync(file, [header, `${enterprise.identifier},ADMINISTRATIVE_PENALTY,NEGATIVE,GENERAL,,CLI-CUT-1,2026-01-05,,罚款`, `${enterprise.identifier},ADMINISTRATIVE_PENALTY,NEGATIVE,GENERAL,,CLI-CUT-2,2026-01-05,,"未闭合`].join('\n'));
    const rejectionsFile = path.join(dir, 'broken-off-rejections.csv');
    const summaryFile = path.join(dir, 'broken-off-summary.json');
    const run = await runImport(['--department', 'MARKET_REGULATION', '--rejections', rejectionsFile, '--summary-json', summaryFile, file], { entitiesUrl: entities.url(), auditUrl: audit.url(), database: databaseSettings() });
    expect(run.status).toBe(1);
    const report = run.stdout.split('\n');
    expect(report[0]).toMatch(/^broken-off\.csv: 2 rows in /);
    expect(report.slice(1)).toEqual(['  created 1, updated 0, unchanged 0, rejected 1', expect.stringMatching(/^ {2}row 2 \(line 3\): the file is not valid CSV after row 1 \(CSV_QUOTE_NOT_CLOSED\): the row that begins on line 3 opens a quote that is never closed/)]);
    expect(run.stderr).toMatch(/^broken-off\.csv cut short: the file is not valid CSV after row 1 .+; the 1 rows before it were imported as counted above, and row 2, where it broke off, is counted rejected$/);
    const written = parse(fs.readFileSync(rejectionsFile), { columns: true }) as Record<string, string>[];
    const noDetails = { choices: '', max: '', character: '', earliest: '', latest: '', record_status: '', earlier_row: '' };
    expect(written).toEqual([{ row: '2', line: '3', field: '', document_number: '', reason: expect.stringMatching(/^the file is not valid CSV after row 1 \(CSV_QUOTE_NOT_CLOSED\)/), problem: 'QUOTE_NOT_CLOSED', ...noDetails }]);
    expect(JSON.parse(fs.readFileSync(summaryFile, 'utf8'))).toMatchObject({ rows: 2, created: 1, rejected: 1, cutShortAfterRow: 1, cutShortAtLine: 3, cutShortProblem: 'QUOTE_NOT_CLOSED' });
  });

  it('says that rejections are hidden when rows with several problems each fill the 20 shown, though fewer than 20 rows were rejected', async () => {
    const enterprise = world.subjects.find((s) => s.kind === 'ENTERPRISE')!;
    // Each row has two problems, its category and its date: 12 rows, 24 rejections.
    const rows = Array.from({ length: 12 }, (_, i) => `${enterprise.identifier},PARKING_TICKET,NEGATIVE,GENERAL,,CLI-TWICE-${i + 1},2026-02-30,,罚款`);
    const file = path.join(dir, 'two-problems.csv');
    fs.writeFileSync(file, [header, ...rows, ''].join('\n'));
    const run = await runImport(['--department', 'MARKET_REGULATION', file], { entitiesUrl: entities.url(), auditUrl: audit.url(), database: databaseSettings() });
    expect(run.status).toBe(3);
    const report = run.stdout.split('\n').slice(1);
    expect(report[0]).toBe('  created 0, updated 0, unchanged 0, rejected 12');
    expect(report.filter((line) => /^ {2}row \d+/.test(line))).toHaveLength(20);
    expect(report.at(-1)).toBe('  ... pass --rejections FILE for all of them');
  });

  // From the code-review probe: the rejections on the terminal quoted a row's ID number whole,
  // where its row and line already say which row it is.
  it('masks the ID numbers and mobile numbers its rejections quote on the terminal, keeping them whole in --rejections, the operator’s own file', async () => {
    const file = path.join(dir, 'bad-code.csv');
    fs.writeFileSync(file, [header, '110105194912310021,ADMINISTRATIVE_PENALTY,NEGATIVE,GENERAL,,CLI-MASK-1,2026-01-05,,罚款', ''].join('\n'));
    const rejectionsFile = path.join(dir, 'bad-code-rejections.csv');
    const run = await runImport(['--department', 'MARKET_REGULATION', '--rejections', rejectionsFile, file], { entitiesUrl: entities.url(), auditUrl: audit.url(), database: databaseSettings() });
    expect(run).toMatchObject({ status: 3, stderr: '' });
    expect(run.stdout.split('\n').slice(2)).toEqual([expect.stringMatching(/^ {2}row 1 \(line 2\), subjectCode: invalid citizen ID number "1101\*{10}0021"/)]);
    expect(run.stdout).not.toContain('110105194912310021');
    const written = parse(fs.readFileSync(rejectionsFile), { columns: true }) as Record<string, string>[];
    expect(written).toEqual([expect.objectContaining({ row: '1', field: 'subjectCode', reason: expect.stringContaining('invalid citizen ID number "110105194912310021"') })]);
  });

  // From the code-review probe: a statement the database refused printed its words whole, an ID
  // number or a mobile number they quoted among them (a trigger quoting the row stands for any).
  it('masks the database’s words when the import fails', async () => {
    const records = await openDatabase('records', target.kind === 'mysql' ? target : { kind: 'sqlite', directory: path.join(dir, 'databases') }, recordsSubgraph);
    await records.query(
      target.kind === 'mysql'
        ? "CREATE TRIGGER refuse_all BEFORE INSERT ON credit_record FOR EACH ROW BEGIN DECLARE m VARCHAR(255) DEFAULT CONCAT('refused: ', NEW.summary); SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = m; END"
        : "CREATE TRIGGER refuse_all BEFORE INSERT ON credit_record BEGIN SELECT RAISE(ABORT, 'refused: ' || NEW.summary); END",
    );
    try {
      const enterprise = world.subjects.find((s) => s.kind === 'ENTERPRISE')!;
      const file = path.join(dir, 'refused.csv');
      fs.writeFileSync(file, [header, `${enterprise.identifier},ADMINISTRATIVE_PENALTY,NEGATIVE,GENERAL,,CLI-REFUSED-1,2026-01-05,,当事人11010519491231002X电话13812345678`, ''].join('\n'));
      const run = await runImport(['--department', 'MARKET_REGULATION', file], { entitiesUrl: entities.url(), auditUrl: audit.url(), database: databaseSettings() });
      expect(run.status).toBe(1);
      expect(run.stderr).toMatch(/^import failed: .*refused: 当事人1101\*{10}002X电话138\*{4}5678/);
      expect(run.stderr).not.toMatch(/11010519491231002X|13812345678/);
    } finally {
      await records.query('DROP TRIGGER refuse_all');
      await records.destroy();
    }
  });

  // From the storage probe: an import the database stopped (a lock wait timeout, the disk full, the
  // connection lost) printed only the database's words, while 6,000 rows were stored and the last
  // progress line said 3,000; a peer's or the audit log's stop said what was stored, and how to resume.
  it('says what the chunks committed before the database stopped it stored, and that importing the file again completes it', async () => {
    const records = await openDatabase('records', target.kind === 'mysql' ? target : { kind: 'sqlite', directory: path.join(dir, 'databases') }, recordsSubgraph);
    await records.query(
      target.kind === 'mysql'
        ? "CREATE TRIGGER refuse_stop BEFORE INSERT ON credit_record FOR EACH ROW BEGIN IF NEW.document_number LIKE 'CLI-STOP-%' THEN SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'the table is full'; END IF; END"
        : "CREATE TRIGGER refuse_stop BEFORE INSERT ON credit_record WHEN NEW.document_number LIKE 'CLI-STOP-%' BEGIN SELECT RAISE(ABORT, 'the table is full'); END",
    );
    const enterprise = world.subjects.find((s) => s.kind === 'ENTERPRISE')!;
    const file = path.join(dir, 'stopped.csv');
    // A first chunk that commits whole, then one the database refuses.
    const rows = Array.from({ length: intakeChunkSize }, (_, i) => `${enterprise.identifier},ADMINISTRATIVE_PENALTY,NEGATIVE,GENERAL,,CLI-CHUNK-${i + 1},2026-01-05,,罚款`);
    fs.writeFileSync(file, [header, ...rows, `${enterprise.identifier},ADMINISTRATIVE_PENALTY,NEGATIVE,GENERAL,,CLI-STOP-1,2026-01-05,,罚款`, ''].join('\n'));
    try {
      const run = await runImport(['--department', 'MARKET_REGULATION', file], { entitiesUrl: entities.url(), auditUrl: audit.url(), database: databaseSettings() });
      expect(run.status).toBe(1);
      expect(run.stderr).toMatch(
        new RegExp(
          `^import failed: .*the table is full.*\\. Stored before it stopped: created ${intakeChunkSize}, updated 0, unchanged 0, rejected 0\\. ` +
            'The chunks committed stay; importing the file again completes it \\(rows already stored come back unchanged\\)\\.$',
        ),
      );
    } finally {
      await records.query('DROP TRIGGER refuse_stop');
      await records.destroy();
    }
    const again = await runImport(['--department', 'MARKET_REGULATION', file], { entitiesUrl: entities.url(), auditUrl: audit.url(), database: databaseSettings() });
    expect(again.status).toBe(0);
    expect(again.stdout.split('\n')[1]).toBe(`  created 1, updated 0, unchanged ${intakeChunkSize}, rejected 0`);
  });
});
