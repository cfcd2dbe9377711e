import DataLoader from 'dataloader';
import type { DataSource } from 'typeorm';
import { loaderById } from '../shared/loaders';
import type { CreditServiceProvider } from './entities/credit-service-provider.entity';
import type { ProviderFilingChange } from './entities/provider-filing-change.entity';
import type { ProviderFormerName } from './entities/provider-former-name.entity';
import type { ProviderSanction } from './entities/provider-sanction.entity';
import type { ProviderViolation } from './entities/provider-violation.entity';
import { ProviderRepository, type ProviderHistoryRows } from './provider.repository';
import type { RequestDeadline } from '../../lib/deadline';

export interface ProvidersContext {
  repository: ProviderRepository;
  providerById: DataLoader<string, CreditServiceProvider | null>;
  /** Filing events, class changes and the day of false information per provider: three statements per batch. */
  historyByProvider: DataLoader<string, ProviderHistoryRows>;
  /** The day of the earliest false information per provider, and the day it was found: one statement per batch. */
  falseInformationByProvider: DataLoader<string, { falseInformationFrom: string | null; falseInformationFoundOn: string | null }>;
  violationById: DataLoader<string, ProviderViolation | null>;
  violationsByProvider: DataLoader<string, ProviderViolation[]>;
  sanctionById: DataLoader<string, ProviderSanction | null>;
  sanctionsByProvider: DataLoader<string, ProviderSanction[]>;
  sanctionsByViolation: DataLoader<string, ProviderSanction[]>;
  /** The names a provider was filed under before its current one, oldest first: one statement per batch. */
  formerNamesByProvider: DataLoader<string, ProviderFormerName[]>;
  /** The change of filed particulars awaiting decision per provider, or null: one statement per batch. */
  pendingChangeByProvider: DataLoader<string, ProviderFilingChange | null>;
  filingChangeById: DataLoader<string, ProviderFilingChange | null>;
}

/** Per request; `deadline` is the request's, which every write it makes keeps within (lib/deadline.ts). */
export function createProvidersContext(db: DataSource, deadline?: RequestDeadline): ProvidersContext {
  const repository = new ProviderRepository(db, deadline);
  return {
    repository,
    providerById: loaderById(repository.providers),
    historyByProvider: new DataLoader((ids) => repository.histories(ids)),
    falseInformationByProvider: new DataLoader((ids) => repository.falseInformation(ids)),
    violationById: loaderById(repository.violations),
    violationsByProvider: new DataLoader((ids) => repository.violationsOf(ids)),
    sanctionById: new DataLoader((ids) => repository.sanctionsById(ids)),
    sanctionsByProvider: new DataLoader((ids) => repository.sanctionsBy('providerId', ids)),
    sanctionsByViolation: new DataLoader((ids) => repository.sanctionsBy('violationId', ids)),
    formerNamesByProvider: new DataLoader((ids) => repository.formerNamesOf(ids)),
    pendingChangeByProvider: new DataLoader((ids) => repository.pendingChangesOf(ids)),
    filingChangeById: loaderById(repository.filingChanges),
  };
}
