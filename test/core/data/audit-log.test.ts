import { expect } from 'chai';
import { startFixtureApp } from '../../support/fixture-app';
import type { TestApp } from '../../support/harness';

describe('audit log', () => {
  let t: TestApp;
  before(async () => {
    t = await startFixtureApp();
  });
  after(() => t.close());

  it('records who created, changed and deleted a record, with only the fields that changed', async () => {
    const user = await t.createUser({ permissions: ['alpha.item.write'] });
    const ctx = await t.contextFor(user.id);
    const id = await ctx.db.insert('alpha_items', { name: 'first' });
    await ctx.db.update('alpha_items', id, { name: 'second' });
    await ctx.db.update('alpha_items', id, { name: 'second' }); // no change, no entry
    await ctx.db.remove('alpha_items', id);
    const trail = await t.kernel.audit.forRecord(t.knex, 'alpha_items', id);
    expect(trail.map((e) => e.action)).to.deep.equal(['delete', 'update', 'create']);
    expect(trail.every((e) => e.actor_id === user.id && e.actor_name === user.email.split('@')[0])).to.equal(true);
    expect(trail[1].changes).to.deep.equal({ name: { from: 'first', to: 'second' } });
    expect(trail[2].changes).to.deep.equal({ name: 'first' });
  });

  it('stamps who created and who last changed a business row', async () => {
    const user = await t.createUser({ permissions: ['alpha.item.write'] });
    const ctx = await t.contextFor(user.id);
    const id = await ctx.db.insert('alpha_items', { name: 'stamped' });
    const row: any = await ctx.db.getById('alpha_items', id);
    expect(row.created_by).to.equal(user.id);
    expect(row.updated_by).to.equal(user.id);
  });
});

describe('audit log for bulk writes', () => {
  let t: TestApp;
  before(async () => {
    t = await startFixtureApp();
  });
  after(() => t.close());

  it('records one entry per row written in bulk, by the caller, in its transaction', async () => {
    const user = await t.createUser({ permissions: ['alpha.item.write'] });
    const ctx = await t.contextFor(user.id);
    await ctx.db.transaction((db) => db.auditMany([1, 2, 3].map((id) => ({ table: 'alpha_bulk', recordId: id, action: 'import', changes: { n: id } }))));
    const rows = await t.knex('core_audit_log').where({ record_table: 'alpha_bulk' }).orderBy('record_id');
    expect(rows.map((r: any) => [Number(r.record_id), r.action, Number(r.actor_id)])).to.deep.equal([
      [1, 'import', user.id],
      [2, 'import', user.id],
      [3, 'import', user.id],
    ]);
  });

  it('reads a module\'s settings only for a company the caller may see', async () => {
    const ctx = await t.contextFor((await t.createUser({ permissions: [] })).id);
    expect(await ctx.db.settings('alpha')).to.deep.equal({ prefix: 'A-' });
    await ctx.db.settings('alpha', t.otherCompanyId).then(
      () => expect.fail('read another company\'s settings'),
      (error) => expect(error.status).to.equal(403),
    );
  });
});
