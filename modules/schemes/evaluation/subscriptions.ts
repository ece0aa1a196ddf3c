import { ConflictError, type ModuleContext } from 'tessera/core';
import { BILLING_EVENTS, paymentPurpose } from '../../billing/api';
import { CRM_EVENTS } from '../../crm/api';
import type { Ports } from '../billing/billing-ports';
import { bundlesUsingGroup } from '../bundles/bundle-store';
import { PLANS } from '../plans/plan-service';
import { applyPayment, paymentPlansQuery } from './apply-payment';
import { reversePayment } from './reverse-payment';

/**
 * schemes reacts inside the publisher's transaction: a payment that cannot be applied as the settings
 * say (more than owed, with "refuse") rolls billing's payment back, and nothing is half done.
 */
export function subscribe(events: ModuleContext['events'], ports: Ports): void {
  events.on(BILLING_EVENTS.paymentPosted, async ({ db, event, sentAhead }) => {
    // A payment recorded for a purpose (a gold instalment, a loyalty recharge) belongs to that purpose, never to a pay plan.
    if (paymentPurpose(event.payload.metadata)) return;
    await applyPayment(ports, db, event.companyId, event.payload, new Date(), sentAhead);
  }, {
    name: 'schemes:apply-payment',
    // The plans' locking read, on every payment, travels with the event's outbox row: a round trip fewer.
    sendAhead: ({ db, event }) => (paymentPurpose(event.payload.metadata) ? null : paymentPlansQuery(db, event.payload)),
  });

  events.on(BILLING_EVENTS.paymentReversed, async ({ db, event }) => {
    if (paymentPurpose(event.payload.metadata)) return;
    await reversePayment(ports, db, event.companyId, event.payload);
  }, { name: 'schemes:reverse-payment' });

  // The plans list filters by the customer's shop: follow a move.
  events.on(CRM_EVENTS.customerUpdated, async ({ db, event }) => {
    if (!event.payload.changes.shop_id) return;
    const ids = (await db.query(PLANS).where('customer_id', event.payload.customer_id).pluck('id')) as number[];
    for (const id of ids) await db.update(PLANS, id, { shop_id: event.payload.shop_id }, { audit: false });
  }, { name: 'schemes:follow-shop' });

  events.on(CRM_EVENTS.customerDeleting, async ({ db, event }) => {
    const n = (await db.query(PLANS).where('customer_id', event.payload.customer_id).pluck('id')).length;
    if (n) throw new ConflictError(`Customer has ${n} pay plan${n > 1 ? 's' : ''} in schemes`);
  }, { name: 'schemes:customer-guard' });

  events.on(CRM_EVENTS.groupDeleting, async ({ db, event }) => {
    const names = await bundlesUsingGroup(db, event.payload.group_id);
    if (names.length) throw new ConflictError(`Bonus bundles use this group: ${names.join(', ')}`);
  }, { name: 'schemes:group-guard' });
}
