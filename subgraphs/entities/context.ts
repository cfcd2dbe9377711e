import DataLoader from 'dataloader';
import type { DataSource } from 'typeorm';
import { loaderById } from '../shared/loaders';
import { ConsentRepository } from './consent.repository';
import type { Consent } from './entities/consent.entity';
import type { Subject } from './entities/subject.entity';
import { SubjectRepository } from './subject.repository';
import type { RequestDeadline } from '../../lib/deadline';

export interface EntitiesContext {
  repository: SubjectRepository;
  subjectById: DataLoader<string, Subject | null>;
  /** By normalised identifier: every `subjectByCode` of a request in one statement. */
  subjectByIdentifier: DataLoader<string, Subject | null>;
  consents: ConsentRepository;
  consentById: DataLoader<string, Consent | null>;
  /** `Subject.consents` of every subject in a response: one statement per batch. */
  consentsBySubject: DataLoader<string, Consent[]>;
}

/** Per request; `deadline` is the request's, which every write it makes keeps within (lib/deadline.ts). */
export function createEntitiesContext(db: DataSource, deadline?: RequestDeadline): EntitiesContext {
  const repository = new SubjectRepository(db, deadline);
  const consents = new ConsentRepository(db, deadline);
  return {
    repository,
    subjectById: loaderById(repository.subjects),
    subjectByIdentifier: new DataLoader((identifiers) => repository.findByIdentifiers(identifiers)),
    consents,
    consentById: loaderById(consents.consents),
    consentsBySubject: new DataLoader((subjectIds) => consents.bySubjects(subjectIds)),
  };
}
