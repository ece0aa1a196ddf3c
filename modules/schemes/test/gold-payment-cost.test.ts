import { expect } from 'chai';
import { statementsDuring } from 'tessera/testing';
import { enrol, goldCustomer, goldWorld, makeScheme, type GoldWorld } from './gold-fixtures';

/** What an instalment costs schemes (issue 12: instalments were a third of billing's plain posting). */
describe('gold instalment cost @integration', function () {
  this.timeout(Math.max(this.timeout(), 90_000));
  let w: GoldWorld;
  before(async () => {
    w = await goldWorld();
  });

  it("a paid instalment takes 6 statements on schemes' own tables, and answers what a later read shows", async () => {
    const s = await makeScheme(w);
    const plan = await enrol(w, s.id, await goldCustomer(w), '2026-04');
    await w.gold.pay(w.ctx, plan.id, { amount: 1000, mode: 'cash', reference: 'WARM', paid_at: '2026-04-03T09:00:00.250Z' } as any); // journal chosen and kept
    const plan2 = await enrol(w, s.id, await goldCustomer(w), '2026-04');
    const { result: paid, statements } = await statementsDuring(w.t.knex, () => w.gold.pay(w.ctx, plan2.id, { amount: 1000, mode: 'cash', reference: 'CASH-1', paid_at: '2026-04-05T10:11:12.345Z' } as any) as Promise<any>);
    const own = statements.map((q) => q.sql).filter((sql) => /schemes_gold_/.test(sql));
    // Lock the plan; its reference, key and taken months at once; the scheme; insert; paid (guarded); the plan's counts.
    expect(own, own.join('\n')).to.have.length(6);
    const { created, ...answer } = paid;
    expect(created).to.equal(true);
    expect(answer).to.deep.equal((await w.gold.payments(w.ctx, plan2.id))[0]);
    expect(answer).to.include({ status: 'paid', paid_at: '2026-04-05T10:11:12.000Z', on_time: true, month: '2026-04' });
    expect(await w.gold.get(w.ctx, plan2.id)).to.include({ paid_total: 1000, paid_count: 1, on_time_count: 1 });
  });

  it('a processing instalment keeps its billing payment id and turns paid once confirmed', async () => {
    const s = await makeScheme(w, { kind: 'flexible' });
    const plan = await enrol(w, s.id, await goldCustomer(w), '2026-04');
    const pending = await w.gold.pay(w.ctx, plan.id, { amount: 1500, mode: 'online', reference: 'UPI-9', status: 'processing', paid_at: '2026-04-05T10:00:00Z' } as any);
    expect(pending).to.include({ status: 'processing' });
    expect(pending.payment_id).to.be.a('number');
    expect((await w.gold.payments(w.ctx, plan.id))[0]).to.include({ payment_id: pending.payment_id, status: 'processing' });
    const confirmed = await w.gold.pay(w.ctx, plan.id, { amount: 1500, mode: 'online', reference: 'UPI-9', status: 'paid', paid_at: '2026-04-05T10:00:00Z' } as any);
    expect(confirmed).to.include({ id: pending.id, status: 'paid', created: false });
    expect(await w.gold.get(w.ctx, plan.id)).to.include({ paid_total: 1500, paid_count: 1 });
  });
});
