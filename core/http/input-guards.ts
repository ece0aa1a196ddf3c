import type { JsonSchema } from '../json-schema';

/**
 * Checks made before a schema sees the input, for what JSON Schema alone lets through.
 */

/** Keys that reach an object's prototype when code copies input into an object. */
const PROTOTYPE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** Deeper than any schema of ours goes; past it, recursive code down the line could run out of stack. */
export const MAX_DEPTH = 32;

/**
 * Every key named `__proto__`, `constructor` or `prototype`, however deep, by its dotted path; and any
 * nesting past MAX_DEPTH, by its top-level field. The walk keeps its own stack: a body nested thousands
 * of levels deep must be refused, not overflow the call stack.
 */
export function forbiddenKeyFields(value: unknown, where = 'body'): Record<string, string> {
  if (value === null || typeof value !== 'object') return {};
  const fields = new Map<string, string>();
  // Each node with the way to it as a chain of (parent, key): the dotted path is spelled out only for
  // a key that is reported, not copied for every key of every request body.
  const stack: Step[] = [{ node: value, depth: 0, parent: null, key: '' }];
  while (stack.length > 0) {
    const step = stack.pop()!;
    const { node, depth } = step;
    if (node === null || typeof node !== 'object') continue;
    if (depth >= MAX_DEPTH) {
      fields.set(depth === 0 ? where : topKeyOf(step), `nests deeper than ${MAX_DEPTH} levels`);
      continue;
    }
    for (const key of Object.keys(node)) {
      if (PROTOTYPE_KEYS.has(key)) fields.set(pathOf(step, key), 'is not an allowed field name');
      else stack.push({ node: (node as Record<string, unknown>)[key], depth: depth + 1, parent: step, key });
    }
  }
  return fields.size ? Object.fromEntries(fields) : {};
}

interface Step {
  node: unknown;
  depth: number;
  parent: Step | null;
  key: string;
}

function pathOf(step: Step, key: string): string {
  const keys = [key];
  for (let at: Step | null = step; at && at.parent; at = at.parent) keys.push(at.key);
  return keys.reverse().join('.');
}

function topKeyOf(step: Step): string {
  let at = step;
  while (at.parent && at.parent.parent) at = at.parent;
  return at.key;
}

/**
 * Prototype-reaching keys in a raw query string. The query parser drops them silently, so they are
 * looked for in the text itself: `constructor=1`, `a[__proto__][x]=1`, `a.prototype=1`.
 */
export function forbiddenQueryKeyFields(url: string): Record<string, string> {
  const mark = url.indexOf('?');
  if (mark < 0) return {};
  const fields = new Map<string, string>();
  let params: URLSearchParams;
  try {
    params = new URLSearchParams(url.slice(mark + 1));
  } catch {
    return {};
  }
  for (const key of params.keys()) {
    const segments = key.split(/[[\].]+/).filter(Boolean);
    const at = segments.findIndex((s) => PROTOTYPE_KEYS.has(s));
    if (at >= 0) fields.set(segments.slice(0, at + 1).join('.'), 'is not an allowed field name');
  }
  return Object.fromEntries(fields);
}

const INTEGER_TEXT = /^-?\d+$/;
const NUMBER_TEXT = /^-?\d+(\.\d+)?$/;

/**
 * Path and query values are text that ajv coerces with `+value`, which reads `Infinity`, ` 1`, `+1`,
 * `0x10` and `1e3` as numbers. A number in the URL is written in decimal digits; anything else is
 * named here before coercion can turn it into something the caller did not write.
 */
export function textNumberFields(schema: JsonSchema, value: unknown): Record<string, string> {
  const fields: Record<string, string> = {};
  if (value === null || typeof value !== 'object') return fields;
  const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
  for (const [key, propertySchema] of Object.entries(properties)) {
    if (!Object.prototype.hasOwnProperty.call(value, key)) continue;
    const given = (value as Record<string, unknown>)[key];
    // `?ids[]=1&ids[]=2` arrives as an array of texts, each read like a single value.
    if (Array.isArray(given) && typesOf(propertySchema).has('array')) {
      given.forEach((item, i) => {
        const problem = numberTextProblem((propertySchema.items ?? {}) as JsonSchema, item);
        if (problem) fields[`${key}.${i}`] ??= problem;
      });
      continue;
    }
    const problem = numberTextProblem(propertySchema, given);
    if (problem) fields[key] = problem;
  }
  return fields;
}

function numberTextProblem(schema: JsonSchema, given: unknown): string | null {
  const types = typesOf(schema);
  const expected = types.has('string') ? null : types.has('integer') ? 'integer' : types.has('number') ? 'number' : null;
  if (!expected || typeof given !== 'string') return null;
  if (given === '' && types.has('null')) return null;
  if (!(expected === 'integer' ? INTEGER_TEXT : NUMBER_TEXT).test(given)) return `must be ${expected === 'integer' ? 'an integer' : 'a number'} written in decimal digits`;
  if (expected === 'integer' && !Number.isSafeInteger(Number(given))) return 'is too large';
  return null;
}

function typesOf(schema: JsonSchema): Set<string> {
  const type = schema.type;
  return new Set(Array.isArray(type) ? (type as string[]) : typeof type === 'string' ? [type] : []);
}

/**
 * A copy of the schema in which every integer without bounds is held to the safe range: JSON Schema's
 * `integer` takes 1e300 (and, coerced from text, Infinity), which no column stores.
 */
export function withSafeIntegers(schema: JsonSchema): JsonSchema {
  const copy = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(copy);
    if (node === null || typeof node !== 'object') return node;
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(node)) out[key] = copy(value);
    const type = out.type;
    const isInteger = type === 'integer' || (Array.isArray(type) && type.includes('integer'));
    if (isInteger) {
      out.maximum ??= Number.MAX_SAFE_INTEGER;
      out.minimum ??= Number.MIN_SAFE_INTEGER;
    }
    return out;
  };
  return copy(schema) as JsonSchema;
}
