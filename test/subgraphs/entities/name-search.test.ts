import { randomUUID } from 'node:crypto';
import { unifiedSocialCreditCode } from '../../../lib/identifiers';
import { hasInvisibleCharacters } from '../../../lib/text';
import { Subject } from '../../../subgraphs/entities/entities/subject.entity';
import { indexSubjectNames, subjectNameKey } from '../../../subgraphs/entities/subject-names';
import { entitiesSubgraph } from '../../../subgraphs/entities/subgraph';
import { testDatabases } from '../../helpers/databases';
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
        const subject = Object.assign(new Subject(), { id: randomUUID(), kind: 'ENTERPRISE', name, nameKey: subjectNameKey(name), identifier: code, identifierKind: 'UNIFIED_SOCIAL_CREDIT_CODE', registeredAddress: null, legalRepresentative: null, status: 'ACTIVE', registrationDate: '2016-03-01', createdAt: new Date() });
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
    ['full-width % and _, matched literally', '50％＿', '五折50%_特卖行'],
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

  it('refuses a term of fewer than two characters once its invisible ones are left out', async () => {
    const result = await query(SEARCH, { name: 'd\u200B' });
    expect(result.errors?.map((e) => [e.extensions?.code, e.extensions?.field])).toEqual([['BAD_USER_INPUT', 'name']]);
    // The message shows what it left out, so that the term does not read as two characters.
    expect(result.errors?.[0].message).toContain('got "d\\u200b"');
  });
});
