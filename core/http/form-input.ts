import { AppError, NotFoundError } from '../errors';
import { parseId } from './id-schemas';

/**
 * Reading urlencoded form bodies. Values arrive as strings (or arrays of strings for repeated names);
 * an unchecked checkbox does not arrive at all.
 */
export type FormBody = Record<string, unknown>;

export function text(body: FormBody, key: string): string {
  const value = body[key];
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined || first === null ? '' : String(first).trim();
}

/** Empty input becomes null, so clearing a field clears the column. */
export function optionalText(body: FormBody, key: string): string | null {
  return text(body, key) || null;
}

/** The raw value, untrimmed: passwords keep their spaces. */
export function raw(body: FormBody, key: string): string {
  const value = body[key];
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined || first === null ? '' : String(first);
}

export function checkbox(body: FormBody, key: string): boolean {
  const value = text(body, key);
  return value !== '' && value !== '0' && value !== 'false' && value !== 'off';
}

export function list(body: FormBody, key: string): string[] {
  // `name` and `name[]` both occur depending on how the form was written and which parser ran.
  const value = body[key] ?? body[`${key}[]`];
  // qs turns a long run of repeated names into an index-keyed object past its array limit.
  const values = Array.isArray(value)
    ? value
    : value !== null && typeof value === 'object'
      ? Object.values(value)
      : value === undefined || value === null || value === ''
        ? []
        : [value];
  return values.map((v) => String(v).trim()).filter(Boolean);
}

export function idList(body: FormBody, key: string): number[] {
  return [...new Set(list(body, key).map(parseId).filter((n): n is number => n !== null))];
}

/** A numeric route parameter; anything else is treated as a missing record by the caller. */
export function idParam(value: string | undefined): number | null {
  return parseId(value);
}

/** The numeric `:id` of a page route; `/admin/shops/abc` is a page that does not exist. */
export function requireId(value: string | undefined): number {
  const id = idParam(value);
  if (id === null) throw new NotFoundError();
  return id;
}

export interface FormProblem {
  /** Messages per field, shown beside the fields. */
  errors: Record<string, string>;
  /** A message for the whole form (shown above it). */
  message: string;
  status: number;
}

/**
 * The errors a person can fix by changing the form: validation (422), conflicts such as a used code
 * (409) and refusals tied to what they entered (403, e.g. granting a permission they lack). Anything
 * else (a missing record, a crash) goes to the error pages.
 */
export function formProblem(error: unknown): FormProblem | null {
  if (!(error instanceof AppError)) return null;
  if (![403, 409, 422].includes(error.status)) return null;
  return { errors: { ...error.fields }, message: error.message, status: error.status === 403 ? 403 : 422 };
}

/** Runs a form's write; on a fixable error returns the problem instead of throwing. */
export async function attempt<T>(work: () => Promise<T>): Promise<{ ok: true; value: T } | ({ ok: false } & FormProblem)> {
  try {
    return { ok: true, value: await work() };
  } catch (error) {
    const problem = formProblem(error);
    if (!problem) throw error;
    return { ok: false, ...problem };
  }
}
