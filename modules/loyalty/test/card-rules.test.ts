import { expect } from 'chai';
import fc from 'fast-check';
import { milestonesReached, redeemMilestone, stampsForPurchase, stampsLapsed } from '../cards/rules/stamp-rules';
import { membershipAdmits, membershipEnds, spendCertificate, useMultipass } from '../cards/rules/pass-rules';
import { levelAmount, levelFor, type Level } from '../cards/rules/level-rules';
import { quintileScores, scoreRfm, segmentOf } from '../cards/rules/rfm';

describe('loyalty cards: the rules of each card type', () => {
  describe('stamp card', () => {
    it('gives one stamp per whole step of a purchase: 24.90 at a 10.00 step is 2 stamps, 9.99 none', () => {
      expect(stampsForPurchase(2490, 1000)).to.equal(2);
      expect(stampsForPurchase(999, 1000)).to.equal(0);
      expect(stampsForPurchase(3000, 1000)).to.equal(3);
      expect(stampsForPurchase(-500, 1000)).to.equal(0);
    });

    it('redeems a reward at its milestone and carries the stamps beyond it over', () => {
      expect(milestonesReached(7, [10, 5])).to.deep.equal([5]);
      expect(redeemMilestone(12, 10, [5, 10])).to.deep.equal({ ok: true, stamps: 2 });
      expect(redeemMilestone(9, 10, [5, 10])).to.deep.equal({ ok: false, reason: 'the reward needs 10 stamps; the card has 9' });
      expect(redeemMilestone(12, 8, [5, 10]).ok).to.equal(false);
    });

    it('keeps stamps through the Nth day after the last stamp and drops them the day after', () => {
      const life = { kind: 'days_since_last', days: 30 } as const;
      expect(stampsLapsed(life, '2026-01-31', '2026-03-02')).to.equal(false); // day 30
      expect(stampsLapsed(life, '2026-01-31', '2026-03-03')).to.equal(true); // day 31
      expect(stampsLapsed({ kind: 'until', day: '2026-12-31' }, null, '2026-12-31')).to.equal(false);
      expect(stampsLapsed({ kind: 'until', day: '2026-12-31' }, null, '2027-01-01')).to.equal(true);
      expect(stampsLapsed({ kind: 'unlimited' }, '2000-01-01', '2026-01-01')).to.equal(false);
    });
  });

  describe('multipass and certificate', () => {
    it('takes a use from what is left and refuses to go below zero', () => {
      expect(useMultipass(3)).to.deep.equal({ ok: true, left: 2 });
      expect(useMultipass(1)).to.deep.equal({ ok: true, left: 0 });
      expect(useMultipass(0)).to.deep.equal({ ok: false, reason: 'the pass has no uses left' });
      expect(useMultipass(2, 3).ok).to.equal(false);
    });

    it('never overdraws a certificate', () => {
      expect(spendCertificate(5000, 5000)).to.deep.equal({ ok: true, left: 0 });
      expect(spendCertificate(5000, 5001).ok).to.equal(false);
      fc.assert(fc.property(fc.nat(1e9), fc.integer({ min: -10, max: 2e9 }), (balance, amount) => {
        const out = spendCertificate(balance, amount);
        return out.ok ? out.left >= 0 && out.left === balance - amount : amount > balance || amount <= 0;
      }));
    });
  });

  describe('membership', () => {
    it('ends a month from the 31st on the last day of the next month, and from the 15th on the 14th', () => {
      expect(membershipEnds('2026-01-31', 'month')).to.equal('2026-02-28');
      expect(membershipEnds('2028-01-31', 'month')).to.equal('2028-02-29');
      expect(membershipEnds('2026-01-15', 'month')).to.equal('2026-02-14');
      expect(membershipEnds('2026-03-31', 'month')).to.equal('2026-04-30');
      expect(membershipEnds('2026-01-31', 'month', 3)).to.equal('2026-04-30');
    });

    it('ends days, weeks and years on the calendar', () => {
      expect(membershipEnds('2026-02-27', 'day', 3)).to.equal('2026-03-01');
      expect(membershipEnds('2026-12-28', 'week')).to.equal('2027-01-03');
      expect(membershipEnds('2028-02-29', 'year')).to.equal('2029-02-28');
      expect(membershipEnds('2026-06-10', 'year')).to.equal('2027-06-09');
    });

    it('admits visits through its last day and up to its visit limit', () => {
      expect(membershipAdmits('2026-02-28', '2026-02-28', 0, null).ok).to.equal(true);
      expect(membershipAdmits('2026-02-28', '2026-03-01', 0, null)).to.deep.equal({ ok: false, reason: 'the membership ended on 2026-02-28' });
      expect(membershipAdmits('2026-02-28', '2026-02-01', 8, 8).ok).to.equal(false);
    });
  });

  describe('cashback and discount levels', () => {
    const levels: Level[] = [
      { name: 'Bronze', from: 0, rate: 200 },
      { name: 'Silver', from: 100_000, rate: 500 },
      { name: 'Gold', from: 500_000, rate: 1000 },
    ];

    it('judges the level on the spend before the purchase, never lifted by the purchase itself', () => {
      // 990.00 spent, a 50.00 purchase: still Bronze at 2 % (1.00), although it takes the total past 1,000.00.
      expect(levelAmount(levels, 99_000, 5000)).to.deep.equal({ level: levels[0], amount: 100 });
      expect(levelAmount(levels, 100_000, 5000).amount).to.equal(250);
      expect(levelFor(levels, 500_000)!.name).to.equal('Gold');
    });

    it('rounds the percent half-up once: 5 % of 10.10 is 0.51, of 10.09 is 0.50', () => {
      expect(levelAmount(levels, 100_000, 1010).amount).to.equal(51);
      expect(levelAmount(levels, 100_000, 1009).amount).to.equal(50);
      expect(levelAmount([{ name: 'VIP', from: 1000, rate: 500 }], 0, 5000)).to.deep.equal({ level: null, amount: 0 });
    });
  });

  describe('RFM analysis', () => {
    it('scores 1 to 5 by quintile, equal values alike', () => {
      expect(quintileScores([10, 20, 30, 40, 50, 60, 70, 80, 90, 100])).to.deep.equal([1, 1, 2, 2, 3, 3, 4, 4, 5, 5]);
      expect(quintileScores([5, 5, 5, 5, 5])).to.deep.equal([1, 1, 1, 1, 1]);
      expect(quintileScores([1, 9, 9, 9, 9])).to.deep.equal([1, 2, 2, 2, 2]);
    });

    it('names segments on a known data set: a recent big spender is a champion, a long-gone one lost', () => {
      const rows = Array.from({ length: 10 }, (_, i) => ({ id: i + 1, recencyDays: 5 + i * 30, frequency: 20 - i * 2, monetary: 100_000 - i * 10_000 }));
      const scored = scoreRfm(rows);
      expect(scored[0]).to.deep.equal({ id: 1, r: 5, f: 5, m: 5, segment: 'champions' });
      expect(scored[9]).to.deep.equal({ id: 10, r: 1, f: 1, m: 1, segment: 'lost' });
      expect(segmentOf(1, 5, 5)).to.equal('cant_lose');
      expect(segmentOf(2, 3, 4)).to.equal('at_risk');
      expect(segmentOf(5, 1, 1)).to.equal('new');
    });

    it('gives every customer a score whatever order they come in', () => {
      fc.assert(fc.property(fc.array(fc.record({ recencyDays: fc.nat(400), frequency: fc.nat(50), monetary: fc.nat(1e7) }), { minLength: 1, maxLength: 60 }), (raw) => {
        const rows = raw.map((r, i) => ({ id: i, ...r }));
        const forward = new Map(scoreRfm(rows).map((s) => [s.id, s]));
        return scoreRfm([...rows].reverse()).every((s) => JSON.stringify(forward.get(s.id)) === JSON.stringify(s) && s.r >= 1 && s.r <= 5);
      }));
    });
  });
});
