import { expect } from 'chai';
import supertest from 'supertest';
import { drainJobs, requestRoundTrips, requestStatements, statementsDuring } from 'tessera/testing';
import { balanceOf, balanceWorld, invoice, makeCustomer, recharge, type BalanceWorld } from './balance-fixtures';

/**
 * What a spend from the prepaid balance over HTTP costs the database (issue 13's bench: spends per
 * second against a raw guarded update). Counted: what ran outside any transaction and the payment's
 * transaction. The test app's job runner and relay (on `core_jobs` and `core_outbox` outside a
 * transaction, a handler's own transaction) are not the request's. On MySQL/MariaDB the round trips
 * are counted too: statements travel together where nothing waits on the one before.
 */
describe('loyalty balance spend cost @integration', function () {
  this.timeout(Math.max(this.timeout(), 120_000));
  let w: BalanceWorld;
  let auth: Record<string, string>;
  before(async () => {
    w = await balanceWorld();
    const token = await w.t.token((await w.t.createUser({ permissions: ['loyalty.balance.recharge', 'loyalty.balance.read'], companyIds: [w.companyId] })).email);
    auth = { Authorization: `Bearer ${token}`, Accept: 'application/json' };
  });

  it('a spend on part of an invoice takes 13 statements (5 round trips on MySQL): the payment (the invoice residual by a guarded update alone, unread) with the balance guarded update, the new balance read in its transaction', async () => {
    const c = await makeCustomer(w);
    await recharge(w, c, 5000);
    const inv = await invoice(w, c, 3);
    const spend = (reference: string) => supertest(w.t.app).post('/api/v1/loyalty/balance-payments').set(auth).send({ customer_id: c, invoice_id: inv.id, amount: 100, reference });
    await spend('S-0').expect(201);
    await drainJobs(w.t.kernel);
    // The bearer token read just before: the process keeps it for tokenCacheMs (a till spends one
    // balance after another and reads the token about once a second, not once a spend).
    await supertest(w.t.app).get(`/api/v1/loyalty/customers/${c}/balance`).set(auth).expect(200);
    const { result, statements, roundTrips } = await statementsDuring(w.t.knex, () => spend('S-1').expect(201));
    const answer = result.body;
    const marker = /^insert into `billing_payments`/;
    const own = requestStatements(statements, marker);
    // BEGIN; billing's balance move with the invoice's guarded update; the payment, its audit
    // row, allocation and ledger row; the outbox row with the spend's guarded update (sent ahead with
    // billing's event); messaging's job; loyalty's ledger row and the balance read back; COMMIT.
    // Without the invoice read of before: billing's guarded update decides, a refusal reads it to say why.
    expect(own, own.join('\n')).to.have.length(13);
    expect(own.some((sql) => /from `billing_documents`/.test(sql))).to.equal(false);
    if (String(w.t.knex.client.config.client).startsWith('mysql')) {
      const trips = requestRoundTrips(statements, roundTrips, marker);
      // BEGIN + both moves; the payment; the deferred rows + outbox + the spend; the job; the
      // ledger row + the balance read + COMMIT (the payment is new: its ledger row's key cannot be taken).
      expect(trips, trips.join('\n---\n')).to.have.length(5);
    }
    expect(answer.balance.balance).to.equal(5000 - 200);
    expect(await balanceOf(w, c)).to.equal(5000 - 200);
  });
});
