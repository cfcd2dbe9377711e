import { ErrorCode } from '../lib/errors';
import { InternalCallRefused, type InternalClient } from '../lib/internal-client';
import { maskPersonalData } from '../lib/logger';
import type { GatewayObserver } from './observer';

export interface AuditEntryInput {
  actor: string;
  organisation: string;
  organisationKind: string;
  role: string;
  matter: string | null;
  caseNumber: string | null;
  consentId: string | null;
  subjectId: string | null;
  fieldGroups: string[];
  operationName: string | null;
  requestId: string;
  occurredAt: string;
  outcome: 'DISCLOSED' | 'DENIED' | 'FAILED';
}

/**
 * An entry as the audit log keeps it: a citizen ID number or a mobile number typed into what the
 * request names (its operation's name, its matter and case headers: a case named after the person
 * it is about, `徐志强130304197304130019投诉件`) masked as the logs mask them (lib/logger.ts), as the
 * audit shows a person who read (`1303**********0019`; that organisation is stored whole, as a
 * person's own reads are found by it, and masked when read). Kept whole, the audit's readers would
 * see the number in every entry of the request, and the subject read in its own list of who read
 * it (its `disclosures`). Every entry the gateway writes passes here (AuditWriter.write), whoever
 * built it. A real case number holds no such number and is kept as typed; the checks of a case
 * (records' credit checks, their ledger, PURPOSE_MISMATCH) read the request's signed purpose,
 * never the audit log; two case numbers alike but in the digits masked are one case to the
 * audit's lists (auditCases, a filter by case number).
 */
function asAudited(entry: AuditEntryInput): AuditEntryInput {
  const masked = (text: string | null) => (text === null ? null : maskPersonalData(text));
  return { ...entry, matter: masked(entry.matter), caseNumber: masked(entry.caseNumber), operationName: masked(entry.operationName) };
}

const APPEND = /* GraphQL */ `
  mutation AppendAuditEntries($entries: [AuditEntryInput!]!) {
    appendAuditEntries(entries: $entries) { appended }
  }
`;

interface Waiting {
  entries: AuditEntryInput[];
  /** The request's client going away (RequestDeadline.callerGone): its answer will not be released. */
  callerGone?: AbortSignal;
  done: (error?: Error) => void;
}

/**
 * A write refused at once, the gateway's queue of entries waiting for the audit subgraph full
 * (AuditWriter's `maxWaiting`): the audit subgraph answers, too slowly. Its own class so that the
 * gateway's outage log tells it apart from an audit subgraph it cannot reach (gateway/metrics.ts).
 */
export class AuditLogBehind extends Error {
  override name = 'AuditLogBehind';
}

/**
 * Group commit for the audit log: every request waits for its entries to be stored before its
 * answer is released, but requests arriving while a write is in flight share the next write,
 * so under load many requests cost one insert.
 *
 * A write carries whole requests, up to `maxBatch` entries; a request with more entries than
 * that (a provider's issued reports with their subjects, say) is a write of its own. One
 * request's entries are never split between calls: the audit subgraph stores a call all or none
 * (one transaction), so an answer withheld for want of its entries (AUDIT_UNAVAILABLE, "nothing
 * is disclosed") has none of them stored, and the client's retry counts nothing twice. The audit
 * subgraph's `maxAppendBatch` covers the largest request the operation limits let through.
 *
 * A request whose client has gone away before its write is sent (RequestDeadline.callerGone) will
 * not have its answer released: its DISCLOSED entries are left out, as nothing was disclosed, and
 * its DENIED and FAILED ones are written, as the attempt was made and refused (or withheld) all
 * the same. One gone while its write is under way is stored whole: the log may then say more was
 * disclosed than was released, never less.
 *
 * A write that provably stored nothing (a stopping audit replica refused it unread, its connection
 * refused) is sent once more on a new connection by the internal client (InternalClient.call),
 * reaching a replica still serving in a rolling restart; one lost once sent is not: it may have
 * been stored, and its requests are refused.
 *
 * A write whose entries the audit subgraph refuses (BAD_USER_INPUT: it appends all of a call or
 * none) is not an outage: each request of it is written on its own, and only the one whose own
 * entries are refused fails.
 *
 * While the audit subgraph is slow (each write may take the internal client's whole timeout),
 * requests would queue without end, each holding its answer; past `maxWaiting` entries waiting,
 * a write fails at once, and its request is refused as if the audit log were down.
 */
export class AuditWriter {
  private queue: Waiting[] = [];
  private waiting = 0;
  private flushing = false;
  /** Batches and entries stored since start: counters, so that a gateway running for months holds no history. */
  readonly written = { batches: 0, entries: 0 };

  constructor(
    private readonly client: InternalClient,
    private readonly auditUrl: string,
    /** The entries a write gathers from requests sharing it (one larger request is a write alone). */
    private readonly maxBatch = 500,
    private readonly observer?: Pick<GatewayObserver, 'auditBatch'>,
    /** The entries at most waiting for a write: by default ten full batches. */
    private readonly maxWaiting = maxBatch * 10,
  ) {}

  /**
   * An append of nothing: that the audit subgraph answers and takes this writer's signed writes,
   * storing nothing. The import command asks it before it stores a row.
   */
  async probe(): Promise<void> {
    await this.client.call(this.auditUrl, APPEND, { entries: [] }, ['AUDIT_WRITE']);
  }

  /** Resolves once `entries` are stored; `callerGone`, the request's, leaves its DISCLOSED entries out should it abort before they are sent. */
  write(entries: AuditEntryInput[], callerGone?: AbortSignal): Promise<void> {
    if (!entries.length) return Promise.resolve();
    // A request larger than the bound on its own is taken when nothing waits, or it could never be answered.
    if (this.waiting > 0 && this.waiting + entries.length > this.maxWaiting) {
      return Promise.reject(new AuditLogBehind(`the audit log is behind: ${this.waiting} entries are waiting for a write, at most ${this.maxWaiting} may`));
    }
    this.waiting += entries.length;
    return new Promise((resolve, reject) => {
      this.queue.push({ entries: entries.map(asAudited), callerGone, done: (error) => (error ? reject(error) : resolve()) });
      if (!this.flushing) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    try {
      while (this.queue.length) {
        const batch: Waiting[] = [];
        let size = 0;
        while (this.queue.length && (size === 0 || size + this.queue[0].entries.length <= this.maxBatch)) {
          const next = this.queue.shift()!;
          this.waiting -= next.entries.length;
          if (next.callerGone?.aborted) next.entries = next.entries.filter((entry) => entry.outcome !== 'DISCLOSED');
          if (!next.entries.length) {
            next.done();
            continue;
          }
          batch.push(next);
          size += next.entries.length;
        }
        if (!batch.length) continue;
        const error = await this.store(batch);
        if (!error) continue;
        // The audit subgraph refused the shared write's entries (it appends all of one or none):
        // one request's entries must not cost the others their answers, so each is written on its
        // own. Any other failure (its database down, say) would fail each of them alike.
        if (refusedEntries(error) && batch.length > 1) {
          for (const waiting of batch) {
            const own = await this.store([waiting]);
            if (own) waiting.done(own);
          }
        } else {
          batch.forEach((w) => w.done(error));
        }
      }
    } finally {
      this.flushing = false;
    }
  }

  /** Writes the requests' entries, counts and reports the write, and answers them if it was stored; the error otherwise. */
  private async store(batch: Waiting[]): Promise<Error | undefined> {
    const entries = batch.flatMap((w) => w.entries);
    const started = performance.now();
    try {
      await this.client.call(this.auditUrl, APPEND, { entries }, ['AUDIT_WRITE']);
    } catch (error) {
      this.observer?.auditBatch(entries.length, (performance.now() - started) / 1000, false);
      return error as Error;
    }
    this.written.batches++;
    this.written.entries += entries.length;
    this.observer?.auditBatch(entries.length, (performance.now() - started) / 1000, true);
    batch.forEach((w) => w.done());
    return undefined;
  }
}

/** Whether the audit subgraph was reached and refused the entries themselves, rather than failed. */
function refusedEntries(error: Error): boolean {
  return error instanceof InternalCallRefused && error.codes.includes(ErrorCode.BAD_USER_INPUT);
}
