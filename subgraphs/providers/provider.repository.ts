import type { DataSource, Repository } from 'typeorm';
import { clientError, ErrorCode } from '../../lib/errors';
import { normaliseIdentifier, validateUnifiedSocialCreditCode } from '../../lib/identifiers';
import { loadPages, type Page } from '../shared/pagination';
import { CreditServiceProvider, type FilingStatus, type SupervisionClass } from './entities/credit-service-provider.entity';

export interface ProviderFilter {
  filingStatus?: FilingStatus | null;
  supervisionClass?: SupervisionClass | null;
}

/** Every query the providers subgraph makes, in one place. */
export class ProviderRepository {
  readonly providers: Repository<CreditServiceProvider>;

  constructor(db: DataSource) {
    this.providers = db.getRepository(CreditServiceProvider);
  }

  /** A malformed code is the caller's mistake, reported as such rather than as "not found". */
  findByCode(code: string): Promise<CreditServiceProvider | null> {
    const canonical = normaliseIdentifier(code);
    const result = validateUnifiedSocialCreditCode(canonical);
    if (!result.valid) {
      throw clientError(ErrorCode.INVALID_CREDIT_CODE, `invalid unified social credit code: ${result.message}`, { field: 'code', problem: result.problem });
    }
    return this.providers.findOneBy({ unifiedSocialCreditCode: canonical });
  }

  async list(filter: ProviderFilter, first: number, after?: string | null): Promise<Page<CreditServiceProvider> | undefined> {
    const conditions: string[] = [];
    const params: unknown[] = [];
    if (filter.filingStatus) {
      conditions.push('t.filing_status = ?');
      params.push(filter.filingStatus);
    }
    if (filter.supervisionClass) {
      conditions.push('t.supervision_class = ?');
      params.push(filter.supervisionClass);
    }
    const where = conditions.length ? { sql: conditions.join(' AND '), params } : undefined;
    const pages = await loadPages(this.providers, { where, orderBy: 'name', direction: 'ASC', first, after });
    return pages.get('');
  }
}
