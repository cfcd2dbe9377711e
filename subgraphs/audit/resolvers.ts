import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import { pageSize, toConnection, type Page, type PageArgs } from '../shared/pagination';
import type { AuditContext } from './context';
import { splitFieldGroups, type AuditEntry } from './entities/audit-entry.entity';

const connection = (page: Page<AuditEntry> | undefined) => toConnection(page, 'occurredAt', (e) => e.id);

export const resolvers: GraphQLResolverMap<AuditContext> = {
  Query: {
    auditEntriesBySubject: async (_: unknown, args: PageArgs & { subjectId: string }, ctx: AuditContext) =>
      connection(await ctx.repository.bySubject(args.subjectId, pageSize(args.first), args.after)),
    auditEntriesByOrganisation: async (_: unknown, args: PageArgs & { organisation: string; from?: Date | null; to?: Date | null }, ctx: AuditContext) =>
      connection(await ctx.repository.byOrganisation(args.organisation, { from: args.from, to: args.to }, pageSize(args.first), args.after)),
  },
  AuditEntry: {
    __resolveReference: (ref: { id: string }, ctx: AuditContext) => ctx.entryById.load(ref.id),
    fieldGroups: (entry: AuditEntry) => splitFieldGroups(entry.fieldGroups),
    subject: (entry: AuditEntry) => (entry.subjectId ? { __typename: 'Subject', id: entry.subjectId } : null),
  },
  Subject: {
    // Nothing to read here: `disclosures` batches its own query across subjects.
    __resolveReference: (ref: { id: string }) => ({ id: ref.id }),
    disclosures: async (subject: { id: string }, args: PageArgs, ctx: AuditContext) =>
      connection(await ctx.repository.bySubject(subject.id, pageSize(args.first), args.after, 'DISCLOSED')),
  },
};
