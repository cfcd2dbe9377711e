import { Counter, Gauge, Histogram } from 'prom-client';
import { withoutCredentials } from '../lib/env';
import type { Logger } from '../lib/logger';
import { ServiceMetrics } from '../lib/metrics';
import { OutageLog } from '../lib/outage-log';
import { ErrorCode } from '../lib/errors';
import { callOutcome, InternalCallRefused } from '../lib/internal-client';
import type { RequestRecord } from '../lib/request-record';
import { AuditLogBehind } from './audit-writer';
import { tokenProblems } from './authentication';
import type { GatewayObserver, SubgraphFetchOutcome } from './observer';
import type { RateLimitBudget } from './rate-limits';
import type { RevocationsRead } from './revocations';

/** Entries per audit write: one request writes one or a few, a busy gateway groups hundreds. */
const batchBuckets = [1, 2, 5, 10, 20, 50, 100, 200, 500];
const latencyBuckets = [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
/**
 * A subgraph call takes up to SUBGRAPH_TIMEOUT_MS (10 s by default, lib/deadline.ts
 * defaultSubgraphTimeoutMs; keep in step): buckets to it, the calls it stopped just above it, and
 * on to a minute for a timeout set longer, rather than all of them in +Inf.
 */
const fetchBuckets = [...latencyBuckets, 7.5, 10, 15, 30, 60];

/**
 * The gateway's metrics: the ones every service has (lib/metrics.ts) and its own
 *  credit_gateway_subgraph_fetch_duration_seconds{subgraph}  one call to a subgraph in a query plan
 *  credit_gateway_subgraph_fetches_total{subgraph,outcome}   ok | graphql_errors | unreachable | timeout | bad_response | identity_refused | schema_mismatch | caller_gone | request_out_of_time
 *  credit_gateway_audit_batch_entries                         entries per audit write (group commit)
 *  credit_gateway_audit_write_duration_seconds{stored}        one audit write, stored or failed
 *  credit_gateway_rate_limited_total{budget}                  requests refused: CALLER | ORGANISATION | ADDRESS
 *  credit_gateway_rate_limit_counters_shared                  1 while counters are in Redis, 0 while per replica
 *                                                             in memory for want of Redis (absent without Redis)
 *  credit_gateway_tokens_refused_total{problem}               requests refused UNAUTHENTICATED, by the token's
 *                                                             problem (gateway/authentication.ts tokenProblems)
 * It is also the gateway's observer, so faults it masks go to the log with the request's id, and
 * outages (a subgraph, the identity provider's key set) with where and why.
 */
/**
 * A subgraph that cannot be reached, answers too late, answers something that is not GraphQL,
 * refuses the gateway's signed identity or cannot read its calls (another release), the identity provider's key set that cannot be read,
 * and the audit log that cannot be written, are logged once per window, with how
 * many calls met the outage since the last line: one line per failed call would be thousands a
 * minute in an outage, and none (the client's SUBGRAPH_UNAVAILABLE or AUTHENTICATION_UNAVAILABLE
 * shows only in request lines) left the operator only the metrics to find it in, and nothing of
 * where and why (lib/outage-log.ts).
 */
type Outage = Extract<SubgraphFetchOutcome, 'unreachable' | 'timeout' | 'bad_response' | 'identity_refused' | 'schema_mismatch'>;

/**
 * What the line of each kind of outage says, and at what level. A refused identity is an error:
 * the gateway and the subgraph hold different GATEWAY_SIGNING_KEYs (or their clocks are far
 * apart), which waiting does not mend, and Apollo's stack trace of the 401 would say nothing more.
 */
const outageLines: Record<Outage, { level: 'warn' | 'error'; message: (subgraph: string) => string }> = {
  unreachable: { level: 'warn', message: (subgraph) => `calls to the ${subgraph} subgraph fail to reach it: its fields answer SUBGRAPH_UNAVAILABLE` },
  timeout: { level: 'warn', message: (subgraph) => `calls to the ${subgraph} subgraph time out: its fields answer SUBGRAPH_UNAVAILABLE` },
  // An error: most often an address the subgraph serves no GraphQL at (a mistyped path, /graphql/
  // with a trailing slash, a proxy's page), which every call meets alike and waiting does not mend.
  // The cause names the address called and what it answered; a stack would say neither.
  bad_response: {
    level: 'error',
    message: (subgraph) =>
      `the ${subgraph} subgraph answers something that is not a GraphQL response, so its fields answer SUBGRAPH_UNAVAILABLE: check that its address (SUBGRAPH_${subgraph.toUpperCase()}_URL, or the supergraph's) is the subgraph's GraphQL endpoint and that it is this platform's`,
  },
  identity_refused: {
    level: 'error',
    message: (subgraph) => `the ${subgraph} subgraph refuses the gateway's signed identity, so its fields answer SUBGRAPH_UNAVAILABLE: check that both hold the same GATEWAY_SIGNING_KEY and that their clocks agree`,
  },
  // A warning: it mends itself once the upgrade under way reaches the subgraph, or is rolled back.
  schema_mismatch: {
    level: 'warn',
    message: (subgraph) =>
      `the ${subgraph} subgraph refuses the gateway's calls as invalid GraphQL, so its fields answer SUBGRAPH_UNAVAILABLE: its schema differs from the gateway's supergraph; upgrade the subgraphs first, then the gateways (README, Upgrading)`,
  },
};

/**
 * Why an audit write failed, as its outage lines are told apart, each cause its own window: how
 * the call ended (callOutcome), and for a refusal the reasons (or codes) the audit subgraph gave.
 * One window for all let the first cause's line hide the others: an audit subgraph of another
 * release's catalogue refusing a department's entries (CATALOGUE_MISMATCH, which only a restart
 * mends) and one that cannot be reached, or whose database is down, counted in each other's line.
 */
function auditFault(cause: unknown): string {
  // Refused by the gateway's own full queue, no call made: not the audit subgraph unreachable.
  if (cause instanceof AuditLogBehind) return 'behind';
  const outcome = callOutcome(cause);
  if (!(cause instanceof InternalCallRefused)) return outcome;
  return [outcome, ...new Set(cause.errors.map((e) => String(e.extensions?.reason ?? e.extensions?.code)))].join(' ');
}

export class GatewayMetrics extends ServiceMetrics implements GatewayObserver {
  /** Per outage: a subgraph and outcome, the key set, the audit write's cause (auditFault). */
  private readonly outages: OutageLog;
  private readonly fetchDuration: Histogram<'subgraph'>;
  private readonly fetches: Counter<'subgraph' | 'outcome'>;
  private readonly auditEntries: Histogram;
  private readonly auditDuration: Histogram<'stored'>;
  private readonly rateLimitRefusals: Counter<'budget'>;
  private readonly rateLimitShared: Gauge;
  private readonly tokensRefused: Counter<'problem'>;

  constructor(private readonly logger?: Logger) {
    super('gateway');
    this.outages = new OutageLog('gateway', logger);
    const registers = [this.registry];
    this.fetchDuration = new Histogram({ name: 'credit_gateway_subgraph_fetch_duration_seconds', help: 'Latency of one subgraph call (a query plan\'s, a printable report\'s page, or a register the gateway asks itself), by subgraph.', labelNames: ['subgraph'], buckets: fetchBuckets, registers });
    this.fetches = new Counter({ name: 'credit_gateway_subgraph_fetches_total', help: 'Subgraph calls by subgraph and outcome (ok, graphql_errors, unreachable, timeout, bad_response, identity_refused, schema_mismatch, caller_gone, request_out_of_time).', labelNames: ['subgraph', 'outcome'], registers });
    this.auditEntries = new Histogram({ name: 'credit_gateway_audit_batch_entries', help: 'Audit entries per write to the audit subgraph (group commit batch size).', buckets: batchBuckets, registers });
    this.auditDuration = new Histogram({ name: 'credit_gateway_audit_write_duration_seconds', help: 'Latency of one audit write, by whether it was stored.', labelNames: ['stored'], buckets: latencyBuckets, registers });
    this.rateLimitRefusals = new Counter({ name: 'credit_gateway_rate_limited_total', help: 'Requests refused with RATE_LIMITED, by the budget used up (CALLER, ORGANISATION, ADDRESS).', labelNames: ['budget'], registers });
    // Every problem from the start, at 0: an alert on a rise (a replica whose AUTH_JWT_SECRET differs
    // refuses every token as TOKEN_INVALID) needs the series before its first refusal.
    this.tokensRefused = new Counter({ name: 'credit_gateway_tokens_refused_total', help: `Requests refused UNAUTHENTICATED, by why the token was (${tokenProblems.join(', ')}).`, labelNames: ['problem'], registers });
    for (const problem of tokenProblems) this.tokensRefused.inc({ problem }, 0);
    this.rateLimitShared = new Gauge({ name: 'credit_gateway_rate_limit_counters_shared', help: 'Whether rate-limit counters are shared in Redis (1) or, for want of Redis, per replica in memory (0).', registers: [] });
  }

  override observeGraphQL(record: RequestRecord, seconds: number): void {
    super.observeGraphQL(record, seconds);
    if (!record.errorCodes.includes(ErrorCode.UNAUTHENTICATED)) return;
    for (const problem of new Set(record.problems)) if ((tokenProblems as readonly string[]).includes(problem)) this.tokensRefused.inc({ problem });
  }

  subgraphFetch(subgraph: string, seconds: number, outcome: SubgraphFetchOutcome, cause?: string): void {
    this.fetchDuration.observe({ subgraph }, seconds);
    this.fetches.inc({ subgraph, outcome });
    if (outcome in outageLines) {
      const { level, message } = outageLines[outcome as Outage];
      // The cause of the line's first call, as for the key set: the next ones most likely met the same.
      this.outage(`subgraph ${subgraph} ${outcome}`, { subgraph, outcome, ...(cause ? { cause } : {}) }, message(subgraph), level);
    }
  }

  keySetUnavailable(keySet: string, cause: unknown): void {
    // The cause of the line's first call: the next ones in its window most likely met the same.
    // The address without a user and password, or a query, that may carry a credential.
    const fields = { keySet: withoutCredentials(keySet), cause: (cause as Error | undefined)?.message || String(cause) };
    this.outage('key set', fields, "the identity provider's key set could not be read: requests with a token answer AUTHENTICATION_UNAVAILABLE", 'warn');
  }

  auditUnavailable(cause: unknown, requestId: string): void {
    // An error: answers are withheld. The stack and request of the line's first write only (each
    // request's own line has its AUDIT_UNAVAILABLE): a stack per request was ~137 MB an hour at 50/s.
    this.outage(`audit write ${auditFault(cause)}`, { err: cause, requestId }, 'the audit log could not be written: answers that disclose (AUDIT_UNAVAILABLE) and printable reports (503) are withheld until it can', 'error');
  }

  revocationsUnreadable(file: string, cause: unknown): void {
    // An error, not an outage: revocations written since the last good read are not in force.
    this.logger?.error({ file, cause: (cause as Error | undefined)?.message || String(cause) }, 'the revocation file could not be read: the list last read well stays in force until it is mended');
  }

  /** Stops the process metrics, and the closing lines of outages waiting (lib/outage-log.ts): a gateway stopped writes no more lines. */
  override close(): void {
    super.close();
    this.outages.stop();
  }

  /** `message` with `fields` at once, then at most once per window for `key`, counting the calls since its last line. */
  private outage(key: string, fields: Record<string, unknown>, message: string, level: 'warn' | 'error'): void {
    this.outages.tell(key, fields, message, level);
  }

  auditBatch(entries: number, seconds: number, stored: boolean): void {
    this.auditEntries.observe(entries);
    this.auditDuration.observe({ stored: String(stored) }, seconds);
  }

  rateLimited(budget: RateLimitBudget): void {
    this.rateLimitRefusals.inc({ budget });
  }

  rateLimitCounters(where: 'shared' | 'local', error?: unknown): void {
    // Registered on the first report: a gateway without Redis has no such series.
    if (!this.registry.getSingleMetric('credit_gateway_rate_limit_counters_shared')) this.registry.registerMetric(this.rateLimitShared);
    this.rateLimitShared.set(where === 'shared' ? 1 : 0);
    if (!this.logger) return;
    if (where === 'shared') this.logger.info('rate-limit counters are shared in Redis');
    else this.logger.warn({ err: error }, 'Redis cannot be reached: rate-limit counters are kept per replica in memory until it answers');
  }

  fault(message: string, error: unknown, requestId?: string): void {
    if (this.logger) this.logger.error({ err: error, requestId }, message);
    else console.error(`[gateway] ${message}`, error);
  }

  /**
   * The revocation list this replica holds (README, Cutting a caller off), made on the first good
   * read, so that a gateway without AUTH_REVOCATIONS_FILE has none of these series:
   *  credit_gateway_revocations_entries{kind}                  subjects | organisations | jti
   *  credit_gateway_revocations_tokens_issued_before_seconds   its tokensIssuedBefore, 0 when none
   *  credit_gateway_revocations_read_timestamp_seconds         when the file was last read well
   *  credit_gateway_revocations_file_modified_seconds          that version's modification time
   *  credit_gateway_revocations_file_info{sha256}              1, for that version's SHA-256
   *  credit_gateway_revocations_readable                       0 while the file cannot be read or does not parse
   *  credit_gateway_revocations_checked_timestamp_seconds      when the file was last looked at
   */
  private revocationSeries?: { entries: Gauge<'kind'>; issuedBefore: Gauge; readAt: Gauge; modified: Gauge; file: Gauge<'sha256'>; readable: Gauge; checkedAt: Gauge };

  private revocations() {
    const registers = [this.registry];
    return (this.revocationSeries ??= {
      entries: new Gauge({ name: 'credit_gateway_revocations_entries', help: 'Entries of the revocation list this replica holds, by kind (subjects, organisations, jti).', labelNames: ['kind'], registers }),
      issuedBefore: new Gauge({ name: 'credit_gateway_revocations_tokens_issued_before_seconds', help: "The revocation list's tokensIssuedBefore (seconds since 1970), 0 when it sets none.", registers }),
      readAt: new Gauge({ name: 'credit_gateway_revocations_read_timestamp_seconds', help: 'When this replica last read the revocation file well (seconds since 1970).', registers }),
      modified: new Gauge({ name: 'credit_gateway_revocations_file_modified_seconds', help: 'The modification time of the revocation file as this replica last read it well (seconds since 1970).', registers }),
      file: new Gauge({ name: 'credit_gateway_revocations_file_info', help: "1 for the SHA-256 of the revocation file's text this replica holds: compare with sha256sum of the file saved.", labelNames: ['sha256'], registers }),
      readable: new Gauge({ name: 'credit_gateway_revocations_readable', help: 'Whether the revocation file, as this replica last looked at it, is the list it holds (1), or could not be read or did not parse since (0): revocations saved since are not in force.', registers }),
      checkedAt: new Gauge({ name: 'credit_gateway_revocations_checked_timestamp_seconds', help: 'When this replica last looked at the revocation file (seconds since 1970; at most every 5 s, while requests come).', registers }),
    });
  }

  revocationsChecked(_file: string, readable: boolean): void {
    const series = this.revocations();
    series.readable.set(readable ? 1 : 0);
    series.checkedAt.set(Date.now() / 1000);
  }

  revocationsRead(file: string, read: RevocationsRead): void {
    const series = this.revocations();
    for (const [kind, count] of Object.entries(read.entries)) series.entries.set({ kind }, count);
    series.issuedBefore.set(read.tokensIssuedBefore ?? 0);
    series.readAt.set(Date.now() / 1000);
    if (read.modifiedAt !== null) series.modified.set(read.modifiedAt);
    // One series, the version held: the one before is gone from /metrics once replaced.
    series.file.reset();
    series.file.set({ sha256: read.sha256 ?? 'unknown' }, 1);
    // Counts and the version alone: a subject is a user's id, and the log is read by more than the responders.
    const tokensIssuedBefore = read.tokensIssuedBefore === null ? null : new Date(read.tokensIssuedBefore * 1000).toISOString();
    const fields = { file, ...read.entries, tokensIssuedBefore, sha256: read.sha256, modifiedAt: read.modifiedAt === null ? null : new Date(read.modifiedAt * 1000).toISOString() };
    if (this.logger) this.logger.info(fields, 'the revocation file was read: this replica refuses what it names');
  }
}
