/**
 * Field builders: one call per field of an entity, carrying everything the core derives from it
 * (column mapping, validation, API schema, list column, filter, form widget, CSV column, history).
 * The options' literal type is kept, so `EntityRow<typeof entity>` knows which fields are nullable.
 */

export type FieldKind =
  | 'text'
  | 'code'
  | 'email'
  | 'phone'
  | 'integer'
  | 'money'
  | 'rate'
  | 'boolean'
  | 'date'
  | 'datetime'
  | 'enum'
  | 'ref'
  | 'json'
  | 'list'
  | 'secret';

export interface FieldOptions<T> {
  label: string;
  /** Help shown under the form field. */
  hint?: string;
  placeholder?: string;
  /** Must be given on create and never cleared. */
  required?: boolean;
  /** Value on create when none is given. */
  default?: T;
  /** Unique within the company; the database's unique key settles it, the error names this field. */
  unique?: boolean;
  /** A column of the list page; default yes except long text, json and secrets. */
  list?: boolean;
  /**
   * Filter of the list page and API: `true` for equality, `'range'` for `<param>_from` / `<param>_to`
   * (numbers, days). `param` renames the query parameter.
   */
  filter?: boolean | 'range' | { param?: string; range?: boolean };
  /** In the new/edit form; default yes. */
  form?: boolean;
  /** In CSV export and import; default yes except secrets. `header` renames the column. */
  csv?: boolean | { header?: string };
  /** Set by the server (hooks), never by a client: left out of create and patch bodies. */
  readOnly?: boolean;
  /** Given on create, never changed (a code other systems refer to): left out of patch bodies, shown read-only on the record. */
  fixed?: boolean;
  /** Left out of the record's history (still audited, as "changed"). */
  audit?: boolean;
  /**
   * `false`: no column of the entity's table. The value is checked like any field and handed to the
   * hooks (`afterWrite`'s `values`), which keep it elsewhere (a role's permissions, one row each);
   * the service's subclass puts it back into the rows it reads.
   */
  column?: boolean;
  /** A rule of its own: a message (`"must be ..."`) when the value is wrong. */
  validate?: (value: T, values: Record<string, unknown>) => string | null | undefined;
}

export interface TextOptions extends FieldOptions<string> {
  minLength?: number;
  maxLength?: number;
  /** A textarea in forms; left out of the list by default. */
  multiline?: boolean;
  pattern?: { regex: RegExp; message: string };
}

export interface CodeOptions extends FieldOptions<string> {
  maxLength?: number;
  /** Stored upper-case (codes typed in any case name the same thing). */
  upper?: boolean;
}

export interface NumberOptions extends FieldOptions<number> {
  min?: number;
  max?: number;
}

export interface MoneyOptions extends NumberOptions {
  /** The field holding the currency code; the company's currency when left out. */
  currencyField?: string;
}

export interface BooleanOptions extends FieldOptions<boolean> {
  /** Words for true and false in lists and history, e.g. `['active', 'inactive']`. */
  words?: [string, string];
}

export interface EnumOptions<V extends string> extends FieldOptions<V> {
  /** Values with their labels, in display order. */
  values: Record<V, string>;
}

export interface RefOptions extends FieldOptions<number> {
  /** Also a filter of the list. */
  filter?: boolean | { param?: string };
}

export interface ListOptions extends FieldOptions<string[]> {
  maxItems?: number;
  maxLength?: number;
}

/** A list of record ids (see `field.ids`): positive whole numbers, de-duplicated. */
export interface IdListOptions extends FieldOptions<number[]> {
  /** 500 by default. */
  maxItems?: number;
  minItems?: number;
}

export interface SecretOptions extends Omit<FieldOptions<string>, 'list' | 'filter' | 'default' | 'unique'> {
  minLength?: number;
  maxLength?: number;
  /** Turns what was typed into what is stored (a hash). */
  store?: (value: string) => string | Promise<string>;
  /**
   * The column holding what `store` made, when it is named apart from the field (what clients send
   * as `password`, kept as `password_hash`). Audit entries name the column, labelled by the field.
   */
  storedAs?: string;
}

/** One declared field: its kind and options. `key` is set by `defineEntity` (the column name). */
export interface Field<T = unknown, O = unknown> {
  readonly kind: FieldKind;
  readonly options: FieldOptions<any> & Record<string, any>;
  /** Type-level only: the value's type and the options as written. */
  readonly __value?: T;
  readonly __options?: O;
}

export type AnyField = Field<any, any>;

function make<T, O>(kind: FieldKind, options: object): Field<T, O> {
  return { kind, options: options as Field['options'] };
}

/**
 * The options whose literal values the row type depends on. Only these are type parameters, so the
 * rest (`validate`, `store`) is typed from the options' interface as usual.
 */
type Literal<R extends boolean, D, RO extends boolean> = { required?: R; default?: D; readOnly?: RO };
type Flags<R extends boolean, D, RO extends boolean> = { required: R; default: D; readOnly: RO };

export const field = {
  /** Free text; `multiline` for a textarea. */
  text: <const R extends boolean = false, const D extends string | undefined = undefined, const RO extends boolean = false>(options: TextOptions & Literal<R, D, RO>) =>
    make<string, Flags<R, D, RO>>('text', options),
  /** A short identifier people type (letters, digits, - and _). */
  code: <const R extends boolean = false, const D extends string | undefined = undefined, const RO extends boolean = false>(options: CodeOptions & Literal<R, D, RO>) =>
    make<string, Flags<R, D, RO>>('code', options),
  email: <const R extends boolean = false, const RO extends boolean = false>(options: FieldOptions<string> & Literal<R, undefined, RO>) => make<string, Flags<R, undefined, RO>>('email', options),
  phone: <const R extends boolean = false, const RO extends boolean = false>(options: FieldOptions<string> & Literal<R, undefined, RO>) => make<string, Flags<R, undefined, RO>>('phone', options),
  integer: <const R extends boolean = false, const D extends number | undefined = undefined, const RO extends boolean = false>(options: NumberOptions & Literal<R, D, RO>) =>
    make<number, Flags<R, D, RO>>('integer', options),
  /** Integer minor units, in the company's currency or the one of `currencyField`. */
  money: <const R extends boolean = false, const D extends number | undefined = undefined, const RO extends boolean = false>(options: MoneyOptions & Literal<R, D, RO>) =>
    make<number, Flags<R, D, RO>>('money', options),
  /** Basis points: 1250 is 12.50 %. */
  rate: <const R extends boolean = false, const D extends number | undefined = undefined, const RO extends boolean = false>(options: NumberOptions & Literal<R, D, RO>) =>
    make<number, Flags<R, D, RO>>('rate', options),
  /** Never null: false unless `default` says otherwise. */
  boolean: <const RO extends boolean = false>(options: BooleanOptions & Literal<boolean, boolean, RO>) => make<boolean, Flags<false, boolean, RO>>('boolean', options),
  /** A calendar day (`YYYY-MM-DD`) on the company's calendar. */
  date: <const R extends boolean = false, const RO extends boolean = false>(options: FieldOptions<string> & Literal<R, undefined, RO>) => make<string, Flags<R, undefined, RO>>('date', options),
  /** An instant, shown in the company's time zone; ISO 8601 in the API. */
  datetime: <const R extends boolean = false, const RO extends boolean = false>(options: FieldOptions<string> & Literal<R, undefined, RO>) => make<string, Flags<R, undefined, RO>>('datetime', options),
  /** One of fixed values, each with its label (a status). */
  enum: <const V extends Record<string, string>, const R extends boolean = false, const D extends (keyof V & string) | undefined = undefined, const RO extends boolean = false>(
    options: Omit<EnumOptions<keyof V & string>, 'values'> & { values: V } & Literal<R, D, RO>,
  ) => make<keyof V & string, Flags<R, D, RO>>('enum', options),
  /**
   * Another entity by its full name (`<module>.<name>`), stored as its id: checked through that entity's
   * service (visible, same company), shown by its title, offered as a filter.
   */
  ref: <const R extends boolean = false, const RO extends boolean = false>(entity: string, options: RefOptions & Literal<R, undefined, RO>) =>
    make<number, Flags<R, undefined, RO>>('ref', { ...options, entity }),
  /** Any JSON value, stored as text; null when not given. */
  json: <T = unknown>(options: FieldOptions<T>) => make<T, Flags<false, undefined, false>>('json', options),
  /** A list of short texts (tags), stored as JSON; never null. */
  list: <const RO extends boolean = false>(options: ListOptions & Literal<boolean, string[], RO>) => make<string[], Flags<false, string[], RO>>('list', options),
  /**
   * Ids of records (a user's companies, say), as a list of numbers; never null. Mostly `column: false`,
   * kept in a link table by the entity's hooks; otherwise stored as JSON like `list`.
   */
  ids: <const RO extends boolean = false>(options: IdListOptions & Literal<boolean, number[], RO>) => make<number[], Flags<false, number[], RO>>('list', { ...options, ids: true }),
  /** Written, never shown back (a password): absent from rows, the API's answers and the history's values. */
  secret: <const R extends boolean = false>(options: SecretOptions & { required?: R }) => make<never, Flags<R, undefined, false> & { secret: true }>('secret', options),
};

/** The kinds whose values are numbers in rows and the API. */
export const NUMERIC_KINDS: ReadonlySet<FieldKind> = new Set(['integer', 'money', 'rate', 'ref']);
/** The kinds a `q` search may run a prefix over. */
export const SEARCHABLE_KINDS: ReadonlySet<FieldKind> = new Set(['text', 'code', 'email', 'phone']);
