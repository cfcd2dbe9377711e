import { callSignal } from '../../lib/platform-http';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("a call's signal", () => {
  it('stops the call when its time is up, as a timeout', async () => {
    const { signal, done } = callSignal(20);
    await pause(60);
    expect(signal.aborted).toBe(true);
    expect((signal.reason as Error).name).toBe('TimeoutError');
    done();
  });

  it("stops the call when the request's caller goes, at once or already gone", () => {
    const caller = new AbortController();
    const { signal, done } = callSignal(10_000, caller.signal);
    expect(signal.aborted).toBe(false);
    caller.abort();
    expect(signal.aborted).toBe(true);
    done();

    const early = callSignal(10_000, caller.signal);
    expect(early.signal.aborted).toBe(true);
    early.done();
  });

  it('once the call is done, never fires: no timer left to abort it after its answer, and the caller leaving later changes nothing', async () => {
    const caller = new AbortController();
    const { signal, done } = callSignal(20, caller.signal);
    let aborts = 0;
    signal.addEventListener('abort', () => (aborts += 1));
    done();
    await pause(60);
    caller.abort();
    expect(signal.aborted).toBe(false);
    expect(aborts).toBe(0);
  });
});
