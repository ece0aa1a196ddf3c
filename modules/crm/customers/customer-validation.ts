import { cleanCode, codeProblem } from './customer-code';
import { isCalendarDate, validateCustomValues, type CustomFieldDef, type CustomValues } from './custom-fields';
import type { CustomerInput } from './customer-types';
import { normalizePhone } from './customer-normalize';
import { cleanValue } from 'tessera/core';
import { plainFields, type PlainValues } from './customer-entity';
import { toE164, type PhoneCountry } from './phone-numbers';

/** A customer's fields after checking: the service writes these, the import too. */
export interface CleanCustomer extends Partial<PlainValues> {
  code?: string | null;
  first_name?: string;
  last_name?: string;
  phone?: string | null;
  email?: string | null;
  birthdate?: string | null;
  shop_id?: number;
  parent_id?: number | null;
  tags?: string[];
  custom_fields?: CustomValues;
}

export interface ValidationOutcome {
  value: CleanCustomer;
  errors: Record<string, string>;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const PHONE_CHARS = /^\+?[0-9 ().\-/]+$/;
const TAG = /^[\p{L}\p{N}][\p{L}\p{N} _\-.]*$/u;

function text(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  const t = String(value).trim().replace(/\s+/g, ' ');
  return t === '' ? null : t;
}

function positiveInt(value: unknown): number | null | 'bad' {
  if (value === undefined || value === null || value === '') return null;
  const n = Number(value);
  return Number.isInteger(n) && n > 0 ? n : 'bad';
}

/** Tags arrive as an array (API) or one cell "vip, gold; north" (form, CSV). Stored lowercase, unique. */
export function parseTags(value: unknown): { tags: string[]; error?: string } {
  if (value === undefined || value === null || value === '') return { tags: [] };
  const parts = Array.isArray(value) ? value.map((v) => String(v)) : String(value).split(/[,;|]/);
  const tags: string[] = [];
  for (const part of parts) {
    const tag = part.trim().replace(/\s+/g, ' ').toLowerCase();
    if (!tag) continue;
    if (tag.length > 40) return { tags, error: `tag "${tag.slice(0, 20)}..." is longer than 40 characters` };
    if (!TAG.test(tag)) return { tags, error: `tag "${tag}" may hold only letters, digits, spaces and _ - .` };
    if (!tags.includes(tag)) tags.push(tag);
  }
  if (tags.length > 20) return { tags, error: 'at most 20 tags' };
  return { tags };
}

/**
 * Checks a customer's fields without touching the database (shops, parents and uniqueness are the
 * service's job). `partial` validates a patch: only the fields present.
 */
export function validateCustomer(
  input: CustomerInput,
  /** `phoneCountry`: phones are read in it and kept in E.164; without it, kept as typed (6 to 20 digits). */
  options: { partial?: boolean; customFields?: CustomFieldDef[]; today?: string; phoneCountry?: PhoneCountry } = {},
): ValidationOutcome {
  const errors: Record<string, string> = {};
  const value: CleanCustomer = {};
  const has = (key: keyof CustomerInput) => !options.partial || Object.prototype.hasOwnProperty.call(input, key);
  const today = options.today ?? new Date().toISOString().slice(0, 10);

  if (has('code')) {
    const code = cleanCode(input.code);
    if (code) {
      const problem = codeProblem(code);
      if (problem) errors.code = problem;
      else value.code = code;
    } else if (options.partial) {
      errors.code = 'cannot be emptied';
    } else {
      value.code = null; // generated from the company's format
    }
  }
  if (has('first_name')) {
    const first = text(input.first_name) ?? '';
    if (first.length > 100) errors.first_name = 'must be at most 100 characters';
    else value.first_name = first;
  }
  if (has('last_name')) {
    const last = text(input.last_name);
    if (!last) errors.last_name = 'is required';
    else if (last.length > 100) errors.last_name = 'must be at most 100 characters';
    else value.last_name = last;
  }
  if (has('phone')) {
    const phone = text(input.phone);
    if (phone === null) value.phone = null;
    else if (!PHONE_CHARS.test(phone)) errors.phone = 'may hold only digits, spaces and + ( ) - . /';
    else if (options.phoneCountry) {
      const read = toE164(phone, options.phoneCountry);
      if ('problem' in read) errors.phone = read.problem;
      else value.phone = read.e164;
    } else if (normalizePhone(phone).length < 6 || normalizePhone(phone).length > 20) errors.phone = 'must have 6 to 20 digits';
    else value.phone = phone;
  }
  if (has('email')) {
    const email = text(input.email);
    if (email === null) value.email = null;
    else if (email.length > 191 || !EMAIL.test(email)) errors.email = 'is not a valid e-mail address';
    else value.email = email;
  }
  if (has('birthdate')) {
    const birthdate = text(input.birthdate);
    if (birthdate === null) value.birthdate = null;
    else if (!isCalendarDate(birthdate)) errors.birthdate = 'must be a date YYYY-MM-DD';
    else if (birthdate > today) errors.birthdate = 'cannot be in the future';
    else if (birthdate < '1900-01-01') errors.birthdate = 'must be after 1900';
    else value.birthdate = birthdate;
  }
  if (has('shop_id')) {
    const shop = positiveInt(input.shop_id);
    if (shop === null) errors.shop_id = 'is required';
    else if (shop === 'bad') errors.shop_id = 'must be a shop id';
    else value.shop_id = shop;
  }
  // Plain fields: the declaration's rules (length, kind), spaces squeezed as people type them.
  for (const f of plainFields) {
    if (!has(f.key as keyof CustomerInput)) continue;
    const raw = (input as Record<string, unknown>)[f.key];
    const result = cleanValue(f, typeof raw === 'string' ? text(raw) : raw);
    if ('error' in result) errors[f.key] = result.error;
    else (value as Record<string, unknown>)[f.key] = result.value;
  }
  if (has('parent_id')) {
    const parent = positiveInt(input.parent_id);
    if (parent === 'bad') errors.parent_id = 'must be a customer id';
    else value.parent_id = parent;
  }
  if (has('tags')) {
    const { tags, error } = parseTags(input.tags);
    if (error) errors.tags = error;
    else value.tags = tags;
  }
  if (has('custom_fields') || (!options.partial && (options.customFields ?? []).length > 0)) {
    const raw = input.custom_fields;
    if (raw !== undefined && raw !== null && (typeof raw !== 'object' || Array.isArray(raw))) {
      errors.custom_fields = 'must be an object';
    } else {
      const custom = validateCustomValues(raw ?? {}, options.customFields ?? [], { partial: options.partial });
      Object.assign(errors, custom.errors);
      value.custom_fields = custom.values;
    }
  }
  return { value, errors };
}
