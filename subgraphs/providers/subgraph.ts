import type { SubgraphDefinition } from '../shared/subgraph';
import { createProvidersContext, type ProvidersContext } from './context';
import { CreditServiceProvider } from './entities/credit-service-provider.entity';
import { CreateCreditServiceProvider1764000000300 } from './migrations/1764000000300-create-credit-service-provider';
import { resolvers } from './resolvers';

/** Credit service providers (信用服务机构): the district's filing (备案) and supervision (分类监管) registry. */
export const providersSubgraph: SubgraphDefinition<ProvidersContext> = {
  name: 'providers',
  entities: [CreditServiceProvider],
  migrations: [CreateCreditServiceProvider1764000000300],
  resolvers,
  createContext: createProvidersContext,
};
