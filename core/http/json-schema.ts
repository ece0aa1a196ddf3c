/** A JSON Schema as ajv accepts it; kept loose on purpose so modules can write plain object literals. */
export type JsonSchema = Record<string, unknown>;
