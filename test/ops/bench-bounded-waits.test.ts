import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { measure } from '../../scripts/bench/load';
import { exitWithin, spawnNode } from '../../scripts/bench/processes';
import { alive } from '../helpers/processes';

/**
 * A benchmark waits on services it started and on its import child: one that stops answering,
 * or never exits, must end the wait with a reason, not hold the run (and the machine) forever.
 */
describe('the benchmark waits', () => {
  let server: http.Server;
  let base: string;

  beforeAll(async () => {
    // Answers its metrics; its GraphQL requests, once the load has ended, never.
    let loading = true;
    setTimeout(() => (loading = false), 1500);
    server = http.createServer((request, response) => {
      if (request.url === '/metrics') return void response.end('credit_db_queries_total 7\n');
      if (loading) return void response.end('{"data":{}}');
    });
    server.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('end when a target stops answering the requests that count its statements', async () => {
    const started = Date.now();
    const outcome = measure({ url: `${base}/graphql`, headers: {}, pid: process.pid }, ['{"query":"{ __typename }"}'], {
      connections: 1,
      seconds: 1,
      warmupSeconds: 1,
      metricsUrls: [`${base}/metrics`],
      subgraphs: [],
      answerTimeoutMs: 1000,
    });
    await expect(outcome).rejects.toThrow(/did not answer within 1 s/);
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  it("end when a child does not exit in its time, and stop it", async () => {
    const child = spawnNode(['-e', 'setInterval(() => {}, 1000)'], undefined, { stdio: 'ignore' });
    await expect(exitWithin(child, 500, 'the import benchmark')).rejects.toThrow('the import benchmark did not end within 0.5 s');
    expect(child.exitCode !== null || child.signalCode !== null || !alive(child.pid!)).toBe(true);
  });

  it('give a child that exits in its time its exit code', async () => {
    const child = spawnNode(['-e', 'process.exit(3)'], undefined, { stdio: 'ignore' });
    await expect(exitWithin(child, 10_000, 'a child')).resolves.toBe(3);
  });
});
