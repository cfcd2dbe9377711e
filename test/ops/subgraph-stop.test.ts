import { spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { unifiedSocialCreditCode } from '../../lib/identifiers';
import { projectRoot } from '../../lib/project-root';
import { signedBy, testSigningKey } from '../helpers/identity';
import { eventually, sparePorts } from '../helpers/processes';
import { officerOf } from '../subgraphs/records/records-harness';

/**
 * A subgraph's stop waited a fixed 10 s for its requests in flight, while the gateway, with
 * SUBGRAPH_TIMEOUT_MS=30000, waits up to 30 s for a call to it: stopped together (an orchestrator
 * stopping every process at once), a call the gateway still waited for was cut at 10 s. The
 * records subgraph, bundled from its entry point as it is now, is stopped with SIGTERM while a
 * record submission waits on its entities peer (a stand-in that answers when told), for longer
 * than 10 s.
 */
describe('a subgraph process stopped with SIGTERM', () => {
  const bundle = path.join(projectRoot, 'dist', 'ops', 'subgraph-stop', 'records.js');
  let sqliteDirectory: string;
  beforeAll(async () => {
    sqliteDirectory = fs.mkdtempSync(path.join(os.tmpdir(), 'credit-subgraph-stop-'));
    await build({ entryPoints: [path.join(projectRoot, 'subgraphs', 'records', 'index.ts')], bundle: true, platform: 'node', target: 'node20', packages: 'external', outfile: bundle, logLevel: 'warning' });
  });
  afterAll(() => fs.rmSync(sqliteDirectory, { recursive: true, force: true }));

  /** The entities subgraph as the records subgraph asks it whether a subject exists: each call held until `answer()`, then told it knows none. */
  async function heldEntities() {
    let calls = 0;
    const held: (() => void)[] = [];
    const server = http.createServer((req, res) => {
      calls += 1;
      req.resume();
      held.push(() => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ data: { subjects: [], c0: null } })));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return {
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`,
      calls: () => calls,
      answer: () => held.splice(0).forEach((send) => send()),
      close: () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
    };
  }

  it('waits for its request in flight as long as SUBGRAPH_TIMEOUT_MS, past the 10 s it waited before, answers it and exits 0', async () => {
    const entities = await heldEntities();
    const [port] = await sparePorts(1);
    const child = spawn(process.execPath, [bundle], {
      env: {
        PATH: process.env.PATH,
        GATEWAY_SIGNING_KEY: `base64:${Buffer.from(testSigningKey).toString('base64')}`,
        SQLITE_DIRECTORY: sqliteDirectory,
        PORT: String(port),
        SUBGRAPH_ENTITIES_URL: entities.url,
        SUBGRAPH_REPORTS_URL: entities.url,
        SUBGRAPH_TIMEOUT_MS: '15000',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
    const lines = () => output.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as Record<string, unknown>);
    try {
      await eventually('the records subgraph serving', () => lines().some((line) => line.msg === 'serving') || child.exitCode !== null, 30_000);
      expect(lines().find((line) => line.msg === 'serving')).toMatchObject({ stopGracePeriodMs: 15_000 });

      const subjectCode = unifiedSocialCreditCode({ authority: '9', orgType: '1', division: '130304', organisationBody: 'MA0QT0P0' });
      const input = { subjectCode, category: 'ADMINISTRATIVE_PENALTY', severity: 'GENERAL', documentNumber: '北戴河市监罚〔2026〕77号', decisionDate: '2026-01-05', summary: '销售超过保质期的食品，罚款15000元' };
      const submitted = fetch(`http://127.0.0.1:${port}/graphql`, {
        method: 'POST',
        headers: { ...(await signedBy(officerOf('MARKET_REGULATION'))), 'content-type': 'application/json' },
        body: JSON.stringify({ query: 'mutation ($input: SubmitCreditRecordInput!) { submitCreditRecord(input: $input) { outcome } }', variables: { input } }),
      }).then(
        async (response) => ({ status: response.status, body: (await response.json()) as { errors?: { extensions?: { code?: string } }[] } }),
        (error: Error) => (error.cause as { code?: string } | undefined)?.code ?? error.message,
      );
      await eventually('the submission asking the entities subgraph', () => entities.calls() === 1);

      child.kill('SIGTERM');
      // Longer than the fixed grace the subgraph had, within SUBGRAPH_TIMEOUT_MS.
      await new Promise((resolve) => setTimeout(resolve, 11_000));
      entities.answer();

      // Answered (the subject is unknown to the stand-in), not cut.
      expect(await submitted).toMatchObject({ status: 200, body: { errors: [{ extensions: { code: 'NOT_FOUND' } }] } });
      expect(await exited).toEqual([0, null]);
      expect(lines().filter((line) => /stop grace period over/.test(String(line.msg)))).toEqual([]);
    } finally {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await exited;
      }
      await entities.close();
    }
  }, 60_000);
});
