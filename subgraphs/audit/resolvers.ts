import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import type { GraphQLResolveInfo } from 'graphql';
import { badInput } from '../../lib/errors';
import { disclose, personIdentifier, type SubgraphContext } from '../shared/access';
import { pageRequest, toConnection, type Page, type PageArgs, type PageRequest } from '../shared/pagination';
import type { AuditEntryInput } from './audit.repository';
import type { AuditContext } from './context';
import { splitFieldGroups, type AuditEntry } from './entities/audit-entry.entity';

type Context = AuditContext & SubgraphContext;

const connection = (page: Page<AuditEntry> | undefined, request: PageRequest) => toConnection(page, request, 'occurredAt', (e) => e.id);

/**
 * The most entries one `appendAuditEntries` call takes: one transaction holds the chain lock for
 * the whole batch, so a larger backlog is sent as several calls. Keep in sync with the SDL.
 */
export const maxAppendBatch = 1000;

export const resolvers: GraphQLResolverMap<Context> = {
  Query: {
    auditEntriesBySubject: async (_: unknown, args: PageArgs & { subjectId: string }, ctx: Context, info: GraphQLResolveInfo) => {
      const request = pageRequest(ctx, info, null, args);
      const page = await ctx.repository.bySubject(args.subjectId, request.first, request.after);
      // Who read this subject, as Subject.disclosures tells it, where reading it is audited: so is reading it here.
      if (page?.rows.length) disclose(ctx.access, args.subjectId, 'AUDIT');
      return connection(page, request);
    },
    auditEntriesByOrganisation: async (
      _: unknown,
      args: PageArgs & { organisation: string; from?: Date | null; to?: Date | null; caseNumber?: string | null },
      ctx: Context,
      info: GraphQLResolveInfo,
    ) => {
      const request = pageRequest(ctx, info, null, args);
      const filter = { from: args.from, to: args.to, caseNumber: args.caseNumber };
      return connection(await ctx.repository.byOrganisation(args.organisation, filter, request.first, request.after), request);
    },
    verifyAuditChain: (_: unknown, __: unknown, ctx: AuditContext) => ctx.repository.verification(),
    auditStatistics: (_: unknown, args: { from: Date; to: Date; organisation?: string | null }, ctx: AuditContext) =>
      ctx.repository.statistics({ from: args.from, to: args.to }, args.organisation),
    auditCases: (_: unknown, args: { from: Date; to: Date; organisation?: string | null; first?: number | null }, ctx: AuditContext) =>
      ctx.repository.cases({ from: args.from, to: args.to }, args.organisation, args.first),
  },
  Mutation: {
    // Group commit: the gateway sends every request's entries of one flush in one call, and they
    // are chained and stored in one transaction, or (one invalid entry) not at all.
    appendAuditEntries: async (_: unknown, args: { entries: AuditEntryInput[] }, ctx: AuditContext) => {
      if (args.entries.length > maxAppendBatch) {
        throw badInput('entries', `one call appends at most ${maxAppendBatch} entries, got ${args.entries.length}: split the batch`);
      }
      // AuditEntryInput has no id: the subgraph gives each entry a fresh one.
      const appended = await ctx.repository.append(args.entries);
      return { appended: appended.length, lastSequence: appended.length ? appended[appended.length - 1].sequence : null };
    },
  },
  AuditEntry: {
    __resolveReference: (ref: { id: string }, ctx: AuditContext) => ctx.entryById.load(ref.id),
    fieldGroups: (entry: AuditEntry) => splitFieldGroups(entry.fieldGroups),
    // A person reading for itself is recorded by its citizen ID number: masked for readers of the
    // trail without PERSONAL_IDENTIFIERS (the credit office), as a subject's own number is.
    organisation: (entry: AuditEntry, _: unknown, ctx: Context) => (entry.organisationKind === 'INDIVIDUAL' ? personIdentifier(ctx.access, entry.subjectId, entry.organisation) : entry.organisation),
    subject: (entry: AuditEntry) => (entry.subjectId ? { __typename: 'Subject', id: entry.subjectId } : null),
  },
  Subject: {
    // Nothing to read here: `disclosures` batches its own query across subjects.
    __resolveReference: (ref: { id: string }) => ({ id: ref.id }),
    disclosures: async (subject: { id: string }, args: PageArgs, ctx: Context, info: GraphQLResolveInfo) => {
      const request = pageRequest(ctx, info, subject.id, args);
      return connection(await ctx.repository.bySubject(subject.id, request.first, request.after, 'DISCLOSED'), request);
    },
  },
};
