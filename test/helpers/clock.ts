/**
 * Runs `work` with the clock (Date only: timers, ticks and I/O run as usual, and the clock goes on
 * running) set `days` days back, for every process of a platform started in this one: the records
 * subgraph's "today", the gateway's tokens and the reports subgraph's issue date alike. So a report
 * is generated as of an earlier day, then read today.
 */
export async function daysAgo<T>(days: number, work: () => Promise<T>): Promise<T> {
  jest.useFakeTimers({
    now: Date.now() - days * 86_400_000,
    advanceTimers: true,
    doNotFake: ['hrtime', 'nextTick', 'performance', 'queueMicrotask', 'setImmediate', 'clearImmediate', 'setInterval', 'clearInterval', 'setTimeout', 'clearTimeout', 'requestAnimationFrame', 'cancelAnimationFrame', 'requestIdleCallback', 'cancelIdleCallback'],
  });
  try {
    return await work();
  } finally {
    jest.useRealTimers();
  }
}
