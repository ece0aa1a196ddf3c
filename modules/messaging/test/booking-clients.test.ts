import { expect } from 'chai';
import { makeCustomer, messagingWorld, setSettings, type MessagingWorld } from './messaging-fixtures';

/**
 * Many clients book the same day through the JSON API at once (each its own HTTP request, its own
 * connection and transaction): the database lets exactly the maximum through, the rest hear 409 FULL.
 */
describe('messaging bookings from concurrent API clients', () => {
  let w: MessagingWorld;
  let customerId: number;
  let token: string;

  before(async function () {
    this.timeout(120_000);
    w = await messagingWorld();
    customerId = (await makeCustomer(w)).id;
    token = await w.t.token(w.admin.email);
    await setSettings(w, { max_events_per_day: 6, max_events_per_representative: 4 });
  });

  it('never lets the day or a representative pass the maximum', async () => {
    const day = '2032-01-12';
    const post = (i: number) =>
      w.t
        .request()
        .post('/api/v1/messaging/appointments')
        .set({ Authorization: `Bearer ${token}`, Accept: 'application/json' })
        .send({ customer_id: customerId, representative_id: w.reps[i % 2].id, starts_at: `${day}T09:00:00Z`, ends_at: `${day}T09:30:00Z` });
    const answers = await Promise.all(Array.from({ length: 16 }, (_, i) => post(i)));
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses.filter((s) => s === 201)).to.have.length(6);
    expect(statuses.filter((s) => s !== 201 && s !== 409), JSON.stringify(answers.map((a) => a.body))).to.deep.equal([]);
    const calendar = await w.t.request().get(`/api/v1/messaging/calendar?from=${day}&to=${day}`).set({ Authorization: `Bearer ${token}` }).expect(200);
    expect(calendar.body.data[0]).to.deep.equal({ day, count: 6, max: 6, full: true });
    for (const rep of w.reps) {
      const mine = await w.t.request().get(`/api/v1/messaging/calendar?from=${day}&to=${day}&representative_id=${rep.id}`).set({ Authorization: `Bearer ${token}` }).expect(200);
      expect(mine.body.data[0].count).to.be.at.most(4);
    }
    const numbers = answers.filter((a) => a.status === 201).map((a) => a.body.number);
    expect(new Set(numbers).size).to.equal(6);
  });
});
