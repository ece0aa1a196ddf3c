import { expect } from 'chai';
import fc from 'fast-check';
import { divHalfUp, earningBase, pointsEarned, pointsToReverse, pointsValue, redemptionOf, type PointsRules } from '../points/points-rules';

const tranche: PointsRules = { ratio_bp: 10000, mode: 'tranche', tranche_points: 100, tranche_value: 500, point_value: 1 };

describe('loyalty points rules (pure)', () => {
  it('earning is floor(amount × ratio) from minor units, without floats', () => {
    expect(pointsEarned(1999, 15000, 100)).to.equal(29);
    expect(pointsEarned(99, 10000, 100)).to.equal(0);
    expect(pointsEarned(1999, 10000, 1)).to.equal(1999); // a currency without decimals
    expect(pointsEarned(9_007_199_254_740_991, 20000, 100)).to.equal(180_143_985_094_819); // past 2^53 in the product
    fc.assert(fc.property(fc.integer({ min: 0, max: 1e12 }), fc.integer({ min: 0, max: 1e6 }), (amount, ratio) => {
      const p = pointsEarned(amount, ratio, 100);
      // p ≤ amount × ratio / 1e6 < p + 1, checked in integers
      return BigInt(p) * 1_000_000n <= BigInt(amount) * BigInt(ratio) && BigInt(amount) * BigInt(ratio) < BigInt(p + 1) * 1_000_000n;
    }));
  });

  it('the base counts discounts and the points line, and skips positive lines of the points product', () => {
    expect(earningBase([{ product_code: 'ITEM', amount: 10000 }, { product_code: 'PTS', amount: -500 }, { product_code: 'ITEM', amount: -1000 }], 'PTS')).to.equal(8500);
    expect(earningBase([{ product_code: 'PTS', amount: 700 }, { product_code: 'ITEM', amount: 300 }], 'PTS')).to.equal(300);
    expect(earningBase([{ product_code: 'ITEM', amount: -10 }], 'PTS')).to.equal(0);
  });

  it('reversals of any sequence of partial credits add up to exactly what was earned', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 1e9 }), fc.integer({ min: 1, max: 50000 }), fc.array(fc.integer({ min: 1, max: 1e9 }), { minLength: 1, maxLength: 8 }), (base, ratio, parts) => {
      const earned = pointsEarned(base, ratio, 100);
      let credited = 0;
      let reversed = 0;
      const cuts = parts.map((p) => Math.max(1, Math.floor((p % base) + 1)));
      for (const cut of cuts) {
        credited = Math.min(base, credited + cut);
        const r = pointsToReverse(earned, base, credited, reversed);
        if (r < 0) return false;
        reversed += r;
        if (reversed > earned) return false;
      }
      reversed += pointsToReverse(earned, base, base, reversed);
      return reversed === earned;
    }));
    expect(pointsToReverse(100, 10000, 2550, 0)).to.equal(26);
  });

  it('by tranche: t = min(floor(balance / P), floor(total / V)); under one tranche nothing', () => {
    expect(redemptionOf(tranche, 350, 2000)).to.deep.equal({ tranches: 3, points: 300, value: 1500 });
    expect(redemptionOf(tranche, 350, 1299)).to.deep.equal({ tranches: 2, points: 200, value: 1000 });
    expect(redemptionOf(tranche, 99, 100000)).to.equal(null);
    expect(redemptionOf(tranche, 1000, 499)).to.equal(null);
    fc.assert(fc.property(fc.integer({ min: 0, max: 1e7 }), fc.integer({ min: 0, max: 1e9 }), (balance, total) => {
      const r = redemptionOf(tranche, balance, total);
      return r === null ? balance < 100 || total < 500 : r.points <= balance && r.value <= total && r.points % 100 === 0 && r.value === (r.points / 100) * 500;
    }));
  });

  it('by direct value: points × v capped by the total, never a split point', () => {
    const direct: PointsRules = { ...tranche, mode: 'direct', point_value: 2 };
    expect(redemptionOf(direct, 1000, 1501)).to.deep.equal({ points: 750, value: 1500 });
    expect(redemptionOf(direct, 300, 10000)).to.deep.equal({ points: 300, value: 600 });
    expect(redemptionOf(direct, 300, 1)).to.equal(null);
    fc.assert(fc.property(fc.integer({ min: 0, max: 1e7 }), fc.integer({ min: 0, max: 1e9 }), fc.integer({ min: 1, max: 1000 }), (balance, total, v) => {
      const r = redemptionOf({ ...direct, point_value: v }, balance, total);
      return r === null ? balance < 1 || total < v : r.points <= balance && r.value <= total && r.value === r.points * v && (r.points === balance || total - r.value < v);
    }));
  });

  it('a tranche-mode point is valued V / P rounded half-up once, on the whole sum', () => {
    expect(pointsValue({ ...tranche, tranche_points: 3, tranche_value: 100 }, 1)).to.equal(33n); // 33.33 → 33
    expect(pointsValue({ ...tranche, tranche_points: 3, tranche_value: 100 }, 2)).to.equal(67n); // 66.67 → 67
    expect(pointsValue({ ...tranche, tranche_points: 2, tranche_value: 1 }, 1)).to.equal(1n); // 0.5 → 1 (half-up)
    expect(divHalfUp(-5n, 2n)).to.equal(-3n);
  });
});
