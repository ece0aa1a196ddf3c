import { expect } from 'chai';
import supertest from 'supertest';
import { decodeToken, keyFromHex, startingCodeOf } from '../devices/openpaygo-token';
import { groupOf, makeBundle, makePlan, pay, planNow, schemesWorld, uniq, type SchemesWorld } from './schemes-fixtures';

const SECRET = 'bc41ec9530f6dac86b1a29ab82edc5fb';
const KEY = keyFromHex(SECRET)!;

function bearer(token: string) {
  return { Authorization: `Bearer ${token}`, Accept: 'application/json' };
}

/** A device as the customer holds it: it accepts a code once, past its last count, and adds its days. */
class Device {
  last = 0;
  days = 0;
  constructor(private readonly startingCode: number) {}
  type(code: string): boolean {
    const seen = decodeToken({ key: KEY, startingCode: this.startingCode, lastCount: this.last, token: code });
    if (!seen) return false;
    this.last = seen.count;
    if (seen.kind === 'add_time') this.days += seen.value;
    return true;
  }
}

describe('schemes device codes (OpenPAYGO Token) @integration', function () {
  // Booting every module and migrating a fresh MariaDB takes a while on a loaded machine.
  this.timeout(Math.max(this.timeout(), 90_000));
  let w: SchemesWorld;
  let admin: string;

  before(async () => {
    w = await schemesWorld();
    admin = await w.t.token(w.admin.email);
    // An SMS gateway for the company (nothing listens: the notifications are queued, which is what is checked).
    await w.t.container.get<any>(Symbol.for('messaging.channel')).create(w.ctx, { channel: 'sms', endpoint: 'http://127.0.0.1:9/send', secret: 't' });
  });

  let phones = 0;
  const phoneOf = new Map<number, string>();
  const customer = async () => {
    const phone = `+23320${String(Date.now() % 10_000).padStart(4, '0')}${String(++phones).padStart(3, '0')}`;
    const id = (await w.customers.create(w.ctx, { first_name: 'Kofi', last_name: uniq('Boateng'), shop_id: w.shops[0], phone } as any)).id;
    phoneOf.set(id, phone);
    return id;
  };
  const codePlan = (c: number, over: Record<string, unknown> = {}) => makePlan(w, c, { device_mode: 'code', device_secret: SECRET, ...over });

  it('a code-based plan needs a 32-hex secret; it is stored sealed and never shown back', async () => {
    const c = await customer();
    const missing = await makePlan(w, c, { device_mode: 'code' }).catch((e) => e);
    expect(missing.fields).to.include({ device_secret: 'is required for a code-based device' });
    const bad = await makePlan(w, c, { device_mode: 'code', device_secret: 'z'.repeat(32) }).catch((e) => e);
    expect(bad.fields.device_secret).to.match(/32 hexadecimal/);
    const plan = await codePlan(c);
    expect(plan).to.not.have.property('device_secret');
    expect(plan).to.include({ device_starting_code: startingCodeOf(KEY), device_count: 0 });
    const stored = await w.t.knex('schemes_pay_plans').where({ id: plan.id }).first('device_secret');
    expect(stored.device_secret).to.match(/^enc1:/);
    expect(stored.device_secret).to.not.include(SECRET);
    const api = await supertest(w.t.app).get(`/api/v1/schemes/pay-plans/${plan.id}`).set(bearer(admin));
    expect(api.status).to.equal(200);
    expect(JSON.stringify(api.body)).to.not.include(SECRET);
    expect(api.body).to.not.have.property('device_secret');
  });

  it('each payment and each bonus yields a code the device accepts for exactly its days; shown on the API and pages, sent by SMS once', async () => {
    const c = await customer();
    const plan = await codePlan(c, { device_starting_code: 516959010 });
    await makeBundle(w, [await groupOf(w, [c])], { trigger_days: 21, reward_days: 2 });
    const reference = uniq('TX');
    await pay(w, c, 840, { reference }); // 21 days at 40 a day, and the 21-day bundle's 2 days
    await pay(w, c, 840, { reference }); // the same mobile-money transaction again: one payment
    await pay(w, c, 280); // 7 days, no bonus
    const codes = await w.plans.codes(w.ctx, plan.id);
    expect(codes.map((k) => [k.kind, k.days, k.count])).to.deep.equal([['payment', 21, 2], ['bonus', 2, 4], ['payment', 7, 6]]);
    expect((await planNow(w, plan.id)).device_count).to.equal(6);
    const device = new Device(516959010);
    for (const k of codes) expect(device.type(k.token)).to.equal(true);
    expect(device.days).to.equal(30);
    expect(device.type(codes[0].token), 'a code works once').to.equal(false);

    const api = await supertest(w.t.app).get(`/api/v1/schemes/pay-plans/${plan.id}/codes`).set(bearer(admin));
    expect(api.status).to.equal(200);
    expect(api.body.data.map((k: any) => k.token)).to.deep.equal(codes.map((k) => k.token));

    const agent = await w.t.login(w.admin.email, w.admin.password);
    const page = await agent.get(`/schemes/plans/${plan.id}`);
    expect(page.status).to.equal(200);
    const spaced = codes[0].token.replace(/(\d{3})(?=\d)/g, '$1 ');
    expect(page.text).to.include('Device codes').and.include(spaced);
    const paymentPage = await agent.get(`/billing/payments/${codes[0].payment_id}`);
    expect(paymentPage.text).to.include(spaced);

    const log = await supertest(w.t.app).get('/api/v1/messaging/deliveries').query({ customer_id: c, event: 'schemes.device_code' }).set(bearer(admin));
    expect(log.status).to.equal(200);
    expect(log.body.data).to.have.length(3);
    expect(log.body.data.every((d: any) => d.channel === 'sms' && d.recipient === phoneOf.get(c))).to.equal(true);
    const detail = await supertest(w.t.app).get(`/api/v1/messaging/deliveries/${log.body.data[log.body.data.length - 1].id}`).set(bearer(admin));
    expect(detail.body.body).to.include(spaced).and.include('21 days');
  });

  it('a connected device gets no code; a paid-off code-based plan gets its unlock code', async () => {
    const c = await customer();
    const connected = await makePlan(w, c);
    await pay(w, c, 840, { metadata: { pay_plan_id: connected.id } });
    expect(await w.plans.codes(w.ctx, connected.id)).to.deep.equal([]);
    const plan = await codePlan(c, { total: 1000, deposit: 0, instalment_amount: 500, instalment_days: 10 });
    await pay(w, c, 1000, { metadata: { pay_plan_id: plan.id } });
    const codes = await w.plans.codes(w.ctx, plan.id);
    expect(codes.map((k) => [k.kind, k.days, k.count])).to.deep.equal([['payment', 20, 2], ['unlock', 0, 3]]);
    const seen = decodeToken({ key: KEY, startingCode: startingCodeOf(KEY), lastCount: 2, token: codes[1].token });
    expect(seen).to.include({ kind: 'disable_payg', count: 3 });
  });

  it('a reversal issues no negative code: the codes stay, the expiry moves back', async () => {
    const c = await customer();
    const plan = await codePlan(c);
    const payment = await pay(w, c, 840);
    await w.payments.reverse(w.ctx, payment.id, 'bounced');
    expect((await w.plans.codes(w.ctx, plan.id)).map((k) => k.kind)).to.deep.equal(['payment']);
    expect(await planNow(w, plan.id)).to.include({ days_bought: 0, device_count: 2 });
  });

  it('two payments at the same moment on one device take distinct counts, never the same code', async () => {
    const c = await customer();
    const plan = await codePlan(c);
    await Promise.all([pay(w, c, 840), pay(w, c, 420), pay(w, c, 40)]);
    const codes = await w.plans.codes(w.ctx, plan.id);
    expect(codes.map((k) => k.count).sort((a, b) => a - b)).to.deep.equal([2, 4, 6]);
    expect(new Set(codes.map((k) => k.token)).size).to.equal(3);
    expect((await planNow(w, plan.id)).device_count).to.equal(6);
    const device = new Device(startingCodeOf(KEY));
    for (const k of codes) expect(device.type(k.token)).to.equal(true);
    expect(device.days).to.equal(21 + 10 + 1);
  });

  it('a new device (new secret) starts its counter again', async () => {
    const c = await customer();
    const plan = await codePlan(c);
    await pay(w, c, 840);
    const other = 'dac86b1a29ab82edc5fbbc41ec9530f6';
    const changed = await w.plans.update(w.ctx, plan.id, { device_secret: other, device_starting_code: 432435255 } as any);
    expect(changed).to.include({ device_count: 0, device_starting_code: 432435255 });
    await pay(w, c, 40);
    const last = (await w.plans.codes(w.ctx, plan.id)).pop()!;
    expect(decodeToken({ key: keyFromHex(other)!, startingCode: 432435255, lastCount: 0, token: last.token })).to.deep.equal({ value: 1, count: 2, kind: 'add_time' });
  });
});
