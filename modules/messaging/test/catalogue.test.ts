import path from 'node:path';
import { expect } from 'chai';
import { startTestApp, type TestApp } from 'tessera/testing';
import { makeCustomer, messagingWorld, type MessagingWorld } from './messaging-fixtures';
import { startGateway } from './local-servers';
import { MESSAGING, type NotificationCatalogue } from '../api';
import { remindAll } from '../services';

const dueDates: Array<{ key: string; customerId: number; dueDate: string }> = [];
(globalThis as any).__shopfrontDue = dueDates;

describe('messaging catalogue: modules declare their notifications, triggers and due dates', () => {
  let t: TestApp;
  let w: MessagingWorld;
  let gateway: Awaited<ReturnType<typeof startGateway>>;

  before(async function () {
    this.timeout(120_000);
    gateway = await startGateway();
    t = await startTestApp({ modulesPath: [path.join(__dirname, 'fixtures', 'shopfront')] });
    w = await messagingWorld({ t, timezone: 'Europe/Paris' });
    await w.t.container.get<any>(Symbol.for('messaging.channel')).create(w.ctx, { channel: 'sms', endpoint: gateway.url, secret: 't' });
  });
  after(async () => {
    await t?.close();
    await gateway?.close();
  });

  it('lists what each module declares, with sample data; billing\'s receipt waits for billing', async () => {
    const catalogue = t.container.get<NotificationCatalogue & { listening(key: string): boolean }>(MESSAGING.Catalogue);
    expect(catalogue.get('shopfront.receipt')).to.include({ module: 'shopfront' });
    expect(catalogue.listening('shopfront.receipt')).to.equal(true);
    expect(catalogue.listening('billing.payment.posted')).to.equal(t.kernel.events.catalog.has('billing.payment.posted'));
    const res = await (await t.login(w.admin.email, w.admin.password)).api('get', '/api/v1/messaging/catalogue');
    expect(res.body.data.map((d: any) => d.key)).to.include.members(['shopfront.receipt', 'messaging.otp', 'billing.payment.posted']);
  });

  it('sends on a declared event after the publisher commits, once per record', async () => {
    const customer = await makeCustomer(w, { first_name: 'Cy' });
    const pay = (db = w.ctx.db) => db.publish('shopfront.payment.taken', { payment_id: 77, customer_id: customer.id, amount: 1250 });
    await pay();
    await pay();
    await w.ctx.db.transaction(async (db) => {
      await db.publish('shopfront.payment.taken', { payment_id: 78, customer_id: customer.id, amount: 1 });
      throw new Error('rolled back');
    }).catch(() => undefined);
    await t.drainJobs();
    const sent = gateway.requests.filter((r) => r.body.to === customer.phone);
    expect(sent.map((r) => r.body.text)).to.deep.equal(['Received 12.50, thank you Cy']);
  });

  it('reminds 5 days before the 15th on the 10th in the company time zone, once, even when run twice or late', async () => {
    const customer = await makeCustomer(w);
    dueDates.push({ key: 'plan-1', customerId: customer.id, dueDate: '2031-01-15' });
    const parts = { notify: t.container.get<any>(MESSAGING.Notify), reminders: t.container.get<any>(MESSAGING.Reminders) };
    const count = () => t.knex('messaging_notifications').where({ company_id: w.companyId, event: 'shopfront.due' }).count({ n: '*' }).first().then((r: any) => Number(r.n));
    // 22:30 UTC on the 9th is still the 9th... and 23:30 UTC is the 10th in Paris.
    await remindAll(t.container, parts, new Date('2031-01-09T22:30:00Z'), [w.companyId]);
    expect(await count()).to.equal(0);
    await remindAll(t.container, parts, new Date('2031-01-09T23:30:00Z'), [w.companyId]);
    await remindAll(t.container, parts, new Date('2031-01-10T08:00:00Z'), [w.companyId]);
    await remindAll(t.container, parts, new Date('2031-01-12T08:00:00Z'), [w.companyId]);
    expect(await count()).to.equal(1);
  });
});
