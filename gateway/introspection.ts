import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import type { GatewayExecutor } from '@apollo/server-gateway-interface';
import { BREAK, execute, GraphQLError, Kind, separateOperations, TypeInfo, visit, visitWithTypeInfo, type DocumentNode, type OperationDefinitionNode, type SelectionSetNode } from 'graphql';
import { ErrorCode } from '../lib/errors';
import { perOperationText } from './per-operation-text';

/**
 * The introspection fields graphql-js 16 answers and the query planner's own introspection types
 * (@apollo/federation-internals' `addIntrospectionFields`) lack (a test compares the two).
 * Newer tooling asks for `isOneOf` (`getIntrospectionQuery({ oneOf: true })`): through the
 * planner the operation failed to build (INVALID_GRAPHQL) and every caller got
 * INTERNAL_SERVER_ERROR.
 */
export const fieldsThePlannerLacks: ReadonlySet<string> = new Set(['__Type.isOneOf', '__Directive.isDeprecated', '__Directive.deprecationReason']);

/**
 * Whether the operation selects nothing but introspection at its root (`__schema`, `__type`,
 * `__typename`), its fragments included. Validation has refused fragment cycles by now.
 */
export function selectsIntrospectionAlone(document: DocumentNode, operation: OperationDefinitionNode): boolean {
  const fragments = new Map(document.definitions.flatMap((d) => (d.kind === Kind.FRAGMENT_DEFINITION ? [[d.name.value, d] as const] : [])));
  const alone = (selectionSet: SelectionSetNode): boolean =>
    selectionSet.selections.every((selection) => {
      if (selection.kind === Kind.FIELD) return selection.name.value.startsWith('__');
      const inner = selection.kind === Kind.INLINE_FRAGMENT ? selection : fragments.get(selection.name.value);
      return !inner || alone(inner.selectionSet);
    });
  return alone(operation.selectionSet);
}

/**
 * Around the gateway's executor: an operation that selects introspection alone (the explorer's
 * schema query, a code generator's, a `__type` lookup) is answered by graphql-js against the
 * schema served, which answers every introspection field graphql-js has; it asks nothing of any
 * subgraph, so nothing is lost by not planning it. Who may introspect is decided before
 * (`introspection`, INTROSPECTION=on): with it off, validation refuses the operation and it never
 * gets here.
 */
export function answeringIntrospectionAlone(executor: GatewayExecutor): GatewayExecutor {
  return async (requestContext) => {
    const { schema, document, operation, operationName, request } = requestContext;
    if (!selectsIntrospectionAlone(document, operation)) return executor(requestContext);
    return execute({ schema, document, operationName, variableValues: request.variables });
  };
}

/**
 * A field of `fieldsThePlannerLacks` in an operation that also selects data goes to the query
 * planner, which cannot build it: refused before planning as an invalid operation
 * (GRAPHQL_VALIDATION_FAILED, 400), with `problem: INTROSPECTION_BESIDE_DATA` and `field`, rather
 * than answered 500. Only the operation run is judged, with the fragments it spreads.
 */
export const plannableIntrospection: ApolloServerPlugin<BaseContext> = {
  async requestDidStart() {
    return {
      async didResolveOperation({ operation, document, schema }) {
        if (!operation || selectsIntrospectionAlone(document, operation)) return;
        const refusal = introspectionBesideData(schema, document, operation);
        if (refusal) throw refusal;
      },
    };
  },
};

const introspectionBesideData = perOperationText((schema, document, operation): GraphQLError | undefined => {
  const own = separateOperations(document)[operation.name?.value ?? ''];
  const types = new TypeInfo(schema);
  let refusal: GraphQLError | undefined;
  visit(
    own,
    visitWithTypeInfo(types, {
      Field(field) {
        const coordinate = `${types.getParentType()?.name}.${field.name.value}`;
        if (!fieldsThePlannerLacks.has(coordinate)) return;
        refusal = new GraphQLError(`${coordinate} is answered in an operation that selects introspection alone (__schema, __type, __typename), not beside data: send it in an operation of its own.`, {
          nodes: field,
          extensions: { code: ErrorCode.GRAPHQL_VALIDATION_FAILED, problem: 'INTROSPECTION_BESIDE_DATA', field: coordinate, http: { status: 400 } },
        });
        return BREAK;
      },
    }),
  );
  return refusal;
});
