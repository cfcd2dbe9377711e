import type DataLoader from 'dataloader';
import type { DataSource } from 'typeorm';
import { loaderById } from '../shared/loaders';
import type { CreditReport } from './entities/credit-report.entity';
import { ReportRepository } from './report.repository';

export interface ReportsContext {
  repository: ReportRepository;
  reportById: DataLoader<string, CreditReport | null>;
}

export function createReportsContext(db: DataSource): ReportsContext {
  const repository = new ReportRepository(db);
  return { repository, reportById: loaderById(repository.reports) };
}
