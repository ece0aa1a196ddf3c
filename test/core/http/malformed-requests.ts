import fc from 'fast-check';

/**
 * Malformed requests built from the OpenAPI document: every operation's path, query and body, filled
 * with what an attacker or a broken client sends. Requests are plain data so a failure prints exactly
 * what was sent.
 */
export interface Operation {
  method: string;
  /** OpenAPI path, e.g. `/api/v1/crm/customers/{id}`. */
  path: string;
  pathParams: string[];
  queryParams: string[];
  /** Each query parameter's schema, to make values that pass it and test what lies behind. */
  querySchemas: Record<string, any>;
  /** The declared body: its content type, its schema and, for JSON, the top-level property names. */
  body: { contentType: string; schema: any; properties: string[] } | null;
}

export interface MalformedRequest {
  method: string;
  url: string;
  body?: { contentType: string; text: string };
}

/** A request as fast-check prints a counterexample: bodies cut short, a 20,000-level nesting is no help. */
function printable(request: MalformedRequest): MalformedRequest {
  return Object.assign(request, {
    [fc.toStringMethod]: () => `${request.method} ${request.url}${request.body ? ` [${request.body.contentType}] ${request.body.text.slice(0, 200)}` : ''}`,
  });
}

export function operationsOf(document: any): Operation[] {
  const operations: Operation[] = [];
  for (const [path, methods] of Object.entries<any>(document.paths)) {
    for (const [method, operation] of Object.entries<any>(methods)) {
      const parameters: any[] = operation.parameters ?? [];
      const content = operation.requestBody?.content ?? null;
      const contentType = content ? Object.keys(content)[0] : null;
      operations.push({
        method: method.toUpperCase(),
        path,
        pathParams: parameters.filter((p) => p.in === 'path').map((p) => p.name),
        queryParams: parameters.filter((p) => p.in === 'query').map((p) => p.name),
        querySchemas: Object.fromEntries(parameters.filter((p) => p.in === 'query').map((p) => [p.name, p.schema ?? {}])),
        body: contentType ? { contentType, schema: content[contentType].schema ?? {}, properties: Object.keys(content[contentType].schema?.properties ?? {}) } : null,
      });
    }
  }
  return operations;
}

/** Ids that are not a positive integer in decimal digits within the database's range. */
export const BAD_IDS = ['Infinity', '-Infinity', 'NaN', '+1', ' 1', '1 ', '0x10', '1e3', '-1', '0', '1.5', '1.0', '0b1', '4294967296', '99999999999999999999', '9'.repeat(400), 'abc', 'null', 'true', '[]', '１', '\u0000'];

const base64 = (value: string) => Buffer.from(value).toString('base64url');

/** Cursors that decode to something other than what any list writes. */
export const BAD_CURSORS = [
  'WzFd', // [1]
  base64('[[],{}]'),
  base64('[]'),
  base64('{}'),
  base64('null'),
  base64('"x"'),
  base64('[null,null]'),
  base64('["a",-1]'),
  base64('["a",1.5]'),
  base64('[true,1]'),
  base64('[1,2,3]'),
  base64('[1e400,1]'),
  base64('[{"a":1},1]'),
  base64(`["${'x'.repeat(1500)}",1]`),
  '!!!not-base64!!!',
  'Infinity',
];

export const PROTOTYPE_KEYS = ['__proto__', 'constructor', 'prototype'];

const HUGE_NUMBERS = [1e308, -1e308, 2 ** 53, 2 ** 64, 4294967296, -1, 0, 1.5, -0.0001];
const ODD_TEXT = ['', ' ', 'x'.repeat(5000), '\u0000', "'; drop table core_users; --", '%', '_', '%_\\', '😀', '<script>alert(1)</script>', '../../etc/passwd', '1,2,,x'];

/** Any JSON value of a wrong or awkward kind. */
export const oddJson: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom<unknown>(null, true, false, ...HUGE_NUMBERS, ...ODD_TEXT, ...BAD_IDS, ...BAD_CURSORS),
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.string({ maxLength: 30 }),
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom(...PROTOTYPE_KEYS)), tie('value'), { maxKeys: 3 }),
  ),
})).value;

/** Text for a path segment or a query value. */
export const oddText: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...BAD_IDS, ...BAD_CURSORS, ...ODD_TEXT, '1', String(2 ** 53)),
  fc.string({ maxLength: 20 }),
  fc.integer().map(String),
);

/**
 * A value that passes the schema, or nearly: what reaches the service behind the schema and tests its
 * own checks (ids of nothing, dates that do not exist, texts at their length limit, empty lists).
 */
export function shapedBy(schema: any, depth = 0): fc.Arbitrary<unknown> {
  const types: string[] = Array.isArray(schema?.type) ? schema.type : schema?.type ? [schema.type] : [];
  const choices: Array<fc.WeightedArbitrary<unknown>> = [];
  const add = (weight: number, arbitrary: fc.Arbitrary<unknown>) => choices.push({ weight, arbitrary });
  if (Array.isArray(schema?.enum)) add(4, fc.constantFrom(...schema.enum));
  if (types.includes('null') || schema?.nullable) add(1, fc.constant(null));
  if (types.includes('integer')) {
    add(3, fc.integer({ min: Math.max(schema.minimum ?? -3, -3), max: Math.min(schema.maximum ?? 8, 8) }));
    add(1, fc.constantFrom(4294967295, 2 ** 31, 2 ** 31 - 1, schema.maximum ?? 100, schema.minimum ?? 0, -1));
  }
  if (types.includes('number')) add(1, fc.double({ noNaN: true, noDefaultInfinity: true }));
  if (types.includes('boolean')) add(2, fc.boolean());
  if (types.includes('string') && !schema?.enum) {
    const max = Math.min(schema.maxLength ?? 300, 300);
    if (schema.pattern) add(3, fc.stringMatching(new RegExp(schema.pattern)).filter((t) => t.length <= max && t.length >= (schema.minLength ?? 0)));
    else if (schema.format === 'email') add(3, fc.constantFrom('a@b.co', `fuzz-${Math.random().toString(36).slice(2)}@tessera.test`, 'ADMIN@TESSERA.TEST'));
    else if (schema.format === 'date') add(3, fc.constantFrom('2024-02-29', '2023-02-29', '2024-01-01', '1900-01-01', '9999-12-31'));
    else add(3, fc.string({ minLength: schema.minLength ?? 0, maxLength: Math.min(max, 20) }));
    add(1, fc.constantFrom('2024-02-30', '0000-00-00', 'x'.repeat(max), 'not-an-email', 'UTC', 'Mars/Olympus', 'EUR', '1,2,3', 'crm.customer.read', ...ODD_TEXT.filter((t) => t.length <= max)));
  }
  if (types.includes('array') && depth < 3) add(2, fc.array(shapedBy(schema.items ?? {}, depth + 1), { maxLength: 4 }));
  if (types.includes('object') && depth < 3) {
    const properties: Record<string, any> = schema.properties ?? {};
    const names = Object.keys(properties);
    if (names.length) {
      const required = (schema.required ?? []).filter((n: string) => names.includes(n));
      add(3, fc.record(Object.fromEntries(names.map((n) => [n, shapedBy(properties[n], depth + 1)])), { requiredKeys: required }));
    } else {
      add(2, fc.dictionary(fc.string({ maxLength: 10 }), oddJson, { maxKeys: 4 }));
    }
  }
  return choices.length ? fc.oneof(...choices) : oddJson;
}

/** A query string: declared, unknown and prototype-reaching keys, as scalars, arrays or nested objects. */
function queryOf(operation: Operation): fc.Arbitrary<string> {
  const key = fc.oneof(
    operation.queryParams.length ? fc.constantFrom(...operation.queryParams) : fc.constant('q'),
    fc.constantFrom(...PROTOTYPE_KEYS, 'unknown_key'),
  );
  const shaped = operation.queryParams.length
    ? fc.constantFrom(...operation.queryParams).chain((name) => shapedBy(operation.querySchemas[name]).map((v) => `${name}=${encodeURIComponent(v === null || typeof v !== 'object' ? String(v) : JSON.stringify(v))}`))
    : fc.constant('');
  const odd = fc.tuple(key, oddText, fc.constantFrom('scalar', 'array', 'nested', 'prototype-nested')).map(([k, v, shape]) => {
    const value = encodeURIComponent(v);
    if (shape === 'array') return `${k}[]=${value}&${k}[]=${value}`;
    if (shape === 'nested') return `${k}[a]=${value}`;
    if (shape === 'prototype-nested') return `${k}[__proto__][polluted]=${value}`;
    return `${k}=${value}`;
  });
  const pairs = fc.array(fc.oneof({ weight: 5, arbitrary: shaped }, { weight: 1, arbitrary: odd }), { maxLength: 4 });
  return fc.oneof(fc.constant(''), pairs.map((list) => list.filter(Boolean).join('&')));
}

/** A body: a JSON object of wrong values, other JSON, text that is not JSON, or a wrong content type. */
function bodyOf(operation: Operation): fc.Arbitrary<{ contentType: string; text: string } | undefined> {
  const properties = operation.body?.properties ?? [];
  const key = fc.oneof(properties.length ? fc.constantFrom(...properties) : fc.constant('name'), fc.constantFrom(...PROTOTYPE_KEYS, 'unknown_key'));
  const object = fc.dictionary(key, oddJson, { maxKeys: 5 }).map((o) => JSON.stringify(o));
  const deep = fc.integer({ min: 1000, max: 20000 }).map((n) => `{"${properties[0] ?? 'name'}":${'['.repeat(n)}${']'.repeat(n)}}`);
  const shaped = shapedBy(operation.body?.schema ?? {}).map((v) => JSON.stringify(v) ?? 'null');
  const text = fc.oneof(
    { weight: 4, arbitrary: shaped },
    object,
    oddJson.map((v) => JSON.stringify(v) ?? 'null'),
    fc.constantFrom('{"name":', '{', 'not json', '', '[1,2', '{"a":1}{"b":2}'),
    deep,
  );
  const contentType = fc.oneof(
    { weight: 4, arbitrary: fc.constant(operation.body?.contentType ?? 'application/json') },
    fc.constantFrom('application/json', 'text/plain', 'application/x-www-form-urlencoded', 'text/csv', 'application/xml', 'application/json; charset=latin1', 'application/json; charset=utf-16'),
  );
  // Operations without a body mostly get none, those with one mostly get one: each way reaches further.
  return fc.option(fc.record({ contentType, text }), { nil: undefined, freq: operation.body ? 8 : 2 });
}

/** Requests to one operation with every part possibly malformed. */
export function malformedRequest(operation: Operation): fc.Arbitrary<MalformedRequest> {
  const segment = fc.oneof({ weight: 1, arbitrary: oddText }, { weight: 2, arbitrary: fc.constantFrom('1', '2', '3', '4', '5', 'crm', 'base') });
  const segments = fc.array(segment, { minLength: operation.pathParams.length, maxLength: operation.pathParams.length });
  return fc.record({ segments, query: queryOf(operation), body: bodyOf(operation) }).map(({ segments, query, body }) => {
    let path = operation.path;
    operation.pathParams.forEach((name, i) => {
      path = path.replace(`{${name}}`, encodeURIComponent(segments[i]));
    });
    return printable({ method: operation.method, url: query ? `${path}?${query}` : path, body });
  });
}

/** Well-formed values for path parameters, so that a request reaches the part under test. */
const WELL_FORMED: Record<string, string> = { id: '1', module: 'crm' };

/** The operation's path with one parameter set to the given text and the others well-formed. */
export function withPathParam(operation: Operation, name: string, value: string): string {
  let path = operation.path;
  for (const param of operation.pathParams) path = path.replace(`{${param}}`, encodeURIComponent(param === name ? value : (WELL_FORMED[param] ?? '1')));
  return path;
}
