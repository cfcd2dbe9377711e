import type http from 'node:http';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { DataSource } from 'typeorm';
import { pathOf } from './http-server';
import type { RequestRecord } from './request-record';

/** Seconds; from a cached lookup to a slow report page. */
const latencyBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * Operation names are chosen by clients, and `/metrics` answers anyone: a name is a label value
 * only while it looks like a GraphQL name with no long number in it, and while there are few of
 * them. Seven digits in a row make a number, not part of a name: an ID number, a phone number
 * or a date written into the name (`query Leak130304199001011234`) would otherwise be published.
 * A new name takes one of the label slots only for an identified caller (a verified token at the
 * gateway, the gateway's signed identity at a subgraph): a client without one cannot fill them and
 * push the platform's own operations into `(other)`.
 */
const maxOperationLabels = 300;
const graphqlName = /^[_A-Za-z][_0-9A-Za-z]{0,99}$/;
const longNumber = /\d{7}/;

/**
 * One process's metrics (`GET /metrics`, Prometheus text format) in a registry of its own, so
 * that tests can run several services in one process. Every series carries `service`.
 *
 *  credit_http_requests_total{route,method,status}        every HTTP request
 *  credit_graphql_requests_total{operation,type}          GraphQL operations served
 *  credit_graphql_errors_total{operation,code}            errors sent, by `extensions.code`
 *  credit_graphql_request_duration_seconds{operation,type}  whole request, token check to last byte
 *  credit_db_queries_total                                 on a subgraph: SQL statements sent (registerQueryCounter)
 *  + Node's process metrics (CPU, memory, event-loop lag, GC), `credit_process_*`
 */
export class ServiceMetrics {
  readonly registry = new Registry();
  private readonly operations = new Set<string>();
  private readonly httpRequests: Counter<'route' | 'method' | 'status'>;
  private readonly graphqlRequests: Counter<'operation' | 'type'>;
  private readonly graphqlErrors: Counter<'operation' | 'code'>;
  private readonly graphqlDuration: Histogram<'operation' | 'type'>;

  constructor(readonly service: string) {
    this.registry.setDefaultLabels({ service });
    collectDefaultMetrics({ register: this.registry, prefix: 'credit_' });
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
  }

  /**
   * A label value for an operation name: its name, `(anonymous)`, `(unresolved)` (never parsed or
   * validated) or `(other)`. `identified`: whether the caller was, so may take a new label slot.
   */
  operationLabel(name: string | null | undefined, identified: boolean): string {
    if (name === undefined) return '(unresolved)';
    if (name === null) return '(anonymous)';
    if (!graphqlName.test(name) || longNumber.test(name)) return '(other)';
    if (!this.operations.has(name)) {
      if (!identified || this.operations.size >= maxOperationLabels) return '(other)';
      this.operations.add(name);
    }
    return name;
  }

  observeHttp(route: string, method: string, status: number): void {
    this.httpRequests.inc({ route, method, status: String(status) });
  }

  observeGraphQL(record: RequestRecord, seconds: number): void {
    const operation = this.operationLabel(record.operationName, Boolean(record.caller));
    const type = record.operationType ?? 'unknown';
    this.graphqlRequests.inc({ operation, type });
    this.graphqlDuration.observe({ operation, type }, seconds);
    for (const code of record.errorCodes) this.graphqlErrors.inc({ operation, code });
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
