import type { SlotContribution } from 'tessera/core';
import { CHANNELS, MESSAGING, MESSAGING_PERMISSIONS as P, type AppointmentService, type MessageService } from '../api';
import { optedOut } from '../notifications/consent';
import { deliveryLog } from '../notifications/delivery-log';

/** The customer page's panel: their appointments, messages, last notifications and consent per channel. */
export function customerPanel(): SlotContribution {
  return {
    slot: 'crm.customer.panels',
    template: 'messaging/customer-panel',
    order: 40,
    permission: P.appointmentRead,
    data: async (ctx, page) => {
      const customer = page.customer as { id: number; company_id: number } | undefined;
      if (!customer) return {};
      const appointments = await ctx.container.get<AppointmentService>(MESSAGING.Appointments).forCustomer(ctx, customer.id, 10);
      const messages = ctx.can(P.messageRead) ? await ctx.container.get<MessageService>(MESSAGING.Messages).forCustomer(ctx, customer.id, 10) : [];
      const deliveries = ctx.can(P.logRead) ? (await deliveryLog(ctx, { customer_id: customer.id, limit: 5 })).data : [];
      const out = await optedOut(ctx.db, customer.id, Number(customer.company_id));
      return {
        customerId: customer.id,
        appointments,
        messages,
        deliveries,
        consent: CHANNELS.map((c) => ({ channel: c, allowed: !out.has(c) })),
        canBook: ctx.can(P.appointmentWrite),
        canWrite: ctx.can(P.messageWrite),
      };
    },
  };
}
