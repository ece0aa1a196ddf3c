import crypto from 'node:crypto';
import type { Container } from 'inversify';
import { isDuplicateKey, ValidationError, type ScopedDb } from 'tessera/core';
import type { Customer } from '../../crm/api';
import { CHANNELS, type Channel, type NotificationRecord, type NotifyRequest, type NotifyService } from '../api';
import { contextOf, findContact } from '../crm/customers';
import { render } from '../templates/template-render';
import type { Catalogue } from './catalogue';

export const DELIVER_JOB = 'messaging.deliver';
const TABLE = 'messaging_notifications';

/**
 * Notifications are written in the sender's transaction, one row per (company, dedupe key, channel),
 * rendered there, and handed to the delivery job in that same transaction: nothing goes out for a
 * rolled-back transaction, and asking twice answers the first notification.
 */
export class NotifyServiceImpl implements NotifyService {
  constructor(
    private readonly container: Container,
    private readonly catalogue: Catalogue,
  ) {}

  async send(db: ScopedDb, request: NotifyRequest): Promise<NotificationRecord[]> {
    const declaration = this.catalogue.get(request.template);
    if (!declaration) throw new ValidationError({ template: `"${request.template}" is not a declared notification` });
    if (!request.dedupeKey) throw new ValidationError({ dedupeKey: 'is required' });
    const asked = request.channel === undefined ? null : Array.isArray(request.channel) ? request.channel : [request.channel];
    const bad = asked?.find((c) => !CHANNELS.includes(c));
    if (bad) throw new ValidationError({ channel: `"${bad}" is not one of ${CHANNELS.join(', ')}` });
    const companyId = db.principal.companyId;
    // What the notification reads: the customer (crm's service), and the company's templates for the
    // event, its enabled channels and the customer's opt-outs in one statement. At once on separate
    // connections when the caller is in no transaction, so the write's transaction holds only its two
    // inserts; in the caller's transaction, there, one after the other.
    const customerOf = () => findContact(contextOf(db, this.container), request.customerId);
    const settingsOf = () => this.sendingSettings(db, companyId, request.template, request.customerId);
    const [customer, { templates, enabled, blocked }] = db.isInTransaction ? [await customerOf(), await settingsOf()] : await Promise.all([customerOf(), settingsOf()]);
    if (!customer || Number(customer.company_id) !== companyId) throw new ValidationError({ customerId: `customer ${request.customerId} does not exist` });
    const configured = new Set<string>(enabled);
    // Not asked for a channel: every configured one the notification has a template for (the company's or its default).
    const channels = asked ?? declaration.channels.filter((c) => (templates.has(c) || declaration.defaults?.[c]) && configured.has(c));
    const company = db.principal.companies?.find((c) => c.id === companyId);
    const data = { ...request.data, customer: publicCustomer(customer), company: company ? { name: company.name, code: company.code } : {} };
    return db.transaction(async (tx) => {
      const records: NotificationRecord[] = [];
      for (const channel of channels) {
        const dedupeKey = keyOf(request.template, request.dedupeKey, channel);
        const template = templates.get(channel) ?? declaration.defaults?.[channel];
        const recipient = channel === 'email' ? customer.email : customer.phone;
        const reason = !template
          ? 'not sent: no template'
          : blocked.has(channel)
            ? 'not sent: opted out'
            : !recipient
              ? `not sent: no ${channel === 'email' ? 'e-mail' : 'phone'}`
              : !configured.has(channel)
                ? `not sent: no ${channel} channel configured`
                : null;
        const row = {
          company_id: companyId,
          event: request.template,
          channel,
          customer_id: customer.id,
          dedupe_key: dedupeKey,
          status: reason ? 'skipped' : 'queued',
          reason,
          recipient: recipient ?? null,
          subject: template?.subject ? render(template.subject, data, channel, 'subject').slice(0, 191) : null,
          body: template && !reason ? render(template.body, data, channel) : null,
        };
        // The unique key decides: a second ask (or a concurrent one) finds the first notification.
        let id: number;
        try {
          id = await tx.insert(TABLE, row, { audit: false });
        } catch (error) {
          if (!isDuplicateKey(error)) throw error;
          const taken = await tx.queryCompany(companyId, TABLE).where({ dedupe_key: dedupeKey }).modify((q) => (tx.client === 'better-sqlite3' ? q : q.forShare())).first('id', 'status', 'reason');
          records.push({ id: Number(taken.id), channel, status: taken.status, created: false, reason: taken.reason ?? null });
          continue;
        }
        if (!reason) await tx.enqueue(DELIVER_JOB, { notification_id: id }, { jobKey: `${DELIVER_JOB}:${id}`, companyId });
        records.push({ id, channel, status: row.status as NotificationRecord['status'], created: true, reason });
      }
      return records;
    });
  }

  /** The event's active templates, the enabled channels and the customer's opt-outs, in one union. */
  private async sendingSettings(db: ScopedDb, companyId: number, event: string, customerId: number): Promise<{ templates: Map<Channel, { subject: string | null; body: string }>; enabled: string[]; blocked: Set<Channel> }> {
    const raw = (sql: string) => db.unscoped('constant columns of a union').raw(sql);
    const rows = await db
      .queryCompany(companyId, 'messaging_templates')
      .where({ event, is_active: true })
      .select(raw("'template' as kind"), 'channel', 'subject', 'body')
      .unionAll([
        db.queryCompany(companyId, 'messaging_channels').where({ enabled: true }).select(raw("'enabled' as kind"), 'channel', raw('null as subject'), raw('null as body')),
        db.queryCompany(companyId, 'messaging_opt_outs').where({ customer_id: customerId }).select(raw("'opted_out' as kind"), 'channel', raw('null as subject'), raw('null as body')),
      ]);
    const of = (kind: string) => rows.filter((r: any) => r.kind === kind);
    return {
      templates: new Map(of('template').map((r: any) => [r.channel as Channel, { subject: r.subject, body: r.body }])),
      enabled: of('enabled').map((r: any) => r.channel),
      blocked: new Set(of('opted_out').map((r: any) => r.channel as Channel)),
    };
  }
}

/** What templates may show of a customer. */
export function publicCustomer(c: Pick<Customer, 'first_name' | 'last_name' | 'code' | 'email' | 'phone'>): Record<string, unknown> {
  return { first_name: c.first_name, last_name: c.last_name, code: c.code, email: c.email, phone: c.phone };
}

/** `<template>:<key>:<channel>`, hashed when too long for the column. */
function keyOf(template: string, key: string, channel: Channel): string {
  const full = `${template}:${key}:${channel}`;
  return full.length <= 191 ? full : `${template.slice(0, 80)}:${crypto.createHash('sha256').update(full).digest('hex')}`;
}
