import { expect } from 'chai';
import supertest from 'supertest';
import { goldCustomer, goldWorld, makeScheme, type GoldWorld } from './gold-fixtures';
import { retryingDeadlocks } from '../gold/plan-store';

/**
 * Instalments over HTTP from many clients at once (issue 12: a bench run once got a 500): on MariaDB
 * they run on separate connections and meet on the plan's row, the customer's billing account, the
 * journal's sequence and the idempotency keys. Every answer is a 2xx or a 4xx with a reason, never a 5xx,
 * and the plans count exactly what was accepted.
 */
describe('gold instalments over HTTP under concurrency @integration', function () {
  this.timeout(Math.max(this.timeout(), 180_000));
  let w: GoldWorld;
  let token: string;
  const api = () => supertest(w.t.app);
  const now = new Date();
  const month = now.toISOString().slice(0, 7);

  before(async () => {
    w = await goldWorld();
    token = await w.t.token(w.admin.email);
  });

  const post = (planId: number, body: Record<string, unknown>, key?: string) => {
    const req = api().post(`/api/v1/schemes/gold-plans/${planId}/payments`).set({ Authorization: `Bearer ${token}`, Accept: 'application/json' });
    if (key) req.set('Idempotency-Key', key);
    return req.send({ mode: 'cash', ...body });
  };
  const no5xx = (responses: supertest.Response[]) => {
    for (const r of responses) expect(r.status, `${r.status} ${JSON.stringify(r.body)}`).to.be.below(500);
  };

  it('one customer, many plans, several clients per plan at once: one instalment per plan, no 5xx', async () => {
    const s = await makeScheme(w, { window_end_day: 28 });
    const customer = await goldCustomer(w);
    const plans = [] as number[];
    for (let i = 0; i < 6; i++) plans.push((await w.gold.enrol(w.ctx, { customer_id: customer, scheme_id: s.id, tier: 'T1', start_month: month })).id);
    const calls = plans.flatMap((id) => [1, 2, 3].map((n) => post(id, { amount: 1000, reference: `DESK-${id}-${n}` })));
    const responses = await Promise.all(calls);
    no5xx(responses);
    for (const id of plans) {
      const mine = responses.filter((r) => r.status === 201 && r.body.plan_id === id);
      expect(mine, `plan ${id}`).to.have.length(1);
      expect(await w.gold.get(w.ctx, id)).to.include({ paid_total: 1000, paid_count: 1 });
    }
    expect(responses.filter((r) => r.status === 409)).to.have.length(plans.length * 2);
  });

  it("distinct customers and plans at once (the bench's load): every one is created", async () => {
    const s = await makeScheme(w, { window_end_day: 28 });
    const plans = [] as number[];
    for (let i = 0; i < 40; i++) plans.push((await w.gold.enrol(w.ctx, { customer_id: await goldCustomer(w), scheme_id: s.id, tier: 'T1', start_month: month })).id);
    const responses = await Promise.all(plans.map((id) => post(id, { amount: 1000, reference: `B-${id}` })));
    no5xx(responses);
    expect(responses.map((r) => r.status)).to.deep.equal(plans.map(() => 201));
  });

  it('the same Idempotency-Key, and the same reference, twice at once: one instalment, no 5xx', async () => {
    const s = await makeScheme(w, { kind: 'flexible', window_end_day: 28 });
    const customer = await goldCustomer(w);
    const plan = (await w.gold.enrol(w.ctx, { customer_id: customer, scheme_id: s.id, tier: 'T1', start_month: month })).id;
    const sameKey = await Promise.all([1, 2, 3, 4].map(() => post(plan, { amount: 1500, reference: 'UPI-1' }, 'key-1')));
    no5xx(sameKey);
    const sameRef = await Promise.all([1, 2, 3, 4].map((n) => post(plan, { amount: 1500, reference: 'UPI-2' }, `key-2-${n}`)));
    no5xx(sameRef);
    const ids = new Set([...sameKey, ...sameRef].filter((r) => r.status < 300).map((r) => r.body.id));
    expect(ids.size).to.equal(2);
    expect(await w.gold.get(w.ctx, plan)).to.include({ paid_total: 3000 });
  });

  it("a parent paying several children's plans while they pay their own: no 5xx, nothing lost", async () => {
    const s = await makeScheme(w, { kind: 'flexible', window_end_day: 28 });
    const parent = await goldCustomer(w);
    const kids = [await goldCustomer(w, { parent_id: parent }), await goldCustomer(w, { parent_id: parent })];
    const plans = [] as number[];
    for (const c of [parent, ...kids]) for (let i = 0; i < 2; i++) plans.push((await w.gold.enrol(w.ctx, { customer_id: c, scheme_id: s.id, tier: 'T1', start_month: month })).id);
    const calls = plans.flatMap((id) => [1, 2, 3].map((n) => post(id, { amount: 1000 + n, reference: `F-${id}-${n}`, ...(n === 1 ? { payer_id: parent } : {}) })));
    const responses = await Promise.all(calls);
    no5xx(responses);
    const bad = responses.filter((r) => r.status !== 201);
    // The parent pays a child's plan; on the parent's own plans payer_id is the plan's customer: all accepted.
    expect(bad.map((r) => r.body), JSON.stringify(bad.map((r) => r.body))).to.have.length(0);
    for (const id of plans) expect(await w.gold.get(w.ctx, id)).to.include({ paid_total: 3006 });
  });

  it("8 clients posting for neighbouring customers for a while (billing's gap locks deadlock them): all created, none lost", async () => {
    const s = await makeScheme(w, { kind: 'flexible', window_end_day: 28 });
    const plans = [] as number[];
    for (let i = 0; i < 16; i++) plans.push((await w.gold.enrol(w.ctx, { customer_id: await goldCustomer(w), scheme_id: s.id, tier: 'T1', start_month: month })).id);
    let next = 0;
    const responses: supertest.Response[] = [];
    await Promise.all(Array.from({ length: 8 }, async () => {
      for (let n = 0; n < 8; n++) {
        const i = next++;
        responses.push(await post(plans[i % plans.length], { amount: 1000, reference: `L-${i}` }));
      }
    }));
    no5xx(responses);
    expect(responses.filter((r) => r.status !== 201).map((r) => r.body)).to.deep.equal([]);
    for (const id of plans) expect(await w.gold.get(w.ctx, id)).to.include({ paid_total: 4000 });
  });
});

describe('gold transactions given up by the database', () => {
  const deadlock = () => Object.assign(new Error('Deadlock found when trying to get lock; try restarting transaction'), { code: 'ER_LOCK_DEADLOCK', errno: 1213 });

  it('are run again until one goes through', async () => {
    let runs = 0;
    const got = await retryingDeadlocks(async () => {
      if (++runs < 4) throw deadlock();
      return 'done';
    });
    expect(got).to.equal('done');
    expect(runs).to.equal(4);
  });

  it('answer 409 "retry" once every attempt lost, never a 500; other errors pass through at once', async () => {
    let runs = 0;
    const error = await retryingDeadlocks(async () => {
      runs++;
      throw deadlock();
    }, 3).catch((e) => e);
    expect(runs).to.equal(3);
    expect(error).to.include({ status: 409, code: 'busy_retry' });
    runs = 0;
    const other = await retryingDeadlocks(async () => {
      runs++;
      throw new Error('no such column');
    }).catch((e) => e);
    expect(runs).to.equal(1);
    expect(other.message).to.equal('no such column');
  });
});
