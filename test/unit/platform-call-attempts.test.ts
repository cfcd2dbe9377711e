// Not among the package's exports, though the process options the data source takes are typed with it.
import { GraphQLDataSourceRequestKind } from '@apollo/gateway/dist/datasources/types';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { GatewayObserver } from '../../gateway/observer';
import { SubgraphDataSource } from '../../gateway/subgraph-data-source';
import { PeerTimeout, RequestDeadline, timeoutHeader } from '../../lib/deadline';
import { connectionFailure, PeerShuttingDown, send } from '../../lib/platform-http';

/**
 * How many times one platform call is attempted, whichever layer sends it again: `send` once more
 * when the first attempt provably ran nothing (every platform call: the gateway's, the internal
 * client's, the reports subgraph's peers'), and the gateway's data source once more for a read
 * whose connection was lost under way. Never more than two in all, and a mutation that may have
 * run, or a call that timed out, never twice.
 */
type Step = 'refuseUnrun' | 'drop' | 'hang' | 'answer';

/** A subgraph answering its calls by `script`, one step each, the last repeated; it notes each call it received. */
class ScriptedPeer {
  script: Step[] = ['answer'];
  /** How long it takes before refusing a call unrun. */
  refusalDelayMs = 0;
  /** Run as each call is received, before its step: what passes at the caller meanwhile. */
  meanwhile: () => void = () => undefined;
  readonly received: { timeoutMs: number; remotePort: number | undefined }[] = [];
  private constructor(
    private readonly server: http.Server,
    readonly url: string,
  ) {}

  static async start(): Promise<ScriptedPeer> {
    let peer: ScriptedPeer | undefined;
    const server = http.createServer((req, res) => void peer?.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    peer = new ScriptedPeer(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`);
    return peer;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    for await (const _chunk of req);
    const step = this.script[Math.min(this.received.length, this.script.length - 1)];
    this.received.push({ timeoutMs: Number(req.headers[timeoutHeader]), remotePort: req.socket.remotePort });
    this.meanwhile();
    switch (step) {
      case 'drop':
        req.socket.destroy();
        return;
      case 'hang':
        return;
      case 'refuseUnrun':
        // What a stopping subgraph answers on a kept-alive connection (lib/http-server.ts): nothing of it ran.
        await new Promise((resolve) => setTimeout(resolve, this.refusalDelayMs));
        res.writeHead(503, { 'content-type': 'application/json' }).end(JSON.stringify({ errors: [{ message: 'the server is shutting down: nothing of this request ran, send it again', extensions: { code: 'SHUTTING_DOWN', retryAfterSeconds: 5 } }] }));
        return;
      case 'answer':
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ data: { x: 1 } }));
    }
  }
}

describe('the attempts of a platform call', () => {
  let peer: ScriptedPeer;
  beforeEach(async () => {
    peer = await ScriptedPeer.start();
  });
  afterEach(async () => {
    jest.useRealTimers();
    await peer.stop();
  });

  /**
   * The request's time all spent while the peer has its first attempt, as across a stall of the
   * caller's process: its clock (Date alone, which deadlines read, standing still otherwise) jumps
   * `ms` ahead once the peer received the call. The attempt's own timer runs on, unmoved.
   */
  function spentMeanwhile(ms: number) {
    jest.useFakeTimers({
      now: Date.now(),
      doNotFake: ['hrtime', 'nextTick', 'performance', 'queueMicrotask', 'setImmediate', 'clearImmediate', 'setInterval', 'clearInterval', 'setTimeout', 'clearTimeout', 'requestAnimationFrame', 'cancelAnimationFrame', 'requestIdleCallback', 'cancelIdleCallback'],
    });
    peer.meanwhile = () => jest.setSystemTime(Date.now() + ms);
  }

  const call = (timeoutMs = 2_000, deadline?: RequestDeadline) => send(peer.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: 'mutation { x }' }), timeoutMs, deadline, service: 'records' });

  describe('sent by any platform caller (send)', () => {
    it('sends a call a stopping peer refused unrun once more, on a new connection, and answers with what the second attempt got', async () => {
      peer.script = ['refuseUnrun', 'answer'];
      const answer = await call();
      expect([answer.status, JSON.parse(answer.text)]).toEqual([200, { data: { x: 1 } }]);
      expect(peer.received).toHaveLength(2);
      expect(peer.received[1].remotePort).not.toBe(peer.received[0].remotePort);
    });

    it('sends it once more only: refused again, the call fails as one that ran nothing', async () => {
      peer.script = ['refuseUnrun'];
      const failed = await call().catch((error: unknown) => error);
      expect(connectionFailure(failed)).toBe('unsent');
      expect(peer.received).toHaveLength(2);
    });

    it('never sends again a call whose connection was lost once it was sent: the peer may have run it', async () => {
      peer.script = ['drop', 'answer'];
      const failed = await call().catch((error: unknown) => error);
      expect(connectionFailure(failed)).toBe('lostUnderWay');
      expect(peer.received).toHaveLength(1);
    });

    it('never sends again a call that timed out', async () => {
      peer.script = ['hang', 'answer'];
      const failed = await call(300).catch((error: unknown) => error);
      expect(failed).toBeInstanceOf(PeerTimeout);
      expect(peer.received).toHaveLength(1);
    });

    it("gives the second attempt only what the request's deadline leaves", async () => {
      peer.script = ['refuseUnrun', 'answer'];
      peer.refusalDelayMs = 400;
      const deadline = new RequestDeadline(3_000, 'reports');
      expect((await call(10_000, deadline)).status).toBe(200);
      const [first, second] = peer.received;
      expect(first.timeoutMs).toBeLessThanOrEqual(3_000);
      expect(second.timeoutMs).toBeLessThanOrEqual(first.timeoutMs - 400);
    });

    it("fails as the first attempt did, the peer stopping, when it left none of the request's time to send the call again", async () => {
      spentMeanwhile(3_000);
      peer.script = ['refuseUnrun', 'answer'];
      const failed = await call(10_000, new RequestDeadline(3_000, 'reports')).catch((error: unknown) => error);
      expect(failed).toBeInstanceOf(PeerShuttingDown);
      expect(peer.received).toHaveLength(1);
    });
  });

  describe("sent by the gateway's data source", () => {
    const read = '{ x }';
    const mutation = 'mutation { x }';

    /** How the data source's calls ended, as its observer is told (gateway/metrics.ts counts and logs them). */
    const outcomes: string[] = [];
    beforeEach(() => void (outcomes.length = 0));

    /**
     * The gateway's call of `query` for a request with `budgetMs` left (of `startedAt`'s), as the
     * data source makes it; what it answered. `cutShortBecause`: why the request had so little (the gateway's stop).
     */
    async function process(query: string, timeoutMs = 2_000, budgetMs = 5_000, startedAt = Date.now(), cutShortBecause?: string) {
      const observer = { subgraphFetch: (_subgraph: string, _seconds: number, outcome: string) => void outcomes.push(outcome) } as unknown as GatewayObserver;
      const source = new SubgraphDataSource('records', peer.url, timeoutMs, observer);
      const context = { signedIdentity: async () => 'signed', requestId: 'attempts', deadline: new RequestDeadline(budgetMs, 'gateway', startedAt, undefined, cutShortBecause) };
      return source.process({ kind: GraphQLDataSourceRequestKind.HEALTH_CHECK, request: { query }, context });
    }

    it.each([
      ['a read', read, undefined],
      ['a mutation', mutation, 'NOT_STORED'],
    ])("answers %s it had no time left to send as not made: stored nothing, and no timeout of the subgraph's", async (_kind, query, outcome) => {
      const answer = await process(query, 2_000, 1_000, Date.now() - 1_000);
      expect(peer.received).toHaveLength(0);
      expect(answer.errors?.map((e) => [e.extensions?.reason, e.extensions?.outcome, e.message])).toEqual([
        ['TIMEOUT', outcome, `too little of the request's time was left to ask the records subgraph${outcome ? ', so nothing was stored: retry later' : ''}`],
      ]);
      // The request's own budget spent, not the subgraph slow: no outage to log or alert on.
      expect(outcomes).toEqual(['request_out_of_time']);
    });

    // A request whose upload ended late in the gateway's stop has less than REQUEST_TIMEOUT_MS
    // (gateway/gateway.ts deadlineOf): its timeout read as any request's out of time.
    it('says that the request’s time was cut short, and why, where that time bounded the call, the code and reason unchanged', async () => {
      const stopping = 'the gateway is stopping';
      const notMade = await process(mutation, 2_000, 1_000, Date.now() - 1_000, stopping);
      expect(notMade.errors?.map((e) => [e.extensions?.reason, e.extensions?.outcome, e.message])).toEqual([
        ['TIMEOUT', 'NOT_STORED', "too little of the request's time, cut short because the gateway is stopping, was left to ask the records subgraph, so nothing was stored: retry later"],
      ]);
      peer.script = ['hang'];
      const unanswered = await process(read, 2_000, 500, Date.now(), stopping);
      expect(unanswered.errors?.map((e) => [e.extensions?.code, e.extensions?.reason, e.message])).toEqual([
        ['SUBGRAPH_UNAVAILABLE', 'TIMEOUT', expect.stringMatching(/^the records subgraph did not answer within \d+ ms, the time the request had left, cut short because the gateway is stopping$/)],
      ]);
      // The call's own SUBGRAPH_TIMEOUT_MS ran out first: the stop did not bound it, and is not named.
      const ownTimeout = await process(read, 300, 5_000, Date.now(), stopping);
      expect(ownTimeout.errors?.map((e) => e.message)).toEqual(['the records subgraph did not answer within 300 ms']);
    });

    it.each([
      ['refused unrun twice', 2, 2, ['refuseUnrun'], 'UNREACHABLE'],
      ['its connection lost under way each time', 2, 1, ['drop'], 'UNREACHABLE'],
      ['its connection lost under way, then refused unrun', 2, 1, ['drop', 'refuseUnrun'], 'UNREACHABLE'],
      ['refused unrun, then its connection lost under way', 2, 2, ['refuseUnrun', 'drop'], 'UNREACHABLE'],
      ['timed out', 1, 1, ['hang'], 'TIMEOUT'],
    ] as [string, number, number, Step[], string][])('attempts a call %s: a read %i times, a mutation %i times, never more than twice', async (_kind, readAttempts, mutationAttempts, script, reason) => {
      peer.script = script;
      const readAnswer = await process(read, 300);
      expect([peer.received.length, readAnswer.errors?.map((e) => e.extensions?.reason)]).toEqual([readAttempts, [reason]]);
      peer.received.length = 0;
      const mutationAnswer = await process(mutation, 300);
      expect([peer.received.length, mutationAnswer.errors?.map((e) => e.extensions?.reason)]).toEqual([mutationAttempts, [reason]]);
    });

    it.each([
      ['a read', read],
      ['a mutation', mutation],
    ])('answers %s a stopping subgraph refused unrun from the second attempt, on a new connection', async (_kind, query) => {
      peer.script = ['refuseUnrun', 'answer'];
      const answer = await process(query);
      expect(answer.errors).toBeUndefined();
      expect(answer.data).toEqual({ x: 1 });
      expect(peer.received).toHaveLength(2);
      expect(peer.received[1].remotePort).not.toBe(peer.received[0].remotePort);
    });

    it.each([
      ['a read refused unrun', read, ['refuseUnrun', 'answer']],
      ['a mutation refused unrun', mutation, ['refuseUnrun', 'answer']],
      ['a read whose connection was lost under way', read, ['drop', 'answer']],
    ] as [string, string, Step[]][])("answers %s as unreachable, not timed out, when its first attempt left none of the request's time for a second", async (_kind, query, script) => {
      spentMeanwhile(3_000);
      peer.script = script;
      const answer = await process(query, 10_000, 3_000);
      expect(peer.received).toHaveLength(1);
      // A mutation refused unrun stored nothing, and is told so: not the unknown outcome of a timeout.
      expect(answer.errors?.map((e) => [e.extensions?.reason, e.extensions?.outcome])).toEqual([['UNREACHABLE', query === mutation ? 'NOT_STORED' : undefined]]);
    });

    it("answers a read whose connection was lost under way from the second attempt, told only what the request's time leaves", async () => {
      peer.script = ['drop', 'answer'];
      const answer = await process(read, 10_000, 3_000);
      expect(answer.data).toEqual({ x: 1 });
      const [first, second] = peer.received;
      expect(first.timeoutMs).toBeLessThanOrEqual(3_000);
      expect(second.timeoutMs).toBeLessThanOrEqual(first.timeoutMs);
      expect(second.remotePort).not.toBe(first.remotePort);
    });
  });
});
