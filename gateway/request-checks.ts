import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import {
  BREAK,
  coerceInputValue,
  getDirectiveValues,
  getNamedType,
  getNullableType,
  getVariableValues,
  GraphQLError,
  GraphQLID,
  GraphQLIncludeDirective,
  GraphQLSkipDirective,
  isInputObjectType,
  isInputType,
  isListType,
  isNonNullType,
  isScalarType,
  Kind,
  TypeInfo,
  typeFromAST,
  valueFromAST,
  visit,
  visitWithTypeInfo,
  type DocumentNode,
  type ExecutableDefinitionNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type FragmentSpreadNode,
  type GraphQLInputType,
  type GraphQLScalarLiteralParser,
  type GraphQLSchema,
  type InlineFragmentNode,
  type OperationDefinitionNode,
  type ValueNode,
  type VariableDefinitionNode,
} from 'graphql';
import { badInput, ErrorCode } from '../lib/errors';
import { isBlank } from '../lib/text-input';
import { scalarResolvers } from '../subgraphs/shared/scalars';
import { perOperationText } from './per-operation-text';

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
 * document literals are checked by graphql's parser and validation. A required ID left blank,
 * in a variable or a literal, is refused here too (`blankRequiredId`).
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
          for (const { variable, directive } of conditionVariables(schema, document, operation)) {
            if (values[variable] === null) throw refused(`$${variable}`, `Variable "$${variable}" is the condition of @${directive} and must be true or false, got null.`);
          }
          const blank = blankRequiredId(schema, document, operation, values);
          if (blank) throw blank;
        }
      },
    };
  },
};

/** The variables the document's `@skip` and `@include` are conditioned on, with the directive, in the order written: the whole document, as the operation's fragments hold directives too. */
const conditionVariables = perOperationText((_schema, document) => {
  const found: { variable: string; directive: string }[] = [];
  visit(document, {
    Directive(directive) {
      if (directive.name.value !== 'skip' && directive.name.value !== 'include') return;
      const condition = directive.arguments?.find((a) => a.name.value === 'if')?.value;
      if (condition?.kind === Kind.VARIABLE) found.push({ variable: condition.name.value, directive: directive.name.value });
    },
  });
  return found;
});

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
  return at?.length ? placeInForm(at) : undefined;
}

/** A place inside a value as a form names it (README, Errors): `correction.severity`, `statuses[1]`, `[0].grade`. */
function placeInForm(path: readonly (string | number)[]): string {
  return path.map((key, i) => (typeof key === 'number' ? `[${key}]` : i === 0 ? key : `.${key}`)).join('');
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

/**
 * The refusal of the first `ID!` the operation gives blank (empty or only spaces), or undefined.
 * A blank id names nothing, so a subgraph answered it as an unknown one (null, NOT_FOUND, or
 * FORBIDDEN under a consent's scope), which tells a front end nothing of the form's bug. Refused
 * before anything runs, so nothing is read, changed or audited: BAD_USER_INPUT, 400, naming a
 * literal's place as a form names it (`id`, `subjectId` inside `input`, `ids[2]`), or the variable
 * that gave it (`$id`, and `inputPath` inside it). An ID the schema lets be null is another
 * matter: left blank it is none, as if left out (README, Errors), which the subgraphs read so.
 * The operation's values are read as execution reads them (`variables` coerced, defaults
 * applied), wherever an argument takes one: fields, directives, the fragments it spreads;
 * not in a selection `@skip` or `@include` leaves out, which never runs.
 */
export function blankRequiredId(schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode, variables: Record<string, unknown>): GraphQLError | undefined {
  if (!givesRequiredIds(schema, document, operation)) return undefined;
  const fragments = new Map(document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((f) => [f.name.value, f]));
  const pending: ExecutableDefinitionNode[] = [operation];
  const spread = new Set<string>();
  let refusal: GraphQLError | undefined;
  for (let definition = pending.pop(); definition && !refusal; definition = pending.pop()) {
    const types = new TypeInfo(schema);
    visit(
      definition,
      visitWithTypeInfo(types, {
        Field: (field) => (leftOut(field, variables) ? false : undefined),
        InlineFragment: (fragment) => (leftOut(fragment, variables) ? false : undefined),
        FragmentSpread(node) {
          if (leftOut(node, variables)) return;
          const { value: name } = node.name;
          const fragment = fragments.get(name);
          if (fragment && !spread.has(name)) pending.push(fragment);
          spread.add(name);
        },
        Argument(argument) {
          const type = types.getArgument()?.type;
          const blank = type && blankIdIn(valueFromAST(argument.value, type, variables), type);
          if (!blank) return false; // Its value holds no field or argument to visit.
          refusal = blankIdRefusal(argument.name.value, argument.value, blank);
          return BREAK;
        },
      }),
    );
  }
  return refusal;
}

/**
 * Whether any argument the document gives, in its operations or fragments, is of a type that can
 * hold an `ID!` (the type itself, or a list or input object with one inside): found once per
 * operation text (`perOperationText`), so that an operation that takes none (a lookup by code, a
 * credit check) is not walked with its variables on every request, which cost about a twentieth of
 * the gateway's CPU per lookup (bench/results.md). The whole document, not only what the operation
 * spreads: more than `blankRequiredId` reads, never less.
 */
const givesRequiredIds = perOperationText((schema, document) => {
  const types = new TypeInfo(schema);
  let gives = false;
  visit(
    document,
    visitWithTypeInfo(types, {
      Argument() {
        const type = types.getArgument()?.type;
        if (!type || !holdsRequiredId(type)) return false;
        gives = true;
        return BREAK;
      },
    }),
  );
  return gives;
});

/** Whether a value of `type` can hold an `ID!` anywhere in it, as `blankIdIn` looks for one. */
function holdsRequiredId(type: GraphQLInputType, seen = new Set<GraphQLInputType>()): boolean {
  if (isNonNullType(type) && isScalarType(type.ofType) && type.ofType.name === GraphQLID.name) return true;
  const nullable = getNullableType(type);
  if (isListType(nullable)) return holdsRequiredId(nullable.ofType, seen);
  // An input object may hold itself (through a list or a nullable field): each is looked into once.
  if (!isInputObjectType(nullable) || seen.has(nullable)) return false;
  seen.add(nullable);
  return Object.values(nullable.getFields()).some((field) => holdsRequiredId(field.type, seen));
}

/** Whether `@skip` or `@include` leaves the selection out, as execution reads them. */
function leftOut(node: FieldNode | InlineFragmentNode | FragmentSpreadNode, variables: Record<string, unknown>): boolean {
  try {
    return getDirectiveValues(GraphQLSkipDirective, node, variables)?.if === true || getDirectiveValues(GraphQLIncludeDirective, node, variables)?.if === false;
  } catch {
    // A condition execution could not read (an explicit null) is refused on its own (README, Errors): it runs here.
    return false;
  }
}

interface BlankId {
  /** Where it is inside the argument's value: input field names and list indices. */
  path: (string | number)[];
  value: string;
}

/** The first `ID!` in `value` (a value of `type` as execution reads it), in the type's order, that is blank; undefined where none is. */
function blankIdIn(value: unknown, type: GraphQLInputType, path: (string | number)[] = []): BlankId | undefined {
  if (value === null || value === undefined) return undefined;
  if (isNonNullType(type) && isScalarType(type.ofType) && type.ofType.name === GraphQLID.name) return typeof value === 'string' && isBlank(value) ? { path, value } : undefined;
  const nullable = getNullableType(type);
  if (isListType(nullable) && Array.isArray(value)) {
    for (const [index, item] of value.entries()) {
      const blank = blankIdIn(item, nullable.ofType, [...path, index]);
      if (blank) return blank;
    }
  }
  if (isInputObjectType(nullable) && typeof value === 'object') {
    for (const field of Object.values(nullable.getFields())) {
      const blank = blankIdIn((value as Record<string, unknown>)[field.name], field.type, [...path, field.name]);
      if (blank) return blank;
    }
  }
  return undefined;
}

/**
 * The refusal of a blank id in the argument `name` given as `literal`: by the variable the literal
 * takes it from, if it does, else by the argument's place as a form names it (a mutation's
 * `input` object by the field inside it).
 */
function blankIdRefusal(name: string, literal: ValueNode, { path, value }: BlankId): GraphQLError {
  let node: ValueNode | undefined = literal;
  for (const [depth, key] of path.entries()) {
    if (node.kind === Kind.VARIABLE) return blankVariable(node.name.value, path.slice(depth), value);
    // A single value given for a list is a list of one: it stands for its item 0.
    if (typeof key === 'number') node = node.kind === Kind.LIST ? node.values[key] : node;
    else node = node.kind === Kind.OBJECT ? node.fields.find((field) => field.name.value === key)?.value : undefined;
    // A field left out took its default, which the schema wrote: named as a literal's.
    if (!node) break;
  }
  if (node?.kind === Kind.VARIABLE) return blankVariable(node.name.value, [], value);
  const place = placeInForm(name === 'input' && path.length ? path : [name, ...path]);
  return refused(place, blankIdMessage(place, value));
}

function blankVariable(name: string, inside: readonly (string | number)[], value: string): GraphQLError {
  return refused(`$${name}`, blankIdMessage(placeInForm([`$${name}`, ...inside]), value), inside.length ? placeInForm(inside) : undefined);
}

/** As a subgraph words a required text left blank (lib/text-input.ts `requiredText`). */
function blankIdMessage(place: string, value: string): string {
  return `${place} must not be empty: an ID names an object by its id, got ${JSON.stringify(value)}`;
}
