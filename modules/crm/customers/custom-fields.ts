/** Free custom fields a company defines in the crm settings; values live in the customer's JSON column. */
export interface CustomFieldDef {
  key: string;
  label: string;
  type: 'text' | 'number' | 'date' | 'boolean' | 'select';
  options?: string[];
  required?: boolean;
}

export type CustomValues = Record<string, string | number | boolean | null>;

const DATE = /^\d{4}-\d{2}-\d{2}$/;

export function isCalendarDate(text: string): boolean {
  if (!DATE.test(text)) return false;
  const d = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === text;
}

/**
 * Checks and converts custom values (from JSON, a form or a CSV cell). Unknown keys are refused rather
 * than silently stored, so a typo in an import header does not vanish. `partial` leaves out missing keys.
 */
export function validateCustomValues(
  raw: Record<string, unknown> | undefined | null,
  defs: CustomFieldDef[],
  options: { partial?: boolean; fieldPrefix?: string } = {},
): { values: CustomValues; errors: Record<string, string> } {
  const prefix = options.fieldPrefix ?? 'custom_fields.';
  const values: CustomValues = {};
  const errors: Record<string, string> = {};
  const input = raw ?? {};
  const byKey = new Map(defs.map((d) => [d.key, d]));
  for (const key of Object.keys(input)) {
    if (!byKey.has(key)) errors[prefix + key] = 'is not a custom field of this company';
  }
  for (const def of defs) {
    const present = Object.prototype.hasOwnProperty.call(input, def.key);
    if (!present && options.partial) continue;
    const value = input[def.key];
    const empty = value === undefined || value === null || (typeof value === 'string' && value.trim() === '');
    if (empty) {
      if (def.required) errors[prefix + def.key] = 'is required';
      else values[def.key] = null;
      continue;
    }
    const text = typeof value === 'string' ? value.trim() : value;
    switch (def.type ?? 'text') {
      case 'number': {
        const n = typeof text === 'number' ? text : Number(String(text).replace(',', '.'));
        if (!Number.isFinite(n)) errors[prefix + def.key] = 'must be a number';
        else values[def.key] = n;
        break;
      }
      case 'date':
        if (typeof text !== 'string' || !isCalendarDate(text)) errors[prefix + def.key] = 'must be a date YYYY-MM-DD';
        else values[def.key] = text;
        break;
      case 'boolean': {
        const t = String(text).toLowerCase();
        if (text === true || ['true', '1', 'yes', 'on', 'y'].includes(t)) values[def.key] = true;
        else if (text === false || ['false', '0', 'no', 'off', 'n'].includes(t)) values[def.key] = false;
        else errors[prefix + def.key] = 'must be yes or no';
        break;
      }
      case 'select': {
        const choice = String(text);
        if (!(def.options ?? []).includes(choice)) errors[prefix + def.key] = `must be one of: ${(def.options ?? []).join(', ')}`;
        else values[def.key] = choice;
        break;
      }
      default:
        if (String(text).length > 500) errors[prefix + def.key] = 'must be at most 500 characters';
        else values[def.key] = String(text);
    }
  }
  return { values, errors };
}
