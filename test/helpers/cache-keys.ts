import { getNamedType, TypeInfo, visit, visitWithTypeInfo, type DocumentNode, type GraphQLSchema } from 'graphql';

/**
 * The types README ("Front ends on Apollo Client") tells a normalising client cache to key by a
 * field other than `id`: a selection of one without that field is refused by Apollo Client (it
 * throws rather than write an object without its key), so every example a front end copies
 * selects it.
 */
export const cacheKeyFields: Record<string, string> = { Department: 'code', Matter: 'code', CreditRecordCategory: 'code' };

/** Where `document` selects one of `cacheKeyFields`' types without its key: `Type at field.path`. */
export function selectionsWithoutCacheKey(schema: GraphQLSchema, document: DocumentNode): string[] {
  const typeInfo = new TypeInfo(schema);
  const missing: string[] = [];
  const path: string[] = [];
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Field: {
        enter(node) {
          path.push(node.alias?.value ?? node.name.value);
          const type = typeInfo.getType();
          const key = type ? cacheKeyFields[getNamedType(type).name] : undefined;
          // Fragments are not spread in these examples; a key selected through one would be missed here.
          if (key && node.selectionSet && !node.selectionSet.selections.some((s) => s.kind === 'Field' && s.name.value === key && !s.alias)) {
            missing.push(`${getNamedType(type!).name} at ${path.join('.')}`);
          }
        },
        leave() {
          path.pop();
        },
      },
    }),
  );
  return missing;
}
