/**
 * Purposes for which subject credit data is read: the 11 administrative matters of the policy
 * (section 三(二)) with their responsible departments and how credit is used, and the purposes
 * outside administration (sections 三(一)2-3, 三(三), 四) plus the platform's own (supervision,
 * analysis, a subject's own inquiry). The access policy and the README table read this list.
 */
import type { OrganisationKind, Role } from '../access/identity';
import { normaliseIdentifier } from '../identifiers';
import { creditOffice, namesDepartment, type DepartmentCode } from './departments';

export type SubjectKind = 'ENTERPRISE' | 'OTHER_ORGANISATION' | 'INDIVIDUAL_BUSINESS' | 'NATURAL_PERSON';
export const organisationSubjects: readonly SubjectKind[] = ['ENTERPRISE', 'OTHER_ORGANISATION', 'INDIVIDUAL_BUSINESS'];
export const allSubjects: readonly SubjectKind[] = [...organisationSubjects, 'NATURAL_PERSON'];

/** How the policy says credit is used in a matter. */
export type CreditUse =
  | 'REPORT_REQUIRED' // a credit report is required for access (准入 / 必备条件)
  | 'IMPORTANT_BASIS' // records and reports an important review basis (重要审查依据)
  | 'REFERENCE' // a reference for qualification or priority (参考依据)
  | 'SUPERVISION' // used in supervising key fields (监管)
  | 'AS_REQUIRED'; // as the law or higher policy requires

/** "Relevant departments" (区有关部门): every administrative department and the court. */
export const RELEVANT_DEPARTMENTS = 'RELEVANT_DEPARTMENTS';

/**
 * Whether `department` (a catalogue department's code) is one a matter's users name as
 * responsible for it. Of the "relevant departments" the credit office is not one: it supervises
 * how the others use credit data (CREDIT_SUPERVISION), and decides none of their matters.
 */
export function responsibleFor(users: Pick<Matter['users'], 'departments'>, department: string): boolean {
  if (!users.departments) return true;
  return users.departments === RELEVANT_DEPARTMENTS ? department !== creditOffice : namesDepartment(users.departments, department);
}

export interface Matter {
  code: string;
  name: string;
  nameZh: string;
  /** Policy section this comes from. */
  source: string;
  kind: 'ADMINISTRATIVE' | 'NON_ADMINISTRATIVE' | 'PLATFORM';
  /** Who may read under this purpose. */
  users: {
    organisationKinds: readonly OrganisationKind[];
    roles: readonly Role[];
    /** Department codes responsible, or every relevant department. Only for DEPARTMENT users. */
    departments?: readonly DepartmentCode[] | typeof RELEVANT_DEPARTMENTS;
  };
  /** Which subjects may be read under it. */
  subjectKinds: readonly SubjectKind[];
  creditUse?: CreditUse;
  /** Administrative matters are read case by case: the request names the case. */
  caseNumberRequired: boolean;
  /** Outside administration, the subject's consent (授权) is the lawful basis. */
  consentRequired: boolean;
}

const officer = { organisationKinds: ['DEPARTMENT'], roles: ['DEPARTMENT_OFFICER'] } as const;

/**
 * Who supervises the use of credit records and reports (policy 五(一)): the credit office guides,
 * supervises and assesses; the administrative approval bureau and the establishment office
 * oversee the daily checks.
 */
export const supervisingDepartments: readonly DepartmentCode[] = [creditOffice, 'ADMINISTRATIVE_APPROVAL', 'ESTABLISHMENT_OFFICE'];

/** The matter of a subject's own users reading its own credit (本人查询), which its trail leaves out unless asked. */
export const selfInquiry = 'SELF_INQUIRY';

export const matters: readonly Matter[] = [
  {
    code: 'CONSTRUCTION_BIDDING', name: 'Construction project bidding', nameZh: '建设工程招投标', source: '三(二)1', kind: 'ADMINISTRATIVE',
    users: { ...officer, departments: ['DEVELOPMENT_REFORM', 'ADMINISTRATIVE_APPROVAL', 'HOUSING_CONSTRUCTION', 'TRANSPORT', 'NATURAL_RESOURCES', 'WATER'] },
    subjectKinds: organisationSubjects, creditUse: 'REPORT_REQUIRED', caseNumberRequired: true, consentRequired: false,
  },
  {
    code: 'GOVERNMENT_PROCUREMENT', name: 'Government centralised procurement', nameZh: '政府集中采购', source: '三(二)2', kind: 'ADMINISTRATIVE',
    users: { ...officer, departments: ['FINANCE'] }, subjectKinds: organisationSubjects, creditUse: 'IMPORTANT_BASIS', caseNumberRequired: true, consentRequired: false,
  },
  {
    code: 'DRUG_PROCUREMENT', name: 'Drug centralised procurement', nameZh: '药品集中采购', source: '三(二)3', kind: 'ADMINISTRATIVE',
    users: { ...officer, departments: ['MARKET_REGULATION'] }, subjectKinds: ['ENTERPRISE'], creditUse: 'REPORT_REQUIRED', caseNumberRequired: true, consentRequired: false,
  },
  {
    code: 'STATE_ASSET_TRANSFER', name: 'State-owned property transfer', nameZh: '国有资产产权交易', source: '三(二)4', kind: 'ADMINISTRATIVE',
    users: { ...officer, departments: ['FINANCE'] }, subjectKinds: allSubjects, creditUse: 'REFERENCE', caseNumberRequired: true, consentRequired: false,
  },
  {
    code: 'FISCAL_SUPPORT', name: 'Fiscal budget and support funds', nameZh: '财政预算和扶持性资金补助', source: '三(二)5', kind: 'ADMINISTRATIVE',
    users: { ...officer, departments: ['FINANCE'] }, subjectKinds: organisationSubjects, creditUse: 'REFERENCE', caseNumberRequired: true, consentRequired: false,
  },
  {
    code: 'TAX_INCENTIVES', name: 'Tax incentive policies', nameZh: '税收优惠政策', source: '三(二)6', kind: 'ADMINISTRATIVE',
    // "应审查企业信用报告发生状况，优先支持信用状况良好的企业": the report is reviewed where there is
    // one and good credit gets priority, but unlike 三(二)1 and 3 it is no condition of access: a
    // taxpayer's statutory incentive is not withheld for want of a report.
    users: { ...officer, departments: ['TAXATION'] }, subjectKinds: organisationSubjects, creditUse: 'IMPORTANT_BASIS', caseNumberRequired: true, consentRequired: false,
  },
  {
    code: 'AWARDS_AND_RATINGS', name: 'Enterprise awards and ratings', nameZh: '企业评优、评级', source: '三(二)7', kind: 'ADMINISTRATIVE',
    users: { ...officer, departments: RELEVANT_DEPARTMENTS }, subjectKinds: organisationSubjects, creditUse: 'REFERENCE', caseNumberRequired: true, consentRequired: false,
  },
  {
    code: 'QUALIFICATION_REVIEW', name: 'Qualification review and assessment', nameZh: '资质审核、评估认定', source: '三(二)8', kind: 'ADMINISTRATIVE',
    users: { ...officer, departments: RELEVANT_DEPARTMENTS }, subjectKinds: allSubjects, creditUse: 'REFERENCE', caseNumberRequired: true, consentRequired: false,
  },
  {
    code: 'PERSONNEL_REVIEW', name: 'Personnel qualification review', nameZh: '人员资质核定', source: '三(二)9', kind: 'ADMINISTRATIVE',
    users: { ...officer, departments: ['ORGANISATION'] }, subjectKinds: ['NATURAL_PERSON'], creditUse: 'REFERENCE', caseNumberRequired: true, consentRequired: false,
  },
  {
    code: 'KEY_FIELD_SUPERVISION', name: 'Supervision of key regulated fields', nameZh: '重点领域监管', source: '三(二)10', kind: 'ADMINISTRATIVE',
    users: {
      ...officer,
      departments: ['MARKET_REGULATION', 'EMERGENCY_MANAGEMENT', 'ECOLOGY_ENVIRONMENT', 'HEALTH', 'EDUCATION_SPORTS', 'SCIENCE_TECHNOLOGY', 'DEVELOPMENT_REFORM', 'HUMAN_RESOURCES', 'ADMINISTRATIVE_APPROVAL', 'FINANCIAL_AFFAIRS'],
    },
    subjectKinds: allSubjects, creditUse: 'SUPERVISION', caseNumberRequired: true, consentRequired: false,
  },
  {
    code: 'OTHER_STATUTORY', name: 'Other matters required by law', nameZh: '其他法定事项', source: '三(二)11', kind: 'ADMINISTRATIVE',
    users: { ...officer, departments: RELEVANT_DEPARTMENTS }, subjectKinds: allSubjects, creditUse: 'AS_REQUIRED', caseNumberRequired: true, consentRequired: false,
  },
  {
    code: 'FINANCIAL_SERVICES', name: 'Credit approval, guarantees and insurance', nameZh: '金融信贷、担保、保险', source: '三(一)2, 三(三)', kind: 'NON_ADMINISTRATIVE',
    users: { organisationKinds: ['FINANCIAL_INSTITUTION'], roles: ['EXTERNAL_USER'] }, subjectKinds: allSubjects, caseNumberRequired: false, consentRequired: true,
  },
  {
    code: 'COMMERCIAL_DUE_DILIGENCE', name: 'Large transactions, contracts and joint ventures', nameZh: '大宗交易、经济合同、合资合作', source: '三(一)3, 三(三)', kind: 'NON_ADMINISTRATIVE',
    users: { organisationKinds: ['ENTERPRISE', 'INDIVIDUAL'], roles: ['EXTERNAL_USER'] }, subjectKinds: allSubjects, caseNumberRequired: false, consentRequired: true,
  },
  {
    code: 'PROVIDER_DATA_COLLECTION', name: 'Lawful collection by a credit service provider', nameZh: '信用服务机构依法采集', source: '四(二)', kind: 'NON_ADMINISTRATIVE',
    users: { organisationKinds: ['CREDIT_SERVICE_PROVIDER'], roles: ['EXTERNAL_USER'] }, subjectKinds: allSubjects, caseNumberRequired: false, consentRequired: true,
  },
  {
    code: 'CREDIT_SUPERVISION', name: 'Supervision and assessment of credit use', nameZh: '信用工作指导、监管和考核', source: '五(一)', kind: 'PLATFORM',
    users: { organisationKinds: ['DEPARTMENT'], roles: ['CREDIT_OFFICE_SUPERVISOR'], departments: supervisingDepartments },
    subjectKinds: allSubjects, caseNumberRequired: false, consentRequired: false,
  },
  {
    code: 'STATISTICAL_ANALYSIS', name: 'Statistical analysis of public credit information', nameZh: '公共信用信息统计分析', source: '五(一)', kind: 'PLATFORM',
    users: { organisationKinds: ['DEPARTMENT'], roles: ['ANALYST'], departments: RELEVANT_DEPARTMENTS }, subjectKinds: organisationSubjects, caseNumberRequired: false, consentRequired: false,
  },
  {
    code: selfInquiry, name: "A subject's inquiry into its own credit", nameZh: '信用主体查询本人信用', source: '五(三)', kind: 'PLATFORM',
    users: { organisationKinds: ['ENTERPRISE', 'INDIVIDUAL'], roles: ['EXTERNAL_USER'] }, subjectKinds: allSubjects, caseNumberRequired: false, consentRequired: false,
  },
];

const byCode = new Map(matters.map((m) => [m.code, m]));

export function findMatter(code: string): Matter | undefined {
  return byCode.get(code);
}

/**
 * A matter as a person typed it: a catalogue code in lower case or full width
 * (government_procurement, ＧＯＶＥＲＮＭＥＮＴ＿…) is that code, as codes typed are read
 * everywhere (normaliseIdentifier); text the catalogue does not hold is kept as sent, so that
 * what a refused request named is recorded, and found, as it was named.
 */
export function typedMatter(text: string): string {
  return findMatter(normaliseIdentifier(text))?.code ?? text;
}
