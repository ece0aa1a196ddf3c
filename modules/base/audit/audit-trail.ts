import { type AuditRecord, CORE, CORE_PERMISSIONS, type RequestContext } from 'tessera/core';

export interface AuditChange {
  field: string;
  from: unknown;
  to: unknown;
}

/** One entry as the `shell/audit-trail` partial shows it. */
export interface AuditTrailEntry {
  id: number;
  action: string;
  actor_id: number | null;
  actor_name: string | null;
  created_at: Date | null;
  changes: AuditChange[];
}

/**
 * The history of one record for the `shell/audit-trail` partial. Modules call it from their detail
 * pages: `{{> shell/audit-trail entries=history}}` with `history = await trail.forRecord(ctx, table, id)`.
 */
export interface AuditTrail {
  /** True when the caller may see audit trails at all (`core.audit.read`). */
  canRead(ctx: RequestContext): boolean;
  /**
   * History of a business row (a table with `company_id`), newest first. Requires `core.audit.read`;
   * the row must be visible to the caller (NotFoundError otherwise), so ids of other companies leak nothing.
   */
  forRecord(ctx: RequestContext, table: string, id: number): Promise<AuditTrailEntry[]>;
  /**
   * For records whose visibility the caller has already checked through their service (core's
   * users, roles, companies have no `company_id` to scope by).
   */
  forCheckedRecord(ctx: RequestContext, table: string, id: number): Promise<AuditTrailEntry[]>;
}

interface AuditLogReader {
  forRecord(db: unknown, table: string, recordId: number, limit?: number): Promise<AuditRecord[]>;
}

const STAMPS = new Set(['created_at', 'updated_at', 'created_by', 'updated_by', 'company_id']);

export class DefaultAuditTrail implements AuditTrail {
  canRead(ctx: RequestContext): boolean {
    return ctx.can(CORE_PERMISSIONS.auditRead);
  }

  async forRecord(ctx: RequestContext, table: string, id: number): Promise<AuditTrailEntry[]> {
    ctx.require(CORE_PERMISSIONS.auditRead);
    await ctx.db.getById(table, id);
    return this.load(ctx, table, id);
  }

  async forCheckedRecord(ctx: RequestContext, table: string, id: number): Promise<AuditTrailEntry[]> {
    ctx.require(CORE_PERMISSIONS.auditRead);
    return this.load(ctx, table, id);
  }

  private async load(ctx: RequestContext, table: string, id: number): Promise<AuditTrailEntry[]> {
    const log = ctx.container.get<AuditLogReader>(CORE.AuditLog);
    const records = await log.forRecord(ctx.db.unscoped('audit entries are keyed by record; visibility was checked first'), table, id);
    return records.map(toEntry);
  }
}

export function toEntry(record: AuditRecord): AuditTrailEntry {
  return {
    id: Number(record.id),
    action: record.action,
    actor_id: record.actor_id === null ? null : Number(record.actor_id),
    actor_name: record.actor_name,
    created_at: record.created_at,
    changes: changesOf(record.changes),
  };
}

/**
 * Updates record `{field: {from, to}}`; creates and deletes record the row's values (put in `to`, the
 * partial shows one value for them). Objects are shown as JSON so the partial needs no logic.
 */
export function changesOf(changes: unknown): AuditChange[] {
  let map = changes;
  if (typeof map === 'string') {
    try {
      map = JSON.parse(map);
    } catch {
      return [];
    }
  }
  if (!map || typeof map !== 'object') return [];
  const out: AuditChange[] = [];
  for (const [field, value] of Object.entries(map as Record<string, unknown>)) {
    if (STAMPS.has(field)) continue;
    if (isFromTo(value)) out.push({ field, from: display(value.from), to: display(value.to) });
    else out.push({ field, from: null, to: display(value) });
  }
  return out;
}

function isFromTo(value: unknown): value is { from: unknown; to: unknown } {
  return typeof value === 'object' && value !== null && 'from' in value && 'to' in value && Object.keys(value).length === 2;
}

function display(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === 'object') return JSON.stringify(value);
  return value;
}
