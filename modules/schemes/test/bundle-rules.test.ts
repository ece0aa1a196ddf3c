import { expect } from 'chai';
import { chooseBundle, explain, type BundleRule, type PaymentFacts } from '../bundles/bundle-rules';
import { purchase } from '../plans/plan-days';

const DAILY_40 = { instalmentAmount: 840, instalmentDays: 21 };
let nextId = 1;
function bundle(over: Partial<BundleRule> = {}): BundleRule {
  return { id: nextId++, name: 'b', journal_id: 9, trigger_days: 21, reward_days: 2, type: 'ontime_only', payment_journal_ids: [], group_ids: [1], active: true, valid_from: null, valid_to: null, ...over };
}
function facts(amount: number, over: Partial<PaymentFacts> = {}): PaymentFacts {
  return { ownDays: purchase(DAILY_40, amount).ownDays, journalId: 5, day: '2026-12-02', groupIds: new Set([1]), ...over };
}

describe('schemes bundle rules', () => {
  const b21 = bundle();

  it('one payment that buys the trigger (21 days at 40 a day) earns the reward', () => {
    expect(chooseBundle([b21], facts(840))).to.equal(b21);
  });

  it('a payment one minor unit short earns nothing', () => {
    expect(chooseBundle([b21], facts(839))).to.equal(null);
  });

  it('payments never add up, and carried credit does not count toward the trigger', () => {
    const first = purchase(DAILY_40, 839);
    const second = purchase(DAILY_40, 420, first.carriedScaled);
    expect(second.days).to.equal(11);
    expect(chooseBundle([b21], { ...facts(0), ownDays: second.ownDays })).to.equal(null);
  });

  it('only the largest matching trigger applies: 28 → +3 beats 14 → +1', () => {
    const b14 = bundle({ trigger_days: 14, reward_days: 1 });
    const b28 = bundle({ trigger_days: 28, reward_days: 3 });
    expect(chooseBundle([b14, b28], facts(28 * 40))).to.equal(b28);
    expect(chooseBundle([b28, b14], facts(20 * 40))).to.equal(b14);
    expect(explain([b14, b28], facts(28 * 40)).map((r) => r.verdict)).to.deep.equal(['awarded', 'outranked']);
  });

  it('a payment in a journal the bundle excludes earns nothing; empty journals means all', () => {
    const only7 = bundle({ payment_journal_ids: [7] });
    expect(chooseBundle([only7], facts(840))).to.equal(null);
    expect(chooseBundle([only7], facts(840, { journalId: 7 }))).to.equal(only7);
  });

  it('no groups means nobody; a customer outside its groups earns nothing', () => {
    expect(chooseBundle([bundle({ group_ids: [] })], facts(840))).to.equal(null);
    expect(chooseBundle([b21], facts(840, { groupIds: new Set([2]) }))).to.equal(null);
  });

  it('inactive bundles and days outside the validity earn nothing', () => {
    expect(explain([bundle({ active: false })], facts(840))[0].verdict).to.equal('inactive');
    expect(explain([bundle({ valid_from: '2026-12-03' })], facts(840))[0].verdict).to.equal('not_yet_valid');
    expect(explain([bundle({ valid_to: '2026-12-01' })], facts(840))[0].verdict).to.equal('expired');
    expect(chooseBundle([bundle({ valid_from: '2026-12-02', valid_to: '2026-12-02' })], facts(840))).to.not.equal(null);
  });
});
