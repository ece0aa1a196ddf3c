import { expect } from 'chai';
import fc from 'fast-check';
import { CODE_ALPHABET, normalizeCode, randomCode } from '../coupons/coupon-codes';
import { discountFor, percentOf, validityProblem } from '../coupons/coupon-rules';

/** The coupon's arithmetic and calendar without a database. */
describe('loyalty coupon rules', () => {
  it('a percent rounds half-up once: 0.5 goes up, 0.4999 goes down', () => {
    expect(percentOf(10, 2500)).to.equal(3); // 2.5
    expect(percentOf(1001, 1250)).to.equal(125); // 125.125
    expect(percentOf(1004, 1250)).to.equal(126); // 125.5
    expect(percentOf(9999, 1)).to.equal(1); // 0.9999
    expect(percentOf(4999, 1)).to.equal(0); // 0.4999
    expect(percentOf(0, 5000)).to.equal(0);
  });

  it('a percent is exact where total × rate passes 2^53 (no float): 50 % of 2^53 - 1 is …495.5 → …496', () => {
    expect(percentOf(9_007_199_254_740_991, 5000)).to.equal(4_503_599_627_370_496);
    expect(percentOf(9_007_199_254_740_991, 3333)).to.equal(3_002_099_511_605_172); // …172.3003
  });

  it('property: the discount is the exact quotient rounded half-up, and never more than the total', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e12 }), fc.integer({ min: 1, max: 10000 }), (total, bp) => {
        const d = discountFor({ kind: 'percent', amount: null, percent: bp }, total);
        const exact = BigInt(total) * BigInt(bp);
        // d - 1/2 <= exact/10000 < d + 1/2
        expect(BigInt(d) * 20000n - 10000n <= exact * 2n && exact * 2n < BigInt(d) * 20000n + 10000n).to.equal(true);
        expect(d).to.be.at.most(total);
      }),
    );
  });

  it('a fixed amount is capped by the total; nothing is taken from an empty document', () => {
    expect(discountFor({ kind: 'fixed', amount: 500, percent: null }, 1999)).to.equal(500);
    expect(discountFor({ kind: 'fixed', amount: 500, percent: null }, 300)).to.equal(300);
    expect(discountFor({ kind: 'fixed', amount: 500, percent: null }, 0)).to.equal(0);
  });

  it('validity is inclusive at both ends; open ends never refuse', () => {
    expect(validityProblem('2026-03-01', '2026-03-01', '2026-03-31')).to.equal(null);
    expect(validityProblem('2026-03-31', '2026-03-01', '2026-03-31')).to.equal(null);
    expect(validityProblem('2026-02-28', '2026-03-01', '2026-03-31')).to.equal('not_yet_valid');
    expect(validityProblem('2026-04-01', '2026-03-01', '2026-03-31')).to.equal('expired');
    expect(validityProblem('1999-01-01', null, null)).to.equal(null);
  });

  it('codes: 12 symbols in groups of 4 without look-alikes, typed in any case', () => {
    expect(CODE_ALPHABET).not.to.match(/[01OIL]/);
    const codes = Array.from({ length: 2000 }, () => randomCode('VIP'));
    for (const code of codes) expect(code).to.match(/^VIP-[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}$/);
    expect(new Set(codes).size).to.equal(2000);
    expect(normalizeCode('  vip-abcd-efgh-jkmn ')).to.equal('VIP-ABCD-EFGH-JKMN');
  });

  it('codes use every symbol of the alphabet about evenly (crypto random, no modulo bias)', () => {
    const counts = new Map<string, number>();
    for (let i = 0; i < 3000; i++) for (const ch of randomCode().replace(/-/g, '')) counts.set(ch, (counts.get(ch) ?? 0) + 1);
    expect(counts.size).to.equal(CODE_ALPHABET.length);
    const expected = (3000 * 12) / CODE_ALPHABET.length; // ≈ 1161
    for (const n of counts.values()) expect(n).to.be.within(expected * 0.8, expected * 1.2);
  });
});
