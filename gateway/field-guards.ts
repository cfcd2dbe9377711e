import {
  getArgumentValues,
  getDirectiveValues,
  GraphQLIncludeDirective,
  GraphQLSkipDirective,
  getNamedType,
  getVariableValues,
  Kind,
  parse,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLSchema,
  type NamedTypeNode,
  type OperationDefinitionNode,
  type SelectionNode,
  type SelectionSetNode,
  visit,
} from 'graphql';
import { grantOf } from '../subgraphs/shared/access';
import { auditableSubjectId } from '../lib/access/identity';
import { detectIdentifierKind, normaliseIdentifier, validateCitizenIdNumber, validateUnifiedSocialCreditCode } from '../lib/identifiers';

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

/**
 * The field group each guarded field needs, told in its description as the gateway serves the
 * schema: composition keeps no `@grant`, so introspection (the explorer's docs pane, a front end's
 * code generator) would not show the group a FORBIDDEN error names. Said once, however often the
 * schema is loaded.
 */
export function withFieldGroupsDescribed(schema: GraphQLSchema, guards: ReadonlyMap<string, string>): GraphQLSchema {
  for (const [coordinate, group] of guards) {
    const [typeName, fieldName] = coordinate.split('.');
    const type = schema.getType(typeName);
    const field = type && 'getFields' in type ? (type.getFields() as Record<string, { description?: string | null }>)[fieldName] : undefined;
    if (!field) continue;
    const told = `Field group: \`${group}\` (docs/access.md: who holds it, under which matters).`;
    if (!field.description?.endsWith(told)) field.description = field.description ? `${field.description}\n\n${told}` : told;
  }
  return schema;
}

export interface RemovedField {
  /** Response keys from the root to the field; lists are crossed without an index. */
  path: string[];
  coordinate: string;
  group: string;
  /**
   * The response key of the `__typename` that keeps the field's selection set valid when every
   * field in it was removed; the client never asked for it, so the answer must not show it.
   */
  placeholderKey?: string;
  /** The field is within a credit service provider (its file, the reports it issued), so about no subject above it (`providerType`). */
  inProvider?: true;
}

/** What a refusal concerned, for the audit log. */
export interface Refusal {
  /** The subject the operation names for the refused field, by an argument of it or of a field above it. */
  subjectId?: string;
  /**
   * The unified social credit code or citizen ID number (normalised, well-formed) by which the
   * operation names the subject when it names none by id: the refusal fetched nothing, so only the
   * entities subgraph can say whose trail the entry belongs in.
   */
  subjectCode?: string;
  /** The field groups asked for at the refused field and beneath it, but for those within a provider: what the refusal withheld of its subject. */
  groups: string[];
  /**
   * The groups asked for within a credit service provider, at the refused field or beneath it (a
   * report's issuer's file): the provider's, audited about no subject, as when the provider is
   * asked for directly (`providerType`).
   */
  providerGroups?: string[];
}

export interface GuardedOperation {
  document: DocumentNode;
  removed: RemovedField[];
  /**
   * The response key of the `id` asked for, beside the client's fields, on each subject a removed
   * field belongs to, so that the refusal is audited against that subject wherever it was reached
   * (in a list, under a lookup by code); the client never asked for it either. Empty when
   * nothing was removed.
   */
  subjectKey: string;
  /** What a refusal at a response path of the client's operation concerned (list indices are skipped). */
  refusalAt(path: readonly (string | number)[]): Refusal;
  /** The root fields the operation runs whose group is one of `groups`, in the order asked (fragments included, @skip and @include applied). */
  rootFieldsIn(groups: ReadonlySet<string>): AskedRootField[];
}

/** A guarded root field as the client asked it. */
export interface AskedRootField {
  /** Where the answer gives it: its alias, or its name. */
  key: string;
  name: string;
  group: string;
  /** Its arguments as execution reads them (the request's variables and the defaults applied); empty when they cannot be read. */
  arguments: Record<string, unknown>;
}

/** The type whose objects are market subjects: whatever is refused within one is refused about it. */
const subjectType = 'Subject';

/**
 * The type whose objects are credit service providers: whatever is refused within one (its
 * supervision file, its filing history, the reports it issued) is about that provider, which the
 * audit log names no subject for, also when it was reached through a subject (a report's
 * issuer): as when the provider is asked for directly, and never in that subject's trail.
 */
const providerType = 'CreditServiceProvider';

/** Whether the objects of a field of `type` lie within a provider: a provider's do, a subject's do not, any other's as their parent's. */
function withinProvider(type: GraphQLCompositeType, parentWithin: boolean): boolean {
  return type.name === providerType || (type.name !== subjectType && parentWithin);
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
  // Only an operation that loses a field needs the keys: the walk over its aliases is not made for the others.
  let keys: { placeholder: string; subject: string } | undefined;
  const keysOf = () => {
    if (!keys) {
      const aliases = responseAliases(document);
      keys = { placeholder: unusedResponseKey(aliases, '__guarded_typename'), subject: unusedResponseKey(aliases, '__guarded_subject') };
    }
    return keys;
  };
  const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  const operation = operationName ? operations.find((o) => o.name?.value === operationName) : operations[0];
  const root = operation && schema.getRootType(operation.operation);
  if (!operation || !root) return { document, removed: [], subjectKey: '', refusalAt: () => ({ groups: [] }), rootFieldsIn: () => [] };
  // As execution will read them: a variable the request leaves out takes its definition's default.
  const values = coercedVariables(schema, operation, variables);
  const reader = new OperationReader(document, schema, guards, values);
  const removed: RemovedField[] = [];

  // `guarding` is false below a selection @skip or @include leaves out: it is never run, so
  // nothing in it is refused; it is only inlined like the rest, keeping its directive.
  const walk = (selectionSet: SelectionSetNode, parent: GraphQLCompositeType, path: string[], guarding = true, inProvider = false): SelectionSetNode => {
    const selections: SelectionNode[] = [];
    const removedHere: RemovedField[] = [];
    const removedBefore = removed.length;
    for (const selection of selectionSet.selections) {
      const guarded = guarding && !excluded(selection, values);
      if (selection.kind !== Kind.FIELD) {
        const fragment = reader.fragmentOf(selection, parent);
        if (!fragment) continue;
        // A spread becomes the inline fragment it stands for, with the spread's directives.
        const { typeCondition, selectionSet: inner, type } = fragment;
        selections.push({ kind: Kind.INLINE_FRAGMENT, typeCondition, directives: selection.directives, selectionSet: walk(inner, type, path, guarded, inProvider) });
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
      if (group && !grants.has(group) && guarded) {
        const cut: RemovedField = { path: [...path, key], coordinate, group, ...(inProvider ? { inProvider: true as const } : {}) };
        removed.push(cut);
        removedHere.push(cut);
        continue;
      }
      const field = parent.getFields()[name];
      if (selection.selectionSet && field) {
        const type = getNamedType(field.type) as GraphQLCompositeType;
        selections.push({ ...selection, selectionSet: walk(selection.selectionSet, type, [...path, key], guarded, withinProvider(type, inProvider)) });
      } else {
        selections.push(selection);
      }
    }
    if (removed.length > removedBefore && parent.name === subjectType) {
      selections.push({ kind: Kind.FIELD, alias: { kind: Kind.NAME, value: keysOf().subject }, name: { kind: Kind.NAME, value: 'id' } });
    }
    if (selections.length) return { ...selectionSet, selections };
    // A selection set cannot be empty: keep the object, ask for nothing but its type name.
    const placeholderKey = keysOf().placeholder;
    for (const field of removedHere) field.placeholderKey = placeholderKey;
    return { ...selectionSet, selections: [{ kind: Kind.FIELD, alias: { kind: Kind.NAME, value: placeholderKey }, name: { kind: Kind.NAME, value: '__typename' } }] };
  };

  const selectionSet = walk(operation.selectionSet, root, []);
  const refusalAt = (path: readonly (string | number)[]) => reader.refusalAt(operation.selectionSet, root, path);
  const rootFieldsIn = (groups: ReadonlySet<string>) => reader.rootFieldsIn(operation.selectionSet, root, groups);
  if (!removed.length) return { document, removed, subjectKey: '', refusalAt, rootFieldsIn };
  return {
    document: { kind: Kind.DOCUMENT, definitions: [{ ...operation, selectionSet }] },
    removed,
    subjectKey: keysOf().subject,
    refusalAt,
    rootFieldsIn,
  };
}

/**
 * Reads the client's operation as written (fragments and all) for the audit of what was refused:
 * which fields a response path stands for, which subject the operation names for them, and which
 * field groups they ask for.
 */
class OperationReader {
  private readonly fragments: Map<string, FragmentDefinitionNode>;

  constructor(
    document: DocumentNode,
    private readonly schema: GraphQLSchema,
    private readonly guards: Map<string, string>,
    private readonly variables: Record<string, unknown>,
  ) {
    this.fragments = new Map(document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((f) => [f.name.value, f]));
  }

  /**
   * Follows `path` down from the root; a key the operation does not have (it never should) stops
   * the walk there, so the refusal covers what lies beneath the last field found.
   */
  refusalAt(rootSet: SelectionSetNode, root: GraphQLCompositeType, path: readonly (string | number)[]): Refusal {
    let level: { selectionSet: SelectionSetNode; type: GraphQLCompositeType }[] = [{ selectionSet: rootSet, type: root }];
    let subjectId: string | undefined;
    let subjectCode: string | undefined;
    let inProvider = false;
    const groups = new Set<string>();
    for (const key of path) {
      if (typeof key === 'number') continue;
      const fields = level.flatMap(({ selectionSet, type }) => this.fieldsWithKey(selectionSet, type, key));
      if (!fields.length) break;
      groups.clear();
      level = [];
      for (const { node, field, parent } of fields) {
        // The subject named nearest the refused field is the one it was about, by id or by code.
        const named = this.subjectNamedBy(field, node);
        if (named.id || named.code) ({ id: subjectId, code: subjectCode } = named);
        const group = this.guards.get(`${parent.name}.${field.name}`);
        if (group) groups.add(group);
        const type = getNamedType(field.type) as GraphQLCompositeType;
        // Within a provider, a subject named above is not the one the refusal is about.
        inProvider = withinProvider(type, inProvider);
        if (type.name === providerType) subjectId = subjectCode = undefined;
        if (node.selectionSet) level.push({ selectionSet: node.selectionSet, type });
      }
    }
    // Within a provider, everything the refusal withheld is the provider's.
    const providerGroups = new Set<string>(inProvider ? groups : []);
    for (const { selectionSet, type } of level) this.groupsAsked(selectionSet, type, inProvider ? providerGroups : groups, providerGroups);
    return {
      subjectId,
      ...(subjectCode && !subjectId ? { subjectCode } : {}),
      groups: inProvider ? [] : [...groups].sort(),
      ...(providerGroups.size ? { providerGroups: [...providerGroups].sort() } : {}),
    };
  }

  /** The fields of the root's selection set (fragments included) that execution runs and whose group is one of `groups`. */
  rootFieldsIn(selectionSet: SelectionSetNode, root: GraphQLCompositeType, groups: ReadonlySet<string>): AskedRootField[] {
    return selectionSet.selections.flatMap((selection): AskedRootField[] => {
      if (excluded(selection, this.variables)) return [];
      if (selection.kind !== Kind.FIELD) {
        const inner = this.fragmentOf(selection, root);
        return inner ? this.rootFieldsIn(inner.selectionSet, root, groups) : [];
      }
      const field = 'getFields' in root ? root.getFields()[selection.name.value] : undefined;
      const group = field && this.guards.get(`${root.name}.${field.name}`);
      if (!field || !group || !groups.has(group)) return [];
      let values: Record<string, unknown> = {};
      try {
        values = getArgumentValues(field, selection, this.variables);
      } catch {
        // Values execution refuses: the field is not answered either.
      }
      return [{ key: selection.alias?.value ?? field.name, name: field.name, group, arguments: values }];
    });
  }

  /** The fields of a selection set, fragments included, answered under `key`. */
  private fieldsWithKey(selectionSet: SelectionSetNode, type: GraphQLCompositeType, key: string): { node: FieldNode; field: GraphQLField<unknown, unknown>; parent: GraphQLCompositeType }[] {
    return selectionSet.selections.flatMap((selection) => {
      if (selection.kind === Kind.FIELD) {
        const field = (selection.alias?.value ?? selection.name.value) === key && 'getFields' in type ? type.getFields()[selection.name.value] : undefined;
        return field ? [{ node: selection, field, parent: type }] : [];
      }
      const inner = this.fragmentOf(selection, type);
      return inner ? this.fieldsWithKey(inner.selectionSet, inner.type, key) : [];
    });
  }

  /**
   * Adds the groups of every guarded field selected in `selectionSet`, at any depth: within a
   * provider to `providers`, which names no subject, and everything beneath it with them.
   */
  private groupsAsked(selectionSet: SelectionSetNode, type: GraphQLCompositeType, into: Set<string>, providers: Set<string>): void {
    for (const selection of selectionSet.selections) {
      if (selection.kind !== Kind.FIELD) {
        const inner = this.fragmentOf(selection, type);
        if (inner) this.groupsAsked(inner.selectionSet, inner.type, into, providers);
        continue;
      }
      const field = 'getFields' in type ? type.getFields()[selection.name.value] : undefined;
      if (!field) continue;
      const group = this.guards.get(`${type.name}.${field.name}`);
      if (group) into.add(group);
      const fieldType = getNamedType(field.type) as GraphQLCompositeType;
      if (selection.selectionSet) this.groupsAsked(selection.selectionSet, fieldType, fieldType.name === providerType ? providers : into, providers);
    }
  }

  /** What a fragment spread or inline fragment selects, and on which type; undefined for a field or an unknown fragment. */
  fragmentOf(selection: SelectionNode, type: GraphQLCompositeType): { typeCondition?: NamedTypeNode; selectionSet: SelectionSetNode; type: GraphQLCompositeType } | undefined {
    if (selection.kind === Kind.INLINE_FRAGMENT) {
      const { typeCondition, selectionSet } = selection;
      return { typeCondition, selectionSet, type: typeCondition ? (this.schema.getType(typeCondition.name.value) as GraphQLCompositeType) : type };
    }
    const fragment = selection.kind === Kind.FRAGMENT_SPREAD ? this.fragments.get(selection.name.value) : undefined;
    return fragment && { typeCondition: fragment.typeCondition, selectionSet: fragment.selectionSet, type: this.schema.getType(fragment.typeCondition.name.value) as GraphQLCompositeType };
  }

  /**
   * The subject a field's arguments name, literally or through a variable: by id, its
   * `subjectId`, the `subjectId` of an input object (a credit check's, a consent's), or its `id`
   * when it returns a subject (a record's or a report's id names no subject); by code, its `code`
   * when it returns a subject (`subjectByCode`), or the `subjectCode` of an input object (a
   * submitted record's). It is the client's text, so only what looks like an id, or is a
   * well-formed code, is taken.
   */
  private subjectNamedBy(field: GraphQLField<unknown, unknown>, node: FieldNode): { id?: string; code?: string } {
    if (!node.arguments?.length) return {};
    let values: Record<string, unknown>;
    try {
      values = getArgumentValues(field, node, this.variables);
    } catch {
      return {};
    }
    const input = Object.values(values).find((value): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value));
    const returnsSubject = getNamedType(field.type).name === subjectType;
    const id = auditableSubjectId(values.subjectId ?? (returnsSubject ? values.id : undefined) ?? input?.subjectId);
    if (id) return { id };
    return { code: wellFormedSubjectCode((returnsSubject ? values.code : undefined) ?? values.subjectCode ?? input?.subjectCode) };
  }
}

/**
 * A unified social credit code or citizen ID number as the entities subgraph stores it, or
 * undefined for anything that is not one: a malformed code is never sent to be looked up.
 */
export function wellFormedSubjectCode(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const code = normaliseIdentifier(value);
  const valid = detectIdentifierKind(code) === 'CITIZEN_ID_NUMBER' ? validateCitizenIdNumber(code).valid : validateUnifiedSocialCreditCode(code).valid;
  return valid ? code : undefined;
}

/**
 * The request's variables with the operation's defaults applied and each value coerced, as
 * execution reads them. Values validation or execution will refuse are left to them: the raw
 * variables are read instead, as they always were.
 */
function coercedVariables(schema: GraphQLSchema, operation: OperationDefinitionNode, variables: Record<string, unknown>): Record<string, unknown> {
  if (!operation.variableDefinitions?.length) return variables;
  try {
    const coerced = getVariableValues(schema, operation.variableDefinitions, variables);
    return coerced.coerced ?? variables;
  } catch {
    return variables;
  }
}

/** Whether `@skip(if: true)` or `@include(if: false)` leaves the selection out, as execution reads them. */
function excluded(selection: SelectionNode, variables: Record<string, unknown>): boolean {
  if (!selection.directives?.length) return false;
  try {
    return getDirectiveValues(GraphQLSkipDirective, selection, variables)?.if === true || getDirectiveValues(GraphQLIncludeDirective, selection, variables)?.if === false;
  } catch {
    // A value validation would refuse: kept, so the field is guarded as if asked.
    return false;
  }
}

/** The aliases the client's document uses. */
function responseAliases(document: DocumentNode): Set<string> {
  const aliases = new Set<string>();
  visit(document, {
    Field: (field) => {
      if (field.alias) aliases.add(field.alias.value);
    },
  });
  return aliases;
}

/** A response key that no field of the client's document uses, so a field the gateway adds is never mistaken for one it asked for. */
function unusedResponseKey(aliases: ReadonlySet<string>, base: string): string {
  let key = base;
  while (aliases.has(key)) key += '_';
  return key;
}

export interface ErrorAtPath {
  path: (string | number)[];
  removed: RemovedField;
  /** The id of the nearest subject above the field in the answer, which the refusal concerned; none for a field within a provider (`RemovedField.inProvider`). */
  subjectId?: string;
}

/**
 * Writes null where each removed field would have been, following lists, drops what the gateway
 * added to the client's selection (type-name placeholders, subject ids), and returns the concrete
 * paths for the errors. Objects the answer does not contain (a null parent) get none.
 */
export function nullRemovedFields(data: Record<string, unknown> | null | undefined, removed: RemovedField[], subjectKey: string): ErrorAtPath[] {
  const paths: ErrorAtPath[] = [];
  if (!data) return paths;
  // Every subject given an id by the gateway holds a removed field, so the walks below reach it;
  // the id is dropped after them, as several fields of one subject read it.
  const subjects = new Set<Record<string, unknown>>();
  for (const field of removed) {
    const visit = (value: unknown, depth: number, concrete: (string | number)[], subjectId: string | undefined): void => {
      if (value === null || value === undefined) return;
      if (Array.isArray(value)) {
        value.forEach((item, index) => visit(item, depth, [...concrete, index], subjectId));
        return;
      }
      const object = value as Record<string, unknown>;
      const id = object[subjectKey];
      if (typeof id === 'string') {
        subjectId = id;
        subjects.add(object);
      }
      const key = field.path[depth];
      if (depth === field.path.length - 1) {
        if (field.placeholderKey) delete object[field.placeholderKey];
        object[key] = null;
        paths.push({ path: [...concrete, key], removed: field, subjectId: field.inProvider ? undefined : subjectId });
        return;
      }
      visit(object[key], depth + 1, [...concrete, key], subjectId);
    };
    visit(data, 0, [], undefined);
  }
  for (const subject of subjects) delete subject[subjectKey];
  return paths;
}

/** An error as the gateway passes it on: where it points, and its code. */
export interface PathedError {
  readonly path?: readonly (string | number)[];
  readonly extensions?: Record<string, unknown>;
}

/** Whether the answer's `path` is `field`'s or lies beneath it. */
export function isAtOrBeneath(path: readonly (string | number)[], field: readonly (string | number)[]): boolean {
  return path.length >= field.length && field.every((key, i) => path[i] === key);
}

/**
 * A subgraph's refusal of an object the answer holds all the same points at the fields it
 * withheld instead. A subject reached through a check, a record or an objection is an entity the
 * entities subgraph refuses (a purpose that does not cover its kind), while the object, with the
 * id the parent subgraph gave it, stays in the answer (the line names it; `Subject!` keeps it):
 * the refusal at `…subject` left every field asked of it null, including those of subgraphs that
 * `@requires` its kind and so were never asked. Each of those fields gets the error at its own
 * path, as a field the gateway removed does, so that data and errors agree; a field that already
 * has an error at or beneath it keeps that one alone. A refusal at a null object or field, or at
 * an object of which nothing is null, is left as it is. `atPath` makes the error for a path.
 */
export function refusalsAtWithheldFields<E extends PathedError>(data: Record<string, unknown> | null | undefined, errors: E[], atPath: (error: E, path: (string | number)[]) => E): E[] {
  if (!data) return errors;
  const paths = errors.flatMap((error) => (error.path ? [error.path] : []));
  const within = (path: readonly (string | number)[]) => paths.some((other) => isAtOrBeneath(other, path));
  const moved = new Set<string>();
  return errors.flatMap((error) => {
    if (error.extensions?.code !== 'FORBIDDEN' || !error.path?.length) return [error];
    const withheld = withheldBeneath(data, error.path)?.filter((path) => !within(path));
    if (!withheld?.length) return [error];
    return withheld.filter((path) => !moved.has(JSON.stringify(path)) && moved.add(JSON.stringify(path))).map((path) => atPath(error, path));
  });
}

/**
 * The fields a refusal at `path` withheld from an object the answer holds all the same: those it
 * answers null (a field of another subgraph that needs nothing of the refused object, such as a
 * subject's check history, is answered, and withheld by no one). Undefined when the answer holds
 * no object there (the refusal is at a null object or field).
 */
export function withheldBeneath(data: Record<string, unknown> | null | undefined, path: readonly (string | number)[]): (string | number)[][] | undefined {
  const value = path.reduce<unknown>((object, key) => (object === null || typeof object !== 'object' ? undefined : (object as Record<string | number, unknown>)[key]), data);
  if (!path.length || value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  return Object.entries(value as Record<string, unknown>)
    .filter(([, field]) => field === null)
    .map(([key]) => [...path, key]);
}
