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
