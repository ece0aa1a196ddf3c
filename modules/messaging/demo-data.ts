import { CORE, type DemoSeeder, type RequestContext } from 'tessera/core';
import { CRM, type CustomerService } from '../crm/api';
import { MESSAGING, type AppointmentService, type MessageService } from './api';
import { addDays, dayIn } from './settings';
import { mondayOf } from './calendar/calendar-view';

interface ContextFactory {
  system(companyIds: number[]): RequestContext;
  contextFor(principal: RequestContext['principal'], db?: unknown): RequestContext;
}

/** Per weekday of the current week, how many appointments: Wednesday reaches the maximum of 4 (FULL). */
const WEEK = [2, 1, 4, 2, 1];

/** Two representatives, a week of appointments with one FULL day, a message, payment-received templates. */
export const seedMessagingDemo: DemoSeeder = async ({ trx, companyId, container }) => {
  const contexts = container.get<ContextFactory>(CORE.Contexts);
  const ctx = contexts.contextFor(contexts.system([companyId]).principal, trx);
  const customers = (await container.get<CustomerService>(CRM.Customers).search(ctx, {}, { limit: 10 })).data;
  if (!customers.length) return;
  // Seeded once per company: a later `tessera demo --scale N` adds customers, not a second team.
  if (await ctx.db.queryCompany(companyId, 'messaging_representatives').first('id')) return;
  const settings = container.get<{ set(companyId: number, module: string, value: Record<string, unknown>, db?: unknown): Promise<void> }>(CORE.Settings);
  await settings.set(companyId, 'messaging', { max_events_per_day: 4, max_events_per_representative: 3 }, trx);
  const reps = container.get<any>(Symbol.for('messaging.representative'));
  const a = await reps.create(ctx, { code: 'S01', name: 'Alice Martin', shop_id: customers[0].shop_id });
  const b = await reps.create(ctx, { code: 'S02', name: 'Bruno Diaz', shop_id: customers[0].shop_id });
  const appointments = container.get<AppointmentService>(MESSAGING.Appointments);
  const monday = mondayOf(dayIn(new Date(), 'UTC'));
  let n = 0;
  for (const [i, count] of WEEK.entries()) {
    const day = addDays(monday, i);
    for (let k = 0; k < count; k++, n++) {
      const hour = String(9 + k * 2).padStart(2, '0');
      await appointments.book(ctx, {
        customer_id: customers[n % customers.length].id,
        representative_id: (k % 2 === 0 ? a : b).id,
        starts_at: `${day}T${hour}:00:00.000Z`,
        ends_at: `${day}T${hour}:45:00.000Z`,
        place: 'Showroom',
      });
    }
  }
  await container.get<MessageService>(MESSAGING.Messages).take(ctx, { customer_id: customers[0].id, representative_id: a.id, subject: 'Called about the ring resizing', body: 'Please call back before Friday.', follow_up_on: addDays(monday, 4) });
  const templates = container.get<any>(Symbol.for('messaging.template'));
  await templates.create(ctx, { event: 'billing.payment.posted', channel: 'email', subject: 'Payment received: {{payment.amount}} {{payment.currency}}', body: '<p>Dear {{customer.first_name}},</p><p>We received your payment of <b>{{payment.amount}} {{payment.currency}}</b> (ref. {{payment.reference}}). Thank you!</p><p>{{company.name}}</p>' });
  await templates.create(ctx, { event: 'billing.payment.posted', channel: 'whatsapp', body: 'Dear {{customer.first_name}}, we received your payment of {{payment.amount}} {{payment.currency}} (ref. {{payment.reference}}). Thank you! {{company.name}}' });
};
