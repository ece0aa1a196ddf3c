import { expect } from 'chai';
import fc from 'fast-check';
import { carriedMinor, purchase, unpurchase, valueOfDays } from '../plans/plan-days';
import { addDays, extendExpiry } from '../plans/plan-expiry';

const DAILY_40 = { instalmentAmount: 840, instalmentDays: 21 };

describe('schemes days bought', () => {
  it('buys whole days only: 90 per 30 days, paid 90, buys exactly 30', () => {
    expect(purchase({ instalmentAmount: 90, instalmentDays: 30 }, 90)).to.deep.equal({ days: 30, ownDays: 30, carriedScaled: 0 });
  });

  it('a payment one minor unit short buys a day less and carries the rest, which counts next time', () => {
    const short = purchase(DAILY_40, 839);
    expect(short.days).to.equal(20);
    expect(carriedMinor(DAILY_40, short.carriedScaled)).to.equal(39);
    const next = purchase(DAILY_40, 1, short.carriedScaled);
    expect(next).to.deep.equal({ days: 1, ownDays: 0, carriedScaled: 0 });
  });

  it('never loses money nor gives a day away, whatever the payments', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100_000 }), fc.integer({ min: 1, max: 60 }), fc.array(fc.integer({ min: 1, max: 1_000_000 }), { maxLength: 20 }), (amount, days, payments) => {
        const rate = { instalmentAmount: amount, instalmentDays: days };
        let carried = 0;
        let bought = 0;
        for (const p of payments) {
          const r = purchase(rate, p, carried);
          expect(r.carriedScaled).to.be.within(0, rate.instalmentAmount - 1);
          expect(r.ownDays).to.be.at.most(r.days);
          carried = r.carriedScaled;
          bought += r.days;
        }
        const paid = payments.reduce((s, p) => s + p, 0);
        // Everything paid is either days bought or carried: paid × days = bought × amount + carried.
        expect(paid * days).to.equal(bought * amount + carried);
      }),
    );
  });

  it('a reversal takes back its days and its carried part, borrowing whole days when the credit was spent', () => {
    const first = purchase(DAILY_40, 839);
    expect(unpurchase(DAILY_40, first.days, first.carriedScaled, first.carriedScaled)).to.deep.equal({ days: 20, carriedScaled: 0 });
    const spent = purchase(DAILY_40, 1, first.carriedScaled);
    const undone = unpurchase(DAILY_40, first.days, first.carriedScaled, spent.carriedScaled);
    expect(undone).to.deep.equal({ days: 21, carriedScaled: 21 });
  });

  it('values reward days at the plan rate, rounded half-up once', () => {
    expect(valueOfDays(DAILY_40, 2)).to.equal(80);
    expect(valueOfDays({ instalmentAmount: 100, instalmentDays: 3 }, 1)).to.equal(33);
    expect(valueOfDays({ instalmentAmount: 100, instalmentDays: 8 }, 1)).to.equal(13);
  });
});

describe('schemes expiry', () => {
  it('expiry = max(expiry, paid_at) + days: 2025-03-01, 23 days bought on 2025-03-05 is 2025-03-28', () => {
    const paid = new Date('2025-03-05T09:30:00Z');
    expect(extendExpiry(new Date('2025-03-01T00:00:00Z'), paid, 23, 'UTC').toISOString()).to.equal('2025-03-28T09:30:00.000Z');
    expect(extendExpiry(new Date('2025-03-10T00:00:00Z'), paid, 5, 'UTC').toISOString()).to.equal('2025-03-15T00:00:00.000Z');
  });

  it('adds calendar days in the company zone, across a daylight-saving change', () => {
    // Europe/Paris moves to summer time on 2025-03-30: 08:00 local stays 08:00 local.
    expect(addDays(new Date('2025-03-29T07:00:00Z'), 2, 'Europe/Paris').toISOString()).to.equal('2025-03-31T06:00:00.000Z');
    expect(addDays(new Date('2025-03-31T06:00:00Z'), -2, 'Europe/Paris').toISOString()).to.equal('2025-03-29T07:00:00.000Z');
  });
});
