import { applicableMeasures, isGoodReportGrade, measuresByMatter, reportRequired, verdict, type CountingRecord } from '../../lib/catalogue/measures';
import fs from 'node:fs';
import { matters } from '../../lib/catalogue/matters';
import { measuresDocPath, renderMeasuresDoc } from '../../scripts/docs';

const record = (id: string, fields: Partial<CountingRecord>): CountingRecord => ({ id, category: 'ADMINISTRATIVE_PENALTY', polarity: 'NEGATIVE', severity: 'GENERAL', taxCreditGrade: null, ...fields });
const redList = record('red', { category: 'RED_LIST_HONOUR', polarity: 'POSITIVE', severity: null });
const general = record('general', {});
const serious = record('serious', { severity: 'SERIOUS' });
const severeList = record('severe', { category: 'SERIOUS_DISHONESTY_LIST', severity: null });
const debtor = record('debtor', { category: 'DISHONEST_JUDGMENT_DEBTOR', severity: null });
const taxGrade = (grade: 'A' | 'B' | 'C' | 'D', polarity: CountingRecord['polarity']) => record(`tax${grade}`, { category: 'TAX_CREDIT_GRADE', polarity, severity: null, taxCreditGrade: grade });
const taxA = taxGrade('A', 'POSITIVE');
const taxB = taxGrade('B', 'NEUTRAL');
const taxC = taxGrade('C', 'NEGATIVE');
const taxD = taxGrade('D', 'NEGATIVE');

const administrative = matters.filter((m) => m.kind === 'ADMINISTRATIVE').map((m) => m.code);
const excluding = ['CONSTRUCTION_BIDDING', 'GOVERNMENT_PROCUREMENT', 'DRUG_PROCUREMENT', 'STATE_ASSET_TRANSFER', 'FISCAL_SUPPORT', 'TAX_INCENTIVES', 'AWARDS_AND_RATINGS'];
const noReport = { required: false, satisfied: false };

describe('the measures catalogue', () => {
  it('has rules for every administrative matter and for nothing else', () => {
    expect(Object.keys(measuresByMatter).sort()).toEqual([...administrative].sort());
  });

  it('is documented exactly as it is: docs/measures.md is rendered from it', () => {
    expect(fs.readFileSync(measuresDocPath, 'utf8')).toBe(renderMeasuresDoc());
  });

  it('requires a report exactly where the policy makes it a condition of access (三(二)1, 3), not where it is reviewed for priority (三(二)6)', () => {
    expect(administrative.filter(reportRequired).sort()).toEqual(['CONSTRUCTION_BIDDING', 'DRUG_PROCUREMENT']);
  });

  describe.each(administrative)('in %s', (matter) => {
    it('finds a subject without records eligible', () => {
      expect(verdict(applicableMeasures(matter, [], false), noReport)).toBe('ELIGIBLE');
    });

    it('rewards a red-list entry and a tax grade A', () => {
      const measures = applicableMeasures(matter, [redList, taxA], false);
      expect(measures.length).toBeGreaterThan(0);
      expect(measures.every((m) => ['RED_LIST', 'TAX_GRADE_A'].includes(m.situation))).toBe(true);
      expect(verdict(measures, noReport)).toBe('ELIGIBLE_WITH_INCENTIVES');
    });

    it('calls for strict review on a tax grade D, as on a serious penalty, and drops incentives', () => {
      const measures = applicableMeasures(matter, [taxD, redList], false);
      expect(measures.length).toBeGreaterThan(0);
      expect(measures.every((m) => m.situation === 'SERIOUS_NEGATIVE' && m.recordIds.includes('taxD'))).toBe(true);
      expect(verdict(measures, noReport)).toBe('NEEDS_STRICT_REVIEW');
    });

    it('notes a tax grade C as a reference, as a general penalty, and keeps incentives', () => {
      const measures = applicableMeasures(matter, [taxC, redList], false);
      expect(measures).toContainEqual({ kind: 'REFERENCE_NOTED', situation: 'GENERAL_NEGATIVE', recordIds: ['taxC'] });
      expect(measures.some((m) => m.situation === 'SERIOUS_NEGATIVE')).toBe(false);
      expect(verdict(measures, noReport)).toBe('ELIGIBLE_WITH_INCENTIVES');
    });

    it('neither rewards nor notes a tax grade B', () => {
      expect(applicableMeasures(matter, [taxB], false)).toEqual([]);
    });

    it('notes a general penalty as a reference and keeps incentives', () => {
      const measures = applicableMeasures(matter, [general, redList], false);
      expect(measures).toContainEqual({ kind: 'REFERENCE_NOTED', situation: 'GENERAL_NEGATIVE', recordIds: ['general'] });
      expect(verdict(measures, noReport)).toBe('ELIGIBLE_WITH_INCENTIVES');
    });

    it('calls for strict review on a serious penalty and drops incentives', () => {
      const measures = applicableMeasures(matter, [serious, redList], true);
      expect(measures.every((m) => m.situation === 'SERIOUS_NEGATIVE' && m.recordIds.includes('serious'))).toBe(true);
      expect(verdict(measures, noReport)).toBe('NEEDS_STRICT_REVIEW');
    });

    it.each([
      ['the serious-dishonesty list', severeList],
      ['a dishonest judgment debtor', debtor],
    ])('excludes, or strictly reviews, a subject on %s', (_label, entry) => {
      const result = verdict(applicableMeasures(matter, [entry], true), noReport);
      expect(result).toBe(excluding.includes(matter) ? 'EXCLUDED' : 'NEEDS_STRICT_REVIEW');
    });
  });

  it('cannot decide a matter that requires a report when there is no valid one', () => {
    expect(verdict(applicableMeasures('CONSTRUCTION_BIDDING', [redList], false), { required: true, satisfied: false })).toBe('CANNOT_DECIDE_REPORT_MISSING');
    expect(verdict(applicableMeasures('CONSTRUCTION_BIDDING', [severeList], false), { required: true, satisfied: false })).toBe('EXCLUDED');
  });

  it.each([
    ['AAA', true],
    ['A-', true],
    ['AA+', true],
    ['BBB', false],
    ['B', false],
    [null, false],
  ])('reads report grade %s as good: %s', (grade, good) => {
    expect(isGoodReportGrade(grade)).toBe(good);
  });
});
