/**
 * The measures catalogue (措施清单): which joint incentive (守信联合激励) and joint punishment
 * (失信联合惩戒) measures apply in each administrative matter to which credit situation, and how
 * a credit check turns them into a verdict (policy sections 三(二) and 五(二)). Data, read by the
 * credit check and rendered as a table in docs/measures.md.
 */
import { findMatter } from './matters';
import type { RecordCategoryCode, Severity, TaxCreditGrade } from './record-categories';

/** Credit situations a check recognises in the records that count (and, for the grade, in the report). */
export const situations = {
  SEVERE_DISHONESTY_LIST: 'On the serious-dishonesty list (严重失信主体名单)',
  DISHONEST_JUDGMENT_DEBTOR: 'A dishonest judgment debtor (失信被执行人)',
  SERIOUS_NEGATIVE: 'A serious negative record: serious penalty or enforcement, serious contract breach, tax grade D',
  GENERAL_NEGATIVE: 'A general or minor negative record, or tax grade C',
  RED_LIST: 'On a red list or honoured (守信红名单、表彰奖励)',
  TAX_GRADE_A: 'Tax credit grade A (纳税信用A级)',
  GOOD_REPORT_GRADE: 'A valid, accepted credit report graded A or better',
} as const;
export type Situation = keyof typeof situations;

export const measureKinds = {
  PRIORITY_HANDLING: { polarity: 'INCENTIVE', nameZh: '优先办理', name: 'Priority handling' },
  SIMPLIFIED_PROCEDURE: { polarity: 'INCENTIVE', nameZh: '简化程序', name: 'Simplified procedure' },
  GREEN_CHANNEL: { polarity: 'INCENTIVE', nameZh: '绿色通道', name: 'Green channel' },
  KEY_SUPPORT: { polarity: 'INCENTIVE', nameZh: '重点支持', name: 'Key support' },
  EVALUATION_PREFERENCE: { polarity: 'INCENTIVE', nameZh: '评审优先', name: 'Preference in evaluation' },
  EXCLUSION: { polarity: 'PUNISHMENT', nameZh: '限制参与', name: 'Excluded from the matter' },
  STRICT_REVIEW: { polarity: 'PUNISHMENT', nameZh: '从严审核', name: 'Strict review' },
  INTENSIFIED_SUPERVISION: { polarity: 'PUNISHMENT', nameZh: '加大监管频次', name: 'Intensified supervision' },
  REFERENCE_NOTED: { polarity: 'PUNISHMENT', nameZh: '作为审查参考', name: 'Noted as a reference' },
} as const;
export type MeasureKind = keyof typeof measureKinds;

const punishments = (exclusion: MeasureKind[]): Partial<Record<Situation, MeasureKind[]>> => ({
  SEVERE_DISHONESTY_LIST: exclusion,
  DISHONEST_JUDGMENT_DEBTOR: exclusion,
  SERIOUS_NEGATIVE: ['STRICT_REVIEW'],
  GENERAL_NEGATIVE: ['REFERENCE_NOTED'],
});
const incentives = (measures: MeasureKind[]): Partial<Record<Situation, MeasureKind[]>> => ({
  RED_LIST: measures,
  TAX_GRADE_A: measures,
  GOOD_REPORT_GRADE: measures,
});

/**
 * Per matter: situation → measures. Exclusion where the policy speaks of access (bidding,
 * procurement, funding, awards, transfers); strict review where credit is a reference for a
 * person or a qualification; intensified supervision in the key regulated fields.
 */
export const measuresByMatter: Record<string, Partial<Record<Situation, MeasureKind[]>>> = {
  CONSTRUCTION_BIDDING: { ...punishments(['EXCLUSION']), ...incentives(['EVALUATION_PREFERENCE']) },
  GOVERNMENT_PROCUREMENT: { ...punishments(['EXCLUSION']), ...incentives(['EVALUATION_PREFERENCE']) },
  DRUG_PROCUREMENT: { ...punishments(['EXCLUSION']), ...incentives(['EVALUATION_PREFERENCE']) },
  STATE_ASSET_TRANSFER: { ...punishments(['EXCLUSION']), ...incentives(['PRIORITY_HANDLING']) },
  FISCAL_SUPPORT: { ...punishments(['EXCLUSION']), ...incentives(['KEY_SUPPORT', 'PRIORITY_HANDLING']) },
  TAX_INCENTIVES: { ...punishments(['EXCLUSION']), ...incentives(['PRIORITY_HANDLING']) },
  AWARDS_AND_RATINGS: { ...punishments(['EXCLUSION']), ...incentives(['EVALUATION_PREFERENCE']) },
  QUALIFICATION_REVIEW: { ...punishments(['STRICT_REVIEW']), ...incentives(['SIMPLIFIED_PROCEDURE', 'GREEN_CHANNEL']) },
  PERSONNEL_REVIEW: { ...punishments(['STRICT_REVIEW']), ...incentives(['PRIORITY_HANDLING']) },
  KEY_FIELD_SUPERVISION: {
    ...punishments(['INTENSIFIED_SUPERVISION', 'STRICT_REVIEW']),
    SERIOUS_NEGATIVE: ['INTENSIFIED_SUPERVISION'],
    ...incentives(['SIMPLIFIED_PROCEDURE']),
  },
  OTHER_STATUTORY: { ...punishments(['STRICT_REVIEW']), ...incentives(['PRIORITY_HANDLING']) },
};

/** A record as the check sees it: only records that count (`recordsThatCount` in the records subgraph). */
export interface CountingRecord {
  id: string;
  category: RecordCategoryCode;
  polarity: 'POSITIVE' | 'NEGATIVE' | 'NEUTRAL';
  severity: Severity | null;
  taxCreditGrade: TaxCreditGrade | null;
}

/** What a record found, which decides its situations: a record as `situationsOf` reads it. */
export type RecordFinding = Omit<CountingRecord, 'id'>;

/** The situations a record puts its subject in. */
export function situationsOf(record: RecordFinding): Situation[] {
  switch (record.category) {
    case 'SERIOUS_DISHONESTY_LIST':
      return ['SEVERE_DISHONESTY_LIST'];
    case 'DISHONEST_JUDGMENT_DEBTOR':
      return ['DISHONEST_JUDGMENT_DEBTOR'];
    case 'RED_LIST_HONOUR':
      return ['RED_LIST'];
    case 'TAX_CREDIT_GRADE':
      return record.taxCreditGrade === 'A' ? ['TAX_GRADE_A'] : record.taxCreditGrade === 'D' ? ['SERIOUS_NEGATIVE'] : record.taxCreditGrade === 'C' ? ['GENERAL_NEGATIVE'] : [];
    default:
      if (record.polarity !== 'NEGATIVE') return [];
      return [record.severity === 'SERIOUS' ? 'SERIOUS_NEGATIVE' : 'GENERAL_NEGATIVE'];
  }
}

/**
 * How grave each situation is for its subject, by what the matters above bring in it: a listing
 * excludes, a serious record brings strict review, a general one is noted, and incentives are for
 * the trustworthy. A record in no situation (a licence, a tax grade B) sits between the last two.
 */
export const situationGravity: Record<Situation, number> = {
  RED_LIST: 0,
  TAX_GRADE_A: 0,
  GOOD_REPORT_GRADE: 0,
  GENERAL_NEGATIVE: 2,
  SERIOUS_NEGATIVE: 3,
  DISHONEST_JUDGMENT_DEBTOR: 4,
  SEVERE_DISHONESTY_LIST: 4,
};
export const noSituationGravity = 1;

/** How grave what a record found is for its subject: the gravity of its gravest situation (`situationGravity`). */
export function findingGravity(record: RecordFinding): number {
  const found = situationsOf(record);
  return found.length ? Math.max(...found.map((s) => situationGravity[s])) : noSituationGravity;
}

/** What a record found, as the words of its gravest situation, quoted, for a message. */
export function findingInWords(record: RecordFinding): string {
  const found = situationsOf(record).sort((a, b) => situationGravity[b] - situationGravity[a]);
  return found.length ? `"${situations[found[0]]}"` : 'in no credit situation';
}

export interface AppliedMeasure {
  kind: MeasureKind;
  situation: Situation;
  /** The records that put the subject in the situation; empty for the report grade. */
  recordIds: string[];
}

/**
 * The measures a matter applies to these records (and a good report grade, when the reports side
 * found one). Incentives are for the trustworthy only: any punishment other than a noted
 * reference cancels them.
 */
export function applicableMeasures(matter: string, records: readonly CountingRecord[], goodReportGrade: boolean): AppliedMeasure[] {
  const rules = measuresByMatter[matter];
  if (!rules) return [];
  const triggers = new Map<Situation, string[]>();
  for (const record of records) {
    for (const situation of situationsOf(record)) triggers.set(situation, [...(triggers.get(situation) ?? []), record.id]);
  }
  if (goodReportGrade) triggers.set('GOOD_REPORT_GRADE', []);
  const applied: AppliedMeasure[] = [];
  for (const [situation, recordIds] of triggers) {
    for (const kind of rules[situation] ?? []) applied.push({ kind, situation, recordIds });
  }
  const disqualifying = applied.some((m) => measureKinds[m.kind].polarity === 'PUNISHMENT' && m.kind !== 'REFERENCE_NOTED');
  return applied.filter((m) => measureKinds[m.kind].polarity === 'PUNISHMENT' || !disqualifying);
}

export type Verdict = 'ELIGIBLE' | 'ELIGIBLE_WITH_INCENTIVES' | 'NEEDS_STRICT_REVIEW' | 'EXCLUDED' | 'CANNOT_DECIDE_REPORT_MISSING';

/** Whether a matter requires a valid credit report at all (准入 / 必备条件). */
export function reportRequired(matter: string): boolean {
  return findMatter(matter)?.creditUse === 'REPORT_REQUIRED';
}

/** The verdict, most severe first: exclusion, then a missing required report, then strict review. */
export function verdict(measures: readonly AppliedMeasure[], report: { required: boolean; satisfied: boolean }): Verdict {
  const kinds = new Set(measures.map((m) => m.kind));
  if (kinds.has('EXCLUSION')) return 'EXCLUDED';
  if (report.required && !report.satisfied) return 'CANNOT_DECIDE_REPORT_MISSING';
  if (kinds.has('STRICT_REVIEW') || kinds.has('INTENSIFIED_SUPERVISION')) return 'NEEDS_STRICT_REVIEW';
  if (measures.some((m) => measureKinds[m.kind].polarity === 'INCENTIVE')) return 'ELIGIBLE_WITH_INCENTIVES';
  return 'ELIGIBLE';
}

/**
 * Whether a sealed check's findings tell of its subject's credit reports: a good grade's
 * incentive among its measures, or a verdict the report requirement had its say in (a matter
 * that requires a valid report, unless exclusion, which comes first, decided it).
 */
export function findingsTellOfReports(matter: string, measures: readonly AppliedMeasure[], sealed: string): boolean {
  return measures.some((m) => m.situation === 'GOOD_REPORT_GRADE') || (reportRequired(matter) && sealed !== 'EXCLUDED');
}

/** Grades of A or better on the AAA…C scale, with or without + / −. */
export function isGoodReportGrade(grade: string | null | undefined): boolean {
  return !!grade && /^(AAA|AA|A)[+-]?$/.test(grade.trim());
}
