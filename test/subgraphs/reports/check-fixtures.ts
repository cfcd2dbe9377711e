import { addDays, todayInDistrict } from '../../../lib/calendar';
import type { CheckRef } from '../../../subgraphs/reports/check-requirement';
import type { CreditReport } from '../../../subgraphs/reports/entities/credit-report.entity';

/** What the check-requirement suites build their worlds from: a report registered a minute ago, valid today, and a check of now. */

/** A local credit website's report about `subjectId`, issued 30 days ago and valid for 300 more, registered a minute ago. */
export function registeredReport(subjectId: string, id: string, reportNumber: string, overrides: Partial<CreditReport> = {}): Partial<CreditReport> {
  const today = todayInDistrict();
  return {
    id,
    subjectId,
    source: 'LOCAL_CREDIT_WEBSITE',
    issuerName: '信用河北网站',
    reportNumber,
    grade: 'A',
    issuedOn: addDays(today, -30),
    validUntil: addDays(today, 300),
    verificationCode: 'K7Q2M9TA',
    registeredAt: new Date(Date.now() - 60_000),
    ...overrides,
  };
}

/** A check of `subjectId` under `matter`, made now. */
export const checkOf = (id: string, subjectId: string, matter: string): CheckRef => ({ id, subjectId, matter, checkedAt: new Date().toISOString() });
