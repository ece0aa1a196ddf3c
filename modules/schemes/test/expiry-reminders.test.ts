import { expect } from 'chai';
import supertest from 'supertest';
import { drainJobs } from 'tessera/testing';
import { CORE, type JobQueue } from 'tessera/core';
import { makePlan, pay, planNow, schemesWorld, uniq, type SchemesWorld } from './schemes-fixtures';

describe('schemes expiry reminders through messaging @integration', function () {
  // Booting every module and migrating a fresh MariaDB takes a while on a loaded machine.
  this.timeout(Math.max(this.timeout(), 90_000));
  let w: SchemesWorld;
  let admin: string;
  let runs = 0;

  before(async () => {
    w = await schemesWorld();
    admin = await w.t.token(w.admin.email);
    await w.t.container.get<any>(Symbol.for('messaging.channel')).create(w.ctx, { channel: 'sms', endpoint: 'http://127.0.0.1:9/send', secret: 't' });
    await w.t.container.get<any>(CORE.Settings).set(w.companyId, 'messaging', { due_reminder_days: 3 });
  });

  /** messaging's own reminder job, run now as its schedule would. */
  async function runReminders(): Promise<void> {
    await w.t.container.get<JobQueue>(CORE.JobQueue).enqueue('messaging.reminders', {}, { jobKey: `schemes-test-${uniq()}-${++runs}` });
    await drainJobs(w.t.kernel);
  }

  let phones = 0;
  const customer = async () => (await w.customers.create(w.ctx, { first_name: 'Efua', last_name: uniq('Owusu'), shop_id: w.shops[1], phone: `+23324${String(Date.now() % 10_000).padStart(4, '0')}${String(++phones).padStart(3, '0')}` } as any)).id;
  const reminders = async (customerId: number) => {
    const log = await supertest(w.t.app).get('/api/v1/messaging/deliveries').query({ customer_id: customerId, event: 'schemes.plan_expiring' }).set({ Authorization: `Bearer ${admin}`, Accept: 'application/json' });
    expect(log.status).to.equal(200);
    return log.body.data as Array<{ id: number; channel: string; status: string }>;
  };

  it('a customer whose plan switches off within the reminder days is reminded once; later ones, paused plans and others are not', async () => {
    const soon = await customer();
    const later = await customer();
    const paused = await customer();
    const soonPlan = await makePlan(w, soon);
    await makePlan(w, later);
    const pausedPlan = await makePlan(w, paused);
    await pay(w, soon, 80); // 2 days at 40 a day: expiry the day after tomorrow
    await pay(w, later, 400); // 10 days: beyond the 3 days of notice
    await pay(w, paused, 80);
    await w.plans.update(w.ctx, pausedPlan.id, { status: 'paused' } as any);

    await runReminders();
    await runReminders(); // a second run (or a second worker) sends nothing more
    const sent = await reminders(soon);
    expect(sent).to.have.length(1);
    expect(sent[0].channel).to.equal('sms');
    expect(await reminders(later)).to.have.length(0);
    expect(await reminders(paused)).to.have.length(0);

    const detail = await supertest(w.t.app).get(`/api/v1/messaging/deliveries/${sent[0].id}`).set({ Authorization: `Bearer ${admin}`, Accept: 'application/json' });
    const expiryDay = (await planNow(w, soonPlan.id)).expiry.slice(0, 10);
    expect(detail.body.body).to.include(expiryDay).and.include('8.40').and.include('21 more days');

    // A payment moves the expiry to another day: that new day is reminded once too.
    await pay(w, soon, 40);
    await runReminders();
    await runReminders();
    expect(await reminders(soon)).to.have.length(2);
  });
});
