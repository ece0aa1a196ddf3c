import { expect } from 'chai';
import { billingWorld, ledgerCheck, makeCustomer, postedInvoice, type BillingWorld } from './billing-fixtures';

describe('billing receivables @integration', function () {
  this.timeout(120_000);
  let w: BillingWorld;
  before(async () => {
    w = await billingWorld();
  });

  it('applies a standalone credit note of 120 to the latest invoice first: 250 (older) and 800 (latest) leave the latest at 680', async () => {
    const customerId = await makeCustomer(w);
    const older = await postedInvoice(w, customerId, 250, '2026-01-10');
    const latest = await postedInvoice(w, customerId, 800, '2026-02-10');
    const note = await w.creditNotes.createStandalone(w.ctx, { customerId, journalId: w.journals.discount.id, amount: 120, reason: 'bonus bundle' });
    expect(note.applied).to.deep.equal([{ invoice_id: latest, amount: 120 }]);
    expect((await w.documents.get(w.ctx, latest)).residual).to.equal(680);
    expect((await w.documents.get(w.ctx, older)).residual).to.equal(250);
    const check = await ledgerCheck(w, customerId);
    expect(check.balance).to.equal(930).and.equal(check.ledger);
  });

  it('allocates a payment of 1,000 oldest first: 400 (older) and 900 (latest) leave the latest at 300', async () => {
    const customerId = await makeCustomer(w);
    const older = await postedInvoice(w, customerId, 400, '2026-01-10');
    const latest = await postedInvoice(w, customerId, 900, '2026-02-10');
    const payment = await w.payments.record(w.ctx, { customerId, journalId: w.journals.cash.id, amount: 1000, method: 'cash', reference: 'R-1' });
    expect(payment.allocations).to.deep.equal([{ invoice_id: older, amount: 400 }, { invoice_id: latest, amount: 600 }]);
    expect((await w.documents.get(w.ctx, older)).status).to.equal('paid');
    expect((await w.documents.get(w.ctx, latest)).residual).to.equal(300);
    const check = await ledgerCheck(w, customerId);
    expect(check.balance).to.equal(300).and.equal(check.ledger);
  });

  it('answers the same reference in a journal with the same payment, and no new money', async () => {
    const customerId = await makeCustomer(w);
    await postedInvoice(w, customerId, 500);
    const first = await w.payments.record(w.ctx, { customerId, journalId: w.journals.mobile.id, amount: 200, method: 'mobile_money', reference: 'TX-77' });
    const again = await w.payments.record(w.ctx, { customerId, journalId: w.journals.mobile.id, amount: 200, method: 'mobile_money', reference: 'TX-77' });
    expect(first.created).to.equal(true);
    expect(again.created).to.equal(false);
    expect(again.id).to.equal(first.id);
    expect((await ledgerCheck(w, customerId)).balance).to.equal(300);
  });

  it('keeps the excess as credit, which the next invoice consumes', async () => {
    const customerId = await makeCustomer(w);
    await w.payments.record(w.ctx, { customerId, journalId: w.journals.cash.id, amount: 700, method: 'cash', reference: 'ADV-1' });
    expect((await w.accounts.balance(w.ctx, customerId)).credit).to.equal(700);
    const invoice = await postedInvoice(w, customerId, 500);
    expect((await w.documents.get(w.ctx, invoice)).status).to.equal('paid');
    const balance = await w.accounts.balance(w.ctx, customerId);
    expect(balance).to.include({ credit: 200, balance: -200 });
    expect((await ledgerCheck(w, customerId)).ledger).to.equal(-200);
  });

  it('counts only paid money: processing moves nothing until confirmed, failed never', async () => {
    const customerId = await makeCustomer(w);
    const invoice = await postedInvoice(w, customerId, 500);
    const pending = await w.payments.record(w.ctx, { customerId, journalId: w.journals.mobile.id, amount: 500, method: 'mobile_money', reference: 'P-1', status: 'processing' });
    expect((await w.documents.get(w.ctx, invoice)).residual).to.equal(500);
    const failing = await w.payments.record(w.ctx, { customerId, journalId: w.journals.mobile.id, amount: 500, method: 'mobile_money', reference: 'P-2', status: 'processing' });
    expect((await w.payments.fail(w.ctx, failing.id)).status).to.equal('failed');
    const paid = await w.payments.confirm(w.ctx, pending.id);
    expect(paid.status).to.equal('paid');
    expect((await w.documents.get(w.ctx, invoice)).status).to.equal('paid');
    expect((await ledgerCheck(w, customerId)).ledger).to.equal(0);
  });

  it('reverses a payment by counter rows: the invoice owes again, nothing deleted', async () => {
    const customerId = await makeCustomer(w);
    const invoice = await postedInvoice(w, customerId, 500);
    const payment = await w.payments.record(w.ctx, { customerId, journalId: w.journals.cash.id, amount: 800, method: 'cash', reference: 'REV-1' });
    const reversed = await w.payments.reverse(w.ctx, payment.id, 'bounced cheque');
    expect(reversed.status).to.equal('reversed');
    expect(reversed.allocations).to.deep.equal([]);
    const doc = await w.documents.get(w.ctx, invoice);
    expect(doc).to.include({ residual: 500, status: 'posted' });
    const check = await ledgerCheck(w, customerId);
    expect(check).to.deep.equal({ ledger: 500, balance: 500, credit: 0 });
    const rows = await w.t.knex('billing_allocations').where({ source_kind: 'payment', source_id: payment.id });
    expect(rows.map((r: any) => Number(r.amount))).to.deep.equal([500, -500]);
  });

  it('refuses, through crm\'s deletion guard, to delete a customer with billing history', async () => {
    const customerId = await makeCustomer(w);
    await postedInvoice(w, customerId, 100);
    const error = await w.customers.remove(w.ctx, customerId).catch((e) => e);
    expect(error.status).to.equal(409);
    expect(error.message).to.contain('billing');
    const clean = await makeCustomer(w);
    await w.customers.remove(w.ctx, clean);
  });
});
