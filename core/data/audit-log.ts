import type { Knex } from 'knex';
import { toDate } from '../db/schema-helpers';
import { deferredWrite } from '../db/deferred-writes';

export interface AuditEntry {
  companyId: number | null;
  actorId: number | null;
  action: string;
  table: string;
  recordId: number;
  changes: Record<string, unknown>;
}

export interface AuditRecord {
  id: number;
  action: string;
  actor_id: number | null;
  actor_name: string | null;
  changes: Record<string, unknown>;
  created_at: Date | null;
}

/** Who did what to which record and when. Written by `ScopedDb` for every write through the core. */
export class AuditLog {
  async record(db: Knex | Knex.Transaction, entry: AuditEntry): Promise<void> {
    await this.recordMany(db, [entry]);
  }

  async recordMany(db: Knex | Knex.Transaction, entries: AuditEntry[]): Promise<void> {
    const now = new Date();
    const rows = entries.map((entry) => ({
      company_id: entry.companyId,
      actor_id: entry.actorId,
      action: entry.action,
      record_table: entry.table,
      record_id: entry.recordId,
      changes: JSON.stringify(entry.changes, jsonSafe),
      created_at: now,
    }));
    // Append-only, and nobody needs the ids: in a transaction on MySQL/MariaDB the rows travel with the
    // next statement instead of costing a round trip each (a failure still fails the transaction).
    for (let i = 0; i < rows.length; i += 500) await deferredWrite(db('core_audit_log').insert(rows.slice(i, i + 500)));
  }

  /** The trail of one record, newest first, with the actor's name for display. */
  async forRecord(db: Knex | Knex.Transaction, table: string, recordId: number, limit = 100): Promise<AuditRecord[]> {
    const rows = await db('core_audit_log as a')
      .leftJoin('core_users as u', 'u.id', 'a.actor_id')
      .where({ 'a.record_table': table, 'a.record_id': recordId })
      .orderBy('a.id', 'desc')
      .limit(limit)
      .select('a.id', 'a.action', 'a.actor_id', 'u.name as actor_name', 'a.changes', 'a.created_at');
    return rows.map((r: any) => ({ ...r, id: Number(r.id), changes: JSON.parse(r.changes), created_at: toDate(r.created_at) }));
  }
}

function jsonSafe(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}
