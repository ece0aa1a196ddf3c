import { expect } from 'chai';
import { statementsDuring } from 'tessera/testing';
import { MESSAGING, type NotificationRecord, type NotifyService } from '../api';
import { type LocalGateway, type MessagingWorld, makeCustomer, notificationStatuses, runDelivery, smsWorld } from './messaging-fixtures';

/** Senders in no transaction of their own, at the same moment: written together, delivered by one job. */
describe('messaging notify in batches @integration', () => {
  let w: MessagingWorld;
  let gateway: LocalGateway;
  let notify: NotifyService;
  const deliver = (data: Record<string, unknown>) => runDelivery(w, data);
  const statuses = (ids: number[]) => notificationStatuses(w, ids);
  const ask = (customerId: number, key: string) => notify.send(w.ctx.db, { template: 'messaging.birthday', customerId, channel: 'sms', data: {}, dedupeKey: key });

  before(async function () {
    this.timeout(120_000);
    ({ w, gateway } = await smsWorld());
    notify = w.t.container.get<NotifyService>(MESSAGING.Notify);
  });
  after(() => gateway.close());

  it('writes the notifications of senders of the same moment with one job, and sends each once', async () => {
    const customers = await Promise.all([1, 2, 3, 4, 5].map(() => makeCustomer(w)));
    const records = (await Promise.all(customers.map((c, i) => ask(c.id, `together-${i}`)))).flat();
    expect(records.map((r) => r.status)).to.deep.equal(Array(5).fill('queued'));
    expect(records.every((r) => r.created)).to.equal(true);
    const ids = records.map((r) => r.id);
    const jobs = await w.t.knex('core_jobs').where('job_key', 'like', 'messaging.deliver:batch:%').where('job_key', '>=', `messaging.deliver:batch:${Math.min(...ids)}`).select('data');
    const batched = jobs.flatMap((j: any) => JSON.parse(j.data).notification_ids ?? []);
    expect(batched.length, 'most of them in batch jobs').to.be.greaterThan(1);
    await w.t.drainJobs();
    expect(await statuses(ids)).to.deep.equal(Array(5).fill('sent/1'));
    for (const c of customers) expect(gateway.requests.filter((r) => r.body.to === c.phone), c.phone!).to.have.length(1);
  });

  it('answers one notification for a key asked twice in the same batch, and refuses a missing customer alone', async () => {
    const [a, b] = await Promise.all([makeCustomer(w), makeCustomer(w)]);
    const answers = await Promise.allSettled([ask(a.id, 'twice'), ask(a.id, 'twice'), ask(b.id, 'other'), ask(999_999_999, 'nobody')]);
    const [first, second, other, nobody] = answers;
    expect(nobody.status).to.equal('rejected');
    expect(String((nobody as PromiseRejectedResult).reason?.message ?? (nobody as PromiseRejectedResult).reason)).to.match(/customer|valid/i);
    const [x, y, z] = [first, second, other].map((r) => (r as PromiseFulfilledResult<NotificationRecord[]>).value[0]);
    expect(x.id).to.equal(y.id);
    expect([x.created, y.created].sort()).to.deep.equal([false, true]);
    expect(z).to.include({ status: 'queued', created: true });
    await w.t.drainJobs();
    expect(await statuses([x.id, z.id])).to.deep.equal(['sent/1', 'sent/1']);
    expect(gateway.requests.filter((r) => r.body.to === a.phone)).to.have.length(1);
  });

  it('a batch job gives each refused notification a retry job of its own, and does not throw', async () => {
    const customers = await Promise.all([1, 2, 3].map(() => makeCustomer(w)));
    const now = new Date();
    const ids: number[] = [];
    for (const [i, c] of customers.entries()) {
      const [id] = await w.t.knex('messaging_notifications').insert({ company_id: w.companyId, event: 'messaging.birthday', channel: 'sms', customer_id: c.id, dedupe_key: `refused-batch-${i}`, status: 'queued', recipient: c.phone, body: `hi ${i}`, attempts: 0, created_at: now, updated_at: now });
      ids.push(Number(id));
    }
    gateway.answer.status = 503;
    gateway.answer.body = 'busy';
    try {
      expect(await deliver({ notification_ids: ids })).to.deep.equal({ sent: 0, batch: 3 });
    } finally {
      gateway.answer.status = 200;
      gateway.answer.body = '{"id":"gw"}';
    }
    expect(await statuses(ids)).to.deep.equal(['queued/1', 'queued/1', 'queued/1']);
    const retries = await w.t.knex('core_jobs').whereIn('job_key', ids.map((id) => `messaging.deliver:${id}:1`)).pluck('job_key');
    expect(retries).to.have.length(3);
    // Run again, the batch's job finds nothing of its own to claim (they wait for their back-off).
    expect(await deliver({ notification_ids: ids })).to.include({ sent: false });
    await w.t.knex('core_jobs').whereIn('job_key', retries).delete();
    await w.t.knex('messaging_notifications').whereIn('id', ids).update({ status: 'failed' });
  });

  it('costs the batch one read of its customers, one settings read and one transaction of four statements', async () => {
    const customers = await Promise.all([1, 2, 3, 4, 5, 6].map(() => makeCustomer(w)));
    const { result, statements } = await statementsDuring(w.t.knex, () => Promise.all(customers.map((c, i) => ask(c.id, `budget-${i}`))));
    expect(result.flat()).to.have.length(6);
    const count = (re: RegExp) => statements.filter((q) => re.test(q.sql)).length;
    const writes = new Set(statements.filter((q) => /^insert into `messaging_notifications`/.test(q.sql)).map((q) => q.tx));
    // Per batch (one or two, as the senders arrived; never one each): the six customers in one read, as
    // the senders share their principal (was one read each); the settings, and BEGIN, the insert, its
    // read-back, the job, COMMIT.
    expect(writes.size).to.be.within(1, 2);
    expect(count(/from `crm_customers`/)).to.equal(writes.size);
    expect(count(/^select 'template' as kind/)).to.equal(writes.size);
    expect(statements.filter((q) => writes.has(q.tx) && /^insert into `core_jobs`/.test(q.sql))).to.have.length(writes.size);
    await w.t.drainJobs();
  });
});
