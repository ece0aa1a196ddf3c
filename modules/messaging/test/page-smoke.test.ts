import { expect } from 'chai';
import { makeCustomer, messagingWorld, type MessagingWorld } from './messaging-fixtures';
import { MESSAGING, type NotifyService } from '../api';

describe('messaging pages answer for an admin', () => {
  let w: MessagingWorld;
  const paths: string[] = [];

  before(async function () {
    this.timeout(120_000);
    w = await messagingWorld();
    const customer = await makeCustomer(w, { phone: null });
    const appointment = await w.appointments.book(w.ctx, { customer_id: customer.id, representative_id: w.reps[0].id, starts_at: '2031-07-01T10:00:00Z', ends_at: '2031-07-01T11:00:00Z' });
    const message = await w.messages.take(w.ctx, { customer_id: customer.id, representative_id: w.reps[1].id, subject: 'Hello' });
    const [note] = await w.t.container.get<NotifyService>(MESSAGING.Notify).send(w.ctx.db, { template: 'messaging.birthday', customerId: customer.id, channel: 'sms', data: {}, dedupeKey: 'smoke' });
    paths.push(
      '/messaging/calendar',
      '/messaging/calendar?view=week&date=2031-07-01',
      '/messaging/calendar?view=day&date=2031-07-01',
      '/messaging/calendar?view=month&date=2031-07-01&representative_id=' + w.reps[0].id,
      `/messaging/calendar?view=week&date=2031-07-01&shop_id=${w.shopId}`,
      '/messaging/appointments',
      '/messaging/appointments/new',
      `/messaging/appointments/${appointment.id}`,
      '/messaging/messages',
      '/messaging/messages/new',
      `/messaging/messages/${message.id}`,
      '/messaging/representatives',
      `/messaging/representatives/${w.reps[0].id}`,
      '/messaging/templates',
      '/messaging/templates/new',
      '/messaging/channels',
      '/messaging/channels/new',
      '/messaging/deliveries',
      `/messaging/deliveries/${note.id}`,
      `/messaging/deliveries?customer_id=${customer.id}&status=skipped`,
      '/messaging/counter',
      '/admin/settings',
      `/crm/customers/${customer.id}`,
    );
  });

  it('renders every page, with nothing broken', async () => {
    const agent = await w.t.login(w.admin.email, w.admin.password);
    for (const path of paths) {
      const res = await agent.get(path);
      expect(res.status, `${path}: ${res.text.slice(0, 300)}`).to.equal(200);
    }
  });

  it('exports appointments and messages as CSV', async () => {
    const agent = await w.t.login(w.admin.email, w.admin.password);
    for (const path of ['/messaging/appointments/export.csv', '/messaging/messages/export.csv']) {
      const res = await agent.get(path);
      expect(res.status, path).to.equal(200);
      expect(res.headers['content-type']).to.contain('csv');
    }
  });
});
