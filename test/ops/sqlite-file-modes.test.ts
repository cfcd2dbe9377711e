import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Logger } from 'typeorm';
import { withDevSecrets } from '../../scripts/dev-secrets';
import { entitiesSubgraph } from '../../subgraphs/entities/subgraph';
import { openDatabase } from '../../subgraphs/shared/database';

/**
 * The SQLite files hold the registers whole (names, citizen ID numbers, the audit log): they were
 * made 0644 in a directory made 0755, readable by every user of the host, beside a secrets file
 * made for the owner alone.
 */
const modeOf = (file: string) => fs.statSync(file).mode & 0o777;

/** TypeORM's logger, keeping its warnings. */
function warningsInto(warnings: string[]): Logger {
  const nothing = () => undefined;
  return { logQuery: nothing, logQueryError: nothing, logQuerySlow: nothing, logSchemaBuild: nothing, logMigration: nothing, log: (level, message) => void (level === 'warn' && warnings.push(String(message))) };
}

(process.platform === 'win32' ? describe.skip : describe)('the SQLite directory and files', () => {
  let root: string;
  beforeEach(() => (root = fs.mkdtempSync(path.join(os.tmpdir(), 'sqlite-modes-'))));
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it('are made readable by their owner alone: the directory with its parents, each database with its WAL', async () => {
    const directory = path.join(root, 'made', 'data');
    const warnings: string[] = [];
    const db = await openDatabase('entities', { kind: 'sqlite', directory }, entitiesSubgraph, warningsInto(warnings));
    try {
      await db.query('SELECT 1');
      expect([modeOf(path.join(root, 'made')), modeOf(directory)]).toEqual([0o700, 0o700]);
      const files = fs.readdirSync(directory).sort();
      expect(files).toEqual(expect.arrayContaining(['entities.sqlite', 'entities.sqlite-shm', 'entities.sqlite-wal']));
      for (const file of files) expect({ file, mode: modeOf(path.join(directory, file)) }).toEqual({ file, mode: 0o600 });
    } finally {
      await db.destroy();
    }
    expect(warnings).toEqual([]);
  });

  it('leave a directory that exists as it is, with a warning when other users may read it', async () => {
    const open = path.join(root, 'open');
    fs.mkdirSync(open, { mode: 0o755 });
    fs.chmodSync(open, 0o755);
    const warnings: string[] = [];
    const db = await openDatabase('entities', { kind: 'sqlite', directory: open }, entitiesSubgraph, warningsInto(warnings));
    await db.destroy();
    expect(modeOf(open)).toBe(0o755);
    expect(modeOf(path.join(open, 'entities.sqlite'))).toBe(0o600);
    expect(warnings).toEqual([`the SQLite directory ${open} (SQLITE_DIRECTORY) may be read by other users of this host (mode 755): its databases hold personal data; chmod 700 it unless they must`]);

    const closed = path.join(root, 'closed');
    fs.mkdirSync(closed, { mode: 0o700 });
    const quiet: string[] = [];
    await (await openDatabase('entities', { kind: 'sqlite', directory: closed }, entitiesSubgraph, warningsInto(quiet))).destroy();
    expect(quiet).toEqual([]);
  });

  it('share data/ with the development secrets, which make it for their owner alone too', () => {
    const directory = path.join(root, 'data');
    withDevSecrets({}, directory);
    expect(modeOf(directory)).toBe(0o700);
  });
});
