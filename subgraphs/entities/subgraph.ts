import type { SubgraphDefinition } from '../shared/subgraph';
import { createEntitiesContext, type EntitiesContext } from './context';
import { Consent } from './entities/consent.entity';
import { Subject } from './entities/subject.entity';
import { SubjectNameGram } from './entities/subject-name-gram.entity';
import { CreateSubject1764000000000 } from './migrations/1764000000000-create-subject';
import { CreateConsent1764000000010 } from './migrations/1764000000010-create-consent';
import { IndexSubjectNames1764000000020 } from './migrations/1764000000020-index-subject-names';
import { NamePostingsKind1764000000030 } from './migrations/1764000000030-name-postings-kind';
import { ConsentGranteeByCode1764000000040 } from './migrations/1764000000040-consent-grantee-by-code';
import { FoldedSubjectNames1764000000050 } from './migrations/1764000000050-folded-subject-names';
import { ConsentRevokerOrganisation1764000000060 } from './migrations/1764000000060-consent-revoker-organisation';
import { ConsentsByGrantee1764000000070 } from './migrations/1764000000070-consents-by-grantee';
import { ConsentSubjectIdsExact1764000000080 } from './migrations/1764000000080-consent-subject-ids-exact';
import { SubjectNamesAsRead1764000000090 } from './migrations/1764000000090-subject-names-as-read';
import { resolvers } from './resolvers';

/** Market subjects (市场主体): who they are, how they are identified, and the consents (授权) they give. */
export const entitiesSubgraph: SubgraphDefinition<EntitiesContext> = {
  name: 'entities',
  entities: [Subject, SubjectNameGram, Consent],
  migrations: [CreateSubject1764000000000, CreateConsent1764000000010, IndexSubjectNames1764000000020, NamePostingsKind1764000000030, ConsentGranteeByCode1764000000040, FoldedSubjectNames1764000000050, ConsentRevokerOrganisation1764000000060, ConsentsByGrantee1764000000070, ConsentSubjectIdsExact1764000000080, SubjectNamesAsRead1764000000090],
  resolvers,
  // A consent is its subject's data: reading one (consent(id), group CONSENTS) or granting or
  // revoking one (CONSENT_REGISTRATION) discloses it to the caller, in its subject's trail.
  // ConsentCheck is deliberately absent: the gateway's own lookup discloses nothing to a caller.
  subjectOf: { Subject: (s: { id: string }) => s.id, Consent: (c: { subjectId: string }) => c.subjectId },
  // subject(id:) answers the id sent, as Consent.subject and CreditRecord.subject answer theirs:
  // the subject's fields read record SUBJECT_BASICS, its id alone none, so that the credit office
  // reaching a subject's disclosures (查询记录) through it reads the log and nothing else.
  // subjectByCode tells which subject a code names, and searchSubjects whose names match: basics.
  lookupsById: ['subject'],
  createContext: (db, { deadline }) => createEntitiesContext(db, deadline),
};
