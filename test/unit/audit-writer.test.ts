import { AuditWriter, type AuditEntryInput } from '../../gateway/audit-writer';
import { InternalCallRefused, type InternalClient } from '../../lib/internal-client';
import { gatewayAuditEntry as entry } from '../helpers/gateway-audit-entry';

/** An audit subgraph that stores (or fails) each call's entries only when the test says so. */
class HeldAuditLog {
  readonly calls: { requestIds: string[]; release: () => void; fail: () => void; refuse: () => void; failTyped: (code: string) => void }[] = [];
  readonly client = {
    call: (_url: string, _query: string, variables: Record<string, unknown>) =>
      new Promise<void>((resolve, reject) =>
        this.calls.push({
          requestIds: (variables.entries as AuditEntryInput[]).map((e) => e.requestId),
          release: resolve,
          fail: () => reject(new Error('audit subgraph down')),
          refuse: () => reject(new InternalCallRefused('an entry is malformed', ['BAD_USER_INPUT'], 400)),
          failTyped: (code: string) => reject(new InternalCallRefused('the audit database is down', [code], 200)),
        }),
      ),
  } as unknown as InternalClient;
}

/** Lets every promise callback already due run. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('AuditWriter', () => {
  it('sends the entries that arrive while a write is in flight together in the next write', async () => {
    const log = new HeldAuditLog();
    const writer = new AuditWriter(log.client, 'http://audit', 500);
    const first = writer.write([entry('a')]);
    const rest = ['b', 'c', 'd'].map((id) => writer.write([entry(id)]));
    await settle();
    expect(log.calls.map((c) => c.requestIds)).toEqual([['a']]);
    log.calls[0].release();
    await first;
    await settle();
    expect(log.calls.map((c) => c.requestIds)).toEqual([['a'], ['b', 'c', 'd']]);
    log.calls[1].release();
    await Promise.all(rest);
    expect(writer.written).toEqual({ batches: 2, entries: 4 });
  });

  it('refuses a write at once while more entries than its bound are waiting, and takes writes again once they are stored', async () => {
    const log = new HeldAuditLog();
    const writer = new AuditWriter(log.client, 'http://audit', 2, undefined, 4);
    const inFlight = writer.write([entry('a'), entry('b')]);
    await settle();
    // In flight: no longer waiting. Four may wait behind it.
    const waiting = [writer.write([entry('c'), entry('d')]), writer.write([entry('e')]), writer.write([entry('f')])];
    await expect(writer.write([entry('g')])).rejects.toThrow('the audit log is behind: 4 entries are waiting for a write, at most 4 may');
    expect(log.calls).toHaveLength(1);

    log.calls[0].release();
    await inFlight;
    await settle();
    // The first waiting batch is now in flight, so there is room for two more.
    expect(log.calls.map((c) => c.requestIds)).toEqual([['a', 'b'], ['c', 'd']]);
    const later = writer.write([entry('h'), entry('i')]);
    for (let i = 1; i < 4; i++) {
      log.calls[i].release();
      await settle();
    }
    await Promise.all([...waiting, later]);
    expect(log.calls.map((c) => c.requestIds)).toEqual([['a', 'b'], ['c', 'd'], ['e', 'f'], ['h', 'i']]);
    expect(writer.written).toEqual({ batches: 4, entries: 8 });
  });

  it('sends a request with more entries than a write gathers in one call of its own, never split, so that a failed call stores none of them', async () => {
    const log = new HeldAuditLog();
    const writer = new AuditWriter(log.client, 'http://audit', 2, undefined, 4);
    const many = (id: string, n: number) => Array.from({ length: n }, () => entry(id));
    // Five entries, more than the four that may wait: taken all the same, as nothing else waits.
    const big = writer.write(many('big', 5));
    await settle();
    const after = writer.write([entry('after')]);
    expect(log.calls.map((c) => c.requestIds.length)).toEqual([5]);
    log.calls[0].release();
    await big;
    await settle();
    expect(log.calls.map((c) => c.requestIds)).toEqual([many('big', 5).map((e) => e.requestId), ['after']]);
    log.calls[1].release();
    await after;

    const failing = writer.write(many('failing', 3));
    await settle();
    expect(log.calls[2].requestIds).toEqual(['failing', 'failing', 'failing']);
    log.calls[2].fail();
    await expect(failing).rejects.toThrow('audit subgraph down');
    // The writer goes on with the next request.
    const next = writer.write([entry('next')]);
    await settle();
    log.calls[3].release();
    await next;
    expect(log.calls).toHaveLength(4);
    expect(writer.written).toEqual({ batches: 3, entries: 7 });
  });

  it('leaves out the DISCLOSED entries of a request whose client went away before its write was sent, and writes its refusals', async () => {
    const log = new HeldAuditLog();
    const writer = new AuditWriter(log.client, 'http://audit', 500);
    const first = writer.write([entry('a')]);
    await settle();
    const gone = [new AbortController(), new AbortController()];
    const denied = { ...entry('refused'), outcome: 'DENIED' as const };
    const waiting = [writer.write([entry('read'), entry('read')], gone[0].signal), writer.write([entry('refused'), denied], gone[1].signal), writer.write([entry('waits')], new AbortController().signal)];
    gone.forEach((controller) => controller.abort());
    log.calls[0].release();
    await first;
    await settle();
    expect(log.calls.map((c) => c.requestIds)).toEqual([['a'], ['refused', 'waits']]);
    log.calls[1].release();
    await Promise.all(waiting);
    expect(writer.written).toEqual({ batches: 2, entries: 3 });

    // Gone while its write is under way: stored whole, as it was sent.
    const leaving = new AbortController();
    const underWay = writer.write([entry('under-way')], leaving.signal);
    await settle();
    leaving.abort();
    log.calls[2].release();
    await underWay;
    expect(log.calls[2].requestIds).toEqual(['under-way']);
    // Nothing left to write: answered without a call.
    const alone = new AbortController();
    alone.abort();
    await writer.write([entry('alone')], alone.signal);
    expect(log.calls).toHaveLength(3);
  });

  it("writes each request of a refused batch on its own, so that one request's entries cost no other request its answer; an outage fails them all", async () => {
    const log = new HeldAuditLog();
    const writer = new AuditWriter(log.client, 'http://audit', 500);
    const first = writer.write([entry('a')]);
    await settle();
    const outcome = (id: string) => writer.write([entry(id)]).then(() => 'stored', (error: Error) => error.message);
    const shared = ['b', 'bad', 'c'].map(outcome);
    log.calls[0].release();
    await first;
    await settle();
    log.calls[1].refuse();
    for (const [i, verdict] of [[2, 'release'], [3, 'refuse'], [4, 'release']] as const) {
      await settle();
      log.calls[i][verdict]();
    }
    expect(await Promise.all(shared)).toEqual(['stored', 'an entry is malformed', 'stored']);
    expect(log.calls.map((c) => c.requestIds)).toEqual([['a'], ['b', 'bad', 'c'], ['b'], ['bad'], ['c']]);
    expect(writer.written).toEqual({ batches: 3, entries: 3 });

    // Reached but failing for another reason (its database down): every request of a shared
    // write fails alike, and nothing is sent again request by request.
    const held = outcome('w');
    await settle();
    const waiting = ['x', 'y'].map(outcome);
    log.calls[5].release();
    await settle();
    log.calls[6].failTyped('DATABASE_UNAVAILABLE');
    expect(await Promise.all([held, ...waiting])).toEqual(['stored', 'the audit database is down', 'the audit database is down']);
    expect(log.calls.map((c) => c.requestIds).slice(5)).toEqual([['w'], ['x', 'y']]);

    // Down, not refusing: every request of the batch fails with it, and nothing is sent again.
    const inFlight = outcome('d');
    await settle();
    const down = ['e', 'f'].map(outcome);
    log.calls[7].release();
    await settle();
    log.calls[8].fail();
    expect(await Promise.all([inFlight, ...down])).toEqual(['stored', 'audit subgraph down', 'audit subgraph down']);
    expect(log.calls[8].requestIds).toEqual(['e', 'f']);
    expect(log.calls).toHaveLength(9);
  });
});
