import type { AuditLog } from '../data/audit-log';
import { CORE } from '../kernel/identifiers';
import type { RequestContext } from '../security/request-context';
import { STAMP_COLUMNS, type AnyEntity, type ResolvedField } from './define-entity';
import { displayValue, type DisplayContext } from './field-display';
import type { EntityRegistry, RefTarget } from './entity-registry';
import { valueFromDb } from './row-mapping';

/** One entry as the `shell/audit-trail` partial shows it, in the reader's words. */
export interface HistoryEntry {
  id: number;
  action: string;
  /** "Created", "Changed", "Deleted": the action in words. */
  action_label: string;
  actor_id: number | null;
  actor_name: string | null;
  created_at: Date | null;
  changes: Array<{ field: string; from: string | null; to: string | null }>;
}

/**
 * The history of one record: field labels instead of column names, titles instead of ids, amounts
 * in their currency, secrets as "(changed)". The caller has checked the record is visible; columns
 * that are no declared field (a module's internal search columns) are left out.
 */
export async function entityHistory(
  ctx: RequestContext,
  registry: EntityRegistry,
  entity: AnyEntity,
  row: Record<string, unknown>,
  display: Omit<DisplayContext, 'refs'>,
  options: HistoryOptions = {},
): Promise<HistoryEntry[]> {
  const log = ctx.container.get<AuditLog>(CORE.AuditLog);
  const records = await log.forRecord(ctx.db.unscoped('audit entries are keyed by record; the record was read through ctx.db first'), entity.table, Number(row.id));
  const changes = records.map((record) => changesOf(entity, record.changes));
  const refs = await refTitles(ctx, registry, changes.flat());
  const dc: DisplayContext = { ...display, refs };
  const show = (f: ResolvedField, value: unknown) => {
    if (f.kind === 'secret') return '(changed)';
    const own = options.text?.[f.key];
    if (own) return value === null || value === undefined ? null : own(value) || null;
    const shown = displayValue(f, valueFromDb(f, value), row, dc);
    return shown === '' && f.kind !== 'boolean' ? null : shown;
  };
  return records.map((record, i) => ({
    id: Number(record.id),
    action: record.action,
    action_label: ACTION_WORDS[record.action] ?? record.action,
    actor_id: record.actor_id === null ? null : Number(record.actor_id),
    actor_name: record.actor_name,
    created_at: record.created_at,
    changes: changes[i].map(({ f, from, to }) => ({ field: f.label, from: from === undefined ? null : show(f, from), to: show(f, to) })),
  }));
}

export interface HistoryOptions {
  /** A field's value in words when the field's kind cannot say it (custom fields by their labels). */
  text?: Record<string, (value: unknown) => string>;
}

export const ACTION_WORDS: Record<string, string> = { create: 'Created', update: 'Changed', delete: 'Deleted', remove: 'Deleted', import: 'Imported' };

interface FieldChange {
  f: ResolvedField;
  /** Undefined for creates and deletes, which record values, not changes. */
  from?: unknown;
  to: unknown;
}

function changesOf(entity: AnyEntity, changes: Record<string, unknown>): FieldChange[] {
  const out: FieldChange[] = [];
  for (const f of entity.fieldList) {
    // A secret is audited under its column (password_hash), which may be named apart from the field.
    const key = f.kind === 'secret' ? (f.options.storedAs ?? f.key) : f.key;
    if (!(key in changes) || STAMP_COLUMNS.includes(f.key) || f.options.audit === false) continue;
    const value = changes[key];
    if (isFromTo(value)) out.push({ f, from: value.from, to: value.to });
    else out.push({ f, to: value });
  }
  return out;
}

function isFromTo(value: unknown): value is { from: unknown; to: unknown } {
  return typeof value === 'object' && value !== null && 'from' in value && 'to' in value && Object.keys(value).length === 2;
}

/** One lookup per target entity for every id the entries mention. */
async function refTitles(ctx: RequestContext, registry: EntityRegistry, changes: FieldChange[]): Promise<Map<string, Map<number, RefTarget>>> {
  const wanted = new Map<string, number[]>();
  for (const { f, from, to } of changes) {
    if (!f.target) continue;
    for (const id of [from, to]) if (id !== null && id !== undefined) wanted.set(f.target, [...(wanted.get(f.target) ?? []), Number(id)]);
  }
  const refs = new Map<string, Map<number, RefTarget>>();
  for (const [target, ids] of wanted) refs.set(target, await registry.resolve(ctx, target, ids));
  return refs;
}
