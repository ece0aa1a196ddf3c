import { expect } from 'chai';
import { balanceOf, balanceWorld, invoice, ledgerAndRow, makeCustomer, makeOffer, order, recharge, uniq, type BalanceWorld } from './balance-fixtures';

describe('loyalty balance: paying, cashback, refunds, credit limit @integration', function () {
  this.timeout(Math.max(this.timeout(), 90_000));
  let w: BalanceWorld;
  before(async () => {
    w = await balanceWorld();
  });
  const pay = (c: number, doc: { invoice_id?: number; order_id?: number }, amount: number) => w.balance.pay(w.ctx, { customer_id: c, amount, reference: uniq('B'), ...doc });

  it('an invoice paid partly from the balance: billing residual and balance move by the same amount', async () => {
    const c = await makeCustomer(w);
    await recharge(w, c, 6000);
    const inv = await invoice(w, c); // 100.00
    const { payment, balance } = await pay(c, { invoice_id: inv.id }, 6000);
    expect(payment).to.include({ method: 'credit', amount: 6000, status: 'paid' });
    expect(payment.allocations).to.deep.equal([{ invoice_id: inv.id, amount: 6000 }]);
    expect(balance.balance).to.equal(0);
    expect((await w.documents.get(w.ctx, inv.id)).residual).to.equal(4000);
    const account = await w.accounts.balance(w.ctx, c);
    expect(account).to.include({ balance: 4000, credit: 0 });
  });

  it('never negative without a credit limit: a spend beyond the balance is refused (409) and billing keeps nothing of it', async () => {
    const c = await makeCustomer(w);
    await recharge(w, c, 3000);
    const inv = await invoice(w, c);
    const refused = await pay(c, { invoice_id: inv.id }, 3001).catch((e) => e);
    expect(refused.status).to.equal(409);
    expect((await w.documents.get(w.ctx, inv.id)).residual).to.equal(10000);
    expect(await balanceOf(w, c)).to.equal(3000);
  });

  it('a credit limit lets the balance go below zero down to it, explicitly, and no further', async () => {
    const c = await makeCustomer(w);
    await recharge(w, c, 1000);
    await w.balance.setCreditLimit(w.ctx, c, 2000);
    const inv = await invoice(w, c);
    await pay(c, { invoice_id: inv.id }, 3000);
    expect(await balanceOf(w, c)).to.equal(-2000);
    expect((await pay(c, { invoice_id: inv.id }, 1).catch((e) => e)).status).to.equal(409);
    // Lowering the limit below what is used is refused: it would make the balance break its own rule.
    expect((await w.balance.setCreditLimit(w.ctx, c, 1000).catch((e) => e)).status).to.equal(409);
  });

  it('a manual adjustment needs a reason, and a debit obeys the same guard', async () => {
    const c = await makeCustomer(w);
    expect((await w.balance.adjust(w.ctx, c, 500, '  ').catch((e) => e)).fields).to.have.property('reason');
    const after = await w.balance.adjust(w.ctx, c, 500, 'goodwill');
    expect(after.ledger[0]).to.include({ kind: 'adjustment', amount: 500, balance_after: 500, reason: 'goodwill' });
    expect((await w.balance.adjust(w.ctx, c, -501, 'too much').catch((e) => e)).status).to.equal(409);
    await w.balance.adjust(w.ctx, c, -500, 'correction');
    expect(await ledgerAndRow(w, c)).to.deep.equal({ ledger: 0, row: 0 });
  });

  it('cashback is credited only when the order becomes completed, once, and taken back in proportion on refund', async () => {
    const local = await balanceWorld({ t: w.t });
    await makeOffer(local, { kind: 'cashback', rate_bps: 250, threshold: 5000 }); // 2.5 %
    const c = await makeCustomer(local);
    const o = await order(local, c, 12345);
    await local.documents.setDeliveryStatus(local.ctx, o.id, 'shipped');
    expect(await balanceOf(local, c)).to.equal(0);
    await local.documents.setDeliveryStatus(local.ctx, o.id, 'completed');
    // 12345 × 2.5 % = 308.625 → 309
    expect(await balanceOf(local, c)).to.equal(309);
    // billing.order.completed delivered a second time: nothing more.
    await local.ctx.db.transaction((db) => db.publish('billing.order.completed', { order_id: o.id, customer_id: c, total: 12345, lines: [] }, local.companyId));
    expect(await balanceOf(local, c)).to.equal(309);
    // Refund a third, then the rest: taken back 103 (308.6/3 → 103), then 206; nothing left.
    await local.documents.refundOrder(local.ctx, o.id, 4115, 'one item back');
    expect(await balanceOf(local, c)).to.equal(206);
    await local.documents.refundOrder(local.ctx, o.id, 8230, 'the rest');
    expect(await balanceOf(local, c)).to.equal(0);
    expect(await ledgerAndRow(local, c)).to.deep.equal({ ledger: 0, row: 0 });
  });

  it('no cashback below the threshold', async () => {
    const local = await balanceWorld({ t: w.t });
    await makeOffer(local, { kind: 'cashback', rate_bps: 250, threshold: 5000 });
    const c = await makeCustomer(local);
    const o = await order(local, c, 4999);
    await local.documents.setDeliveryStatus(local.ctx, o.id, 'completed');
    expect(await balanceOf(local, c)).to.equal(0);
  });

  it('an order paid partly from the balance: refunded, the balance gets its share back and billing its credit', async () => {
    const c = await makeCustomer(w);
    await recharge(w, c, 5000);
    const o = await order(w, c, 20000);
    await pay(c, { order_id: o.id }, 4000);
    expect(await balanceOf(w, c)).to.equal(1000);
    // Orders have no receivable in billing: the payment waits as the customer's billing credit.
    expect((await w.accounts.balance(w.ctx, c)).credit).to.equal(4000);
    // More than the order still owes is refused, naming the amount.
    expect((await pay(c, { order_id: o.id }, 16001).catch((e) => e)).fields).to.have.property('amount');
    await w.documents.refundOrder(w.ctx, o.id, 5000, 'a quarter back'); // a quarter: 1000 back to the balance
    expect(await balanceOf(w, c)).to.equal(2000);
    expect((await w.accounts.balance(w.ctx, c)).credit).to.equal(3000);
    await w.documents.refundOrder(w.ctx, o.id, 15000, 'the rest');
    expect(await balanceOf(w, c)).to.equal(5000);
    expect((await w.accounts.balance(w.ctx, c)).credit).to.equal(0);
    expect(await ledgerAndRow(w, c)).to.deep.equal({ ledger: 5000, row: 5000 });
  });

  it('a balance payment reversed in billing puts the money back once', async () => {
    const c = await makeCustomer(w);
    await recharge(w, c, 2000);
    const inv = await invoice(w, c);
    const { payment } = await pay(c, { invoice_id: inv.id }, 1500);
    await w.payments.reverse(w.ctx, payment.id, 'wrong customer');
    expect(await balanceOf(w, c)).to.equal(2000);
    expect((await w.documents.get(w.ctx, inv.id)).residual).to.equal(10000);
  });

  it('a document of another customer or the wrong kind is refused naming the field', async () => {
    const a = await makeCustomer(w);
    const b = await makeCustomer(w);
    await recharge(w, a, 2000);
    const inv = await invoice(w, b);
    expect((await pay(a, { invoice_id: inv.id }, 100).catch((e) => e)).fields).to.have.property('invoice_id');
    expect((await pay(a, { order_id: inv.id }, 100).catch((e) => e)).fields).to.have.property('order_id');
    expect((await w.balance.pay(w.ctx, { customer_id: a, amount: 100, reference: uniq('B') }).catch((e) => e)).fields).to.have.property('order_id');
  });

  it('a spend on an invoice is not read first: billing refuses what the invoice cannot take, named as before, and nothing moves', async () => {
    const c = await makeCustomer(w);
    await recharge(w, c, 20000);
    const inv = await invoice(w, c); // 100.00
    const before = await w.accounts.balance(w.ctx, c);
    // More than it owes: billing would keep the rest as credit; `wholly` refuses it instead.
    const over = await pay(c, { invoice_id: inv.id }, 10001).catch((e) => e);
    expect([over.status, over.message, over.fields]).to.deep.equal([422, over.message, { amount: 'must be at most 10000, what the invoice still owes' }]);
    expect(await pay(c, { invoice_id: 999_999_999 }, 100).catch((e) => e.fields)).to.deep.equal({ invoice_id: 'invoice 999999999 does not exist' });
    // All of it (a locking read, paid off), then nothing left: the invoice is paid, not open.
    await pay(c, { invoice_id: inv.id }, 10000);
    expect(await pay(c, { invoice_id: inv.id }, 1).catch((e) => e.fields)).to.deep.equal({ invoice_id: `invoice ${inv.number ?? inv.id} is paid, not open` });
    expect(await balanceOf(w, c)).to.equal(10000);
    expect(await ledgerAndRow(w, c)).to.deep.equal({ ledger: 10000, row: 10000 });
    expect((await w.accounts.balance(w.ctx, c)).balance).to.equal(before.balance - 10000);
    expect((await w.accounts.balance(w.ctx, c)).credit).to.equal(before.credit);
  });
});
