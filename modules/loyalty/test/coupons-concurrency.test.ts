import { expect } from 'chai';
import { couponWorld, draftInvoice, makeCoupon, makeCustomer, type CouponWorld } from './coupons-fixtures';

/**
 * Redemptions at the same moment: on MariaDB they really run at once (separate connections); the
 * guarded updates and the redemptions' unique keys settle them, not a read before the write.
 */
describe('loyalty coupons redeemed concurrently @integration', function () {
  this.timeout(Math.max(this.timeout(), 120_000));
  let w: CouponWorld;
  before(async () => {
    w = await couponWorld();
  });

  const settle = async (work: Array<Promise<unknown>>) => {
    const results = await Promise.allSettled(work);
    return {
      ok: results.filter((r) => r.status === 'fulfilled').map((r) => (r as PromiseFulfilledResult<any>).value),
      refused: results.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason),
    };
  };

  it('a single-use code redeemed on 6 drafts at once succeeds once; the others are told it was already redeemed', async () => {
    const coupon = await makeCoupon(w, { mode: 'single', amount: 600 });
    await w.t.knex('loyalty_coupon_codes').insert({ company_id: w.companyId, coupon_id: coupon.id, code: `RACE-${coupon.id}`, created_at: new Date(), updated_at: new Date() });
    const docs = await Promise.all([1, 2, 3, 4, 5, 6].map(async () => draftInvoice(w, await makeCustomer(w), 5000)));
    const { ok, refused } = await settle(docs.map((d) => w.redemptions.apply(w.ctx, { code: `RACE-${coupon.id}`, documentId: d.id })));
    expect(ok).to.have.length(1);
    expect(refused.map((e) => e.code)).to.deep.equal(Array(5).fill('coupon_already_redeemed'));
    const totals = await Promise.all(docs.map(async (d) => (await w.documents.get(w.ctx, d.id)).total));
    expect(totals.sort()).to.deep.equal([4400, 5000, 5000, 5000, 5000, 5000]);
    expect(await w.coupons.get(w.ctx, coupon.id)).to.include({ uses: 1, discount_given: 600 });
    expect(await w.t.knex('loyalty_coupon_redemptions').where({ coupon_id: coupon.id }).count({ n: '*' }).first().then((r: any) => Number(r.n))).to.equal(1);
  });

  it('a shared code limited to 3 uses, tried by 8 clients at once: exactly 3 pass', async () => {
    const coupon = await makeCoupon(w, { usage_limit: 3, amount: 250 });
    const docs = await Promise.all(Array.from({ length: 8 }, async () => draftInvoice(w, await makeCustomer(w), 1000)));
    const { ok, refused } = await settle(docs.map((d) => w.redemptions.apply(w.ctx, { code: coupon.code, documentId: d.id })));
    expect(ok).to.have.length(3);
    expect(refused.map((e) => e.code)).to.deep.equal(Array(5).fill('coupon_limit_reached'));
    expect(await w.coupons.get(w.ctx, coupon.id)).to.include({ uses: 3, discount_given: 750 });
  });

  it('one customer limited to 1 use, on 4 of their drafts at once: exactly 1 passes', async () => {
    const c = await makeCustomer(w);
    const coupon = await makeCoupon(w, { per_customer_limit: 1, amount: 100 });
    const docs = await Promise.all([1, 2, 3, 4].map(() => draftInvoice(w, c, 1000)));
    const { ok, refused } = await settle(docs.map((d) => w.redemptions.apply(w.ctx, { code: coupon.code, documentId: d.id })));
    expect(ok).to.have.length(1);
    expect(refused.map((e) => e.code)).to.deep.equal(Array(3).fill('coupon_customer_limit_reached'));
    expect(await w.coupons.get(w.ctx, coupon.id)).to.include({ uses: 1 });
  });

  it('the same single-use code on the same draft from 4 clients at once: all answered with the one redemption, one line', async () => {
    const coupon = await makeCoupon(w, { mode: 'single', amount: 300 });
    await w.t.knex('loyalty_coupon_codes').insert({ company_id: w.companyId, coupon_id: coupon.id, code: `SAME-${coupon.id}`, created_at: new Date(), updated_at: new Date() });
    const doc = await draftInvoice(w, await makeCustomer(w), 2000);
    const { ok, refused } = await settle([1, 2, 3, 4].map(() => w.redemptions.apply(w.ctx, { code: `SAME-${coupon.id}`, documentId: doc.id })));
    expect(refused).to.deep.equal([]);
    expect(new Set(ok.map((r) => r.id)).size).to.equal(1);
    expect(ok.filter((r) => r.created)).to.have.length(1);
    const after = await w.documents.get(w.ctx, doc.id);
    expect(after.lines!.filter((l) => l.product_code === 'DISC')).to.have.length(1);
    expect(after.total).to.equal(1700);
  });

  it('two different coupons of 800 on one draft of 1000 at once: the document ends at 0, never below', async () => {
    const doc = await draftInvoice(w, await makeCustomer(w), 1000);
    const [a, b] = [await makeCoupon(w, { amount: 800 }), await makeCoupon(w, { amount: 800 })];
    const { ok, refused } = await settle([a, b].map((c) => w.redemptions.apply(w.ctx, { code: c.code, documentId: doc.id })));
    expect(refused).to.deep.equal([]);
    expect(ok.map((r) => r.amount).sort()).to.deep.equal([200, 800]);
    const after = await w.documents.get(w.ctx, doc.id);
    expect(after.total).to.equal(0);
    expect(after.lines!.filter((l) => l.product_code === 'DISC').map((l) => l.amount).sort()).to.deep.equal([-200, -800]);
  });
});
