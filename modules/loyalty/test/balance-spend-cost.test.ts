import { expect } from 'chai';
import supertest from 'supertest';
import { drainJobs, requestStatements, statementsDuring } from 'tessera/testing';
import { balanceOf, balanceWorld, invoice, makeCustomer, recharge, type BalanceWorld } from './balance-fixtures';

/**
 * What a spend from the prepaid balance over HTTP costs the database (issue 13's bench: spends per
 * second against a raw guarded update). Counted: what ran outside any transaction and the payment's
 * transaction. The test app's job runner and relay (on `core_jobs` and `core_outbox` outside a
 * transaction, a handler's own transaction) are not the request's.
 */
describe('loyalty balance spend cost @integration', function () {
  this.timeout(Math.max(this.timeout(), 120_000));
  let w: BalanceWorld;
  let auth: Record<string, string>;
  before(async () => {
    w = await balanceWorld();
    const token = await w.t.token((await w.t.createUser({ permissions: ['loyalty.balance.recharge'], companyIds: [w.companyId] })).email);
    auth = { Authorization: `Bearer ${token}`, Accept: 'application/json' };
  });

  it('a spend on part of an invoice takes 15 statements: the token, the invoice (without its lines), the payment (the invoice residual by a guarded update alone) with the balance guarded update, the new balance', async () => {
    const c = await makeCustomer(w);
    await recharge(w, c, 5000);
    const inv = await invoice(w, c, 3);
    const spend = (reference: string) => supertest(w.t.app).post('/api/v1/loyalty/balance-payments').set(auth).send({ customer_id: c, invoice_id: inv.id, amount: 100, reference });
    await spend('S-0').expect(201);
    await drainJobs(w.t.kernel);
    const { result, statements } = await statementsDuring(w.t.knex, () => spend('S-1').expect(201));
    const answer = result.body;
    const own = requestStatements(statements, /^insert into `billing_payments`/);
    expect(own, own.join('\n')).to.have.length(15);
    expect(own.some((sql) => /billing_document_lines/.test(sql))).to.equal(false);
    expect(answer.balance.balance).to.equal(5000 - 200);
    expect(await balanceOf(w, c)).to.equal(5000 - 200);
  });
});
