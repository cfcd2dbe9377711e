import { creditOffice, departments, namesDepartment, type DepartmentCode } from './departments';

/**
 * The categories of credit records (公共信用信息基础目录, as summarised in domain.md) and what
 * each allows. Record intake, seeding and the schema's enum all read this one table.
 */
export type RecordCategoryCode =
  | 'REGISTRATION_BASICS'
  | 'ADMINISTRATIVE_LICENSING'
  | 'ADMINISTRATIVE_PENALTY'
  | 'ADMINISTRATIVE_ENFORCEMENT'
  | 'DISHONEST_JUDGMENT_DEBTOR'
  | 'SERIOUS_DISHONESTY_LIST'
  | 'RED_LIST_HONOUR'
  | 'TAX_CREDIT_GRADE'
  | 'CONTRACT_PERFORMANCE'
  | 'CREDIT_COMMITMENT';

export type Polarity = 'POSITIVE' | 'NEGATIVE' | 'NEUTRAL';
/** Severity of a negative record, after the national restoration rules (轻微 / 一般 / 严重). */
export type Severity = 'MINOR' | 'GENERAL' | 'SERIOUS';
/** The severities, mildest first. */
export const severitiesMildestFirst: readonly Severity[] = ['MINOR', 'GENERAL', 'SERIOUS'];
export type TaxCreditGrade = 'A' | 'B' | 'M' | 'C' | 'D';

export interface RecordCategory {
  code: RecordCategoryCode;
  name: string;
  nameZh: string;
  /** Polarities a record of this category may have. */
  polarities: readonly Polarity[];
  /** Negative records of these categories must state a severity. */
  severityRequired: boolean;
  /** Departments that may produce it; undefined means any department. */
  sourceDepartments?: readonly DepartmentCode[];
  /** The field group (lib/access/field-groups.ts) a reader needs to see records of this category. */
  fieldGroup: 'PUBLIC_RECORDS' | 'DISHONESTY_LISTS';
}

export const recordCategories: readonly RecordCategory[] = [
  { code: 'REGISTRATION_BASICS', name: 'Registration basics', nameZh: '登记注册基本信息', polarities: ['NEUTRAL'], severityRequired: false, fieldGroup: 'PUBLIC_RECORDS' },
  { code: 'ADMINISTRATIVE_LICENSING', name: 'Administrative licensing', nameZh: '行政许可', polarities: ['NEUTRAL'], severityRequired: false, fieldGroup: 'PUBLIC_RECORDS' },
  { code: 'ADMINISTRATIVE_PENALTY', name: 'Administrative penalty', nameZh: '行政处罚', polarities: ['NEGATIVE'], severityRequired: true, fieldGroup: 'PUBLIC_RECORDS' },
  { code: 'ADMINISTRATIVE_ENFORCEMENT', name: 'Administrative enforcement', nameZh: '行政强制', polarities: ['NEGATIVE'], severityRequired: true, fieldGroup: 'PUBLIC_RECORDS' },
  {
    code: 'DISHONEST_JUDGMENT_DEBTOR',
    name: 'Dishonest judgment debtor',
    nameZh: '失信被执行人',
    polarities: ['NEGATIVE'],
    severityRequired: false,
    sourceDepartments: ['PEOPLES_COURT'],
    fieldGroup: 'DISHONESTY_LISTS',
  },
  { code: 'SERIOUS_DISHONESTY_LIST', name: 'Serious dishonesty list', nameZh: '严重失信主体名单', polarities: ['NEGATIVE'], severityRequired: false, fieldGroup: 'DISHONESTY_LISTS' },
  { code: 'RED_LIST_HONOUR', name: 'Red list and honours', nameZh: '守信红名单、表彰奖励', polarities: ['POSITIVE'], severityRequired: false, fieldGroup: 'PUBLIC_RECORDS' },
  {
    code: 'TAX_CREDIT_GRADE',
    name: 'Tax credit grade',
    nameZh: '纳税信用等级',
    polarities: ['POSITIVE', 'NEUTRAL', 'NEGATIVE'],
    severityRequired: false,
    sourceDepartments: ['TAXATION'],
    fieldGroup: 'PUBLIC_RECORDS',
  },
  { code: 'CONTRACT_PERFORMANCE', name: 'Contract performance', nameZh: '合同履约', polarities: ['POSITIVE', 'NEGATIVE'], severityRequired: true, fieldGroup: 'PUBLIC_RECORDS' },
  { code: 'CREDIT_COMMITMENT', name: 'Credit commitment', nameZh: '信用承诺', polarities: ['NEUTRAL'], severityRequired: false, fieldGroup: 'PUBLIC_RECORDS' },
];

/** A tax grade decides the polarity of its record: A is trustworthy, D is dishonest. */
export const taxGradePolarity: Record<TaxCreditGrade, Polarity> = { A: 'POSITIVE', B: 'NEUTRAL', M: 'NEUTRAL', C: 'NEGATIVE', D: 'NEGATIVE' };

/**
 * The credit office (区信用办) guides, supervises and assesses the departments' use and supply of
 * records (policy 五(一)); of its own it decides (认定) only the honours it confers (诚信之星,
 * 守信激励对象名单) and the commitments made to it: no penalty, list, grade or licence.
 */
export const creditOfficeDecides: readonly RecordCategoryCode[] = ['RED_LIST_HONOUR', 'CREDIT_COMMITMENT'];

/** Whether `department` may decide (and so submit) records of `category`. */
export function decidesCategory(department: string, category: RecordCategory): boolean {
  if (category.sourceDepartments) return namesDepartment(category.sourceDepartments, department);
  return department !== creditOffice || creditOfficeDecides.includes(category.code);
}

/** Why `department` may not decide records of `category`, for a rejected row; undefined when it may. */
export function categoryRefusal(department: string, category: RecordCategory): string | undefined {
  if (decidesCategory(department, category)) return undefined;
  if (category.sourceDepartments) return `${category.code} records come only from ${category.sourceDepartments.join(', ')}, got ${department}`;
  return `the credit office decides only ${creditOfficeDecides.join(' and ')} records (it supervises the departments' others, which they decide), got ${category.code}`;
}

/** The departments that may decide records of `category`, or null when every department may. */
export function decidingDepartments(category: RecordCategory): string[] | null {
  const deciding = departments.filter((d) => decidesCategory(d.code, category)).map((d) => d.code);
  return deciding.length === departments.length ? null : deciding;
}

const byCode = new Map(recordCategories.map((c) => [c.code, c]));

export function findRecordCategory(code: string): RecordCategory | undefined {
  return byCode.get(code as RecordCategoryCode);
}

/**
 * Periods are counted as the Civil Code counts them, one convention for every period of this
 * catalogue (minimum and maximum disclosure, a tax grade's term):
 * - 民法典 第二百零一条: a period in years, months or days starts on the day after the decision
 *   (the decision day itself is not counted);
 * - 民法典 第二百零二条: a period in months or years ends on the day of its last month that
 *   corresponds to the starting date, or on that month's last day when it has none.
 * So a period of n months from a decision on D has `periodLastDay(D, n)` = `addMonths(D, n)` as
 * its last day (decided 2026-09-05, a 3-month period's last day is 2026-12-05), and has passed
 * from the day after it (`periodPassedFrom`: 2026-12-06). A period of 0 months is none: it has
 * passed on the decision day itself. (第二百零三条, a last day falling on a public holiday moved to
 * the next working day, is for acts a party must do by the end of a period; disclosure and terms
 * run by the calendar, and the platform knows no holiday calendar anyway: lib/calendar.ts.)
 */

/** The last day of a period of `months` months from a decision on `decisionDate` (民法典 第二百零一条、第二百零二条). */
export function periodLastDay(decisionDate: string, months: number): string {
  return addMonths(decisionDate, months);
}

/** The first day on which a period of `months` months from `decisionDate` has passed: the day after its last day; the decision day for none. */
export function periodPassedFrom(decisionDate: string, months: number): string {
  return months > 0 ? nextDay(periodLastDay(decisionDate, months)) : decisionDate;
}

function nextDay(isoDate: string): string {
  const [y, m, d] = isoDate.split('-').map(Number);
  if (d < daysInMonth(y, m)) return `${isoDate.slice(0, 8)}${String(d + 1).padStart(2, '0')}`;
  return m < 12 ? `${isoDate.slice(0, 5)}${String(m + 1).padStart(2, '0')}-01` : `${String(y + 1).padStart(4, '0')}-01-01`;
}

/**
 * Disclosure periods (公示期限), counted from the decision date, in months, by the rule above:
 * `disclosureEndsAt` is the maximum period's last day, `restorableFrom` the day after the
 * minimum period's last day.
 * Source: 《信用修复管理办法》 (in force 2026-04-01): minor penalties at most 3 months, general
 * 3 months minimum and 1 year maximum, serious 1 year minimum and 3 years maximum; dishonest
 * judgment debtors are listed by the courts for 2 years by default. The serious-dishonesty list
 * is treated like a serious finding. Non-negative records have no disclosure end.
 */
export const disclosureMonths: Record<Severity, { minimum: number; maximum: number }> = {
  MINOR: { minimum: 0, maximum: 3 },
  GENERAL: { minimum: 3, maximum: 12 },
  SERIOUS: { minimum: 12, maximum: 36 },
};

export const dishonestJudgmentDebtorMonths = 24;

/**
 * The last day of disclosure (the record counts through it and expires the day after), or null for
 * records that are not disclosed for a limited time: the maximum period's last day
 * (`periodLastDay`, 民法典 第二百零一条、第二百零二条).
 */
export function disclosureEndsAt(category: RecordCategoryCode, polarity: Polarity, severity: Severity | null, decisionDate: string): string | null {
  if (polarity !== 'NEGATIVE') return null;
  let months: number;
  if (category === 'DISHONEST_JUDGMENT_DEBTOR') months = dishonestJudgmentDebtorMonths;
  else if (category === 'SERIOUS_DISHONESTY_LIST') months = disclosureMonths.SERIOUS.maximum;
  else months = disclosureMonths[severity ?? 'GENERAL'].maximum;
  return periodLastDay(decisionDate, months);
}

/**
 * Whether a record whose disclosure ends on `after` is disclosed as a negative record for longer
 * than one whose disclosure ends on `before` (either null: not disclosed for a limited time, as a
 * positive or neutral record is not): a later end, or one where there was none.
 */
export function disclosedLonger(after: string | null, before: string | null): boolean {
  return after !== null && (before === null || after > before);
}

/** Calendar arithmetic on ISO dates, clamping to the month's last day (2024-02-29 + 12 months = 2025-02-28). */
export function addMonths(isoDate: string, months: number): string {
  const [y, m, d] = isoDate.split('-').map(Number);
  // Months counted by hand: Date.UTC reads the years 0-99 as 1900-1999.
  const monthIndex = y * 12 + (m - 1) + months;
  const year = Math.floor(monthIndex / 12);
  const month = monthIndex - year * 12 + 1;
  const day = Math.min(d, daysInMonth(year, month));
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/**
 * Months after the decision date before the subject may apply for restoration (信用修复): the
 * minimum disclosure period of `disclosureMonths` for graded records, the serious minimum (one
 * year) for the serious-dishonesty list, none for the others (a court lifts a dishonest-judgment-
 * debtor listing once the debt is performed; a tax grade is re-assessed by the taxation bureau).
 * Source: 《信用修复管理办法》 (in force 2026-04-01), as summarised in domain.md.
 */
export function minimumDisclosureMonths(category: RecordCategoryCode, severity: Severity | null): number {
  if (category === 'SERIOUS_DISHONESTY_LIST') return disclosureMonths.SERIOUS.minimum;
  return severity ? disclosureMonths[severity].minimum : 0;
}

/**
 * The first day the subject may apply for restoration of a negative record: the day after the
 * minimum period's last day, counted as the maximum is (民法典 第二百零一条: the decision day is not
 * counted; 第二百零二条: the corresponding day of the last month is the period's last day). Decided
 * 2026-09-05, a general penalty's 3-month minimum runs through 2026-12-05 and has passed from
 * 2026-12-06; the decision day itself for a record with no minimum (a minor penalty).
 */
export function restorableFrom(category: RecordCategoryCode, severity: Severity | null, decisionDate: string): string {
  return periodPassedFrom(decisionDate, minimumDisclosureMonths(category, severity));
}

/** Who may decide a restoration application: whoever made the finding restores it (谁认定谁修复). */
export type RestorationDeciders = 'SOURCE_DEPARTMENT' | 'SOURCE_DEPARTMENT_OR_CREDIT_OFFICE';

export interface RestorationRule {
  /** Who decides; the credit office (区信用办) may decide only where the rules let the platform restore. */
  decidedBy: RestorationDeciders;
  /** Why, with the source: shown to applicants and in the docs. */
  basis: string;
}

/**
 * Credit restoration (信用修复) by category, for negative records only. Administrative penalties,
 * enforcement and contract breaches: the subject applies once the minimum disclosure period has
 * passed, corrected, obligations met and a credit commitment made; the source department or the
 * credit office that runs the platform decides. The serious-dishonesty list follows the stricter
 * rule: at least one year listed, and only the department that listed the subject may remove it.
 * Court listings and tax grades are restored only by the court or the taxation bureau.
 * Source: 《信用修复管理办法》 (in force 2026-04-01), 谁认定谁修复; domain.md.
 */
export const restorationRules: Readonly<Partial<Record<RecordCategoryCode, RestorationRule>>> = {
  ADMINISTRATIVE_PENALTY: { decidedBy: 'SOURCE_DEPARTMENT_OR_CREDIT_OFFICE', basis: 'after the minimum disclosure period of its severity (minor none, general 3 months, serious 1 year)' },
  ADMINISTRATIVE_ENFORCEMENT: { decidedBy: 'SOURCE_DEPARTMENT_OR_CREDIT_OFFICE', basis: 'after the minimum disclosure period of its severity, as for penalties' },
  CONTRACT_PERFORMANCE: { decidedBy: 'SOURCE_DEPARTMENT_OR_CREDIT_OFFICE', basis: 'after the minimum disclosure period of its severity, as for penalties' },
  SERIOUS_DISHONESTY_LIST: { decidedBy: 'SOURCE_DEPARTMENT', basis: 'after at least one year on the list, removed only by the department that listed the subject' },
  DISHONEST_JUDGMENT_DEBTOR: { decidedBy: 'SOURCE_DEPARTMENT', basis: 'lifted by the people’s court once the obligation is performed' },
  TAX_CREDIT_GRADE: { decidedBy: 'SOURCE_DEPARTMENT', basis: 'a C or D grade is restored by the taxation bureau (纳税信用修复)' },
};
