import type DataLoader from 'dataloader';
import type { DataSource } from 'typeorm';
import { loaderById } from '../shared/loaders';
import type { CreditServiceProvider } from './entities/credit-service-provider.entity';
import { ProviderRepository } from './provider.repository';

export interface ProvidersContext {
  repository: ProviderRepository;
  providerById: DataLoader<string, CreditServiceProvider | null>;
}

export function createProvidersContext(db: DataSource): ProvidersContext {
  const repository = new ProviderRepository(db);
  return { repository, providerById: loaderById(repository.providers) };
}
