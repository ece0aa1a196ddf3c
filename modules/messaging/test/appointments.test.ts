import { expect } from 'chai';
import { at, makeCustomer, messagingWorld, setSettings, userWith, type MessagingWorld } from './messaging-fixtures';
import { MESSAGING_PERMISSIONS as P } from '../api';

describe('messaging appointments: the number counter and FULL days', () => {
  let w: MessagingWorld;
  let customerId: number;
  const book = (day: string, rep: number, extra: Record<string, unknown> = {}, ctx = w.ctx) =>
    w.appointments.book(ctx, { customer_id: customerId, representative_id: rep, starts_at: at(day, '10:00'), ends_at: at(day, '10:30'), ...extra });

  before(async function () {
    this.timeout(120_000);
    w = await messagingWorld();
    customerId = (await makeCustomer(w)).id;
  });

  it('numbers messages and appointments from one counter: at 2040, two concurrent creates give 2041 and 2042', async () => {
    await w.ctx.db.raiseNumber('messaging.number', 2040);
    const [m, a] = await Promise.all([
      w.messages.take(w.ctx, { customer_id: customerId, representative_id: w.reps[0].id, subject: 'Call back' }),
      book('2031-01-05', w.reps[1].id),
    ]);
    expect([m.number, a.number].sort()).to.deep.equal([2041, 2042]);
  });

  it('lets an admin raise the last number, never lower it', async () => {
    const last = await w.ctx.db.lastNumber('messaging.number');
    expect(await w.ctx.db.raiseNumber('messaging.number', 10)).to.equal(last);
    expect(await w.ctx.db.raiseNumber('messaging.number', last + 100)).to.equal(last + 100);
    const m = await w.messages.take(w.ctx, { customer_id: customerId, representative_id: w.reps[0].id, subject: 'Next' });
    expect(m.number).to.equal(last + 101);
  });

  it('with a maximum of 4 per day, 3 booked is not FULL and the 4th makes it FULL', async () => {
    await setSettings(w, { max_events_per_day: 4, max_events_per_representative: 0 });
    const day = '2031-02-03';
    for (let i = 0; i < 3; i++) await book(day, w.reps[i % 2].id);
    let [d] = await w.appointments.calendar(w.ctx, { from: day, to: day });
    expect(d).to.deep.equal({ day, count: 3, max: 4, full: false });
    await book(day, w.reps[0].id);
    [d] = await w.appointments.calendar(w.ctx, { from: day, to: day });
    expect(d).to.include({ count: 4, full: true });
  });

  it('with 3 per representative, A is FULL and B still bookable', async () => {
    await setSettings(w, { max_events_per_day: 0, max_events_per_representative: 3 });
    const day = '2031-02-10';
    for (let i = 0; i < 3; i++) await book(day, w.reps[0].id);
    const [a] = await w.appointments.calendar(w.ctx, { from: day, to: day, representativeId: w.reps[0].id });
    const [b] = await w.appointments.calendar(w.ctx, { from: day, to: day, representativeId: w.reps[1].id });
    expect(a).to.include({ count: 3, full: true });
    expect(b).to.include({ count: 0, full: false });
    await book(day, w.reps[1].id);
    try {
      await book(day, w.reps[0].id);
      expect.fail('booked past FULL without confirmation');
    } catch (error) {
      expect((error as any).status).to.equal(409);
      expect((error as any).fields).to.have.property('confirm_overbook');
    }
  });

  it('refuses an overbooking without the permission and records it with it', async () => {
    await setSettings(w, { max_events_per_day: 1, max_events_per_representative: 0 });
    const day = '2031-03-01';
    await book(day, w.reps[0].id);
    const clerk = await userWith(w, [P.appointmentWrite, 'crm.customer.read']);
    try {
      await book(day, w.reps[0].id, { confirm_overbook: true }, clerk.ctx);
      expect.fail('a clerk overbooked');
    } catch (error) {
      expect((error as any).status).to.equal(403);
    }
    const manager = await userWith(w, [P.overbook, 'crm.customer.read']);
    const over = await book(day, w.reps[0].id, { confirm_overbook: true }, manager.ctx);
    expect(over.overbooked).to.equal(true);
    const [d] = await w.appointments.calendar(w.ctx, { from: day, to: day });
    expect(d).to.include({ count: 2, max: 1, full: true });
  });

  it('frees the slot when an appointment is cancelled', async () => {
    await setSettings(w, { max_events_per_day: 1, max_events_per_representative: 0 });
    const day = '2031-03-08';
    const first = await book(day, w.reps[0].id);
    await w.appointments.update(w.ctx, first.id, { status: 'cancelled' });
    const second = await book(day, w.reps[1].id);
    expect(second.day).to.equal(day);
    const [d] = await w.appointments.calendar(w.ctx, { from: day, to: day });
    expect(d).to.include({ count: 1, full: true });
  });

  it('never blocks messages, whatever the calendar says', async () => {
    const m = await w.messages.take(w.ctx, { customer_id: customerId, representative_id: w.reps[0].id, subject: 'Busy day' });
    expect(m.status).to.equal('open');
  });

  it('concurrent bookings never pass the maximum; each is booked or refused as FULL', async () => {
    await setSettings(w, { max_events_per_day: 5, max_events_per_representative: 3 });
    const day = '2031-04-01';
    const results = await Promise.allSettled(Array.from({ length: 12 }, (_, i) => book(day, w.reps[i % 2].id)));
    const booked = results.filter((r) => r.status === 'fulfilled').length;
    for (const r of results) if (r.status === 'rejected') expect((r.reason as any).status, String(r.reason)).to.equal(409);
    expect(booked).to.equal(5);
    const [d] = await w.appointments.calendar(w.ctx, { from: day, to: day });
    expect(d).to.include({ count: 5, full: true });
    const rows = await w.t.knex('messaging_appointments').where({ company_id: w.companyId, day }).whereNot('status', 'cancelled');
    expect(rows).to.have.length(5);
    for (const rep of w.reps) expect(rows.filter((r: any) => r.representative_id === rep.id).length).to.be.at.most(3);
  });

  it('places an appointment on its day in the company time zone', async () => {
    const tokyo = await messagingWorld({ t: w.t, timezone: 'Asia/Tokyo' });
    const c = await makeCustomer(tokyo);
    const a = await tokyo.appointments.book(tokyo.ctx, { customer_id: c.id, representative_id: tokyo.reps[0].id, starts_at: '2031-05-01T20:00:00Z', ends_at: '2031-05-01T21:00:00Z' });
    expect(a.day).to.equal('2031-05-02');
  });

  it('refuses a customer of another company as a missing one, naming the field', async () => {
    const other = await messagingWorld({ t: w.t });
    const foreign = await makeCustomer(other);
    try {
      await book('2031-06-01', w.reps[0].id, { customer_id: foreign.id });
      expect.fail('booked a foreign customer');
    } catch (error) {
      expect((error as any).status).to.equal(422);
      expect((error as any).fields).to.have.property('customer_id');
    }
  });
});
