import { checkbox, raw, text, type FormBody } from '../http/form-input';
import type { AnyEntity, ResolvedField } from './define-entity';
import { readText } from './field-text';

/**
 * A posted form to service input. Text arrives as text: amounts are typed as `12.50`, rates as
 * `12.5` (%), instants as wall-clock times in the company's zone, lists comma-separated. What cannot
 * be read is a message beside its field, together with what the service then says of the others.
 */
export interface ParsedForm {
  values: Record<string, unknown>;
  errors: Record<string, string>;
  /** What was typed, to show the form again as it was sent. */
  typed: Record<string, unknown>;
}

export function parseForm(entity: AnyEntity, body: FormBody, mode: 'create' | 'update', place: { timeZone: string; currencyOf(f: ResolvedField, values: Record<string, unknown>): string }): ParsedForm {
  const values: Record<string, unknown> = {};
  const errors: Record<string, string> = {};
  const typed: Record<string, unknown> = {};
  for (const f of entity.fieldList) {
    if (!f.writable || !f.inForm || (mode === 'update' && f.options.fixed)) continue;
    // A field the form did not carry is left as it is; an unticked checkbox is never sent, so it is false.
    if (f.kind !== 'boolean' && !(f.key in body)) continue;
    if (f.kind === 'boolean') {
      values[f.key] = checkbox(body, f.key);
      typed[f.key] = values[f.key];
      continue;
    }
    const input = f.kind === 'secret' ? raw(body, f.key) : text(body, f.key);
    typed[f.key] = f.kind === 'secret' ? '' : input;
    if (f.kind === 'secret' && !input && mode === 'update') continue;
    if (!input) {
      values[f.key] = f.kind === 'list' ? [] : null;
      continue;
    }
    const result = readText(f, input, { timeZone: place.timeZone, currency: () => place.currencyOf(f, values) });
    if ('error' in result) errors[f.key] = result.error;
    else values[f.key] = result.value;
  }
  return { values, errors, typed };
}
