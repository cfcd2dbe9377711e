import type { GranteeKind } from '../../subgraphs/entities/entities/consent.entity';
import type { Random } from './random';
import { demoBankOrganisation, demoWorld, type DemoWorld } from './world';

/**
 * The ids of the demo consents, drawn in this order from `world.random('consents')`. World
 * subject 0 has three consents for the demo bank, one per status a bank can meet, so that a
 * refusal shows the status as its only reason.
 */
function drawConsentIds(random: Random) {
  return {
    /** world.subjects[0] → the demo bank, FINANCIAL_SERVICES, 2026-07-01 through 2027-06-30: ACTIVE. */
    bankFinancialServices: random.uuid(),
    /** world.subjects[0] → the demo bank, FINANCIAL_SERVICES, 2025-07-01 through 2026-06-30: EXPIRED. */
    expired: random.uuid(),
    /** world.subjects[0] → the demo bank, FINANCIAL_SERVICES, from 2026-05-01, revoked on 2026-06-20: REVOKED. */
    revoked: random.uuid(),
    /** world.subjects[0] → the enterprise world.subjects[2] (named by its code, as its tokens are), COMMERCIAL_DUE_DILIGENCE, through 2027-03-31: ACTIVE. */
    dueDiligence: random.uuid(),
    /** world.subjects[3] → the credit service provider world.providers[0] (named by its code, as its tokens are), PROVIDER_DATA_COLLECTION: ACTIVE. */
    providerCollection: random.uuid(),
    /** world.subjects[4] → the demo bank, FINANCIAL_SERVICES, from 2027-01-01: NOT_YET_VALID. */
    notYetValid: random.uuid(),
  };
}

/**
 * The demo consents' ids, for the README, the demo tokens and the tests to cite. The same for
 * every world size: `world.random(purpose)` depends on the purpose only. Statuses above are as
 * of the demo's "today", 2026-11-25.
 */
export const demoConsents = drawConsentIds(demoWorld({ subjects: 0, providers: 0 }).random('consents'));

export interface DemoConsent {
  id: string;
  subject: number;
  grantee: string | undefined;
  granteeKind: GranteeKind;
  purpose: string;
  validFrom: string;
  validUntil: string;
  grantedOn: string;
  /** Recorded by an officer from a paper consent (授权书), otherwise by the subject's own user. */
  recordedBy?: { userId: string; organisation: string };
  revoked?: { on: string; reason: string };
}

export function demoConsentRows(world: DemoWorld): DemoConsent[] {
  const ids = drawConsentIds(world.random('consents'));
  // The credit office's window records a paper consent: the one department the policy lets (README, grantConsent).
  const officer = { userId: 'credit-office-window-1', organisation: 'CREDIT_OFFICE' };
  return [
    { id: ids.bankFinancialServices, subject: 0, grantee: demoBankOrganisation, granteeKind: 'FINANCIAL_INSTITUTION', purpose: 'FINANCIAL_SERVICES', validFrom: '2026-07-01', validUntil: '2027-06-30', grantedOn: '2026-06-28', recordedBy: officer },
    { id: ids.expired, subject: 0, grantee: demoBankOrganisation, granteeKind: 'FINANCIAL_INSTITUTION', purpose: 'FINANCIAL_SERVICES', validFrom: '2025-07-01', validUntil: '2026-06-30', grantedOn: '2025-06-30', recordedBy: officer },
    {
      id: ids.revoked, subject: 0, grantee: demoBankOrganisation, granteeKind: 'FINANCIAL_INSTITUTION', purpose: 'FINANCIAL_SERVICES', validFrom: '2026-05-01', validUntil: '2027-04-30', grantedOn: '2026-04-29',
      revoked: { on: '2026-06-20', reason: '担保申请已撤回，撤销授权' },
    },
    { id: ids.dueDiligence, subject: 0, grantee: world.subjects[2]?.identifier, granteeKind: 'ENTERPRISE', purpose: 'COMMERCIAL_DUE_DILIGENCE', validFrom: '2026-10-01', validUntil: '2027-03-31', grantedOn: '2026-09-30' },
    { id: ids.providerCollection, subject: 3, grantee: world.providers[0]?.unifiedSocialCreditCode, granteeKind: 'CREDIT_SERVICE_PROVIDER', purpose: 'PROVIDER_DATA_COLLECTION', validFrom: '2026-09-01', validUntil: '2027-08-31', grantedOn: '2026-09-01' },
    { id: ids.notYetValid, subject: 4, grantee: demoBankOrganisation, granteeKind: 'FINANCIAL_INSTITUTION', purpose: 'FINANCIAL_SERVICES', validFrom: '2027-01-01', validUntil: '2027-12-31', grantedOn: '2026-11-20' },
  ];
}
