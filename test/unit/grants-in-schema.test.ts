import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Kind, parse, type FieldDefinitionNode } from 'graphql';
import { readSdl, subgraphNames, type SubgraphName } from '../../schema/subgraphs';
import { grantOf } from '../../subgraphs/shared/access';
import { subgraphDefinitions } from '../../subgraphs/registry';

/**
 * Guard rails for a contributor adding to a subgraph's SDL. Only a field carrying `@grant` is
 * refused to a caller without its group and audited (subgraphs/shared/access.ts enforceGrants,
 * gateway/field-guards.ts): a field without one is served to every caller who reaches it, and
 * nothing fails when that was an oversight. So every such field is either public on purpose,
 * listed below, or a test failure that says what to do.
 */

interface ObjectField {
  subgraph: SubgraphName;
  type: string;
  field: FieldDefinitionNode;
}

const objectFields: ObjectField[] = subgraphNames.flatMap((subgraph) =>
  parse(readSdl(subgraph)).definitions.flatMap((definition) =>
    definition.kind === Kind.OBJECT_TYPE_DEFINITION || definition.kind === Kind.OBJECT_TYPE_EXTENSION
      ? (definition.fields ?? []).map((field) => ({ subgraph, type: definition.name.value, field }))
      : [],
  ),
);

const schemaFile = (subgraph: SubgraphName) => `subgraphs/${subgraph}/schema.graphql`;

describe('fields without @grant', () => {
  const allowListFile = 'test/unit/public-fields.json';
  /** Type → the fields of it that are public on purpose (each to whoever reaches its type). */
  const publicFields: Record<string, string[]> = JSON.parse(readFileSync(path.join(__dirname, 'public-fields.json'), 'utf8'));
  /** Paging and identity tell nothing of their own: what they lead to is guarded where it is reached. */
  const publicByRule = (type: string, field: string) =>
    field === 'id' ||
    type === 'PageInfo' ||
    (type.endsWith('Connection') && ['edges', 'pageInfo', 'totalCount'].includes(field)) ||
    (type.endsWith('Edge') && ['cursor', 'node'].includes(field));
  const listed = (type: string, field: string) => publicFields[type]?.includes(field) ?? false;

  it('are only those public on purpose', () => {
    const problems = objectFields
      .filter(({ type, field }) => !grantOf(field) && !publicByRule(type, field.name.value) && !listed(type, field.name.value))
      .map(({ subgraph, type, field }) =>
        `${type}.${field.name.value} (${schemaFile(subgraph)}) has no @grant: give it @grant(group: …) (see docs/access.md / README Who may read what) or, if it is public on purpose, add it to ${allowListFile}`,
      );
    expect(problems).toEqual([]);
  });

  it('lists no field that is gone or now has a @grant', () => {
    const ungranted = new Set(objectFields.filter(({ field }) => !grantOf(field)).map(({ type, field }) => `${type}.${field.name.value}`));
    const stale = Object.entries(publicFields)
      .flatMap(([type, fields]) => fields.map((field) => `${type}.${field}`))
      .filter((coordinate) => !ungranted.has(coordinate))
      .map((coordinate) => `${coordinate} is listed in ${allowListFile} but no subgraph serves it without @grant: remove it from the list`);
    expect(stale).toEqual([]);
  });
});

describe('types with @grant fields', () => {
  /**
   * Object types that hold no market subject's data, with why: their guarded fields are checked
   * for the group but disclose nothing to a subject's trail. The root types are here by rule:
   * a root field's subject is found from its result's type (enforceGrants `resultSubject`).
   */
  const aboutNoSubject: Record<SubgraphName, string[]> = {
    entities: [],
    records: [],
    // A provider is a filed organisation, not a market subject (its registry: providers subgraph).
    reports: ['CreditServiceProvider'],
    providers: ['CreditServiceProvider', 'ProviderFilingEvent', 'SupervisionClassChange'],
    // The whole log's chain, about no one subject.
    audit: ['AuditChainVerification'],
  };
  const rootTypes = ['Query', 'Mutation'];

  it.each(subgraphNames)('are in the %s subgraph’s subjectOf, or about no subject on purpose', (subgraph) => {
    const subjectOf = subgraphDefinitions[subgraph].subjectOf ?? {};
    const guardedTypes = new Set(objectFields.filter((f) => f.subgraph === subgraph && grantOf(f.field)).map((f) => f.type));
    const problems = [...guardedTypes]
      .filter((type) => !rootTypes.includes(type) && !(type in subjectOf) && !aboutNoSubject[subgraph].includes(type))
      .map(
        (type) =>
          `${type} has @grant fields in ${schemaFile(subgraph)} but is not in subjectOf of subgraphs/${subgraph}/subgraph.ts: its reads are neither audited nor kept to a subject-scoped request's subject. ` +
          `Add ${type}: (parent) => <its subject's id> to that subjectOf, or, if it holds no market subject's data, add it to aboutNoSubject.${subgraph} in test/unit/grants-in-schema.test.ts`,
      );
    expect(problems).toEqual([]);
  });

  it('lists as about no subject only types with @grant fields that are not in subjectOf', () => {
    const stale = subgraphNames.flatMap((subgraph) =>
      aboutNoSubject[subgraph]
        .filter((type) => type in (subgraphDefinitions[subgraph].subjectOf ?? {}) || !objectFields.some((f) => f.subgraph === subgraph && f.type === type && grantOf(f.field)))
        .map((type) => `aboutNoSubject.${subgraph} lists ${type}, which is in its subjectOf or has no @grant field there: remove it from the list`),
    );
    expect(stale).toEqual([]);
  });
});
