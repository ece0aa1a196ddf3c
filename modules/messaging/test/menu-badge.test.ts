import { expect } from 'chai';
import { makeCustomer, messagingWorld, type MessagingWorld } from './messaging-fixtures';
import { MESSAGING_PERMISSIONS as P } from '../api';

/** The Messaging menu's badge: the signed-in representative's open messages and today's booked appointments. */
describe('messaging menu badge', () => {
  let w: MessagingWorld;
  let number = 700_000;
  const now = new Date();
  const today = now.toISOString().slice(0, 10);
  const badgeOf = (html: string) => html.match(/data-badge="messaging"[^>]*>([^<]+)</)?.[1] ?? null;

  async function messages(rep: number, status: 'open' | 'done', n = 1) {
    const customer = await makeCustomer(w);
    const rows = Array.from({ length: n }, () => ({ company_id: w.companyId, number: number++, customer_id: customer.id, representative_id: rep, subject: 'Call back', status, created_at: now, updated_at: now }));
    for (let i = 0; i < rows.length; i += 100) await w.t.knex('messaging_messages').insert(rows.slice(i, i + 100));
  }
  async function appointment(rep: number, day: string, status: string) {
    const customer = await makeCustomer(w);
    const starts = new Date(`${day}T10:00:00Z`);
    await w.t.knex('messaging_appointments').insert({ company_id: w.companyId, number: number++, customer_id: customer.id, representative_id: rep, starts_at: starts, ends_at: new Date(starts.getTime() + 1_800_000), day, status, overbooked: false, created_at: now, updated_at: now });
  }

  before(async function () {
    this.timeout(120_000);
    // UTC, so "today" is the test's UTC day.
    w = await messagingWorld({ timezone: 'UTC' });
  });

  it('counts the user\'s open messages and today\'s booked appointments, on every page', async () => {
    const [mine, theirs] = w.reps;
    await messages(mine.id, 'open', 2);
    await messages(mine.id, 'done');
    await messages(theirs.id, 'open');
    await appointment(mine.id, today, 'booked');
    await appointment(mine.id, today, 'cancelled');
    await appointment(mine.id, '2031-01-01', 'booked');
    await appointment(theirs.id, today, 'booked');
    const agent = await w.t.login(w.admin.email, w.admin.password);
    for (const page of ['/', '/messaging/calendar', '/crm/customers']) expect(badgeOf((await agent.get(page).expect(200)).text), page).to.equal('3');
  });

  it('shows nothing to a user who is no representative, or one with nothing pending', async () => {
    const clerk = await w.t.createUser({ permissions: [P.appointmentRead, P.messageRead], companyIds: [w.companyId] });
    const agent = await w.t.login(clerk.email, clerk.password);
    const home = await agent.get('/').expect(200);
    expect(home.text).to.contain('href="/messaging/calendar"');
    expect(badgeOf(home.text)).to.equal(null);
  });

  it('stops counting at 99+', async () => {
    await messages(w.reps[0].id, 'open', 120);
    const agent = await w.t.login(w.admin.email, w.admin.password);
    expect(badgeOf((await agent.get('/').expect(200)).text)).to.equal('99+');
  });
});
