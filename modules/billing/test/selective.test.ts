import { expect } from 'chai';
import { SelectiveBilling } from '../selective/selective-service';
import { makeServices } from '../services';
import { billingWorld, makeCustomer, uniq, type BillingWorld } from './billing-fixtures';

describe('billing selective billing @integration', function () {
  this.timeout(120_000);
  let w: BillingWorld;
  let selective: SelectiveBilling;
  before(async () => {
    w = await billingWorld();
    selective = new SelectiveBilling(makeServices());
  });

  async function route(n: number, withOrders: boolean) {
    const name = uniq('R-');
    const ids: number[] = [];
    for (let i = 0; i < n; i++) {
      const id = await makeCustomer(w, { delivery_route: name });
      if (withOrders) await w.documents.createOrder(w.ctx, { customerId: id, lines: [{ productCode: 'FREE', quantity: 1 + i }] });
      ids.push(id);
    }
    return { name, ids };
  }

  const invoicesOf = (ids: number[]) => w.t.knex('billing_documents').where({ company_id: w.companyId, kind: 'invoice' }).whereIn('customer_id', ids).select('customer_id', 'source_id', 'origin_key');

  it('shows every customer of a delivery route with their open orders and invoices', async () => {
    const { name, ids } = await route(3, true);
    const rows = await selective.preview(w.ctx, { delivery_route: name });
    expect(rows.map((r) => r.customer.id).sort()).to.deep.equal([...ids].sort());
    expect(rows.every((r) => r.open_orders.length === 1 && r.open_invoices.length === 0)).to.equal(true);
  });

  it('a run killed half-way and started again bills each customer once', async () => {
    const { name, ids } = await route(10, true);
    const runId = await w.ctx.db.insert('billing_selective_runs', { status: 'queued', criteria: JSON.stringify({ delivery_route: name }), customer_ids: JSON.stringify(ids), total: ids.length });
    let calls = 0;
    const dies = async () => {
      if (++calls === 2) throw new Error('worker killed');
    };
    await selective.run(w.ctx, runId, dies).then(() => expect.fail('the run should have died'), (e) => expect(e.message).to.equal('worker killed'));
    const halfway = await invoicesOf(ids);
    expect(halfway.length).to.be.greaterThan(0).and.lessThan(ids.length);
    // The progress row is lost too, as if the whole run were started from scratch.
    await w.t.knex('billing_selective_runs').where({ id: runId }).update({ done: 0, status: 'queued' });
    await selective.run(w.ctx, runId, async () => undefined);
    const after = await invoicesOf(ids);
    expect(after).to.have.length(ids.length);
    expect(new Set(after.map((r: any) => r.customer_id)).size).to.equal(ids.length);
    expect((await selective.get(w.ctx, runId)).status).to.equal('done');
  });

  it('bills customers without orders from a template quote (pro-forma), once per customer', async () => {
    const { name, ids } = await route(4, false);
    const quote = await w.documents.createQuote(w.ctx, { customerId: ids[0], lines: [{ productCode: 'ITEM', quantity: 1 }] });
    for (let attempt = 0; attempt < 2; attempt++) {
      const runId = await w.ctx.db.insert('billing_selective_runs', { status: 'queued', criteria: JSON.stringify({ delivery_route: name, template_quote_id: quote.id }), customer_ids: JSON.stringify(ids), total: ids.length });
      await selective.run(w.ctx, runId, async () => undefined);
    }
    const made = await invoicesOf(ids);
    expect(made).to.have.length(4);
    expect((await w.accounts.balance(w.ctx, ids[1])).balance).to.equal(1180);
  });

  it('runs as a job started over the API, with its progress', async () => {
    const { name, ids } = await route(3, true);
    const token = await w.t.token(w.admin.email);
    const started = await w.t.request().post('/api/v1/billing/selective-runs').set({ Authorization: `Bearer ${token}`, Accept: 'application/json' })
      .send({ criteria: { delivery_route: name }, customer_ids: ids }).expect(202);
    await w.t.drainJobs(60_000);
    const run = await w.t.request().get(`/api/v1/billing/selective-runs/${started.body.id}`).set({ Authorization: `Bearer ${token}`, Accept: 'application/json' }).expect(200);
    expect(run.body).to.include({ status: 'done', percent: 100, invoices: 3 });
  });

  it('shows the table and starts a run from the page, with a progress page', async () => {
    const { name, ids } = await route(2, true);
    const agent = await w.t.login(w.admin.email, w.admin.password);
    const table = await agent.get(`/billing/selective?delivery_route=${name}`).expect(200);
    expect(table.text).to.contain('selective-table');
    const started = await agent.post('/billing/selective', { delivery_route: name, customer_ids: ids.map(String) }).expect(302);
    await w.t.drainJobs(60_000);
    const runPage = await agent.get(started.headers.location).expect(200);
    expect(runPage.text).to.contain('job-progress');
    const progress = await agent.get(`${started.headers.location}/progress`).expect(200);
    expect(progress.body).to.include({ status: 'completed', progress: 100 });
  });
});
