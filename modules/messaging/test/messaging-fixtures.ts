import crypto from 'node:crypto';
import { startTestApp, type TestApp, type TestUser } from 'tessera/testing';
import type { RequestContext } from 'tessera/core';
import { CRM, type Customer, type CustomerService } from '../../crm/api';
import { MESSAGING, type AppointmentService, type MessageService } from '../api';
import type { AppointmentServiceImpl } from '../appointments/appointment-service';
import type { Representative } from '../representatives/representative-entity';
import { startGateway } from './local-servers';

/** A company of its own for a test file: a shop, an admin holding every permission, two representatives. */
export interface MessagingWorld {
  t: TestApp;
  companyId: number;
  admin: TestUser;
  ctx: RequestContext;
  shopId: number;
  reps: [Representative, Representative];
  customers: CustomerService;
  appointments: AppointmentService & AppointmentServiceImpl;
  messages: MessageService;
}

export function uniq(prefix = ''): string {
  return `${prefix}${crypto.randomBytes(4).toString('hex')}`;
}

export async function messagingWorld(options: { timezone?: string; t?: TestApp } = {}): Promise<MessagingWorld> {
  const t = options.t ?? (await startTestApp());
  const now = new Date();
  const code = uniq('M').toUpperCase().slice(0, 10);
  const [companyId] = await t.knex('core_companies').insert({ code, name: `Company ${code}`, currency: 'EUR', timezone: options.timezone ?? 'UTC', created_at: now, updated_at: now });
  const admin = await t.createUser({ permissions: t.kernel.catalog.all().map((p) => p.name), companyIds: [Number(companyId)] });
  const ctx = await t.contextFor(admin.id, Number(companyId));
  const shop = await t.container.get<any>(Symbol.for('base.ShopService')).create(ctx, { code: uniq('S').toUpperCase().slice(0, 8), name: `Shop ${code}` });
  const reps = t.container.get<any>(Symbol.for('messaging.representative'));
  const a = await reps.create(ctx, { code: 'A', name: 'Alice Seller', shop_id: shop.id, user_id: admin.id });
  const b = await reps.create(ctx, { code: 'B', name: 'Bob Seller', shop_id: shop.id });
  return {
    t,
    companyId: Number(companyId),
    admin,
    ctx,
    shopId: Number(shop.id),
    reps: [a, b],
    customers: t.container.get<CustomerService>(CRM.Customers),
    appointments: t.container.get<AppointmentService & AppointmentServiceImpl>(MESSAGING.Appointments),
    messages: t.container.get<MessageService>(MESSAGING.Messages),
  };
}

export async function makeCustomer(w: MessagingWorld, input: Record<string, unknown> = {}): Promise<Customer> {
  return w.customers.create(w.ctx, { first_name: 'Ann', last_name: uniq('Lee'), shop_id: w.shopId, email: `${uniq('ann')}@example.test`, phone: `+4420794${String(crypto.randomInt(10000, 99999))}`, ...input });
}

export async function setSettings(w: MessagingWorld, values: Record<string, unknown>): Promise<void> {
  const current = await w.ctx.db.settings('messaging');
  await w.t.kernel.settings.set(w.companyId, 'messaging', { ...current, ...values });
}

/** A user of the world's company with exactly these permissions, and its request context. */
export async function userWith(w: MessagingWorld, permissions: string[]): Promise<{ user: TestUser; ctx: RequestContext }> {
  const user = await w.t.createUser({ permissions, companyIds: [w.companyId] });
  return { user, ctx: await w.t.contextFor(user.id, w.companyId) };
}

/** `HH:mm` on `day` as an ISO instant (UTC). */
export function at(day: string, time: string): string {
  return new Date(`${day}T${time}:00Z`).toISOString();
}

export type LocalGateway = Awaited<ReturnType<typeof startGateway>>;

/** A messaging world whose company sends SMS through a real local HTTP gateway (the caller closes it). */
export async function smsWorld(): Promise<{ w: MessagingWorld; gateway: LocalGateway }> {
  const gateway = await startGateway();
  const w = await messagingWorld();
  await w.t.container.get<any>(Symbol.for('messaging.channel')).create(w.ctx, { channel: 'sms', endpoint: gateway.url, secret: 'gw-token' });
  return { w, gateway };
}

/** Runs the delivery job's handler once, in this process, with `data` (`notification_id` or `notification_ids`). */
export function runDelivery(w: MessagingWorld, data: Record<string, unknown>): Promise<unknown> {
  return w.t.kernel.jobs.get('messaging.deliver').handler({ data, jobId: 'test', companyId: w.companyId, userId: null, progress: async () => undefined });
}

/** Each notification's `status/attempts`, in id order. */
export async function notificationStatuses(w: MessagingWorld, ids: number[]): Promise<string[]> {
  const rows = await w.t.knex('messaging_notifications').whereIn('id', ids).orderBy('id').select('status', 'attempts');
  return rows.map((r: { status: string; attempts: number }) => `${r.status}/${r.attempts}`);
}
