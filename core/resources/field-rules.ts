import type { AnyEntity, ResolvedField } from './define-entity';
import { formatRate } from '../data/money';
import { parseId } from '../db/ids';
import { formatMoney } from '../views/helpers';

/**
 * Cleans what a caller gives (API body, form, import row, another module) into stored-ready values,
 * with a message per wrong field written for the person who typed it. Whatever the caller, the same
 * rules hold; ajv in front of the API only checks shapes.
 */
export interface CleanedInput {
  values: Record<string, unknown>;
  errors: Record<string, string>;
}

const CODE = /^[A-Za-z0-9_-]+$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const PHONE = /^[0-9+()./\s-]{3,40}$/;
const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
const WHOLE = /^-?\d+$/;

/** Says bounds of amounts in their currency ("at least 0.00 EUR"); without it they are in minor units. */
export type CurrencyOf = (f: ResolvedField, values: Record<string, unknown>) => string;

export function cleanInput(entity: AnyEntity, input: Record<string, unknown>, mode: 'create' | 'update', currencyOf?: CurrencyOf): CleanedInput {
  const values: Record<string, unknown> = {};
  const errors: Record<string, string> = {};
  for (const key of Object.keys(input)) {
    const f = entity.field(key);
    if (key === 'company_id') {
      if (mode === 'update') errors.company_id = 'cannot be changed';
    } else if (!f) errors[key] = 'is not a known field';
    else if (!f.writable) errors[key] = 'is set by the system';
    else if (mode === 'update' && f.options.fixed) errors[key] = 'cannot be changed';
  }
  for (const f of entity.fieldList) {
    if (!f.writable || errors[f.key]) continue;
    const given = Object.prototype.hasOwnProperty.call(input, f.key) && input[f.key] !== undefined;
    if (!given) {
      if (mode === 'update') continue;
      if (f.options.required) errors[f.key] = 'is required';
      else if (f.options.default !== undefined) values[f.key] = f.options.default;
      else if (f.kind === 'boolean') values[f.key] = false;
      else if (f.kind === 'list') values[f.key] = [];
      continue;
    }
    const empty = input[f.key] === null || (typeof input[f.key] === 'string' && String(input[f.key]).trim() === '');
    // An empty secret on an update keeps the stored one: forms never show it back.
    if (f.kind === 'secret' && mode === 'update' && empty) continue;
    // A field that always holds a value takes its default when left empty on create, and cannot be emptied.
    if (empty && !f.nullable && !f.options.required && f.kind !== 'boolean' && f.kind !== 'list') {
      if (mode === 'create') values[f.key] = f.options.default;
      else errors[f.key] = 'cannot be empty';
      continue;
    }
    const result = cleanValue(f, input[f.key], currencyOf ? () => currencyOf(f, input) : undefined);
    if ('error' in result) errors[f.key] = result.error;
    else values[f.key] = result.value;
  }
  for (const f of entity.fieldList) {
    const value = values[f.key];
    if (errors[f.key] || value === undefined || value === null || !f.options.validate) continue;
    const message = f.options.validate(value, values);
    if (message) errors[f.key] = message;
  }
  return { values, errors };
}

type Cleaned = { value: unknown } | { error: string };

export function cleanValue(f: ResolvedField, raw: unknown, currency?: () => string): Cleaned {
  const o = f.options;
  const empty = raw === null || raw === undefined || (typeof raw === 'string' && raw.trim() === '');
  if (empty && f.kind !== 'boolean' && f.kind !== 'list') return o.required ? { error: 'is required' } : { value: null };
  switch (f.kind) {
    case 'text':
      return cleanText(String(raw), o);
    case 'code': {
      const text = String(raw).trim();
      const code = o.upper ? text.toUpperCase() : text;
      const max = o.maxLength ?? 32;
      return CODE.test(code) && code.length <= max ? { value: code } : { error: `must be 1 to ${max} letters, digits, - or _` };
    }
    case 'email': {
      const text = String(raw).trim();
      if (text.length > (o.maxLength ?? 191)) return { error: `must be at most ${o.maxLength ?? 191} characters` };
      return EMAIL.test(text) ? { value: text } : { error: 'must be an e-mail address' };
    }
    case 'phone': {
      const text = String(raw).trim();
      return PHONE.test(text) ? { value: text } : { error: 'must be a phone number (digits, spaces, + - ( ) . /)' };
    }
    case 'integer':
    case 'money':
    case 'rate':
      return cleanWhole(raw, f, currency);
    case 'ref': {
      const id = Number(raw);
      return WHOLE.test(String(raw).trim()) && Number.isSafeInteger(id) && id > 0 ? { value: id } : { error: 'must be the id of a record' };
    }
    case 'boolean':
      if (raw === true || raw === 1 || raw === '1' || raw === 'true') return { value: true };
      if (raw === false || raw === 0 || raw === '0' || raw === 'false' || raw === undefined) return { value: false };
      return { error: 'must be true or false' };
    case 'date':
      return isDay(String(raw).trim()) ? { value: String(raw).trim() } : { error: 'must be a date (YYYY-MM-DD)' };
    case 'datetime': {
      const date = raw instanceof Date ? raw : new Date(String(raw).trim());
      return Number.isNaN(date.getTime()) ? { error: 'must be a date and time (ISO 8601)' } : { value: date.toISOString() };
    }
    case 'enum':
      return Object.prototype.hasOwnProperty.call(o.values, String(raw)) ? { value: String(raw) } : { error: `must be one of: ${Object.keys(o.values).join(', ')}` };
    case 'list':
      return cleanList(raw, o);
    case 'secret': {
      const text = String(raw);
      if (o.minLength && text.length < o.minLength) return { error: `must be at least ${o.minLength} characters` };
      if (text.length > (o.maxLength ?? 200)) return { error: `must be at most ${o.maxLength ?? 200} characters` };
      return { value: text };
    }
    default:
      return { value: raw };
  }
}

function cleanText(raw: string, o: ResolvedField['options']): Cleaned {
  const text = raw.trim();
  if (o.minLength && text.length < o.minLength) return { error: `must be at least ${o.minLength} characters` };
  if (o.maxLength && text.length > o.maxLength) return { error: `must be at most ${o.maxLength} characters` };
  if (o.pattern && !o.pattern.regex.test(text)) return { error: o.pattern.message };
  return { value: text };
}

const WHOLE_MESSAGE: Record<string, string> = {
  integer: 'must be a whole number',
  money: 'must be an amount in minor units (a whole number: 1250 is 12.50)',
  rate: 'must be a whole number of basis points (1250 is 12.50 %)',
};

function cleanWhole(raw: unknown, f: ResolvedField, currency?: () => string): Cleaned {
  const n = typeof raw === 'number' ? raw : WHOLE.test(String(raw).trim()) ? Number(String(raw).trim()) : NaN;
  if (!Number.isSafeInteger(n)) return { error: WHOLE_MESSAGE[f.kind] };
  // Bounds read as the person typed the value: an amount in its currency, a rate as a percentage.
  const bound = (value: number) => (f.kind === 'rate' ? `${formatRate(value)} %` : f.kind === 'money' && currency ? formatMoney(value, currency()) : String(value));
  if (f.options.min !== undefined && n < f.options.min) return { error: `must be at least ${bound(f.options.min)}` };
  if (f.options.max !== undefined && n > f.options.max) return { error: `must be at most ${bound(f.options.max)}` };
  return { value: n };
}

function cleanList(raw: unknown, o: ResolvedField['options']): Cleaned {
  const items = Array.isArray(raw) ? raw : raw === null || raw === undefined ? [] : String(raw).split(',');
  const list = [...new Set(items.map((item) => String(item).trim()).filter(Boolean))];
  if (o.required && list.length === 0) return { error: 'is required' };
  if (o.maxItems !== undefined && list.length > o.maxItems) return { error: `must have at most ${o.maxItems} items` };
  if (o.ids) {
    if (o.minItems !== undefined && list.length < o.minItems) return { error: `must have at least ${o.minItems} item${o.minItems === 1 ? '' : 's'}` };
    const ids = list.map((item) => parseId(item));
    return ids.every((id) => id !== null) ? { value: [...new Set(ids)] } : { error: 'must be ids of records' };
  }
  const max = o.maxLength ?? 100;
  if (list.some((item) => item.length > max)) return { error: `each must be at most ${max} characters` };
  return { value: list };
}

/** A real calendar day: 2025-02-30 is not one. */
export function isDay(text: string): boolean {
  const m = DAY.exec(text);
  if (!m) return false;
  const date = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return date.getUTCFullYear() === Number(m[1]) && date.getUTCMonth() === Number(m[2]) - 1 && date.getUTCDate() === Number(m[3]);
}
