import { GraphQLError, isAbstractType, Kind, parse, type ValidationRule } from 'graphql';

/** What the gateway knows of a field of the supergraph: `internal` when it is `@inaccessible`, in no schema a client sees. */
export interface SupergraphField {
  internal: boolean;
}

/**
 * Every field of each object and interface type of the supergraph, `@inaccessible` ones with
 * them: `Type` → field name → what is known of it. A field the client never sees (a check's
 * `reportSatisfied`, which the records subgraph asks the reports subgraph for) is the type's all the same.
 */
export function readFieldNames(supergraphSdl: string): Map<string, Map<string, SupergraphField>> {
  const types = new Map<string, Map<string, SupergraphField>>();
  for (const definition of parse(supergraphSdl).definitions) {
    if (definition.kind !== Kind.OBJECT_TYPE_DEFINITION && definition.kind !== Kind.OBJECT_TYPE_EXTENSION && definition.kind !== Kind.INTERFACE_TYPE_DEFINITION && definition.kind !== Kind.INTERFACE_TYPE_EXTENSION) continue;
    const fields = types.get(definition.name.value) ?? new Map<string, SupergraphField>();
    for (const field of definition.fields ?? []) fields.set(field.name.value, { internal: !!field.directives?.some((d) => d.name.value === 'inaccessible') });
    types.set(definition.name.value, fields);
  }
  return types;
}

/**
 * Refuses an alias that is the name of another field of the type it is selected on, or
 * `__typename` given to another field (`subject { kind: name }`); a field aliased by its own name
 * (`name: name`) is that field. Apollo's query planner merges what it fetches by response name:
 * to fetch a type from another subgraph it asks for its key fields (`id`), for what a field
 * `@requires` (`Subject.kind` for `creditRecords`, a report's `issuedOn` and `issuer { id }` for
 * `issuerStanding`) and for `__typename`, each under its own name, and a client's alias of that
 * name was taken for it: the records subgraph judged a subject's kind from its name, refused its
 * records (SUBJECT_KIND_NOT_COVERED) and the gateway audited that refusal; an `id: name` answered
 * the id. Which names the planner needs of a type is the composition's business, stripped from
 * the schema clients see and changed by any new `@key` or `@requires`: every field of the type is
 * the rule a client can read off the schema (and keep to when the subgraphs change), the fields
 * the gateway keeps for itself (`@inaccessible`) included. A validation error
 * (GRAPHQL_VALIDATION_FAILED, HTTP 400, nothing planned, fetched or audited) with `problem:
 * ALIAS_SHADOWS_FIELD`, `alias` and `shadows`, the field it names (`Subject.kind`).
 */
export function shadowingAliasesRule(fields: ReadonlyMap<string, ReadonlyMap<string, SupergraphField>>): ValidationRule {
  return (context) => ({
    Field(node) {
      const alias = node.alias?.value;
      const parent = context.getParentType();
      if (alias === undefined || alias === node.name.value || !parent) return;
      // An abstract type's selection is planned for each of its possible types.
      const types = [parent, ...(isAbstractType(parent) ? context.getSchema().getPossibleTypes(parent) : [])];
      const shadowed = alias === '__typename' ? { type: parent, field: { internal: false } } : types.map((type) => ({ type, field: fields.get(type.name)?.get(alias) })).find(({ field }) => field);
      if (!shadowed?.field) return;
      const shadows = `${shadowed.type.name}.${alias}`;
      const which = shadowed.field.internal ? `${shadows}, one the gateway uses itself` : shadows;
      context.reportError(
        new GraphQLError(
          `The alias "${alias}" of ${parent.name}.${node.name.value} is the name of another field, ${which}, which the gateway may fetch beside it to plan the operation, and the answer would mix the two up: choose another alias.`,
          { nodes: node, extensions: { problem: 'ALIAS_SHADOWS_FIELD', alias, shadows } },
        ),
      );
    },
  });
}
