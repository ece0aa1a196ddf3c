import { expect } from 'chai';
import { billingWorld, makeCustomer, postedInvoice, type BillingWorld } from './billing-fixtures';
import type { TestAgent } from '../../../test/support/harness';

describe('billing pages @integration', function () {
  this.timeout(120_000);
  let w: BillingWorld;
  let agent: TestAgent;
  let customer: number;
  let invoice: number;
  before(async () => {
    w = await billingWorld();
    agent = await w.t.login(w.admin.email, w.admin.password);
    customer = await makeCustomer(w);
    invoice = await postedInvoice(w, customer, 1000);
  });

  it('renders the lists, the forms, the document and payment pages, the statement and the customer panel', async () => {
    const payment = await w.payments.record(w.ctx, { customerId: customer, journalId: w.journals.cash.id, amount: 400, method: 'cash', reference: 'PG-1' });
    const quote = await w.documents.createQuote(w.ctx, { customerId: customer, lines: [{ productCode: 'ITEM', quantity: 1 }] });
    for (const path of ['/billing/invoices', '/billing/quotes', '/billing/orders', '/billing/credit-notes', '/billing/payments', '/billing/invoices/new', '/billing/quotes/new', '/billing/counter',
      `/billing/invoices/${invoice}`, `/billing/payments/${payment.id}`, `/billing/customers/${customer}/statement`, `/billing/customers/${customer}/profile`, `/billing/invoices/${invoice}/print`, `/billing/quotes/${quote.id}/print`,
      '/billing/journals', '/billing/products', '/billing/taxes']) {
      const res = await agent.get(path);
      expect(res.status, `${path}: ${res.text.slice(0, 300)}`).to.equal(200);
    }
    const statement = await agent.get(`/billing/customers/${customer}/statement`);
    expect(statement.text).to.contain('closing-balance');
    const crmPage = await agent.get(`/crm/customers/${customer}`);
    expect(crmPage.text).to.contain('billing-panel');
    expect((await agent.get(`/billing/quotes/${quote.id}/print`)).text).to.contain('PRO-FORMA');
  });

  it('downloads the invoice and the statement as PDF', async () => {
    const pdf = await agent.get(`/billing/invoices/${invoice}/pdf`).buffer(true).parse((res, cb) => { const chunks: Buffer[] = []; res.on('data', (c: Buffer) => chunks.push(c)); res.on('end', () => cb(null, Buffer.concat(chunks))); });
    expect(pdf.status).to.equal(200);
    expect(pdf.headers['content-type']).to.equal('application/pdf');
    expect((pdf.body as Buffer).subarray(0, 4).toString()).to.equal('%PDF');
    const csv = await agent.get(`/api/v1/billing/customers/${customer}/statement?format=csv`);
    expect(csv.text.split('\r\n')[0]).to.equal('date,description,debit,credit,balance');
  });

  it('creates an invoice from the form, posts it and records a partial payment from its page', async () => {
    const code = (await w.customers.get(w.ctx, customer)).code;
    const created = await agent.post('/billing/invoices/new', { customer: code, product_code: ['ITEM', 'SVC'], quantity: ['2', '1'], unit_price: ['', ''], post: '1' });
    expect(created.status, created.text.slice(0, 500)).to.equal(302);
    const id = Number(/\/billing\/invoices\/(\d+)/.exec(created.headers.location)![1]);
    const doc = await w.documents.get(w.ctx, id);
    expect(doc).to.include({ status: 'posted', total: 2753 });
    await agent.post(`/billing/invoices/${id}/payment`, { journal_id: w.journals.cash.id, method: 'cash', amount: '10.00', reference: `FORM-${id}` }).expect(302);
    expect((await w.documents.get(w.ctx, id)).residual).to.equal(1753);
  });
});
