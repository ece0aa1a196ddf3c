import crypto from 'node:crypto';
import { addCalendarDays, isDuplicateKey, NotFoundError, type ApiRoute, type PublicAccess, type PublicPageRoute, type RequestContext, idSchema } from 'tessera/core';
import { MESSAGING, type NotificationCatalogue, type NotifyService } from '../../../messaging/api';
import { LOYALTY_PERMISSIONS as P } from '../../api';
import type { Container } from 'inversify';

const FEEDBACK = 'loyalty_card_feedback';
export const FEEDBACK_REQUEST = 'loyalty.card.feedback';
const TOKEN = /^[A-Za-z0-9_-]{24}$/;
/** The automation's own text when it has one (`message`), the link after it. */
const FEEDBACK_TEXT = '{{#if message}}{{message}}{{else}}How was your visit? Tell us:{{/if}} {{link}}';

export function declareFeedbackNotification(container: Container): void {
  container.get<NotificationCatalogue>(MESSAGING.Catalogue).declare({
    key: FEEDBACK_REQUEST, module: 'loyalty', label: 'Card feedback request', channels: ['sms', 'email', 'whatsapp'],
    description: 'Asks a card holder to rate their visit (1 to 5) with a comment, once per visit.',
    sample: { link: 'https://shop.example/feedback/abc', visit_day: '2026-01-10' },
    defaults: { sms: { body: FEEDBACK_TEXT }, email: { subject: 'How was your visit?', body: FEEDBACK_TEXT } },
  });
}

/**
 * Feedback requests for visits `days` ago (with the same catch-up as reminders): a row per card and
 * visit day with its own token, and a message with a dedupe key per card and visit. Returns how many were new.
 */
export async function requestFeedback(container: Container, ctx: RequestContext, templateId: number, days: number, today: string, baseUrl = '', message: string | null = null): Promise<number> {
  const due = addCalendarDays(today, -days);
  const cards = await ctx.db.query('loyalty_cards').where({ template_id: templateId }).whereBetween('last_visit_day', [addCalendarDays(due, -3), due]).select('id', 'company_id', 'customer_id', 'last_visit_day');
  const knex = ctx.db.unscoped('feedback rows of the cards read above');
  let sent = 0;
  for (const card of cards) {
    const key = { card_id: Number(card.id), visit_day: String(card.last_visit_day) };
    let row = await knex(FEEDBACK).where(key).first('token');
    if (!row) {
      try {
        await knex(FEEDBACK).insert({ ...key, company_id: Number(card.company_id), customer_id: Number(card.customer_id), token: crypto.randomBytes(18).toString('base64url'), created_at: new Date() });
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
      }
      row = await knex(FEEDBACK).where(key).first('token');
    }
    const records = await container.get<NotifyService>(MESSAGING.Notify).send(ctx.db, { template: FEEDBACK_REQUEST, customerId: Number(card.customer_id), data: { link: `${baseUrl}/feedback/${row.token}`, visit_day: key.visit_day, message }, dedupeKey: `feedback:${card.id}:${key.visit_day}` });
    if (records.some((r) => r.created)) sent++;
  }
  return sent;
}

async function requestOf(access: PublicAccess, token: string): Promise<Record<string, any>> {
  if (!TOKEN.test(token)) throw new NotFoundError('Feedback');
  const row = await access.lookup('a feedback request is found by the unguessable token sent to the customer').table(FEEDBACK).where({ token }).first();
  if (!row) throw new NotFoundError('Feedback');
  return row;
}

/** The page the request links to: a rating 1 to 5 and a comment, answered once. */
export function feedbackPages(): PublicPageRoute[] {
  const reason = 'a customer rates their visit from the link sent to them; the token in the path names the visit';
  return [
    {
      method: 'GET', path: '/feedback/:token', reason,
      handler: async (access, { params }) => {
        const row = await requestOf(access, params.token);
        return { view: 'loyalty/card-feedback', data: { token: params.token, day: row.visit_day, answered: row.answered_at != null } };
      },
    },
    {
      method: 'POST', path: '/feedback/:token', reason,
      handler: async (access, { params, body }) => {
        const row = await requestOf(access, params.token);
        const rating = Number(body.rating);
        const comment = String(body.comment ?? '').trim().slice(0, 1000);
        if (!Number.isInteger(rating) || rating < 1 || rating > 5) return { view: 'loyalty/card-feedback', status: 422, data: { token: params.token, day: row.visit_day, error: 'Rating is a number from 1 to 5', comment } };
        const ctx = await access.asCompany(Number(row.company_id));
        const done = await ctx.db.unscoped('the feedback row the token named').table(FEEDBACK).where({ id: row.id }).whereNull('answered_at').update({ rating, comment: comment || null, answered_at: new Date() });
        return { view: 'loyalty/card-feedback', status: done === 1 ? 200 : 409, data: { token: params.token, day: row.visit_day, answered: true, thanks: done === 1 } };
      },
    },
  ];
}

export function feedbackApi(): ApiRoute[] {
  return [{
    method: 'GET', path: '/card-feedback', permission: P.cardRead, summary: "A customer's answered feedback, newest first", tags: ['Cards'],
    query: { type: 'object', required: ['customer_id'], properties: { customer_id: idSchema } },
    handler: async (ctx, { query }) => {
      const rows = await ctx.db.query(FEEDBACK).where({ customer_id: query.customer_id }).whereNotNull('answered_at').orderBy('id', 'desc').limit(200).select('card_id', 'visit_day', 'rating', 'comment', 'answered_at');
      return { data: rows.map((r: any) => ({ card_id: Number(r.card_id), visit_day: r.visit_day, rating: Number(r.rating), comment: r.comment ?? null })) };
    },
  }];
}
