import { expect } from 'chai';
import { startFixtureApp } from '../../support/fixture-app';
import type { TestApp, TestUser } from '../../support/harness';
import type { EventHandlerContext } from '../../../core/modules/module-api';

interface Seen {
  companyIds: number[];
  names: string[];
  theirsById: unknown;
  crossWrite: number | string;
  inTransaction: boolean;
}

/**
 * What an event handler works with: a ScopedDb over the event's company alone, acting for the event's
 * actor, in the publisher's transaction (inTransaction) or a fresh one (outbox). The probes subscribe
 * to the fixture's `alpha.item.created` and act only on items named `probe...`.
 */
describe('event handlers get a ScopedDb for the event\'s company', () => {
  let t: TestApp;
  let writer: TestUser;
  let writerToken: string;
  let theirItemId: number;
  const seen = new Map<string, Seen>();

  const probe = (mode: 'inTransaction' | 'outbox') => async ({ db, event }: EventHandlerContext<{ id?: number; name: string }>) => {
    if (!event.payload.name.startsWith(`probe-${mode}`)) return;
    seen.set(event.payload.name, {
      companyIds: db.principal.companyIds,
      names: (await db.query('alpha_items').pluck('name')) as string[],
      theirsById: await db.findById('alpha_items', theirItemId),
      crossWrite: await db.insert('alpha_items', { name: 'smuggled', company_id: t.otherCompanyId }).then(() => 'written', (e) => e.status),
      inTransaction: db.isInTransaction,
    });
    await db.insert('alpha_items', { name: `echo of ${event.payload.name}` });
    if (event.payload.name.endsWith('-then-refuse')) throw new Error('the handler refuses after writing');
  };

  before(async () => {
    t = await startFixtureApp();
    writer = await t.createUser({ permissions: ['alpha.item.write'] });
    writerToken = await t.token(writer.email);
    const theirs = await t.contextFor(t.otherAdmin.id);
    theirItemId = await theirs.db.insert('alpha_items', { name: 'theirs' });
    t.kernel.events.on('probe', 'alpha.item.created', probe('inTransaction'));
    t.kernel.events.on('probe', 'alpha.item.created', probe('outbox'), { mode: 'outbox', name: 'probe.outbox' });
  });
  after(() => t.close());

  const create = (name: string) => t.request().post('/api/v1/alpha/items').set('Authorization', `Bearer ${writerToken}`).send({ name });

  for (const mode of ['inTransaction', 'outbox'] as const) {
    it(`${mode}: reads and writes only the event's company, in a transaction`, async () => {
      const name = `probe-${mode}-scope`;
      await create(name).expect(201);
      await t.drainJobs();

      const view = seen.get(name)!;
      expect(view, 'the handler ran').to.not.equal(undefined);
      expect(view.companyIds).to.deep.equal([t.companyId]);
      expect(view.names).to.include(name);
      expect(view.names).to.not.include('theirs');
      expect(view.theirsById, "another company's row, asked for by id").to.equal(undefined);
      expect(view.crossWrite, "a write into another company").to.equal(403);
      expect(view.inTransaction).to.equal(true);
      expect(await t.knex('alpha_items').where({ name: 'smuggled' }).first()).to.equal(undefined);
    });

    it(`${mode}: its writes are stamped and audited as the event's actor`, async () => {
      const name = `probe-${mode}-audit`;
      await create(name).expect(201);
      await t.drainJobs();

      const echo = await t.knex('alpha_items').where({ name: `echo of ${name}` }).first();
      expect({ company_id: Number(echo.company_id), created_by: Number(echo.created_by) }).to.deep.equal({ company_id: t.companyId, created_by: writer.id });
      const trail = await t.knex('core_audit_log').where({ record_table: 'alpha_items', record_id: echo.id }).select('action', 'actor_id', 'company_id');
      expect(trail.map((e) => ({ action: e.action, actor_id: Number(e.actor_id), company_id: Number(e.company_id) }))).to.deep.equal([
        { action: 'create', actor_id: writer.id, company_id: t.companyId },
      ]);
    });
  }

  it("inTransaction: a throw rolls back the publisher's writes and the handler's own", async () => {
    const name = 'probe-inTransaction-then-refuse';
    const ctx = await t.contextFor(writer.id);
    const error = await ctx.db
      .transaction(async (db) => {
        const id = await db.insert('alpha_items', { name });
        await db.publish('alpha.item.created', { id, name });
      })
      .then(() => null, (e: Error) => e);
    expect(error?.message).to.equal('the handler refuses after writing');
    expect(seen.get(name), 'the handler ran and wrote before refusing').to.not.equal(undefined);
    expect(await t.knex('alpha_items').whereIn('name', [name, `echo of ${name}`])).to.deep.equal([]);
    expect(await t.knex('core_outbox').where('payload', 'like', `%${name}%`).first(), 'nothing left for outbox handlers').to.equal(undefined);
  });
});
