import type { ScopedDb } from 'tessera/core';
import type { Channel } from '../api';

export interface SendingSettings {
  /** A company's active templates for an event, its enabled channels, and what the customer opted out of. */
  of(companyId: number, event: string, customerId: number): { templates: Map<Channel, { subject: string | null; body: string }>; enabled: Set<string>; blocked: Set<Channel> };
}

/**
 * The active templates of the events, the enabled channels and the customers' opt-outs of the
 * companies, in one union: what a batch of notifications needs to know besides its customers.
 */
export async function sendingSettings(db: ScopedDb, companies: number[], events: string[], customerIds: number[]): Promise<SendingSettings> {
  const raw = (sql: string) => db.unscoped('constant columns of a union').raw(sql);
  // One company (nearly always) as a plain equality, which the planners read best.
  const from = (table: string) => (companies.length === 1 ? db.queryCompany(companies[0], table) : db.query(table).whereIn(`${table}.company_id`, companies));
  const rows = await from('messaging_templates')
    .whereIn('event', events)
    .where({ is_active: true })
    .select(raw("'template' as kind"), 'company_id', 'event', raw('null as customer_id'), 'channel', 'subject', 'body')
    .unionAll([
      from('messaging_channels').where({ enabled: true }).select(raw("'enabled' as kind"), 'company_id', raw('null as event'), raw('null as customer_id'), 'channel', raw('null as subject'), raw('null as body')),
      from('messaging_opt_outs').whereIn('customer_id', customerIds).select(raw("'opted_out' as kind"), 'company_id', raw('null as event'), 'customer_id', 'channel', raw('null as subject'), raw('null as body')),
    ]);
  return {
    of(companyId, event, customerId) {
      const mine = rows.filter((r: any) => Number(r.company_id) === companyId);
      return {
        templates: new Map(mine.filter((r: any) => r.kind === 'template' && r.event === event).map((r: any) => [r.channel as Channel, { subject: r.subject, body: r.body }])),
        enabled: new Set(mine.filter((r: any) => r.kind === 'enabled').map((r: any) => r.channel as string)),
        blocked: new Set(mine.filter((r: any) => r.kind === 'opted_out' && Number(r.customer_id) === Number(customerId)).map((r: any) => r.channel as Channel)),
      };
    },
  };
}
