import type DataLoader from 'dataloader';
import type { DataSource } from 'typeorm';
import { loaderById } from '../shared/loaders';
import type { Subject } from './entities/subject.entity';
import { SubjectRepository } from './subject.repository';

export interface EntitiesContext {
  repository: SubjectRepository;
  subjectById: DataLoader<string, Subject | null>;
}

export function createEntitiesContext(db: DataSource): EntitiesContext {
  const repository = new SubjectRepository(db);
  return { repository, subjectById: loaderById(repository.subjects) };
}
