import { expect } from 'chai';
import { enrol, goldCustomer, goldWorld, makeScheme, payOn, type GoldWorld } from './gold-fixtures';

/** The month-end job behind the missed-payments report, set-based per batch: exactly once under concurrent runs. */
describe('gold missed-month job, set-based, feeding the missed report @integration', function () {
  this.timeout(Math.max(this.timeout(), 120_000));
  let w: GoldWorld;
  before(async () => {
    w = await goldWorld();
  });

  it('two concurrent runs flag each unpaid month once, extend each maturity once and write one history line per flag', async () => {
    const s = await makeScheme(w, { duration_months: 3 });
    const plans: any[] = [];
    for (let i = 0; i < 12; i++) plans.push(await enrol(w, s.id, await goldCustomer(w), i < 4 ? '2026-08' : '2026-09'));
    // Plans 0–3 started in August: August paid by 0–1 only; September paid by even plans.
    for (const [i, p] of plans.entries()) {
      if (i < 2) await payOn(w, p.id, '2026-08-03', 1000);
      if (i % 2 === 0) await payOn(w, p.id, '2026-09-03', 1000);
    }
    const now = new Date('2026-09-20T12:00:00Z');
    const [a, b] = await Promise.all([w.gold.flagMissed(w.ctx, now), w.gold.flagMissed(w.ctx, now)]);
    // Missed: August of plans 2, 3 (2); September of the odd plans 1, 3, 5, 7, 9, 11 (6) = 8.
    expect(a.flagged + b.flagged).to.equal(8);
    expect((await w.gold.flagMissed(w.ctx, now)).flagged).to.equal(0);
    const rows = await w.t.knex('schemes_gold_plans').whereIn('id', plans.map((p) => p.id)).orderBy('id').select('id', 'missed_count', 'maturity_date');
    expect(rows.map((r: any) => `${Number(r.missed_count)}:${r.maturity_date}`)).to.deep.equal([
      '0:2026-11-01', '1:2026-12-01', '1:2026-12-01', '2:2027-01-01',
      '0:2026-12-01', '1:2027-01-01', '0:2026-12-01', '1:2027-01-01', '0:2026-12-01', '1:2027-01-01', '0:2026-12-01', '1:2027-01-01',
    ]);
    const events = await w.t.knex('schemes_gold_events').whereIn('plan_id', plans.map((p) => p.id)).where({ kind: 'missed' }).count({ n: '*' }).first();
    expect(Number(events!.n)).to.equal(8);
    expect((await w.gold.missedReport(w.ctx, '2026-09')).data.map((r) => r.plan_id)).to.deep.equal([1, 3, 5, 7, 9, 11].map((i) => plans[i].id));
    expect((await w.gold.missedReport(w.ctx, '2026-08')).data.map((r) => r.plan_id)).to.deep.equal([plans[2].id, plans[3].id]);
  });
});
