import { expect } from 'chai';
import type { DocumentLine, LineInput } from '../../billing/api';
import { couponWorld, draftInvoice, makeCoupon, makeCustomer as couponCustomer, type CouponWorld } from './coupons-fixtures';
import { balances, draft, enable, grant, makeCustomer as pointsCustomer, pointsWorld, type PointsWorld } from './points-fixtures';

/** What a form sends back when it saves a draft: the lines it kept. */
const kept = (lines: DocumentLine[], drop: (l: DocumentLine) => boolean): LineInput[] =>
  lines.filter((l) => !drop(l)).map((l) => ({ productCode: l.product_code, quantity: l.quantity, unitPrice: l.unit_price, description: l.description, taxExempt: l.tax_rate === 0 }));

describe('loyalty gives back what a removed line took @integration', function () {
  this.timeout(Math.max(this.timeout(), 90_000));

  describe('coupons', () => {
    let w: CouponWorld;
    before(async () => {
      w = await couponWorld();
    });

    it('editing the discount line out of a draft returns the use: the limit counts it no more and the code applies again', async () => {
      const c = await couponCustomer(w);
      const coupon = await makeCoupon(w, { amount: 400, usage_limit: 1, per_customer_limit: 1 });
      const doc = await draftInvoice(w, c, 3000);
      await w.redemptions.apply(w.ctx, { code: coupon.code, documentId: doc.id });
      expect(await w.coupons.get(w.ctx, coupon.id)).to.include({ uses: 1, discount_given: 400 });

      const withLine = await w.documents.get(w.ctx, doc.id);
      const edited = await w.documents.replaceLines(w.ctx, doc.id, kept(withLine.lines!, (l) => l.product_code === 'DISC'));
      expect(edited.total).to.equal(3000);
      expect(await w.coupons.get(w.ctx, coupon.id)).to.include({ uses: 0, discount_given: 0 });

      const again = await w.redemptions.apply(w.ctx, { code: coupon.code, documentId: doc.id });
      expect(again).to.include({ created: true, amount: 400 });
      expect(await w.coupons.get(w.ctx, coupon.id)).to.include({ uses: 1, discount_given: 400 });
    });

    it('a save that sends the discount line back unchanged gives nothing back', async () => {
      const c = await couponCustomer(w);
      const coupon = await makeCoupon(w, { amount: 250 });
      const doc = await draftInvoice(w, c, 3000);
      await w.redemptions.apply(w.ctx, { code: coupon.code, documentId: doc.id });
      const withLine = await w.documents.get(w.ctx, doc.id);
      await w.documents.replaceLines(w.ctx, doc.id, kept(withLine.lines!, () => false));
      await w.documents.replaceLines(w.ctx, doc.id, kept(withLine.lines!, () => false));
      expect(await w.coupons.get(w.ctx, coupon.id)).to.include({ uses: 1, discount_given: 250 });
    });

    it('a single-use code is free again once its line is gone, and a second save without it gives back nothing more', async () => {
      const c = await couponCustomer(w);
      const coupon = await makeCoupon(w, { mode: 'single', amount: 300 });
      const code = `FREE-${coupon.id}`;
      await w.t.knex('loyalty_coupon_codes').insert({ company_id: w.companyId, coupon_id: coupon.id, code, created_at: new Date(), updated_at: new Date() });
      const doc = await draftInvoice(w, c, 2000);
      await w.redemptions.apply(w.ctx, { code, documentId: doc.id });
      const withLine = await w.documents.get(w.ctx, doc.id);
      const without = kept(withLine.lines!, (l) => l.product_code === 'DISC');
      await w.documents.replaceLines(w.ctx, doc.id, without);
      await w.documents.replaceLines(w.ctx, doc.id, without);
      expect(await w.coupons.get(w.ctx, coupon.id)).to.include({ uses: 0 });
      const other = await draftInvoice(w, c, 2000);
      expect(await w.redemptions.apply(w.ctx, { code, documentId: other.id })).to.include({ created: true, amount: 300 });
    });

    it('cancelling a draft order gives its coupon use back', async () => {
      const c = await couponCustomer(w);
      const coupon = await makeCoupon(w, { amount: 500, usage_limit: 3 });
      const order = await w.documents.createOrder(w.ctx, { customerId: c, lines: [{ productCode: 'FREE', quantity: 1, unitPrice: 4000 }] });
      await w.redemptions.apply(w.ctx, { code: coupon.code, documentId: order.id, kind: 'order' });
      expect(await w.coupons.get(w.ctx, coupon.id)).to.include({ uses: 1 });
      await w.documents.setDeliveryStatus(w.ctx, order.id, 'cancelled');
      expect(await w.coupons.get(w.ctx, coupon.id)).to.include({ uses: 0, discount_given: 0 });
    });
  });

  describe('points', () => {
    let w: PointsWorld;
    before(async () => {
      w = await pointsWorld();
    });

    it('editing the points line out of a draft returns the points; they can be spent on it again', async () => {
      await enable(w); // 100 points = 5.00
      const c = await pointsCustomer(w);
      await grant(w, c, 250);
      const doc = await draft(w, c, 2000);
      const spent = await w.points.redeem(w.ctx, { invoice_id: doc.id });
      expect(spent).to.include({ points: 200, value: 1000, created: true });
      expect(await balances(w, c)).to.deep.equal({ account: 50, ledger: 50 });

      const edited = await w.documents.replaceLines(w.ctx, doc.id, kept(spent.document.lines!, (l) => l.product_code === 'PTS'));
      expect(edited.total).to.equal(2000);
      expect(await balances(w, c)).to.deep.equal({ account: 250, ledger: 250 });
      // The same edit saved again finds no points line to remove: nothing comes back twice.
      await w.documents.replaceLines(w.ctx, doc.id, kept(edited.lines!, () => false));
      expect(await balances(w, c)).to.deep.equal({ account: 250, ledger: 250 });

      const again = await w.points.redeem(w.ctx, { invoice_id: doc.id });
      expect(again).to.include({ points: 200, created: true });
      expect(await balances(w, c)).to.deep.equal({ account: 50, ledger: 50 });
      // Asking again answers the standing redemption.
      expect(await w.points.redeem(w.ctx, { invoice_id: doc.id })).to.include({ points: 200, created: false });
    });

    it('cancelling a draft order returns the points spent on it', async () => {
      await enable(w);
      const c = await pointsCustomer(w);
      await grant(w, c, 100);
      const order = await w.documents.createOrder(w.ctx, { customerId: c, lines: [{ productCode: 'ITEM', quantity: 1, unitPrice: 900 }] });
      await w.points.redeem(w.ctx, { order_id: order.id });
      expect(await balances(w, c)).to.deep.equal({ account: 0, ledger: 0 });
      await w.documents.setDeliveryStatus(w.ctx, order.id, 'cancelled');
      expect(await balances(w, c)).to.deep.equal({ account: 100, ledger: 100 });
    });
  });
});
