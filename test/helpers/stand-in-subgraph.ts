import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * What the stand-in does with each request: pass it on to the real subgraph, hold it until
 * release() and then pass it on, never answer, or answer with a fixed status and body (an HTML
 * error page, broken JSON, ...).
 */
export type StandInBehaviour = { kind: 'proxy' } | { kind: 'hold' } | { kind: 'hang' } | { kind: 'answer'; status: number; contentType: string; body: string };

/** One request the stand-in received: the subgraph operation the gateway sent. */
export interface ReceivedCall {
  query: string;
  variables?: Record<string, unknown>;
  headers: http.IncomingHttpHeaders;
  /** The caller's end of the connection it came on (its local port): two calls on one connection share it. */
  remotePort: number | undefined;
}

/**
 * A subgraph's stand-in on a free port, in front of the real one (the gateway's `subgraphUrls`
 * point at it): it misbehaves as told, and proxies again when told to, to show recovery.
 */
export class StandInSubgraph {
  private current: StandInBehaviour = { kind: 'proxy' };
  /** The real subgraph's URL, for `proxy`. */
  upstream = '';
  readonly received: ReceivedCall[] = [];
  private connectionsToDrop = 0;
  private toPass = 0;
  /** Requests left to meet the behaviour before the stand-in proxies again (misbehaveNext); undefined: all of them. */
  private toMisbehave: number | undefined;
  private held: (() => void)[] = [];

  private constructor(
    private readonly server: http.Server,
    readonly url: string,
  ) {}

  static async start(): Promise<StandInSubgraph> {
    let standIn: StandInSubgraph | undefined;
    const server = http.createServer((req, res) => void standIn?.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    standIn = new StandInSubgraph(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`);
    return standIn;
  }

  /** The next `count` requests have their connection destroyed before any answer. */
  dropConnections(count: number): void {
    this.connectionsToDrop = count;
  }

  /** The next `count` requests are passed on, whatever the behaviour; later ones meet it. */
  passNext(count: number): void {
    this.toPass = count;
  }

  /** What every request meets from now on (misbehaveNext's count is forgotten). */
  get behaviour(): StandInBehaviour {
    return this.current;
  }
  set behaviour(behaviour: StandInBehaviour) {
    this.current = behaviour;
    this.toMisbehave = undefined;
  }

  /** The next `count` requests meet `behaviour`; later ones are passed on, as if the subgraph had recovered at once. */
  misbehaveNext(count: number, behaviour: StandInBehaviour): void {
    this.behaviour = behaviour;
    this.toMisbehave = count;
  }

  /** Lets the held requests through, and every later one. */
  release(): void {
    this.behaviour = { kind: 'proxy' };
    this.held.splice(0).forEach((letThrough) => letThrough());
  }

  /** Resolves once `count` requests have been received in all (fails after `ms`). */
  async receivedAtLeast(count: number, ms = 10_000): Promise<void> {
    const deadline = Date.now() + ms;
    while (this.received.length < count) {
      if (Date.now() > deadline) throw new Error(`the stand-in received ${this.received.length} requests within ${ms} ms, expected ${count}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** Down as a stopped process is: connections to its port are refused until up(). */
  async down(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  async up(): Promise<void> {
    const { port } = new URL(this.url);
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(Number(port), '127.0.0.1', () => (this.server.off('error', reject), resolve()));
    });
  }

  async stop(): Promise<void> {
    if (this.server.listening) await this.down();
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const { query, variables } = JSON.parse(body) as { query: string; variables?: Record<string, unknown> };
    this.received.push({ query, variables, headers: req.headers, remotePort: req.socket.remotePort });
    if (this.connectionsToDrop > 0) {
      this.connectionsToDrop--;
      req.socket.destroy();
      return;
    }
    const passed = this.toPass > 0;
    if (passed) this.toPass--;
    else if (this.toMisbehave !== undefined && this.toMisbehave-- <= 0) this.behaviour = { kind: 'proxy' };
    if (!passed && this.behaviour.kind === 'hold') await new Promise<void>((resolve) => this.held.push(resolve));
    const behaviour: StandInBehaviour = passed ? { kind: 'proxy' } : this.behaviour;
    if (behaviour.kind === 'hang') return;
    if (behaviour.kind === 'answer') {
      res.writeHead(behaviour.status, { 'content-type': behaviour.contentType }).end(behaviour.body);
      return;
    }
    const headers = Object.fromEntries(Object.entries(req.headers).filter(([name]) => !['host', 'connection', 'content-length'].includes(name)) as [string, string][]);
    const answer = await fetch(this.upstream, { method: 'POST', headers, body, signal: AbortSignal.timeout(30_000) });
    res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' }).end(await answer.text());
  }
}
