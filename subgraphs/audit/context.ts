import type DataLoader from 'dataloader';
import type { DataSource } from 'typeorm';
import { loaderById } from '../shared/loaders';
import { AuditRepository } from './audit.repository';
import type { RequestDeadline } from '../../lib/deadline';
import type { AuditEntry } from './entities/audit-entry.entity';
import { appendedInstantsWithin } from './resolvers';

export interface AuditContext {
  /** Per request: it owns the page loaders of `Subject.disclosures`. */
  repository: AuditRepository;
  entryById: DataLoader<string, AuditEntry | null>;
  /**
   * How far from this subgraph's clock an appended entry's `occurredAt` may be
   * (`appendedInstantsWithin`, resolvers.ts); null takes any instant, for a log written as of the
   * past (the tests' histories).
   */
  appendedInstants: AppendedInstants | null;
}

export interface AppendedInstants {
  /** How far before this subgraph's now. */
  pastMs: number;
  /** How far after it. */
  futureMs: number;
}

/** Per request; `deadline` is the request's (the gateway's append: its internal client's timeout), which an append keeps within (lib/deadline.ts). */
export function createAuditContext(db: DataSource, deadline?: RequestDeadline, appendedInstants: AppendedInstants | null = appendedInstantsWithin): AuditContext {
  const repository = new AuditRepository(db, deadline);
  return { repository, entryById: loaderById(repository.entries), appendedInstants };
}
