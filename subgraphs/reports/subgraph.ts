import type { SubgraphDefinition } from '../shared/subgraph';
import { createReportsContext, type ReportsContext } from './context';
import { CreditReport } from './entities/credit-report.entity';
import { CreateCreditReport1764000000200 } from './migrations/1764000000200-create-credit-report';
import { resolvers } from './resolvers';

/** Credit reports (信用报告) registered about market subjects, from the four sources the policy names. */
export const reportsSubgraph: SubgraphDefinition<ReportsContext> = {
  name: 'reports',
  entities: [CreditReport],
  migrations: [CreateCreditReport1764000000200],
  resolvers,
  subjectOf: { Subject: (s: { id: string }) => s.id, CreditReport: (r: { subjectId: string }) => r.subjectId },
  createContext: createReportsContext,
};
