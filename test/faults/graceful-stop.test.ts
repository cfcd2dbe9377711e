import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import fs from 'node:fs';
import { build } from 'esbuild';
import { explorerBundleDirectory } from '../../gateway/explorer/build';
import { projectRoot } from '../../lib/project-root';
import { subgraphNames, supergraphPath } from '../../schema/subgraphs';
import { demoWorld } from '../../scripts/demo/world';
import { startPlatform, supervisor, type Platform } from '../helpers/platform';
import { StandInSubgraph } from '../helpers/stand-in-subgraph';
import { connectionRefused, eventually } from '../helpers/processes';

/**
 * The real gateway process (gateway/index.ts, bundled from the sources as they are now) stopped
 * with SIGTERM under load: the requests in flight finish with their answers, new connections are
 * refused from the signal on, and the process exits 0. The subgraphs run in this process; the
 * entities one behind a stand-in that holds the requests, so that they are surely in flight.
 */
const world = demoWorld({ subjects: 10 });
const SUBJECT = /* GraphQL */ `query Subject($id: ID!) { subject(id: $id) { name creditRecords { totalCount } } }`;
const inFlight = 8;

/** The gateway's boot script, bundled with esbuild under dist/ (packages stay in node_modules). */
async function bundleGateway(): Promise<string> {
  const outfile = path.join(projectRoot, 'dist', 'faults', 'gateway.js');
  await build({ entryPoints: [path.join(projectRoot, 'gateway', 'index.ts')], bundle: true, platform: 'node', target: 'node20', packages: 'external', outfile, logLevel: 'warning' });
  return outfile;
}

/** Starts the gateway process and resolves with its URL once it logs that it is serving (fails after `ms`). */
function startGateway(script: string, env: NodeJS.ProcessEnv, ms = 30_000): Promise<{ child: ChildProcess; url: string; exited: Promise<number | null> }> {
  const child = spawn(process.execPath, [script], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let output = '';
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the gateway did not start within ${ms} ms:\n${output}`)), ms);
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const serving = output.split('\n').map((line) => /"msg":"serving"/.test(line) && (JSON.parse(line) as { url: string })).find(Boolean);
      if (serving) {
        clearTimeout(timer);
        resolve({ child, url: serving.url, exited });
      }
    });
    void exited.then((code) => reject(new Error(`the gateway exited with ${code} before serving:\n${output}`)));
  });
}

/** A port nothing listens on now: GATEWAY_PORT refuses 0, as nothing could find a process on a random port. */
function sparePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/** A POST over `agent`, which keeps its one connection alive: status, headers and body. */
function postOver(agent: http.Agent, url: string, headers: Record<string, string>, body: string): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string; reusedSocket: boolean }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', agent, headers: { ...headers, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text, reusedSocket: req.reusedSocket }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Each file of the explorer bundle with its modification time, or null when there is no bundle. */
function explorerBundleState(): Record<string, number> | null {
  if (!fs.existsSync(explorerBundleDirectory)) return null;
  return Object.fromEntries(fs.readdirSync(explorerBundleDirectory).map((file) => [file, fs.statSync(path.join(explorerBundleDirectory, file)).mtimeMs]));
}

describe('the gateway process stopped with SIGTERM under load', () => {
  let platform: Platform;
  let entities: StandInSubgraph;
  let gateway: ChildProcess | undefined;

  beforeAll(async () => {
    entities = await StandInSubgraph.start();
    platform = await startPlatform({ kind: 'sqlite', directory: ':memory:' }, { seedSubjects: world.subjects.length });
    entities.upstream = platform.subgraphs.entities.url;
  });
  afterAll(async () => {
    if (gateway?.exitCode === null) gateway.kill('SIGKILL');
    entities?.release();
    await platform?.stop();
    await entities?.stop();
  });

  it('finishes the requests in flight, refuses new connections and what comes on a kept-alive one, and exits 0', async () => {
    const bundleBefore = explorerBundleState();
    const script = await bundleGateway();
    const started = await startGateway(script, {
      PATH: process.env.PATH,
      GATEWAY_PORT: String(await sparePort()),
      SUPERGRAPH_PATH: supergraphPath,
      AUTH_JWT_SECRET: `base64:${Buffer.from(platform.secrets.tokens).toString('base64')}`,
      GATEWAY_SIGNING_KEY: `base64:${Buffer.from(platform.secrets.signing).toString('base64')}`,
      EXPLORER: 'off',
      LOG_LEVEL: 'info',
      ...Object.fromEntries(subgraphNames.map((name) => [`SUBGRAPH_${name.toUpperCase()}_URL`, name === 'entities' ? entities.url : platform.subgraphs[name].url])),
    });
    gateway = started.child;
    const port = Number(new URL(started.url).port);
    const authorization = `Bearer ${await platform.token(supervisor.caller!)}`;
    const read = (id: string) =>
      fetch(started.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization, ...supervisor.headers },
        body: JSON.stringify({ query: SUBJECT, variables: { id } }),
        signal: AbortSignal.timeout(30_000),
      });

    // A client that keeps its connection alive, used once before the signal.
    const keptAlive = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const headers = { authorization, ...supervisor.headers };
    const readBody = (id: string) => JSON.stringify({ query: SUBJECT, variables: { id } });
    expect((await postOver(keptAlive, started.url, headers, readBody(world.subjects[inFlight].id))).status).toBe(200);

    entities.behaviour = { kind: 'hold' };
    const subjects = world.subjects.slice(0, inFlight);
    const responses = subjects.map((s) => read(s.id));
    await entities.receivedAtLeast(inFlight + 1);

    gateway.kill('SIGTERM');
    await eventually('refusing new connections', () => connectionRefused(port));
    // Sent on the connection kept alive after the signal: refused, and not run (the entities subgraph never sees it).
    const late = await postOver(keptAlive, started.url, headers, readBody(world.subjects[inFlight + 1].id));
    expect(late.reusedSocket).toBe(true);
    expect([late.status, late.headers.connection, late.headers['retry-after']]).toEqual([503, 'close', '5']);
    expect((JSON.parse(late.body) as { errors: { extensions: unknown }[] }).errors.map((e) => e.extensions)).toEqual([{ code: 'SHUTTING_DOWN', retryAfterSeconds: 5 }]);
    expect(entities.received).toHaveLength(inFlight + 1);
    keptAlive.destroy();
    entities.release();

    for (const [i, response] of (await Promise.all(responses)).entries()) {
      expect(response.status).toBe(200);
      // Not to be sent more on: the process is going.
      expect(response.headers.get('connection')).toBe('close');
      const body = (await response.json()) as { data?: { subject: { name: string; creditRecords: { totalCount: number } } }; errors?: unknown };
      expect(body.errors).toBeUndefined();
      expect(body.data?.subject.name).toBe(subjects[i].name);
    }
    expect(await started.exited).toBe(0);
    // Bundled into one file, the gateway once ran the explorer build's command-line entry at start
    // (require.main === module held for every module in it) and left a half-deleted bundle behind.
    expect(explorerBundleState()).toEqual(bundleBefore);
  });
});
