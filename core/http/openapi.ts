import type { DeclaredApiRoute } from './route-table';
import type { JsonSchema } from './json-schema';

const ERROR_SCHEMA: JsonSchema = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message', 'fields'],
      properties: { code: { type: 'string' }, message: { type: 'string' }, fields: { type: 'object', additionalProperties: { type: 'string' } } },
    },
  },
};

/**
 * The OpenAPI 3.1 document, generated from the very schemas the API validates with: 3.1's schemas are
 * plain JSON Schema, so they go in as written (nullable values as type lists).
 */
export function buildOpenApi(routes: DeclaredApiRoute[], version: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const operation: Record<string, unknown> = {
      operationId: `${route.module}_${route.method.toLowerCase()}_${route.path.replace(/[{}]/g, '').replace(/[^a-zA-Z0-9]+/g, '_').replace(/^_|_$/g, '')}`,
      summary: route.summary,
      tags: route.tags ?? [route.module],
      'x-permission': route.permission,
      parameters: [
        ...parameters(route.params, 'path'),
        ...parameters(route.query, 'query'),
        ...(route.idempotent ? [{ name: 'Idempotency-Key', in: 'header', required: false, description: 'The same key again answers the first response instead of running again.', schema: { type: 'string', maxLength: 200 } }] : []),
      ],
      responses: {
        [String(route.status ?? (route.method === 'DELETE' ? 204 : 200))]: route.response ? { description: 'Success', content: { 'application/json': { schema: route.response } } } : { description: 'Success' },
        '401': errorResponse('Not authenticated'),
        '403': errorResponse('Missing permission'),
        '422': errorResponse('Invalid input; `fields` names each bad field'),
      },
    };
    if (route.body) operation.requestBody = { required: true, content: { 'application/json': { schema: route.body } } };
    if (route.rawBody) operation.requestBody = { required: true, content: { [route.rawBody.contentType]: { schema: { type: 'string' } } } };
    (paths[route.openApiPath] ??= {})[route.method.toLowerCase()] = operation;
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Tessera API', version, description: 'Lists answer `{"data": [...], "next_cursor": ...}`; errors answer `{"error": {"code", "message", "fields"}}`.' },
    servers: [{ url: '/' }],
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' }, session: { type: 'apiKey', in: 'cookie', name: 'tessera.sid' } },
      schemas: { Error: ERROR_SCHEMA },
    },
    security: [{ bearer: [] }, { session: [] }],
    paths,
  };
}

function parameters(schema: JsonSchema | undefined, where: 'path' | 'query'): unknown[] {
  const properties = (schema?.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((schema?.required as string[]) ?? []);
  return Object.entries(properties).map(([name, s]) => ({ name, in: where, required: where === 'path' || required.has(name), schema: s, description: s.description }));
}

function errorResponse(description: string): unknown {
  return { description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } };
}
