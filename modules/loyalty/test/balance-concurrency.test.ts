import { expect } from 'chai';
import { balanceOf, balanceWorld, invoice, ledgerAndRow, makeCustomer, recharge, uniq, type BalanceWorld } from './balance-fixtures';

/**
 * Spends at the same moment, as two tills paying from one balance: on MariaDB they really run at once
 * (separate connections); the guarded update decides, never a read made before the write.
 */
describe('loyalty balance concurrency @integration', function () {
  this.timeout(Math.max(this.timeout(), 120_000));
  let w: BalanceWorld;
  before(async () => {
    w = await balanceWorld();
  });

  it('two concurrent spends of one balance cannot both pass', async () => {
    const c = await makeCustomer(w);
    await recharge(w, c, 10000);
    const a = await invoice(w, c);
    const b = await invoice(w, c);
    const results = await Promise.allSettled([
      w.balance.pay(w.ctx, { customer_id: c, invoice_id: a.id, amount: 7000, reference: uniq('B') }),
      w.balance.pay(w.ctx, { customer_id: c, invoice_id: b.id, amount: 7000, reference: uniq('B') }),
    ]);
    const passed = results.filter((r) => r.status === 'fulfilled');
    const refused = results.filter((r) => r.status === 'rejected') as PromiseRejectedResult[];
    expect(passed).to.have.length(1);
    expect(refused.map((r) => r.reason.status)).to.deep.equal([409]);
    expect(await balanceOf(w, c)).to.equal(3000);
    const residuals = [(await w.documents.get(w.ctx, a.id)).residual, (await w.documents.get(w.ctx, b.id)).residual].sort((x, y) => x - y);
    expect(residuals).to.deep.equal([3000, 10000]);
  });

  it('the same spend sent several times at once is one payment and one debit', async () => {
    const c = await makeCustomer(w);
    await recharge(w, c, 5000);
    const inv = await invoice(w, c);
    const reference = uniq('B');
    const results = await Promise.allSettled([1, 2, 3, 4].map(() => w.balance.pay(w.ctx, { customer_id: c, invoice_id: inv.id, amount: 1000, reference })));
    const ids = new Set(results.filter((r) => r.status === 'fulfilled').map((r) => (r as PromiseFulfilledResult<any>).value.payment.id));
    expect(ids.size).to.equal(1);
    expect(await balanceOf(w, c)).to.equal(4000);
  });

  it('8 concurrent clients recharging and spending: the ledger sums to the balance, which never passed its limit', async () => {
    const customers = [await makeCustomer(w), await makeCustomer(w)];
    for (const c of customers) await recharge(w, c, 3000);
    await w.balance.setCreditLimit(w.ctx, customers[1], 500);
    const invoices = new Map<number, number>();
    for (const c of customers) invoices.set(c, (await invoice(w, c, 50)).id); // 5,000.00 each: never the limit
    let refusedCount = 0;
    const client = async (n: number) => {
      for (let i = 0; i < 6; i++) {
        const c = customers[(n + i) % 2];
        try {
          if ((n + i) % 3 === 0) await recharge(w, c, 700);
          else if ((n + i) % 3 === 1) await w.balance.pay(w.ctx, { customer_id: c, invoice_id: invoices.get(c)!, amount: 900, reference: uniq('B') });
          else await w.balance.adjust(w.ctx, c, -400, 'concurrent debit');
        } catch (error) {
          if ((error as { status?: number }).status !== 409) throw error;
          refusedCount++;
        }
      }
    };
    await Promise.all([0, 1, 2, 3, 4, 5, 6, 7].map(client));
    for (const [i, c] of customers.entries()) {
      const { ledger, row } = await ledgerAndRow(w, c);
      expect(ledger, `customer ${i}`).to.equal(row);
      expect(row).to.be.at.least(i === 1 ? -500 : 0);
      // Billing agrees: what the balance paid is what the invoice no longer owes.
      const paid = -Number((await w.t.knex('loyalty_balance_ledger').where({ company_id: w.companyId, customer_id: c, kind: 'payment' }).sum({ s: 'amount' }).first())?.s ?? 0);
      expect((await w.documents.get(w.ctx, invoices.get(c)!)).residual).to.equal(500000 - paid);
    }
    expect(refusedCount).to.be.at.least(0);
  });
});
