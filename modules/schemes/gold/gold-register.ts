import { ConflictError, type ModuleContext } from 'tessera/core';
import { CRM_EVENTS } from '../../crm/api';
import { BILLING_EVENTS } from '../../billing/api';
import { MESSAGING, type MessagingService } from '../../messaging/api';
import { SCHEMES, SCHEMES_EVENTS } from '../api';
import type { Ports } from '../billing/billing-ports';
import { goldApiRoutes } from './gold-api';
import { registerGoldReports } from './reports/report-routes';
import { GoldPlanServiceImpl } from './gold-plan-service';
import { goldPortsOf } from './gold-ports';
import { goldDueItems } from './due-reminders';
import { flagMissedEverywhere } from './missed-job';
import { creditInstalment, refuseReversal } from './payments/instalment-credit';
import { goldPlanEntity } from './plan-entity';
import { goldPlanHooks } from './plan-enrol';
import { GOLD } from './plan-store';
import { goldRateEntity } from './rate-entity';
import { goldPlanPageOverrides, registerCustomerGoldPanel } from './pages/gold-enrol-page';
import { registerGoldPlanActions } from './pages/gold-plan-page';
import { goldSchemeEntity, goldSchemeHooks } from './scheme-entity';

/**
 * Gold saving schemes: the three entities (schemes, rates, plans; plans are enrolled through the
 * derived POST and never patched), the GoldPlanService, the action routes, billing's payment events
 * and the daily missed-month job.
 */
export function registerGold(m: ModuleContext, ports: Ports): GoldPlanServiceImpl {
  const gold = goldPortsOf(m.container, ports);
  m.entities.register(goldSchemeEntity, { serviceId: SCHEMES.GoldSchemes, hooks: goldSchemeHooks() });
  m.entities.register(goldRateEntity, { serviceId: SCHEMES.GoldRates });
    const plans = m.entities.register(goldPlanEntity, { hooks: goldPlanHooks(gold), api: { update: false, remove: false }, pages: goldPlanPageOverrides(m.container, ports, (ctx) => gold.zone(ctx.db)) });
  const service = new GoldPlanServiceImpl(gold, plans, m.container);
  m.services.bind(SCHEMES.GoldPlans, service);
  for (const route of goldApiRoutes(service)) m.routes.api(route);
  registerGoldReports(m, gold, service);
  registerGoldPlanActions(m, m.container, ports, service);
  registerCustomerGoldPanel(m, service);

  m.events.on(BILLING_EVENTS.paymentPosted, async ({ db, event }) => {
    await creditInstalment(gold, db, event.payload);
  }, { name: 'schemes:gold-credit-instalment' });
  m.events.on(BILLING_EVENTS.paymentReversed, async ({ event }) => refuseReversal(event.payload), { name: 'schemes:gold-refuse-reversal' });
  m.events.on(CRM_EVENTS.customerDeleting, async ({ db, event }) => {
    const n = (await db.query(GOLD.plans).where('customer_id', event.payload.customer_id).pluck('id')).length;
    if (n) throw new ConflictError(`Customer has ${n} gold plan${n > 1 ? 's' : ''} in schemes`);
  }, { name: 'schemes:gold-customer-guard' });

  // Hourly, so a month is flagged soon after its window closes in any time zone; flags are once per month anyway.
  m.jobs.schedule('gold-missed-months', '17 * * * *', async () => flagMissedEverywhere(m.container, gold));

  if (m.container.isBound(MESSAGING.Service)) {
    const messaging = m.container.get<MessagingService>(MESSAGING.Service);
    messaging.declareNotification({
      key: 'schemes.gold.instalment_due', module: 'schemes', label: 'Gold scheme instalment due', channels: ['sms', 'whatsapp'],
      sample: { plan: { id: 12, scheme: 'Swarna 11+1', tier: 'T5', month: '2026-03', amount: 500000 } },
      defaults: { sms: { body: 'Your {{plan.scheme}} instalment for {{plan.month}} is due before the window closes.' }, whatsapp: { body: 'Your {{plan.scheme}} instalment for {{plan.month}} is due before the window closes.' } },
    });
    messaging.registerReminderSource({ key: 'schemes.gold', notification: 'schemes.gold.instalment_due', dueOn: (db, day) => goldDueItems(gold, db, day) });
    messaging.declareNotification({
      key: 'schemes.gold.payment_received', module: 'schemes', label: 'Gold scheme payment received', channels: ['sms', 'whatsapp'],
      sample: { plan: { id: 12 }, payment: { amount: 500000, reference: 'CASH-0012', month: '2026-03' } },
      defaults: { sms: { body: 'We received your gold scheme payment {{payment.reference}} for {{payment.month}}. Thank you.' }, whatsapp: { body: 'We received your gold scheme payment {{payment.reference}} for {{payment.month}}. Thank you.' } },
      trigger: {
        event: SCHEMES_EVENTS.goldInstalmentPaid, customer: 'contact_id', record: 'gold_payment_id',
        data: (p) => ({ plan: { id: p.plan_id }, payment: { amount: p.amount, reference: p.reference, month: p.month } }),
      },
    });
  }
  return service;
}
