import { randomUUID } from 'node:crypto';
import type { Caller, RequestIdentity } from '../../../lib/access/identity';
import { citizenIdNumber, unifiedSocialCreditCode } from '../../../lib/identifiers';
import { hasInvisibleCharacters, nameKey } from '../../../lib/text';
import { Subject } from '../../../subgraphs/entities/entities/subject.entity';
import { indexSubjectNames } from '../../../subgraphs/entities/subject-names';
import { entitiesSubgraph } from '../../../subgraphs/entities/subgraph';
import { testDatabases } from '../../helpers/databases';
import { decidedIdentity, fullAccess } from '../../helpers/identity';
import { useSubgraph } from '../../helpers/subgraph';

const REGISTER = /* GraphQL */ `mutation Register($input: RegisterSubjectInput!) { registerSubject(input: $input) { id } }`;
// Two a page, so that names differing only in case or width are paged across by cursor.
const SEARCH = /* GraphQL */ `query Search($name: String!, $after: String) { searchSubjects(name: $name, first: 2, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { name } } } }`;
type Search = { searchSubjects: { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string | null }; edges: { node: { name: string } }[] } };

// Chinese input methods type brackets, digits and Latin letters full-width; registrations carry either form.
const names = [
  '前端探针(北戴河)第2分公司',
  '前端探针（秦皇岛）第３分公司',
  '前端探针页Ｄ',
  'ＡＢＣ贸易有限公司',
  'Café北戴河咖啡馆',
  '北戴河\u200B鸽子窝茶社',
  '五折50%_特卖行',
  '五折50ab特卖行',
  // Spaces copied with a name from a web page, no-break ones among them.
  '北戴河 金海湾 大酒店有限公司',
  '北戴河\u00a0碧水\u00a0物业有限公司',
  '天润物业服务有限公司',
  // Registered out of order: the search orders them.
  '排序样例Ｄ',
  '排序样例c',
  '排序样例E',
  '排序样例CC',
  '排序样例C',
];

describe.each(testDatabases)('searchSubjects on $label: names compared by their folds', (database) => {
  const { query, db } = useSubgraph(entitiesSubgraph, database, 'namefold');

  beforeAll(async () => {
    for (const [i, name] of names.entries()) {
      const code = unifiedSocialCreditCode({ authority: '9', orgType: '1', division: '130304', organisationBody: `MA0FW${String(i).padStart(2, '0')}X` });
      if (hasInvisibleCharacters(name)) {
        // Registration refuses such a name now; one registered before is still found as it reads.
        const subject = Object.assign(new Subject(), { id: randomUUID(), kind: 'ENTERPRISE', name, nameKey: nameKey(name), identifier: code, identifierKind: 'UNIFIED_SOCIAL_CREDIT_CODE', registeredAddress: null, legalRepresentative: null, status: 'ACTIVE', registrationDate: '2016-03-01', createdAt: new Date() });
        await db().getRepository(Subject).insert(subject);
        await indexSubjectNames(db().manager, [subject]);
        continue;
      }
      const result = await query(REGISTER, { input: { kind: 'ENTERPRISE', name, code, registrationDate: '2016-03-01' } });
      expect(result.errors).toBeUndefined();
    }
  });

  /** Every page of a search, in order, and the total count each page reported. */
  async function search(name: string): Promise<{ names: string[]; totalCounts: number[] }> {
    const found: string[] = [];
    const totalCounts: number[] = [];
    let after: string | null = null;
    for (let pages = 0; pages < 10; pages++) {
      const result: Awaited<ReturnType<typeof query<Search>>> = await query<Search>(SEARCH, { name, after });
      expect(result.errors).toBeUndefined();
      const page = result.data!.searchSubjects;
      found.push(...page.edges.map((e) => e.node.name));
      totalCounts.push(page.totalCount);
      if (!page.pageInfo.hasNextPage) return { names: found, totalCounts };
      after = page.pageInfo.endCursor;
    }
    throw new Error('more than 10 pages');
  }

  it.each([
    ['full-width brackets', '探针（北戴河）', '前端探针(北戴河)第2分公司'],
    ['a full-width digit', '第２分公司', '前端探针(北戴河)第2分公司'],
    ['half-width brackets and digits', '探针(秦皇岛)第3分', '前端探针（秦皇岛）第３分公司'],
    ['a half-width lower-case letter', '探针页d', '前端探针页Ｄ'],
    ['a full-width lower-case letter', '探针页ｄ', '前端探针页Ｄ'],
    ['half-width lower-case letters', 'abc贸易', 'ＡＢＣ贸易有限公司'],
    ['full-width letters of mixed case', 'Ａｂｃ', 'ＡＢＣ贸易有限公司'],
    ['upper-case Latin with an accent', 'CAFÉ', 'Café北戴河咖啡馆'],
    ['an accent typed as a combining mark', 'cafe\u0301北', 'Café北戴河咖啡馆'],
    ['no invisible character where the name has one', '河鸽子', '北戴河\u200B鸽子窝茶社'],
    ['an invisible character the name lacks', '咖\u200B啡馆', 'Café北戴河咖啡馆'],
    ['full-width % and _ where the name has them half-width', '50％＿特卖', '五折50%_特卖行'],
    ['none of the punctuation the name has', '折50特卖', '五折50%_特卖行'],
    ['none of the spaces the name has', '金海湾大酒店', '北戴河 金海湾 大酒店有限公司'],
    ['none of the no-break spaces the name has', '碧水物业', '北戴河\u00a0碧水\u00a0物业有限公司'],
    ['spaces where the name has none', '北戴河金海湾 大 酒店', '北戴河 金海湾 大酒店有限公司'],
    ['a space the name lacks', '天润 物业', '天润物业服务有限公司'],
    ['an ideographic space the name lacks', '天润\u3000物业', '天润物业服务有限公司'],
    ['a middle dot the name lacks', '天润·物业', '天润物业服务有限公司'],
  ])('finds a name by a term with %s', async (_what, term, name) => {
    expect(await search(term)).toEqual({ names: [name], totalCounts: [1] });
  });

  it('tells accented letters from plain ones, as NFKC does', async () => {
    expect(await search('cafe')).toEqual({ names: [], totalCounts: [0] });
  });

  it('orders names differing only in case or width by code point, paged by cursor, the same on both drivers', async () => {
    // A term of one bigram counts by a scan of the keys, a longer one through the postings.
    expect(await search('样例')).toEqual({ names: ['排序样例C', '排序样例CC', '排序样例E', '排序样例c', '排序样例Ｄ'], totalCounts: [5, 5, 5] });
    expect(await search('排序样例')).toEqual({ names: ['排序样例C', '排序样例CC', '排序样例E', '排序样例c', '排序样例Ｄ'], totalCounts: [5, 5, 5] });
    expect(await search('样例c')).toEqual({ names: ['排序样例C', '排序样例CC', '排序样例c'], totalCounts: [3, 3] });
    expect(await search('样例ｄ')).toEqual({ names: ['排序样例Ｄ'], totalCounts: [1] });
  });

  it.each([
    ['invisible characters', 'd\u200B', 'got "d\\u200b"'],
    ['spaces and punctuation', '天 · ', 'got "天 ·"'],
    ['LIKE wildcards, punctuation too', '%%', 'got "%%"'],
  ])('refuses a term of fewer than two characters once its %s are left out', async (_what, term, got) => {
    const result = await query(SEARCH, { name: term });
    expect(result.errors?.map((e) => [e.extensions?.code, e.extensions?.field])).toEqual([['BAD_USER_INPUT', 'name']]);
    expect(result.errors?.[0].message).toContain('spaces, punctuation and invisible characters left out');
    // The message shows what it left out, so that the term does not read as two characters.
    expect(result.errors?.[0].message).toContain(got);
  });
});

/**
 * Natural persons are found by a name search in the credit office's supervision only: under any
 * other purpose a case number and two characters of a name would list every resident who bears
 * them, with the citizen ID number and address the purpose unmasks (policy 五(三)). A department
 * looks its candidate up by the citizen ID number the candidate gives; organisations are still
 * found by any part of their name.
 */
describe.each(testDatabases)('searchSubjects on $label: natural persons listed in the supervision only', (database) => {
  const { query, queryAs, sql } = useSubgraph(entitiesSubgraph, database, 'personsearch');
  const officer = (organisation: string): Caller => ({ id: `officer-${organisation.toLowerCase()}`, organisation, organisationKind: 'DEPARTMENT', role: 'DEPARTMENT_OFFICER' });
  const personnelReview = decidedIdentity(officer('ORGANISATION'), { matter: 'PERSONNEL_REVIEW', caseNumber: 'BDH-ZZ-2026-031' });
  const qualificationReview = decidedIdentity(officer('WATER'), { matter: 'QUALIFICATION_REVIEW', caseNumber: 'BDH-ZZ-2026-040' });
  const keyFieldSupervision = decidedIdentity(officer('MARKET_REGULATION'), { matter: 'KEY_FIELD_SUPERVISION', caseNumber: 'BDH-JG-2026-007' });
  const address = '河北省秦皇岛市北戴河区联峰路12号';
  const candidate = { kind: 'NATURAL_PERSON', name: '陈建华', code: citizenIdNumber({ division: '130304', birthDate: '19990412', sequence: '140' }), registeredAddress: address };
  const namesake = { kind: 'NATURAL_PERSON', name: '王建华', code: citizenIdNumber({ division: '130304', birthDate: '19750203', sequence: '251' }), registeredAddress: address };
  const enterprise = (name: string, body: string) => ({ kind: 'ENTERPRISE', name, code: unifiedSocialCreditCode({ authority: '9', orgType: '1', division: '130304', organisationBody: body }), registrationDate: '2016-03-01' });
  // In name order (code points): 北 王 秦 陈, so that the persons fall between the organisations' pages.
  const organisations = [enterprise('北戴河建华商贸有限公司', 'MA0JH01X'), enterprise('秦皇岛建华建材有限公司', 'MA0JH02X')];
  const ids = new Map<string, string>();
  const PAGE = /* GraphQL */ `query Page($name: String!, $kind: SubjectKind, $after: String) { searchSubjects(name: $name, kind: $kind, first: 1, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { id name } } } }`;
  type Page = { searchSubjects: { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string | null }; edges: { node: { id: string; name: string } }[] } | null };

  beforeAll(async () => {
    for (const input of [candidate, namesake, ...organisations]) {
      const result = await query<{ registerSubject: { id: string } }>(REGISTER, { input });
      expect(result.errors).toBeUndefined();
      ids.set(input.name, result.data!.registerSubject.id);
    }
    // The policy's own decisions: the review purposes unmask a person's number and address.
    for (const identity of [personnelReview, qualificationReview]) expect(identity.grants).toEqual(expect.arrayContaining(['SUBJECT_BASICS', 'PERSONAL_IDENTIFIERS']));
  });

  /** Every page of a search, a subject a page, with the total count and the subjects disclosed on each. */
  async function pages(as: RequestIdentity, name: string, kind?: string): Promise<{ names: string[]; totalCounts: number[]; disclosed: string[] }> {
    const found: string[] = [];
    const totalCounts: number[] = [];
    const disclosed: string[] = [];
    let after: string | null = null;
    for (let n = 0; n < 10; n++) {
      const result: Awaited<ReturnType<typeof queryAs<Page>>> = await queryAs<Page>(as, PAGE, { name, kind, after });
      expect(result.errors).toBeUndefined();
      const page = result.data!.searchSubjects!;
      found.push(...page.edges.map((e) => e.node.name));
      totalCounts.push(page.totalCount);
      disclosed.push(...((result.extensions?.disclosures ?? []) as { subjectId: string }[]).map((d) => d.subjectId));
      if (!page.pageInfo.hasNextPage) return { names: found, totalCounts, disclosed };
      after = page.pageInfo.endCursor;
    }
    throw new Error('more than 10 pages');
  }

  it.each([
    ['qualification review', () => qualificationReview],
    ['key field supervision', () => keyFieldSupervision],
  ])('lists organisations alone by a fragment of a name under %s, counted and paged without the persons who bear it', async (_label, as) => {
    const organisationIds = organisations.map((o) => ids.get(o.name));
    expect(await pages(as(), '建华')).toEqual({ names: organisations.map((o) => o.name), totalCounts: [2, 2], disclosed: organisationIds });
    // A person's whole name lists no person either: a namesake's number is no less personal.
    expect(await pages(as(), candidate.name)).toEqual({ names: [], totalCounts: [0], disclosed: [] });
    expect(await pages(as(), '建华', 'ENTERPRISE')).toEqual({ names: organisations.map((o) => o.name), totalCounts: [2, 2], disclosed: organisationIds });
  });

  it('reads such a page with one statement, as the supervision does', async () => {
    const page = (as: RequestIdentity) => sql.selectsDuring(async () => expect((await queryAs(as, `{ searchSubjects(name: "建华", first: 1) { edges { node { id } } } }`)).errors).toBeUndefined());
    expect(await page(qualificationReview)).toBe(1);
    expect(await page(fullAccess)).toBe(1);
  });

  it.each([
    ['personnel review, which covers natural persons alone, by a fragment', () => personnelReview, '建华', undefined],
    ['personnel review, by a whole name', () => personnelReview, candidate.name, undefined],
    ['personnel review, for natural persons', () => personnelReview, '建华', 'NATURAL_PERSON'],
    ['qualification review, for natural persons', () => qualificationReview, '建华', 'NATURAL_PERSON'],
  ])('refuses a name search for persons under %s, pointing to the citizen ID number, before anything is read', async (_label, as, name, kind) => {
    const statements = await sql.selectsDuring(async () => {
      const result = await queryAs(as(), `query($name: String!, $kind: SubjectKind) { searchSubjects(name: $name, kind: $kind) { totalCount edges { node { name citizenIdNumber registeredAddress } } } }`, { name, kind });
      expect(result.data).toEqual({ searchSubjects: null });
      expect(result.errors?.map((e) => e.extensions)).toEqual([{ code: 'FORBIDDEN', problem: 'PURPOSE_MISMATCH' }]);
      expect(result.errors?.[0].message).toContain('subjectByCode');
      expect(result.extensions?.disclosures).toBeUndefined();
    });
    expect(statements).toBe(0);
  });

  it.each([
    ['personnel review', () => personnelReview],
    ['qualification review', () => qualificationReview],
  ])('finds the candidate by the citizen ID number under %s, number and address in full', async (_label, as) => {
    const result = await queryAs<{ subjectByCode: unknown }>(as(), `query($code: String!) { subjectByCode(code: $code) { id name citizenIdNumber registeredAddress } }`, { code: candidate.code });
    expect(result.errors).toBeUndefined();
    expect(result.data?.subjectByCode).toEqual({ id: ids.get(candidate.name), name: candidate.name, citizenIdNumber: candidate.code, registeredAddress: address });
  });

  it('lists natural persons by a fragment of their name to the credit office in its supervision', async () => {
    const everyone = [organisations[0], namesake, organisations[1], candidate].map((s) => s.name);
    expect(await pages(fullAccess, '建华')).toMatchObject({ names: everyone, totalCounts: [4, 4, 4, 4] });
    expect(await pages(fullAccess, '建华', 'NATURAL_PERSON')).toMatchObject({ names: [namesake.name, candidate.name], totalCounts: [2, 2] });
  });

  it('refuses a search to a request scoped to one subject, as before: a subject reading its own, a bank under a consent', async () => {
    const selfInquiry = decidedIdentity({ id: 'person-user', organisation: candidate.code, organisationKind: 'INDIVIDUAL', role: 'EXTERNAL_USER', subjectId: ids.get(candidate.name) }, { matter: 'SELF_INQUIRY' });
    const bank = decidedIdentity({ id: 'bank-user', organisation: 'BANK-1', organisationKind: 'FINANCIAL_INSTITUTION', role: 'EXTERNAL_USER' }, { matter: 'FINANCIAL_SERVICES', consentId: 'consent-1' });
    // The gateway scopes a request under a consent to the consent's subject (gateway/request-access.ts).
    for (const as of [selfInquiry, { ...bank, scope: { ...bank.scope, subjectId: ids.get(candidate.name) } }]) {
      expect(as.grants).toContain('SUBJECT_BASICS');
      const result = await queryAs(as, `{ searchSubjects(name: "建华") { totalCount } }`);
      expect(result.errors?.map((e) => e.extensions)).toEqual([{ code: 'FORBIDDEN', problem: 'OUTSIDE_SUBJECT_SCOPE' }]);
    }
  });
});
