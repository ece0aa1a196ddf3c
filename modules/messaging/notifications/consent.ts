import type { ScopedDb } from 'tessera/core';
import type { Channel } from '../api';

const TABLE = 'messaging_opt_outs';

/** The channels a customer opted out of; honoured by every send, whoever asks for it. */
export async function optedOut(db: ScopedDb, customerId: number, companyId = db.principal.companyId): Promise<Set<Channel>> {
  const rows = await db.queryCompany(companyId, TABLE).where({ customer_id: customerId }).pluck('channel');
  return new Set(rows as Channel[]);
}

/** Sets a customer's consent on one channel; idempotent both ways. */
export async function setConsent(db: ScopedDb, customerId: number, channel: Channel, allowed: boolean, companyId = db.principal.companyId): Promise<void> {
  db.assertCompany(companyId);
  const knex = db.unscoped('opt-out rows carry the company just checked');
  if (allowed) {
    await knex(TABLE).where({ company_id: companyId, customer_id: customerId, channel }).delete();
  } else {
    await knex(TABLE).insert({ company_id: companyId, customer_id: customerId, channel, created_at: new Date(), created_by: db.principal.userId }).onConflict(['company_id', 'customer_id', 'channel']).ignore();
  }
  await db.audit({ table: TABLE, recordId: customerId, action: allowed ? 'opt_in' : 'opt_out', changes: { channel }, companyId });
}
