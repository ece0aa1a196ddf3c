import { MAX_ID } from './schema-helpers';

const DIGITS = /^\d{1,10}$/;

/** An id from text (a form field, a comma-separated filter): decimal digits in range, or null. */
export function parseId(value: unknown): number | null {
  if (typeof value === 'number') return Number.isInteger(value) && value >= 1 && value <= MAX_ID ? value : null;
  if (typeof value !== 'string' || !DIGITS.test(value)) return null;
  const id = Number(value);
  return id >= 1 && id <= MAX_ID ? id : null;
}
