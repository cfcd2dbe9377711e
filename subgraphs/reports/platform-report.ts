import { randomInt, timingSafeEqual } from 'node:crypto';
import { sha256Hex } from '../../lib/canonical-json';
import { district } from '../../lib/catalogue/district';
import { publicSourceIssuers } from '../../lib/catalogue/public-sources';
import type { RecordCategoryCode } from '../../lib/catalogue/record-categories';
import { normaliseIdentifier } from '../../lib/identifiers';
import { maskPersonalData } from '../../lib/logger';
import { nameAsRead } from '../../lib/text';
import type { CreditReport } from './entities/credit-report.entity';

/**
 * The platform's own public credit report (公共信用信息报告): what it contains, how it is sealed
 * (canonical JSON and its SHA-256) and how it is checked. Pure functions; storing and fetching
 * live in the repository and the generator.
 */

/** Printed as the issuer on every platform report: its name the one the catalogue reserves to it; office and title the district's (lib/catalogue/district.ts). */
export const platformIssuer = {
  name: publicSourceIssuers.DISTRICT_PLATFORM[0],
  office: district.reportOffice,
  title: district.reportTitle,
} as const;

/** Version of the snapshot layout; a reader of old snapshots switches on it. */
export const snapshotFormat = 'bdh-public-credit-report/2';
/**
 * The layout of reports generated before they held exactly what a credit check counts: active
 * records only, so none under objection (and none marked), but lapsed honours and superseded tax
 * grades printed. They stay genuine as sealed; their page says what they left out.
 */
export const activeRecordsSnapshotFormat = 'bdh-public-credit-report/1';
const readableFormats: readonly string[] = [activeRecordsSnapshotFormat, snapshotFormat];

/**
 * Days a platform report stays valid, issue day included: like the reports of the credit websites
 * (seeded with 90 days), since the records behind it change; an officer generates a new one for a
 * later matter.
 */
export const platformReportValidityDays = 90;

export const sectionCodes = ['BASICS', 'ADMINISTRATIVE_MANAGEMENT', 'TRUSTWORTHINESS', 'SERIOUS_DISHONESTY', 'CREDIT_COMMITMENTS', 'JUDGMENTS', 'OTHER'] as const;
export type SectionCode = (typeof sectionCodes)[number];

/** The sections of the national public credit report that the district's records fill, in print order. */
export const sections: Record<SectionCode, { titleZh: string; title: string; categories: readonly RecordCategoryCode[] }> = {
  BASICS: { titleZh: '一、基本信息', title: 'Basic information', categories: ['REGISTRATION_BASICS'] },
  ADMINISTRATIVE_MANAGEMENT: { titleZh: '二、行政管理信息（行政许可、行政处罚、行政强制）', title: 'Administrative management', categories: ['ADMINISTRATIVE_LICENSING', 'ADMINISTRATIVE_PENALTY', 'ADMINISTRATIVE_ENFORCEMENT'] },
  TRUSTWORTHINESS: { titleZh: '三、守信激励信息（表彰奖励、红名单）', title: 'Trustworthiness: honours and red lists', categories: ['RED_LIST_HONOUR'] },
  SERIOUS_DISHONESTY: { titleZh: '四、严重失信主体名单信息', title: 'Serious-dishonesty lists', categories: ['SERIOUS_DISHONESTY_LIST'] },
  CREDIT_COMMITMENTS: { titleZh: '五、信用承诺信息', title: 'Credit commitments', categories: ['CREDIT_COMMITMENT'] },
  JUDGMENTS: { titleZh: '六、司法判决信息（失信被执行人）', title: 'Judgments: dishonest judgment debtors', categories: ['DISHONEST_JUDGMENT_DEBTOR'] },
  OTHER: { titleZh: '七、其他信息（纳税信用、合同履约等）', title: 'Other information: tax credit grades, contract performance', categories: ['TAX_CREDIT_GRADE', 'CONTRACT_PERFORMANCE'] },
};

export function sectionOf(category: string): SectionCode {
  return sectionCodes.find((code) => (sections[code].categories as readonly string[]).includes(category)) ?? 'OTHER';
}

/** A subject's basics as the entities subgraph answered them for the generating request. */
export interface SnapshotSubject {
  id: string;
  kind: string;
  name: string;
  unifiedSocialCreditCode: string | null;
  citizenIdNumber: string | null;
  registeredAddress: string | null;
  legalRepresentative: string | null;
  status: string | null;
  registrationDate: string | null;
}

/** One record that counted when the report was generated, as the records subgraph answered it. */
export interface SnapshotRecord {
  id: string;
  category: string;
  polarity: string;
  severity: string | null;
  taxCreditGrade: string | null;
  documentNumber: string;
  decisionDate: string;
  disclosureEndsAt: string | null;
  summary: string;
  sourceDepartment: { code: string; nameZh: string };
  /**
   * Its subject's objection (异议) was pending: it counts, as in a credit check, until its source
   * department decides, and the report says it is disputed. Absent in /1 snapshots (read: false).
   * The report stands only while the record's objection standing is still this (record-states.ts).
   */
  underObjection?: boolean;
}

/**
 * Three or more line breaks in a row, with nothing but blanks between them: the page keeps a summary's line breaks (white-space: pre-line), so a summary holding
 * a hundred would print a hundred empty lines, pages of them. One blank line is what a department
 * means by any number of them.
 */
const blankLines = /(?:\r\n|\r|\n)(?:[^\S\r\n]*(?:\r\n|\r|\n)){2,}/g;

/**
 * A record's summary as a report holds and prints it: the citizen ID numbers and mobile numbers its
 * department wrote in it masked (lib/logger.ts), always, whoever generates the report, filer
 * included, as the subject's own number is (generation.ts): the page is shown to whoever holds the
 * report's number and code. Runs of blank lines are cut to one, the text otherwise kept as written.
 * Snapshots sealed before this hold summaries as typed, which stay genuine as sealed: they are
 * masked and cut when printed and compared (record-states.ts).
 */
export function printedSummary(summary: string): string {
  return maskPersonalData(summary).replace(blankLines, '\n\n');
}

export interface Snapshot {
  format: string;
  title: string;
  office: string;
  issuer: string;
  reportNumber: string;
  verificationCode: string;
  issuedOn: string;
  validUntil: string;
  generatedAt: string;
  /** For which matter and case it was generated, and by which organisation (查询用途). */
  purpose: { matter: string | null; caseNumber: string | null; requestedBy: string };
  subject: SnapshotSubject;
  sections: { code: SectionCode; titleZh: string; title: string; records: SnapshotRecord[] }[];
}

/** Sorts records into the sections, newest decision first within each. */
export function buildSections(records: readonly SnapshotRecord[]): Snapshot['sections'] {
  return sectionCodes.map((code) => ({
    code,
    titleZh: sections[code].titleZh,
    title: sections[code].title,
    records: records
      .filter((r) => sectionOf(r.category) === code)
      .sort((a, b) => (a.decisionDate === b.decisionDate ? (a.id < b.id ? -1 : 1) : a.decisionDate < b.decisionDate ? 1 : -1)),
  }));
}

// No 0/O, 1/I/L: codes are read off paper and typed in.
const codeAlphabet = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';

export function randomCode(length: number): string {
  return Array.from({ length }, () => codeAlphabet[randomInt(codeAlphabet.length)]).join('');
}

/** What every platform report number starts with (lib/catalogue/district.ts): no other issuer's number is the platform's to verify. */
const reportNumberPrefix = district.reportNumberPrefix;

/** e.g. BDHXY-20261125-7KQ2M9TA: the issue day, then random characters (no shared counter to race on). */
export function newReportNumber(issuedOn: string): string {
  return `${reportNumberPrefix}-${issuedOn.replaceAll('-', '')}-${randomCode(8)}`;
}

/** A platform report number as read (`nameAsRead`): the prefix, then the issue day's digits. */
const platformNumberAsRead = new RegExp(`^${reportNumberPrefix.toLowerCase()}\\d`);
/** The whole of one, as `newReportNumber` writes it: the prefix, the issue day, eight characters of `randomCode`. */
const wholePlatformNumberAsRead = new RegExp(`^${reportNumberPrefix.toLowerCase()}(\\d{8})([0-9a-z]{8})$`);

/**
 * Whether a number is in the platform's numbering, as a reader may type it off the paper (letter
 * case, full-width forms, spaces and hyphens aside). Any other number is another issuer's, known
 * by its form alone, so that telling the two apart consults no stored report.
 */
export function inPlatformNumbering(reportNumber: string): boolean {
  return platformNumberAsRead.test(nameAsRead(reportNumber));
}

/**
 * A platform report number as typed off the paper, as the platform wrote it (`BDHXY-20261206-7KQ2M9TA`):
 * letter case, full-width forms, and spaces or other separators between its parts aside (`bdhxy
 * 20261206 7kq2m9ta`). Its numbers are upper-case letters and digits in three fixed parts, so no
 * two differ in those alone. Undefined for text of another form, which no platform report has.
 */
export function platformReportNumber(typed: string): string | undefined {
  const parts = wholePlatformNumberAsRead.exec(nameAsRead(typed));
  return parts ? `${reportNumberPrefix}-${parts[1]}-${parts[2].toUpperCase()}` : undefined;
}

export function printablePath(report: Pick<CreditReport, 'reportNumber' | 'verificationCode'>): string {
  return `/reports/${encodeURIComponent(report.reportNumber)}.html?code=${encodeURIComponent(report.verificationCode)}`;
}

/** Whether two verification codes are one, each read as a code typed is (`normaliseIdentifier`: letter case and width aside, trimmed), in constant time. */
export function sameCode(a: string, b: string): boolean {
  const left = Buffer.from(normaliseIdentifier(a), 'utf8');
  const right = Buffer.from(normaliseIdentifier(b), 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}

/**
 * The snapshot, if the stored text is what was sealed at issue and agrees with the report's row:
 * its SHA-256 equals the digest stored with the report, and the number, code, dates and subject
 * it states are the row's. Anything else (an altered snapshot, digest, date or code) is not genuine.
 */
export function genuineSnapshot(report: CreditReport, content: string | null): Snapshot | null {
  if (report.source !== 'DISTRICT_PLATFORM' || content === null || !report.documentSha256) return null;
  if (sha256Hex(content) !== report.documentSha256) return null;
  let snapshot: Snapshot;
  try {
    snapshot = JSON.parse(content) as Snapshot;
  } catch {
    return null;
  }
  const agrees =
    readableFormats.includes(snapshot.format) &&
    snapshot.reportNumber === report.reportNumber &&
    snapshot.verificationCode === report.verificationCode &&
    snapshot.issuedOn === report.issuedOn &&
    snapshot.validUntil === report.validUntil &&
    snapshot.subject?.id === report.subjectId;
  return agrees ? snapshot : null;
}
