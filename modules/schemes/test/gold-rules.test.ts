import { expect } from 'chai';
import fc from 'fast-check';
import { addMonths, dueMonths, isOnTime, maturityOf, redemptionRefusal, windowOf } from '../gold/rules/gold-calendar';
import { bonusOf, divHalfUp, gramsMilli, previewTierChange, type RewardRule, type Segment } from '../gold/rules/gold-rewards';

const rule = (over: Partial<RewardRule>): RewardRule => ({ kind: 'none', instalments: 0, rate: 0, every: 0, minInstalments: 0, ...over });
const flat = (instalment: number): Segment[] => [{ from_seq: 1, instalment, tier: 'A' }];
const onTime = (k: number, instalment = 1000) => Array.from({ length: k }, () => ({ outcome: 'on_time' as const, instalment }));

describe('gold scheme rules', () => {
  it('grams are round_half_up(amount / rate, 3) in milligrams', () => {
    expect(gramsMilli(10_000, 6_000)).to.equal(1_667); // 1.6666… g
    expect(gramsMilli(3, 2_000)).to.equal(2); // 0.0015 g rounds up to 0.002
    expect(gramsMilli(1, 2_000)).to.equal(1); // 0.0005 → 0.001 (half up)
    expect(gramsMilli(1, 2_001)).to.equal(0); // 0.00049… → 0
  });

  it('round half-up division is within half a unit of the exact quotient (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e12 }), fc.integer({ min: 1, max: 1e7 }), (n, d) => {
        const q = divHalfUp(n, d);
        expect(2 * Math.abs(q * d - n)).to.be.at.most(d);
        if (2 * (n - Math.floor(n / d) * d) === d) expect(q).to.equal(Math.floor(n / d) + 1);
      }),
    );
  });

  it('a plan\'s grams are the sum of the rounded instalments, never the rounded sum', () => {
    // Three 1 unit instalments at 2000/g: each 0.0005 g → 0.001 g, so 0.003 g, where the total rounds to 0.002.
    expect([1, 1, 1].map((a) => gramsMilli(a, 2_000)).reduce((s, g) => s + g, 0)).to.equal(3);
    expect(gramsMilli(3, 2_000)).to.equal(2);
  });

  it('fixed reward: k instalments\' worth once all n are paid (11 + 1)', () => {
    const r = rule({ kind: 'fixed', instalments: 1 });
    expect(bonusOf({ rule: r, n: 11, segments: flat(5_000), paid: 11, onTime: 3, outcomes: [] })).to.equal(5_000);
    expect(bonusOf({ rule: r, n: 11, segments: flat(5_000), paid: 10, onTime: 10, outcomes: [] })).to.equal(0);
  });

  it('percentage reward: p % of an instalment × on_time / n, none below the minimum', () => {
    const r = rule({ kind: 'percentage', rate: 5_000, minInstalments: 6 }); // 50 %
    // 12 months of 2,000: 50 % is 1,000; 9 on time of 12 → 750.
    expect(bonusOf({ rule: r, n: 12, segments: flat(2_000), paid: 12, onTime: 9, outcomes: [] })).to.equal(750);
    // 7 on time of 12 → 583.33 → 583; and 1,000 × 5 / 12 = 416.67 → 417 (half up)
    expect(bonusOf({ rule: r, n: 12, segments: flat(2_000), paid: 8, onTime: 7, outcomes: [] })).to.equal(583);
    expect(bonusOf({ rule: r, n: 12, segments: flat(2_000), paid: 6, onTime: 5, outcomes: [] })).to.equal(417);
    expect(bonusOf({ rule: r, n: 12, segments: flat(2_000), paid: 5, onTime: 5, outcomes: [] })).to.equal(0);
  });

  it('interval reward: every k consecutive on-time instalments; late or missed restarts the count', () => {
    const r = rule({ kind: 'interval', every: 3, rate: 1_000 }); // 10 % of the instalment every 3 on time
    const o = (s: string) => [...s].map((c) => ({ outcome: (c === 'o' ? 'on_time' : c === 'l' ? 'late' : 'missed') as 'on_time', instalment: 4_000 }));
    expect(bonusOf({ rule: r, n: 12, segments: flat(4_000), paid: 0, onTime: 0, outcomes: o('oooooo') })).to.equal(800);
    expect(bonusOf({ rule: r, n: 12, segments: flat(4_000), paid: 0, onTime: 0, outcomes: o('oolooo') })).to.equal(400);
    expect(bonusOf({ rule: r, n: 12, segments: flat(4_000), paid: 0, onTime: 0, outcomes: o('oomoolooo') })).to.equal(400);
  });

  it('tier change prorates the bonus by months at each amount, and the preview says so', () => {
    const r = rule({ kind: 'fixed', instalments: 1 });
    const segments: Segment[] = [{ from_seq: 1, instalment: 1_000, tier: 'A' }, { from_seq: 5, instalment: 2_000, tier: 'B' }];
    // 4 months at 1,000 and 8 at 2,000 over 12: 20,000 / 12 = 1,666.67 → 1,667
    expect(bonusOf({ rule: r, n: 12, segments, paid: 12, onTime: 12, outcomes: [] })).to.equal(1_667);
    const preview = previewTierChange({ rule: r, n: 12, segments: flat(1_000), paid: 4, onTime: 4, outcomes: onTime(4) }, 'B', 2_000);
    expect(preview).to.deep.include({ from_seq: 5, remaining: 8 });
    expect(preview.before).to.deep.equal({ instalment: 1_000, bonus_at_maturity: 1_000, total_at_maturity: 13_000 });
    expect(preview.after).to.deep.equal({ instalment: 2_000, bonus_at_maturity: 1_667, total_at_maturity: 21_667 });
  });

  it('on time is judged on the company\'s calendar around midnight', () => {
    const w = { startDay: 1, endDay: 10 };
    // Asia/Kolkata is UTC+5:30: 23:30 local on the 10th is 18:00 UTC, 00:10 local on the 11th is 18:40 UTC on the 10th.
    expect(isOnTime(new Date('2026-03-10T18:00:00Z'), '2026-03', w, 'Asia/Kolkata')).to.equal(true);
    expect(isOnTime(new Date('2026-03-10T18:40:00Z'), '2026-03', w, 'Asia/Kolkata')).to.equal(false);
    expect(isOnTime(new Date('2026-03-10T18:40:00Z'), '2026-03', w, 'UTC')).to.equal(true);
    // America/New_York (UTC-4 in March after DST): 23:30 local on the 10th is 03:30 UTC on the 11th.
    expect(isOnTime(new Date('2026-03-11T03:30:00Z'), '2026-03', w, 'America/New_York')).to.equal(true);
    expect(isOnTime(new Date('2026-03-11T04:10:00Z'), '2026-03', w, 'America/New_York')).to.equal(false);
    expect(windowOf('2026-04', 25, 31)).to.deep.equal({ first: '2026-04-25', last: '2026-04-30' });
  });

  it('due months skip pauses and grow by one per missed month; maturity follows the last', () => {
    expect(dueMonths({ start: '2026-11', instalments: 3, missed: 0, pauses: [] })).to.deep.equal(['2026-11', '2026-12', '2027-01']);
    const paused = dueMonths({ start: '2026-11', instalments: 3, missed: 1, pauses: [{ from: '2026-12', months: 2 }] });
    expect(paused).to.deep.equal(['2026-11', '2027-02', '2027-03', '2027-04']);
    expect(maturityOf(paused)).to.deep.equal({ month: '2027-04', date: '2027-05-01' });
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 6 }), fc.integer({ min: 0, max: 11 }), (n, missed, pauseLen, pauseAt) => {
        const start = '2026-01';
        const due = dueMonths({ start, instalments: n, missed, pauses: pauseLen ? [{ from: addMonths(start, pauseAt), months: pauseLen }] : [] });
        expect(due).to.have.length(n + missed);
        const pausedInside = pauseLen && pauseAt < n + missed ? pauseLen : 0;
        expect(maturityOf(due).month).to.equal(addMonths(start, n + missed - 1 + pausedInside));
      }),
    );
  });

  it('redemption window: the maturity day and the last day allowed, the day before and after refused', () => {
    expect(redemptionRefusal('2027-04-30', '2027-05-01', 90)).to.match(/matures on 2027-05-01/);
    expect(redemptionRefusal('2027-05-01', '2027-05-01', 90)).to.equal(null);
    expect(redemptionRefusal('2027-07-30', '2027-05-01', 90)).to.equal(null);
    expect(redemptionRefusal('2027-07-31', '2027-05-01', 90)).to.match(/ended on 2027-07-30/);
  });
});
