import type { DataSource } from 'typeorm';
import { departments, findDepartment } from '../../lib/catalogue/departments';
import type { RecordCategoryCode } from '../../lib/catalogue/record-categories';
import type { Random } from '../../scripts/demo/random';
import type { DemoSubject, DemoSubjectKind, DemoWorld } from '../../scripts/demo/world';
import { AuditRepository, type AuditEntryInput } from './audit.repository';

/** Field groups a request may disclose: the subject's registration, one record category, or its reports. */
type FieldGroup = 'SUBJECT_BASICS' | 'CREDIT_REPORTS' | RecordCategoryCode;

/**
 * How the policy's administrative matters (section 三(二), domain.md's table) read credit data:
 * which departments handle each, about which kinds of subject, and which field groups they need.
 * Demo data only; the access policy that decides real requests is a later issue and should own a
 * catalogue of matters (lib/catalogue/), which this list would then read.
 */
interface MatterUse {
  matter: string;
  departments: readonly string[];
  kinds: readonly DemoSubjectKind[];
  fieldGroups: readonly FieldGroup[];
  operationName: string;
  casePrefix: string;
}

const matterUses: readonly MatterUse[] = [
  {
    matter: 'CONSTRUCTION_BIDDING',
    departments: ['DEVELOPMENT_REFORM', 'ADMINISTRATIVE_APPROVAL', 'HOUSING_CONSTRUCTION', 'TRANSPORT', 'NATURAL_RESOURCES', 'WATER'],
    kinds: ['ENTERPRISE'],
    fieldGroups: ['SUBJECT_BASICS', 'ADMINISTRATIVE_PENALTY', 'SERIOUS_DISHONESTY_LIST', 'DISHONEST_JUDGMENT_DEBTOR', 'CREDIT_REPORTS'],
    operationName: 'CheckBidderCredit',
    casePrefix: 'BDHZB',
  },
  {
    matter: 'GOVERNMENT_PROCUREMENT',
    departments: ['FINANCE'],
    kinds: ['ENTERPRISE', 'INDIVIDUAL_BUSINESS'],
    fieldGroups: ['SUBJECT_BASICS', 'ADMINISTRATIVE_PENALTY', 'SERIOUS_DISHONESTY_LIST', 'CONTRACT_PERFORMANCE', 'CREDIT_REPORTS'],
    operationName: 'ReviewSupplierCredit',
    casePrefix: 'BDHCG',
  },
  {
    matter: 'DRUG_PROCUREMENT',
    departments: ['MARKET_REGULATION'],
    kinds: ['ENTERPRISE'],
    fieldGroups: ['SUBJECT_BASICS', 'ADMINISTRATIVE_LICENSING', 'ADMINISTRATIVE_PENALTY', 'CREDIT_REPORTS'],
    operationName: 'EvaluateDrugSupplier',
    casePrefix: 'BDHYP',
  },
  {
    matter: 'STATE_ASSET_TRANSFER',
    departments: ['FINANCE'],
    kinds: ['ENTERPRISE'],
    fieldGroups: ['SUBJECT_BASICS', 'SERIOUS_DISHONESTY_LIST', 'DISHONEST_JUDGMENT_DEBTOR', 'CREDIT_REPORTS'],
    operationName: 'QualifyTransferee',
    casePrefix: 'BDHCQ',
  },
  {
    matter: 'FISCAL_SUPPORT',
    departments: ['FINANCE'],
    kinds: ['ENTERPRISE', 'INDIVIDUAL_BUSINESS', 'OTHER_ORGANISATION'],
    fieldGroups: ['SUBJECT_BASICS', 'RED_LIST_HONOUR', 'ADMINISTRATIVE_PENALTY', 'SERIOUS_DISHONESTY_LIST'],
    operationName: 'ReviewSubsidyApplicant',
    casePrefix: 'BDHFC',
  },
  {
    matter: 'TAX_INCENTIVES',
    departments: ['TAXATION'],
    kinds: ['ENTERPRISE', 'INDIVIDUAL_BUSINESS'],
    fieldGroups: ['SUBJECT_BASICS', 'TAX_CREDIT_GRADE', 'CREDIT_REPORTS'],
    operationName: 'ReviewTaxIncentive',
    casePrefix: 'BDHSW',
  },
  {
    matter: 'AWARDS_AND_RATINGS',
    departments: ['DEVELOPMENT_REFORM', 'SCIENCE_TECHNOLOGY', 'HUMAN_RESOURCES'],
    kinds: ['ENTERPRISE', 'OTHER_ORGANISATION'],
    fieldGroups: ['SUBJECT_BASICS', 'RED_LIST_HONOUR', 'ADMINISTRATIVE_PENALTY'],
    operationName: 'ReviewAwardCandidate',
    casePrefix: 'BDHPY',
  },
  {
    matter: 'QUALIFICATION_REVIEW',
    departments: ['ADMINISTRATIVE_APPROVAL', 'HOUSING_CONSTRUCTION', 'HEALTH', 'EDUCATION_SPORTS', 'HUMAN_RESOURCES'],
    kinds: ['ENTERPRISE', 'OTHER_ORGANISATION', 'INDIVIDUAL_BUSINESS', 'NATURAL_PERSON'],
    fieldGroups: ['SUBJECT_BASICS', 'ADMINISTRATIVE_LICENSING', 'ADMINISTRATIVE_PENALTY'],
    operationName: 'ReviewQualification',
    casePrefix: 'BDHZZ',
  },
  {
    matter: 'PERSONNEL_REVIEW',
    departments: ['ORGANISATION'],
    kinds: ['NATURAL_PERSON'],
    fieldGroups: ['SUBJECT_BASICS', 'DISHONEST_JUDGMENT_DEBTOR', 'SERIOUS_DISHONESTY_LIST'],
    operationName: 'ReviewCandidate',
    casePrefix: 'BDHZB-RS',
  },
  {
    matter: 'KEY_FIELD_SUPERVISION',
    departments: ['MARKET_REGULATION', 'EMERGENCY_MANAGEMENT', 'ECOLOGY_ENVIRONMENT', 'HEALTH', 'EDUCATION_SPORTS', 'HUMAN_RESOURCES', 'FINANCIAL_AFFAIRS'],
    kinds: ['ENTERPRISE', 'INDIVIDUAL_BUSINESS', 'OTHER_ORGANISATION'],
    fieldGroups: ['SUBJECT_BASICS', 'ADMINISTRATIVE_PENALTY', 'ADMINISTRATIVE_ENFORCEMENT', 'CREDIT_COMMITMENT'],
    operationName: 'SuperviseSubject',
    casePrefix: 'BDHJG',
  },
];

/** Outside administration, with the subject's consent (policy section 三(一)2-3, 三(三), 四). */
const consentPurposes = {
  FINANCIAL_INSTITUTION: { purposes: ['LOAN_APPROVAL', 'GUARANTEE', 'INSURANCE_UNDERWRITING'], role: 'CREDIT_OFFICER', operationName: 'AssessBorrower' },
  CREDIT_SERVICE_PROVIDER: { purposes: ['CREDIT_REPORT_ISSUANCE'], role: 'ANALYST', operationName: 'CollectPublicCreditData' },
} as const;

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
          ...base(provider.id, 'CREDIT_SERVICE_PROVIDER', use.role),
          matter: random.pick(use.purposes),
          consentId: random.uuid(),
          subjectId: subject.id,
          fieldGroups: ['SUBJECT_BASICS', 'ADMINISTRATIVE_LICENSING', 'ADMINISTRATIVE_PENALTY', 'RED_LIST_HONOUR'],
          operationName: use.operationName,
          outcome: 'DISCLOSED',
        });
      } else if (roll < 0.2) {
        const use = consentPurposes.FINANCIAL_INSTITUTION;
        entries.push({
          ...base(random.pick(banks), 'FINANCIAL_INSTITUTION', use.role),
          matter: random.pick(use.purposes),
          consentId: random.uuid(),
          subjectId: subject.id,
          fieldGroups: ['SUBJECT_BASICS', 'DISHONEST_JUDGMENT_DEBTOR', 'SERIOUS_DISHONESTY_LIST', 'CONTRACT_PERFORMANCE'],
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
          ...base(random.pick(banks), 'FINANCIAL_INSTITUTION', consentPurposes.FINANCIAL_INSTITUTION.role),
          matter: 'LOAN_APPROVAL',
          consentId: null,
          subjectId: subject.id,
          fieldGroups: ['SUBJECT_BASICS', 'DISHONEST_JUDGMENT_DEBTOR'],
          operationName: consentPurposes.FINANCIAL_INSTITUTION.operationName,
          outcome: 'DENIED',
        });
      } else {
        const use = random.pick(uses);
        const outsider = random.pick(departments.filter((d) => !use.departments.includes(d.code) && d.kind === 'ADMINISTRATIVE'));
        entries.push(departmentEntry(random, base, { ...use, departments: [outsider.code] }, subject, 'DENIED'));
      }
    }
    if (random.chance(0.06)) entries.push(departmentEntry(random, base, random.pick(uses), subject, 'FAILED'));
  }

  // The credit office's supervision reads statistics: no single subject is disclosed.
  for (let i = 0; i < 6; i += 1) {
    entries.push({
      ...base(department('CREDIT_OFFICE'), 'DEPARTMENT', 'SUPERVISOR'),
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
    ...base(department(random.pick(use.departments)), 'DEPARTMENT', 'OFFICER'),
    matter: use.matter,
    caseNumber: `${use.casePrefix}-2026-${String(random.int(1, 400)).padStart(4, '0')}`,
    subjectId: subject.id,
    fieldGroups: use.fieldGroups,
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
