import { expect } from 'chai';
import supertest from 'supertest';
import type { CreditNoteReversed } from '../api';
import { billingWorld, ledgerCheck, makeCustomer, postedInvoice, uniq, type BillingWorld } from './billing-fixtures';

describe('billing credit note reversal @integration', function () {
  this.timeout(120_000);
  let w: BillingWorld;
  const seen: CreditNoteReversed[] = [];
  before(async () => {
    w = await billingWorld();
    w.t.kernel.events.on('billing', 'billing.credit_note.reversed', async ({ event }) => {
      if (event.companyId === w.companyId) seen.push(event.payload as CreditNoteReversed);
    }, { name: uniq('test:cn-reversed:') });
  });

  const standalone = (customerId: number, amount: number) =>
    w.creditNotes.createStandalone(w.ctx, { customerId, journalId: w.journals.discount.id, amount, reason: 'bonus bundle' });
  const residual = async (id: number) => (await w.documents.get(w.ctx, id)).residual;
  const ledgerRows = (customerId: number) => w.t.knex('billing_ledger').where({ company_id: w.companyId, customer_id: customerId }).orderBy('id').select('kind', 'amount');

  it('gives the latest invoice back exactly what the note took (680 → 800), by counter rows, nothing deleted', async () => {
    const customerId = await makeCustomer(w);
    const older = await postedInvoice(w, customerId, 250, '2026-01-10');
    const latest = await postedInvoice(w, customerId, 800, '2026-02-10');
    const note = await standalone(customerId, 120);
    expect(await residual(latest)).to.equal(680);
    const reversed = await w.creditNotes.reverse(w.ctx, note.id, 'bonus granted by mistake');
    expect(reversed).to.include({ id: note.id, status: 'reversed', unapplied: 0, amount: 120 });
    expect(reversed.applied).to.deep.equal([]);
    expect(await residual(latest)).to.equal(800);
    expect(await residual(older)).to.equal(250);
    const allocations = await w.t.knex('billing_allocations').where({ source_kind: 'credit_note', source_id: note.id }).orderBy('id').pluck('amount');
    expect(allocations.map(Number)).to.deep.equal([120, -120]);
    expect((await ledgerRows(customerId)).map((r: any) => [r.kind, Number(r.amount)])).to.deep.equal([['invoice', 250], ['invoice', 800], ['credit_note', -120], ['reversal', 120]]);
    expect(await ledgerCheck(w, customerId)).to.deep.equal({ ledger: 1050, balance: 1050, credit: 0 });
    expect(seen.find((e) => e.credit_note_id === note.id)).to.deep.include({ customer_id: customerId, amount: 120, unapplied: 0, restored: [{ invoice_id: latest, amount: 120 }], reason: 'bonus granted by mistake' });
  });

  it('restores invoices the note paid in full to posted, and withdraws the part left as credit', async () => {
    const customerId = await makeCustomer(w);
    const older = await postedInvoice(w, customerId, 300, '2026-01-10');
    const latest = await postedInvoice(w, customerId, 400, '2026-02-10');
    const note = await standalone(customerId, 1000);
    expect(note.unapplied).to.equal(300);
    expect((await w.documents.get(w.ctx, older)).status).to.equal('paid');
    await w.creditNotes.reverse(w.ctx, note.id, 'wrong customer');
    expect(await w.documents.get(w.ctx, older)).to.include({ residual: 300, status: 'posted' });
    expect(await w.documents.get(w.ctx, latest)).to.include({ residual: 400, status: 'posted' });
    expect(await ledgerCheck(w, customerId)).to.deep.equal({ ledger: 700, balance: 700, credit: 0 });
    expect(await w.accounts.balance(w.ctx, customerId)).to.include({ balance: 700, credit: 0, openInvoices: 2 });
  });

  it('undoes the credit a later invoice consumed from the note: that invoice owes 200 again', async () => {
    const customerId = await makeCustomer(w);
    const note = await standalone(customerId, 500);
    const later = await postedInvoice(w, customerId, 200);
    expect(await w.documents.get(w.ctx, later)).to.include({ residual: 0, status: 'paid' });
    const reversed = await w.creditNotes.reverse(w.ctx, note.id, 'cancelled bundle');
    expect(reversed.unapplied).to.equal(0);
    expect(await w.documents.get(w.ctx, later)).to.include({ residual: 200, status: 'posted' });
    expect(await ledgerCheck(w, customerId)).to.deep.equal({ ledger: 200, balance: 200, credit: 0 });
    expect(seen.find((e) => e.credit_note_id === note.id)).to.deep.include({ unapplied: 300, restored: [{ invoice_id: later, amount: 200 }] });
  });

  it('is idempotent: reversing again, or four times at once, writes one reversal and publishes once', async () => {
    const customerId = await makeCustomer(w);
    const invoice = await postedInvoice(w, customerId, 900);
    const note = await standalone(customerId, 350);
    const results = await Promise.all(Array.from({ length: 4 }, () => w.creditNotes.reverse(w.ctx, note.id, 'duplicate')));
    expect(results.every((r) => r.status === 'reversed')).to.equal(true);
    const again = await w.creditNotes.reverse(w.ctx, note.id, 'again');
    expect(again.status).to.equal('reversed');
    expect(await residual(invoice)).to.equal(900);
    expect((await ledgerRows(customerId)).filter((r: any) => r.kind === 'reversal')).to.have.length(1);
    expect(seen.filter((e) => e.credit_note_id === note.id)).to.have.length(1);
    expect(await ledgerCheck(w, customerId)).to.deep.equal({ ledger: 900, balance: 900, credit: 0 });
  });

  it('refuses while another module holds credit it consumed from the note (409), and leaves everything as it was', async () => {
    const customerId = await makeCustomer(w);
    const note = await standalone(customerId, 400);
    await w.accounts.spendCredit(w.ctx, { customerId, amount: 150, reference: uniq('GOLD-'), consume: true });
    const error = await w.creditNotes.reverse(w.ctx, note.id, 'too late').catch((e) => e);
    expect(error.status).to.equal(409);
    expect(error.message).to.contain('150');
    expect((await w.documents.get(w.ctx, note.id)).status).to.equal('posted');
    expect(await ledgerCheck(w, customerId)).to.deep.include({ credit: 250 });
  });

  it('reverses over HTTP with the credit note permission; a reason is required', async () => {
    const customerId = await makeCustomer(w);
    const invoice = await postedInvoice(w, customerId, 500);
    const note = await w.creditNotes.createForInvoice(w.ctx, { invoiceId: invoice, amount: 200, reason: 'damaged' });
    const auth = { Authorization: `Bearer ${await w.t.token(w.admin.email)}`, Accept: 'application/json' };
    const api = () => supertest(w.t.app);
    const missing = await api().post(`/api/v1/billing/credit-notes/${note.id}/reverse`).set(auth).send({});
    expect(missing.status).to.equal(422);
    expect(missing.text).to.contain('reason');
    const ok = await api().post(`/api/v1/billing/credit-notes/${note.id}/reverse`).set(auth).send({ reason: 'entered twice' }).expect(200);
    expect(ok.body).to.include({ id: note.id, status: 'reversed' });
    expect(await residual(invoice)).to.equal(500);
    const cashier = await w.t.createUser({ permissions: ['billing.payment.record'], companyIds: [w.companyId] });
    const refused = await api().post(`/api/v1/billing/credit-notes/${note.id}/reverse`).set({ Authorization: `Bearer ${await w.t.token(cashier.email)}` }).send({ reason: 'x' });
    expect(refused.status).to.equal(403);
  });
});
