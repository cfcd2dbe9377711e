import { spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { projectRoot } from '../../lib/project-root';

/**
 * `npm start` is the demo: it seeds the demo world and, outside production, lists demo tokens in
 * the explorer. Started with NODE_ENV=production (an operator following the old README's MySQL
 * line), it once seeded the demo world into the production database. Bundled from the sources
 * as they are now, in a process group of its own so that nothing it might start outlives the test.
 */
describe('npm start with NODE_ENV=production', () => {
  let script: string;
  let sqliteDirectory: string;
  beforeAll(async () => {
    script = path.join(projectRoot, 'dist', 'ops', 'start', 'start.js');
    await build({ entryPoints: [path.join(projectRoot, 'scripts', 'start.ts')], outfile: script, bundle: true, platform: 'node', target: 'node20', packages: 'external', logLevel: 'warning' });
    sqliteDirectory = fs.mkdtempSync(path.join(os.tmpdir(), 'credit-start-production-'));
  });
  afterAll(() => {
    if (sqliteDirectory) fs.rmSync(sqliteDirectory, { recursive: true, force: true });
  });

  it('refuses to run, seeding nothing, and names the way production runs', async () => {
    const child = spawn(process.execPath, [script], {
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { PATH: process.env.PATH, NODE_ENV: 'production', SQLITE_DIRECTORY: sqliteDirectory, GATEWAY_PORT: '4999' },
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = once(child, 'exit') as Promise<[number | null]>;
    const timer = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), 15_000);
    const [code] = await exited;
    clearTimeout(timer);

    expect({ code, output }).toEqual({ code: 2, output: expect.stringContaining('refuses NODE_ENV=production') });
    expect(output).toContain('docker/compose.yaml');
    expect(output).toContain('node dist/gateway/index.js');
    expect(fs.readdirSync(sqliteDirectory)).toEqual([]);
  });
});
