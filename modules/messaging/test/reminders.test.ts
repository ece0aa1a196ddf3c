import { expect } from 'chai';
import { at, makeCustomer, messagingWorld, setSettings, type MessagingWorld } from './messaging-fixtures';
import { MESSAGING, type OtpService } from '../api';
import { remindAll } from '../services';
import { celebratedOn } from '../reminders/reminder-run';

describe('messaging reminders, birthdays and OTP', () => {
  let w: MessagingWorld;
  const sent = (event: string) => w.t.knex('messaging_notifications').where({ company_id: w.companyId, event }).select('customer_id', 'dedupe_key', 'status', 'reason', 'body');
  const remind = (now: string) => remindAll(w.t.container, { notify: w.t.container.get<any>(MESSAGING.Notify), reminders: w.t.container.get<any>(MESSAGING.Reminders) }, new Date(now), [w.companyId]);

  before(async function () {
    this.timeout(120_000);
    w = await messagingWorld();
    await w.t.container.get<any>(Symbol.for('messaging.channel')).create(w.ctx, { channel: 'sms', endpoint: 'http://127.0.0.1:9/none', secret: 't' });
  });

  it('celebrates 29 February on 28 February in other years, on the day in leap years', () => {
    expect(celebratedOn('1992-02-29', '2031-02-28')).to.equal(true);
    expect(celebratedOn('1992-02-29', '2032-02-28')).to.equal(false);
    expect(celebratedOn('1992-02-29', '2032-02-29')).to.equal(true);
    expect(celebratedOn('1990-03-01', '2031-02-28')).to.equal(false);
  });

  it('wishes a happy birthday once a year, however often the job runs', async () => {
    await setSettings(w, { birthday_wishes: true, reminder_hours_before: 0 });
    const leapling = await makeCustomer(w, { birthdate: '1992-02-29' });
    await makeCustomer(w, { birthdate: '1990-03-01' });
    await remind('2031-02-28T09:00:00Z');
    await remind('2031-02-28T10:00:00Z');
    expect((await sent('messaging.birthday')).map((r: any) => Number(r.customer_id))).to.deep.equal([leapling.id]);
  });

  it('reminds a customer of an appointment within the hours before it, once', async () => {
    await setSettings(w, { birthday_wishes: false, reminder_hours_before: 24 });
    const customer = await makeCustomer(w, { first_name: 'Di' });
    await w.appointments.book(w.ctx, { customer_id: customer.id, representative_id: w.reps[0].id, starts_at: at('2031-04-02', '10:00'), ends_at: at('2031-04-02', '11:00') });
    await remind('2031-03-31T09:00:00Z');
    expect(await sent('messaging.appointment_reminder')).to.have.length(0);
    await remind('2031-04-01T10:00:00Z');
    await remind('2031-04-01T12:00:00Z');
    const rows = await sent('messaging.appointment_reminder');
    expect(rows).to.have.length(1);
    expect(rows[0].body).to.contain('Hello Di').and.contain('Alice Seller');
  });

  it('issues an OTP by SMS, stored hashed, verified once, with limited attempts', async () => {
    await setSettings(w, { otp_max_attempts: 2 });
    const otp = w.t.container.get<OtpService>(MESSAGING.Otp);
    const customer = await makeCustomer(w);
    const issued = await otp.issue(w.ctx.db, { customerId: customer.id, purpose: 'schemes.close', ref: 'plan:1' });
    const [row] = await sent('messaging.otp').where({ customer_id: customer.id });
    const code = /code is (\d{6})/.exec(row.body)![1];
    const stored = await w.t.knex('messaging_otps').where({ id: issued.id }).first();
    expect(stored.code_hash).not.to.contain(code);
    const ask = { customerId: customer.id, purpose: 'schemes.close', ref: 'plan:1' };
    expect(await otp.verify(w.ctx.db, { ...ask, code: code === '000000' ? '111111' : '000000' })).to.deep.equal({ ok: false, reason: 'wrong_code' });
    expect(await otp.verify(w.ctx.db, { ...ask, code })).to.deep.equal({ ok: true, reason: 'ok' });
    expect(await otp.verify(w.ctx.db, { ...ask, code })).to.deep.equal({ ok: false, reason: 'no_code' });
    await otp.issue(w.ctx.db, ask);
    for (let i = 0; i < 2; i++) await otp.verify(w.ctx.db, { ...ask, code: 'x' });
    const latest = (await sent('messaging.otp').where({ customer_id: customer.id }).orderBy('id', 'desc'))[0];
    const right = /code is (\d{6})/.exec(latest.body)![1];
    expect(await otp.verify(w.ctx.db, { ...ask, code: right })).to.deep.equal({ ok: false, reason: 'too_many_attempts' });
  });

  it('refuses an expired OTP', async () => {
    const otp = w.t.container.get<OtpService>(MESSAGING.Otp);
    const customer = await makeCustomer(w);
    const ask = { customerId: customer.id, purpose: 'consent', ref: 'x' };
    const issued = await otp.issue(w.ctx.db, ask);
    await w.t.knex('messaging_otps').where({ id: issued.id }).update({ expires_at: new Date(Date.now() - 1000) });
    expect(await otp.verify(w.ctx.db, { ...ask, code: '123456' })).to.deep.equal({ ok: false, reason: 'expired' });
  });
});
