import { expect } from 'chai';
import { BILLING, type CatalogService } from '../../billing/api';
import { balanceOf, balanceWorld, invoice, ledgerAndRow, makeCustomer, makeOffer, recharge, uniq, type BalanceWorld } from './balance-fixtures';

describe('loyalty balance: recharges and offers @integration', function () {
  this.timeout(Math.max(this.timeout(), 90_000));
  let w: BalanceWorld;
  before(async () => {
    w = await balanceWorld();
  });

  it('a cash recharge paid at once credits the balance and leaves no billing credit behind', async () => {
    const c = await makeCustomer(w);
    const { payment, balance: answered } = await recharge(w, c, 2500);
    expect(payment.status).to.equal('paid');
    expect(answered.balance).to.equal(2500);
    const balance = await w.balance.summary(w.ctx, c);
    expect(balance.ledger.map((l) => [l.kind, l.amount, l.balance_after])).to.deep.equal([['recharge', 2500, 2500]]);
    // The money is counted once: as prepaid balance, not also as billing customer credit.
    expect((await w.accounts.balance(w.ctx, c)).credit).to.equal(0);
  });

  it('a recharge offer applies at its threshold and not one cent below', async () => {
    // Threshold 50.00, 7.5 %: 5000 × 750 / 10000 = 375 exactly; fresh company offers do not leak elsewhere.
    const local = await balanceWorld({ t: w.t });
    await makeOffer(local, { rate_bps: 750, threshold: 5000 });
    const at = await makeCustomer(local);
    const below = await makeCustomer(local);
    await recharge(local, at, 5000);
    await recharge(local, below, 4999);
    expect(await balanceOf(local, at)).to.equal(5375);
    expect(await balanceOf(local, below)).to.equal(4999);
    const bonus = (await local.balance.summary(local.ctx, at)).ledger.find((l) => l.kind === 'bonus');
    expect(bonus).to.include({ amount: 375 });
  });

  it('the best applicable offer wins, the bonus rounds half-up once, and method-limited offers apply only to their methods', async () => {
    const local = await balanceWorld({ t: w.t });
    await makeOffer(local, { name: 'small', rate_bps: 500, threshold: 1000 });
    const big = await makeOffer(local, { name: 'big', rate_bps: 1250, threshold: 3000 });
    await makeOffer(local, { name: 'bank only', rate_bps: 2000, threshold: 1000, payment_methods: ['bank'] });
    const c1 = await makeCustomer(local);
    // 3333 × 12.5 % = 416.625 → 417 (half-up once)
    await recharge(local, c1, 3333);
    const bonus = (await local.balance.summary(local.ctx, c1)).ledger.find((l) => l.kind === 'bonus');
    expect(bonus).to.include({ amount: 417, offer_id: big.id });
    const c2 = await makeCustomer(local);
    // 1010 by bank: 20 % → 202 beats 5 % → 50.5 → 51
    await recharge(local, c2, 1010, { journal_id: local.journals.bank.id, method: 'bank' });
    expect(await balanceOf(local, c2)).to.equal(1212);
    const c3 = await makeCustomer(local);
    // 1010 in cash: the bank-only offer does not apply; 5 % of 1010 = 50.5 → 51
    await recharge(local, c3, 1010);
    expect(await balanceOf(local, c3)).to.equal(1061);
  });

  it('an online recharge is credited when billing confirms it, once, however often the confirmation arrives', async () => {
    const c = await makeCustomer(w);
    const reference = uniq('WEB');
    const { payment } = await recharge(w, c, 4000, { method: 'online', journal_id: w.journals.bank.id, status: 'processing', reference });
    expect(payment.status).to.equal('processing');
    expect(await balanceOf(w, c)).to.equal(0);
    await w.payments.confirm(w.ctx, payment.id);
    await w.payments.confirm(w.ctx, payment.id); // the provider's webhook delivered twice
    const again = await recharge(w, c, 4000, { method: 'online', journal_id: w.journals.bank.id, status: 'processing', reference });
    expect(again.payment.id).to.equal(payment.id);
    expect(await balanceOf(w, c)).to.equal(4000);
    expect(await ledgerAndRow(w, c)).to.deep.equal({ ledger: 4000, row: 4000 });
  });

  it('the same payment posted event delivered twice credits once', async () => {
    const c = await makeCustomer(w);
    const { payment } = await recharge(w, c, 1500);
    const payload = { payment_id: payment.id, customer_id: c, journal_id: w.journals.cash.id, journal_code: 'CSH', amount: 1500, currency: 'EUR', method: 'cash', reference: payment.reference, allocations: [], paid_at: new Date().toISOString(), metadata: { purpose: 'loyalty.recharge', loyalty_recharge: true } };
    await w.ctx.db.transaction((db) => db.publish('billing.payment.posted', payload, w.companyId));
    expect(await balanceOf(w, c)).to.equal(1500);
  });

  it('a recharge cannot be paid from the balance itself, nor with customer credit', async () => {
    const c = await makeCustomer(w);
    await recharge(w, c, 1000);
    const inv = await invoice(w, c);
    await w.balance.pay(w.ctx, { customer_id: c, invoice_id: inv.id, amount: 100, reference: uniq('B') });
    const journalId = (await w.t.container.get<CatalogService>(BILLING.Catalog).journalByCode(w.ctx, 'LOYALTY')).id;
    const fromBalance = await recharge(w, c, 500, { journal_id: journalId, method: 'cash' }).catch((e) => e);
    expect(fromBalance.fields).to.have.property('journal_id');
    const byCredit = await recharge(w, c, 500, { method: 'credit' }).catch((e) => e);
    expect(byCredit.fields).to.have.property('method');
    expect(await balanceOf(w, c)).to.equal(900);
  });
});
