import { expect } from 'chai';
import { portsOf } from '../billing/billing-ports';
import { goldDueItems } from '../gold/due-reminders';
import { goldPortsOf } from '../gold/gold-ports';
import { enrol, goldCustomer, goldWorld, makeScheme, payOn, type GoldWorld } from './gold-fixtures';

async function rejects(p: Promise<unknown>): Promise<any> {
  try {
    await p;
  } catch (error) {
    return error;
  }
  throw new Error('expected a refusal');
}

describe('gold schemes and plans @integration', function () {
  this.timeout(Math.max(this.timeout(), 90_000));
  let w: GoldWorld;
  before(async () => {
    w = await goldWorld({ timezone: 'Asia/Kolkata' });
  });

  it('a scheme longer than the maximum term (12 by default) is refused naming the field; tiers below the minimum too', async () => {
    expect((await rejects(makeScheme(w, { duration_months: 13 }))).fields).to.have.property('duration_months').that.match(/at most 12/);
    expect((await rejects(makeScheme(w, { tiers: [{ code: 'LOW', name: 'Low', instalment: 500 }] }))).fields).to.have.property('tiers');
    expect((await rejects(makeScheme(w, { reward_kind: 'interval', reward_rate: 1000 }))).fields).to.have.property('reward_every');
    expect(await makeScheme(w, { duration_months: 12 })).to.include({ duration_months: 12 });
  });

  it('enrols a customer in a scheme and tier: instalment, due months and maturity', async () => {
    const s = await makeScheme(w);
    const plan = await enrol(w, s.id, await goldCustomer(w), '2026-01', 'T2');
    expect(plan).to.include({ status: 'active', instalment: 2000, instalments: 11, maturity_date: '2026-12-01' });
    expect((await rejects(enrol(w, s.id, await goldCustomer(w), '2026-01', 'T9'))).fields).to.have.property('tier');
  });

  it('a fixed plan takes one instalment a month: a second one is refused with the reason; the wrong amount too', async () => {
    const s = await makeScheme(w);
    const plan = await enrol(w, s.id, await goldCustomer(w), '2026-03');
    const first = await payOn(w, plan.id, '2026-03-05', 1000);
    expect(first).to.include({ status: 'paid', month: '2026-03', on_time: true, created: true });
    const second = await rejects(payOn(w, plan.id, '2026-03-20', 1000));
    expect(second.status).to.equal(409);
    expect(second.message).to.match(/already has its instalment for 2026-03/);
    expect((await rejects(payOn(w, plan.id, '2026-04-02', 1500))).fields).to.have.property('amount');
    const got = await w.gold.get(w.ctx, plan.id);
    expect(got).to.include({ paid_count: 1, paid_total: 1000, on_time_count: 1 });
  });

  it('a flexible plan takes several payments in a month, each its own ledger row', async () => {
    const s = await makeScheme(w, { kind: 'flexible' });
    const plan = await enrol(w, s.id, await goldCustomer(w), '2026-03');
    await payOn(w, plan.id, '2026-03-02', 1200);
    await payOn(w, plan.id, '2026-03-08', 3000);
    await payOn(w, plan.id, '2026-04-15', 1000);
    expect((await rejects(payOn(w, plan.id, '2026-04-16', 999))).fields).to.have.property('amount');
    const got = await w.gold.get(w.ctx, plan.id);
    expect(got).to.include({ paid_total: 5200, paid_count: 2, on_time_count: 1 });
    const ledger = await w.gold.ledger(w.ctx, plan.id);
    expect(ledger.map((r) => [r.amount, r.balance])).to.deep.equal([[1200, 1200], [3000, 4200], [1000, 5200]]);
  });

  it('processing changes nothing, paid counts, failed leaves no ledger row and frees the month; the same reference twice is one payment', async () => {
    const s = await makeScheme(w);
    const customer = await goldCustomer(w);
    const plan = await enrol(w, s.id, customer, '2026-05');
    const pending = await payOn(w, plan.id, '2026-05-03', 1000, { mode: 'online', reference: 'GW-1', status: 'processing' });
    expect(pending.status).to.equal('processing');
    expect(await w.gold.get(w.ctx, plan.id)).to.include({ paid_total: 0, paid_count: 0 });
    expect(await w.gold.ledger(w.ctx, plan.id)).to.have.length(0);
    expect((await rejects(payOn(w, plan.id, '2026-05-04', 1000))).status).to.equal(409);
    const failed = await payOn(w, plan.id, '2026-05-03', 1000, { mode: 'online', reference: 'GW-1', status: 'failed' });
    expect(failed).to.include({ id: pending.id, status: 'failed', created: false });
    expect(await w.gold.ledger(w.ctx, plan.id)).to.have.length(0);
    const again = await payOn(w, plan.id, '2026-05-04', 1000, { mode: 'online', reference: 'GW-2', status: 'processing' });
    const confirmed = await payOn(w, plan.id, '2026-05-04', 1000, { mode: 'online', reference: 'GW-2', status: 'paid' });
    expect(confirmed).to.include({ id: again.id, status: 'paid', created: false });
    const twice = await payOn(w, plan.id, '2026-05-04', 1000, { mode: 'online', reference: 'GW-2' });
    expect(twice).to.include({ id: again.id, created: false });
    expect(await w.gold.get(w.ctx, plan.id)).to.include({ paid_total: 1000, paid_count: 1 });
    // The scheme holds the money: it is not the customer's spendable credit in billing.
    expect((await w.accounts.balance(w.ctx, customer)).credit).to.equal(0);
  });

  it('on time is judged in the company\'s time zone: 23:30 local on the last day is on time, 00:10 the next day is late', async () => {
    const s = await makeScheme(w);
    const a = await enrol(w, s.id, await goldCustomer(w), '2026-06');
    const b = await enrol(w, s.id, await goldCustomer(w), '2026-06');
    // Asia/Kolkata, UTC+5:30: 2026-06-10 23:30 local = 18:00 UTC; 2026-06-11 00:10 local = 18:40 UTC on the 10th.
    expect(await w.gold.pay(w.ctx, a.id, { amount: 1000, mode: 'cash', reference: 'K1', paid_at: '2026-06-10T18:00:00Z' })).to.include({ on_time: true });
    expect(await w.gold.pay(w.ctx, b.id, { amount: 1000, mode: 'cash', reference: 'K2', paid_at: '2026-06-10T18:40:00Z' })).to.include({ on_time: false });
  });

  it('a parent paying a family sub-account\'s plan credits only the child\'s plan', async () => {
    const s = await makeScheme(w);
    const parent = await goldCustomer(w);
    const child = await goldCustomer(w, { parent_id: parent, phone: null });
    const parentPlan = await enrol(w, s.id, parent, '2026-07');
    const childPlan = await enrol(w, s.id, child, '2026-07');
    const paid = await payOn(w, childPlan.id, '2026-07-04', 1000, { payer_id: parent });
    expect(paid).to.include({ payer_id: parent, status: 'paid' });
    expect(await w.gold.get(w.ctx, childPlan.id)).to.include({ paid_total: 1000, paid_count: 1 });
    expect(await w.gold.get(w.ctx, parentPlan.id)).to.include({ paid_total: 0, paid_count: 0 });
    const stranger = await goldCustomer(w);
    expect((await rejects(payOn(w, childPlan.id, '2026-08-04', 1000, { payer_id: stranger }))).fields).to.have.property('payer_id');
  });

  it('weight: each paid instalment converts at its day\'s rate, round half-up to the milligram, summed', async () => {
    const s = await makeScheme(w, { weight: true, kind: 'flexible' });
    await w.rates.create(w.ctx, { day: '2026-02-03', rate: 6000 });
    await w.rates.create(w.ctx, { day: '2026-02-04', rate: 2000 });
    const plan = await enrol(w, s.id, await goldCustomer(w), '2026-02');
    expect(await payOn(w, plan.id, '2026-02-03', 10_000)).to.include({ rate: 6000, grams_milli: 1667 });
    expect(await payOn(w, plan.id, '2026-02-04', 1001)).to.include({ rate: 2000, grams_milli: 501 }); // 0.5005 g → 0.501
    expect((await rejects(payOn(w, plan.id, '2026-02-05', 1000))).fields).to.have.property('paid_at').that.match(/no gold rate/);
    expect(await w.gold.get(w.ctx, plan.id)).to.include({ grams_milli: 2168 });
  });

  it('due-date reminders: an unpaid instalment is due on the day its window closes, once per plan and month, none when paid or paused; a sub-account\'s goes to its main customer', async () => {
    const s = await makeScheme(w, { window_end_day: 12 });
    const parent = await goldCustomer(w);
    const child = await goldCustomer(w, { parent_id: parent });
    const unpaid = await enrol(w, s.id, child, '2026-08');
    const paid = await enrol(w, s.id, await goldCustomer(w), '2026-08');
    const paused = await enrol(w, s.id, await goldCustomer(w), '2026-07');
    await payOn(w, paid.id, '2026-08-03', 1000);
    await w.t.knex('schemes_gold_plans').where({ id: paused.id }).update({ pauses: JSON.stringify([{ from: '2026-08', months: 1 }]) });
    const ports = goldPortsOf(w.t.container, portsOf(w.t.container));
    const due = await goldDueItems(ports, w.ctx.db, '2026-08-12');
    const mine = due.filter((d) => [unpaid.id, paid.id, paused.id].some((id) => d.key.startsWith(`gold-plan:${id}:`)));
    expect(mine.map((d) => [d.key, d.customerId])).to.deep.equal([[`gold-plan:${unpaid.id}:2026-08`, parent]]);
    expect(await goldDueItems(ports, w.ctx.db, '2026-08-11')).to.satisfy((items: any[]) => !items.some((d) => d.key.startsWith(`gold-plan:${unpaid.id}:`)));
  });

  it('closed plans refuse later payments (terminal); a customer with a gold plan is not deleted', async () => {
    const s = await makeScheme(w);
    const customer = await goldCustomer(w);
    const plan = await enrol(w, s.id, customer, '2026-01');
    expect((await rejects(w.customers.remove(w.ctx, customer))).message).to.match(/gold plan/);
    await w.t.knex('schemes_gold_plans').where({ id: plan.id }).update({ status: 'closed' });
    expect((await rejects(payOn(w, plan.id, '2026-02-02', 1000))).message).to.match(/closed/);
  });
});
