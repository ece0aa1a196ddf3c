import { expect } from 'chai';
import { portsOf } from '../billing/billing-ports';
import { invoiceAllDue } from '../plans/plan-jobs';
import { addCalendarDays } from '../plans/plan-expiry';
import { groupOf, makeBundle, makeCustomer, makePlan, schemesWorld, type SchemesWorld } from './schemes-fixtures';

describe('schemes plan lifecycle @integration', function () {
  // Booting every module and migrating a fresh MariaDB takes a while on a loaded machine.
  this.timeout(Math.max(this.timeout(), 90_000));
  let w: SchemesWorld;
  before(async () => {
    w = await schemesWorld();
  });

  it('invoices the instalments due through billing, once each, however often the job runs', async () => {
    const c = await makeCustomer(w);
    const today = new Date().toISOString().slice(0, 10);
    // Started 50 days ago: the deposit and the instalments of day 21 and day 42 are due.
    const plan = await makePlan(w, c, { start_date: addCalendarDays(today, -50) });
    const due = (await w.plans.schedule(w.ctx, plan.id)).filter((r) => r.invoice_id !== null);
    expect(due.map((r) => r.seq)).to.deep.equal([0, 1, 2]);
    const container = { container: w.t.container } as any;
    await invoiceAllDue(container, portsOf(w.t.container));
    await invoiceAllDue(container, portsOf(w.t.container));
    const after = await w.plans.schedule(w.ctx, plan.id);
    expect(after.filter((r) => r.invoice_id !== null).map((r) => r.invoice_id)).to.deep.equal(due.map((r) => r.invoice_id));
    const open = await w.documents.openInvoices(w.ctx, c);
    expect(open.map((d) => d.total).sort()).to.deep.equal([1600, 840, 840].sort());
  });

  it('the money fields of a signed plan cannot change; its status can', async () => {
    const c = await makeCustomer(w);
    const plan = await makePlan(w, c);
    const e = await w.plans.update(w.ctx, plan.id, { total: 1 } as any).catch((x) => x);
    expect(e.fields).to.deep.equal({ total: 'cannot change once the plan is signed' });
    expect((await w.plans.update(w.ctx, plan.id, { status: 'paused' } as any)).status).to.equal('paused');
  });

  it('refuses to delete a customer with a plan, and a group a bundle uses', async () => {
    const c = await makeCustomer(w);
    // No deposit and nothing due yet: no billing document, so the refusal is schemes' own.
    await makePlan(w, c, { deposit: 0 });
    const e = await w.customers.remove(w.ctx, c).catch((x) => x);
    expect(e.message).to.match(/pay plan/);
    const g = await groupOf(w, [c]);
    const b = await makeBundle(w, [g]);
    const refused = await w.groups.remove(w.ctx, g).catch((x) => x);
    expect(refused.message).to.contain(b.name);
  });
});
