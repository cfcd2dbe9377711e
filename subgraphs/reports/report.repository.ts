import type { DataSource, Repository } from 'typeorm';
import { PageLoaders } from '../shared/loaders';
import type { Page } from '../shared/pagination';
import { CreditReport } from './entities/credit-report.entity';

/**
 * Every query the reports subgraph makes, in one place. Created per request (context.ts), so the
 * page loaders it holds batch the fields of one request and are never shared between requests.
 */
export class ReportRepository {
  readonly reports: Repository<CreditReport>;
  private readonly pages = new PageLoaders();

  constructor(db: DataSource) {
    this.reports = db.getRepository(CreditReport);
  }

  /** One page of a subject's reports, newest first; the pages of all subjects in a request load in one statement. */
  reportsAboutSubject(subjectId: string, first: number, after?: string | null): Promise<Page<CreditReport> | undefined> {
    return this.pages.load(this.reports, { parent: 'subjectId', orderBy: 'issuedOn', direction: 'DESC', first, after }, subjectId);
  }

  /** One page of a provider's reports, newest first, batched like `reportsAboutSubject`. */
  reportsIssuedBy(providerId: string, first: number, after?: string | null): Promise<Page<CreditReport> | undefined> {
    return this.pages.load(this.reports, { parent: 'issuerProviderId', orderBy: 'issuedOn', direction: 'DESC', first, after }, providerId);
  }
}
