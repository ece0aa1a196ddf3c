import type { Container } from 'inversify';
import type { ScopedDb } from 'tessera/core';
import { CRM, type CustomerService } from '../../crm/api';
import type { NotifyService } from '../api';
import { contextOf } from '../crm/customers';
import { addDays, companyTimeZone, dayIn, messagingSettings } from '../settings';
import type { Reminders } from './reminder-registry';

export interface ReminderReport {
  appointments: number;
  due: number;
  birthdays: number;
  visits: number;
}

/**
 * One company's reminders at `now`. Every notification's dedupe key names its item and period, so a run
 * repeated, or two workers running at once, send each reminder once; a late run still sends what came due.
 */
export async function runReminders(container: Container, db: ScopedDb, notify: NotifyService, reminders: Reminders, now: Date): Promise<ReminderReport> {
  const companyId = db.principal.companyId;
  const settings = await messagingSettings(db, companyId);
  const today = dayIn(now, await companyTimeZone(db, companyId));
  const report: ReminderReport = { appointments: 0, due: 0, birthdays: 0, visits: 0 };
  const send = async (template: string, customerId: number, dedupeKey: string, data: Record<string, unknown>) => {
    const records = await notify.send(db, { template, customerId, dedupeKey, data });
    return records.some((r) => r.created);
  };

  if (settings.reminder_hours_before > 0) {
    const until = new Date(now.getTime() + settings.reminder_hours_before * 3_600_000);
    const rows = await db.queryCompany(companyId, 'messaging_appointments', 'a').join('messaging_representatives as r', 'r.id', 'a.representative_id').where('a.status', 'booked').where('a.starts_at', '>', now).where('a.starts_at', '<=', until).select('a.id', 'a.number', 'a.customer_id', 'a.starts_at', 'a.place', 'r.name as representative');
    for (const a of rows) {
      const startsAt = new Date(a.starts_at).toISOString();
      const data = { appointment: { number: a.number, starts_at: startsAt.replace('T', ' ').slice(0, 16), place: a.place, representative: a.representative } };
      if (await send('messaging.appointment_reminder', Number(a.customer_id), `appointment:${a.id}:${startsAt}`, data)) report.appointments++;
    }
  }

  // Items due within the next N days: on time, that is the day N days ahead; a late run catches up.
  for (const source of reminders.all()) {
    for (let ahead = 1; ahead <= settings.due_reminder_days; ahead++) {
      for (const item of await source.dueOn(db, addDays(today, ahead))) {
        if (await send(source.notification, item.customerId, `${source.key}:${item.key}:${item.dueDate}`, item.data)) report.due++;
      }
    }
  }

  if (settings.birthday_wishes) {
    const customers = container.get<CustomerService>(CRM.Customers);
    const ctx = contextOf(db, container);
    let after: string | null = null;
    do {
      const page = await customers.search(ctx, { birth_month: Number(today.slice(5, 7)) }, { after, limit: 200 });
      for (const c of page.data) {
        if (c.birthdate && celebratedOn(c.birthdate, today) && (await send('messaging.birthday', c.id, `birthday:${c.id}:${today.slice(0, 4)}`, {}))) report.birthdays++;
      }
      after = page.next_cursor;
    } while (after);
  }

  if (settings.visit_reminder_days > 0) {
    const last = addDays(today, -settings.visit_reminder_days);
    const rows = await db.queryCompany(companyId, 'messaging_appointments').where('status', 'done').groupBy('customer_id').select('customer_id').max({ last: 'day' }).havingRaw('max(day) between ? and ?', [addDays(last, -2), last]);
    for (const r of rows as Array<{ customer_id: number; last: unknown }>) {
      const lastDay = r.last instanceof Date ? r.last.toISOString().slice(0, 10) : String(r.last).slice(0, 10);
      if (await send('messaging.next_visit', Number(r.customer_id), `visit:${r.customer_id}:${lastDay}`, { visit: { last: lastDay } })) report.visits++;
    }
  }
  return report;
}

/** Whether a birthday is celebrated on `day`: 29 February falls on 28 February in other years. */
export function celebratedOn(birthdate: string, day: string): boolean {
  const born = birthdate.slice(5, 10);
  const today = day.slice(5, 10);
  if (born === today) return true;
  const year = Number(day.slice(0, 4));
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return born === '02-29' && today === '02-28' && !leap;
}
