import type DataLoader from 'dataloader';
import type { DataSource } from 'typeorm';
import { loaderById } from '../shared/loaders';
import { AuditRepository } from './audit.repository';
import type { RequestDeadline } from '../../lib/deadline';
import type { AuditEntry } from './entities/audit-entry.entity';

export interface AuditContext {
  /** Per request: it owns the page loaders of `Subject.disclosures`. */
  repository: AuditRepository;
  entryById: DataLoader<string, AuditEntry | null>;
}

/** Per request; `deadline` is the request's (the gateway's append: its internal client's timeout), which an append keeps within (lib/deadline.ts). */
export function createAuditContext(db: DataSource, deadline?: RequestDeadline): AuditContext {
  const repository = new AuditRepository(db, deadline);
  return { repository, entryById: loaderById(repository.entries) };
}
