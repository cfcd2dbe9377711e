import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { coerceInputValue, getNamedType, getNullableType, getVariableValues, GraphQLError, isInputObjectType, isInputType, isListType, isNonNullType, isScalarType, Kind, typeFromAST, visit, type GraphQLInputType, type GraphQLScalarLiteralParser, type GraphQLSchema, type VariableDefinitionNode } from 'graphql';
import { badInput, ErrorCode } from '../lib/errors';
import { scalarResolvers } from '../subgraphs/shared/scalars';

/**
 * A document whose operation cannot be chosen (an unknown `operationName`, several operations and
 * none named) or whose operation type the supergraph does not serve (subscriptions) is the
 * client's mistake, refused with 400 as Apollo Server refuses it without a gateway: the gateway's
 * executor would throw, and the client would get INTERNAL_SERVER_ERROR.
 */
export const operationResolution: ApolloServerPlugin<BaseContext> = {
  async requestDidStart() {
    return {
      async didResolveOperation({ operation, document, request, schema }) {
        if (!operation) {
          const named = request.operationName;
          const operations = document.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION).length;
          const message = named ? `Unknown operation named "${named}".` : operations > 1 ? 'Must provide operation name if query contains multiple operations.' : 'Must provide an operation.';
          throw new GraphQLError(message, { extensions: { code: ErrorCode.OPERATION_RESOLUTION_FAILURE, http: { status: 400 } } });
        }
        if (!schema.getRootType(operation.operation)) {
          throw new GraphQLError(`This API serves no ${operation.operation} operations.`, { extensions: { code: ErrorCode.BAD_REQUEST, http: { status: 400 } } });
        }
      },
    };
  },
};

/** Deeper than any input the schema takes (a list of rows of scalars is 3 levels). */
export const maxVariableDepth = 16;

/** With the `u` flag a surrogate matches only when it is not half of a pair. */
const loneSurrogate = /\p{Surrogate}/u;

/**
 * Variables are JSON, which can hold what no GraphQL input needs and what a subgraph cannot
 * store faithfully: text that is not well-formed Unicode (a lone surrogate escape, `\ud800`,
 * which SQLite stores as bytes that read back as U+FFFD, so a stored document number would no
 * longer match itself) and nesting thousands of levels deep, which a custom scalar (Date,
 * DateTime) passes on unparsed until serialising it for a subgraph overflows the stack. Both
 * are refused with BAD_USER_INPUT naming the variable, as is a value its declared type refuses
 * (a missing required one, an unknown enum value, a bad date: see `withPlatformScalars`);
 * document literals are checked by graphql's parser and validation.
 */
export const wellFormedVariables: ApolloServerPlugin<BaseContext> = {
  async requestDidStart() {
    return {
      async didResolveOperation({ request, operation, document, schema }) {
        const variables = request.variables ?? {};
        checkVariables(variables);
        // Coerced here, not only by the gateway's executor, whose errors would come back with 200
        // and no code a front end can switch on.
        const definitions = operation?.variableDefinitions;
        const coerced = definitions?.length ? getVariableValues(schema, definitions, variables) : undefined;
        const first = coerced?.errors?.[0];
        if (first) {
          const definition = first.nodes?.[0]?.kind === Kind.VARIABLE_DEFINITION ? first.nodes[0] : undefined;
          if (!definition) throw refused('variables', first.message);
          const at = pathInVariable(schema, definition, variables[definition.variable.name.value]);
          throw refused(`$${definition.variable.name.value}`, first.message, at);
        }
        // `$s: Boolean = true` takes an explicit null, which `@skip(if: $s)` cannot: the query
        // planner would throw on it, and the client get INTERNAL_SERVER_ERROR.
        const values = coerced?.coerced ?? {};
        if (operation) {
          // The whole document: the operation's fragments hold directives too.
          visit(document, {
            Directive(directive) {
              if (directive.name.value !== 'skip' && directive.name.value !== 'include') return;
              const condition = directive.arguments?.find((a) => a.name.value === 'if')?.value;
              if (condition?.kind === Kind.VARIABLE && values[condition.name.value] === null) {
                throw refused(`$${condition.name.value}`, `Variable "$${condition.name.value}" is the condition of @${directive.name.value} and must be true or false, got null.`);
              }
            },
          });
        }
      },
    };
  },
};

/**
 * Gives the gateway's schema the platform's Date and DateTime, which the supergraph declares
 * without their rules: a bad value is then refused before anything is planned, a literal by
 * validation (GRAPHQL_VALIDATION_FAILED, with its location) and a variable by `wellFormedVariables`
 * (BAD_USER_INPUT naming it), instead of by a subgraph with 200, no path and the type's name
 * where the argument's should be.
 */
export function withPlatformScalars(schema: GraphQLSchema): GraphQLSchema {
  for (const scalar of Object.values(scalarResolvers)) {
    const type = schema.getType(scalar.name);
    if (!isScalarType(type)) continue;
    // A plain Error, so that validation reports it at the literal, with the type and the value; a
    // GraphQLError it would pass on as it is, with neither.
    const parseLiteral: GraphQLScalarLiteralParser<unknown> = (node, variables) => {
      try {
        return scalar.parseLiteral(node, variables);
      } catch (error) {
        throw new Error((error as Error).message);
      }
    };
    Object.assign(type, { parseValue: scalar.parseValue, parseLiteral });
  }
  return schema;
}

/** Throws BAD_USER_INPUT (400) naming the first variable that holds a lone surrogate or nests deeper than `maxVariableDepth`. */
export function checkVariables(variables: Record<string, unknown>): void {
  for (const [name, value] of Object.entries(variables)) checkVariable(value, `$${name}`);
}

function checkVariable(root: unknown, name: string): void {
  const pending: { value: unknown; path: string; depth: number }[] = [{ value: root, path: name, depth: 0 }];
  for (let next = pending.pop(); next; next = pending.pop()) {
    const { value, path, depth } = next;
    if (typeof value === 'string') {
      if (loneSurrogate.test(value)) throw refused(name, `${path} is not well-formed Unicode text: it holds a lone surrogate (an unpaired \\uD800-\\uDFFF escape)`);
    } else if (value !== null && typeof value === 'object') {
      if (depth >= maxVariableDepth) throw refused(name, `${path} nests deeper than ${maxVariableDepth} levels, deeper than any input of this API`);
      for (const [key, inner] of Object.entries(value)) {
        if (loneSurrogate.test(key)) throw refused(name, `a key in ${path} is not well-formed Unicode text`);
        pending.push({ value: inner, path: Array.isArray(value) ? `${path}[${key}]` : `${path}.${key}`, depth: depth + 1 });
      }
    }
  }
}

function refused(variable: string, message: string, inputPath?: string): GraphQLError {
  return badInput(variable, message, { ...(inputPath ? { inputPath } : {}), http: { status: 400 } });
}

/**
 * Where in a variable's value its type refuses it, as a form names the field (README, Errors):
 * `validUntil`, `correction.severity`, `statuses[0]`, and a required field left out or a field the
 * type does not have by its own name (`reason`); undefined when the value as a whole is refused
 * (missing, null where required, a bad scalar given directly). graphql-js writes the path only
 * into its message, so the value is coerced again to learn it.
 */
function pathInVariable(schema: GraphQLSchema, definition: VariableDefinitionNode, value: unknown): string | undefined {
  const type = typeFromAST(schema, definition.type);
  if (!type || !isInputType(type) || value === undefined) return undefined;
  let at: readonly (string | number)[] | undefined;
  coerceInputValue(value, type, (path, invalid) => {
    // A field left out or not defined is reported at the object that holds it: the field is added.
    at ??= [...path, ...fieldAtFault(inputTypeAt(type, path), invalid)];
  });
  if (!at?.length) return undefined;
  return at.map((key, i) => (typeof key === 'number' ? `[${key}]` : i === 0 ? key : `.${key}`)).join('');
}

/** The type of the value at `path` inside a value of `type`, as `coerceInputValue` walks it (a list takes one item as a list of one). */
function inputTypeAt(type: GraphQLInputType, path: readonly (string | number)[]): GraphQLInputType {
  let at = type;
  for (const key of path) {
    const nullable = getNullableType(at);
    if (typeof key === 'number' && isListType(nullable)) at = nullable.ofType;
    else {
      const object = getNamedType(at);
      if (!isInputObjectType(object)) return at;
      at = object.getFields()[key].type;
    }
  }
  return at;
}

/**
 * The field an input object is refused for, as graphql-js checks them: the first required field
 * left out (in the type's order), else the first field the type does not have; none when `value`
 * is no input object (a scalar or null where an object is expected).
 */
function fieldAtFault(type: GraphQLInputType, value: unknown): string[] {
  const object = getNamedType(type);
  if (!isInputObjectType(object) || value === null || typeof value !== 'object' || Array.isArray(value)) return [];
  const fields = object.getFields();
  const given = value as Record<string, unknown>;
  const missing = Object.values(fields).find((field) => given[field.name] === undefined && field.defaultValue === undefined && isNonNullType(field.type));
  const unknown = Object.keys(given).find((key) => !Object.hasOwn(fields, key));
  const name = missing?.name ?? unknown;
  return name === undefined ? [] : [name];
}
