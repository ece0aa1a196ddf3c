import { expect } from 'chai';
import { statementsDuring } from 'tessera/testing';
import { type LocalGateway, type MessagingWorld, makeCustomer, notificationStatuses, runDelivery, smsWorld } from './messaging-fixtures';
import { sweepStaleClaims } from '../notifications/delivery-sweep';

/** A delivery job takes along the company's notifications waiting for their first try: sent at once, recorded once. */
describe('messaging delivery in batches @integration', () => {
  let w: MessagingWorld;
  let gateway: LocalGateway;
  const deliver = (id: number) => runDelivery(w, { notification_id: id });
  const statuses = (ids: number[]) => notificationStatuses(w, ids);

  /** Queued notifications no job holds, so only this test's runs deliver them. */
  async function waiting(n: number, tag: string): Promise<{ ids: number[]; phones: string[] }> {
    const ids: number[] = [];
    const phones: string[] = [];
    for (let i = 0; i < n; i++) {
      const customer = await makeCustomer(w);
      const now = new Date();
      const [id] = await w.t.knex('messaging_notifications').insert({ company_id: w.companyId, event: 'messaging.birthday', channel: 'sms', customer_id: customer.id, dedupe_key: `${tag}-${i}`, status: 'queued', recipient: customer.phone, body: `hello ${i}`, attempts: 0, created_at: now, updated_at: now });
      ids.push(Number(id));
      phones.push(customer.phone!);
    }
    return { ids, phones };
  }

  before(async function () {
    this.timeout(120_000);
    ({ w, gateway } = await smsWorld());
  });
  after(() => gateway.close());

  it('sends the waiting ones along with its own, each once, and their own jobs then send nothing', async () => {
    const { ids, phones } = await waiting(6, 'batch');
    expect(await deliver(ids[2])).to.deep.equal({ sent: true, batch: 6 });
    expect(await statuses(ids)).to.deep.equal(Array(6).fill('sent/1'));
    for (const id of ids) expect(await deliver(id)).to.include({ sent: false });
    for (const phone of phones) expect(gateway.requests.filter((r) => r.body.to === phone), phone).to.have.length(1);
    expect(await w.t.knex('messaging_delivery_attempts').whereIn('notification_id', ids).pluck('outcome')).to.deep.equal(Array(6).fill('sent'));
  });

  it('completes the jobs of the ones it takes along, so the queue does not run them', async () => {
    const { ids } = await waiting(3, 'settle');
    // Their own jobs, held back an hour so that only this test's run decides them (and removed after it:
    // a delayed job would keep the queue from draining for the next tests).
    const keys = ids.map((id) => `messaging.deliver:${id}`);
    for (const [i, id] of ids.entries()) await w.ctx.db.enqueue('messaging.deliver', { notification_id: id }, { jobKey: keys[i], delayMs: 3_600_000 });
    try {
      expect(await deliver(ids[0])).to.deep.equal({ sent: true, batch: 3 });
      const jobs = await Promise.all(keys.map((k) => w.t.knex('core_jobs').where({ job_key: k }).first('status', 'result')));
      expect(jobs.map((j: any) => j.status)).to.deep.equal(['waiting', 'completed', 'completed']);
      expect(JSON.parse(jobs[1].result)).to.deep.equal({ sent_in_batch_of: ids[0] });
      expect(await statuses(ids)).to.deep.equal(Array(3).fill('sent/1'));
    } finally {
      await w.t.knex('core_jobs').whereIn('job_key', keys).where({ status: 'waiting' }).delete();
    }
  });

  it('sends each once when jobs of the same batch run at the same moment', async () => {
    const { ids, phones } = await waiting(10, 'race');
    const runs = await Promise.all(ids.map((id) => deliver(id)));
    expect(runs.filter((r: any) => r.sent)).to.have.length.greaterThan(0);
    expect(await statuses(ids)).to.deep.equal(Array(10).fill('sent/1'));
    for (const phone of phones) expect(gateway.requests.filter((r) => r.body.to === phone), phone).to.have.length(1);
  });

  it('leaves a retry out of batches until its back-off, and gives one taken along a retry job of its own', async () => {
    const { ids } = await waiting(3, 'refused');
    gateway.answer.status = 503;
    gateway.answer.body = 'busy';
    try {
      await deliver(ids[0]).then(() => expect.fail('the own notification is retried by the queue'), (e: Error) => expect(e.message).to.contain('503'));
    } finally {
      gateway.answer.status = 200;
      gateway.answer.body = '{"id":"gw"}';
    }
    expect(await statuses(ids)).to.deep.equal(['queued/1', 'queued/1', 'queued/1']);
    const retries = await w.t.knex('core_jobs').whereIn('job_key', ids.map((id) => `messaging.deliver:${id}:1`)).pluck('job_key');
    expect(retries.sort()).to.deep.equal([`messaging.deliver:${ids[1]}:1`, `messaging.deliver:${ids[2]}:1`]);
    const fresh = await waiting(1, 'fresh');
    expect(await deliver(fresh.ids[0])).to.deep.equal({ sent: true });
    expect(await statuses(ids)).to.deep.equal(['queued/1', 'queued/1', 'queued/1']);
  });

  it('sends again, once, what a process claimed and never finished (the sweep)', async () => {
    const { ids, phones } = await waiting(1, 'died');
    await w.t.knex('messaging_notifications').where({ id: ids[0] }).update({ status: 'sending', attempts: 1, claimed_at: new Date(Date.now() - 10 * 60_000) });
    expect(await sweepStaleClaims(w.t.container, new Date())).to.be.at.least(1);
    await sweepStaleClaims(w.t.container, new Date());
    expect(await w.t.knex('core_jobs').where({ job_key: `messaging.deliver:${ids[0]}:stale:1` }).count({ n: '*' }).first()).to.satisfy((r: any) => Number(r.n) === 1);
    await w.t.drainJobs();
    expect(await statuses(ids)).to.deep.equal(['sent/2']);
    expect(gateway.requests.filter((r) => r.body.to === phones[0])).to.have.length(1);
  });

  it('gives a job again to a notification left queued without one (its job failed for good), once, and not to a fresh one', async () => {
    const { ids, phones } = await waiting(2, 'stranded');
    await w.t.knex('messaging_notifications').where({ id: ids[0] }).update({ updated_at: new Date(Date.now() - 20 * 60_000) });
    // The fresh one waits for a retry of its own (never given here), so the sweep's job does not take it along.
    await w.t.knex('messaging_notifications').where({ id: ids[1] }).update({ attempts: 1 });
    expect(await sweepStaleClaims(w.t.container, new Date())).to.be.at.least(1);
    await sweepStaleClaims(w.t.container, new Date());
    expect(await w.t.knex('core_jobs').where({ job_key: `messaging.deliver:${ids[0]}:stranded:0` }).count({ n: '*' }).first()).to.satisfy((r: any) => Number(r.n) === 1);
    expect(await w.t.knex('core_jobs').where('job_key', 'like', `messaging.deliver:${ids[1]}:%`).count({ n: '*' }).first()).to.satisfy((r: any) => Number(r.n) === 0);
    await w.t.drainJobs();
    expect(await statuses(ids)).to.deep.equal(['sent/1', 'queued/1']);
    expect(gateway.requests.filter((r) => r.body.to === phones[0])).to.have.length(1);
    await w.t.knex('messaging_notifications').where({ id: ids[1] }).update({ status: 'skipped' });
  });

  it('sweeps company by company: every read of notifications by status names a company (its index), never the whole table', async () => {
    const { statements } = await statementsDuring(w.t.knex, () => sweepStaleClaims(w.t.container, new Date()));
    const byStatus = statements.map((s) => s.sql).filter((sql) => /from `messaging_notifications`/.test(sql) && /`status`/.test(sql));
    expect(byStatus, 'the sweep reads by status').to.not.be.empty;
    for (const sql of byStatus) expect(sql).to.match(/where `company_id` = \?/);
  });
});
