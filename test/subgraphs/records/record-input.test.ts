import { unifiedSocialCreditCode } from '../../../lib/identifiers';
import { parseRow, type RecordRow } from '../../../subgraphs/records/intake/record-input';

const today = '2026-11-25';
const taxGrade: RecordRow = {
  subjectCode: unifiedSocialCreditCode({ authority: '9', orgType: '1', division: '130304', organisationBody: 'MA0TAXGR' }),
  category: 'TAX_CREDIT_GRADE',
  documentNumber: '北戴河税信评〔2026〕1号',
  decisionDate: '2026-04-01',
  summary: '2025年度纳税信用等级评定',
};
const problemsOf = (values: RecordRow, department: string) => parseRow(values, department, today).problems.map(({ field, reason }) => ({ field, reason }));

describe('parseRow', () => {
  it.each([
    ['no grade', {}, 'a TAX_CREDIT_GRADE record needs a grade A, B, M, C or D, got null'],
    ['the grade E', { taxCreditGrade: 'E' }, 'a TAX_CREDIT_GRADE record needs a grade A, B, M, C or D, got "E"'],
  ])('reports a tax grade record with %s as a grade problem, not a polarity one: the grade decides the polarity', (_label, change, reason) => {
    expect(problemsOf({ ...taxGrade, ...change }, 'TAXATION')).toEqual([{ field: 'taxCreditGrade', reason }]);
  });

  it('tells a required code left out as EMPTY (README, Errors), the subject, the category, and a polarity its category does not decide', () => {
    const told = (values: RecordRow) => parseRow(values, 'FINANCE', today).problems.map(({ field, details }) => [field, details]);
    expect(told({ ...taxGrade, subjectCode: null, category: '  ' })).toEqual([
      ['subjectCode', { problem: 'EMPTY' }],
      ['category', { problem: 'EMPTY' }],
    ]);
    expect(told({ ...taxGrade, category: 'CONTRACT_PERFORMANCE', severity: 'MINOR' })).toEqual([['polarity', { problem: 'EMPTY' }]]);
  });

  it('tells a subject id longer than an id as TOO_LONG, and a file’s source_department of another department as NOT_A_CHOICE with the importing one', () => {
    const told = (values: RecordRow) => parseRow(values, 'TAXATION', today).problems.map(({ field, details }) => [field, details]);
    expect(told({ ...taxGrade, taxCreditGrade: 'A', subjectCode: null, subjectId: 'a'.repeat(37) })).toEqual([['subjectId', { problem: 'TOO_LONG', max: 36 }]]);
    expect(told({ ...taxGrade, taxCreditGrade: 'A', sourceDepartment: 'FINANCE' })).toEqual([['sourceDepartment', { problem: 'NOT_A_CHOICE', choices: ['TAXATION'] }]]);
  });

  it.each([
    ['a tax grade', { ...taxGrade, taxCreditGrade: 'A' }, 'TAX_CREDIT_GRADE records come only from TAXATION, got MARKET_REGULATION'],
    ['a court listing', { ...taxGrade, category: 'DISHONEST_JUDGMENT_DEBTOR' }, 'DISHONEST_JUDGMENT_DEBTOR records come only from PEOPLES_COURT, got MARKET_REGULATION'],
  ])('names the category, the field at fault, when a department submits %s it may not', (_label, values, reason) => {
    expect(problemsOf(values, 'MARKET_REGULATION')).toEqual([{ field: 'category', reason }]);
  });
});
