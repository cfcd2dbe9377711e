import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import {
  type ASTVisitor,
  BREAK,
  getArgumentValues,
  getNamedType,
  getNullableType,
  getOperationAST,
  getVariableValues,
  GraphQLError,
  isCompositeType,
  isIntrospectionType,
  isListType,
  Kind,
  parse,
  separateOperations,
  validate,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLFormattedError,
  type GraphQLSchema,
  type ParseOptions,
  type SelectionSetNode,
  TypeInfo,
  type ValidationContext,
  type ValidationRule,
  type ValueNode,
  visit,
  visitWithTypeInfo,
} from 'graphql';
import { auditedTextLimits } from '../lib/access/identity';
import { ErrorCode } from '../lib/errors';
import { perOperationText } from './per-operation-text';

/**
 * What one operation may ask of the gateway, checked before it is planned or anything is fetched:
 * a refused operation costs a parse and a walk over its text, never a query plan or a subgraph
 * call. Each limit is allowed at its value and refused one past it.
 */
export interface OperationLimits {
  /** Nesting of fields (fragments do not add a level; introspection is not counted). */
  depth: number;
  /** Aliased fields, the usual way to ask for one expensive field many times in one operation. */
  aliases: number;
  /** Fields at the root of the operation (each is a separate entry point, often a separate fetch). */
  rootFields: number;
  /** Directives in the operation, fragments included. */
  directives: number;
  /** Lexical tokens of the document. */
  tokens: number;
  /** The estimated number of values in the answer (see `operationCost`). */
  cost: number;
  /** Bytes of a request body (enforced by the HTTP layer, lib/http-server.ts, before anything is parsed). */
  bodyBytes: number;
}

export type OperationLimitName = keyof OperationLimits;

/**
 * Every example operation in the README and the explorer fits with room to spare (a test keeps
 * it so); what they refuse is an operation built to be expensive.
 */
export const defaultOperationLimits: OperationLimits = {
  depth: 12,
  aliases: 15,
  rootFields: 10,
  directives: 50,
  tokens: 2000,
  cost: 10_000,
  // 5,000 intake rows with typical summaries are about 1.4 MiB of JSON; files go by the import command.
  bodyBytes: 2 * 1024 * 1024,
};

/** The typed refusal: `extensions.limit` names the limit, `extensions.max` is its value. */
export class OperationLimitExceeded extends GraphQLError {
  constructor(
    readonly limit: OperationLimitName,
    readonly max: number,
    message: string,
  ) {
    // `http` sets the status of a refusal thrown from a plugin hook; Apollo removes it from the answer.
    super(message, { extensions: { code: ErrorCode.OPERATION_LIMIT_EXCEEDED, limit, max, http: { status: 400 } } });
  }
}

/** The refusal as a client gets it. (The body size is refused before Apollo, by lib/http-server.ts, in the same shape.) */
function formatLimitError(error: OperationLimitExceeded): GraphQLFormattedError {
  return { message: error.message, extensions: { code: ErrorCode.OPERATION_LIMIT_EXCEEDED, limit: error.limit, max: error.max } };
}

/**
 * No armor rule counts root fields. Fragments on the root type count their fields; `__typename`
 * asks nothing of any subgraph and does not count.
 */
function rootFieldsRule(max: number): ValidationRule {
  return (context: ValidationContext) => ({
    OperationDefinition(operation) {
      const seen = new Set<string>();
      const count = (selectionSet: SelectionSetNode): number =>
        selectionSet.selections.reduce((sum, selection) => {
          if (selection.kind === Kind.FIELD) return sum + (selection.name.value === '__typename' ? 0 : 1);
          if (selection.kind === Kind.INLINE_FRAGMENT) return sum + count(selection.selectionSet);
          // Each fragment once: spread again, it asks the same fields (validation has refused cycles by now).
          const fragment = seen.has(selection.name.value) ? undefined : context.getFragment(selection.name.value);
          seen.add(selection.name.value);
          return sum + (fragment ? count(fragment.selectionSet) : 0);
        }, 0);
      const found = count(operation.selectionSet);
      if (found > max) context.reportError(new OperationLimitExceeded('rootFields', max, `Root fields limit of ${max} exceeded, found ${found}.`));
    },
  });
}

/** An operation's name is stored with each audit entry it causes, in a column of `auditedTextLimits.operationName`. */
function operationNameRule(context: ValidationContext): ASTVisitor {
  const max = auditedTextLimits.operationName;
  return {
    OperationDefinition(operation) {
      const name = operation.name?.value;
      if (name && name.length > max) context.reportError(new GraphQLError(`Operation names are at most ${max} characters (the audit log stores them), got ${name.length}.`, { nodes: operation.name }));
    },
  };
}

/**
 * graphql-armor's depth, alias and directive rules, reporting the typed refusal. Armor's own
 * messages name the limit and what was found; its "Syntax Error: " prefix is dropped (these are
 * not syntax errors).
 */
function armorRules(limits: OperationLimits): ValidationRule[] {
  const refuse = (limit: OperationLimitName) => [
    (context: ValidationContext | null, error: GraphQLError) => context?.reportError(new OperationLimitExceeded(limit, limits[limit], error.message.replace(/^Syntax Error: /, ''))),
  ];
  const { validationRules } = new ApolloArmor({
    maxDepth: { n: limits.depth, flattenFragments: true, ignoreIntrospection: true, propagateOnRejection: false, onReject: refuse('depth') },
    maxAliases: { n: limits.aliases, propagateOnRejection: false, onReject: refuse('aliases') },
    maxDirectives: { n: limits.directives, propagateOnRejection: false, onReject: refuse('directives') },
    // Tokens are counted by graphql's own parser (parseOptions), cost by operationCost: armor's
    // parser-in-a-plugin answers a refusal as an internal error, and its cost ignores variables.
    maxTokens: { enabled: false },
    costLimit: { enabled: false },
    // Suggestions are removed in formatError (withoutSuggestions): armor's Apollo plugin misses
    // enum-value suggestions.
    blockFieldSuggestion: { enabled: false },
  }).protect();
  return validationRules;
}

/** A list without a page argument, or a size its field declares, is assumed to hold one default page of the platform's lists. */
const assumedListSize = 20;

/**
 * `Type.field` → the items a list without a page argument is assumed to hold, where its subgraph
 * declares one with `@listSize(assumedSize:)` (the cost directive of federation 2.9, after IBM's
 * GraphQL cost specification, which composition keeps in the supergraph): a record's history, its
 * objections, a report's sections hold a few items, not a page of the platform's lists, and
 * counting them as one would refuse a subject's own page of twenty records with their histories.
 * The declaration is the contract: the subgraph's SDL says, next to the field, how long the list
 * runs and why.
 */
export function readListSizes(supergraphSdl: string): Map<string, number> {
  const sizes = new Map<string, number>();
  for (const definition of parse(supergraphSdl).definitions) {
    if (definition.kind !== Kind.OBJECT_TYPE_DEFINITION && definition.kind !== Kind.OBJECT_TYPE_EXTENSION) continue;
    for (const field of definition.fields ?? []) {
      const assumed = field.directives?.find((d) => d.name.value === 'listSize')?.arguments?.find((a) => a.name.value === 'assumedSize')?.value;
      if (assumed?.kind === Kind.INT) sizes.set(`${definition.name.value}.${field.name.value}`, Number(assumed.value));
    }
  }
  return sizes;
}

/**
 * The estimated size of the answer: every field counts one value, times the number of times it
 * is resolved. A list holds `first` (or `last`) items when its field, or the connection it
 * belongs to, takes that argument (as given, from a variable, or its default), else the size its
 * field declares (`listSizes`, from `readListSizes`), else `assumedListSize`. So
 * `searchSubjects(first: 50) { edges { node { name creditRecords(first: 20) { totalCount } } } }`
 * costs 1 + 50 × (3 + 2).
 *
 * The cost also bounds the work of every later step that inlines fragments (field guards, the
 * query planner), so it is never less than the number of fields the operation holds once its
 * fragments are inlined: a list of `first: 0` counts as one item, and introspection fields count
 * one each (never multiplied: the explorer's schema query costs a few hundred). A fragment's cost
 * is worked out once per page size, so a chain of fragments that each spread the next one twice,
 * a few hundred tokens that inline to 2^40 fields, is refused in microseconds, not walked.
 */
export function operationCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  rawVariables: Record<string, unknown> = {},
  listSizes: ReadonlyMap<string, number> = new Map(),
): number {
  const operation = getOperationAST(document, operationName);
  const root = operation && schema.getRootType(operation.operation);
  if (!operation || !root) return 0;
  const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], rawVariables);
  // Variables that do not coerce fail the operation later; their raw values still size the lists.
  const variables = coerced.coerced ?? rawVariables;
  const fragments = new Map(
    document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((f) => [f.name.value, f]),
  );
  const fragmentCosts = new Map<string, number>();
  const pageSize = (args: Record<string, unknown>): number | undefined => {
    const size = args.first ?? args.last;
    return typeof size === 'number' && Number.isInteger(size) && size >= 0 ? size : undefined;
  };

  const fragmentCost = (name: string, connectionSize: number | undefined): number => {
    const key = `${name} ${connectionSize}`;
    const known = fragmentCosts.get(key);
    if (known !== undefined) return known;
    const fragment = fragments.get(name);
    // Validation refuses fragment cycles before the cost is asked for; were one here, it counts nothing more.
    fragmentCosts.set(key, 0);
    const found = fragment ? cost(fragment.selectionSet, schema.getType(fragment.typeCondition.name.value) as GraphQLCompositeType, connectionSize) : 0;
    fragmentCosts.set(key, found);
    return found;
  };

  // `connectionSize`: the page size of the connection this selection set belongs to, for its lists (edges, nodes).
  const cost = (selectionSet: SelectionSetNode, parent: GraphQLCompositeType, connectionSize: number | undefined): number =>
    selectionSet.selections.reduce((sum, selection) => {
      if (selection.kind === Kind.INLINE_FRAGMENT) {
        const type = selection.typeCondition ? (schema.getType(selection.typeCondition.name.value) as GraphQLCompositeType) : parent;
        return sum + cost(selection.selectionSet, type, connectionSize);
      }
      if (selection.kind === Kind.FRAGMENT_SPREAD) return sum + fragmentCost(selection.name.value, connectionSize);
      const introspection = selection.name.value.startsWith('__') || isIntrospectionType(parent);
      const field = 'getFields' in parent && !introspection ? parent.getFields()[selection.name.value] : undefined;
      if (!field) return sum + 1 + (selection.selectionSet ? fieldCount(selection.selectionSet) : 0);
      let args: Record<string, unknown> = {};
      try {
        args = getArgumentValues(field, selection, variables);
      } catch {
        // An argument that does not coerce fails the operation later; size it as unknown.
      }
      const isList = isListType(getNullableType(field.type));
      const times = isList ? Math.max(1, connectionSize ?? pageSize(args) ?? listSizes.get(`${parent.name}.${field.name}`) ?? assumedListSize) : 1;
      const type = getNamedType(field.type);
      const below = selection.selectionSet && isCompositeType(type) ? cost(selection.selectionSet, type, isList ? undefined : pageSize(args)) : 0;
      return sum + times * (1 + below);
    }, 0);

  /** Introspection (and any field the schema does not know, which validation refuses): one each, as written. */
  const fieldCount = (selectionSet: SelectionSetNode): number =>
    selectionSet.selections.reduce((sum, selection) => {
      if (selection.kind === Kind.FRAGMENT_SPREAD) return sum + fragmentCost(selection.name.value, undefined);
      if (selection.kind === Kind.INLINE_FRAGMENT) return sum + fieldCount(selection.selectionSet);
      return sum + 1 + (selection.selectionSet ? fieldCount(selection.selectionSet) : 0);
    }, 0);

  return cost(operation.selectionSet, root, undefined);
}

/**
 * Whether `operationCost` of `document` can differ with the request's variables: it reads them only
 * for a page size, the `first` or `last` of a field that takes one, so only where such a field is
 * given a variable in any of its arguments (one that does not coerce leaves the field unsized).
 * Otherwise the cost is the operation's own, worked out once per operation text
 * (`operationLimitPlugin`) rather than on every request, which cost about a fiftieth of the
 * gateway's CPU per lookup (bench/results.md). A field the schema does not know is taken to read them.
 */
function costReadsVariables(schema: GraphQLSchema, document: DocumentNode): boolean {
  const types = new TypeInfo(schema);
  let reads = false;
  visit(
    document,
    visitWithTypeInfo(types, {
      Field(field) {
        if (!field.arguments?.some((argument) => holdsVariable(argument.value))) return;
        const definition = types.getFieldDef();
        if (definition && !definition.args.some((argument) => argument.name === 'first' || argument.name === 'last')) return;
        reads = true;
        return BREAK;
      },
    }),
  );
  return reads;
}

/** Whether a literal takes a variable anywhere in it. */
function holdsVariable(value: ValueNode): boolean {
  if (value.kind === Kind.VARIABLE) return true;
  if (value.kind === Kind.LIST) return value.values.some(holdsVariable);
  if (value.kind === Kind.OBJECT) return value.fields.some((field) => holdsVariable(field.value));
  return false;
}

/** The depth, alias, directive and root-field limits, as validation rules to run over one operation's own document (`operationLimitPlugin`). */
export function operationShapeRules(limits: OperationLimits): ValidationRule[] {
  return [...armorRules(limits), rootFieldsRule(limits.rootFields)];
}

/**
 * Apollo plugin: the limits of the operation run, once it is resolved (which operation of the
 * document, and the variables the cost needs) and before the gateway plans it. Only that
 * operation and the fragments it spreads are counted: a document may hold others, which are not
 * run (`query A` of twenty aliases beside `query B { __typename }`, sent as B). The first limit
 * exceeded is told: its shape (depth, aliases, directives, root fields), then its cost.
 */
function operationLimitPlugin(limits: OperationLimits, listSizes: ReadonlyMap<string, number>): ApolloServerPlugin<BaseContext> {
  const rules = operationShapeRules(limits);
  const shape = perOperationText((schema, document, operation) => {
    const own = separateOperations(document)[operation.name?.value ?? ''];
    const [exceeded] = validate(schema, own, rules);
    // Worked out with the operation when no variable can change it (a lookup by code, a credit check with its page sizes written out).
    const cost = costReadsVariables(schema, own) ? undefined : operationCost(schema, own, operation.name?.value, {}, listSizes);
    return { own, exceeded, cost };
  });
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ schema, document, operation, request }) {
          // None chosen: operationResolution refuses the request.
          if (!operation) return;
          const { own, exceeded, cost } = shape(schema, document, operation);
          if (exceeded) throw exceeded;
          const found = cost ?? operationCost(schema, own, operation.name?.value, request.variables ?? {}, listSizes);
          if (found > limits.cost) throw new OperationLimitExceeded('cost', limits.cost, `Query cost limit of ${limits.cost} exceeded, found ${found}.`);
        },
      };
    },
  };
}

/**
 * What ApolloServer needs to enforce the limits: parse options (the tokens of the whole
 * document, as it is parsed whole), a validation rule (the length of operation names) and a
 * plugin (the limits of the operation run). `listSizes`: `readListSizes` of the supergraph served.
 */
export function operationLimitsForApollo(
  limits: OperationLimits,
  listSizes: ReadonlyMap<string, number> = new Map(),
): { parseOptions: ParseOptions; validationRules: ValidationRule[]; plugins: ApolloServerPlugin<BaseContext>[] } {
  return {
    parseOptions: { maxTokens: limits.tokens },
    validationRules: [operationNameRule],
    plugins: [operationLimitPlugin(limits, listSizes)],
  };
}

// graphql's parser stops at the token limit with a syntax error; Apollo offers no hook to refuse
// during parsing with an error of our own, so the refusal is recognised here by its text.
const tokenLimitMessage = /^Syntax Error: Document contains more th(?:an|at) \d+ tokens\. Parsing aborted\.$/;

/**
 * formatError's first step: refusals get `OPERATION_LIMIT_EXCEEDED` (Apollo's wrappers give
 * every validation error `GRAPHQL_VALIDATION_FAILED`, and graphql's token limit is a parse error),
 * and, while introspection is off, "Did you mean …" suggestions are cut from messages: they
 * would reveal the schema piece by piece.
 */
export function typeLimitErrors(limits: OperationLimits, options: { suggestions: boolean }) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = error instanceof GraphQLError ? (error.originalError ?? error) : error;
    if (original instanceof OperationLimitExceeded) return { ...formatLimitError(original), ...(formatted.locations ? { locations: formatted.locations } : {}) };
    if (formatted.extensions?.code === ErrorCode.GRAPHQL_PARSE_FAILED && tokenLimitMessage.test(formatted.message)) {
      return formatLimitError(new OperationLimitExceeded('tokens', limits.tokens, `Token limit of ${limits.tokens} exceeded.`));
    }
    // graphql-js stops validating an operation whose fields would take too long to compare
    // pairwise (hundreds of the same field in one selection), within every limit above: it is a
    // limit all the same, and the client is told so, not that its operation is invalid.
    if (formatted.extensions?.code === ErrorCode.GRAPHQL_VALIDATION_FAILED && formatted.message === 'Validation aborted.') {
      return { message: 'The operation takes more work to validate than graphql-js allows (many fields of one name in one selection): send fewer repeated fields.', extensions: { code: ErrorCode.OPERATION_LIMIT_EXCEEDED, limit: 'validationWork' } };
    }
    if (!options.suggestions) return { ...formatted, message: withoutSuggestions(formatted.message) };
    return formatted;
  };
}

/** graphql-js ends a message with its suggestions: `… Did you mean "name"?`, `… Did you mean the enum value "NEGATIVE"?` */
export function withoutSuggestions(message: string): string {
  return message.replace(/ Did you mean .*\?$/, '');
}
