import { Sequences } from 'tessera/core';

/** The sequence customer codes are numbered from, one per company (gap-free, in core). */
export const CUSTOMER_CODE_SEQUENCE = 'crm.customer_code';
export const DEFAULT_CODE_FORMAT = 'CU-{seq:6}';

const SEQ = /\{seq(?::([1-9][0-9]?))?\}/g;
const KNOWN = /\{(seq(:[1-9][0-9]?)?|year|month)\}/g;

/** Why a format is unusable, or null. One `{seq}` is required: without it every code would collide. */
export function codeFormatProblem(format: string): string | null {
  if (!format || !format.trim()) return 'is required';
  const seqs = format.match(SEQ) ?? [];
  if (seqs.length !== 1) return 'must contain {seq} or {seq:N} exactly once';
  const rest = format.replace(KNOWN, '');
  if (/[{}]/.test(rest)) return 'has an unknown placeholder; use {seq:N}, {year} or {month}';
  if (/\s/.test(format)) return 'must not contain spaces';
  if (Sequences.format(format, 1).length > 64) return 'makes codes longer than 64 characters';
  return null;
}

export function formatCustomerCode(format: string, value: number, date = new Date()): string {
  const problem = codeFormatProblem(format);
  return Sequences.format(problem ? DEFAULT_CODE_FORMAT : format, value, date);
}

/** Codes are compared case-insensitively and trimmed; what people type is what they find. */
export function cleanCode(code: unknown): string {
  return typeof code === 'string' || typeof code === 'number' ? String(code).trim() : '';
}

export const CODE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._\-/]{0,63}$/;

export function codeProblem(code: string): string | null {
  if (!code) return 'is required';
  if (code.length > 64) return 'must be at most 64 characters';
  if (!CODE_PATTERN.test(code)) return 'may hold only letters, digits and . _ - /';
  return null;
}
