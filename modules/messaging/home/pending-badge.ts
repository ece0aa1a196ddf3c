import type { RequestContext } from 'tessera/core';
import { companyTimeZone, dayIn } from '../settings';

/** The menu shows "99+" past this: counting stops there. */
const CAP = 100;

/**
 * The Messaging menu's badge (`messaging.pending`): the signed-in user's open messages and today's
 * appointments, the reminders the home page lists. It runs on every page the user opens, so it is two
 * bounded reads on indexes (company, representative, status / day), run at once, with the user's
 * representatives as a subquery rather than a third round trip.
 */
export async function pendingForUser(ctx: RequestContext): Promise<number> {
  if (!ctx.user.id) return 0;
  const companyId = ctx.companyId;
  const mine = ctx.db.queryCompany(companyId, 'messaging_representatives').where({ user_id: ctx.user.id, is_active: true }).select('id');
  const today = dayIn(new Date(), await companyTimeZone(ctx.db));
  const [messages, appointments] = await Promise.all([
    ctx.db.queryCompany(companyId, 'messaging_messages').whereIn('representative_id', mine).where({ status: 'open' }).limit(CAP).pluck('id'),
    ctx.db.queryCompany(companyId, 'messaging_appointments').whereIn('representative_id', mine.clone()).where({ day: today }).whereIn('status', ['booked']).limit(CAP).pluck('id'),
  ]);
  return messages.length + appointments.length;
}
