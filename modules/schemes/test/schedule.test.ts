import { expect } from 'chai';
import fc from 'fast-check';
import { planSchedule, scheduleProblems } from '../plans/plan-schedule';

describe('schemes pay plan schedule', () => {
  it('puts the remainder on the last instalment: 500 over 3 is 166, 166, 168', () => {
    const rows = planSchedule({ total: 600, deposit: 100, instalmentAmount: 170, instalmentDays: 30 });
    expect(rows.map((r) => r.amount)).to.deep.equal([100, 166, 166, 168]);
    expect(rows.map((r) => r.dueAfterDays)).to.deep.equal([0, 30, 60, 90]);
  });

  it('has no instalments when the deposit pays it all, and no deposit row when there is none', () => {
    expect(planSchedule({ total: 500, deposit: 500, instalmentAmount: 100, instalmentDays: 7 }).map((r) => r.amount)).to.deep.equal([500]);
    expect(planSchedule({ total: 300, deposit: 0, instalmentAmount: 100, instalmentDays: 7 }).map((r) => r.seq)).to.deep.equal([1, 2, 3]);
  });

  it('always adds up to the total, with equal rows but the last, which is the largest by less than n', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10_000_000 }), fc.integer({ min: 0, max: 100 }), fc.integer({ min: 1, max: 1_000_000 }), (total, depositPct, wanted) => {
        const deposit = Math.floor((total * depositPct) / 100);
        // At most 400 instalments: a plan of ten years of weekly payments.
        const instalment = Math.max(wanted, Math.ceil((total - deposit) / 400));
        const rows = planSchedule({ total, deposit, instalmentAmount: instalment, instalmentDays: 7 });
        expect(rows.reduce((s, r) => s + r.amount, 0)).to.equal(total);
        const inst = rows.filter((r) => r.seq > 0);
        if (!inst.length) return;
        const first = inst[0].amount;
        for (const r of inst.slice(0, -1)) expect(r.amount).to.equal(first);
        const last = inst[inst.length - 1].amount;
        expect(last - first).to.be.within(0, inst.length - 1);
        expect(first).to.be.at.most(instalment);
        for (const r of rows) expect(Number.isSafeInteger(r.amount) && r.amount >= 0).to.equal(true);
      }),
    );
  });

  it('names each wrong money field', () => {
    expect(scheduleProblems({ total: 100, deposit: 200, instalmentAmount: 0, instalmentDays: 0 })).to.deep.equal({
      deposit: 'cannot exceed the total',
      instalment_amount: 'must be a positive amount',
      instalment_days: 'must be a whole number of days from 1 to 366',
    });
  });
});
