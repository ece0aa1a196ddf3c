/**
 * What messaging offers other modules: the one file of it they import. Services are bound in the
 * container under these identifiers: `ctx.container.get<NotifyService>(MESSAGING.Notify)`.
 *
 * Calls taking a `ScopedDb` run in the caller's transaction when it is in one (an event handler's db):
 * a notification asked for in a transaction that rolls back is never sent.
 */
import { eventName, type RequestContext, type ScopedDb } from 'tessera/core';

export const MESSAGING = {
  /** `NotifyService`: send a customer a notification from a template, idempotent by dedupe key. */
  Notify: Symbol.for('messaging.Notify'),
  /** `OtpService`: one-time codes by SMS, stored hashed, with expiry and limited attempts. */
  Otp: Symbol.for('messaging.Otp'),
  /** `NotificationCatalogue`: modules declare the notifications they send, with sample data. */
  Catalogue: Symbol.for('messaging.Catalogue'),
  /** `ReminderRegistry`: modules supply items with due dates ("N days before" reminders). */
  Reminders: Symbol.for('messaging.Reminders'),
  /** `AppointmentService`: booking with the FULL rule, the calendar's counts. */
  Appointments: Symbol.for('messaging.Appointments'),
  /** `MessageService`: customer calls and notes for representatives. */
  Messages: Symbol.for('messaging.Messages'),
  /** `MessagingService`: the issue's facade over the above (notify, sendOtp, verifyOtp, reminder sources). */
  Service: Symbol.for('messaging.Service'),
} as const;

export const MESSAGING_PERMISSIONS = {
  messageRead: 'messaging.message.read',
  messageWrite: 'messaging.message.write',
  appointmentRead: 'messaging.appointment.read',
  appointmentWrite: 'messaging.appointment.write',
  overbook: 'messaging.appointment.overbook',
  templateManage: 'messaging.template.manage',
  channelManage: 'messaging.channel.manage',
  logRead: 'messaging.log.read',
  notifySend: 'messaging.notify.send',
} as const;

export type Channel = 'email' | 'sms' | 'whatsapp';
export const CHANNELS: readonly Channel[] = ['email', 'sms', 'whatsapp'];

// ---------------------------------------------------------------------------------------------
// Notifications

export interface NotifyRequest {
  /** The notification's key in the catalogue (`billing.payment.posted`, `messaging.otp`). */
  template: string;
  customerId: number;
  /** One channel, some, or (left out) every channel the company has an active template for. */
  channel?: Channel | Channel[];
  /** Variables of the template, besides `customer` and `company` which messaging adds. */
  data: Record<string, unknown>;
  /**
   * Sending twice with the same key sends once per channel: `<event>:<record>` (say `payment:42`).
   */
  dedupeKey: string;
}

export type DeliveryStatus = 'queued' | 'sending' | 'sent' | 'failed' | 'skipped';

export interface NotificationRecord {
  id: number;
  channel: Channel;
  status: DeliveryStatus;
  /** False when the dedupe key was already used: the existing notification is answered. */
  created: boolean;
  /** Why it is skipped: "not sent: no phone", "not sent: opted out", "not sent: no template". */
  reason: string | null;
}

export interface NotifyService {
  send(db: ScopedDb, request: NotifyRequest): Promise<NotificationRecord[]>;
}

/** A notification a module can send, declared once at register time with sample data for previews. */
export interface NotificationDeclaration {
  /** `<module>.<what>`: the template's event. */
  key: string;
  /** The declaring module. */
  module: string;
  label: string;
  description?: string;
  channels: Channel[];
  /** What the template's variables look like, for the editor's preview (besides `customer`). */
  sample: Record<string, unknown>;
  /** Default templates, used when a company has none of its own for the channel. */
  defaults?: Partial<Record<Channel, { subject?: string; body: string }>>;
  /**
   * Send on a declared event (subscribed through the outbox, only when an installed module declares it).
   * `customer` and `record` name payload fields; the dedupe key is `<key>:<record>`.
   */
  trigger?: { event: string; customer: string; record: string; data?: (payload: Record<string, unknown>) => Record<string, unknown> };
}

export interface NotificationCatalogue {
  declare(declaration: NotificationDeclaration): void;
  list(): NotificationDeclaration[];
  get(key: string): NotificationDeclaration | undefined;
}

// ---------------------------------------------------------------------------------------------
// OTP

export interface OtpIssue {
  customerId: number;
  /** What the code consents to (`schemes.close`), and which record (`plan:12`). */
  purpose: string;
  ref: string;
}

export interface OtpService {
  /** A new code for (customer, purpose, ref), sent by SMS; an earlier unused code for it stops working. */
  issue(db: ScopedDb, request: OtpIssue): Promise<{ id: number; expires_at: string; delivery: NotificationRecord[] }>;
  /** True once for the right code before expiry; wrong tries count against the limit. */
  verify(db: ScopedDb, request: OtpIssue & { code: string }): Promise<{ ok: boolean; reason: 'ok' | 'no_code' | 'expired' | 'wrong_code' | 'too_many_attempts' }>;
}

// ---------------------------------------------------------------------------------------------
// Reminders

export interface DueItem {
  /** Unique within the source (`plan:12:2026-03`): at most one reminder per item and due date. */
  key: string;
  customerId: number;
  /** `YYYY-MM-DD`, a calendar day of the company. */
  dueDate: string;
  data: Record<string, unknown>;
}

export interface ReminderSource {
  /** `<module>.<what>` */
  key: string;
  /** The catalogue key of the notification sent. */
  notification: string;
  /** Items due on `day` (a day of the company's calendar). */
  dueOn(db: ScopedDb, day: string): Promise<DueItem[]>;
}

export interface ReminderRegistry {
  register(source: ReminderSource): void;
}

// ---------------------------------------------------------------------------------------------
// Appointments and messages

export type AppointmentStatus = 'booked' | 'done' | 'cancelled' | 'no_show';

export interface Appointment {
  id: number;
  company_id: number;
  number: number;
  customer_id: number;
  representative_id: number;
  shop_id: number | null;
  place: string | null;
  starts_at: string;
  ends_at: string;
  day: string;
  status: AppointmentStatus;
  overbooked: boolean;
  notes: string | null;
}

export interface AppointmentInput {
  customer_id: number;
  representative_id: number;
  starts_at: string;
  ends_at: string;
  shop_id?: number | null;
  place?: string | null;
  notes?: string | null;
  /** Book past FULL: needs `messaging.appointment.overbook`. */
  confirm_overbook?: boolean;
}

export interface CalendarDay {
  day: string;
  count: number;
  /** 0: no limit. */
  max: number;
  full: boolean;
}

export interface AppointmentService {
  book(ctx: RequestContext, input: AppointmentInput): Promise<Appointment>;
  /** Per day of [from, to]: the company's count, or a representative's when given. */
  calendar(ctx: RequestContext, query: { from: string; to: string; representativeId?: number; shopId?: number }): Promise<CalendarDay[]>;
  forCustomer(ctx: RequestContext, customerId: number, limit?: number): Promise<Appointment[]>;
}

export interface Message {
  id: number;
  number: number;
  customer_id: number;
  representative_id: number;
  subject: string;
  body: string | null;
  follow_up_on: string | null;
  status: 'open' | 'done';
}

export interface MessageService {
  take(ctx: RequestContext, input: { customer_id: number; representative_id: number; subject: string; body?: string | null; follow_up_on?: string | null }): Promise<Message>;
  forCustomer(ctx: RequestContext, customerId: number, limit?: number): Promise<Message[]>;
}

/** The issue's facade, for modules that prefer one service. */
export interface MessagingService {
  notify(db: ScopedDb, event: string, record: { key: string; customerId: number; data: Record<string, unknown> }, options?: { channels?: Channel[] }): Promise<NotificationRecord[]>;
  sendOtp(db: ScopedDb, request: OtpIssue): ReturnType<OtpService['issue']>;
  verifyOtp(db: ScopedDb, request: OtpIssue & { code: string }): ReturnType<OtpService['verify']>;
  registerReminderSource(source: ReminderSource): void;
  declareNotification(declaration: NotificationDeclaration): void;
}

// ---------------------------------------------------------------------------------------------
// Events

export interface AppointmentBooked {
  appointment_id: number;
  number: number;
  customer_id: number;
  representative_id: number;
  starts_at: string;
  day: string;
  overbooked: boolean;
}

export interface NotificationDelivered {
  notification_id: number;
  customer_id: number;
  event: string;
  channel: Channel;
  dedupe_key: string;
}

export const MESSAGING_EVENTS = {
  appointmentBooked: eventName<AppointmentBooked>('messaging.appointment.booked'),
  notificationDelivered: eventName<NotificationDelivered>('messaging.notification.delivered'),
} as const;

/** The per-company counter shared by messages and appointments (core sequences). */
export const NUMBER_SEQUENCE = 'messaging.number';
