import type { SubgraphDefinition } from '../shared/subgraph';
import { createAuditContext, type AuditContext } from './context';
import { AuditEntry } from './entities/audit-entry.entity';
import { CreateAuditEntry1764000000400 } from './migrations/1764000000400-create-audit-entry';
import { IndexAuditEntryCases1764000000410 } from './migrations/1764000000410-index-audit-entry-cases';
import { IndexAuditEntryInstants1764000000420 } from './migrations/1764000000420-index-audit-entry-instants';
import { ExactAuditText1764000000430 } from './migrations/1764000000430-exact-audit-text';
import { ExactAuditIds1764000000440 } from './migrations/1764000000440-exact-audit-ids';
import { IndexAuditEntryListsBySequence1764000000450 } from './migrations/1764000000450-index-audit-entry-lists-by-sequence';
import { IndexAuditEntryOrganisationKinds1764000000460 } from './migrations/1764000000460-index-audit-entry-organisation-kinds';
import { IndexAuditEntryLogFilters1764000000470 } from './migrations/1764000000470-index-audit-entry-log-filters';
import { ExactAuditActors1764000000480 } from './migrations/1764000000480-exact-audit-actors';
import { IndexAuditEntryReadsOfTheLog1764000000490 } from './migrations/1764000000490-index-audit-entry-reads-of-the-log';
import { ReadsOfTheDisclosureLog1764000000500 } from './migrations/1764000000500-reads-of-the-disclosure-log';
import { appendBodyBytes, resolvers } from './resolvers';

/** The audit log (审计日志): who read which subject's credit data, for which matter, and when. */
export const auditSubgraph: SubgraphDefinition<AuditContext> = {
  name: 'audit',
  entities: [AuditEntry],
  migrations: [CreateAuditEntry1764000000400, IndexAuditEntryCases1764000000410, IndexAuditEntryInstants1764000000420, ExactAuditText1764000000430, ExactAuditIds1764000000440, IndexAuditEntryListsBySequence1764000000450, IndexAuditEntryOrganisationKinds1764000000460, IndexAuditEntryLogFilters1764000000470, ExactAuditActors1764000000480, IndexAuditEntryReadsOfTheLog1764000000490, ReadsOfTheDisclosureLog1764000000500],
  resolvers,
  subjectOf: { Subject: (s: { id: string }) => s.id, AuditEntry: (e: { subjectId: string | null }) => e.subjectId },
  createContext: (db, { deadline }) => createAuditContext(db, deadline),
  // A request's entries come in one call, however many subjects it covered.
  maxBodyBytes: appendBodyBytes,
};
