import type { Knex } from 'knex';
import type { RequestContext } from '../security/request-context';
import { CORE_PERMISSIONS } from '../security/services';
import { ValidationError } from '../errors';
import { endOfDay, startOfDay } from '../data/calendar';
import { toDate } from '../db/schema-helpers';
import { parseId } from '../http/id-schemas';
import type { EntityRegistry, RecordKind, RefTarget } from './entity-registry';
import { ACTION_WORDS } from './entity-history';
import { companyTimeZone } from './entity-query';
import { isDay } from './field-rules';

const PAGE = 50;

interface AuditRow {
  id: number;
  company_id: number;
  actor_id: number | null;
  actor_name: string | null;
  action: string;
  record_table: string;
  record_id: number;
  changes: string;
  created_at: unknown;
}

export interface AuditFilters {
  user?: number;
  module?: string;
  type?: string;
  from?: string;
  to?: string;
  /** Entries older than this id (the next page). */
  before?: number;
}

/**
 * The audit log of the caller's companies, newest first, filtered by person, module, kind of record
 * and days (on the company's calendar). Only entries of the caller's companies are read: another
 * company's entries are never counted, listed or named. Each entry names its record by title, links
 * to it for people who may open it, and lists what changed by label.
 */
export async function auditLogView(ctx: RequestContext, registry: EntityRegistry, query: Record<string, string>): Promise<Record<string, unknown>> {
  ctx.require(CORE_PERMISSIONS.auditRead);
  const kinds = registry.recordKinds();
  const filters = parseAuditFilters(query, kinds);
  const knex = ctx.db.unscoped('the audit log is filtered to the caller companies right here');
  const q = knex('core_audit_log as a').leftJoin('core_users as u', 'u.id', 'a.actor_id').whereIn('a.company_id', ctx.companyIds);
  applyFilters(q, filters, kinds, companyTimeZone(ctx));
  const rows = (await q.orderBy('a.id', 'desc').limit(PAGE + 1).select('a.id', 'a.company_id', 'a.actor_id', 'u.name as actor_name', 'a.action', 'a.record_table', 'a.record_id', 'a.changes', 'a.created_at')) as AuditRow[];
  const page = rows.slice(0, PAGE);
  const titles = await titlesOf(ctx, kinds, page);
  const entries = page.map((row) => {
    const kind = kinds.find((k) => k.table === row.record_table);
    const changes = parse(row.changes);
    const live = titles.get(row.record_table)?.get(Number(row.record_id));
    const title = live?.title ?? kind?.titleOf?.(plainValues(changes)) ?? `#${row.record_id}`;
    const canOpen = Boolean(kind?.pagesPath && live && ctx.can(kind.readPermission));
    return {
      id: Number(row.id),
      at: toDate(row.created_at),
      who: row.actor_name ?? 'System',
      action: row.action,
      action_label: ACTION_WORDS[row.action] ?? row.action,
      kind: kind?.label.one ?? row.record_table,
      module: kind?.module ?? '',
      title,
      href: canOpen ? `${kind!.pagesPath}/${row.record_id}` : null,
      // What a create or delete held (empty fields left out), what an update changed.
      fields: Object.keys(changes)
        .filter((key) => !['id', 'company_id', 'created_at', 'updated_at', 'created_by', 'updated_by'].includes(key))
        .filter((key) => changes[key] !== null && changes[key] !== '' && !(Array.isArray(changes[key]) && !(changes[key] as unknown[]).length))
        .map((key) => kind?.fieldLabel?.(key) ?? key)
        .join(', '),
    };
  });
  const modules = [...new Set(kinds.map((k) => k.module))];
  return {
    entries,
    filters: {
      users: (await usersOf(ctx)).map((u) => ({ value: String(u.id), label: u.name, selected: u.id === filters.user })),
      modules: modules.map((m) => ({ value: m, label: m, selected: m === filters.module })),
      types: kinds.map((k) => ({ value: k.fullName, label: `${k.label.one} (${k.module})`, selected: k.fullName === filters.type })),
      from: filters.from ?? '',
      to: filters.to ?? '',
      active: Boolean(filters.user || filters.module || filters.type || filters.from || filters.to),
    },
    next: rows.length > PAGE ? String(page[page.length - 1].id) : null,
    first: Boolean(filters.before),
  };
}

export function parseAuditFilters(query: Record<string, string | undefined>, kinds: RecordKind[]): AuditFilters {
  const errors: Record<string, string> = {};
  const out: AuditFilters = {};
  if (query.user) {
    const id = parseId(query.user);
    if (id === null) errors.user = 'must be a user id';
    else out.user = id;
  }
  if (query.module) {
    if (!kinds.some((k) => k.module === query.module)) errors.module = 'is not a module with records';
    else out.module = query.module;
  }
  if (query.type) {
    if (!kinds.some((k) => k.fullName === query.type)) errors.type = 'is not a kind of record';
    else out.type = query.type;
  }
  for (const end of ['from', 'to'] as const) {
    const day = query[end];
    if (!day) continue;
    if (!isDay(day)) errors[end] = 'must be a date (YYYY-MM-DD)';
    else out[end] = day;
  }
  if (query.before) {
    const id = parseId(query.before);
    if (id === null) errors.before = 'must be an entry id';
    else out.before = id;
  }
  if (Object.keys(errors).length) throw new ValidationError(errors);
  return out;
}

function applyFilters(q: Knex.QueryBuilder, f: AuditFilters, kinds: RecordKind[], timeZone: string): void {
  if (f.user) q.where('a.actor_id', f.user);
  if (f.type) q.where('a.record_table', kinds.find((k) => k.fullName === f.type)!.table);
  if (f.module) q.whereIn('a.record_table', kinds.filter((k) => k.module === f.module).map((k) => k.table));
  if (f.from) q.where('a.created_at', '>=', startOfDay(f.from, timeZone));
  if (f.to) q.where('a.created_at', '<', endOfDay(f.to, timeZone));
  if (f.before) q.where('a.id', '<', f.before);
}

/** One lookup per kind for the records of the page; records deleted since are named from the entry. */
async function titlesOf(ctx: RequestContext, kinds: RecordKind[], rows: AuditRow[]): Promise<Map<string, Map<number, RefTarget>>> {
  const wanted = new Map<string, number[]>();
  for (const r of rows) wanted.set(r.record_table, [...(wanted.get(r.record_table) ?? []), Number(r.record_id)]);
  const out = new Map<string, Map<number, RefTarget>>();
  for (const [table, ids] of wanted) {
    const kind = kinds.find((k) => k.table === table);
    if (kind) out.set(table, await kind.resolve(ctx, [...new Set(ids)]));
  }
  return out;
}

/** People of the caller's companies, for the "who" filter. */
async function usersOf(ctx: RequestContext): Promise<Array<{ id: number; name: string }>> {
  const knex = ctx.db.unscoped('members of the caller companies, by membership');
  const rows = await knex('core_users as u').join('core_user_companies as m', 'm.user_id', 'u.id').whereIn('m.company_id', ctx.companyIds).distinct('u.id', 'u.name').orderBy('u.name').limit(500);
  return rows.map((r: Record<string, unknown>) => ({ id: Number(r.id), name: String(r.name) }));
}

function parse(changes: unknown): Record<string, unknown> {
  try {
    const value = typeof changes === 'string' ? JSON.parse(changes) : changes;
    return value && typeof value === 'object' ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** An entry's values, the new side of each change. */
function plainValues(changes: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(changes).map(([key, v]) => [key, v && typeof v === 'object' && 'to' in v ? (v as { to: unknown }).to : v]));
}
