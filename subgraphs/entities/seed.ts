import type { DataSource } from 'typeorm';
import type { Random } from '../../scripts/demo/random';
import { demoBankOrganisation, demoWorld, type DemoWorld } from '../../scripts/demo/world';
import { insertMissing } from '../shared/seeding';
import { Consent, type GranteeKind } from './entities/consent.entity';
import { Subject } from './entities/subject.entity';
import { indexSubjectNames } from './subject-names';

/** The demo bank (a financial institution): the organisation its users' demo tokens carry. */

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

interface DemoConsent {
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

function demoConsentRows(world: DemoWorld): DemoConsent[] {
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

/** 09:30 in the district (UTC+8) on that day. */
const officeMorning = (day: string) => new Date(`${day}T01:30:00.000Z`);

export async function seedEntities(db: DataSource, world: DemoWorld): Promise<number> {
  const subjects = db.getRepository(Subject);
  const createdAt = new Date('2026-01-01T00:00:00Z');
  const inserted = await insertMissing(subjects, world.subjects.map((s) => subjects.create({ ...s, createdAt })));
  // Subjects already stored had their names indexed when they were (or by the index's migration):
  // asking again costs a statement per 5,000 names for nothing (12 s for 20,000 on MariaDB).
  if (inserted > 0) await indexSubjectNames(db.manager, world.subjects);

  const consents = db.getRepository(Consent);
  const rows: Consent[] = [];
  for (const c of demoConsentRows(world)) {
    const subject = world.subjects[c.subject];
    // A world too small for a consent's subject or grantee simply has fewer consents.
    if (!subject || !c.grantee) continue;
    // A subject granting for itself acts for the organisation its token names, as grantConsent records it: its code or ID number.
    const grantor = c.recordedBy ?? { userId: `subject-user-${subject.id.slice(0, 8)}`, organisation: subject.identifier };
    rows.push(
      consents.create({
        id: c.id,
        subjectId: subject.id,
        granteeOrganisation: c.grantee,
        granteeKind: c.granteeKind,
        purpose: c.purpose,
        validFrom: c.validFrom,
        validUntil: c.validUntil,
        grantedBy: grantor.userId,
        grantedByOrganisation: grantor.organisation,
        grantedAt: officeMorning(c.grantedOn),
        revokedAt: c.revoked ? officeMorning(c.revoked.on) : null,
        revokedBy: c.revoked ? grantor.userId : null,
        revocationReason: c.revoked?.reason ?? null,
      }),
    );
  }
  return inserted + (await insertMissing(consents, rows));
}
