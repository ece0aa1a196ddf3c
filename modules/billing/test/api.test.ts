import { expect } from 'chai';
import supertest from 'supertest';
import { billingWorld, makeCustomer, type BillingWorld } from './billing-fixtures';

describe('billing JSON API @integration', function () {
  this.timeout(120_000);
  let w: BillingWorld;
  let auth: Record<string, string>;
  const api = () => supertest(w.t.app);

  before(async () => {
    w = await billingWorld();
    auth = { Authorization: `Bearer ${await w.t.token(w.admin.email)}`, Accept: 'application/json' };
  });

  it('creates an invoice from product codes, posts it with its journal number, and lists it with total, residual, status and number', async () => {
    const customer = await makeCustomer(w);
    const created = await api().post('/api/v1/billing/invoices').set(auth)
      .send({ customer_id: customer, journal_id: w.journals.sale.id, lines: [{ product_code: 'item', quantity: 2 }, { product_code: 'SVC', quantity: 1, unit_price: 333 }] })
      .expect(201);
    // 2000 + 18% = 2360; 333 * 18% = 59.94 → 60 (half-up per line): 393. Total 2753.
    expect(created.body).to.include({ status: 'draft', number: null, total: 2753, currency: 'EUR' });
    const posted = await api().post(`/api/v1/billing/invoices/${created.body.id}/post`).set(auth).expect(200);
    expect(posted.body.number).to.match(new RegExp(`^INV/\\d{4}/\\d{5}$`));
    expect(posted.body).to.include({ status: 'posted', residual: 2753 });
    const list = await api().get(`/api/v1/billing/invoices?customer_id=${customer}&status=posted`).set(auth).expect(200);
    expect(list.body.data.map((d: any) => [d.id, d.total, d.residual, d.status, d.number])).to.deep.equal([[created.body.id, 2753, 2753, 'posted', posted.body.number]]);
  });

  it('answers a payment reference seen before with 200 and the same payment', async () => {
    const customer = await makeCustomer(w);
    const payment = { customer_id: customer, journal_id: w.journals.mobile.id, amount: 500, method: 'mobile_money', reference: 'MM-TX-1' };
    const first = await api().post('/api/v1/billing/payments').set(auth).send(payment).expect(201);
    const again = await api().post('/api/v1/billing/payments').set(auth).send(payment).expect(200);
    expect(again.body).to.include({ id: first.body.id, created: false });
    const balance = await api().get(`/api/v1/billing/customers/${customer}/balance`).set(auth).expect(200);
    expect(balance.body).to.include({ balance: -500, credit: 500 });
  });

  it('replays the stored response for a repeated Idempotency-Key, and refuses the key with another body', async () => {
    const customer = await makeCustomer(w);
    const send = (body: object) => api().post('/api/v1/billing/invoices').set(auth).set('Idempotency-Key', `k-${customer}`).send(body);
    const body = { customer_id: customer, lines: [{ product_code: 'FREE', quantity: 1 }] };
    const first = await send(body).expect(201);
    const replay = await send(body).expect(201);
    expect(replay.headers['idempotent-replayed']).to.equal('true');
    expect(replay.body.id).to.equal(first.body.id);
    const count = await w.t.knex('billing_documents').where({ customer_id: customer, company_id: w.companyId }).count({ n: '*' }).first();
    expect(Number(count?.n)).to.equal(1);
    const other = await send({ ...body, lines: [{ product_code: 'FREE', quantity: 2 }] }).expect(422);
    expect(other.body.error.fields).to.have.property('Idempotency-Key');
  });

  it('names the bad field: an unknown product code is a configuration error, an unknown customer a 422', async () => {
    const customer = await makeCustomer(w);
    const missing = await api().post('/api/v1/billing/invoices').set(auth).send({ customer_id: customer, lines: [{ product_code: 'NOPE', quantity: 1 }] }).expect(422);
    expect(missing.body.error.message).to.contain('NOPE');
    const nobody = await api().post('/api/v1/billing/payments').set(auth).send({ customer_id: 999999, journal_id: w.journals.cash.id, amount: 1, method: 'cash', reference: 'x' }).expect(422);
    expect(nobody.body.error.fields).to.have.property('customer_id');
    const bad = await api().post('/api/v1/billing/payments').set(auth).send({ customer_id: customer, journal_id: w.journals.cash.id, amount: 1.5, method: 'cash', reference: 'x' }).expect(422);
    expect(bad.body.error.fields).to.have.property('amount');
  });

  it('lets a cashier record payments but not post invoices; an auditor reads and changes nothing', async () => {
    const customer = await makeCustomer(w);
    const cashier = await w.t.createUser({ permissions: ['billing.payment.record'], companyIds: [w.companyId] });
    const cashierAuth = { Authorization: `Bearer ${await w.t.token(cashier.email)}`, Accept: 'application/json' };
    await api().post('/api/v1/billing/payments').set(cashierAuth).send({ customer_id: customer, journal_id: w.journals.cash.id, amount: 100, method: 'cash', reference: `c-${customer}` }).expect(201);
    const draft = await w.documents.createInvoice(w.ctx, { customerId: customer, lines: [{ productCode: 'FREE', quantity: 1 }] });
    await api().post(`/api/v1/billing/invoices/${draft.id}/post`).set(cashierAuth).expect(403);
    const auditor = await w.t.createUser({ permissions: ['billing.report.read'], companyIds: [w.companyId] });
    const auditorAuth = { Authorization: `Bearer ${await w.t.token(auditor.email)}`, Accept: 'application/json' };
    await api().get(`/api/v1/billing/invoices/${draft.id}`).set(auditorAuth).expect(200);
    await api().post('/api/v1/billing/payments').set(auditorAuth).send({ customer_id: customer, journal_id: w.journals.cash.id, amount: 100, method: 'cash', reference: 'a' }).expect(403);
  });

  it('documents every billing route in the OpenAPI document, with the Idempotency-Key header where honoured', async () => {
    const doc = await api().get('/api/v1/openapi.json').set(auth).expect(200);
    const paths = Object.keys(doc.body.paths).filter((p) => p.startsWith('/api/v1/billing/'));
    for (const p of ['/journals', '/products', '/taxes', '/quotes', '/quotes/{id}/convert', '/orders', '/orders/{id}/status', '/orders/{id}/refund', '/invoices', '/invoices/{id}/post', '/credit-notes', '/payments', '/payments/{id}/confirm', '/payments/{id}/fail', '/payments/{id}/reverse', '/customers/{id}/statement', '/customers/{id}/balance']) {
      expect(paths).to.include(`/api/v1/billing${p}`);
    }
    expect(doc.body.paths['/api/v1/billing/payments'].post.parameters.map((p: any) => p.name)).to.include('Idempotency-Key');
  });
});
