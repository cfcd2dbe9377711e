import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import { pageSize, toConnection } from '../shared/pagination';
import type { ProvidersContext } from './context';
import { isInGoodStanding, type CreditServiceProvider } from './entities/credit-service-provider.entity';
import type { ProviderFilter } from './provider.repository';

export const resolvers: GraphQLResolverMap<ProvidersContext> = {
  Query: {
    creditServiceProvider: (_: unknown, args: { id: string }, ctx: ProvidersContext) => ctx.providerById.load(args.id),
    creditServiceProviderByCode: (_: unknown, args: { code: string }, ctx: ProvidersContext) => ctx.repository.findByCode(args.code),
    creditServiceProviders: async (_: unknown, args: ProviderFilter & { first?: number; after?: string }, ctx: ProvidersContext) =>
      toConnection(await ctx.repository.list(args, pageSize(args.first), args.after), 'name', (p) => p.id),
  },
  CreditServiceProvider: {
    __resolveReference: (ref: { id: string }, ctx: ProvidersContext) => ctx.providerById.load(ref.id),
    inGoodStanding: (p: CreditServiceProvider) => isInGoodStanding(p),
  },
};
