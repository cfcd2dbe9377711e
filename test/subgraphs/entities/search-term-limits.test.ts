import { Kind, parse, type FieldDefinitionNode, type ObjectTypeDefinitionNode } from 'graphql';
import { readSdl } from '../../../schema/subgraphs';
import { subjectNameKeyMaxLength, subjectNameMaxLength } from '../../../subgraphs/entities/entities/subject.entity';
import { entitiesSubgraph } from '../../../subgraphs/entities/subgraph';
import { testDatabases } from '../../helpers/databases';
import { useSubgraph } from '../../helpers/subgraph';

/**
 * A search term is refused by its length as typed and by the length of its fold, in which a
 * compatibility form is written out (㍿ is the four characters 株式会社): the schema, which front
 * ends code against, must say both.
 */
const SEARCH = /* GraphQL */ `query Search($name: String!) { searchSubjects(name: $name) { totalCount } }`;

function searchSubjectsField(): FieldDefinitionNode {
  const query = parse(readSdl('entities')).definitions.find((d): d is ObjectTypeDefinitionNode => d.kind === Kind.OBJECT_TYPE_DEFINITION && d.name.value === 'Query');
  const field = query?.fields?.find((f) => f.name.value === 'searchSubjects');
  if (!field) throw new Error('the entities SDL has no Query.searchSubjects');
  return field;
}

describe('Query.searchSubjects in the entities SDL', () => {
  const field = searchSubjectsField();
  const nameArgument = field.arguments?.find((a) => a.name.value === 'name');

  it.each([
    ['the field', field.description?.value],
    ['its name argument', nameArgument?.description?.value],
  ])('states in %s the limits search enforces: the term as typed, and its folded form with compatibility forms written out', (_where, text) => {
    const description = text?.replace(/\s+/g, ' ');
    expect(description).toContain(`${subjectNameMaxLength} characters`);
    expect(description).toMatch(new RegExp(`at most ${subjectNameKeyMaxLength}\\b`));
    expect(description).toContain('㍿');
    expect(description).toContain('株式会社');
  });
});

describe.each(testDatabases)('searchSubjects refuses a term by its folded length on $label', (database) => {
  const { query } = useSubgraph(entitiesSubgraph, database, 'searchterm');
  // Each ㍿ folds to 株式会社: within the typed limit, four times as long folded.
  const perSign = Array.from('㍿'.normalize('NFKC')).length;
  const fitting = '㍿'.repeat(subjectNameKeyMaxLength / perSign);

  it(`searches for a term whose fold is exactly ${subjectNameKeyMaxLength} characters`, async () => {
    expect(perSign).toBe(4);
    const result = await query(SEARCH, { name: fitting });
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({ searchSubjects: { totalCount: 0 } });
  });

  it(`refuses one more ㍿, ${subjectNameKeyMaxLength + perSign} characters folded though ${Array.from(fitting).length + 1} as typed, as the schema says`, async () => {
    const result = await query(SEARCH, { name: `${fitting}㍿` });
    expect(result.data).toEqual({ searchSubjects: null });
    expect(result.errors?.map((e) => [e.extensions?.code, e.extensions?.field])).toEqual([['BAD_USER_INPUT', 'name']]);
    expect(result.errors?.[0].message).toContain(`at most ${subjectNameKeyMaxLength} characters once its compatibility forms are written out (㍿ as 株式会社)`);
  });
});
