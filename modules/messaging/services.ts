import type { Container } from 'inversify';
import { CORE, type ModuleContext } from 'tessera/core';
import { MESSAGING, type MessagingService, type NotifyService, type OtpService } from './api';
import { Catalogue } from './notifications/catalogue';
import { BUILTIN_NOTIFICATIONS } from './notifications/builtin-notifications';
import { NotifyServiceImpl } from './notifications/notify-service';
import { OtpServiceImpl } from './otp/otp-service';
import { Reminders } from './reminders/reminder-registry';
import { runReminders } from './reminders/reminder-run';
import { ChannelAdapters } from './channels/channel-adapters';
import { EmailChannel } from './channels/email-channel';
import { HttpGateway } from './channels/http-gateway';
import { EmailResetLinkSender } from './account/reset-link-sender';

export interface MessagingParts {
  catalogue: Catalogue;
  notify: NotifyService;
  otp: OtpService;
  reminders: Reminders;
  adapters: ChannelAdapters;
}

/** Binds the notification services under api.ts's identifiers and declares messaging's own notifications. */
export function bindNotificationServices(m: ModuleContext): MessagingParts {
  let notify: NotifyService | null = null;
  const catalogue = new Catalogue(m.events, () => notify!);
  notify = new NotifyServiceImpl(m.container, catalogue);
  const otp = new OtpServiceImpl(() => notify!);
  const reminders = new Reminders();
  const adapters = new ChannelAdapters();
  adapters.set('email', new EmailChannel());
  adapters.set('sms', new HttpGateway('sms'));
  adapters.set('whatsapp', new HttpGateway('whatsapp'));
  for (const declaration of BUILTIN_NOTIFICATIONS) catalogue.declare(declaration);

  const facade: MessagingService = {
    notify: (db, event, record, options) => notify!.send(db, { template: event, customerId: record.customerId, data: record.data, dedupeKey: record.key, channel: options?.channels }),
    sendOtp: (db, request) => otp.issue(db, request),
    verifyOtp: (db, request) => otp.verify(db, request),
    registerReminderSource: (source) => reminders.register(source),
    declareNotification: (declaration) => catalogue.declare(declaration),
  };
  m.services.bind(MESSAGING.Catalogue, catalogue);
  m.services.bind(MESSAGING.Notify, notify);
  m.services.bind(MESSAGING.Otp, otp);
  m.services.bind(MESSAGING.Reminders, reminders);
  m.services.bind(MESSAGING.Service, facade);
  m.services.bind(MESSAGING_ADAPTERS, adapters);
  // The sign-in page's "forgot password" link goes out through this module's e-mail channel.
  m.services.bind(CORE.ResetLinkSender, new EmailResetLinkSender(m.container, adapters));
  return { catalogue, notify, otp, reminders, adapters };
}

/** The channel adapters, for tests and integrators adding a gateway (not part of api.ts). */
export const MESSAGING_ADAPTERS = Symbol.for('messaging.ChannelAdapters');

interface Contexts {
  system(companyIds: number[]): { db: import('tessera/core').ScopedDb };
}

/** Every company's reminders at `now` (the scheduled job, and tests with a chosen instant). */
export async function remindAll(container: Container, parts: Pick<MessagingParts, 'notify' | 'reminders'>, now: Date, companyIds?: number[]): Promise<number> {
  const knex = container.get<import('knex').Knex>(CORE.Knex);
  const ids = companyIds ?? ((await knex('core_companies').pluck('id')) as number[]).map(Number);
  let sent = 0;
  for (const id of ids) {
    const { db } = container.get<Contexts>(CORE.Contexts).system([id]);
    const report = await runReminders(container, db, parts.notify, parts.reminders, now);
    sent += report.appointments + report.due + report.birthdays + report.visits;
  }
  return sent;
}
