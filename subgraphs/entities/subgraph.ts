import type { SubgraphDefinition } from '../shared/subgraph';
import { createEntitiesContext, type EntitiesContext } from './context';
import { Consent } from './entities/consent.entity';
import { Subject } from './entities/subject.entity';
import { CreateSubject1764000000000 } from './migrations/1764000000000-create-subject';
import { CreateConsent1764000000010 } from './migrations/1764000000010-create-consent';
import { resolvers } from './resolvers';

/** Market subjects (市场主体): who they are, how they are identified, and the consents (授权) they give. */
export const entitiesSubgraph: SubgraphDefinition<EntitiesContext> = {
  name: 'entities',
  entities: [Subject, Consent],
  migrations: [CreateSubject1764000000000, CreateConsent1764000000010],
  resolvers,
  // A consent is its subject's data: granting or revoking one discloses it (group CONSENTS) to the caller.
  // ConsentCheck is deliberately absent: the gateway's own lookup discloses nothing to a caller.
  subjectOf: { Subject: (s: { id: string }) => s.id, Consent: (c: { subjectId: string }) => c.subjectId },
  createContext: createEntitiesContext,
};
