/**
 * What crm offers other modules, bound in the shared container. Depend on these interfaces, never on
 * crm's tables: `container.get<CustomerGroupService>(CRM.CustomerGroups)`.
 *
 * Read methods check no crm permission (the calling module's route already checked its own), only
 * the company scoping of the caller's context. Write methods check crm's permissions.
 */
import type { RequestContext } from '../../core/security/request-context';
import type { Customer, CustomerCriteria, CustomerInput, CustomerSort, Page } from './customers/customer-types';
import type { CustomerGroup, GroupInput, GroupMember } from './groups/group-types';

export const CRM = {
  Customers: Symbol.for('crm.CustomerService'),
  CustomerGroups: Symbol.for('crm.CustomerGroupService'),
  Imports: Symbol.for('crm.ImportService'),
} as const;

/** Events crm publishes (payloads in the comments). */
export const CRM_EVENTS = {
  /** `{customer_id, shop_id, code}` after the customer row is written, in the same transaction. */
  customerCreated: 'crm.customer.created',
  /** `{customer_id, shop_id, changes: {field: {from, to}}}`. A shop change means by-shop groups changed. */
  customerUpdated: 'crm.customer.updated',
  /**
   * Deletion guard: `{customer_id, code}`, published before the delete inside its transaction.
   * A module whose records use the customer registers an `inTransaction` handler that throws
   * `ConflictError('Customer has 2 open plans in schemes')`; the delete is refused with that reason.
   */
  customerDeleting: 'crm.customer.deleting',
  /** `{customer_id, code}` once deleted (same transaction). */
  customerDeleted: 'crm.customer.deleted',
  /** Deletion guard for groups, like customerDeleting: `{group_id, name}`; modules selecting by the group refuse. */
  groupDeleting: 'crm.group.deleting',
  /** `{import_id, created_ids, updated_ids}` per committed batch of a CSV import (not one event per row). */
  customersImported: 'crm.customers.imported',
} as const;

export interface CustomerService {
  get(ctx: RequestContext, id: number): Promise<Customer>;
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
  /** One page of members, in a stable order; pass `next_cursor` back as `after`. */
  members(ctx: RequestContext, groupId: number, options?: { after?: string | null; limit?: number }): Promise<Page<GroupMember>>;
  /** Every member, in batches, without holding them all in memory. */
  streamMembers(ctx: RequestContext, groupId: number, options?: { batchSize?: number }): AsyncGenerator<GroupMember[]>;
  count(ctx: RequestContext, groupId: number): Promise<number>;
  create(ctx: RequestContext, input: GroupInput): Promise<CustomerGroup>;
  update(ctx: RequestContext, id: number, patch: Partial<GroupInput> & { remove_customer_ids?: number[] }): Promise<CustomerGroup>;
  remove(ctx: RequestContext, id: number): Promise<void>;
}

export type { Customer, CustomerCriteria, CustomerInput, CustomerGroup, GroupMember };
