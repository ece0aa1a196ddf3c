import type { SlotContribution } from 'tessera/core';
import { companyTimeZone, dayIn } from '../settings';
import { findCustomer } from '../crm/customers';

/**
 * The signed-in user's reminders on the home page, as soon as they log in: the open messages and today's
 * appointments of the representatives linked to them.
 */
export function homePanel(): SlotContribution {
  return {
    slot: 'home.widgets',
    template: 'messaging/home-panel',
    order: 10,
    data: async (ctx) => {
      if (!ctx.user.id) return {};
      const reps = await ctx.db.queryCompany(ctx.companyId, 'messaging_representatives').where({ user_id: ctx.user.id, is_active: true }).pluck('id');
      if (!reps.length) return {};
      const today = dayIn(new Date(), await companyTimeZone(ctx.db));
      const messages = await ctx.db.queryCompany(ctx.companyId, 'messaging_messages').whereIn('representative_id', reps).where({ status: 'open' }).orderBy('id', 'desc').limit(20).select('id', 'number', 'subject', 'follow_up_on');
      const appointments = await ctx.db
        .queryCompany(ctx.companyId, 'messaging_appointments')
        .whereIn('representative_id', reps)
        .where('day', today)
        .whereNot('status', 'cancelled')
        .orderBy('starts_at')
        .select('id', 'number', 'starts_at', 'place', 'customer_id');
      for (const a of appointments) {
        const c = await findCustomer(ctx, Number(a.customer_id));
        a.customer = c ? `${c.first_name} ${c.last_name}`.trim() : `customer ${a.customer_id}`;
      }
      return { isRepresentative: true, messages, appointments, today };
    },
  };
}
