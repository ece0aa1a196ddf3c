import { expect } from 'chai';
import { ownStatementsDuring } from 'tessera/testing';
import { MESSAGING, type NotifyService } from '../api';
import { type LocalGateway, type MessagingWorld, makeCustomer, runDelivery, smsWorld } from './messaging-fixtures';

/**
 * The statements a notification costs, pinned: every statement more is a round trip on each of the
 * many notifications a busy day sends (the bench's ratio against raw bull moves with these numbers).
 */
describe('messaging statements per notification @integration', () => {
  let w: MessagingWorld;
  let gateway: LocalGateway;

  /**
   * The statements the work sent itself: the test app's job poller, relay and lease checks share the
   * knex and, on timers of their own, would otherwise be counted whenever they ran in the window.
   */
  async function counted<T>(work: () => Promise<T>): Promise<{ result: T; statements: string[] }> {
    const { result, statements } = await ownStatementsDuring(w.t.knex, work);
    return { result, statements: statements.map((q) => q.sql) };
  }

  /** Notifications already queued for `count` new customers, as notify leaves them: their ids. */
  async function queued(count: number, key: string): Promise<number[]> {
    const customers = await Promise.all(Array.from({ length: count }, () => makeCustomer(w)));
    const now = new Date();
    const ids: number[] = [];
    for (const [i, c] of customers.entries()) {
      const [id] = await w.t.knex('messaging_notifications').insert({ company_id: w.companyId, event: 'messaging.birthday', channel: 'sms', customer_id: c.id, dedupe_key: `${key}-${i}`, status: 'queued', recipient: c.phone, body: `hello ${i}`, attempts: 0, created_at: now, updated_at: now });
      ids.push(Number(id));
    }
    return ids;
  }

  before(async function () {
    this.timeout(120_000);
    ({ w, gateway } = await smsWorld());
  });
  after(() => gateway.close());

  it('records a notification in six statements: the customer, the settings, and its row and its job in one transaction', async () => {
    const customer = await makeCustomer(w);
    const notify = w.t.container.get<NotifyService>(MESSAGING.Notify);
    const { result, statements } = await counted(() => notify.send(w.ctx.db, { template: 'messaging.birthday', customerId: customer.id, channel: 'sms', data: {}, dedupeKey: 'budget-1' }));
    expect(result).to.have.length(1);
    expect(statements.map((s) => s.split(' ').slice(0, 3).join(' ').replace(/[`;]/g, '')), statements.join('\n')).to.have.members(['select * from', "select 'template' as", 'BEGIN', 'insert into messaging_notifications', 'insert into core_jobs', 'COMMIT']);
  });

  it('delivers a batch with a handful of statements whatever its size, and no outbox row when nobody wants the delivered event', async () => {
    const ids = await queued(6, 'budget-batch');
    const { result, statements } = await counted(() => runDelivery(w, { notification_id: ids[0] }));
    expect(result).to.deep.equal({ sent: true, batch: 6 });
    expect(statements.filter((s) => /core_outbox/.test(s))).to.deep.equal([]);
    // The claim of its own; the batch claim and the settling of the others' jobs in one transaction; the
    // rows with their channel; the outcomes in one transaction. SET TRANSACTION on MariaDB only. (Was 13
    // and 12, with the channels read on their own.)
    expect(statements.length, statements.join('\n')).to.be.at.most(w.t.knex.client.config.client === 'mysql2' ? 12 : 11);
  });

  it('delivers a notification alone in seven statements: its claim, one read finding nobody to take along, its row, the outcome in one transaction', async () => {
    await w.t.drainJobs();
    const [id] = await queued(1, 'budget-alone');
    const { result, statements } = await counted(() => runDelivery(w, { notification_id: id }));
    expect(result).to.deep.equal({ sent: true });
    // Was 11 on MariaDB (10 on SQLite): a take-along transaction (SET TRANSACTION, BEGIN, a locking read,
    // COMMIT) that found nobody.
    expect(statements.length, statements.join('\n')).to.equal(7);
  });

  it('delivers a batch notify wrote in six statements, and a run that finds it taken in one', async () => {
    const ids = await queued(4, 'budget-own');
    const run = () => runDelivery(w, { notification_ids: ids });
    // Its claim (one update under its token), its rows with their channel beside them, the outcomes in
    // one transaction (BEGIN, the sent update, the log insert, COMMIT; the writes deferred, sent with the
    // COMMIT on MariaDB). Was 12 statements on MariaDB: a claim transaction that also locked and took
    // others along; then 7: the channels read on their own.
    const first = await counted(run);
    expect(first.result).to.deep.equal({ sent: 4, batch: 4 });
    expect(first.statements.length, first.statements.join('\n')).to.equal(6);
    // Run again (or after another job took them): one update that claims nothing. Was four on MariaDB.
    const again = await counted(run);
    expect(again.result).to.include({ sent: false });
    expect(again.statements.length, again.statements.join('\n')).to.equal(1);
  });
});
