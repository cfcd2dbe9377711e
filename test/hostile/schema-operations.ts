import {
  buildClientSchema,
  getIntrospectionQuery,
  getNamedType,
  getNullableType,
  isEnumType,
  isInputObjectType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLNamedType,
  type GraphQLSchema,
  type IntrospectionQuery,
} from 'graphql';
import { postGraphQL } from '../helpers/graphql';

/**
 * Operations made from the schema the gateway serves (read by introspection, as a client would):
 * one per root field, its arguments as variables, so that hostile values can be placed in every
 * argument and every nested input field.
 */
export async function servedSchema(gatewayUrl: string): Promise<GraphQLSchema> {
  const result = await postGraphQL<IntrospectionQuery>(gatewayUrl, { query: getIntrospectionQuery() });
  if (!result.data) throw new Error(`introspection failed: ${JSON.stringify(result.errors)}`);
  return buildClientSchema(result.data);
}

export interface RootOperation {
  root: 'query' | 'mutation';
  field: string;
  /** `query Q($a: T!, …) { field(a: $a, …) { …leaves… } }` */
  text: string;
  /** Variables that pass GraphQL validation (not necessarily the resolver's). */
  variables: Record<string, unknown>;
  /** Every place in `variables` a String or ID goes, as a path (list positions are 0). */
  textSlots: (string | number)[][];
}

/** A plausible value of each scalar, so that one argument can be made hostile while the rest are valid. */
const scalarSamples: Record<string, unknown> = {
  String: 'x',
  ID: '00000000-0000-4000-8000-000000000000',
  Int: 1,
  Float: 1,
  Boolean: false,
  Date: '2024-01-01',
  DateTime: '2024-01-01T00:00:00.000Z',
};

function sampleOf(type: GraphQLInputType, path: (string | number)[], slots: (string | number)[][]): unknown {
  const nullable = getNullableType(type);
  if (isListType(nullable)) return [sampleOf(nullable.ofType, [...path, 0], slots)];
  if (isInputObjectType(nullable)) {
    const value: Record<string, unknown> = {};
    for (const field of Object.values(nullable.getFields())) {
      // Optional text fields are filled too: they are where hostile text reaches a repository.
      const named = getNamedType(field.type);
      if (isNonNullType(field.type) || named.name === 'String' || named.name === 'ID') value[field.name] = sampleOf(field.type, [...path, field.name], slots);
    }
    return value;
  }
  if (isEnumType(nullable)) return nullable.getValues()[0].value;
  if (nullable.name === 'String' || nullable.name === 'ID') slots.push(path);
  return nullable.name in scalarSamples ? scalarSamples[nullable.name] : {};
}

/** Leaves of a type, and one level of objects below it (connections: their nodes' leaves). */
function selectionOf(type: GraphQLNamedType, depth: number): string {
  if (!isObjectType(type)) return '';
  const parts: string[] = [];
  for (const field of Object.values(type.getFields())) {
    if (field.args.some((a) => isNonNullType(a.type) && a.defaultValue === undefined)) continue;
    const named = getNamedType(field.type);
    if (isLeafType(named)) parts.push(field.name);
    else if (depth > 0) {
      const inner = selectionOf(named, field.name === 'edges' || field.name === 'node' ? depth : depth - 1);
      if (inner) parts.push(`${field.name} { ${inner} }`);
    }
  }
  return parts.join(' ') || '__typename';
}

export function rootOperations(schema: GraphQLSchema): RootOperation[] {
  const operations: RootOperation[] = [];
  for (const root of ['query', 'mutation'] as const) {
    const type = root === 'query' ? schema.getQueryType() : schema.getMutationType();
    for (const field of Object.values(type?.getFields() ?? {}) as GraphQLField<unknown, unknown>[]) {
      if (field.name.startsWith('_')) continue;
      const textSlots: (string | number)[][] = [];
      const variables: Record<string, unknown> = {};
      for (const arg of field.args) {
        const named = getNamedType(arg.type);
        // `first` keeps its default: a page size is not text, and 1 keeps answers small.
        if (arg.name === 'first') continue;
        if (isNonNullType(arg.type) || named.name === 'String' || named.name === 'ID') variables[arg.name] = sampleOf(arg.type, [arg.name], textSlots);
      }
      const declared = field.args.map((a) => `$${a.name}: ${String(a.type)}`).join(', ');
      const passed = field.args.map((a) => `${a.name}: $${a.name}`).join(', ');
      const selection = selectionOf(getNamedType(field.type), 1);
      const text = `${root} Hostile${declared ? `(${declared})` : ''} { ${field.name}${passed ? `(${passed})` : ''}${isLeafType(getNamedType(field.type)) ? '' : ` { ${selection} }`} }`;
      operations.push({ root, field: field.name, text, variables, textSlots });
    }
  }
  return operations;
}

/** A copy of `value` with `replacement` at `path`. */
export function withValueAt(value: unknown, path: readonly (string | number)[], replacement: unknown): unknown {
  if (path.length === 0) return replacement;
  const [head, ...rest] = path;
  if (Array.isArray(value)) return value.map((item, i) => (i === head ? withValueAt(item, rest, replacement) : item));
  const object = (value ?? {}) as Record<string, unknown>;
  return { ...object, [head]: withValueAt(object[head as string], rest, replacement) };
}
