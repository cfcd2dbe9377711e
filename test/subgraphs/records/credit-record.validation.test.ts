import { GraphQLError } from 'graphql';
import { departments } from '../../../lib/catalogue/departments';
import { recordCategories, type Polarity, type RecordCategoryCode, type Severity, type TaxCreditGrade } from '../../../lib/catalogue/record-categories';
import { caseNumberOf } from '../../../subgraphs/records/credit-check.repository';
import { buildCreditRecord } from '../../../subgraphs/records/credit-record.repository';
import { validateCreditRecord, type CreditRecordDraft, type CreditRecordProblem } from '../../../subgraphs/records/credit-record.validation';
import { todayInDistrict } from '../../../lib/calendar';

const today = '2026-11-25';

const penalty: CreditRecordDraft = {
  subjectId: 'a3c1e0c2-6a7e-4c55-9a43-3f1f0d1b2c3d',
  category: 'ADMINISTRATIVE_PENALTY',
  polarity: 'NEGATIVE',
  severity: 'GENERAL',
  sourceDepartment: 'MARKET_REGULATION',
  documentNumber: '北戴河市监罚〔2025〕118号',
  decisionDate: '2025-09-01',
  summary: '未按规定公示年度报告，罚款2000元',
};

const fieldsOf = (draft: CreditRecordDraft) => validateCreditRecord(draft, today).map((p) => p.field);

describe('validateCreditRecord', () => {
  it('accepts a well-formed record of every category', () => {
    const drafts: CreditRecordDraft[] = [
      { ...penalty },
      { ...penalty, category: 'ADMINISTRATIVE_ENFORCEMENT', severity: 'SERIOUS', sourceDepartment: 'TAXATION' },
      { ...penalty, category: 'DISHONEST_JUDGMENT_DEBTOR', severity: null, sourceDepartment: 'PEOPLES_COURT', documentNumber: '（2025）冀0304执118号' },
      { ...penalty, category: 'SERIOUS_DISHONESTY_LIST', severity: null, sourceDepartment: 'HUMAN_RESOURCES' },
      { ...penalty, category: 'RED_LIST_HONOUR', polarity: 'POSITIVE', severity: null, sourceDepartment: 'CREDIT_OFFICE' },
      { ...penalty, category: 'TAX_CREDIT_GRADE', polarity: 'NEGATIVE', severity: null, taxCreditGrade: 'D', sourceDepartment: 'TAXATION' },
      { ...penalty, category: 'CONTRACT_PERFORMANCE', polarity: 'POSITIVE', severity: null, sourceDepartment: 'FINANCE' },
      { ...penalty, category: 'CONTRACT_PERFORMANCE', sourceDepartment: 'FINANCE' },
      { ...penalty, category: 'REGISTRATION_BASICS', polarity: 'NEUTRAL', severity: null, sourceDepartment: 'ADMINISTRATIVE_APPROVAL' },
      { ...penalty, category: 'ADMINISTRATIVE_LICENSING', polarity: 'NEUTRAL', severity: null, sourceDepartment: 'ADMINISTRATIVE_APPROVAL' },
      { ...penalty, category: 'CREDIT_COMMITMENT', polarity: 'NEUTRAL', severity: null, sourceDepartment: 'FINANCE' },
      { ...penalty, category: 'CREDIT_COMMITMENT', polarity: 'NEUTRAL', severity: null, sourceDepartment: 'CREDIT_OFFICE' },
    ];
    expect(new Set(drafts.map((d) => d.category))).toEqual(new Set(recordCategories.map((c) => c.code)));
    for (const draft of drafts) expect(validateCreditRecord(draft, today)).toEqual([]);
  });

  it.each<[string, Partial<CreditRecordDraft>, string[]]>([
    ['a polarity its category does not allow', { polarity: 'POSITIVE' }, ['polarity', 'severity']],
    ['a negative penalty without severity', { severity: null }, ['severity']],
    ['a negative enforcement without severity', { category: 'ADMINISTRATIVE_ENFORCEMENT', severity: undefined }, ['severity']],
    ['a negative contract record without severity', { category: 'CONTRACT_PERFORMANCE', severity: null, sourceDepartment: 'FINANCE' }, ['severity']],
    ['a severity on a positive contract record', { category: 'CONTRACT_PERFORMANCE', polarity: 'POSITIVE', severity: 'MINOR' }, ['severity']],
    ['a severity on the serious-dishonesty list', { category: 'SERIOUS_DISHONESTY_LIST', severity: 'SERIOUS' }, ['severity']],
    ['a judgment-debtor record from a bureau', { category: 'DISHONEST_JUDGMENT_DEBTOR', severity: null, sourceDepartment: 'MARKET_REGULATION' }, ['sourceDepartment']],
    ['a tax grade from another department', { category: 'TAX_CREDIT_GRADE', polarity: 'POSITIVE', severity: null, taxCreditGrade: 'A' }, ['sourceDepartment']],
    // The credit office supervises the departments' records and decides only its honours and the commitments made to it.
    ['the serious-dishonesty list from the credit office', { category: 'SERIOUS_DISHONESTY_LIST', severity: null, sourceDepartment: 'CREDIT_OFFICE' }, ['sourceDepartment']],
    ['a penalty from the credit office', { sourceDepartment: 'CREDIT_OFFICE' }, ['sourceDepartment']],
    ['a tax grade record without a grade', { category: 'TAX_CREDIT_GRADE', polarity: 'NEUTRAL', severity: null, sourceDepartment: 'TAXATION' }, ['taxCreditGrade']],
    ['a tax grade whose polarity contradicts the grade', { category: 'TAX_CREDIT_GRADE', polarity: 'POSITIVE', severity: null, taxCreditGrade: 'C', sourceDepartment: 'TAXATION' }, ['polarity']],
    ['a tax grade on a penalty', { taxCreditGrade: 'A' }, ['taxCreditGrade']],
    // Names an object has of its own kind are no grades: each was read as one whose polarity is a function.
    ...(['toString', 'constructor', '__proto__', 'hasOwnProperty'] as const).map((grade): [string, Partial<CreditRecordDraft>, string[]] => [
      `the tax grade ${grade}`,
      { category: 'TAX_CREDIT_GRADE', polarity: 'NEGATIVE', severity: null, taxCreditGrade: grade as CreditRecordDraft['taxCreditGrade'], sourceDepartment: 'TAXATION' },
      ['taxCreditGrade'],
    ]),
    ['an unknown department', { sourceDepartment: 'POLICE' }, ['sourceDepartment']],
    ['an unknown category', { category: 'GOSSIP' as CreditRecordDraft['category'] }, ['category']],
    ['a blank document number', { documentNumber: '  ' }, ['documentNumber']],
    ['a 65-character document number', { documentNumber: '号'.repeat(65) }, ['documentNumber']],
    ['a blank summary', { summary: '' }, ['summary']],
    ['a 501-character summary', { summary: '罚'.repeat(501) }, ['summary']],
    ['a document number of invisible characters only', { documentNumber: '\u200b\u200b' }, ['documentNumber']],
    ['a document number holding U+0000', { documentNumber: '北戴河市监罚〔2025〕\u0000118号' }, ['documentNumber']],
    // Invisible, each would make a number that reads as another a second record of one decision.
    ['a document number holding a zero-width space', { documentNumber: '北戴河市监罚〔2025〕1\u200b18号' }, ['documentNumber']],
    ['a document number holding a word joiner', { documentNumber: '北戴河市监罚〔2025〕118号\u2060' }, ['documentNumber']],
    ['a document number holding a right-to-left override', { documentNumber: '\u202e北戴河市监罚〔2025〕118号' }, ['documentNumber']],
    ['a document number holding a line separator', { documentNumber: '北戴河市监罚\u2028〔2025〕118号' }, ['documentNumber']],
    ['a document number over two lines', { documentNumber: '北戴河市监罚〔2025〕\n118号' }, ['documentNumber']],
    ['a summary of invisible characters only', { summary: '\u200b' }, ['summary']],
    ['a summary holding U+0000', { summary: '未按规定公示\u0000年度报告' }, ['summary']],
    ['a decision in year 1', { decisionDate: '0001-01-01' }, ['decisionDate']],
    ['a decision in 1800', { decisionDate: '1800-01-01' }, ['decisionDate']],
    ['a decision the day before the founding of the PRC', { decisionDate: '1949-09-30' }, ['decisionDate']],
    ['an impossible decision date', { decisionDate: '2025-02-29' }, ['decisionDate']],
    ['a decision in the future', { decisionDate: '2026-11-26' }, ['decisionDate']],
    // The decision date is at fault: a correction, which keeps the day its record entered, changes that alone.
    ['a record entered before its decision', { recordedAt: new Date('2025-08-31T10:00:00Z') }, ['decisionDate']],
    ['a record entered in the future', { recordedAt: new Date('2026-11-26T01:00:00Z') }, ['recordedAt']],
    ['a record entered at no instant', { recordedAt: new Date('not a date') }, ['recordedAt']],
    ['an impossible validity end', { validUntil: '2026-02-30' }, ['validUntil']],
    ['a validity ending before its decision', { validUntil: '2025-08-31' }, ['validUntil']],
    ['a stored EXPIRED status', { status: 'EXPIRED' as CreditRecordDraft['status'] }, ['status']],
    ['a restored positive record', { category: 'RED_LIST_HONOUR', polarity: 'POSITIVE', severity: null, status: 'RESTORED' }, ['status']],
    ['a serious penalty restored before its minimum year', { severity: 'SERIOUS', decisionDate: '2026-01-10', status: 'RESTORED' }, ['status']],
    ['an empty subject id', { subjectId: '' }, ['subjectId']],
    ['a subject id longer than an id', { subjectId: `${penalty.subjectId}0` }, ['subjectId']],
  ])('reports %s, with a problem a front end switches on (README, Errors)', (_label, change, fields) => {
    const problems = validateCreditRecord({ ...penalty, ...change }, today);
    expect(problems.map((p) => p.field)).toEqual(fields);
    expect(problems.filter((p) => typeof p.details.problem !== 'string')).toEqual([]);
  });

  it('accepts a summary over several lines with tabs, and a decision from 1949-10-01 on', () => {
    expect(fieldsOf({ ...penalty, summary: '未按规定公示年度报告：\r\n\t罚款2000元\n（已缴纳）' })).toEqual([]);
    expect(fieldsOf({ ...penalty, decisionDate: '1949-10-01', category: 'REGISTRATION_BASICS', polarity: 'NEUTRAL', severity: null, sourceDepartment: 'ADMINISTRATIVE_APPROVAL' })).toEqual([]);
  });

  it('names what it refused in a document number and a summary, and the earliest decision date', () => {
    const messages = (change: Partial<CreditRecordDraft>) => validateCreditRecord({ ...penalty, ...change }, today).map((p) => p.message);
    expect(messages({ documentNumber: '\u200b' })).toEqual(['documentNumber must not hold control or invisible characters (a line break, U+0000, U+200B, U+202E…): it holds U+200B, a format character, drawn as nothing, got "\\u200b"']);
    expect(messages({ documentNumber: '--' })).toEqual(['documentNumber must hold at least one letter or digit, got "--"']);
    expect(messages({ documentNumber: 'A\nB' })).toEqual(['documentNumber must not hold control or invisible characters (a line break, U+0000, U+200B, U+202E…): it holds U+000A, a line break, got "A\\nB"']);
    expect(messages({ documentNumber: 'A\u200b-1' })).toEqual(['documentNumber must not hold control or invisible characters (a line break, U+0000, U+200B, U+202E…): it holds U+200B, a format character, drawn as nothing, got "A\\u200b-1"']);
    expect(messages({ summary: 'a\u0000b' })).toEqual(['summary must not hold control or invisible characters other than line breaks and tabs (U+0000, U+200B, U+202E…): it holds U+0000, a control character, got "a\\u0000b"']);
    // A summary is published as written: what a reader cannot see is refused, as in any text a person types.
    for (const hidden of ['\u200b', '\u202e', '\u2060', '\u00ad', '\u2028']) {
      expect({ hidden, fields: fieldsOf({ ...penalty, summary: `超范围经营${hidden}，警告` }) }).toEqual({ hidden, fields: ['summary'] });
    }
    expect(messages({ summary: '\u0301警告' })[0]).toContain('a combining mark with no letter to sit on');
    expect(messages({ decisionDate: '1800-01-01' })).toEqual(['decisionDate must not be before 1949-10-01, got 1800-01-01']);
  });

  it('words a blank or too long text as every required text is worded (lib/text-input.ts requiredText), a case number and a subject id too', () => {
    const messages = (change: Partial<CreditRecordDraft>) => validateCreditRecord({ ...penalty, ...change }, today).map((p) => p.message);
    expect(messages({ documentNumber: '', summary: '  ' })).toEqual(['documentNumber must not be empty, got ""', 'summary must not be empty, got "  "']);
    expect(messages({ documentNumber: '罚'.repeat(65), summary: '罚'.repeat(501) })).toEqual(['documentNumber must be at most 64 characters, got 65', 'summary must be at most 500 characters, got 501']);
    // A subject id is counted as every text limit is, in characters as a reader counts them (lib/text.ts characterCount), not UTF-16 units.
    expect(messages({ subjectId: '𠀀'.repeat(36) })).toEqual([]);
    expect(messages({ subjectId: '𠀀'.repeat(37) })).toEqual(['subjectId must be at most 36 characters, got 37']);
    expect(messages({ subjectId: '' })).toEqual(['subjectId must not be empty, got ""']);
    expect(() => caseNumberOf('  ')).toThrow('caseNumber must not be empty, got "  "');
    expect(() => caseNumberOf('C'.repeat(101))).toThrow('caseNumber must be at most 100 characters, got 101');
  });

  it('counts the decision day in the district: 16:30 UTC on the 31st is already the 1st in Beidaihe', () => {
    expect(fieldsOf({ ...penalty, recordedAt: new Date('2025-08-31T16:30:00Z') })).toEqual([]);
    expect(todayInDistrict(new Date('2025-08-31T16:30:00Z'))).toBe('2025-09-01');
  });

  it('allows restoration once the minimum disclosure period has passed: from the day after its last day (民法典 第二百零一条、第二百零二条)', () => {
    // Decided 2026-08-24, the 3-month minimum's last day is 2026-11-24: passed on 2026-11-25 (today).
    expect(fieldsOf({ ...penalty, severity: 'GENERAL', decisionDate: '2026-08-24', status: 'RESTORED' })).toEqual([]);
    // Decided 2026-08-25, its last day is today: not passed yet.
    expect(fieldsOf({ ...penalty, severity: 'GENERAL', decisionDate: '2026-08-25', status: 'RESTORED' })).toEqual(['status']);
  });

  it.each<[string, Partial<CreditRecordDraft>, CreditRecordProblem['details']]>([
    ['an unknown polarity', { polarity: 'SIDEWAYS' as Polarity }, { problem: 'NOT_A_CHOICE', choices: ['POSITIVE', 'NEGATIVE', 'NEUTRAL'] }],
    ['an unknown severity', { severity: 'VERY' as Severity }, { problem: 'NOT_A_CHOICE', choices: ['MINOR', 'GENERAL', 'SERIOUS'] }],
    ['a polarity its category does not allow', { polarity: 'POSITIVE', severity: null }, { problem: 'NOT_A_CHOICE', choices: ['NEGATIVE'] }],
    ['a grade not in the list', { category: 'TAX_CREDIT_GRADE', severity: null, taxCreditGrade: 'E' as TaxCreditGrade, sourceDepartment: 'TAXATION' }, { problem: 'NOT_A_CHOICE', choices: ['A', 'B', 'M', 'C', 'D'] }],
    ['a polarity its grade does not give', { category: 'TAX_CREDIT_GRADE', polarity: 'POSITIVE', severity: null, taxCreditGrade: 'C', sourceDepartment: 'TAXATION' }, { problem: 'NOT_A_CHOICE', choices: ['NEGATIVE'] }],
    ['a tax grade record without a grade', { category: 'TAX_CREDIT_GRADE', polarity: 'NEUTRAL', severity: null, sourceDepartment: 'TAXATION' }, { problem: 'EMPTY' }],
    ['a negative penalty without severity', { severity: null }, { problem: 'EMPTY' }],
    // The choices are the categories the department decides: a tax grade is not among the court's.
    ['an unknown category', { category: 'GOSSIP' as RecordCategoryCode, sourceDepartment: 'PEOPLES_COURT' }, { problem: 'NOT_A_CHOICE', choices: recordCategories.filter((c) => c.code !== 'TAX_CREDIT_GRADE').map((c) => c.code) }],
    ['a category of another department', { category: 'TAX_CREDIT_GRADE', polarity: 'POSITIVE', severity: null, taxCreditGrade: 'A' }, { problem: 'NOT_A_CHOICE', choices: recordCategories.filter((c) => !['TAX_CREDIT_GRADE', 'DISHONEST_JUDGMENT_DEBTOR'].includes(c.code)).map((c) => c.code) }],
    ['an unknown department', { sourceDepartment: 'POLICE' }, { problem: 'NOT_A_CHOICE', choices: departments.map((d) => d.code) }],
    ['a severity on a positive record', { category: 'RED_LIST_HONOUR', polarity: 'POSITIVE', severity: 'MINOR' }, { problem: 'NOT_APPLICABLE' }],
    ['a tax grade on a penalty', { taxCreditGrade: 'A' }, { problem: 'NOT_APPLICABLE' }],
    ['an empty subject id', { subjectId: '' }, { problem: 'EMPTY' }],
    ['a subject id longer than an id', { subjectId: `${penalty.subjectId}0` }, { problem: 'TOO_LONG', max: 36 }],
    ['an impossible decision date', { decisionDate: '2025-02-29' }, { problem: 'NOT_A_DATE' }],
    ['a decision in the future', { decisionDate: '2026-11-26' }, { problem: 'OUT_OF_RANGE', latest: today }],
    ['a decision before the founding of the PRC', { decisionDate: '1949-09-30' }, { problem: 'OUT_OF_RANGE', earliest: '1949-10-01' }],
    ['a decision after the day its record entered', { recordedAt: new Date('2025-08-31T10:00:00Z') }, { problem: 'OUT_OF_RANGE', latest: '2025-08-31' }],
    ['an impossible validity end', { validUntil: '2026-02-30' }, { problem: 'NOT_A_DATE' }],
    ['a validity ending before its decision', { validUntil: '2025-08-31' }, { problem: 'OUT_OF_RANGE', earliest: '2025-09-01' }],
    ['a record entered at no instant', { recordedAt: new Date('not a date') }, { problem: 'NOT_A_DATE' }],
    ['a record entered in the future', { recordedAt: new Date('2026-11-26T01:00:00Z') }, { problem: 'OUT_OF_RANGE', latest: today }],
    ['a status not stored', { status: 'EXPIRED' as CreditRecordDraft['status'] }, { problem: 'NOT_A_CHOICE', choices: ['ACTIVE', 'OBJECTED', 'RESTORED', 'WITHDRAWN'] }],
    ['a restored positive record', { category: 'RED_LIST_HONOUR', polarity: 'POSITIVE', severity: null, status: 'RESTORED' }, { problem: 'TRANSITION_NOT_ALLOWED' }],
    ['a serious penalty restored before its minimum year', { severity: 'SERIOUS', decisionDate: '2026-01-10', status: 'RESTORED' }, { problem: 'TRANSITION_NOT_ALLOWED', restorableFrom: '2027-01-11' }],
  ])('tells a front end what to switch on for %s (README, Errors)', (_label, change, details) => {
    expect(validateCreditRecord({ ...penalty, ...change }, today).map((p) => p.details)).toEqual([details]);
  });

  it('states the rule and what it received', () => {
    const [problem] = validateCreditRecord({ ...penalty, severity: null }, today);
    expect(problem.message).toBe('a negative ADMINISTRATIVE_PENALTY record needs a severity (MINOR, GENERAL or SERIOUS), got none');
  });
});

describe('buildCreditRecord', () => {
  const write = { id: '00000000-0000-4000-8000-000000000001', recordedAt: new Date('2025-09-02T02:00:00Z'), today };

  it('computes the disclosure end from the catalogue and trims text', () => {
    const record = buildCreditRecord({ ...penalty, summary: ` ${penalty.summary} ` }, write);
    expect(record).toMatchObject({ disclosureEndsAt: '2026-09-01', status: 'ACTIVE', severity: 'GENERAL', taxCreditGrade: null, summary: penalty.summary });
    expect(buildCreditRecord({ ...penalty, category: 'DISHONEST_JUDGMENT_DEBTOR', severity: null, sourceDepartment: 'PEOPLES_COURT' }, write).disclosureEndsAt).toBe('2027-09-01');
    expect(buildCreditRecord({ ...penalty, category: 'RED_LIST_HONOUR', polarity: 'POSITIVE', severity: null }, write).disclosureEndsAt).toBeNull();
  });

  it('throws BAD_USER_INPUT naming the first problem and listing all of them', () => {
    let thrown: unknown;
    try {
      buildCreditRecord({ ...penalty, severity: null, sourceDepartment: 'POLICE' }, write);
    } catch (error) {
      thrown = error;
    }
    if (!(thrown instanceof GraphQLError)) throw new Error(`expected a GraphQLError, got ${String(thrown)}`);
    expect(thrown.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'severity' });
    expect(thrown.extensions.problems).toEqual([expect.objectContaining({ field: 'severity' }), expect.objectContaining({ field: 'sourceDepartment' })]);
    expect(thrown.message).toContain('(and 1 more problem)');
  });
});
