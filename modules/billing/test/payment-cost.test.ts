import { expect } from 'chai';
import supertest from 'supertest';
import { drainJobs, requestRoundTrips, requestStatements, statementsDuring } from 'tessera/testing';
import { billingWorld, ledgerCheck, makeCustomer, postedInvoice, type BillingWorld } from './billing-fixtures';

/**
 * What a payment posted over HTTP costs the database, the whole request counted: billing's transaction, the rows other modules add in it (schemes' pay plan lookup, messaging's job),
 * the Idempotency-Key. Issue 9's bench found the server's CPU going to one socket write per statement,
 * so a statement more is a regression this test names, with the statements listed. On MySQL/MariaDB the
 * writes nobody reads back (the audit row, the allocation, the ledger row) are deferred and travel with
 * the next statement, as knex's BEGIN does with the first, and statements that depend on nothing answered
 * before them travel together (`sentTogether`, a handler's statement sent ahead with the event): the round trips are counted there too.
 * The bearer token is read by the call just before (`keepToken`): a process keeps it for tokenCacheMs,
 * so a till posting payments one after another reads it about once a second, not once a payment.
 */
describe('billing payment cost @integration', function () {
  this.timeout(Math.max(this.timeout(), 120_000));
  let w: BillingWorld;
  let auth: Record<string, string>;
  before(async () => {
    w = await billingWorld();
    auth = { Authorization: `Bearer ${await w.t.token(w.admin.email)}`, Accept: 'application/json' };
  });

  /**
   * The statements the request ran, from its start to its answer: the payment's transaction and what
   * ran outside any transaction. The test app also runs jobs and the relay: their statements (on
   * `core_jobs` and `core_outbox` outside a transaction, a handler's own transaction), the queue's
   * batched hand-over after the commit among them, are not the request's.
   */
  /** The request's statements, and its round trips on MySQL/MariaDB (null on SQLite, where there are none). */
  async function costOf(send: () => Promise<unknown>): Promise<{ statements: string[]; trips: string[] | null }> {
    await drainJobs(w.t.kernel);
    await keepToken();
    const seen = await statementsDuring(w.t.knex, send);
    const marker = /^insert into `billing_payments`/;
    const mysql = String(w.t.knex.client.config.client).startsWith('mysql');
    return { statements: requestStatements(seen.statements, marker), trips: mysql ? requestRoundTrips(seen.statements, seen.roundTrips, marker) : null };
  }

  /** A call that reads the bearer token, so the process keeps it for the measured call right after. */
  async function keepToken(): Promise<void> {
    await supertest(w.t.app).get('/api/v1/billing/journals').set(auth).expect(200);
  }

  /** On MySQL/MariaDB: the round trips, and that the deferred writes travelled with a later statement. */
  function expectTrips(trips: string[] | null, count: number): void {
    if (!trips) return;
    expect(trips, trips.join('\n---\n')).to.have.length(count);
    for (const table of ['core_audit_log', 'billing_allocations', 'billing_ledger']) {
      expect(trips.find((t) => t.includes(`insert into \`${table}\``)), table).to.match(/;\n/);
    }
  }

  const pay = (customer: number, reference: string, key?: string) => {
    const request = supertest(w.t.app).post('/api/v1/billing/payments').set(auth);
    if (key) request.set('Idempotency-Key', key);
    return request.send({ customer_id: customer, journal_id: w.journals.cash.id, amount: 700, method: 'cash', reference });
  };

  it('a paid payment taking part of an invoice takes 12 statements over HTTP (5 round trips on MySQL), and 14 with an Idempotency-Key', async () => {
    const customer = await makeCustomer(w);
    const invoice = await postedInvoice(w, customer, 2500);
    await pay(customer, 'WARM').expect(201); // the customer's account and the journal, known from now on
    const plain = await costOf(() => pay(customer, 'CASH-1').expect(201));
    // BEGIN; the balance moved (the account lock); the open invoices, locked; the residual; the payment
    // and its audit row; the allocation; the ledger row; the event's outbox row and messaging's job;
    // schemes' pay plans; COMMIT. Round trips: BEGIN, the balance's update and the open invoices'
    // locking read together (the account lock still first); the residual
    // with the payment (the invoice locked, its guarded update cannot miss: its count is checked after);
    // the audit row, the allocation, the ledger row, the outbox row and schemes' pay plans (the event's
    // `sendAhead`); messaging's job; COMMIT.
    expect(plain.statements, plain.statements.join('\n')).to.have.length(12);
    expect(plain.statements.filter((sql) => /core_api_tokens/.test(sql)), 'the token, kept from the call before').to.deep.equal([]);
    expectTrips(plain.trips, 5);
    const keyed = await costOf(() => pay(customer, 'CASH-2', 'key-cash-2').expect(201));
    // The key claimed before, its answer stored after.
    expect(keyed.statements, keyed.statements.join('\n')).to.have.length(14);
    expectTrips(keyed.trips, 7);
    const again = await pay(customer, 'CASH-2', 'key-cash-2').expect(201);
    expect(again.headers['idempotent-replayed']).to.equal('true');
    const residual = await w.t.knex('billing_documents').where({ id: invoice }).first('residual');
    expect(Number(residual.residual)).to.equal(2500 - 3 * 700);
    const check = await ledgerCheck(w, customer);
    expect(check.balance).to.equal(check.ledger);
    expect(check).to.include({ ledger: 2500 - 3 * 700, credit: 0 });
  });

  it('a payment picking one invoice that owes more takes its residual by the guarded update alone, sent with the balance\'s: 11 statements, 5 round trips; one that pays it off reads it first', async () => {
    const customer = await makeCustomer(w);
    const invoice = await postedInvoice(w, customer, 1000);
    const picked = (reference: string, amount: number) => supertest(w.t.app).post('/api/v1/billing/payments').set(auth)
      .send({ customer_id: customer, journal_id: w.journals.cash.id, amount, method: 'cash', reference, invoice_ids: [invoice] });
    await picked('PICK-0', 100).expect(201);
    const cost = await costOf(() => picked('PICK-1', 300).expect(201));
    const part = cost.statements;
    expect(part, part.join('\n')).to.have.length(11);
    expectTrips(cost.trips, 5);
    expect(part.some((sql) => /^select .* from `billing_documents`/.test(sql))).to.equal(false);
    const rest = await picked('PICK-2', 600).expect(201);
    expect(rest.body.allocations).to.deep.equal([{ invoice_id: invoice, amount: 600 }]);
    const doc = await w.t.knex('billing_documents').where({ id: invoice }).first('residual', 'status');
    expect([Number(doc.residual), doc.status]).to.deep.equal([0, 'paid']);
    // Nothing left to take: the general path refuses it, naming the invoice.
    const refused = await picked('PICK-3', 50).expect(422);
    expect(refused.body.error.fields.invoice_ids).to.contain(String(invoice));
    const check = await ledgerCheck(w, customer);
    expect(check.balance).to.equal(check.ledger);
    expect(check).to.include({ ledger: 0, credit: 0 });
  });

  it('a payment paying an invoice off and leaving credit adds what that takes: 14 statements', async () => {
    const customer = await makeCustomer(w);
    await postedInvoice(w, customer, 1000);
    await pay(customer, 'WARM-2').expect(201);
    const cost = await costOf(() => pay(customer, 'CASH-3').expect(201));
    const seen = cost.statements;
    // Beyond the 12 above: loyalty's points settings (the invoice became paid) and the credit left.
    expect(seen, seen.join('\n')).to.have.length(14);
    expectTrips(cost.trips, 7);
    const check = await ledgerCheck(w, customer);
    expect(check.balance).to.equal(check.ledger);
    expect(check).to.include({ ledger: 1000 - 2 * 700, credit: 2 * 700 - 1000 });
  });
});
