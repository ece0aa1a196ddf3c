import { expect } from 'chai';
import supertest from 'supertest';
import type { PaymentPosted } from '../api';
import { billingWorld, makeCustomer, postedInvoice, uniq, type BillingWorld } from './billing-fixtures';

describe('billing.payment.posted carries paid_at @integration', function () {
  this.timeout(120_000);
  let w: BillingWorld;
  const seen: PaymentPosted[] = [];
  before(async () => {
    // UTC+3 all year: 23:30 UTC is already the next calendar day for the company.
    w = await billingWorld({ timezone: 'Africa/Nairobi' });
    w.t.kernel.events.on('billing', 'billing.payment.posted', async ({ event }) => {
      if (event.companyId === w.companyId) seen.push(event.payload as PaymentPosted);
    }, { name: uniq('test:paid-at:') });
  });

  it('publishes the instant a payment recorded paid became paid, and answers it on the payment', async () => {
    const customerId = await makeCustomer(w);
    await postedInvoice(w, customerId, 500);
    const before = Date.now();
    const payment = await w.payments.record(w.ctx, { customerId, journalId: w.journals.cash.id, amount: 300, method: 'cash', reference: uniq('PA-') });
    const event = seen.find((e) => e.payment_id === payment.id)!;
    expect(event.paid_at).to.match(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(Date.parse(event.paid_at)).to.be.within(before - 1000, Date.now() + 1000);
    expect(payment.paid_at).to.equal(event.paid_at);
    expect((await w.payments.get(w.ctx, payment.id)).paid_at).to.equal(event.paid_at);
  });

  it('keeps the paid_at of an offline receipt recorded later; its paid day is the company\'s calendar day', async () => {
    const customerId = await makeCustomer(w);
    const payment = await w.payments.record(w.ctx, { customerId, journalId: w.journals.cash.id, amount: 200, method: 'cash', reference: uniq('OFF-'), paidAt: '2026-03-01T23:30:00Z' });
    const event = seen.find((e) => e.payment_id === payment.id)!;
    expect(event.paid_at).to.equal('2026-03-01T23:30:00.000Z');
    expect((await w.payments.get(w.ctx, payment.id)).paid_at).to.equal('2026-03-01T23:30:00.000Z');
    const row = await w.t.knex('billing_payments').where({ id: payment.id }).first('paid_date');
    expect(row.paid_date).to.equal('2026-03-02');
  });

  it('refuses a paid_at in the future, naming the field', async () => {
    const customerId = await makeCustomer(w);
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString();
    const error = await w.payments.record(w.ctx, { customerId, journalId: w.journals.cash.id, amount: 200, method: 'cash', reference: uniq('FUT-'), paidAt: tomorrow }).catch((e) => e);
    expect(error.status).to.equal(422);
    expect(error.message).to.contain('paid_at');
  });

  it('publishes paid_at when a processing payment is confirmed, and none before', async () => {
    const customerId = await makeCustomer(w);
    const pending = await w.payments.record(w.ctx, { customerId, journalId: w.journals.mobile.id, amount: 100, method: 'mobile_money', reference: uniq('MM-'), status: 'processing' });
    expect(pending.paid_at ?? null).to.equal(null);
    expect(seen.some((e) => e.payment_id === pending.id)).to.equal(false);
    const paid = await w.payments.confirm(w.ctx, pending.id);
    const event = seen.find((e) => e.payment_id === pending.id)!;
    expect(paid.paid_at).to.equal(event.paid_at);
    expect(Date.parse(event.paid_at)).to.be.closeTo(Date.now(), 60_000);
  });

  it('takes paid_at over HTTP and refuses one that is not a date-time', async () => {
    const customerId = await makeCustomer(w);
    const auth = { Authorization: `Bearer ${await w.t.token(w.admin.email)}`, Accept: 'application/json' };
    const post = (body: Record<string, unknown>) => supertest(w.t.app).post('/api/v1/billing/payments').set(auth).send(body);
    const base = { customer_id: customerId, journal_id: w.journals.cash.id, amount: 150, method: 'cash' };
    const ok = await post({ ...base, reference: uniq('H-'), paid_at: '2026-01-05T08:00:00Z' });
    expect(ok.status, ok.text).to.equal(201);
    expect(ok.body.paid_at).to.equal('2026-01-05T08:00:00.000Z');
    const bad = await post({ ...base, reference: uniq('H-'), paid_at: 'yesterday' });
    expect(bad.status).to.equal(422);
    expect(bad.text).to.contain('paid_at');
  });
});
