import { readFileSync } from 'node:fs';
import { buildSchema, Kind, parse } from 'graphql';
import { readFieldGuards, withFieldGroupsDescribed } from '../../gateway/field-guards';
import { supergraphPath } from '../../schema/subgraphs';
import { testDatabases } from '../helpers/databases';
import { usePlatform } from '../helpers/platform';

/**
 * Composition keeps no `@grant`: the schema the gateway serves says in each guarded field's
 * description which field group it needs, so that the explorer's docs pane and a front end's code
 * generator show the group a FORBIDDEN error names.
 */
const supergraphSdl = readFileSync(supergraphPath, 'utf8');
const guards = readFieldGuards(supergraphSdl);
/** Fields left out of the served schema (@inaccessible): the gateway's own calls to a subgraph, e.g. Query.consentForAccess. */
const inaccessible = new Set(
  parse(supergraphSdl).definitions.flatMap((definition) =>
    definition.kind === Kind.OBJECT_TYPE_DEFINITION || definition.kind === Kind.OBJECT_TYPE_EXTENSION
      ? (definition.fields ?? []).filter((field) => field.directives?.some((d) => d.name.value === 'inaccessible')).map((field) => `${definition.name.value}.${field.name.value}`)
      : [],
  ),
);
const INTROSPECT = /* GraphQL */ `{ __schema { types { name fields { name description } } } }`;

describe.each(testDatabases.filter((d) => d.label === 'sqlite'))('field groups in the served schema on $label', (database) => {
  const platform = usePlatform(database, 'fieldgroupsschema', { seedSubjects: 4 });

  it('tells each guarded field its group once, after its own description, and no other field any', async () => {
    const result = await platform.query<{ __schema: { types: { name: string; fields: { name: string; description: string | null }[] | null }[] } }>(INTROSPECT);
    expect(result.errors).toBeUndefined();
    const told = new Map<string, string[]>();
    for (const type of result.data!.__schema.types) {
      for (const field of type.fields ?? []) told.set(`${type.name}.${field.name}`, [...(field.description ?? '').matchAll(/Field group: `([A-Z_]+)`/g)].map((m) => m[1]));
    }
    expect(guards.size).toBeGreaterThan(50);
    expect([...inaccessible]).toEqual(expect.arrayContaining(['Query.consentForAccess', 'Mutation.appendAuditEntries']));
    for (const [coordinate, group] of guards) expect([coordinate, told.get(coordinate)]).toEqual([coordinate, inaccessible.has(coordinate) ? undefined : [group]]);
    const unguarded = [...told].filter(([coordinate, groups]) => !guards.has(coordinate) && groups.length);
    expect(unguarded).toEqual([]);
    // The field's own description comes first: the group is added to it, not put in its place.
    const subject = result.data!.__schema.types.find((t) => t.name === 'Query')!.fields!.find((f) => f.name === 'subject')!;
    expect(subject.description).toMatch(/^\S[\s\S]+\n\nField group: `SUBJECT_BASICS` \(docs\/access\.md: who holds it, under which matters\)\.$/);
  });
});

// A reloaded supergraph comes through the same path: the group is told once however often.
it('tells a group once when the same schema is described again, and describes a field that had no description', () => {
  const schema = buildSchema('type Query { "A subject." subject: String, other: String }');
  const guarded = new Map([['Query.subject', 'SUBJECT_BASICS'], ['Query.other', 'PUBLIC_RECORDS']]);
  withFieldGroupsDescribed(withFieldGroupsDescribed(schema, guarded), guarded);
  const fields = schema.getQueryType()!.getFields();
  expect(fields.subject.description).toBe('A subject.\n\nField group: `SUBJECT_BASICS` (docs/access.md: who holds it, under which matters).');
  expect(fields.other.description).toBe('Field group: `PUBLIC_RECORDS` (docs/access.md: who holds it, under which matters).');
});
