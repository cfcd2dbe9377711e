import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import type { GraphQLResolveInfo } from 'graphql';
import { lateAuditEntryMs } from '../../lib/calendar';
import { badInput, clientError, ErrorCode } from '../../lib/errors';
import { isBlank } from '../../lib/text-input';
import { maskCitizenIdNumber } from '../../lib/identifiers';
import { actsFor, disclose, type SubgraphContext } from '../shared/access';
import { pageRequest, toConnection, type Page, type PageArgs, type PageRequest } from '../shared/pagination';
import type { CursorPosition } from '../shared/cursors';
import type { AuditEntryInput, EntryFilter, UsageFilter, ReaderNamed } from './audit.repository';
import type { AppendedInstants, AuditContext } from './context';
import { clockToleranceSeconds } from '../../lib/access/identity';
import { splitFieldGroups, type AuditEntry } from './entities/audit-entry.entity';

type Context = AuditContext & SubgraphContext;

const connection = (page: Page<AuditEntry> | undefined, request: PageRequest) => toConnection(page, request, 'occurredAt', (e) => e.id, 'sequence');

const readsTheAudit = (ctx: Context): boolean => ctx.access.identity.grants.includes('AUDIT');
const auditorsOnly = <V>(ctx: Context, value: V): V | null => (readsTheAudit(ctx) ? value : null);

/**
 * Where a verification of the chain stopped, sealed as page cursors are (shared/cursors.ts), with
 * when: a token made up or edited (to start a walk at the head, and have it answer `intact` for a
 * chain it never walked) is INVALID_CURSOR on `resumeFrom`, and so is one older than
 * `resumeWithinMs`. A walk rechecks only the entry it resumes at, so an entry it had passed could
 * change between its calls unseen: the calls are kept as close together as one long walk's
 * batches are, a front end looping on them.
 */
const resumptionList = 'verifyAuditChain.resumeFrom';
export const resumeWithinMs = 2 * 60_000;

export function sealedResumption(ctx: Pick<Context, 'cursors'>, at: { sequence: number; hash: string }, now = Date.now()): string {
  return ctx.cursors.seal(resumptionList, [at.sequence, `${at.hash} ${now}`]);
}

function openedResumption(ctx: Context, token: string, now = Date.now()): { sequence: number; hash: string } {
  let position: CursorPosition | undefined;
  try {
    position = ctx.cursors.open(resumptionList, token);
  } catch {
    // Refused below, in this field's words.
  }
  const [hash, issuedAt] = typeof position?.[1] === 'string' ? position[1].split(' ') : [];
  if (!position || !hash || !(now - Number(issuedAt) <= resumeWithinMs)) {
    throw clientError(ErrorCode.INVALID_CURSOR, `resumeFrom must be the resumeFrom an earlier call of this verification answered, within ${resumeWithinMs / 60_000} minutes; start again without it`, { field: 'resumeFrom' });
  }
  return { sequence: Number(position[0]), hash };
}

/** The `filter` argument of the audit's entry lists, its errors naming `filter.<field>`. */
const filterOf = (filter: EntryFilter | null | undefined): EntryFilter => ({ ...filter, field: 'filter.' });

/**
 * Each subject on a page of the audit's lists learns, in its own trail, that its entries were
 * read (as it learns through Subject.disclosures who read its data): reading the audit is audited.
 * A list across subjects read for its count alone names none of them (`PageRequest.readAbout`),
 * and entries about no subject (statistics read, refused attempts) are read about none: one entry
 * about no subject, as the count is, where a page of them had left none.
 */
const auditedRead = (ctx: Context, entries: readonly AuditEntry[] | undefined, page?: PageRequest) => {
  for (const { subjectId } of entries ?? []) disclose(ctx.access, subjectId && page ? page.readAbout(subjectId) : subjectId, 'AUDIT');
};

/**
 * `auditEntriesByOrganisation`'s filter: `filter`, and the `from`, `to` and `caseNumber` it took
 * as arguments before there was one (deprecated, still served). A condition given both ways is
 * refused rather than one of them silently dropped.
 */
function organisationFilter(args: { from?: Date | null; to?: Date | null; caseNumber?: string | null; filter?: EntryFilter | null }): EntryFilter {
  const filter = filterOf(args.filter);
  for (const name of ['from', 'to', 'caseNumber'] as const) {
    const argument = args[name];
    if (argument === null || argument === undefined) continue;
    if (filter[name] !== null && filter[name] !== undefined) throw badInput(`filter.${name}`, `${name} is given both as an argument and in filter: give it once, in filter`);
    Object.assign(filter, { [name]: argument });
  }
  // The arguments' errors name them as they were given, the filter's as `filter.<field>`.
  const byArguments = args.filter === null || args.filter === undefined;
  return byArguments ? { ...filter, field: '' } : filter;
}

/**
 * The most entries one `appendAuditEntries` call takes. The gateway sends each request's entries
 * in one call, so that they are stored all or none (gateway/audit-writer.ts), and one request has
 * at most an entry per value of its answer, which the operation limits' cost bounds: at least
 * `defaultOperationLimits.cost` (gateway/operation-limits.ts). One transaction holds the chain
 * lock for the whole call, its INSERTs split by `insertRowsPerStatement`. Keep in sync with the SDL.
 */
export const maxAppendBatch = 10_000;

/**
 * The largest request body the audit subgraph takes: `maxAppendBatch` entries with every text at
 * its column's limit in Chinese characters and every field group are some 27 MiB of JSON (a test
 * keeps them within it). The other subgraphs take lib/http-server.ts's 10 MiB.
 */
export const appendBodyBytes = 32 * 1024 * 1024;

/**
 * How far from this subgraph's clock an appended entry's `occurredAt` may be. The gateway stamps
 * a request's entries when its answer is ready, then waits for at most one subgraph call (the
 * purpose's recheck: SUBGRAPH_TIMEOUT_MS, at most 10 minutes, gateway/config.ts) and for its
 * writer's queue (ten writes of at most its internal client's 5 s) before they are sent; the
 * import stamps a chunk's entries as it writes them. Ahead of this clock, no further than the
 * clocks may disagree (clockToleranceSeconds). A gateway whose clock had stepped back wrote every
 * disclosure at a past instant, even into district days already completed and counted; one
 * stepped forward, at instants to come. Refusing the call fails its request closed: the gateway
 * answers AUDIT_UNAVAILABLE, nothing disclosed. The same bound completes a district day for the
 * analysts' statistics, with a margin (lib/calendar.ts `dayCompletedAfterMs`): none is written into
 * it after.
 */
export const appendedInstantsWithin: AppendedInstants = { pastMs: lateAuditEntryMs, futureMs: clockToleranceSeconds * 1000 };

/** The problem of an entry whose instant is off this subgraph's clock (README, Errors). */
export const occurredAtOffClock = 'OCCURRED_AT_OFF_AUDIT_CLOCK';

function assertInstantsOnClock(entries: readonly AuditEntryInput[], within: AppendedInstants | null, now = Date.now()): void {
  if (!within) return;
  // One that is no instant at all is the repository's to refuse, as such.
  const offClock = (at: number) => at < now - within.pastMs || at > now + within.futureMs;
  const index = entries.findIndex((e) => offClock(new Date(e.occurredAt).getTime()));
  if (index === -1) return;
  const at = new Date(entries[index].occurredAt);
  throw badInput(
    `entries.${index}.occurredAt`,
    `occurredAt ${at.toISOString()} is further from the audit log's clock (${new Date(now).toISOString()}) than ${within.pastMs / 60_000} minutes before or ${within.futureMs / 1000} s after it: the writer's clock disagrees with the audit log's`,
    { problem: occurredAtOffClock },
  );
}

export const resolvers: GraphQLResolverMap<Context> = {
  Query: {
    auditEntriesBySubject: async (_: unknown, args: PageArgs & { subjectId: string; filter?: EntryFilter | null }, ctx: Context, info: GraphQLResolveInfo) => {
      const request = pageRequest(ctx, info, null, args);
      const page = await ctx.repository.bySubject(args.subjectId, request.first, request.after, filterOf(args.filter));
      // Who read this subject, as Subject.disclosures tells it, where reading it is audited: so is reading it here.
      auditedRead(ctx, page?.rows);
      return connection(page, request);
    },
    auditEntriesByOrganisation: async (
      _: unknown,
      args: PageArgs & ReaderNamed & { from?: Date | null; to?: Date | null; caseNumber?: string | null; filter?: EntryFilter | null },
      ctx: Context,
      info: GraphQLResolveInfo,
    ) => {
      const request = pageRequest(ctx, info, null, args);
      const named = { organisation: args.organisation, organisationKind: args.organisationKind, organisationOf: args.organisationOf };
      const page = await ctx.repository.byOrganisation(named, organisationFilter(args), request.first, request.after);
      // An organisation's trail lists whom it read: each subject on the page learns it too.
      auditedRead(ctx, page?.rows, request);
      return connection(page, request);
    },
    auditEntries: async (_: unknown, args: PageArgs & { filter?: EntryFilter | null }, ctx: Context, info: GraphQLResolveInfo) => {
      const request = pageRequest(ctx, info, null, args);
      const page = await ctx.repository.all(filterOf(args.filter), request.first, request.after, request.counts);
      auditedRead(ctx, page?.rows, request);
      return connection(page, request);
    },
    verifyAuditChain: async (_: unknown, args: { recordedHead?: { sequence: number; hash: string } | null; resumeFrom?: string | null }, ctx: Context) => {
      const verified = await ctx.repository.verification(args.recordedHead ?? undefined, isBlank(args.resumeFrom) ? undefined : openedResumption(ctx, args.resumeFrom));
      return { ...verified, resumeFrom: verified.resumeFrom && sealedResumption(ctx, verified.resumeFrom) };
    },
    // The audit's readers (AUDIT) read every entry anyway and get a row per reader exactly (a
    // person's number masked), with an entry to drill down by; other readers of statistics (the
    // district's analysts) get persons and enterprises counted together, whole district days and
    // no row about fewer than `minimumSubjectsPerStatistic` subjects on its own (audit-statistics.ts).
    auditStatistics: (_: unknown, args: UsageFilter & { from: Date; to: Date }, ctx: Context) =>
      ctx.repository.statistics({ from: args.from, to: args.to }, { organisation: args.organisation, organisationKind: args.organisationKind, auditReads: args.auditReads }, readsTheAudit(ctx) ? 'exact' : 'controlled', ctx.access.identity.caller ?? null),
    auditCases: async (_: unknown, args: PageArgs & UsageFilter & { from: Date; to: Date }, ctx: Context, info: GraphQLResolveInfo) => {
      const request = pageRequest(ctx, info, null, args);
      const page = await ctx.repository.cases({ from: args.from, to: args.to }, { organisation: args.organisation, organisationKind: args.organisationKind, auditReads: args.auditReads }, { first: request.first, after: request.after, count: request.counts });
      // Who read which case how often names no subject, but is a read of the log: audited as one.
      disclose(ctx.access, null, 'AUDIT');
      return toConnection(page, request, 'place', (c) => c.entryId);
    },
  },
  Mutation: {
    // Group commit: the gateway sends every request's entries of one flush in one call, and they
    // are chained and stored in one transaction, or (one invalid entry, a failed statement) not at all.
    appendAuditEntries: async (_: unknown, args: { entries: AuditEntryInput[] }, ctx: AuditContext) => {
      if (args.entries.length > maxAppendBatch) {
        throw badInput('entries', `one call appends at most ${maxAppendBatch} entries, got ${args.entries.length}: split the batch`);
      }
      assertInstantsOnClock(args.entries, ctx.appendedInstants);
      // AuditEntryInput has no id: the subgraph gives each entry a fresh one.
      const appended = await ctx.repository.append(args.entries);
      return { appended: appended.length, lastSequence: appended.length ? appended[appended.length - 1].sequence : null };
    },
  },
  AuditEntry: {
    __resolveReference: (ref: { id: string }, ctx: AuditContext) => ctx.entryById.load(ref.id),
    fieldGroups: (entry: AuditEntry) => splitFieldGroups(entry.fieldGroups),
    // A person reading is recorded by its citizen ID number, which is the reader's, not the read
    // subject's: a grant of the subject's identifiers (its own inquiry) does not cover it. Whole
    // to that person only, masked to the subject read and to the credit office alike.
    organisation: (entry: AuditEntry, _: unknown, ctx: Context) =>
      entry.organisationKind === 'INDIVIDUAL' && entry.organisation !== ctx.access.identity.caller?.organisation ? maskCitizenIdNumber(entry.organisation) : entry.organisation,
    // Who at the reader acted, and how, are for the audit's readers: a subject's own view names the
    // organisation, the matter and the time, as a credit report's 查询记录 does, never the officer;
    // but its own users, who acted for it, by name, as its records' history names them.
    actor: (entry: AuditEntry, _: unknown, ctx: Context) => (readsTheAudit(ctx) || actsFor(ctx.access, entry.organisation, entry.organisationKind) ? entry.actor : null),
    requestId: (entry: AuditEntry, _: unknown, ctx: Context) => auditorsOnly(ctx, entry.requestId),
    operationName: (entry: AuditEntry, _: unknown, ctx: Context) => auditorsOnly(ctx, entry.operationName),
    subject: (entry: AuditEntry) => (entry.subjectId ? { __typename: 'Subject', id: entry.subjectId } : null),
  },
  Subject: {
    // Nothing to read here: `disclosures` batches its own query across subjects.
    __resolveReference: (ref: { id: string }) => ({ id: ref.id }),
    disclosures: async (subject: { id: string }, args: PageArgs & { includeSelfInquiries?: boolean }, ctx: Context, info: GraphQLResolveInfo) => {
      const request = pageRequest(ctx, info, subject.id, args);
      // Who read its credit data: not who read this list or the audit's (reads of the log), so
      // that a page read, itself such a read, never grows the list being paged.
      return connection(await ctx.repository.bySubject(subject.id, request.first, request.after, { outcome: 'DISCLOSED', auditReads: false, selfInquiries: args.includeSelfInquiries ?? false }), request);
    },
  },
};
