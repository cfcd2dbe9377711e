import type http from 'node:http';
import { constants as perfConstants, monitorEventLoopDelay, PerformanceObserver, type IntervalHistogram } from 'node:perf_hooks';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { DataSource } from 'typeorm';
import { catalogueFingerprint } from './catalogue/fingerprint';
import { pathOf } from './http-server';
import { digitRun } from './text';
import type { RequestRecord } from './request-record';

/** Seconds; from a cached lookup to a slow report page. */
const latencyBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * Operation names are chosen by clients, and `/metrics` answers anyone: a name is a label value
 * only while it looks like a GraphQL name with no long number in it, and while there are few of
 * them. Seven digits in a row make a number, not part of a name: an ID number, a phone number
 * or a date written into the name (`query Leak130304199001011234`, `query Call_138_1234_5678`,
 * split as the logs read a number: lib/text.ts `numberSeparator`) would otherwise be published.
 * A new name takes one of the label slots only for an identified caller (a verified token at the
 * gateway, a caller in the gateway's signed identity at a subgraph): a client without one cannot
 * fill them and push the platform's operations into `(other)`. The platform's own calls at a
 * subgraph (RequestRecord.platformCall: the gateway's AppendAuditEntries, ConsentForAccess, …, a
 * subgraph's lookups at its peers) have no caller either, and were `(other)` beside clients' names:
 * they are counted by name without a slot, their names being the few the platform's code gives,
 * which only a holder of the signing key can send. A token holder could fill the slots (`query Distinct<i>x`),
 * and the platform's operations new after that were `(other)` until a restart: a name unseen for
 * `operationLabelIdleMs` gives its slot, and its series, to a new name, while a name in use keeps
 * its own; never more than `maxOperationLabels` (about 15 series each, the duration histogram's).
 */
const maxOperationLabels = 300;
const operationLabelIdleMs = 10 * 60_000;
const graphqlName = /^[_A-Za-z][_0-9A-Za-z]{0,99}$/;
const longNumber = digitRun(7);

/**
 * One process's metrics (`GET /metrics`, Prometheus text format) in a registry of its own, so
 * that tests can run several services in one process. Every series carries `service`.
 *
 *  credit_http_requests_total{route,method,status}        every HTTP request
 *  credit_graphql_requests_total{operation,type}          GraphQL operations served
 *  credit_graphql_errors_total{operation,code}            errors sent, by `extensions.code`
 *  credit_graphql_request_duration_seconds{operation,type}  whole request, token check to last byte
 *  credit_db_queries_total                                 on a subgraph: SQL statements sent (registerQueryCounter)
 *  credit_catalogue_info{fingerprint}                      1, for the catalogue the process was built with (lib/catalogue/fingerprint.ts)
 *  + Node's process metrics (CPU, memory, event-loop lag, GC), `credit_process_*`, `credit_nodejs_*`
 *
 * close() stops the GC observer and the event-loop sampling: whoever made the metrics calls it
 * when the service stops (startSubgraph, serveGateway), or they outlive it (see processMetrics).
 */
export class ServiceMetrics {
  readonly registry = new Registry();
  private readonly stopProcessMetrics: () => void;
  /**
   * The names holding a label slot, least recently seen first (each seen moves to the end), with
   * when it was last seen and the types and error codes its series carry, to remove them by.
   */
  private readonly operations = new Map<string, { seenAt: number; types: Set<string>; codes: Set<string> }>();
  private readonly httpRequests: Counter<'route' | 'method' | 'status'>;
  private readonly graphqlRequests: Counter<'operation' | 'type'>;
  private readonly graphqlErrors: Counter<'operation' | 'code'>;
  private readonly graphqlDuration: Histogram<'operation' | 'type'>;

  constructor(readonly service: string) {
    this.registry.setDefaultLabels({ service });
    this.stopProcessMetrics = processMetrics(this.registry, 'credit_');
    const registers = [this.registry];
    this.httpRequests = new Counter({ name: 'credit_http_requests_total', help: 'HTTP requests answered, by route, method and status.', labelNames: ['route', 'method', 'status'], registers });
    this.graphqlRequests = new Counter({ name: 'credit_graphql_requests_total', help: 'GraphQL operations served, by operation name and type.', labelNames: ['operation', 'type'], registers });
    this.graphqlErrors = new Counter({ name: 'credit_graphql_errors_total', help: 'GraphQL errors sent, by operation name and extensions.code.', labelNames: ['operation', 'code'], registers });
    this.graphqlDuration = new Histogram({
      name: 'credit_graphql_request_duration_seconds',
      help: 'GraphQL request latency, from the first byte received to the last byte sent, by operation.',
      labelNames: ['operation', 'type'],
      buckets: latencyBuckets,
      registers,
    });
    new Gauge({ name: 'credit_catalogue_info', help: '1 for the fingerprint of the catalogue this process was built with: every process of one release shows the same.', labelNames: ['fingerprint'], registers }).set({ fingerprint: catalogueFingerprint }, 1);
  }

  /**
   * A label value for an operation name: its name, `(anonymous)`, `(unresolved)` (never parsed or
   * validated) or `(other)`. `asker`: an identified caller may take a new label slot; the
   * platform's own call is counted by its name without one.
   */
  operationLabel(name: string | null | undefined, asker: 'identified' | 'unidentified' | 'platform'): string {
    if (name === undefined) return '(unresolved)';
    if (name === null) return '(anonymous)';
    if (!graphqlName.test(name) || longNumber.test(name)) return '(other)';
    if (asker === 'platform') return name;
    const now = Date.now();
    const held = this.operations.get(name);
    if (held) {
      this.operations.delete(name);
      this.operations.set(name, { ...held, seenAt: now });
      return name;
    }
    if (asker === 'unidentified' || (this.operations.size >= maxOperationLabels && !this.releaseIdleOperation(now))) return '(other)';
    this.operations.set(name, { seenAt: now, types: new Set(), codes: new Set() });
    return name;
  }

  /** Gives up the slot of the least recently seen name, with its series, if it was unseen for operationLabelIdleMs. */
  private releaseIdleOperation(now: number): boolean {
    const [oldest] = this.operations;
    if (!oldest || now - oldest[1].seenAt < operationLabelIdleMs) return false;
    const [operation, { types, codes }] = oldest;
    for (const type of types) {
      this.graphqlRequests.remove({ operation, type });
      this.graphqlDuration.remove({ operation, type });
    }
    for (const code of codes) this.graphqlErrors.remove({ operation, code });
    this.operations.delete(operation);
    return true;
  }

  observeHttp(route: string, method: string, status: number): void {
    this.httpRequests.inc({ route, method, status: String(status) });
  }

  observeGraphQL(record: RequestRecord, seconds: number): void {
    const operation = this.operationLabel(record.operationName, record.platformCall ? 'platform' : record.caller ? 'identified' : 'unidentified');
    const type = record.operationType ?? 'unknown';
    const held = this.operations.get(operation);
    held?.types.add(type);
    this.graphqlRequests.inc({ operation, type });
    this.graphqlDuration.observe({ operation, type }, seconds);
    for (const code of record.errorCodes) {
      held?.codes.add(code);
      this.graphqlErrors.inc({ operation, code });
    }
  }

  /** Stops what the process metrics started; the registry still answers, without GC or lag updates. Idempotent. */
  close(): void {
    this.stopProcessMetrics();
  }

  /** The `/metrics` route. */
  route = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<boolean> => {
    if (pathOf(req) !== '/metrics' || req.method !== 'GET') return false;
    res.statusCode = 200;
    res.setHeader('content-type', this.registry.contentType);
    res.end(await this.registry.metrics());
    return true;
  };
}

/** prom-client's default metrics that only read the process when scraped (its `collectDefaultMetrics` less gc and eventLoopLag). */
type ScrapedMetric = (registry: Registry, config: { prefix: string }) => void;
/* eslint-disable @typescript-eslint/no-require-imports -- prom-client exports these only as files (no types, no index export). */
const scrapedMetrics: ScrapedMetric[] = [
  require('prom-client/lib/metrics/processCpuTotal'),
  require('prom-client/lib/metrics/processStartTime'),
  require('prom-client/lib/metrics/osMemoryHeap'),
  require('prom-client/lib/metrics/processOpenFileDescriptors'),
  require('prom-client/lib/metrics/processMaxFileDescriptors'),
  require('prom-client/lib/metrics/processResources'),
  require('prom-client/lib/metrics/processHandles'),
  require('prom-client/lib/metrics/processRequests'),
  require('prom-client/lib/metrics/heapSizeAndUsed'),
  require('prom-client/lib/metrics/heapSpacesSizeAndUsed'),
  require('prom-client/lib/metrics/version'),
];
/* eslint-enable @typescript-eslint/no-require-imports */

const gcKinds: Record<number, string> = {
  [perfConstants.NODE_PERFORMANCE_GC_MAJOR]: 'major',
  [perfConstants.NODE_PERFORMANCE_GC_MINOR]: 'minor',
  [perfConstants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
  [perfConstants.NODE_PERFORMANCE_GC_WEAKCB]: 'weakcb',
};

/**
 * The series of prom-client's `collectDefaultMetrics`, the same names and help, but with a stop:
 * its GC series is fed by a PerformanceObserver and its lag series by an event-loop-delay
 * histogram that it starts and never stops (prom-client 15 returns no handle: prometheus/client_js
 * #500, #494). Started per service, those outlived the service: every subgraph or gateway
 * started in a process (each test suite starts several) left a GC observer whose callback held its
 * registry and, in jest, the test file's whole module graph (~30 MB per file), and a histogram
 * sampling every 10 ms. Returns the function that stops both.
 */
function processMetrics(registry: Registry, prefix: string): () => void {
  for (const metric of scrapedMetrics) metric(registry, { prefix });
  const registers = [registry];

  const gcDuration = new Histogram({
    name: `${prefix}nodejs_gc_duration_seconds`,
    help: 'Garbage collection duration by kind, one of major, minor, incremental or weakcb.',
    labelNames: ['kind'],
    buckets: [0.001, 0.01, 0.1, 1, 2, 5],
    registers,
  });
  const gcObserver = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const kind = gcKinds[(entry as { detail?: { kind?: number } }).detail?.kind ?? -1];
      if (kind) gcDuration.observe({ kind }, entry.duration / 1000);
    }
  });
  gcObserver.observe({ entryTypes: ['gc'] });

  const delay: IntervalHistogram = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  const lagGauge = (name: string, help: string, aggregator: 'min' | 'max' | 'average') => new Gauge({ name: `${prefix}${name}`, help, registers, aggregator });
  const lag = new Gauge({
    name: `${prefix}nodejs_eventloop_lag_seconds`,
    help: 'Lag of event loop in seconds.',
    registers,
    aggregator: 'average',
    // As prom-client: this one metric's collect sets every lag series; the lag itself is measured
    // by a setImmediate, so a scrape shows the one measured at the scrape before.
    collect() {
      const start = process.hrtime.bigint();
      setImmediate(() => lag.set(Number(process.hrtime.bigint() - start) / 1e9));
      lagMin.set(delay.min / 1e9);
      lagMax.set(delay.max / 1e9);
      lagMean.set(delay.mean / 1e9);
      lagStddev.set(delay.stddev / 1e9);
      lagP50.set(delay.percentile(50) / 1e9);
      lagP90.set(delay.percentile(90) / 1e9);
      lagP99.set(delay.percentile(99) / 1e9);
      delay.reset();
    },
  });
  const lagMin = lagGauge('nodejs_eventloop_lag_min_seconds', 'The minimum recorded event loop delay.', 'min');
  const lagMax = lagGauge('nodejs_eventloop_lag_max_seconds', 'The maximum recorded event loop delay.', 'max');
  const lagMean = lagGauge('nodejs_eventloop_lag_mean_seconds', 'The mean of the recorded event loop delays.', 'average');
  const lagStddev = lagGauge('nodejs_eventloop_lag_stddev_seconds', 'The standard deviation of the recorded event loop delays.', 'average');
  const lagP50 = lagGauge('nodejs_eventloop_lag_p50_seconds', 'The 50th percentile of the recorded event loop delays.', 'average');
  const lagP90 = lagGauge('nodejs_eventloop_lag_p90_seconds', 'The 90th percentile of the recorded event loop delays.', 'average');
  const lagP99 = lagGauge('nodejs_eventloop_lag_p99_seconds', 'The 99th percentile of the recorded event loop delays.', 'average');

  return () => {
    gcObserver.disconnect();
    delay.disable();
  };
}

/**
 * `credit_db_queries_total`: SQL statements sent to the database. The benchmark reads it before
 * and after a measurement to report statements per request; a statement count that grows with
 * the answer's size is an N+1 the loaders should have batched. Returns the function to call per statement.
 */
export function registerQueryCounter(metrics: ServiceMetrics): () => void {
  const counter = new Counter({ name: 'credit_db_queries_total', help: 'SQL statements sent to the database.', registers: [metrics.registry] });
  return () => counter.inc();
}

/** What a connection pool holds at a moment; null when the driver has no pool (SQLite). */
export interface PoolStats {
  /** Connections open (idle + in use). */
  open: number;
  idle: number;
  /** Requests waiting for a connection. */
  queued: number;
  /** The most connections the pool opens. */
  limit: number;
}

interface Mysql2PoolInternals {
  _allConnections?: { length: number };
  _freeConnections?: { length: number };
  _connectionQueue?: { length: number };
  config?: { connectionLimit?: number };
}

/**
 * The pool of a TypeORM DataSource. For MySQL/MariaDB that is mysql2's pool, read from its
 * internal queues (mysql2 has no public pool statistics; these fields have been stable since
 * mysql2 1.x, and a change makes the gauges absent, never wrong). SQLite (better-sqlite3) has one
 * synchronous connection and no pool: null.
 */
export function poolStats(db: DataSource): PoolStats | null {
  const pool = (db.driver as { pool?: Mysql2PoolInternals }).pool;
  if (!pool || !pool._allConnections || !pool._freeConnections || !pool._connectionQueue) return null;
  return {
    open: pool._allConnections.length,
    idle: pool._freeConnections.length,
    queued: pool._connectionQueue.length,
    limit: pool.config?.connectionLimit ?? 0,
  };
}

/**
 * Database pool gauges, read at scrape time:
 *  credit_db_pool_connections{state="open|idle|in_use"}, credit_db_pool_queued_requests,
 *  credit_db_pool_max_connections. Register them only for a pooled database: SQLite has
 * none (see poolStats), and its /metrics then has no credit_db_pool_* series at all.
 */
export function registerPoolMetrics(metrics: ServiceMetrics, stats: () => PoolStats | null): void {
  const registers = [metrics.registry];
  new Gauge({
    name: 'credit_db_pool_connections',
    help: 'Database connections of the pool, by state (MySQL/MariaDB only; SQLite has no pool).',
    labelNames: ['state'],
    registers,
    collect() {
      this.reset();
      const s = stats();
      if (!s) return;
      this.set({ state: 'open' }, s.open);
      this.set({ state: 'idle' }, s.idle);
      this.set({ state: 'in_use' }, s.open - s.idle);
    },
  });
  new Gauge({
    name: 'credit_db_pool_queued_requests',
    help: 'Queries waiting for a free pool connection (MySQL/MariaDB only).',
    registers,
    collect() {
      this.reset();
      const s = stats();
      if (s) this.set(s.queued);
    },
  });
  new Gauge({
    name: 'credit_db_pool_max_connections',
    help: 'The most connections the pool opens (MySQL/MariaDB only).',
    registers,
    collect() {
      this.reset();
      const s = stats();
      if (s) this.set(s.limit);
    },
  });
}
