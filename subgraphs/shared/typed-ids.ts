import { defaultFieldResolver, getNullableType, isInputObjectType, isListType, isNonNullType, isObjectType, isScalarType, type GraphQLInputType, type GraphQLSchema } from 'graphql';
import { isBlank } from '../../lib/text-input';
import { typedUuid } from '../../lib/identifiers';

/**
 * Every `ID` a field takes, at any depth of its arguments, read as the platform writes ids
 * (`typedUuid`): a subject's id pasted in upper case was no subject (null, or refused as another
 * subject's to a request scoped to one), and the refusal was audited under an id that is no
 * subject's, so the attempt was missing from the trail of the subject it named. An optional `ID`
 * left blank (empty or only spaces) is none, as if left out (README, Errors), in a query's
 * arguments and filters as in a mutation's input: a department list whose "all" is "" filtered by
 * a department of that code, and was refused as an unknown one. None reads no more than leaving
 * it out does, and each field's grants still bound that. (A blank `ID!` the gateway refuses.)
 * Wraps the resolvers of the fields that take an ID; the others are left as they are.
 */
export function foldTypedIds(schema: GraphQLSchema): GraphQLSchema {
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      const withIds = field.args.filter((arg) => holdsId(arg.type));
      if (withIds.length === 0) continue;
      const resolve = field.resolve ?? defaultFieldResolver;
      field.resolve = (parent, args: Record<string, unknown>, context, info) => {
        const folded = { ...args };
        for (const arg of withIds) if (arg.name in folded) folded[arg.name] = asTyped(folded[arg.name], arg.type);
        return resolve(parent, folded, context, info);
      };
    }
  }
  return schema;
}

function holdsId(type: GraphQLInputType, seen = new Set<string>()): boolean {
  const named = getNullableType(type);
  if (isListType(named)) return holdsId(named.ofType, seen);
  if (isScalarType(named)) return named.name === 'ID';
  if (!isInputObjectType(named) || seen.has(named.name)) return false;
  seen.add(named.name);
  return Object.values(named.getFields()).some((field) => holdsId(field.type, seen));
}

function asTyped(value: unknown, type: GraphQLInputType): unknown {
  if (value === null || value === undefined) return value;
  const named = getNullableType(type);
  if (isListType(named)) return Array.isArray(value) ? value.map((item) => asTyped(item, named.ofType)) : asTyped(value, named.ofType);
  if (isScalarType(named)) {
    if (named.name !== 'ID' || typeof value !== 'string') return value;
    if (isBlank(value) && !isNonNullType(type)) return null;
    return typedUuid(value) ?? value;
  }
  if (!isInputObjectType(named) || typeof value !== 'object') return value;
  const fields = named.getFields();
  return Object.fromEntries(Object.entries(value).map(([name, item]) => [name, fields[name] ? asTyped(item, fields[name].type) : item]));
}
