import { formatAmount } from 'tessera/core';
import type { NotificationDeclaration } from '../api';

const customer = { first_name: 'Ann', last_name: 'Lee', code: 'CU-000042' };

/**
 * What messaging sends itself, and the receipt for billing's payments (sent only while a module
 * declaring `billing.payment.posted` is installed).
 */
export const BUILTIN_NOTIFICATIONS: NotificationDeclaration[] = [
  {
    key: 'messaging.appointment_reminder',
    module: 'messaging',
    label: 'Appointment reminder',
    channels: ['email', 'sms', 'whatsapp'],
    sample: { customer, appointment: { number: 2041, starts_at: '2031-03-01 10:00', place: 'Main Street', representative: 'Alice Seller' } },
    defaults: {
      email: { subject: 'Your appointment on {{appointment.starts_at}}', body: '<p>Hello {{customer.first_name}},</p><p>We look forward to seeing you on {{appointment.starts_at}} with {{appointment.representative}}.</p>' },
      sms: { body: 'Hello {{customer.first_name}}, see you on {{appointment.starts_at}} with {{appointment.representative}}.' },
    },
  },
  {
    key: 'messaging.otp',
    module: 'messaging',
    label: 'One-time code',
    channels: ['sms', 'whatsapp', 'email'],
    sample: { customer, otp: { code: '123456', minutes: 10, purpose: 'schemes.close' } },
    defaults: { sms: { body: 'Your code is {{otp.code}}. It expires in {{otp.minutes}} minutes.' }, email: { subject: 'Your code', body: '<p>Your code is <b>{{otp.code}}</b>. It expires in {{otp.minutes}} minutes.</p>' } },
  },
  {
    key: 'messaging.birthday',
    module: 'messaging',
    label: 'Birthday wishes',
    channels: ['email', 'sms', 'whatsapp'],
    sample: { customer },
    defaults: { email: { subject: 'Happy birthday, {{customer.first_name}}!', body: '<p>Happy birthday, {{customer.first_name}}!</p>' }, sms: { body: 'Happy birthday, {{customer.first_name}}!' } },
  },
  {
    key: 'messaging.next_visit',
    module: 'messaging',
    label: 'Next visit',
    channels: ['email', 'sms', 'whatsapp'],
    sample: { customer, visit: { last: '2031-01-15' } },
    defaults: { sms: { body: 'Hello {{customer.first_name}}, it has been a while since {{visit.last}}. Book your next visit!' } },
  },
  {
    key: 'billing.payment.posted',
    module: 'billing',
    label: 'Payment received',
    channels: ['email', 'sms', 'whatsapp'],
    sample: { customer, payment: { amount: '125.00', currency: 'EUR', reference: 'PAY-1001', method: 'cash' } },
    defaults: {
      email: { subject: 'Payment received: {{payment.amount}} {{payment.currency}}', body: '<p>Dear {{customer.first_name}}, we received your payment of {{payment.amount}} {{payment.currency}} (ref. {{payment.reference}}). Thank you!</p>' },
      whatsapp: { body: 'Dear {{customer.first_name}}, we received your payment of {{payment.amount}} {{payment.currency}} (ref. {{payment.reference}}). Thank you!' },
    },
    trigger: {
      event: 'billing.payment.posted',
      customer: 'customer_id',
      record: 'payment_id',
      data: (p) => ({ payment: { amount: formatAmount(Number(p.amount), String(p.currency ?? 'EUR')), currency: p.currency, reference: p.reference, method: p.method } }),
    },
  },
];
