import fs from 'node:fs';
import { buildSchema, isEnumType, isInputObjectType, isInterfaceType, isObjectType, type GraphQLEnumType, type GraphQLObjectType } from 'graphql';
import { supergraphPath } from '../../schema/subgraphs';
import { classRule, filingStatuses, permissions, supervisionClassRules, type SupervisionClass } from '../../lib/catalogue/provider-supervision';
import { fieldGroups } from '../../lib/access/field-groups';
import { findRecordCategory } from '../../lib/catalogue/record-categories';
import { applicableMeasures, measureKinds, measuresByMatter, reportRequired, situations, verdict, type CountingRecord, type Verdict } from '../../lib/catalogue/measures';

/**
 * The contract's words against what the code does and against the policy's own terms (a
 * terminology review by the district credit office): a verdict's description says when the
 * check gives it, and one concept is named with one Chinese term.
 */
const schema = buildSchema(fs.readFileSync(supergraphPath, 'utf8'));

function enumType(name: string): GraphQLEnumType {
  const type = schema.getType(name);
  if (!isEnumType(type)) throw new Error(`${name} is not an enum of the API schema`);
  return type;
}

const describedAs = (type: string, value: string) => enumType(type).getValue(value)?.description ?? '';

/** Every description of the API schema, by schema coordinate. */
const everyDescription = Object.values(schema.getTypeMap()).flatMap((type) => {
  if (/^(__|join__|link__)/.test(type.name)) return [];
  const own: [string, string][] = [[type.name, type.description ?? '']];
  if (isEnumType(type)) return [...own, ...type.getValues().map((v) => [`${type.name}.${v.name}`, v.description ?? ''] as [string, string])];
  if ('getFields' in type) {
    for (const field of Object.values(type.getFields())) {
      own.push([`${type.name}.${field.name}`, field.description ?? '']);
      for (const arg of 'args' in field ? field.args : []) own.push([`${type.name}.${field.name}(${arg.name}:)`, arg.description ?? '']);
    }
  }
  return own;
});

describe('CheckVerdict descriptions', () => {
  const record = (id: string, fields: Partial<CountingRecord>): CountingRecord => ({ id, category: 'ADMINISTRATIVE_PENALTY', polarity: 'NEGATIVE', severity: null, taxCreditGrade: null, ...fields });
  const cases = {
    listing: [record('list', { category: 'SERIOUS_DISHONESTY_LIST' })],
    debtor: [record('debtor', { category: 'DISHONEST_JUDGMENT_DEBTOR' })],
    serious: [record('serious', { severity: 'SERIOUS' })],
    taxGradeD: [record('tax', { category: 'TAX_CREDIT_GRADE', polarity: 'NEGATIVE', taxCreditGrade: 'D' })],
    general: [record('general', { severity: 'GENERAL' })],
    generalAndHonour: [record('general', { severity: 'GENERAL' }), record('honour', { category: 'RED_LIST_HONOUR', polarity: 'POSITIVE' })],
    seriousAndHonour: [record('serious', { severity: 'SERIOUS' }), record('honour', { category: 'RED_LIST_HONOUR', polarity: 'POSITIVE' })],
    none: [],
  };
  const matters = Object.keys(measuresByMatter);
  const run = (matter: string, records: readonly CountingRecord[], satisfied = true): Verdict =>
    verdict(applicableMeasures(matter, records, false), { required: reportRequired(matter), satisfied });
  /** The matters a verdict's description names, by their codes. */
  const named = (value: Verdict) => matters.filter((matter) => new RegExp(`\\b${matter}\\b`).test(describedAs('CheckVerdict', value)));

  it('EXCLUDED names exactly the matters where a listing or a dishonest judgment debtor is excluded, and no missing report changes it', () => {
    for (const listed of [cases.listing, cases.debtor]) {
      expect(matters.filter((matter) => run(matter, listed) === 'EXCLUDED')).toEqual(named('EXCLUDED'));
      expect(matters.filter((matter) => run(matter, listed, false) === 'EXCLUDED')).toEqual(named('EXCLUDED'));
    }
    // Not vacuous: seven matters exclude, four do not.
    expect(named('EXCLUDED')).toHaveLength(7);
  });

  it('NEEDS_STRICT_REVIEW names exactly the matters where a listing brings strict review, and comes of a serious negative record in every matter', () => {
    for (const listed of [cases.listing, cases.debtor]) expect(matters.filter((matter) => run(matter, listed) === 'NEEDS_STRICT_REVIEW')).toEqual(named('NEEDS_STRICT_REVIEW'));
    expect(named('NEEDS_STRICT_REVIEW')).toEqual(['QUALIFICATION_REVIEW', 'PERSONNEL_REVIEW', 'KEY_FIELD_SUPERVISION', 'OTHER_STATUTORY']);
    for (const serious of [cases.serious, cases.taxGradeD, cases.seriousAndHonour]) {
      expect(matters.map((matter) => [matter, run(matter, serious)])).toEqual(matters.map((matter) => [matter, 'NEEDS_STRICT_REVIEW']));
    }
    // "A matter that requires a report and has no valid one gives CANNOT_DECIDE_REPORT_MISSING instead."
    expect(matters.filter((matter) => run(matter, cases.serious, false) === 'CANNOT_DECIDE_REPORT_MISSING')).toEqual(matters.filter(reportRequired));
  });

  it('ELIGIBLE and ELIGIBLE_WITH_INCENTIVES: a noted general record stands in no way and cancels no incentive', () => {
    expect(describedAs('CheckVerdict', 'ELIGIBLE')).toContain('REFERENCE_NOTED');
    expect(describedAs('CheckVerdict', 'ELIGIBLE_WITH_INCENTIVES')).toContain('可以办理，适用守信联合激励措施');
    for (const matter of matters) {
      expect([matter, run(matter, cases.none), run(matter, cases.general), run(matter, cases.generalAndHonour)]).toEqual([matter, 'ELIGIBLE', 'ELIGIBLE', 'ELIGIBLE_WITH_INCENTIVES']);
    }
  });
});

describe('严重失信 (serious dishonesty)', () => {
  it('names the serious-dishonesty list (严重失信主体名单) only, never a tax grade, a provider class or a refusal', () => {
    expect(everyDescription.filter(([, text]) => /严重失信(?!主体名单)/.test(text)).map(([coordinate]) => coordinate)).toEqual([]);
    expect(supervisionClassRules.filter((rule) => rule.nameZh.includes('严重失信')).map((rule) => rule.nameZh)).toEqual([]);
  });

  it("gives each SupervisionClass value the Chinese name the provider supervision scheme serves", () => {
    const classes = enumType('SupervisionClass').getValues();
    expect(classes.map((value) => [value.name, value.description?.includes(`(${classRule(value.name as SupervisionClass).nameZh})`)])).toEqual(classes.map((value) => [value.name, true]));
  });
});

describe('ReportRefusalReason descriptions', () => {
  it('ISSUER_NOT_IN_GOOD_STANDING_ON_ISSUE_DATE names every standing that refuses a report issued in it: a status other than filed, class D, false information', () => {
    const text = describedAs('ReportRefusalReason', 'ISSUER_NOT_IN_GOOD_STANDING_ON_ISSUE_DATE');
    const refusing = filingStatuses.filter((status) => !permissions(status, 'A').reportsAccepted);
    expect(filingStatuses.filter((status) => !refusing.includes(status))).toEqual(['FILED']);
    expect(text).toContain('未处于有效备案状态');
    expect(permissions('FILED', 'D').reportsAccepted).toBe(false);
    expect(text).toContain('D类监管类别');
    expect(text).toContain('已被认定提供虚假信息');
  });

  it('NOT_GENUINE says 经核验不真实, as ReportVerificationStatus.NOT_GENUINE says 不真实', () => {
    expect(describedAs('ReportRefusalReason', 'NOT_GENUINE')).toContain('(经核验不真实)');
    expect(describedAs('ReportVerificationStatus', 'NOT_GENUINE')).toContain('不真实');
  });
});

describe('one concept, one Chinese term', () => {
  it('uses one variant of each watched term across the API schema, the first listed', () => {
    // The term to use first; then the variants seen before, which must be gone. A variant inside
    // a longer one (联合惩戒 in 失信联合惩戒) is taken out with the longer one first.
    const concepts: Record<string, string[]> = {
      'the case number of x-credit-case': ['案号', '案件编号', '业务编号'],
      'an objection pending past its decisionDueBy': ['逾期未处理', '超期未办'],
      'pending, not yet decided': ['待处理', '待审核'],
      "a provider's supervision class": ['监管类别', '分类监管等级', '分类监管类别'],
      'a restoration application approved': ['准予修复', '修复成功'],
      'the neutral polarity': ['中性', '基础信息'],
      'joint punishment (policy 五(二))': ['失信联合惩戒', '失信惩戒', '联合惩戒'],
      // 守信激励信息 is the national public credit report's own section heading (ReportSection.TRUSTWORTHINESS).
      'joint incentive (policy 五(二))': ['守信联合激励', '守信激励'],
      'the kind of organisation reading': ['查询机构类别', '读者类别'],
      'the abnormal operations list': ['列入经营异常名录', '经营异常'],
      'trade secrets (policy 四(三))': ['侵犯商业秘密', '泄露商业秘密'],
      // The form of a consent said 授权起始日 / 授权截止日 / 被授权方类别 where the consent itself says these.
      "a consent's first day": ['授权起始日期', '授权起始日'],
      "a consent's last day": ['授权截止日期', '授权截止日'],
      'the kind of organisation a consent names': ['被授权机构类别', '被授权方类别'],
    };
    const exempt = ['守信激励信息'];
    const mixed = Object.entries(concepts).flatMap(([concept, [term, ...others]]) => {
      const sorted = [term, ...others].sort((a, b) => b.length - a.length);
      const seen: string[] = [];
      for (const [coordinate, text] of everyDescription) {
        let rest = exempt.reduce((t, e) => t.split(e).join(''), text);
        for (const variant of sorted) {
          if (rest.includes(variant)) {
            if (variant !== term) seen.push(`${variant} at ${coordinate}`);
            rest = rest.split(variant).join('');
          }
        }
      }
      return seen.length ? [`${concept} (${term}): ${seen.join(', ')}`] : [];
    });
    expect(mixed).toEqual([]);
  });

  it('names record statuses, the red-list category and tax grade M as the policy and the tax bureau do', () => {
    expect(describedAs('RecordStatus', 'ACTIVE')).toContain('(公示中)');
    expect(describedAs('RecordCategory', 'RED_LIST_HONOUR')).toContain('(守信红名单、表彰奖励)');
    expect(findRecordCategory('RED_LIST_HONOUR')?.nameZh).toBe('守信红名单、表彰奖励');
    expect(describedAs('TaxCreditGrade', 'M')).toContain('新设立企业，评价年度内无生产经营业务收入且评价得分70分以上的企业');
    expect(describedAs('SubjectStatus', 'ABNORMAL')).toContain('(列入经营异常名录)');
  });

  it("lists every credit situation of the measures catalogue, with its Chinese, in AppliedMeasure.situation's description", () => {
    const text = (schema.getType('AppliedMeasure') as GraphQLObjectType).getFields().situation.description ?? '';
    expect(Object.keys(situations).filter((code) => !new RegExp(`\\b${code}\\b, [^;(]*\\(\\p{Script=Han}`, 'u').test(text))).toEqual([]);
    // The category and the situation of the same list bear different names: said, not renamed.
    expect(text).toContain('SERIOUS_DISHONESTY_LIST');
  });

  it('says that creditCheckStatistics counts REFERENCE_NOTED among the joint punishments, as the catalogue classifies it', () => {
    expect(measureKinds.REFERENCE_NOTED.polarity).toBe('PUNISHMENT');
    const punishment = (schema.getType('CreditCheckStatistic') as GraphQLObjectType).getFields().punishment.description ?? '';
    expect(punishment).toMatch(/REFERENCE_NOTED \(作为审查参考\)[^.]*counts here among the punishments/);
  });
});

describe('the forms officers fill in', () => {
  it('names the Chinese term of every input field and argument an officer, supervisor, registry admin or analyst fills in, but for identifiers and cursors', () => {
    // Left in English, as the output types leave `id`, `cursor` and `PageInfo`: ids and cursors a
    // front end passes on (page size and position, an entity's id, the filing step reviewed, a
    // retry's key, where a verification of the audit chain resumes), never typed or read by an
    // officer; the chain's recorded head is a hash an operator keeps (AuditChainHeadInput, plumbing
    // for schema-descriptions too).
    const identifiers = ['first', 'after', 'id', 'subjectId', 'recordId', 'checkId', 'providerId', 'issuerProviderId', 'violationId', 'reviewedEventId', 'idempotencyKey', 'resumeFrom', 'recordedHead'];
    const plumbing = ['AuditChainHeadInput'];
    const hidden = (node: { astNode?: { directives?: readonly { name: { value: string } }[] } | null }) => node.astNode?.directives?.some((directive) => directive.name.value === 'inaccessible') ?? false;
    const types = Object.values(schema.getTypeMap()).filter((type) => !/^(__|join__|link__)/.test(type.name) && !hidden(type));
    const inputs = types.flatMap((type) => {
      if (isInputObjectType(type)) return Object.values(type.getFields()).filter((field) => !hidden(field)).map((field) => ({ type: type.name, name: field.name, coordinate: `${type.name}.${field.name}`, description: field.description }));
      if (!isObjectType(type) && !isInterfaceType(type)) return [];
      return Object.values(type.getFields())
        .filter((field) => !hidden(field))
        .flatMap((field) => field.args.filter((arg) => !hidden(arg)).map((arg) => ({ type: type.name, name: arg.name, coordinate: `${type.name}.${field.name}(${arg.name}:)`, description: arg.description })));
    });
    // The term in parentheses after the English, as every description gives it: "The severity (严重程度: …)".
    const withoutTerm = inputs.filter((input) => !identifiers.includes(input.name) && !plumbing.includes(input.type) && !/\(\p{Script=Han}/u.test(input.description ?? ''));
    expect(withoutTerm.map((input) => input.coordinate)).toEqual([]);
    // Not vacuous, and the allow-lists name inputs there are, so that a renamed one is not left out unnoticed.
    expect(inputs.length).toBeGreaterThan(200);
    expect([...identifiers.filter((name) => !inputs.some((input) => input.name === name)), ...plumbing.filter((name) => !inputs.some((input) => input.type === name))]).toEqual([]);
  });

  it('gives the field group of the lists its Chinese, as the record category has it', () => {
    expect(fieldGroups.DISHONESTY_LISTS).toContain(`(${findRecordCategory('SERIOUS_DISHONESTY_LIST')?.nameZh})`);
    expect(fieldGroups.DISHONESTY_LISTS).toContain(`(${findRecordCategory('DISHONEST_JUDGMENT_DEBTOR')?.nameZh})`);
  });
});
