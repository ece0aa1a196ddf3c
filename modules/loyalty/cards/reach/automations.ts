import type { Container } from 'inversify';
import { addCalendarDays, CORE, type ModuleContext, type RequestContext } from 'tessera/core';
import { CRM, type CustomerService } from '../../../crm/api';
import { MESSAGING, type NotificationCatalogue, type NotifyService } from '../../../messaging/api';
import { companyToday } from '../card-issue';
import { declareFeedbackNotification, requestFeedback } from './feedback';

const AUTOMATIONS = 'loyalty_card_automations';
const CARDS = 'loyalty_cards';
export const BIRTHDAY = 'loyalty.card.birthday';
export const NEXT_VISIT = 'loyalty.card.next_visit';
/** Days the run looks back, so a day the run missed is caught up (the dedupe key keeps one message). */
const CATCH_UP_DAYS = 3;
/** The automation's own text when it has one (`message`), else the default words. */
const BIRTHDAY_TEXT = '{{#if message}}{{message}}{{else}}Happy birthday {{customer.first_name}}! A treat waits for you on your {{card.template}} card.{{/if}}';
const NEXT_VISIT_TEXT = '{{#if message}}{{message}}{{else}}We miss you {{customer.first_name}}! Your {{card.template}} card is waiting.{{/if}}';

interface Contexts {
  systemInCompany(companyId: number): Promise<RequestContext>;
}

export function declareAutomationNotifications(container: Container): void {
  const catalogue = container.get<NotificationCatalogue>(MESSAGING.Catalogue);
  catalogue.declare({
    key: BIRTHDAY, module: 'loyalty', label: 'Card holder birthday', channels: ['sms', 'email', 'whatsapp'],
    description: "Sent on a card holder's birthday, once a year.",
    sample: { card: { number: '000000018', template: 'Coffee stamps' } },
    defaults: { sms: { body: BIRTHDAY_TEXT }, email: { subject: 'Happy birthday!', body: BIRTHDAY_TEXT } },
  });
  catalogue.declare({
    key: NEXT_VISIT, module: 'loyalty', label: 'Card next-visit reminder', channels: ['sms', 'email', 'whatsapp'],
    description: 'Sent N days after a card holder\'s last visit, once per visit.',
    sample: { card: { number: '000000018', template: 'Coffee stamps', stamps: 3 }, last_visit: '2026-01-10' },
    defaults: { sms: { body: NEXT_VISIT_TEXT }, email: { subject: 'See you soon', body: NEXT_VISIT_TEXT } },
  });
}

/** Whether a birthdate (`YYYY-MM-DD`) falls on `day`; 29 February is kept on the 28th in other years. */
export function isBirthday(birthdate: string | null | undefined, day: string): boolean {
  if (!birthdate) return false;
  const md = birthdate.slice(5, 10);
  if (md === day.slice(5, 10)) return true;
  const year = Number(day.slice(0, 4));
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return md === '02-29' && !leap && day.slice(5, 10) === '02-28';
}

export interface AutomationRun {
  birthday: number;
  next_visit: number;
  feedback: number;
}

/**
 * One company's daily run on its calendar day: each message goes through messaging with a dedupe key
 * (`birthday:<customer>:<year>`, `next_visit:<card>:<last visit>`), so a second run sends nothing more.
 * Returns how many new notifications were asked for.
 */
export async function runAutomations(container: Container, ctx: RequestContext, today = companyToday(ctx)): Promise<AutomationRun> {
  const notify = container.get<NotifyService>(MESSAGING.Notify);
  const customers = container.get<CustomerService>(CRM.Customers);
  const out: AutomationRun = { birthday: 0, next_visit: 0, feedback: 0 };
  const rules = await ctx.db.query(AUTOMATIONS).where({ active: true }).select('template_id', 'birthday', 'next_visit_days', 'feedback_days', 'birthday_message', 'next_visit_message', 'feedback_message');
  const sent = (records: Array<{ created: boolean }>) => (records.some((r) => r.created) ? 1 : 0);
  for (const rule of rules) {
    const template = await ctx.db.query('loyalty_card_templates').where({ id: rule.template_id }).first('name');
    if (rule.birthday) {
      let afterId = 0;
      for (;;) {
        const cards = await ctx.db.query(CARDS).where({ template_id: rule.template_id, status: 'active' }).where('id', '>', afterId).orderBy('id').limit(500).select('id', 'customer_id', 'number');
        if (!cards.length) break;
        afterId = Number(cards[cards.length - 1].id);
        const page = await customers.search(ctx, { ids: cards.map((c: any) => Number(c.customer_id)), birth_month: Number(today.slice(5, 7)) }, { limit: 500 });
        for (const customer of page.data) {
          if (!isBirthday(customer.birthdate, today)) continue;
          const card = cards.find((c: any) => Number(c.customer_id) === Number(customer.id));
          out.birthday += sent(await notify.send(ctx.db, { template: BIRTHDAY, customerId: Number(customer.id), data: { card: { number: card.number, template: template?.name }, message: rule.birthday_message || null }, dedupeKey: `birthday:${customer.id}:${today.slice(0, 4)}` }));
        }
      }
    }
    if (rule.next_visit_days) {
      const due = addCalendarDays(today, -Number(rule.next_visit_days));
      const cards = await ctx.db.query(CARDS).where({ template_id: rule.template_id, status: 'active' }).whereBetween('last_visit_day', [addCalendarDays(due, -CATCH_UP_DAYS), due]).select('id', 'customer_id', 'number', 'stamps', 'last_visit_day');
      for (const card of cards) {
        out.next_visit += sent(await notify.send(ctx.db, { template: NEXT_VISIT, customerId: Number(card.customer_id), data: { card: { number: card.number, template: template?.name, stamps: Number(card.stamps) }, last_visit: card.last_visit_day, message: rule.next_visit_message || null }, dedupeKey: `next_visit:${card.id}:${card.last_visit_day}` }));
      }
    }
    if (rule.feedback_days != null) out.feedback += await requestFeedback(container, ctx, Number(rule.template_id), Number(rule.feedback_days), today, '', rule.feedback_message || null);
  }
  return out;
}

/** The daily run at 09:00 for every company with an active automation, on each company's own day. */
export function registerAutomations(m: ModuleContext): void {
  declareAutomationNotifications(m.container);
  declareFeedbackNotification(m.container);
  m.jobs.schedule('card-automations', '0 9 * * *', async (job) => {
    const contexts = m.container.get<Contexts>(CORE.Contexts);
    const companies = await companiesWithAutomations(m);
    const totals: AutomationRun = { birthday: 0, next_visit: 0, feedback: 0 };
    for (const [i, companyId] of companies.entries()) {
      await job.progress(Math.floor((100 * i) / companies.length));
      const run = await runAutomations(m.container, await contexts.systemInCompany(companyId));
      totals.birthday += run.birthday;
      totals.next_visit += run.next_visit;
      totals.feedback += run.feedback;
    }
    return totals;
  });
}

async function companiesWithAutomations(m: ModuleContext): Promise<number[]> {
  const contexts = m.container.get<{ system(ids: number[]): RequestContext }>(CORE.Contexts);
  // Scheduled jobs belong to no company: the list of companies to run for is the one cross-company read.
  const rows = await contexts.system([0]).db.unscoped('the companies that set up card automations, to run each on its own').table(AUTOMATIONS).where({ active: true }).distinct('company_id');
  return rows.map((r: any) => Number(r.company_id));
}
