import { formatAmount, startOfDay, toDate, type ModuleContext, type ScopedDb } from 'tessera/core';
import { MESSAGING, type DueItem, type MessagingService } from '../../messaging/api';
import type { Ports } from '../billing/billing-ports';
import { CODE_NOTIFICATION } from '../devices/device-tokens';
import { companyZone } from '../plans/company-clock';
import { addCalendarDays } from '../plans/plan-expiry';
import { PLANS } from '../plans/plan-service';

export const EXPIRY_NOTIFICATION = 'schemes.plan_expiring';
export const EXPIRY_REMINDERS = 'schemes.plan_expiry';

const customer = { first_name: 'Ama', last_name: 'Mensah', code: 'CU-000042' };

/**
 * What schemes sends through messaging: a code-based device's activation codes (sent by the payment that
 * earned them, see devices/device-tokens.ts), and a reminder before a plan's device switches off. The
 * reminder is a due-date source: messaging asks every day for the plans whose expiry falls on each of the
 * next `due_reminder_days` days of the company's calendar and sends each once per plan and expiry day
 * (its dedupe key), so a plan extended by a payment is reminded again for its new expiry, never twice for one.
 */
export function registerNotifications(m: ModuleContext, ports: Ports): void {
  const messaging = m.container.get<MessagingService>(MESSAGING.Service);
  messaging.declareNotification({
    key: CODE_NOTIFICATION,
    module: 'schemes',
    label: 'Device activation code',
    description: 'The OpenPAYGO code a payment or a bonus earned, to type on a code-based device.',
    channels: ['sms', 'whatsapp', 'email'],
    sample: { customer, plan: { id: 12, device_serial: 'SK-2041' }, code: { token: '588 224 011', days: 21, unlock: false } },
    defaults: {
      sms: { body: '{{#if code.unlock}}Your device {{plan.device_serial}} is paid off. Unlock code: {{code.token}}{{else}}Code for {{code.days}} days on {{plan.device_serial}}: {{code.token}}{{/if}}' },
      whatsapp: { body: '{{#if code.unlock}}Your device {{plan.device_serial}} is paid off. Unlock code: {{code.token}}{{else}}Code for {{code.days}} days on {{plan.device_serial}}: {{code.token}}{{/if}}' },
      email: { subject: 'Your activation code', body: '<p>Hello {{customer.first_name}},</p><p>{{#if code.unlock}}Your device {{plan.device_serial}} is paid off. Unlock code: <b>{{code.token}}</b>{{else}}Code for {{code.days}} days on {{plan.device_serial}}: <b>{{code.token}}</b>{{/if}}</p>' },
    },
  });
  messaging.declareNotification({
    key: EXPIRY_NOTIFICATION,
    module: 'schemes',
    label: 'Pay plan expiring',
    description: "Before a pay plan's device switches off: the day, and the instalment that buys more days.",
    channels: ['sms', 'whatsapp', 'email'],
    sample: { customer, plan: { id: 12, device_serial: 'SK-2041', expiry_day: '2031-03-01', instalment: '8.40', instalment_days: 21 } },
    defaults: {
      sms: { body: 'Hello {{customer.first_name}}, your device {{plan.device_serial}} switches off on {{plan.expiry_day}}. Pay {{plan.instalment}} for {{plan.instalment_days}} more days.' },
      whatsapp: { body: 'Hello {{customer.first_name}}, your device {{plan.device_serial}} switches off on {{plan.expiry_day}}. Pay {{plan.instalment}} for {{plan.instalment_days}} more days.' },
      email: { subject: 'Your device switches off on {{plan.expiry_day}}', body: '<p>Hello {{customer.first_name}},</p><p>Your device {{plan.device_serial}} switches off on {{plan.expiry_day}}. Pay {{plan.instalment}} for {{plan.instalment_days}} more days.</p>' },
    },
  });
  messaging.registerReminderSource({ key: EXPIRY_REMINDERS, notification: EXPIRY_NOTIFICATION, dueOn: (db, day) => plansExpiringOn(ports, db, day) });
}

/** Active plans whose expiry falls on `day` of the company's calendar: one indexed range over (company, status, expiry). */
export async function plansExpiringOn(ports: Ports, db: ScopedDb, day: string): Promise<DueItem[]> {
  const companyId = db.principal.companyId;
  const zone = await companyZone(ports, db, companyId);
  const from = startOfDay(day, zone);
  const to = startOfDay(addCalendarDays(day, 1), zone);
  const rows = (await db.queryCompany(companyId, PLANS).where('status', 'active').where('expiry', '>=', from).where('expiry', '<', to).orderBy('expiry').orderBy('id')) as Array<Record<string, unknown>>;
  const currency = db.principal.companies?.find((c) => c.id === companyId)?.currency ?? 'EUR';
  return rows.map((r) => ({
    key: `plan:${r.id}`,
    customerId: Number(r.customer_id),
    dueDate: day,
    data: {
      plan: {
        id: Number(r.id),
        device_serial: String(r.device_serial ?? ''),
        expiry_day: day,
        expiry: toDate(r.expiry)?.toISOString() ?? null,
        instalment: formatAmount(Number(r.instalment_amount), currency),
        instalment_days: Number(r.instalment_days),
      },
    },
  }));
}
