import { expect } from 'chai';
import { applyRate, lineAmounts } from '../documents/line-math';
import { BILLING_EVENTS } from '../api';
import { billingWorld, ledgerCheck, makeCustomer, type BillingWorld } from './billing-fixtures';

describe('billing line arithmetic', () => {
  it('rounds the tax half-up once per line, in integers', () => {
    expect(applyRate(333, 1800)).to.equal(60); // 59.94
    expect(applyRate(25, 1000)).to.equal(3); // 2.5 → 3
    expect(applyRate(-25, 1000)).to.equal(-3); // half away from zero
    expect(applyRate(24, 1000)).to.equal(2);
    expect(lineAmounts({ quantity: 3, unit_price: 333, tax_rate: 1800 })).to.deep.equal({ subtotal: 999, tax: 180, amount: 1179 });
  });

  it('sums rounded lines: three lines of 25 at 10% total 3 × 28 = 84, not 75 × 1.1 = 82.5 rounded once', () => {
    const lines = [1, 2, 3].map(() => lineAmounts({ quantity: 1, unit_price: 25, tax_rate: 1000 }));
    expect(lines.reduce((s, l) => s + l.amount, 0)).to.equal(84);
  });
});

describe('billing documents @integration', function () {
  this.timeout(120_000);
  let w: BillingWorld;
  before(async () => {
    w = await billingWorld({ timezone: 'Pacific/Kiritimati' });
  });

  it('prints a quote as pro-forma without a receivable or an invoice number; converting it makes the receivable of its total', async () => {
    const customerId = await makeCustomer(w);
    const quote = await w.documents.createQuote(w.ctx, { customerId, lines: [{ productCode: 'ITEM', quantity: 2 }] });
    expect(quote).to.include({ kind: 'quote', number: null, total: 2360 });
    expect(await ledgerCheck(w, customerId)).to.deep.equal({ ledger: 0, balance: 0, credit: 0 });
    const invoice = await w.documents.convertQuote(w.ctx, quote.id, 'invoice');
    expect(invoice).to.include({ kind: 'invoice', status: 'posted', total: 2360, residual: 2360 });
    expect((await ledgerCheck(w, customerId)).ledger).to.equal(2360);
    const again = await w.documents.convertQuote(w.ctx, quote.id, 'invoice');
    expect(again.id).to.equal(invoice.id);
    expect((await ledgerCheck(w, customerId)).ledger).to.equal(2360);
  });

  it('snapshots the tax exemption on each document: removing it later changes no past document', async () => {
    const customerId = await makeCustomer(w);
    await w.accounts.setProfile(w.ctx, customerId, { tax_exempt: true });
    const exempt = await w.documents.createInvoice(w.ctx, { customerId, lines: [{ productCode: 'ITEM', quantity: 1 }], post: true });
    expect(exempt).to.include({ tax_exempt: true, tax: 0, total: 1000 });
    await w.accounts.setProfile(w.ctx, customerId, { tax_exempt: false });
    expect(await w.documents.get(w.ctx, exempt.id)).to.include({ tax_exempt: true, tax: 0, total: 1000 });
    const taxed = await w.documents.createInvoice(w.ctx, { customerId, lines: [{ productCode: 'ITEM', quantity: 1 }] });
    expect(taxed).to.include({ tax_exempt: false, tax: 180, total: 1180 });
  });

  it("dates documents on the company's calendar day, not UTC's", async () => {
    const customerId = await makeCustomer(w);
    const doc = await w.documents.createInvoice(w.ctx, { customerId, lines: [{ productCode: 'FREE', quantity: 1 }] });
    const kiritimati = new Intl.DateTimeFormat('en-CA', { timeZone: 'Pacific/Kiritimati' }).format(new Date());
    expect(doc.issue_date).to.equal(kiritimati);
  });

  it('makes a document of an origin once, and adds a negative line (points redemption) to a draft', async () => {
    const customerId = await makeCustomer(w);
    const origin = { module: 'schemes', key: `plan-${customerId}-1` };
    const first = await w.documents.createInvoice(w.ctx, { customerId, origin, lines: [{ productCode: 'FREE', quantity: 5 }] });
    const second = await w.documents.createInvoice(w.ctx, { customerId, origin, lines: [{ productCode: 'FREE', quantity: 5 }] });
    expect(second.id).to.equal(first.id);
    const redeemed = await w.documents.addLine(w.ctx, first.id, { productCode: 'PTS', quantity: -1, unitPrice: 120 });
    expect(redeemed.total).to.equal(500 - 120);
    const posted = await w.documents.post(w.ctx, first.id);
    await w.documents.addLine(w.ctx, posted.id, { productCode: 'FREE', quantity: 1 }).then(
      () => expect.fail('a posted invoice took a line'),
      (e) => expect(e.status).to.equal(409),
    );
  });

  it('names a missing product code as a configuration error', async () => {
    const error = await w.catalog.productByCode(w.ctx.db, 'MISSING').catch((e) => e);
    expect(error.code).to.equal('configuration_error');
    expect(error.message).to.contain('MISSING');
  });

  it('publishes order completed and refunded; a handler that throws rolls the payment back', async () => {
    const customerId = await makeCustomer(w);
    const order = await w.documents.createOrder(w.ctx, { customerId, lines: [{ productCode: 'FREE', quantity: 3 }] });
    await w.documents.setDeliveryStatus(w.ctx, order.id, 'shipped');
    await w.documents.setDeliveryStatus(w.ctx, order.id, 'completed');
    const refunded = await w.documents.refundOrder(w.ctx, order.id, 100, 'broken');
    expect(refunded.delivery_status).to.equal('completed');
    const events = await w.t.knex('core_audit_log').where({ record_table: 'billing_documents', record_id: order.id }).count({ n: '*' }).first();
    expect(Number(events?.n)).to.be.greaterThan(1);
    // A throwing handler: the payment's transaction is undone, nothing of it remains.
    const bus = w.t.kernel.events as any;
    const refusing = `test-refuse-${customerId}`;
    bus.on('billing', BILLING_EVENTS.paymentPosted, async ({ event }: any) => {
      if (event.payload.reference === refusing) throw new Error('scheme refuses');
    }, { name: refusing });
    const error = await w.payments.record(w.ctx, { customerId, journalId: w.journals.cash.id, amount: 10, method: 'cash', reference: refusing }).catch((e) => e);
    expect(error.message).to.equal('scheme refuses');
    expect(await w.t.knex('billing_payments').where({ reference: refusing })).to.have.length(0);
    expect((await ledgerCheck(w, customerId)).ledger).to.equal(0);
  });
});
