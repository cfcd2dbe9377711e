import type { DataSource } from 'typeorm';
import { departments, findDepartment } from '../../lib/catalogue/departments';
import { findMatter, RELEVANT_DEPARTMENTS } from '../../lib/catalogue/matters';
import type { FieldGroup } from '../../lib/access/field-groups';
import { purposeGrants } from '../../lib/access/policy';
import type { Random } from '../../scripts/demo/random';
import type { DemoSubject, DemoSubjectKind, DemoWorld } from '../../scripts/demo/world';
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
  const named = matter.users.departments;
  const responsible = named === RELEVANT_DEPARTMENTS || !named ? departments.filter((d) => d.kind === 'ADMINISTRATIVE').map((d) => d.code) : named;
  return {
    matter: code,
    departments: responsible,
    kinds: matter.subjectKinds,
    fieldGroups: purposeGrants[code].filter((g) => subjectData.includes(g)).sort(),
    ...demo,
  };
});

/** Outside administration, with the subject's consent (policy section 三(一)2-3, 三(三), 四). */
const consentPurposes = {
  FINANCIAL_INSTITUTION: { purpose: 'FINANCIAL_SERVICES', operationName: 'AssessBorrower' },
  CREDIT_SERVICE_PROVIDER: { purpose: 'PROVIDER_DATA_COLLECTION', operationName: 'CollectPublicCreditData' },
} as const;
const consentedGroups = (purpose: string) => purposeGrants[purpose].filter((g) => subjectData.includes(g)).sort();

const auditedSubjects = 50;
const disclosuresPerSubject = 3;
const demoYear = { from: '2026-01-05', to: '2026-11-24' };

/**
 * A plausible year of the audit log: three disclosures for each of the first 50 demo subjects
 * (mostly departments in their matters, some banks and providers with consent), some refused
 * and failed attempts, and the credit office's statistics reads. Written through `append`, so
 * the hash chain verifies; entries already present (by id) are skipped.
 */
export async function seedAudit(db: DataSource, world: DemoWorld): Promise<number> {
  const entries = demoEntries(world).sort((a, b) => a.occurredAt.getTime() - b.occurredAt.getTime() || (a.id ?? '').localeCompare(b.id ?? ''));
  const repository = new AuditRepository(db);
  const existing = await repository.existingIds(entries.map((e) => e.id ?? ''));
  const missing = entries.filter((e) => !existing.has(e.id ?? ''));
  await repository.append(missing);
  return missing.length;
}

function demoEntries(world: DemoWorld): AuditEntryInput[] {
  const random = world.random('audit-entries');
  const institutions = world.random('audit-institutions');
  const banks = Array.from({ length: 3 }, () => institutions.uuid());
  const providers = world.providers.filter((p) => p.filingStatus === 'FILED');
  const entries: AuditEntryInput[] = [];

  const base = (organisation: string, organisationKind: AuditEntryInput['organisationKind'], role: string) => ({
    id: random.uuid(),
    requestId: random.uuid(),
    actor: actorOf(random, organisation),
    organisation,
    organisationKind,
    role,
    occurredAt: officeHours(random),
  });

  for (const subject of world.subjects.slice(0, auditedSubjects)) {
    const uses = matterUses.filter((m) => m.kinds.includes(subject.kind));
    for (let i = 0; i < disclosuresPerSubject; i += 1) {
      const roll = random.next();
      if (roll < 0.08 && providers.length > 0) {
        const provider = random.pick(providers);
        const use = consentPurposes.CREDIT_SERVICE_PROVIDER;
        entries.push({
          ...base(provider.id, 'CREDIT_SERVICE_PROVIDER', 'EXTERNAL_USER'),
          matter: use.purpose,
          consentId: random.uuid(),
          subjectId: subject.id,
          fieldGroups: consentedGroups(use.purpose),
          operationName: use.operationName,
          outcome: 'DISCLOSED',
        });
      } else if (roll < 0.2) {
        const use = consentPurposes.FINANCIAL_INSTITUTION;
        entries.push({
          ...base(random.pick(banks), 'FINANCIAL_INSTITUTION', 'EXTERNAL_USER'),
          matter: use.purpose,
          consentId: random.uuid(),
          subjectId: subject.id,
          fieldGroups: consentedGroups(use.purpose),
          operationName: use.operationName,
          outcome: 'DISCLOSED',
        });
      } else {
        entries.push(departmentEntry(random, base, random.pick(uses), subject, 'DISCLOSED'));
      }
    }
    // About one subject in five also sees a refused attempt: a bank without a valid consent, or a
    // department asking under a matter it does not handle.
    if (random.chance(0.2)) {
      if (random.chance(0.4)) {
        entries.push({
          ...base(random.pick(banks), 'FINANCIAL_INSTITUTION', 'EXTERNAL_USER'),
          matter: consentPurposes.FINANCIAL_INSTITUTION.purpose,
          consentId: null,
          subjectId: subject.id,
          fieldGroups: ['DISHONESTY_LISTS', 'SUBJECT_BASICS'],
          operationName: consentPurposes.FINANCIAL_INSTITUTION.operationName,
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
    if (random.chance(0.06)) entries.push(departmentEntry(random, base, random.pick(uses), subject, 'FAILED'));
  }

  // The credit office's supervision reads statistics: no single subject is disclosed.
  for (let i = 0; i < 6; i += 1) {
    entries.push({
      ...base(department('CREDIT_OFFICE'), 'DEPARTMENT', 'CREDIT_OFFICE_SUPERVISOR'),
      matter: 'CREDIT_SUPERVISION',
      subjectId: null,
      fieldGroups: ['STATISTICS'],
      operationName: 'UsageStatistics',
      outcome: 'DISCLOSED',
    });
  }
  return entries;
}

function departmentEntry(
  random: Random,
  base: (organisation: string, kind: 'DEPARTMENT', role: string) => Omit<AuditEntryInput, 'fieldGroups' | 'outcome'>,
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

/** A working-day instant in 2026 between 09:00 and 17:30 China time (UTC+8). */
function officeHours(random: Random): Date {
  const drawn = new Date(`${random.date(demoYear.from, demoYear.to)}T00:00:00Z`);
  // A Saturday or Sunday moves to the Monday after (the last demo day, 2026-11-24, is a Tuesday).
  const weekendShift = drawn.getUTCDay() === 6 ? 2 : drawn.getUTCDay() === 0 ? 1 : 0;
  return new Date(drawn.getTime() + weekendShift * 86_400_000 + random.int(60, 569) * 60_000 + random.int(0, 59_999));
}
