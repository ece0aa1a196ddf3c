/**
 * The settings form as the template shows it: values and errors placed beside their inputs, table
 * rows with their remove boxes. The schema-reading half is settings-form.ts.
 */
import { BLANK_ROWS, inputName, isTable, removeName, typeOf, type InputKind, type FieldSpec, type InputSpec, type FormState, type TableRowState } from './settings-form';

// ---------------------------------------------------------------------------------------------
// Validation errors -> beside the inputs

export interface PlacedErrors {
  /** By input name (`customer_code_format`, `custom_fields.0.key`) or table name. */
  fields: Record<string, string>;
  /** Errors about no input of the form (shown above it). */
  other: string[];
}

/**
 * Places the settings service's errors (dotted paths into the submitted value) on the inputs: item
 * indexes are turned back into the rows shown, and errors inside a textarea's value (a line, a JSON
 * member) go to the textarea with their place in front.
 */
export function placeErrors(specs: FieldSpec[], errors: Record<string, string>, rowOf: Record<string, number[]> = {}): PlacedErrors {
  const placed: PlacedErrors = { fields: {}, other: [] };
  const add = (name: string, message: string) => {
    placed.fields[name] = placed.fields[name] ? `${placed.fields[name]}; ${message}` : message;
  };
  const byKey = new Map(specs.map((s) => [s.key, s]));
  for (const [path, message] of Object.entries(errors)) {
    const [key, ...rest] = path.split('.');
    const spec = byKey.get(key);
    if (!spec) {
      placed.other.push(path === 'settings' ? message : `${path} ${message}`);
      continue;
    }
    if (spec.kind !== 'table') {
      if (rest.length === 0) add(key, message);
      else if (spec.kind === 'lines' && /^\d+$/.test(rest[0])) add(key, `line ${Number(rest[0]) + 1}${rest.length > 1 ? ` (${rest.slice(1).join('.')})` : ''} ${message}`);
      else add(key, `${rest.join('.')} ${message}`);
      continue;
    }
    if (rest.length === 0 || !/^\d+$/.test(rest[0])) {
      add(key, rest.length ? `${rest.join('.')} ${message}` : message);
      continue;
    }
    const item = Number(rest[0]);
    const row = rowOf[key]?.[item] ?? item;
    const column = spec.columns.find((c) => c.key === rest[1]);
    if (!column) {
      add(key, `row ${row + 1}${rest.length > 1 ? `: ${rest.slice(1).join('.')}` : ''} ${message}`);
      continue;
    }
    const name = inputName(key, row, column.key);
    const deeper = rest.slice(2);
    if (deeper.length === 0) add(name, message);
    else if (column.kind === 'lines' && /^\d+$/.test(deeper[0])) add(name, `line ${Number(deeper[0]) + 1} ${message}`);
    else add(name, `${deeper.join('.')} ${message}`);
  }
  return placed;
}

// ---------------------------------------------------------------------------------------------
// The template's data

export interface InputView {
  name: string;
  label: string;
  hint: string;
  required: boolean;
  /** The shell/field type: text, number, date, select, checkbox or textarea. */
  type: string;
  kind: InputKind;
  value: string | boolean;
  error: string;
  options: Array<{ value: string; label: string; selected: boolean }>;
  min: string;
  max: string;
  step: string;
  placeholder: string;
  /** Textareas: enough rows for what they hold. */
  rows: number;
  /** Selects: the empty choice, naming the default it stands for. */
  emptyLabel: string;
}

export interface TableView {
  name: string;
  label: string;
  hint: string;
  required: boolean;
  error: string;
  columns: Array<{ key: string; label: string; hint: string; required: boolean }>;
  rows: Array<{ index: number; number: number; isNew: boolean; remove: boolean; removeName: string; cells: InputView[] }>;
}

export type FieldView = ({ isTable: false } & InputView) | ({ isTable: true } & TableView);

export function formView(specs: FieldSpec[], state: FormState, errors: Record<string, string>): FieldView[] {
  return specs.map((spec) => {
    if (spec.kind !== 'table') return { isTable: false, ...inputView(spec, spec.key, state.inputs[spec.key] ?? '', errors, spec.label) };
    const filled = state.tables[spec.key] ?? [];
    const room = spec.maxItems === null ? BLANK_ROWS : Math.max(0, Math.min(BLANK_ROWS, spec.maxItems - filled.length));
    const blank: TableRowState[] = Array.from({ length: room }, () => ({ cells: {}, remove: false }));
    const rows = [...filled, ...blank].map((row, index) => ({
      index,
      number: index + 1,
      isNew: index >= filled.length,
      remove: row.remove,
      removeName: removeName(spec.key, index),
      cells: spec.columns.map((column) => {
        const empty = column.kind === 'checkbox' ? false : '';
        return inputView(column, inputName(spec.key, index, column.key), row.cells[column.key] ?? empty, errors, `${column.label}, row ${index + 1}`);
      }),
    }));
    return {
      isTable: true,
      name: spec.key,
      label: spec.label,
      hint: spec.hint,
      required: spec.required,
      error: errors[spec.key] ?? '',
      columns: spec.columns.map((c) => ({ key: c.key, label: c.label, hint: String(c.schema.description ?? ''), required: c.required })),
      rows,
    };
  });
}

function inputView(spec: InputSpec, name: string, value: string | boolean, errors: Record<string, string>, label: string): InputView {
  const integer = typeOf(spec.schema) === 'integer';
  return {
    name,
    label,
    hint: spec.hint,
    required: spec.required,
    type: spec.kind === 'lines' || spec.kind === 'json' ? 'textarea' : spec.kind,
    kind: spec.kind,
    value,
    error: errors[name] ?? '',
    options: spec.options.map((o) => ({ ...o, selected: o.value === value })),
    min: typeof spec.schema.minimum === 'number' ? String(spec.schema.minimum) : '',
    max: typeof spec.schema.maximum === 'number' ? String(spec.schema.maximum) : '',
    step: spec.kind === 'number' ? (integer ? '1' : 'any') : '',
    placeholder: spec.kind === 'text' && typeof spec.schema.default === 'string' ? spec.schema.default : '',
    rows: typeof value === 'string' ? Math.min(8, Math.max(2, value.split('\n').length)) : 2,
    emptyLabel: spec.schema.default !== undefined && spec.kind === 'select' ? `— (${String(spec.schema.default)})` : '—',
  };
}
