import type { SubgraphDefinition } from '../shared/subgraph';
import { createEntitiesContext, type EntitiesContext } from './context';
import { Subject } from './entities/subject.entity';
import { CreateSubject1764000000000 } from './migrations/1764000000000-create-subject';
import { resolvers } from './resolvers';

/** Market subjects (市场主体): who they are and how they are identified. */
export const entitiesSubgraph: SubgraphDefinition<EntitiesContext> = {
  name: 'entities',
  entities: [Subject],
  migrations: [CreateSubject1764000000000],
  resolvers,
  subjectOf: { Subject: (s: { id: string }) => s.id },
  createContext: createEntitiesContext,
};
