import type { DataSource } from 'typeorm';
import { addDays } from '../../lib/calendar';
import { departments, findDepartment } from '../../lib/catalogue/departments';
import { findMatter, responsibleFor } from '../../lib/catalogue/matters';
import type { FieldGroup } from '../../lib/access/field-groups';
import { purposeGrants } from '../../lib/access/policy';
import type { Random } from '../../scripts/demo/random';
import { demoConsentRows, demoConsents } from '../../scripts/demo/consents';
import { demoBankOrganisation, type DemoSubject, type DemoSubjectKind, type DemoWorld } from '../../scripts/demo/world';
import { seedEmptyDatabase, type Seeded } from '../shared/seeding';
import { AuditRepository, type AuditEntryInput } from './audit.repository';

/** What a demo request reads under each administrative matter: the catalogue's subject-data grants for it. */
const subjectData: readonly FieldGroup[] = ['SUBJECT_BASICS', 'PERSONAL_IDENTIFIERS', 'PUBLIC_RECORDS', 'DISHONESTY_LISTS', 'REPORTS'];

/**
 * How the policy's administrative matters (section 三(二)) read credit data in the demo log: who,
 * about which kinds of subject and which field groups come from the access catalogue
 * (lib/catalogue/matters.ts, lib/access/policy.ts), so the supervisor's statistics show the
 * matters, groups and roles the platform itself records; only the operation names and case
 * number prefixes are the demo's own.
 */
interface MatterUse {
  matter: string;
  departments: readonly string[];
  kinds: readonly DemoSubjectKind[];
  fieldGroups: readonly FieldGroup[];
  operationName: string;
  casePrefix: string;
}

const demoCases: Record<string, { operationName: string; casePrefix: string }> = {
  CONSTRUCTION_BIDDING: { operationName: 'CheckBidderCredit', casePrefix: 'BDHZB' },
  GOVERNMENT_PROCUREMENT: { operationName: 'ReviewSupplierCredit', casePrefix: 'BDHCG' },
  DRUG_PROCUREMENT: { operationName: 'EvaluateDrugSupplier', casePrefix: 'BDHYP' },
  STATE_ASSET_TRANSFER: { operationName: 'QualifyTransferee', casePrefix: 'BDHCQ' },
  FISCAL_SUPPORT: { operationName: 'ReviewSubsidyApplicant', casePrefix: 'BDHFC' },
  TAX_INCENTIVES: { operationName: 'ReviewTaxIncentive', casePrefix: 'BDHSW' },
  AWARDS_AND_RATINGS: { operationName: 'ReviewAwardCandidate', casePrefix: 'BDHPY' },
  QUALIFICATION_REVIEW: { operationName: 'ReviewQualification', casePrefix: 'BDHZZ' },
  PERSONNEL_REVIEW: { operationName: 'ReviewCandidate', casePrefix: 'BDHZB-RS' },
  KEY_FIELD_SUPERVISION: { operationName: 'SuperviseSubject', casePrefix: 'BDHJG' },
};

const matterUses: readonly MatterUse[] = Object.entries(demoCases).map(([code, demo]) => {
  const matter = findMatter(code);
  if (!matter) throw new Error(`the audit seed names matter ${code}, which lib/catalogue/matters.ts does not define`);
  // Administrative departments only, where the policy names "relevant departments": the demo's
  // court and trading centre make no such reads. The policy decides which may (`responsibleFor`).
  const named = matter.users.departments;
  const candidates = Array.isArray(named) ? named : departments.filter((d) => d.kind === 'ADMINISTRATIVE').map((d) => d.code);
  const responsible = candidates.filter((code) => responsibleFor(matter.users, code));
  return {
    matter: code,
    departments: responsible,
    kinds: matter.subjectKinds,
    fieldGroups: purposeGrants[code].filter((g) => subjectData.includes(g)).sort(),
    ...demo,
  };
});

/** Outside administration, with the subject's consent (policy section 三(一)2-3, 三(三), 四): what each purpose's reader calls its request. */
const consentedOperations: Record<string, string> = {
  FINANCIAL_SERVICES: 'AssessBorrower',
  COMMERCIAL_DUE_DILIGENCE: 'CheckCounterparty',
  PROVIDER_DATA_COLLECTION: 'CollectPublicCreditData',
};
const consentedGroups = (purpose: string) => purposeGrants[purpose].filter((g) => subjectData.includes(g)).sort();

const auditedSubjects = 50;
const disclosuresPerSubject = 3;
const demoYear = { from: '2026-01-05', to: '2026-11-24' };

/**
 * A plausible year of the audit log, made only of entries the gateway writes (gateway/gateway.ts,
 * `auditEntries`): three disclosures by departments in their matters for each of the first 50
 * demo subjects, the demo consents' reads by the bank, an enterprise and a provider, some refused
 * attempts, one consented read withheld, and the credit office's look at who read some subjects.
 * Chained as `append` chains them, so the hash chain verifies; written only as the whole of an
 * empty log (`beginLog`, `seedEmptyDatabase`): appended to a log that has entries, backdated demo
 * entries in a chain that verifies would read as genuine.
 */
export async function seedAudit(db: DataSource, world: DemoWorld): Promise<Seeded> {
  const entries = demoEntries(world).sort((a, b) => a.occurredAt.getTime() - b.occurredAt.getTime() || (a.id ?? '').localeCompare(b.id ?? ''));
  const log = new AuditRepository(db);
  return await seedEmptyDatabase(db, async (manager) => await log.beginLog(manager, entries));
}

function demoEntries(world: DemoWorld): AuditEntryInput[] {
  const random = world.random('audit-entries');
  const entries: AuditEntryInput[] = [];

  const base = (organisation: string, organisationKind: AuditEntryInput['organisationKind'], role: string, period?: Period) => ({
    id: random.uuid(),
    requestId: random.uuid(),
    actor: actorOf(random, organisation),
    organisation,
    organisationKind,
    role,
    occurredAt: officeHours(random, period),
  });

  for (const subject of world.subjects.slice(0, auditedSubjects)) {
    const uses = matterUses.filter((m) => m.kinds.includes(subject.kind));
    for (let i = 0; i < disclosuresPerSubject; i += 1) entries.push(departmentEntry(random, base, random.pick(uses), subject, 'DISCLOSED'));
    // About one subject in five also sees a refused attempt: a bank without a valid consent, or a
    // department asking under a matter it does not handle.
    if (random.chance(0.2)) {
      if (random.chance(0.4)) {
        entries.push({
          ...base(demoBankOrganisation, 'FINANCIAL_INSTITUTION', 'EXTERNAL_USER'),
          matter: 'FINANCIAL_SERVICES',
          consentId: null,
          subjectId: subject.id,
          fieldGroups: ['DISHONESTY_LISTS', 'SUBJECT_BASICS'],
          operationName: consentedOperations.FINANCIAL_SERVICES,
          outcome: 'DENIED',
        });
      } else {
        // A matter some department is not responsible for (not one every department may handle).
        const outsidersOf = (use: MatterUse) => departments.filter((d) => !use.departments.includes(d.code) && d.kind === 'ADMINISTRATIVE');
        const use = random.pick(uses.filter((u) => outsidersOf(u).length > 0));
        const outsider = random.pick(outsidersOf(use));
        entries.push(departmentEntry(random, base, { ...use, departments: [outsider.code] }, subject, 'DENIED'));
      }
    }
  }

  // The credit office's supervision reads who read a few subjects (the README's Supervision
  // query: the subject's name and its disclosures). Its statistics leave no entry: a successful
  // read that discloses no subject is not audited, so the demo has no disclosure without one.
  for (const subject of world.subjects.slice(0, auditedSubjects).filter((_, i) => i % 8 === 0)) {
    entries.push({
      ...base(department('CREDIT_OFFICE'), 'DEPARTMENT', 'CREDIT_OFFICE_SUPERVISOR'),
      matter: 'CREDIT_SUPERVISION',
      subjectId: subject.id,
      fieldGroups: ['DISCLOSURE_LOG', 'SUBJECT_BASICS'],
      operationName: 'Supervision',
      outcome: 'DISCLOSED',
    });
  }
  entries.push(...consentedEntries(world, base));
  return entries;
}

type Period = { from: string; to: string };
type EntryBase = (organisation: string, organisationKind: AuditEntryInput['organisationKind'], role: string, period?: Period) => Omit<AuditEntryInput, 'fieldGroups' | 'outcome'>;

/**
 * The demo consents' use (scripts/demo/consents.ts): two reads while each held (and the bank's
 * active one a third, withheld), and one refused attempt where the demo day finds it revoked,
 * expired or not yet valid. Every consent an entry
 * cites is in the register, and its grantee is named as its tokens name it.
 */
function consentedEntries(world: DemoWorld, base: EntryBase): AuditEntryInput[] {
  const entries: AuditEntryInput[] = [];
  const within = (from: string, to: string): Period | null => {
    const period = { from: from > demoYear.from ? from : demoYear.from, to: to < demoYear.to ? to : demoYear.to };
    return period.from <= period.to ? period : null;
  };
  for (const consent of demoConsentRows(world)) {
    const subject = world.subjects[consent.subject];
    if (!subject || !consent.grantee) continue;
    const use = (period: Period | null, outcome: AuditEntryInput['outcome']) => {
      if (!period) return;
      entries.push({
        ...base(consent.grantee!, consent.granteeKind, 'EXTERNAL_USER', period),
        matter: consent.purpose,
        consentId: consent.id,
        subjectId: subject.id,
        fieldGroups: consentedGroups(consent.purpose).filter((g) => subject.kind === 'NATURAL_PERSON' || g !== 'PERSONAL_IDENTIFIERS'),
        operationName: consentedOperations[consent.purpose],
        outcome,
      });
    };
    const held = within(consent.validFrom, consent.revoked ? addDays(consent.revoked.on, -1) : consent.validUntil);
    use(held, 'DISCLOSED');
    use(held, 'DISCLOSED');
    // Before releasing a consented read the gateway asks the register again, and withholds the
    // read when it cannot (gateway/request-access.ts): the only FAILED entry the gateway writes.
    if (consent.id === demoConsents.bankFinancialServices) use(held, 'FAILED');
    if (consent.revoked) use(within(addDays(consent.revoked.on, 1), consent.validUntil), 'DENIED');
    else if (consent.validUntil < demoYear.to) use(within(addDays(consent.validUntil, 1), demoYear.to), 'DENIED');
    else if (consent.validFrom > demoYear.to) use(within(consent.grantedOn, demoYear.to), 'DENIED');
  }
  return entries;
}


function departmentEntry(
  random: Random,
  base: EntryBase,
  use: MatterUse,
  subject: DemoSubject,
  outcome: AuditEntryInput['outcome'],
): AuditEntryInput {
  return {
    ...base(department(random.pick(use.departments)), 'DEPARTMENT', 'DEPARTMENT_OFFICER'),
    matter: use.matter,
    caseNumber: `${use.casePrefix}-2026-${String(random.int(1, 400)).padStart(4, '0')}`,
    subjectId: subject.id,
    // Only a person has identifiers to disclose.
    fieldGroups: subject.kind === 'NATURAL_PERSON' ? use.fieldGroups : use.fieldGroups.filter((g) => g !== 'PERSONAL_IDENTIFIERS'),
    operationName: use.operationName,
    outcome,
  };
}

/** The code of a catalogue department; fails loudly if the catalogue no longer has it. */
function department(code: string): string {
  if (!findDepartment(code)) throw new Error(`the audit seed names department ${code}, which lib/catalogue/departments.ts does not define`);
  return code;
}

/** A user id as tokens carry it: one of a few officers per organisation. */
function actorOf(random: Random, organisation: string): string {
  const prefix = findDepartment(organisation) ? organisation.toLowerCase().replaceAll('_', '-') : `org-${organisation.slice(0, 8)}`;
  return `${prefix}-officer-${random.int(1, 4)}`;
}

/**
 * A working-day instant of the period (the demo year by default) between 09:00 and 17:30 China
 * time (UTC+8). A weekend day moves to the working day next to it inside the period.
 */
function officeHours(random: Random, period: Period = demoYear): Date {
  const day = random.date(period.from, period.to);
  const drawn = new Date(`${day}T00:00:00Z`);
  const forward = drawn.getUTCDay() === 6 ? 2 : drawn.getUTCDay() === 0 ? 1 : 0;
  const backward = drawn.getUTCDay() === 6 ? -1 : drawn.getUTCDay() === 0 ? -2 : 0;
  const weekendShift = addDays(day, forward) <= period.to ? forward : addDays(day, backward) >= period.from ? backward : 0;
  return new Date(drawn.getTime() + weekendShift * 86_400_000 + random.int(60, 569) * 60_000 + random.int(0, 59_999));
}
