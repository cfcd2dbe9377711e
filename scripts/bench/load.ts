import autocannon from 'autocannon';
import { cpuSeconds, interrupted, onInterrupt, peakMemoryMiB, resetPeakMemory } from './processes';

/** One timed load of one scenario on one target at one number of connections. */
export interface Measurement {
  requestsPerSecond: number;
  p50: number;
  p99: number;
  /** Transport errors, non-2xx answers and 2xx answers carrying GraphQL errors, in the timed run. */
  errors: number;
  /** The same, in the warm-up before it: the report counts every request a target failed. */
  warmupErrors: number;
  requests: number;
  /** Share of one core the measured process used (NaN when it is not measured). */
  cpuPercent: number;
  /** CPU milliseconds the measured process spent per request: steadier than req/s on a shared machine. */
  cpuMsPerRequest: number;
  /**
   * CPU milliseconds the five subgraphs together spent per request, over the same run (for (d),
   * the measured subgraph's among them): work a gateway causes there, on the core they share
   * (this gateway's audit entry is written by the audit subgraph), which its own figure leaves out.
   */
  subgraphCpuMsPerRequest: number;
  /** The same, each subgraph's own, by name: where behind a gateway the subgraphs' time goes (the audit subgraph's is the audit append). */
  subgraphCpuMsPerRequestByName: Record<string, number>;
  peakMemoryMiB: number;
  /** SQL statements the subgraphs sent per request, counted over requests sent one at a time. */
  statementsPerRequest: number;
}

export interface LoadTarget {
  url: string;
  headers: Record<string, string>;
  /** The process whose CPU and memory are measured (the gateway, or the subgraph for the direct target). */
  pid: number;
}

/** Sums `credit_db_queries_total` over the subgraphs' /metrics. */
export async function statementsSoFar(metricsUrls: string[]): Promise<number> {
  let total = 0;
  for (const url of metricsUrls) {
    const text = await (await fetch(url, { signal: AbortSignal.timeout(5000) })).text();
    const match = /^credit_db_queries_total(?:\{[^}]*\})? (\d+(?:\.\d+)?)/m.exec(text);
    if (!match) throw new Error(`${url} has no credit_db_queries_total: are the subgraphs built from this checkout?`);
    total += Number(match[1]);
  }
  return total;
}

/** Sends each body once and throws on the first answer that is not 200 with data and without errors. */
export async function verify(target: LoadTarget, bodies: string[], label: string): Promise<void> {
  for (const body of bodies.slice(0, 5)) {
    const response = await fetch(target.url, { method: 'POST', headers: { 'content-type': 'application/json', ...target.headers }, body, signal: AbortSignal.timeout(30_000) });
    const text = await response.text();
    if (response.status !== 200 || text.includes('"errors"') || !text.includes('"data"')) throw new Error(`${label}: an answer with errors, so nothing is measured: HTTP ${response.status} ${text.slice(0, 600)}`);
  }
}

/**
 * One load of `seconds`: autocannon's result and every failed request (transport errors, non-2xx
 * answers, 200s with errors). Stopped early on an interruption, before the services are
 * (processes.ts onInterrupt); refused once the script has been interrupted.
 */
function run(target: LoadTarget, bodies: string[], connections: number, seconds: number): Promise<{ result: autocannon.Result; errors: number }> {
  if (interrupted()) return Promise.reject(new Error(`interrupted by ${interrupted()}: no more load`));
  let next = 0;
  let graphqlErrors = 0;
  return new Promise((resolve, reject) => {
    let unregister = (): void => undefined;
    const instance = autocannon(
      {
        url: target.url,
        method: 'POST',
        connections,
        duration: seconds,
        headers: { 'content-type': 'application/json', ...target.headers },
        requests: [
          {
            setupRequest: (request) => ({ ...request, body: bodies[next++ % bodies.length] }),
            // A 200 with errors is a failure too; the substring test keeps the load generator cheap.
            onResponse: (status, body) => void (status === 200 && body.includes('"errors":[') && graphqlErrors++),
          },
        ],
      },
      (error, result) => {
        unregister();
        if (error) reject(error);
        else resolve({ result, errors: result.errors + result.non2xx + graphqlErrors });
      },
    );
    unregister = onInterrupt(() => instance.stop());
  });
}

/**
 * Statements per request, counted over `count` requests sent one after the other: under load,
 * the statements of requests still in flight when a run ends would be counted without their
 * requests, which inflates the figure most where requests are slowest.
 */
async function statementsPerRequest(target: LoadTarget, bodies: string[], metricsUrls: string[], answerTimeoutMs: number, count = 10): Promise<number> {
  // Requests the load generator stopped waiting for may still be running: wait until the
  // subgraphs have sent nothing for half a second (at most 30 s).
  let before = await statementsSoFar(metricsUrls);
  for (const deadline = Date.now() + 30_000; Date.now() < deadline; ) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    const now = await statementsSoFar(metricsUrls);
    if (now === before) break;
    before = now;
  }
  for (let i = 0; i < count; i++) {
    if (interrupted()) throw new Error(`interrupted by ${interrupted()}: no more requests`);
    // Bounded: a target that stopped answering would hold the benchmark for good.
    const signal = AbortSignal.timeout(answerTimeoutMs);
    try {
      const response = await fetch(target.url, { method: 'POST', headers: { 'content-type': 'application/json', ...target.headers }, body: bodies[i % bodies.length], signal });
      await response.text();
    } catch (error) {
      if (signal.aborted) throw new Error(`${target.url} did not answer within ${answerTimeoutMs / 1000} s a request sent alone after the load, to count its statements: is it still serving?`);
      throw error;
    }
  }
  return ((await statementsSoFar(metricsUrls)) - before) / count;
}

/**
 * Load that is not measured, before anything is (its failed requests are returned): Node compiles a function's optimised code only
 * after many calls, so without it the first measurements, at 1 connection, met code still being
 * compiled in the gateways and the subgraphs (in one run the credit check's first round through
 * this gateway cost 9.0 ms of its CPU a request, the second 3.5, the third 2.6).
 */
export async function warmUp(target: LoadTarget, bodies: string[], connections: number, seconds: number): Promise<number> {
  return (await run(target, bodies, connections, seconds)).errors;
}

/** Warm-up, then one timed run: the gateway's CPU share and peak memory during it, the subgraphs' CPU, and their statements per request. */
export async function measure(
  target: LoadTarget,
  bodies: string[],
  options: { connections: number; seconds: number; warmupSeconds: number; metricsUrls: string[]; subgraphs: readonly { name: string; pid: number }[]; answerTimeoutMs?: number },
): Promise<Measurement> {
  const warmup = await run(target, bodies, options.connections, options.warmupSeconds);
  const statements = await statementsPerRequest(target, bodies, options.metricsUrls, options.answerTimeoutMs ?? 30_000);
  resetPeakMemory(target.pid);
  const subgraphCpu = () => options.subgraphs.map((s) => cpuSeconds(s.pid));
  const cpuBefore = cpuSeconds(target.pid);
  const subgraphCpuBefore = subgraphCpu();
  const started = performance.now();
  const { result, errors } = await run(target, bodies, options.connections, options.seconds);
  const wall = (performance.now() - started) / 1000;
  const cpu = cpuSeconds(target.pid) - cpuBefore;
  const subgraphsCpu = subgraphCpu().map((seconds, i) => seconds - subgraphCpuBefore[i]);
  const requests = result.requests.total;
  const perRequest = (seconds: number) => (requests ? (seconds * 1000) / requests : NaN);
  return {
    requestsPerSecond: requests / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors,
    warmupErrors: warmup.errors,
    requests,
    cpuPercent: (cpu / wall) * 100,
    cpuMsPerRequest: requests ? (cpu * 1000) / requests : NaN,
    subgraphCpuMsPerRequest: perRequest(subgraphsCpu.reduce((sum, seconds) => sum + seconds, 0)),
    subgraphCpuMsPerRequestByName: Object.fromEntries(options.subgraphs.map((s, i) => [s.name, perRequest(subgraphsCpu[i])])),
    peakMemoryMiB: peakMemoryMiB(target.pid),
    statementsPerRequest: statements,
  };
}

/** The run with the median requests per second (the upper one of an even number), whole: its latencies and CPU belong together. */
export function medianRun(runs: readonly Measurement[]): Measurement {
  const sorted = [...runs].sort((a, b) => a.requestsPerSecond - b.requestsPerSecond);
  return sorted[Math.floor(sorted.length / 2)];
}
