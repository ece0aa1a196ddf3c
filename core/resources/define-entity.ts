import { SEARCHABLE_KINDS, type AnyField, type FieldKind } from './fields';
import { ALL_STAMPS, SEES_ALL, type EntityScope, type RowScope, type StampColumn } from './row-scope';

/**
 * An entity declared once: its table, labels, permissions, paths and fields. `defineEntity` checks
 * the declaration hangs together (a title that is a field, searchable search fields, sortable sorts)
 * and resolves each field's defaults, so everything derived from it reads one shape.
 */
export interface EntityDeclaration<F extends Record<string, AnyField>> {
  /** Singular, snake_case; the module adds itself in front (`<module>.<name>`). */
  name: string;
  table: string;
  label: { one: string; many: string };
  /** One line under the list's title and in the API document. */
  description?: string;
  permissions: {
    read: string;
    write: string;
    /** Deleting is off unless a permission is named. */
    delete?: string | false;
    /** CSV export of the list is off unless a permission is named. */
    export?: string | false;
    /**
     * Reading through the service needs no permission (other modules' pickers offer these records);
     * the entity's own routes still need `read`.
     */
    openReads?: boolean;
  };
  /** `api` below `/api/v1/<module>`, `pages` absolute; a path left out (or false) derives no routes. */
  paths: { api?: string | false; pages?: string | false };
  /** The field naming a record in history, links and pickers. */
  title: keyof F & string;
  /** `q` is a prefix of any of these. */
  search?: ReadonlyArray<keyof F & string>;
  /**
   * Sorts offered, the first being the default (`-` in front of it: newest first, say); `-` in a
   * request sorts descending.
   */
  sorts?: ReadonlyArray<(keyof F & string) | StampSort | `-${(keyof F & string) | StampSort}`>;
  fields: F;
  /** Whose rows these are: one company's (the default), nobody's, or a scope's own rules (see RowScope). */
  scope?: EntityScope;
  /**
   * The stamp columns the table has (all four by default); `shown: false` writes them but keeps them
   * out of rows and the API (a table whose answer shape is older than the resource layer).
   */
  stamps?: { columns?: readonly StampColumn[]; shown?: boolean };
}

export type StampSort = 'id' | 'created_at' | 'updated_at';

export interface ResolvedField {
  key: string;
  kind: FieldKind;
  label: string;
  options: AnyField['options'];
  /** Rows may hold null here. */
  nullable: boolean;
  /** Clients may set it (create and patch bodies). */
  writable: boolean;
  listed: boolean;
  filter: { param: string; range: boolean } | null;
  csv: { header: string } | null;
  inForm: boolean;
  /** The full name of the entity a `ref` points at. */
  target?: string;
}

export interface EntityDefinition<F extends Record<string, AnyField> = Record<string, AnyField>> extends Readonly<EntityDeclaration<F>> {
  readonly fieldList: readonly ResolvedField[];
  readonly sortKeys: readonly string[];
  /** The sort of a list that asks for none, as a request would say it (`-created_at`). */
  readonly defaultSort: string;
  /** Null for company-owned rows; the visibility rules otherwise. */
  readonly rowScope: RowScope | null;
  readonly stampColumns: readonly StampColumn[];
  /** The stamps rows carry and the API answers (`id`, and `company_id` for company-owned rows, besides). */
  readonly shownStamps: readonly StampColumn[];
  field(key: string): ResolvedField | undefined;
}

export type AnyEntity = EntityDefinition<any>;

export class EntityDeclarationError extends Error {}

const SORTABLE: ReadonlySet<FieldKind> = new Set(['text', 'code', 'email', 'phone', 'integer', 'money', 'rate', 'boolean', 'date', 'datetime', 'enum', 'ref']);
const RANGE_KINDS: ReadonlySet<FieldKind> = new Set(['integer', 'money', 'rate', 'date', 'datetime']);
const STAMP_SORTS: ReadonlySet<string> = new Set(['id', 'created_at', 'updated_at']);
export const STAMP_COLUMNS: readonly string[] = ['id', 'company_id', 'created_at', 'updated_at', 'created_by', 'updated_by'];

/** Type-level only: whether rows carry `company_id` (an entity with a `scope` of its own has none). */
export interface Ownership<Owned extends boolean> {
  readonly __companyOwned?: Owned;
}

export function defineEntity<const F extends Record<string, AnyField>>(declaration: EntityDeclaration<F> & { scope: 'none' | RowScope }): EntityDefinition<F> & Ownership<false>;
export function defineEntity<const F extends Record<string, AnyField>>(declaration: EntityDeclaration<F> & { scope?: 'company' }): EntityDefinition<F> & Ownership<true>;
export function defineEntity<const F extends Record<string, AnyField>>(declaration: EntityDeclaration<F>): EntityDefinition<F> {
  const problem = (what: string) => new EntityDeclarationError(`Entity "${declaration.name}": ${what}`);
  if (!/^[a-z][a-z0-9_]*$/.test(declaration.name)) throw problem('name must be snake_case');
  const fieldList = Object.entries(declaration.fields).map(([key, f]) => resolveField(key, f));
  const byKey = new Map(fieldList.map((f) => [f.key, f]));
  for (const f of fieldList) if (STAMP_COLUMNS.includes(f.key)) throw problem(`field "${f.key}" is a column every business table has`);
  if (!byKey.has(declaration.title) || byKey.get(declaration.title)!.kind === 'secret') throw problem(`title "${declaration.title}" must be one of its fields`);
  const stored = (key: string) => byKey.get(key)?.options.column !== false;
  for (const key of [...(declaration.search ?? []), ...(declaration.sorts ?? []).map((k) => k.replace(/^-/, ''))]) if (!stored(key)) throw problem(`field "${key}" has no column to search or sort by`);
  for (const key of declaration.search ?? []) {
    if (!SEARCHABLE_KINDS.has(byKey.get(key)?.kind as FieldKind)) throw problem(`search field "${key}" must be a text, code, e-mail or phone field`);
  }
  const sorts = [...(declaration.sorts ?? [declaration.title])];
  const sortKeys = sorts.map((key) => key.replace(/^-/, ''));
  for (const key of sortKeys) {
    if (!STAMP_SORTS.has(key) && !SORTABLE.has(byKey.get(key)?.kind as FieldKind)) throw problem(`sort "${key}" must be a field with plain values or one of id, created_at, updated_at`);
  }
  for (const f of fieldList) {
    const currency = f.options.currencyField;
    if (currency && byKey.get(currency)?.kind !== 'code' && byKey.get(currency)?.kind !== 'enum') throw problem(`money field "${f.key}" names currency field "${currency}", which is not a code or enum field`);
  }
  const params = fieldList.flatMap((f) => (f.filter ? (f.filter.range ? [`${f.filter.param}_from`, `${f.filter.param}_to`] : [f.filter.param]) : []));
  const clash = params.find((p, i) => params.indexOf(p) !== i || ['q', 'sort', 'after', 'limit'].includes(p));
  if (clash) throw problem(`filter parameter "${clash}" is used twice`);
  const scope = declaration.scope ?? 'company';
  const rowScope = scope === 'company' ? null : scope === 'none' ? SEES_ALL : scope;
  const stampColumns = declaration.stamps?.columns ?? ALL_STAMPS;
  for (const key of sortKeys) if ((key === 'created_at' || key === 'updated_at') && !stampColumns.includes(key)) throw problem(`sort "${key}" is no column of its table`);
  const shownStamps = declaration.stamps?.shown === false ? [] : stampColumns;
  return { ...declaration, fieldList, sortKeys, defaultSort: sorts[0], rowScope, stampColumns, shownStamps, field: (key: string) => byKey.get(key) };
}

function resolveField(key: string, f: AnyField): ResolvedField {
  const o = f.options;
  const secret = f.kind === 'secret';
  const alwaysValued = f.kind === 'boolean' || f.kind === 'list';
  const filter = o.filter === undefined || o.filter === false || o.column === false ? null : typeof o.filter === 'object' ? o.filter : { range: o.filter === 'range' };
  const csv = secret || o.csv === false || o.column === false ? null : { header: (typeof o.csv === 'object' && o.csv.header) || key };
  return {
    key,
    kind: f.kind,
    label: o.label,
    options: o,
    nullable: !(o.required || alwaysValued || (o.default !== undefined && o.default !== null)),
    writable: !o.readOnly,
    listed: o.list ?? !(secret || f.kind === 'json' || (f.kind === 'text' && o.multiline)),
    filter: filter ? { param: filter.param ?? key, range: Boolean(filter.range) && RANGE_KINDS.has(f.kind) } : null,
    csv,
    inForm: o.form !== false,
    target: f.kind === 'ref' ? o.entity : undefined,
  };
}
