/** A JSON Schema as ajv accepts it; kept loose on purpose so modules can write plain object literals. */
export type JsonSchema = Record<string, unknown>;

/** Keywords whose value maps names (of properties, definitions) to schemas, rather than being a schema. */
const SCHEMA_MAPS = new Set(['properties', 'patternProperties', '$defs', 'definitions', 'dependentSchemas']);

/**
 * Where a schema uses OpenAPI 3.0's `nullable`, as JSON pointers below the schema. The API document is
 * OpenAPI 3.1, whose schemas are plain JSON Schema: a null is allowed with a type list
 * (`type: ['string', 'null']`), one form for every module, understood alike by ajv and by generators.
 */
export function nullableKeywordsIn(schema: unknown, at = ''): string[] {
  // Every route's schemas are checked at boot: a schema whose text never says "nullable" has none,
  // and JSON.stringify (native) tells that far faster than the walk below.
  if (at === '' && !mentionsNullable(schema)) return [];
  if (Array.isArray(schema)) return schema.flatMap((item, index) => nullableKeywordsIn(item, `${at}/${index}`));
  if (typeof schema !== 'object' || schema === null) return [];
  const found: string[] = [];
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'nullable') found.push(at || '/');
    else if (SCHEMA_MAPS.has(key) && typeof value === 'object' && value !== null) {
      for (const [name, sub] of Object.entries(value)) found.push(...nullableKeywordsIn(sub, `${at}/${key}/${name}`));
    } else if (typeof value === 'object' && value !== null && !['enum', 'const', 'default', 'examples', 'required'].includes(key)) {
      found.push(...nullableKeywordsIn(value, `${at}/${key}`));
    }
  }
  return found;
}

function mentionsNullable(schema: unknown): boolean {
  try {
    return JSON.stringify(schema)?.includes('"nullable"') ?? false;
  } catch {
    // Not plain data (a cycle, a BigInt): the walk decides.
    return true;
  }
}
