import type { ScopedDb } from 'tessera/core';

/** The messaging settings of one company, as the manifest's schema declares them (defaults filled). */
export interface MessagingSettings {
  max_events_per_day: number;
  max_events_per_representative: number;
  reminder_hours_before: number;
  due_reminder_days: number;
  visit_reminder_days: number;
  birthday_wishes: boolean;
  otp_ttl_minutes: number;
  otp_max_attempts: number;
}

export function messagingSettings(db: ScopedDb, companyId = db.principal.companyId): Promise<MessagingSettings> {
  return db.settings<MessagingSettings>('messaging', companyId);
}

/** The company's IANA time zone: business days are calendar days there. */
export async function companyTimeZone(db: ScopedDb, companyId = db.principal.companyId): Promise<string> {
  const known = db.principal.companies?.find((c) => c.id === Number(companyId))?.timezone;
  if (known) return known;
  db.assertCompany(companyId);
  const row = await db.unscoped("reads core's company row for its time zone").from('core_companies').where({ id: companyId }).first('timezone');
  return row?.timezone || 'UTC';
}

const dayFormats = new Map<string, Intl.DateTimeFormat>();

/** The calendar day (`YYYY-MM-DD`) an instant falls on in `timeZone`. */
export function dayIn(instant: Date | string, timeZone: string): string {
  let format = dayFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    dayFormats.set(timeZone, format);
  }
  return format.format(new Date(instant));
}

/** `day` moved by `n` calendar days. */
export function addDays(day: string, n: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
}
