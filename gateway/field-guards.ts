import {
  getNamedType,
  Kind,
  parse,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionNode,
  type SelectionSetNode,
  visit,
} from 'graphql';
import { grantOf } from '../subgraphs/shared/access';

/**
 * The gateway half of field-level access, done before planning, as a federation router does:
 * fields whose `@grant` group the caller lacks are cut out of the operation (so they are never
 * fetched), and put back into the answer as null with an error at each of their paths.
 */

/** `Type.field` → the field group it needs, read from the `@grant` directives in the supergraph. */
export function readFieldGuards(supergraphSdl: string): Map<string, string> {
  const guards = new Map<string, string>();
  for (const definition of parse(supergraphSdl).definitions) {
    if (definition.kind !== Kind.OBJECT_TYPE_DEFINITION && definition.kind !== Kind.OBJECT_TYPE_EXTENSION) continue;
    for (const field of definition.fields ?? []) {
      const group = grantOf(field);
      if (group) guards.set(`${definition.name.value}.${field.name.value}`, group);
    }
  }
  return guards;
}

export interface RemovedField {
  /** Response keys from the root to the field; lists are crossed without an index. */
  path: string[];
  coordinate: string;
  group: string;
  /** The field's literal `id` argument, when it names the subject asked about. */
  idArgument?: string;
  /**
   * The response key of the `__typename` that keeps the field's selection set valid when every
   * field in it was removed; the client never asked for it, so the answer must not show it.
   */
  placeholderKey?: string;
}

export interface GuardedOperation {
  document: DocumentNode;
  removed: RemovedField[];
}

/**
 * Removes every field the grants do not cover from the selected operation. Named fragments are
 * inlined first, so that each removal has a single response path.
 */
export function guardOperation(
  document: DocumentNode,
  operationName: string | null | undefined,
  schema: GraphQLSchema,
  guards: Map<string, string>,
  grants: ReadonlySet<string>,
  variables: Record<string, unknown> = {},
): GuardedOperation {
  const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  const operation = operationName ? operations.find((o) => o.name?.value === operationName) : operations[0];
  if (!operation) return { document, removed: [] };
  const fragments = new Map(
    document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((f) => [f.name.value, f]),
  );
  const root = schema.getRootType(operation.operation);
  if (!root) return { document, removed: [] };
  const removed: RemovedField[] = [];
  const placeholderKey = unusedResponseKey(document);

  const walk = (selectionSet: SelectionSetNode, parent: GraphQLCompositeType, path: string[]): SelectionSetNode => {
    const selections: SelectionNode[] = [];
    const removedHere: RemovedField[] = [];
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FRAGMENT_SPREAD) {
        const fragment = fragments.get(selection.name.value);
        if (!fragment) continue;
        const type = schema.getType(fragment.typeCondition.name.value) as GraphQLCompositeType;
        const inner = walk(fragment.selectionSet, type, path);
        selections.push({ kind: Kind.INLINE_FRAGMENT, typeCondition: fragment.typeCondition, directives: selection.directives, selectionSet: inner });
        continue;
      }
      if (selection.kind === Kind.INLINE_FRAGMENT) {
        const type = selection.typeCondition ? (schema.getType(selection.typeCondition.name.value) as GraphQLCompositeType) : parent;
        selections.push({ ...selection, selectionSet: walk(selection.selectionSet, type, path) });
        continue;
      }
      const name = selection.name.value;
      if (name.startsWith('__') || !('getFields' in parent)) {
        selections.push(selection);
        continue;
      }
      const key = selection.alias?.value ?? name;
      const coordinate = `${parent.name}.${name}`;
      const group = guards.get(coordinate);
      if (group && !grants.has(group)) {
        const cut: RemovedField = { path: [...path, key], coordinate, group, idArgument: idArgument(selection, variables) };
        removed.push(cut);
        removedHere.push(cut);
        continue;
      }
      const field = parent.getFields()[name];
      if (selection.selectionSet && field) {
        const type = getNamedType(field.type) as GraphQLCompositeType;
        selections.push({ ...selection, selectionSet: walk(selection.selectionSet, type, [...path, key]) });
      } else {
        selections.push(selection);
      }
    }
    if (selections.length) return { ...selectionSet, selections };
    // A selection set cannot be empty: keep the object, ask for nothing but its type name.
    for (const field of removedHere) field.placeholderKey = placeholderKey;
    return { ...selectionSet, selections: [{ kind: Kind.FIELD, alias: { kind: Kind.NAME, value: placeholderKey }, name: { kind: Kind.NAME, value: '__typename' } }] };
  };

  const selectionSet = walk(operation.selectionSet, root, []);
  if (!removed.length) return { document, removed };
  return {
    document: { kind: Kind.DOCUMENT, definitions: [{ ...operation, selectionSet }] },
    removed,
  };
}

/** A response key that no field of the client's document uses, so a placeholder is never mistaken for one it asked for. */
function unusedResponseKey(document: DocumentNode): string {
  const aliases = new Set<string>();
  visit(document, {
    Field: (field) => {
      if (field.alias) aliases.add(field.alias.value);
    },
  });
  let key = '__guarded_typename';
  while (aliases.has(key)) key += '_';
  return key;
}

/** The subject id a denied field asked about, if it looks like one (it is the client's text). */
function idArgument(field: FieldNode, variables: Record<string, unknown>): string | undefined {
  const argument = field.arguments?.find((a) => a.name.value === 'id' || a.name.value === 'subjectId');
  const value = argument?.value.kind === Kind.STRING ? argument.value.value : argument?.value.kind === Kind.VARIABLE ? variables[argument.value.name.value] : undefined;
  return typeof value === 'string' && /^[A-Za-z0-9-]{1,36}$/.test(value) ? value : undefined;
}

export interface ErrorAtPath {
  path: (string | number)[];
  removed: RemovedField;
}

/**
 * Writes null where each removed field would have been, following lists, drops the type-name
 * placeholders that stood in for them, and returns the concrete paths for the errors. Objects the
 * answer does not contain (a null parent) get none.
 */
export function nullRemovedFields(data: Record<string, unknown> | null | undefined, removed: RemovedField[]): ErrorAtPath[] {
  const paths: ErrorAtPath[] = [];
  if (!data) return paths;
  for (const field of removed) {
    const visit = (value: unknown, depth: number, concrete: (string | number)[]): void => {
      if (value === null || value === undefined) return;
      if (Array.isArray(value)) {
        value.forEach((item, index) => visit(item, depth, [...concrete, index]));
        return;
      }
      const object = value as Record<string, unknown>;
      const key = field.path[depth];
      if (depth === field.path.length - 1) {
        if (field.placeholderKey) delete object[field.placeholderKey];
        object[key] = null;
        paths.push({ path: [...concrete, key], removed: field });
        return;
      }
      visit(object[key], depth + 1, [...concrete, key]);
    };
    visit(data, 0, []);
  }
  return paths;
}
