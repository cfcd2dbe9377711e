import fs from 'node:fs';
import { buildClientSchema, buildSchema, getIntrospectionQuery, isAbstractType, isObjectType, lexicographicSortSchema, printSchema, type GraphQLSchema, type IntrospectionQuery } from 'graphql';
import { apiSchemaPath } from '../../schema/compose';
import { testDatabases } from '../helpers/databases';
import { usePlatform } from '../helpers/platform';

/**
 * schema/api.graphql is what front-end teams generate typed clients from, with introspection off
 * in production: it must be exactly the schema the gateway serves, as its introspection tells it,
 * and hold nothing of the supergraph the gateway refuses to clients (the federation's own types,
 * the gateway's internal calls to subgraphs, what subgraphs share only among themselves).
 */
const committed = (): GraphQLSchema => buildSchema(fs.readFileSync(apiSchemaPath, 'utf8'));
/** Either schema as SDL in one order, so that only what they hold is compared. */
const printed = (schema: GraphQLSchema) => printSchema(lexicographicSortSchema(schema));

describe.each(testDatabases.filter((d) => d.label === 'sqlite'))('schema/api.graphql on $label', (database) => {
  // The schema served does not depend on the database.
  const platform = usePlatform(database, 'apischema', { gateway: { introspection: true } });

  it("is the schema the gateway's introspection answers, descriptions included (regenerate: npm run compose)", async () => {
    const introspection = await platform.query<IntrospectionQuery>(getIntrospectionQuery({ descriptions: true, specifiedByUrl: true, directiveIsRepeatable: true, schemaDescription: true, inputValueDeprecation: true, oneOf: true }));
    expect(introspection.errors).toBeUndefined();
    expect(printed(committed())).toBe(printed(buildClientSchema(introspection.data!)));
  });
});

describe('schema/api.graphql', () => {
  it('holds none of the federation types and internal fields the gateway does not serve', () => {
    const schema = committed();
    const typeNames = Object.keys(schema.getTypeMap());
    expect(typeNames.filter((name) => /^(join|link)__/.test(name) || ['AuditAppendResult', 'AuditEntryInput', 'ConsentCheck'].includes(name))).toEqual([]);
    expect(schema.getDirectives().map((d) => d.name).filter((name) => /^(join|link)__|^(inaccessible|grant)$/.test(name))).toEqual([]);
    const fields = (typeName: string) => {
      const type = schema.getType(typeName);
      return isObjectType(type) ? Object.keys(type.getFields()) : [];
    };
    // The neighbours are there: the file is the whole API, not an empty one.
    expect(fields('Query')).toEqual(expect.arrayContaining(['subject', 'auditEntriesByOrganisation']));
    expect(fields('Mutation')).toEqual(expect.arrayContaining(['grantConsent']));
    expect(fields('CreditCheck')).toEqual(expect.arrayContaining(['verdict', 'measures']));
    expect(fields('Query')).not.toContain('consentForAccess');
    expect(fields('Mutation')).not.toContain('appendAuditEntries');
    expect(fields('CreditCheck').filter((name) => ['reportSatisfied', 'goodReportGrade'].includes(name))).toEqual([]);
  });

  it("has no interface or union, so Apollo Client's possibleTypes is empty (README says so)", () => {
    expect(Object.values(committed().getTypeMap()).filter(isAbstractType).map((t) => t.name)).toEqual([]);
  });
});
