/**
 * The district's departments that produce credit records or use them in administrative matters
 * (policy section 三(二) and 五(一); domain.md's table). Codes are stable identifiers used in
 * records, tokens and the policy catalogue: never rename one, add a new code instead.
 */
export interface Department {
  code: DepartmentCode;
  name: string;
  nameZh: string;
  /**
   * Administrative organs (行政机关), judicial organs (司法机关: the court), and public
   * institutions with administrative functions (具有行政管理职能的公共事业单位), which the policy
   * makes record providers and users as well (二(一), 三(一)1, 五(一)).
   */
  kind: 'ADMINISTRATIVE' | 'JUDICIAL' | 'PUBLIC_INSTITUTION';
}

const catalogued = [
  { code: 'DEVELOPMENT_REFORM', name: 'Development and Reform Bureau', nameZh: '区发改局', kind: 'ADMINISTRATIVE' },
  { code: 'ADMINISTRATIVE_APPROVAL', name: 'Administrative Approval Bureau', nameZh: '区行政审批局', kind: 'ADMINISTRATIVE' },
  { code: 'HOUSING_CONSTRUCTION', name: 'Housing and Urban-Rural Development Bureau', nameZh: '区住建局', kind: 'ADMINISTRATIVE' },
  { code: 'TRANSPORT', name: 'Transport Bureau', nameZh: '区交通局', kind: 'ADMINISTRATIVE' },
  { code: 'NATURAL_RESOURCES', name: 'Natural Resources and Planning Bureau', nameZh: '区资源规划局', kind: 'ADMINISTRATIVE' },
  { code: 'WATER', name: 'Water Affairs Bureau', nameZh: '区水务局', kind: 'ADMINISTRATIVE' },
  { code: 'FINANCE', name: 'Finance Bureau', nameZh: '区财政局', kind: 'ADMINISTRATIVE' },
  { code: 'MARKET_REGULATION', name: 'Market Regulation Bureau', nameZh: '区市场监管局', kind: 'ADMINISTRATIVE' },
  { code: 'TAXATION', name: 'Taxation Bureau', nameZh: '区税务局', kind: 'ADMINISTRATIVE' },
  { code: 'ORGANISATION', name: 'Organisation Department of the District Committee', nameZh: '区委组织部', kind: 'ADMINISTRATIVE' },
  { code: 'EMERGENCY_MANAGEMENT', name: 'Emergency Management Bureau', nameZh: '区应急管理局', kind: 'ADMINISTRATIVE' },
  { code: 'ECOLOGY_ENVIRONMENT', name: 'Ecology and Environment Sub-bureau', nameZh: '区生态环境分局', kind: 'ADMINISTRATIVE' },
  { code: 'HEALTH', name: 'Health Commission', nameZh: '区卫健委', kind: 'ADMINISTRATIVE' },
  { code: 'EDUCATION_SPORTS', name: 'Education and Sports Bureau', nameZh: '区教育和体育局', kind: 'ADMINISTRATIVE' },
  { code: 'SCIENCE_TECHNOLOGY', name: 'Science and Technology Bureau', nameZh: '区科技局', kind: 'ADMINISTRATIVE' },
  { code: 'HUMAN_RESOURCES', name: 'Human Resources and Social Security Bureau', nameZh: '区人社局', kind: 'ADMINISTRATIVE' },
  { code: 'FINANCIAL_AFFAIRS', name: 'Financial Affairs Office', nameZh: '区金融办', kind: 'ADMINISTRATIVE' },
  { code: 'ESTABLISHMENT_OFFICE', name: 'Institutional Establishment Office', nameZh: '区编办', kind: 'ADMINISTRATIVE' },
  { code: 'CREDIT_OFFICE', name: 'Social Credit Office', nameZh: '区信用办', kind: 'ADMINISTRATIVE' },
  { code: 'PEOPLES_COURT', name: "Beidaihe District People's Court", nameZh: '北戴河区人民法院', kind: 'JUDICIAL' },
  { code: 'PUBLIC_RESOURCE_TRADING_CENTRE', name: 'Public Resource Trading Centre', nameZh: '区公共资源交易中心', kind: 'PUBLIC_INSTITUTION' },
] as const satisfies readonly (Omit<Department, 'code'> & { code: string })[];

/**
 * A department's code as the catalogue above spells it: every list of departments in the catalogue
 * and the policy (a matter's responsible departments, a standing grant's, a role's holders) is
 * typed with it, so that tsc refuses a misspelt or not yet catalogued code instead of the
 * department silently lacking what it was given (test/unit/department-codes.test.ts).
 */
export type DepartmentCode = (typeof catalogued)[number]['code'];

export const departments: readonly Department[] = catalogued;

/** The credit office (区信用办), which the policy names apart from the other departments (五(一)). */
export const creditOffice: DepartmentCode = 'CREDIT_OFFICE';

const byCode = new Map<string, Department>(departments.map((d) => [d.code, d]));

export function findDepartment(code: string): Department | undefined {
  return byCode.get(code);
}

/** Whether `departments` names `organisation`: a caller's organisation, as any string, against a list of catalogue codes. */
export function namesDepartment(departments: readonly DepartmentCode[], organisation: string): boolean {
  return (departments as readonly string[]).includes(organisation);
}

/** A department code read back from storage, where it was validated on write: a miss is a bug, not bad input. */
export function storedDepartment(code: string): Department {
  const department = byCode.get(code);
  if (!department) throw new Error(`department ${code} is not in the catalogue`);
  return department;
}
