import { todayInDistrict } from '../../../lib/calendar';
import { citizenIdNumber, unifiedSocialCreditCode } from '../../../lib/identifiers';
import { nameAsRead } from '../../../lib/text';
import { demoWorld } from '../../../scripts/demo/world';
import { Subject, subjectNameMaxLength } from '../../../subgraphs/entities/entities/subject.entity';
import { IndexSubjectNames1764000000020 } from '../../../subgraphs/entities/migrations/1764000000020-index-subject-names';
import { NamePostingsKind1764000000030 } from '../../../subgraphs/entities/migrations/1764000000030-name-postings-kind';
import { FoldedSubjectNames1764000000050 } from '../../../subgraphs/entities/migrations/1764000000050-folded-subject-names';
import { seedEntities } from '../../../subgraphs/entities/seed';
import { entitiesSubgraph } from '../../../subgraphs/entities/subgraph';
import { testDatabases } from '../../helpers/databases';
import { useSubgraph } from '../../helpers/subgraph';

const REGISTER = /* GraphQL */ `
  mutation Register($input: RegisterSubjectInput!) {
    registerSubject(input: $input) { id kind name unifiedSocialCreditCode citizenIdNumber status registrationDate }
  }
`;

const enterpriseCode = unifiedSocialCreditCode({ authority: '9', orgType: '1', division: '130304', organisationBody: 'MA0TEXT1' });
/** A code as an input method in full-width mode types it: ＡＢ１２ for AB12. */
const inFullWidth = (code: string) => code.replace(/[0-9A-Za-z]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));

describe.each(testDatabases)('entities subgraph on $label', (database) => {
  const { db, sql, query } = useSubgraph(entitiesSubgraph, database);
  const world = demoWorld({ subjects: 60 });
  const count = () => db().getRepository(Subject).count();

  it('seeds the demo world once: a second seed adds nothing', async () => {
    // 60 subjects and the 6 demo consents of the first five (seed.ts `demoConsents`).
    expect(await seedEntities(db(), world)).toBe(66);
    expect(await seedEntities(db(), world)).toBeNull();
    expect(await count()).toBe(60);
  });

  it('registers an enterprise with a valid code', async () => {
    const result = await query<{ registerSubject: Record<string, unknown> }>(REGISTER, {
      input: { kind: 'ENTERPRISE', name: '秦皇岛市北戴河区测试建设有限公司', code: enterpriseCode, registrationDate: '2015-06-01', legalRepresentative: '王伟' },
    });
    expect(result.errors).toBeUndefined();
    expect(result.data?.registerSubject).toMatchObject({ kind: 'ENTERPRISE', unifiedSocialCreditCode: enterpriseCode, citizenIdNumber: null, status: 'ACTIVE', registrationDate: '2015-06-01' });
  });

  it('registers a natural person by citizen ID number', async () => {
    const id = citizenIdNumber({ division: '130304', birthDate: '19800115', sequence: '123' });
    const result = await query<{ registerSubject: Record<string, unknown> }>(REGISTER, { input: { kind: 'NATURAL_PERSON', name: '李娜', code: id } });
    expect(result.errors).toBeUndefined();
    expect(result.data?.registerSubject).toMatchObject({ citizenIdNumber: id, unifiedSocialCreditCode: null, registrationDate: null });
  });

  it('counts the name, address and legal representative in characters, as the columns do: a rare character outside the BMP is one', async () => {
    const code = citizenIdNumber({ division: '130304', birthDate: '19800115', sequence: '124' });
    // 𠀀 is two UTF-16 units: each text is at its limit in characters, over it in units.
    const name = `秦皇岛${'𠀀'.repeat(subjectNameMaxLength - 3)}`;
    const result = await query<{ registerSubject: { name: string } }>(REGISTER, { input: { kind: 'NATURAL_PERSON', name, code } });
    expect(result.errors).toBeUndefined();
    expect(result.data?.registerSubject.name).toBe(name);
    const organisation = await query(REGISTER, {
      input: {
        kind: 'ENTERPRISE',
        name: '某某有限公司',
        code: unifiedSocialCreditCode({ authority: '9', orgType: '1', division: '130304', organisationBody: '77000099' }),
        registrationDate: '2015-06-01',
        registeredAddress: '𠀀'.repeat(300),
        legalRepresentative: '𠀀'.repeat(100),
      },
    });
    expect(organisation.errors).toBeUndefined();
    const longer = await query(REGISTER, { input: { kind: 'NATURAL_PERSON', name: `${name}𠀀`, code: citizenIdNumber({ division: '130304', birthDate: '19800115', sequence: '125' }) } });
    expect(longer.errors?.[0].message).toBe(`name must be at most ${subjectNameMaxLength} characters, got ${subjectNameMaxLength + 1}`);
  });

  const wrongCheck = enterpriseCode.slice(0, 17) + (enterpriseCode[17] === '0' ? '1' : '0');
  it.each([
    ['a wrong check character', { kind: 'ENTERPRISE', code: wrongCheck, registrationDate: '2015-01-01' }, 'INVALID_CREDIT_CODE', 'WRONG_CHECK_CHARACTER'],
    ['17 characters', { kind: 'ENTERPRISE', code: enterpriseCode.slice(0, 17), registrationDate: '2015-01-01' }, 'INVALID_CREDIT_CODE', 'WRONG_LENGTH'],
    ['a forbidden letter', { kind: 'ENTERPRISE', code: `${enterpriseCode.slice(0, 10)}I${enterpriseCode.slice(11)}`, registrationDate: '2015-01-01' }, 'INVALID_CREDIT_CODE', 'FORBIDDEN_CHARACTER'],
    ['a citizen ID with a wrong check digit', { kind: 'NATURAL_PERSON', code: '110105194912310021' }, 'INVALID_ID_NUMBER', 'WRONG_CHECK_CHARACTER'],
    ['a citizen ID with an impossible birth date', { kind: 'NATURAL_PERSON', code: citizenIdNumber({ division: '130304', birthDate: '19800115', sequence: '001' }).replace('19800115', '19800230') }, 'INVALID_ID_NUMBER', 'INVALID_BIRTH_DATE'],
  ])('refuses %s with a typed error and stores nothing', async (_label, input, code, problem) => {
    const before = await count();
    const result = await query(REGISTER, { input: { name: '某某有限公司', ...input } });
    expect(result.data).toEqual({ registerSubject: null });
    expect(result.errors?.[0].extensions).toMatchObject({ code, field: 'code', ...(problem ? { problem } : {}) });
    expect(result.errors?.[0].extensions).not.toHaveProperty('stacktrace');
    expect(await count()).toBe(before);
  });

  // GB 32100-2015 positions 1-2: who registered the organisation, and as what. The kind decides
  // which purposes read the subject, so one the code contradicts is refused on `kind`.
  const codeOf = (authority: string, orgType: string, body: string) => unifiedSocialCreditCode({ authority, orgType, division: '130304', organisationBody: body });
  it.each([
    ['an individual business’s code (92) as an enterprise', 'ENTERPRISE', codeOf('9', '2', 'KC000001'), 'individual businesses (INDIVIDUAL_BUSINESS)'],
    ['an individual business’s code (92) as an other organisation', 'OTHER_ORGANISATION', codeOf('9', '2', 'KC000002'), 'individual businesses (INDIVIDUAL_BUSINESS)'],
    ['an enterprise’s code (91) as an individual business', 'INDIVIDUAL_BUSINESS', codeOf('9', '1', 'KC000003'), 'enterprises (ENTERPRISE) or other organisations (OTHER_ORGANISATION)'],
    ['a social organisation’s code (51) as an enterprise', 'ENTERPRISE', codeOf('5', '1', 'KC000004'), 'other organisations (OTHER_ORGANISATION)'],
    ['a public institution’s code (12) as an individual business', 'INDIVIDUAL_BUSINESS', codeOf('1', '2', 'KC000005'), 'other organisations (OTHER_ORGANISATION)'],
  ])('refuses %s, naming the kinds the code can be, and stores nothing', async (_label, kind, code, kinds) => {
    const before = await count();
    const result = await query(REGISTER, { input: { kind, name: '秦皇岛市北戴河区种类测试商行', code, registrationDate: '2015-01-01' } });
    expect(result.data).toEqual({ registerSubject: null });
    const reason = `a unified social credit code beginning ${code.slice(0, 2)} is one of ${kinds} (GB 32100-2015, positions 1-2: who registered it and as what), so kind cannot be ${kind}`;
    expect(result.errors?.map((e) => e.extensions)).toEqual([{ code: 'BAD_USER_INPUT', field: 'kind', problem: 'KIND_CONTRADICTS_CODE', problems: [{ field: 'kind', reason, problem: 'KIND_CONTRADICTS_CODE' }] }]);
    expect(result.errors?.[0].message).toBe(reason);
    expect(await count()).toBe(before);
  });

  // A clerk who picked the wrong kind: the code is right, and the answer says so, on `kind`.
  it.each([
    ['a person’s ID number as an enterprise', { kind: 'ENTERPRISE', code: '130304199001012348', registrationDate: '2015-01-01' }, 'the code is a citizen ID number, of natural persons (NATURAL_PERSON), so kind cannot be ENTERPRISE'],
    ['an enterprise’s code as a person, with an enterprise’s fields', { kind: 'NATURAL_PERSON', code: codeOf('9', '1', 'KC000021'), registrationDate: '2015-01-01', legalRepresentative: '王五' }, 'the code is a unified social credit code, of enterprises (ENTERPRISE) or other organisations (OTHER_ORGANISATION), so kind cannot be NATURAL_PERSON'],
  ])('refuses %s on kind alone, KIND_CONTRADICTS_CODE, and stores nothing', async (_label, input, reason) => {
    const before = await count();
    const result = await query(REGISTER, { input: { name: '秦皇岛市北戴河区种类测试', ...input } });
    expect(result.data).toEqual({ registerSubject: null });
    expect(result.errors?.map((e) => e.extensions)).toEqual([{ code: 'BAD_USER_INPUT', field: 'kind', problem: 'KIND_CONTRADICTS_CODE', problems: [{ field: 'kind', reason, problem: 'KIND_CONTRADICTS_CODE' }] }]);
    expect(await count()).toBe(before);
  });

  it.each([
    ['an individual business under 92', 'INDIVIDUAL_BUSINESS', codeOf('9', '2', 'KC000011')],
    ['a partnership under 91 as an other organisation', 'OTHER_ORGANISATION', codeOf('9', '1', 'KC000012')],
    ['a farmers’ cooperative under 93 as an enterprise', 'ENTERPRISE', codeOf('9', '3', 'KC000013')],
    ['a social organisation under 51', 'OTHER_ORGANISATION', codeOf('5', '1', 'KC000014')],
    // Tianjin Jizhou's division (120119) and a body that reads as a date: the code passes as a citizen ID number too.
    ['a public institution whose code also reads as a citizen ID number', 'OTHER_ORGANISATION', '121201198501014307'],
  ])('registers %s', async (_label, kind, code) => {
    const result = await query<{ registerSubject: { kind: string; unifiedSocialCreditCode: string } }>(REGISTER, { input: { kind, name: '秦皇岛市北戴河区种类测试商行', code, registrationDate: '2015-01-01' } });
    expect(result.errors).toBeUndefined();
    expect(result.data?.registerSubject).toMatchObject({ kind, unifiedSocialCreditCode: code });
  });

  it('takes a registration date of today and says so when it refuses a later one', async () => {
    const today = todayInDistrict();
    const tomorrow = new Date(Date.parse(`${today}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
    const code = unifiedSocialCreditCode({ authority: '9', orgType: '1', division: '130304', organisationBody: 'RD7TD4YA' });
    const later = await query(REGISTER, { input: { kind: 'ENTERPRISE', name: '秦皇岛市北戴河区今日登记有限公司', code, registrationDate: tomorrow } });
    expect(later.errors?.map((e) => [e.extensions?.code, e.extensions?.field, e.message])).toEqual([['BAD_USER_INPUT', 'registrationDate', `registration date must be today (${today}) or earlier, got ${tomorrow}`]]);
    const registered = await query(REGISTER, { input: { kind: 'ENTERPRISE', name: '秦皇岛市北戴河区今日登记有限公司', code, registrationDate: today } });
    expect(registered.data?.registerSubject).toMatchObject({ registrationDate: today });
  });

  it.each([['spaces', '   '], ['zero-width characters', '\u200b\u200c\u2060'], ['punctuation only', '（）·——']])('refuses a name of %s, naming the field, and stores nothing', async (_label, name) => {
    const before = await count();
    const result = await query(REGISTER, { input: { kind: 'ENTERPRISE', name, code: enterpriseCode, registrationDate: '2015-01-01' } });
    expect(result.data).toEqual({ registerSubject: null });
    expect(result.errors?.map((e) => [e.extensions?.code, e.extensions?.field])).toEqual([['BAD_USER_INPUT', 'name']]);
    expect(await count()).toBe(before);
  });

  it.each([
    ['name', 'a name reversed by U+202E', { name: '秦皇岛\u202e司公限有' }],
    ['name', 'a name with a tab inside', { name: '秦皇岛\t示例有限公司' }],
    ['name', 'a name with a zero-width space inside', { name: '秦皇岛示例\u200b有限公司' }],
    ['registeredAddress', 'an address with U+3164', { registeredAddress: '北戴河区\u3164' }],
    ['legalRepresentative', 'a legal representative of invisible characters', { legalRepresentative: '\u200b\u200b' }],
  ])('refuses %s: %s, and stores nothing', async (field, _label, change) => {
    const before = await count();
    const result = await query(REGISTER, { input: { kind: 'ENTERPRISE', name: '秦皇岛示例有限公司', code: enterpriseCode, registrationDate: '2015-01-01', ...change } });
    expect(result.data).toEqual({ registerSubject: null });
    expect(result.errors?.map((e) => [e.extensions?.code, e.extensions?.field])).toEqual([['BAD_USER_INPUT', field]]);
    expect(await count()).toBe(before);
  });

  // README, Errors: a form in Chinese says 不能为空, 不得超过200字 or 含不可见字符 U+202E from `problem`, never from the English.
  it('tells each text refused by a `problem` a front end switches on, with its limit or character, at the top and in `problems`', async () => {
    const before = await count();
    const result = await query(REGISTER, {
      input: { kind: 'ENTERPRISE', name: ' ', code: enterpriseCode, registrationDate: '2015-01-01', registeredAddress: '字'.repeat(301), legalRepresentative: '王\u202e伟' },
    });
    expect(result.data).toEqual({ registerSubject: null });
    const { code, field, problem, problems } = result.errors![0].extensions as Record<string, unknown>;
    expect({ code, field, problem }).toEqual({ code: 'BAD_USER_INPUT', field: 'name', problem: 'EMPTY' });
    expect((problems as Record<string, unknown>[]).map(({ reason: _reason, ...told }) => told)).toEqual([
      { field: 'name', problem: 'EMPTY' },
      { field: 'registeredAddress', problem: 'TOO_LONG', max: 300 },
      { field: 'legalRepresentative', problem: 'FORBIDDEN_CHARACTER', character: 'U+202E' },
    ]);
    const unreadable = await query(REGISTER, { input: { kind: 'ENTERPRISE', name: '——', code: enterpriseCode, registrationDate: '2015-01-01' } });
    expect(unreadable.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'name', problem: 'NO_LETTER_OR_DIGIT' });
    expect(await count()).toBe(before);
  });

  // README, Errors: a required text box left blank is BAD_USER_INPUT naming it, whatever it holds.
  it.each([
    ['an enterprise', { kind: 'ENTERPRISE', registrationDate: '2015-01-01' }, ''],
    ['an enterprise', { kind: 'ENTERPRISE', registrationDate: '2015-01-01' }, ' \u3000 '],
    ['a natural person', { kind: 'NATURAL_PERSON' }, '  '],
  ])('refuses %s whose code is left blank (%j) with BAD_USER_INPUT naming code, not as a malformed identifier', async (_label, input, code) => {
    const before = await count();
    const result = await query(REGISTER, { input: { name: '某某有限公司', ...input, code } });
    expect(result.data).toEqual({ registerSubject: null });
    expect(result.errors?.map((e) => [e.extensions?.code, e.extensions?.field])).toEqual([['BAD_USER_INPUT', 'code']]);
    expect(result.errors?.[0].message).toMatch(/^code must not be empty/);
    expect(await count()).toBe(before);
  });

  it('stores an optional address or legal representative left blank as none (null), not as ""', async () => {
    const code = unifiedSocialCreditCode({ authority: '9', orgType: '1', division: '130304', organisationBody: 'MA0BLNK1' });
    const result = await query<{ registerSubject: { id: string } }>(REGISTER, { input: { kind: 'ENTERPRISE', name: '留空测试有限公司', code, registrationDate: '2015-01-01', registeredAddress: ' \u3000 ', legalRepresentative: '' } });
    expect(result.errors).toBeUndefined();
    const stored = await db().getRepository(Subject).findOneByOrFail({ id: result.data!.registerSubject.id });
    expect([stored.registeredAddress, stored.legalRepresentative]).toEqual([null, null]);
  });

  it('refuses a duplicate code with DUPLICATE_SUBJECT and stores nothing', async () => {
    const before = await count();
    const result = await query(REGISTER, { input: { kind: 'ENTERPRISE', name: '另一家公司', code: world.subjects.find((s) => s.kind === 'ENTERPRISE')?.identifier, registrationDate: '2010-01-01' } });
    expect(result.errors?.[0].extensions?.code).toBe('DUPLICATE_SUBJECT');
    expect(await count()).toBe(before);
  });

  it('refuses an organisation without a registration date, naming the field', async () => {
    const result = await query(REGISTER, { input: { kind: 'ENTERPRISE', name: '无日期公司', code: unifiedSocialCreditCode({ authority: '9', orgType: '1', division: '130304', organisationBody: 'MA0TEXT2' }) } });
    expect(result.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'registrationDate' });
  });

  it('finds a subject by code, trimming and upper-casing the input', async () => {
    const person = world.subjects.find((s) => s.kind === 'NATURAL_PERSON' && s.identifier.endsWith('X'));
    const subject = person ?? world.subjects[0];
    const result = await query<{ subjectByCode: { id: string } | null }>(`query($code: String!) { subjectByCode(code: $code) { id } }`, { code: ` ${subject.identifier.toLowerCase()} ` });
    expect(result.data?.subjectByCode?.id).toBe(subject.id);
  });

  it('finds a subject by its code typed in full width, with ideographic spaces around it', async () => {
    for (const subject of [world.subjects.find((s) => s.kind === 'NATURAL_PERSON')!, world.subjects.find((s) => s.kind === 'ENTERPRISE')!]) {
      const result = await query<{ subjectByCode: { id: string } | null }>(`query($code: String!) { subjectByCode(code: $code) { id } }`, { code: `\u3000${inFullWidth(subject.identifier)}\u3000` });
      expect({ code: subject.identifier, errors: result.errors, found: result.data?.subjectByCode?.id }).toEqual({ code: subject.identifier, errors: undefined, found: subject.id });
    }
  });

  it('registers a subject by its code typed in full width under the code itself', async () => {
    const id = citizenIdNumber({ division: '130304', birthDate: '19800115', sequence: '125' });
    const result = await query<{ registerSubject: Record<string, unknown> }>(REGISTER, { input: { kind: 'NATURAL_PERSON', name: '全角码', code: inFullWidth(id) } });
    expect(result.errors).toBeUndefined();
    expect(result.data?.registerSubject).toMatchObject({ citizenIdNumber: id });
    const again = await query(REGISTER, { input: { kind: 'NATURAL_PERSON', name: '全角码', code: id } });
    expect(again.errors?.[0].extensions?.code).toBe('DUPLICATE_SUBJECT');
  });

  it('registers a code typed in lower case under the code itself, and tells a lower-case retry which subject holds it', async () => {
    const code = unifiedSocialCreditCode({ authority: '9', orgType: '1', division: '130304', organisationBody: 'MA0QYJ2J' });
    expect(code).toMatch(/[A-Z]/);
    const result = await query<{ registerSubject: { id: string; unifiedSocialCreditCode: string } }>(REGISTER, { input: { kind: 'ENTERPRISE', name: '小写码有限公司', code: ` ${code.toLowerCase()} `, registrationDate: '2019-03-01' } });
    expect(result.errors).toBeUndefined();
    expect(result.data?.registerSubject.unifiedSocialCreditCode).toBe(code);
    const before = await count();
    const again = await query(REGISTER, { input: { kind: 'ENTERPRISE', name: '小写码有限公司', code: code.toLowerCase(), registrationDate: '2019-03-01' } });
    expect(again.errors?.[0].extensions).toMatchObject({ code: 'DUPLICATE_SUBJECT', field: 'code', subjectId: result.data?.registerSubject.id });
    expect(await count()).toBe(before);
  });

  it.each([
    ['a unified social credit code', '914403001922038217', 'INVALID_CREDIT_CODE', 'WRONG_CHECK_CHARACTER'],
    ['a citizen ID number', '110105194912310021', 'INVALID_ID_NUMBER', 'WRONG_CHECK_CHARACTER'],
    ['a citizen ID number born in month 13', '11010519491331002X', 'INVALID_ID_NUMBER', 'INVALID_BIRTH_DATE'],
    // Neither kind is 17 long: digits that begin as a person's number does are one that lost a character.
    ['a citizen ID number of 17 digits', '13030419730413001', 'INVALID_ID_NUMBER', 'WRONG_LENGTH'],
    ['a citizen ID number of 17 digits typed in full width', inFullWidth('13030419730413001'), 'INVALID_ID_NUMBER', 'WRONG_LENGTH'],
    ['a citizen ID number typed in full width, with a wrong check digit', inFullWidth('110105194912310021'), 'INVALID_ID_NUMBER', 'WRONG_CHECK_CHARACTER'],
    ['a unified social credit code of 17 characters', '91440300192203821', 'INVALID_CREDIT_CODE', 'WRONG_LENGTH'],
  ])('answers a lookup by a malformed %s with a typed error, not null', async (_label, code, expected, problem) => {
    const result = await query(`query($code: String!) { subjectByCode(code: $code) { id } }`, { code });
    expect(result.errors?.[0].extensions).toMatchObject({ code: expected, problem });
  });

  // Pasted with a character that does not show: whoever typed it counts 18 characters, so he is
  // told the character and where it is, not a length he cannot find, by a lookup and a registration alike.
  it.each([
    ['a unified social credit code ending in U+200B', 'ENTERPRISE', (code: string) => `${code}\u200b`, 'INVALID_CREDIT_CODE', 'unified social credit code', 'at position 19, U+200B, a format character, drawn as nothing'],
    ['a citizen ID number holding U+2060', 'NATURAL_PERSON', (code: string) => `${code.slice(0, 6)}\u2060${code.slice(6)}`, 'INVALID_ID_NUMBER', 'citizen ID number', 'at position 7, U+2060, a format character, drawn as nothing'],
  ] as const)('names the invisible character in %s, and where it is', async (_label, kind, pasted, expected, named, where) => {
    const subject = world.subjects.find((s) => s.kind === kind)!;
    const refusal = { code: expected, field: 'code', problem: 'FORBIDDEN_CHARACTER' };
    const message = `invalid ${named}: expected no invisible characters, got one ${where}: type it rather than paste it`;
    const found = await query(`query($code: String!) { subjectByCode(code: $code) { id } }`, { code: pasted(subject.identifier) });
    expect(found.errors?.map((e) => [e.message, e.extensions])).toEqual([[message, refusal]]);
    const before = await count();
    const registered = await query(REGISTER, { input: { kind, name: '粘贴码有限公司', code: pasted(subject.identifier), ...(kind === 'ENTERPRISE' ? { registrationDate: '2015-01-01' } : {}) } });
    expect(registered.errors?.map((e) => [e.message, e.extensions])).toEqual([[message, expect.objectContaining(refusal)]]);
    expect(await count()).toBe(before);
  });

  it('refuses a registration date in the future', async () => {
    const result = await query(REGISTER, { input: { kind: 'ENTERPRISE', name: '未来公司', code: unifiedSocialCreditCode({ authority: '9', orgType: '1', division: '130304', organisationBody: 'MA0TEXT3' }), registrationDate: '2099-01-01' } });
    expect(result.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'registrationDate' });
  });

  it('pages a name search with cursors and a total count', async () => {
    const SEARCH = `query($after: String) { searchSubjects(name: "北戴河区", first: 7, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { id name } } } }`;
    type Search = { searchSubjects: { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string | null }; edges: { node: { id: string; name: string } }[] } };
    const expected = (await db().getRepository(Subject).find()).filter((s) => s.name.includes('北戴河区'));
    const seen: string[] = [];
    let after: string | null = null;
    for (let pages = 0; pages < 20; pages++) {
      const result: Awaited<ReturnType<typeof query<Search>>> = await query<Search>(SEARCH, { after });
      const page = result.data!.searchSubjects;
      expect(page.totalCount).toBe(expected.length);
      seen.push(...page.edges.map((e) => e.node.id));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(seen).toHaveLength(expected.length);
    expect(new Set(seen)).toEqual(new Set(expected.map((s) => s.id)));
  });

  it.each([
    ['a page size over 100', 'first: 101', 'BAD_USER_INPUT'],
    ['a forged cursor', 'after: "not-a-cursor"', 'INVALID_CURSOR'],
  ])('refuses %s', async (_label, args, code) => {
    const result = await query(`{ searchSubjects(name: "北戴河区", ${args}) { totalCount } }`);
    expect(result.errors?.[0].extensions?.code).toBe(code);
  });

  it('searches for a term as long as a name can be, and refuses a longer one by name, before any statement', async () => {
    // Distinct characters, so that every bigram is a different one to count.
    const term = (length: number) => Array.from({ length }, (_, i) => String.fromCodePoint(0x4e00 + i * 7)).join('');
    const search = (name: string) => query(`query($name: String!) { searchSubjects(name: $name) { totalCount edges { node { id } } } }`, { name });
    const longest = await search(term(subjectNameMaxLength));
    expect(longest.errors).toBeUndefined();
    expect(longest.data).toEqual({ searchSubjects: { totalCount: 0, edges: [] } });
    for (const length of [subjectNameMaxLength + 1, 3_000]) {
      const statements = await sql.selectsDuring(async () => {
        const result = await search(term(length));
        expect(result.data).toEqual({ searchSubjects: null });
        expect(result.errors?.map((e) => [e.extensions?.code, e.extensions?.field])).toEqual([['BAD_USER_INPUT', 'name']]);
      });
      expect(statements).toBe(0);
    }
  });

  it("reports every subject on a search page as disclosed, though only cursors or ids are asked: the page says their names match, and cursors carry them", async () => {
    for (const selection of ['edges { cursor }', 'edges { node { id } }']) {
      const result = await query<{ searchSubjects: { edges: { node?: { id: string } }[] } }>(`{ searchSubjects(name: "北戴河区", first: 3) { ${selection} } }`);
      expect(result.errors).toBeUndefined();
      const disclosed = (result.extensions?.disclosures ?? []) as { subjectId: string; groups: string[] }[];
      expect(disclosed).toHaveLength(3);
      expect(disclosed.every((d) => d.groups.includes('SUBJECT_BASICS'))).toBe(true);
    }
  });

  it('reads a search page with one bounded statement and counts the matches only when totalCount is asked', async () => {
    const matching = (await db().getRepository(Subject).find()).filter((s) => s.name.includes('北戴河区'));
    expect(matching.length).toBeGreaterThan(3);
    const page = (selection: string) => sql.selectsDuring(async () => expect((await query(`{ searchSubjects(name: "北戴河区", first: 3) { ${selection} } }`)).errors).toBeUndefined());

    expect(await page('edges { node { id } }')).toBe(1);
    expect(sql.selects[0]).toMatch(/ORDER BY .* LIMIT/);
    expect(sql.selects[0]).not.toMatch(/OVER \(/);
    expect(await page('totalCount edges { node { id } }')).toBe(2);
    expect(sql.selects.filter((s) => /COUNT\(\*\)/.test(s))).toHaveLength(1);
  });

  describe('name search through the bigram index', () => {
    const SEARCH = `query($name: String!, $kind: SubjectKind, $after: String) { searchSubjects(name: $name, kind: $kind, first: 7, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { id name kind } } } }`;
    type Found = { id: string; name: string; kind: string };
    type Search = { searchSubjects: { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string | null }; edges: { node: Found }[] } };
    const searchAll = async (name: string, kind?: string) => {
      const found: Found[] = [];
      let after: string | null = null;
      for (let pages = 0; pages < 30; pages++) {
        const result: Awaited<ReturnType<typeof query<Search>>> = await query<Search>(SEARCH, { name, kind, after });
        expect(result.errors).toBeUndefined();
        found.push(...result.data!.searchSubjects.edges.map((e) => e.node));
        if (!result.data!.searchSubjects.pageInfo.hasNextPage) return { found, totalCount: result.data!.searchSubjects.totalCount };
        after = result.data!.searchSubjects.pageInfo.endCursor;
      }
      throw new Error('more than 30 pages');
    };
    /** Postings whose kind is not their subject's (none, if every writer of the index keeps it). */
    const postingsOfAnotherKind = async () => {
      const [row]: { n: unknown }[] = await db().query('SELECT COUNT(*) AS n FROM subject_name_gram g JOIN subject t ON t.id = g.subject_id WHERE g.kind <> t.kind');
      const [total]: { n: unknown }[] = await db().query('SELECT COUNT(*) AS n FROM subject_name_gram');
      expect(Number(total.n)).toBeGreaterThan(0);
      return Number(row.n);
    };
    const latin = { kind: 'ENTERPRISE', name: 'ABC Trading 50%_折扣 秦皇岛有限公司', code: unifiedSocialCreditCode({ authority: '9', orgType: '1', division: '130304', organisationBody: 'MA0NAME1' }), registrationDate: '2016-03-01' };

    it('finds a subject by any part of its name as soon as it is registered, ignoring the case of Latin letters, spaces and punctuation', async () => {
      expect((await query(REGISTER, { input: latin })).errors).toBeUndefined();
      for (const term of ['ABC', 'abc trading', 'c Tr', 'ctr', '50%_折', '50折', '扣 秦皇', '扣秦皇']) expect((await searchAll(term)).found.map((s) => s.name)).toContain(latin.name);
      // Wildcards are punctuation, left out: never a pattern (as one, a%c would have matched ABC).
      for (const term of ['abd', 'a%c', 'a_c', 'c%5']) expect((await searchAll(term)).found.map((s) => s.name)).not.toContain(latin.name);
    });

    it('registers subjects sent at the same time, each findable by its name', async () => {
      const names = Array.from({ length: 8 }, (_, i) => `同时登记第${i}号测试有限公司`);
      const results = await Promise.all(
        names.map((name, i) => query(REGISTER, { input: { kind: 'ENTERPRISE', name, code: unifiedSocialCreditCode({ authority: '9', orgType: '1', division: '130304', organisationBody: `MA0KW${i}0P` }), registrationDate: '2016-03-01' } })),
      );
      expect(results.map((r) => r.errors)).toEqual(names.map(() => undefined));
      expect((await searchAll('同时登记')).found.map((s) => s.name).sort()).toEqual([...names].sort());
    });

    it.each(['北戴河', '有限公司', '秦皇岛市北戴河区', '超市', '刘', 'zz', '海滨', '北戴河区赤土山'])('answers %p exactly as a scan of every name would, in name order, paged and counted', async (term) => {
      const subjects = await db().getRepository(Subject).find();
      // As a reader compares names (lib/text.ts): the index and its pages are what is tested here.
      const folded = nameAsRead;
      // Name order is code-point order on both drivers: the order of the names' UTF-8 bytes.
      const byName = (a: Subject, b: Subject) => Buffer.compare(Buffer.from(a.name), Buffer.from(b.name)) || (a.id < b.id ? -1 : 1);
      const expected = subjects.filter((s) => folded(s.name).includes(folded(term.trim()))).sort(byName);
      if ([...term].length < 2) return expect((await query(SEARCH, { name: term })).errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
      const { found, totalCount } = await searchAll(term);
      expect(found.map((s) => s.id)).toEqual(expected.map((s) => s.id));
      expect(totalCount).toBe(expected.length);
    });

    it("filters by kind in the index, each posting carrying its subject's kind", async () => {
      const subjects = await db().getRepository(Subject).find();
      for (const kind of ['NATURAL_PERSON', 'ENTERPRISE', 'OTHER_ORGANISATION', 'INDIVIDUAL_BUSINESS']) {
        // One of the kind's own names, and a term most subjects of other kinds hold.
        const ownName = subjects.find((s) => s.kind === kind)!.name;
        for (const term of [ownName, '北戴河']) {
          const expected = (await searchAll(term)).found.filter((s) => s.kind === kind);
          const { found, totalCount } = await searchAll(term, kind);
          expect(found).toEqual(expected);
          expect(totalCount).toBe(expected.length);
        }
        expect((await searchAll(ownName, kind)).found.map((s) => s.name)).toContain(ownName);
      }
      // The postings of other kinds are skipped before their subjects are read.
      await sql.selectsDuring(async () => expect((await query(SEARCH, { name: '北戴河', kind: 'NATURAL_PERSON' })).errors).toBeUndefined());
      expect(sql.selects.find((s) => /subject_name_gram/.test(s))).toMatch(/g\.kind IN \(/);
      expect(await postingsOfAnotherKind()).toBe(0);
    });

    it('reads a page off the index of the rarest bigram, counting each bigram once per process', async () => {
      const page = (term: string) => sql.selectsDuring(async () => expect((await query(`{ searchSubjects(name: "${term}", first: 3) { edges { node { id } } } }`)).errors).toBeUndefined());
      // Two characters are one bigram: nothing to choose, one statement.
      expect(await page('戴河')).toBe(1);
      expect(sql.selects[0]).toMatch(/subject_name_gram/);
      // A longer term's bigrams are counted (bounded) once, then remembered.
      expect(await page('戴河区鸽子窝')).toBe(2);
      expect(sql.selects[0]).toMatch(/COUNT\(\*\).*LIMIT 1000/);
      expect(await page('戴河区鸽子窝')).toBe(1);
    });

    it('counts the matches through the index only when its postings are few, else by a scan of the names', async () => {
      const counting = async (term: string) => {
        await sql.selectsDuring(async () => expect((await query(`{ searchSubjects(name: "${term}", first: 3) { totalCount } }`)).errors).toBeUndefined());
        const count = sql.selects.find((s) => /SELECT COUNT\(\*\) AS total/.test(s));
        expect(count).toBeDefined();
        return count!;
      };
      // A bigram alone is not counted: its postings may be every subject's.
      expect(await counting('戴河')).not.toMatch(/subject_name_gram/);
      // The rarest of a longer term's bigrams has fewer than 1,000 postings here.
      expect(await counting('戴河区鸽子窝')).toMatch(/subject_name_gram/);
    });

    it('indexes the names of subjects registered before the index existed, with their kinds (the migrations)', async () => {
      const [created, withKinds, folded] = [new IndexSubjectNames1764000000020(), new NamePostingsKind1764000000030(), new FoldedSubjectNames1764000000050()];
      const runner = db().createQueryRunner();
      try {
        await folded.down(runner);
        await withKinds.down(runner);
        await created.down(runner);
        await created.up(runner);
        await withKinds.up(runner);
        await folded.up(runner);
      } finally {
        await runner.release();
      }
      expect(await postingsOfAnotherKind()).toBe(0);
      const subjects = await db().getRepository(Subject).find();
      const person = subjects.find((s) => s.kind === 'NATURAL_PERSON')!;
      expect((await searchAll(person.name, 'NATURAL_PERSON')).found.map((s) => s.id)).toContain(person.id);
      const expected = subjects.filter((s) => s.name.includes('北戴河')).length;
      expect(expected).toBeGreaterThan(3);
      expect((await searchAll('北戴河')).found).toHaveLength(expected);
      expect((await searchAll('abc trading')).found.map((s) => s.name)).toEqual([latin.name]);
    });

    it('folds the names of subjects registered before names were folded, and indexes them again (the migration)', async () => {
      const folding = new FoldedSubjectNames1764000000050();
      const earlier = { id: '6f1d0000-0000-4000-8000-000000000050', name: '旧库探针（北戴河）第２分公司ＡＢ', code: unifiedSocialCreditCode({ authority: '9', orgType: '1', division: '130304', organisationBody: 'MA0F0LD1' }) };
      const runner = db().createQueryRunner();
      try {
        await folding.down(runner);
        // As the register wrote a subject then: no key, and its name's characters lower-cased one at a time for the index.
        await runner.query(
          "INSERT INTO subject (id, kind, name, identifier, identifier_kind, status, registration_date, created_at) VALUES (?, 'ENTERPRISE', ?, ?, 'UNIFIED_SOCIAL_CREDIT_CODE', 'ACTIVE', '2016-03-01', '2026-01-01 00:00:00.000')",
          [earlier.id, earlier.name, earlier.code],
        );
        const characters = Array.from(earlier.name.toLowerCase());
        for (const gram of new Set(characters.slice(1).map((c, i) => characters[i] + c))) {
          await runner.query("INSERT INTO subject_name_gram (gram, name, subject_id, kind) VALUES (?, ?, ?, 'ENTERPRISE')", [gram, earlier.name, earlier.id]);
        }
        await folding.up(runner);
      } finally {
        await runner.release();
      }
      // Keyed as names are read now (1764000000090), the key this migration computes.
      expect(await db().query('SELECT name_key FROM subject WHERE id = ?', [earlier.id])).toEqual([{ name_key: '旧库探针北戴河第2分公司ab' }]);
      for (const term of ['探针(北戴河)', '第2分公司ab', '（北戴河）第２', '分公司ＡＢ']) expect((await searchAll(term)).found.map((s) => s.id)).toEqual([earlier.id]);
      // Every other subject's name is folded and indexed again too.
      expect(await postingsOfAnotherKind()).toBe(0);
      const subjects = await db().getRepository(Subject).find();
      expect((await searchAll('北戴河')).found).toHaveLength(subjects.filter((s) => s.name.includes('北戴河')).length);
      expect((await searchAll('ABC TRADING')).found.map((s) => s.name)).toEqual([latin.name]);
    });
  });

  it('resolves references in one SQL statement for 5 and for 50 subjects, null for unknown ids', async () => {
    const ENTITIES = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Subject { id name } } }`;
    const statementsFor = (n: number) =>
      sql.selectsDuring(async () => {
        const representations = world.subjects.slice(0, n).map((s) => ({ __typename: 'Subject', id: s.id }));
        const result = await query<{ _entities: ({ id: string } | null)[] }>(ENTITIES, { r: [...representations, { __typename: 'Subject', id: 'missing' }] });
        expect(result.data?._entities.slice(0, n).map((e) => e?.id)).toEqual(world.subjects.slice(0, n).map((s) => s.id));
        expect(result.data?._entities[n]).toBeNull();
      });
    expect(await statementsFor(5)).toBe(1);
    expect(await statementsFor(50)).toBe(1);
  });

  it('looks up 5 and 50 codes of one request (record intake’s aliased subjectByCode) in one SQL statement, null for unregistered codes', async () => {
    const unregistered = unifiedSocialCreditCode({ authority: '9', orgType: '1', division: '130304', organisationBody: 'MA0UNKN0' });
    const statementsFor = (n: number) =>
      sql.selectsDuring(async () => {
        const codes = [...world.subjects.slice(0, n).map((s) => s.identifier.toLowerCase()), unregistered];
        const fields = codes.map((_, i) => `c${i}: subjectByCode(code: $c${i}) { id }`).join(' ');
        const declarations = codes.map((_, i) => `$c${i}: String!`).join(', ');
        const result = await query<Record<string, { id: string } | null>>(`query(${declarations}) { ${fields} }`, Object.fromEntries(codes.map((code, i) => [`c${i}`, code])));
        expect(result.errors).toBeUndefined();
        expect(codes.map((_, i) => result.data?.[`c${i}`]?.id ?? null)).toEqual([...world.subjects.slice(0, n).map((s) => s.id), null]);
      });
    expect(await statementsFor(5)).toBe(1);
    expect(await statementsFor(50)).toBe(1);
  });
});
