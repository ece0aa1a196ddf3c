import type { AnyField, Field } from './fields';
import type { EntityDefinition } from './define-entity';

/** What every row of a business table carries besides its declared fields. */
export interface Stamps {
  id: number;
  company_id: number;
  /** ISO 8601. */
  created_at: string | null;
  updated_at: string | null;
  created_by: number | null;
  updated_by: number | null;
}

type Simplify<T> = { [K in keyof T]: T[K] } & {};
type OptionsOf<F> = F extends Field<any, infer O> ? O : never;
type ValueOf<F> = F extends Field<infer T, any> ? T : never;
type NonNull<O> = O extends { required: true } ? true : O extends { default: infer D } ? ([D] extends [null | undefined] ? false : true) : false;
type Flag<F, K extends string> = OptionsOf<F> extends { [P in K]: true } ? true : false;

type FieldsOf<E> = E extends EntityDefinition<infer F> ? F : never;
type Shown<F> = { [K in keyof F as Flag<F[K], 'secret'> extends true ? never : K]: F[K] };
type Writable<F> = { [K in keyof F as Flag<F[K], 'readOnly'> extends true ? never : K]: F[K] };
type InputValue<F> = Flag<F, 'secret'> extends true ? string : ValueOf<F>;

/** A field's value in a row: nullable unless required or given a non-null default. */
export type FieldValue<F extends AnyField> = NonNull<OptionsOf<F>> extends true ? ValueOf<F> : ValueOf<F> | null;

/** A row as services return it and the API answers it (dates as ISO text, money in minor units). */
export type EntityRow<E> = Simplify<(E extends { readonly __companyOwned?: false } ? { id: number } & Partial<Omit<Stamps, 'id' | 'company_id'>> : Stamps) & { [K in keyof Shown<FieldsOf<E>>]: FieldValue<Shown<FieldsOf<E>>[K]> }>;

/** What a create takes: required fields, optional others, and the company (one of the caller's). */
export type EntityInput<E> = Simplify<
  { [K in keyof Writable<FieldsOf<E>> as Flag<Writable<FieldsOf<E>>[K], 'required'> extends true ? K : never]: InputValue<Writable<FieldsOf<E>>[K]> } & {
    [K in keyof Writable<FieldsOf<E>> as Flag<Writable<FieldsOf<E>>[K], 'required'> extends true ? never : K]?: InputValue<Writable<FieldsOf<E>>[K]> | null;
  } & { company_id?: number | null }
>;

/** What an update takes: any writable field; the company of a record does not change. */
export type EntityPatch<E> = Partial<Omit<EntityInput<E>, 'company_id'>>;

/** Options of a keyset page of an entity's list. */
export interface EntityPageOptions {
  /** Prefix of any search field. */
  q?: string;
  /** Filter values by parameter name (`is_active`, `created_at_from`...), as the list query takes them; an array for a plain filter means any of its values (IN). */
  filters?: Record<string, unknown>;
  /** A sort key, `-` in front for descending. */
  sort?: string;
  after?: string | null;
  limit?: number;
  /** One company of the caller's instead of all of them. */
  companyId?: number;
  /** Only these rows (ticked in a list), still scoped and filtered. */
  ids?: number[];
}

export type { Page } from '../security/services';

/** A count that stops at a bound, so a million rows cost no more than the bound. */
export interface BoundedCount {
  count: number;
  /** False when the count reached the bound: there are at least `count` rows. */
  exact: boolean;
}

export type WriteAction = 'create' | 'update' | 'remove';
