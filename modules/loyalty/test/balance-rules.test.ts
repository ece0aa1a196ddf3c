import { expect } from 'chai';
import fc from 'fast-check';
import { bestOffer, percentOf, refusal, shareOf, type OfferRule } from '../balance/offer-rules';

const offer = (over: Partial<OfferRule>): OfferRule => ({ id: 1, name: 'o', kind: 'recharge', rate_bps: 1000, threshold: 5000, payment_methods: [], active: true, valid_from: null, valid_to: null, ...over });
const day = '2026-06-15';

describe('loyalty balance offer rules', () => {
  it('percentOf rounds half-up once, in integers, whatever the size', () => {
    expect(percentOf(3333, 1250)).to.equal(417); // 416.625
    expect(percentOf(1010, 500)).to.equal(51); // 50.5
    expect(percentOf(1009, 500)).to.equal(50); // 50.45
    fc.assert(fc.property(fc.integer({ min: 0, max: 100_000_000_000 }), fc.integer({ min: 0, max: 10000 }), (amount, bps) => {
      const exact = BigInt(amount) * BigInt(bps);
      const got = BigInt(percentOf(amount, bps));
      // got is the nearest integer to exact/10000, halves going up.
      return got * 10000n - exact <= 5000n && exact - got * 10000n < 5000n;
    }));
  });

  it('shares of partial refunds, taken cumulatively, add up to the whole exactly', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 1_000_000 }), fc.integer({ min: 0, max: 100_000 }), fc.array(fc.integer({ min: 1, max: 1000 }), { minLength: 1, maxLength: 8 }), (total, value, parts) => {
      const sum = parts.reduce((a, b) => a + b, 0);
      const scaled = parts.map((p) => Math.floor((p * total) / sum));
      scaled[scaled.length - 1] += total - scaled.reduce((a, b) => a + b, 0);
      let refunded = 0;
      let taken = 0;
      for (const part of scaled) {
        refunded += part;
        taken += shareOf(value, refunded, total) - taken;
      }
      return taken === value;
    }));
  });

  it('a recharge offer applies at its threshold and not one cent below', () => {
    expect(refusal(offer({}), { kind: 'recharge', amount: 5000, method: 'cash', day })).to.equal(null);
    expect(refusal(offer({}), { kind: 'recharge', amount: 4999, method: 'cash', day })).to.match(/below the threshold/);
  });

  it('limits: payment methods, validity dates, inactive, kind', () => {
    expect(refusal(offer({ payment_methods: ['online'] }), { kind: 'recharge', amount: 9000, method: 'cash', day })).to.match(/not for cash/);
    expect(refusal(offer({ payment_methods: ['online'] }), { kind: 'recharge', amount: 9000, method: 'online', day })).to.equal(null);
    expect(refusal(offer({ valid_from: '2026-06-16' }), { kind: 'recharge', amount: 9000, method: 'cash', day })).to.match(/starts/);
    expect(refusal(offer({ valid_to: '2026-06-14' }), { kind: 'recharge', amount: 9000, method: 'cash', day })).to.match(/ended/);
    expect(refusal(offer({ active: false }), { kind: 'recharge', amount: 9000, method: 'cash', day })).to.equal('inactive');
    expect(refusal(offer({ kind: 'cashback' }), { kind: 'recharge', amount: 9000, method: 'cash', day })).to.equal('other kind');
  });

  it('the best offer is the one giving the most; ties go to the higher threshold', () => {
    const offers = [offer({ id: 1, rate_bps: 500, threshold: 1000 }), offer({ id: 2, rate_bps: 1000, threshold: 8000 }), offer({ id: 3, rate_bps: 1000, threshold: 6000 })];
    expect(bestOffer(offers, { kind: 'recharge', amount: 7000, method: 'cash', day })?.offer.id).to.equal(3);
    expect(bestOffer(offers, { kind: 'recharge', amount: 9000, method: 'cash', day })).to.deep.include({ value: 900 });
    expect(bestOffer(offers, { kind: 'recharge', amount: 9000, method: 'cash', day })?.offer.id).to.equal(2);
    expect(bestOffer(offers, { kind: 'recharge', amount: 999, method: 'cash', day })).to.equal(null);
  });
});
