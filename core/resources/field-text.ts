import { instantOfWallTime } from '../data/calendar';
import { parseAmount, parseRate } from '../data/money';
import type { ResolvedField } from './define-entity';

/**
 * A value as people type it, in a form or a CSV cell, to what the service takes: amounts as `12.50`
 * in the row's currency, rates as `12.5` (%), instants as a wall-clock time on the company's calendar
 * (or ISO 8601 with its offset), lists comma-separated, JSON as JSON. Other kinds pass as text for the
 * service's own rules.
 */
export function readText(f: ResolvedField, text: string, place: { timeZone: string; currency: () => string }): { value: unknown } | { error: string } {
  switch (f.kind) {
    case 'money': {
      const currency = place.currency();
      const minor = parseAmount(text, currency);
      return minor === null ? { error: `must be an amount in ${currency}, like 12.50` } : { value: minor };
    }
    case 'rate': {
      const basisPoints = parseRate(text);
      return basisPoints === null ? { error: 'must be a percentage with at most 2 decimals, like 12.5' } : { value: basisPoints };
    }
    case 'datetime': {
      const instant = /[zZ]|[+-]\d\d:?\d\d$/.test(text) ? new Date(text) : instantOfWallTime(text, place.timeZone);
      return instant && !Number.isNaN(instant.getTime()) ? { value: instant.toISOString() } : { error: 'must be a date and time' };
    }
    case 'list':
      return { value: text.split(/[,\n]/).map((item) => item.trim()).filter(Boolean) };
    case 'json':
      try {
        return { value: JSON.parse(text) };
      } catch {
        return { error: 'must be valid JSON' };
      }
    default:
      return { value: text };
  }
}
