import { expect } from 'chai';
import { addDays } from '../shared/caller';
import { billingWorld, makeCustomer, postedInvoice, type BillingWorld } from './billing-fixtures';

describe('billing reports @integration', function () {
  this.timeout(120_000);
  let w: BillingWorld;
  let auth: Record<string, string>;
  before(async () => {
    w = await billingWorld();
    auth = { Authorization: `Bearer ${await w.t.token(w.admin.email)}`, Accept: 'application/json' };
  });

  it('ages open invoices by days past due on the company calendar, and exports CSV', async () => {
    const customer = await makeCustomer(w);
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'UTC' }).format(new Date());
    const due = [addDays(today, 5), addDays(today, -10), addDays(today, -45), addDays(today, -75), addDays(today, -200)];
    for (const [i, day] of due.entries()) {
      const id = await postedInvoice(w, customer, 100 * (i + 1));
      await w.t.knex('billing_documents').where({ id }).update({ due_date: day });
    }
    const res = await w.t.request().get('/api/v1/billing/reports/aged-receivables').set(auth).expect(200);
    expect(res.body.totals.buckets).to.deep.equal({ current: 100, '1-30': 200, '31-60': 300, '61-90': 400, '90+': 500 });
    const csv = await w.t.request().get('/api/v1/billing/reports/aged-receivables?format=csv').set(auth).expect(200);
    expect(csv.text.split('\r\n')[1]).to.equal('all,100,200,300,400,500,1500');
  });

  it('sums paid money per day and journal, and the period summary per month', async () => {
    const customer = await makeCustomer(w);
    await postedInvoice(w, customer, 1000);
    await w.payments.record(w.ctx, { customerId: customer, journalId: w.journals.cash.id, amount: 300, method: 'cash', reference: 'RP-1' });
    await w.payments.record(w.ctx, { customerId: customer, journalId: w.journals.cash.id, amount: 50, method: 'cash', reference: 'RP-2', status: 'processing' });
    const perDay = await w.t.request().get('/api/v1/billing/reports/payments-per-day').set(auth).expect(200);
    const cash = perDay.body.data.filter((r: any) => r.journal_code === 'CSH');
    expect(cash.reduce((s: number, r: any) => s + r.amount, 0)).to.equal(300);
    const summary = await w.t.request().get('/api/v1/billing/reports/period-summary').set(auth).expect(200);
    expect(summary.body.year.payments).to.equal(300);
    expect(summary.body.year.sales).to.be.greaterThan(0);
  });

  it('draws the charts with chart.js served by the app', async () => {
    const agent = await w.t.login(w.admin.email, w.admin.password);
    const page = await agent.get('/billing/reports').expect(200);
    expect(page.text).to.contain('/static/vendor/chart.umd.js').and.contain('data-chart');
    const lib = await w.t.request().get('/static/vendor/chart.umd.js').expect(200);
    expect(lib.text).to.contain('Chart');
  });
});
