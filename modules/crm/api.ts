/**
 * What crm offers other modules, bound in the shared container. Depend on these interfaces, never on
 * crm's tables: `container.get<CustomerGroupService>(CRM.CustomerGroups)`.
 *
 * Read methods check no crm permission (the calling module's route already checked its own), only
 * the company scoping of the caller's context. Write methods check crm's permissions.
 */
import { type RequestContext, eventName } from 'tessera/core';
import type { Customer, CustomerContact, CustomerCriteria, CustomerInput, CustomerSort, Page } from './customers/customer-types';
import type { CustomerGroup, GroupInput, GroupMember } from './groups/group-types';

export const CRM = {
  Customers: Symbol.for('crm.CustomerService'),
  CustomerGroups: Symbol.for('crm.CustomerGroupService'),
  Imports: Symbol.for('crm.ImportService'),
} as const;

/** Payloads of crm's events; their JSON Schemas are in manifest.json, checked when crm publishes. */
export interface CustomerCreated {
  customer_id: number;
  shop_id: number;
  code: string;
}
export interface CustomerUpdated {
  customer_id: number;
  shop_id: number;
  /** Each changed field's old and new value. */
  changes: Record<string, { from: unknown; to: unknown }>;
}
export interface CustomerDeletion {
  customer_id: number;
  code: string;
}
export interface GroupDeleting {
  group_id: number;
  name: string;
}
export interface CustomersImported {
  import_id: number | null;
  created_ids: number[];
  updated_ids: number[];
}

/** Events crm publishes, typed by their payloads: `m.events.on(CRM_EVENTS.customerDeleted, async ({ db, event }) => ...)`. */
export const CRM_EVENTS = {
  /** After the customer row is written, in the same transaction. */
  customerCreated: eventName<CustomerCreated>('crm.customer.created'),
  /** A shop change means by-shop groups changed. */
  customerUpdated: eventName<CustomerUpdated>('crm.customer.updated'),
  /**
   * Deletion guard, published before the delete inside its transaction. A module whose records use
   * the customer registers an `inTransaction` handler that throws
   * `ConflictError('Customer has 2 open plans in schemes')`; the delete is refused with that reason.
   */
  customerDeleting: eventName<CustomerDeletion>('crm.customer.deleting'),
  /** Once deleted (same transaction). */
  customerDeleted: eventName<CustomerDeletion>('crm.customer.deleted'),
  /** Deletion guard for groups, like customerDeleting; modules selecting by the group refuse. */
  groupDeleting: eventName<GroupDeleting>('crm.group.deleting'),
  /** Per committed batch of a CSV import (not one event per row). */
  customersImported: eventName<CustomersImported>('crm.customers.imported'),
} as const;

export interface CustomerService {
  get(ctx: RequestContext, id: number): Promise<Customer>;
  /**
   * Whether the id names a customer of the caller's current company (the one it writes in): one
   * indexed read, for a module that only checks an id a client sent (billing's payments) and needs
   * neither the row nor its tags.
   */
  exists(ctx: RequestContext, id: number): Promise<boolean>;
  /**
   * How to reach a customer the caller can see (names, code, phone, e-mail, shop): one indexed read,
   * without the tags and login details `get` adds, for modules that only write to people (messaging).
   */
  contact(ctx: RequestContext, id: number): Promise<CustomerContact | undefined>;
  /**
   * `contact` for several ids in one indexed read, with the same visibility (the customers of the
   * companies the caller can see): keyed by id, an id the caller cannot see (or unknown) left out.
   */
  contacts(ctx: RequestContext, ids: number[]): Promise<Map<number, CustomerContact>>;
  findByCode(ctx: RequestContext, code: string): Promise<Customer | undefined>;
  search(ctx: RequestContext, criteria: CustomerCriteria, options?: { sort?: CustomerSort; after?: string | null; limit?: number }): Promise<Page<Customer>>;
  /** Sub-accounts of a main customer. */
  family(ctx: RequestContext, id: number): Promise<Customer[]>;
  create(ctx: RequestContext, input: CustomerInput): Promise<Customer>;
  update(ctx: RequestContext, id: number, patch: CustomerInput): Promise<Customer>;
  remove(ctx: RequestContext, id: number): Promise<void>;
}

export interface CustomerGroupService {
  list(ctx: RequestContext): Promise<CustomerGroup[]>;
  get(ctx: RequestContext, id: number): Promise<CustomerGroup>;
  /** Is the customer a member now (for a by-shop group: is the customer's current shop one of its shops). */
  isMember(ctx: RequestContext, groupId: number, customerId: number): Promise<boolean>;
  /** Every group holding the customer, by shop and by customer. */
  groupsOf(ctx: RequestContext, customerId: number): Promise<CustomerGroup[]>;
  /** The ids of the groups holding the customer now (by its current shop and by list), in one statement: for rules judged per payment. */
  groupIdsOf(ctx: RequestContext, customerId: number): Promise<number[]>;
  /** One page of members, in a stable order; pass `next_cursor` back as `after`. */
  members(ctx: RequestContext, groupId: number, options?: { after?: string | null; limit?: number }): Promise<Page<GroupMember>>;
  /** Every member, in batches, without holding them all in memory. */
  streamMembers(ctx: RequestContext, groupId: number, options?: { batchSize?: number }): AsyncGenerator<GroupMember[]>;
  count(ctx: RequestContext, groupId: number): Promise<number>;
  create(ctx: RequestContext, input: GroupInput): Promise<CustomerGroup>;
  update(ctx: RequestContext, id: number, patch: Partial<GroupInput> & { remove_customer_ids?: number[] }): Promise<CustomerGroup>;
  remove(ctx: RequestContext, id: number): Promise<void>;
}

export type { Customer, CustomerContact, CustomerCriteria, CustomerInput, CustomerGroup, GroupMember };
