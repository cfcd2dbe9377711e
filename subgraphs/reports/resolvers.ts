import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import { todayInDistrict } from '../../lib/calendar';
import { pageSize, toConnection, type PageArgs } from '../shared/pagination';
import type { ReportsContext } from './context';
import type { CreditReport } from './entities/credit-report.entity';

export const resolvers: GraphQLResolverMap<ReportsContext> = {
  Query: {
    creditReport: (_: unknown, args: { id: string }, ctx: ReportsContext) => ctx.reportById.load(args.id),
  },
  CreditReport: {
    __resolveReference: (ref: { id: string }, ctx: ReportsContext) => ctx.reportById.load(ref.id),
    subject: (r: CreditReport) => ({ __typename: 'Subject', id: r.subjectId }),
    issuer: (r: CreditReport) => (r.issuerProviderId ? { __typename: 'CreditServiceProvider', id: r.issuerProviderId } : null),
    isWithinValidity: (r: CreditReport) => r.validUntil >= todayInDistrict(),
  },
  // Subjects and providers live in other subgraphs; this one only adds their reports, so a
  // reference needs no read here: the list fields batch through the repository's page loaders.
  Subject: {
    __resolveReference: (ref: { id: string }) => ({ id: ref.id }),
    creditReports: async (subject: { id: string }, args: PageArgs, ctx: ReportsContext) =>
      toConnection(await ctx.repository.reportsAboutSubject(subject.id, pageSize(args.first), args.after), 'issuedOn', (r) => r.id),
  },
  CreditServiceProvider: {
    __resolveReference: (ref: { id: string }) => ({ id: ref.id }),
    issuedReports: async (provider: { id: string }, args: PageArgs, ctx: ReportsContext) =>
      toConnection(await ctx.repository.reportsIssuedBy(provider.id, pageSize(args.first), args.after), 'issuedOn', (r) => r.id),
  },
};
