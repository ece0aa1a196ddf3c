import { type ScopedDb, duplicateKeyOf, isDuplicateKey, ConflictError, NotFoundError, ValidationError, type RequestContext } from 'tessera/core';
import { CRM_EVENTS, type CustomerService } from '../api';
import { PERM } from '../permissions';
import { crmSettings } from '../settings';
import { assertShops } from '../shops';
import { CUSTOMER_CODE_SEQUENCE, formatCustomerCode } from './customer-code';
import { loginsFor, writeLogin } from './customer-logins';
import { searchColumns } from './customer-normalize';
import { assertPhoneFree, ownedPhone, phoneNormOf, settleFamilyPhones } from './customer-phones';
import { toCustomer } from './customer-rows';
import { plainFields, plainValuesOf } from './customer-entity';
import { customerSearch, planDrive, type GroupFilter } from './customer-search';
import type { Customer, CustomerContact, CustomerCriteria, CustomerInput, CustomerRow, CustomerSort, Page } from './customer-types';
import { validateCustomer, type CleanCustomer } from './customer-validation';

export const CUSTOMERS = 'crm_customers';
const TAGS = 'crm_customer_tags';

/** Fields a person sees in the audit trail; search columns are derived and left out. */
const AUDITED = ['code', 'first_name', 'last_name', 'phone', 'email', 'birthdate', 'shop_id', ...plainFields.map((f) => f.key), 'parent_id', 'custom_fields'] as const;

export class CustomerServiceImpl implements CustomerService {
  async get(ctx: RequestContext, id: number): Promise<Customer> {
    const row = await ctx.db.findById<CustomerRow>(CUSTOMERS, id);
    if (!row) throw new NotFoundError('Customer');
    const [tags, logins] = await Promise.all([tagsFor(ctx.db, [row.id]), ctx.can(PERM.loginDetails) ? loginsFor(ctx.db, [row.id]) : null]);
    return toCustomer(row, tags.get(Number(row.id)) ?? [], logins ? logins.get(Number(row.id)) ?? null : undefined);
  }

  async exists(ctx: RequestContext, id: number): Promise<boolean> {
    if (!Number.isSafeInteger(id) || id <= 0) return false;
    return Boolean(await ctx.db.queryCompany(ctx.companyId, CUSTOMERS).where('id', id).first('id'));
  }

  async contact(ctx: RequestContext, id: number): Promise<CustomerContact | undefined> {
    if (!Number.isSafeInteger(id) || id <= 0) return undefined;
    const row = await ctx.db.findById<CustomerRow>(CUSTOMERS, id);
    return row ? toContact(row) : undefined;
  }

  async contacts(ctx: RequestContext, ids: number[]): Promise<Map<number, CustomerContact>> {
    const wanted = [...new Set(ids.map(Number).filter((id) => Number.isSafeInteger(id) && id > 0))];
    const found = new Map<number, CustomerContact>();
    // In slices, so a long list stays one bounded IN on the primary key each.
    for (let i = 0; i < wanted.length; i += 500) {
      const rows = (await ctx.db.query(CUSTOMERS).whereIn(`${CUSTOMERS}.id`, wanted.slice(i, i + 500))) as CustomerRow[];
      for (const row of rows) found.set(Number(row.id), toContact(row));
    }
    return found;
  }

  async findByCode(ctx: RequestContext, code: string): Promise<Customer | undefined> {
    const row = await ctx.db.query(CUSTOMERS).where('code_norm', searchColumns({ code }).code_norm).where('company_id', ctx.companyId).first();
    return row ? this.get(ctx, Number(row.id)) : undefined;
  }

  async search(ctx: RequestContext, criteria: CustomerCriteria, options: { sort?: CustomerSort; after?: string | null; limit?: number } = {}): Promise<Page<Customer>> {
    const group = criteria.group_id ? await resolveGroup(ctx.db, criteria.group_id) : undefined;
    const drive = await planDrive(ctx.db, criteria, { ...options, group });
    const { phone_country: phoneCountry } = await crmSettings(ctx);
    const search = customerSearch(ctx.db, criteria, { ...options, group, drive, phoneCountry });
    const { rows, next_cursor } = search.page(await search.query);
    const tags = await tagsFor(ctx.db, rows.map((r) => Number(r.id)));
    return { data: rows.map((r) => toCustomer(r, tags.get(Number(r.id)) ?? [])), next_cursor };
  }

  async family(ctx: RequestContext, id: number): Promise<Customer[]> {
    const rows = (await ctx.db.query(CUSTOMERS).where('parent_id', id).orderBy('name_norm').orderBy('id').limit(500)) as CustomerRow[];
    const tags = await tagsFor(ctx.db, rows.map((r) => Number(r.id)));
    return rows.map((r) => toCustomer(r, tags.get(Number(r.id)) ?? []));
  }

  async create(ctx: RequestContext, input: CustomerInput): Promise<Customer> {
    ctx.require(PERM.customerWrite);
    if (input.login !== undefined && input.login !== null) ctx.require(PERM.loginDetails);
    const settings = await crmSettings(ctx);
    const { value, errors } = validateCustomer(input, { customFields: settings.custom_fields, phoneCountry: settings.phone_country });
    if (Object.keys(errors).length) throw new ValidationError(errors);
    const companyId = ctx.companyId;
    await assertShops(ctx, [value.shop_id!], companyId);
    const parent = value.parent_id ? await checkParent(ctx.db, companyId, null, value.parent_id) : undefined;
    const owned = ownedPhone(phoneNormOf(value.phone), parent?.phone_norm);
    await assertPhoneFree(ctx.db, companyId, owned, null);

    const id = await ctx.db.transaction(async (db) => {
      const id = await insertCustomer(db, companyId, { ...value, owned_phone_norm: owned }, settings.customer_code_format);
      await replaceTags(db, companyId, id, value.tags ?? []);
      if (input.login) await writeLogin(db, companyId, id, input.login);
      const row = (await db.findById<CustomerRow>(CUSTOMERS, id))!;
      await db.audit({ table: CUSTOMERS, recordId: id, action: 'create', companyId, changes: auditValues({ ...value, code: row.code }, id) });
      await db.publish(CRM_EVENTS.customerCreated, { customer_id: id, shop_id: value.shop_id, code: row.code }, companyId);
      return id;
    });
    return this.get(ctx, id);
  }

  async update(ctx: RequestContext, id: number, input: CustomerInput): Promise<Customer> {
    ctx.require(PERM.customerWrite);
    if (input.login !== undefined) ctx.require(PERM.loginDetails);
    const before = await ctx.db.findById<CustomerRow>(CUSTOMERS, id);
    if (!before) throw new NotFoundError('Customer');
    const companyId = Number(before.company_id);
    const settings = await crmSettings(ctx, companyId);
    const { value, errors } = validateCustomer(input, { partial: true, customFields: settings.custom_fields, phoneCountry: settings.phone_country });
    if (Object.keys(errors).length) throw new ValidationError(errors);
    if (value.shop_id !== undefined && value.shop_id !== Number(before.shop_id)) await assertShops(ctx, [value.shop_id], companyId);
    if (value.parent_id) await checkParent(ctx.db, companyId, Number(before.id), value.parent_id);
    const phone = await phoneChange(ctx.db, companyId, before, value);

    await ctx.db.transaction(async (db) => {
      const merged = { ...rowToClean(before), ...value };
      if (value.custom_fields) merged.custom_fields = { ...rowToClean(before).custom_fields, ...value.custom_fields };
      const patch = columnsOf(merged as CleanCustomer & { code: string });
      const changes: Record<string, { from: unknown; to: unknown }> = {};
      const previous = auditValues(rowToClean(before), id);
      const next = auditValues(merged, id);
      for (const key of AUDITED) {
        if (JSON.stringify(previous[key] ?? null) !== JSON.stringify(next[key] ?? null)) changes[key] = { from: previous[key] ?? null, to: next[key] ?? null };
      }
      if (value.tags) {
        const oldTags = (await tagsFor(db, [id])).get(id) ?? [];
        if (JSON.stringify([...oldTags].sort()) !== JSON.stringify([...value.tags].sort())) {
          changes.tags = { from: oldTags, to: value.tags };
          await replaceTags(db, companyId, id, value.tags);
        }
      }
      if (input.login !== undefined) {
        const loginChange = await writeLogin(db, companyId, id, input.login);
        if (loginChange) changes.login = { from: null, to: loginChange };
      }
      const columnChanges = Object.keys(changes).filter((k) => k !== 'tags' && k !== 'login');
      if (columnChanges.length) {
        const write = async () => {
          await db.update(CUSTOMERS, id, phone ? { ...patch, owned_phone_norm: phone.owned } : patch, { audit: false });
        };
        try {
          if (phone) await settleFamilyPhones(db, companyId, id, phone.before, phone.after, write);
          else await write();
        } catch (error) {
          throw duplicateToValidation(error);
        }
      } else if (changes.tags || changes.login) {
        await db.update(CUSTOMERS, id, { updated_at: new Date(), updated_by: ctx.principal.userId }, { audit: false, stamp: false });
      }
      if (Object.keys(changes).length) {
        await db.audit({ table: CUSTOMERS, recordId: id, action: 'update', companyId, changes });
        await db.publish(CRM_EVENTS.customerUpdated, { customer_id: id, shop_id: merged.shop_id, changes }, companyId);
      }
    });
    return this.get(ctx, id);
  }

  async remove(ctx: RequestContext, id: number): Promise<void> {
    ctx.require(PERM.customerDelete);
    const row = await ctx.db.findById<CustomerRow>(CUSTOMERS, id);
    if (!row) throw new NotFoundError('Customer');
    const companyId = Number(row.company_id);
    await ctx.db.transaction(async (db) => {
      const children = await db.query(CUSTOMERS).where('parent_id', id).count({ n: '*' }).first();
      const n = Number((children as { n: number | string } | undefined)?.n ?? 0);
      if (n > 0) {
        throw new ConflictError(`Customer ${row.code} is the main customer of ${n} family member${n === 1 ? '' : 's'}; move or delete them first`, {}, 'customer_in_use');
      }
      // Other modules refuse here with their reason (see CRM_EVENTS.customerDeleting).
      await db.publish(CRM_EVENTS.customerDeleting, { customer_id: id, code: row.code }, companyId);
      await db.query(TAGS).where('customer_id', id).delete();
      await db.query('crm_group_members').where('customer_id', id).delete();
      await db.query('crm_customer_logins').where('customer_id', id).delete();
      await db.remove(CUSTOMERS, id, { audit: false });
      await db.audit({ table: CUSTOMERS, recordId: id, action: 'delete', companyId, changes: auditValues(rowToClean(row), id) });
      await db.publish(CRM_EVENTS.customerDeleted, { customer_id: id, code: row.code }, companyId);
    });
  }
}

/**
 * A patch that changes the customer's phone or family: the phone it will own (see customer-phones.ts),
 * refused when another customer owns it. Undefined when neither changes, so a customer that shared a
 * phone before the rule keeps it while other fields are edited.
 */
async function phoneChange(db: ScopedDb, companyId: number, before: CustomerRow, value: CleanCustomer): Promise<{ before: string | null; after: string | null; owned: string | null } | undefined> {
  const phoneBefore = before.phone_norm ?? null;
  const phoneAfter = value.phone === undefined ? phoneBefore : phoneNormOf(value.phone);
  const parentBefore = before.parent_id == null ? null : Number(before.parent_id);
  const parentAfter = value.parent_id === undefined ? parentBefore : value.parent_id ?? null;
  if (phoneBefore === phoneAfter && parentBefore === parentAfter) return undefined;
  const parent = parentAfter ? await db.findById<CustomerRow>(CUSTOMERS, parentAfter) : undefined;
  const owned = ownedPhone(phoneAfter, parent?.phone_norm);
  await assertPhoneFree(db, companyId, owned, Number(before.id));
  return { before: phoneBefore, after: phoneAfter, owned };
}

/** Inserts one customer; a generated code that someone already typed by hand moves on to the next number. */
async function insertCustomer(db: ScopedDb, companyId: number, value: CleanCustomer & { owned_phone_norm: string | null }, format: string): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const code = value.code ?? formatCustomerCode(format, await db.nextNumber(CUSTOMER_CODE_SEQUENCE, companyId));
    try {
      return await db.insert(CUSTOMERS, { ...columnsOf({ ...value, code }), owned_phone_norm: value.owned_phone_norm, company_id: companyId }, { audit: false });
    } catch (error) {
      // Only a generated code that someone typed by hand is worth another number.
      if (duplicateField(error) !== 'code' || value.code) throw duplicateToValidation(error);
    }
  }
  throw new ConflictError('Could not generate a free customer code; check the code format setting');
}

export function duplicateToValidation(error: unknown): unknown {
  if (!isDuplicateKey(error)) return error;
  const field = duplicateField(error);
  if (field) return new ValidationError({ [field]: 'is already used by another customer' });
  return new ConflictError('This customer conflicts with an existing one');
}

/** The field a customer's duplicate-key error is about, from the key it names; null when it is none of crm's. */
export function duplicateField(error: unknown): string | null {
  const key = duplicateKeyOf(error) ?? '';
  if (/username/.test(key)) return 'login.username';
  if (/owned_phone/.test(key)) return 'phone';
  if (/code/.test(key)) return 'code';
  return null;
}

/** The stored columns for clean values, search columns included. */
export function columnsOf(v: CleanCustomer & { code: string }): Record<string, unknown> {
  return {
    code: v.code,
    first_name: v.first_name ?? '',
    last_name: v.last_name,
    phone: v.phone ?? null,
    email: v.email ?? null,
    birthdate: v.birthdate ?? null,
    birth_month: v.birthdate ? Number(v.birthdate.slice(5, 7)) : null,
    shop_id: v.shop_id,
    ...plainValuesOf(v),
    parent_id: v.parent_id ?? null,
    custom_fields: v.custom_fields && Object.keys(v.custom_fields).length ? JSON.stringify(v.custom_fields) : null,
    ...searchColumns(v),
  };
}

export function rowToClean(row: CustomerRow): CleanCustomer & { code: string } {
  const c = toCustomer(row);
  return {
    code: c.code,
    first_name: c.first_name,
    last_name: c.last_name,
    phone: c.phone,
    email: c.email,
    birthdate: c.birthdate,
    shop_id: c.shop_id,
    ...plainValuesOf(c),
    parent_id: c.parent_id,
    custom_fields: c.custom_fields,
  };
}

function auditValues(v: CleanCustomer, _id: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of AUDITED) {
    const value = (v as Record<string, unknown>)[key];
    if (key === 'custom_fields') {
      const custom = (value ?? {}) as Record<string, unknown>;
      const nonEmpty = Object.fromEntries(Object.entries(custom).filter(([, x]) => x !== null && x !== ''));
      out[key] = Object.keys(nonEmpty).length ? nonEmpty : null;
    } else out[key] = value === undefined || value === '' ? null : value;
  }
  if (v.tags && v.tags.length) out.tags = v.tags;
  return out;
}

async function checkParent(db: ScopedDb, companyId: number, selfId: number | null, parentId: number): Promise<CustomerRow> {
  if (selfId !== null && parentId === selfId) throw new ValidationError({ parent_id: 'cannot be the customer itself' });
  const parent = await db.findById<CustomerRow>(CUSTOMERS, parentId);
  if (!parent || Number(parent.company_id) !== companyId) throw new ValidationError({ parent_id: `customer ${parentId} does not exist` });
  if (parent.parent_id) throw new ValidationError({ parent_id: `${parent.code} is itself a family member; choose the main customer` });
  if (selfId !== null) {
    const child = await db.query(CUSTOMERS).where('parent_id', selfId).first('id');
    if (child) throw new ValidationError({ parent_id: 'this customer has family members of its own and cannot become one' });
  }
  return parent;
}

export async function tagsFor(db: ScopedDb, ids: number[]): Promise<Map<number, string[]>> {
  const map = new Map<number, string[]>();
  if (!ids.length) return map;
  const rows = await db.query(TAGS).whereIn('customer_id', ids).orderBy('tag').select('customer_id', 'tag');
  for (const r of rows as Array<{ customer_id: number; tag: string }>) {
    const list = map.get(Number(r.customer_id)) ?? [];
    list.push(r.tag);
    map.set(Number(r.customer_id), list);
  }
  return map;
}

export async function replaceTags(db: ScopedDb, companyId: number, customerId: number, tags: string[]): Promise<void> {
  await db.query(TAGS).where('customer_id', customerId).delete();
  if (tags.length) {
    db.assertCompany(companyId);
    await db.unscoped('join table rows carry the customer company, asserted above').table(TAGS).insert(tags.map((tag) => ({ company_id: companyId, customer_id: customerId, tag })));
  }
}

export async function resolveGroup(db: ScopedDb, groupId: number): Promise<GroupFilter> {
  const group = await db.findById<{ id: number; type: string }>('crm_groups', groupId);
  if (!group) throw new ValidationError({ group_id: `group ${groupId} does not exist` });
  return { id: Number(group.id), type: group.type === 'shop' ? 'shop' : 'customer' };
}

/** How to reach a customer: what `contact` and `contacts` answer. */
function toContact(row: CustomerRow): CustomerContact {
  const c = toCustomer(row);
  return { id: c.id, company_id: c.company_id, code: c.code, first_name: c.first_name, last_name: c.last_name, phone: c.phone, email: c.email, shop_id: c.shop_id };
}
