import type DataLoader from 'dataloader';
import type { DataSource } from 'typeorm';
import { loaderById, PageLoaders } from '../shared/loaders';
import { CreditRecordRepository } from './credit-record.repository';
import { todayInDistrict } from '../../lib/calendar';
import type { CreditRecord } from './entities/credit-record.entity';

export interface RecordsContext {
  /** The district's date when the request started: `status` and the status filter both read it. */
  today: string;
  repository: CreditRecordRepository;
  recordById: DataLoader<string, CreditRecord | null>;
  pages: PageLoaders;
}

/** Per request: loaders are never shared between requests. `now` lets tests fix the clock. */
export function createRecordsContext(db: DataSource, now: Date = new Date()): RecordsContext {
  const today = todayInDistrict(now);
  const repository = new CreditRecordRepository(db, today);
  return { today, repository, recordById: loaderById(repository.records), pages: new PageLoaders() };
}
