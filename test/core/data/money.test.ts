import { expect } from 'chai';
import fc from 'fast-check';
import { applyRate, formatAmount, parseAmount } from '../../../core/data/money';

describe('money in integer minor units', () => {
  it('rounds a rate half-up once: 12.5 % of 1,001 is 125, of 1,004 is 126', () => {
    expect(applyRate(1001, 1250)).to.equal(125);
    expect(applyRate(1004, 1250)).to.equal(126);
    expect(applyRate(25, 1000)).to.equal(3);
    expect(applyRate(-25, 1000)).to.equal(-3);
    expect(applyRate(0, 1250)).to.equal(0);
  });

  it('stays exact where a float would not (9,007,199,254,740,991 at 50 %)', () => {
    expect(applyRate(Number.MAX_SAFE_INTEGER, 5000)).to.equal(4503599627370496);
  });

  it('refuses fractions of a minor unit or of a basis point', () => {
    expect(() => applyRate(10.5, 100)).to.throw(RangeError);
    expect(() => applyRate(100, 12.5)).to.throw(RangeError);
  });

  it('never moves an amount by more than half a minor unit from the exact product', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1e9, max: 1e9 }), fc.integer({ min: 0, max: 10000 }), (value, bp) => {
        const exact = BigInt(value) * BigInt(bp);
        const diff = BigInt(applyRate(value, bp)) * 10000n - exact;
        return (diff < 0n ? -diff : diff) <= 5000n;
      }),
    );
  });

  it('reads and writes amounts with the currency decimals', () => {
    expect(parseAmount('12.5', 'EUR')).to.equal(1250);
    expect(parseAmount('12.345', 'EUR')).to.equal(null);
    expect(parseAmount('1500', 'XOF')).to.equal(1500);
    expect(formatAmount(-1250, 'EUR')).to.equal('-12.50');
  });
});
