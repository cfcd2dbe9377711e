import fs from 'node:fs';
import {
  buildSchema,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isIntrospectionType,
  isObjectType,
  isSpecifiedDirective,
  isSpecifiedScalarType,
  type GraphQLArgument,
  type GraphQLNamedType,
  type GraphQLSchema,
} from 'graphql';
import { supergraphPath } from '../../schema/subgraphs';

/**
 * The subgraph SDLs are the contract front ends code against: every type, field, argument, input
 * field and enum value a front end can see must say what it is. Checked on the API schema the
 * gateway serves from the committed supergraph (as @apollo/gateway derives it: what introspection
 * shows a client), so that it is the composed descriptions that count: composition keeps one
 * description per element (e.g. for `Query` and `Mutation`, which every subgraph declares).
 */

/** Federation's own machinery: not part of the contract (the API schema drops most of it anyway). */
function isFederationInternal(name: string): boolean {
  return ['_Service', '_Any', '_Entity', '_FieldSet', 'FieldSet', 'link', 'inaccessible', 'cost', 'listSize'].includes(name) || /^(link|join|federation|context|cost)__/.test(name);
}

const described = (description: string | null | undefined) => typeof description === 'string' && description.trim().length > 0;

/** Every element of the schema a front end sees that has no description, as a schema coordinate. */
function undescribedElements(schema: GraphQLSchema): string[] {
  const missing: string[] = [];
  const args = (owner: string, list: readonly GraphQLArgument[]) => {
    for (const arg of list) if (!described(arg.description)) missing.push(`argument ${owner}(${arg.name}:)`);
  };
  const types = Object.values(schema.getTypeMap()).filter(
    (type: GraphQLNamedType) => !isIntrospectionType(type) && !isSpecifiedScalarType(type) && !isFederationInternal(type.name),
  );
  for (const type of types) {
    if (!described(type.description)) missing.push(`type ${type.name}`);
    if (isObjectType(type) || isInterfaceType(type)) {
      for (const field of Object.values(type.getFields())) {
        if (!described(field.description)) missing.push(`field ${type.name}.${field.name}`);
        args(`${type.name}.${field.name}`, field.args);
      }
    } else if (isInputObjectType(type)) {
      for (const field of Object.values(type.getFields())) if (!described(field.description)) missing.push(`input field ${type.name}.${field.name}`);
    } else if (isEnumType(type)) {
      for (const value of type.getValues()) if (!described(value.description)) missing.push(`enum value ${type.name}.${value.name}`);
    }
  }
  for (const directive of schema.getDirectives().filter((d) => !isSpecifiedDirective(d) && !isFederationInternal(d.name))) {
    if (!described(directive.description)) missing.push(`directive @${directive.name}`);
    args(`@${directive.name}`, directive.args);
  }
  return missing.sort();
}

describe('schema descriptions', () => {
  // The supergraph as graphql-js reads it; federation's own types and directives are left out below.
  const apiSchema = buildSchema(fs.readFileSync(supergraphPath, 'utf8'));

  it('checks the API schema the gateway serves, without federation internals', () => {
    // Not vacuous: the root types and the subgraphs' types are there, federation's are not.
    expect(apiSchema.getQueryType()?.name).toBe('Query');
    expect(apiSchema.getMutationType()?.name).toBe('Mutation');
    for (const name of ['Subject', 'CreditRecord', 'CreditReport', 'CreditServiceProvider', 'AuditEntry', 'PageInfo']) expect(apiSchema.getType(name)).toBeDefined();
    expect(Object.keys(apiSchema.getTypeMap()).filter(isFederationInternal).length).toBeGreaterThan(0);
  });

  it('describes every type, field, argument, input field and enum value a front end sees', () => {
    const missing = undescribedElements(apiSchema);
    // Listed in full, so that the failure says what to describe.
    if (missing.length) {
      throw new Error(
        `${missing.length} elements of the API schema have no description (add them in subgraphs/<name>/schema.graphql, then \`npm run compose\`):\n  ${missing.join('\n  ')}`,
      );
    }
  });

  it('gives the outcomes an officer is shown the Chinese term users say, so that a front end need not invent labels', () => {
    const outcomes = ['CheckVerdict', 'ReportVerificationStatus', 'SubmissionOutcome', 'ObjectionDecision', 'RestorationDecision', 'TaxCreditGrade'];
    const withoutTerm = outcomes.flatMap((name) => {
      const type = apiSchema.getType(name);
      if (!isEnumType(type)) return [`${name} is not an enum`];
      return type.getValues().filter((value) => !/\p{Script=Han}/u.test(value.description ?? '')).map((value) => `${name}.${value.name}`);
    });
    expect(withoutTerm).toEqual([]);
  });

  it('names the Chinese term users say in every type of the API schema, but for plumbing', () => {
    // The contract is written "in English, with the Chinese term where users say it": department
    // officers, the credit office and analysts speak of these things in Chinese. The term follows
    // the English phrase in parentheses in the first sentence, e.g. "Kinds of market subject (主体类型).".
    const plumbing = new Set([
      // GraphQL's root types and the two date scalars: no one says them in Chinese.
      'Query',
      'Mutation',
      'Date',
      'DateTime',
      // Relay paging: the pages of a list, not a thing of the domain.
      'PageInfo',
      'AuditCaseConnection',
      'AuditCaseEdge',
      'AuditEntryConnection',
      'AuditEntryEdge',
      'ConsentGivenToCallerConnection',
      'ConsentGivenToCallerEdge',
      'CreditCheckConnection',
      'CreditCheckEdge',
      'CreditRecordConnection',
      'CreditRecordEdge',
      'CreditRecordObjectionConnection',
      'CreditRecordObjectionEdge',
      'CreditReportConnection',
      'CreditReportEdge',
      'CreditServiceProviderConnection',
      'CreditServiceProviderEdge',
      'RestorationApplicationConnection',
      'RestorationApplicationEdge',
      'SubjectConnection',
      'SubjectEdge',
      // The hash of the audit chain's last entry, which an operator keeps outside the database.
      'AuditChainHeadInput',
    ]);
    // What a front end sees: `@inaccessible` types (the gateway's own) are not in the API schema.
    const inaccessible = (type: GraphQLNamedType) => type.astNode?.directives?.some((directive) => directive.name.value === 'inaccessible') ?? false;
    const types = Object.values(apiSchema.getTypeMap()).filter(
      (type) => !isIntrospectionType(type) && !isSpecifiedScalarType(type) && !isFederationInternal(type.name) && !inaccessible(type),
    );
    const firstSentence = (description: string) => description.split(/\.(?:\s|$)/)[0];
    const withoutTerm = types
      .filter((type) => !plumbing.has(type.name))
      .filter((type) => !/\(\p{Script=Han}/u.test(firstSentence(type.description ?? '')))
      .map((type) => `${type.name}: ${firstSentence(type.description ?? '')}`);
    expect(withoutTerm).toEqual([]);
    // The list names types there are, so that a renamed type is not left out unnoticed.
    expect([...plumbing].filter((name) => !types.some((type) => type.name === name))).toEqual([]);
  });

  it('names the Chinese term users say in every query and mutation, every enum value, and the codes, statuses and corrections a form shows', () => {
    // As the types do: an officer asks for 信用修复申请 or 备案决定, not for an English field name.
    const han = (description: string | null | undefined) => /\p{Script=Han}/u.test(description ?? '');
    const hidden = (node: { astNode?: { directives?: readonly { name: { value: string } }[] } | null }) => node.astNode?.directives?.some((directive) => directive.name.value === 'inaccessible') ?? false;
    const roots = [apiSchema.getQueryType()!, apiSchema.getMutationType()!].flatMap((root) => Object.values(root.getFields()).filter((field) => !hidden(field)).map((field) => [`${root.name}.${field.name}`, field.description] as const));
    const enumValues = Object.values(apiSchema.getTypeMap())
      .filter((type) => isEnumType(type) && !isIntrospectionType(type) && !isFederationInternal(type.name) && !hidden(type))
      .flatMap((type) => (isEnumType(type) ? type.getValues().map((value) => [`${type.name}.${value.name}`, value.description] as const) : []));
    const argument = (field: string, name: string) => {
      const found = apiSchema.getQueryType()!.getFields()[field].args.find((arg) => arg.name === name)!;
      return [`Query.${field}(${name}:)`, found.description] as const;
    };
    const fieldOf = (type: string, name: string) => {
      const found = apiSchema.getType(type);
      return [`${type}.${name}`, isObjectType(found) || isInputObjectType(found) ? found.getFields()[name].description : undefined] as const;
    };
    const correction = apiSchema.getType('RecordCorrectionInput');
    const shown = [
      argument('subjectByCode', 'code'),
      argument('consentsOfSubject', 'subjectCode'),
      fieldOf('CreditReport', 'source'),
      fieldOf('CreditRecord', 'status'),
      fieldOf('CreditRecordObjection', 'status'),
      ...(isInputObjectType(correction) ? Object.keys(correction.getFields()).map((name) => fieldOf('RecordCorrectionInput', name)) : [['RecordCorrectionInput', undefined] as const]),
    ];
    expect([...roots, ...enumValues, ...shown].filter(([, description]) => !han(description)).map(([coordinate]) => coordinate)).toEqual([]);
  });

  it('points no description at a deprecated argument: a call a description shows takes the arguments that replace it', () => {
    // "Call auditEntriesByOrganisation(organisationOf: entryId, caseNumber: caseNumber)" sends a
    // front end to an argument that is @deprecated, and refused beside `filter`'s.
    const deprecated = new Map<string, Set<string>>();
    const types = Object.values(apiSchema.getTypeMap()).filter((type) => !isIntrospectionType(type) && !isFederationInternal(type.name));
    for (const type of types) {
      if (!isObjectType(type) && !isInterfaceType(type)) continue;
      for (const field of Object.values(type.getFields())) {
        const names = field.args.filter((arg) => arg.deprecationReason).map((arg) => arg.name);
        if (names.length) deprecated.set(field.name, new Set([...(deprecated.get(field.name) ?? []), ...names]));
      }
    }
    expect(deprecated.get('auditEntriesByOrganisation')).toEqual(new Set(['from', 'to', 'caseNumber']));
    // The arguments a call written in a description passes: `name:` outside any `{ … }` inside its parentheses.
    const callsIn = (text: string) =>
      [...text.matchAll(/\b(\w+)\(/g)].map((match) => {
        const passed: string[] = [];
        let depth = 0;
        for (let i = match.index + match[0].length; i < text.length && depth >= 0; i += 1) {
          if (text[i] === '(' || text[i] === '{') depth += 1;
          else if (text[i] === ')' || text[i] === '}') depth -= 1;
          else if (depth === 0 && /\w/.test(text[i]) && !/\w/.test(text[i - 1] ?? '')) {
            const name = /^(\w+)\s*:/.exec(text.slice(i))?.[1];
            if (name) passed.push(name);
          }
        }
        return { field: match[1], passed };
      });
    const descriptions: [string, string][] = [];
    for (const type of types) {
      descriptions.push([type.name, type.description ?? '']);
      if (isObjectType(type) || isInterfaceType(type) || isInputObjectType(type)) {
        for (const field of Object.values(type.getFields())) {
          descriptions.push([`${type.name}.${field.name}`, field.description ?? '']);
          if ('args' in field) for (const arg of field.args) descriptions.push([`${type.name}.${field.name}(${arg.name}:)`, arg.description ?? '']);
        }
      } else if (isEnumType(type)) {
        for (const value of type.getValues()) descriptions.push([`${type.name}.${value.name}`, value.description ?? '']);
      }
    }
    const pointing = descriptions.flatMap(([coordinate, text]) =>
      callsIn(text).flatMap(({ field, passed }) => passed.filter((arg) => deprecated.get(field)?.has(arg)).map((arg) => `${coordinate}: ${field}(${arg}:)`)),
    );
    expect(pointing).toEqual([]);
  });

  it('keeps a description on the root types once composed, though every subgraph declares them', () => {
    expect(described(apiSchema.getQueryType()?.description)).toBe(true);
    expect(described(apiSchema.getMutationType()?.description)).toBe(true);
  });
});
