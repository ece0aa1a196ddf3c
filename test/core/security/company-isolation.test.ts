import { expect } from 'chai';
import { startFixtureApp } from '../../support/fixture-app';
import type { TestApp } from '../../support/harness';

describe('company isolation', () => {
  let t: TestApp;
  let ours: string;
  let theirs: string;
  let theirItemId: number;
  before(async () => {
    t = await startFixtureApp();
    ours = await t.token((await t.createUser({ permissions: ['alpha.item.write'] })).email);
    theirs = await t.token((await t.createUser({ permissions: ['alpha.item.write'], companyIds: [t.otherCompanyId] })).email);
    const created = await t.request().post('/api/v1/alpha/items').set('Authorization', `Bearer ${theirs}`).send({ name: 'theirs' }).expect(201);
    theirItemId = created.body.id;
    await t.request().post('/api/v1/alpha/items').set('Authorization', `Bearer ${ours}`).send({ name: 'ours' }).expect(201);
  });
  after(() => t.close());

  it('keeps another company\'s rows out of lists', async () => {
    const list = await t.request().get('/api/v1/alpha/items').set('Authorization', `Bearer ${ours}`).expect(200);
    const names = list.body.data.map((i: any) => i.name);
    expect(names).to.include('ours');
    expect(names).not.to.include('theirs');
    expect(list.body.data.every((i: any) => i.company_id === t.companyId)).to.equal(true);
  });

  it('keeps another company\'s rows out of pages', async () => {
    const agent = await t.login(t.otherAdmin.email, t.otherAdmin.password);
    const page = await agent.get('/alpha').expect(200);
    expect(page.text).to.contain('theirs');
    expect(page.text).not.to.contain('<li>ours</li>');
  });

  it('treats a row of another company as absent when read by id', async () => {
    const ctx = await t.contextFor((await t.createUser({ permissions: ['alpha.item.read'] })).id);
    expect(await ctx.db.findById('alpha_items', theirItemId)).to.equal(undefined);
  });

  it('refuses to write a row into a company the user does not belong to', async () => {
    const ctx = await t.contextFor((await t.createUser({ permissions: ['alpha.item.write'] })).id);
    await ctx.db.insert('alpha_items', { name: 'smuggled', company_id: t.otherCompanyId }).then(
      () => expect.fail('wrote into another company'),
      (error) => expect(error.status).to.equal(403),
    );
    await ctx.db.update('alpha_items', theirItemId, { name: 'renamed' }).then(
      () => expect.fail('updated another company\'s row'),
      (error) => expect(error.status).to.equal(404),
    );
  });

  it('refuses to act for a user in a company the user cannot see, rather than in another of theirs', async () => {
    // What a job or a command does: it names the company its work belongs to.
    const user = await t.createUser({ permissions: ['alpha.item.write'] });
    expect((await t.contextFor(user.id, t.companyId)).companyId).to.equal(t.companyId);
    await t.contextFor(user.id, t.otherCompanyId).then(
      () => expect.fail('acted in a company the user has no access to'),
      (error) => {
        expect(error.status).to.equal(403);
        expect(error.message).to.contain(`company ${t.otherCompanyId}`);
      },
    );
  });

  it('narrows a query to one company of the scope, and refuses a company outside it', async () => {
    const both = await t.createUser({ permissions: ['alpha.item.read'], companyIds: [t.companyId, t.otherCompanyId] });
    const ctx = await t.contextFor(both.id, t.companyId);
    const rows = await ctx.db.queryCompany(t.otherCompanyId, 'alpha_items').select('company_id', 'name');
    expect(rows.map((r: any) => r.name)).to.include('theirs');
    expect(rows.every((r: any) => Number(r.company_id) === t.otherCompanyId)).to.equal(true);
    const mine = await t.contextFor((await t.createUser({ permissions: ['alpha.item.read'] })).id);
    expect(() => mine.db.queryCompany(t.otherCompanyId, 'alpha_items')).to.throw(/company/);
  });

  it('lets a deliberately unscoped query through only with a stated reason', async () => {
    const ctx = await t.contextFor((await t.createUser({ permissions: [] })).id);
    expect(() => ctx.db.unscoped('')).to.throw(/reason/);
    const all = await ctx.db.unscoped('test: counting every company').from('alpha_items').count({ n: '*' }).first();
    expect(Number(all!.n)).to.be.greaterThan(1);
  });

  it('does not list users of another company', async () => {
    const admin = await t.contextFor(t.otherAdmin.id);
    const users = t.container.get<any>(Symbol.for('core.Users'));
    const page = await users.page(admin, { limit: 200 });
    expect(page.data.map((u: any) => u.email)).not.to.include(t.admin.email);
  });
});
