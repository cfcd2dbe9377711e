import type { SubgraphDefinition } from '../shared/subgraph';
import { createRecordsContext, type RecordsContext, type RecordsDependencies } from './context';
import { CreditRecord } from './entities/credit-record.entity';
import { CreditRecordEvent } from './entities/credit-record-event.entity';
import { CreditRecordObjection } from './entities/credit-record-objection.entity';
import { RestorationApplication } from './entities/restoration-application.entity';
import { CreateCreditRecord1764000000100 } from './migrations/1764000000100-create-credit-record';
import { RecordIntakeAndLifecycle1764000000110 } from './migrations/1764000000110-record-intake-and-lifecycle';
import { creditCheckResolvers } from './credit-check.resolvers';
import { CreditCheck } from './entities/credit-check.entity';
import { CreateCreditCheck1764000000120 } from './migrations/1764000000120-create-credit-check';
import { ExactDocumentNumbers1764000000130 } from './migrations/1764000000130-exact-document-numbers';
import { ExactCaseNumbers1764000000150 } from './migrations/1764000000150-exact-case-numbers';
import { CreditCheckIdempotencyKey1764000000140 } from './migrations/1764000000140-credit-check-idempotency-key';
import { CreditCheckFindingsAsJson1764000000160 } from './migrations/1764000000160-credit-check-findings-as-json';
import { IndexHandlingPeriods1764000000170 } from './migrations/1764000000170-index-handling-periods';
import { FoldedDocumentAndCaseNumbers1764000000180 } from './migrations/1764000000180-folded-document-and-case-numbers';
import { IndexRecordStatistics1764000000190 } from './migrations/1764000000190-index-record-statistics';
import { DisclosureEndedByDecision1764000000200 } from './migrations/1764000000200-disclosure-ended-by-decision';
import { WrittenDocumentNumbers1764000000210 } from './migrations/1764000000210-written-document-numbers';
import { RestorationEvidenceAsJson1764000000220 } from './migrations/1764000000220-restoration-evidence-as-json';
import { resolvers } from './resolvers';
import { creditRecordStatisticsResolvers } from './credit-record-statistics';
import { accessCatalogueResolvers } from './access-catalogue';
import { refuseCodesMissingFromCatalogue } from './catalogue-codes-stored';

/** The resolvers of records, of the review ledger, of the record statistics and of the access catalogue, type by type. */
const resolverMaps = [resolvers, creditCheckResolvers, creditRecordStatisticsResolvers, accessCatalogueResolvers];
const allResolvers = Object.fromEntries(
  [...new Set(resolverMaps.flatMap((map) => Object.keys(map)))].map((type) => [type, Object.assign({}, ...resolverMaps.map((map) => map[type]))]),
) as typeof resolvers;

/**
 * Credit records (信用记录) held about market subjects, the departments that produce them, and
 * their lifecycle: intake, objections, restoration, expiry. `dependencies.subjects` is how intake
 * checks subjects exist (the entities subgraph, over HTTP).
 */
export function createRecordsSubgraph(dependencies?: RecordsDependencies): SubgraphDefinition<RecordsContext> {
  return {
    name: 'records',
    entities: [CreditRecord, CreditRecordEvent, CreditRecordObjection, RestorationApplication, CreditCheck],
    migrations: [CreateCreditRecord1764000000100, RecordIntakeAndLifecycle1764000000110, CreateCreditCheck1764000000120, ExactDocumentNumbers1764000000130, CreditCheckIdempotencyKey1764000000140, ExactCaseNumbers1764000000150, CreditCheckFindingsAsJson1764000000160, IndexHandlingPeriods1764000000170, FoldedDocumentAndCaseNumbers1764000000180, IndexRecordStatistics1764000000190, DisclosureEndedByDecision1764000000200, WrittenDocumentNumbers1764000000210, RestorationEvidenceAsJson1764000000220],
    resolvers: allResolvers,
    subjectOf: {
      Subject: (s: { id: string }) => s.id,
      CreditRecord: (r: { subjectId: string }) => r.subjectId,
      CreditRecordObjection: (o: { subjectId: string }) => o.subjectId,
      RestorationApplication: (a: { subjectId: string }) => a.subjectId,
      CreditCheck: (c: { subjectId: string }) => c.subjectId,
      // The submitted record comes back to its department: audited like any record shown.
      CreditRecordSubmission: (s: { record: { subjectId: string } }) => s.record.subjectId,
    },
    createContext: (db, { deadline }) => createRecordsContext(db, new Date(), dependencies, deadline),
    checkStored: refuseCodesMissingFromCatalogue,
  };
}

/**
 * Without peers: for the registry (seeding, migrations), the record import and tests that look no
 * subject up; a lookup fails as the entities subgraph unavailable would, and a credit check as
 * the reports subgraph's. The subgraph process makes its own from its peers' addresses (config.ts).
 */
export const recordsSubgraph = createRecordsSubgraph();
