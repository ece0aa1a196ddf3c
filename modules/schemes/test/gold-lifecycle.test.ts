import { expect } from 'chai';
import { enrol, goldCustomer, goldWorld, lastCode, makeScheme, payOn, type GoldWorld } from './gold-fixtures';

async function rejects(p: Promise<unknown>): Promise<any> {
  try {
    await p;
  } catch (error) {
    return error;
  }
  throw new Error('expected a refusal');
}

describe('gold plan lifecycle: missed months, pause, tier change, close, redemption @integration', function () {
  this.timeout(Math.max(this.timeout(), 90_000));
  let w: GoldWorld;
  before(async () => {
    w = await goldWorld();
  });

  it('the missed-month job run twice (and late) flags a month once and extends maturity once', async () => {
    const m = await goldWorld({ t: w.t });
    const s = await makeScheme(m, { duration_months: 3 });
    const plan = await enrol(m, s.id, await goldCustomer(m), '2026-09');
    await payOn(m, plan.id, '2026-09-04', 1000);
    expect(await m.gold.flagMissed(m.ctx, new Date('2026-10-10T12:00:00Z'))).to.include({ flagged: 0 });
    expect(await m.gold.flagMissed(m.ctx, new Date('2026-10-11T12:00:00Z'))).to.include({ flagged: 1 });
    expect(await m.gold.flagMissed(m.ctx, new Date('2026-10-11T13:00:00Z'))).to.include({ flagged: 0 });
    expect(await m.gold.flagMissed(m.ctx, new Date('2026-10-25T13:00:00Z'))).to.include({ flagged: 0 });
    const got = await m.gold.get(m.ctx, plan.id, new Date('2026-10-25T13:00:00Z'));
    // Due Sep, Oct, Nov → Oct missed adds Dec: maturity 2027-01-01 instead of 2026-12-01.
    expect(got).to.include({ missed_count: 1, maturity_date: '2027-01-01' });
    expect(got.schedule.map((r: any) => `${r.month}:${r.status}`)).to.deep.equal(['2026-09:paid', '2026-10:missed', '2026-11:upcoming', '2026-12:upcoming']);
    const report = await m.gold.missedReport(m.ctx, '2026-10');
    expect(report.data.map((r) => r.plan_id)).to.deep.equal([plan.id]);
  });

  it('a missed month paid late counts as a late instalment; once all are paid nothing more is flagged', async () => {
    const m = await goldWorld({ t: w.t });
    const s = await makeScheme(m, { duration_months: 2 });
    const customer = await goldCustomer(m);
    const plan = await enrol(m, s.id, customer, '2026-09');
    await payOn(m, plan.id, '2026-09-04', 1000);
    expect(await m.gold.flagMissed(m.ctx, new Date('2026-10-11T12:00:00Z'))).to.include({ flagged: 1 });
    expect(await payOn(m, plan.id, '2026-10-20', 1000)).to.include({ on_time: false, status: 'paid' });
    expect(await m.gold.flagMissed(m.ctx, new Date('2026-11-15T12:00:00Z'))).to.include({ flagged: 0 });
    expect(await m.gold.get(m.ctx, plan.id, new Date('2026-11-15T12:00:00Z'))).to.include({ paid_count: 2, on_time_count: 1, missed_count: 1, maturity_date: '2026-12-01' });
    // Each paid instalment sends the payment-received message once, after the commit (outbox).
    const sent = () => m.t.knex('messaging_notifications').where({ company_id: m.companyId, customer_id: customer, event: 'schemes.gold.payment_received' }).select('dedupe_key');
    for (let i = 0; i < 100 && (await sent()).length < 2; i++) await new Promise((r) => setTimeout(r, 100));
    expect((await sent()).map((r: any) => r.dedupe_key)).to.have.length(2);
  });

  it('a plan with an instalment still processing is neither closed nor redeemed until the gateway answers', async () => {
    const s = await makeScheme(w);
    const customer = await goldCustomer(w);
    const plan = await enrol(w, s.id, customer, '2026-11');
    await payOn(w, plan.id, '2026-11-03', 1000, { mode: 'online', reference: 'PG-9', status: 'processing' });
    await w.gold.sendCloseCode(w.ctx, plan.id);
    const code = await lastCode(w, customer);
    expect((await rejects(w.gold.close(w.ctx, plan.id, { code }))).message).to.match(/still processing/);
    await payOn(w, plan.id, '2026-11-03', 1000, { mode: 'online', reference: 'PG-9', status: 'paid' });
    // The refused close kept the code: it still closes the plan.
    expect(await w.gold.close(w.ctx, plan.id, { code })).to.include({ status: 'closed', value: 1000 });
  });

  it('pause for N months moves the remaining due months and maturity by N; nothing is missed meanwhile', async () => {
    const m = await goldWorld({ t: w.t });
    const s = await makeScheme(m, { duration_months: 3 });
    const plan = await enrol(m, s.id, await goldCustomer(m), '2026-10');
    await payOn(m, plan.id, '2026-10-02', 1000);
    const paused = await m.gold.pause(m.ctx, plan.id, { months: 2, from_month: '2026-11' }, new Date('2026-10-20T00:00:00Z'));
    expect(paused.maturity_date).to.equal('2027-03-01');
    expect(await m.gold.flagMissed(m.ctx, new Date('2026-12-20T00:00:00Z'))).to.include({ flagged: 0 });
    const got = await m.gold.get(m.ctx, plan.id, new Date('2026-12-20T00:00:00Z'));
    expect(got.status).to.equal('paused');
    expect(got.schedule.map((r: any) => `${r.month}:${r.status}`)).to.deep.equal(['2026-10:paid', '2026-11:paused', '2026-12:paused', '2027-01:upcoming', '2027-02:upcoming']);
    expect((await rejects(payOn(m, plan.id, '2026-11-05', 1000))).message).to.match(/paused/);
  });

  it('a tier change applies the new instalment to the remaining months and prorates the fixed reward; the preview shows it first', async () => {
    const s = await makeScheme(w, { duration_months: 4, reward_kind: 'fixed', reward_instalments: 1 });
    const plan = await enrol(w, s.id, await goldCustomer(w), '2026-01');
    await payOn(w, plan.id, '2026-01-05', 1000);
    const preview = await w.gold.previewTierChange(w.ctx, plan.id, 'T2');
    expect(preview.before).to.deep.equal({ instalment: 1000, bonus_at_maturity: 1000, total_at_maturity: 5000 });
    // 1 month at 1,000 and 3 at 2,000 over 4: 7,000 / 4 = 1,750.
    expect(preview.after).to.deep.equal({ instalment: 2000, bonus_at_maturity: 1750, total_at_maturity: 8750 });
    expect(await w.gold.get(w.ctx, plan.id)).to.include({ tier: 'T1' });
    await w.gold.changeTier(w.ctx, plan.id, 'T2');
    expect((await rejects(payOn(w, plan.id, '2026-02-05', 1000))).fields.amount).to.match(/2000/);
    for (const day of ['2026-02-05', '2026-03-05', '2026-04-05']) await payOn(w, plan.id, day, 2000);
    const got = await w.gold.get(w.ctx, plan.id);
    expect(got).to.include({ paid_total: 7000, paid_count: 4, bonus_so_far: 1750 });
  });

  it('percentage reward counts late instalments out and needs the minimum; interval restarts after a late one', async () => {
    const pct = await makeScheme(w, { duration_months: 4, reward_kind: 'percentage', reward_rate: 5000, reward_min_instalments: 3 });
    const p = await enrol(w, pct.id, await goldCustomer(w), '2026-01');
    await payOn(w, p.id, '2026-01-03', 1000);
    await payOn(w, p.id, '2026-02-20', 1000); // late
    expect((await w.gold.get(w.ctx, p.id)).bonus_so_far).to.equal(0); // 2 paid < minimum 3
    await payOn(w, p.id, '2026-03-03', 1000);
    // 50 % of 1,000 × 2 on time / 4 = 250
    expect((await w.gold.get(w.ctx, p.id)).bonus_so_far).to.equal(250);
    const int = await makeScheme(w, { duration_months: 6, reward_kind: 'interval', reward_every: 2, reward_rate: 1000 });
    const i = await enrol(w, int.id, await goldCustomer(w), '2026-01');
    for (const day of ['2026-01-02', '2026-02-12', '2026-03-02', '2026-04-02', '2026-05-02']) await payOn(w, i.id, day, 1000);
    // on time, late, on time, on time (reward 100), on time → one reward of 10 % of 1,000
    expect((await w.gold.get(w.ctx, i.id)).bonus_so_far).to.equal(100);
  });

  it('close: a wrong or expired code is refused and the plan stays active; the valid code closes it, records who and when, forfeits the early bonus', async () => {
    const s = await makeScheme(w, { duration_months: 11, reward_kind: 'percentage', reward_rate: 10_000 });
    const customer = await goldCustomer(w);
    const plan = await enrol(w, s.id, customer, '2026-10');
    await payOn(w, plan.id, '2026-10-02', 1000);
    await w.gold.sendCloseCode(w.ctx, plan.id);
    const code = await lastCode(w, customer);
    const wrong = await rejects(w.gold.close(w.ctx, plan.id, { code: code === '000000' ? '111111' : '000000' }));
    expect(wrong.fields.code).to.match(/wrong/);
    expect(await w.gold.get(w.ctx, plan.id)).to.include({ status: 'active' });
    await w.t.knex('messaging_otps').where({ customer_id: customer }).update({ expires_at: new Date(Date.now() - 1000) });
    expect((await rejects(w.gold.close(w.ctx, plan.id, { code }))).fields.code).to.match(/expired/);
    await w.gold.sendCloseCode(w.ctx, plan.id);
    const fresh = await lastCode(w, customer);
    const teamMember = await w.t.createUser({ permissions: [], companyIds: [w.companyId] });
    const outsider = await w.t.createUser({ permissions: [], companyIds: [(await goldWorld({ t: w.t })).companyId] });
    expect((await rejects(w.gold.close(w.ctx, plan.id, { code: fresh, closed_by: outsider.id }))).fields).to.have.property('closed_by');
    const closed = await w.gold.close(w.ctx, plan.id, { code: fresh, closed_by: teamMember.id });
    expect(closed).to.include({ status: 'closed', closed_by: teamMember.id, matured: false, bonus: 0, value: 1000 });
    expect(closed.bonus_forfeited).to.be.above(0);
    const got = await w.gold.get(w.ctx, plan.id);
    expect(got).to.include({ status: 'closed', closed_by: teamMember.id, settled_value: 1000 });
    expect(got.closed_at).to.be.an.instanceOf(Date);
    expect((await w.accounts.balance(w.ctx, customer)).credit).to.equal(1000);
    expect((await rejects(payOn(w, plan.id, '2026-11-02', 1000))).status).to.equal(409);
  });

  it('redeems at maturity inside the window (last day allowed, the day after and the day before refused) as billing credit, never cash', async () => {
    const s = await makeScheme(w, { duration_months: 2, reward_kind: 'fixed', reward_instalments: 1, redemption_days: 90 });
    const customer = await goldCustomer(w);
    const a = await enrol(w, s.id, customer, '2026-01');
    const b = await enrol(w, s.id, await goldCustomer(w), '2026-01');
    for (const plan of [a, b]) for (const day of ['2026-01-04', '2026-02-04']) await payOn(w, plan.id, day, 1000);
    // Maturity 2026-03-01; 90 days later is 2026-05-30 (UTC company).
    expect((await rejects(w.gold.redeem(w.ctx, a.id, new Date('2026-02-28T23:59:00Z')))).message).to.match(/matures on 2026-03-01/);
    expect((await rejects(w.gold.redeem(w.ctx, b.id, new Date('2026-05-31T00:01:00Z')))).message).to.match(/ended on 2026-05-30/);
    const redeemed = await w.gold.redeem(w.ctx, a.id, new Date('2026-05-30T23:59:00Z'));
    expect(redeemed).to.include({ status: 'redeemed', paid: 2000, bonus: 1000, value: 3000 });
    expect((await w.accounts.balance(w.ctx, customer)).credit).to.equal(3000);
    const ledger = await w.gold.ledger(w.ctx, a.id);
    expect(ledger.map((r) => [r.kind, r.amount, r.balance])).to.deep.equal([['instalment', 1000, 1000], ['instalment', 1000, 2000], ['bonus', 1000, 3000], ['redeemed', -3000, 0]]);
    expect((await rejects(w.gold.redeem(w.ctx, a.id, new Date('2026-04-01T00:00:00Z')))).status).to.equal(409);
  });

  it('redeeming a weight scheme answers the grams and their average booked price (paid / grams)', async () => {
    const s = await makeScheme(w, { duration_months: 2, weight: true, redemption_days: 30 });
    await w.rates.create(w.ctx, { day: '2025-03-03', rate: 5000 });
    await w.rates.create(w.ctx, { day: '2025-04-03', rate: 4000 });
    const plan = await enrol(w, s.id, await goldCustomer(w), '2025-03');
    await payOn(w, plan.id, '2025-03-03', 1000); // 0.200 g
    await payOn(w, plan.id, '2025-04-03', 1000); // 0.250 g
    const redeemed = await w.gold.redeem(w.ctx, plan.id, new Date('2025-05-02T10:00:00Z'));
    // 2,000 over 0.450 g = 4,444.44 per gram → 4,444
    expect(redeemed).to.include({ paid: 2000, value: 2000, grams_milli: 450, average_price_per_gram: 4444 });
  });
});
