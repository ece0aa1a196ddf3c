import type { FormBody } from 'tessera/core';

/**
 * A form generated from a module's settings schema (the `settings` JSON Schema of its manifest).
 *
 * Every top-level property becomes one field: strings a text input (a select for an enum, a date
 * input for `format: date`), numbers a number input, booleans a checkbox, arrays of objects an
 * editable table (one row per item, a few blank rows to add items), arrays of scalars a textarea with
 * one item per line, anything else a JSON textarea.
 *
 * Input names are the dotted paths the settings service names in its validation errors
 * (`customer_code_format`, `custom_fields.0.key`), so an error lands beside the input it is about.
 * Dotted names are literal keys for the urlencoded parser (no `allowDots`), which also keeps long
 * tables clear of its array limits.
 */

type Schema = Record<string, any>;

export type InputKind = 'text' | 'number' | 'date' | 'select' | 'checkbox' | 'lines' | 'json';

export interface InputSpec {
  key: string;
  label: string;
  hint: string;
  required: boolean;
  kind: InputKind;
  schema: Schema;
  /** For selects: the enum values, as text. */
  options: Array<{ value: string; label: string }>;
}

export interface TableSpec {
  key: string;
  label: string;
  hint: string;
  required: boolean;
  kind: 'table';
  schema: Schema;
  columns: InputSpec[];
  maxItems: number | null;
}

export type FieldSpec = InputSpec | TableSpec;

/** What the form shows: the text of every input (or a checkbox's state), rows of tables. */
export interface FormState {
  inputs: Record<string, string | boolean>;
  tables: Record<string, TableRowState[]>;
}

export interface TableRowState {
  cells: Record<string, string | boolean>;
  remove: boolean;
}

/** How many blank rows a table offers for new items. */
export const BLANK_ROWS = 3;
const REMOVE = '_remove';

export function describeSettings(schema: Schema): FieldSpec[] {
  const properties = (schema?.properties ?? {}) as Record<string, Schema>;
  const required = new Set<string>(Array.isArray(schema?.required) ? schema.required : []);
  return Object.entries(properties).map(([key, property]) => {
    if (isTable(property)) {
      const items = property.items as Schema;
      const itemRequired = new Set<string>(Array.isArray(items.required) ? items.required : []);
      const columns = Object.entries(items.properties as Record<string, Schema>).map(([column, sub]) => describeInput(column, sub ?? {}, itemRequired.has(column), true));
      return {
        key,
        label: labelOf(key, property),
        hint: String(property.description ?? ''),
        required: required.has(key),
        kind: 'table',
        schema: property,
        columns,
        maxItems: typeof property.maxItems === 'number' ? property.maxItems : null,
      };
    }
    return describeInput(key, property ?? {}, required.has(key), false);
  });
}

function describeInput(key: string, schema: Schema, required: boolean, inTable: boolean): InputSpec {
  const kind = inputKind(schema);
  const notes: string[] = [];
  if (schema.description) notes.push(String(schema.description));
  if (Array.isArray(schema.examples) && schema.examples.length) notes.push(`For example: ${schema.examples.map(String).join(', ')}.`);
  if (kind === 'lines') notes.push('One per line.');
  if (kind === 'json') notes.push('As JSON.');
  // A table's blank cells take the default silently; top-level fields say what emptiness means.
  if (!inTable && !required && schema.default !== undefined && ['text', 'number', 'date', 'select'].includes(kind)) {
    notes.push(`Left empty: ${String(schema.default)}.`);
  }
  return {
    key,
    label: labelOf(key, schema),
    hint: notes.join(' '),
    required,
    kind,
    schema,
    options: kind === 'select' ? (schema.enum as unknown[]).map((v) => ({ value: String(v), label: String(v) })) : [],
  };
}

function inputKind(schema: Schema): InputKind {
  const type = typeOf(schema);
  if (Array.isArray(schema.enum) && schema.enum.every((v: unknown) => ['string', 'number', 'boolean'].includes(typeof v))) return 'select';
  if (type === 'string') return schema.format === 'date' ? 'date' : 'text';
  if (type === 'integer' || type === 'number') return 'number';
  if (type === 'boolean') return 'checkbox';
  if (type === 'array' && isScalar(schema.items)) return 'lines';
  return 'json';
}

export function isTable(schema: Schema | undefined): boolean {
  if (!schema || typeOf(schema) !== 'array') return false;
  const items = schema.items as Schema | undefined;
  return !!items && typeOf(items) === 'object' && !!items.properties && Object.keys(items.properties).length > 0;
}

function isScalar(schema: Schema | undefined): boolean {
  const type = schema ? typeOf(schema) : undefined;
  return type === 'string' || type === 'integer' || type === 'number' || type === 'boolean';
}

/** `type` may be a list (`["string", "null"]`): the first one that is not null. */
export function typeOf(schema: Schema): string | undefined {
  const type = schema.type;
  if (Array.isArray(type)) return type.find((t) => t !== 'null');
  return typeof type === 'string' ? type : undefined;
}

function labelOf(key: string, schema: Schema): string {
  if (typeof schema.title === 'string' && schema.title) return schema.title;
  const words = key.replace(/_/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export function inputName(...parts: Array<string | number>): string {
  return parts.join('.');
}

export function removeName(table: string, row: number): string {
  return `${REMOVE}.${table}.${row}`;
}

// ---------------------------------------------------------------------------------------------
// Stored values -> what the form shows

export function stateFromValues(specs: FieldSpec[], values: Record<string, unknown>): FormState {
  const state: FormState = { inputs: {}, tables: {} };
  for (const spec of specs) {
    if (spec.kind === 'table') {
      const items = Array.isArray(values[spec.key]) ? (values[spec.key] as unknown[]) : [];
      state.tables[spec.key] = items.map((item) => {
        const record = item && typeof item === 'object' ? (item as Record<string, unknown>) : {};
        const cells: Record<string, string | boolean> = {};
        for (const column of spec.columns) cells[column.key] = display(column, record[column.key]);
        return { cells, remove: false };
      });
    } else {
      state.inputs[spec.key] = display(spec, values[spec.key]);
    }
  }
  return state;
}

function display(spec: InputSpec, value: unknown): string | boolean {
  if (spec.kind === 'checkbox') return value === true;
  if (value === undefined || value === null) return '';
  if (spec.kind === 'lines') return Array.isArray(value) ? value.map((v) => String(v)).join('\n') : JSON.stringify(value);
  if (spec.kind === 'json') return JSON.stringify(value, null, 2);
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

// ---------------------------------------------------------------------------------------------
// Submitted form -> settings value

export interface ReadForm {
  /** The settings as the schema's types: what goes to the settings service. */
  value: Record<string, unknown>;
  /** What the person typed, for showing the form again (blank and removed rows dropped, rows renumbered). */
  state: FormState;
  /** Inputs whose text could not be converted (not a number, not JSON), by input name. */
  problems: Record<string, string>;
  /** Per table: the shown row of each item of `value` (items of removed rows are not in `value`). */
  rowOf: Record<string, number[]>;
}

export function readForm(specs: FieldSpec[], body: FormBody): ReadForm {
  const result: ReadForm = { value: {}, state: { inputs: {}, tables: {} }, problems: {}, rowOf: {} };
  for (const spec of specs) {
    if (spec.kind === 'table') {
      readTable(spec, body, result);
      continue;
    }
    const raw = rawInput(spec, body, spec.key);
    result.state.inputs[spec.key] = raw;
    const converted = convert(spec, raw);
    if (converted.problem) result.problems[spec.key] = converted.problem;
    if (converted.value !== undefined) result.value[spec.key] = converted.value;
  }
  return result;
}

function readTable(spec: TableSpec, body: FormBody, result: ReadForm): void {
  const rows: TableRowState[] = [];
  const items: Array<Record<string, unknown>> = [];
  const rowOf: number[] = [];
  for (const index of rowIndexes(body, spec.key)) {
    const cells: Record<string, string | boolean> = {};
    for (const column of spec.columns) cells[column.key] = rawInput(column, body, inputName(spec.key, index, column.key));
    // A row left fully empty is a blank row nobody used.
    if (Object.values(cells).every((v) => v === '' || v === false)) continue;
    const remove = single(body[removeName(spec.key, index)]) !== '';
    const shown = rows.length;
    rows.push({ cells, remove });
    if (remove) continue;
    const item: Record<string, unknown> = {};
    for (const column of spec.columns) {
      const converted = convert(column, cells[column.key]);
      if (converted.problem) result.problems[inputName(spec.key, shown, column.key)] = converted.problem;
      if (converted.value !== undefined) item[column.key] = converted.value;
    }
    items.push(item);
    rowOf.push(shown);
  }
  result.state.tables[spec.key] = rows;
  result.value[spec.key] = items;
  result.rowOf[spec.key] = rowOf;
}

/** The row numbers a table's inputs were posted with, in order. */
function rowIndexes(body: FormBody, table: string): number[] {
  const found = new Set<number>();
  for (const name of Object.keys(body)) {
    const path = name.startsWith(`${REMOVE}.`) ? name.slice(REMOVE.length + 1) : name;
    if (!path.startsWith(`${table}.`)) continue;
    const row = path.slice(table.length + 1).split('.')[0];
    if (/^\d{1,4}$/.test(row)) found.add(Number(row));
  }
  return [...found].sort((a, b) => a - b);
}

function rawInput(spec: InputSpec, body: FormBody, name: string): string | boolean {
  const value = single(body[name]);
  if (spec.kind === 'checkbox') return value !== '' && value !== '0' && value !== 'false' && value !== 'off';
  // Textareas keep their lines; everything else is compared trimmed, as the other forms do.
  return spec.kind === 'lines' || spec.kind === 'json' ? value.replace(/\r\n/g, '\n') : value.trim();
}

function single(value: unknown): string {
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined || first === null || typeof first === 'object' ? '' : String(first);
}

/** Text to the schema's type. Empty means "not set", so the schema's default applies. */
function convert(spec: InputSpec, raw: string | boolean): { value?: unknown; problem?: string } {
  if (spec.kind === 'checkbox') return { value: raw === true };
  const text = String(raw);
  switch (spec.kind) {
    case 'text':
    case 'date':
      return text === '' ? {} : { value: text };
    case 'select': {
      if (text === '') return {};
      const match = (spec.schema.enum as unknown[]).find((v) => String(v) === text);
      return { value: match === undefined ? text : match };
    }
    case 'number':
      return text === '' ? {} : toNumber(text);
    case 'lines': {
      const lines = text.split('\n').map((l) => l.trim()).filter(Boolean);
      const values: unknown[] = [];
      for (const [i, line] of lines.entries()) {
        const item = scalarOf((spec.schema.items ?? {}) as Schema, line);
        if (item.problem) return { value: text, problem: `line ${i + 1} ${item.problem}` };
        values.push(item.value);
      }
      return { value: values };
    }
    case 'json': {
      if (text.trim() === '') return {};
      try {
        return { value: JSON.parse(text) };
      } catch (error) {
        return { value: text, problem: `is not valid JSON (${(error as Error).message})` };
      }
    }
  }
}

function toNumber(text: string): { value: unknown; problem?: string } {
  const n = Number(text);
  return text.trim() !== '' && Number.isFinite(n) ? { value: n } : { value: text, problem: 'must be a number' };
}

function scalarOf(schema: Schema, text: string): { value: unknown; problem?: string } {
  const type = typeOf(schema);
  if (type === 'integer' || type === 'number') return toNumber(text);
  if (type === 'boolean') {
    if (/^(true|yes|1)$/i.test(text)) return { value: true };
    if (/^(false|no|0)$/i.test(text)) return { value: false };
    return { value: text, problem: 'must be true or false' };
  }
  return { value: text };
}
