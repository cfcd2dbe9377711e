import type DataLoader from 'dataloader';
import type { DataSource } from 'typeorm';
import { loaderById } from '../shared/loaders';
import { AuditRepository } from './audit.repository';
import type { AuditEntry } from './entities/audit-entry.entity';

export interface AuditContext {
  /** Per request: it owns the page loaders of `Subject.disclosures`. */
  repository: AuditRepository;
  entryById: DataLoader<string, AuditEntry | null>;
}

export function createAuditContext(db: DataSource): AuditContext {
  const repository = new AuditRepository(db);
  return { repository, entryById: loaderById(repository.entries) };
}
