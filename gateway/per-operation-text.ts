import type { DocumentNode, GraphQLSchema, OperationDefinitionNode } from 'graphql';

/**
 * What a check finds in an operation's text alone (its shape's limits, introspection beside data,
 * the variables its directives are conditioned on), found once per schema served and per parsed
 * operation: Apollo's document store gives every request that sends the same text the same parsed
 * document, so the gateway's checks walk a department's operation once, not on every request.
 * Walking it each time cost about a twentieth of the gateway's CPU under load (bench/results.md).
 * What depends on the request's variables is still worked out per request: the cost of an
 * operation whose pages a variable gives, and the blank IDs of one whose arguments can hold an ID!.
 */
export function perOperationText<T>(
  find: (schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode) => T,
): (schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode) => T {
  const found = new WeakMap<GraphQLSchema, WeakMap<OperationDefinitionNode, { value: T }>>();
  return (schema, document, operation) => {
    let bySchema = found.get(schema);
    if (!bySchema) found.set(schema, (bySchema = new WeakMap()));
    const known = bySchema.get(operation);
    if (known) return known.value;
    const value = find(schema, document, operation);
    bySchema.set(operation, { value });
    return value;
  };
}
