import { formatDateTime, formatMoney } from '../views/helpers';
import { formatAmount, formatRate } from '../data/money';
import type { ResolvedField } from './define-entity';
import type { RefTarget } from './entity-registry';

/**
 * A field's value as people read it (lists, record pages, history) and as a CSV cell or a form input
 * holds it. Money is in the row's currency, instants in the company's time zone, refs by title.
 */
export interface DisplayContext {
  timeZone: string;
  /** The currency of a money field's value in `row`. */
  currencyOf(f: ResolvedField, row: Record<string, unknown>): string;
  /** Titles of the records refs point at, by target entity then id. */
  refs: Map<string, Map<number, RefTarget>>;
}

export function displayValue(f: ResolvedField, value: unknown, row: Record<string, unknown>, dc: DisplayContext): string {
  if (value === null || value === undefined) return '';
  switch (f.kind) {
    case 'boolean': {
      const [yes, no] = f.options.words ?? ['Yes', 'No'];
      return value ? yes : no;
    }
    case 'enum':
      return f.options.values[String(value)] ?? String(value);
    case 'money':
      return formatMoney(value, dc.currencyOf(f, row));
    case 'rate':
      return `${formatRate(Number(value))} %`;
    case 'datetime':
      return formatDateTime(value, dc.timeZone);
    case 'ref':
      return dc.refs.get(f.target!)?.get(Number(value))?.title ?? `#${value}`;
    case 'list':
      return Array.isArray(value) ? value.join(', ') : String(value);
    case 'json':
      return readableJson(value);
    case 'secret':
      return '';
    default:
      return String(value);
  }
}

/** Any JSON value as a person reads it: `Size: L, Newsletter: yes` rather than `{"size":"L"}`. */
export function readableJson(value: unknown): string {
  let parsed = value;
  if (typeof value === 'string') {
    try {
      parsed = JSON.parse(value);
    } catch {
      return value;
    }
  }
  if (parsed === null || parsed === undefined) return '';
  if (Array.isArray(parsed)) return parsed.map(readableJson).join(', ');
  if (typeof parsed === 'object') return Object.entries(parsed as Record<string, unknown>).map(([key, v]) => `${key}: ${readableJson(v)}`).join(', ');
  if (typeof parsed === 'boolean') return parsed ? 'yes' : 'no';
  return String(parsed);
}

/** The text a form input or a CSV cell holds for a value: what parsing it back gives the value again. */
export function inputText(f: ResolvedField, value: unknown, row: Record<string, unknown>, dc: DisplayContext): string {
  if (value === null || value === undefined || f.kind === 'secret') return '';
  if (f.kind === 'money') return formatAmount(Number(value), dc.currencyOf(f, row));
  if (f.kind === 'rate') return formatRate(Number(value));
  if (f.kind === 'datetime') return formatDateTime(value, dc.timeZone).replace(' ', 'T');
  if (f.kind === 'list') return Array.isArray(value) ? value.join(', ') : String(value);
  if (f.kind === 'json') return JSON.stringify(value, null, 2);
  if (f.kind === 'boolean') return value ? 'yes' : 'no';
  return String(value);
}

/** A CSV cell that a spreadsheet shows as text: one starting like a formula is prefixed with `'`. */
export function csvSafe(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}
