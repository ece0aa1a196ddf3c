import { expect } from 'chai';
import { companyDay, couponWorld, draftInvoice, groupOf, makeCoupon, makeCustomer, refusal, type CouponWorld } from './coupons-fixtures';

/**
 * Applying coupons to drafts through LoyaltyService's coupon part: every rule with our own figures,
 * refusals naming the reason (error code) and the request field.
 */
describe('loyalty coupons applied to drafts @integration', function () {
  this.timeout(Math.max(this.timeout(), 90_000));
  let w: CouponWorld;
  before(async () => {
    w = await couponWorld();
  });

  it('a fixed coupon adds one negative line with the configured discount product, untaxed, and counts the use', async () => {
    const c = await makeCustomer(w);
    const coupon = await makeCoupon(w, { amount: 750 });
    const doc = await w.documents.createInvoice(w.ctx, { customerId: c, lines: [{ productCode: 'ITEM', quantity: 2 }] });
    expect(doc.total).to.equal(2360); // 2 × 1000 + 18 %
    const r = await w.redemptions.apply(w.ctx, { code: coupon.code.toLowerCase(), documentId: doc.id, kind: 'invoice' });
    expect(r).to.include({ amount: 750, created: true, customer_id: c, document_id: doc.id });
    const after = await w.documents.get(w.ctx, doc.id);
    expect(after.total).to.equal(2360 - 750);
    const line = after.lines!.find((l) => l.product_code === 'DISC')!;
    expect(line).to.include({ quantity: 1, unit_price: -750, tax: 0, amount: -750 });
    expect(await w.coupons.get(w.ctx, coupon.id)).to.include({ uses: 1, discount_given: 750 });
  });

  it('a fixed amount larger than the document is capped by its total', async () => {
    const c = await makeCustomer(w);
    const coupon = await makeCoupon(w, { amount: 5000 });
    const doc = await draftInvoice(w, c, 1200);
    expect((await w.redemptions.apply(w.ctx, { code: coupon.code, documentId: doc.id })).amount).to.equal(1200);
    expect((await w.documents.get(w.ctx, doc.id)).total).to.equal(0);
  });

  it('a percent is taken once from the total and rounded half-up: 12.5 % of 1234 is 154, 25 % of 10 is 3, 0.5 % of 1234 is 6', async () => {
    const c = await makeCustomer(w);
    const cases: Array<[number, number, number]> = [[1250, 1234, 154], [2500, 10, 3], [50, 1234, 6], [3333, 999, 333], [10000, 4321, 4321]];
    for (const [percent, total, expected] of cases) {
      const coupon = await makeCoupon(w, { kind: 'percent', percent, amount: undefined });
      const doc = await draftInvoice(w, c, total);
      const r = await w.redemptions.apply(w.ctx, { code: coupon.code, documentId: doc.id });
      expect(r.amount, `${percent} bp of ${total}`).to.equal(expected);
      expect((await w.documents.get(w.ctx, doc.id)).total).to.equal(total - expected);
    }
  });

  it('applying the same coupon to the same document twice answers the first redemption: one line, one use', async () => {
    const c = await makeCustomer(w);
    const coupon = await makeCoupon(w, { amount: 300, usage_limit: 5 });
    const doc = await draftInvoice(w, c, 2000);
    const first = await w.redemptions.apply(w.ctx, { code: coupon.code, documentId: doc.id });
    const again = await w.redemptions.apply(w.ctx, { code: coupon.code, documentId: doc.id });
    expect(again).to.include({ id: first.id, amount: 300, created: false });
    const after = await w.documents.get(w.ctx, doc.id);
    expect(after.lines!.filter((l) => l.product_code === 'DISC')).to.have.length(1);
    expect(after.total).to.equal(1700);
    expect(await w.coupons.get(w.ctx, coupon.id)).to.include({ uses: 1 });
  });

  it('a customer outside the eligible groups is refused, naming the group; a member passes', async () => {
    const member = await makeCustomer(w);
    const outsider = await makeCustomer(w);
    const group = await groupOf(w, [member]);
    const coupon = await makeCoupon(w, { group_ids: [group] });
    const refused = await refusal(w.redemptions.apply(w.ctx, { code: coupon.code, documentId: (await draftInvoice(w, outsider)).id }));
    expect(refused).to.include({ status: 403, code: 'coupon_outside_group' });
    expect(refused.fields.code).to.contain(`customer ${outsider}`);
    expect((await w.redemptions.apply(w.ctx, { code: coupon.code, documentId: (await draftInvoice(w, member)).id })).amount).to.equal(500);
    expect(await w.coupons.get(w.ctx, coupon.id)).to.include({ uses: 1 });
  });

  it('validity days are inclusive, on the company calendar: last day passes, the day after is expired, the day before the first is not yet valid', async () => {
    const c = await makeCustomer(w);
    const today = companyDay(w.timezone);
    const lastDay = await makeCoupon(w, { valid_from: companyDay(w.timezone, -10), valid_to: today });
    expect((await w.redemptions.apply(w.ctx, { code: lastDay.code, documentId: (await draftInvoice(w, c)).id })).amount).to.equal(500);
    const firstDay = await makeCoupon(w, { valid_from: today });
    expect((await w.redemptions.apply(w.ctx, { code: firstDay.code, documentId: (await draftInvoice(w, c)).id })).amount).to.equal(500);
    const expired = await makeCoupon(w, { valid_to: companyDay(w.timezone, -1) });
    const e = await refusal(w.redemptions.apply(w.ctx, { code: expired.code, documentId: (await draftInvoice(w, c)).id, kind: 'invoice' }));
    expect(e).to.include({ status: 422, code: 'coupon_expired' });
    expect(e.fields).to.have.property('code').that.contains(companyDay(w.timezone, -1));
    const early = await makeCoupon(w, { valid_from: companyDay(w.timezone, 1) });
    expect(await refusal(w.redemptions.apply(w.ctx, { code: early.code, documentId: (await draftInvoice(w, c)).id }))).to.include({ code: 'coupon_not_yet_valid' });
  });

  it('the minimum order is the document total: exactly the minimum passes, one unit below is refused naming the document field', async () => {
    const c = await makeCustomer(w);
    const coupon = await makeCoupon(w, { min_order: 5000, amount: 100 });
    const below = await refusal(w.redemptions.apply(w.ctx, { code: coupon.code, documentId: (await draftInvoice(w, c, 4999)).id, kind: 'invoice' }));
    expect(below).to.include({ status: 422, code: 'coupon_below_minimum' });
    expect(below.fields.invoice_id).to.contain('4999').and.contain('5000');
    expect((await w.redemptions.apply(w.ctx, { code: coupon.code, documentId: (await draftInvoice(w, c, 5000)).id })).amount).to.equal(100);
  });

  it('the overall usage limit: two uses pass, the third is refused and changes nothing', async () => {
    const coupon = await makeCoupon(w, { usage_limit: 2 });
    for (let i = 0; i < 2; i++) await w.redemptions.apply(w.ctx, { code: coupon.code, documentId: (await draftInvoice(w, await makeCustomer(w))).id });
    const doc = await draftInvoice(w, await makeCustomer(w), 3000);
    expect(await refusal(w.redemptions.apply(w.ctx, { code: coupon.code, documentId: doc.id }))).to.include({ status: 409, code: 'coupon_limit_reached' });
    expect((await w.documents.get(w.ctx, doc.id)).total).to.equal(3000);
    expect(await w.coupons.get(w.ctx, coupon.id)).to.include({ uses: 2, discount_given: 1000 });
  });

  it('the limit per customer: one customer twice, then refused; another customer still passes', async () => {
    const a = await makeCustomer(w);
    const b = await makeCustomer(w);
    const coupon = await makeCoupon(w, { per_customer_limit: 2 });
    for (let i = 0; i < 2; i++) await w.redemptions.apply(w.ctx, { code: coupon.code, documentId: (await draftInvoice(w, a)).id });
    expect(await refusal(w.redemptions.apply(w.ctx, { code: coupon.code, documentId: (await draftInvoice(w, a)).id }))).to.include({ code: 'coupon_customer_limit_reached' });
    expect((await w.redemptions.apply(w.ctx, { code: coupon.code, documentId: (await draftInvoice(w, b)).id })).created).to.equal(true);
    expect(await w.coupons.get(w.ctx, coupon.id)).to.include({ uses: 3 });
  });

  it('a single-use code redeemed on a second document is told it was already redeemed', async () => {
    const coupon = await makeCoupon(w, { mode: 'single', amount: 400 });
    const codes = await w.t.knex('loyalty_coupon_codes').insert({ company_id: w.companyId, coupon_id: coupon.id, code: 'TEST-AAAA-BBBB', created_at: new Date(), updated_at: new Date() });
    expect(codes).to.have.length(1);
    const c = await makeCustomer(w);
    await w.redemptions.apply(w.ctx, { code: 'test-aaaa-bbbb', documentId: (await draftInvoice(w, c)).id });
    const second = await refusal(w.redemptions.apply(w.ctx, { code: 'TEST-AAAA-BBBB', documentId: (await draftInvoice(w, c)).id }));
    expect(second).to.include({ status: 409, code: 'coupon_already_redeemed' });
    expect(second.fields).to.have.property('code');
  });

  it('a posted invoice is not a draft: refused naming invoice_id, nothing counted', async () => {
    const c = await makeCustomer(w);
    const coupon = await makeCoupon(w);
    const posted = await w.documents.createInvoice(w.ctx, { customerId: c, lines: [{ productCode: 'FREE', quantity: 30 }], post: true });
    const r = await refusal(w.redemptions.apply(w.ctx, { code: coupon.code, documentId: posted.id, kind: 'invoice' }));
    expect(r).to.include({ status: 409, code: 'coupon_not_a_draft' });
    expect(r.fields.invoice_id).to.contain('posted');
    expect(await w.coupons.get(w.ctx, coupon.id)).to.include({ uses: 0 });
  });

  it('applies to a draft order too', async () => {
    const c = await makeCustomer(w);
    const coupon = await makeCoupon(w, { kind: 'percent', percent: 1000, amount: undefined });
    const order = await w.documents.createOrder(w.ctx, { customerId: c, lines: [{ productCode: 'FREE', quantity: 25 }] });
    const r = await w.redemptions.apply(w.ctx, { code: coupon.code, documentId: order.id, kind: 'order' });
    expect(r).to.include({ document_kind: 'order', amount: 250 });
    expect((await w.documents.get(w.ctx, order.id)).total).to.equal(2250);
  });

  it('an inactive coupon, an unknown code and a missing discount product are refused with the field named', async () => {
    const c = await makeCustomer(w);
    const off = await makeCoupon(w, { active: false });
    expect(await refusal(w.redemptions.apply(w.ctx, { code: off.code, documentId: (await draftInvoice(w, c)).id }))).to.include({ code: 'coupon_inactive' });
    const unknown = await refusal(w.redemptions.apply(w.ctx, { code: 'NOPE-NOPE', documentId: (await draftInvoice(w, c)).id }));
    expect(unknown).to.include({ status: 404, code: 'coupon_unknown' });
    const missing = await refusal(makeCoupon(w, { discount_product_code: 'GONE' }));
    expect(missing.fields.discount_product_code).to.contain('GONE');
    const noPercent = await refusal(makeCoupon(w, { kind: 'percent', amount: undefined }));
    expect(noPercent.fields).to.have.property('percent');
  });

  it("a shared code is unique in the company, and another company's code is unknown here", async () => {
    const coupon = await makeCoupon(w);
    const taken = await refusal(makeCoupon(w, { code: coupon.code }));
    expect(taken.fields.code).to.contain('already');
    const other = await couponWorld({ t: w.t });
    const theirs = await makeCoupon(other);
    const r = await refusal(w.redemptions.apply(w.ctx, { code: theirs.code, documentId: (await draftInvoice(w, await makeCustomer(w))).id }));
    expect(r.code).to.equal('coupon_unknown');
    // The same text may be a code in each company.
    expect((await makeCoupon(other, { code: coupon.code })).code).to.equal(coupon.code);
  });
});

describe('loyalty coupon validity on the company calendar @integration', function () {
  this.timeout(Math.max(this.timeout(), 90_000));

  it('valid until a day that is today in Pago Pago (UTC-11) is already expired in Kiritimati (UTC+14)', async () => {
    const pago = await couponWorld({ timezone: 'Pacific/Pago_Pago' });
    const kiri = await couponWorld({ timezone: 'Pacific/Kiritimati', t: pago.t });
    const day = companyDay('Pacific/Pago_Pago');
    const inPago = await makeCoupon(pago, { valid_to: day });
    const inKiri = await makeCoupon(kiri, { valid_to: day });
    expect((await pago.redemptions.apply(pago.ctx, { code: inPago.code, documentId: (await draftInvoice(pago, await makeCustomer(pago))).id })).day).to.equal(day);
    expect(await refusal(kiri.redemptions.apply(kiri.ctx, { code: inKiri.code, documentId: (await draftInvoice(kiri, await makeCustomer(kiri))).id }))).to.include({ code: 'coupon_expired' });
  });
});
